"""Option forms a user types: dates as the data writes them, -o naming the format, an as-of date
before some payments; and findings whose order does not depend on the input's row order."""

from __future__ import annotations

import json

import polars as pl
import pytest

from jixiao.core.sample import generate

from jixiao.core.outputs.portfolio_files import write_portfolio


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
    from jixiao.core.load import load_portfolio

    folio = load_portfolio(book)
    day = "2024-09-30"
    late = folio.spending.filter(pl.col("date") > pl.lit(day).str.to_date()).height
    assert late
    res = cli("run", "--pack", "national", "--as-of", day, "-o", tmp_path / "a.json", book)
    assert res.exit_code == 0, res.output
    assert f"{late} 笔支出" in res.output and "未计入" in res.output
    view, n = folio.until(pl.Series([day]).str.to_date()[0])
    assert n == late
    kept = folio.with_ids("spending").filter(pl.col("date") <= pl.lit(day).str.to_date())
    paid = dict(kept.group_by("project_id").agg(pl.col("amount_fen").sum()).iter_rows())
    has = set(folio.with_ids("spending")["project_id"])
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


def test_the_run_table_fits_80_columns_without_splitting_ids_or_amounts(book):
    import os
    import re
    import subprocess
    import sys

    from rich.cells import cell_len

    res = subprocess.run([sys.executable, "-c", "from jixiao.cli.main import main; main()", "run", "--pack",
                          "nanchang", "--as-of", "2025-03-31", str(book)], capture_output=True, text=True,
                         env=os.environ | {"COLUMNS": "80"}, timeout=120)
    assert res.returncode == 0, res.stderr
    lines = res.stdout.splitlines()
    assert max(cell_len(line) for line in lines) <= 80
    body = [line for line in lines if line.startswith("│")]
    first = [line.split("│")[1].strip() for line in body]
    assert all(re.fullmatch(r"(P\d{10})?", c) for c in first)  # an id whole on its line, or nothing
    amounts = [line.split("│")[3].strip() for line in body]
    assert any(amounts) and all(re.fullmatch(r"(-?[\d,]+\.\d\d 元)?", a) for a in amounts)
    assert "绩效评价" in res.stdout and "evaluate" not in res.stdout  # stages in Chinese


@pytest.mark.parametrize("pack_id", ["nanchang", "tongxin", "tianyuan", "national"])
def test_the_summary_gives_the_money_by_budget_year_and_kind(registry, pack_id):
    import datetime as dt

    from jixiao.core.engine import run
    from jixiao.core.outputs.run import summary
    from jixiao.core.pack import Pack

    result = run(Pack.load(pack_id, registry), generate(200, seed=11), dt.date(2025, 3, 31))
    s = summary(result)
    groups = s["budget_effect_by_year"]
    assert sum(g["amount_fen"] for g in groups) == s["budget_effect_fen"]
    money = result.findings.filter(pl.col("amount_fen").is_not_null())
    assert len(groups) == money.select("budget_year", "action", "applies_to").n_unique()
    for g in groups:
        mine = money.filter((pl.col("action") == g["action"]) & (pl.col("budget_year") == g["budget_year"]))
        assert g["budget_year"] is not None and mine.height >= g["findings"]


def test_pack_by_its_chinese_name(cli, book, tmp_path):
    res = cli("run", "--pack", "南昌", "--as-of", "2025-03-31", "-o", tmp_path / "a.json", book)
    assert res.exit_code == 0, res.output
    assert json.loads((tmp_path / "a.json").read_text())["pack"]["id"] == "nanchang"
    res = cli("explain", "--pack", "南昌市全面实施预算绩效管理规则", "--project", "P2024000003", "--as-of", "2025-03-31", book)
    assert res.exit_code == 0 and "南昌市" in res.output
    res = cli("run", "--pack", "市", "--as-of", "2025-03-31", book)
    assert res.exit_code == 2 and "nanchang" in res.output and "qingdao" in res.output


def test_compare_separates_next_year_cuts_from_this_years_reclaims(registry):
    import datetime as dt

    from jixiao.core.outputs.compare import SUMMARY_ROWS, compare
    from jixiao.core.pack import Pack

    packs = [Pack.load(p, registry) for p in ("nanchang", "tongxin")]
    c = compare(packs, generate(200, seed=11), dt.date(2025, 3, 31))
    for s in c.summary:
        assert sum(g["amount_fen"] for g in s["budget_effect_by_year"]) == s["budget_effect_fen"]
    labels = [label for label, _ in SUMMARY_ROWS]
    assert not any("下年度" in label for label in labels)
    by_year = dict(SUMMARY_ROWS)["金额影响（按预算年度、类别）"]
    tongxin = next(s for s in c.summary if s["pack"] == "tongxin")
    assert "收回统筹" in by_year(tongxin) and "年度" in by_year(tongxin)
