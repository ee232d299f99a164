"""Reading a form's cells: target values (operator, number, unit), actual values, category labels,
amounts in 万元, and the 一体化 COMPUTESIGN codes."""

from decimal import Decimal

import pytest

from jixiao.core.forms.parse import (
    COMPUTESIGN, DIRECTION_OF_SIGN, Target, Unreadable, equal_met, parse_actual, parse_amount, parse_category,
    parse_level2, parse_points, parse_sign, parse_target, parse_wan,
)

D = Decimal


@pytest.mark.parametrize(("text", "sign", "value", "unit", "direction"), [
    ("≥50个", 1, D(50), "个", "higher"),
    ("≤90万元", 5, D(90), "万元", "lower"),
    ("=100%", 3, D(100), "%", "equal"),
    ("＝１００％", 3, D(100), "%", "equal"),           # full-width operator, digits and percent
    ("＞95%", 2, D(95), "%", "higher"),
    ("＜5%", 4, D(5), "%", "lower"),
    (">95%", 2, D(95), "%", "higher"),
    ("<5天", 4, D(5), "天", "lower"),
    ("≥ 95%", 1, D(95), "%", "higher"),               # spaces anywhere
    ("≥ 95 %", 1, D(95), "%", "higher"),
    ("  ≤ 3.5 公里 ", 5, D("3.5"), "公里", "lower"),
    (">=80%", 1, D(80), "%", "higher"),
    ("<=2", 5, D(2), "", "lower"),
    ("≧60分", 1, D(60), "分", "higher"),
    ("≥100百分比", 1, D(100), "%", "higher"),         # the 池州 form's way of writing %
    ("≥1,200人次", 1, D(1200), "人次", "higher"),
    ("不低于98%", 1, D(98), "%", "higher"),
    ("不超过5%", 5, D(5), "%", "lower"),
    ("大于等于3项", 1, D(3), "项", "higher"),
    ("低于1%", 4, D(1), "%", "lower"),
    ("≥0.0001", 1, D("0.0001"), "", "higher"),
])
def test_target_operator_number_unit(text, sign, value, unit, direction):
    t = parse_target(text)
    assert (t.sign, t.value, t.unit, t.direction) == (sign, value, unit, direction)
    assert t.text == text.strip()


@pytest.mark.parametrize("text", ["效果明显", "在项目计划完成时间内完成", "有效提升", "2024年12月底前完成"])
def test_text_without_a_leading_number_is_qualitative(text):
    t = parse_target(text)
    assert (t.sign, t.value, t.direction) == (6, None, "qualitative")


@pytest.mark.parametrize(("text", "reason"), [
    ("100%", "没有比较符号"),          # a bare number: more or less is better cannot be told
    ("50个", "没有比较符号"),
    ("≥", "后应为一个数"),
    ("≥很多", "后应为一个数"),
    ("90%-100%", "区间"),
    ("≥90%且≤100%", "区间"),
    ("≥0.00001", "最多 4 位小数"),
    ("", "为空"),
    ("  ", "为空"),
])
def test_unreadable_targets_say_why(text, reason):
    with pytest.raises(Unreadable, match=reason):
        parse_target(text)


def test_computesign_codes():
    assert COMPUTESIGN == {1: "≥", 2: ">", 3: "=", 4: "<", 5: "≤", 6: "定性"}
    assert DIRECTION_OF_SIGN == {1: "higher", 2: "higher", 3: "equal", 4: "lower", 5: "lower", 6: "qualitative"}
    for code in range(1, 7):
        assert parse_sign(str(code)) == code
        assert parse_sign(f"{code}.0") == code
    assert [parse_sign(s) for s in ("≥", "＞", "＝", "＜", "≤", "定性")] == [1, 2, 3, 4, 5, 6]
    assert parse_sign("") is None
    with pytest.raises(Unreadable, match="1（≥）"):
        parse_sign("7")


def test_computesign_beside_the_value():
    # an export writes the bare number beside its code: the code gives the direction
    assert parse_target("50", sign=1) == Target(1, D(50), "", "50")
    assert parse_target("5%", sign=4).direction == "lower"
    assert parse_target("80", sign=6).sign == 6  # qualitative: the value is shown as text
    # a value whose own operator contradicts the code is refused, not one of them picked
    with pytest.raises(Unreadable, match="COMPUTESIGN"):
        parse_target("≤5%", sign=1)
    assert parse_target("≥5%", sign=1).sign == 1
    # a code that asks for a number, beside a text: refused (the code is not silently dropped)
    with pytest.raises(Unreadable, match="COMPUTESIGN）为 3"):
        parse_target("好", sign=3)
    with pytest.raises(Unreadable, match="COMPUTESIGN）为 1"):
        parse_target("按期完成", sign=1)


