"""对账 (jixiao reconcile): differences with the system a bureau runs, each with jixiao's rule,
clause and inputs and which side the clause supports; exit 1 when anything differs."""

from __future__ import annotations

import csv
import json

import pytest

PROJECTS = """项目编码,项目名称,主管部门,预算年度,资金性质,项目类别,预算金额(元),绩效目标状态
P90,恰好九十分,市教育局,2024,一般公共预算,专项资金,1000000,已批复
P85,八十五分,市教育局,2024,一般公共预算,专项资金,1000000,已批复
P70,七十分<script>x</script>,市教育局,2024,一般公共预算,专项资金,1000000,已批复
"""
EVALUATIONS = """项目编码,评价年度,评价方式,评价日期,总分
P90,2024,财政重点评价,2025-03-01,90
P85,2024,财政重点评价,2025-03-01,85
P70,2024,财政重点评价,2025-03-01,70
"""


@pytest.fixture()
def folio(tmp_path):
    folder = tmp_path / "folio"
    folder.mkdir()
    (folder / "projects.csv").write_text(PROJECTS, encoding="utf-8")
    (folder / "evaluations.csv").write_text(EVALUATIONS, encoding="utf-8")
    return folder


def _against(tmp_path, text):
    path = tmp_path / "system.csv"
    path.write_text(text, encoding="utf-8")
    return path


def _rec(cli, folio, path, *extra):
    return cli("reconcile", "--pack", "national", "--as-of", "2025-03-31", "--against", path, *extra, folio)


def test_the_same_records_reconcile_with_exit_0(cli, folio, tmp_path):
    path = _against(tmp_path, "PRO_CODE,TOTAL_EVAL_VALUE,自评等级\nP90,90,优\nP85,85.00,良\nP70,70,中\n")
    res = _rec(cli, folio, path)
    assert res.exit_code == 0, res.output
    assert "差异 0 处" in res.output


def test_differences_name_the_clause_and_the_side_it_supports(cli, folio, tmp_path):
    # P90: exactly 90, left ungraded by the other system (its "> 90" bug); P85: its own 85 but 中;
    # P70: a different score; P00: not in the portfolio.
    path = _against(tmp_path, "PRO_CODE,TOTAL_EVAL_VALUE,自评等级\nP90,90,\nP85,85,中\nP70,72.5,中\nP00,80,良\n")
    target = tmp_path / "rec.xlsx"
    res = _rec(cli, folio, path, "-o", target, "--html", tmp_path / "rec.html")
    assert res.exit_code == 1, res.output
    text = res.output.replace("\n", "")
    assert "得分恰为 90.00 分" in text and "（含）起为优" in text and "＞90.00" in text
    assert "财预〔2020〕10号 第二十七条" in text
    assert "得分相同（85.00），按" in text and "应为良；对方记为中——条文支持 jixiao" in text
    assert "两系统记录的同一评价得分不一致" in text
    assert "对方有、jixiao 的项目数据中没有" in text
    assert "差异 4 处（等级 2，得分 1，项目 1）" in text
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.load_workbook(target, read_only=True)
    rows = list(book["差异"].iter_rows(values_only=True))
    assert rows[0][:3] == ("项目编码", "项目名称", "比对项") and len(rows) >= 5
    html = (tmp_path / "rec.html").read_text(encoding="utf-8")
    assert "<script>" not in html and "七十分&lt;script&gt;x" in html  # escaped, inert


def test_a_bad_record_file_is_refused_with_place_and_value(cli, folio, tmp_path):
    path = _against(tmp_path, "PRO_CODE,TOTAL_EVAL_VALUE,预警灯\nP90,九十,绿\nP85,85,紫\n")
    target = tmp_path / "rec.xlsx"
    res = _rec(cli, folio, path, "-o", target)
    assert res.exit_code == 2 and "Traceback" not in res.output
    assert "第 2 行" in res.output and "TOTAL_EVAL_VALUE" in res.output and "九十" in res.output
    assert "第 3 行" in res.output and "紫" in res.output
    assert not target.exists()
    missing = _against(tmp_path, "名称,得分\n甲,90\n")
    res = _rec(cli, folio, missing)
    assert res.exit_code == 2 and "缺少项目编码列" in res.output


