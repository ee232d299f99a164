"""限期整改: a rectification report is due a number of calendar months after the clock starts, and
the clock starts where the document starts it:

- ``start = "decision"``: when the accountability decision (问责决定) is received (Tianyuan
  第四十一条、第四十二条: two months);
- ``start = "evaluation_feedback"``: when an evaluation's result and rectification demands are fed
  back to the evaluated unit (Shilong 二（二）8, Qingdao 二（七）, Nanchang （十）). The feedback date
  is the evaluation's recorded date (``feedback_date = "evaluation_date"``; the documents give no
  other) — for a self-evaluation (``self`` in ``feedback_kinds``), the date of finance's review of
  it, which is its feedback; an unreviewed self-evaluation has had none. An evaluation carries demands when its 需整改 column says so, or, where that is empty,
  when it is the evaluation that graded the project and the grade is one of ``grades``.

The period ends on the corresponding day, clamped to the month's end, and moves to the next working
day when that is a rest day (民法典 第二百零二条、第二百零三条; core/dates.py). Before the due day the
finding is ``rectify`` with its due date; after it, and on every later run, ``rectification_overdue``
until a report comes; a report that came after the due date stays on record as late. A report dated
before the clock started is not a report on this decision or feedback."""

from __future__ import annotations

import datetime as dt
from typing import Literal

import attrs
import polars as pl

from jixiao.rules import Rule, deadline_status, decision_status, fact_of, hookimpl, project_columns, with_facts

FeedbackKind = Literal["department", "finance", "third_party", "self"]
KIND_ZH = {"department": "部门评价", "finance": "财政重点评价", "third_party": "第三方评价", "self": "单位自评"}


@attrs.frozen(kw_only=True)
class RectificationParams:
    months: int = 2
    start: Literal["decision", "evaluation_feedback"] = "decision"
    # evaluation_feedback only: which evaluations are fed back by an evaluator to the evaluated unit.
    feedback_kinds: list[FeedbackKind] = attrs.field(factory=lambda: ["department", "finance", "third_party"])
    # … when that feedback counts as given (the only date the portfolio records for an evaluation).
    feedback_date: Literal["evaluation_date"] = "evaluation_date"
    # … the grades whose feedback carries rectification demands when 需整改 is not recorded.
    grades: list[str] = attrs.field(factory=list)

    def __attrs_post_init__(self):
        if not 1 <= self.months <= 120:
            raise ValueError(f"months：应为 1 到 120 个月，写的是 {self.months}")


