"""Run a pack over a portfolio as of a date: five stage hook calls, each with the whole batch.

``Lifecycle`` is the typed facade over ``pm.hook``: the core never calls hooks any other way. Each
pack gets a fresh plugin manager holding only the rules it enables; nothing is registered at
import time.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import sys
import time
from collections.abc import Callable

import attrs
import pluggy
import polars as pl

from jixiao.core import hookspecs, in_force
from jixiao.core.actions import ACTIONS, OBJECTS
from jixiao.core.clauses import clause_label
from jixiao.core.errors import InputError, PluginError, Problem, RuleFailed
from jixiao.core.hookspecs import STAGE_HOOKS, STAGES
from jixiao.core.money import format_yuan
from jixiao.core.pack import Pack
from jixiao.core.per_project import PIX, by_project, sum_by_project
from jixiao.core.load import Portfolio
from jixiao.core.rule import FINDING_OPTIONAL, FINDING_REQUIRED, Rule, RuleOutput

# The columns every finding of one rule shares, held as enums in ``RunResult.decisions`` (one byte a
# row instead of a string each; see ``decision_dtypes``) and as text in ``RunResult.findings``.
SHARED = ("pack", "stage", "rule", "plugin", "source", "clause")
# The action too is an enum in the decisions. Its values in alphabetical order, so that sorting by
# the enum sorts as the text does.
ACTION = pl.Enum(sorted(ACTIONS))
OBJECT = pl.Enum(sorted(OBJECTS))
BINDING = sorted(code for code, a in ACTIONS.items() if a.binding)
FINDINGS_SCHEMA = {
    "project_id": pl.String, PIX: pl.UInt32, "pack": pl.String, "stage": pl.String, "rule": pl.String,
    "plugin": pl.String, "action": pl.String, "amount_fen": pl.Int64, "due_date": pl.Date,
    "budget_year": pl.Int32, "applies_to": pl.String, "source": pl.String, "clause": pl.String, "assumed": pl.Boolean, "message": pl.String,
}


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

    @functools.cached_property
    def findings(self) -> pl.DataFrame:
        text = self.messages() if self.messages is not None else pl.Series("message", [], pl.String)
        return self.decisions.with_columns(*(pl.col(c).cast(pl.String) for c in (*SHARED, "action", "applies_to")),
                                           text.alias("message"))


def decision_dtypes(pack: Pack) -> dict[str, pl.DataType]:
    """The types of ``RunResult.decisions``' shared columns and action under this pack: enums of
    the values its rules can give, the same for every run of the pack (one byte a row where a
    categorical takes four and a string sixteen). Decisions of different packs have different
    enums: compare them as text (``pl.col(...).cast(pl.String)``) or by value (``== "remind"``)."""
    # The values ``_finalise`` writes (a rule with periods cites its variants' clauses too).
    rules = [c for r in pack.enabled_rules() for c in r.instantiate(pack.id).citing()]

    def enum(values) -> pl.Enum:
        return pl.Enum(list(dict.fromkeys(v for v in values if v is not None)))

    return {"pack": enum([pack.id]), "stage": enum(STAGES), "rule": enum(r.rule_id for r in rules),
            "plugin": enum(r.name for r in rules),
            "source": enum(pack.source_label(c.source) for r in rules for c in (r.citation, *r.cites.values())),
            "clause": enum(clause_label(pack, c) for r in rules for c in (r.citation, *r.cites.values())),
            "action": ACTION,
            "applies_to": OBJECT}


def base_facts(portfolio: Portfolio, as_of: dt.date) -> pl.DataFrame:
    """The projects table plus ``spent_fen``: the spending table's sum to the date, else the column.
    One row per project, in the projects table's order (row ``pix`` is project ``pix``). The
    vocabularies, enums in the tables, are text here: rules compare them, write them into messages
    and put other text beside them (one row per project: a few bytes each, not per payment)."""
    projects = portfolio.projects.drop("_row").with_columns(
        pl.col(c).cast(pl.String) for c, t in portfolio.projects.schema.items() if isinstance(t, pl.Enum))
    if portfolio.spending.height == 0:
        return projects.with_columns(pl.col("spent_fen").fill_null(0))
    paid = sum_by_project(portfolio.spending.lazy().filter(pl.col("date") <= as_of), projects.height,
                          _paid=pl.col("amount_fen"))["_paid"]
    return projects.with_columns(paid.fill_null(projects["spent_fen"]).fill_null(0).alias("spent_fen"))


class Lifecycle:
    """The typed facade: ``call(stage, portfolio=, as_of=, facts=)`` makes the one ``pm.hook`` call of a stage."""

    def __init__(self, pack: Pack, trace: bool | None = None, only: frozenset[str] | None = None):
        self.pack = pack
        self.pm = pluggy.PluginManager(hookspecs.PROJECT)
        self.pm.add_hookspecs(hookspecs)
        self.rules: dict[str, Rule] = {}
        self.order: dict[str, int] = {}
        for i, resolved in enumerate(pack.enabled_rules()):
            if only is not None and resolved.id not in only:
                continue
            rule = resolved.instantiate(pack.id)
            self.pm.register(rule, name=resolved.id)
            self.rules[resolved.id] = rule
            self.order[resolved.id] = i
        self.dtypes = decision_dtypes(pack)  # of every rule, also when ``only`` runs some
        if trace if trace is not None else os.environ.get("JIXIAO_TRACE"):
            self._trace()

    def _trace(self) -> None:
        def before(hook_name, impls, kwargs):
            self._t0 = time.perf_counter()
            size = len(kwargs["facts"]) if "facts" in kwargs else 0
            names = ", ".join(self.pm.get_name(i.plugin) or "?" for i in impls)
            print(f"[jixiao trace] {self.pack.id} {hook_name} batch={size} rules=[{names}]", file=sys.stderr)

        def after(outcome, hook_name, impls, kwargs):
            ms = (time.perf_counter() - self._t0) * 1000
            print(f"[jixiao trace] {self.pack.id} {hook_name} done in {ms:.2f} ms", file=sys.stderr)

        self.pm.add_hookcall_monitoring(before, after)

    def call(self, stage: str, *, portfolio: Portfolio, as_of: dt.date, facts: pl.DataFrame) -> list[RuleOutput]:
        """Call one stage's hook (or ``"explain"``) once with the whole portfolio; every rule's
        output, in the pack's rule order."""
        hook = STAGE_HOOKS.get(stage, "jixiao_explain" if stage == "explain" else None)
        if hook is None:
            raise ValueError(f"unknown stage {stage!r}")
        caller = getattr(self.pm.hook, hook)
        try:
            results = caller(portfolio=portfolio, as_of=as_of, facts=facts)
        except Exception as exc:
            rule = self._culprit(exc, hook)
            if rule is None:
                raise
            raise RuleFailed(rule.rule_id, rule.name, stage, hook, exc) from exc
        outputs = [r for r in results if r is not None]
        for out in outputs:
            if not isinstance(out, RuleOutput) or out.rule not in self.rules:
                raise PluginError(f"hook {hook} in stage {stage!r} returned {out!r}; expected "
                                  f"RuleOutput from self.output(...) of a rule of pack {self.pack.id!r}")
        return sorted(outputs, key=lambda o: self.order[o.rule])

    def _culprit(self, exc: BaseException, hook: str) -> Rule | None:
        """The rule whose hook implementation raised, found from the traceback's frames."""
        codes = {}
        for impl in getattr(self.pm.hook, hook).get_hookimpls():
            func = getattr(impl.function, "__func__", impl.function)
            codes[func.__code__] = impl.plugin
        tb = exc.__traceback__
        culprit = None
        while tb is not None:
            if tb.tb_frame.f_code in codes:
                culprit = codes[tb.tb_frame.f_code]
            tb = tb.tb_next
        return culprit


