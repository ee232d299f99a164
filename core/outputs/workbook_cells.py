"""The cells of jixiao's XLSX: a column's kind (``Column``), its number format and style, how wide
its text is (a CJK character counts as two), and the XML of a whole column of cells made by polars
at once — amounts as the exact 元 decimal text of integer fen, every text an escaped inline string."""

from __future__ import annotations

from collections.abc import Sequence

import attrs
import polars as pl


YUAN_FORMAT = "#,##0.00;[Red]-#,##0.00"
COUNT_FORMAT = "#,##0"
YEAR_FORMAT = "0"
SCORE_FORMAT = "0.00"
DATE_FORMAT = "yyyy-mm-dd"
MAX_ROWS = 1_048_576  # rows in a worksheet
MAX_TEXT = 32_767  # characters in a cell
MIN_WIDTH, MAX_WIDTH = 6, 60  # column widths, in Excel's units (the width of a "0")
KINDS = ("text", "yuan", "count", "year", "score", "date", "yesno")
# yuan: integer fen; score: integer hundredths; date: a date; yesno: a boolean

# Cell styles, in styles.xml's cellXfs order.
S_HEADER, S_GROUP = 1, 2
S_KIND = {"text": 0, "yesno": 0, "yuan": 3, "count": 4, "year": 5, "score": 6, "date": 7}
S_TOTAL_LABEL, S_TOTAL = 8, {"yuan": 9, "count": 10}


@attrs.frozen
class Column:
    """A column of a sheet: its header, the expression that gives its values from the frame, and
    its kind (``KINDS``). ``total``: a 合计 of the column under it. ``group``: a header above
    this one, merged over neighbouring columns of the same group."""

    header: str
    expr: pl.Expr
    kind: str = "text"
    total: bool = False
    group: str | None = None

    def __attrs_post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"unknown column kind {self.kind!r}")


def _width_expr(e: pl.Expr) -> pl.Expr:
    """Display width from the UTF-8 length: a character of three or four bytes (CJK, full-width
    punctuation) counts as two, ASCII as one; no regular expression over a million cells."""
    return (e.str.len_bytes() + e.str.len_chars() + 1) // 2


def display_width(text: str) -> int:
    """The width of ``text`` in a spreadsheet column: a CJK character counts as two."""
    return int(pl.select(_width_expr(pl.lit(text, pl.String))).item())


