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


def finalise(frame: pl.DataFrame | pl.LazyFrame, rule: Rule, pack: Pack, stage: str, hook: str,
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
    frame = with_pix(frame, ids, where).with_row_index("_at")
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


def with_pix(frame: pl.DataFrame, ids: pl.DataFrame, where: str) -> pl.DataFrame:
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