_LIFECYCLES: dict[tuple, tuple[Pack, Lifecycle]] = {}


def lifecycle(pack: Pack, trace: bool | None = None, only: frozenset[str] | None = None) -> Lifecycle:
    """The pack's plugin manager, made once and reused by later runs of the same pack: registering
    rules with pluggy inspects every attribute of every rule, a few milliseconds that would
    otherwise dominate a one-project run (``explain``). A rule instance may serve several runs."""
    traced = bool(trace if trace is not None else os.environ.get("JIXIAO_TRACE"))
    key = (id(pack), traced, only)
    hit = _LIFECYCLES.get(key)
    if hit is not None and hit[0] is pack:
        return hit[1]
    if len(_LIFECYCLES) >= 64:
        _LIFECYCLES.clear()
    life = Lifecycle(pack, traced, only)
    _LIFECYCLES[key] = (pack, life)  # holding the pack keeps its id from being reused
    return life


def run(pack: Pack, portfolio: Portfolio, as_of: dt.date, *, explain: bool = False,
        on_stage: Callable[[str], None] | None = None, trace: bool | None = None,
        base: pl.DataFrame | None = None, only: frozenset[str] | None = None) -> RunResult:
    """Run the five stages in order; later stages see the facts earlier stages returned.

    ``base`` is ``base_facts(portfolio, as_of)`` when the caller has it already, checked: a
    comparison computes it once for every pack. ``only`` runs those rules of the pack alone.
    """
    if base is None:
        portfolio.check_as_of(as_of)
        base = base_facts(portfolio, as_of)
    life = lifecycle(pack, trace, only)
    facts = base
    ids = base.select("project_id", PIX)
    parts: list[pl.DataFrame] = []
    texts: list[Callable[[], pl.Series]] = []
    for stage in STAGES:
        if on_stage:
            on_stage(stage)
        outputs = life.call(stage, portfolio=portfolio.frozen_view(), as_of=as_of, facts=facts.clone())
        for out in outputs:
            rule = life.rules[out.rule]
            part, text = in_force.finalised(out, rule, lambda frame, by: _finalise(
                frame, by, pack, stage, STAGE_HOOKS[stage], ids, life.dtypes))  # by: the rule the finding cites
            if part is not None:
                parts.append(part)
                texts.append(text)
            if out.facts is not None:
                facts = _merge_facts(facts, out.facts, rule, STAGE_HOOKS[stage])
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
    _check_total(decisions)

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

    return RunResult(pack, as_of, decisions, facts, notes, messages)


