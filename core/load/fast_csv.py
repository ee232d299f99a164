"""The fast path for a clean CSV file: one typed read and whole-column checks, no text table.

Most files are clean: UTF-8, one header, every row as wide as the header, every cell already in
the form the loader reads. For such a file the text path's work — every cell held as text, stripped,
then converted and checked column by column — is mostly spent on what cannot change anything. Here
one lazy plan reads the file with polars' reader and converts each mapped column straight from the
text the reader produces, with the same expressions the text path uses (``values``, ``money``), less
the normalising steps (stripping, full-width digits, thousands separators, ``%``): a cell that would
need one fails the conversion here, and so does any cell the text path would refuse. The plan also
counts, for the whole table, the cells filled, converted and in plain form, and the last column's
empty cells (a row may be short); one numpy pass over the bytes then looks for a NUL, a non-ASCII
byte (a 合计 row needs one) and, where a row may be short, counts the commas.

When anything is not clean — the header needs attention, polars refuses the file, a cell fails, a
row may be short or a total — the result is ``None`` and the caller reads the file with the text
path, which finds and names every bad cell exactly as before. So a clean file gives the same frame
as the text path (``tests/test_csv_fast_path.py`` compares the two on every sample and on edge
cases) and a bad one the same messages.

Amount columns whose header states no unit (``预算金额``) are read in millionths (万元 to the fen,
or 元 with up to six decimals) with a count of the cells with at most two decimals; ``finish``
makes them fen once the unit is known (``--amounts-in``, a 单位 row), or gives ``None`` when a
cell has more decimals than its unit allows.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import attrs
import numpy as np
import polars as pl

from jixiao.core import money
from jixiao.core.load.columns import DECIMAL_DIGITS, ROW, _DTYPES, converted_name
from jixiao.core.load.raw import _map_headers
from jixiao.core.load.values import MAX_YEAR, MIN_YEAR, _total_rows
from jixiao.core.schema import BOOL, Column, Table

WAN_DIGITS = money.SCALE_DIGITS["wan"]
YUAN_DIGITS = money.SCALE_DIGITS["yuan"]


def _cases(words: dict) -> dict:
    """Yes/no words as the text path reads them (it lowercases the cell first): with the usual
    capitalisations, so that no cell need be lowercased; any other (``tRUE``) is not found and goes
    to the text path."""
    return words | {k.upper(): v for k, v in words.items()} | {k.capitalize(): v for k, v in words.items()}


@attrs.frozen
class FastCsv:
    """A CSV file read by the fast path: the converted table (``_convert_table``'s result) except
    for amount columns of unstated unit, held in millionths (``finish`` makes them fen)."""

    path: Path
    skip: int
    frame: pl.DataFrame
    # Canonical names of amount columns whose header states no unit, each with whether every cell
    # has at most two decimals (can be read as 元).
    unstated: tuple[tuple[str, bool], ...] = ()

    def finish(self, units: dict[str, str]) -> pl.DataFrame | None:
        """The table with every amount in fen, ``units`` giving the unit of the unstated columns
        ("wan"; anything else is 元); None when a cell has more decimals than its unit allows."""
        exprs = []
        for name, as_yuan in self.unstated:
            if units.get(name) != "wan":
                if not as_yuan:
                    return None
                exprs.append(pl.col(f"{name}_fen") // 10 ** (WAN_DIGITS - YUAN_DIGITS))
        return self.frame.with_columns(exprs) if exprs else self.frame


@attrs.frozen
class _Plan:
    """One column's part of the plan: its value (from the cell as read) and the counts that say
    whether the text path would give the same value (computed in the plan, one number each)."""

    value: pl.Expr
    counts: dict[str, pl.Expr] = attrs.field(factory=dict)


def read_fast(path: Path, table: Table, skip: int, columns: list[str], engine: str = "auto",
              text: bytes | None = None) -> FastCsv | None:
    """The table of a clean CSV file, converted; None when it is not clean (see the module).
    ``columns``: the header as polars reads it; ``text``: the file's contents as UTF-8, when it is
    written in another encoding (GBK), decoded once; ``engine``: polars' engine for the plan (the
    streaming one was tried: no faster, docs/performance.md)."""
    mapping, units, _ = _map_headers(table, columns)
    seen: dict[str, str] = {}
    for h, name in mapping.items():
        if name in seen:
            return None  # two columns for one: the text path says so
        seen[name] = h
    if any(c.required and c.name not in seen for c in table.columns):
        return None
    exprs, counts = [pl.col(ROW)], {}
    for col in table.columns:
        if col.name not in seen:
            exprs.append(pl.lit(col.default, dtype=_DTYPES[col.kind]).alias(converted_name(col)))
            continue
        plan = _column(col, pl.col(seen[col.name]), units.get(col.name, ""))
        exprs.append(plan.value.alias(converted_name(col)))
        counts |= {f"{k}:{col.name}": v for k, v in plan.counts.items()}
    last = pl.col(columns[-1])
    counts["last_empty"] = last.null_count()
    actual = table.name == "indicators" and "actual" in seen and "direction" in seen
    if actual:
        e4, counts["unsure_actual"] = _actual_e4(pl.col(seen["actual"]), pl.col(seen["direction"]),
                                                 table.column("direction").choices)
        exprs.append(e4)
    ints = {seen[c.name]: pl.Int64 for c in table.columns if c.kind == "int" and c.name in seen}
    lf = (pl.scan_csv(path if text is None else text, infer_schema=False, schema_overrides=ints, skip_rows=skip)
          .with_row_index(ROW, offset=skip + 2))
    try:
        out = lf.select(*exprs, *(v.alias(f"_n:{k}") for k, v in counts.items())).collect(engine=engine)
    except pl.exceptions.PolarsError:
        return None  # a row too wide, bytes that are not UTF-8 …: the text path names it
    if out.height == 0:
        return None
    n = dict(zip(counts, out.slice(0, 1).select(f"_n:{k}" for k in counts).row(0)))  # one value each
    out = out.drop([f"_n:{k}" for k in counts])
    out = _checked(table, seen, out, n)
    if out is None:
        return None
    bytes_ = _scan_bytes(path if text is None else text, skip, commas=n["last_empty"] > 0)
    if bytes_.nul:
        return None  # a NUL character: the text path names its cell
    if n["last_empty"] and (bytes_.quote or bytes_.commas != (len(columns) - 1) * (out.height + 1)):
        return None  # a row may be short: the text path looks for it
    if bytes_.high and _has_totals(out, table):
        return None
    if actual and n["unsure_actual"]:
        out = out.drop("actual_e4")  # left to ``_cross_checks``, which cleans the text first
    unstated = tuple((c.name, n[f"yuan:{c.name}"] == n[f"filled:{c.name}"]) for c in table.columns
                     if c.kind == "money" and c.name in seen and units.get(c.name, "") == "")
    return FastCsv(path, skip, out.rechunk(), unstated)


def _column(col: Column, c: pl.Expr, unit: str) -> _Plan:
    """A column's value from its cells as read (empty cells null, not stripped) and the counts
    ``_checked`` needs: cells filled, cells in the form the value was read from."""
    filled = (c.str.len_bytes() > 0).sum()  # neither empty nor a quoted empty (""), which polars reads as ""
    if col.kind == "str":
        return _Plan(c.str.strip_chars())
    if col.kind == "int":  # read as Int64 by polars' reader, which refuses anything but an integer
        return _Plan(c)
    if col.kind == "bool":
        return _Plan(_looked_up(c, _cases(col.yes_no or BOOL), pl.Boolean), {"filled": filled})
    if col.kind == "enum":
        return _Plan(_looked_up(c, col.choices, pl.String), {"filled": filled})
    if col.kind == "date":
        return _Plan(c.str.to_date("%Y-%m-%d", strict=False), {"filled": filled})
    if col.kind in ("money", "score", "decimal"):
        digits = {"score": YUAN_DIGITS, "decimal": DECIMAL_DIGITS}.get(col.kind, money.SCALE_DIGITS.get(unit, WAN_DIGITS))
        counts = {"filled": filled, "valid": money._valid(c, digits).sum()}
        if col.kind == "money" and unit == "":
            counts["yuan"] = money._valid(c, YUAN_DIGITS).sum()
        return _Plan(_scaled(c, digits), counts)
    raise AssertionError(col.kind)


def _looked_up(text: pl.Expr, choices: dict, dtype: pl.DataType) -> pl.Expr:
    """Each cell's value in ``choices`` (null when it is not one of them), as ``replace_strict``
    gives it, by a cast to an enum of the choices and a gather of their values: about half the
    work on millions of cells of a few distinct values."""
    keys = list(choices)
    values = pl.Series([choices[k] for k in keys], dtype=dtype)
    return pl.lit(values).gather(text.cast(pl.Enum(keys), strict=False).to_physical())


def _scaled(text: pl.Expr, digits: int) -> pl.Expr:
    """``money._scaled`` where every cell is known valid (counted), so without its ``when``."""
    return text.cast(pl.Decimal(38, digits), strict=False).to_physical().cast(pl.Int64, strict=False)


def _checked(table: Table, seen: dict[str, str], out: pl.DataFrame, n: dict[str, int]) -> pl.DataFrame | None:
    """The read table when the text path would give the same one with no problem: every filled
    cell converted, no required cell empty, values in range; empty cells take the column's default
    as in the text path. None otherwise."""
    fills = []
    for col in table.columns:
        if col.name not in seen:
            continue
        name = converted_name(col)
        s = out[name]
        nulls = s.null_count()
        filled = n.get(f"filled:{col.name}")
        if filled is not None and out.height - nulls != filled:
            return None  # a filled cell not converted
        if f"valid:{col.name}" in n and n[f"valid:{col.name}"] != filled:
            return None  # a cell not in the form the text path reads as is
        if col.required and col.kind != "decimal" and nulls:
            return None
        if col.kind == "str":
            if s.str.len_bytes().min() == 0:  # a cell of spaces: empty once stripped
                if col.required:
                    return None
                fills.append(pl.when(pl.col(name) == "").then(None).otherwise(pl.col(name)).alias(name))
            continue
        if col.kind in ("int", "money", "date", "score") and nulls < out.height:
            phys = s.to_physical()  # a date as days since 1970: year 0 has no Python date
            low, high = phys.min(), phys.max()
            if col.kind in ("int", "money") and low < 0:
                return None
            if col.kind == "score" and (low < 0 or high > 100_00):
                return None
            if col.kind == "date" and (low < _days(dt.date(MIN_YEAR, 1, 1)) or high > _days(dt.date(MAX_YEAR, 12, 31))):
                return None
        if col.kind in ("bool", "enum") and nulls and col.default is not None:
            fills.append(pl.col(name).fill_null(pl.lit(col.default, dtype=_DTYPES[col.kind])))
    return out.with_columns(fills) if fills else out


def _days(day: dt.date) -> int:
    return (day - dt.date(1970, 1, 1)).days


def _actual_e4(actual: pl.Expr, direction: pl.Expr, choices: dict) -> tuple[pl.Expr, pl.Expr]:
    """An indicator's numeric actual value (``actual_e4``) as loading derives it, from the cells as
    read, and how many quantitative values are not in plain form (when some are, ``_cross_checks``
    derives it from the cleaned text instead). A direction is told qualitative by its position
    among the written forms (as ``_looked_up`` reads it), not by comparing text."""
    keys = list(choices)
    qualitative = [i for i, k in enumerate(keys) if choices[k] == "qualitative"]
    quantitative = ~direction.cast(pl.Enum(keys), strict=False).to_physical().is_in(qualitative)
    unsure = (quantitative & (actual.str.len_bytes() > 0) & ~money._valid(actual, DECIMAL_DIGITS)).sum()
    return pl.when(quantitative).then(_scaled(actual, DECIMAL_DIGITS)).alias("actual_e4"), unsure


def _has_totals(out: pl.DataFrame, table: Table) -> bool:
    """Whether a row's id (or, for projects, name) says 合计/总计 (``_total_rows``), looked at only
    in rows that hold 计."""
    labels = [c for c in ("project_id", "name") if c in out.columns and (c == "project_id" or table.name == "projects")]
    if table.name not in ("projects", "spending") or not labels:
        return False
    maybe = out.filter(pl.any_horizontal(pl.col(c).str.contains("计", literal=True) for c in labels).fill_null(False))
    return maybe.height > 0 and _total_rows(table, maybe) is not None


@attrs.frozen
class _Bytes:
    nul: bool  # a NUL byte anywhere
    high: bool  # a byte of a non-ASCII character below the header (a 合计 row needs one)
    quote: bool  # a quote anywhere (only looked for with ``commas``)
    commas: int  # commas from the header on (only counted with ``commas``)


def _scan_bytes(source: Path | bytes, skip: int, commas: bool) -> _Bytes:
    """What the fast path must know about a file's bytes, in one pass of numpy over it: a NUL
    byte; a non-ASCII byte below the header; and, when a row may be short (``commas``), quotes and
    the number of commas. Without quotes a record is a line, so the commas from the header on reach
    ``(width - 1) × (rows + 1)`` only if no row is shorter than the header (polars has refused any
    row wider than it)."""
    chunk = 1 << 20  # small enough that numpy's passes over a piece find it in the cache
    buf, hits = np.empty(chunk, dtype=np.uint8), np.empty(chunk, dtype=bool)
    nul = high = quote = False
    count, at, lines, start, body = 0, 0, 0, None, None  # start, body: where the header and the data begin
    for part in _pieces(source, buf):
        size = len(part)
        if body is None:  # title rows, then the header: their commas and characters are not data
            ends = np.flatnonzero(part == 10)
            if start is None and lines + len(ends) >= skip:
                start = at + (int(ends[skip - lines - 1]) + 1 if skip > lines else 0)
                # Title rows are counted as lines here and as records by polars: the same only
                # when none is blank (and none is quoted, which ``quote`` says).
                title = part[:start].tobytes() if at == 0 else b"\n\n"
                if title.startswith((b"\n", b"\r\n")) or any(m in title for m in (b"\n\n", b"\n\r\n", b'"')):
                    count = -1 << 62  # never (width - 1) × (rows + 1): the text path looks for short rows
            if start is not None and lines + len(ends) >= skip + 1:
                body = at + int(ends[skip - lines]) + 1
            lines += len(ends)
        nul = nul or int(part.min()) == 0
        data = part[max((body if body is not None else at + size) - at, 0):]
        high = high or (data.size > 0 and int(data.max()) >= 0x80)
        if commas:
            counted = part[max((start if start is not None else at + size) - at, 0):]
            h = hits[:len(counted)]
            np.equal(counted, ord('"'), out=h)
            quote = quote or bool(h.any())
            np.equal(counted, ord(","), out=h)
            count += int(np.count_nonzero(h))
        at += size
    return _Bytes(nul, high, quote, count)


def _pieces(source: Path | bytes, buf: np.ndarray):
    """The bytes of a file (read into ``buf`` piece by piece) or of a text in memory, as numpy arrays."""
    if isinstance(source, bytes):
        data = np.frombuffer(source, dtype=np.uint8)
        for i in range(0, len(data), len(buf)):
            yield data[i:i + len(buf)]
        return
    with open(source, "rb", buffering=0) as fh:
        while size := fh.readinto(buf):
            yield buf[:size]
