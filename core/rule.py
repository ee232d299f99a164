"""The base class of every rule plugin, built-in or third-party, and what its hooks return."""

from __future__ import annotations

from typing import Any, ClassVar

import attrs
import polars as pl

from jixiao.core.dates import BUILTIN_CALENDAR, WorkCalendar
from jixiao.core.hookspecs import ALL_HOOKS, PROJECT, STAGE_HOOKS

# The attribute pluggy's ``HookimplMarker("jixiao")`` sets on a method marked ``@hookimpl``.
IMPL_MARKER = PROJECT + "_impl"

# Columns a rule's findings frame must or may carry; the engine adds pack, stage, rule and citation.
# ``project_id`` or ``pix`` (the project's position, the faster key) identifies the project.
FINDING_REQUIRED = {"action": pl.String, "message": pl.String}
FINDING_OPTIONAL = {"amount_fen": pl.Int64, "due_date": pl.Date, "budget_year": pl.Int32,
                    "applies_to": pl.String, "assumed": pl.Boolean, "cite": pl.String}
# Field metadata for a parameter whose keys (a table) or items (a list) are grade labels:
# ``attrs.field(factory=dict, metadata={GRADES: True})``. ``packs check`` refuses a label the pack's
# grading rule does not define (较差 where the grades say 差), which would otherwise never match.
GRADES = "jixiao.grades"


