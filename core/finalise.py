"""What the engine does with a rule's output: its findings checked, keyed, cited and sorted
(``finalise``), its facts merged into the run's (``merge_facts``), and the run's amounts checked
(``check_total``)."""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

from jixiao.core.actions import ACTIONS, OBJECTS
from jixiao.core.clauses import clause_label
from jixiao.core.errors import InputError, PluginError, Problem
from jixiao.core.money import format_yuan
from jixiao.core.pack import Pack
from jixiao.core.per_project import PIX, by_project
from jixiao.core.rule import FINDING_OPTIONAL, FINDING_REQUIRED, Rule

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


# Every sum an output makes of a run's amounts (a total, per department, per project) and the
# difference of two runs' sums fit in 64 bits when the absolute amounts add up to less than this.
MAX_TOTAL_FEN = 2**62


def check_total(decisions: pl.DataFrame) -> None:
    """A run whose amounts add up beyond ``MAX_TOTAL_FEN`` is refused rather than summed wrongly."""
    if not decisions.height:
        return
    total = decisions.select(pl.col("amount_fen").cast(pl.Int128).abs().sum()).item() or 0
    if total >= MAX_TOTAL_FEN:
        raise InputError([Problem("portfolio", f"the amounts of this run add up to {format_yuan(total)}, more than "
                                               f"jixiao adds exactly ({format_yuan(MAX_TOTAL_FEN - 1)}); check the budgets")])


def _labels(rule: Rule, pack: Pack, stage: str, dtypes: dict[str, pl.DataType]) -> list[pl.Expr]:
    """The columns every finding of the rule shares, as expressions: pack, stage, rule, plugin, and
    the source and clause it cites — the rule's citation, or the one the pack gives for the
    parameter the finding names in ``cite``, the clause as cited, marked （未核实） where the source's
    inventory has not verified it. Made once per rule object (one rule of one pack) and stage: a
    literal of an enum type costs more to make than a one-project run spends using it."""
    cache = rule.__dict__.setdefault("_jixiao_labels", {})
    key = (id(pack), stage, id(dtypes))
    got = cache.get(key)
    if got is not None and got[0] is pack and got[1] is dtypes:
        return got[2]
    source, clause = pack.source_label(rule.citation.source), clause_label(pack, rule.citation)
    sources = {k: pack.source_label(c.source) for k, c in rule.cites.items()}
    clauses = {k: clause_label(pack, c) for k, c in rule.cites.items()}
    if not sources:
        cited = [pl.lit(source, dtypes["source"]).alias("source"), pl.lit(clause, dtypes["clause"]).alias("clause")]
    else:
        cited = [pl.col("cite").replace_strict(sources, default=source, return_dtype=pl.String)
                 .cast(dtypes["source"]).alias("source"),
                 pl.col("cite").replace_strict(clauses, default=clause, return_dtype=pl.String)
                 .cast(dtypes["clause"]).alias("clause")]
    exprs = [pl.lit(pack.id, dtypes["pack"]).alias("pack"), pl.lit(stage, dtypes["stage"]).alias("stage"),
             pl.lit(rule.rule_id, dtypes["rule"]).alias("rule"), pl.lit(rule.name, dtypes["plugin"]).alias("plugin"),
             *cited]
    cache[key] = (pack, dtypes, exprs)  # holding both keeps their ids from being reused
    return exprs


_ACTIONS = pl.Series(sorted(ACTIONS), dtype=pl.String).implode()
_OBJECTS = pl.Series(sorted(OBJECTS), dtype=pl.String).implode()
_BINDING = pl.Series(BINDING, dtype=pl.String).implode()
_MISSING = {c: (pl.lit(None, d) if c != "assumed" else pl.lit(False)).alias(c) for c, d in FINDING_OPTIONAL.items()}


# A run of at most this many projects computes its findings' messages with what was decided, in
# the same query: running a rule's plan a second time costs more than the text of a few findings.
EAGER_MESSAGES_UP_TO = 1_000

# What is wrong with a finding, as the first failing check's number (null: nothing).
_BAD_PIX, _BAD_ACTION, _BAD_OBJECT, _BAD_BINDING = 1, 2, 3, 4


