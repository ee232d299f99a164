"""Deadlines (民法典 第二百零一条至第二百零三条): month arithmetic, holiday roll-over, the calendar's
coverage and a pack's additions; the scalar and the column forms agree."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jixiao.core.dates import LIBRARY_YEARS, WorkCalendar, deadline, deadline_exprs

D = dt.date


@pytest.mark.parametrize(("start", "end", "due"), [
    (D(2024, 8, 1), D(2024, 10, 1), D(2024, 10, 8)),     # 国庆 2024-10-01…07 → 10-08
    (D(2024, 4, 30), D(2024, 6, 30), D(2024, 7, 1)),     # a Sunday → Monday
    (D(2024, 4, 29), D(2024, 6, 29), D(2024, 7, 1)),     # a Saturday → Monday
    (D(2024, 4, 28), D(2024, 6, 28), D(2024, 6, 28)),    # a Friday stays
    (D(2022, 12, 31), D(2023, 2, 28), D(2023, 2, 28)),   # non-leap February, clamped, a Tuesday
    (D(2023, 12, 30), D(2024, 2, 29), D(2024, 2, 29)),   # leap February
    (D(2022, 12, 30), D(2023, 2, 28), D(2023, 2, 28)),
    (D(2024, 10, 31), D(2024, 12, 31), D(2024, 12, 31)),
    (D(2023, 11, 30), D(2024, 1, 30), D(2024, 1, 30)),   # across a year end, a Tuesday
    (D(2024, 11, 30), D(2025, 1, 30), D(2025, 2, 5)),    # across a year end into 春节 2025-01-28…02-04
    (D(2024, 7, 29), D(2024, 9, 29), D(2024, 9, 29)),    # a Sunday worked (调休上班 for 国庆): no roll
    (D(2024, 8, 12), D(2024, 10, 12), D(2024, 10, 12)),  # a Saturday worked (调休上班)
])
def test_deadline_is_the_corresponding_day_then_the_next_working_day(start, end, due):
    got = deadline(start, 2)
    assert (got.end, got.due, got.covered) == (end, due, True)
    assert got.rolled == (end != due)


def test_library_range_is_what_the_package_supports():
    assert LIBRARY_YEARS.start == 2004 and LIBRARY_YEARS.stop - 1 >= 2026


def test_a_year_no_calendar_covers_is_not_rolled_over():
    after = LIBRARY_YEARS.stop  # the first year chinese_calendar does not know
    sat = next(D(after, 1, d) for d in range(1, 8) if D(after, 1, d).weekday() == 5)
    got = deadline(D(after - 1, 11, sat.day), 2)
    assert (got.end, got.due, got.covered) == (sat, sat, False)
    before = deadline(D(2003, 1, 4), 2)  # 2003-03-04 precedes the library's first year
    assert before.covered is False and before.due == before.end


def test_a_rest_day_at_the_end_of_coverage_that_would_roll_into_an_unknown_year_is_not_rolled():
    last = LIBRARY_YEARS.stop - 1
    cal = WorkCalendar(holidays=frozenset({D(last, 12, 31)}))  # made a rest day: its next day is unknown
    assert cal.next_workday(D(last, 12, 31)) is None
    got = deadline(D(last, 10, 31), 2, cal)
    assert got.covered is False and got.due == D(last, 12, 31)


def test_a_pack_adds_a_year_and_corrects_a_known_day():
    year = LIBRARY_YEARS.stop
    new_year = D(year, 1, 1)
    cal = WorkCalendar(holidays=frozenset({new_year}), workdays=frozenset({D(2024, 10, 7)}))
    assert cal.covers(new_year) and cal.pack_years() == {year}
    # A weekday the pack does not list, in a year only the pack covers, is a working day.
    weekday = next(D(year, 3, d) for d in range(1, 8) if D(year, 3, d).weekday() < 5)
    assert cal.is_workday(weekday) is True
    assert cal.is_workday(new_year) is False
    # The correction: 2024-10-07 made a working day, so 10-01 now rolls to 10-07.
    assert deadline(D(2024, 8, 1), 2, cal).due == D(2024, 10, 7)
    assert deadline(D(2024, 8, 1), 2).due == D(2024, 10, 8)


def test_a_day_listed_both_ways_is_refused():
    with pytest.raises(ValueError, match="2024-10-01"):
        WorkCalendar(holidays=frozenset({D(2024, 10, 1)}), workdays=frozenset({D(2024, 10, 1)}))


@settings(max_examples=200, deadline=None)
@given(st.dates(D(2000, 1, 1), D(2029, 12, 31)), st.integers(1, 12))
def test_scalar_and_column_deadlines_agree(start, months):
    cal = WorkCalendar(holidays=frozenset({D(2027, 2, 8)}), workdays=frozenset({D(2027, 2, 6)}))
    end, due, covered = deadline_exprs(pl.col("s"), months, cal)
    row = pl.DataFrame({"s": [start]}).select(end.alias("e"), due.alias("d"), covered.alias("c")).row(0)
    want = deadline(start, months, cal)
    assert row == (want.end, want.due, want.covered)
    if want.covered:
        assert cal.is_workday(want.due) and want.due >= want.end
        assert all(cal.is_workday(want.end + dt.timedelta(days=i)) is False for i in range((want.due - want.end).days))


def test_every_day_of_the_library_years_is_a_working_day_exactly_when_chinese_calendar_says_so():
    """jixiao reads chinese_calendar's holiday and 调休 tables itself, for a whole column at once;
    it must agree with the library's own ``is_workday`` on every day it supports."""
    import chinese_calendar

    from jixiao.core.dates import BUILTIN_CALENDAR, _next_workday_table

    first, last = D(LIBRARY_YEARS.start, 1, 1), D(LIBRARY_YEARS.stop - 1, 12, 31)
    days = pl.date_range(first, last, eager=True)
    expected = [chinese_calendar.is_workday(d) for d in days.to_list()]
    assert [BUILTIN_CALENDAR.is_workday(d) for d in days.to_list()] == expected
    table = _next_workday_table(BUILTIN_CALENDAR)
    assert table["date"].equals(days, check_names=False)
    # A working day is its own next working day; a rest day is not.
    assert (table["next"] == table["date"]).fill_null(False).to_list() == expected


def test_a_pack_calendar_corrects_and_extends_the_column_form_too():
    from jixiao.core.dates import _next_workday_table

    extra = D(LIBRARY_YEARS.stop, 1, 1)  # a year only the pack covers: its 1 January a holiday
    cal = WorkCalendar(holidays=frozenset({D(2024, 6, 28), extra}), workdays=frozenset({D(2024, 6, 29)}))
    table = _next_workday_table(cal).filter(pl.col("date").is_in([D(2024, 6, 28), D(2024, 6, 29), extra]))
    after = extra + dt.timedelta(days=1)
    while after.weekday() >= 5:
        after += dt.timedelta(days=1)
    assert table.rows() == [(D(2024, 6, 28), D(2024, 6, 29)), (D(2024, 6, 29), D(2024, 6, 29)), (extra, after)]
    assert all(cal.next_workday(d) == n for d, n in table.rows())
