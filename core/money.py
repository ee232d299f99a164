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


def _valid(text: pl.Expr, digits: int) -> pl.Expr:
    return text.str.contains(rf"^-?\d+(\.\d{{0,{digits}}})?$")


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


def clean_amount_text(col: str) -> pl.Expr:
    return (pl.col(col).str.strip_chars().str.replace_all(",", "", literal=True)
            .str.replace_all("，", "", literal=True))


def yuan_text_expr(fen: pl.Expr) -> pl.Expr:
    """Integer fen as 元 text with thousands separators, for messages: -123456789 → "-1,234,567.89"."""
    whole = (fen.abs() // 100).cast(pl.String)
    # Group the integer part in threes from the right: reverse, chunk, join with commas, reverse.
    grouped = whole.str.reverse().str.extract_all(r"\d{1,3}").list.join(",").str.reverse()
    cents = (fen.abs() % 100).cast(pl.String).str.pad_start(2, "0")
    return pl.when(fen.is_null()).then(None).otherwise(
        pl.when(fen < 0).then(pl.lit("-")).otherwise(pl.lit("")) + grouped + "." + cents)