@attrs.frozen
class Citation:
    """Where a rule or a value comes from: a source of the pack (by key) and a clause."""

    source: str
    clause: str


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
    # Fact columns the rule reads. ``jixiao explain`` shows them as the inputs it read, and uses them
    # to decide whether a run of the explained project alone is exact: leave one out and an
    # explanation falls back to a slower, still correct, run.
    reads: ClassVar[tuple[str, ...]] = ()
    # True for a rule whose result for one project depends on the other projects (a rank, a seeded
    # sample, a coverage schedule): ``jixiao explain`` and effective periods then run it over the
    # whole portfolio instead of the explained project alone.
    whole_portfolio: ClassVar[bool] = False
    # Working days and rest days for deadlines: the pack's (set when the pack instantiates the rule).
    calendar: WorkCalendar = BUILTIN_CALENDAR

    def __init__(self, rule_id: str, params: Any, citation: Citation, assumed: dict[str, str] | None = None,
                 pack_id: str = ""):
        self.rule_id = rule_id
        self.params = params
        self.citation = citation
        self.assumed = dict(assumed or {})
        self.pack_id = pack_id
        # parameter → the clause the pack cites for its value (``[rules.x.cite]``): a finding made
        # from that parameter cites it (``self.findings(..., cite="priority_grades")``).
        self.cites: dict[str, Citation] = {}

    def __repr__(self) -> str:
        return f"<rule {self.rule_id} ({self.name})>"

    def shared(self, portfolio, what: str, compute, *, params: tuple[str, ...] = (), on: tuple = ()):
        """``compute()``, computed once for every pack run over the same portfolio (``jixiao
        compare``). The host keys it by this plugin's class, ``what``, the values of the named
        ``params`` and ``on`` (the dates or other values it depends on) — a rule never writes a
        cache key. ``compute`` may read the portfolio's tables and the projects' base facts, never
        a fact another rule produced."""
        cls = type(self)
        key = (cls.__module__, cls.__qualname__, what,
               tuple((name, repr(getattr(self.params, name))) for name in params), tuple(on))
        return portfolio.memo(key, compute)

    @classmethod
    def hooks(cls) -> tuple[str, ...]:
        """The hooks this plugin implements (methods marked ``@hookimpl``), in lifecycle order."""
        return tuple(h for h in ALL_HOOKS if getattr(getattr(cls, h, None), IMPL_MARKER, None) is not None)

    @classmethod
    def stages(cls) -> tuple[str, ...]:
        return tuple(stage for stage, hook in STAGE_HOOKS.items() if hook in cls.hooks())

    def citing(self) -> tuple[Rule, ...]:
        """The rule objects whose citation a finding of this rule can carry: itself (a rule with
        periods, ``core/in_force.py``, has one per span of budget years)."""
        return (self,)

    def scope(self, facts: pl.LazyFrame, as_of, projects: pl.DataFrame) -> pl.DataFrame | pl.LazyFrame | None:
        """The projects this rule's answer for ``projects`` depends on: a frame of rows of
        ``facts`` (a filter of it), or ``None`` for every project. Run over any set of projects that
        contains these, the rule gives ``projects`` exactly what it gives them in a run of the whole
        portfolio; ``jixiao explain`` and a run focused on some projects (``run(..., focus=...)``)
        compute it over only these.

        ``facts`` is lazy: every project's base facts (the projects table, vocabularies as text)
        except ``spent_fen``, which is summed from the spending table and not needed to say who
        depends on whom; ``projects`` are its rows of the projects asked about. A rule whose
        result for a project depends on that project alone (the default) returns ``projects``; a
        rule with ``whole_portfolio = True`` returns ``None`` unless it says better — a rank within
        a department, the department's projects: ``facts.filter(pl.col("department").is_in(
        projects["department"].implode()))``."""
        return None if self.whole_portfolio else projects

    def is_assumed(self, *params: str) -> bool:
        """Whether any of these parameter values is marked assumed in the pack."""
        return any(p in self.assumed for p in params)

    def output(self, findings: pl.DataFrame | None = None, facts: pl.DataFrame | None = None,
               notes: pl.DataFrame | None = None) -> RuleOutput:
        return RuleOutput(self.rule_id, findings, facts, notes)

    @staticmethod
    def adopted_note(as_of, year: pl.Expr | None = None, what: str = "此为编制时应具备的要件，供核查纠正") -> pl.Expr:
        """For a gate (a precondition of compiling a budget): "" while the fiscal year has not begun;
        once it has, the budget was adopted already and a block cannot undo it — say so, so that the
        finding reads as a check of how the budget was compiled, not as money taken away."""
        fy = pl.col("fiscal_year") if year is None else year
        return (pl.when(fy <= as_of.year)
                .then(pl.lit("（") + fy.cast(pl.String) + pl.lit(f"年度预算已批复执行：{what}）"))
                .otherwise(pl.lit("")))

    @staticmethod
    def findings(frame: pl.DataFrame | pl.LazyFrame, action: str, message: pl.Expr | str, *,
                 amount_fen: pl.Expr | None = None, due_date: pl.Expr | None = None,
                 budget_year: pl.Expr | int | None = None, applies_to: str | pl.Expr | None = None,
                 assumed: bool | pl.Expr = False, cite: str | pl.Expr | None = None) -> pl.LazyFrame:
        """Turn the projects in ``frame`` into findings of one action, in one columnar step.

        The result is lazy: the engine computes what was decided at once and the message text only
        when something reads it (combine several with ``pl.concat``). Pass ``facts.lazy().filter(…)``
        rather than ``facts.filter(…)``: an eager filter copies every fact column of the rows it
        keeps, a lazy one only the columns the finding reads.

        A binding action (one that cuts, reclaims, suspends, withholds or blocks: ``Action.binding``)
        must say which ``budget_year`` it applies to and what it ``applies_to`` (a code of
        ``jixiao.core.actions.OBJECTS``); the engine refuses such findings without them.

        ``cite`` names the parameter the finding comes from: where the pack cites a clause for that
        parameter's value, the finding cites that clause instead of the rule's."""
        msg = pl.lit(message) if isinstance(message, str) else message
        names = frame.collect_schema().names() if isinstance(frame, pl.LazyFrame) else frame.columns
        return frame.lazy().select(
            *(pl.col(c) for c in ("project_id", "pix") if c in names),
            pl.lit(action).alias("action"),
            msg.alias("message"),
            (amount_fen if amount_fen is not None else pl.lit(None, pl.Int64)).cast(pl.Int64).alias("amount_fen"),
            (due_date if due_date is not None else pl.lit(None, pl.Date)).cast(pl.Date).alias("due_date"),
            _expr(budget_year, pl.Int32).alias("budget_year"),
            _expr(applies_to, pl.String).alias("applies_to"),
            (pl.lit(assumed) if isinstance(assumed, bool) else assumed).cast(pl.Boolean).alias("assumed"),
            _expr(cite, pl.String).alias("cite"),
        )


def _expr(value: pl.Expr | int | str | None, dtype: pl.DataType) -> pl.Expr:
    if value is None:
        return pl.lit(None, dtype)
    return (value if isinstance(value, pl.Expr) else pl.lit(value)).cast(dtype)
