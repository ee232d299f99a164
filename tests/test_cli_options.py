"""Option forms a user types: dates as the data writes them, -o naming the format, an as-of date
before some payments; and findings whose order does not depend on the input's row order."""

from __future__ import annotations

import json

import polars as pl
import pytest

from jixiao.core.sample import generate, write_portfolio


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    return write_portfolio(generate(40, seed=5), tmp_path_factory.mktemp("opt") / "portfolio.xlsx")


@pytest.mark.parametrize("form", ["2025/03/31", "2025-3-31", "2025年3月31日", "20250331", "２０２５-０３-３１"])
def test_as_of_takes_the_date_forms_of_the_data(cli, book, form, tmp_path):
    res = cli("run", "--pack", "national", "--as-of", form, "-o", tmp_path / "a.json", book)
    assert res.exit_code == 0, res.output
    assert json.loads((tmp_path / "a.json").read_text())["as_of"] == "2025-03-31"


def test_a_bad_date_is_named(cli, book):
    res = cli("run", "--pack", "national", "--as-of", "2025-02-30", book)
    assert res.exit_code == 2 and "2025-02-30" in res.output and "Traceback" not in res.output


@pytest.mark.parametrize("name, starts", [("f.json", b"{"), ("f.csv", b"\xef\xbb\xbf")])
def test_the_output_file_names_the_format(cli, book, tmp_path, name, starts):
    res = cli("run", "--pack", "national", "--as-of", "2025-03-31", "-o", tmp_path / name, book)
    assert res.exit_code == 0, res.output
    assert (tmp_path / name).read_bytes().startswith(starts)


def test_an_as_of_date_before_some_payments_looks_at_the_portfolio_as_it_was(cli, book, tmp_path):
    from jixiao.core.portfolio import load_portfolio

    folio = load_portfolio(book)
    day = "2024-09-30"
    late = folio.spending.filter(pl.col("date") > pl.lit(day).str.to_date()).height
    assert late
    res = cli("run", "--pack", "national", "--as-of", day, "-o", tmp_path / "a.json", book)
    assert res.exit_code == 0, res.output
    assert f"{late} 笔支出" in res.output and "未计入" in res.output
    view, n = folio.until(pl.Series([day]).str.to_date()[0])
    assert n == late
    kept = folio.spending.filter(pl.col("date") <= pl.lit(day).str.to_date())
    paid = dict(kept.group_by("project_id").agg(pl.col("amount_fen").sum()).iter_rows())
    has = set(folio.spending["project_id"])
    for pid, spent in view.projects.select("project_id", "spent_fen").iter_rows():
        if pid in has:
            assert spent == paid.get(pid, 0), pid  # never a later export's spent column


def test_findings_do_not_depend_on_the_input_row_order(cli, tmp_path):
    s = generate(80, seed=3)
    plain = write_portfolio(s, tmp_path / "plain")
    shuffled = tmp_path / "shuffled"
    shuffled.mkdir()
    for f in plain.iterdir():
        df = pl.read_csv(f, infer_schema=False)
        df.sample(fraction=1.0, shuffle=True, seed=7).write_csv(shuffled / f.name)
    outs = []
    for folder in (plain, shuffled):
        res = cli("run", "--pack", "nanchang", "--as-of", "2025-03-31", "-o", tmp_path / f"{folder.name}.json", folder)
        assert res.exit_code == 0, res.output
        outs.append((tmp_path / f"{folder.name}.json").read_bytes())
    assert outs[0] == outs[1]
