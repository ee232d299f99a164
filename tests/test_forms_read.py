"""The form reader on workbooks made with openpyxl as a bureau fills them in: merged cells, category
points in the labels, operators in the values, amounts in 万元; both layouts; every unreadable cell
reported at once."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pytest

from jixiao.core.errors import InputError
from jixiao.core.forms.read import read_forms

# (一级, 二级, 三级, 年度指标值, 实际完成值, 分值, 得分)
ROWS = [
    ("产出指标(50分)", "数量指标", "基建工程委托业务项目数量", "≥50个", "50", 15, 15),
    ("产出指标(50分)", "质量指标", "委托业务报告合格率", "≥100百分比", "100", 15, 15),
    ("产出指标(50分)", "时效指标", "提交报告及时性", "在项目计划完成时间内完成", "达成预期指标", 10, 10),
    ("产出指标(50分)", "成本指标", "项目总成本", "≤90万元", "100万元", 10, 9),
    ("效益指标（30分）", "社会效益指标", "群众满意程度提升", "效果明显", "部分达成", 15, 10.5),
    ("效益指标（30分）", "可持续影响指标", "受益人数", "＞ 1,000人次", "1200", 15, 15),
    ("满意度指标(10分)", "服务对象满意度指标", "公众满意度", "≥ 95%", "95%", 10, 10),
]


def selfeval_sheet(ws, *, name="委托业务项目", dept="区住建局", year=2024, budget=123.456789, spent=120.5,
                   rows=ROWS, fund_score=9.76, total=None, unit="（万元）", merge=True, code=None):
    """A 项目支出绩效自评表 laid out like the 池州市贵池区 form (columns A–I)."""
    ws["A1"] = "项目支出绩效自评表"
    ws.merge_cells("A1:I1")
    ws["A2"] = f"（{year}年度）"
    ws.merge_cells("A2:I2")
    ws["A3"], ws["C3"] = "项目名称", name
    ws.merge_cells("A3:B3")
    ws.merge_cells("C3:I3")
    ws["A4"], ws["C4"], ws["F4"], ws["G4"] = "主管部门", dept, "实施单位", "区建设工程服务中心"
    ws.merge_cells("A4:B4")
    r = 5
    if code is not None:
        ws["A5"], ws["C5"] = "项目代码", code
        ws.merge_cells("A5:B5")
        r = 6
    ws.cell(r, 1, f"项目资金{unit}")
    ws.merge_cells(start_row=r, start_column=1, end_row=r + 3, end_column=1)
    for c, h in enumerate(("年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"), start=3):
        ws.cell(r, c, h)
    ws.cell(r + 1, 2, "年度资金总额")
    for c, v in ((3, budget), (4, budget), (5, spent), (6, 10), (7, "97.6%"), (8, fund_score)):
        ws.cell(r + 1, c, v)
    ws.cell(r + 2, 2, "其中：本年财政拨款")
    ws.cell(r + 3, 2, "其他资金")
    top = r + 4
    ws.cell(top, 1, "绩效指标")
    for c, h in enumerate(("一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分",
                           "偏差原因分析及改进措施"), start=2):
        ws.cell(top, c, h)
    start = {}
    for i, row in enumerate(rows):
        rr = top + 1 + i
        for c, v in enumerate(row, start=2):
            if c == 2 and i and rows[i - 1][0] == v:
                continue  # left empty: the merged range (if any) holds it
            ws.cell(rr, c, v)
        start.setdefault(row[0], [rr, rr])[1] = rr
    if merge:
        for a, b in start.values():
            if b > a:
                ws.merge_cells(start_row=a, start_column=2, end_row=b, end_column=2)
    end = top + len(rows) + 1
    ws.cell(end, 1, "总分")
    ws.merge_cells(start_row=end, start_column=1, end_row=end, end_column=6)
    ws.cell(end, 7, 100)
    scores = sum(row[6] for row in rows) + fund_score
    ws.cell(end, 8, round(scores, 2) if total is None else total)
    ws.cell(end + 1, 1, "自评等级")
    ws.cell(end + 1, 7, "优")
    return ws


def workbook(path: Path, *sheets: dict) -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for i, kw in enumerate(sheets):
        selfeval_sheet(wb.create_sheet(kw.pop("title", f"表{i + 1}")), **kw)
    wb.save(path)
    return path


def table(folder: Path, name: str) -> list[dict]:
    with open(folder / f"{name}.csv", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_selfeval_form_converts(tmp_path, cli):
    src = workbook(tmp_path / "自评表.xlsx", {"title": "委托业务"})
    res = cli("convert", "--form", "selfeval", src, "-o", tmp_path / "out")
    assert res.exit_code == 0, res.output
    (p,) = table(tmp_path / "out", "projects")
    assert p["项目名称"] == "委托业务项目" and p["主管部门"] == "区住建局" and p["预算年度"] == "2024"
    assert p["预算金额(元)"] == "1234567.89"  # 123.456789 万元, exactly
    assert p["已支出金额(元)"] == "1205000.00"
    ind = table(tmp_path / "out", "indicators")
    # merged 一级 filled down, the points split off, 二级 without 指标
    assert [r["一级指标"] for r in ind] == ["产出"] * 4 + ["效益"] * 2 + ["满意度"]
    assert [r["二级指标"] for r in ind] == ["数量", "质量", "时效", "成本", "社会效益", "可持续影响", "服务对象满意度"]
    assert [r["指标方向"] for r in ind] == ["正向", "正向", "定性", "反向", "定性", "正向", "正向"]
    assert [r["目标值"] for r in ind] == ["50", "100", "", "90", "", "1000", "95"]
    assert [r["实际值"] for r in ind] == ["50", "100", "达成", "100", "部分达成", "1200", "95"]
    assert [r["分值"] for r in ind] == ["15", "15", "10", "10", "15", "15", "10"]
    (e,) = table(tmp_path / "out", "evaluations")
    assert (e["评价方式"], e["评价年度"], e["总分"], e["预算执行率得分"]) == ("自评", "2024", "94.26", "9.76")
    assert (e["产出得分"], e["效益得分"], e["满意度得分"]) == ("49.00", "25.50", "10.00")


def test_one_project_per_sheet_or_per_workbook(tmp_path):
    book = workbook(tmp_path / "all.xlsx", {"name": "甲项目"}, {"name": "乙项目", "dept": "区水利局"})
    folder = tmp_path / "forms"
    folder.mkdir()
    workbook(folder / "a.xlsx", {"name": "甲项目"})
    workbook(folder / "b.xlsx", {"name": "乙项目", "dept": "区水利局"})
    (folder / "~$a.xlsx").write_bytes(b"lock")  # Excel's lock file: passed over
    one, many = read_forms(book, "selfeval"), read_forms(folder, "selfeval")
    assert one.projects == many.projects and one.indicators == many.indicators
    assert [p["项目名称"] for p in one.projects] == ["甲项目", "乙项目"]
    assert any("锁定文件" in w.message for w in many.warnings)


def test_project_code_when_the_form_has_one(tmp_path):
    read = read_forms(workbook(tmp_path / "f.xlsx", {"code": "340000241000000123456"}), "selfeval")
    assert read.projects[0]["项目编码"] == "340000241000000123456"
    read = read_forms(workbook(tmp_path / "g.xlsx", {}), "selfeval")
    assert read.projects[0]["项目编码"] == "委托业务项目"
    assert any("以项目名称作为项目编码" in w.message for w in read.warnings)


def test_every_unreadable_cell_at_once(tmp_path, cli):
    bad_rows = list(ROWS)
    bad_rows[0] = ("产出指标(50分)", "数量指标", "基建工程委托业务项目数量", "50个", "50", 15, 15)  # no operator
    bad_rows[1] = ("产出指标(50分)", "质量指标", "委托业务报告合格率", "≥100%", "很好", 15, 15)     # actual
    bad_rows[4] = ("管理指标（30分）", "社会效益指标", "群众满意程度提升", "效果明显", "部分达成", 15, 10.5)
    src = workbook(tmp_path / "bad.xlsx", {"title": "甲", "rows": bad_rows, "budget": "一百万"},
                   {"title": "乙", "name": "乙项目", "unit": ""})
    out = tmp_path / "out"
    res = cli("convert", "--form", "selfeval", src, "-o", out)
    assert res.exit_code == 2
    assert "Traceback" not in res.output
    assert not out.exists()
    text = res.output
    for expected in (
        "工作表 甲，第 10 行，列 E（年度指标值）：指标值只有数，没有比较符号",  "（值：'50个'）",
        "工作表 甲，第 11 行，列 F（实际完成值）：实际完成值应为一个数", "（值：'很好'）",
        "工作表 甲，第 14 行，列 B（一级指标）：一级指标应为", "（值：'管理指标（30分）'）",
        "工作表 甲，第 6 行，列 D（全年预算数）：金额应为一个数（万元）", "（值：'一百万'）",
        "工作表 乙，第 5 行，列 D（全年预算数）：金额未写单位",
    ):
        assert expected in text, text
    assert text.count("bad.xlsx") == 5


def test_merged_cells_filled_only_where_merged(tmp_path):
    src = workbook(tmp_path / "f.xlsx", {"merge": False})
    with pytest.raises(InputError) as info:
        read_forms(src, "selfeval")
    problems = info.value.problems
    # rows 11–13 and 15 have an empty 一级 that no merged range covers
    assert [(p.row, p.column) for p in problems] == [(r, "B（一级指标）") for r in (11, 12, 13, 15)]
    assert "请合并单元格或填写" in problems[0].message


def test_amount_exactness_and_unit(tmp_path, cli):
    # 7 decimals of 万元 is finer than a fen: refused, never rounded
    with pytest.raises(InputError, match="最多 6 位小数"):
        read_forms(workbook(tmp_path / "a.xlsx", {"budget": 1.0000001}), "selfeval")
    # no unit stated: --amounts-in says it; the form's own unit must agree with it
    src = workbook(tmp_path / "b.xlsx", {"unit": "", "budget": 1234.5, "spent": 1000})
    assert read_forms(src, "selfeval", amounts_in="万元").projects[0]["预算金额(元)"] == "12345000.00"
    assert read_forms(src, "selfeval", amounts_in="元").projects[0]["预算金额(元)"] == "1234.50"
    res = cli("convert", "--form", "selfeval", "--amounts-in", "万元", src, "-o", tmp_path / "out")
    assert res.exit_code == 0, res.output
    with pytest.raises(InputError, match="与 --amounts-in 元 不一致"):
        read_forms(workbook(tmp_path / "c.xlsx", {}), "selfeval", amounts_in="元")


def test_total_must_add_up(tmp_path):
    with pytest.raises(InputError, match=r"总分与资金执行得分、各指标得分之和（94.26）不一致（值：'95'）"):
        read_forms(workbook(tmp_path / "a.xlsx", {"total": 95}), "selfeval")


def test_duplicate_projects(tmp_path):
    with pytest.raises(InputError, match="项目编码重复"):
        read_forms(workbook(tmp_path / "a.xlsx", {"name": "甲"}, {"name": "甲"}), "selfeval")


def test_equality_needs_a_tolerance(tmp_path, cli):
    rows = list(ROWS)
    rows[1] = ("产出指标(50分)", "质量指标", "验收合格率", "＝100%", "99.6%", 15, 4.5)
    src = workbook(tmp_path / "a.xlsx", {"rows": rows})
    read = read_forms(src, "selfeval")
    ind = read.indicators[1]
    assert (ind["指标方向"], ind["目标值"], ind["实际值"]) == ("定性", "100", "未达成")
    assert any("容差 0 为假定值" in w.message for w in read.warnings)
    from decimal import Decimal

    assert read_forms(src, "selfeval", Decimal("0.005")).indicators[1]["实际值"] == "达成"
    res = cli("convert", "--form", "selfeval", "--equal-tolerance", "0.5%", src, "-o", tmp_path / "out")
    assert res.exit_code == 0, res.output
    assert table(tmp_path / "out", "indicators")[1]["实际值"] == "达成"
    res = cli("convert", "--form", "selfeval", "--equal-tolerance", "5", src, "-o", tmp_path / "out2")
    assert res.exit_code == 2 and "不是容差" in res.output
    res = cli("convert", "--equal-tolerance", "0.01", src, "-o", tmp_path / "out3")
    assert res.exit_code == 2 and "只与 --form 同用" in res.output


def test_computesign_column(tmp_path):
    """An export that gives the 一体化 operator code beside a bare value."""
    wb = openpyxl.Workbook()
    ws = selfeval_sheet(wb.active, rows=[
        ("产出指标(50分)", "数量指标", "培训人次", "500", "520", 25, 25),
        ("产出指标(50分)", "成本指标", "人均成本", "300元", "330元", 25, 22.73),
        ("效益指标(30分)", "社会效益指标", "就业率提升", "5%", "6%", 30, 30),
        ("满意度指标(10分)", "服务对象满意度指标", "满意度", "好评", "达成预期指标", 10, 10),
    ], fund_score=9.76)
    ws.cell(9, 10, "计算符号")  # a column the export adds after the form's own
    for r, code in zip(range(10, 14), (1, 5, 2, 6)):
        ws.cell(r, 10, code)
    wb.save(tmp_path / "a.xlsx")
    ind = read_forms(tmp_path / "a.xlsx", "selfeval").indicators
    assert [(r["指标方向"], r["目标值"], r["实际值"]) for r in ind] == [
        ("正向", "500", "520"), ("反向", "300", "330"), ("正向", "5", "6"), ("定性", None, "达成")]
    ws.cell(10, 10, 9)
    wb.save(tmp_path / "b.xlsx")
    with pytest.raises(InputError, match=r"第 10 行，列 J（计算符号）：计算符号应为 1（≥）.*（值：'9'）"):
        read_forms(tmp_path / "b.xlsx", "selfeval")


def target_sheet(ws, *, name="城区道路维护", year=2025, budget=88.5, attribute="延续"):
    """A 项目支出绩效目标申报表 (宁乡/佳县 layout): header block, 项目资金, a 长期 and a 年度 block."""
    ws["A1"] = "项目支出绩效目标申报表"
    ws["A2"] = f"（{year}年度）"
    ws["A3"], ws["B3"] = "项目名称", name
    ws["A4"], ws["B4"], ws["D4"], ws["E4"] = "主管部门", "区交通运输局", "主管部门编码", "105"
    ws["A5"], ws["B5"], ws["D5"], ws["E5"] = "实施单位", "区公路事务中心", "项目属性", attribute
    ws["A6"], ws["B6"], ws["C6"] = "项目资金（万元）", "资金总额", budget
    ws.merge_cells("A6:A8")
    ws["B7"], ws["C7"] = "其中：财政拨款", budget
    ws["B8"], ws["C8"] = "其他资金", 0
    ws["A9"], ws["B9"] = "总体目标", "道路完好率持续保持在较高水平"
    ws.merge_cells("B9:F9")
    blocks = (("长期绩效指标", [("产出指标", "数量指标", "维护道路里程（累计）", "≥300公里")]),
              ("年度绩效指标", [("产出指标", "数量指标", "维护道路里程", "≥120公里"),
                                ("产出指标", "质量指标", "道路完好率", "≥ 95%"),
                                ("产出指标", "成本指标", "每公里维护成本", "≤0.7万元"),
                                ("效益指标", "社会效益指标", "群众出行便利程度", "明显提升"),
                                ("满意度指标", "服务对象满意度指标", "群众满意度", "＞90%")]))
    r = 10
    for label, rows in blocks:
        ws.cell(r, 1, label)
        ws.merge_cells(start_row=r, start_column=1, end_row=r + len(rows), end_column=1)
        for c, h in enumerate(("一级指标", "二级指标", "三级指标", "指标值", "备注"), start=2):
            ws.cell(r, c, h)
        for i, row in enumerate(rows):
            for c, v in enumerate(row, start=2):
                if not (c == 2 and i and rows[i - 1][0] == v):
                    ws.cell(r + 1 + i, c, v)
        if len(rows) > 1:  # the three 产出 rows share one merged 一级 cell
            ws.merge_cells(start_row=r + 1, start_column=2, end_row=r + 3, end_column=2)
        r += len(rows) + 1
    ws.cell(r, 1, "主管部门审核意见")
    ws.merge_cells(start_row=r, start_column=2, end_row=r, end_column=6)
    return ws


def test_target_form_reads_the_annual_block(tmp_path, cli):
    wb = openpyxl.Workbook()
    target_sheet(wb.active)
    target_sheet(wb.create_sheet("第二个"), name="桥梁检测", budget=12.3456, attribute="新增")
    wb.save(tmp_path / "申报表.xlsx")
    res = cli("convert", "--form", "target", tmp_path / "申报表.xlsx", "-o", tmp_path / "out")
    assert res.exit_code == 0, res.output
    assert "长期绩效指标未读取" in res.output
    projects = table(tmp_path / "out", "projects")
    assert [(p["项目名称"], p["预算年度"], p["预算金额(元)"], p["是否新增"], p["绩效目标状态"]) for p in projects] == [
        ("城区道路维护", "2025", "885000.00", "否", "待审核"), ("桥梁检测", "2025", "123456.00", "是", "待审核")]
    ind = table(tmp_path / "out", "indicators")
    assert [(r["一级指标"], r["二级指标"], r["三级指标"], r["指标方向"], r["目标值"]) for r in ind[:5]] == [
        ("产出", "数量", "维护道路里程", "正向", "120"), ("产出", "质量", "道路完好率", "正向", "95"),
        ("产出", "成本", "每公里维护成本", "反向", "0.7"), ("效益", "社会效益", "群众出行便利程度", "定性", ""),
        ("满意度", "服务对象满意度", "群众满意度", "正向", "90")]
    assert not (tmp_path / "out" / "evaluations.csv").exists()


def test_the_wrong_form_kind_is_named(tmp_path, cli):
    wb = openpyxl.Workbook()
    target_sheet(wb.active)
    wb.save(tmp_path / "t.xlsx")
    res = cli("convert", "--form", "selfeval", tmp_path / "t.xlsx", "-o", tmp_path / "out")
    assert res.exit_code == 2 and "请用 --form target" in res.output and not (tmp_path / "out").exists()
    workbook(tmp_path / "s.xlsx", {})
    res = cli("convert", "--form", "target", tmp_path / "s.xlsx", "-o", tmp_path / "out")
    assert res.exit_code == 2 and "请用 --form selfeval" in res.output


def test_not_a_workbook(tmp_path, cli):
    (tmp_path / "x.xlsx").write_text("项目名称,金额\n", encoding="utf-8")
    res = cli("convert", "--form", "selfeval", tmp_path / "x.xlsx", "-o", tmp_path / "out")
    assert res.exit_code == 2 and "不是可读取的 .xlsx 工作簿" in res.output and "Traceback" not in res.output
    (tmp_path / "y.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    res = cli("convert", "--form", "selfeval", tmp_path / "y.xls", "-o", tmp_path / "out")
    assert res.exit_code == 2 and "另存为 .xlsx" in res.output


def test_text_in_the_deviation_column_does_not_end_the_block(tmp_path):
    wb = openpyxl.Workbook()
    ws = selfeval_sheet(wb.active)
    ws.cell(10, 9, "存在问题：部分村组进度偏慢，下年度加强督导")  # 偏差原因分析及改进措施 of the first row
    ws.cell(11, 9, "合计完成 100 份报告")
    wb.save(tmp_path / "a.xlsx")
    assert len(read_forms(tmp_path / "a.xlsx", "selfeval").indicators) == len(ROWS)


def test_number_cells_read_as_typed_and_float_noise_refused(tmp_path):
    import zipfile

    import xlsxwriter

    # xlsxwriter stores 92.1 as 92.09999999999999 (16 digits): the double typed as 92.1, read as 92.1
    wb = openpyxl.Workbook()
    selfeval_sheet(wb.active, budget="@", spent=0)
    wb.save(tmp_path / "tmpl.xlsx")
    book = xlsxwriter.Workbook(str(tmp_path / "a.xlsx"))
    ws = book.add_worksheet("表")
    src = openpyxl.load_workbook(tmp_path / "tmpl.xlsx").active
    for row in src.iter_rows():
        for c in row:
            if c.value == "@":
                ws.write_number(c.row - 1, c.column - 1, 92.1)
            elif c.value is not None:
                ws.write(c.row - 1, c.column - 1, c.value)
    for rng in src.merged_cells.ranges:
        ws.merge_range(rng.min_row - 1, rng.min_col - 1, rng.max_row - 1, rng.max_col - 1,
                       src.cell(rng.min_row, rng.min_col).value or "")
    book.close()
    xml = zipfile.ZipFile(tmp_path / "a.xlsx").read("xl/worksheets/sheet1.xml").decode()
    assert "<v>92.09999999999999</v>" in xml
    assert read_forms(tmp_path / "a.xlsx", "selfeval").projects[0]["预算金额(元)"] == "921000.00"
    # a formula's 0.1 + 0.2 is not 0.3, and Excel stores it as 0.30000000000000004: refused, not rounded
    workbook(tmp_path / "b.xlsx", {"budget": 777.777, "spent": 0})
    with zipfile.ZipFile(tmp_path / "b.xlsx") as z:
        parts = {n: z.read(n) for n in z.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    assert sheet.count("<v>777.777</v>") == 2  # 年初预算数 and 全年预算数
    parts["xl/worksheets/sheet1.xml"] = sheet.replace("<v>777.777</v>", "<v>0.30000000000000004</v>").encode()
    with zipfile.ZipFile(tmp_path / "c.xlsx", "w") as z:
        for n, data in parts.items():
            z.writestr(n, data)
    with pytest.raises(InputError, match=r"最多 6 位小数.*（值：'0.30000000000000004'）"):
        read_forms(tmp_path / "c.xlsx", "selfeval")


def test_a_failed_convert_leaves_the_previous_output(tmp_path, cli):
    out = tmp_path / "out"
    assert cli("convert", "--form", "selfeval", workbook(tmp_path / "a.xlsx", {}), "-o", out).exit_code == 0
    before = {f.name: f.read_bytes() for f in out.iterdir()}
    res = cli("convert", "--form", "selfeval", workbook(tmp_path / "b.xlsx", {"budget": "x"}), "-o", out)
    assert res.exit_code == 2
    assert {f.name: f.read_bytes() for f in out.iterdir()} == before


def test_strict_target_met_exactly_and_points_that_do_not_add_up_are_said(tmp_path):
    rows = list(ROWS)
    rows[5] = ("效益指标（30分）", "可持续影响指标", "受益人数", "＞ 1,000人次", "1000", 10, 10)  # 15 + 10 ≠ 30
    read = read_forms(workbook(tmp_path / "a.xlsx", {"rows": rows}), "selfeval")
    strict = [w for w in read.warnings if "严格不等式" in w.message]
    assert [(w.row, w.column, w.value) for w in strict] == [(15, "F（实际完成值）", "1000")]
    assert any("效益指标标明 30 分，其下各指标分值合计 25 分" in w.message for w in read.warnings)


def test_a_formula_without_a_saved_result_is_named_not_read_as_empty(tmp_path, cli):
    # openpyxl (like any program) writes a formula with no computed result; Excel or WPS computes
    # it when the workbook is opened and saved. Read as empty, the form's total would silently vanish.
    path = tmp_path / "f.xlsx"
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    ws = selfeval_sheet(wb.create_sheet("甲"))
    total_row = 5 + 4 + len(ROWS) + 1
    ws.cell(total_row, 8, f"=SUM(H10:H{total_row - 1})+H6")
    ws.cell(6, 5, "=120.5")
    wb.save(path)
    res = cli("convert", "--form", "selfeval", path, "-o", tmp_path / "out")
    assert res.exit_code == 2, res.output
    assert not (tmp_path / "out").exists()
    assert "工作表 甲，第 6 行，列 E：这个单元格是公式，但工作簿没有保存它的计算结果" in res.output, res.output
    assert f"工作表 甲，第 {total_row} 行，列 H：这个单元格是公式" in res.output, res.output
    assert f"'=SUM(H10:H{total_row - 1})+H6'" in res.output
