"""Money is exact and deadlines use calendar months clamped to the month's end."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from jixiao.core.dates import add_months, add_months_expr, year_end_expr, year_start_expr
from jixiao.core.money import fen_to_yuan_str, share_fen, share_fen_expr
from jixiao.core.load import portfolio_from_records


def load_project(**values) -> dict:
    """One project through the real loader (the path every file takes); its typed row."""
    record = {"project_id": "A", "name": "n", "department": "d", "fiscal_year": 2024,
              "fund_type": "一般公共预算", "category": "专项资金", **values}
    if "budget_wan" not in record:
        record.setdefault("budget", "1")
    return portfolio_from_records({"projects": [record]}, "test").projects.row(0, named=True)


def test_month_end_clamping():
    assert add_months(dt.date(2023, 12, 31), 2) == dt.date(2024, 2, 29)
    assert add_months(dt.date(2024, 1, 31), 2) == dt.date(2024, 3, 31)
    assert add_months(dt.date(2023, 8, 31), 2) == dt.date(2023, 10, 31)
    assert add_months(dt.date(2022, 12, 31), 2) == dt.date(2023, 2, 28)
    assert add_months(dt.date(2024, 11, 15), 2) == dt.date(2025, 1, 15)


@given(st.dates(dt.date(1990, 1, 1), dt.date(2100, 12, 31)), st.integers(-30, 30))
def test_scalar_and_column_month_arithmetic_agree(day, months):
    col = pl.DataFrame({"d": [day]}).select(add_months_expr(pl.col("d"), months))["d"][0]
    assert col == add_months(day, months)


def test_dates_as_people_type_them():
    for text in ("2024-03-01", "2024/3/1", "2024/3/15", "20240301", "2024年3月1日", "2024.03.01", "2024-3-1"):
        day = 15 if text.endswith("15") else 1
        assert load_project(start_date=text)["start_date"] == dt.date(2024, 3, day), text


@given(st.integers(0, 10**13), st.decimals(0, 1, places=4))
def test_columnar_share_equals_exact_half_up(amount, ratio):
    expected = int((Decimal(amount) * ratio).quantize(Decimal(1), rounding="ROUND_HALF_UP"))
    assert share_fen(amount, ratio) == expected
    got = pl.DataFrame({"a": [amount]}).select(share_fen_expr(pl.col("a"), ratio))["a"][0]
    assert got == expected


@given(st.lists(st.integers(0, 10**12), min_size=1, max_size=200), st.decimals(0, 1, places=3))
def test_per_project_cuts_sum_exactly_to_the_total(budgets, ratio):
    frame = pl.DataFrame({"b": budgets}, schema={"b": pl.Int64}).with_columns(share_fen_expr(pl.col("b"), ratio).alias("cut"))
    assert frame["cut"].sum() == sum(share_fen(b, ratio) for b in budgets)
    assert frame["cut"].dtype == pl.Int64


@settings(deadline=None)  # loads through the real loader: slow on a busy machine
@given(st.integers(0, 10**14))
def test_yuan_text_round_trips_exactly(fen):
    assert load_project(budget=fen_to_yuan_str(fen))["budget_fen"] == fen


@settings(deadline=None)
@given(st.integers(0, 10**12))
def test_wan_yuan_converts_exactly(micro_wan):
    text = f"{micro_wan // 10**6}.{micro_wan % 10**6:06d}"
    record = load_project(budget_wan=text)  # 1e-6 万元 = 1 fen
    assert record["budget_fen"] == micro_wan


def test_year_start_and_end_by_arithmetic_are_the_calendars():
    years = pl.DataFrame({"y": list(range(1, 10_000))})
    got = years.select(year_start_expr(pl.col("y")).alias("start"), year_end_expr(pl.col("y")).alias("end"))
    assert got["start"].to_list() == [dt.date(y, 1, 1) for y in range(1, 10_000)]
    assert got["end"].to_list() == [dt.date(y, 12, 31) for y in range(1, 10_000)]
