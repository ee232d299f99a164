"""Portfolios as finance offices export them: title and unit rows above the header, a single sheet
named Sheet1, a total row, full-width digits, .xls workbooks, sheets that do not start at A1; and
loading messages in Chinese, in the user's unit, with long values cut."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from jixiao.core.errors import InputError
from jixiao.core.load import load_portfolio
from jixiao.core.load.xlsx_scan import _scan_sheet

HEAD = ["项目编码", "项目名称", "主管部门", "预算年度", "资金性质", "项目类别"]
ROWS = [["P1", "项目一", "教育局", "2024", "一般公共预算", "专项资金", "800"],
        ["P2", "项目二", "教育局", "2024", "一般公共预算", "专项资金", "1200.5"],
        ["P3", "项目三", "卫健委", "2024", "一般公共预算", "专项资金", "300"]]


def book(path: Path, rows: list[list], title: str = "项目", merge: tuple[str, ...] = (), at: str | None = None) -> Path:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = title
    if at is None:
        for r in rows:
            ws.append(r)
    else:  # the table starts at this cell (the sheet's first rows and columns empty)
        from openpyxl.utils.cell import coordinate_from_string, column_index_from_string

        col, row = coordinate_from_string(at)
        c0 = column_index_from_string(col)
        for i, r in enumerate(rows):
            for j, v in enumerate(r):
                ws.cell(row + i, c0 + j, v)
    for m in merge:
        ws.merge_cells(m)
    wb.save(path)
    return path


def messages(path, **kw) -> list[str]:
    with pytest.raises(InputError) as info:
        load_portfolio(path, **kw)
    return [p.render() for p in info.value.problems]


def test_title_and_unit_rows_above_the_header_are_skipped_and_the_stated_unit_used(tmp_path):
    path = book(tmp_path / "g.xlsx", [["赣州市2024年度项目支出绩效情况表"], ["", "", "", "", "", "", "单位：万元"],
                                      HEAD + ["预算金额"], *ROWS], merge=("A1:G1",))
    folio = load_portfolio(path)
    assert folio.projects["budget_fen"].to_list() == [800_000_000, 1_200_500_000, 300_000_000]  # 万元, exactly
    said = [w.render() for w in folio.warnings]
    assert any("表头在第 3 行" in w and "单位：万元" in w for w in said), said
    assert any("预算金额" in w and "按万元读取" in w for w in said), said
    # rows keep the spreadsheet's numbers: the first project is row 4
    assert folio.projects["_row"].to_list() == [4, 5, 6]


def test_a_bad_cell_below_title_rows_is_named_by_its_spreadsheet_row(tmp_path):
    rows = [r[:] for r in ROWS]
    rows[1][4] = "外星预算"
    path = book(tmp_path / "g.xlsx", [["2024年项目表"], HEAD + ["预算金额(元)"], *rows])
    assert any("第 4 行，列 资金性质：不是允许的值之一" in m and "'外星预算'" in m for m in messages(path))


def test_a_table_that_does_not_start_at_a1_keeps_its_row_numbers(tmp_path):
    rows = [r[:] for r in ROWS]
    rows[2][1] = None
    path = book(tmp_path / "c.xlsx", [HEAD + ["预算金额(元)"], *rows], at="C3")
    assert messages(path) == [f"{path}，工作表 项目，第 6 行，列 项目名称：必须填写（项目名称）"]


def test_an_empty_row_in_the_middle_does_not_shift_the_row_numbers(tmp_path):
    rows = [ROWS[0], [None] * 7, ROWS[1][:6] + ["-1"]]
    path = book(tmp_path / "e.xlsx", [HEAD + ["预算金额(元)"], *rows])
    assert messages(path) == [f"{path}，工作表 项目，第 4 行，列 预算金额(元)：不是有效的非负金额（单位元，最多 2 位小数）"
                              "（值：'-1'）"]


def test_a_unit_row_and_amounts_in_that_disagree_are_refused(tmp_path):
    path = book(tmp_path / "g.xlsx", [["单位：万元"], HEAD + ["预算金额"], *ROWS])
    assert any("单位：万元" in m and "--amounts-in 是 元" in m for m in messages(path, amounts_in="元"))
    assert load_portfolio(path, amounts_in="万元").projects["budget_fen"][0] == 800_000_000


def test_a_single_sheet1_with_the_project_columns_is_read_as_projects(tmp_path):
    path = book(tmp_path / "s.xlsx", [HEAD + ["预算金额(万元)"], *ROWS], title="Sheet1")
    folio = load_portfolio(path)
    assert folio.projects["project_id"].to_list() == ["P1", "P2", "P3"]
    assert any("Sheet1" in (w.sheet or "") and "按项目表读取" in w.message for w in folio.warnings)


def test_full_width_digits_are_read_exactly(tmp_path):
    rows = [["P1", "项目一", "教育局", "２０２４", "一般公共预算", "专项资金", "８００．５０", "２０２４／３／１"]]
    path = book(tmp_path / "f.xlsx", [HEAD + ["预算金额(万元)", "实施开始日期"], *rows])
    p = load_portfolio(path).projects.row(0, named=True)
    assert (p["fiscal_year"], p["budget_fen"], str(p["start_date"])) == (2024, 800_500_000, "2024-03-01")


def test_a_total_row_equal_to_the_sum_is_skipped_with_a_warning(tmp_path):
    path = book(tmp_path / "t.xlsx", [HEAD + ["预算金额(万元)"], *ROWS, ["合计", None, None, None, None, None, "2300.5"]])
    folio = load_portfolio(path)
    assert len(folio) == 3
    assert any(w.row == 5 and "合计行" in w.message for w in folio.warnings)
    # the same in a CSV file, the label in the name column
    csv = tmp_path / "t.csv"
    csv.write_text("\n".join(",".join(r) for r in [HEAD + ["预算金额(万元)"], *ROWS, ["", "总 计", "", "", "", "", "2300.50"]]) + "\n",
                   encoding="utf-8")
    assert len(load_portfolio(csv)) == 3


def test_a_spent_mismatch_on_a_wan_column_is_said_in_wan_as_typed(tmp_path):
    folder = tmp_path / "pf"
    folder.mkdir()
    (folder / "projects.csv").write_text(",".join(HEAD + ["预算金额(万元)", "已支出金额(万元)"]) + "\n"
                                         + ",".join(ROWS[0] + ["1180.21"]) + "\n", encoding="utf-8")
    (folder / "spending.csv").write_text("项目编码,支付日期,支付金额(元)\nP1,2024-05-01,11802000.00\n", encoding="utf-8")
    (msg,) = messages(folder)
    assert msg.endswith("列 已支出金额(万元)：已支出金额与支出明细中该项目的支付合计（1180.20 万元）不一致（值：'1180.21'）")


def test_a_long_value_is_cut_in_the_message(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text(",".join(HEAD + ["预算金额(元)"]) + "\n" + ",".join(ROWS[0][:4]) + "," + "外" * 100_000 + ",专项资金,1.00\n",
                    encoding="utf-8")
    (msg,) = messages(path)
    assert "'" + "外" * 60 + "…（共 100,000 个字符）'" in msg and len(msg) < 400


def test_spending_after_the_as_of_date_says_how_many_more(tmp_path):
    folder = tmp_path / "pf"
    folder.mkdir()
    (folder / "projects.csv").write_text(",".join(HEAD + ["预算金额(元)"]) + "\n" + ",".join(ROWS[0]) + "\n", encoding="utf-8")
    (folder / "spending.csv").write_text("项目编码,支付日期,支付金额(元)\n" + "P1,2025-05-01,1.00\n" * 25, encoding="utf-8")
    import datetime as dt

    with pytest.raises(InputError) as info:
        load_portfolio(folder).check_as_of(dt.date(2025, 3, 31))
    assert len(info.value.problems) == 21 and "另有 5 行有同样的问题" in info.value.problems[-1].render()


def _xls(path: Path, rows: list[list]) -> Path:
    import xlwt  # a test dependency (pyproject [test]): builds a real Excel 97–2003 file
    wb = xlwt.Workbook()
    ws = wb.add_sheet("项目")
    for i, r in enumerate(rows):
        for j, v in enumerate(r):
            if v is not None:
                ws.write(i, j, v)
    wb.save(str(path))
    return path


def test_an_xls_workbook_is_read_like_xlsx(tmp_path):
    rows = [HEAD + ["预算金额(元)"], *([*r[:6], float(r[6])] for r in ROWS)]
    path = _xls(tmp_path / "old.xls", rows)
    assert load_portfolio(path).projects["budget_fen"].to_list() == [80_000, 120_050, 30_000]
    # an .xls workbook renamed .xlsx is read too
    renamed = tmp_path / "old.xlsx"
    renamed.write_bytes(path.read_bytes())
    assert len(load_portfolio(renamed)) == 3


def test_an_xls_amount_finer_than_a_fen_is_an_error_not_rounded(tmp_path):
    path = _xls(tmp_path / "old.xls", [HEAD + ["预算金额(元)"], [*ROWS[0][:6], 99.99999999999]])
    assert any("第 2 行，列 预算金额(元)" in m and "99.99999999999" in m for m in messages(path))


def _sheet_xml(cells: bytes) -> bytes:
    return (b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            b'<dimension ref="A1:B2"/><sheetData>' + cells + b"</sheetData></worksheet>")


@pytest.mark.parametrize(("cells", "grid"), [
    (b'<row r="1"><c r="A1"><v>1</v></c><c r="C1"><v>2</v></c></row><row r="2"><c r="B2"><v>3</v></c></row>', (2, 3)),
    (b'<row r="1"><c r="A1"><v>1</v></c></row><row r="9"><c r="XFD1048576"><v>1</v></c></row>', (1048576, 16384)),
    (b"<row r='1'><c r='A1'><v>1</v></c></row><row r='2'><c r='ZZ7'><v>1</v></c></row>", (7, 702)),
    (b'<row r="1048576">' + b"<c><v>1</v></c>" * 50 + b"</row>", (1048576, 50)),
    (b"<row>" + b"<c><v>1</v></c>" * 3 + b"</row>" * 1 + b"<row><c><v>1</v></c></row>", (2, 3)),
    (b'<row r="1"><c r="A1" t="inlineStr"><is><t> r="XFD99"</t></is></c></row>', (1, 1)),
    (b'<row r="1"><c r="A1"><v>1</v></c><c r="xfd99999"><v>1</v></c></row>', (99999, 16384)),  # the reader takes lower case
    (b'<row r="1"><c s="1" r="ZZ3"><v>1</v></c><c s=">" r="AB9"><v>1</v></c></row>', (9, 702)),  # r not first
])
def test_the_scan_bounds_the_grid_the_reader_builds_whatever_the_dimension_says(tmp_path, cells, grid):
    path = tmp_path / "s.zip"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("sheet.xml", _sheet_xml(cells))
    with zipfile.ZipFile(path) as z:
        scan = _scan_sheet(z, "sheet.xml")
    assert (scan.rows, scan.columns) == grid


def test_title_rows_above_a_csv_header_are_skipped_too(tmp_path):
    path = tmp_path / "t.csv"
    lines = ["赣州市2024年项目表", ",,,,,,单位：万元", ",".join(HEAD + ["预算金额"]), *(",".join(r) for r in ROWS)]
    path.write_text("\n".join(lines) + "\n", encoding="gbk")
    folio = load_portfolio(path)
    assert folio.projects["budget_fen"].to_list() == [800_000_000, 1_200_500_000, 300_000_000]
    assert folio.projects["_row"].to_list() == [4, 5, 6]
    assert any("表头在第 3 行" in w.message for w in folio.warnings)
    # a bad cell, and a short row, are named by their line in the file
    path.write_text("\n".join(lines[:4] + [lines[4].replace("教育局", ""), lines[5][:10]]) + "\n", encoding="utf-8")
    assert messages(path) == [f"{path}，第 6 行：这一行有 3 个字段，表头有 7 个（逗号多了或少了？）（值：{lines[5][:10]!r}）"]
    path.write_text("\n".join(lines[:4] + [lines[4].replace("教育局", "")]) + "\n", encoding="utf-8")
    assert messages(path) == [f"{path}，第 5 行，列 主管部门：必须填写（主管部门）"]


def _rewrite_sheet(path: Path, old: bytes, new: bytes) -> None:
    """Replace bytes in the workbook's first sheet, as another spreadsheet program would write it."""
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    sheet = "xl/worksheets/sheet1.xml"
    assert old in parts[sheet]
    parts[sheet] = parts[sheet].replace(old, new)
    with zipfile.ZipFile(path, "w") as z:
        for n, data in parts.items():
            z.writestr(n, data)


