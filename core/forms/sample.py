"""Realistic filled-in forms, seeded: 项目支出绩效自评表 (``selfeval``) and 项目支出绩效目标申报表
(``target``), laid out as bureaus fill the standard templates — merged title and label cells,
一级/二级 指标 merged down their rows with the points in the label (``产出指标（50分）``), amounts in
万元 with up to four decimals, operators full-width and half-width, a few qualitative rows.

The 自评表's 得分 are worked out as the national pack scores (正向 分值×实际/目标, 反向
分值×目标/实际, capped at the 分值; 定性 达成 1, 部分达成 0.7, 未达成 0.3; 资金 10×执行率), with
values chosen so that every 得分 is exact to 0.01: the form's 总分 is what jixiao computes.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import numpy as np
import xlsxwriter

from jixiao.core.errors import InputError, Problem
from jixiao.core.outputs.files import check_target, replace_folder, write_atomic
from jixiao.core.forms.parse import decimal_text
from jixiao.core.sample import DEPARTMENTS, ITEMS

PREFIX = {"selfeval": "自评表", "target": "申报表"}
_OURS = re.compile(r"^(自评表|申报表)_\d{3,}_.+\.xlsx$")
_CENT = Decimal("0.01")

# (一级, 分值, [(二级, 三级, kind, target, unit)]), kind: higher/lower/equal/qual
_OUTPUT = [
    ("数量指标", "{item}覆盖村（社区）数量", "higher", (20, 40, 60, 120), "个"),
    ("数量指标", "受益人数", "higher", (500, 1200, 3000), "人次"),
    ("质量指标", "验收合格率", "equal", (100,), "%"),
    ("质量指标", "资金使用合规率", "higher", (95, 98), "%"),
    ("时效指标", "项目完成及时性", "qual", ("在项目计划完成时间内完成", "按期完成"), ""),
    ("成本指标", "项目总成本", "lower", None, "万元"),
]
_OUTCOME = [
    ("社会效益指标", "群众生产生活条件改善", "qual", ("效果明显", "明显改善"), ""),
    ("社会效益指标", "政策知晓率", "higher", (80, 90), "%"),
    ("经济效益指标", "带动相关产业增收", "higher", (50, 100, 200), "万元"),
    ("生态效益指标", "环境问题投诉下降率", "higher", (10, 20), "%"),
    ("可持续影响指标", "长效管护机制", "qual", ("建立并持续运行", "长期发挥作用"), ""),
]
_SATISFACTION = [("服务对象满意度指标", "服务对象满意度", "higher", (85, 90, 95), "%")]
_HIGHER = ("≥", "≥", "≥ ", "＞", "不低于")
_LOWER = ("≤", "≤", "＜")
_EQUAL = ("＝", "=")
_SHARES = (Decimal(1), Decimal(1), Decimal(1), Decimal("0.95"), Decimal("0.9"), Decimal("0.8"))
_BANDS = (("达成预期指标", Decimal(1)), ("达成预期指标", Decimal(1)), ("部分达成", Decimal("0.7")), ("未达成", Decimal("0.3")))


def _split(total: int, n: int) -> list[int]:
    base, rest = divmod(total, n)
    return [base + (1 if i < rest else 0) for i in range(n)]


def _project(rng: np.random.Generator, i: int, year: int) -> dict:
    dept = DEPARTMENTS[int(rng.integers(len(DEPARTMENTS)))]
    item = ITEMS[int(rng.integers(len(ITEMS)))]
    budget_e4 = int(rng.integers(30, 3000)) * 10_000 + int(rng.integers(0, 10_000))  # 万元 × 10⁴
    plan_e4 = budget_e4 - int(rng.integers(0, 5)) * 10_000 if rng.random() < 0.3 else budget_e4
    rate = Decimal(int(rng.choice((1000, 1000, 990, 975, 960, 930, 880, 800, 700)))) / 1000
    spent_e4 = int((Decimal(budget_e4) * rate).to_integral_value())
    return {"i": i, "year": year, "dept": dept, "item": item, "name": f"{dept}{item}项目（{i + 1:03d}）",
            "unit": dept.removesuffix("局") + "事务中心", "plan": Decimal(plan_e4) / 10_000,
            "budget": Decimal(budget_e4) / 10_000, "spent": Decimal(spent_e4) / 10_000,
            "is_new": bool(rng.random() < 0.3)}


def _indicators(rng: np.random.Generator, p: dict, with_actual: bool) -> list[dict]:
    out = []
    for level1, points, pool, k in (("产出指标", 50, _OUTPUT, 4), ("效益指标", 30, _OUTCOME, 2),
                                    ("满意度指标", 10, _SATISFACTION, 1)):
        picked = sorted(rng.choice(len(pool), size=min(k + int(rng.integers(0, 2)), len(pool)), replace=False))
        weights = _split(points, len(picked))
        for idx, w in zip(picked, weights):
            level2, name, kind, choices, unit = pool[idx]
            name = name.format(item=p["item"])
            row = {"level1": f"{level1}（{points}分）" if rng.random() < 0.7 else f"{level1}({points}分)",
                   "level2": level2, "name": name, "weight": Decimal(w)}
            if kind == "qual":
                row["target"] = str(rng.choice(choices))
                text, share = _BANDS[int(rng.integers(len(_BANDS)))]
                row["actual"], row["share"] = text, share
            else:
                if kind == "lower" and choices is None:  # the cost: at most the budget
                    target = (p["budget"] / 9).to_integral_value(ROUND_HALF_UP) * 9 or Decimal(9)
                else:
                    target = Decimal(int(rng.choice(choices)))
                share = _SHARES[int(rng.integers(len(_SHARES)))] if kind != "equal" else Decimal(1)
                if kind == "higher":
                    op = str(rng.choice(_HIGHER))
                    actual = target * share if share < 1 else target + int(rng.integers(0, 3)) * (target / 10)
                    actual = actual if share < 1 or unit != "%" else min(actual, Decimal(100))
                elif kind == "lower":
                    op = str(rng.choice(_LOWER))
                    share = share if share in (Decimal(1), Decimal("0.9")) else Decimal(1)
                    actual = target / share if share < 1 else target * Decimal("0.95")
                    if op == "＜" and actual == target:
                        actual = target * Decimal("0.95")
                else:
                    op = str(rng.choice(_EQUAL))
                    actual = target
                if op == "＞" and actual == target:
                    actual = target + 1
                unit_written = "百分比" if unit == "%" and rng.random() < 0.15 else unit
                row["target"] = f"{op}{decimal_text(target)}{unit_written}"
                row["actual"] = decimal_text(actual.quantize(Decimal("0.0001")).normalize()) + (unit if rng.random() < 0.5 else "")
                row["share"] = share
            row["score"] = (row["weight"] * row["share"]).quantize(_CENT, ROUND_HALF_UP)
            if not with_actual:
                row.pop("actual"), row.pop("score")
            out.append(row)
    return out


def forms(n: int, seed: int, fiscal_year: int, kind: str) -> list[dict]:
    """``n`` projects' forms as plain data (what ``write_forms`` lays out)."""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        p = _project(rng, i, fiscal_year)
        p["indicators"] = _indicators(rng, p, with_actual=kind == "selfeval")
        if kind == "target":
            p["long"] = _indicators(rng, p, with_actual=False)[:3]
        rate = min(p["spent"] / p["budget"], Decimal(1))
        p["rate"] = rate
        p["fund_score"] = (10 * rate).quantize(_CENT, ROUND_HALF_UP)
        if kind == "selfeval":
            p["total"] = p["fund_score"] + sum(r["score"] for r in p["indicators"])
            t = p["total"]
            p["grade"] = "优" if t >= 90 else "良" if t >= 80 else "中" if t >= 60 else "差"
        out.append(p)
    return out


