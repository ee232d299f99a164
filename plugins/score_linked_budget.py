"""结果应用: the grade links to a later budget — priority, improvement, notice, cuts.

**Which budget.** Results of an evaluation apply to the first budget compiled after the evaluation.
The budget of year B is compiled during year B−1, so an evaluation dated in year E feeds the budget
of E+1; an annual evaluation of fiscal year FY exists at the earliest in FY+1, so its results never
reach a budget before FY+2. A FY2024 project evaluated on 2025-03-01 feeds the 2026 budget — never
the 2025 one, adopted before the evaluation existed. An undated evaluation is taken as made in FY+1
(the earliest it can be); a score computed by jixiao from the indicators exists at the run date.
Sanctions on this year's money (suspending disbursement) apply to the year the result is known.

**What a cut is taken from.** ``cut_from`` says whose figure is reduced: the project's own budget
(``project_budget``, 34号's 削减) or the department's project control figure (``department_control``,
Nanchang （十） 扣减下年度部门项目预算控制数). A cut is ``ratio × this year's budget``, rounded half up
to the fen; its ``amount_fen`` is negative. For a department's control figure the message names the
department and the department's total for that budget year, beside this project's share.

**A cut needs a budget to cut.** A project's own budget of year B exists only for a project still
being implemented in B. When the project's implementation ends before B (``end_date``), or its end
is not recorded, no money is cut: the finding (``cut_if_budgeted``, not binding) says that the
project has no budget of year B to reduce and what the cut would be if it is budgeted again. A cut
of the department's control figure does not depend on the project continuing.

**Priority on performance against targets.** A project without approved targets is not prioritised
or rewarded on its grade (an evaluation is made against the targets set); a priority finding for a
year in which nothing was paid says the grade and the execution disagree.

**Not both.** A project held accountable and not yet rectified (a decision received by the date
whose rectification report is not in, or came late) is not prioritised or rewarded in the same run.

**Evaluation results only.** The grade is applied only when it is an evaluation result
(``grade_final`` from the grading rule): not a score jixiao computed from the indicators, and not a
self-evaluation still waiting for finance's review where the document makes finance review each
report (Nanchang （九） 审核备案, Tianyuan 第三十二条 复核: the grading rule's
``self_evaluation_needs_review``). For those, instead of cutting, notifying or refusing, one finding
(``pending_review``, not binding) says what follows once there is a confirmed result.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

import attrs
import polars as pl

from jixiao.rules import (
    CATEGORY_NAMES, GRADES, Rule, decision_status, first_per_project, hookimpl, join_on_project, project_columns,
    project_in, share_fen_expr, yuan_text_expr,
)


@attrs.frozen(kw_only=True)
class ScoreLinkedBudgetParams:
    priority_grades: list[str] = attrs.field(factory=list, metadata={GRADES: True})
    improve_grades: list[str] = attrs.field(factory=list, metadata={GRADES: True})
    notice_grades: list[str] = attrs.field(factory=list, metadata={GRADES: True})
    no_new_budget_grades: list[str] = attrs.field(factory=list, metadata={GRADES: True})
    suspend_grades: list[str] = attrs.field(factory=list, metadata={GRADES: True})
    reward_grades: list[str] = attrs.field(factory=list, metadata={GRADES: True})
    # 整改不力: a rectification report overdue this many months after the decision → these actions.
    poor_rectification_actions: list[Literal["suspend_disbursement", "no_new_budget"]] = attrs.field(factory=list)
    rectification_months: int = 2
    # grade → share of this year's budget deducted from the next budget compiled after the evaluation.
    cut_ratios: dict[str, Decimal] = attrs.field(factory=dict, metadata={GRADES: True})
    # Whose figure a cut reduces (see the module docstring).
    cut_from: Literal["project_budget", "department_control"] = "project_budget"
    # Per project category, whose figure a cut reduces where it differs from ``cut_from`` (Nanchang:
    # a 转移支付 project's cut is taken from that transfer's own budget, not the department's control
    # figure — （十七）“将项目实施绩效与项目预算增减挂钩”).
    cut_from_for: dict[str, Literal["project_budget", "department_control"]] = attrs.field(factory=dict)
    # An alternative the document allows instead of the cut (Nanchang （十）: 调整支出结构), named in
    # the finding so the officer sees the choice the text leaves.
    cut_alternative: str | None = None
    # Whose requests 不予新增预算 refuses: the project's own, or its implementing unit's (Tongxin 二（四）).
    no_new_budget_for: Literal["project_budget", "unit_new_requests"] = "project_budget"

    def __attrs_post_init__(self):
        for grade, ratio in self.cut_ratios.items():
            if not Decimal(0) <= ratio <= Decimal(1):
                raise ValueError(f"cut_ratios.{grade}：比例应在 0 到 1 之间，写的是 {ratio}（8% 写作 \"0.08\"）")
        if not 1 <= self.rectification_months <= 120:
            raise ValueError(f"rectification_months：应为 1 到 120 个月，写的是 {self.rectification_months}")
        unknown = sorted(set(self.cut_from_for) - set(CATEGORY_NAMES))
        if unknown:
            raise ValueError(f"cut_from_for：项目类别“{unknown[0]}”不是已知的项目类别（可写：{'、'.join(CATEGORY_NAMES)}）")


def result_years(facts: pl.DataFrame, as_of) -> tuple[pl.Expr, pl.Expr]:
    """(the budget year a result feeds, the year the result is known) for each graded project."""
    fy = pl.col("fiscal_year").cast(pl.Int32)
    known = (pl.col("score_date").dt.year().cast(pl.Int32) if "score_date" in facts.columns
             else pl.lit(None, pl.Int32))
    known = pl.when(pl.col("score_source") == "computed").then(pl.lit(as_of.year, pl.Int32)).otherwise(known) \
        if "score_source" in facts.columns else known
    known = pl.max_horizontal(known.fill_null(fy + 1), fy + 1)
    return pl.max_horizontal(known + 1, fy + 2).alias("_budget_year"), known.alias("_known_year")


class ScoreLinkedBudget(Rule):
    name = "score_linked_budget"
    summary = "link the grade to the next budget compiled after the evaluation: priority, improvement, notice, cut"
    Params = ScoreLinkedBudgetParams
    reads = ("grade", "grade_final", "score_date", "score_source", "budget_fen", "spent_fen", "fiscal_year",
             "department", "end_date", "target_status", "fund_type", "category")

    def scope(self, facts, as_of, projects):
        """A cut from the department's control figure names the department's total over all of its
        projects: the answer for a project depends on its department's projects. Otherwise on the
        project alone."""
        p = self.params
        if "department_control" not in (p.cut_from, *p.cut_from_for.values()):
            return projects
        return facts.filter(pl.col("department").is_in(projects["department"].implode()))

    def compiled_note(self, as_of) -> pl.Expr:
        """Once the budget year fed has begun, its budget is adopted: the finding is what compiling it
        should have done, to check against the adopted budget — said, so that it is not read as money
        still to move (the gates' ``adopted_note``, worded for a result)."""
        return self.adopted_note(as_of, pl.col("_budget_year"), "此为编制该年度预算时应作的处理，供核对是否已落实")

    def _cut_from_expr(self) -> pl.Expr:
        """Whose figure each project's cut reduces: ``cut_from``, or its category's ``cut_from_for``."""
        expr = pl.lit(self.params.cut_from)
        for category, source in self.params.cut_from_for.items():
            expr = pl.when(pl.col("category") == category).then(pl.lit(source)).otherwise(expr)
        return expr

    @hookimpl
    def jixiao_apply(self, portfolio, as_of, facts):
        p = self.params
        grade = pl.col("grade") if "grade" in facts.columns else pl.lit(None, pl.String)  # no grading rule
        budget_year, known_year = result_years(facts, as_of)
        # Lazy: each finding's plan reads only the columns it needs from ``facts`` (a collected
        # frame of every graded project's columns, filtered again per action, was the run's peak).
        graded = (project_columns(facts.lazy(), grade.alias("grade"), "budget_fen", "fiscal_year",
                                  "department", "end_date", "target_status", "spent_fen", "fund_type", "category",
                                  *(c for c in ("score_date", "score_source", "grade_final") if c in facts.columns))
                  .filter(pl.col("grade").is_not_null())
                  .with_columns(budget_year, known_year))
        held = None
        if "grade_final" in facts.columns:  # a grading rule that says nothing of it: every grade is final
            final = pl.col("grade_final").fill_null(False)
            held, graded = graded.filter(~final), graded.filter(final)
        no_new_text = ("，不予考虑项目实施单位{y}年度新增预算需求" if p.no_new_budget_for == "unit_new_requests"
                       else "，{y}年度不予新增预算")
        parts = []
        simple = (("prioritize", p.priority_grades, "priority_grades", "，{y}年度预算优先保障", None),
                  ("improve", p.improve_grades, "improve_grades", "，督促改进", None),
                  ("public_notice", p.notice_grades, "notice_grades", "，予以公开通报", None),
                  ("no_new_budget", p.no_new_budget_grades, "no_new_budget_grades", no_new_text,
                   p.no_new_budget_for),
                  ("suspend_disbursement", p.suspend_grades, "suspend_grades",
                   "，中止{k}年度预算执行或调整执行中的预算资金拨付", "disbursement"),
                  ("reward", p.reward_grades, "reward_grades", "，予以通报表扬并实施奖励", None))
        # Projects held accountable and not yet rectified (a decision received by the date whose
        # report is not in, or came late): not also prioritised or rewarded — a result that called
        # for accountability is not 绩效好. 整改不力 itself is sanctioned below where the pack says so.
        decisions = decision_status(portfolio, as_of, p.rectification_months, self.calendar)
        poorly_rectified = decisions.filter(pl.col("status") != "done")
        for action, grades, param, text, target in simple:
            if not grades:
                continue
            hit = graded.filter(pl.col("grade").is_in(grades))
            if action in ("prioritize", "reward") and poorly_rectified.height:
                hit = hit.filter(~project_in(poorly_rectified))
            if action in ("prioritize", "reward"):
                # Performance is judged against the targets set (绩效评价“根据设定的绩效目标”): a project
                # without approved targets is not prioritised or rewarded on its grade.
                hit = hit.filter(pl.col("target_status") == "approved")
            if action == "prioritize":
                # A project whose implementation ends before the budget year has no budget of that
                # year to prioritise (an unrecorded end: the project may go on).
                hit = hit.filter((pl.col("end_date").dt.year() >= pl.col("_budget_year")).fill_null(True))
            if target == "disbursement":
                # Only money still being executed can be suspended: a project whose implementation
                # runs into the year the result is known (an ended project has nothing left to pay),
                # and only while that year runs (a closed year's execution cannot be suspended).
                hit = hit.filter((pl.col("end_date").dt.year() >= pl.col("_known_year")).fill_null(False)
                                 & (pl.col("_known_year") >= as_of.year))
            msg = pl.lit("绩效评价等级为") + pl.col("grade") + _fill(text)
            if action in ("prioritize", "no_new_budget"):
                msg = msg + self.compiled_note(as_of)
            if action == "prioritize":
                # A good grade for a year in which nothing was paid: the officer checks the evaluation.
                msg = msg + pl.when((pl.col("spent_fen") == 0) & (pl.col("budget_fen") > 0)).then(
                    pl.lit("（注意：本年预算执行率为 0%，与评价等级不符，请核实评价结果后再安排）")).otherwise(pl.lit(""))
            when = pl.col("_known_year") if target == "disbursement" else pl.col("_budget_year")
            parts.append(self.findings(hit, action, msg, assumed=self.is_assumed(param),
                                       budget_year=when if target else None, applies_to=target, cite=param))
        cuts = {grade: ratio for grade, ratio in p.cut_ratios.items() if ratio != 0}
        if cuts:
            parts.append(self._cuts(graded, cuts, as_of))
        if held is not None and _count(held):
            parts.append(self._held(held, poorly_rectified, as_of))
        if p.poor_rectification_actions:
            parts += self._poor_rectification(decisions, as_of, facts)
        return self.output(pl.concat(parts) if parts else None)

    @staticmethod
    def _cut_exprs(cuts: dict[str, Decimal]) -> tuple[pl.Expr, pl.Expr]:
        """(the cut in fen, the ratio as text) of each project's grade; null for other grades."""
        cut, pct = pl.lit(None, pl.Int64), pl.lit(None, pl.String)
        for grade, ratio in cuts.items():
            cut = pl.when(pl.col("grade") == grade).then(share_fen_expr(pl.col("budget_fen"), ratio)).otherwise(cut)
            pct = pl.when(pl.col("grade") == grade).then(pl.lit(f"{(ratio * 100).normalize():f}%")).otherwise(pct)
        return cut, pct

    def _cuts(self, graded: pl.LazyFrame, cuts: dict[str, Decimal], as_of) -> pl.LazyFrame:
        p = self.params
        # One pass over the cut grades, so the findings stay in the portfolio's order.
        cut, pct = self._cut_exprs(cuts)
        hit = (graded.filter(pl.col("grade").is_in(list(cuts)))
               .with_columns(cut.alias("_cut"), pct.alias("_pct"), self._cut_from_expr().alias("_from")))
        year = pl.col("_budget_year").cast(pl.String)
        share = pl.lit("（本项目本年预算 ") + yuan_text_expr(pl.col("budget_fen")) + pl.lit(" 元的 ") + pl.col("_pct")
        alternative = pl.lit(f"；文件允许以“{p.cut_alternative}”代替扣减，由财政部门选择" if p.cut_alternative else "")
        alternative = alternative + self.compiled_note(as_of)
        assumed = self.is_assumed("cut_ratios", "cut_from", "cut_from_for")
        parts = []
        dept = hit.filter(pl.col("_from") == "department_control")
        own = hit.filter(pl.col("_from") == "project_budget")
        n_dept, n_own = hit.select((pl.col("_from") == w).sum().alias(w) for w in ("department_control", "project_budget")
                                   ).collect().row(0)
        if n_dept:
            # A department's control figures are per budget (一般公共预算, 政府性基金预算, …): a cut is
            # taken from, and totalled within, the budget the project's money belongs to.
            dept = dept.with_columns(pl.col("_cut").sum().over("department", "fund_type", "_budget_year")
                                     .alias("_dept_total"))
            fund = pl.when(pl.col("fund_type").is_null() | (pl.col("fund_type") == "一般公共预算")).then(pl.lit("")) \
                .otherwise(pl.col("fund_type"))
            msg = (pl.lit("绩效评价等级为") + pl.col("grade") + pl.lit("，扣减") + pl.col("department") + year
                   + pl.lit("年度") + fund + pl.lit("部门项目预算控制数 ") + yuan_text_expr(pl.col("_cut")) + pl.lit(" 元")
                   + share + pl.lit("；该部门") + year + pl.lit("年度") + fund + pl.lit("控制数合计扣减 ")
                   + yuan_text_expr(pl.col("_dept_total")) + pl.lit(" 元）") + alternative)
            parts.append(self.findings(dept, "cut_budget", msg, amount_fen=-pl.col("_cut"),
                                       budget_year=pl.col("_budget_year"), applies_to="department_control",
                                       assumed=assumed))
        if n_own or not parts:
            # A category the pack takes out of the default source says so in the message.
            overridden = [c for c, src in p.cut_from_for.items() if src == "project_budget"]
            why = (pl.when(pl.col("category").is_in(overridden)).then(
                pl.lit("；项目类别为") + pl.col("category") + pl.lit("，从本项目预算中削减，不扣减部门项目预算控制数"))
                .otherwise(pl.lit(""))) if overridden and p.cut_from != "project_budget" else pl.lit("")
            # The project's own budget of that year exists only if the project is still implemented then.
            continues = (pl.col("end_date").dt.year() >= pl.col("_budget_year")).fill_null(False)
            msg = (pl.lit("绩效评价等级为") + pl.col("grade") + pl.lit("，削减本项目") + year + pl.lit("年度预算 ")
                   + yuan_text_expr(pl.col("_cut")) + pl.lit(" 元") + share + pl.lit("）") + why + alternative)
            why_none = (pl.when(pl.col("end_date").is_null())
                        .then(pl.lit("项目实施期结束日期未填，不能确定") + year + pl.lit("年度是否仍安排本项目预算"))
                        .otherwise(pl.lit("本项目实施期至") + pl.col("end_date").dt.strftime("%Y-%m-%d")
                                   + pl.lit("结束，") + year + pl.lit("年度无本项目预算可削减")))
            conditional = (pl.lit("绩效评价等级为") + pl.col("grade") + pl.lit("；") + why_none
                           + pl.lit("，本次不扣减金额；如") + year + pl.lit("年度再安排本项目预算，削减 ")
                           + yuan_text_expr(pl.col("_cut")) + pl.lit(" 元") + share + pl.lit("）") + why + alternative)
            parts += [
                self.findings(own.filter(continues), "cut_budget", msg, amount_fen=-pl.col("_cut"),
                              budget_year=pl.col("_budget_year"), applies_to="project_budget", assumed=assumed),
                self.findings(own.filter(~continues), "cut_if_budgeted", conditional,
                              budget_year=pl.col("_budget_year"), applies_to="project_budget", assumed=assumed)]
        return pl.concat(parts)

    def _held(self, held: pl.LazyFrame, poorly_rectified: pl.DataFrame, as_of) -> pl.LazyFrame:
        """One finding per project whose grade rests on an unreviewed self-evaluation: what follows
        once finance's review confirms the grade (nothing is applied before) — only what would follow
        for this project: no priority or reward without approved targets or while it is held
        accountable and not rectified, no suspension of money no longer executed."""
        p = self.params
        year = pl.col("_budget_year").cast(pl.String)
        unit = p.no_new_budget_for == "unit_new_requests"
        cuts = {grade: ratio for grade, ratio in p.cut_ratios.items() if ratio != 0}
        cut, pct = self._cut_exprs(cuts)
        held = held.with_columns(self._cut_from_expr().alias("_from"))
        cut_text = (pl.when(pl.col("_from") == "department_control")
                    .then(pl.lit("扣减") + pl.col("department") + year + pl.lit("年度部门项目预算控制数（按本年预算的 ")
                          + pct + pl.lit(" 测算为 ") + yuan_text_expr(cut) + pl.lit(" 元）"))
                    .otherwise(pl.lit("削减本项目") + year + pl.lit("年度预算（按本年预算的 ") + pct + pl.lit(" 测算为 ")
                               + yuan_text_expr(cut) + pl.lit(" 元）")))
        # As for a confirmed grade (jixiao_apply): priority and reward need approved targets and no open
        # accountability; only money still executed can be suspended.
        deserving = (pl.col("target_status") == "approved").fill_null(False) & ~project_in(poorly_rectified)
        executing = ((pl.col("end_date").dt.year() >= pl.col("_known_year")).fill_null(False)
                     & (pl.col("_known_year") >= as_of.year))
        continues = (pl.col("end_date").dt.year() >= pl.col("_budget_year")).fill_null(True)
        always = pl.lit(True)
        consequences = ((p.priority_grades, year + pl.lit("年度预算优先保障"), deserving & continues),
                        (p.improve_grades, pl.lit("督促改进"), always),
                        (p.notice_grades, pl.lit("予以公开通报"), always),
                        (p.no_new_budget_grades, pl.lit("不予考虑项目实施单位") + year + pl.lit("年度新增预算需求") if unit
                         else year + pl.lit("年度不予新增预算"), always),
                        (p.suspend_grades, pl.lit("中止") + pl.col("_known_year").cast(pl.String)
                         + pl.lit("年度预算执行或调整执行中的预算资金拨付"), executing),
                        (p.reward_grades, pl.lit("予以通报表扬并实施奖励"), deserving),
                        (list(cuts), cut_text, always))
        items = [pl.when(pl.col("grade").is_in(grades) & when).then(text)
                 for grades, text, when in consequences if grades]
        if not items:
            return self.findings(held.head(0), "pending_review", "")
        # A project is listed when one consequence's text is written for it: the texts themselves
        # decide (a second, boolean account of when each text is null could drift from them).
        listed = pl.concat_list(items).list.drop_nulls()
        held = held.with_columns(listed.alias("_then")).filter(pl.col("_then").list.len() > 0)
        computed = pl.col("score_source") == "computed"
        msg = (pl.lit("绩效评价等级为") + pl.col("grade")
               + pl.when(computed).then(pl.lit("（按绩效指标测算，尚无评价结果）：有自评或评价结果且等级相同时，"))
               .otherwise(pl.lit("（单位自评），自评报告尚未经财政部门复核：复核确认该等级后，"))
               + pl.col("_then").list.join("；")
               + pl.when(computed).then(pl.lit("；在此之前不据此调整预算")).otherwise(pl.lit("；复核前不据此调整预算")))
        has_cut = pl.col("grade").is_in(list(cuts)) if cuts else pl.lit(False)
        return self.findings(held, "pending_review", msg, budget_year=pl.col("_budget_year"),
                             applies_to=pl.when(has_cut).then(pl.col("_from")))

    def _poor_rectification(self, decisions: pl.DataFrame, as_of, facts: pl.DataFrame) -> list[pl.LazyFrame]:
        p = self.params
        # 整改不力 is a rectification still not reported after its due date, at the run date: a report
        # that came in, even late, ends it (the sanctions are for what is not rectified, not a penalty
        # that renews every year). One finding per project, on its earliest overdue decision.
        overdue = first_per_project(project_columns(decisions.filter(pl.col("status") == "overdue"),
                                                    "decision_id", "due"), ["due"])
        late = join_on_project(project_columns(facts, "fiscal_year", "end_date"), overdue,
                               maintain_order="left")
        # 整改不力 is known at the run date: disbursement of that year; new requests of the next budget.
        this_year, next_year = as_of.year, as_of.year + 1
        unit = p.no_new_budget_for == "unit_new_requests"
        why = (pl.lit("问责决定 ") + pl.col("decision_id") + pl.lit(" 要求的整改报告应于 ")
               + pl.col("due").dt.strftime("%Y-%m-%d") + pl.lit(f" 前报送，至 {as_of:%Y-%m-%d} 仍未报送："))
        text = {"suspend_disbursement": (why + pl.lit(f"整改不力，中止{this_year}年度预算执行或调整执行中的预算资金拨付"),
                                         this_year, "disbursement"),
                "no_new_budget": (why + pl.lit(f"整改不力，不予考虑项目实施单位{next_year}年度新增预算需求" if unit
                                               else f"整改不力，{next_year}年度不予新增预算"),
                                  next_year, p.no_new_budget_for)}
        assumed = self.is_assumed("poor_rectification_actions", "rectification_months")
        out = []
        for action in p.poor_rectification_actions:
            hit = late
            if action == "suspend_disbursement":
                # Only money still being executed this year can be suspended.
                # (a project of this year's budget with no recorded end is being executed this year).
                hit = late.filter((pl.col("end_date").dt.year() >= this_year)
                                  .fill_null(pl.col("fiscal_year") == this_year))
            out.append(self.findings(hit, action, text[action][0], budget_year=text[action][1],
                                     applies_to=text[action][2], assumed=assumed))
        return out


def _count(frame: pl.LazyFrame) -> int:
    return frame.select(pl.len()).collect().item()


def _fill(text: str) -> pl.Expr:
    """A message tail with {y} (the budget year fed) and {k} (the year the result is known)."""
    out, rest = [], text
    while rest:
        at = min((rest.find(m) for m in ("{y}", "{k}") if m in rest), default=-1)
        if at < 0:
            out.append(pl.lit(rest))
            break
        out.append(pl.lit(rest[:at]))
        col = "_budget_year" if rest[at:at + 3] == "{y}" else "_known_year"
        out.append(pl.col(col).cast(pl.String))
        rest = rest[at + 3:]
    return pl.concat_str(out) if out else pl.lit("")
