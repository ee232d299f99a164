"""信息公开: what is published with the budget (targets) and with the final accounts (evaluation
results), as each document says. One ``disclose`` finding per project and item.

``targets_scope`` limits the targets published to the 重大 projects where the document speaks of
重要绩效目标 (Nanchang （十九）). Results are those of an evaluation report of ``result_kinds``; a
score jixiao computed from the indicators is no report and is published only if a pack lists
``computed``. ``self_evaluation_timing = "promptly"`` publishes a self-evaluation report when it is
made (Nanchang （九） “及时予以公示”) instead of with the final accounts.

When results are published is the document's own: ``results_timing = "with_final_accounts"`` (with
the final accounts), ``"separately"`` (on their own, Tongxin 二（五） “预决算板块单独公开”), or
``"by_law"`` (Tianyuan 第四十四条 “依法向社会公开”, no time or channel stated). ``emphasis_major``
marks the 重大 projects' results the document singles out (Tianyuan: “尤其是……民生项目和重点项目”)."""

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
    results_timing: Literal["with_final_accounts", "separately", "by_law", "with_drafts"] = "with_final_accounts"
    # Targets published with the department budget (``with_budget``), or, as Nanchang （十九）
    # says, reported to the people's congress with the budget draft and published at the same time.
    targets_timing: Literal["with_budget", "with_drafts"] = "with_budget"
    emphasis_major: bool = False
    # Where results are published when not where the targets are (Tongxin: 门户网站预决算板块).
    results_where: str | None = None


class Disclosure(Rule):
    name = "disclosure"
    summary = "targets published with the budget, evaluation results with the final accounts"
    Params = DisclosureParams
    reads = ("target_status", "grade", "grade_final", "score_source", "is_major")

    @hookimpl
    def jixiao_apply(self, facts):
        p, parts = self.params, []
        if p.targets_with_budget:
            approved = facts.lazy().filter(pl.col("target_status") == "approved")
            what = "绩效目标"
            if p.targets_scope == "major":
                approved, what = approved.filter(pl.col("is_major").fill_null(False)), "重大项目的绩效目标（重要绩效目标）"
            said = (f"{what}随部门预算同步在{p.where}公开" if p.targets_timing == "with_budget"
                    else f"{what}与预算草案同步报送同级人大，并同步向社会主动公开（{p.where}）")
            parts.append(self.findings(approved, "disclose", said,
                                       assumed=self.is_assumed("targets_with_budget", "where", "targets_scope",
                                                               "targets_timing"),
                                       cite="targets_with_budget"))
        if p.results_with_final_accounts and "grade" in facts.columns:
            graded = facts.lazy().filter(pl.col("grade").is_not_null() & pl.col("score_source").is_in(p.result_kinds))
            if "grade_final" in facts.columns:
                # Only a result is published: not a self-evaluation still waiting for the review the
                # document requires (it is published once reviewed and filed), nor a computed score.
                graded = graded.filter(pl.col("grade_final").fill_null(False))
            where = p.results_where or p.where
            timing = {"with_final_accounts": f"）随决算在{where}公开", "separately": f"）按照相关程序在{where}单独公开",
                      "by_law": "）按政府信息公开有关规定依法向社会公开，接受社会监督",
                      "with_drafts": f"）的评价报告与决算草案同步报送同级人大，并同步向社会主动公开（{where}）"}[p.results_timing]
            if p.emphasis_major:
                timing += "（本项目为重大项目，其支出绩效情况尤其应当公开）"
                timing = pl.when(pl.col("is_major").fill_null(False)).then(pl.lit(timing)).otherwise(
                    pl.lit(timing.split("（本项目")[0]))
            else:
                timing = pl.lit(timing)
            when, cite = timing, pl.lit("results_with_final_accounts")
            if p.self_evaluation_timing == "promptly":
                promptly = pl.col("score_source") == "self"
                when = pl.when(promptly).then(pl.lit(f"）自评报告经财政部门审核备案后及时在{p.where}公示")
                                              if "grade_final" in facts.columns else
                                              pl.lit(f"）自评报告及时在{p.where}公示")).otherwise(when)
                cite = pl.when(promptly).then(pl.lit("self_evaluation_timing")).otherwise(cite)
            parts.append(self.findings(graded, "disclose", pl.lit("绩效评价结果（") + pl.col("grade") + when,
                                       assumed=self.is_assumed("results_with_final_accounts", "result_kinds",
                                                               *(("where", "results_where") if p.results_timing != "by_law" else ()),
                                                               "self_evaluation_timing", "results_timing",
                                                               "emphasis_major"), cite=cite))
        return self.output(pl.concat(parts) if parts else None)