def _formats(wb):
    base = {"font_name": "宋体", "font_size": 10, "border": 1, "valign": "vcenter", "text_wrap": True}
    return {"title": wb.add_format({"bold": True, "font_size": 16, "align": "center", "font_name": "黑体"}),
            "sub": wb.add_format({"align": "center", "font_name": "宋体"}),
            "label": wb.add_format({**base, "align": "center", "bold": True}),
            "text": wb.add_format({**base, "align": "left"}),
            "num": wb.add_format({**base, "align": "right", "num_format": "0.00##"}),
            "pct": wb.add_format({**base, "align": "right"})}


def _cell(ws, f, r: int, c: int, value, style: str, to: tuple[int, int] | None = None) -> None:
    """A cell (0-based), merged to ``to`` when given; numbers written as numbers (exact to 10⁻⁴,
    which a float's shortest repr keeps), text as text."""
    if to is not None and to != (r, c):
        ws.merge_range(r, c, to[0], to[1], "", f[style])
    if isinstance(value, Decimal):
        ws.write_number(r, c, float(value), f[style])
    elif value is not None:
        ws.write_string(r, c, str(value), f[style])


def _selfeval_sheet(ws, f, p: dict) -> None:
    ws.set_column(0, 0, 8)
    ws.set_column(1, 2, 14)
    ws.set_column(3, 3, 24)
    ws.set_column(4, 8, 12)
    _cell(ws, f, 0, 0, "项目支出绩效自评表", "title", (0, 8))
    _cell(ws, f, 1, 0, f"（{p['year']}年度）", "sub", (1, 8))
    _cell(ws, f, 2, 0, "项目名称", "label", (2, 1))
    _cell(ws, f, 2, 2, p["name"], "text", (2, 8))
    _cell(ws, f, 3, 0, "主管部门", "label", (3, 1))
    _cell(ws, f, 3, 2, p["dept"], "text", (3, 4))
    _cell(ws, f, 3, 5, "实施单位", "label")
    _cell(ws, f, 3, 6, p["unit"], "text", (3, 8))
    _cell(ws, f, 4, 0, "项目资金（万元）", "label", (8, 0))
    for c, h in enumerate(("", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"), start=1):
        _cell(ws, f, 4, c, h, "label")
    _cell(ws, f, 4, 8, "", "label")
    _cell(ws, f, 5, 1, "年度资金总额", "label")
    for c, v in ((2, p["plan"]), (3, p["budget"]), (4, p["spent"]), (5, Decimal(10))):
        _cell(ws, f, 5, c, v, "num")
    _cell(ws, f, 5, 6, f"{decimal_text((p['rate'] * 100).quantize(Decimal('0.01')))}%", "pct")
    _cell(ws, f, 5, 7, p["fund_score"], "num")
    other = (p["budget"] / 10).quantize(Decimal("0.0001"))
    for r, (label, v) in enumerate((("其中：本年财政拨款", p["budget"] - other), ("上年结转资金", Decimal(0)),
                                    ("其他资金", other)), start=6):
        _cell(ws, f, r, 1, label, "label")
        _cell(ws, f, r, 3, v, "num")
    _cell(ws, f, 9, 0, "年度总体目标", "label", (10, 0))
    _cell(ws, f, 9, 1, "预期目标", "label", (9, 4))
    _cell(ws, f, 9, 5, "实际完成情况", "label", (9, 8))
    _cell(ws, f, 10, 1, f"完成{p['item']}年度任务，保障项目按计划实施，资金使用规范。", "text", (10, 4))
    _cell(ws, f, 10, 5, "已按计划完成年度任务，资金按规定使用。", "text", (10, 8))
    top = 11
    rows = p["indicators"]
    _cell(ws, f, top, 0, "绩效指标", "label", (top + len(rows), 0))
    for c, h in enumerate(("一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分",
                           "偏差原因分析及改进措施"), start=1):
        _cell(ws, f, top, c, h, "label")
    _indicator_rows(ws, f, rows, top + 1, with_actual=True)
    end = top + len(rows) + 1
    _cell(ws, f, end, 0, "总分", "label", (end, 5))
    _cell(ws, f, end, 6, Decimal(100), "num")
    _cell(ws, f, end, 7, p["total"], "num")
    _cell(ws, f, end, 8, "", "text")
    _cell(ws, f, end + 1, 0, "自评等级", "label", (end + 1, 5))
    _cell(ws, f, end + 1, 6, p["grade"], "text", (end + 1, 8))


def _indicator_rows(ws, f, rows: list[dict], first: int, with_actual: bool) -> None:
    """Rows from ``first`` (0-based); 一级 and 二级 merged over their runs, as bureaus lay them out."""
    for key, col in (("level1", 1), ("level2", 2)):
        start = 0
        for i in range(1, len(rows) + 1):
            same = i < len(rows) and rows[i][key].split("（")[0].split("(")[0] == rows[start][key].split("（")[0].split("(")[0]
            if key == "level2":
                same = same and rows[i]["level1"][:3] == rows[start]["level1"][:3]
            if not same:
                _cell(ws, f, first + start, col, rows[start][key], "label", (first + i - 1, col))
                start = i
    for i, row in enumerate(rows):
        r = first + i
        _cell(ws, f, r, 3, row["name"], "text")
        _cell(ws, f, r, 4, row["target"], "text")
        if with_actual:
            _cell(ws, f, r, 5, row["actual"], "text")
            _cell(ws, f, r, 6, row["weight"], "num")
            _cell(ws, f, r, 7, row["score"], "num")
            _cell(ws, f, r, 8, "" if row["share"] == 1 else "受实施条件影响未完全达到预期，下年度加强跟踪管理。", "text")
        else:
            _cell(ws, f, r, 5, "", "text")


def _target_sheet(ws, f, p: dict) -> None:
    ws.set_column(0, 0, 10)
    ws.set_column(1, 2, 14)
    ws.set_column(3, 3, 26)
    ws.set_column(4, 5, 14)
    _cell(ws, f, 0, 0, "项目支出绩效目标申报表", "title", (0, 5))
    _cell(ws, f, 1, 0, f"（{p['year']}年度）", "sub", (1, 5))
    pairs = ((2, "项目名称", p["name"], None, None), (3, "主管部门", p["dept"], "主管部门编码", f"{101 + DEPARTMENTS.index(p['dept'])}"),
             (4, "实施单位", p["unit"], "项目属性", "新增" if p["is_new"] else "延续"),
             (5, "项目负责人", "张明", "联系电话", "0797-8123456"))
    for r, a, av, b, bv in pairs:
        _cell(ws, f, r, 0, a, "label")
        if b is None:
            _cell(ws, f, r, 1, av, "text", (r, 5))
        else:
            _cell(ws, f, r, 1, av, "text", (r, 2))
            _cell(ws, f, r, 3, b, "label")
            _cell(ws, f, r, 4, bv, "text", (r, 5))
    _cell(ws, f, 6, 0, "项目资金（万元）", "label", (8, 0))
    other = (p["budget"] / 10).quantize(Decimal("0.0001"))
    for r, (label, v) in enumerate((("资金总额", p["budget"]), ("其中：财政拨款", p["budget"] - other),
                                    ("其他资金", other)), start=6):
        _cell(ws, f, r, 1, label, "label")
        _cell(ws, f, r, 2, v, "num", (r, 5))
    _cell(ws, f, 9, 0, "总体目标", "label")
    _cell(ws, f, 9, 1, f"持续推进{p['item']}，形成长效机制。", "text", (9, 5))
    _cell(ws, f, 10, 0, "年度目标", "label")
    _cell(ws, f, 10, 1, f"完成{p['item']}年度建设任务，资金按进度拨付。", "text", (10, 5))
    r = 11
    for label, rows in (("长期绩效指标", p["long"]), ("年度绩效指标", p["indicators"])):
        _cell(ws, f, r, 0, label, "label", (r + len(rows), 0))
        for c, h in enumerate(("一级指标", "二级指标", "三级指标", "指标值", "备注"), start=1):
            _cell(ws, f, r, c, h, "label")
        _indicator_rows(ws, f, rows, r + 1, with_actual=False)
        r += len(rows) + 1
    for label in ("主管部门审核意见", "财政部门审核意见"):
        _cell(ws, f, r, 0, label, "label")
        _cell(ws, f, r, 1, "", "text", (r, 5))
        r += 1


def _workbook(path: Path):
    return xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False,
                                           "strings_to_urls": False})


