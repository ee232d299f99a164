"""The base class of every rule plugin, built-in or third-party, and what its hooks return."""

from __future__ import annotations

from typing import Any, ClassVar

import attrs
import polars as pl

from jixiao.core.hookspecs import ALL_HOOKS, STAGE_HOOKS

# Columns a rule's findings frame must or may carry; the engine adds pack, stage, rule and citation.
# ``project_id`` or ``pix`` (the project's position, the faster key) identifies the project.
FINDING_REQUIRED = {"action": pl.String, "message": pl.String}
FINDING_OPTIONAL = {"amount_fen": pl.Int64, "due_date": pl.Date, "assumed": pl.Boolean}
# Field metadata for a parameter whose keys (a table) or items (a list) are grade labels:
# ``attrs.field(factory=dict, metadata={GRADES: True})``. ``packs check`` refuses a label the pack's
# grading rule does not define (较差 where the grades say 差), which would otherwise never match.
GRADES = "jixiao.grades"


@attrs.frozen
class Citation:
    """Where a rule or a value comes from: a source of the pack (by key) and a clause."""

    source: str
    clause: str

    def render(self, doc_no: str | None = None) -> str:
        return f"{doc_no or self.source} {self.clause}"


@attrs.frozen
class RuleOutput:
    """What one rule returns from one stage hook."""

    rule: str
    findings: pl.DataFrame | pl.LazyFrame | None = None  # lazy: messages computed when read
    facts: pl.DataFrame | None = None  # project_id plus new fact columns
    notes: pl.DataFrame | None = None  # explain only: project_id, note


class Rule:
    """A rule plugin. Subclasses set ``name``, ``Params`` (a frozen attrs class with defaults) and
    implement one or more stage hooks with ``@hookimpl``.

    An instance is one rule of one pack: its id in the pack, its parameters, its citations, and
    which parameter values the pack marks as assumed.
    """

    name: ClassVar[str] = ""
    summary: ClassVar[str] = ""
    Params: ClassVar[type] = attrs.make_class("NoParams", {}, frozen=True)
    # Fact columns the rule reads, shown by `jixiao explain` as the inputs it read.
    reads: ClassVar[tuple[str, ...]] = ()

    def __init__(self, rule_id: str, params: Any, citation: Citation, assumed: dict[str, str] | None = None,
                 pack_id: str = "", param_citations: dict[str, Citation] | None = None):
        self.rule_id = rule_id
        self.params = params
        self.citation = citation
        self.assumed = dict(assumed or {})
        self.pack_id = pack_id
        self.param_citations = dict(param_citations or {})

    def __repr__(self) -> str:
        return f"<rule {self.rule_id} ({self.name})>"

    @classmethod
    def hooks(cls) -> tuple[str, ...]:
        """The hooks this plugin implements, in lifecycle order."""
        return tuple(h for h in ALL_HOOKS if callable(getattr(cls, h, None)))

    @classmethod
    def stages(cls) -> tuple[str, ...]:
        return tuple(stage for stage, hook in STAGE_HOOKS.items() if hook in cls.hooks())

    def citing(self) -> tuple[Rule, ...]:
        """The rule objects whose citation a finding of this rule can carry: itself (a rule with
        periods, ``core/in_force.py``, has one per span of budget years)."""
        return (self,)

    def is_assumed(self, *params: str) -> bool:
        """Whether any of these parameter values is marked assumed in the pack."""
        return any(p in self.assumed for p in params)

    def output(self, findings: pl.DataFrame | None = None, facts: pl.DataFrame | None = None,
               notes: pl.DataFrame | None = None) -> RuleOutput:
        return RuleOutput(self.rule_id, findings, facts, notes)

    @staticmethod
    def findings(frame: pl.DataFrame | pl.LazyFrame, action: str, message: pl.Expr | str, *,
                 amount_fen: pl.Expr | None = None, due_date: pl.Expr | None = None,
                 assumed: bool | pl.Expr = False) -> pl.LazyFrame:
        """Turn the projects in ``frame`` into findings of one action, in one columnar step.

        The result is lazy: the engine computes what was decided at once and the message text only
        when something reads it (combine several with ``pl.concat``). Pass ``facts.lazy().filter(…)``
        rather than ``facts.filter(…)``: an eager filter copies every fact column of the rows it
        keeps, a lazy one only the columns the finding reads."""
        msg = pl.lit(message) if isinstance(message, str) else message
        names = frame.collect_schema().names() if isinstance(frame, pl.LazyFrame) else frame.columns
        return frame.lazy().select(
            *(pl.col(c) for c in ("project_id", "pix") if c in names),
            pl.lit(action).alias("action"),
            msg.alias("message"),
            (amount_fen if amount_fen is not None else pl.lit(None, pl.Int64)).cast(pl.Int64).alias("amount_fen"),
            (due_date if due_date is not None else pl.lit(None, pl.Date)).cast(pl.Date).alias("due_date"),
            (pl.lit(assumed) if isinstance(assumed, bool) else assumed).cast(pl.Boolean).alias("assumed"),
        )
