"""The bad-input corpus: the reviews' bad portfolios and bad packs, built here in tmp_path, each run
the way a user would. Every one must give exit code 2, a message naming the place and the value, no
traceback, and leave the previous output as it was with nothing else written."""

from __future__ import annotations

import csv
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from jixiao.core.sample import generate

from jixiao.core.outputs.portfolio_files import write_portfolio

AS_OF = "2025-03-31"
HEAD = ["项目编码", "项目名称", "主管部门", "预算年度", "资金性质", "项目类别", "预算金额(元)"]
ROW1 = ["P1", "项目一", "教育局", "2024", "一般公共预算", "专项资金", "1000.00"]


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    return write_portfolio(generate(8, seed=1), tmp_path_factory.mktemp("base") / "s8")


def _folder(base: Path, to: Path, edit: Callable[[dict[str, list[list[str]]]], None]) -> Path:
    """A copy of the CSV folder ``base`` with its tables edited as lists of rows."""
    shutil.copytree(base, to)
    tables = {p.stem: list(csv.reader(p.open(encoding="utf-8"))) for p in to.glob("*.csv")}
    edit(tables)
    for name, rows in tables.items():
        with (to / f"{name}.csv").open("w", encoding="utf-8", newline="") as fh:
            csv.writer(fh, lineterminator="\n").writerows(rows)
    return to


def _set(table: str, row: int, header: str, value: str):
    def edit(t):
        t[table][row - 1][t[table][0].index(header)] = value
    return edit


def _xlsx(path: Path, sheets: dict[str, list[list]], far: dict[str, dict[str, str]] | None = None) -> Path:
    import openpyxl

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r in rows:
            ws.append(r)
        for cell, v in (far or {}).get(name, {}).items():
            ws[cell] = v
    wb.save(path)
    return path


def _without_dimension(path: Path) -> Path:
    """The workbook without its sheets' declared used range (some exporters write none)."""
    import re
    import zipfile

    src = zipfile.ZipFile(path)
    out_path = path.with_name("nodim-" + path.name)
    with zipfile.ZipFile(out_path, "w") as out:
        for info in src.infolist():
            data = src.read(info)
            if info.filename.startswith("xl/worksheets/sheet"):
                data = re.sub(rb"<dimension ref=\"[^\"]*\"\s*/>", b"", data)
            out.writestr(info, data)
    return out_path