# Every sum an output makes of a run's amounts (a total, per department, per project) and the
# difference of two runs' sums fit in 64 bits when the absolute amounts add up to less than this.
MAX_TOTAL_FEN = 2**62


def _check_total(decisions: pl.DataFrame) -> None:
    """A run whose amounts add up beyond ``MAX_TOTAL_FEN`` is refused rather than summed wrongly."""
    if not decisions.height:
        return
    total = decisions.select(pl.col("amount_fen").cast(pl.Int128).abs().sum()).item() or 0
    if total >= MAX_TOTAL_FEN:
        raise InputError([Problem("portfolio", f"the amounts of this run add up to {format_yuan(total)}, more than "
                                               f"jixiao adds exactly ({format_yuan(MAX_TOTAL_FEN - 1)}); check the budgets")])


def _citation_columns(cite: pl.Series, rule: Rule, pack: Pack, dtypes: dict[str, pl.DataType]) -> list[pl.Series | pl.Expr]:
    """``source`` and ``clause`` of each finding: the rule's citation, or the one the pack gives for
    the parameter the finding names in ``cite`` — the clause as cited, marked （未核实） where the
    source's inventory has not verified it."""
    source = pl.lit(pack.source_label(rule.citation.source), dtypes["source"]).alias("source")
    clause = pl.lit(clause_label(pack, rule.citation), dtypes["clause"]).alias("clause")
    named = {k: c for k, c in rule.cites.items() if k in set(cite.drop_nulls().unique().to_list())}
    if not named:
        return [source, clause]
    sources = {k: pack.source_label(c.source) for k, c in named.items()}
    clauses = {k: clause_label(pack, c) for k, c in named.items()}
    return [cite.replace_strict(sources, default=pack.source_label(rule.citation.source), return_dtype=pl.String)
            .cast(dtypes["source"]).alias("source"),
            cite.replace_strict(clauses, default=clause_label(pack, rule.citation), return_dtype=pl.String)
            .cast(dtypes["clause"]).alias("clause")]


