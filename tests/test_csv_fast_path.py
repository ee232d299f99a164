"""The CSV fast path (``core/load/fast_csv.py``) against the text path: the same file through both
gives the same portfolio (frame equality, dtypes included) or the same problems, for every sample
and example in the repository and for cells written every way people and exporters write them.
And a clean file does take the fast path (else the comparisons would compare the text path with
itself)."""

from __future__ import annotations

import shutil
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from polars.testing import assert_frame_equal

import jixiao.core.load.read_csv as read_csv
from jixiao.core.errors import InputError
from jixiao.core.load import fast_csv, load_portfolio
from jixiao.core.outputs.portfolio_files import write_portfolio
from jixiao.core.sample import generate
from jixiao.core.schema import TABLES

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = [ROOT / "examples" / "sample", ROOT / "examples" / "yth", ROOT / "examples" / "reconcile" / "portfolio"]


def _load(path: Path, **kw):
    try:
        return load_portfolio(path, **kw)
    except InputError as exc:
        return [p.render() for p in exc.problems]


def both(path: Path, **kw):
    """(the fast path's result, the text path's, which files the fast path read): a result is a
    portfolio or the problems rendered."""
    used = []
    real = fast_csv.read_fast

    def spy(*args, **kwargs):
        got = real(*args, **kwargs)
        used.append((args[0].name, got is not None))
        return got

    with mock.patch.object(read_csv, "read_fast", spy):
        fast = _load(path, **kw)
    with mock.patch.object(read_csv, "read_fast", lambda *a, **k: None):
        text = _load(path, **kw)
    return fast, text, used


def assert_same(fast, text) -> None:
    if isinstance(text, list) or isinstance(fast, list):
        assert fast == text
        return
    for name in TABLES:
        assert_frame_equal(fast.table(name), text.table(name))
    assert fast.warnings == text.warnings
    assert ({k: (o.headers, o.units) for k, o in fast.origins.items()}
            == {k: (o.headers, o.units) for k, o in text.origins.items()})


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    return write_portfolio(generate(300, seed=5), tmp_path_factory.mktemp("gen") / "s300")


@pytest.mark.parametrize("folder", EXAMPLES, ids=lambda p: p.name)
def test_every_example_reads_the_same_by_both_paths_and_takes_the_fast_one(folder):
    fast, text, used = both(folder)
    assert not isinstance(text, list), text
    assert_same(fast, text)
    assert used and all(ok for _, ok in used), used


def test_a_generated_sample_reads_the_same_by_both_paths(generated):
    fast, text, used = both(generated)
    assert_same(fast, text)
    assert len(used) == 5 and all(ok for _, ok in used), used


def test_a_single_projects_csv_reads_the_same_by_both_paths(generated, tmp_path):
    one = shutil.copy(generated / "projects.csv", tmp_path / "p.csv")
    fast, text, used = both(Path(one))
    assert_same(fast, text)
    assert used == [("p.csv", True)]


# --- Cells written every way: each variant through both paths --------------------------------

HEAD = ["项目编码", "项目名称", "主管部门", "预算年度", "资金性质", "项目类别", "预算金额(元)", "已支出金额(元)",
        "是否新增", "实施开始日期", "绩效目标状态", "预算评审得分"]
ROW = ["P1", "项目一", "教育局", "2024", "一般公共预算", "专项资金", "1000.00", "500.00", "否", "2024-01-01", "已批复", "90"]
# Every way a cell of each column may be written: clean, padded, full-width, separated, too
# precise, negative, signed, in exponent form, empty, quoted empty, nonsense.
VARIANTS = {
    "项目编码": ["P1", " P1", "P1 ", '"P1"', "", "合计", "总 计", "P统计1"],
    "项目名称": ["项目一", " 项目一 ", "  ", '""', "", "合计", "统计项目", "项目\x00一", '"项目,一"', "项目“一”"],
    "主管部门": ["教育局", "统计局", "", "教育局\t"],
    "预算年度": ["2024", " 2024", "2024 ", "２０２４", "+2024", "-1", "2024.0", "", "二〇二四", "02024"],
    "资金性质": ["一般公共预算", "general_public", " 一般公共预算", "", "xx", "GENERAL_PUBLIC"],
    "项目类别": ["专项资金", "基本建设", "", "其它"],
    "预算金额(元)": ["1000.00", "1000", "1000.5", "1000.", "1,000.00", "1,0000.00", " 1000.00", "1000.00 ", "１０００",
                 "1000.001", "1000.000", "-5", "+5", ".5", "1e3", "", '""', "abc", "0", "99999999999999999999",
                 "1000．00", "1000%"],
    "已支出金额(元)": ["500.00", "", "0.01", "0.001", "-0.00", "50,000.00"],
    "是否新增": ["否", "是", "TRUE", "True", "tRuE", "yes", " 是", "", "maybe", "1", "N"],
    "实施开始日期": ["2024-01-01", "2024/1/1", "20240101", "2024年1月1日", "01/01/2024", "0024-01-01", " 2024-01-01",
                "2024-1-1", "", "2024-02-30", "2024-01-01 ", "３０２４-01-01", "3024-01-01", "2024.1.1"],
    "绩效目标状态": ["已批复", "approved", "", "通过 ", "未知"],
    "预算评审得分": ["90", "90.5", "100", "100.01", "-1", "", "90.555", "九十", "90%"],
}


