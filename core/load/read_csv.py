"""Reading a CSV file into a raw text table: encodings, title rows, short rows and duplicate headers
reported with file and row."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import polars as pl

from jixiao.core.errors import InputError, Problem
from jixiao.core.load.columns import ROW, _first_line, _with_rows
from jixiao.core.load.fast_csv import read_fast
from jixiao.core.load.model import Origin
from jixiao.core.load.raw import HEADER_SEARCH_ROWS, _Raw, _check_reserved, _header_row_of, _title_rows_note, decode
from jixiao.core.schema import Table, TABLES


def _csv_raw(path: Path, table: str, warnings: list[Problem] | None) -> _Raw:
    """A CSV file as a raw table: title rows above its header skipped, a unit they state kept."""
    skip, unit, notes = _csv_title_rows(path, TABLES[table])
    if warnings is not None:
        warnings.extend(notes)
    text = None
    columns = _clean_header(path, skip)
    if columns is None and not _utf8_header(path):  # GBK (Excel's CSV in China): decoded once, then read as UTF-8
        try:
            text = decode(path.read_bytes(), str(path)).encode("utf-8")
        except InputError:
            text = None  # neither encoding: the text path says where
        columns = _clean_header(text, skip) if text else None
    fast = read_fast(path, TABLES[table], skip, columns, text=text) if columns else None
    if fast is not None:
        return _Raw(table, _with_rows(pl.DataFrame(schema=dict.fromkeys(columns, pl.String))), Origin(str(path)),
                    unit=unit, fast=fast)
    return _Raw(table, _read_csv(path, skip), Origin(str(path)), unit=unit)


def _clean_header(source: Path | bytes, skip: int) -> list[str] | None:
    """The header of a UTF-8 file (or text) as polars reads it, when nothing about it needs the
    text path's attention (blank, reserved or repeated names); None otherwise."""
    if isinstance(source, Path) and not _utf8_header(source):
        return None
    try:
        columns = pl.scan_csv(source, infer_schema=False, skip_rows=skip).collect_schema().names()
    except pl.exceptions.PolarsError:
        return None
    if not columns or any(not c.strip() or "_duplicated_" in c or c == ROW for c in columns):
        return None
    return columns


def _csv_title_rows(path: Path, table: Table) -> tuple[int, str | None, list[Problem]]:
    """How many records stand above the header (a title, a 单位 row), the unit they state, and a
    warning saying so; (0, None, []) for a file whose first line is the header."""
    import csv

    with open(path, "rb") as fh:
        head = fh.read(1 << 16)
    text = None
    for enc in ("utf-8-sig", "gb18030"):
        for cut in range(4):  # the 64 KB read may end inside a character
            try:
                text = head[:len(head) - cut].decode(enc)
                break
            except UnicodeDecodeError:
                continue
        if text is not None:
            break
    if not text:
        return 0, None, []
    rows = [r for _, r in zip(range(HEADER_SEARCH_ROWS), csv.reader(io.StringIO(text)))]
    h = _header_row_of(rows, table)
    if not h:
        return 0, None, []
    unit, notes = _title_rows_note(str(path), None, rows[:h], h + 1)
    return h, unit, notes


