"""限期整改: the rectification report is due a number of calendar months after the accountability
decision is received (Tianyuan 第四十二条: two months). Before the due date the finding is ``rectify``
with its due date; after it, and on every later run, ``rectification_overdue`` until a report comes;
a report that came after the due date stays on record as late."""

from __future__ import annotations

import datetime as dt

import attrs
import polars as pl

from jixiao.core.dates import add_months_expr
from jixiao.core.hookspecs import hookimpl
from jixiao.core.rule import Rule


@attrs.frozen(kw_only=True)
class RectificationParams:
    months: int = 2

    def __attrs_post_init__(self):
        if not 1 <= self.months <= 120:
            raise ValueError(f"months: 1 to 120 months, got {self.months}")


def decision_status(portfolio, as_of: dt.date, months: int) -> pl.DataFrame:
    """Decisions received by the date, with ``due`` and ``status``: pending, overdue, late or done."""
    due = add_months_expr(pl.col("received_date"), months)
    reported = pl.col("report_date").is_not_null() & (pl.col("report_date") <= as_of)
    status = (pl.when(reported & (pl.col("report_date") <= pl.col("due"))).then(pl.lit("done"))
              .when(reported).then(pl.lit("late"))
              .when(pl.lit(as_of) > pl.col("due")).then(pl.lit("overdue"))
              .otherwise(pl.lit("pending")))
    return (portfolio.accountability.filter(pl.col("received_date") <= as_of)
            .with_columns(due.alias("due")).with_columns(status.alias("status"))
            .select("project_id", "pix", "decision_id", "received_date", "report_date", "due", "status"))


class RectificationDeadline(Rule):
    name = "rectification_deadline"
    summary = "rectification report due N calendar months after the accountability decision is received"
    Params = RectificationParams

    @hookimpl
    def jixiao_apply(self, portfolio, as_of):
        st = decision_status(portfolio, as_of, self.params.months)
        assumed = self.is_assumed("months")
        pending = st.filter(pl.col("status") == "pending")
        overdue = st.filter(pl.col("status").is_in(["overdue", "late"]))
        due_text = pl.col("due").dt.strftime("%Y-%m-%d")
        msg_pending = (pl.lit("问责决定 ") + pl.col("decision_id") + pl.lit(" 已送达，整改报告应于 ") + due_text
                       + pl.lit(f" 前报送（收到决定之日起{self.params.months}个月内）"))
        msg_overdue = (pl.lit("问责决定 ") + pl.col("decision_id") + pl.lit(" 的整改报告应于 ") + due_text
                       + pl.when(pl.col("status") == "late")
                       .then(pl.lit(" 前报送，") + pl.col("report_date").dt.strftime("%Y-%m-%d") + pl.lit(" 才报送，逾期"))
                       .otherwise(pl.lit(" 前报送，至今未报送，已逾期")))
        findings = pl.concat([
            self.findings(pending, "rectify", msg_pending, due_date=pl.col("due"), assumed=assumed),
            self.findings(overdue, "rectification_overdue", msg_overdue, due_date=pl.col("due"), assumed=assumed),
        ])
        return self.output(findings)

    @hookimpl
    def jixiao_explain(self, portfolio, as_of):
        st = decision_status(portfolio, as_of, self.params.months).filter(pl.col("status") == "pending")
        days = (pl.col("due") - pl.lit(as_of)).dt.total_days().cast(pl.String)
        note = pl.lit("距整改报告截止还有 ") + days + pl.lit(" 天（") + pl.col("due").dt.strftime("%Y-%m-%d") + pl.lit("）")
        return self.output(notes=st.select("project_id", note.alias("note")))