def yuan_text(e: pl.Expr) -> pl.Expr:
    """Integer hundredths (fen) as exact decimal text (``-123456`` → ``"-1234.56"``); null stays null."""
    return (pl.when(e.is_null()).then(None)
            .otherwise(pl.when(e < 0).then(pl.lit("-")).otherwise(pl.lit(""))
                       + (e.abs() // 100).cast(pl.String) + "."
                       + (e.abs() % 100).cast(pl.String).str.pad_start(2, "0")))


def fen_text(fen: int) -> str:
    """Integer fen as exact 元 text, in Python."""
    sign, fen = ("-" if fen < 0 else ""), abs(int(fen))
    return f"{sign}{fen // 100}.{fen % 100:02d}"


_CONTROLS = [chr(i) for i in (*range(0, 9), *range(11, 32))] + ["\ufffe", "\uffff"]
_ESCAPES = ["&", "<", ">", *_CONTROLS]
_ESCAPED = ["&amp;", "&lt;", "&gt;", *(f"_x{ord(c):04X}_" for c in _CONTROLS)]


def xml_text(e: pl.Expr) -> pl.Expr:
    """Text as the content of an XML element, as Excel reads it back: ``&``, ``<``, ``>``
    escaped, a control character (which XML cannot hold; CR included, which XML would turn into a
    line feed) written as Excel's ``_xHHHH_``, and a literal ``_xHHHH_`` kept literal (``_x005F_``)."""
    return (e.str.slice(0, MAX_TEXT).str.replace_all(r"_(x[0-9A-Fa-f]{4}_)", "_x005F_${1}")
            .str.replace_many(_ESCAPES, _ESCAPED))


def xml_texts(texts: Sequence[str]) -> list[str]:
    return pl.Series("t", list(texts), pl.String).to_frame().select(xml_text(pl.col("t"))).to_series().to_list()


def column_letter(i: int) -> str:
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


def _values_text(c: Column) -> pl.Expr:
    """A column's values as the text of their ``<v>`` or ``<t>``: exact decimal text for amounts
    and scores, the serial day for a date, 是/否 for a yes/no; null for an empty cell."""
    e = c.expr
    if c.kind in ("yuan", "score"):
        return yuan_text(e)
    if c.kind == "date":
        return (e.cast(pl.Date) - pl.date(1899, 12, 30)).dt.total_days().cast(pl.String)
    if c.kind == "yesno":
        return pl.when(e.is_null()).then(None).when(e).then(pl.lit("是")).otherwise(pl.lit("否"))
    if c.kind == "text":
        t = e.cast(pl.String)
        return pl.when(t == "").then(None).otherwise(t)
    return e.cast(pl.String)


def _cell_xml(c: Column, letter: str, row: pl.Expr) -> pl.Expr:
    """A column's cells as XML (null where the cell is empty)."""
    v = _values_text(c)
    if c.kind in ("text", "yesno"):
        return pl.concat_str([pl.lit(f'<c r="{letter}'), row, pl.lit('" t="inlineStr"><is><t xml:space="preserve">'),
                              xml_text(v), pl.lit("</t></is></c>")])
    return pl.concat_str([pl.lit(f'<c r="{letter}'), row, pl.lit(f'" s="{S_KIND[c.kind]}"><v>'), v, pl.lit("</v></c>")])


def _width_of_values(c: Column) -> pl.Expr:
    """The widest value of a column in display units, as its format shows it."""
    e = c.expr
    if c.kind in ("yuan", "score", "count"):
        digits = e.abs().max().cast(pl.Float64).log10().floor().fill_null(0).fill_nan(0).clip(0) + 1
        if c.kind == "count":
            return (digits + (digits - 1) // 3 + 1).cast(pl.Int64)
        digits = (digits - 2).clip(1)  # 元 digits before the point
        return (digits + (digits - 1) // 3 + 4).cast(pl.Int64)  # separators, sign, ".00"
    fixed = {"date": 10, "year": 4, "yesno": 2}
    if c.kind in fixed:
        return pl.lit(fixed[c.kind], pl.Int64)
    return _width_expr(e.cast(pl.String)).max().fill_null(0).cast(pl.Int64)


def column_widths(frame: pl.DataFrame, columns: Sequence[Column]) -> list[int]:
    """Widths that fit each column's header and its widest value (CJK counted double), between
    ``MIN_WIDTH`` and ``MAX_WIDTH``, computed by polars over the whole frame."""
    widest = (frame.select([_width_of_values(c).alias(f"w{i}") for i, c in enumerate(columns)]).row(0)
              if frame.height else [0] * len(columns))
    return [min(MAX_WIDTH, max(MIN_WIDTH, max(display_width(c.header), int(w or 0)) + 2))
            for c, w in zip(columns, widest, strict=True)]


def rows_fit(rows: int, columns: Sequence[Column]) -> bool:
    """Whether ``rows`` data rows, with the header rows and the 合计 row, fit in a worksheet."""
    head = 2 if any(c.group for c in columns) else 1
    return rows + head + (1 if any(c.total for c in columns) else 0) <= MAX_ROWS


def _text_cell(ref: str, text: str, style: int = 0) -> str:
    s = f' s="{style}"' if style else ""
    return f'<c r="{ref}"{s} t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'


def _number_cell(ref: str, value: str, style: int) -> str:
    return f'<c r="{ref}" s="{style}"><v>{value}</v></c>'
