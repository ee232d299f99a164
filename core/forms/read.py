"""The standard forms, every sheet of every workbook, into the portfolio's tables.

One project per sheet; a workbook may hold several (one sheet each), a folder several workbooks.
Every cell that cannot be read is a ``Problem`` naming file, sheet, row, column and value; all of
them are raised together, and nothing is written (``convert_forms``).
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from pathlib import Path

import attrs
import polars as pl

from jixiao.core.errors import InputError, Problem, ProblemsError
from jixiao.core.forms import layout
from jixiao.core.forms.parse import (
    DEFAULT_EQUAL_TOLERANCE, SIGN_ZH, Target, Unreadable, decimal_text, equal_met, parse_amount, fen_to_yuan_text, normalize,
    parse_actual, parse_category, parse_level2, parse_points, parse_sign, parse_target,
)
from jixiao.core.forms.xlsx import Cell, Sheet, column_letters, read_workbook

class FormError(InputError):
    """Problems in the forms, all of them: ``表单中有 N 个问题：`` and one line per cell."""

    def __init__(self, problems: list[Problem]):
        ProblemsError.__init__(self, problems, "表单")


KINDS = {"selfeval": "项目支出绩效自评表", "target": "项目支出绩效目标申报表"}

# Defaults for what the forms do not hold (jixiao's projects table requires them). Each is said in a
# warning when used; a form that has the label (资金性质, 项目类别) gives its own value.
DEFAULT_FUND_TYPE = "一般公共预算"
DEFAULT_CATEGORY = "一般项目"

INDICATOR_ROLES = {
    "level1": ("一级指标",),
    "level2": ("二级指标",),
    "name": ("三级指标", "三级指标名称", "指标内容", "指标名称"),
    "target": ("年度指标值", "指标值", "年度目标值", "目标值", "本年度计划水平"),
    "actual": ("实际完成值", "实际完成情况", "全年实际值", "实际值", "完成值", "指标值完成情况"),
    "weight": ("分值", "权重"),
    "score": ("得分", "自评得分"),
    "sign": ("计算符号", "比较符号", "运算符号", "COMPUTESIGN"),
}
FUND_ROLES = {
    "plan": ("年初预算数",),
    "budget": ("全年预算数", "调整后预算数", "变动后预算数"),
    "spent": ("全年执行数",),
    "points": ("分值",),
    "rate": ("执行率",),
    "score": ("得分",),
}
STOP_WORDS = ("总分", "合计", "审核意见", "评价结论", "存在问题", "填报人", "联系电话", "项目负责人", "财务负责人")


@attrs.frozen
class FormsRead:
    """The tables read (rows of text as jixiao's CSV holds them) and the warnings."""

    projects: list[dict]
    indicators: list[dict]
    evaluations: list[dict]
    warnings: list[Problem]
    sheets: int

    def frames(self) -> dict[str, pl.DataFrame]:
        out = {"projects": pl.DataFrame(self.projects, schema=dict.fromkeys(PROJECT_COLUMNS, pl.String))}
        if self.indicators:
            out["indicators"] = pl.DataFrame(self.indicators, schema=dict.fromkeys(INDICATOR_COLUMNS, pl.String))
        if self.evaluations:
            out["evaluations"] = pl.DataFrame(self.evaluations, schema=dict.fromkeys(EVALUATION_COLUMNS, pl.String))
        return out


PROJECT_COLUMNS = ("项目编码", "项目名称", "主管部门", "预算年度", "资金性质", "项目类别", "预算金额(元)",
                   "已支出金额(元)", "是否新增", "绩效目标状态")
INDICATOR_COLUMNS = ("项目编码", "一级指标", "二级指标", "三级指标", "指标方向", "目标值", "实际值", "分值")
EVALUATION_COLUMNS = ("项目编码", "评价年度", "评价方式", "总分", "预算执行率得分", "产出得分", "效益得分", "满意度得分")


def form_files(path: Path) -> tuple[list[Path], list[Problem]]:
    """A workbook, or the workbooks of a folder (not its subfolders), by name. Excel's ``~$`` lock
    files are passed over with a warning; another file type in the folder is an error."""
    if not path.is_dir():
        return [path], []
    files, problems = [], []
    for f in sorted(path.iterdir()):
        if f.is_dir() or f.name.startswith("."):
            continue
        if f.name.startswith("~$"):
            problems.append(Problem(str(f), "Excel 打开工作簿时留下的锁定文件，未读取", severity="warning"))
        elif f.suffix.lower() in (".xlsx", ".xlsm"):
            files.append(f)
        else:
            problems.append(Problem(str(f), "文件夹中只应有表单工作簿（.xlsx）；这个文件未读取", value=f.suffix or f.name,
                                    severity="warning"))
    if not files:
        problems.append(Problem(str(path), "文件夹中没有 .xlsx 工作簿"))
    return files, problems


def read_forms(path: Path, kind: str, equal_tolerance: Decimal = DEFAULT_EQUAL_TOLERANCE,
               amounts_in: str | None = None) -> FormsRead:
    """Every form under ``path``; raises ``InputError`` with every problem found."""
    if kind not in KINDS:
        raise ValueError(kind)
    files, problems = form_files(Path(path))
    reader = _Reader(kind, equal_tolerance, amounts_in, problems, str(path))
    for f in files:
        try:
            sheets = read_workbook(f)
        except InputError as exc:
            problems.extend(exc.problems)
            continue
        for sheet in sheets:
            reader.sheet(sheet)
    reader.finish()
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise FormError(errors)
    return FormsRead(reader.projects, reader.indicators, reader.evaluations,
                     [p for p in problems if p.severity != "error"], reader.read)


def _where(sheet: Sheet, row: int, col: int, header: str | None = None) -> dict:
    letters = column_letters(col)
    return {"file": sheet.file, "sheet": sheet.name, "row": row,
            "column": f"{letters}（{header}）" if header else letters}


class _Reader:
    def __init__(self, kind: str, tolerance: Decimal, amounts_in: str | None, problems: list[Problem], source: str):
        self.kind, self.tolerance, self.amounts_in, self.problems = kind, tolerance, amounts_in, problems
        self.source = source
        self.projects: list[dict] = []
        self.indicators: list[dict] = []
        self.evaluations: list[dict] = []
        self.read = 0
        self.seen: dict[str, str] = {}  # project id → where it was first read
        self.defaults: Counter = Counter()
        self.equal_rows = 0
        self.equal_targets = 0
        self.named_by_name = 0
        self._pending_evaluation: list[dict] = []
        self._fund_score = None
        self._row_failed = False

    # -- problems ----------------------------------------------------------------------------

    def bad(self, sheet: Sheet, row: int, col: int, header: str | None, message: str, value: str | None) -> None:
        self.problems.append(Problem(message=message, value=value, **_where(sheet, row, col, header)))

    def warn(self, sheet: Sheet, message: str, row: int | None = None, col: int | None = None,
             header: str | None = None, value: str | None = None) -> None:
        where = _where(sheet, row, col, header) if row is not None and col is not None else {
            "file": sheet.file, "sheet": sheet.name}
        self.problems.append(Problem(message=message, value=value, severity="warning", **where))

    # -- a sheet -----------------------------------------------------------------------------

    def sheet(self, sheet: Sheet) -> None:
        title = layout.title_text(sheet)
        names = layout.find(sheet, "项目名称")
        headers = layout.header_rows(sheet, INDICATOR_ROLES, ("level1", "level2", "name", "target"))
        if not names and not headers:
            self.warn(sheet, f"不是{KINDS[self.kind]}（没有“项目名称”和绩效指标表头），未读取")
            return
        other = "target" if self.kind == "selfeval" else "selfeval"
        has_actual = any("actual" in h.columns for h in headers)
        if ("申报表" in title and "自评" not in title) if self.kind == "selfeval" else ("自评" in title):
            self.problems.append(Problem(sheet.file, f"这是{KINDS[other]}，不是{KINDS[self.kind]}：请用 --form {other}",
                                         sheet=sheet.name, value=title[:60]))
            return
        if not names:
            self.problems.append(Problem(sheet.file, "表中没有“项目名称”", sheet=sheet.name))
            return
        if not headers:
            self.problems.append(Problem(sheet.file, "找不到绩效指标的表头（一级指标、二级指标、三级指标、"
                                                     + ("年度指标值、实际完成值" if self.kind == "selfeval" else "指标值") + "）",
                                         sheet=sheet.name))
            return
        if self.kind == "selfeval" and not has_actual:
            self.problems.append(Problem(sheet.file, f"绩效指标表头没有“实际完成值”：这像是{KINDS['target']}，"
                                                     "请用 --form target", sheet=sheet.name))
            return
        self.read += 1
        self._fund_score = None
        self._row_failed = False
        before = len(self.problems)
        project = self._project(sheet)  # read on when it fails: every cell of the sheet is checked
        pid = project["项目编码"] if project else None
        if self.kind == "selfeval":
            rows, scores = self._indicators(sheet, headers[0], pid)
            if project is not None and not self._row_failed:
                self._evaluation(sheet, headers[0], project, scores)
        else:
            rows = self._target_blocks(sheet, headers, pid)
        if project is not None and not any(p.severity == "error" for p in self.problems[before:]):
            self.projects.append(project)
            self.indicators.extend(rows)
            self.evaluations.extend(self._pending_evaluation)
        self._pending_evaluation = []

    def _text(self, found) -> tuple[int, int, str] | None:
        if found is None:
            return None
        r, c, cell = found
        return r, c, cell.text.strip() if cell else ""

    def _project(self, sheet: Sheet) -> dict | None:
        out: dict[str, str | None] = dict.fromkeys(PROJECT_COLUMNS)
        r, c, name = self._text(layout.field(sheet, "项目名称"))
        ok = True
        if not name:
            self.bad(sheet, r, c, "项目名称", "项目名称为空", "")
            ok = False
        out["项目名称"] = name
        code = self._text(layout.field(sheet, "项目编码", "项目代码", "项目编号"))
        if code and code[2]:
            out["项目编码"] = normalize(code[2])
        else:
            out["项目编码"] = name
            self.named_by_name += 1
        dept = self._text(layout.field(sheet, "主管部门", "主管部门名称", "预算部门"))
        if dept is None:
            self.problems.append(Problem(sheet.file, "表中没有“主管部门”", sheet=sheet.name))
            ok = False
        elif not dept[2]:
            self.bad(sheet, dept[0], dept[1], "主管部门", "主管部门为空", "")
            ok = False
        else:
            out["主管部门"] = dept[2]
        year = self._year(sheet)
        if year is None:
            ok = False
        out["预算年度"] = str(year)
        for col, labels, default in (("资金性质", ("资金性质", "预算类型"), DEFAULT_FUND_TYPE),
                                     ("项目类别", ("项目类别", "项目类型"), DEFAULT_CATEGORY)):
            found = self._text(layout.field(sheet, *labels))
            if found and found[2]:
                out[col] = found[2]
            else:
                out[col] = default
                self.defaults[col] += 1
        if self.kind == "selfeval":
            budget, spent = self._funds_selfeval(sheet)
            out["已支出金额(元)"] = spent
        else:
            budget = self._funds_target(sheet)
            out["绩效目标状态"] = "待审核"
            attr = self._text(layout.field(sheet, "项目属性"))
            if attr and attr[2]:
                kind = normalize(attr[2])
                if kind in ("新增", "新增项目", "新设"):
                    out["是否新增"] = "是"
                elif kind in ("延续", "延续项目", "持续"):
                    out["是否新增"] = "否"
                else:
                    self.bad(sheet, attr[0], attr[1], "项目属性", "项目属性应为 新增 或 延续", attr[2])
                    ok = False
        if budget is None:
            ok = False
        out["预算金额(元)"] = budget
        if not ok:
            return None
        pid = out["项目编码"]
        here = f"{Path(sheet.file).name} 工作表 {sheet.name}"
        if pid in self.seen:
            self.bad(sheet, r, c, "项目名称" if pid == name else "项目编码",
                     f"项目编码重复：{self.seen[pid]} 也是这个项目", pid)
            return None
        self.seen[pid] = here
        return out

    def _year(self, sheet: Sheet) -> int | None:
        found = self._text(layout.field(sheet, "年度", "预算年度", "评价年度", "填报年度"))
        if found and found[2]:
            y = layout.year_in(found[2] if "年" in found[2] else found[2] + "年")
            if y is None:
                self.bad(sheet, found[0], found[1], "年度", "年度应为四位年份，如 2024", found[2])
            return y
        y = layout.year_in(layout.title_text(sheet))
        if y is None:
            self.problems.append(Problem(sheet.file, "找不到年度：标题（如“2024年度项目支出绩效自评表”）或“年度”一栏"
                                                     "都没有写年份", sheet=sheet.name))
        return y

    # -- amounts -----------------------------------------------------------------------------

    def _unit(self, sheet: Sheet, near: list[tuple[int, int]], at: tuple[int, int, str]) -> str | None:
        """The unit of the form's amounts: what the amount labels, the 项目资金 label or a 单位：… note
        state. None (and a problem at ``at``) when nothing states one and --amounts-in was not given."""
        units = set()
        for pos, cell in sheet.cells.items():
            t = normalize(cell.text)
            if pos in near or t.startswith(("项目资金", "单位", "金额单位", "资金总额", "年度资金总额")):
                u = layout.stated_unit(cell.text)
                if u:
                    units.add(u)
        if len(units) > 1:
            self.bad(sheet, at[0], at[1], at[2], "表中既写了“万元”又写了“元”，金额的单位不明确；请只写一种", None)
            return None
        if units:
            unit = units.pop()
            if self.amounts_in and self.amounts_in != unit:
                self.bad(sheet, at[0], at[1], at[2], f"表中写明金额单位为{unit}，与 --amounts-in {self.amounts_in} 不一致", None)
                return None
            return unit
        if self.amounts_in:
            return self.amounts_in
        self.bad(sheet, at[0], at[1], at[2], "金额未写单位：请在表头写明（万元），如“项目资金（万元）”，"
                                             "或在命令中写 --amounts-in 万元", None)
        return None

    def _amount(self, sheet: Sheet, row: int, col: int, header: str, unit: str, required: bool = True) -> str | None:
        cell = sheet.value(row, col)
        text = (decimal_text(cell.number) if cell and cell.number is not None else cell.text.strip()) if cell else ""
        if not text:
            if required:
                self.bad(sheet, row, col, header, "金额为空", "")
            return None
        try:
            fen = parse_amount(text, unit)
        except Unreadable as exc:
            self.bad(sheet, row, col, header, str(exc), cell.text if cell else "")
            return None
        return fen_to_yuan_text(fen)

    def _funds_selfeval(self, sheet: Sheet) -> tuple[str | None, str | None]:
        heads = layout.header_rows(sheet, FUND_ROLES, ("budget", "spent"))
        if not heads:
            self.problems.append(Problem(sheet.file, "找不到项目资金的表头（全年预算数、全年执行数）", sheet=sheet.name))
            return None, None
        head = heads[0]
        total = None
        for r in range(head.row + 1, head.row + 7):
            for c in range(1, head.columns["budget"]):
                if layout.label_text(sheet.text(r, c)) in ("年度资金总额", "资金总额", "合计"):
                    total = r
                    break
            if total:
                break
        if total is None:
            self.problems.append(Problem(sheet.file, "找不到“年度资金总额”一行", sheet=sheet.name, row=head.row + 1))
            return None, None
        bc, sc = head.columns["budget"], head.columns["spent"]
        near = [(head.row, c) for c in head.names] + [(total, c) for c in range(1, bc)]
        unit = self._unit(sheet, near, (head.row, bc, head.names[bc]))
        if unit is None:
            return None, None
        budget = self._amount(sheet, total, bc, head.names[bc], unit)
        spent = self._amount(sheet, total, sc, head.names[sc], unit, required=False)
        if "score" in head.columns:
            cell = sheet.value(total, head.columns["score"])
            if cell and cell.text.strip():
                try:
                    self._fund_score = parse_points(_points_text(cell), "资金执行得分")
                except Unreadable as exc:
                    self.bad(sheet, total, head.columns["score"], head.names[head.columns["score"]], str(exc), cell.text)
        return budget, spent

    def _funds_target(self, sheet: Sheet) -> str | None:
        found = layout.find(sheet, "资金总额", "年度资金总额", "项目资金总额")
        if not found:
            self.problems.append(Problem(sheet.file, "找不到“资金总额”", sheet=sheet.name))
            return None
        r, c = found[0]
        vr, vc, _cell = layout.right_of(sheet, r, c)
        unit = self._unit(sheet, [(r, c)], (r, c, sheet.text(r, c).strip()))
        if unit is None:
            return None
        return self._amount(sheet, vr, vc, "资金总额", unit)

    # -- indicators --------------------------------------------------------------------------

    def _rows(self, sheet: Sheet, head: layout.Header, end: int | None = None):
        """The rows of an indicator block: from below the header to the first row whose label columns
        (up to 二级指标) say 总分, 审核意见 …, or that has neither 三级指标 nor 指标值."""
        cols = head.columns
        last = end if end is not None else sheet.rows
        label_columns = range(1, max(cols["level1"], cols["level2"]) + 1)  # not the text columns (偏差原因…)
        for r in range(head.row + 1, last + 1):
            texts = [layout.label_text(sheet.text(r, c)) for c in label_columns]
            if any(t.startswith(STOP_WORDS) for t in texts if t):
                return
            name, target = sheet.text(r, cols["name"]).strip(), sheet.text(r, cols["target"]).strip()
            if not name and not target:
                return
            yield r

    def _filled(self, sheet: Sheet, r: int, col: int, header: str, first: int) -> str | None:
        """A 一级/二级 cell, filled down from a merged range's first cell; empty and not merged: a problem."""
        cell = sheet.value(r, col)
        if cell is not None and cell.text.strip():
            return cell.text.strip()
        m = sheet.merged_at(r, col)
        self.bad(sheet, r, col, header, f"{header}为空" + ("" if m else "（如与上一行相同，请合并单元格或填写）"), "")
        return None

    def _indicator(self, sheet: Sheet, head: layout.Header, r: int, pid: str, with_actual: bool):
        """One indicator row: the row of jixiao's indicators table, its level1, and its 得分; None when
        a cell cannot be read (the problems are recorded)."""
        cols, names = head.columns, head.names
        ok = True
        l1_text = self._filled(sheet, r, cols["level1"], names[cols["level1"]], head.row)
        l2_text = self._filled(sheet, r, cols["level2"], names[cols["level2"]], head.row)
        level1 = level2 = None
        if l1_text is not None:
            try:
                level1, _points = parse_category(l1_text)
            except Unreadable as exc:
                self.bad(sheet, r, cols["level1"], names[cols["level1"]], str(exc), l1_text)
                ok = False
        else:
            ok = False
        if l2_text is not None:
            level2 = parse_level2(l2_text)
        else:
            ok = False
        name = sheet.text(r, cols["name"]).strip()
        if not name:
            self.bad(sheet, r, cols["name"], names[cols["name"]], "三级指标为空", "")
            ok = False
        sign = None
        if "sign" in cols:
            raw = sheet.text(r, cols["sign"])
            try:
                sign = parse_sign(raw)
            except Unreadable as exc:
                self.bad(sheet, r, cols["sign"], names[cols["sign"]], str(exc), raw)
                ok = False
        raw_target = sheet.text(r, cols["target"])
        target: Target | None = None
        try:
            target = parse_target(raw_target, sign)
        except Unreadable as exc:
            self.bad(sheet, r, cols["target"], names[cols["target"]], str(exc), raw_target)
            ok = False
        direction, actual_text = None, ""
        if target is not None:
            direction = {"higher": "正向", "lower": "反向", "qualitative": "定性", "equal": "定性"}[target.direction]
            if with_actual:
                raw_actual = sheet.text(r, cols["actual"])
                try:
                    actual = parse_actual(raw_actual, target)
                except Unreadable as exc:
                    self.bad(sheet, r, cols["actual"], names[cols["actual"]], str(exc), raw_actual)
                    ok = False
                else:
                    if actual.band is not None:
                        direction, actual_text = "定性", actual.band
                    elif actual.value is not None:
                        if target.sign == 3:
                            self.equal_rows += 1
                            actual_text = "达成" if equal_met(actual.value, target.value, self.tolerance) else "未达成"
                        else:
                            actual_text = decimal_text(actual.value)
                            if target.strict and actual.value == target.value:
                                self.warn(sheet, f"目标为“{SIGN_ZH[target.sign]}{decimal_text(target.value)}”，实际完成值恰好等于"
                                                 "目标值：严格不等式未达到，jixiao 按比例计分时按达到计（满分）", r,
                                          cols["actual"], names[cols["actual"]], raw_actual)
            elif target.sign == 3:
                self.equal_targets += 1
        weight = None
        if "weight" in cols and sheet.text(r, cols["weight"]).strip():
            try:
                weight = parse_points(_points_text(sheet.value(r, cols["weight"])), "分值")
            except Unreadable as exc:
                self.bad(sheet, r, cols["weight"], names[cols["weight"]], str(exc), sheet.text(r, cols["weight"]))
                ok = False
        score = None
        if "score" in cols and sheet.text(r, cols["score"]).strip():
            try:
                score = parse_points(_points_text(sheet.value(r, cols["score"])), "得分")
            except Unreadable as exc:
                self.bad(sheet, r, cols["score"], names[cols["score"]], str(exc), sheet.text(r, cols["score"]))
                ok = False
        if not ok:
            return None
        row = {"项目编码": pid, "一级指标": level1, "二级指标": level2, "三级指标": name, "指标方向": direction,
               "目标值": decimal_text(target.value) if target.value is not None else None,
               "实际值": actual_text or None, "分值": decimal_text(weight) if weight is not None else None}
        return row, level1, score, l1_text

    def _indicators(self, sheet: Sheet, head: layout.Header, pid: str):
        rows, scores = [], {}
        points, weights = {}, Counter()
        for r in self._rows(sheet, head):
            got = self._indicator(sheet, head, r, pid, with_actual=True)
            if got is None:
                self._row_failed = True
                continue
            row, level1, score, l1_text = got
            rows.append(row)
            if scores is not None:
                if score is None:
                    scores = None
                else:
                    scores[level1] = scores.get(level1, Decimal(0)) + score
            _cat, pts = parse_category(l1_text)
            if pts is not None:
                points[level1] = pts
            if row["分值"] is not None:
                weights[level1] += Decimal(row["分值"])
        if not rows:
            self.problems.append(Problem(sheet.file, "绩效指标表中没有指标", sheet=sheet.name, row=head.row))
        for level1, pts in points.items():
            if weights[level1] and weights[level1] != pts:
                self.warn(sheet, f"{level1}指标标明 {decimal_text(pts)} 分，其下各指标分值合计 "
                                 f"{decimal_text(weights[level1])} 分")
        return rows, scores

    def _evaluation(self, sheet: Sheet, head: layout.Header, project: dict, scores: dict | None) -> None:
        fund = self._fund_score
        total, where = None, None
        hits = layout.find(sheet, "总分", "自评总分", "合计得分")
        if hits:
            r, c = hits[0]
            col = head.columns.get("score")
            cell = sheet.value(r, col) if col else None
            if cell is None or not cell.text.strip():
                _r, col, cell = layout.right_of(sheet, r, c)
            if cell is not None and cell.text.strip():
                try:
                    total = parse_points(_points_text(cell), "总分")
                except Unreadable as exc:
                    self.bad(sheet, r, col, "总分", str(exc), cell.text)
                    return
                where = (r, col)
        parts = None
        if scores is not None and scores and fund is not None:
            parts = sum(scores.values(), Decimal(0)) + fund
        if total is not None and parts is not None and total != parts:
            self.bad(sheet, where[0], where[1], "总分", f"总分与资金执行得分、各指标得分之和（{decimal_text(parts)}）不一致",
                     decimal_text(total))
            return
        if total is None and parts is None:
            return
        if total is None:
            total = parts
            self.warn(sheet, f"没有填总分，按资金执行得分与各指标得分之和 {decimal_text(parts)} 计")
        by = scores or {}
        self._pending_evaluation.append({
            "项目编码": project["项目编码"], "评价年度": project["预算年度"], "评价方式": "自评",
            "总分": decimal_text(total), "预算执行率得分": decimal_text(fund) if fund is not None else None,
            "产出得分": decimal_text(by.get("产出", Decimal(0)) + by.get("成本", Decimal(0))) if scores else None,
            "效益得分": decimal_text(by["效益"]) if "效益" in by else None,
            "满意度得分": decimal_text(by["满意度"]) if "满意度" in by else None,
        })

    def _target_blocks(self, sheet: Sheet, headers: list[layout.Header], pid: str) -> list[dict]:
        """The 年度 indicator block of a 目标申报表 (a 长期 block is passed over, with a warning)."""
        kinds = []
        for h in headers:
            around = [sheet.text(h.row - 1, c) for c in range(1, sheet.columns + 1)]
            around += [(sheet.value(h.row, c) or Cell("")).text for c in range(1, h.columns["level1"])]
            text = "".join(around)
            kinds.append("长期" if "长期" in text or "中期" in text else "年度" if "年度" in text else None)
        if len(headers) == 1:
            chosen = 0
        elif kinds.count("年度") == 1:
            chosen = kinds.index("年度")
        else:
            self.problems.append(Problem(sheet.file, "表中有多个绩效指标表，分不清哪一个是年度绩效指标"
                                                     "（请在表头上一行或左侧写明“年度绩效指标”）", sheet=sheet.name,
                                         row=headers[0].row))
            return []
        for i, h in enumerate(headers):
            if i != chosen:
                self.warn(sheet, f"第 {h.row} 行起的{kinds[i] or ''}绩效指标未读取（只读年度绩效指标）")
        head = headers[chosen]
        end = headers[chosen + 1].row - 1 if chosen + 1 < len(headers) else None
        rows = []
        for r in self._rows(sheet, head, end):
            got = self._indicator(sheet, head, r, pid, with_actual=False)
            if got is not None:
                rows.append(got[0])
        if not rows:
            self.problems.append(Problem(sheet.file, "绩效指标表中没有指标", sheet=sheet.name, row=head.row))
        return rows

    # -- the end -----------------------------------------------------------------------------

    def finish(self) -> None:
        where = {"file": self.source, "severity": "warning"}
        if self.named_by_name:
            self.problems.append(Problem(message=f"{self.named_by_name} 张表没有项目编码（项目代码），以项目名称作为项目编码", **where))
        for col, n in self.defaults.items():
            default = DEFAULT_FUND_TYPE if col == "资金性质" else DEFAULT_CATEGORY
            self.problems.append(Problem(message=f"{n} 张表没有写{col}，按“{default}”计（假定）", **where))
        if self.equal_rows:
            rule = ("实际完成值须与指标值相等才为达成" if not self.tolerance else
                    f"实际完成值与指标值之差不超过指标值的 {decimal_text(self.tolerance * 100)}% 为达成")
            self.problems.append(Problem(message=f"{self.equal_rows} 个“＝”指标：{rule}，否则为未达成，作为定性指标读入"
                                                 + ("（容差 0 为假定值，可用 --equal-tolerance 指定）"
                                                    if self.tolerance == DEFAULT_EQUAL_TOLERANCE else ""), **where))
        if self.equal_targets:
            self.problems.append(Problem(message=f"{self.equal_targets} 个“＝”指标作为定性指标读入（保留指标值）：jixiao 的指标方向"
                                                 "只有正向、反向和定性，“＝”是否达成在自评时按容差判断", **where))


def _points_text(cell: Cell | None) -> str:
    if cell is None:
        return ""
    return decimal_text(cell.number) if cell.number is not None else cell.text


def convert_forms(source: Path, output: Path, kind: str, fmt: str = "csv",
                  equal_tolerance: Decimal = DEFAULT_EQUAL_TOLERANCE, amounts_in: str | None = None):
    """Read the forms under ``source`` and write them as a portfolio folder: the CSVs ``jixiao
    sample`` writes (``fmt="csv"``) or jixiao's typed Parquet (``"parquet"``). The tables are loaded
    back with ``load_portfolio`` before anything is written, so the folder holds only what ``jixiao
    run`` reads without an error. Returns (the portfolio, what was read)."""
    import tempfile

    from jixiao.core.outputs.files import check_target
    from jixiao.core.load import load_portfolio
    from jixiao.core.outputs.portfolio_files import write_portfolio, write_typed

    if output.suffix:
        raise InputError([Problem(str(output), "转换结果是一个文件夹（每张表一个文件）：请给不带扩展名的文件夹名",
                                  value=output.suffix)])
    check_target(output, folder=True)
    read = read_forms(source, kind, equal_tolerance, amounts_in)
    frames = read.frames()
    with tempfile.TemporaryDirectory(prefix="jixiao-forms-") as tmp:
        for name, frame in frames.items():
            frame.write_csv(Path(tmp) / f"{name}.csv")
        try:
            folio = load_portfolio(tmp, amounts_in="元")
        except InputError as exc:  # what the forms gave does not make a valid portfolio (a 资金性质 …)
            raise InputError([attrs.evolve(p, file=f"{KINDS[kind]}转换结果 {Path(p.file).name}") for p in exc.problems]) from None
    if fmt == "parquet":
        write_typed(folio, output)
    else:
        write_portfolio(folio, output)  # the CSVs ``jixiao sample`` writes, amounts in 元
    return folio, read
