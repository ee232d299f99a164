"""绩效目标 gate: no targets set, incomplete or rejected targets → no budget.

Complete means an indicator in every first-level category the pack requires: 产出 (output), 成本
(cost: a 一级指标 成本, or a 二级指标 成本… under 产出), 效益 (outcome), 满意度 (satisfaction).

Targets filed and still waiting for review (待审核) are set: the documents make *setting* them the
precondition (34号 四（八） “将绩效目标设置作为预算安排的前置条件”; Shilong 二（二）5 “未按要求设置
绩效目标或绩效目标审核未通过的，不得安排预算”; Tongxin 三（一） “未制定…或目标制定不完整”), so by
default (``pending = "await"``) they are not blocked: the finding (``await_target_review``, not
binding) says the budget waits on the review. ``rejected = "review"`` leaves a failed review to the
target-review rule where the document gives the unit a second filing (Tianyuan 第十五条).
"""

from __future__ import annotations

from typing import Literal

import attrs
import polars as pl

from jixiao.rules import (
    Rule, TARGET_LEVELS, has_level_expr, hookimpl, max_per_project, project_columns,
)

LEVEL_ZH = TARGET_LEVELS
STATUS_ZH = {"none": "未设定绩效目标", "pending": "绩效目标尚未审核批复", "rejected": "绩效目标审核未通过",
             "incomplete": "绩效目标不完整"}


@attrs.frozen(kw_only=True)
class TargetGateParams:
    # First-level indicator categories every project's targets must include (产出/成本/效益/满意度).
    required_levels: list[str] = attrs.field(factory=list)
    # Only projects of these categories (all when empty), and of budgets from this year on.
    categories: list[str] = attrs.field(factory=list)
    from_fiscal_year: int | None = None
    # Targets waiting for review: blocked, or the budget awaits the review (see the module docstring).
    pending: Literal["block", "await"] = "await"
    # Targets that failed review: blocked here, or left to the target-review rule.
    rejected: Literal["block", "review"] = "block"

    def __attrs_post_init__(self):
        unknown = [lv for lv in self.required_levels if lv not in LEVEL_ZH]
        if unknown:
            raise ValueError(f"required_levels：没有一级指标类别 {unknown[0]!r}；可选：{', '.join(LEVEL_ZH)}")


class TargetGate(Rule):
    name = "target_gate"
    summary = "targets are a precondition of budgeting: none, incomplete or rejected → no budget; pending → awaits review"
    Params = TargetGateParams
    reads = ("target_status", "category", "fiscal_year")

    @hookimpl
    def jixiao_target(self, portfolio, as_of, facts):
        levels = self.params.required_levels
        # Per category, whether any of the project's indicators is of it (the largest of a 0/1 flag:
        # a reduction over sorted runs, cheaper than a group-by of every indicator); null: none at all.
        present = self.shared(portfolio, "levels_present", lambda: max_per_project(
            portfolio.indicators, facts.height,
            **{f"_has_{lv}": has_level_expr(lv).fill_null(False).cast(pl.Int8) for lv in levels}
        ).select(pl.all() == 1), params=("required_levels",))
        checked = project_columns(facts, "target_status", "category", "fiscal_year").hstack(present)
        if self.params.categories:
            checked = checked.filter(pl.col("category").is_in(self.params.categories))
        if self.params.from_fiscal_year is not None:
            checked = checked.filter(pl.col("fiscal_year") >= self.params.from_fiscal_year)
        missing_expr = [pl.when(~pl.col(f"_has_{lv}").fill_null(False)).then(pl.lit(LEVEL_ZH[lv])) for lv in levels]
        checked = checked.with_columns(
            (pl.concat_str(missing_expr, separator="、", ignore_nulls=True) if levels else pl.lit(""))
            .fill_null("").alias("_missing"))
        status_ok = pl.col("target_status") == "approved"
        complete = pl.col("_missing") == ""
        # Filed targets whose review is not settled: waiting for it (pending), or left to the
        # target-review rule (rejected). Complete as filed, they are not blocked here.
        awaits = (pl.col("target_status") == "pending") if self.params.pending == "await" else pl.lit(False)
        reviewed_elsewhere = (pl.col("target_status") == "rejected") if self.params.rejected == "review" else pl.lit(False)
        awaiting = checked.filter(awaits & complete)
        failing = checked.filter(~(status_ok & complete) & ~((awaits | reviewed_elsewhere) & complete))
        # The reason given is the one that blocks: the status, or — for targets whose status is not
        # what blocks them here — what they lack.
        message = (pl.when(~status_ok & ~awaits & ~reviewed_elsewhere)
                   .then(pl.col("target_status").replace_strict(STATUS_ZH, default="绩效目标未批复"))
                   .otherwise(pl.lit("绩效目标不完整（缺少") + pl.col("_missing") + pl.lit("指标）"))
                   + pl.lit("，不予安排") + pl.col("fiscal_year").cast(pl.String) + pl.lit("年度预算")
                   + self.adopted_note(as_of))
        findings = self.findings(failing, "block_budget", message,
                                 budget_year=pl.col("fiscal_year"), applies_to="project_budget",
                                 assumed=self.is_assumed("required_levels", "categories", "from_fiscal_year"))
        waits = self.findings(awaiting, "await_target_review",
                              pl.lit("绩效目标已报送、尚未审核批复：") + pl.col("fiscal_year").cast(pl.String)
                              + pl.lit("年度预算待审核结果确定（未设置或审核未通过的才不予安排）" if self.params.rejected == "block"
                                     else "年度预算待审核结果确定（未设置或不完整的才不予安排）"),
                              budget_year=pl.col("fiscal_year"), applies_to="project_budget",
                              assumed=self.is_assumed("pending"))
        facts_out = project_columns(checked, (status_ok & complete).alias("targets_ok"))
        return self.output(pl.concat([findings, waits]), facts_out)
