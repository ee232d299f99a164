"""XLSX a finance office can use (issue 13; usability review items 5, 19, 24): amounts are exact 元
number cells with a number format, counts are numbers, the header is frozen and filtered, widths
fit Chinese text, a 合计 row holds the exact total, labels are Chinese, and writing streams rows
and says what it is doing."""

from __future__ import annotations

import io
import json
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
from openpyxl.utils.escape import unescape
import polars as pl
import pytest
from rich.console import Console

from jixiao.core.sample import generate

from jixiao.core.outputs.portfolio_files import write_portfolio

AS_OF = "2025-03-31"
YUAN = "#,##0.00;[Red]-#,##0.00"
CODES = ("cut_budget", "block_budget", "reclaim_funds", "project_budget", "True", "False", "_fen", "pix",
         "gate", "alerts", "effect", "deadline")


@pytest.fixture(scope="module")
def folio(tmp_path_factory):
    return write_portfolio(generate(80, seed=11), tmp_path_factory.mktemp("fin") / "p.xlsx")


def exact(value) -> Decimal:
    """A number cell's value as the 元 amount it shows (two places)."""
    return Decimal(repr(value)).quantize(Decimal("0.01"))


def header_index(ws, row: int = 1) -> dict[str, int]:
    return {c.value: c.column - 1 for c in ws[row] if c.value is not None}


def texts_of(wb) -> list[str]:
    return [c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)]


def test_run_workbook_amounts_are_exact_numbers_with_a_yuan_format(cli, folio, tmp_path):
    res = cli("run", "--pack", "nanchang", "--as-of", AS_OF, "--format", "json", "-o", tmp_path / "r.json", folio)
    assert res.exit_code == 0, res.output
    doc = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    res = cli("run", "--pack", "nanchang", "--as-of", AS_OF, "--format", "xlsx", "-o", tmp_path / "r.xlsx", folio)
    assert res.exit_code == 0, res.output
    wb = openpyxl.load_workbook(tmp_path / "r.xlsx")
    ws = wb["结论"]
    col = header_index(ws)
    amount, year, score, assumed = col["金额影响(元)"], col["预算年度"], col["评价得分"], col["含假定参数"]
    rows = list(ws.iter_rows(min_row=2))
    findings = doc["findings"]
    assert len(rows) == len(findings) + 1  # and the 合计 row
    money = 0
    for row, f in zip(rows, findings, strict=False):
        assert row[0].value == f["project_id"]
        cell = row[amount]
        if f["amount_fen"] is None:
            assert cell.value is None
        else:
            money += 1
            assert cell.data_type == "n" and cell.number_format == YUAN
            assert exact(cell.value) == Decimal(f["amount_yuan"])
        if f["budget_year"] is not None:
            assert row[year].value == f["budget_year"] and row[year].number_format == "0"  # not 2,026
        if f["score"] is not None:
            assert row[score].data_type == "n" and exact(row[score].value) == Decimal(f["score"])
        assert row[assumed].value == ("是" if f["assumed"] else "否")
    assert money >= 3  # amounts were checked, not only empty cells
    total = rows[-1]
    assert total[0].value.startswith("合计") and total[amount].data_type == "n"
    assert exact(total[amount].value) == Decimal(doc["summary"]["budget_effect_yuan"])
    assert total[amount].number_format == YUAN
    # the summary sheet: counts and amounts are numbers
    summary = {r[0].value: r[1] for r in wb["汇总"].iter_rows(min_row=2)}
    assert summary["结论条数"].data_type == "n" and summary["结论条数"].value == doc["summary"]["findings"]
    assert summary["涉及项目数"].value == doc["summary"]["projects_with_findings"]
    effect = summary["金额影响合计(元，各年度各类相加)"]
    assert effect.data_type == "n" and effect.number_format == YUAN
    assert exact(effect.value) == Decimal(doc["summary"]["budget_effect_yuan"])
    by_year = [v for k, v in summary.items() if "年度" in k and k.endswith("(元)")]
    assert [exact(c.value) for c in by_year] == [Decimal(g["amount_yuan"]) for g in doc["summary"]["budget_effect_by_year"]]