@pytest.mark.parametrize(("text", "band"), [
    ("达成预期指标", "达成"), ("达成", "达成"), ("已完成", "达成"), (" 达成预期指标。", "达成"),
    ("部分达成", "部分达成"), ("部分达成预期指标", "部分达成"), ("基本达成", "部分达成"),
    ("未达成", "未达成"), ("未达成预期指标", "未达成"), ("未完成", "未达成"),
])
def test_actual_bands(text, band):
    assert parse_actual(text, parse_target("效果明显")).band == band
    # a band written for a numeric target is read as the band
    assert parse_actual(text, parse_target("≥50个")).band == band


def test_actual_numbers_in_the_target_unit():
    t = parse_target("≥50个")
    assert parse_actual("48", t).value == D(48)
    assert parse_actual("48个", t).value == D(48)
    assert parse_actual("４８个", t).value == D(48)
    assert parse_actual("", t).value is None
    with pytest.raises(Unreadable, match="单位"):
        parse_actual("48人", t)
    with pytest.raises(Unreadable, match="达成预期指标"):
        parse_actual("很好", t)
    with pytest.raises(Unreadable, match="定性指标"):
        parse_actual("98", parse_target("效果明显"))
    assert parse_actual("98%", parse_target("≥95%")).value == D(98)


def test_equality_tolerance():
    assert equal_met(D(100), D(100), D(0))
    assert not equal_met(D("99.9"), D(100), D(0))
    assert equal_met(D("99.5"), D(100), D("0.005"))
    assert not equal_met(D("99.4"), D(100), D("0.005"))
    assert equal_met(D("100.5"), D(100), D("0.005"))


@pytest.mark.parametrize(("text", "level1", "points"), [
    ("产出指标(50分)", "产出", D(50)), ("产出指标（50分）", "产出", D(50)), ("产出指标 ( 50 分 )", "产出", D(50)),
    ("效益指标（30分）", "效益", D(30)), ("满意度指标(10分)", "满意度", D(10)), ("满意度指标（10）", "满意度", D(10)),
    ("产出指标", "产出", None), ("效果指标", "效益", None), ("成本指标(20分)", "成本", D(20)), ("产出", "产出", None),
    ("产出指标【50分】", "产出", D(50)), ("效益指标(22.5分)", "效益", D("22.5")),
])
def test_category_and_points(text, level1, points):
    assert parse_category(text) == (level1, points)


def test_category_refused_and_level2():
    with pytest.raises(Unreadable, match="一级指标应为"):
        parse_category("管理指标(20分)")
    assert parse_level2("数量指标") == "数量"
    assert parse_level2("成本指标") == "成本"
    assert parse_level2("社会效益指标（10分）") == "社会效益"
    assert parse_level2("服务对象满意度指标") == "服务对象满意度"


def test_amounts_in_wan_are_exact():
    assert parse_wan("90") == 90_000_000
    assert parse_wan("1234.56") == 1_234_560_000
    assert parse_wan("0.000001") == 1  # one fen
    assert parse_wan("12,345.678901") == 12_345_678_901
    assert parse_wan("１２３．４５") == 123_450_000
    # a float would not keep this: 0.1 + 0.2 万元 written by a formula
    with pytest.raises(Unreadable, match="最多 6 位小数"):
        parse_wan("0.30000000000000004")
    with pytest.raises(Unreadable, match="最多 6 位小数"):
        parse_wan("1.0000001")
    for bad in ("1,2345", "-5", "五万", "", "1.2.3"):
        with pytest.raises(Unreadable):
            parse_wan(bad)
    assert parse_amount("1234.56", "元") == 123_456
    with pytest.raises(Unreadable, match="最多 2 位小数"):
        parse_amount("1234.567", "元")


def test_points():
    assert parse_points("8", "得分") == D(8)
    assert parse_points("7.5分", "得分") == D("7.5")
    with pytest.raises(Unreadable, match="最多 2 位小数"):
        parse_points("7.555", "得分")
    with pytest.raises(Unreadable, match="超过 100"):
        parse_points("101", "总分")
    with pytest.raises(Unreadable, match="应为分数"):
        parse_points("优", "得分")
