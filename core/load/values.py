"""Text to typed values: the polars expressions that convert a whole column of text at once (money,
scores, 10⁴-scaled decimals, dates as people type them, booleans, enums) and the structural checks
on the result."""

from __future__ import annotations

import polars as pl

from jixiao.core import money
from jixiao.core.load.columns import DECIMAL_DIGITS, ROW, FULL_WIDTH_DIGITS, NOT_A_DATE
from jixiao.core.schema import BOOL, Column, Table


def _derived_exprs(name: str, columns: list[str]) -> list[pl.Expr]:
    if name == "indicators" and "actual_e4" not in columns:
        value, _ = decimal_e4_expr("actual")
        return [pl.when(pl.col("direction") == "qualitative").then(None).otherwise(value).alias("actual_e4")]
    return []


# What a total row says in its id or name cell (spaces removed): it is not a project.
TOTAL_LABELS = ("合计", "总计", "累计", "总合计")


def _total_rows(table: Table, text: pl.DataFrame) -> pl.Series | None:
    """The row numbers of rows whose id (or, for projects, name) says 合计/总计: a total row, not a
    project or a payment. None when there is none."""
    labels = [c for c in ("project_id", "name") if c in text.columns and (c == "project_id" or table.name == "projects")]
    if table.name not in ("projects", "spending") or not labels:
        return None
    said = [pl.col(c).str.replace_all(r"[\s\u3000:：]", "").is_in(list(TOTAL_LABELS)).fill_null(False) for c in labels]
    rows = text.filter(pl.any_horizontal(said))[ROW]
    return rows if rows.len() else None


MIN_YEAR, MAX_YEAR = 1900, 2999  # a date outside is a typing slip (0024 for 2024), not a budget date


def _structural_checks(col: Column, value: pl.Expr) -> list[tuple[pl.Expr, str]]:
    """Checks beyond a column's type: no NUL character in text, no negative count or year, no date
    outside MIN_YEAR–MAX_YEAR. ``value`` is the converted value; the cell's text is ``col.name``."""
    text = pl.col(col.name)
    out = [(text.str.contains("\x00", literal=True).fill_null(False), "文本中含有 NUL 控制字符；请删除")]
    if col.kind == "int":
        out.append(((value < 0).fill_null(False), "不是大于或等于 0 的整数"))
    if col.kind == "date":
        year = value.dt.year()
        out.append((((year < MIN_YEAR) | (year > MAX_YEAR)).fill_null(False),
                    f"不是 {MIN_YEAR} 年至 {MAX_YEAR} 年之间的日期"))
    return out


def _iso_dates(text: pl.DataFrame, name: str) -> pl.Series | None:
    """The column's dates when every one is written YYYY-MM-DD (or left empty), as exports usually
    are: one parse, and the forms people type (2024/3/1, 2024年3月1日, 20240301) are not tried.
    None when some cell is written another way."""
    c = pl.col(name)
    parsed = c.str.to_date("%Y-%m-%d", strict=False)
    got = text.lazy().select(parsed.alias(name),  # lazy: the parse is shared by both columns
                             (c.is_not_null() & (c != "") & parsed.is_null()).any().alias("_other")).collect()
    return None if got.height and got["_other"][0] else got[name]


def _iso_date_expr(col: Column) -> tuple[pl.Expr, pl.Expr | None, str]:
    c = pl.col(col.name)
    empty = c.is_null() | (c == "")
    missing = (empty & pl.lit(col.required)) if col.required else None
    return c.str.to_date("%Y-%m-%d", strict=False), missing, NOT_A_DATE


def _plain_numbers(text: pl.DataFrame, name: str) -> bool:
    """Whether no cell of the column has a thousands separator or a % sign to remove first."""
    return not text.select(pl.col(name).str.contains(r"[,，%．０-９]").any()).item()


def _column_expr(col: Column, unit: str, plain: bool = False
                 ) -> tuple[pl.Expr, pl.Expr | None, str, list[list[pl.Expr]]]:
    """The typed value, where it is bad, the message, and helper columns to add first (numbers).
    ``plain``: the cells (already stripped) need no cleaning before they are parsed."""
    if col.kind in ("money", "score", "decimal"):
        return _number_expr(col, unit, plain)
    value, bad, why = _simple_expr(col)
    return value, bad, why, []