def write_forms(n: int, seed: int, fiscal_year: int, path: Path, kind: str = "selfeval") -> Path:
    """``n`` filled-in forms: a folder (no suffix) of one workbook per project, or an ``.xlsx`` with
    one project per sheet. Written whole or not at all; a folder replaces only one of such forms."""
    data = forms(n, seed, fiscal_year, kind)
    draw = _selfeval_sheet if kind == "selfeval" else _target_sheet
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        check_target(path)

        def write(tmp: Path) -> None:
            wb = _workbook(tmp)
            f = _formats(wb)
            for p in data:
                draw(wb.add_worksheet(f"{p['i'] + 1:03d}{p['item']}"[:31]), f, p)
            wb.close()

        write_atomic(path, write)
        return path
    if suffix:
        raise InputError([Problem(str(path), "表单写成一个文件夹（每个项目一个工作簿）或一个 .xlsx（每个项目一张工作表）",
                                  value=suffix)])

    def fill(tmp: Path) -> None:
        for p in data:
            wb = _workbook(tmp / f"{PREFIX[kind]}_{p['i'] + 1:03d}_{p['dept']}{p['item']}.xlsx")
            draw(wb.add_worksheet(f"{p['item']}"[:31]), _formats(wb), p)
            wb.close()

    def replaceable(folder: Path) -> None:
        if not folder.exists():
            return
        if not folder.is_dir():
            raise InputError([Problem(str(folder), "已存在，且不是文件夹")])
        strays = sorted(x.name for x in folder.iterdir() if not _OURS.match(x.name))
        if strays:
            raise InputError([Problem(str(folder), "文件夹中还有其他文件：请给一个新文件夹，或 jixiao 写过表单的文件夹"
                                                   "（将被替换）", value=", ".join(strays[:3]))])

    replace_folder(path, fill, replaceable)
    return path