def test_a_formula_without_a_saved_result_is_refused_naming_each_cell(tmp_path):
    # A workbook written by a program (openpyxl, a script) holds formulas with no computed value
    # until Excel or WPS opens and saves it: read as empty, an amount would vanish or a required
    # cell read as missing. Each such cell is named, all at once, with its formula.
    rows = [r[:] for r in ROWS]
    rows[0][6] = "=800*1"
    rows[2][1] = '="项目"&"三"'
    path = book(tmp_path / "f.xlsx", [HEAD + ["预算金额(万元)"], *rows])
    said = messages(path)
    assert len(said) == 2, said
    assert "第 2 行，列 预算金额(万元)：这个单元格是公式，但工作簿没有保存它的计算结果" in said[0], said
    assert "'=800*1'" in said[0]
    assert "第 4 行，列 项目名称" in said[1] and "'=\"项目\"&\"三\"'" in said[1], said
    assert all("重新计算并保存" in m for m in said)


def test_a_formula_with_its_saved_result_is_read_as_that_result(tmp_path):
    rows = [r[:] for r in ROWS]
    rows[0][6] = "=800*1"
    path = book(tmp_path / "f.xlsx", [HEAD + ["预算金额(万元)"], *rows])
    _rewrite_sheet(path, b"<f>800*1</f><v /></c>", b"<f>800*1</f><v>800</v></c>")
    assert load_portfolio(path).projects["budget_fen"].to_list() == [800_000_000, 1_200_500_000, 300_000_000]


