"""信息公开: what is published with the budget (targets) and with the final accounts (evaluation
results), as each document says. One ``disclose`` finding per project and item."""

from __future__ import annotations

import attrs
import polars as pl

from jixiao.core.hookspecs import hookimpl
from jixiao.core.rule import Rule


@attrs.frozen(kw_only=True)
class DisclosureParams:
    targets_with_budget: bool = True
    results_with_final_accounts: bool = True
    result_kinds: list[str] = attrs.field(factory=lambda: ["self", "department", "finance", "third_party", "computed"])
    where: str = "政府门户网站"


class Disclosure(Rule):
    name = "disclosure"
    summary = "targets published with the budget, evaluation results with the final accounts"
    Params = DisclosureParams
    reads = ("target_status", "grade", "score_source")

    @hookimpl
    def jixiao_apply(self, facts):
        p, parts = self.params, []
        if p.targets_with_budget:
            approved = facts.lazy().filter(pl.col("target_status") == "approved")
            parts.append(self.findings(approved, "disclose", f"绩效目标随部门预算同步在{p.where}公开",
                                       assumed=self.is_assumed("targets_with_budget", "where")))
        if p.results_with_final_accounts and "grade" in facts.columns:
            graded = facts.lazy().filter(pl.col("grade").is_not_null() & pl.col("score_source").is_in(p.result_kinds))
            parts.append(self.findings(graded, "disclose",
                                       pl.lit("绩效评价结果（") + pl.col("grade") + pl.lit(f"）随决算在{p.where}公开"),
                                       assumed=self.is_assumed("results_with_final_accounts", "result_kinds", "where")))
        return self.output(pl.concat(parts) if parts else None)
