"""单位自评全覆盖, and finance's review (复核) of every self-evaluation report.

- Coverage: every project self-evaluates its fiscal year (财预〔2020〕10号; Nanchang （九）, Qingdao
  二（六）, Tianyuan 第十条（二）, Shilong 二（二）7, Tongxin 二（四）). Once the due date — a day of the
  year after the fiscal year, ``due_month``-``due_day`` — has passed, a project with no
  self-evaluation of its fiscal year is ``self_evaluation_overdue``; one whose self-evaluation is
  dated after the due date stays on record as late. On the due date itself nothing is overdue. An
  undated self-evaluation counts as made in time.
- Review (``review_all``): where a document makes finance review every report (Tianyuan 第三十二条
  复核; Nanchang （九） 审核备案), each self-evaluation recorded by the as-of date is
  ``review_self_evaluation`` until the evaluations table records its review (复核日期 on or before
  the as-of date). Where finance spot-checks instead (Shilong 二（二）7), the ``spot_check`` plugin
  samples the reports.
"""

from __future__ import annotations

import datetime as dt

import attrs
import polars as pl

from jixiao.rules import (
    EVAL_KIND, Rule, aggregate_per_project, fact_of, hookimpl, join_on_project, project_columns, project_in,
)

KIND_CODES = tuple(dict.fromkeys(EVAL_KIND.values()))


@attrs.frozen(kw_only=True)
class SelfEvaluationCoverageParams:
    # The self-evaluation of fiscal year Y is due on this day of year Y+1.
    due_month: int = 4
    due_day: int = 30
    kinds: list[str] = attrs.field(factory=lambda: ["self"])  # evaluations that count as the self-evaluation
    # Only projects of these categories (all when empty), and of budgets from this year on.
    categories: list[str] = attrs.field(factory=list)
    from_fiscal_year: int | None = None
    review_all: bool = False  # finance reviews every self-evaluation report

    def __attrs_post_init__(self):
        try:
            dt.date(2001, self.due_month, self.due_day)  # a day every year has (no 02-29)
        except ValueError:
            raise ValueError(f"due_month/due_day：应为每年都有的日期（不能是 2 月 29 日），写的是 {self.due_month} 月 {self.due_day} 日") from None
        for k in self.kinds:
            if k not in KIND_CODES:
                raise ValueError(f"kinds：没有评价类型 {k!r}；可选：{', '.join(KIND_CODES)}")
        if not self.kinds:
            raise ValueError("kinds：至少写一种计为单位自评的评价类型，写的是 []")