def _number_expr(col: Column, unit: str, plain: bool = False):
    if col.kind == "decimal":
        digits, cleaned = DECIMAL_DIGITS, money.clean_number_text(pl.col(col.name).str.strip_chars().str.strip_suffix("%"))
    else:
        digits, cleaned = money.SCALE_DIGITS[unit or "yuan"], money.clean_amount_text(col.name)
    if plain:
        cleaned = pl.col(col.name)
    stages, value, valid = money.scaled_int_stages(col.name, digits, cleaned)
    text = pl.col(f"_t:{col.name}")
    empty = text.is_null() | (text == "")
    stages.append([pl.when(empty).then(None).otherwise(value).alias(f"_v:{col.name}")])
    value = pl.col(f"_v:{col.name}")
    bad = ~empty & ~(valid & value.is_not_null())
    missing = (empty & pl.lit(col.required)) if col.required else None
    if col.kind == "money":
        unit_name = "单位万元，最多 6 位小数" if unit == "wan" else "单位元，最多 2 位小数"
        return value, _or(bad | (value < 0).fill_null(False), missing), f"不是有效的非负金额（{unit_name}）", stages
    if col.kind == "score":
        outside = ((value < 0) | (value > 100_00)).fill_null(False)
        return value, _or(bad | outside, missing), "不是 0 到 100 之间的得分（最多 2 位小数）", stages
    return value, bad, f"不是数字（最多 {DECIMAL_DIGITS} 位小数）", stages


# Dates as people type them: 2024-03-01, 2024/3/1, 2024.3.1 and 2024年3月1日 are normalised to
# dashes and parsed once; 20240301 is parsed as it is.
def _simple_expr(col: Column) -> tuple[pl.Expr, pl.Expr | None, str]:
    c = pl.col(col.name)
    empty = c.is_null() | (c == "")
    missing = (empty & pl.lit(col.required)) if col.required else None
    need = f"必须填写（{col.zh}）"
    if col.kind == "str":
        return pl.when(empty).then(None).otherwise(c), missing, need
    if col.kind in ("int", "date"):  # full-width digits (２０２４) read as their ASCII forms, exactly
        c = c.str.replace_many(list(FULL_WIDTH_DIGITS), list(FULL_WIDTH_DIGITS.values()))
    if col.kind == "int":
        value = c.cast(pl.Int64, strict=False)
        bad = ~empty & value.is_null()
        return value, _or(bad, missing), "不是整数" if col.required is False else f"不是整数，或未填写（{col.zh}）"
    if col.kind == "bool":
        words = col.yes_no or BOOL
        value = c.str.to_lowercase().replace_strict(words, default=None, return_dtype=pl.Boolean)
        bad = ~empty & value.is_null()
        why = "不是 是/否（或 1 是、2 否）" if col.yes_no else "不是 是/否"
        return pl.when(empty).then(pl.lit(col.default, dtype=pl.Boolean)).otherwise(value), bad, why
    if col.kind == "enum":
        value = c.replace_strict(col.choices, default=None, return_dtype=pl.String)
        bad = ~empty & value.is_null()
        allowed = "、".join(sorted({k for k in col.choices if not k.isascii()})) or ", ".join(col.choices)
        default = pl.lit(col.default, dtype=pl.String)
        return (pl.when(empty).then(default).otherwise(value), _or(bad, missing),
                f"不是允许的值之一（{allowed}）")
    if col.kind == "date":
        dashed = c.str.replace_all(r"[/.年月]", "-").str.strip_suffix("日")
        value = pl.when(c.str.contains(r"^\d{8}$")).then(c.str.to_date("%Y%m%d", strict=False)).otherwise(
            dashed.str.to_date("%Y-%m-%d", strict=False))
        bad = ~empty & value.is_null()
        return value, _or(bad, missing), NOT_A_DATE
    raise AssertionError(col.kind)


def decimal_e4_expr(name: str) -> tuple[pl.Expr, pl.Expr]:
    """Indicator values (a trailing % ignored) as integers scaled by 10**4, and where they are bad."""
    text = money.clean_number_text(pl.col(name).str.strip_chars().str.strip_suffix("%"))
    value, valid = money.scaled_int_expr(text, DECIMAL_DIGITS)
    empty = pl.col(name).is_null() | (pl.col(name) == "")
    return value, ~empty & ~valid


def _or(a: pl.Expr | None, b: pl.Expr | None) -> pl.Expr | None:
    if a is None:
        return b
    if b is None:
        return a
    return a | b
