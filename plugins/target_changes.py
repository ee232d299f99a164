"""Changes to approved targets during the year.

- ``freeze`` (Nanchang （七）): approved targets are in principle not adjusted; an adjustment is a
  finding for finance to review.
- ``refile_on_budget_adjustment`` (Tianyuan 第十九条): a budget adjustment re-files the targets;
  an adjusted budget without re-filed targets is a finding. With ``review_refiled`` (第十九条 “由财政
  部门进行审核和论证”), re-filed targets are a finding until finance's review is recorded
  (``targets_reapproved``).
- ``reapprove_on_budget_adjustment`` (Qingdao 二（四）): a budget adjustment adjusts the targets in
  step, and finance confirms them; an adjusted budget whose targets finance has not re-approved
  (``targets_reapproved``) is a finding until it has.
- ``reapprove_target_adjustment`` (Shilong 二（二）5): a target adjustment goes through approval
  (报批); adjusted targets not re-approved are a finding until they are.

``categories`` limits the rule to projects of those categories (all when empty).
"""

from __future__ import annotations

import attrs
import polars as pl

from jixiao.rules import Rule, hookimpl


@attrs.frozen(kw_only=True)
class TargetChangesParams:
    freeze: bool = False
    refile_on_budget_adjustment: bool = False
    review_refiled: bool = False
    reapprove_on_budget_adjustment: bool = False
    reapprove_target_adjustment: bool = False
    categories: list[str] = attrs.field(factory=list)


class TargetChanges(Rule):
    name = "target_changes"
    summary = "approved targets frozen; a budget adjustment re-files targets; adjusted targets re-approved"
    Params = TargetChangesParams
    reads = ("targets_adjusted", "budget_adjusted", "targets_refiled", "targets_reapproved", "target_status",
             "category")

    @hookimpl
    def jixiao_target(self, facts):
        p, parts = self.params, []
        lf = facts.lazy()
        if p.categories:
            lf = lf.filter(pl.col("category").is_in(p.categories))
        scope = self.is_assumed("categories")
        adjusted = pl.col("targets_adjusted").fill_null(False)
        budget_adjusted = pl.col("budget_adjusted").fill_null(False)
        reapproved = pl.col("targets_reapproved").fill_null(False)
        if p.freeze:
            changed = lf.filter(adjusted & (pl.col("target_status") == "approved"))
            parts.append(self.findings(changed, "adjust_targets", "经批复的绩效目标原则上不作调整：本项目目标已调整，须报财政部门审核",
                                       assumed=self.is_assumed("freeze") or scope))
        if p.refile_on_budget_adjustment:
            missing = lf.filter(budget_adjusted & ~pl.col("targets_refiled").fill_null(False))
            parts.append(self.findings(missing, "adjust_targets", "预算已调整，须按绩效管理要求重新上报绩效目标",
                                       assumed=self.is_assumed("refile_on_budget_adjustment") or scope))
            if p.review_refiled:
                waiting = lf.filter(budget_adjusted & pl.col("targets_refiled").fill_null(False) & ~reapproved)
                parts.append(self.findings(waiting, "adjust_targets", "预算已调整，绩效目标已重新上报，待财政部门审核和论证",
                                           assumed=self.is_assumed("refile_on_budget_adjustment", "review_refiled")
                                           or scope))
        if p.reapprove_on_budget_adjustment:
            missing = lf.filter(budget_adjusted & ~reapproved)
            parts.append(self.findings(
                missing, "adjust_targets",
                pl.when(adjusted).then(pl.lit("预算已调整，绩效目标已同步调整但尚未经财政部门审核确认"))
                .otherwise(pl.lit("预算已调整，涉及绩效目标的须同步调整绩效目标并报财政部门审核确认（尚无审核确认记录）")),
                assumed=self.is_assumed("reapprove_on_budget_adjustment") or scope))
        if p.reapprove_target_adjustment:
            missing = lf.filter(adjusted & ~reapproved)
            parts.append(self.findings(missing, "adjust_targets", "绩效目标已调整，须按绩效目标管理要求和预算调整流程报批",
                                       assumed=self.is_assumed("reapprove_target_adjustment") or scope))
        return self.output(pl.concat(parts) if parts else None)
