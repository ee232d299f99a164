"""绩效问责 (Tianyuan 第三十八、三十九条): the eight triggers and the three sanctions.

Triggers come from recorded accountability decisions (their 问责情形 text) and, where the data
shows them, from the run itself: no targets filed (1), execution deviating from targets (2),
targets missed at completion (3), a poor evaluation result (4). Triggers 5–8 (obstruction,
violations, fraud, other) are only known from recorded decisions.

第三十九条 starts every accountability with 责令改正 (``order_correction``) and then lets finance
choose, by severity, among no or reduced budget, reclaiming the year's unexecuted funds and public
criticism, alone or combined. jixiao cannot weigh severity, so a pack says which sanctions follow
which trigger (``by_trigger``, else ``sanctions``); with none chosen, the finding lists the choices
the clause leaves to finance instead of applying one.

Money findings say which budget and year: a reduced budget is the next budget compiled after the
decision (the year after the run's year, never before the year after the project's); a reclaim is of
a fiscal year's money *not executed* in that year — so only once the year has closed, and only its
balance at 31 December (payments made by then), never a running year's budget.
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Literal

import attrs
import polars as pl

from jixiao.rules import (
    GRADES, Rule, aggregate_per_project, fact_of, for_projects, hookimpl, project_columns, project_in, share_fen_expr,
    sum_per_project, with_facts, year_end_expr, yuan_text_expr,
)

TRIGGERS = {
    "no_targets": "不按规定编报绩效目标",
    "no_self_evaluation": "未按规定开展绩效自评",
    "execution_deviation": "预算执行中绩效未按预定目标同步实现或发生偏离",
    "targets_missed": "项目结束后绩效达不到预定目标",
    "poor_evaluation": "绩效评价结果较差",
    "obstruction": "干扰、阻碍预算绩效管理工作",
    "violation": "违反财政法规",
    "fraud": "弄虚作假",
    "other": "其他应问责事项",
}
Sanction = Literal["reduce_budget", "reclaim_funds", "public_notice", "suspend_disbursement"]
Derived = Literal["no_targets", "no_self_evaluation", "execution_deviation", "targets_missed", "poor_evaluation"]
SANCTION_ZH = {"reduce_budget": "不予安排或减少安排预算资金", "reclaim_funds": "收回年度没有执行的预算资金",
               "public_notice": "通报批评", "suspend_disbursement": "暂缓或停止部门预算执行"}


@attrs.frozen(kw_only=True)
class AccountabilityParams:
    derive: list[Derived] = attrs.field(factory=lambda: ["no_targets", "execution_deviation",
                                                         "targets_missed", "poor_evaluation"])
    poor_grades: list[str] = attrs.field(factory=lambda: ["差"], metadata={GRADES: True})
    # Completion below this share of the targets at the end of implementation = targets missed.
    missed_below: Decimal = Decimal("0.6")
    # 责令改正: every accountability starts with an order to correct (Tianyuan 第三十九条).
    order_correction: bool = False
    # The sanctions applied for a trigger not named in by_trigger (may be empty: none applied).
    sanctions: list[Sanction] = attrs.field(factory=lambda: ["reclaim_funds", "public_notice"])
    # trigger (a key of TRIGGERS, or "recorded" for a recorded decision) → its sanctions.
    by_trigger: dict[str, list[Sanction]] = attrs.field(factory=dict)
    # The sanctions the document leaves to finance's judgement, named in the finding when none is
    # applied (Tianyuan 第三十九条: 视情节轻重选择; Nanchang （十九）: 视情况暂缓或停止部门预算执行).
    choices: list[Sanction] = attrs.field(factory=lambda: ["reduce_budget", "reclaim_funds", "public_notice"])
    # How the document words finance's choice (Tianyuan 第三十九条 “视情节轻重选择”, Nanchang （十九） “视情况”).
    choice_wording: str = "可视情节轻重选择"
    # reduce_budget: the share of this year's budget not arranged next year (1 = none at all).
    reduce_ratio: Decimal = Decimal("1")

    def __attrs_post_init__(self):
        unknown = sorted(set(self.by_trigger) - set(TRIGGERS) - {"recorded"})
        if unknown:
            raise ValueError(f"by_trigger：没有触发情形 {', '.join(unknown)}；可选："
                             + ", ".join([*TRIGGERS, "recorded"]))
        if not (self.order_correction or self.sanctions or any(self.by_trigger.values()) or self.choices):
            raise ValueError("sanctions：至少选一项处理（reduce_budget、reclaim_funds、public_notice、"
                             "suspend_disbursement），或在 choices 中列出文件留给财政部门选择的处理，或写 order_correction = true")
        if not Decimal(0) <= self.missed_below <= Decimal(1):
            raise ValueError(f"missed_below：比例应在 0 到 1 之间，写的是 {self.missed_below}（60% 写作 \"0.6\"）")
        if not Decimal(0) < self.reduce_ratio <= Decimal(1):
            raise ValueError(f"reduce_ratio：比例应大于 0 且不超过 1，写的是 {self.reduce_ratio}（全部扣减写作 \"1\"）")


class Accountability(Rule):
    name = "accountability"
    summary = "accountability triggers, the order to correct and the sanctions chosen for them"
    Params = AccountabilityParams
    reads = ("target_status", "grade", "grade_final", "self_evaluation_missing", "monitoring_deviation",
             "target_completion", "end_date", "fiscal_year")

    def _derived(self, facts: pl.DataFrame, as_of) -> pl.DataFrame:
        p, parts = self.params, []
        cols = facts.columns
        tagged = lambda frame, key: project_columns(frame, pl.lit(TRIGGERS[key]).alias("t"), pl.lit(key).alias("k"))  # noqa: E731
        if "no_targets" in p.derive:
            parts.append(tagged(facts.lazy().filter(pl.col("target_status") == "none"), "no_targets").collect())
        if "no_self_evaluation" in p.derive and "self_evaluation_missing" in cols:
            parts.append(tagged(facts.lazy().filter(pl.col("self_evaluation_missing").fill_null(False)),
                                "no_self_evaluation").collect())
        if "execution_deviation" in p.derive and "monitoring_deviation" in cols:
            parts.append(tagged(facts.lazy().filter(pl.col("monitoring_deviation").fill_null(False)),
                                "execution_deviation").collect())
        if "targets_missed" in p.derive and "target_completion" in cols:
            threshold = math.ceil(p.missed_below * 1_000_000)  # completion < x ⇔ completion < ⌈x⌉
            parts.append(tagged(facts.lazy().filter(pl.col("end_date").is_not_null() & (pl.col("end_date") < as_of)
                                                    & (pl.col("target_completion") < threshold)),
                                "targets_missed").collect())
        if "poor_evaluation" in p.derive and "grade" in cols:
            # Only an evaluation result (grade_final): not a computed score, not an unreviewed report
            # where finance reviews each one (Tianyuan 第三十二条).
            poor = pl.col("grade").is_in(p.poor_grades)
            if "grade_final" in cols:
                poor = poor & pl.col("grade_final").fill_null(False)
            parts.append(tagged(facts.lazy().filter(poor), "poor_evaluation").collect())
        return pl.concat(parts) if parts else tagged(facts.head(0), "other")  # none: no rows, same columns

    def _chosen(self) -> dict[str, list[str]]:
        """Sanction → the trigger keys it follows."""
        p = self.params
        out: dict[str, list[str]] = {}
        for key in [*TRIGGERS, "recorded"]:
            for sanction in p.by_trigger.get(key, p.sanctions):
                out.setdefault(sanction, []).append(key)
        return out

    @hookimpl
    def jixiao_apply(self, portfolio, as_of, facts):
        p = self.params
        recorded = project_columns(portfolio.accountability.filter(pl.col("received_date") <= as_of),
                                   pl.col("trigger").fill_null("问责决定 " + pl.col("decision_id")).alias("t"),
                                   pl.lit("recorded").alias("k"))
        triggers = aggregate_per_project(pl.concat([recorded, self._derived(facts, as_of)]).unique(maintain_order=True),
                                         pl.col("t").sort().str.join("；").alias("triggers"),
                                         pl.col("k").unique().alias("keys"))
        hit = with_facts(triggers, facts, "budget_fen", "spent_fen", "fiscal_year")
        assumed = self.is_assumed("sanctions", "by_trigger", "reduce_ratio", "poor_grades", "missed_below")
        chosen = self._chosen()
        applied = pl.lit(False)
        for keys in chosen.values():
            applied = applied | pl.col("keys").list.eval(pl.element().is_in(keys)).list.any()
        choices = (f"；{p.choice_wording}：" + "、".join(SANCTION_ZH[s] for s in p.choices)
                   + ("（可单独或合并使用）" if len(p.choices) > 1 else "")) if p.choices else ""
        # The document's options are offered for what jixiao found in the data; a decision on record
        # was made already, with its own 处理方式 — its options are not offered again.
        derived = pl.col("keys").list.eval(pl.element() != "recorded").list.any()
        message = (pl.lit("绩效问责：") + pl.col("triggers")
                   + pl.when(applied).then(pl.lit(""))
                   .when(derived).then(pl.lit(choices))
                   .otherwise(pl.lit("（已有问责决定，按决定的处理方式执行）")))
        parts = [self.findings(hit, "accountability", message, assumed=assumed)]
        if p.order_correction:
            parts.append(self.findings(hit, "order_correction", "问责：责令改正"))
        for sanction, keys in chosen.items():
            follows = hit.filter(pl.col("keys").list.eval(pl.element().is_in(keys)).list.any())
            parts.append(self._sanction(sanction, follows, portfolio, facts, as_of, assumed))
        return self.output(pl.concat(parts))

    def _sanction(self, sanction: str, hit: pl.DataFrame, portfolio, facts: pl.DataFrame, as_of,
                  assumed: bool) -> pl.LazyFrame:
        p = self.params
        fy = pl.col("fiscal_year")
        if sanction == "reduce_budget":
            # The next budget compiled after the decision: the year after the run's, and never before
            # the year after the project's own.
            year = pl.max_horizontal(pl.lit(as_of.year + 1), fy + 1)
            full = p.reduce_ratio == 1
            text = (pl.lit("问责：不予安排") + year.cast(pl.String) + pl.lit("年度预算资金") if full else
                    pl.lit("问责：减少安排") + year.cast(pl.String)
                    + pl.lit(f"年度预算资金（本年预算的 {(p.reduce_ratio * 100).normalize():f}%）"))
            return self.findings(hit, "no_new_budget" if full else "cut_budget", text,
                                 amount_fen=None if full else -share_fen_expr(pl.col("budget_fen"), p.reduce_ratio),
                                 budget_year=year, applies_to="project_budget", assumed=assumed)
        if sanction == "reclaim_funds":
            # Only a closed year has money "not executed in the year": its balance at 31 December.
            closed = hit.filter(fy < as_of.year)
            paid = self._paid_in_year(portfolio, facts, closed)
            unspent = (closed.with_columns(paid.alias("_paid"))
                       .with_columns((pl.col("budget_fen") - pl.col("_paid")).alias("_left"))
                       .filter(pl.col("_left") > 0))
            text = (pl.lit("问责：收回") + fy.cast(pl.String) + pl.lit("年度没有执行的预算资金 ")
                    + yuan_text_expr(pl.col("_left")) + pl.lit(" 元（截至") + fy.cast(pl.String) + pl.lit("年12月31日未支出）"))
            return self.findings(unspent, "reclaim_funds", text, amount_fen=-pl.col("_left"),
                                 budget_year=fy, applies_to="unspent_balance", assumed=assumed)
        if sanction == "suspend_disbursement":
            return self.findings(hit, "suspend_disbursement",
                                 f"问责：暂缓或停止{as_of.year}年度部门预算执行",
                                 budget_year=as_of.year, applies_to="department_execution", assumed=assumed)
        return self.findings(hit, "public_notice", "问责：通报批评", assumed=assumed)

    @staticmethod
    def _paid_in_year(portfolio, facts: pl.DataFrame, rows: pl.DataFrame) -> pl.Series:
        """Payments of each row's project made by 31 December of its fiscal year (``spent`` without a
        spending table)."""
        if portfolio.spending.height == 0 or rows.height == 0:
            return rows["spent_fen"]
        n = len(portfolio)
        sp = (portfolio.spending.lazy().filter(project_in(rows))
              .with_columns(fact_of(facts, "fiscal_year").cast(pl.Int32).alias("_fy")))
        paid = sum_per_project(sp.filter(pl.col("_fy").is_not_null() & (pl.col("date") <= year_end_expr(pl.col("_fy")))),
                              n, _paid=pl.col("amount_fen"))["_paid"].fill_null(0)
        return for_projects(paid, rows)
