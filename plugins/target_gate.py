"""绩效目标 gate: no approved, complete targets, no budget.

Complete means an indicator in every first-level category the pack requires: 产出 (output), 成本
(cost: a 一级指标 成本, or a 二级指标 成本… under 产出), 效益 (outcome), 满意度 (satisfaction).
"""

from __future__ import annotations

import attrs
import polars as pl

from jixiao.rules import (
    Rule, TARGET_LEVELS, aggregate_per_project, has_level_expr, hookimpl, spread_over_projects,
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

    def __attrs_post_init__(self):
        unknown = [lv for lv in self.required_levels if lv not in LEVEL_ZH]
        if unknown:
            raise ValueError(f"required_levels: unknown level {unknown[0]!r}; use {', '.join(LEVEL_ZH)}")


class TargetGate(Rule):
    name = "target_gate"
    summary = "targets are a precondition of budgeting: none, incomplete or rejected → no budget"
    Params = TargetGateParams
    reads = ("target_status", "category", "fiscal_year")

    @hookimpl
    def jixiao_target(self, portfolio, as_of, facts):
        levels = self.params.required_levels
        present = self.shared(portfolio, "levels_present", lambda: spread_over_projects(aggregate_per_project(
            portfolio.indicators, *(has_level_expr(lv).any().alias(f"_has_{lv}") for lv in levels)),
            facts.height), params=("required_levels",))
        checked = facts.select("project_id", "pix", "target_status", "category", "fiscal_year").hstack(present)
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
        failing = checked.filter(~(status_ok & complete))
        message = (pl.when(~status_ok)
                   .then(pl.col("target_status").replace_strict(STATUS_ZH, default="绩效目标未批复"))
                   .otherwise(pl.lit("绩效目标不完整（缺少") + pl.col("_missing") + pl.lit("指标）"))
                   + pl.lit("，不予安排") + pl.col("fiscal_year").cast(pl.String) + pl.lit("年度预算")
                   + self.adopted_note(as_of))
        findings = self.findings(failing, "block_budget", message,
                                 budget_year=pl.col("fiscal_year"), applies_to="project_budget",
                                 assumed=self.is_assumed("required_levels", "categories", "from_fiscal_year"))
        facts_out = checked.select("project_id", "pix", (status_ok & complete).alias("targets_ok"))
        return self.output(findings, facts_out)
