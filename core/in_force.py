"""Effective periods: a rule applies to the projects whose budget year its period covers.

A pack states periods with ``in_force = { from_budget_year = …, to_budget_year = … }`` on a source
(the budget years the document governs) and on a rule (the budget years the rule applies to in the
pack); ``core/pack/`` resolves them into the rule's ``variants``: the rule as it stands for each
span of budget years, only the spans in force. Such a rule runs as one ``InForceRule``: each stage
hook runs every variant on the projects of its span (the portfolio cut down to them, so a quota such
as "a third of the funds" counts the projects the rule applies to) and puts the results back in the
whole portfolio's positions. A project in no span gets neither findings nor facts from the rule; the
run says which rules were not in force for which projects (``not_in_force``).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import attrs
import numpy as np
import polars as pl

from jixiao.core.hookspecs import hookimpl
from jixiao.core.load import Portfolio
from jixiao.core.per_project import PIX
from jixiao.core.rule import Rule, RuleOutput


@attrs.frozen(kw_only=True)
class InForce:
    """From which budget year until which budget year (both included) a source or a rule is in
    force; a missing end is open. A project's budget year is its ``fiscal_year`` (预算年度)."""

    from_budget_year: int | None = None
    to_budget_year: int | None = None

    def problem(self) -> str | None:
        """What is wrong with the period as written (the loader reports it with its key)."""
        if self.from_budget_year is None and self.to_budget_year is None:
            return "in_force 须写 from_budget_year、to_budget_year 或两者"
        if (self.from_budget_year is not None and self.to_budget_year is not None
                and self.from_budget_year > self.to_budget_year):
            return f"from_budget_year {self.from_budget_year} 晚于 to_budget_year {self.to_budget_year}"
        return None

    def contains(self, year: int) -> bool:
        return ((self.from_budget_year is None or year >= self.from_budget_year)
                and (self.to_budget_year is None or year <= self.to_budget_year))

    def text(self) -> str:
        """In Chinese, as a finance officer says it: 2020–2022 年度预算, 2020 年度预算起."""
        a, b = self.from_budget_year, self.to_budget_year
        if a is not None and b is not None:
            return f"{a} 年度预算" if a == b else f"{a}–{b} 年度预算"
        return f"{a} 年度预算起" if a is not None else f"至 {b} 年度预算"



@attrs.frozen
class InForceOutput(RuleOutput):
    """A rule with periods: its findings come in parts, one per span, each with the citation of the
    variant that gave it (``parts``: (variant rule, findings))."""

    parts: tuple[tuple[Rule, Any], ...] = ()


def years_mask(period, years: pl.Series) -> pl.Series:
    """Which of these budget years the period (an ``InForce`` or None: every year) covers."""
    mask = pl.Series(np.ones(years.len(), dtype=bool)) if period is None else None
    if period is not None:
        expr = pl.lit(True)
        if period.from_budget_year is not None:
            expr = expr & (pl.col("y") >= period.from_budget_year)
        if period.to_budget_year is not None:
            expr = expr & (pl.col("y") <= period.to_budget_year)
        mask = pl.DataFrame({"y": years}).select(expr.fill_null(False).alias("m"))["m"]
    return mask


