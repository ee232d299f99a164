"""The 项目资金 block of a form: its unit (万元 or 元), its amounts, and the funds' 得分."""

from __future__ import annotations

from decimal import Decimal

from jixiao.core.errors import Problem
from jixiao.core.forms import layout
from jixiao.core.forms.cells import SheetCells, points_text
from jixiao.core.forms.labels import FUND_ROLES
from jixiao.core.forms.parse import Unreadable, decimal_text, fen_to_yuan_text, normalize, parse_amount, parse_points
from jixiao.core.forms.xlsx import Sheet


class FundsReading(SheetCells):
    """Reads the funds block; the 资金执行得分 of a 自评表 is kept in ``_fund_score``."""

    amounts_in: str | None
    _fund_score: Decimal | None

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
                    self._fund_score = parse_points(points_text(cell), "资金执行得分")
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

