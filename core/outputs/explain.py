"""Explain one project: every rule in stage order, fired or not, with its inputs, values and clause.

It runs the same engine as a whole-portfolio run, focused on the one project (``run(...,
focus=...)``): per-project rules on the portfolio cut down to it (each table sliced by binary search
on its sorted ``pix``), rules that compare projects with each other over the projects their answer
depends on (``Rule.scope``), so an explanation can never disagree with a run.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs
import numpy as np
import polars as pl

from jixiao.core.engine import run
from jixiao.core.errors import InputError, Problem
from jixiao.core.hookspecs import STAGES
from jixiao.core.outputs.records import Finding, ProjectRecord
from jixiao.core.pack import Pack, ParamValue
from jixiao.core.load import Portfolio
from jixiao.core.per_project import PIX
from jixiao.core.rule import Citation


@attrs.frozen
class RuleExplanation:
    rule: str
    plugin: str
    stages: tuple[str, ...]
    citation: Citation
    source: str
    values: dict[str, ParamValue]
    inputs: dict[str, Any]
    findings: list[Finding]
    notes: list[str]
    in_force: str | None = None  # when a period decides how (or whether) the rule applies to the project

    @property
    def fired(self) -> bool:
        return bool(self.findings)


@attrs.frozen
class Explanation:
    pack: Pack
    project: dict[str, Any]  # the project's facts after the run (spent to date, score, grade…)
    record: ProjectRecord  # everything the portfolio holds about it
    as_of: dt.date
    rules: list[RuleExplanation]
    # The nearest grade boundary up and down from the project's score, with what would change there.
    boundaries: list[Boundary] = attrs.field(factory=list)


@attrs.frozen
class Boundary:
    """The nearest grade above (``direction`` "up") or below ("down") the project's score: the points
    to gain or lose (×100, exact), the grade, and the findings that would appear or disappear."""

    direction: str
    points_c: int
    grade: str
    gone: list[Finding]  # findings of the actual run that the other grade would not give
    added: list[Finding]  # findings the other grade would give that the actual run does not
    worked_out: bool = True  # False for a computed score: the indicators would have to change


def explain_project(pack: Pack, portfolio: Portfolio, project_id: str, as_of: dt.date,
                    trace: bool | None = None) -> Explanation:
    """One project's explanation from a run of the pack on that project alone (whole-portfolio
    rules over everything): the cheapest way to explain one project. To explain many, prepare an
    ``Explainer`` once."""
    pix = _position(portfolio, project_id)
    one = portfolio.take([pix])
    rules = pack.enabled_rules()
    result = run(pack, portfolio, as_of, explain=True, trace=trace, focus=[pix])
    facts = result.facts.filter(pl.col("project_id") == project_id).row(0, named=True)
    findings = result.findings.filter(pl.col("project_id") == project_id).iter_rows(named=True)
    notes = result.notes.filter(pl.col("project_id") == project_id) if result.notes is not None else None
    notes = notes.select("rule", "note").iter_rows() if notes is not None else ()
    ex = _assemble(pack, _rule_order(rules), facts, findings, notes, ProjectRecord.from_portfolio(one, project_id),
                   as_of)
    return attrs.evolve(ex, boundaries=boundaries(pack, one, facts, as_of))


class Explainer:
    """Explanations of any number of projects from one run over the whole portfolio.

    Preparing costs one full run with its messages (as long as ``jixiao run``) and three runs of the
    per-project rules for the grade boundaries (``_PreparedBoundaries``); each explanation after that
    slices the prepared findings, notes, facts and boundary runs by binary search on ``pix``, for a
    service, a notebook or a batch of letters. An
    explanation is the same as ``explain_project``'s (``tests/test_explain.py``), the project's
    ``pix`` included: both give its position in the whole portfolio.
    """

    def __init__(self, pack: Pack, portfolio: Portfolio, as_of: dt.date, trace: bool | None = None):
        self.pack, self.portfolio, self.as_of = pack, portfolio, as_of
        self.rules = pack.enabled_rules()
        result = run(pack, portfolio, as_of, explain=True, trace=trace)
        # A project's findings keep the run's order (stage, rule, action) under a stable sort.
        self._findings = result.findings.sort(PIX, maintain_order=True)
        self._finding_pix = self._findings[PIX].to_numpy()
        notes = result.notes.join(portfolio.projects.select("project_id", PIX), on="project_id",
                                  maintain_order="left").sort(PIX, maintain_order=True)
        self._notes, self._note_pix = notes.select("rule", "note"), notes[PIX].to_numpy()
        self._facts = result.facts
        self._pix = dict(zip(portfolio.projects["project_id"].to_list(), range(len(portfolio))))
        self._order = _rule_order(self.rules)
        self._index = portfolio.pix_index()
        self._boundaries = _PreparedBoundaries(pack, portfolio, result.facts, as_of)

    def explain(self, project_id: str) -> Explanation:
        pix = self._pix.get(project_id)
        if pix is None:
            _position(self.portfolio, project_id)  # raises the same error as explain_project
        findings = _rows_of(self._findings, self._finding_pix, pix).iter_rows(named=True)
        notes = _rows_of(self._notes, self._note_pix, pix).iter_rows()
        one = self.portfolio.take([pix], self._index)
        facts = self._facts.row(pix, named=True)
        ex = _assemble(self.pack, self._order, facts, findings, notes,
                       ProjectRecord.from_portfolio(one, project_id), self.as_of)
        return attrs.evolve(ex, boundaries=self._boundaries.of(pix, facts, one))


def _bands(pack: Pack) -> list[tuple[str, int]] | None:
    """The bands (label, lower bound ×100), best first, of the pack's rule that grades by bands
    (``bands_c``); None without one."""
    grader = next((r for r in pack.enabled_rules() if hasattr(r.cls, "bands_c")), None)
    return grader.instantiate(pack.id).bands_c() if grader is not None else None


def _targets(bands: list[tuple[str, int]], score: int) -> list[tuple[str, int, str, int]]:
    """(direction, points to gain or lose ×100, the grade there, the score at it) of the nearest
    boundary up and down."""
    up = [(label, low) for label, low in bands if low > score]
    down = [(below, low) for (_, low), (below, _) in zip(bands[:-1], bands[1:]) if low <= score]
    targets = []
    if up:
        label, low = up[-1]
        targets.append(("up", low - score, label, low))
    if down:
        label, low = down[0]
        targets.append(("down", score - low + 1, label, low - 1))
    return targets


def _per_project_rules(pack: Pack) -> frozenset[str]:
    return frozenset(r.id for r in pack.enabled_rules() if not getattr(r.cls, "whole_portfolio", False))


_KEY = ["rule", "action", "amount_fen", "budget_year", "applies_to"]


def _boundary(direction: str, pts: int, grade: str, actual: pl.DataFrame, other: pl.DataFrame) -> Boundary:
    gone = actual.join(other.select(_KEY), on=_KEY, how="anti", nulls_equal=True, maintain_order="left")
    added = other.join(actual.select(_KEY), on=_KEY, how="anti", nulls_equal=True, maintain_order="left")
    return Boundary(direction, pts, grade, [Finding.from_row(r) for r in gone.iter_rows(named=True)],
                    [Finding.from_row(r) for r in added.iter_rows(named=True)])


def boundaries(pack: Pack, one: Portfolio, facts: dict[str, Any], as_of: dt.date) -> list[Boundary]:
    """The nearest grade boundary up and down from the project's score, each with what changes there.

    The grading rule is the pack's rule whose plugin grades by bands (``bands_c``). What changes is
    found by running the pack's per-project rules on the project alone twice: as recorded, and with
    the evaluation the score came from set to the boundary score. Rules that compare projects with
    each other (ranking, spot checks) are left out of the comparison.
    """
    score, bands = facts.get("score_c"), _bands(pack)
    if score is None or bands is None:
        return []
    targets = _targets(bands, score)
    source = facts.get("score_source")
    if source == "computed" or not targets:
        return [Boundary(d, pts, g, [], [], worked_out=False) for d, pts, g, _ in targets]
    only = _per_project_rules(pack)

    def findings_at(folio: Portfolio) -> pl.DataFrame:
        return run(pack, folio, as_of, only=only).findings.filter(pl.col("action") != "grade")

    actual = findings_at(one)
    ev = one.evaluations
    mine = (pl.col("year") == facts["fiscal_year"]) & (pl.col("kind") == source)
    out = []
    for direction, pts, grade, at in targets:
        moved = attrs.evolve(one, evaluations=ev.with_columns(
            pl.when(mine).then(pl.lit(at, ev.schema["score_c"])).otherwise(pl.col("score_c")).alias("score_c")))
        out.append(_boundary(direction, pts, grade, actual, findings_at(moved)))
    return out


def _project_alone(pack: Pack, portfolio: Portfolio, as_of: dt.date, only: frozenset[str]) -> bool:
    """Whether every one of these rules answers for a project from that project alone: its
    ``scope`` gives back the projects it was asked about (``Rule.scope``'s default). A rule whose
    answer names others — a cut from the department's control figure names the department's total
    — does not: moving every project at once would change what it says of each."""
    from jixiao.core.engine import scope_facts
    from jixiao.core.in_force import InForceRule
    from jixiao.core.lifecycle import lifecycle

    life = lifecycle(pack)
    facts = scope_facts(portfolio)
    asked = facts.head(1).collect()
    for rid in only:
        rule = life.rules[rid]
        for r in [v for _, v in rule.variants] if isinstance(rule, InForceRule) else [rule]:
            if r.scope(facts, as_of, asked) is not asked:
                return False
    return True


class _PreparedBoundaries:
    """``boundaries`` of every project, prepared with three runs of the per-project rules over the
    whole portfolio — as recorded, and with every project's evaluation moved to its boundary up, then
    down (the rules answer for each project from it alone, so moving all at once moves each alone) —
    so that a project's boundaries are a slice of each and two small differences: no run per
    explanation. A pack with a rule whose answer names other projects (``_project_alone``) gets
    ``boundaries``' own runs on the project, explanation by explanation."""

    def __init__(self, pack: Pack, portfolio: Portfolio, facts: pl.DataFrame, as_of: dt.date):
        self.pack, self.as_of = pack, as_of
        self.bands = _bands(pack)
        self.runs: dict[str, tuple[pl.DataFrame, np.ndarray]] = {}
        self.alone = True
        if self.bands is None or "score_c" not in facts.columns:
            return
        only = _per_project_rules(pack)
        self.alone = _project_alone(pack, portfolio, as_of, only)
        if not self.alone:
            return
        score, source, year = facts["score_c"], facts["score_source"], facts["fiscal_year"]
        lows = [low for _, low in self.bands]
        ev = portfolio.evaluations
        at = {"up": pl.min_horizontal([pl.when(pl.col("s") < low).then(pl.lit(low)) for low in lows]),
              "down": pl.max_horizontal([pl.when(pl.col("s") >= low).then(pl.lit(low)) for low in lows[:-1]]) - 1}
        per = pl.DataFrame({"s": score}).select(**at, computed=pl.lit(source).eq("computed").fill_null(False))
        mine = ((ev["year"] == year.gather(ev[PIX])) & (ev["kind"].cast(pl.String) == source.gather(ev[PIX]))).fill_null(False)

        def findings(folio: Portfolio) -> tuple[pl.DataFrame, np.ndarray]:
            found = (run(pack, folio, as_of, only=only).findings.filter(pl.col("action") != "grade")
                     .sort(PIX, maintain_order=True))
            return found, found[PIX].to_numpy()

        self.runs["actual"] = findings(portfolio)
        per = per.select(pl.when(~pl.col("computed")).then(pl.col(d)).alias(d) for d in at)
        for direction in at:
            moved = per[direction].gather(ev[PIX])
            score_c = pl.select(pl.when(mine & moved.is_not_null()).then(moved.cast(ev.schema["score_c"]))
                                .otherwise(ev["score_c"])).to_series().alias("score_c")
            self.runs[direction] = findings(attrs.evolve(portfolio, evaluations=ev.with_columns(score_c), _memo=None))

    def of(self, pix: int, facts: dict[str, Any], one: Portfolio) -> list[Boundary]:
        if not self.alone:
            return boundaries(self.pack, one, facts, self.as_of)
        score = facts.get("score_c")
        if score is None or self.bands is None:
            return []
        targets = _targets(self.bands, score)
        if facts.get("score_source") == "computed" or not targets:
            return [Boundary(d, pts, g, [], [], worked_out=False) for d, pts, g, _ in targets]
        actual = _rows_of(*self.runs["actual"], pix)
        return [_boundary(d, pts, g, actual, _rows_of(*self.runs[d], pix)) for d, pts, g, _ in targets]


def _rows_of(frame: pl.DataFrame, pix: np.ndarray, p: int) -> pl.DataFrame:
    key = pix.dtype.type(p)  # of the array's own type, or numpy converts the whole array to compare
    lo = int(np.searchsorted(pix, key, "left"))
    return frame.slice(lo, int(np.searchsorted(pix, key, "right")) - lo)


def _position(portfolio: Portfolio, project_id: str) -> int:
    ids = portfolio.projects["project_id"]
    at = (ids == project_id).arg_true()
    if at.len() == 0:
        origin = portfolio.origins.get("projects")
        from jixiao.core.pack import closest_zh

        hint = closest_zh(project_id, ids.head(10_000).to_list())
        raise InputError([Problem(origin.file if origin else "portfolio",
                                  f"没有这个项目编码的项目（也没有名称含这段文字的项目）{hint}",
                                  column="项目编码", value=project_id)])
    return int(at[0])


def _rule_order(rules) -> list[tuple[Any, tuple[str, ...]]]:
    """The pack's rules in stage order (pack order within a stage), each with its stages."""
    stage_rank = {s: i for i, s in enumerate(STAGES)}
    staged = [(i, r, r.cls.stages()) for i, r in enumerate(rules)]
    staged.sort(key=lambda irs: (min((stage_rank[s] for s in irs[2]), default=len(STAGES)), irs[0]))
    return [(r, stages) for _, r, stages in staged]


def _assemble(pack: Pack, ordered: list[tuple[Any, tuple[str, ...]]], facts: dict[str, Any], findings, notes,
              record: ProjectRecord, as_of: dt.date) -> Explanation:
    """Every rule of the pack in stage order, with what it read, found and noted for the project."""
    found: dict[str, list[Finding]] = {}
    for row in findings:
        found.setdefault(row["rule"], []).append(Finding.from_row(row))
    noted: dict[str, list[str]] = {}
    for rule, note in notes:
        noted.setdefault(rule, []).append(note)
    out = []
    for r, stages in ordered:
        citation, values, period = _as_applied(pack, r, facts.get("fiscal_year"))
        out.append(RuleExplanation(r.id, r.plugin, stages, citation, pack.source_label(citation.source),
                                   values, {c: facts.get(c) for c in r.cls.reads if c in facts},
                                   found.get(r.id, []), noted.get(r.id, []), period))
    return Explanation(pack, facts, record, as_of, out)


def _as_applied(pack: Pack, rule, year) -> tuple[Citation, dict[str, ParamValue], str | None]:
    """The rule as it applies to a project of this budget year: its citation and values, and a
    note when a period decides it (``in_force``, core/in_force.py)."""
    if not rule.variants or year is None:
        return rule.citation, rule.values, None
    from jixiao.core.in_force import _spans

    for v in rule.variants:
        if v.period is None or v.period.contains(year):
            where = f"{pack.source_label(v.citation.source)} {v.citation.clause}"
            if not v.enabled:
                return v.citation, v.values, f"{year} 年度预算：按{v.name}的规定该规则停用（{where}）"
            if v.layers != (rule.defined_in, *rule.changed_in):
                return v.citation, v.values, f"{year} 年度预算的项目按{v.name}的规定适用（{where}）"
            return v.citation, v.values, None
    spans = "、".join(_spans([v.period for v in rule.variants if v.enabled])) or "无预算年度"
    return rule.citation, rule.values, f"{year} 年度预算不在该规则的适用期间（{spans}）：不适用"
