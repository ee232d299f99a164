"""Explain one project: every rule in stage order, fired or not, with its inputs, values and clause.

It runs the same engine as a whole-portfolio run, on the portfolio cut down to the one project, so
an explanation can never disagree with a run (rules that compare projects with each other set
``whole_portfolio = True`` and are then run on everything).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs
import polars as pl

from jixiao.core.engine import run
from jixiao.core.errors import InputError, Problem
from jixiao.core.hookspecs import STAGES
from jixiao.core.model import Finding, ProjectRecord
from jixiao.core.pack import Pack, ParamValue
from jixiao.core.portfolio import Portfolio
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
    if not (ids == project_id).any():
        origin = portfolio.origins.get("projects")
        hint = closest(project_id, ids.head(10_000).to_list())
        raise InputError([Problem(origin.file if origin else "portfolio", f"no project with this id{hint}",
                                  column="project_id", value=project_id)])
    rules = pack.enabled_rules()
    whole = any(getattr(r.cls, "whole_portfolio", False) for r in rules)
    scope = portfolio if whole else portfolio.subset([project_id])
    result = run(pack, scope, as_of, explain=True, trace=trace)
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
    return Explanation(pack, facts, ProjectRecord.from_portfolio(scope, project_id), as_of, out)
