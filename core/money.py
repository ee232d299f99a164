"""Exact money. Amounts are integer fen (分) everywhere inside jixiao.

The one rounding rule: when a derived amount falls between two fen (a share of a budget), it is
rounded half up (四舍五入) to the fen, once, where it is derived. Input amounts are never rounded: an
amount finer than one fen is an input error. 1 元 = 100 分; 1 万元 = 1 000 000 分.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from fractions import Fraction

import polars as pl

FEN_PER_YUAN = 100
FEN_PER_WAN = 1_000_000

# Decimal places an input amount may carry, per unit, so that it is a whole number of fen.
SCALE_DIGITS = {"yuan": 2, "wan": 6}


def to_decimal(value: object) -> Decimal:
    """A number from a pack or a cell as an exact Decimal; floats go through their shortest repr."""
    if isinstance(value, bool):
        raise TypeError("a boolean is not a number")
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, str):
        try:
            return Decimal(value.strip().replace(",", ""))
        except InvalidOperation:
            raise ValueError(f"not a number: {value!r}") from None
    raise TypeError(f"not a number: {value!r}")


def share_fen(amount_fen: int, ratio: Decimal) -> int:
    """``amount_fen × ratio`` rounded half up to the fen (the one rounding rule)."""
    frac = Fraction(amount_fen) * Fraction(ratio)
    return _round_half_up(frac)


def _round_half_up(frac: Fraction) -> int:
    sign = -1 if frac < 0 else 1
    frac = abs(frac)
    return sign * ((frac.numerator * 2 + frac.denominator) // (frac.denominator * 2))


def share_fen_expr(amount_fen: pl.Expr, ratio: Decimal) -> pl.Expr:
    """Columnar ``share_fen``: exact integer arithmetic, half up, for non-negative amounts."""
    frac = Fraction(ratio)
    p, q = frac.numerator, frac.denominator
    return (amount_fen * (2 * p) + q) // (2 * q)


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


def parse_amount_expr(col: str, unit: str) -> tuple[pl.Expr, pl.Expr]:
    """Parse a text column of amounts in ``unit`` ("yuan" or "wan") into integer fen, exactly.

    Returns ``(fen, bad)``: the Int64 fen expression (null where the text is empty or bad) and a
    boolean expression that is true where non-empty text is not a valid amount. Thousands
    separators are accepted; a leading minus sign is kept so that the caller can report it.
    """
    digits = SCALE_DIGITS[unit]
    text = pl.col(col).str.strip_chars().str.replace_all(",", "").str.replace_all("，", "")
    pattern = rf"^(-?)(\d+)(?:\.(\d{{0,{digits}}}))?$"
    sign = text.str.extract(pattern, 1)
    whole = text.str.extract(pattern, 2)
    frac = text.str.extract(pattern, 3).fill_null("").str.pad_end(digits, "0")
    magnitude = whole.cast(pl.Int64, strict=False) * (10**digits) + frac.cast(pl.Int64, strict=False)
    per_unit = FEN_PER_YUAN if unit == "yuan" else FEN_PER_WAN
    # 10**digits units of the smallest decimal equal `per_unit` fen; for both units that is 1:1.
    assert per_unit == 10**digits
    fen = pl.when(sign == "-").then(-magnitude).otherwise(magnitude)
    empty = text.is_null() | (text == "")
    bad = ~empty & whole.is_null()
    return pl.when(empty).then(None).otherwise(fen).alias(col), bad