def _finalise(frame: pl.DataFrame | pl.LazyFrame, rule: Rule, pack: Pack, stage: str, hook: str,
              ids: pl.DataFrame, dtypes: dict[str, pl.DataType]) -> tuple[pl.DataFrame, Callable[[], pl.Series]]:
    """Check a rule's findings, add pack, stage, rule and citation columns, and sort them by project
    (in the portfolio's order) and action. Returns them without the message, and a function that
    computes the messages in the same order: a lazy frame computes them only when called."""
    where = f"rule {rule.rule_id!r} (plugin {rule.name!r}), hook {hook}"
    lazy = frame if isinstance(frame, pl.LazyFrame) else None
    names = lazy.collect_schema().names() if lazy is not None else frame.columns
    for col in FINDING_REQUIRED:
        if col not in names:
            raise PluginError(f"{where} returned findings without the column {col!r}")
    if "project_id" not in names and PIX not in names:
        raise PluginError(f"{where} returned findings without the column 'project_id' (or 'pix')")
    if lazy is not None:
        frame = lazy.drop("message").collect()  # the message is not computed here
        # The rows the messages must line up with, checked when they are computed.
        keys = [c for c in (PIX, "project_id") if c in names][:1] + ["action"]
        rows = frame.select(keys)
    frame = _with_pix(frame, ids, where).with_row_index("_at")
    missing = {c: pl.lit(None, d) if c != "assumed" else pl.lit(False) for c, d in FINDING_OPTIONAL.items()
               if c not in frame.columns}
    frame = frame.with_columns(**missing)
    bad = frame.filter(~pl.col("action").is_in(list(ACTIONS)))
    if bad.height:
        raise PluginError(f"{where} returned an action outside the vocabulary: {bad['action'][0]!r}")
    bad = frame.filter(pl.col("applies_to").is_not_null() & ~pl.col("applies_to").is_in(list(OBJECTS)))
    if bad.height:
        raise PluginError(f"{where} returned an object (applies_to) outside the vocabulary: {bad['applies_to'][0]!r}")
    bad = frame.filter(pl.col("action").is_in(BINDING)
                       & (pl.col("budget_year").is_null() | pl.col("applies_to").is_null()))
    if bad.height:
        raise PluginError(f"{where} returned a {bad['action'][0]!r} finding without the budget year and the "
                          "object it applies to (budget_year, applies_to): every finding that cuts, reclaims, "
                          "suspends, withholds or blocks must say both")
    narrow = frame.select(PIX, pl.col("action").cast(pl.String).cast(ACTION), "_at")
    pix = narrow[PIX]
    if pix.len() > 1 and not (pix.diff().drop_nulls() > 0).all():  # one finding per project, in order: done
        narrow = narrow.sort(PIX, "action", maintain_order=True)  # the narrow frame: cheap to sort
    at = narrow["_at"]
    rest = frame.select(pl.col("amount_fen").cast(pl.Int64), pl.col("due_date").cast(pl.Date),
                        pl.col("budget_year").cast(pl.Int32),
                        pl.col("applies_to").cast(pl.String).cast(OBJECT),
                        pl.col("assumed").fill_null(False).cast(pl.Boolean))
    if at.len() and not at.is_sorted():
        rest = rest[at]
    out = pl.DataFrame([ids["project_id"].gather(narrow[PIX]).cast(pl.String), narrow[PIX]]).select(
        "project_id", PIX,
        pl.lit(pack.id, dtypes["pack"]).alias("pack"),
        pl.lit(stage, dtypes["stage"]).alias("stage"),
        pl.lit(rule.rule_id, dtypes["rule"]).alias("rule"),
        pl.lit(rule.name, dtypes["plugin"]).alias("plugin"),
        narrow["action"],
        *rest,
        *_citation_columns(frame["cite"][at] if at.len() and not at.is_sorted() else frame["cite"], rule, pack, dtypes),
    ).select(c for c in FINDINGS_SCHEMA if c != "message")
    eager = frame["message"].cast(pl.String) if lazy is None else None

    def text() -> pl.Series:
        if lazy is None:
            return eager.gather(at)
        got = lazy.select(*keys, pl.col("message").cast(pl.String)).collect()
        if not got.select(keys).equals(rows):
            raise PluginError(f"{where}: its lazy findings came out in a different order when their messages "
                              "were computed; make the order deterministic (maintain_order=True, a sort) "
                              "or return a DataFrame")
        return got["message"].gather(at)

    return out, text