class InForceRule(Rule):
    """One rule of a pack whose sources or rule have periods: its variants, each on its span."""

    def __init__(self, resolved, pack_id: str):
        super().__init__(resolved.id, resolved.params, resolved.citation, resolved.assumed, pack_id)
        self.cites = {k: v.citation for k, v in resolved.values.items() if v.citation is not None}
        self.variants = []
        for v in resolved.variants:
            if not v.enabled:
                continue
            rule = resolved.cls(resolved.id, v.params, v.citation, v.assumed, pack_id)
            rule.cites = {k: c.citation for k, c in v.values.items() if c.citation is not None}
            rule.calendar = resolved.calendar
            self.variants.append((v.period, rule))

    def __getattr__(self, name: str):
        """Anything else a caller asks of the rule (``funds`` of a coverage rule, for planning):
        the latest span's rule object answers."""
        if name == "variants" or not self.__dict__.get("variants"):
            raise AttributeError(name)
        return getattr(self.variants[-1][1], name)

    def citing(self) -> tuple[Rule, ...]:
        return (self, *(inner for _, inner in self.variants))

    def scope(self, facts, as_of, projects):
        """Every variant's scope together (``None``, every project, when one of them needs it): a
        variant runs on the projects of its span, so it answers only for those, from the projects of
        its span; a variant whose span holds none of ``projects`` adds nothing."""
        rows = []
        for period, inner in self.variants:
            span = years_mask(period, projects["fiscal_year"])
            if not span.any():
                continue
            within = _span_expr(period)
            got = inner.scope(facts.filter(within), as_of, projects.filter(span))
            if got is None:
                return None
            rows.append(got.lazy().filter(within).select(PIX))
        return pl.concat(rows) if rows else projects.head(0)

    def _run(self, hook: str, portfolio: Portfolio, as_of, facts: pl.DataFrame) -> RuleOutput | None:
        parts, fact_parts, note_parts = [], [], []
        for period, inner in self.variants:
            mask = years_mask(period, facts["fiscal_year"])
            n = int(mask.sum())
            if n == 0:
                continue
            method = getattr(inner, hook)
            wanted = inspect.signature(method).parameters
            if n == facts.height:
                positions, sub, subfacts = None, portfolio, facts
            else:
                positions = mask.arg_true().cast(pl.UInt32)
                sub = portfolio.take(positions.to_list())
                subfacts = facts[positions].with_columns(pl.int_range(n, dtype=pl.UInt32).alias(PIX))
            given = {"portfolio": sub, "as_of": as_of, "facts": subfacts}
            out = method(**{k: v for k, v in given.items() if k in wanted})
            if out is None:
                continue
            back = _back(positions)
            if out.findings is not None:
                parts.append((inner, back(out.findings)))
            if out.facts is not None:
                fact_parts.append(back(out.facts))
            if out.notes is not None:
                note_parts.append(out.notes)
        if not (parts or fact_parts or note_parts):
            return None
        facts_out = None
        if fact_parts:
            facts_out = pl.concat(fact_parts, how="vertical_relaxed") if len(fact_parts) > 1 else fact_parts[0]
            if PIX in facts_out.columns:
                facts_out = facts_out.sort(PIX)
        notes = pl.concat(note_parts, how="vertical_relaxed") if note_parts else None
        return InForceOutput(self.rule_id, None, facts_out, notes, tuple(parts))


def _span_expr(period) -> pl.Expr:
    """Whether a project's budget year is in the period (None: every year)."""
    expr = pl.lit(True)
    if period is not None and period.from_budget_year is not None:
        expr = expr & (pl.col("fiscal_year") >= period.from_budget_year)
    if period is not None and period.to_budget_year is not None:
        expr = expr & (pl.col("fiscal_year") <= period.to_budget_year)
    return expr.fill_null(False)


def _back(positions: pl.Series | None) -> Callable[[Any], Any]:
    """Findings or facts of a cut-down portfolio with ``pix`` put back to the whole portfolio's."""
    if positions is None:
        return lambda frame: frame

    def put(frame):
        names = frame.collect_schema().names() if isinstance(frame, pl.LazyFrame) else frame.columns
        if PIX not in names:
            return frame  # keyed by project_id, the same in both
        return frame.with_columns(pl.lit(positions).gather(pl.col(PIX).cast(pl.UInt32)).alias(PIX))

    return put


