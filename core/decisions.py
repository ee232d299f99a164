"""Accountability decisions (问责决定) read once for every rule that needs them: the rectification
deadline of each decision and where its report stands (rectification_deadline, score_linked_budget).

The period ends on the corresponding day, clamped to the month's end, and moves to the next working
day when that is a rest day (民法典 第二百零二条、第二百零三条; core/dates.py). A report dated before
the clock started is not a report on this decision."""

from __future__ import annotations

import datetime as dt

import polars as pl

from jixiao.core.dates import BUILTIN_CALENDAR, WorkCalendar, deadline_exprs
from jixiao.core.project_rows import fact_of, project_columns


def deadline_status(frame: pl.DataFrame, start: str, report: str, as_of: dt.date, months: int,
                    calendar: WorkCalendar = BUILTIN_CALENDAR) -> pl.DataFrame:
    """``frame`` — rows whose clock starts on the date in column ``start`` and whose report's date is
    in column ``report`` — with ``end`` (``months`` calendar months after the start, clamped to the
    month's end), ``due`` (``end`` rolled to the next working day by ``calendar``), ``covered``
    (whether the calendar knows that year's rest days), ``early`` (the report is dated before the
    start) and ``status``: ``pending`` (not reported, not yet due), ``overdue`` (not reported, past
    due), ``late`` (reported after the due day) or ``done``."""
    end, due, covered = deadline_exprs(pl.col(start), months, calendar)
    early = pl.col(report).is_not_null() & (pl.col(report) < pl.col(start))
    reported = pl.col(report).is_not_null() & ~early & (pl.col(report) <= as_of)
    status = (pl.when(reported & (pl.col(report) <= pl.col("due"))).then(pl.lit("done"))
              .when(reported).then(pl.lit("late"))
              .when(pl.lit(as_of) > pl.col("due")).then(pl.lit("overdue"))
              .otherwise(pl.lit("pending")))
    return (frame.with_columns(end.alias("end"), due.alias("due"), covered.alias("covered"), early.alias("early"))
            .with_columns(status.alias("status")))


def decision_status(portfolio, as_of: dt.date, months: int,
                    calendar: WorkCalendar = BUILTIN_CALENDAR) -> pl.DataFrame:
    """The accountability decisions received by the date, one row each, keyed by project: the
    project's ``project_id``, ``decision_id``, ``received_date``, ``report_date``, and the
    rectification report's ``due`` day ``months`` after receipt and its ``status`` — pending,
    overdue, late or done — with ``end``, ``covered`` and ``early`` (see ``deadline_status``)."""
    frame = portfolio.accountability.filter(pl.col("received_date") <= as_of)
    frame = project_columns(frame, "decision_id", "received_date", "report_date").with_columns(
        fact_of(portfolio.projects, "project_id"))
    return project_columns(deadline_status(frame, "received_date", "report_date", as_of, months, calendar),
                           "project_id", "decision_id", "received_date", "report_date", "due", "status", "end",
                           "covered", "early")