def _write(path: Path, head: list[str], rows: list[list[str]], *, encoding: str = "utf-8", bom: bool = False,
           newline: str = "\n", above: list[str] = (), blank_after: int | None = None) -> Path:
    """A CSV file written as given: cells as they are (a cell may carry its own quotes)."""
    lines = [*above, ",".join(head)]
    for i, r in enumerate(rows):
        lines.append(",".join(r))
        if blank_after == i:
            lines.append("")
    text = newline.join(lines) + newline
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode(encoding))
    return path


def _rows(n: int = 3) -> list[list[str]]:
    rows = []
    for i in range(1, n + 1):
        r = list(ROW)
        r[0], r[1] = f"P{i}", f"项目{i}"
        rows.append(r)
    return rows


@pytest.mark.parametrize("column,value", [(c, v) for c, vs in VARIANTS.items() for v in vs])
def test_each_way_of_writing_a_cell_reads_the_same_by_both_paths(tmp_path, column, value):
    rows = _rows()
    rows[1][HEAD.index(column)] = value
    fast, text, _ = both(_write(tmp_path / "p.csv", HEAD, rows))
    assert_same(fast, text)


@given(st.lists(st.fixed_dictionaries({c: st.sampled_from(vs) for c, vs in VARIANTS.items()}), min_size=1, max_size=4))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_any_mix_of_cells_reads_the_same_by_both_paths(tmp_path, rows):
    written = [[r[c] for c in HEAD] for r in rows]
    path = _write(tmp_path / "mix.csv", HEAD, written)
    assert_same(*both(path)[:2])


@pytest.mark.parametrize("header,values,amounts_in", [
    ("预算金额(万元)", ["0.123456", "12", "1180.21"], None),
    ("预算金额(万元)", ["0.1234567", "12", "1"], None),
    ("预算金额(万元)", ["1,234.5", "12", "1"], None),
    ("预算金额", ["1000.123", "2000", "3000.5"], "万元"),
    ("预算金额", ["1000.123", "2000", "3000.5"], "元"),
    ("预算金额", ["1000.12", "20000", "3000.5"], None),
    ("预算金额", ["1000.12", "2000", "3000.5"], None),  # every amount below 1 万元: the unit is asked for
    ("预算金额", ["0.000001", "2000", "3000.123456"], "万元"),
    ("budget_wan", ["5", "6.5", "7.000001"], None),
    ("CUR_AMT", ["50000.00", "60000", "70000.10"], None),
])
def test_amounts_in_every_unit_read_the_same_by_both_paths(tmp_path, header, values, amounts_in):
    head = HEAD[:6] + [header]
    rows = [r[:6] + [v] for r, v in zip(_rows(), values)]
    fast, text, used = both(_write(tmp_path / "p.csv", head, rows), amounts_in=amounts_in)
    assert_same(fast, text)


def test_a_unit_row_above_the_header_reads_the_same_by_both_paths(tmp_path):
    head = HEAD[:6] + ["预算金额"]
    rows = [r[:6] + [v] for r, v in zip(_rows(), ["1.5", "2.123456", "3"])]
    path = _write(tmp_path / "p.csv", head, rows, above=["2024年项目表,,,,,,", ",,,,,,单位：万元"])
    fast, text, used = both(path)
    assert_same(fast, text)
    assert used == [("p.csv", True)]
    assert fast.projects["budget_fen"].to_list() == [1_500_000, 2_123_456, 3_000_000]


@pytest.mark.parametrize("how", ["bom", "crlf", "blank_line", "gbk", "short_row", "long_row", "quoted_comma",
                                 "header_only", "trailing_blank", "duplicate_header", "reserved_header",
                                 "blank_header", "empty_file"])
def test_files_written_every_way_read_the_same_by_both_paths(tmp_path, how):
    head, rows, kw = list(HEAD), _rows(), {}
    if how == "bom":
        kw["bom"] = True
    elif how == "crlf":
        kw["newline"] = "\r\n"
    elif how == "blank_line":
        kw["blank_after"] = 0
    elif how == "gbk":
        kw["encoding"] = "gbk"
    elif how == "short_row":
        rows[1] = rows[1][:-2]
    elif how == "long_row":
        rows[1] = rows[1] + ["x"]
    elif how == "quoted_comma":
        rows[1][1] = '"项目,二"'
    elif how == "header_only":
        rows = []
    elif how == "trailing_blank":
        kw["blank_after"] = len(rows) - 1
    elif how == "duplicate_header":
        head[-1] = head[1]
    elif how == "reserved_header":
        head[-1] = "_row"
    elif how == "blank_header":
        head = [""] * len(head)
    path = _write(tmp_path / "p.csv", head, rows, **kw)
    if how == "empty_file":
        path.write_bytes(b"")
    fast, text, used = both(path)
    assert_same(fast, text)
    if how in ("bom", "crlf", "quoted_comma", "gbk"):
        assert used == [("p.csv", True)]  # clean: the fast path read it


