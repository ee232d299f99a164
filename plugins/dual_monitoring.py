"""双监控: target progress and budget execution are both held against the time elapsed.

During implementation (from ``from_progress`` of the period on), a project whose execution rate or
target completion trails the time elapsed by ``suspend_gap`` or more has its disbursement suspended
(暂缓拨款); by ``stop_gap`` or more, stopped (停止拨款). Time elapsed runs from the start to the end
of implementation (the fiscal year when those dates are absent). All shares are in millionths.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import attrs
import polars as pl

from jixiao.core.dates import year_end_expr, year_start_expr
from jixiao.core.hookspecs import hookimpl
from jixiao.core.indicators import MICRO, completion_micro, indicator_shares
from jixiao.core.money import wide_ratio
from jixiao.core.rule import Rule


@attrs.frozen(kw_only=True)
class DualMonitoringParams:
    suspend_gap: Decimal = Decimal("0.3")
    stop_gap: Decimal | None = None  # no stopping unless a pack sets it
    from_progress: Decimal = Decimal("0.5")
    qualitative_partial: Decimal = Decimal("0.7")

    def __attrs_post_init__(self):
        for name in ("suspend_gap", "stop_gap", "from_progress", "qualitative_partial"):
            v = getattr(self, name)
            if v is not None and not (0 <= v <= 1 and v * MICRO == (v * MICRO).to_integral_value()):
                raise ValueError(f"{name}: a ratio between 0 and 1 with at most 6 decimals, got {v}")
        if self.stop_gap is not None and self.stop_gap <= self.suspend_gap:
            raise ValueError("stop_gap must be larger than suspend_gap")


def micro(d: Decimal) -> int:
    return int(d * MICRO)


class DualMonitoring(Rule):
    name = "dual_monitoring"
    summary = "target progress and execution against time elapsed: suspend or stop disbursement"
    Params = DualMonitoringParams
    reads = ("start_date", "end_date", "fiscal_year", "budget_fen", "spent_fen")

    def progress(self, portfolio, as_of: dt.date, facts: pl.DataFrame) -> pl.DataFrame:
        p = self.params
        partial = micro(p.qualitative_partial)
        completion = portfolio.memo(("target_completion", partial), lambda: completion_micro(
            indicator_shares(portfolio.indicators.lazy(), MICRO, partial, 0), facts.height))
        start = pl.col("start_date").fill_null(year_start_expr(pl.col("fiscal_year")))
        end = pl.col("end_date").fill_null(year_end_expr(pl.col("fiscal_year")))
        # The period's ends once, then read as columns (an eager select would compute a repeated
        # sub-expression each time it appears).
        rows = facts.select("project_id", "pix", "budget_fen", "spent_fen", start.alias("_start"), end.alias("_end"))
        total = (pl.col("_end") - pl.col("_start")).dt.total_days() + 1
        elapsed = (pl.lit(as_of) - pl.col("_start")).dt.total_days() + 1
        b, s = pl.col("budget_fen"), pl.col("spent_fen")
        return rows.select("project_id", "pix", "_start", "_end",
                           (pl.min_horizontal(elapsed, total) * MICRO // total).alias("time_progress"),
                           pl.when(b <= 0).then(MICRO).otherwise(wide_ratio(pl.min_horizontal(s, b), MICRO, b))
                           .alias("execution_rate")).hstack([completion])

    @hookimpl
    def jixiao_monitor(self, portfolio, as_of, facts):
        p = self.params
        prog = self.progress(portfolio, as_of, facts)
        active = (pl.col("_start") <= as_of) & (pl.col("_end") >= as_of) & (pl.col("time_progress") >= micro(p.from_progress))
        gap = pl.max_horizontal(pl.col("time_progress") - pl.col("execution_rate"),
                                pl.col("time_progress") - pl.col("target_completion").fill_null(pl.col("time_progress")))
        prog = prog.with_columns(pl.when(active).then(gap).otherwise(None).alias("_gap"))
        serious = (pl.col("_gap") >= micro(p.suspend_gap)).fill_null(False)
        # Never a literal predicate: polars refuses one on a frame of several chunks.
        stop = micro(p.stop_gap) if p.stop_gap is not None else MICRO + 1  # a gap never reaches it
        stopping = (pl.col("_gap") >= stop).fill_null(False)
        pct = lambda c: (pl.col(c) // 10_000).cast(pl.String) + pl.lit("%")  # noqa: E731
        text = (pl.lit("时间进度 ") + pct("time_progress") + pl.lit("，预算执行率 ") + pct("execution_rate")
                + pl.lit("，绩效目标完成 ") + pl.col("target_completion").fill_null(0).floordiv(10_000).cast(pl.String)
                + pl.lit("%，严重偏离"))
        assumed = self.is_assumed("suspend_gap", "stop_gap", "from_progress")
        findings = pl.concat([
            self.findings(prog.filter(serious & ~stopping), "suspend_disbursement",
                          text + pl.lit("，暂缓预算拨款并督促整改"), assumed=assumed),
            self.findings(prog.filter(stopping), "stop_disbursement",
                          text + pl.lit("，停止预算拨款并督促整改"), assumed=assumed),
        ])
        out_facts = prog.select("project_id", "pix", "time_progress", "execution_rate", "target_completion",
                                serious.alias("monitoring_deviation"))
        return self.output(findings, out_facts)