def in_force_rule(resolved, pack_id: str) -> Rule:
    """The rule object the engine registers for a rule with variants: an ``InForceRule`` subclass
    implementing exactly the hooks of the rule's plugin. Each hook function gets a code object of
    its own (named after the pack and rule), so that the engine, which finds the rule that failed
    from the traceback's code objects, names this rule and no other."""
    cls = resolved.cls

    def hook(name):
        def impl(self, portfolio, as_of, facts):
            return self._run(name, portfolio, as_of, facts)
        impl.__code__ = impl.__code__.replace(co_name=f"{name}__{pack_id}__{resolved.id}")
        impl.__name__ = name
        return hookimpl(impl)

    body = {h: hook(h) for h in cls.hooks()}
    body.update(name=cls.name, summary=cls.summary, Params=cls.Params, reads=cls.reads,
                whole_portfolio=getattr(cls, "whole_portfolio", False))
    return type(f"{cls.__name__}InForce", (InForceRule,), body)(resolved, pack_id)


def finalised(out: RuleOutput, rule: Rule, finalise: Callable[[Any, Rule], tuple[pl.DataFrame, Callable]]):
    """A rule output's findings finalised by the engine (``finalise(frame, rule)`` gives decisions
    and a message function), one part per variant, then merged into project order. (None, None)
    when the output has no findings."""
    parts = getattr(out, "parts", ())
    if not parts and out.findings is not None:
        parts = ((rule, out.findings),)
    done = [finalise(frame, by) for by, frame in parts]
    done = [(d, t) for d, t in done if d.height]
    if not done:
        return None, None
    if len(done) == 1:
        return done[0]
    decisions = pl.concat([d for d, _ in done], how="vertical")
    order = decisions.select(pl.int_range(decisions.height, dtype=pl.UInt32).alias("i"), PIX, "action").sort(
        PIX, "action", maintain_order=True)["i"]
    texts = [t for _, t in done]
    return decisions[order], lambda: pl.concat([t() for t in texts])[order]


def report(pack, facts: pl.DataFrame) -> list[dict[str, Any]]:
    """Which rules did not apply to which projects because of a period, and where a rule applied as
    a parent pack has it because this pack's document was not in force for the project's budget
    year (the national rule stays in force): the run's ``not_in_force`` and its terminal note."""
    years = facts["fiscal_year"]
    out = []
    for rule in pack.enabled_rules():
        if not rule.variants:
            continue
        covered = pl.Series(np.zeros(years.len(), dtype=bool))
        for v in rule.variants:
            if not v.enabled:
                continue
            mask = years_mask(v.period, years)
            covered = covered | mask
            if v.layers != (rule.defined_in, *rule.changed_in) and mask.any():
                used = years.filter(mask)
                cites = f"{pack.source_label(v.citation.source)} {v.citation.clause}"
                out.append({"rule": rule.id, "projects": int(mask.sum()), "budget_years": _distinct(used),
                            "applied_as": {"pack": v.layers[-1], "name": v.name, "source": pack.source_label(v.citation.source),
                                           "clause": v.citation.clause},
                            "note": f"{_years(used)}的项目按{v.name}的规定适用（{cites}）"})
        left = years.filter(~covered)
        if left.len():
            spans = "、".join(_spans([v.period for v in rule.variants if v.enabled])) or "无预算年度"
            out.append({"rule": rule.id, "projects": left.len(), "budget_years": _distinct(left), "applied_as": None,
                        "note": f"{_years(left)}的项目不适用：本规则包中该规则适用于{spans}"})
    return out


def _distinct(years: pl.Series) -> list[int]:
    return sorted(set(years.drop_nulls().to_list()))


def _years(years: pl.Series) -> str:
    return "、".join(str(y) for y in _distinct(years)) + " 年度预算"


def _spans(periods) -> list[str]:
    """Periods in year order as text, adjacent ones joined: 2020–2022 and 2023– → 2020 年度预算起."""
    if any(p is None for p in periods):
        return ["每个预算年度"]
    joined: list[list[int | None]] = []
    for p in periods:
        if joined and joined[-1][1] is not None and p.from_budget_year == joined[-1][1] + 1:
            joined[-1][1] = p.to_budget_year
        else:
            joined.append([p.from_budget_year, p.to_budget_year])
    return [InForce(from_budget_year=a, to_budget_year=b).text() if (a, b) != (None, None) else "每个预算年度"
            for a, b in joined]
