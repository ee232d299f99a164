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
