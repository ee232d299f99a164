"""按绩效付费 (Nanchang （十一）).

The clause says, for PPP, “根据项目绩效评价结果，支付相应的项目运营补助金额”: the operating subsidy
is paid according to the evaluation result. How much a grade pays is set by the project's contract
(its 绩效考核 terms), not by the document, so by default the finding names the grade and the year
whose subsidy it governs, with no amount. A pack that has the ratios (a city's PPP rules) sets
``pay_ratios``: grade → share of the subsidy paid; the withheld part is the finding's (negative)
amount, computed on ``subsidy_base`` — the project's budget of the evaluated year, taken as the
year's subsidy — and a grade paid in full carries no amount.

For government investment funds the result is “政府出资额预算管理、终止和退出以及给予基金管理机构
每年一次性奖励的重要参考依据”: an important reference, not a decision — the findings
(``consider_exit``, ``consider_reward``) say so and move no money.

Government-purchased services are told to “逐步建立按绩效付费的理念和模式” (gradually build the
practice): no payment rule, so they are not in ``categories`` unless a pack says otherwise.
"""

from __future__ import annotations

from decimal import Decimal

import attrs
import polars as pl

from jixiao.rules import GRADES, Rule, hookimpl, share_fen_expr, yuan_text_expr


@attrs.frozen(kw_only=True)
class PerformancePaymentParams:
    categories: list[str] = attrs.field(factory=lambda: ["PPP"])
    pay_ratios: dict[str, Decimal] = attrs.field(factory=dict, metadata={GRADES: True})
    fund_categories: list[str] = attrs.field(factory=lambda: ["政府投资基金"])
    fund_exit_grades: list[str] = attrs.field(factory=lambda: ["差"], metadata={GRADES: True})
    fund_reward_grades: list[str] = attrs.field(factory=lambda: ["优"], metadata={GRADES: True})

    def __attrs_post_init__(self):
        for grade, ratio in self.pay_ratios.items():
            if not Decimal(0) <= ratio <= Decimal(1):
                raise ValueError(f"pay_ratios.{grade}：比例应在 0 到 1 之间，写的是 {ratio}（80% 写作 \"0.8\"）")


class PerformancePayment(Rule):
    name = "performance_payment"
    summary = "PPP operating subsidies paid by evaluation result; for investment funds the result is a reference for exit and rewards"
    Params = PerformancePaymentParams
    reads = ("category", "grade", "grade_final", "budget_fen", "fiscal_year")

    @hookimpl
    def jixiao_apply(self, facts):
        if "grade" not in facts.columns:
            return None
        p = self.params
        # Paid, exited or rewarded on an evaluation result only (grade_final), not on a computed score.
        final = pl.col("grade_final").fill_null(False) if "grade_final" in facts.columns else pl.lit(True)
        graded = facts.lazy().filter(pl.col("grade").is_not_null() & final)
        paid = graded.filter(pl.col("category").is_in(p.categories))
        year = pl.col("fiscal_year").cast(pl.String)
        head = pl.lit("评价等级") + pl.col("grade") + pl.lit("：") + year + pl.lit("年度项目运营补助")
        parts = []
        assumed = self.is_assumed("pay_ratios")
        for grade, ratio in p.pay_ratios.items():
            hit = paid.filter(pl.col("grade") == grade)
            pct = f"{(ratio * 100).normalize():f}%"
            if ratio == 1:
                parts.append(self.findings(hit, "pay_by_performance", head + pl.lit("按绩效全额支付"),
                                           budget_year=pl.col("fiscal_year"), applies_to="contract_payment",
                                           assumed=assumed))
                continue
            withheld = pl.col("budget_fen") - share_fen_expr(pl.col("budget_fen"), ratio)
            parts.append(self.findings(
                hit, "pay_by_performance",
                head + pl.lit(f"按绩效支付 {pct}，不予支付 ") + yuan_text_expr(withheld)
                + pl.lit(" 元（以本项目本年预算 ") + yuan_text_expr(pl.col("budget_fen")) + pl.lit(" 元为运营补助基数）"),
                amount_fen=-withheld, budget_year=pl.col("fiscal_year"), applies_to="contract_payment",
                assumed=assumed))
        # Grades the pack gives no ratio for: the contract's performance terms decide the amount.
        rest = paid.filter(~pl.col("grade").is_in(list(p.pay_ratios)))
        parts.append(self.findings(rest, "pay_by_performance",
                                   head + pl.lit("根据本次绩效评价结果支付，支付比例和金额按项目合同的绩效考核约定（文件未规定比例）"),
                                   budget_year=pl.col("fiscal_year"), applies_to="contract_payment"))
        funds = graded.filter(pl.col("category").is_in(p.fund_categories))
        parts.append(self.findings(funds.filter(pl.col("grade").is_in(p.fund_exit_grades)), "consider_exit",
                                   pl.lit("政府投资基金评价等级") + pl.col("grade")
                                   + pl.lit("，作为政府出资额预算管理、终止和退出的重要参考依据"),
                                   assumed=self.is_assumed("fund_exit_grades")))
        parts.append(self.findings(funds.filter(pl.col("grade").is_in(p.fund_reward_grades)), "consider_reward",
                                   pl.lit("政府投资基金评价等级") + pl.col("grade")
                                   + pl.lit("，作为给予基金管理机构一次性奖励的重要参考依据"),
                                   assumed=self.is_assumed("fund_reward_grades")))
        return self.output(pl.concat(parts))
