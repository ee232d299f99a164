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


def parse_date(text: str) -> dt.date:
    """A date as people type it: 2024-03-01, 2024/3/1, 20240301 or 2024年3月1日."""
    s = text.strip()
    for sep in ("-", "/", "."):
        if sep in s:
            parts = s.split(" ")[0].split(sep)
            if len(parts) == 3:
                return dt.date(int(parts[0]), int(parts[1]), int(parts[2]))
    if s.endswith("日") and "年" in s and "月" in s:
        y, rest = s[:-1].split("年")
        m, d = rest.split("月")
        return dt.date(int(y), int(m), int(d))
    if len(s) == 8 and s.isdigit():
        return dt.date(int(s[:4]), int(s[4:6]), int(s[6:]))
    raise ValueError(f"not a date: {text!r}")
