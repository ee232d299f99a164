"""事前绩效评估 gate: projects that need an ex-ante assessment get no budget until one has passed."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

import attrs
import polars as pl

from jixiao.rules import FEN_PER_YUAN, Rule, hookimpl, project_columns

Trigger = Literal["new_major", "new", "major", "large", "new_large", "new_of_categories"]


@attrs.frozen(kw_only=True)
class ExAnteGateParams:
    # Which projects need an assessment: new and major (新出台重大政策、项目), any new, any major,
    # any project whose budget reaches large_amount_yuan (large), or a new one that does (new_large:
    # 新增…大额支出事项 — a continuing project of that size needs none), or a new one of the
    # trigger_categories whatever its size (new_of_categories: Shilong's 基建投资).
    triggers: list[Trigger] = attrs.field(factory=lambda: ["new_major"])
    large_amount_yuan: Decimal | None = None
    trigger_categories: list[str] = attrs.field(factory=list)
    # The points the assessment must cover, as the source names them. When the portfolio records
    # the points an assessment covered (事前评估要点), a passed assessment missing one does not count.
    checklist: list[str] = attrs.field(factory=list)
    # Only projects of these categories (all when empty), and of budgets from this year on.
    categories: list[str] = attrs.field(factory=list)
    from_fiscal_year: int | None = None
    # The document's word for what the result is to the budget request (34号 四（七） 必备要件;
    # Shilong 二（二）4 必要条件), quoted in the finding.
    requirement: str = "必备要件"
    # Which of the triggers bar the budget (None: all). The others only require the assessment, its
    # result a reference for the budget (Nanchang （六）: new major items' 审核和评估结果作为预算安排的
    # 重要参考依据; the 必备要件 is for 基本建设投资项目).
    gate_triggers: list[Trigger] | None = None

    def __attrs_post_init__(self):
        a = self.large_amount_yuan
        if a is not None and (a < 0 or a != a.quantize(Decimal("0.01"))):
            raise ValueError(f"large_amount_yuan：应为以元计、最多两位小数、不小于 0 的金额，写的是 {a}")
        stray = [t for t in (self.gate_triggers or ()) if t not in self.triggers]
        if stray:
            raise ValueError(f"gate_triggers：{stray[0]} 不在 triggers 中（triggers 写的是 {'、'.join(self.triggers)}）")


class ExAnteGate(Rule):
    name = "ex_ante_gate"
    summary = "new major policies and projects need a passed ex-ante assessment before budgeting"
    Params = ExAnteGateParams
    reads = ("is_new", "is_major", "budget_fen", "category", "assessment_result", "assessment_date", "assessment_points")

    def _needs(self, triggers=None) -> pl.Expr:
        p = self.params
        parts = []
        for t in p.triggers if triggers is None else triggers:
            if t == "new_major":
                parts.append(pl.col("is_new") & pl.col("is_major"))
            elif t == "new":
                parts.append(pl.col("is_new"))
            elif t == "major":
                parts.append(pl.col("is_major"))
            elif t == "large" and p.large_amount_yuan is not None:
                parts.append(pl.col("budget_fen") >= int(p.large_amount_yuan * FEN_PER_YUAN))
            elif t == "new_large" and p.large_amount_yuan is not None:
                parts.append(pl.col("is_new") & (pl.col("budget_fen") >= int(p.large_amount_yuan * FEN_PER_YUAN)))
            elif t == "new_of_categories" and p.trigger_categories:
                parts.append(pl.col("is_new") & pl.col("category").is_in(p.trigger_categories))
        needs = pl.any_horizontal(parts) if parts else pl.lit(False)
        if p.categories:
            needs = needs & pl.col("category").is_in(p.categories)
        if p.from_fiscal_year is not None:
            needs = needs & (pl.col("fiscal_year") >= p.from_fiscal_year)
        return needs

    def _missing_points(self) -> pl.Expr:
        """The checklist points a recorded assessment did not cover, joined by 、 ("" when none)."""
        covered = pl.col("assessment_points").fill_null("").str.replace_all(r"[,;；，]", "、").str.split("、")
        missing = [pl.when(covered.list.contains(point)).then(None).otherwise(pl.lit(point))
                   for point in self.params.checklist]
        recorded = pl.col("assessment_points").is_not_null() & (pl.col("assessment_points") != "")
        joined = pl.concat_str(missing, separator="、", ignore_nulls=True) if missing else pl.lit("")
        return pl.when(recorded).then(joined.fill_null("")).otherwise(pl.lit(""))

    @hookimpl
    def jixiao_assess(self, as_of, facts):
        # An assessment dated after the as-of date is not known yet.
        passed = (pl.col("assessment_result") == "pass") & (
            pl.col("assessment_date").is_null() | (pl.col("assessment_date") <= as_of))
        gates = self.params.gate_triggers
        bars = (self._needs(gates) if gates is not None else self._needs()).fill_null(False)
        checked = project_columns(facts, "fiscal_year", "assessment_result", self._needs().fill_null(False).alias("needs"),
                               bars.alias("bars"),
                               passed.fill_null(False).alias("_passed"), self._missing_points().alias("_missing"))
        checked = checked.with_columns((pl.col("_passed") & (pl.col("_missing") == "")).alias("passed"))
        failing = checked.filter(pl.col("needs") & ~pl.col("passed"))
        barred = failing.filter(pl.col("bars"))
        points = "、".join(self.params.checklist)
        what = f"（评估要点：{points}）" if points else ""
        assumed = self.is_assumed("triggers", "large_amount_yuan", "categories", "from_fiscal_year", "gate_triggers")
        # Never assessed, assessed and failed, and passed without every point read differently to
        # the unit: say which.
        year = pl.col("fiscal_year").cast(pl.String)
        tail = pl.lit(f"；评估结果是申请预算的{self.params.requirement}，不予安排") + year + pl.lit("年度预算") + self.adopted_note(as_of)
        result = pl.col("assessment_result").fill_null("none")
        why = (pl.when(pl.col("_missing") != "")
               .then(pl.lit("事前绩效评估未论证：") + pl.col("_missing") + tail)
               .when(result == "fail").then(pl.lit("事前绩效评估结论为未通过") + tail)
               .when(result == "pass").then(pl.lit("事前绩效评估晚于基准日期，尚不能作为申报依据") + tail)
               .otherwise(pl.lit("未开展事前绩效评估") + tail))
        findings = pl.concat([
            self.findings(failing, "require_assessment",
                          pl.when(pl.col("bars")).then(pl.lit(f"须开展事前绩效评估{what}"))
                          .otherwise(pl.lit(f"须开展事前绩效评估{what}；评估结果作为预算安排的重要参考依据，"
                                            "不据此不予安排")), assumed=assumed),
            self.findings(barred, "block_budget", why, budget_year=pl.col("fiscal_year"),
                          applies_to="project_budget", assumed=assumed),
        ])
        facts_out = project_columns(checked, (~pl.col("bars") | pl.col("passed")).alias("assessment_ok"))
        return self.output(findings, facts_out)