def _with_pix(frame: pl.DataFrame, ids: pl.DataFrame, where: str) -> pl.DataFrame:
    """The findings with each project's ``pix``. When the rule gives ``pix`` (the built-in rules
    do), it is the key (and the project id is taken from the portfolio later); otherwise ``pix`` is
    looked up from the project id. A project not in the portfolio is an error."""
    if PIX in frame.columns:
        pix = frame[PIX].cast(pl.UInt32, strict=False)
        bad = pix.is_null() | (pix >= ids.height)
        if bad.any():
            raise PluginError(f"{where} returned a finding with pix {frame[PIX].filter(bad)[0]!r}, which is not "
                              f"a project's position in the portfolio (it has {ids.height} projects)")
        return frame.with_columns(pix.alias(PIX))
    found = frame.join(ids, on="project_id", how="left", maintain_order="left")
    stray = found.filter(pl.col(PIX).is_null())
    if stray.height:
        raise PluginError(f"{where} returned a finding for project {stray['project_id'][0]!r}, "
                          "which is not in the portfolio")
    return found


def _merge_facts(facts: pl.DataFrame, new: pl.DataFrame, rule: Rule, hook: str) -> pl.DataFrame:
    if "project_id" not in new.columns and PIX not in new.columns:
        raise PluginError(f"rule {rule.rule_id!r}, hook {hook}: facts need a project_id (or pix) column")
    clash = [c for c in new.columns if c not in ("project_id", PIX) and c in facts.columns]
    if clash:
        raise PluginError(f"rule {rule.rule_id!r}, hook {hook}: fact column(s) {clash} already exist; "
                          "another rule or the projects table provides them")
    key = PIX if PIX in new.columns else "project_id"
    if key == PIX and new.schema[PIX] != pl.UInt32:
        new = new.with_columns(pl.col(PIX).cast(pl.UInt32, strict=False))
    if new.height == facts.height and new[key].equals(facts[key]):
        # Most rules derive their facts from `facts` row by row: the rows line up, no join needed.
        return facts.hstack(new.drop("project_id", PIX, strict=False))
    if key == PIX and new.height and not new[PIX].null_count() and (new[PIX].diff().drop_nulls() > 0).all():
        # One row per project in the portfolio's order (how the built-in rules give facts): spread
        # by position instead of joined.
        if new[PIX].max() >= facts.height:
            raise PluginError(f"rule {rule.rule_id!r}, hook {hook}: facts for pix {new[PIX].max()}, which is "
                              f"not a project's position (the portfolio has {facts.height} projects)")
        return facts.hstack(by_project(new.drop("project_id", strict=False), facts.height))
    if new[key].is_duplicated().any():
        raise PluginError(f"rule {rule.rule_id!r}, hook {hook}: facts have more than one row per project")
    if key == PIX:
        new = new.drop("project_id", strict=False)
    return facts.join(new, on=key, how="left", maintain_order="left")
