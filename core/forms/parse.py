"""Reading what a form's cells say: target values with their operator and unit, category labels
with their points, actual values, amounts in 万元, and the 一体化 operator codes.

Every function returns the value read or raises ``Unreadable`` with a Chinese reason that says what
to write instead; nothing is guessed.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation

import attrs

# 预算管理一体化 COMPUTESIGN (BAS_PERF_INDICATOR / PM_PERF_INDICATOR): the comparison a target states.
COMPUTESIGN = {1: "≥", 2: ">", 3: "=", 4: "<", 5: "≤", 6: "定性"}
SIGN_OF = {v: k for k, v in COMPUTESIGN.items()}
# jixiao's indicator direction for each code: ≥ > more is better, ≤ < less is better; = and 定性
# are judged as met or not (an equality within the tolerance is 达成).
DIRECTION_OF_SIGN = {1: "higher", 2: "higher", 3: "equal", 4: "lower", 5: "lower", 6: "qualitative"}
SIGN_ZH = {1: "≥", 2: "＞", 3: "＝", 4: "＜", 5: "≤", 6: "定性"}

# Equality targets (＝) are met when |actual − target| ≤ tolerance × |target|. No document
# retrieved states a tolerance; 0 (met only when equal) is jixiao's assumption, stated as such.
DEFAULT_EQUAL_TOLERANCE = Decimal("0")

INDICATOR_PLACES = 4  # jixiao's indicator values: at most 4 decimals
MAX_TEXT = 200


class Unreadable(ValueError):
    """A cell that cannot be read; the message is the reason, in Chinese."""


@attrs.frozen
class Target:
    sign: int  # COMPUTESIGN 1–6
    value: Decimal | None  # None for a qualitative target
    unit: str  # as written after the number ("个", "万元", "%"), "" when none
    text: str  # the cell as written

    @property
    def direction(self) -> str:
        return DIRECTION_OF_SIGN[self.sign]

    @property
    def strict(self) -> bool:
        return self.sign in (2, 4)


def normalize(text: str) -> str:
    """NFKC (full-width ＞＜＝％０-９ become ASCII), ≧/≦ as ≥/≤, spaces dropped."""
    text = unicodedata.normalize("NFKC", text).replace("≧", "≥").replace("≦", "≤")
    return re.sub(r"\s+", "", text)


# Word forms of the operators, longest first so that 大于等于 is not read as 大于.
_WORDS = (("大于或等于", 1), ("大于等于", 1), ("不低于", 1), ("不少于", 1), ("不小于", 1), ("至少", 1),
          ("小于或等于", 5), ("小于等于", 5), ("不高于", 5), ("不超过", 5), ("不大于", 5), ("不多于", 5), ("至多", 5),
          ("大于", 2), ("高于", 2), ("超过", 2), ("多于", 2), ("小于", 4), ("低于", 4), ("少于", 4), ("等于", 3),
          (">=", 1), ("=>", 1), ("<=", 5), ("=<", 5), ("≥", 1), ("≤", 5), (">", 2), ("<", 4), ("=", 3))
_NUMBER = re.compile(r"(-?\d{1,3}(?:,\d{3})+(?:\.\d+)?|-?\d+(?:\.\d+)?)")
_UNITS = {"百分比": "%", "百分之": "%", "％": "%"}
# A bare number with at most a short unit (100%, 50个, 1,200人次): a quantity whose direction is unstated.
_RANGE = re.compile(r"-?\d[\d,]*(?:\.\d+)?[^\d]{0,4}[-~～至—]-?\d")
_BARE = re.compile(r"-?\d[\d,]*(?:\.\d+)?[^\d]{0,4}")


def _number(text: str, what: str) -> Decimal:
    try:
        d = Decimal(text.replace(",", ""))
    except InvalidOperation:
        raise Unreadable(f"{what}不是数") from None
    if d.is_finite() and d.as_tuple().exponent < -INDICATOR_PLACES:
        raise Unreadable(f"{what}最多 {INDICATOR_PLACES} 位小数")
    return d


def split_number(text: str, what: str) -> tuple[Decimal, str] | None:
    """``50个`` → (50, "个"); ``≥`` or other text before the number → None. ``百分比`` is ``%``."""
    m = _NUMBER.match(text)
    if not m:
        return None
    unit = text[m.end():]
    unit = _UNITS.get(unit, unit)
    if _NUMBER.search(unit) or re.search(r"[≥≤<>=~～至\-]", unit):
        raise Unreadable(f"{what}像是一个区间或含多个数；请只写一个比较符号和一个数，如 ≥50个")
    return _number(m.group(1), what), unit


def parse_target(text: str, sign: int | None = None) -> Target:
    """A 年度指标值 / 指标值 cell: ``≥50个``, ``≤90万元``, ``=100%``, ``＞ 95 %``, ``不低于98%``,
    ``≥100百分比``; a text with no number is qualitative (``效果明显``). ``sign``: a COMPUTESIGN code
    given beside the value (an 一体化 export's column), which the value must not contradict."""
    raw = text.strip()
    if not raw:
        raise Unreadable("指标值为空")
    if len(raw) > MAX_TEXT:
        raise Unreadable("指标值过长，不像是一个指标值")
    t = normalize(raw)
    written = None
    for word, code in _WORDS:
        if t.startswith(word):
            written, t = code, t[len(word):]
            break
    if sign is not None and written is not None and sign != written and sign != 6:
        raise Unreadable(f"指标值写的是“{SIGN_ZH[written]}”，计算符号（COMPUTESIGN）却是 {sign}（{SIGN_ZH[sign]}）")
    code = sign if sign is not None else written
    if code == 6:
        return Target(6, None, "", raw)
    if written is None and _RANGE.match(t):
        raise Unreadable("指标值像是一个区间；请只写一个比较符号和一个数，如 ≥90%")
    if written is None and code is None and not _BARE.fullmatch(t):
        return Target(6, None, "", raw)  # a text that merely holds a number: 2024年12月底前完成, 3个月内完成
    num = split_number(t, "指标值")
    if num is None:
        if written is not None:
            raise Unreadable(f"“{SIGN_ZH[written]}”后应为一个数（如 ≥50个）")
        if code is not None:
            raise Unreadable(f"计算符号（COMPUTESIGN）为 {code}（{SIGN_ZH[code]}），指标值却不是一个数；定性指标的计算符号为 6")
        return Target(6, None, "", raw)
    if code is None:
        raise Unreadable("指标值只有数，没有比较符号（≥、≤、＞、＜、＝），看不出是越多越好还是越少越好；"
                         "请写作 ≥50个、≤5% 这样的形式")
    value, unit = num
    return Target(code, value, unit, raw)


def parse_sign(text: str) -> int | None:
    """A COMPUTESIGN cell: 1–6, or the symbol itself (≥ ＞ ＝ ＜ ≤ 定性); empty: None."""
    t = normalize(text)
    if not t:
        return None
    if t in ("1", "2", "3", "4", "5", "6", "1.0", "2.0", "3.0", "4.0", "5.0", "6.0"):
        return int(float(t))
    for word, code in _WORDS:
        if t == word:
            return code
    if t in ("定性", "qualitative"):
        return 6
    raise Unreadable("计算符号应为 1（≥）、2（＞）、3（＝）、4（＜）、5（≤）或 6（定性）")


# 实际完成值 of a qualitative indicator → jixiao's band (indicators.actual: 达成 / 部分达成 / 未达成).
BANDS = {
    "达成预期指标": "达成", "达成预期目标": "达成", "达成": "达成", "已达成": "达成", "达到预期": "达成",
    "全部达成": "达成", "完成": "达成", "已完成": "达成", "达成目标": "达成",
    "部分达成": "部分达成", "部分达成预期指标": "部分达成", "部分达成预期目标": "部分达成", "基本达成": "部分达成",
    "部分完成": "部分达成", "基本完成": "部分达成",
    "未达成": "未达成", "未达成预期指标": "未达成", "未达成预期目标": "未达成", "未完成": "未达成", "未达到": "未达成",
}


def band(text: str) -> str | None:
    return BANDS.get(normalize(text).rstrip("。."))


@attrs.frozen
class Actual:
    value: Decimal | None  # a number (in the target's unit)
    band: str | None  # 达成 / 部分达成 / 未达成


def parse_actual(text: str, target: Target) -> Actual:
    """A 实际完成值 cell read against its target: a band for a qualitative target (or for any
    target, when the form wrote 达成预期指标), else a number in the target's unit."""
    raw = text.strip()
    if not raw:
        return Actual(None, None)
    b = band(raw)
    if b is not None:
        return Actual(None, b)
    if target.sign == 6:
        raise Unreadable("定性指标的实际完成值应为 达成预期指标、部分达成 或 未达成")
    t = normalize(raw)
    for word, _code in _WORDS:
        if t.startswith(word):
            t = t[len(word):]
            break
    num = split_number(t, "实际完成值")
    if num is None:
        raise Unreadable("实际完成值应为一个数（单位与指标值相同），或 达成预期指标、部分达成、未达成")
    value, unit = num
    if unit and unit != target.unit:
        raise Unreadable(f"实际完成值的单位“{unit}”与指标值的单位“{target.unit or '（无）'}”不同；请换算成同一单位")
    return Actual(value, None)


def equal_met(actual: Decimal, target: Decimal, tolerance: Decimal) -> bool:
    return abs(actual - target) <= tolerance * abs(target)


_CATEGORY = re.compile(r"^(产出|效益|效果|满意度|成本)(?:指标)?(?:[(\[【]([0-9.]+)分?[)\]】])?$")
LEVEL1_ZH = {"产出": "产出", "效益": "效益", "效果": "效益", "满意度": "满意度", "成本": "成本"}


def parse_category(text: str) -> tuple[str, Decimal | None]:
    """``产出指标(50分)`` / ``产出指标（50分）`` / ``效益指标`` → (产出, 50) / (效益, None)."""
    t = normalize(text)
    m = _CATEGORY.match(t)
    if not m:
        raise Unreadable("一级指标应为 产出指标、成本指标、效益指标 或 满意度指标（可带分值，如 产出指标(50分)）")
    points = _number(m.group(2), "一级指标的分值") if m.group(2) else None
    return LEVEL1_ZH[m.group(1)], points


def parse_level2(text: str) -> str:
    """``数量指标`` → ``数量``; ``社会效益指标（10分）`` → ``社会效益`` (the points of a 二级 are not used)."""
    t = normalize(text)
    t = re.sub(r"[(\[【][0-9.]+分?[)\]】]$", "", t)
    return t.removesuffix("指标") or t


def parse_points(text: str, what: str) -> Decimal:
    """A 分值 / 得分 cell: a number of points, at most 2 decimals, not negative."""
    t = normalize(text).removesuffix("分")
    if not re.fullmatch(r"\d+(\.\d+)?", t):
        raise Unreadable(f"{what}应为分数（如 8 或 7.5）")
    d = Decimal(t)
    if d.as_tuple().exponent < -2:
        raise Unreadable(f"{what}最多 2 位小数")
    if d > 100:
        raise Unreadable(f"{what}超过 100 分")
    return d


def parse_amount(text: str, unit: str) -> int:
    """An amount in ``unit`` (万元 or 元) as integer fen, exactly: ``1234.567891`` 万元 →
    123 456 789 100 分. At most 6 decimals in 万元, 2 in 元 (a fen); never negative; thousands
    separators only where they group threes. A number is never rounded: finer than a fen is refused."""
    t = normalize(text)
    if not re.fullmatch(r"\d{1,3}(,\d{3})+(\.\d+)?|\d+(\.\d+)?|\d+(\.\d+)?[eE][+-]?\d+", t):
        raise Unreadable(f"金额应为一个数（{unit}），如 1234.56")
    d = Decimal(t.replace(",", ""))
    fen = d * (1_000_000 if unit == "万元" else 100)
    if fen != fen.to_integral_value():
        raise Unreadable(f"金额（{unit}）最多 {6 if unit == '万元' else 2} 位小数（精确到分）；请在表中改为精确到分的数"
                         "（公式请用 =ROUND(…, 6)）" if unit == "万元" else
                         f"金额（{unit}）最多 2 位小数（精确到分）")
    if fen >= 2 ** 63:
        raise Unreadable("金额过大")
    return int(fen)


def parse_wan(text: str) -> int:
    """An amount in 万元 as integer fen (``parse_amount(text, "万元")``)."""
    return parse_amount(text, "万元")


def fen_to_yuan_text(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


def decimal_text(d: Decimal) -> str:
    """A Decimal as plain text without exponent or trailing zeros (100, 7.5)."""
    s = f"{d:f}"
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return s or "0"
