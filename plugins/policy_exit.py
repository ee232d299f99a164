"""清理退出与全周期跟踪 (Nanchang （五）, Shilong 二（一）1): policies and projects that have expired or
perform poorly are cleared out; those implemented over more than a year are tracked over their
whole cycle. A project has *expired* when it asks for money in a fiscal year that begins after its
implementation period ended."""

from __future__ import annotations

import attrs
import polars as pl

from jixiao.core.dates import add_months_expr, year_start_expr
from jixiao.core.hookspecs import hookimpl
from jixiao.core.rule import Rule


@attrs.frozen(kw_only=True)
class PolicyExitParams:
    low_grades: list[str] = attrs.field(factory=lambda: ["差"])
    exit_expired: bool = True
    # Implementation longer than this many calendar months (end on or after start + months) is tracked.
    track_longer_than_months: int = 12

    def __attrs_post_init__(self):
        if not 1 <= self.track_longer_than_months <= 1200:
            raise ValueError(f"track_longer_than_months: 1 to 1200 months, got {self.track_longer_than_months}")


class PolicyExit(Rule):
    name = "policy_exit"
    summary = "expired or low-performing policies and projects cleared out; multi-year ones tracked"
    Params = PolicyExitParams
    reads = ("start_date", "end_date", "grade")

    @hookimpl
    def jixiao_apply(self, as_of, facts):
        p = self.params
        grade = pl.col("grade") if "grade" in facts.columns else pl.lit(None, pl.String)
        rows = facts.select("project_id", "pix", "start_date", "end_date", "fiscal_year", grade.alias("_grade"))
        expired = (pl.col("end_date") < year_start_expr(pl.col("fiscal_year"))) if p.exit_expired else pl.lit(False)
        low = pl.col("_grade").is_in(p.low_grades)
        leaving = rows.filter((expired | low).fill_null(False))
        why = (pl.when(expired.fill_null(False) & low.fill_null(False)).then(pl.lit("已到期且绩效低下"))
               .when(expired.fill_null(False)).then(pl.lit("实施期已于 ") + pl.col("end_date").dt.strftime("%Y-%m-%d") + pl.lit(" 到期"))
               .otherwise(pl.lit("绩效低下（评价等级") + pl.col("_grade") + pl.lit("）")))
        long = rows.filter((pl.col("end_date") >= add_months_expr(pl.col("start_date"), p.track_longer_than_months))
                           & (pl.col("end_date") >= as_of))
        return self.output(pl.concat([
            self.findings(leaving, "exit_policy", why + pl.lit("，及时清理退出"), assumed=self.is_assumed("low_grades")),
            self.findings(long, "full_cycle_tracking", "实施期超过一年，实行全周期跟踪问效",
                          assumed=self.is_assumed("track_longer_than_months")),
        ]))
