"""Changes to approved targets during the year.

- ``freeze`` (Nanchang （七）): approved targets are in principle not adjusted; an adjustment is a
  finding for finance to review.
- ``refile_on_budget_adjustment`` (Tianyuan 第十九条): a budget adjustment re-files the targets;
  an adjusted budget without re-filed targets is a finding.
"""

from __future__ import annotations

import attrs
import polars as pl

from jixiao.core.hookspecs import hookimpl
from jixiao.core.rule import Rule


@attrs.frozen(kw_only=True)
class TargetChangesParams:
    freeze: bool = False
    refile_on_budget_adjustment: bool = False


class TargetChanges(Rule):
    name = "target_changes"
    summary = "approved targets frozen; a budget adjustment re-files targets"
    Params = TargetChangesParams
    reads = ("targets_adjusted", "budget_adjusted", "targets_refiled", "target_status")

    @hookimpl
    def jixiao_target(self, facts):
        p, parts = self.params, []
        if p.freeze:
            changed = facts.lazy().filter(pl.col("targets_adjusted").fill_null(False) & (pl.col("target_status") == "approved"))
            parts.append(self.findings(changed, "adjust_targets", "经批复的绩效目标原则上不作调整：本项目目标已调整，须报财政部门审核",
                                       assumed=self.is_assumed("freeze")))
        if p.refile_on_budget_adjustment:
            missing = facts.lazy().filter(pl.col("budget_adjusted").fill_null(False) & ~pl.col("targets_refiled").fill_null(False))
            parts.append(self.findings(missing, "adjust_targets", "预算已调整，须按绩效管理要求重新上报绩效目标",
                                       assumed=self.is_assumed("refile_on_budget_adjustment")))
        return self.output(pl.concat(parts) if parts else None)