def finalise(frame: pl.DataFrame | pl.LazyFrame, rule: Rule, pack: Pack, stage: str, hook: str,
             ids: pl.DataFrame, dtypes: dict[str, pl.DataType]) -> tuple[pl.DataFrame, Callable[[], pl.Series]]:
    """Check a rule's findings, add pack, stage, rule and citation columns, and sort them by project
    (in the portfolio's order) and action. Returns them without the message, and a function that
    computes the messages in the same order: a lazy frame computes them only when called.

    One query does it (the rule's own plan, the checks and the columns), collected once: a
    one-project run pays for a handful of polars calls per rule, not one per column and check."""
    where = f"rule {rule.rule_id!r} (plugin {rule.name!r}), hook {hook}"
    lazy = frame if isinstance(frame, pl.LazyFrame) else None
    names = lazy.collect_schema().names() if lazy is not None else frame.columns
    for col in FINDING_REQUIRED:
        if col not in names:
            raise PluginError(f"{where} returned findings without the column {col!r}")
    if "project_id" not in names and PIX not in names:
        raise PluginError(f"{where} returned findings without the column 'project_id' (or 'pix')")
    keys = [c for c in (PIX, "project_id") if c in names][:1] + ["action"]  # the rows messages line up with
    eager_text = lazy is None or ids.height <= EAGER_MESSAGES_UP_TO
    plan = frame.lazy()
    if PIX in names:
        pix = pl.col(PIX).cast(pl.UInt32, strict=False)
        bad_pix = pix.is_null() | (pix >= ids.height)
    else:  # keyed by the text id: looked up in the portfolio
        plan = plan.join(ids.lazy(), on="project_id", how="left", maintain_order="left")
        pix = pl.col(PIX)
        bad_pix = pix.is_null()
    have = set(names) | {PIX}
    missing = [e for c, e in _MISSING.items() if c not in have]
    action = pl.col("action").cast(pl.String)
    applies = pl.col("applies_to").cast(pl.String)
    as_enum = action.cast(ACTION, strict=False), applies.cast(OBJECT, strict=False)
    bad = (pl.when(bad_pix).then(pl.lit(_BAD_PIX))
           .when((~action.is_in(_ACTIONS)).fill_null(True)).then(pl.lit(_BAD_ACTION))
           .when(applies.is_not_null() & ~applies.is_in(_OBJECTS)).then(pl.lit(_BAD_OBJECT))
           .when(action.is_in(_BINDING) & (pl.col("budget_year").is_null() | applies.is_null()))
           .then(pl.lit(_BAD_BINDING)))
    got = (plan.with_columns(missing).with_row_index("_at")
           .select(pix.alias(PIX), as_enum[0].alias("action"), "_at",
                   pl.col("amount_fen").cast(pl.Int64), pl.col("due_date").cast(pl.Date),
                   pl.col("budget_year").cast(pl.Int32), as_enum[1].alias("applies_to"),
                   pl.col("assumed").fill_null(False).cast(pl.Boolean), pl.col("cite").cast(pl.String),
                   bad.alias("_bad"), *([pl.col(PIX).alias("_given")] if PIX in names else []),
                   *([pl.col("project_id")] if PIX not in names else []),
                   # The text of an action or object outside the vocabulary, for the error only (a
                   # text column of every finding otherwise).
                   pl.when(as_enum[0].is_null()).then(action).alias("_text"),
                   pl.when(as_enum[1].is_null()).then(applies).alias("_object"),
                   *([pl.col("message").cast(pl.String)] if eager_text else []))
           .collect())
    if got["_bad"].null_count() < got.height:
        _refuse(got.filter(pl.col("_bad").is_not_null()).row(0, named=True), where, ids.height)
    # What the messages line up with, the action as its enum (one byte a finding, held until read).
    rows = got.select(PIX if PIX in names else "project_id", "action") if not eager_text else None
    p = got[PIX]
    if p.len() > 1 and not (p.diff().drop_nulls() > 0).all():  # one finding per project, in order: done
        got = got.sort(PIX, "action", maintain_order=True)
    at = got["_at"]
    pack_, stage_, rule_, plugin_, source, clause = _labels(rule, pack, stage, dtypes)
    out = got.select(
        pl.lit(ids["project_id"]).gather(pl.col(PIX)).cast(pl.String).alias("project_id"), PIX,
        pack_, stage_, rule_, plugin_, "action", "amount_fen", "due_date", "budget_year", "applies_to", source, clause,
        "assumed")  # FINDINGS_SCHEMA's order
    ordered = at.len() and not at.is_sorted()
    if eager_text:
        said = got["message"]
        return out, lambda: said

    def text() -> pl.Series:
        said = lazy.select(*keys, pl.col("message").cast(pl.String)).collect()
        if not said.select(pl.col(keys[0]).cast(rows.schema[keys[0]]), pl.col("action").cast(pl.String)).equals(
                rows.with_columns(pl.col("action").cast(pl.String))):
            raise PluginError(f"{where}: its lazy findings came out in a different order when their messages "
                              "were computed; make the order deterministic (maintain_order=True, a sort) "
                              "or return a DataFrame")
        return said["message"].gather(at) if ordered else said["message"]

    return out, text


def _refuse(row: dict, where: str, projects: int) -> None:
    """The error for the first finding that fails a check."""
    if row["_bad"] == _BAD_PIX:
        if "project_id" in row:
            raise PluginError(f"{where} returned a finding for project {row['project_id']!r}, "
                              "which is not in the portfolio")
        raise PluginError(f"{where} returned a finding with pix {row['_given']!r}, which is not "
                          f"a project's position in the portfolio (it has {projects} projects)")
    if row["_bad"] == _BAD_ACTION:
        raise PluginError(f"{where} returned an action outside the vocabulary: {row['_text']!r}")
    if row["_bad"] == _BAD_OBJECT:
        raise PluginError(f"{where} returned an object (applies_to) outside the vocabulary: {row['_object']!r}")
    raise PluginError(f"{where} returned a {row['action']!r} finding without the budget year and the "
                      "object it applies to (budget_year, applies_to): every finding that cuts, reclaims, "
                      "suspends, withholds or blocks must say both")


def merge_facts(facts: pl.DataFrame, new: pl.DataFrame, rule: Rule, hook: str) -> pl.DataFrame:
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