def test_the_bundled_example_reports_exactly_the_two_bugs(cli):
    """examples/reconcile: an incumbent that grades with `> 90` and leaves the execution score
    uncapped — exactly R-90 (grade) and R-OVER (score) are reported, with clause and inputs."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[1] / "examples" / "reconcile"
    res = cli("reconcile", "--pack", "national", "--as-of", "2025-03-31", "--against", root / "incumbent.csv",
              root / "portfolio")
    assert res.exit_code == 1, res.output
    text = res.output.replace("\n", "").replace("│", "").replace(" ", "")
    assert "差异2处（等级1，得分1）" in text
    assert "R-90等级" in text and "得分恰为90.00分" in text
    assert "R-OVER得分" in text and "执行率120.00%超过100%，多计2.00分" in text and "第十六条" in text
    assert "R-85" not in text and "R-89" not in text


def test_records_as_an_xlsx_with_number_cells(cli, tmp_path):
    """An incumbent export in XLSX, scores as number cells (binary floats): read as the system's
    six-place scores, so only the real differences are reported."""
    import xlsxwriter
    from pathlib import Path

    root = Path(__file__).resolve().parents[1] / "examples" / "reconcile"
    book = tmp_path / "incumbent.xlsx"
    wb = xlsxwriter.Workbook(str(book))
    ws = wb.add_worksheet("对账")
    for r, row in enumerate([["PRO_CODE", "TOTAL_EVAL_VALUE", "自评等级"], ["R-90", 90.0, None],
                             ["R-OVER", 97.44, "优"], ["R-85", 85.0, "良"], ["R-89", 89.5, "良"]]):
        for c, v in enumerate(row):
            if v is not None:
                ws.write(r, c, v)
    wb.close()
    res = cli("reconcile", "--pack", "national", "--as-of", "2025-03-31", "--against", book, root / "portfolio")
    assert res.exit_code == 1, res.output
    assert "差异 2 处（等级 1，得分 1）" in res.output.replace("\n", "")


@pytest.mark.parametrize("text, says", [
    ("PRO_CODE,TOTAL_EVAL_VALUE\nP90,1e30\n", "'1e30'"),
    ("PRO_CODE,TOTAL_EVAL_VALUE\nP90,9_7.44\n", "'9_7.44'"),
    ("PRO_CODE,TOTAL_EVAL_VALUE\n", "只有表头"),
    ("PRO_CODE,TOTAL_EVAL_VALUE\nP90,\n", "都是空的"),
    ("PRO_CODE,TOTAL_EVAL_VALUE\nP90,90\nP90 ,91\n", "第 3 行"),
    ("PRO_CODE,自评等级\nP90,甲等\n", "'甲等'"),
    ("", "对账文件是空的"),
])
def test_records_that_cannot_be_compared_are_refused(cli, folio, tmp_path, text, says):
    res = _rec(cli, folio, _against(tmp_path, text))
    assert res.exit_code == 2, res.output
    assert says in res.output and "对账文件中有" in res.output and "Traceback" not in res.output


def test_long_grade_names_are_the_bands(cli, folio, tmp_path):
    res = _rec(cli, folio, _against(tmp_path, "PRO_CODE,TOTAL_EVAL_VALUE,自评等级\nP90,90,优秀\nP85,85,良好\nP70,70,中等\n"))
    assert res.exit_code == 0, res.output


def test_records_with_a_formula_but_no_saved_result_are_refused(cli, folio, tmp_path):
    """A score written as a formula by a program, never computed by Excel: read as empty it would
    drop the score from the comparison; it is named instead."""
    import openpyxl

    book = tmp_path / "rec.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in (["PRO_CODE", "TOTAL_EVAL_VALUE"], ["P90", "=89+1"], ["P85", 85], ["P70", 70]):
        ws.append(row)
    wb.save(book)
    res = _rec(cli, folio, book)
    assert res.exit_code == 2, res.output
    text = res.output.replace("\n", "")
    assert "第 2 行，列 B：这个单元格是公式，但工作簿没有保存它的计算结果" in text, res.output
    assert "'=89+1'" in text