def test_run_workbook_is_laid_out_for_a_finance_office(cli, folio, tmp_path):
    res = cli("run", "--pack", "nanchang", "--as-of", AS_OF, "--format", "xlsx", "-o", tmp_path / "r.xlsx", folio)
    assert res.exit_code == 0, res.output
    wb = openpyxl.load_workbook(tmp_path / "r.xlsx")
    ws = wb["结论"]
    assert ws.freeze_panes == "B2"  # header row and the project id stay in view
    last_data = ws.max_row - 1  # the 合计 row is below the filter
    assert ws.auto_filter.ref == f"A1:{ws.cell(1, ws.max_column).column_letter}{last_data}"
    col = header_index(ws)
    for name in ("项目名称", "主管部门", "说明"):
        letter = ws.cell(1, col[name] + 1).column_letter
        # a CJK character is two wide
        widest = max(sum(2 if "\u4e00" <= ch <= "\u9fff" or ch in "（）：；，、。" else 1 for ch in str(c.value))
                     for c in ws[letter][1:-1] if c.value)
        assert ws.column_dimensions[letter].width >= min(60, widest), name
    assert not any(t in CODES for t in texts_of(wb))
    for name in ("环节", "处理", "适用对象"):  # Chinese labels, never the codes CSV and JSON carry
        values = [r[col[name]].value for r in ws.iter_rows(min_row=2, max_row=ws.max_row - 1)]
        assert any(values) and all(v is None or not v.isascii() for v in values), name


@pytest.fixture(scope="module")
def compared(tmp_path_factory, folio):
    from click.testing import CliRunner

    from jixiao.cli.main import main

    out = tmp_path_factory.mktemp("cmp")
    packs = "tongxin,nanchang,qingdao"  # not in alphabetical order: the sheets keep this order
    for fmt in ("json", "xlsx"):
        res = CliRunner().invoke(main, ["compare", "--packs", packs, "--as-of", AS_OF, "--format", fmt, "-o",
                                        str(out / f"c.{fmt}"), str(folio)], catch_exceptions=False)
        assert res.exit_code == 0, res.output
    return json.loads((out / "c.json").read_text(encoding="utf-8")), openpyxl.load_workbook(out / "c.xlsx")


def test_compare_workbook_amounts_are_numbers_and_totals_exact(compared):
    doc, wb = compared
    names = [p["name"] for p in doc["packs"]]
    ws = wb["逐项目对比"]
    assert ws.freeze_panes == "B3"
    groups = [c.value for c in ws[1] if c.value]
    assert groups == names  # each pack's name over its columns, in the order given
    heads = [c.value for c in ws[2]]
    money_cols = [i for i, h in enumerate(heads) if h == "金额影响(元)"]
    assert len(money_cols) == 3
    projects = {p["project_id"]: p for p in doc["projects"]}
    body = list(ws.iter_rows(min_row=3))
    assert len(body) == len(projects) + 1
    for row in body[:-1]:
        p = projects[row[0].value]
        for pack, i in zip([x["pack"] for x in doc["packs"]], money_cols, strict=True):
            cell = row[i]
            assert cell.data_type == "n" and cell.number_format == YUAN
            assert exact(cell.value) == Decimal(p["outcomes"][pack]["effect_fen"]).scaleb(-2)
    total = body[-1]
    assert total[0].value.startswith("合计")
    for s, i in zip(doc["packs"], money_cols, strict=True):
        assert exact(total[i].value) == Decimal(s["budget_effect_yuan"])
    assert ws.auto_filter.ref == f"A2:{ws.cell(2, ws.max_column).column_letter}{len(projects) + 2}"
    disagree = heads.index("不一致之处")
    said = {r[disagree].value for r in body[:-1]} - {None}
    assert said and all(set(v.split("、")) <= {"预算安排", "预警", "等级", "金额影响", "整改期限"} for v in said)


def test_compare_department_sheet_in_pack_order_with_a_total(compared):
    doc, wb = compared
    ws = wb["部门预算影响"]
    heads = [c.value for c in ws[1]]
    assert heads == ["部门", *(f"{p['name']}(元)" for p in doc["packs"])]
    rows = list(ws.iter_rows(min_row=2))
    by_dept = {d["department"]: d["budget_effect_fen"] for d in doc["departments"]}
    for row in rows[:-1]:
        for p, cell in zip(doc["packs"], row[1:], strict=True):
            assert cell.data_type == "n" and cell.number_format == YUAN
            assert exact(cell.value) == Decimal(by_dept[row[0].value].get(p["pack"], 0)).scaleb(-2)
    assert rows[-1][0].value.startswith("合计")
    assert [exact(c.value) for c in rows[-1][1:]] == [Decimal(p["budget_effect_yuan"]) for p in doc["packs"]]
    assert ws.freeze_panes == "B2" and ws.auto_filter.ref == f"A1:D{len(rows)}"
    summary = wb["汇总"]
    heads = [c.value for c in summary[1]]
    for row in summary.iter_rows(min_row=2):
        assert row[heads.index("不予安排预算项目数")].data_type == "n"
        assert row[heads.index("结论条数")].data_type == "n"
        assert row[heads.index("金额影响合计(元，各年度各类相加)")].number_format == YUAN
    monthly = wb["逐月预警"]
    assert {r[0].value for r in monthly.iter_rows(min_row=2)} == {p["name"] for p in doc["packs"]}
    assert not any(t in CODES for t in texts_of(wb))


