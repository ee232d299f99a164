"""Explain one project: every rule in stage order, fired or not, with its inputs, values and clause.

It runs the same engine as a whole-portfolio run, on the portfolio cut down to the one project (each
table sliced by binary search on its sorted ``pix``), so an explanation can never disagree with a
run; rules that compare projects with each other set ``whole_portfolio = True`` and run alone over
everything (see ``_run_for_one``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs
import polars as pl

from jixiao.core.engine import SHARED, RunResult, base_facts, run
from jixiao.core.errors import InputError, Problem, RuleFailed
from jixiao.core.hookspecs import STAGES
from jixiao.core.model import Finding, ProjectRecord
from jixiao.core.pack import Pack, ParamValue
from jixiao.core.portfolio import PIX, Portfolio
from jixiao.core.registry import closest
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


def explain_project(pack: Pack, portfolio: Portfolio, project_id: str, as_of: dt.date,
                    trace: bool | None = None) -> Explanation:
    ids = portfolio.projects["project_id"]
    at = (ids == project_id).arg_true()
    if at.len() == 0:
        origin = portfolio.origins.get("projects")
        hint = closest(project_id, ids.head(10_000).to_list())
        raise InputError([Problem(origin.file if origin else "portfolio", f"no project with this id{hint}",
                                  column="project_id", value=project_id)])
    one = portfolio.take([int(at[0])])
    rules = pack.enabled_rules()
    result = _run_for_one(pack, portfolio, one, rules, as_of, trace)
    facts = result.facts.filter(pl.col("project_id") == project_id).row(0, named=True)
    findings = result.findings.filter(pl.col("project_id") == project_id)
    notes = result.notes.filter(pl.col("project_id") == project_id) if result.notes is not None else None
    stage_rank = {s: i for i, s in enumerate(STAGES)}
    ordered = sorted(enumerate(rules), key=lambda ir: (min((stage_rank[s] for s in ir[1].cls.stages()),
                                                           default=len(STAGES)), ir[0]))
    out = []
    for _, r in ordered:
        out.append(RuleExplanation(
            r.id, r.plugin, r.cls.stages(), r.citation, pack.source_label(r.citation.source), r.values,
            {c: facts.get(c) for c in r.cls.reads if c in facts},
            [Finding.from_row(f) for f in findings.filter(pl.col("rule") == r.id).iter_rows(named=True)],
            notes.filter(pl.col("rule") == r.id)["note"].to_list() if notes is not None else []))
    return Explanation(pack, facts, ProjectRecord.from_portfolio(one, project_id), as_of, out)


def _run_for_one(pack: Pack, portfolio: Portfolio, one: Portfolio, rules, as_of: dt.date, trace) -> RunResult:
    """The run, as far as one project is concerned.

    Rules that compare projects with each other (``whole_portfolio = True``: ranking, spot check,
    coverage) run alone over the whole portfolio; every other rule runs on the one project, with
    the whole-portfolio rules' facts about it added where they stand in the pack's order. When a
    per-project rule reads a fact a whole-portfolio rule produced, or a whole-portfolio rule reads
    facts of another rule, everything runs over the whole portfolio instead: exact, only slower.
    """
    whole = frozenset(r.id for r in rules if getattr(r.cls, "whole_portfolio", False))
    if not whole:
        return run(pack, one, as_of, explain=True, trace=trace)
    portfolio.check_as_of(as_of)
    base = base_facts(portfolio, as_of)
    if any(set(r.cls.reads) - set(base.columns) for r in rules if r.id in whole):
        return run(pack, portfolio, as_of, explain=True, trace=trace, base=base)
    try:
        apart = run(pack, portfolio, as_of, explain=True, trace=trace, base=base, only=whole)
    except RuleFailed:  # it needed a fact of an earlier rule after all (one its ``reads`` does not name)
        return run(pack, portfolio, as_of, explain=True, trace=trace, base=base)
    produced = [c for c in apart.facts.columns if c not in base.columns]
    if any(set(r.cls.reads) & set(produced) for r in rules if r.id not in whole):
        return run(pack, portfolio, as_of, explain=True, trace=trace, base=base)
    pid = one.projects["project_id"][0]
    rest = run(pack, one, as_of, explain=True, trace=trace, only=frozenset(r.id for r in rules) - whole)
    mine = apart.findings.filter(pl.col("project_id") == pid).with_columns(pl.lit(0, pl.UInt32).alias(PIX))
    rest_findings = rest.findings
    order = {r.id: i for i, r in enumerate(rules)}
    stage = {s: i for i, s in enumerate(STAGES)}
    findings = (pl.concat([rest_findings, mine])
                .sort(pl.col("stage").replace_strict(stage, return_dtype=pl.Int32),
                      pl.col("rule").replace_strict(order, return_dtype=pl.Int32), maintain_order=True))
    facts = rest.facts.hstack(apart.facts.filter(pl.col("project_id") == pid).select(produced))
    notes = pl.concat([rest.notes, apart.notes.filter(pl.col("project_id") == pid)])
    decisions = findings.drop("message").with_columns(pl.col(c).cast(pl.Categorical) for c in SHARED)
    return RunResult(rest.pack, rest.as_of, decisions, facts, notes, messages=lambda: findings["message"])
