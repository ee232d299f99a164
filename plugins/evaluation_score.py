"""绩效评价: the project's score on 100 points and its grade.

The score is the best available evaluation of the project's fiscal year (by the ``sources`` order:
third party, finance, the unit's recorded self-evaluation), or, when none is recorded and the year
is over, a self-evaluation score computed from the indicators:

- budget execution: weight × min(1, spent / budget) (a zero budget scores the full weight);
- a quantitative indicator: its share is actual/target (more is better) or target/actual (less is
  better), capped at 1; a qualitative one scores its band (达成 / 部分达成 / 未达成);
- a first-level category (产出/效益/满意度) scores weight × the weighted mean of its indicators'
  shares (indicator 分值 as relative weights, equal when absent); a category without indicators, or
  an indicator without an actual value, scores 0.

Arithmetic is in integers: shares are truncated to 1e-6, category points rounded half up to 0.01.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import attrs
import polars as pl

from jixiao.core.hookspecs import hookimpl
from jixiao.core.indicators import LEVELS, MICRO, indicator_shares, level_sums
from jixiao.core.rule import Rule

KINDS = ("third_party", "finance", "self", "computed")
KIND_ZH = {"third_party": "第三方评价", "finance": "财政重点评价", "self": "单位自评", "computed": "按指标测算自评"}


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


def _default_bands() -> list[Band]:
    return [Band(label="优", min=Decimal(90)), Band(label="良", min=Decimal(80)),
            Band(label="中", min=Decimal(60)), Band(label="差", min=Decimal(0))]


def _centi(value: Decimal, what: str) -> int:
    c = value * 100
    if c != c.to_integral_value():
        raise ValueError(f"{what}: at most two decimals, got {value}")
    return int(c)


@attrs.frozen(kw_only=True)
class EvaluationScoreParams:
    weights: Weights = attrs.field(factory=Weights)
    grades: list[Band] = attrs.field(factory=_default_bands)
    qualitative: Qualitative = attrs.field(factory=Qualitative)
    sources: list[str] = attrs.field(factory=lambda: list(KINDS))

    def __attrs_post_init__(self):
        mins = [b.min for b in self.grades]
        if not mins or mins != sorted(mins, reverse=True) or len(set(mins)) != len(mins):
            raise ValueError("grades: list bands from the highest minimum down, each minimum different")
        if mins[-1] != 0:
            raise ValueError("grades: the lowest band must start at 0 so that every score has a grade")
        for b in self.grades:
            _centi(b.min, f"grades.{b.label}")
        for k in self.sources:
            if k not in KINDS:
                raise ValueError(f"sources: unknown kind {k!r}; use {', '.join(KINDS)}")
        total = sum(attrs.astuple(self.weights))
        if total != 100:
            raise ValueError(f"weights must add up to 100, they add up to {total}")


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
        """pix, score_c: the self-evaluation score computed from indicators and execution, for the
        projects in ``facts`` (only their indicators are scored)."""
        p = self.params
        w = {k: _centi(v, f"weights.{k}") for k, v in attrs.asdict(p.weights).items()}
        q = {k: int(v * MICRO) for k, v in attrs.asdict(p.qualitative).items()}
        indicators = portfolio.indicators.lazy()
        if facts.height < len(portfolio):
            indicators = indicators.filter(pl.col("pix").is_in(facts["pix"].implode()))
        sums = level_sums(indicator_shares(indicators, q["achieved"], q["partial"], q["missed"]), len(portfolio))
        # A category's points: weight × Σ(w·s) / (Σw · 10⁶), half up to 0.01; none without indicators.
        points = []
        for lv in LEVELS:
            num, den = w[lv] * pl.col(f"ws_{lv}"), pl.col(f"w_{lv}") * MICRO
            points.append(pl.when(pl.col(f"w_{lv}") > 0).then((2 * num + den) // (2 * den)).otherwise(0))
        b, s = pl.col("budget_fen"), pl.col("spent_fen")
        execution = pl.when(b <= 0).then(w["execution"]).otherwise(
            (2 * w["execution"] * pl.min_horizontal(s, b) + b) // (2 * b))
        # Each project's sums, by position; a project with no indicator has none and no score.
        rows = facts.select("pix", execution.alias("_exec")).hstack(sums.select(pl.all().gather(facts["pix"])))
        return (rows.lazy().filter(pl.col("w_output").is_not_null())
                .select("pix", (pl.col("_exec") + pl.sum_horizontal(points)).alias("score_c")).collect())

    def scores(self, portfolio, as_of: dt.date, facts: pl.DataFrame) -> pl.DataFrame:
        """pix, score_c, score_source for every project that has a score as of the date."""
        kinds = self.params.sources
        rank = {k: i for i, k in enumerate(kinds)}
        ev = portfolio.evaluations
        ev = (ev.select("pix", "year", "kind", "date", "score_c",
                        facts["fiscal_year"].gather(ev["pix"]).alias("fiscal_year"))
              .filter((pl.col("year") == pl.col("fiscal_year"))
                      & (pl.col("date").is_null() | (pl.col("date") <= as_of))
                      & pl.col("kind").is_in(list(rank))))
        pix = ev["pix"]
        if pix.len() > 1 and not (pix.diff().drop_nulls() > 0).all():
            # Several candidates for some project: the first source in order, then the latest.
            ev = (ev.lazy().with_columns(pl.col("kind").replace_strict(rank, return_dtype=pl.Int32).alias("_k"))
                  .sort(["pix", "_k", "date"], descending=[False, False, True], nulls_last=True)
                  .group_by("pix", maintain_order=True).first().collect())
        # score_date: when the result existed (the evaluation's date); results feed the first budget
        # compiled after it (score_linked_budget). Null for an undated record and a computed score.
        ev = ev.select("pix", "score_c", pl.col("kind").alias("score_source"), pl.col("date").alias("score_date"))
        if "computed" in kinds:
            # Only projects whose year is over and that have no recorded score need one computed.
            unscored = (facts.lazy().filter(pl.col("fiscal_year") < as_of.year).select("pix", "budget_fen", "spent_fen")
                        .join(ev.lazy().select("pix"), on="pix", how="anti", maintain_order="left").collect())
            computed = (self.computed_scores(portfolio, unscored)
                        .with_columns(pl.lit("computed").alias("score_source"), pl.lit(None, pl.Date).alias("score_date")))
            ev = pl.concat([ev, computed]).sort("pix")
        return ev

    @hookimpl
    def jixiao_evaluate(self, portfolio, as_of, facts):
        # Scores depend on the tables, the date, the weights, the qualitative bands and the sources
        # only (spent_fen is the base facts' spending to date) — not on the grade bands — so packs
        # compared over one portfolio share them.
        p = self.params
        key = ("evaluation_score", as_of, repr(p.weights), repr(p.qualitative), tuple(p.sources))
        scored = portfolio.memo(key, lambda: self.scores(portfolio, as_of, facts))
        scored = scored.with_columns(self.grade_expr(pl.col("score_c")).alias("grade"),
                                     self.rank_expr(pl.col("score_c")).alias("grade_rank"))
        score_text = (pl.col("score_c") // 100).cast(pl.String) + "." + (pl.col("score_c") % 100).cast(
            pl.String).str.pad_start(2, "0")
        year = pl.lit(facts["fiscal_year"]).gather(pl.col("pix"))  # evaluated only if messages are built
        message = (year.cast(pl.String) + "年度绩效评价得分 " + score_text + " 分，等级："
                   + pl.col("grade") + "（" + pl.col("score_source").replace_strict(KIND_ZH) + "）")
        assumed = self.is_assumed("grades", "weights") | (
            pl.col("score_source").eq("computed") & pl.lit(self.is_assumed("qualitative")))
        findings = self.findings(scored, "grade", message, assumed=assumed)
        return self.output(findings, scored.select("pix", "score_c", "grade", "grade_rank", "score_source", "score_date"))

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