def test_the_demo_workbook_has_number_cells(cli, tmp_path):
    res = cli("demo", "--out", tmp_path / "demo", "--projects", "40", "--packs", "nanchang,tongxin")
    assert res.exit_code == 0, res.output
    wb = openpyxl.load_workbook(tmp_path / "demo" / "compare.xlsx")
    cells = [c for row in wb["部门预算影响"].iter_rows(min_row=2) for c in row[1:]]
    assert cells and all(c.data_type == "n" and c.number_format == YUAN for c in cells)


# --- the writer itself ------------------------------------------------------------------------------


def _book(tmp_path: Path, frame: pl.DataFrame, columns, **kw) -> Path:
    from jixiao.core.outputs.workbook import Book

    path = tmp_path / "t.xlsx"
    with Book(path) as book:
        book.table("表", frame, columns, **kw)
    return path


def test_amounts_are_written_as_their_exact_decimal_text(tmp_path):
    from jixiao.core.outputs.workbook_cells import Column

    fen = [123456789012345, 1, -5, 995, -10728000, 0, None, 999999999999999]
    frame = pl.DataFrame({"id": [f"P{i}" for i in range(len(fen))], "f": fen}, schema={"id": pl.String, "f": pl.Int64})
    path = _book(tmp_path, frame, [Column("项目编码", pl.col("id")), Column("金额(元)", pl.col("f"), "yuan", total=True)])
    xml = zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml").decode()
    for text in ("1234567890123.45", "0.01", "-0.05", "9.95", "-107280.00", "9999999999999.99"):
        assert f"<v>{text}</v>" in xml
    ws = openpyxl.load_workbook(path)["表"]
    got = [c.value for c in ws["B"][1:-1]]
    assert [exact(v) if v is not None else None for v in got] == [
        Decimal(f).scaleb(-2) if f is not None else None for f in fen]
    assert f"<v>{Decimal(sum(f for f in fen if f)).scaleb(-2)}</v>" in xml  # the exact total, not a formula
    assert ws["B"][-1].data_type == "n" and ws["A"][-1].value == "合计（全部 8 行）"


def test_text_is_text_whatever_it_holds(tmp_path):
    from jixiao.core.outputs.workbook_cells import Column

    texts = ["=1+1", "+1", "-2+3", "@SUM(1)", "\t=1", "\r=1", "a&b<c>", "_x000D_", "x\x01y", "换行\n第二行", "'引号"]
    path = _book(tmp_path, pl.DataFrame({"t": texts}), [Column("文本", pl.col("t"))])
    ws = openpyxl.load_workbook(path)["表"]
    cells = ws["A"][1:]
    assert all(c.data_type == "s" for c in cells)
    # as Excel reads it: a control character XML cannot hold is written _xHHHH_, a literal _xHHHH_ kept
    assert [unescape(c.value) for c in cells] == texts


def test_widths_count_cjk_double_and_are_capped():
    from jixiao.core.outputs.workbook_cells import MAX_WIDTH, Column, column_widths, display_width

    assert display_width("赣州市义务教育薄弱学校改造") == 26 and display_width("P2024000001") == 11
    frame = pl.DataFrame({"a": ["赣州市义务教育薄弱学校改造", "x"], "b": ["长" * 200, None], "f": [-123456789, 5]})
    widths = column_widths(frame, [Column("项目名称", pl.col("a")), Column("说明", pl.col("b")),
                                   Column("金额(元)", pl.col("f"), "yuan")])
    assert widths[0] >= 26 and widths[1] == MAX_WIDTH and widths[2] >= len("-1,234,567.89")


def test_a_sheet_that_cannot_hold_the_projects_is_refused_before_writing(compared, tmp_path, monkeypatch, folio):
    import datetime as dt

    from jixiao.core.outputs import workbook_cells
    from jixiao.core.outputs.compare import compare
    from jixiao.core.outputs.compare_output import write_xlsx
    from jixiao.core.errors import JixiaoError
    from jixiao.core.pack import Pack
    from jixiao.core.load import load_portfolio
    from jixiao.core.registry import Registry

    reg = Registry.discover(use_entry_points=False)
    c = compare([Pack.load("nanchang", reg)], load_portfolio(folio), dt.date(2025, 3, 31), monthly=False)
    monkeypatch.setattr(workbook_cells, "MAX_ROWS", c.projects + 2)  # the header rows fit, the 合计 row does not
    with pytest.raises(JixiaoError, match="超出一张 XLSX 工作表的容量"):
        write_xlsx(c, tmp_path / "c.xlsx")
    assert list(tmp_path.iterdir()) == []


