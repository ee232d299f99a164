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
- **Which project a row is**, never naming the key: ``project_columns`` (a selection that keeps
  the project), ``fact_of`` and ``with_facts`` (a project's facts on the rows of any table, by
  position), ``project_in`` (rows whose project is among some rows' projects), ``project_count``,
  ``for_projects`` (one-row-per-project values at some rows' projects), ``join_on_project``,
  ``first_per_project`` (each project's first row in an order) and ``in_project_order``.
- **Shared readings**: ``decision_status`` (the accountability decisions received by a date, each
  with its rectification report's due day and status), ``deadline_status`` (the same clock on any
  dated rows), ``crc32_each`` (a stable hash of texts, for seeded samples).
- **Indicators**: ``LEVELS``, ``TARGET_LEVELS``, ``MICRO``, ``indicator_shares``, ``level_sums``,
  ``completion_micro``, ``has_level_expr``; ``EVAL_KIND`` (the evaluation kinds).

docs/authoring-plugins.md shows how a rule uses them; a test keeps ``__all__`` and the docs in step.
"""

from jixiao.core.dates import BUILTIN_CALENDAR, WorkCalendar, add_months_expr, deadline_exprs, year_end_expr, year_start_expr
from jixiao.core.decisions import deadline_status, decision_status
from jixiao.core.hookspecs import hookimpl
from jixiao.core.indicators import LEVELS, MICRO, TARGET_LEVELS, completion_micro, has_level_expr, indicator_shares, level_sums
from jixiao.core.money import FEN_PER_YUAN, below_share_expr, format_yuan, share_fen_expr, wide_ratio, yuan_text_expr
from jixiao.core.per_project import by_project as spread_over_projects
from jixiao.core.per_project import max_by_project as max_per_project
from jixiao.core.per_project import per_project as aggregate_per_project
from jixiao.core.per_project import sum_by_project as sum_per_project
from jixiao.core.project_rows import (
    fact_of, first_per_project, for_projects, in_project_order, join_on_project, project_columns, project_count,
    project_in, with_facts,
)
from jixiao.core.rule import GRADES, Citation, Rule, RuleOutput
from jixiao.core.sampling import crc32_each
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
    # which project a row is
    "project_columns", "fact_of", "with_facts", "project_in", "project_count", "for_projects", "join_on_project",
    "first_per_project", "in_project_order",
    # shared readings
    "decision_status", "deadline_status", "crc32_each",
    # indicators
    "LEVELS", "TARGET_LEVELS", "MICRO", "indicator_shares", "level_sums", "completion_micro", "has_level_expr",
    "EVAL_KIND",
    # vocabularies
    "CATEGORY_NAMES",
]
