"""Run a pack over a portfolio as of a date: five stage hook calls, each with the whole batch; or a
run focused on some projects (``focused``), computing only what their answers depend on.

``Lifecycle`` (core/lifecycle.py) is the typed facade over ``pm.hook``: the core never calls hooks
any other way. Each pack gets a fresh plugin manager holding only the rules it enables; nothing is
registered at import time.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Sequence

import attrs
import numpy as np
import polars as pl

from jixiao.core import in_force
from jixiao.core.errors import PluginError, RuleFailed
from jixiao.core.finalise import FINDINGS_SCHEMA, check_total, finalise, merge_facts
from jixiao.core.lifecycle import Lifecycle, decision_dtypes, lifecycle  # noqa: F401 (decision_dtypes: re-exported)
from jixiao.core.hookspecs import STAGE_HOOKS, STAGES
from jixiao.core.pack import Pack
from jixiao.core.per_project import PIX, sum_by_project
from jixiao.core.load import Portfolio
from jixiao.core.rule import Rule

# The columns every finding of one rule shares, held as enums in ``RunResult.decisions`` (one byte a
# row instead of a string each; see ``decision_dtypes``) and as text in ``RunResult.findings``.
SHARED = ("pack", "stage", "rule", "plugin", "source", "clause")


@attrs.frozen(slots=False)
class RunResult:
    """What a run returns: every finding, and every fact column the stages produced.

    ``decisions`` are the findings without their message text (pack, stage, rule, plugin, source,
    clause and action as enums: ``decision_dtypes``); ``findings`` adds the messages, built the
    first time something reads them, with every text column as text. Callers that need only what
    was decided (a comparison, a decision diff, the totals) never pay for a string per finding.
    """

    pack: Pack
    as_of: dt.date
    decisions: pl.DataFrame
    facts: pl.DataFrame
    notes: pl.DataFrame | None = None
    messages: Callable[[], pl.Series] | None = attrs.field(default=None, repr=False)
    # Each fact column a rule produced → (stage, the rule's place in the pack): how a run's facts
    # are ordered, kept to put the facts of rules run apart where a whole run has them.
    made: dict[str, tuple[int, int]] = attrs.field(factory=dict, repr=False, eq=False)

    @functools.cached_property
    def findings(self) -> pl.DataFrame:
        text = self.messages() if self.messages is not None else pl.Series("message", [], pl.String)
        return self.decisions.with_columns(*(pl.col(c).cast(pl.String) for c in (*SHARED, "action", "applies_to")),
                                           text.alias("message"))


def base_facts(portfolio: Portfolio, as_of: dt.date, spent: bool = True) -> pl.DataFrame:
    """The projects table plus ``spent_fen``: the spending table's sum to the date, else the column.
    One row per project, in the projects table's order (row ``pix`` is project ``pix``). The
    vocabularies, enums in the tables, are text here: rules compare them, write them into messages
    and put other text beside them (one row per project: a few bytes each, not per payment).
    ``spent=False``: without ``spent_fen`` at all, for rules none of which reads it (a rule that
    does after all fails, naming the column, rather than reading the export's figure)."""
    projects = portfolio.projects.drop("_row").with_columns(
        pl.col(c).cast(pl.String) for c, t in portfolio.projects.schema.items() if isinstance(t, pl.Enum))
    if not spent:
        return projects.drop("spent_fen")
    if portfolio.spending.height == 0:
        return projects.with_columns(pl.col("spent_fen").fill_null(0))
    paid = sum_by_project(portfolio.spending.lazy().filter(pl.col("date") <= as_of), projects.height,
                          _paid=pl.col("amount_fen"))["_paid"]
    return projects.with_columns(paid.fill_null(projects["spent_fen"]).fill_null(0).alias("spent_fen"))


def run(pack: Pack, portfolio: Portfolio, as_of: dt.date, *, explain: bool = False,
        on_stage: Callable[[str], None] | None = None, trace: bool | None = None,
        base: pl.DataFrame | None = None, only: frozenset[str] | None = None,
        focus: Sequence[int] | None = None) -> RunResult:
    """Run the five stages in order; later stages see the facts earlier stages returned.

    ``base`` is ``base_facts(portfolio, as_of)`` when the caller has it already, checked: a
    comparison computes it once for every pack. ``only`` runs those rules of the pack alone.
    ``focus`` (projects' positions, ``pix``) gives only those projects' findings, facts and notes —
    the same as a whole run gives them — computing only what they depend on (``focused``).
    """
    if focus is not None:
        return focused(pack, portfolio, as_of, focus, explain=explain, trace=trace)
    if base is None:
        portfolio.check_as_of(as_of)
        base = base_facts(portfolio, as_of)
    life = lifecycle(pack, trace, only)
    facts = base
    ids = base.select("project_id", PIX)
    parts: list[pl.DataFrame] = []
    texts: list[Callable[[], pl.Series]] = []
    made: dict[str, tuple[int, int]] = {}
    for s, stage in enumerate(STAGES):
        if on_stage:
            on_stage(stage)
        outputs = life.call(stage, portfolio=portfolio.frozen_view(), as_of=as_of, facts=facts.clone())
        for out in outputs:
            rule = life.rules[out.rule]
            part, text = in_force.finalised(out, rule, lambda frame, by: finalise(
                frame, by, pack, stage, STAGE_HOOKS[stage], ids, life.dtypes))  # by: the rule the finding cites
            if part is not None:
                parts.append(part)
                texts.append(text)
            if out.facts is not None:
                facts = merge_facts(facts, out.facts, rule, STAGE_HOOKS[stage])
                made |= {c: (s, life.order[out.rule]) for c in out.facts.columns if c not in ("project_id", PIX)}
    notes = None
    if explain:
        outs = life.call("explain", portfolio=portfolio.frozen_view(), as_of=as_of, facts=facts.clone())
        frames = [o.notes.select("project_id", pl.lit(o.rule).alias("rule"), "note")
                  for o in outs if o.notes is not None and o.notes.height]
        notes = pl.concat(frames) if frames else pl.DataFrame(schema={"project_id": pl.String, "rule": pl.String,
                                                                      "note": pl.String})
    # Parts come in stage and pack order, each sorted by project: the concatenation is in order.
    schema = {c: life.dtypes.get(c, t) for c, t in FINDINGS_SCHEMA.items() if c != "message"}
    decisions = pl.concat(parts, how="vertical") if parts else pl.DataFrame(schema=schema)
    check_total(decisions)

    def messages() -> pl.Series:
        return pl.concat([text() for text in texts]) if texts else pl.Series("message", [], pl.String)

    # Findings are ordered by stage, the pack's rule order, project id and action (docs/formats.md):
    # within a rule they are in ``pix`` order, which is project-id order unless the input's rows were
    # not sorted by id. Then sort once (stage and rule are enums in stage and pack order), and put
    # the messages, built later, in the same order.
    if decisions.height > 1 and not ids["project_id"].is_sorted():
        order = (decisions.select("stage", "rule", pl.col("project_id").cast(pl.String), "action")
                 .with_row_index("_i").sort("stage", "rule", "project_id", "action", maintain_order=True)["_i"])
        decisions = decisions[order]
        unordered = messages

        def messages() -> pl.Series:
            return unordered().gather(order)

    return RunResult(pack, as_of, decisions, facts, notes, messages, made)


def _widens(rule: Rule) -> bool:
    """Whether the rule's answer for a project may depend on other projects (``Rule.scope``)."""
    inner = [r for _, r in rule.variants] if isinstance(rule, in_force.InForceRule) else [rule]
    return any(r.whole_portfolio or type(r).scope is not Rule.scope for r in inner)


def scope_facts(portfolio: Portfolio) -> pl.LazyFrame:
    """What ``Rule.scope`` reads: the base facts but ``spent_fen``, lazily (a scope reads a column
    or two of a million rows; nothing else is computed)."""
    projects = portfolio.projects
    return projects.lazy().drop("_row", "spent_fen", strict=False).with_columns(
        pl.col(c).cast(pl.String) for c, t in projects.schema.items() if isinstance(t, pl.Enum))


def _scoped(rules: list[Rule], facts: pl.LazyFrame, as_of: dt.date, rows: np.ndarray, n: int) -> np.ndarray | None:
    """``rows`` and every project these rules' answers for them depend on, until nothing is added
    (a rule's scope over projects another rule's scope brought in); None: every project. What a
    rule's answer for several projects depends on is what each one's does: only the projects just
    added are asked about again."""
    keep = np.zeros(n, dtype=bool)
    keep[rows] = True
    new = rows
    while new.size:
        asked = facts.filter(pl.col(PIX).is_in(pl.Series(new, dtype=pl.UInt32).implode())).collect()
        before = keep.copy()
        for rule in rules:
            got = rule.scope(facts, as_of, asked)
            if got is None:
                return None
            if PIX not in got.lazy().collect_schema().names():
                raise PluginError(f"rule {rule.rule_id!r} (plugin {rule.name!r}): scope returned rows that do not "
                                  "say which project each is; return a filter of facts (facts.filter(...)) or None")
            keep[got.lazy().select(pl.col(PIX).cast(pl.UInt32)).collect()[PIX].to_numpy()] = True
        new = np.flatnonzero(keep & ~before).astype(np.uint32)
    return np.flatnonzero(keep).astype(np.uint32)


def focused(pack: Pack, portfolio: Portfolio, as_of: dt.date, focus: Sequence[int], *, explain: bool = False,
            trace: bool | None = None) -> RunResult:
    """A run as far as the projects at ``focus`` are concerned: their findings, facts and notes, the
    same as a whole run's, with their ``pix`` in the whole portfolio.

    Every rule whose answer may depend on other projects says which (``Rule.scope``). Such a rule
    that reads only base facts runs apart, alone, over its scope. Every other rule runs on the
    focused projects alone, except the rules that read facts of other projects' rows: the wide
    rules among them, the rules after them that read their facts and the rules before them whose
    facts they read run together over the focused projects and the wide rules' scopes, widened
    until it holds every project they depend on (a per-project rule is exact on any row). When a
    rule's scope is every project, or a rule turns out to need facts its ``reads`` does not name,
    more rules run together over what they need, which may be the whole portfolio: exact, only slower.
    """
    portfolio.check_as_of(as_of)
    life = lifecycle(pack, trace)
    rows = np.unique(np.asarray(focus, dtype=np.uint32))
    if rows.size and int(rows[-1]) >= len(portfolio):
        raise ValueError(f"focus: pix {int(rows[-1])} is not a project's position ({len(portfolio)} projects)")
    every = frozenset(life.rules)
    wide = [rid for rid, rule in life.rules.items() if _widens(rule)]
    if not wide:
        return _kept(_run_on(pack, portfolio, rows, as_of, explain, trace, None), rows, rows)
    known = set(portfolio.projects.columns) | {"spent_fen"}
    inside = {rid for rid in wide if set(life.rules[rid].reads) - known}
    facts, n = scope_facts(portfolio), len(portfolio)
    all_together = False
    while True:
        apart = frozenset(rid for rid in wide if rid not in inside)
        needed = _scoped([life.rules[r] for r in inside], facts, as_of, rows, n) if inside else rows
        if needed is None:
            return _kept(run(pack, portfolio, as_of, explain=explain, trace=trace), rows, None)
        parts = []
        if apart:
            around = _scoped([life.rules[r] for r in apart], facts, as_of, rows, n)
            try:  # without the spending sum when none of these reads what was spent
                side = _run_on(pack, portfolio, around, as_of, explain, trace, apart,
                               spent=any("spent_fen" in life.rules[r].reads for r in apart))
            except RuleFailed:  # a fact of another rule after all (one its ``reads`` does not name)
                inside |= apart
                continue
            produced = set(side.facts.columns) - known
            if any(set(life.rules[r].reads) & produced for r in every - apart):
                inside |= apart  # another rule reads what these produce: they run together
                continue
            parts.append((_kept(side, rows, around), apart))
        rest = every - apart
        if not inside or needed.size == rows.size:  # nothing to widen: every other rule on the projects alone
            return _combined([(_kept(_run_on(pack, portfolio, rows, as_of, explain, trace, rest), rows, rows), rest),
                              *parts], life)
        local = _kept(_run_on(pack, portfolio, rows, as_of, explain, trace, rest), rows, rows)
        group = rest if all_together else _linked(life, inside, local.made, rest, known)
        try:
            wider = _kept(_run_on(pack, portfolio, needed, as_of, explain, trace, group), rows, needed)
        except RuleFailed:
            if all_together:
                raise
            all_together = True  # a fact its ``reads`` does not name: every rule runs on the scope
            continue
        return _combined([(local, rest - group), (wider, group), *parts], life)


def _linked(life: Lifecycle, inside: set[str], made: dict[str, tuple[int, int]], rules: frozenset[str],
            known: set[str]) -> frozenset[str]:
    """The rules that must run over the wide rules' scopes: the wide rules ``inside``, the rules that
    read their facts (and the facts of those, in turn), and the rules producing the facts all of
    these read (``reads``; which rule produced which fact: ``made``, of a run on the projects).
    When one of those facts was produced by no rule there (a rule whose period does not cover the
    projects' budget year may produce it for others), every rule: which one would is not known."""
    by_order = {i: rid for rid, i in life.order.items()}
    producer = {c: by_order[o] for c, (_, o) in made.items()}
    group = set(inside)
    while True:
        theirs = {c for c, r in producer.items() if r in group}
        more = {r for r in rules - group if set(life.rules[r].reads) & theirs}
        if not more:
            break
        group |= more
    todo = list(group)
    while todo:
        for c in life.rules[todo.pop()].reads:
            r = producer.get(c)
            if r is None and c not in known:
                return rules
            if r is not None and r not in group:
                group.add(r)
                todo.append(r)
    return frozenset(group)


def _run_on(pack, portfolio: Portfolio, rows: np.ndarray | None, as_of, explain, trace, only,
            spent: bool = True) -> RunResult:
    """A run over the projects at ``rows`` (None: every project); the as-of date is checked."""
    folio = portfolio if rows is None or rows.size == len(portfolio) else portfolio.take(rows)
    return run(pack, folio, as_of, explain=explain, trace=trace, only=only, base=base_facts(folio, as_of, spent))


def _kept(result: RunResult, rows: np.ndarray, of: np.ndarray | None) -> RunResult:
    """A run over the projects ``of`` (None: every project) cut down to the projects ``rows``, with
    their positions in the whole portfolio."""
    def placed(frame: pl.DataFrame) -> pl.DataFrame:
        pix = frame[PIX].to_numpy()
        return frame.with_columns(pl.Series(PIX, of[pix] if of is not None else pix, dtype=pl.UInt32))

    facts, decisions = placed(result.facts), placed(result.decisions)
    if of is None or of.size != rows.size:
        facts = facts.filter(pl.Series(np.isin(facts[PIX].to_numpy(), rows)))
        at = pl.Series(np.isin(decisions[PIX].to_numpy(), rows)).arg_true()
        decisions, messages = decisions[at], result.messages
        ids = facts["project_id"].implode()
        notes = result.notes.filter(pl.col("project_id").is_in(ids)) if result.notes is not None else None
        return RunResult(result.pack, result.as_of, decisions, facts, notes, lambda: messages().gather(at), result.made)
    return RunResult(result.pack, result.as_of, decisions, facts, result.notes, result.messages, result.made)


def _combined(parts: list[tuple[RunResult, frozenset[str]]], life: Lifecycle) -> RunResult:
    """Focused results of several runs as one run's: from each, the findings, facts and notes of the
    rules it stands for."""
    by_order = {i: rid for rid, i in life.order.items()}
    first = parts[0][0]
    base = [c for c in first.facts.columns if c not in first.made]
    made, columns, found, texts, notes = {}, [], [], [], []
    for result, rules in parts:
        mine = [c for c, (_, o) in result.made.items() if by_order[o] in rules]
        made |= {c: result.made[c] for c in mine}
        columns.append(result.facts.select(mine))
        at = result.decisions.select(pl.col("rule").cast(pl.String).is_in(sorted(rules)).alias("k"))["k"].arg_true()
        found.append(result.decisions[at])
        texts.append((result.messages, at))
        if result.notes is not None:
            notes.append(result.notes.filter(pl.col("rule").is_in(sorted(rules))))
    facts = pl.concat([first.facts.select(base), *columns], how="horizontal")
    facts = facts.select(sorted(facts.columns, key=lambda c: made.get(c, (-1, -1))))  # base facts first, stable
    decisions = pl.concat(found)
    order = (decisions.select("stage", "rule", pl.col("project_id").cast(pl.String), "action")
             .with_row_index("_i").sort("stage", "rule", "project_id", "action", maintain_order=True)["_i"])
    # Notes in the pack's order, as a run's explain hook gives them.
    noted = pl.concat(notes).sort(pl.col("rule").replace_strict(life.order, return_dtype=pl.Int64),
                                  maintain_order=True) if notes else None
    return RunResult(first.pack, first.as_of, decisions[order], facts, noted,
                     lambda: pl.concat([t().gather(at) for t, at in texts]).gather(order), made)