def test_a_formula_whose_saved_result_is_empty_text_is_read_as_empty(tmp_path):
    # =IF(…,"",…) saved by Excel: t="str" and an empty <v>: the result is known and is empty.
    rows = [r[:] for r in ROWS]
    path = book(tmp_path / "f.xlsx", [HEAD + ["预算金额(万元)", "备注"], *[r + ["x"] for r in rows]])
    with zipfile.ZipFile(path) as z:
        xml = z.read("xl/worksheets/sheet1.xml")
    cell = xml[xml.index(b'<c r="H2"'):]
    cell = cell[:cell.index(b"</c>") + 4]
    _rewrite_sheet(path, cell, b'<c r="H2" t="str"><f>IF(1,"","x")</f><v></v></c>')
    folio = load_portfolio(path)
    assert folio.projects["budget_fen"].to_list() == [800_000_000, 1_200_500_000, 300_000_000]


@pytest.mark.parametrize("chunk", [31, 47, 64, 97, 1 << 24])  # chunks longer than a tag, as 16 MB ones are
def test_formulas_without_results_are_found_wherever_the_scan_cuts_the_xml(tmp_path, monkeypatch, chunk):
    import jixiao.core.load.xlsx_scan as scan_module

    monkeypatch.setattr(scan_module, "_CHUNK", chunk)
    cells = (b'<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1"><f>1+1</f><v>2</v></c></row>'
             b'<row r="2"><c r="A2"><f>SUM(B1:B9)&amp;"x"</f><v /></c><c r="B2"><f t="shared" si="0"/></c>'
             b'<c r="C2" t="str"><f>IF(1,"","x")</f><v></v></c><c r="D2"><f>3*4</f></c></row>')
    path = tmp_path / "s.zip"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("sheet.xml", _sheet_xml(cells))
    with zipfile.ZipFile(path) as z:
        scan = _scan_sheet(z, "sheet.xml")
    assert sorted(scan.formulas) == [(2, 1, '=SUM(B1:B9)&"x"'), (2, 2, "="), (2, 4, "=3*4")]
