"""信息公开: what is published with the budget (targets) and with the final accounts (evaluation
results), as each document says. One ``disclose`` finding per project and item.

``targets_scope`` limits the targets published to the 重大 projects where the document speaks of
重要绩效目标 (Nanchang （十九）). Results are those of an evaluation report of ``result_kinds``; a
score jixiao computed from the indicators is no report and is published only if a pack lists
``computed``. ``self_evaluation_timing = "promptly"`` publishes a self-evaluation report when it is
made (Nanchang （九） “及时予以公示”) instead of with the final accounts."""

from __future__ import annotations

from typing import Literal

import attrs
import polars as pl

from jixiao.rules import Rule, hookimpl


@attrs.frozen(kw_only=True)
class DisclosureParams:
    targets_with_budget: bool = True
    results_with_final_accounts: bool = True
    result_kinds: list[str] = attrs.field(factory=lambda: ["self", "department", "finance", "third_party"])
    where: str = "政府门户网站"
    targets_scope: Literal["all", "major"] = "all"
    self_evaluation_timing: Literal["with_final_accounts", "promptly"] = "with_final_accounts"


class Disclosure(Rule):
    name = "disclosure"
    summary = "targets published with the budget, evaluation results with the final accounts"
    Params = DisclosureParams
    reads = ("target_status", "grade", "score_source", "is_major")

    @hookimpl
    def jixiao_apply(self, facts):
        p, parts = self.params, []
        if p.targets_with_budget:
            approved = facts.lazy().filter(pl.col("target_status") == "approved")
            what = "绩效目标"
            if p.targets_scope == "major":
                approved, what = approved.filter(pl.col("is_major").fill_null(False)), "重大项目的绩效目标（重要绩效目标）"
            parts.append(self.findings(approved, "disclose", f"{what}随部门预算同步在{p.where}公开",
                                       assumed=self.is_assumed("targets_with_budget", "where", "targets_scope"),
                                       cite="targets_with_budget"))
        if p.results_with_final_accounts and "grade" in facts.columns:
            graded = facts.lazy().filter(pl.col("grade").is_not_null() & pl.col("score_source").is_in(p.result_kinds))
            when, cite = pl.lit(f"）随决算在{p.where}公开"), pl.lit("results_with_final_accounts")
            if p.self_evaluation_timing == "promptly":
                promptly = pl.col("score_source") == "self"
                when = pl.when(promptly).then(pl.lit(f"）自评报告及时在{p.where}公示")).otherwise(when)
                cite = pl.when(promptly).then(pl.lit("self_evaluation_timing")).otherwise(cite)
            parts.append(self.findings(graded, "disclose", pl.lit("绩效评价结果（") + pl.col("grade") + when,
                                       assumed=self.is_assumed("results_with_final_accounts", "result_kinds", "where",
                                                               "self_evaluation_timing"), cite=cite))
        return self.output(pl.concat(parts) if parts else None)
