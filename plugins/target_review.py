"""绩效目标审核 (Tianyuan 第十五条): pass → onwards; fail → revise and resubmit; fail again → the
submission may be refused. Reads ``target_status`` and ``target_review_failures``."""

from __future__ import annotations

import attrs
import polars as pl

from jixiao.rules import Rule, hookimpl, project_columns


@attrs.frozen(kw_only=True)
class TargetReviewParams:
    refuse_after: int = 2  # failed reviews after which finance may refuse the submission

    def __attrs_post_init__(self):
        if self.refuse_after < 1:
            raise ValueError(f"refuse_after：至少为 1（次），写的是 {self.refuse_after}")


class TargetReview(Rule):
    name = "target_review"
    summary = "failed target review: revise; failed again: refused"
    Params = TargetReviewParams
    reads = ("target_status", "target_review_failures")

    @hookimpl
    def jixiao_target(self, as_of, facts):
        n = self.params.refuse_after
        failures = pl.max_horizontal(pl.col("target_review_failures").fill_null(0),
                                     (pl.col("target_status") == "rejected").cast(pl.Int64))
        rows = project_columns(facts, "fiscal_year", "target_status", failures.alias("_f"))
        open_ = rows.filter(pl.col("target_status") != "approved")
        revise = open_.filter((pl.col("_f") >= 1) & (pl.col("_f") < n))
        refuse = open_.filter(pl.col("_f") >= n)
        assumed = self.is_assumed("refuse_after")
        return self.output(pl.concat([
            self.findings(revise, "adjust_targets",
                          pl.lit("绩效目标审核未通过（第") + pl.col("_f").cast(pl.String) + pl.lit("次），退回调整修改后重新报送"),
                          assumed=assumed),
            self.findings(refuse, "block_budget",
                          pl.lit("绩效目标经") + pl.col("_f").cast(pl.String)
                          + pl.lit("次审核仍不合格，财政部门可不予受理") + pl.col("fiscal_year").cast(pl.String)
                          + pl.lit("年度预算申请") + self.adopted_note(as_of),
                          budget_year=pl.col("fiscal_year"), applies_to="project_budget", assumed=assumed),
        ]))
