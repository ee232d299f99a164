"""按绩效付费 (Nanchang （十一）): PPP operating subsidies and government-purchased services are paid
according to the evaluation result; for government investment funds the result decides exit and
rewards. ``pay_ratios`` maps a grade to the share of the payment made; the withheld part is the
finding's (negative) amount."""

from __future__ import annotations

from decimal import Decimal

import attrs
import polars as pl

from jixiao.core.hookspecs import hookimpl
from jixiao.core.money import share_fen_expr
from jixiao.core.rule import GRADES, Rule


@attrs.frozen(kw_only=True)
class PerformancePaymentParams:
    categories: list[str] = attrs.field(factory=lambda: ["PPP", "政府购买服务"])
    pay_ratios: dict[str, Decimal] = attrs.field(factory=dict, metadata={GRADES: True})
    fund_categories: list[str] = attrs.field(factory=lambda: ["政府投资基金"])
    fund_exit_grades: list[str] = attrs.field(factory=lambda: ["差"], metadata={GRADES: True})
    fund_reward_grades: list[str] = attrs.field(factory=lambda: ["优"], metadata={GRADES: True})

    def __attrs_post_init__(self):
        for grade, ratio in self.pay_ratios.items():
            if not Decimal(0) <= ratio <= Decimal(1):
                raise ValueError(f"pay_ratios.{grade}: a ratio between 0 and 1, got {ratio} (80% is written \"0.8\")")


class PerformancePayment(Rule):
    name = "performance_payment"
    summary = "PPP subsidies and purchased services paid by evaluation result; investment funds exit or are rewarded"
    Params = PerformancePaymentParams
    reads = ("category", "grade", "budget_fen")

    @hookimpl
    def jixiao_apply(self, facts):
        if "grade" not in facts.columns:
            return None
        p = self.params
        graded = facts.lazy().filter(pl.col("grade").is_not_null())
        paid = graded.filter(pl.col("category").is_in(p.categories))
        parts = []
        assumed = self.is_assumed("pay_ratios")
        for grade, ratio in p.pay_ratios.items():
            hit = paid.filter(pl.col("grade") == grade)
            pct = f"{(ratio * 100).normalize():f}%"
            withheld = pl.col("budget_fen") - share_fen_expr(pl.col("budget_fen"), ratio)
            # The subsidy or fee paid is the one for the evaluated year's service.
            parts.append(self.findings(hit, "pay_by_performance",
                                       pl.lit("评价等级") + pl.col("grade") + pl.lit("，") + pl.col("fiscal_year").cast(pl.String)
                                       + pl.lit(f"年度运营补助/服务费按绩效支付 {pct}"),
                                       amount_fen=-withheld, budget_year=pl.col("fiscal_year"),
                                       applies_to="contract_payment", assumed=assumed))
        funds = graded.filter(pl.col("category").is_in(p.fund_categories))
        parts.append(self.findings(funds.filter(pl.col("grade").is_in(p.fund_exit_grades)), "exit_policy",
                                   pl.lit("政府投资基金评价等级") + pl.col("grade") + pl.lit("，作为终止和退出的依据"),
                                   assumed=self.is_assumed("fund_exit_grades")))
        parts.append(self.findings(funds.filter(pl.col("grade").is_in(p.fund_reward_grades)), "reward",
                                   pl.lit("政府投资基金评价等级") + pl.col("grade") + pl.lit("，给予基金管理机构一次性奖励"),
                                   assumed=self.is_assumed("fund_reward_grades")))
        return self.output(pl.concat(parts))