def _sheet_xml(path: Path, edit: Callable[[bytes], bytes]) -> Path:
    """The workbook with its first sheet's XML edited (forged files no spreadsheet program writes)."""
    import zipfile

    src = zipfile.ZipFile(path)
    out_path = path.with_name("forged-" + path.name)
    with zipfile.ZipFile(out_path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            data = src.read(info)
            out.writestr(info, edit(data) if info.filename == "xl/worksheets/sheet1.xml" else data)
    return out_path


def _small_dimension(data: bytes) -> bytes:
    import re

    return re.sub(rb'<dimension ref="[^"]*"\s*/>', b'<dimension ref="A1:G2"/>', data)


def _far_row_of_cells_without_r(data: bytes) -> bytes:
    """A row at 1 048 576 whose 40 cells carry no r="…": the reader places them A…AN of that row."""
    cells = b'<c t="inlineStr"><is><t>x</t></is></c>' * 40
    return data.replace(b"</sheetData>", b'<row r="1048576">' + cells + b"</row></sheetData>")


def _merged_down(path: Path) -> Path:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "项目"
    ws.append(HEAD)
    ws.append(ROW1)
    ws.append(["P2", "项目二", None, "2024", "一般公共预算", "专项资金", "2000.00"])
    ws.append(["P3", "项目三", None, "2024", "一般公共预算", "专项资金", "3000.00"])
    ws.merge_cells("C2:C4")
    wb.save(path)
    return path


def _json(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _projects_json(base: Path) -> list[dict]:
    return list(csv.DictReader((base / "projects.csv").open(encoding="utf-8")))


def _raw(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


# name → (build(base, tmp_path) → the portfolio, strings the message must contain: place and value)
PORTFOLIOS: dict[str, tuple[Callable[[Path, Path], Path], tuple[str, ...]]] = {
    # structure (reliability review #10, #12)
    "ragged_less": (lambda b, t: _folder(b, t / "c", lambda x: x["projects"].__setitem__(3, x["projects"][3][:-3])),
                    ("projects.csv", "第 4 行", "个字段，表头有", "P2024000002")),
    "ragged_more": (lambda b, t: _folder(b, t / "c", lambda x: x["projects"][2].append("extra")),
                    ("projects.csv", "第 3 行", "个字段，表头有")),
    "duplicated_header": (lambda b, t: _folder(b, t / "c", lambda x: [r.insert(7, r[6]) for r in x["projects"]]),
                          ("projects.csv", "列 预算金额(元)", "写了两次")),
    "row_header": (lambda b, t: _folder(b, t / "c", lambda x: [r.append("1" if i else "_row") for i, r in enumerate(x["projects"])]),
                   ("projects.csv", "列 _row", "保留")),
    "year_0": (lambda b, t: _folder(b, t / "c", _set("projects", 3, "实施开始日期", "0000-01-01")),
               ("第 3 行", "列 实施开始日期", "'0000-01-01'")),
    "nul_byte": (lambda b, t: _folder(b, t / "c", _set("projects", 4, "项目名称", "住\x00X")),
                 ("第 4 行", "列 项目名称", "'住\\x00X'")),
    "negative_review_count": (lambda b, t: _folder(b, t / "c", _set("projects", 5, "目标审核未通过次数", "-5")),
                              ("第 5 行", "列 目标审核未通过次数", "'-5'")),
    "stray_file": (lambda b, t: _folder(b, t / "c", lambda x: x.__setitem__("notes", [["a"], ["b"]])),
                   ("notes.csv", "'notes'")),
    # values the loader always refused (kept so that they stay refused)
    "negative_budget": (lambda b, t: _folder(b, t / "c", _set("projects", 3, "预算金额(元)", "-1.00")),
                        ("第 3 行", "列 预算金额(元)", "'-1.00'")),
    "bad_date": (lambda b, t: _folder(b, t / "c", _set("spending", 2, "支付日期", "2023-02-29")),
                 ("spending.csv", "第 2 行", "列 支付日期", "'2023-02-29'")),
    "duplicate_id": (lambda b, t: _folder(b, t / "c", lambda x: x["projects"][3].__setitem__(0, x["projects"][2][0])),
                     ("第 4 行", "列 项目编码", "第一次出现在第 3 行")),
    "unknown_project_in_spending": (lambda b, t: _folder(b, t / "c", _set("spending", 2, "项目编码", "NOPE")),
                                    ("spending.csv", "第 2 行", "'NOPE'")),
    "bad_enum": (lambda b, t: _folder(b, t / "c", _set("projects", 2, "资金性质", "外星预算")),
                 ("第 2 行", "列 资金性质", "'外星预算'")),
    # JSON (#10, #11)
    "json_duplicate_key": (lambda b, t: _json(t / "c.json", json.dumps({"projects": _projects_json(b)}, ensure_ascii=False)
                                              .replace('"项目名称"', '"项目名称": "x", "项目名称"', 1)),
                           ("c.json", "'项目名称'", "写了两次", "P2024000000")),
    "json_duplicate_table": (lambda b, t: _json(t / "c.json", json.dumps({"projects": _projects_json(b)}, ensure_ascii=False)[:-1]
                                                + ', "projects": []}'), ("c.json", "'projects'", "写了两次")),
    "json_list_in_text": (lambda b, t: _json(t / "c.json", json.dumps(
        {"projects": [{**_projects_json(b)[0], "项目名称": [["x"]]}]}, ensure_ascii=False)),
        ("$.projects", "第 0 行", "列 项目名称", '[["x"]]')),
    "json_dict_in_text": (lambda b, t: _json(t / "c.json", json.dumps(
        {"projects": [{**_projects_json(b)[0], "主管部门": {"a": 1}}]}, ensure_ascii=False)),
        ("$.projects", "列 主管部门", '{"a": ')),
    "json_nested_100000": (lambda b, t: _json(t / "c.json", "[" * 100_000 + "]" * 100_000), ("c.json", "嵌套过深")),
    "json_empty_projects": (lambda b, t: _json(t / "c.json", '{"projects": []}'), ("c.json", "$.projects", "没有数据行")),
    # XLSX (#6, #18)
    "xlsx_far_cell": (lambda b, t: _xlsx(t / "c.xlsx", {"项目": [HEAD, ROW1]}, {"项目": {"XFD1048576": "y"}}),
                      ("c.xlsx", "工作表 项目", "A1:XFD1048576")),
    "xlsx_far_cell_undeclared": (lambda b, t: _without_dimension(
        _xlsx(t / "c.xlsx", {"项目": [HEAD, ROW1]}, {"项目": {"XFD1048576": "y"}})),
        ("nodim-c.xlsx", "工作表 项目", "A1:XFD1048576")),
    "xlsx_duplicated_header": (lambda b, t: _xlsx(t / "c.xlsx", {"项目": [HEAD + ["预算金额(元)"], ROW1 + ["2.00"]]}),
                               ("c.xlsx", "工作表 项目", "列 预算金额(元)", "写了两次")),
    "xlsx_no_projects_sheet": (lambda b, t: _xlsx(t / "c.xlsx", {"Sheet1": [HEAD, ROW1], "Sheet2": [["x"]]}),
                               ("c.xlsx", "现有工作表：Sheet1、Sheet2", "改名为“项目”")),
    "xlsx_single_sheet_not_projects": (lambda b, t: _xlsx(t / "c.xlsx", {"Sheet1": [["姓名", "电话"], ["张三", "1"]]}),
                                       ("c.xlsx", "工作表 Sheet1", "缺少 项目编码", "改名为“项目”")),
    "xlsx_forged_small_dimension": (lambda b, t: _sheet_xml(_xlsx(t / "c.xlsx", {"项目": [HEAD, ROW1]},
                                                                  {"项目": {"XFD1048576": "y"}}), _small_dimension),
                                    ("forged-c.xlsx", "工作表 项目", "A1:XFD1048576")),
    "xlsx_far_row_cells_without_r": (lambda b, t: _sheet_xml(_xlsx(t / "c.xlsx", {"项目": [HEAD, ROW1]}),
                                                             _far_row_of_cells_without_r),
                                     ("forged-c.xlsx", "工作表 项目", "1048576 共", "超过 jixiao 读取的上限")),
    "xlsx_lower_case_far_ref": (lambda b, t: _sheet_xml(_xlsx(t / "c.xlsx", {"项目": [HEAD, ROW1]}), lambda d: d.replace(
        b"</sheetData>", b'<row r="3"><c r="xfd99999" t="inlineStr"><is><t>x</t></is></c></row></sheetData>')),
        ("forged-c.xlsx", "工作表 项目", "A1:XFD99999")),
    "xlsx_broken_sheet_xml": (lambda b, t: _sheet_xml(_xlsx(t / "c.xlsx", {"项目": [HEAD, ROW1]}), lambda d: d[:len(d) // 2]),
                              ("forged-c.xlsx", "内容已损坏", "重新保存为 .xlsx")),
    "xlsx_merged_department": (lambda b, t: _merged_down(t / "c.xlsx"),
                               ("c.xlsx", "工作表 项目", "第 3 行", "第 4 行", "列 主管部门", "合并单元格", "向下填充")),
    "xlsx_unit_row_contradicts_header": (lambda b, t: _xlsx(t / "c.xlsx", {"项目": [["2024年项目表"], ["单位：万元"], HEAD, ROW1]}),
                                         ("c.xlsx", "工作表 项目", "列 预算金额(元)", "单位：万元", "写的是元")),
    "xlsx_total_row_mismatch": (lambda b, t: _xlsx(t / "c.xlsx", {"项目": [HEAD, ROW1, ["合计", None, None, None, None, None, "999.00"]]}),
                                ("c.xlsx", "工作表 项目", "第 3 行", "合计行", "999.00 元", "1000.00 元")),
    "csv_total_row_mismatch": (lambda b, t: _raw(t / "c.csv", (",".join(HEAD) + "\n" + ",".join(ROW1) + "\n"
                                                                + ",总 计,,,,,1.00\n").encode()),
                               ("c.csv", "第 3 行", "合计行", "'1.00'")),
    "arabic_indic_digits": (lambda b, t: _raw(t / "c.csv", (",".join(HEAD) + "\n" + ",".join(ROW1[:6]) + ",٨٠٠\n").encode()),
                            ("c.csv", "第 2 行", "列 预算金额(元)", "'٨٠٠'")),
    "whitespace_only_csv": (lambda b, t: _raw(t / "c.csv", b"   \n  \n"), ("c.csv", "文件是空的")),
    "blank_header_csv": (lambda b, t: _raw(t / "c.csv", b",,\na,b,c\n"), ("c.csv", "第 1 行", "表头")),
    "mixed_encoding": (lambda b, t: _raw(t / "c.csv", (",".join(HEAD) + "\n" + ",".join(ROW1) + "\n").encode()
                                         + "P2,项目二,教育局,2024,一般公共预算,专项资金,1.00\n".encode("gbk")),
                       ("c.csv", "第 3 行", "第 3 行有不是 UTF-8 的字节")),
    "ragged_spending_row": (lambda b, t: _folder(b, t / "c", lambda x: x["spending"].__setitem__(2, x["spending"][2][:2])),
                            ("spending.csv", "第 3 行", "这一行有 2 个字段，表头有 3 个")),
    "long_cell": (lambda b, t: _raw(t / "c.csv", (",".join(HEAD) + "\n" + ",".join(ROW1[:6]) + "," + "9" * 1_000_000 + "\n").encode()),
                  ("c.csv", "第 2 行", "列 预算金额(元)", "'" + "9" * 60 + "…（共 1,000,000 个字符）'")),

    **{f"near_miss_money_header_{i}": (lambda b, t, h=h: _xlsx(t / "c.xlsx", {"项目": [HEAD[:-1] + [h], ROW1]}),
                                        ("c.xlsx", "工作表 项目：缺少必填列 预算金额(元)", f"“{h}”", "预算金额(万元)"))
       for i, h in enumerate(["预算金额（万）", "预算数(万元)", "年初预算数（万元）"])},
    "xlsx_empty_file": (lambda b, t: _raw(t / "c.xlsx", b""), ("c.xlsx", "文件是空的")),
    "xlsx_renamed_csv": (lambda b, t: _raw(t / "c.xlsx", (b / "projects.csv").read_bytes()), ("c.xlsx", "不是 zip 压缩包")),
    "xlsx_truncated": (lambda b, t: _raw(t / "c.xlsx", _xlsx(t / "whole.xlsx", {"项目": [HEAD, ROW1]}).read_bytes()[:2000]),
                       ("c.xlsx", "已损坏或不完整")),
    "xlsx_encrypted": (lambda b, t: _raw(t / "c.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600),
                       ("c.xlsx", "密码", "另存为 .xlsx")),
    "xlsx_lock_file": (lambda b, t: _raw(t / "~$c.xlsx", b"\x05owner" + b" " * 160), ("~$c.xlsx", "锁定文件")),
    "xls": (lambda b, t: _raw(t / "c.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600), ("c.xls", "另存为不设密码的 .xlsx")),
}


@pytest.mark.parametrize("case", sorted(PORTFOLIOS))
def test_bad_portfolio(cli, base, tmp_path, case):
    build, expected = PORTFOLIOS[case]
    folio = build(base, tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    result = out / "result.json"
    result.write_text("SENTINEL")
    res = cli("run", "--pack", "national", "--as-of", AS_OF, "--format", "json", "-o", result, folio)
    assert res.exit_code == 2, res.output
    assert "Traceback" not in res.output and "panicked" not in res.output and "calamine" not in res.output
    for text in expected:
        assert text in res.output, (text, res.output)
    assert result.read_text() == "SENTINEL" and [p.name for p in out.iterdir()] == ["result.json"]
    assert len(res.output) < 5_000  # no cell echoed whole


PACK = "[pack]\nid = 'bad'\nname = '坏规则包'\nlevel = 'city'\nextends = 'national'\n"

PACKS: dict[str, tuple[str, tuple[str, ...]]] = {
    "id_xss": ("[pack]\nid = '<img src=x onerror=alert(1)>'\nname = 'x'\nlevel = 'city'\nextends = 'national'\n",
               ("键 pack.id", "'<img src=x onerror=alert(1)>'")),
    "id_upper": (PACK.replace("'bad'", "'Bad'"), ("键 pack.id", "'Bad'")),
    "nested_table_5000": (PACK + "[rules.x]\nparams = { a = " + "{ a = " * 5000 + "1" + " }" * 5001 + "\n",
                          ("bad.toml", "嵌套过深")),
    "nested_array_5000": (PACK + "[rules.x]\nparams = { a = " + "[" * 5000 + "]" * 5000 + " }\n",
                          ("bad.toml", "嵌套过深")),
    "toml_syntax": (PACK + "[rules.x\n", ("bad.toml", "第 6 行")),
    "unknown_param": (PACK + "[rules.budget_link]\ncitation = { source = 'x', clause = '1' }\nparams = { cut_ratio = 1 }\n",
                      ("bad.toml", "cut_ratio")),
    "missing_parent": (PACK.replace("'national'", "'nationa'"), ("bad.toml", "'nationa'", "是否要写 'national'")),
    "plugin_os_system": (PACK + "[sources.d]\ndoc_no = 'x'\ntitle = 'y'\n[rules.evil]\nplugin = 'os:system'\n"
                                "citation = { source = 'd', clause = '1' }\n", ("bad.toml", "'os:system'")),
}


@pytest.mark.parametrize("case", sorted(PACKS))
def test_bad_pack(cli, base, tmp_path, case):
    text, expected = PACKS[case]
    pack = tmp_path / "bad.toml"
    pack.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    result = out / "result.json"
    result.write_text("SENTINEL")
    for args in (["packs", "check", pack],
                 ["run", "--pack", pack, "--as-of", AS_OF, "--format", "json", "-o", result, base]):
        res = cli(*args)
        assert res.exit_code == 2, (args, res.output)
        assert "Traceback" not in res.output
        for want in expected:
            assert want in res.output, (want, res.output)
    assert result.read_text() == "SENTINEL" and [p.name for p in out.iterdir()] == ["result.json"]


# --- valid inputs the reviews saw refused or crash (controls) ----------------------------------------


def test_header_only_tables_load(cli, base, tmp_path):
    """A header-only spending, evaluations or accountability table is valid: an export made before
    the first payment (reliability review #8)."""
    folder = tmp_path / "ho"
    folder.mkdir()
    shutil.copy(base / "projects.csv", folder)
    from jixiao.core.schema import TABLES

    for name in ("spending", "evaluations", "accountability", "indicators"):
        header = ",".join(c.zh for c in TABLES[name].columns)
        (folder / f"{name}.csv").write_text(header + "\n", encoding="utf-8")
    res = cli("run", "--pack", "national", "--as-of", AS_OF, "--format", "json", folder)
    assert res.exit_code == 0, res.output
    # the same as a header-only XLSX sheet, and as an empty JSON list
    rows = list(csv.reader((base / "projects.csv").open(encoding="utf-8")))
    book = _xlsx(tmp_path / "ho.xlsx", {"项目": rows, "支出明细": [["项目编码", "支付日期", "支付金额(元)"]],
                                        "绩效评价": [["项目编码", "评价年度", "评价方式", "总分"]]})
    res = cli("run", "--pack", "national", "--as-of", AS_OF, "--format", "json", book)
    assert res.exit_code == 0, res.output
    doc = {"projects": _projects_json(base), "spending": [], "evaluations": [], "accountability": []}
    for p in doc["projects"]:
        p.pop("已支出金额(元)")
    res = cli("run", "--pack", "national", "--as-of", AS_OF, "--format", "json",
              _json(tmp_path / "e.json", json.dumps(doc, ensure_ascii=False)))
    assert res.exit_code == 0, res.output


def test_a_misnamed_sheet_is_a_warning_naming_it_and_the_known_names(cli, base, tmp_path):
    rows = list(csv.reader((base / "projects.csv").open(encoding="utf-8")))
    book = _xlsx(tmp_path / "m.xlsx", {"项目": rows, "支付明细": [["项目编码", "支付日期", "支付金额(元)"], ["P1", "2024-01-01", "1"]]})
    res = cli("run", "--pack", "national", "--as-of", AS_OF, "--format", "json", book)
    assert res.exit_code == 0, res.output
    assert "工作表 支付明细" in res.output and "是否想写“支出明细”" in res.output and "问责整改（accountability）" in res.output


def test_a_far_cell_in_a_sheet_jixiao_does_not_read_costs_nothing(cli, base, tmp_path):
    """The sheet is listed, not loaded: its used range (here the whole grid) is never allocated."""
    rows = list(csv.reader((base / "projects.csv").open(encoding="utf-8")))
    book = _xlsx(tmp_path / "corner.xlsx", {"项目": rows, "备注": [["x"]]}, {"备注": {"XFD1048576": "y"}})
    res = cli("run", "--pack", "national", "--as-of", AS_OF, "--format", "json", book)
    assert res.exit_code == 0, res.output
    assert "工作表 备注" in res.output
