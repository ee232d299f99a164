"""绩效评价: the project's score on 100 points and its grade.

The score is the best available evaluation of the project's fiscal year (by the ``sources`` order:
third party, finance, department (部门评价), the unit's recorded self-evaluation), or, when none is
recorded and the year is over, a self-evaluation score computed from the indicators:

- budget execution: weight × min(1, spent / budget) (a zero budget scores the full weight), where
  spent is what was paid by 12-31 of the fiscal year (the spending table's payments dated up to
  then; without a spending table, the projects table's spent column): an annual evaluation reads
  the year's execution, not the execution on the day the run is made;
- a quantitative indicator: its share is actual/target (more is better) or target/actual (less is
  better), capped at 1; a qualitative one scores its band (达成 / 部分达成 / 未达成);
- a first-level category (产出/效益/满意度; 成本 indicators count within 产出) scores weight × the
  weighted mean of its indicators' shares (indicator 分值 as relative weights, equal when absent);
  an indicator without an actual value scores 0;
- a category the project has no indicator in does not score 0: its weight moves as
  ``missing_weight_to`` says (满意度 → 效益 by default), and a weight with nowhere to go (its
  category unmapped, or every category down the mapping missing too) is shared among the
  categories the project has, in proportion to their weights.

Arithmetic is in integers: shares are truncated to 1e-6, category points rounded half up to 0.01.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import attrs
import polars as pl

from jixiao.rules import (
    LEVELS, MICRO, Rule, fact_of, first_per_project, for_projects, hookimpl, in_project_order, indicator_shares,
    level_sums, project_columns, project_in, sum_per_project, year_end_expr,
)

KINDS = ("third_party", "finance", "department", "self", "computed")
KIND_ZH = {"third_party": "第三方评价", "finance": "财政重点评价", "department": "部门评价", "self": "单位自评",
           "computed": "按指标测算，非评价结果"}
SHARED = "shared"  # a missing category's weight split among the categories the project has
INT64_HEADROOM = 2 ** 62


@attrs.frozen(kw_only=True)
class Weights:
    execution: Decimal = Decimal(10)
    output: Decimal = Decimal(50)
    outcome: Decimal = Decimal(30)
    satisfaction: Decimal = Decimal(10)


@attrs.frozen(kw_only=True)
class Band:
    label: str
    min: Decimal


@attrs.frozen(kw_only=True)
class Qualitative:
    achieved: Decimal = Decimal("1")
    partial: Decimal = Decimal("0.7")
    missed: Decimal = Decimal("0.3")

    def __attrs_post_init__(self):
        for name, v in attrs.asdict(self).items():
            if not (0 <= v <= 1 and v * MICRO == (v * MICRO).to_integral_value()):
                raise ValueError(f"qualitative.{name}：比例应在 0 到 1 之间、最多 6 位小数，写的是 {v:f}（70% 写作 \"0.7\"）")


def _default_bands() -> list[Band]:
    return [Band(label="优", min=Decimal(90)), Band(label="良", min=Decimal(80)),
            Band(label="中", min=Decimal(60)), Band(label="差", min=Decimal(0))]


def _centi(value: Decimal, what: str) -> int:
    c = value * 100
    if c != c.to_integral_value():
        raise ValueError(f"{what}：最多两位小数，写的是 {value}")
    return int(c)


@attrs.frozen(kw_only=True)
class EvaluationScoreParams:
    weights: Weights = attrs.field(factory=Weights)
    grades: list[Band] = attrs.field(factory=_default_bands)
    qualitative: Qualitative = attrs.field(factory=Qualitative)
    sources: list[str] = attrs.field(factory=lambda: list(KINDS))
    # Where a first-level category's weight goes when the project has no indicator in it.
    missing_weight_to: dict[str, str] = attrs.field(factory=lambda: {"satisfaction": "outcome"})
    # Whether a self-evaluation counts only once finance's review of it is recorded (Nanchang （九）
    # 审核备案, Tianyuan 第三十二条 复核): see ``grade_final``.
    self_evaluation_needs_review: bool = False

    def __attrs_post_init__(self):
        for k, v in self.missing_weight_to.items():
            if k not in LEVELS:
                raise ValueError(f"missing_weight_to：没有一级指标类别 {k!r}；可选：{', '.join(LEVELS)}")
            if v not in (*LEVELS, SHARED) or v == k:
                raise ValueError(f"missing_weight_to.{k}：应为另一个一级指标类别（{', '.join(LEVELS)}）"
                                 f"或 {SHARED!r}，写的是 {v!r}")
        for b in self.grades:
            if not 0 <= b.min <= 100:
                raise ValueError(f"grades.{b.label}：最低分应在 0 到 100 之间，写的是 {b.min}")
        mins = [b.min for b in self.grades]
        if not mins or mins != sorted(mins, reverse=True) or len(set(mins)) != len(mins):
            raise ValueError(f"grades：等级应按最低分从高到低排列、最低分各不相同，写的是 {'、'.join(map(str, mins))}")
        if mins[-1] != 0:
            raise ValueError(f"grades：最后一档的最低分应为 0，每个分数才都有等级，写的是 {mins[-1]}")
        for b in self.grades:
            _centi(b.min, f"grades.{b.label}")
        for k in self.sources:
            if k not in KINDS:
                raise ValueError(f"sources：没有评价类型 {k!r}；可选：{', '.join(KINDS)}")
        total = sum(attrs.astuple(self.weights))
        if total != 100:
            raise ValueError(f"weights：各类权重之和应为 100，写的是合计 {total}")


def effective_weights(weights: dict[str, int], moves: dict[str, str]) -> dict[int, dict[str, Fraction]]:
    """For each pattern of categories present (bit i set: ``LEVELS[i]`` has indicators), every
    present category's weight in hundredths of a point once the missing ones' weights have moved:
    along ``moves`` to the first present category down the mapping, else shared in proportion."""
    out = {}
    for pattern in range(1, 2 ** len(LEVELS)):
        present = [lv for i, lv in enumerate(LEVELS) if pattern >> i & 1]
        eff = {lv: Fraction(weights[lv]) for lv in present}
        left = Fraction(0)
        for lv in LEVELS:
            if lv in present:
                continue
            to, seen = moves.get(lv), {lv}
            while to is not None and to != SHARED and to not in present and to not in seen:
                seen.add(to)
                to = moves.get(to)
            if to in present:
                eff[to] += weights[lv]
            else:
                left += weights[lv]
        base = sum(eff.values())
        if left and base:
            eff = {lv: w + left * w / base for lv, w in eff.items()}
        elif left:  # every present category weighs 0: share equally
            eff = {lv: w + left / len(eff) for lv, w in eff.items()}
        out[pattern] = eff
    return out


def year_end_spent(portfolio, rows: pl.DataFrame) -> pl.Series:
    """What the project of each of ``rows`` had paid by 12-31 of its fiscal year: the spending
    table's payments dated up to then, or, for a project without payments in it, the spent column."""
    projects = portfolio.projects
    column = for_projects(projects["spent_fen"], rows).fill_null(0)
    if portfolio.spending.height == 0:
        return column
    fy_end = year_end_expr(fact_of(projects, "fiscal_year"))
    n = projects.height
    sums = sum_per_project(portfolio.spending.lazy(), n, _rows=pl.lit(1, pl.Int64),
                          _paid=pl.when(pl.col("date") <= fy_end).then(pl.col("amount_fen")).otherwise(0))
    sums = for_projects(sums, rows).with_columns(column.alias("_column"))
    return sums.select(pl.when(pl.col("_rows").is_not_null()).then(pl.col("_paid"))
                       .otherwise(pl.col("_column")).alias("spent_fen")).to_series()