def test_a_short_row_among_rows_whose_last_cell_is_empty_is_still_named(tmp_path):
    rows = _rows(4)
    for r in rows:
        r[-1] = ""
    rows[2] = rows[2][:-3]
    fast, text, _ = both(_write(tmp_path / "p.csv", HEAD, rows))
    assert isinstance(text, list) and any("个字段" in m for m in text), text
    assert fast == text


def test_detail_tables_read_the_same_by_both_paths(tmp_path, generated):
    """Indicators' actual values (plain, with %, separated, qualitative), payments, evaluations."""
    folder = Path(shutil.copytree(generated, tmp_path / "f"))
    lines = (folder / "indicators.csv").read_text(encoding="utf-8").splitlines()
    head = lines[0].split(",")
    at = head.index("实际值")
    for i, value in zip(range(1, 40, 4), ["50%", "1,000", "１２", " 7", "很好", "达成", "", "1.23456", "abc", "3"]):
        cells = lines[i].split(",")
        cells[at] = value if "," not in value else f'"{value}"'
        lines[i] = ",".join(cells)
    (folder / "indicators.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    fast, text, _ = both(folder)
    assert_same(fast, text)


@pytest.mark.parametrize("short", [False, True])
def test_title_rows_and_an_empty_last_column_read_the_same_by_both_paths(tmp_path, short):
    """Commas are counted from the header on (a title row's own are not the table's)."""
    rows = _rows(4)
    for r in rows:
        r[-1] = ""
    if short:
        rows[3] = rows[3][:-1]
    path = _write(tmp_path / "p.csv", HEAD, rows, above=["2024年项目表,,,,,,,,,,,,,,", "单位：元"])
    fast, text, used = both(path)
    assert_same(fast, text)
    assert used == [("p.csv", not short)]


def test_a_gbk_folder_reads_the_same_by_both_paths_and_takes_the_fast_one(tmp_path, generated):
    folder = tmp_path / "gbk"
    folder.mkdir()
    for f in generated.glob("*.csv"):
        (folder / f.name).write_bytes(f.read_text(encoding="utf-8").encode("gbk"))
    fast, text, used = both(folder)
    assert_same(fast, text)
    assert len(used) == 5 and all(ok for _, ok in used), used


def test_a_file_in_neither_encoding_gives_the_text_paths_message(tmp_path):
    data = (",".join(HEAD) + "\n" + ",".join(ROW) + "\n").encode("utf-8") + "项目".encode("gbk") + b"\xff\xfe,x\n"
    path = tmp_path / "p.csv"
    path.write_bytes(data)
    fast, text, _ = both(path)
    assert isinstance(text, list) and fast == text


@pytest.mark.parametrize("above", [["2024年项目表,,,", "", "单位：元"], ['"2024年,项目表",,,', "单位：元"]],
                         ids=["blank title row", "quoted title row"])
def test_a_short_row_under_unusual_title_rows_is_still_named(tmp_path, above):
    rows = _rows(4)
    for r in rows:
        r[-1] = ""
    rows[3] = rows[3][:-2]
    fast, text, _ = both(_write(tmp_path / "p.csv", HEAD, rows, above=above))
    assert fast == text


@pytest.mark.parametrize("rectify,executed,amounts_in", [
    (["1", "2", "是"], ["100.00", "200.50", "300"], None),
    (["0", "1", "是"], ["100.00", "200.50", "300"], "元"),  # 0 is 否 in BOOL, not one of the system's 1 是 / 2 否
    (["1", "2", ""], ["100.00", "200.50", "300"], "万元"),
    (["1", "2", "否"], ["100.00", "200.123", "300"], "元"),
])
def test_monitoring_reports_read_the_same_by_both_paths(tmp_path, rectify, executed, amounts_in):
    """The system's yes/no words (1 是 / 2 否) and a table that refuses unstated units."""
    folder = tmp_path / "m"
    folder.mkdir()
    _write(folder / "projects.csv", HEAD, _rows())
    head = ["PRO_CODE", "报送日期", "三级指标", "项目预算执行情况", "IS_PERF_RECTIFY"]
    rows = [[f"P{i + 1}", "2024-06-30", "完成数量", e, r] for i, (r, e) in enumerate(zip(rectify, executed))]
    _write(folder / "monitoring.csv", head, rows)
    fast, text, used = both(folder, amounts_in=amounts_in)
    assert_same(fast, text)
