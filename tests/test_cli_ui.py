"""The command line around the Chinese results: compare, diff and plan take the options as run does
(an as-of date before some payments, -o naming the format, a pack by its Chinese name); terminal
tables in Chinese that fit 80 columns; CSV headers in Chinese unless --headers en."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import polars as pl
import pytest
from rich.cells import cell_len

from jixiao.core.sample import generate

from jixiao.core.outputs.portfolio_files import write_portfolio

EARLY = "2024-09-30"  # before the sample's October–December payments


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    return write_portfolio(generate(40, seed=5), tmp_path_factory.mktemp("ui") / "portfolio.xlsx")


@pytest.fixture(scope="module")
def late(book):
    from jixiao.core.load import load_portfolio

    n = load_portfolio(book).spending.filter(pl.col("date") > pl.lit(EARLY).str.to_date()).height
    assert n
    return n


def _terminal(*args, columns=80):
    res = subprocess.run([sys.executable, "-c", "from jixiao.cli.main import main; main()", *map(str, args)],
                         capture_output=True, text=True, env=os.environ | {"COLUMNS": str(columns)}, timeout=120)
    assert res.returncode in (0, 1), res.stderr
    return res.stdout


def test_compare_looks_at_the_portfolio_as_it_was_and_says_how_many_payments_it_left_out(cli, book, late, tmp_path):
    res = cli("compare", "--packs", "nanchang,qingdao", "--as-of", EARLY, "-o", tmp_path / "c.json", book)
    assert res.exit_code == 0, res.output
    assert f"{late} 笔支出" in res.output and "未计入" in res.output
    assert json.loads((tmp_path / "c.json").read_text())["as_of"] == EARLY  # -o FILE.json: JSON


def test_diff_looks_at_the_portfolio_as_it_was(cli, book, late, tmp_path):
    res = cli("diff", "--old", "nanchang", "--new", "青岛", "--as-of", EARLY, "-o", tmp_path / "d.json", book)
    assert res.exit_code in (0, 1), res.output
    assert f"{late} 笔支出" in res.output
    doc = json.loads((tmp_path / "d.json").read_text())
    assert doc["new"] == "qingdao" and doc["as_of"] == EARLY


def test_compare_takes_packs_by_their_chinese_names_and_the_format_from_the_file(cli, book, tmp_path):
    import openpyxl

    res = cli("compare", "--packs", "南昌,同心县", "--as-of", "2025-03-31", "-o", tmp_path / "c.xlsx", book)
    assert res.exit_code == 0, res.output
    assert openpyxl.load_workbook(tmp_path / "c.xlsx").sheetnames  # a workbook, not refused as table
    assert "已写入" in res.output


def test_plan_takes_the_format_from_the_file_and_a_pack_by_name(cli, book, tmp_path):
    res = cli("plan", "coverage", "--pack", "青岛", "-o", tmp_path / "plan.csv", book)
    assert res.exit_code == 0, res.output
    head = (tmp_path / "plan.csv").read_text(encoding="utf-8").splitlines()[0]
    assert "project_id" in head and "year" in head  # readable again by --existing


def test_a_table_with_an_output_file_is_refused_in_chinese(cli, book, tmp_path):
    res = cli("compare", "--packs", "nanchang", "--as-of", "2025-03-31", "--format", "table", "-o", tmp_path / "x.txt", book)
    assert res.exit_code == 2 and "表格只显示在终端" in res.output


def test_the_compare_table_fits_80_columns_in_chinese(book):
    text = _terminal("compare", "--packs", "nanchang,qingdao,tianyuan,shilong,tongxin", "--as-of", "2025-03-31", book)
    lines = text.splitlines()
    assert max(cell_len(line) for line in lines) <= 80
    rows = [line for line in lines if line.startswith(("│", "┃"))]
    assert rows and all(line.rstrip().endswith(("│", "┃")) for line in rows)  # no table cropped at the right
    for line in rows:  # every amount and every id whole in its cell
        for cell in line.strip("│┃").split("│"):
            cell = cell.strip()
            if cell.endswith("元") and re.search(r"\d", cell):
                assert re.fullmatch(r"-?[\d,]+\.\d\d 元", cell), line
            if cell.startswith("P20"):
                assert re.fullmatch(r"P\d{10}", cell), line
    heads = [c.strip() for line in rows[:3] for c in line.strip("┃").split("┃")]
    assert "南昌市" in text and "同心县" in text and "nanchang" not in " ".join(heads)
    for word in ("blocked", "alerts", "grades", "graded", "findings", "rectification", "selected"):
        assert word not in "\n".join(rows), word  # (the in-force notes name the pack's rule ids)
    # the disagreement rows are labelled: a heading per outcome
    assert all(h in text for h in ("预算安排", "等级", "预算影响"))


def test_the_compare_table_follows_a_wide_terminal(book):
    text = _terminal("compare", "--packs", "nanchang,qingdao", "--as-of", "2025-03-31", book, columns=140)
    assert max(cell_len(line) for line in text.splitlines()) > 80
    assert "优" in text


def test_run_csv_headers_are_chinese_unless_en(cli, book, tmp_path):
    res = cli("run", "--pack", "nanchang", "--as-of", "2025-03-31", "-o", tmp_path / "zh.csv", book)
    assert res.exit_code == 0, res.output
    zh = (tmp_path / "zh.csv").read_text(encoding="utf-8-sig").splitlines()[0].split(",")
    assert zh[:3] == ["项目编码", "规则包", "环节"] and "金额影响(元)" in zh
    res = cli("run", "--pack", "nanchang", "--as-of", "2025-03-31", "--headers", "en", "-o", tmp_path / "en.csv", book)
    en = (tmp_path / "en.csv").read_text(encoding="utf-8-sig").splitlines()
    assert en[0].split(",")[:3] == ["project_id", "pack", "stage"]
    assert len(en) == len((tmp_path / "zh.csv").read_text(encoding="utf-8-sig").splitlines())


def test_help_is_chinese(cli):
    for args in (["--help"], ["run", "--help"], ["compare", "--help"], ["packs", "check", "--help"]):
        res = cli(*args)
        assert res.exit_code == 0
        assert "示例" in res.output and "Example" not in res.output, args
    res = cli("run", "--help")
    assert "基准日期" in res.output and "The date the run looks from" not in res.output


def test_help_and_click_errors_are_chinese_and_fit_80_columns():
    text = _terminal("run", "--help")
    assert text.startswith("用法:") and "选项:" in text and "显示本帮助并退出" in text
    assert max(cell_len(line) for line in text.splitlines()) <= 80  # a Chinese character is two columns
    res = subprocess.run([sys.executable, "-c", "from jixiao.cli.main import main; main()", "run", "--pack", "x"],
                         capture_output=True, text=True, timeout=60)
    assert res.returncode == 2 and "错误：缺少参数 'PORTFOLIO'" in res.stderr and "Error" not in res.stderr


def test_the_diff_table_keeps_ids_and_amounts_whole_at_80_columns(book):
    text = _terminal("diff", "--old", "nanchang", "--new", "qingdao", "--as-of", "2025-03-31", book)
    lines = text.splitlines()
    assert max(cell_len(line) for line in lines) <= 80
    rows = [line.strip("│").split("│") for line in lines if line.startswith("│")]
    assert rows
    for cells in rows:
        first, last = cells[0].strip(), cells[-1].strip()
        assert re.fullmatch(r"(P\d{10})?", first) or not first.startswith("P"), cells
        if last and re.search(r"\d", last):
            assert re.fullmatch(r"-?[\d,]+\.\d\d 元", last), cells
    assert "个项目中" in text and "个的结论有变化" in text


@pytest.mark.parametrize("headers, fmt, out", [("yth", "json", "f.json"), ("en", "json", None),
                                               ("yth", "table", None), ("en", "xlsx", "f.xlsx")])
def test_headers_a_format_cannot_carry_are_refused_before_the_run(cli, book, tmp_path, headers, fmt, out):
    # --headers yth with JSON used to write field-named JSON without a word: not what was asked for.
    args = ["run", "--pack", "nanchang", "--as-of", "2025-03-31", "--headers", headers, "--format", fmt]
    if out:
        args += ["-o", tmp_path / out]
    res = cli(*args, book)
    assert res.exit_code == 2, res.output
    assert f"--headers {headers} 不能用于" in res.output and "Traceback" not in res.output
    assert not out or not (tmp_path / out).exists()