class EvaluationScore(Rule):
    name = "evaluation_score"
    summary = "score projects on 100 points and grade them by bands"
    Params = EvaluationScoreParams
    reads = ("fiscal_year", "budget_fen", "spent_fen")

    def bands_c(self) -> list[tuple[str, int]]:
        return [(b.label, _centi(b.min, b.label)) for b in self.params.grades]

    def grade_expr(self, score: pl.Expr) -> pl.Expr:
        bands = self.bands_c()
        expr = pl.lit(bands[-1][0])
        for label, low in reversed(bands[:-1]):
            expr = pl.when(score >= low).then(pl.lit(label)).otherwise(expr)
        return pl.when(score.is_null()).then(None).otherwise(expr)

    def rank_expr(self, score: pl.Expr) -> pl.Expr:
        """The band's position, 1 for the best (``grade_rank``)."""
        bands = self.bands_c()
        expr = pl.lit(len(bands), pl.Int8)
        for i, (_, low) in reversed(list(enumerate(bands[:-1]))):
            expr = pl.when(score >= low).then(pl.lit(i + 1, pl.Int8)).otherwise(expr)
        return pl.when(score.is_null()).then(None).otherwise(expr)

    def computed_scores(self, portfolio, facts: pl.DataFrame) -> pl.DataFrame:
        """score_c, by project: the self-evaluation score computed from indicators and the year-end
        execution, for the projects in ``facts`` (budget_fen, spent_fen; only their indicators are
        scored)."""
        p = self.params
        w = {k: _centi(v, f"weights.{k}") for k, v in attrs.asdict(p.weights).items()}
        q = {k: int(v * MICRO) for k, v in attrs.asdict(p.qualitative).items()}
        indicators = portfolio.indicators.lazy()
        if facts.height < len(portfolio):
            indicators = indicators.filter(project_in(facts))
        sums = level_sums(indicator_shares(indicators, q["achieved"], q["partial"], q["missed"]), len(portfolio))
        sums = for_projects(sums, facts)
        # Which categories each project has (bit i: LEVELS[i]), and each present category's weight
        # once the missing ones' weights have moved, as a fraction num/den of hundredths of a point.
        pattern = pl.sum_horizontal(pl.when(pl.col(f"w_{lv}") > 0).then(1 << i).otherwise(0)
                                    for i, lv in enumerate(LEVELS))
        eff = effective_weights({lv: w[lv] for lv in LEVELS}, p.missing_weight_to)
        num = {lv: {k: e[lv].numerator for k, e in eff.items() if lv in e} for lv in LEVELS}
        den = {lv: {k: e[lv].denominator for k, e in eff.items() if lv in e} for lv in LEVELS}
        # Exact in 64 bits while weight × Σ(w·s) and Σw · 10⁶ × den fit (Σ(w·s) ≤ Σw · 10⁶).
        biggest = max(v for m in (*num.values(), *den.values()) for v in m.values())
        limit = INT64_HEADROOM // (MICRO * biggest)
        for lv in LEVELS:
            top = sums[f"w_{lv}"].max()
            if top is not None and top > limit:
                at = sums[f"w_{lv}"].arg_max()
                pid = for_projects(portfolio.projects["project_id"], facts)[at]
                raise ValueError(f"项目 {pid}：绩效指标分值合计 {top / 10_000:g}，"
                                 "过大，无法精确计分；分值请按百分制填写")
        # A category's points: weight × Σ(w·s) / (Σw · 10⁶), half up to 0.01; none without indicators.
        points = []
        for lv in LEVELS:
            a = pattern.replace_strict(num[lv], default=0, return_dtype=pl.Int64)
            b = pattern.replace_strict(den[lv], default=1, return_dtype=pl.Int64)
            n_, d_ = a * pl.col(f"ws_{lv}"), b * pl.col(f"w_{lv}") * MICRO
            points.append(pl.when(pl.col(f"w_{lv}") > 0).then((2 * n_ + d_) // (2 * d_)).otherwise(0))
        b, s = pl.col("budget_fen"), pl.col("spent_fen")
        execution = pl.when(b <= 0).then(w["execution"]).otherwise(
            ((2 * w["execution"] * pl.min_horizontal(s, b).cast(pl.Int128) + b) // (2 * b)).cast(pl.Int64))
        # Each project's sums, by position; a project with no indicator has none and no score.
        rows = project_columns(facts, execution.alias("_exec")).hstack(sums)
        return project_columns(rows.lazy().filter(pl.col("w_output").is_not_null()),
                               (pl.col("_exec") + pl.sum_horizontal(points)).alias("score_c")).collect()

    def scores(self, portfolio, as_of: dt.date, facts: pl.DataFrame) -> pl.DataFrame:
        """score_c, score_source, … by project, for every project that has a score as of the date."""
        kinds = self.params.sources
        rank = {k: i for i, k in enumerate(kinds)}
        ev = portfolio.evaluations
        ev = (project_columns(ev, "year", "kind", "date", "score_c", "review_date", fact_of(facts, "fiscal_year"))
              .filter((pl.col("year") == pl.col("fiscal_year"))
                      & (pl.col("date").is_null() | (pl.col("date") <= as_of))
                      & pl.col("kind").is_in(list(rank))))
        # Several candidates for some project: the first source in order, then the latest.
        ev = first_per_project(ev, [pl.col("kind").cast(pl.String).replace_strict(rank, return_dtype=pl.Int32), "date"],
                               descending=[False, True], nulls_last=True)
        # score_date: when the result existed (the evaluation's date); results feed the first budget
        # compiled after it (score_linked_budget). Null for an undated record and a computed score.
        # score_review_date: finance's review (复核, 审核备案) of that report, when recorded; a rule that
        # applies results only after the review (grade_final, self_evaluation_needs_review) reads it.
        ev = project_columns(ev, "score_c", pl.col("kind").cast(pl.String).alias("score_source"), pl.col("date").alias("score_date"),
                             pl.col("review_date").alias("score_review_date"))
        if "computed" in kinds:
            # Only projects whose year is over and that have no recorded score need one computed.
            unscored = project_columns(facts.lazy().filter((pl.col("fiscal_year") < as_of.year) & ~project_in(ev)),
                                       "budget_fen").collect()
            # The execution rate of an annual evaluation is the rate at the year's end.
            unscored = unscored.with_columns(year_end_spent(portfolio, unscored))
            computed = (self.computed_scores(portfolio, unscored)
                        .with_columns(pl.lit("computed").alias("score_source"), pl.lit(None, pl.Date).alias("score_date"),
                                      pl.lit(None, pl.Date).alias("score_review_date")))
            ev = in_project_order(pl.concat([ev, computed]))
        return ev

    @hookimpl
    def jixiao_evaluate(self, portfolio, as_of, facts):
        # Scores depend on the tables, the date, the weights, the qualitative bands, the sources and
        # where missing categories' weights go only (spending is read from the tables, to 12-31 of
        # the fiscal year) — not on the grade bands — so packs compared over one portfolio share them.
        p = self.params
        scored = self.shared(portfolio, "scores", lambda: self.scores(portfolio, as_of, facts),
                             params=("weights", "qualitative", "sources", "missing_weight_to"), on=(as_of,))
        scored = scored.with_columns(self.grade_expr(pl.col("score_c")).alias("grade"),
                                     self.rank_expr(pl.col("score_c")).alias("grade_rank"))
        score_text = (pl.col("score_c") // 100).cast(pl.String) + "." + (pl.col("score_c") % 100).cast(
            pl.String).str.pad_start(2, "0")
        year = fact_of(facts, "fiscal_year")  # evaluated only if messages are built
        pending = ("，待财政部门复核" if p.self_evaluation_needs_review else "")
        source = pl.col("score_source").replace_strict(KIND_ZH)
        if pending:
            source = pl.when((pl.col("score_source") == "self") & ~(pl.col("score_review_date") <= as_of).fill_null(False)
                             ).then(source + pending).otherwise(source)
        message = (year.cast(pl.String) + "年度绩效评价得分 " + score_text + " 分，等级："
                   + pl.col("grade") + "（" + source + "）")
        assumed = self.is_assumed("grades", "weights") | (
            pl.col("score_source").eq("computed") & pl.lit(self.is_assumed("qualitative", "missing_weight_to")))
        # grade_final: the grade is an evaluation result later rules may act on — a finance, third-party
        # or department evaluation, or a self-evaluation (once reviewed, where the document makes
        # finance review each report). A score jixiao computed from the indicators is no evaluation
        # result: rules show what would follow but move no money and sanction nothing on it.
        reviewed = (pl.col("score_review_date") <= as_of).fill_null(False)
        final = (pl.col("score_source").is_in(["third_party", "finance", "department"])
                 | ((pl.col("score_source") == "self") & (reviewed if p.self_evaluation_needs_review else pl.lit(True))))
        scored = scored.with_columns(final.alias("grade_final"))
        findings = self.findings(scored, "grade", message, assumed=assumed)
        return self.output(findings, project_columns(scored, "score_c", "grade", "grade_rank", "score_source",
                                                     "score_date", "score_review_date", "grade_final"))

    @hookimpl
    def jixiao_explain(self, facts):
        bands = self.bands_c()
        rows = facts.lazy().filter(pl.col("score_c").is_not_null()).select("project_id", "score_c").collect()
        up = pl.lit(None, pl.String)
        # The nearest band above: the outermost ``when`` is tested first, so wrap from the top band
        # down and the lowest band above the score wins.
        for label, low in bands:
            gap = low - pl.col("score_c")
            text = pl.lit("再得 ") + (gap // 100).cast(pl.String) + "." + (gap % 100).cast(pl.String).str.pad_start(
                2, "0") + pl.lit(f" 分可达{label}")
            up = pl.when(pl.col("score_c") < low).then(text).otherwise(up)
        down = pl.lit(None, pl.String)
        for (label, low), (below, _) in zip(bands[:-1], bands[1:]):
            drop = pl.col("score_c") - low + 1
            text = pl.lit("再失 ") + (drop // 100).cast(pl.String) + "." + (drop % 100).cast(pl.String).str.pad_start(
                2, "0") + pl.lit(f" 分降为{below}")
            down = pl.when((pl.col("score_c") >= low) & down.is_null()).then(text).otherwise(down)
        note = pl.concat_str([up, down], separator="；", ignore_nulls=True)
        return self.output(notes=rows.select("project_id", note.alias("note")))