class RectificationDeadline(Rule):
    name = "rectification_deadline"
    summary = "rectification report due N calendar months after the clock starts (decision received or evaluation fed back), rolled to a working day"
    Params = RectificationParams
    reads = ("fiscal_year", "grade", "score_source")

    def feedback_status(self, portfolio, as_of: dt.date, facts: pl.DataFrame | None) -> pl.DataFrame:
        """Evaluations fed back with rectification demands by the date, clocked like decisions;
        ``undated`` rows have no feedback date and so no due date."""
        p = self.params
        ev = portfolio.evaluations.filter(pl.col("kind").is_in(p.feedback_kinds))
        # A self-evaluation is fed back by finance's review of it (复核、审核意见): its clock starts at
        # the review's date, and a report not reviewed yet has had no feedback.
        ev = (ev.filter((pl.col("kind") != "self") | (pl.col("review_date") <= as_of).fill_null(False))
              .with_columns(pl.when(pl.col("kind") == "self").then(pl.col("review_date")).otherwise(pl.col("date"))
                            .alias("date"))
              .filter(pl.col("date").is_null() | (pl.col("date") <= as_of)))
        if p.grades and facts is not None and "grade" in facts.columns:
            ev = with_facts(ev, facts, "fiscal_year", "grade", "score_source")
            by_grade = ((pl.col("year") == pl.col("fiscal_year")) & (pl.col("kind") == pl.col("score_source"))
                        & pl.col("grade").is_in(p.grades)).fill_null(False)
        else:
            by_grade = pl.lit(False)
        ev = ev.filter(pl.col("rectification_required").fill_null(by_grade))
        ev = project_columns(ev, fact_of(portfolio.projects, "project_id"), "year", "kind", "date",
                             "rectification_report_date", pl.col("rectification_required").is_not_null().alias("demanded"))
        return (deadline_status(ev, "date", "rectification_report_date", as_of, p.months, self.calendar)
                .with_columns(pl.col("date").is_null().alias("undated")))

    def _status(self, portfolio, as_of, facts) -> pl.DataFrame:
        if self.params.start == "decision":
            st = decision_status(portfolio, as_of, self.params.months, self.calendar)
            return st.with_columns(pl.lit(False).alias("undated"))
        return self.feedback_status(portfolio, as_of, facts)

    @hookimpl
    def jixiao_apply(self, portfolio, as_of, facts):
        p = self.params
        st = self._status(portfolio, as_of, facts)
        assumed = self.is_assumed("months", "feedback_date", "grades", "feedback_kinds")
        day = lambda c: pl.col(c).dt.strftime("%Y-%m-%d")  # noqa: E731
        if p.start == "decision":
            what = pl.lit("问责决定 ") + pl.col("decision_id")
            given = what + pl.lit(" 已于 ") + day("received_date") + pl.lit(" 送达")
            since = f"收到决定之日起{p.months}个月内" + ("，文件未规定期限，为规则包假定" if self.is_assumed("months") else "")
            report = "整改报告"
        else:
            what = pl.col("year").cast(pl.String) + pl.lit("年度") + pl.col("kind").replace_strict(KIND_ZH, return_dtype=pl.String)
            # Demands recorded (需整改) are said as given; demands read from the grade are said as such.
            by_grade = f"（未记录整改要求：评价等级为{'、'.join(p.grades)}的视为附有整改要求）" if p.grades else ""
            given = (pl.when(pl.col("demanded")).then(what + pl.lit("结果和整改要求已于 ") + day("date") + pl.lit(" 反馈"))
                     .otherwise(what + pl.lit("结果已于 ") + day("date") + pl.lit(" 反馈" + by_grade)))
            since = f"评价结果反馈之日起{p.months}个月内" + ("，文件未规定期限，为规则包假定" if self.is_assumed("months") else "")
            report = "整改结果"
        roll = (pl.when(~pl.col("covered"))
                .then(pl.lit("；") + pl.col("end").dt.year().cast(pl.String)
                      + pl.lit("年节假日安排未知，期满日未按法定休假日顺延，请核对"))
                .when(pl.col("due") != pl.col("end"))
                .then(pl.lit("；期满日 ") + day("end") + pl.lit(" 为法定休假日，顺延至其后第一个工作日"))
                .otherwise(pl.lit("")))
        early = (pl.when(pl.col("early")).then(pl.lit(f"；记录的{report}日期 ") + day(
            "rectification_report_date" if p.start != "decision" else "report_date") + pl.lit(" 早于起算日，不作为本次整改报告"))
                 .otherwise(pl.lit("")))
        msg_pending = (given + pl.lit(f"，{report}应于 ") + day("due") + pl.lit(f" 前（含当日）报送（{since}")
                       + roll + pl.lit("）") + early)
        reported = "rectification_report_date" if p.start != "decision" else "report_date"
        msg_overdue = (what + pl.lit(f"的{report}应于 ") + day("due") + pl.lit(" 前（含当日）报送")
                       + pl.when(pl.col("status") == "late")
                       .then(pl.lit("，") + day(reported) + pl.lit(" 才报送，逾期"))
                       .otherwise(pl.lit("，至今未报送，已逾期"))
                       + pl.lit(f"（{since}") + roll + pl.lit("）") + early)
        msg_undated = (what + pl.lit(f"结果已反馈，但评价日期未记录，{report}期限（{since}）无法起算，请补录评价日期"))
        dated = st.filter(~pl.col("undated"))
        findings = pl.concat([
            self.findings(dated.filter(pl.col("status") == "pending"), "rectify", msg_pending,
                          due_date=pl.col("due"), assumed=assumed),
            self.findings(dated.filter(pl.col("status").is_in(["overdue", "late"])), "rectification_overdue",
                          msg_overdue, due_date=pl.col("due"), assumed=assumed),
            self.findings(st.filter(pl.col("undated")), "rectify", msg_undated, assumed=assumed),
        ])
        return self.output(findings)

    @hookimpl
    def jixiao_explain(self, portfolio, as_of, facts):
        st = self._status(portfolio, as_of, facts).filter((pl.col("status") == "pending") & ~pl.col("undated"))
        days = (pl.col("due") - pl.lit(as_of)).dt.total_days().cast(pl.String)
        report = "整改报告" if self.params.start == "decision" else "整改结果报送"
        note = pl.lit(f"距{report}截止还有 ") + days + pl.lit(" 天（") + pl.col("due").dt.strftime("%Y-%m-%d") + pl.lit("）")
        return self.output(notes=st.select("project_id", note.alias("note")))