def _read_csv(path: Path, skip: int = 0) -> pl.DataFrame:
    """UTF-8 (with or without BOM) is read by polars straight from the file; anything polars refuses
    as UTF-8 is decoded first (GBK/GB18030), so a large UTF-8 file is never copied through Python.
    ``skip``: records above the header (title rows)."""
    frame = None
    if _utf8_header(path):  # polars checks the cells, not the header line
        try:
            frame = pl.read_csv(path, infer_schema=False, skip_rows=skip)
        except pl.exceptions.NoDataError:
            raise InputError([Problem(str(path), "文件是空的")]) from None
        except pl.exceptions.PolarsError as exc:
            if "utf-8" not in str(exc).lower():
                raise InputError([_csv_problem(path, decode(path.read_bytes(), str(path)), exc, skip)]) from None
    if frame is None:
        text = decode(path.read_bytes(), str(path))
        if not text.strip():
            raise InputError([Problem(str(path), "文件是空的")])
        try:
            frame = pl.read_csv(io.BytesIO(text.encode("utf-8")), infer_schema=False, skip_rows=skip)
        except pl.exceptions.PolarsError as exc:
            raise InputError([_csv_problem(path, text, exc, skip)]) from None
    if frame.width == 0 or all(not c.strip() or c.startswith("_duplicated_") for c in frame.columns):
        blank = frame.select(pl.all().str.strip_chars().fill_null("").eq("").all()).row(0) if frame.height else ()
        if all(blank):
            raise InputError([Problem(str(path), "文件是空的（只有空白）")])
        raise InputError([Problem(str(path), f"表头（第 {skip + 1} 行）是空的：这一行应是列名", row=skip + 1)])
    _check_reserved(frame.columns, Origin(str(path)))
    if any("_duplicated_" in c for c in frame.columns):  # polars renames a header written twice
        dup = _duplicate(_csv_header(path, skip))
        if dup is not None:
            raise InputError([Problem(str(path), "表头中这一列写了两次；请只保留一列", column=dup)])
    last = frame.columns[-1]
    # A row with fewer fields than the header reads as empty trailing cells: look for one only when
    # the last column has an empty cell (a full row may have one too).
    if frame.height and frame.select((pl.col(last).is_null() | (pl.col(last) == "")).any()).item():
        short = _short_row(path, frame.width, skip)
        if short is not None:
            raise InputError([short])
    return _with_rows(frame, skip + 2)


def _csv_header(path: Path, skip: int = 0) -> list[str]:
    import csv

    with open(path, "rb") as fh:
        head = fh.read(1 << 20)
    text = decode(head, str(path)) if head else ""
    return next((r for i, r in enumerate(csv.reader(io.StringIO(text))) if i == skip), [])


def _duplicate(headers: list[str]) -> str | None:
    seen = set()
    for h in headers:
        key = h.strip().replace("\ufeff", "")
        if key in seen:
            return key
        seen.add(key)
    return None


def _short_row(path: Path, width: int, skip: int = 0) -> Problem | None:
    """The first row with fewer fields than the header, as a problem naming it."""
    import csv

    data = path.read_bytes()
    if b'"' not in data:  # no quoted field: count the commas of each line with numpy
        raw = np.frombuffer(data, dtype=np.uint8)
        ends = np.flatnonzero(raw == 10)
        if not data.endswith(b"\n"):
            ends = np.append(ends, len(data))
        commas = np.flatnonzero(raw == 44)
        fields = np.diff(np.searchsorted(commas, ends), prepend=0) + 1
        starts = np.concatenate([[0], ends[:-1] + 1])
        blank = (ends - starts) <= 1  # an empty line, or a lone \r
        short = np.flatnonzero((fields < width) & ~blank)
        short = short[short > skip]  # line ``skip`` is the header, title lines come before it
        if not short.size:
            return None
    text = decode(data, str(path))
    rows = csv.reader(io.StringIO(text))
    for _ in range(skip + 1):
        next(rows, None)
    for n, row in enumerate(rows, start=skip + 2):
        if row and len(row) < width:
            return Problem(str(path), f"这一行有 {len(row)} 个字段，表头有 {width} 个（逗号多了或少了？）", row=n,
                           value=",".join(row)[:80])
    return None


def _utf8_header(path: Path) -> bool:
    with open(path, "rb") as fh:
        head = fh.read(1 << 16)
    line = head.split(b"\n", 1)[0] if b"\n" in head or len(head) < 1 << 16 else None
    if line is None:
        return False
    try:
        line.removeprefix(b"\xef\xbb\xbf").decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _csv_problem(path: Path, text: str, exc: Exception, skip: int = 0) -> Problem:
    """Name the first row whose number of fields differs from the header's, when that is the cause."""
    import csv

    rows = csv.reader(io.StringIO(text))
    for _ in range(skip):
        next(rows, None)
    width = len(next(rows, []))
    for n, row in enumerate(rows, start=skip + 2):
        if row and len(row) != width:
            return Problem(str(path), f"这一行有 {len(row)} 个字段，表头有 {width} 个（逗号多了或少了？）", row=n,
                           value=",".join(row)[:80])
    return Problem(str(path), f"无法读取这个 CSV 文件（{_first_line(exc)}）")
