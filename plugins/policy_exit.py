"""清理退出与全周期跟踪 (Nanchang （五）, Shilong 二（一）1, Tianyuan 第二十八条).

Clearing out: a project that has expired, or performs poorly, or — with ``exit_when = "both"`` —
both (Shilong: 执行到期**且**绩效不高), is cleared out. A project has *expired* when it asks for
money in a fiscal year that begins after its implementation period ended.

Tracking: a project whose implementation runs longer than ``track_longer_than_months`` (Nanchang,
Shilong: 实施期超过一年), or, with ``track = "crosses_year"``, whose implementation crosses a year
end (Tianyuan: 跨年度), gets ``tracking_action`` — full-cycle tracking or a stage evaluation — only
while it is still running, and with ``track_major_only`` only when it is 重大 (is_major).
"""

from __future__ import annotations

from typing import Literal

import attrs
import polars as pl

from jixiao.rules import GRADES, Rule, add_months_expr, hookimpl, project_columns, year_start_expr


@attrs.frozen(kw_only=True)
class PolicyExitParams:
    low_grades: list[str] = attrs.field(factory=lambda: ["差"], metadata={GRADES: True})
    exit_expired: bool = True
    # Expired or low-performing ("either"), or only expired and low-performing ("both").
    exit_when: Literal["either", "both"] = "either"
    # Implementation longer than this many calendar months (end on or after start + months) is tracked.
    track_longer_than_months: int = 12
    track: Literal["longer_than", "crosses_year", "none"] = "longer_than"
    track_major_only: bool = False
    tracking_action: Literal["full_cycle_tracking", "stage_evaluation"] = "full_cycle_tracking"

    def __attrs_post_init__(self):
        if self.exit_when == "both" and not (self.exit_expired and self.low_grades):
            raise ValueError("exit_when = \"both\" 要求 exit_expired = true，且 low_grades 至少写一个等级")
        if not 1 <= self.track_longer_than_months <= 1200:
            raise ValueError(f"track_longer_than_months：应为 1 到 1200 个月，写的是 {self.track_longer_than_months}")


class PolicyExit(Rule):
    name = "policy_exit"
    summary = "expired or low-performing policies and projects cleared out; multi-year ones tracked"
    Params = PolicyExitParams
    reads = ("start_date", "end_date", "is_major", "grade", "grade_final")

    @hookimpl
    def jixiao_apply(self, as_of, facts):
        p = self.params
        grade = pl.col("grade") if "grade" in facts.columns else pl.lit(None, pl.String)
        rows = project_columns(facts, "start_date", "end_date", "fiscal_year", "is_major",
                            grade.alias("_grade"),
                            (pl.col("grade_final").fill_null(False) if "grade_final" in facts.columns
                             else pl.lit(True)).alias("_final"))
        expired = (pl.col("end_date") < year_start_expr(pl.col("fiscal_year"))) if p.exit_expired else pl.lit(False)
        # 绩效低下 rests on an evaluation result (grade_final), not on a score jixiao computed or a
        # report still waiting for finance's review.
        low = pl.col("_grade").is_in(p.low_grades) & pl.col("_final")
        leaves = (expired.fill_null(False) & low.fill_null(False)) if p.exit_when == "both" else (expired | low)
        leaving = rows.filter(leaves.fill_null(False))
        why = (pl.when(expired.fill_null(False) & low.fill_null(False)).then(pl.lit("已到期且绩效低下"))
               .when(expired.fill_null(False)).then(pl.lit("实施期已于 ") + pl.col("end_date").dt.strftime("%Y-%m-%d") + pl.lit(" 到期"))
               .otherwise(pl.lit("绩效低下（评价等级") + pl.col("_grade") + pl.lit("）")))
        if p.track == "crosses_year":
            spans = pl.col("end_date").dt.year() > pl.col("start_date").dt.year()
            track_text = "跨年度实施"
        else:
            spans = pl.col("end_date") >= add_months_expr(pl.col("start_date"), p.track_longer_than_months)
            track_text = "实施期超过一年"
        if p.track_major_only:
            spans = spans & pl.col("is_major").fill_null(False)
            track_text += "的重大（重点）项目"
        track_text += ("，实行全周期跟踪问效" if p.tracking_action == "full_cycle_tracking"
                       else "，可根据项目或支出完成情况实施阶段性评价，项目完成后实施总体评价")
        parts = [self.findings(leaving, "exit_policy", why + pl.lit("，及时清理退出"),
                               assumed=self.is_assumed("low_grades", "exit_when"))]
        if p.track != "none":
            long = rows.filter((spans & (pl.col("end_date") >= as_of)).fill_null(False))
            parts.append(self.findings(long, p.tracking_action, track_text,
                                       assumed=self.is_assumed("track_longer_than_months", "track", "track_major_only")))
        return self.output(pl.concat(parts))
