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
    ('"1e-999999999"', "最多 10 位小数，写的是", "1e-999999999"),   # hung > 600 s
    ('"0.333333333333333333333333333333"', "最多 10 位小数，写的是", "0.333333333333333333333333333333"),
    ("nan", "应为有限的数，写的是", "nan"),
    ('"sNaN"', "应为有限的数，写的是", "sNaN"),
    ('"Infinity"', "应为有限的数，写的是", "Infinity"),
    ('"8%"', '写的是百分数 \'8%\'；比例写作小数 "0.08"', "8%"),
    ('"1.5"', "比例应在 0 到 1 之间，写的是 1.5", "1.5"),
    ('"8"', '比例应在 0 到 1 之间，写的是 8（8% 写作 "0.08"）', "8"),
    ("8", '比例应在 0 到 1 之间，写的是 8（8% 写作 "0.08"）', "8"),
    ('"1234,5"', "逗号只能按三位一组分隔千位", "1234,5"),
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
    assert res.exit_code == 2 and "未知的键 cut_ratio" in res.output and "是否要写" in res.output
    assert "'cut_ratios'" in res.output


@pytest.mark.parametrize("rule, body, reason", [
    ("evaluation", 'grades = [{ label = "优", min = 1e308 }, { label = "差", min = 0 }]', "过大"),
    ("evaluation", 'grades = [{ label = "优", min = 90 }, { label = "差", min = -5 }]', "最低分应在 0 到 100 之间，写的是 -5"),
    ("budget_link", "rectification_months = 9223372036854775807", "9223372036854775807"),
    ("budget_link", "rectification_months = -5", "rectification_months：应为 1 到 120 个月，写的是 -5"),
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


# ---------------------------------------------------------------------------------------------
# Reading amounts: separators, full-width digits, XLSX numbers

PROJECT_HEADER = "项目编码,项目名称,主管部门,预算年度,资金性质,项目类别,{budget}\n"


def projects_csv(tmp_path, budgets, header="预算金额(元)", name="projects.csv"):
    lines = [PROJECT_HEADER.format(budget=header)]
    lines += [f'P{i},项目,教育局,2024,一般公共预算,专项资金,"{b}"\n' for i, b in enumerate(budgets, start=1)]
    path = tmp_path / name
    path.write_text("".join(lines), encoding="utf-8")
    return path


def budgets_read(path, **kw):
    from jixiao.core.load import load_portfolio

    return load_portfolio(path, **kw).projects["budget_fen"].to_list()


@pytest.mark.parametrize("text, fen", [
    ("1,234.56", 123_456), ("1,234,567.89", 123_456_789), ("12,345", 1_234_500), ("1，234.00", 123_400),
    ("８００", 80_000), ("１２３４５.００", 1_234_500), ("１，２３４．５", 123_450),
])
def test_valid_grouping_and_full_width_digits_are_read_exactly(tmp_path, text, fen):
    assert budgets_read(projects_csv(tmp_path, [text, "20000.00"])) == [fen, 2_000_000]


@pytest.mark.parametrize("text", ["1234,56", "0,5", "1,2,3,4.00", "12,34.00", ",123", "1,2345.00", "٨٠٠"])
def test_a_comma_that_does_not_group_thousands_is_an_error_naming_the_cell(cli, tmp_path, text):
    """Review S1 #2: 1234,56 was read as 123 456.00 元, 0,5 as 5.00 元, with exit 0."""
    path = projects_csv(tmp_path, ["20000.00", text])
    res = cli("run", "--pack", "national", "--as-of", "2025-03-31", path)
    assert res.exit_code == 2, res.output
    assert "第 3 行" in res.output and "预算金额(元)" in res.output and repr(text) in res.output


def test_indicator_numbers_follow_the_same_grouping_rule(tmp_path):
    from jixiao.core.errors import InputError
    from jixiao.core.load import load_portfolio

    folder = tmp_path / "p"
    folder.mkdir()
    projects_csv(folder, ["20000.00"])
    (folder / "indicators.csv").write_text(
        "项目编码,一级指标,三级指标,指标方向,目标值,实际值\nP1,产出,完成数,正向,\"1,000\",\"1234,5\"\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"实际值.*'1234,5'"):
        load_portfolio(folder)
    (folder / "indicators.csv").write_text(
        "项目编码,一级指标,三级指标,指标方向,目标值,实际值\nP1,产出,完成数,正向,\"1,000\",\"1,234.5\"\n", encoding="utf-8")
    ind = load_portfolio(folder).indicators
    assert ind["target_e4"].to_list() == [10_000_000] and ind["actual_e4"].to_list() == [12_345_000]


def xlsx_projects(tmp_path, budgets, header="预算金额(元)"):
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "项目"
    ws.append(["项目编码", "项目名称", "主管部门", "预算年度", "资金性质", "项目类别", header])
    for i, b in enumerate(budgets, start=1):
        ws.append([f"P{i}", "项目", "教育局", 2024, "一般公共预算", "专项资金", b])
    path = tmp_path / "p.xlsx"
    wb.save(path)
    return path


@pytest.mark.parametrize("number", [99.99999999999, 412830.0000000001, 20000.000000001])
def test_an_xlsx_number_finer_than_a_fen_is_an_error_not_rounded(cli, tmp_path, number):
    """Review S2 #10: calamine formats 99.99999999999 as "100", which was read as 100.00 元."""
    path = xlsx_projects(tmp_path, [20000, number])
    res = cli("run", "--pack", "national", "--as-of", "2025-03-31", path)
    assert res.exit_code == 2, res.output
    assert "工作表 项目，第 3 行" in res.output and repr(number) in res.output


def test_xlsx_numbers_and_text_amounts_that_are_exact_still_load(tmp_path):
    path = xlsx_projects(tmp_path, [20000, 1234.5, "1,234.56", 1e15, "800"])
    assert budgets_read(path) == [2_000_000, 123_450, 123_456, 10**17, 80_000]
    wan = xlsx_projects(tmp_path, [800, 0.000001, 123.456789], header="预算金额(万元)")
    assert budgets_read(wan) == [800_000_000, 1, 123_456_789]


# ---------------------------------------------------------------------------------------------
# The unit of an amount is never assumed silently

def test_wan_amounts_under_a_header_without_unit_stop_the_run(cli, tmp_path):
    """Usability S1 #1: 800 (万元) under 预算金额 was cut as 800 元 (-120.00 元), exit 0."""
    path = projects_csv(tmp_path, ["800", "1250.5", "96"], header="预算金额")
    out = tmp_path / "out.json"
    res = cli("run", "--pack", "national", "--as-of", "2025-03-31", "--format", "json", "-o", out, path)
    assert res.exit_code == 2 and not out.exists()
    assert "预算金额" in res.output and "预算金额(万元)" in res.output and "--amounts-in 万元" in res.output


@pytest.mark.parametrize("command", [
    ("run", "--pack", "national", "--as-of", "2025-03-31", "--format", "json"),
    ("explain", "--pack", "national", "--as-of", "2025-03-31", "--project", "P1"),
    ("compare", "--packs", "national,nanchang", "--as-of", "2025-03-31", "--format", "json"),
    ("diff", "--old", "national", "--new", "nanchang", "--as-of", "2025-03-31"),
    ("plan", "coverage", "--pack", "qingdao"),
])
def test_amounts_in_states_the_unit_for_every_command_that_reads_a_portfolio(cli, tmp_path, command):
    path = projects_csv(tmp_path, ["800", "1250.5"], header="预算金额")
    refused = cli(*command, path)
    assert refused.exit_code == 2 and "--amounts-in" in refused.output
    stated = cli(*command, "--amounts-in", "万元", path)
    assert stated.exit_code in (0, 1), stated.output  # diff exits 1 when the packs differ
    assert "--amounts-in" not in stated.output


def test_convert_with_amounts_in_writes_exact_fen(cli, tmp_path):
    import polars as pl

    path = projects_csv(tmp_path, ["800", "0.000001"], header="预算金额")
    assert cli("convert", path, "-o", tmp_path / "typed").exit_code == 2
    res = cli("convert", "--amounts-in", "万元", path, "-o", tmp_path / "typed")
    assert res.exit_code == 0, res.output
    assert pl.read_parquet(tmp_path / "typed" / "projects.parquet")["budget_fen"].to_list() == [800_000_000, 1]


def test_a_stated_unit_or_large_amounts_are_read_as_written(tmp_path):
    assert budgets_read(projects_csv(tmp_path, ["800", "96"], header="预算金额(元)")) == [80_000, 9_600]
    assert budgets_read(projects_csv(tmp_path, ["800", "96"], header="预算金额（万元）")) == [800_000_000, 96_000_000]
    assert budgets_read(projects_csv(tmp_path, ["800", "12000"], header="预算金额")) == [80_000, 1_200_000]
    assert budgets_read(projects_csv(tmp_path, ["0", "0"], header="预算金额")) == [0, 0]  # zero in any unit
    assert budgets_read(projects_csv(tmp_path, ["800"], header="预算金额"), amounts_in="元") == [80_000]


def test_spending_amounts_without_unit_are_checked_too(tmp_path):
    from jixiao.core.errors import InputError
    from jixiao.core.load import load_portfolio

    folder = tmp_path / "p"
    folder.mkdir()
    projects_csv(folder, ["8000000.00"])
    (folder / "spending.csv").write_text("项目编码,支付日期,支付金额\nP1,2024-03-01,120\nP1,2024-05-01,80.5\n",
                                         encoding="utf-8")
    with pytest.raises(InputError, match="支付金额.*未写明金额单位"):
        load_portfolio(folder)
    assert load_portfolio(folder, amounts_in="万元").spending["amount_fen"].to_list() == [120_000_000, 80_500_000]


def test_a_run_whose_amounts_cannot_be_added_exactly_is_refused(cli, tmp_path):
    """Eleven budgets at the loader's maximum, each cut 10 %: the total would wrap past 2**63."""
    doc = {"projects": [{"project_id": f"P{i:02d}", "name": "项目", "department": "教育局", "fiscal_year": 2024,
                         "fund_type": "一般公共预算", "category": "专项资金", "budget": "92233720368547758.07",
                         "target_status": "已批复", "assessment_result": "通过"} for i in range(11)],
           "evaluations": [{"project_id": f"P{i:02d}", "year": 2024, "kind": "财政重点评价", "score": "50",
                            "date": "2025-01-15"} for i in range(11)]}
    path = tmp_path / "big.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "out.json"
    res = cli("run", "--pack", "nanchang", "--as-of", "2025-03-31", "--format", "json", "-o", out, path)
    assert res.exit_code == 2 and "add up to" in res.output and not out.exists(), res.output


def test_payments_that_cannot_be_added_exactly_are_refused(tmp_path):
    from jixiao.core.errors import InputError
    from jixiao.core.load import load_portfolio

    folder = tmp_path / "p"
    folder.mkdir()
    projects_csv(folder, ["92233720368547758.07"])
    (folder / "spending.csv").write_text("项目编码,支付日期,支付金额(元)\n"
                                         + "P1,2024-03-01,92233720368547758.07\n" * 2, encoding="utf-8")
    with pytest.raises(InputError, match="支付金额合计"):
        load_portfolio(folder)


@pytest.mark.parametrize("rule, plugin, body, reason", [
    ("focus", "amount_focus", 'min_amount_yuan = "1000000.005"', "最多两位小数、不小于 0 的金额，写的是 1000000.005"),
    ("plan", "coverage_schedule", 'min_share = "1e-999999999"', 'min_share：应为分数（如 "1/3"）或小数（如 "0.3"），写的是 \'1e-999999999\''),
    ("dual", "dual_monitoring", 'suspend_gap = "0.30000005"', "suspend_gap：比例应在 0 到 1 之间、最多 6 位小数，写的是 0.30000005"),
    ("checkpoints", "spending_checkpoints", 'checkpoints = [{ month = 6, action = "remind", below_rate = "60" }]',
     'below_rate：比例应大于 0 且不超过 1，写的是 60（60% 写作 "0.6"）'),
])
def test_packs_check_refuses_thresholds_that_would_be_truncated_or_hang(cli, tmp_path, rule, plugin, body, reason):
    """A threshold the arithmetic would truncate (int(x × 100), int(x × 10⁶)) or a fraction
    Fraction() would expand for ever is refused with its key."""
    pack = child_pack(tmp_path, "thr", f"""
        [rules.{rule}]
        plugin = "{plugin}"
        citation = {{ source = "x", clause = "第一条" }}
        [rules.{rule}.params]
        {body}
        """, extends="national")
    start = time.monotonic()
    res = cli("packs", "check", pack)
    assert time.monotonic() - start < 10
    assert res.exit_code == 2 and f"rules.{rule}" in res.output and reason in res.output, res.output
