"""The reader of a form's sheets: which sheets are forms of the kind asked for, each read whole
(header, funds, indicators, scores) and kept only when none of its cells has an error; the
warnings said once for all the sheets at the end."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

from jixiao.core.errors import Problem
from jixiao.core.forms import layout
from jixiao.core.forms.header import HeaderReading
from jixiao.core.forms.indicators import IndicatorReading
from jixiao.core.forms.labels import DEFAULT_CATEGORY, DEFAULT_FUND_TYPE, INDICATOR_ROLES, KINDS
from jixiao.core.forms.parse import DEFAULT_EQUAL_TOLERANCE, decimal_text
from jixiao.core.forms.xlsx import Sheet


class SheetReader(HeaderReading, IndicatorReading):
    """Reads the sheets given to ``sheet`` one by one into ``projects``, ``indicators`` and
    ``evaluations``; every problem goes to ``problems``, the warnings for all sheets by ``finish``."""

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
