"""Exact money. Amounts are integer fen (分) everywhere inside jixiao.

The one rounding rule: when a derived amount falls between two fen (a share of a budget), it is
rounded half up (四舍五入) to the fen, once, where it is derived. Input amounts are never rounded: an
amount finer than one fen is an input error. 1 元 = 100 分; 1 万元 = 1 000 000 分.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from fractions import Fraction

import polars as pl

FEN_PER_YUAN = 100
FEN_PER_WAN = 1_000_000

# Decimal places an input amount may carry, per unit, so that it is a whole number of fen.
SCALE_DIGITS = {"yuan": 2, "wan": 6}


# A number in a pack (a ratio, a threshold, an amount in 元) is exact and bounded, so that every
# product jixiao forms with it is exact in 128-bit integers and no pack value can make the arithmetic
# slow: at most PACK_PLACES decimal places (trailing zeros do not count), less than 10**PACK_INT_DIGITS
# in size, finite. ``1e-999999999``, a 30-digit 1/3, NaN and Infinity are refused, with the value.
PACK_PLACES = 10
PACK_INT_DIGITS = 15
_MAX_TEXT = 64  # characters of a number written as text; longer is refused before it is parsed


def to_decimal(value: object) -> Decimal:
    """A number from a pack or a case file as an exact Decimal; floats go through their shortest
    repr. Refused (ValueError naming the value): NaN, infinities, more than ``PACK_PLACES`` decimal
    places, ``10**PACK_INT_DIGITS`` or more, a percentage such as ``"8%"`` (write ``"0.08"``)."""
    if isinstance(value, bool):
        raise TypeError("a boolean is not a number")
    if isinstance(value, Decimal):
        d = value
    elif isinstance(value, int):
        if abs(value) >= 10 ** PACK_INT_DIGITS:
            raise ValueError(f"{value} 过大（规则包中的数须小于 10^{PACK_INT_DIGITS}）")
        return Decimal(value)
    elif isinstance(value, float):
        d = Decimal(repr(value))
    elif isinstance(value, str):
        text = value.strip()
        if len(text) > _MAX_TEXT:
            raise ValueError(f"应为最多 {PACK_PLACES} 位小数的数，写的是 {text[:_MAX_TEXT]!r}…")
        if text.endswith(("%", "％")):
            try:
                pct = Decimal(_ungrouped(text[:-1].strip()))
                hint = f'比例写作小数 "{(pct / 100).normalize():f}"' if pct.is_finite() else ""
            except (InvalidOperation, ValueError):
                hint = ""
            raise ValueError(f"写的是百分数 {value!r}；" + (hint or '比例写作小数（8% 写作 "0.08"）'))
        try:
            d = Decimal(_ungrouped(text))
        except InvalidOperation:
            raise ValueError(f"应为数，写的是 {value!r}") from None
    else:
        raise TypeError(f"应为数，写的是 {value!r}")
    return _bounded(d, value)


_GROUPED = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$")


def _ungrouped(text: str) -> str:
    """``1,234.5`` → ``1234.5``; a comma anywhere else (``1234,5``, ``0,5``, ``1,2,3``) is refused,
    never dropped: it may be a decimal comma."""
    if "," not in text:
        return text
    if not _GROUPED.match(text):
        raise ValueError(f"逗号只能按三位一组分隔千位（如 1,234.56），写的是 {text!r}")
    return text.replace(",", "")


def _bounded(d: Decimal, written: object) -> Decimal:
    if not d.is_finite():
        raise ValueError(f"应为有限的数，写的是 {written!r}")
    _, digits, exponent = d.as_tuple()
    places = 0
    if exponent < 0:
        if -exponent > len(digits) + PACK_PLACES:  # e.g. 1e-999999999: more places than digits
            raise ValueError(f"最多 {PACK_PLACES} 位小数，写的是 {written!r}")
        zeros = len(digits) - len("".join(map(str, digits)).rstrip("0"))
        places = max(0, -exponent - zeros)
    if places > PACK_PLACES:
        raise ValueError(f"最多 {PACK_PLACES} 位小数，写的是 {written!r}")
    if d != 0 and d.adjusted() >= PACK_INT_DIGITS:
        raise ValueError(f"{written!r} 过大（规则包中的数须小于 10^{PACK_INT_DIGITS}）")
    return d


def share_fen(amount_fen: int, ratio: Decimal) -> int:
    """``amount_fen × ratio`` rounded half up to the fen (the one rounding rule)."""
    frac = Fraction(amount_fen) * Fraction(ratio)
    return _round_half_up(frac)


def _round_half_up(frac: Fraction) -> int:
    sign = -1 if frac < 0 else 1
    frac = abs(frac)
    return sign * ((frac.numerator * 2 + frac.denominator) // (frac.denominator * 2))


def share_fen_expr(amount_fen: pl.Expr, ratio: Decimal | Fraction) -> pl.Expr:
    """Columnar ``share_fen`` for a ratio between 0 and 1: ``(amount × 2p + q) // 2q`` where the
    ratio is ``p/q``, half up, computed in 128-bit integers so that it is exact for every 64-bit
    amount (a pack ratio has at most ``PACK_PLACES`` decimals: ``p, q ≤ 10**10``, and
    ``2**63 × 2·10**10 < 2**127``). The share is never more than the amount, so it fits in 64 bits."""
    frac = Fraction(ratio)
    if not 0 <= frac <= 1:
        raise ValueError(f"按比例计算金额的比例应在 0 到 1 之间，实为 {ratio}")
    p, q = frac.numerator, frac.denominator
    if 2 * q >= 1 << 63:
        raise ValueError(f"比例 {ratio} 的位数过多，无法精确计算")
    wide = amount_fen.cast(pl.Int128)
    return ((wide * pl.lit(2 * p, pl.Int128) + pl.lit(q, pl.Int128)) // pl.lit(2 * q, pl.Int128)).cast(pl.Int64)


def below_share_expr(part: pl.Expr, whole: pl.Expr, rate: Decimal | Fraction) -> pl.Expr:
    """``part / whole < rate`` exactly: ``part × q < whole × p`` in 128-bit integers (no overflow
    for any 64-bit amounts and a rate of a pack's precision)."""
    frac = Fraction(rate)
    p, q = frac.numerator, frac.denominator
    if max(abs(p), q) >= 1 << 63:
        raise ValueError(f"比率 {rate} 的位数过多，无法精确比较")
    return part.cast(pl.Int128) * pl.lit(q, pl.Int128) < whole.cast(pl.Int128) * pl.lit(p, pl.Int128)


def wide_ratio(part: pl.Expr, scale: int, whole: pl.Expr) -> pl.Expr:
    """``part × scale // whole`` in 128-bit integers, for ``0 ≤ part ≤ whole`` (a share scaled to
    ``scale``, truncated): exact for every 64-bit amount, where ``part × 10**6`` would overflow above
    about 92 亿元 in fen."""
    return (part.cast(pl.Int128) * scale // whole).cast(pl.Int64)


def fen_to_yuan_str(fen: int | None) -> str:
    """``123456`` → ``"1234.56"``; the form JSON and CSV outputs carry."""
    if fen is None:
        return ""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}{whole}.{cents:02d}"


def format_yuan(fen: int | None) -> str:
    """``123456789`` → ``"1,234,567.89 元"`` for people."""
    if fen is None:
        return ""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}{whole:,}.{cents:02d} 元"


