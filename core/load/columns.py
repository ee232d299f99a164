"""What every loading module shares: the source-row column, the converted names and schema of
every table, and the helpers that quote a cell or an amount in a message."""

from __future__ import annotations

import polars as pl

from jixiao.core import money
from jixiao.core.errors import Problem
from jixiao.core.per_project import PIX
from jixiao.core.schema import TABLES, Column, Table


ROW = "_row"  # the source row number (1-based, header is row 1) kept on every table
ROW_DTYPE = pl.UInt32  # four bytes a row: 12 M payments' row numbers take 47 MB, not 94
# A typed file's own ``pix`` column (jixiao's writers add it): kept under this name until loading has
# checked it against the project ids (``_checked_pix``), then used instead of looking every id up.
PIX_HINT = "_pix_in_file"
MAX_PER_COLUMN = 20  # problems listed per column before "and N more"
SHOWN_CHARS = 60  # characters of a cell quoted in a message; a longer value is cut (a 1 MB cell is not echoed)
NOT_A_DATE = "不是日期（可写 2024-03-01、2024/3/1 或 2024年3月1日）"
FULL_WIDTH_DIGITS = {chr(0xFF10 + i): str(i) for i in range(10)} | {"／": "/", "－": "-", "．": "."}
DECIMAL_DIGITS = 4  # indicator values are kept as integers scaled by 10**4


# Columns derived once at load, so that no rule parses text: an indicator's numeric actual value.
DERIVED = {"indicators": {"actual_e4": pl.Int64}}


def frame_schema(table: Table) -> dict[str, pl.DataType]:
    """The converted schema of a table: money as ``<name>_fen``, scores as ``<name>_c``, etc."""
    out: dict[str, pl.DataType] = {ROW: ROW_DTYPE}
    for col in table.columns:
        out[converted_name(col)] = _DTYPES[col.kind]
    return out | DERIVED.get(table.name, {})


# Vocabulary columns, in memory after loading: a polars Enum of the canonical codes, sorted so that
# sorting by the column orders rows as sorting its text would. One byte a row (a dictionary index)
# in place of a string; comparisons with a code and ``is_in`` work as on text, ``.str`` does not
# (cast to ``pl.String`` first).
ENUMS: dict[str, pl.Enum] = {c.name: pl.Enum(sorted(set(c.choices.values())))
                             for t in TABLES.values() for c in t.columns if c.kind == "enum"}
# The tables that keep the text project id: only the projects table. The others carry ``pix``
# (``Portfolio.with_ids`` joins the id back where an output needs it).
KEEPS_PROJECT_ID = ("projects",)


def loaded_schema(table: Table) -> dict[str, pl.DataType]:
    """A table's schema in a loaded ``Portfolio``: ``frame_schema`` with the vocabularies as
    ``ENUMS``, without ``project_id`` in the detail tables, and ``pix``."""
    enums = {c.name for c in table.columns if c.kind == "enum"}  # a text column may share an enum's name
    out = {c: ENUMS[c] if c in enums else t for c, t in frame_schema(table).items()
           if c != "project_id" or table.name in KEEPS_PROJECT_ID}
    return out | {PIX: pl.UInt32}


def converted_name(col: Column) -> str:
    return {"money": f"{col.name}_fen", "score": f"{col.name}_c", "decimal": f"{col.name}_e4"}.get(
        col.kind, col.name
    )


_DTYPES = {"str": pl.String, "enum": pl.String, "int": pl.Int64, "bool": pl.Boolean, "date": pl.Date,
           "money": pl.Int64, "score": pl.Int64, "decimal": pl.Int64}


def _shown(value: str | None) -> str | None:
    """A cell's value as a message quotes it: at most ``SHOWN_CHARS`` characters, then how long it is."""
    if value is None or len(value) <= SHOWN_CHARS:
        return value
    return f"{value[:SHOWN_CHARS]}…（共 {len(value):,} 个字符）"


def _more(file: str, count: int, sheet: str | None, column: str | None) -> Problem:
    return Problem(file, f"另有 {count:,} 行有同样的问题", sheet, column=column)


def _first_line(exc: BaseException) -> str:
    """A library's error as one short line (no context trace), for a message that names the file."""
    text = str(exc).strip()
    return _shown(text.splitlines()[0] if text else type(exc).__name__)


def _amount_text(fen: int, unit: str | None) -> str:
    """An amount in the unit its column is written in, as typed there: 1180.21 (万元) or 1180.21 (元)."""
    if unit != "wan":
        return money.fen_to_yuan_str(fen)
    sign = "-" if fen < 0 else ""
    whole, rest = divmod(abs(fen), money.FEN_PER_WAN)
    places = f"{rest:06d}".rstrip("0").ljust(2, "0")
    return f"{sign}{whole}.{places}"
UNIT_NAMES = {"元": "yuan", "yuan": "yuan", "万元": "wan", "wan": "wan"}


def _renumbered(frame: pl.DataFrame, pix) -> pl.DataFrame:
    """``frame`` (a copy) with its ``pix`` column replaced by these positions, flagged sorted."""
    frame = frame.clone()
    frame.replace_column(frame.get_column_index(PIX), pl.Series(PIX, pix, dtype=pl.UInt32).set_sorted())
    return frame


def _with_rows(frame: pl.DataFrame, first: int = 2) -> pl.DataFrame:
    # Header is row 1, so the first record is row 2, as a spreadsheet shows it (``first``: title rows above).
    return frame.select(pl.int_range(first, pl.len() + first, dtype=ROW_DTYPE).alias(ROW), pl.all())
