"""绩效问责 (Tianyuan 第三十八、三十九条): the eight triggers and the three sanctions.

Triggers come from recorded accountability decisions (their 问责情形 text) and, where the data
shows them, from the run itself: no targets filed (1), execution deviating from targets (2),
targets missed at completion (3), a poor evaluation result (4). Triggers 5–8 (obstruction,
violations, fraud, other) are only known from recorded decisions. The sanctions — no or reduced
budget, reclaiming unspent funds, public criticism — apply alone or combined, as the pack chooses.
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Literal

import attrs
import polars as pl

from jixiao.core.hookspecs import hookimpl
from jixiao.core.money import share_fen_expr
from jixiao.core.rule import Rule

TRIGGERS = {
    "no_targets": "不按规定编报绩效目标",
    "execution_deviation": "预算执行中绩效未按预定目标同步实现或发生偏离",
    "targets_missed": "项目结束后绩效达不到预定目标",
    "poor_evaluation": "绩效评价结果较差",
    "obstruction": "干扰、阻碍预算绩效管理工作",
    "violation": "违反财政法规",
    "fraud": "弄虚作假",
    "other": "其他应问责事项",
}
Sanction = Literal["reduce_budget", "reclaim_funds", "public_notice", "suspend_disbursement"]
Derived = Literal["no_targets", "execution_deviation", "targets_missed", "poor_evaluation"]


@attrs.frozen(kw_only=True)
class AccountabilityParams:
    derive: list[Derived] = attrs.field(factory=lambda: ["no_targets", "execution_deviation",
                                                         "targets_missed", "poor_evaluation"])
    poor_grades: list[str] = attrs.field(factory=lambda: ["差"])
    # Completion below this share of the targets at the end of implementation = targets missed.
    missed_below: Decimal = Decimal("0.6")
    sanctions: list[Sanction] = attrs.field(factory=lambda: ["reclaim_funds", "public_notice"])
    # reduce_budget: the share of this year's budget not arranged next year (1 = none at all).
    reduce_ratio: Decimal = Decimal("1")

    def __attrs_post_init__(self):
        if not self.sanctions:
            raise ValueError("sanctions: choose at least one of reduce_budget, reclaim_funds, public_notice, "
                             "suspend_disbursement")
        if not Decimal(0) <= self.missed_below <= Decimal(1):
            raise ValueError(f"missed_below: a ratio between 0 and 1, got {self.missed_below}")
        if not Decimal(0) < self.reduce_ratio <= Decimal(1):
            raise ValueError(f"reduce_ratio: between 0 (exclusive) and 1, got {self.reduce_ratio}")


class Accountability(Rule):
    name = "accountability"
    summary = "accountability triggers and the sanctions chosen for them"
    Params = AccountabilityParams
    reads = ("target_status", "grade", "monitoring_deviation", "target_completion", "end_date")

    def _derived(self, facts: pl.DataFrame, as_of) -> pl.DataFrame:
        p, parts = self.params, []
        cols = facts.columns
        if "no_targets" in p.derive:
            parts.append(facts.lazy().filter(pl.col("target_status") == "none")
                         .select("pix", pl.lit(TRIGGERS["no_targets"]).alias("t")).collect())
        if "execution_deviation" in p.derive and "monitoring_deviation" in cols:
            parts.append(facts.lazy().filter(pl.col("monitoring_deviation").fill_null(False))
                         .select("pix", pl.lit(TRIGGERS["execution_deviation"]).alias("t")).collect())
        if "targets_missed" in p.derive and "target_completion" in cols:
            threshold = math.ceil(p.missed_below * 1_000_000)  # completion < x ⇔ completion < ⌈x⌉
            parts.append(facts.lazy().filter(pl.col("end_date").is_not_null() & (pl.col("end_date") < as_of)
                                             & (pl.col("target_completion") < threshold))
                         .select("pix", pl.lit(TRIGGERS["targets_missed"]).alias("t")).collect())
        if "poor_evaluation" in p.derive and "grade" in cols:
            parts.append(facts.lazy().filter(pl.col("grade").is_in(p.poor_grades))
                         .select("pix", pl.lit(TRIGGERS["poor_evaluation"]).alias("t")).collect())
        return pl.concat(parts) if parts else pl.DataFrame(schema={"pix": pl.UInt32, "t": pl.String})

    @hookimpl
    def jixiao_apply(self, portfolio, as_of, facts):
        p = self.params
        recorded = (portfolio.accountability.filter(pl.col("received_date") <= as_of)
                    .select("pix", pl.col("trigger").fill_null("问责决定 " + pl.col("decision_id")).alias("t")))
        triggers = (pl.concat([recorded, self._derived(facts, as_of)]).unique(maintain_order=True)
                    .group_by("pix", maintain_order=True).agg(pl.col("t").sort().str.join("；").alias("triggers")))
        hit = triggers.join(facts.select("project_id", "pix", "budget_fen", "spent_fen", "fiscal_year"), on="pix")
        assumed = self.is_assumed("sanctions", "reduce_ratio", "poor_grades", "missed_below")
        parts = [self.findings(hit, "accountability", pl.lit("绩效问责：") + pl.col("triggers"), assumed=assumed)]
        if "reduce_budget" in p.sanctions:
            full = p.reduce_ratio == 1
            parts.append(self.findings(
                hit, "no_new_budget" if full else "cut_budget",
                "问责：不予安排下年度预算资金" if full else f"问责：减少安排下年度预算资金（本年预算的 {(p.reduce_ratio * 100).normalize():f}%）",
                amount_fen=-share_fen_expr(pl.col("budget_fen"), p.reduce_ratio), assumed=assumed))
        if "reclaim_funds" in p.sanctions:
            unspent = hit.filter(pl.col("budget_fen") > pl.col("spent_fen"))
            parts.append(self.findings(unspent, "reclaim_funds", "问责：收回年度未执行的预算资金",
                                       amount_fen=-(pl.col("budget_fen") - pl.col("spent_fen")), assumed=assumed))
        if "suspend_disbursement" in p.sanctions:
            parts.append(self.findings(hit, "suspend_disbursement", "问责：暂缓或停止部门预算执行", assumed=assumed))
        if "public_notice" in p.sanctions:
            parts.append(self.findings(hit, "public_notice", "问责：通报批评", assumed=assumed))
        return self.output(pl.concat(parts))