def _valid(text: pl.Expr, digits: int) -> pl.Expr:
    # ASCII digits only: a Rust \d also matches ８ or ٨, which the decimal cast does not read.
    return text.str.contains(rf"^-?[0-9]+(\.[0-9]{{0,{digits}}})?$")


def _scaled(text: pl.Expr, valid: pl.Expr, digits: int) -> pl.Expr:
    """The integer scaled by 10**digits, where the text is valid: a cast to a decimal of that scale,
    whose integer representation is exactly the scaled value. The regex, not the cast, decides what
    is valid: the cast alone would round ``1.234`` to ``1.23`` and read ``1e5``."""
    exact = text.cast(pl.Decimal(38, digits), strict=False).to_physical().cast(pl.Int64, strict=False)
    return pl.when(valid).then(exact)


def scaled_int_stages(col: str, digits: int, cleaned: pl.Expr) -> tuple[list[list[pl.Expr]], pl.Expr, pl.Expr]:
    """Decimal text with at most ``digits`` decimals as an integer scaled by 10**digits, exactly.

    Returns ``(stages, value, valid)``: lists of helper columns to add in order (``with_columns``),
    then the value and validity expressions over them. Eager polars does not share repeated
    sub-expressions, so the cleaned text is materialised once. One anchored regex validates; the
    parse is one cast to a decimal (see ``_scaled``). A number too large for 64 bits is not valid.
    """
    t, ok = f"_t:{col}", f"_ok:{col}"
    stages = [[cleaned.alias(t)], [_valid(pl.col(t), digits).alias(ok)]]
    return stages, _scaled(pl.col(t), pl.col(ok), digits), pl.col(ok)


def scaled_int_expr(text: pl.Expr, digits: int) -> tuple[pl.Expr, pl.Expr]:
    """The single-expression form of ``scaled_int_stages``, for derived columns and checks."""
    valid = _valid(text, digits)
    value = _scaled(text, valid, digits)
    return value, valid & value.is_not_null()


# Full-width digits, point and comma (what a Chinese input method types) read as their ASCII forms.
FULL_WIDTH = {chr(0xFF10 + i): str(i) for i in range(10)} | {"．": ".", "，": ","}
# Thousands separators are read only where they group digits in threes from the decimal point.
GROUPED = r"^-?[0-9]{1,3}(,[0-9]{3})+(\.[0-9]*)?$"


def clean_number_text(text: pl.Expr) -> pl.Expr:
    """A number cell as the parser reads it: stripped, full-width digits made ASCII, and commas
    removed only when they group digits validly (``1,234,567.89``). Any other comma (``1234,56``,
    ``0,5``, ``1,2,3,4.00``: perhaps a decimal comma) stays, so the cell is refused, never read ×100."""
    t = text.str.strip_chars().str.replace_many(list(FULL_WIDTH), list(FULL_WIDTH.values()))
    return pl.when(t.str.contains(GROUPED)).then(t.str.replace_all(",", "", literal=True)).otherwise(t)


def clean_amount_text(col: str) -> pl.Expr:
    return clean_number_text(pl.col(col))


def yuan_text_expr(fen: pl.Expr) -> pl.Expr:
    """Integer fen as 元 text with thousands separators, for messages: -123456789 → "-1,234,567.89"."""
    whole = (fen.abs() // 100).cast(pl.String)
    # Group the integer part in threes from the right: reverse, chunk, join with commas, reverse.
    grouped = whole.str.reverse().str.extract_all(r"\d{1,3}").list.join(",").str.reverse()
    cents = (fen.abs() % 100).cast(pl.String).str.pad_start(2, "0")
    return pl.when(fen.is_null()).then(None).otherwise(
        pl.when(fen < 0).then(pl.lit("-")).otherwise(pl.lit("")) + grouped + "." + cents)
