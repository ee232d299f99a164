"""The plugin author's toolkit: everything a rule needs, from one module.

A rule imports from here and nowhere else in jixiao::

    from jixiao.rules import Rule, hookimpl, share_fen_expr, yuan_text_expr

What is here, by what it is for:

- **The contract**: ``Rule`` (the base class), ``hookimpl`` (the marker of a stage method),
  ``RuleOutput`` (what ``self.output(...)`` returns), ``Citation``, and ``GRADES`` (field metadata
  for a parameter keyed by grade labels).
- **Money, exact** (integer fen): ``FEN_PER_YUAN``, ``share_fen_expr`` (a ratio of an amount, half
  up to the fen), ``wide_ratio`` (an exact ratio of two amounts in a given unit),
  ``below_share_expr``, ``yuan_text_expr`` (元 with separators, for messages), ``format_yuan``.
- **Dates**: ``year_start_expr``, ``year_end_expr``, ``add_months_expr`` (calendar months, clamped to
  the month's end), ``deadline_exprs`` (a deadline rolled to the next working day by the pack's
  calendar), ``WorkCalendar``, ``BUILTIN_CALENDAR``.
- **Per project**: ``sum_per_project`` and ``max_per_project`` (each project's sum or maximum over
  the rows of a table, one row per project, ready to ``hstack`` onto facts),
  ``aggregate_per_project`` (any aggregation, one row per project that has rows) and
  ``spread_over_projects`` (such a result spread over every project).
- **Indicators**: ``LEVELS``, ``TARGET_LEVELS``, ``MICRO``, ``indicator_shares``, ``level_sums``,
  ``completion_micro``, ``has_level_expr``; ``EVAL_KIND`` (the evaluation kinds).

docs/authoring-plugins.md shows how a rule uses them; a test keeps ``__all__`` and the docs in step.
"""

from jixiao.core.dates import BUILTIN_CALENDAR, WorkCalendar, add_months_expr, deadline_exprs, year_end_expr, year_start_expr
from jixiao.core.hookspecs import hookimpl
from jixiao.core.indicators import LEVELS, MICRO, TARGET_LEVELS, completion_micro, has_level_expr, indicator_shares, level_sums
from jixiao.core.money import FEN_PER_YUAN, below_share_expr, format_yuan, share_fen_expr, wide_ratio, yuan_text_expr
from jixiao.core.per_project import by_project as spread_over_projects
from jixiao.core.per_project import max_by_project as max_per_project
from jixiao.core.per_project import per_project as aggregate_per_project
from jixiao.core.per_project import sum_by_project as sum_per_project
from jixiao.core.rule import GRADES, Citation, Rule, RuleOutput
from jixiao.core.schema import CATEGORY_NAMES, EVAL_KIND

__all__ = [
    # the contract
    "Rule", "RuleOutput", "Citation", "hookimpl", "GRADES",
    # money
    "FEN_PER_YUAN", "share_fen_expr", "wide_ratio", "below_share_expr", "yuan_text_expr", "format_yuan",
    # dates
    "year_start_expr", "year_end_expr", "add_months_expr", "deadline_exprs", "WorkCalendar", "BUILTIN_CALENDAR",
    # per project
    "sum_per_project", "max_per_project", "aggregate_per_project", "spread_over_projects",
    # indicators
    "LEVELS", "TARGET_LEVELS", "MICRO", "indicator_shares", "level_sums", "completion_micro", "has_level_expr",
    "EVAL_KIND",
    # vocabularies
    "CATEGORY_NAMES",
]
