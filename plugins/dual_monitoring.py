"""双监控: target progress and budget execution are both held against the time elapsed.

During the fiscal year's implementation (from ``from_progress`` of it on), a project whose execution
rate or target completion (``measure``: ``either`` — the larger lag —, ``targets`` or ``execution``)
trails the time elapsed by ``correct_gap`` or more is told to correct the deviation (督促纠偏: the
units' own 双监控, “发现问题及时纠正”, every project).

Suspending or stopping disbursement is for a “存在严重问题的政策、项目” (34号 四（九）, Nanchang （八）,
Shilong 二（二）6): a project whose performance is in trouble. ``suspend_measure`` says what shows it;
by default (``targets_first``) the target completion where it is recorded and dated by the run date
(完成值日期: an undated actual value may be the year-end result), and the execution rate where it
is not: a project that spends slowly but keeps pace on its targets has no serious
problem — withholding its money would only slow it further — and is told to correct its pace
instead. ``targets``, ``execution`` and ``either`` (the larger lag) are the other readings. By
``suspend_gap`` or more its disbursement is suspended (暂缓拨款); by ``stop_gap`` or more, stopped
(停止拨款) — for the projects in ``suspend_scope`` (the 重大 items finance tracks, where the document
says so).

The unit's own in-year monitoring report (the ``monitoring`` table, 一体化 PAY_PERF_MONITOR_INFO),
where the portfolio has one and ``monitoring_report`` is on, is evidence of its own: the latest report
sent by the run date for the project's budget year, while the project is being implemented. Where it
says a target cannot be met (完成目标可能性 完全不可能 …), that the project needs rectifying (是否需要整改
是), or — where the pack sets ``forecast_min_rate`` — that the budget expected to be executed by the year
end (全年预计执行) falls below that share of the budget, the unit is told to correct the deviation
(督促纠偏: “发现问题及时纠正”; Tianyuan 第十八条 “当预算执行绩效与绩效目标发生偏离时，预算部门应及时
采取矫正措施”). The report moves no money: no clause suspends disbursement on a unit's own forecast,
and the time-based judgement above is unchanged by it. The pack may cite the clause for this reading
(``[rules.x.cite] monitoring_report``).

A year's budget is executed in its year: time elapsed runs over the part of the fiscal year in which
the project is implemented (from the later of its start and 1 January to the earlier of its end and
31 December), so a three-year project 30 % spent on 30 September of its first year trails by 45
points, not by 5. All shares are in millionths.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

import attrs
import polars as pl

from jixiao.rules import (
    MICRO, Rule, aggregate_per_project, below_share_expr, completion_micro, fact_of, hookimpl, indicator_shares,
    max_per_project, project_columns, spread_over_projects, wide_ratio, yuan_text_expr, year_end_expr, year_start_expr,
)


@attrs.frozen(kw_only=True)
class DualMonitoringParams:
    suspend_gap: Decimal = Decimal("0.3")
    stop_gap: Decimal | None = None  # no stopping unless a pack sets it
    from_progress: Decimal = Decimal("0.5")
    qualitative_partial: Decimal = Decimal("0.7")
    # What is held against time for 督促纠偏: the larger of the two lags (either), or one of them.
    measure: Literal["either", "targets", "execution"] = "either"
    # What shows a 严重问题 that suspends or stops disbursement (see the module docstring).
    suspend_measure: Literal["targets_first", "either", "targets", "execution"] = "targets_first"
    # Which projects can have disbursement suspended or stopped: all, or 重大 (is_major) ones only.
    # none: no suspension or stop at all (a document with its own in-year sequence: Tongxin 二（三）).
    suspend_scope: Literal["all", "major", "none"] = "all"
    # A gap from which every project is told to correct the deviation (None: no such finding).
    correct_gap: Decimal | None = None
    # Whether the unit's monitoring report (the monitoring table, when given) is read: a report that
    # says a target cannot be met or that rectification is needed is told to correct the deviation.
    monitoring_report: bool = True
    # A report whose forecast execution (全年预计执行 / budget) is below this share is told to
    # correct the deviation too (None: the forecast is shown, not judged).
    forecast_min_rate: Decimal | None = None

    def __attrs_post_init__(self):
        for name in ("suspend_gap", "stop_gap", "from_progress", "qualitative_partial", "forecast_min_rate"):
            v = getattr(self, name)
            if v is not None and not (0 <= v <= 1 and v * MICRO == (v * MICRO).to_integral_value()):
                raise ValueError(f"{name}：比例应在 0 到 1 之间、最多 6 位小数，写的是 {v:f}（30% 写作 \"0.3\"）")
        if self.stop_gap is not None and self.stop_gap <= self.suspend_gap:
            raise ValueError(f"stop_gap 应大于 suspend_gap，写的是 stop_gap = {self.stop_gap}、suspend_gap = {self.suspend_gap}")


def micro(d: Decimal) -> int:
    return int(d * MICRO)


class DualMonitoring(Rule):
    name = "dual_monitoring"
    summary = "target progress and execution against time elapsed: suspend or stop disbursement"
    Params = DualMonitoringParams
    # monitoring_report is this rule's own summary of the unit's report (a fact it returns), listed so
    # that `jixiao explain` shows the report among the data a finding relied on.
    reads = ("start_date", "end_date", "fiscal_year", "is_major", "budget_fen", "spent_fen", "monitoring_report")

    def report(self, portfolio, as_of: dt.date, facts: pl.DataFrame) -> pl.DataFrame:
        """Each project's latest monitoring report sent by ``as_of`` for its budget year (a report's
        empty 预算年度 is the year it was sent in: in-year reports are sent in their year), spread over every project: its date, whether a row of it says
        a target cannot be met (and which indicators), whether it asks for rectification, and the
        largest forecast execution it gives (the rows of one report repeat the project's figure)."""
        fy = fact_of(facts, "fiscal_year")
        last = pl.col("report_date") == pl.col("report_date").max()
        unlikely = pl.col("likelihood") == "unlikely"
        rows = portfolio.monitoring.lazy().filter(
            (pl.col("report_date") <= as_of)
            & (pl.col("year").fill_null(pl.col("report_date").dt.year().cast(pl.Int64)) == fy))
        agg = aggregate_per_project(
            rows, pl.col("report_date").max().alias("_r_date"),
            unlikely.filter(last).any().alias("_r_unlikely"),
            pl.col("indicator").filter(last & unlikely).drop_nulls().unique(maintain_order=True).str.join("、")
            .alias("_r_missed"),
            pl.col("rectify").filter(last).fill_null(False).any().alias("_r_rectify"),
            pl.col("rectify_advice").filter(last).drop_nulls().unique(maintain_order=True).str.join("；")
            .alias("_r_advice"),
            pl.col("forecast_executed_fen").filter(last).max().alias("_r_forecast"))
        return spread_over_projects(agg, facts.height)

    def progress(self, portfolio, as_of: dt.date, facts: pl.DataFrame) -> pl.DataFrame:
        p = self.params
        partial = micro(p.qualitative_partial)
        completion = self.shared(portfolio, "target_completion", lambda: completion_micro(
            indicator_shares(portfolio.indicators.lazy(), MICRO, partial, 0), facts.height),
            params=("qualitative_partial",))
        y0, y1 = year_start_expr(pl.col("fiscal_year")), year_end_expr(pl.col("fiscal_year"))
        start = pl.max_horizontal(pl.col("start_date").fill_null(y0), y0)
        end = pl.min_horizontal(pl.col("end_date").fill_null(y1), y1)
        # The period's ends once, then read as columns (an eager select would compute a repeated
        # sub-expression each time it appears).
        # Target progress counts as in-year evidence only when its actual values are dated by the run
        # date (完成值日期): an undated value may be the year-end result, read back into the year.
        ind = portfolio.indicators
        # (every row dated: no undated row, the largest "undated" flag 0 — a reduction over sorted runs,
        # several times cheaper than a group-by of every indicator)
        undated = (~(pl.col("actual").is_null() | (pl.col("actual_date") <= as_of).fill_null(False))).cast(pl.Int8)
        dated = self.shared(portfolio, "progress_dated", lambda: (max_per_project(
            ind.lazy(), facts.height, _undated=undated)["_undated"] == 0).fill_null(False).alias("_dated"), on=(as_of,))
        rows = project_columns(facts, "fiscal_year", "budget_fen", "spent_fen",
                               pl.col("is_major").fill_null(False).alias("_major"), start.alias("_start"), end.alias("_end"))
        total = (pl.col("_end") - pl.col("_start")).dt.total_days() + 1
        elapsed = (pl.lit(as_of) - pl.col("_start")).dt.total_days() + 1
        b, s = pl.col("budget_fen"), pl.col("spent_fen")
        return project_columns(rows, "fiscal_year", "budget_fen", "_major", "_start", "_end",
                               (pl.min_horizontal(elapsed, total) * MICRO // total).alias("time_progress"),
                               pl.when(b <= 0).then(MICRO).otherwise(wide_ratio(pl.min_horizontal(s, b), MICRO, b))
                               .alias("execution_rate")).hstack([completion, dated.alias("_dated")])

    @hookimpl
    def jixiao_monitor(self, portfolio, as_of, facts):
        p = self.params
        prog = self.progress(portfolio, as_of, facts)
        active = (pl.col("_start") <= as_of) & (pl.col("_end") >= as_of) & (pl.col("time_progress") >= micro(p.from_progress))
        exec_gap = pl.col("time_progress") - pl.col("execution_rate")
        target_gap = pl.col("time_progress") - pl.col("target_completion").fill_null(pl.col("time_progress"))
        gaps = {"either": pl.max_horizontal(exec_gap, target_gap), "execution": exec_gap, "targets": target_gap,
                "targets_first": pl.when(pl.col("target_completion").is_not_null() & pl.col("_dated"))
                .then(target_gap).otherwise(exec_gap)}
        prog = prog.with_columns(pl.when(active).then(gaps[p.measure]).otherwise(None).alias("_gap"),
                                 pl.when(active).then(gaps[p.suspend_measure]).otherwise(None).alias("_serious_gap"))
        in_scope = {"major": pl.col("_major"), "all": pl.lit(True), "none": pl.lit(False)}[p.suspend_scope]
        deviation = (pl.col("_gap") >= micro(p.suspend_gap)).fill_null(False)
        serious = (pl.col("_serious_gap") >= micro(p.suspend_gap)).fill_null(False) & in_scope
        # Never a literal predicate: polars refuses one on a frame of several chunks.
        stop = micro(p.stop_gap) if p.stop_gap is not None else MICRO + 1  # a gap never reaches it
        stopping = (pl.col("_serious_gap") >= stop).fill_null(False) & in_scope
        pct = lambda c: (pl.col(c) // 10_000).cast(pl.String) + pl.lit("%")  # noqa: E731
        text = (pl.col("fiscal_year").cast(pl.String) + pl.lit("年度时间进度 ") + pct("time_progress")
                + pl.lit("，预算执行率 ") + pct("execution_rate")
                + pl.lit("，绩效目标完成 ")
                + pl.when(pl.col("target_completion").is_null()).then(pl.lit("未填报"))
                .otherwise(pl.col("target_completion").floordiv(10_000).cast(pl.String) + pl.lit("%")))
        if p.suspend_measure == "targets_first":
            # Say why a recorded completion was not the measure: its values carry no date by the run date.
            text = text + pl.when(pl.col("target_completion").is_not_null() & ~pl.col("_dated")).then(
                pl.lit("（完成值未注明截至本日的完成值日期，可能是年末结果，不作为年中判断依据）")).otherwise(pl.lit(""))
        assumed = self.is_assumed("suspend_gap", "stop_gap", "from_progress", "suspend_scope", "suspend_measure")
        on_targets = {"targets": pl.lit(True), "execution": pl.lit(False),
                      "either": target_gap >= exec_gap,
                      "targets_first": pl.col("target_completion").is_not_null() & pl.col("_dated")}[p.suspend_measure]
        what = pl.when(on_targets).then(pl.lit("，绩效目标完成落后时间进度 ")).otherwise(pl.lit("，预算执行落后时间进度 "))
        lag = (pl.col("_serious_gap") // 10_000).cast(pl.String)
        year = pl.col("fiscal_year")
        parts = [
            self.findings(prog.filter(serious & ~stopping), "suspend_disbursement",
                          text + what + lag + pl.lit(" 个百分点，存在严重问题，暂缓")
                          + year.cast(pl.String) + pl.lit("年度预算拨款并督促整改"),
                          budget_year=year, applies_to="disbursement", assumed=assumed),
            self.findings(prog.filter(stopping), "stop_disbursement",
                          text + what + lag + pl.lit(" 个百分点，存在严重问题，停止")
                          + year.cast(pl.String) + pl.lit("年度预算拨款并督促整改"),
                          budget_year=year, applies_to="disbursement", assumed=assumed),
        ]
        by_report, report_text = pl.lit(False), pl.lit(None, pl.String)
        if p.monitoring_report and portfolio.monitoring.height:
            prog = prog.hstack(self.report(portfolio, as_of, facts))
            by_report, report_text, report_part = self.report_findings(prog, as_of, text, serious)
            parts.append(report_part)
        if p.correct_gap is not None:  # a project the report has the unit correct is told once, with both reasons
            deviating = (pl.col("_gap") >= micro(p.correct_gap)).fill_null(False) & ~serious & ~by_report
            parts.insert(0, self.findings(prog.filter(deviating), "correct_deviation",
                                          pl.lit("双监控：") + text + pl.lit("，偏离时间进度，分析原因并及时纠正"),
                                          assumed=self.is_assumed("correct_gap", "from_progress", "measure")))
        findings = pl.concat(parts)
        # The report fact is always there (null without a report), so that the facts of every span of
        # budget years have the same columns; an all-null text column costs nothing.
        out_facts = project_columns(prog, "time_progress", "execution_rate", "target_completion",
                                    deviation.alias("monitoring_deviation"), report_text.alias("monitoring_report"))
        return self.output(findings, out_facts)

    def report_findings(self, prog: pl.DataFrame, as_of: dt.date, text: pl.Expr, serious: pl.Expr):
        """From each project's latest report (``report``'s columns on ``prog``): which projects it has
        correct the deviation, the report as a fact (its date and what it said), and those findings.
        Nothing moves money; a project whose disbursement is suspended or stopped gets none."""
        p = self.params
        forecast_low = pl.lit(False)
        if p.forecast_min_rate is not None:
            forecast_low = (below_share_expr(pl.col("_r_forecast"), pl.col("budget_fen"), p.forecast_min_rate)
                            .fill_null(False) & (pl.col("budget_fen") > 0))
        in_year = (pl.col("_start") <= as_of) & (pl.col("_end") >= as_of)
        unlikely, rectify = pl.col("_r_unlikely").fill_null(False), pl.col("_r_rectify").fill_null(False)
        rate = f"{((p.forecast_min_rate or Decimal(0)) * 100).normalize():f}%"
        said = [(unlikely, pl.lit("完成目标可能性为“不可能完成”") + pl.when(pl.col("_r_missed").fill_null("") != "").then(
                    pl.lit("（指标：") + pl.col("_r_missed") + pl.lit("）")).otherwise(pl.lit(""))),
                (rectify, pl.lit("报告认为需要整改") + pl.when(pl.col("_r_advice").fill_null("") != "").then(
                    pl.lit("（整改要求和建议：") + pl.col("_r_advice") + pl.lit("）")).otherwise(pl.lit(""))),
                (forecast_low, pl.lit("全年预计执行 ") + yuan_text_expr(pl.col("_r_forecast")) + pl.lit(" 元，不足预算 ")
                 + yuan_text_expr(pl.col("budget_fen")) + pl.lit(f" 元的 {rate}"))]
        said_any = unlikely | rectify | forecast_low
        what = pl.concat_str([pl.when(c).then(t) for c, t in said], separator="；", ignore_nulls=True)
        sent = pl.col("_r_date").dt.strftime("%Y-%m-%d")
        report_text = pl.when(pl.col("_r_date").is_not_null()).then(
            sent + pl.lit(" 报送") + pl.when(said_any).then(
                pl.lit("：") + what + pl.when(in_year).then(pl.lit("")).otherwise(
                    pl.lit("（运行日不在本年度实施期内，不作年中纠偏）"))).otherwise(pl.lit("：未报告目标无法完成或需要整改")))
        by_report = said_any & in_year & ~serious
        lag_too = ((pl.col("_gap") >= micro(p.correct_gap)).fill_null(False) if p.correct_gap is not None
                   else pl.lit(False))
        # An assumed value is behind the finding only when the forecast alone gives it.
        forecast_only = forecast_low & ~unlikely & ~rectify
        found = self.findings(
            prog.filter(by_report), "correct_deviation",
            pl.lit("绩效监控报告（") + sent + pl.lit(" 报送）：") + what + pl.lit("；") + text
            + pl.when(lag_too).then(pl.lit("，偏离时间进度")).otherwise(pl.lit(""))
            + pl.lit("。监控发现问题，督促分析偏差原因并及时纠正（纠偏）"),
            assumed=forecast_only & pl.lit(self.is_assumed("forecast_min_rate")), cite="monitoring_report")
        return by_report, report_text, found
