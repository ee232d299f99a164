"""结果应用: the grade links to next year's budget — priority, improvement, notice, cuts.

A cut is ``ratio × this year's budget``, taken from next year's control figure, rounded half up to
the fen; its ``amount_fen`` is negative (less money for the project).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

import attrs
import polars as pl

from jixiao.core.hookspecs import hookimpl
from jixiao.core.money import share_fen_expr
from jixiao.core.rule import Rule


@attrs.frozen(kw_only=True)
class ScoreLinkedBudgetParams:
    priority_grades: list[str] = attrs.field(factory=list)
    improve_grades: list[str] = attrs.field(factory=list)
    notice_grades: list[str] = attrs.field(factory=list)
    no_new_budget_grades: list[str] = attrs.field(factory=list)
    suspend_grades: list[str] = attrs.field(factory=list)
    reward_grades: list[str] = attrs.field(factory=list)
    # 整改不力: a rectification report overdue this many months after the decision → these actions.
    poor_rectification_actions: list[Literal["suspend_disbursement", "no_new_budget"]] = attrs.field(factory=list)
    rectification_months: int = 2
    # grade → share of this year's budget deducted from next year's control figure.
    cut_ratios: dict[str, Decimal] = attrs.field(factory=dict)

    def __attrs_post_init__(self):
        for grade, ratio in self.cut_ratios.items():
            if not Decimal(0) <= ratio <= Decimal(1):
                raise ValueError(f"cut_ratios.{grade}: a ratio between 0 and 1, got {ratio} (8% is written \"0.08\")")
        if not 1 <= self.rectification_months <= 120:
            raise ValueError(f"rectification_months: 1 to 120 months, got {self.rectification_months}")


class ScoreLinkedBudget(Rule):
    name = "score_linked_budget"
    summary = "link the grade to next year's budget: priority, improvement, notice, cut"
    Params = ScoreLinkedBudgetParams
    reads = ("grade", "budget_fen", "fiscal_year")

    @hookimpl
    def jixiao_apply(self, portfolio, as_of, facts):
        p = self.params
        grade = pl.col("grade") if "grade" in facts.columns else pl.lit(None, pl.String)  # no grading rule
        graded = (facts.select("project_id", "pix", grade.alias("grade"), "budget_fen", "fiscal_year")
                  .filter(pl.col("grade").is_not_null()))
        next_year = (pl.col("fiscal_year") + 1).cast(pl.String)
        parts = []
        simple = (("prioritize", p.priority_grades, "priority_grades", "绩效评价等级为{g}，下年度预算优先保障"),
                  ("improve", p.improve_grades, "improve_grades", "绩效评价等级为{g}，督促改进"),
                  ("public_notice", p.notice_grades, "notice_grades", "绩效评价等级为{g}，予以公开通报"),
                  ("no_new_budget", p.no_new_budget_grades, "no_new_budget_grades", "绩效评价等级为{g}，下年度不予新增预算"),
                  ("suspend_disbursement", p.suspend_grades, "suspend_grades", "绩效评价等级为{g}，中止预算执行或调整资金拨付"),
                  ("reward", p.reward_grades, "reward_grades", "绩效评价等级为{g}，予以通报表扬并实施奖励"))
        for action, grades, param, text in simple:
            if grades:
                hit = graded.filter(pl.col("grade").is_in(grades))
                msg = pl.lit(text.split("{g}")[0]) + pl.col("grade") + pl.lit(text.split("{g}")[1])
                parts.append(self.findings(hit, action, msg, assumed=self.is_assumed(param)))
        cuts = {grade: ratio for grade, ratio in p.cut_ratios.items() if ratio != 0}
        if cuts:
            # One pass over the cut grades, so the findings stay in the portfolio's order.
            hit = graded.filter(pl.col("grade").is_in(list(cuts)))
            cut, pct = pl.lit(None, pl.Int64), pl.lit(None, pl.String)
            for grade, ratio in cuts.items():
                cut = pl.when(pl.col("grade") == grade).then(share_fen_expr(pl.col("budget_fen"), ratio)).otherwise(cut)
                pct = pl.when(pl.col("grade") == grade).then(pl.lit(f"{(ratio * 100).normalize():f}%")).otherwise(pct)
            msg = (pl.lit("绩效评价等级为") + pl.col("grade") + pl.lit("，扣减") + next_year
                   + pl.lit("年度部门项目预算控制数（本年预算的 ") + pct + pl.lit("）"))
            parts.append(self.findings(hit, "cut_budget", msg, amount_fen=-cut,
                                       assumed=self.is_assumed("cut_ratios")))
        if p.poor_rectification_actions:
            from jixiao.plugins.rectification_deadline import decision_status

            late = (decision_status(portfolio, as_of, p.rectification_months)
                    .filter(pl.col("status").is_in(["overdue", "late"])).select("pix").unique()
                    .join(facts.select("project_id", "pix", "fiscal_year"), on="pix"))
            text = {"suspend_disbursement": "整改不力，中止预算执行或调整资金拨付",
                    "no_new_budget": "整改不力，下一年度不予考虑新增预算需求"}
            for action in p.poor_rectification_actions:
                parts.append(self.findings(late, action, text[action],
                                           assumed=self.is_assumed("poor_rectification_actions", "rectification_months")))
        return self.output(pl.concat(parts) if parts else None)