def test_rows_are_written_a_chunk_at_a_time_with_progress(tmp_path, monkeypatch):
    from jixiao.core.outputs import workbook
    from jixiao.core.outputs.workbook_cells import Column

    monkeypatch.setattr(workbook, "CHUNK", 7)
    calls = []
    frame = pl.DataFrame({"id": [f"P{i}" for i in range(30)], "f": list(range(30))})
    path = _book(tmp_path, frame, [Column("项目编码", pl.col("id")), Column("金额(元)", pl.col("f"), "yuan", total=True)],
                 progress=lambda sheet, done, total: calls.append((sheet, done, total)))
    assert calls == [("表", d, 30) for d in (0, 7, 14, 21, 28, 30)]
    ws = openpyxl.load_workbook(path)["表"]
    assert [c.value for c in ws["A"][1:-1]] == frame["id"].to_list()  # every row once, in order


def test_progress_on_a_terminal_and_piped():
    from jixiao.cli.progress import writing_xlsx

    piped = Console(file=io.StringIO(), force_terminal=False, width=200)
    now = [0.0]
    with writing_xlsx(piped, "out.xlsx", every=10, min_rows=100, clock=lambda: now[0]) as progress:
        progress("汇总", 0, 5)  # a small sheet: nothing
        for done in range(0, 1001, 100):
            progress("逐项目对比", done, 1000)
            now[0] += 3
    lines = piped.file.getvalue().splitlines()
    assert lines == ["写出 XLSX out.xlsx · 逐项目对比 0 / 1,000 行", "写出 XLSX out.xlsx · 逐项目对比 400 / 1,000 行",
                     "写出 XLSX out.xlsx · 逐项目对比 800 / 1,000 行"]
    term = Console(file=io.StringIO(), force_terminal=True, width=200)
    with writing_xlsx(term, "out.xlsx") as progress:
        progress("逐项目对比", 5, 10)
    assert "写出 XLSX out.xlsx" in term.file.getvalue()


def test_a_piped_compare_says_it_writes_the_workbook_not_that_it_runs_a_pack(cli, tmp_path, monkeypatch):
    from jixiao.cli import progress

    monkeypatch.setattr(progress, "PLAIN_ROWS", 10)
    folio = write_portfolio(generate(30, seed=4), tmp_path / "p.xlsx")
    res = cli("compare", "--packs", "nanchang,tongxin", "--as-of", AS_OF, "--format", "xlsx", "-o", tmp_path / "c.xlsx",
              folio)
    assert res.exit_code == 0, res.output
    assert "写出 XLSX" in res.output and "逐项目对比 0 / 30 行" in res.output and "运行规则包" not in res.output


def test_deadlines_are_date_cells(cli, folio, tmp_path):
    res = cli("run", "--pack", "tianyuan", "--as-of", AS_OF, "--format", "json", "-o", tmp_path / "r.json", folio)
    assert res.exit_code == 0, res.output
    dues = [f["due_date"] for f in json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["findings"]]
    res = cli("run", "--pack", "tianyuan", "--as-of", AS_OF, "--format", "xlsx", "-o", tmp_path / "r.xlsx", folio)
    assert res.exit_code == 0, res.output
    ws = openpyxl.load_workbook(tmp_path / "r.xlsx")["结论"]
    col = header_index(ws)["整改期限"]
    cells = [r[col] for r in ws.iter_rows(min_row=2, max_row=ws.max_row - 1)]
    assert any(dues)
    assert [c.value.date().isoformat() if c.value else None for c in cells] == dues
    assert all(c.is_date and c.number_format == "yyyy-mm-dd" for c in cells if c.value)


def test_the_same_findings_give_the_same_bytes(cli, folio, tmp_path, monkeypatch):
    import time

    args = ["compare", "--packs", "nanchang,tongxin", "--as-of", AS_OF, "--no-monthly", "--format", "xlsx", "-o"]
    assert cli(*args, tmp_path / "a.xlsx", folio).exit_code == 0
    later = time.time() + 86_400 * 400
    monkeypatch.setattr(time, "time", lambda: later)  # a zip member's default date is the time of writing
    assert cli(*args, tmp_path / "b.xlsx", folio).exit_code == 0
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()
