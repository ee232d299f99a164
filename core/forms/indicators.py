"""The indicator block of a form: its rows into jixiao's indicators table, and a 自评表's scores
(得分 per 一级指标, 总分) into its evaluations table; a 申报表's 年度 block among its blocks."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

from jixiao.core.errors import Problem
from jixiao.core.forms import layout
from jixiao.core.forms.cells import SheetCells, points_text
from jixiao.core.forms.labels import STOP_WORDS
from jixiao.core.forms.parse import (
    SIGN_ZH, Target, Unreadable, decimal_text, equal_met, parse_actual, parse_category, parse_level2, parse_points,
    parse_sign, parse_target,
)
from jixiao.core.forms.xlsx import Cell, Sheet


class IndicatorReading(SheetCells):
    """Reads indicator rows; counts the ＝ targets (``equal_rows``, ``equal_targets``) for the warnings."""

    tolerance: Decimal
    equal_rows: int
    equal_targets: int
    _fund_score: Decimal | None
    _row_failed: bool
    _pending_evaluation: list[dict]

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
                weight = parse_points(points_text(sheet.value(r, cols["weight"])), "分值")
            except Unreadable as exc:
                self.bad(sheet, r, cols["weight"], names[cols["weight"]], str(exc), sheet.text(r, cols["weight"]))
                ok = False
        score = None
        if "score" in cols and sheet.text(r, cols["score"]).strip():
            try:
                score = parse_points(points_text(sheet.value(r, cols["score"])), "得分")
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
                    total = parse_points(points_text(cell), "总分")
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

