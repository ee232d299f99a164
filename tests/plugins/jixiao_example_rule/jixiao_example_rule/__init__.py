"""An example third-party rule: budget execution below a threshold on a checkpoint → reminder."""

from __future__ import annotations

from decimal import Decimal

import attrs
import polars as pl

from jixiao import Rule, hookimpl


@attrs.frozen(kw_only=True)
class ExecutionReminderParams:
    month: int = 9  # the checkpoint: the end of this month of the budget year
    min_rate: Decimal = Decimal("0.75")


class ExecutionReminder(Rule):
    name = "execution_reminder"
    summary = "execution below min_rate at the end of the checkpoint month → reminder"
    Params = ExecutionReminderParams
    reads = ("budget_fen", "spent_fen", "fiscal_year")

    @hookimpl
    def jixiao_monitor(self, as_of, facts):
        p = self.params
        rate = Decimal(p.min_rate)
        num, den = rate.as_integer_ratio()
        checkpoint = pl.date(pl.col("fiscal_year"), p.month, 1).dt.month_end()
        slow = facts.filter(
            (pl.col("fiscal_year") == as_of.year)
            & (pl.lit(as_of) >= checkpoint)
            & (pl.col("spent_fen") * den < pl.col("budget_fen") * num)  # exact: spent/budget < rate
        )
        message = f"截至{p.month}月末预算执行率低于{(rate * 100).normalize():f}%，请加快支出进度"
        return self.output(self.findings(slow, "remind", message, assumed=self.is_assumed("min_rate", "month")))