class SelfEvaluationCoverage(Rule):
    name = "self_evaluation_coverage"
    summary = "every project self-evaluates its closed year by the due date; finance reviews every report"
    Params = SelfEvaluationCoverageParams
    reads = ("fiscal_year", "category")

    def due_expr(self, year: pl.Expr) -> pl.Expr:
        return pl.date(year + 1, self.params.due_month, self.params.due_day)

    def in_scope(self, facts: pl.DataFrame) -> pl.LazyFrame:
        p = self.params
        lf = project_columns(facts.lazy(), "project_id", "fiscal_year", "category")
        if p.categories:
            lf = lf.filter(pl.col("category").is_in(p.categories))
        if p.from_fiscal_year is not None:
            lf = lf.filter(pl.col("fiscal_year") >= p.from_fiscal_year)
        return lf

    def self_evaluations(self, portfolio, as_of: dt.date, facts: pl.DataFrame) -> pl.DataFrame:
        """One row per project with a self-evaluation of its fiscal year recorded by the date, in
        the portfolio's order: ``date`` (the earliest; null when one is undated, which counts as in time)
        and ``reviewed`` (finance's review of one of them is recorded by the date)."""
        ev = portfolio.evaluations
        ev = ev.filter(pl.col("kind").is_in(self.params.kinds)
                       & (pl.col("year") == fact_of(facts, "fiscal_year"))
                       & (pl.col("date").is_null() | (pl.col("date") <= as_of)))
        reviewed = pl.col("review_date").is_not_null() & (pl.col("review_date") <= as_of)
        return aggregate_per_project(
            ev.lazy(), pl.when(pl.col("date").is_null().any()).then(None).otherwise(pl.col("date").min()).alias("date"),
            reviewed.any().alias("reviewed"), pl.lit(True).alias("evaluated"))

    @hookimpl
    def jixiao_evaluate(self, portfolio, as_of, facts):
        p, parts = self.params, []
        done = self.self_evaluations(portfolio, as_of, facts)
        scope = self.in_scope(facts)
        due_assumed = self.is_assumed("due_month", "due_day", "kinds", "categories", "from_fiscal_year")
        # Coverage: the year has closed and its due date has passed.
        closed = (scope.filter(self.due_expr(pl.col("fiscal_year")) < pl.lit(as_of))
                  .pipe(join_on_project, done.lazy(), how="left", maintain_order="left")
                  .with_columns(self.due_expr(pl.col("fiscal_year")).alias("_due")))
        overdue = closed.filter(pl.col("evaluated").is_null() | (pl.col("date") > pl.col("_due")).fill_null(False))
        due_text = pl.col("_due").dt.strftime("%Y-%m-%d")
        year_text = pl.col("fiscal_year").cast(pl.String)
        message = (pl.lit("") + year_text + pl.lit("年度绩效自评应于 ") + due_text
                   + pl.when(pl.col("evaluated").is_null())
                   .then(pl.lit(" 前完成，至今未开展，已逾期"))
                   .otherwise(pl.lit(" 前完成，") + pl.col("date").dt.strftime("%Y-%m-%d") + pl.lit(" 才完成，逾期")))
        parts.append(self.findings(overdue, "self_evaluation_overdue", message, due_date=pl.col("_due"),
                                   assumed=due_assumed))
        # self_evaluation_missing: the year has closed, its due date has passed and no self-evaluation
        # is on record by the date (a late one is not missing) — for rules that act on it (accountability).
        missing = project_columns(closed.filter(pl.col("evaluated").is_null())).collect()
        out_facts = project_columns(facts, project_in(missing).alias("self_evaluation_missing"))
        if p.review_all:
            waiting = (join_on_project(scope, done.lazy(), how="inner", maintain_order="left")
                       .filter(~pl.col("reviewed")))
            message = (pl.lit("") + year_text + pl.lit("年度单位自评报告")
                       + pl.when(pl.col("date").is_not_null())
                       .then(pl.lit("（") + pl.col("date").dt.strftime("%Y-%m-%d") + pl.lit(" 提交）"))
                       .otherwise(pl.lit(""))
                       + pl.lit("尚未经财政部门复核，待复核并提出审核意见"))
            parts.append(self.findings(waiting, "review_self_evaluation", message,
                                       assumed=self.is_assumed("review_all", "kinds", "categories", "from_fiscal_year")))
        return self.output(pl.concat(parts), out_facts)

    @hookimpl
    def jixiao_explain(self, portfolio, as_of, facts):
        # A closed year not yet self-evaluated whose due date is still ahead: how long is left.
        done = self.self_evaluations(portfolio, as_of, facts)
        due = self.due_expr(pl.col("fiscal_year"))
        rows = (self.in_scope(facts)
                .filter((pl.col("fiscal_year") < as_of.year) & (due >= pl.lit(as_of)))
                .pipe(join_on_project, done.lazy(), how="anti").with_columns(due.alias("_due")).collect())
        days = (pl.col("_due") - pl.lit(as_of)).dt.total_days().cast(pl.String)
        note = (pl.col("fiscal_year").cast(pl.String) + pl.lit("年度绩效自评尚未开展，距截止还有 ") + days
                + pl.lit(" 天（") + pl.col("_due").dt.strftime("%Y-%m-%d") + pl.lit("）"))
        return self.output(notes=rows.select("project_id", note.alias("note")))
