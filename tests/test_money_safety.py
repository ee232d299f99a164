"""Money and numbers are never guessed (issue 13): the reviews' reproductions.

Shares of any 64-bit budget under any pack ratio are exact, half up; a pack number that cannot be
exact is refused by ``packs check`` with its key and value, fast; amounts with separators are read
only when the grouping is valid; the unit of an amount is never assumed silently.
"""

from __future__ import annotations

import json
import textwrap
import time
from decimal import Decimal
from fractions import Fraction

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jixiao.core.money import PACK_PLACES, below_share_expr, share_fen, share_fen_expr, to_decimal, wide_ratio

INT64_MAX = 2**63 - 1

ratios = st.decimals(0, 1, places=PACK_PLACES, allow_nan=False, allow_infinity=False)


def half_up(amount: int, ratio: Decimal) -> int:
    """amount × ratio rounded half up, by exact rational arithmetic: ⌊x + ½⌋ for x ≥ 0."""
    return int((Fraction(amount) * Fraction(ratio) * 2 + 1) // 2)


@settings(deadline=None)
@given(st.integers(0, INT64_MAX), ratios)
def test_a_share_of_any_64_bit_budget_under_any_pack_ratio_is_exact(amount, ratio):
    got = pl.DataFrame({"a": [amount]}, schema={"a": pl.Int64}).select(share_fen_expr(pl.col("a"), ratio))["a"][0]
    assert got == share_fen(amount, ratio) == half_up(amount, ratio)
    assert 0 <= got <= amount


@pytest.mark.parametrize("amount, ratio, expected", [
    (2_000_000_000, "0.3333333333", 666_666_667),        # review: gave -255 670 537 (a cut adding money)
    (100_000_000_000, "0.123456789", 12_345_678_900),    # review: gave 3 122 306 863
    (INT64_MAX, "0.05", 461_168_601_842_738_790),        # int64 edge, nanchang's 5 %
    (INT64_MAX, "0.1", 922_337_203_685_477_581),
    (INT64_MAX, "1", INT64_MAX),
])
def test_review_overflow_cases_are_exact(amount, ratio, expected):
    frame = pl.DataFrame({"a": [amount]}, schema={"a": pl.Int64})
    assert frame.select(share_fen_expr(pl.col("a"), Decimal(ratio)))["a"][0] == expected


@settings(deadline=None)
@given(st.integers(0, INT64_MAX), st.integers(1, INT64_MAX), ratios)
def test_below_a_rate_is_exact_for_any_64_bit_amounts(paid, budget, rate):
    got = pl.DataFrame({"p": [paid], "b": [budget]}, schema={"p": pl.Int64, "b": pl.Int64}).select(
        below_share_expr(pl.col("p"), pl.col("b"), rate))["p"][0]
    assert got == (Fraction(paid, budget) < Fraction(rate))


@settings(deadline=None)
@given(st.integers(0, INT64_MAX), st.integers(1, INT64_MAX))
def test_a_scaled_share_of_any_64_bit_amounts_is_exact(part, whole):
    part = min(part, whole)
    got = pl.DataFrame({"p": [part], "w": [whole]}, schema={"p": pl.Int64, "w": pl.Int64}).select(
        wide_ratio(pl.col("p"), 1_000_000, pl.col("w")))["p"][0]
    assert got == part * 1_000_000 // whole


# ---------------------------------------------------------------------------------------------
# End to end: a pack, a portfolio, `jixiao run`

SOURCES = """
[sources.x]
doc_no = "测试〔2025〕1号"
title = "测试"
"""


def child_pack(tmp_path, name: str, body: str, extends: str = "nanchang"):
    path = tmp_path / f"{name}.toml"
    path.write_text(f'[pack]\nid = "{name}"\nname = "测试"\nlevel = "city"\nextends = "{extends}"\n'
                    + SOURCES + textwrap.dedent(body), encoding="utf-8")
    return path


def graded_portfolio(tmp_path, budget: str, score: str = "70", name: str = "mini.json", **extra):
    doc = {"projects": [{"project_id": "P1", "name": "项目", "department": "教育局", "fiscal_year": 2024,
                         "fund_type": "一般公共预算", "category": "专项资金", "budget": budget,
                         "target_status": "已批复", "assessment_result": "通过", **extra}],
           "evaluations": [{"project_id": "P1", "year": 2024, "kind": "财政重点评价", "score": score,
                            "date": "2025-01-15"}]}
    path = tmp_path / name
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


def run_json(cli, tmp_path, pack, portfolio, as_of="2025-03-31"):
    out = tmp_path / "out.json"
    res = cli("run", "--pack", pack, "--as-of", as_of, "--format", "json", "-o", out, portfolio)
    assert res.exit_code == 0, res.output
    return json.loads(out.read_text(encoding="utf-8"))


def test_a_ten_digit_cut_ratio_cuts_exactly(cli, tmp_path):
    """Review S1 #1: 0.3333333333 of 20 000 000.00 元 gave +2 556 705.37 元, a "cut" adding money."""
    pack = child_pack(tmp_path, "third", """
        [rules.budget_link]
        citation = { source = "x", clause = "第一条" }
        [rules.budget_link.params]
        cut_ratios = { "一般" = "0.3333333333", "差" = "0.5" }
        """)
    doc = run_json(cli, tmp_path, pack, graded_portfolio(tmp_path, "20000000.00"))
    cuts = [f for f in doc["findings"] if f["action"] == "cut_budget"]
    assert [c["amount_fen"] for c in cuts] == [-666_666_667]


def test_the_largest_budget_the_loader_accepts_is_cut_exactly(cli, tmp_path):
    """Review: from 46 116 860 184 273 879.03 元 up even 5 %/10 % cuts overflowed (sign flipped)."""
    doc = run_json(cli, tmp_path, "nanchang", graded_portfolio(tmp_path, "92233720368547758.07", score="50"))
    cuts = [f for f in doc["findings"] if f["action"] == "cut_budget"]
    assert [c["amount_fen"] for c in cuts] == [-922_337_203_685_477_581]
    assert doc["summary"]["budget_effect_fen"] == -922_337_203_685_477_581


def test_a_checkpoint_rate_with_many_digits_reminds_a_large_project(cli, tmp_path):
    """Review: below_rate 0.6000000001 missed the remind of a 10亿元 project with 100 元 spent."""
    pack = child_pack(tmp_path, "cp", """
        [rules.checkpoints]
        plugin = "spending_checkpoints"
        citation = { source = "x", clause = "第二条" }
        [rules.checkpoints.params]
        checkpoints = [{ month = 9, action = "remind", below_rate = "0.6000000001" }]
        """, extends="national")
    doc = {"projects": [{"project_id": p, "name": "项目", "department": "教育局", "fiscal_year": 2024,
                         "fund_type": "一般公共预算", "category": "专项资金", "budget": b, "spent": "100.00",
                         "target_status": "已批复", "assessment_result": "通过"}
                        for p, b in (("BIG", "1000000000.00"), ("SMALL", "100000.00"))]}
    portfolio = tmp_path / "cp.json"
    portfolio.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    out = run_json(cli, tmp_path, pack, portfolio, as_of="2024-10-15")
    assert sorted(f["project_id"] for f in out["findings"] if f["action"] == "remind") == ["BIG", "SMALL"]


# ---------------------------------------------------------------------------------------------
# Pack numbers: refused by `packs check`, fast, with the key, the value and the reason

BAD_RATIOS = [
    ('"1e-999999999"', "more than 10 decimal places", "1e-999999999"),   # hung > 600 s
    ('"0.333333333333333333333333333333"', "more than 10 decimal places", "0.333333333333333333333333333333"),
    ("nan", "not a finite number", "nan"),
    ('"sNaN"', "not a finite number", "sNaN"),
    ('"Infinity"', "not a finite number", "Infinity"),
    ('"8%"', 'write the ratio "0.08"', "8%"),
    ('"1.5"', "a ratio between 0 and 1", "1.5"),
    ('"8"', '8% is written "0.08"', "8"),
    ("8", '8% is written "0.08"', "8"),
    ('"1234,5"', "commas must group digits in threes", "1234,5"),
]


@pytest.mark.parametrize("written, reason, value", BAD_RATIOS)
def test_packs_check_refuses_a_ratio_that_cannot_be_exact(cli, tmp_path, written, reason, value):
    pack = child_pack(tmp_path, "bad", f"""
        [rules.budget_link]
        citation = {{ source = "x", clause = "第一条" }}
        [rules.budget_link.params]
        cut_ratios = {{ "一般" = {written}, "差" = "0.10" }}
        """)
    start = time.monotonic()
    res = cli("packs", "check", pack)
    assert time.monotonic() - start < 10
    assert res.exit_code == 2, res.output
    assert "rules.budget_link.params" in res.output and "一般" in res.output
    assert reason in res.output and value in res.output, res.output
    assert "Traceback" not in res.output and "unknown error" not in res.output


def test_an_unknown_key_suggests_the_known_one(cli, tmp_path):
    pack = child_pack(tmp_path, "typo", """
        [rules.budget_link]
        citation = { source = "x", clause = "第一条" }
        [rules.budget_link.params]
        cut_ratio = { "一般" = "0.08" }
        """)
    res = cli("packs", "check", pack)
    assert res.exit_code == 2 and "cut_ratio" in res.output and "did you mean" in res.output
    assert "'cut_ratios'" in res.output


@pytest.mark.parametrize("rule, body, reason", [
    ("evaluation", 'grades = [{ label = "优", min = 1e308 }, { label = "差", min = 0 }]', "too large"),
    ("evaluation", 'grades = [{ label = "优", min = 90 }, { label = "差", min = -5 }]', "between 0 and 100, got -5"),
    ("budget_link", "rectification_months = 9223372036854775807", "9223372036854775807"),
    ("budget_link", "rectification_months = -5", "1 to 120 months"),
    ("budget_link", "rectification_months = 1000000000000000000000", "1000000000000000000000"),
])
def test_packs_check_refuses_values_that_used_to_fail_only_at_run(cli, tmp_path, rule, body, reason):
    """Review S2 #16: these passed `packs check` and failed (or ran wrong) at `run`."""
    pack = child_pack(tmp_path, "late", f"""
        [rules.{rule}]
        citation = {{ source = "x", clause = "第一条" }}
        [rules.{rule}.params]
        {body}
        """)
    res = cli("packs", "check", pack)
    assert res.exit_code == 2, res.output
    assert f"rules.{rule}" in res.output and reason in res.output, res.output


def test_to_decimal_keeps_exact_values_and_valid_grouping():
    assert to_decimal("0.3333333333") == Decimal("0.3333333333")
    assert to_decimal("0.10000000000000") == Decimal("0.1")  # trailing zeros are not places
    assert to_decimal("1,000,000") == Decimal(1_000_000)
    assert to_decimal(0.08) == Decimal("0.08")
    for bad in ("0,5", "1,2,3", "1e400", 10**21, "0." + "3" * 11):
        with pytest.raises(ValueError):
            to_decimal(bad)
