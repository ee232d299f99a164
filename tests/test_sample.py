"""jixiao sample: the same seed gives the same portfolio, in any format, streamed chunk by chunk."""

from __future__ import annotations

import polars as pl
import pytest

from jixiao.core import sample as sample_module
from jixiao.core.load import load_portfolio
from jixiao.core.sample import generate, write_sample
from jixiao.core.schema import TABLES


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_streamed_folder_equals_the_in_memory_sample(tmp_path, monkeypatch, fmt):
    monkeypatch.setattr(sample_module, "CHUNK", 40)  # several chunks from a small sample
    path = write_sample(130, 5, 2024, tmp_path / "folio", fmt)
    back = load_portfolio(path)
    fresh = generate(130, 5)
    assert back.projects["project_id"].n_unique() == 130
    for name in TABLES:
        assert back.table(name).drop("_row").equals(fresh.table(name).drop("_row")), name
    assert not (tmp_path / "folio.partial").exists()


def test_sample_cli_formats(cli, tmp_path):
    for name in ("s.xlsx", "s.json", "s.csv", "s.parquet"):
        res = cli("sample", "--projects", "25", "--seed", "9", "-o", tmp_path / name)
        assert res.exit_code == 0, res.output
        loaded = load_portfolio(tmp_path / name)
        assert loaded.projects.drop("_row").equals(generate(25, 9).projects.drop("_row")), name
    assert load_portfolio(tmp_path / "s.csv").spending.height == 0  # a single CSV holds projects only


def test_too_big_for_xlsx_is_refused_before_writing(cli, tmp_path):
    res = cli("sample", "--projects", "100000", "-o", tmp_path / "big.xlsx")
    assert res.exit_code == 2 and "write a folder (no suffix) or .parquet instead" in res.output
    assert list(tmp_path.iterdir()) == []


def test_same_seed_same_portfolio_different_seed_different():
    a, b, c = generate(50, 1), generate(50, 1), generate(50, 2)
    assert a.projects.equals(b.projects) and not a.projects.equals(c.projects)
    # Tongxin's account: execution mostly at or above 96 %.
    rate = a.projects.select((pl.col("spent_fen") / pl.col("budget_fen") >= 0.96).mean()).item()
    assert rate > 0.75
