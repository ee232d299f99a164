"""The portfolio: every table of projects, indicators, spending, evaluations and accountability.

Loading reads every cell as text, maps headers (Chinese or English) to canonical names, and converts
whole columns at once with polars expressions. Every problem is collected with file, sheet, row,
column and value before anything is raised, so a user sees all of them in one go.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import difflib
import io
import json
from collections.abc import Callable
from typing import TypeVar
from pathlib import Path

import attrs
import numpy as np
import polars as pl

from jixiao.core import money
from jixiao.core.errors import InputError, Problem
from jixiao.core.per_project import PIX, by_project, max_by_project, per_project, sum_by_project  # noqa: F401 (re-exported)
from jixiao.core.schema import BOOL, QUALITATIVE, TABLE_ALIASES, TABLES, Column, Table

ROW = "_row"  # the source row number (1-based, header is row 1) kept on every table
ROW_DTYPE = pl.UInt32  # four bytes a row: 12 M payments' row numbers take 47 MB, not 94
T = TypeVar("T")  # what a memoised computation returns (a frame or a series)
# A typed file's own ``pix`` column (jixiao's writers add it): kept under this name until loading has
# checked it against the project ids (``_checked_pix``), then used instead of looking every id up.
PIX_HINT = "_pix_in_file"
MAX_PER_COLUMN = 20  # problems listed per column before "and N more"
SHOWN_CHARS = 60  # characters of a cell quoted in a message; a longer value is cut (a 1 MB cell is not echoed)
NOT_A_DATE = "不是日期（可写 2024-03-01、2024/3/1 或 2024年3月1日）"
FULL_WIDTH_DIGITS = {chr(0xFF10 + i): str(i) for i in range(10)} | {"／": "/", "－": "-", "．": "."}
DECIMAL_DIGITS = 4  # indicator values are kept as integers scaled by 10**4
# Dates as people type them: 2024-03-01, 2024/3/1, 2024.3.1 and 2024年3月1日 are normalised to
# dashes and parsed once; 20240301 is parsed as it is.


# Columns derived once at load, so that no rule parses text: an indicator's numeric actual value.
DERIVED = {"indicators": {"actual_e4": pl.Int64}}


def frame_schema(table: Table) -> dict[str, pl.DataType]:
    """The converted schema of a table: money as ``<name>_fen``, scores as ``<name>_c``, etc."""
    out: dict[str, pl.DataType] = {ROW: ROW_DTYPE}
    for col in table.columns:
        out[converted_name(col)] = _DTYPES[col.kind]
    return out | DERIVED.get(table.name, {})


def _derived_exprs(name: str, columns: list[str]) -> list[pl.Expr]:
    if name == "indicators" and "actual_e4" not in columns:
        value, _ = decimal_e4_expr("actual")
        return [pl.when(pl.col("direction") == "qualitative").then(None).otherwise(value).alias("actual_e4")]
    return []


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


@attrs.frozen
class Origin:
    """Where a table came from, for error messages."""

    file: str
    sheet: str | None = None
    headers: dict[str, str] = attrs.field(factory=dict, eq=False)  # canonical → header as written
    units: dict[str, str] = attrs.field(factory=dict, eq=False)  # amount column → "wan" when written in 万元
    merged: dict[str, tuple[tuple[int, int], ...]] = attrs.field(factory=dict, eq=False)  # header → merged row spans

    def header(self, column: str) -> str:
        return self.headers.get(column, column)


@attrs.frozen
class Portfolio:
    """Every table of a portfolio, converted, validated and immutable."""

    projects: pl.DataFrame
    indicators: pl.DataFrame
    spending: pl.DataFrame
    evaluations: pl.DataFrame
    accountability: pl.DataFrame
    origins: dict[str, Origin] = attrs.field(factory=dict)
    warnings: tuple[Problem, ...] = ()
    # Aggregates that depend on these tables alone, shared by several packs run over them; only a
    # portfolio made by ``shared`` has one (see ``memo``).
    _memo: dict | None = attrs.field(default=None, eq=False, repr=False, alias="_memo")

    def table(self, name: str) -> pl.DataFrame:
        return getattr(self, name)

    def __len__(self) -> int:
        return self.projects.height

    @classmethod
    def from_frames(cls, frames: dict[str, pl.DataFrame], origins: dict[str, Origin] | None = None,
                    warnings: tuple[Problem, ...] = ()) -> Portfolio:
        tables = {}
        for name, table in TABLES.items():
            schema = frame_schema(table)
            df = frames.get(name)
            if df is None:
                tables[name] = pl.DataFrame(schema=schema | {PIX: pl.UInt32})
                continue
            # Columns a producer leaves out take the column's default, as in a file that omits them.
            missing = [pl.lit(c.default, dtype=_DTYPES[c.kind]).alias(converted_name(c))
                       for c in table.columns if converted_name(c) not in df.columns]
            df = df.with_columns(missing)
            tables[name] = df.with_columns(_derived_exprs(name, df.columns)).select(
                [pl.col(c).cast(t) for c, t in schema.items()] + ([pl.col(PIX)] if PIX in df.columns else []))
        if PIX not in tables["projects"].columns:
            tables, orphans = index_tables(tables)
            if orphans:
                name, rows = next(iter(orphans.items()))
                raise ValueError(f"{name}: project id {rows['project_id'][0]!r} is not in the projects table")
        return cls(**tables, origins=origins or {}, warnings=warnings)

    def memo(self, key: tuple, compute: Callable[[], T]) -> T:
        """``compute()``; on a portfolio made by ``shared``, once per key. The key names the
        computation and every argument it depends on; the computation reads the tables and nothing
        else (no fact a rule produced), so its result is the same under every pack. A comparison of
        six packs thus scores indicators or sums payments once, not six times."""
        if self._memo is None:
            return compute()
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    def shared(self) -> Portfolio:
        """The same tables, with a memo that runs over them share (``compare`` uses it)."""
        return attrs.evolve(self, _memo={})

    def frozen_view(self) -> Portfolio:
        """Shallow copies of every table, handed to plugins: a plugin that mutates a frame in place
        (``insert_column`` and the like) changes only its own copy, never the core's."""
        return attrs.evolve(self, **{name: self.table(name).clone() for name in TABLES})

    def as_of_view(self, day: dt.date) -> Portfolio:
        """The portfolio as it stood on ``day``: payments after it are not known yet (used to replay
        a year month by month)."""
        return attrs.evolve(self, spending=self.spending.filter(pl.col("date") <= day), _memo=None)

    def until(self, day: dt.date) -> tuple[Portfolio, int]:
        """The portfolio as it was on ``day`` and how many payments dated after it were left out. A
        project with payments in the spending table has spent the sum of those made by that day
        (0 when all came later), not the spent column of a later export."""
        late = self.spending.filter(pl.col("date") > day)
        if late.height == 0:
            return self, 0
        kept = self.spending.filter(pl.col("date") <= day)
        n = self.projects.height
        paid = sum_by_project(kept.lazy(), n, _paid=pl.col("amount_fen"))["_paid"]
        has = sum_by_project(self.spending.lazy(), n, _n=pl.lit(1, pl.Int64))["_n"].is_not_null()
        spent = pl.DataFrame({"_p": paid, "_h": has}).select(
            pl.when(pl.col("_h")).then(pl.col("_p").fill_null(0)).otherwise(None))["_p"]
        projects = self.projects.with_columns(
            pl.when(spent.is_not_null()).then(spent).otherwise(pl.col("spent_fen")).alias("spent_fen"))
        return attrs.evolve(self, projects=projects, spending=kept, _memo=None), late.height

    def subset(self, project_ids: list[str]) -> Portfolio:
        """The same portfolio restricted to some projects (the single-project path of explain),
        indexed afresh: ``pix`` is again each project's position in the smaller projects table."""
        keep = pl.Series(project_ids, dtype=pl.String)
        positions = sorted(self.projects.filter(pl.col("project_id").is_in(keep.implode()))[PIX].to_list())
        return self.take(positions)

    def pix_index(self) -> dict[str, np.ndarray]:
        """Each table's ``pix`` as one contiguous numpy array, for ``take``: a table read in several
        chunks would otherwise be copied into one at every call."""
        return {name: np.ascontiguousarray(self.table(name)[PIX].to_numpy()) for name in TABLES if name != "projects"}

    def take(self, positions: list[int], index: dict[str, np.ndarray] | None = None) -> Portfolio:
        """The projects at these positions (ascending ``pix``), every table sliced by binary search
        on its sorted ``pix``: the cost does not grow with the portfolio. ``index`` is
        ``pix_index()``, when taking many times from one portfolio."""
        wanted = np.asarray(positions, dtype=np.uint32)  # the type of pix: numpy would copy the table to compare others
        frames = {"projects": _renumbered(self.projects[positions], np.arange(len(wanted), dtype=np.uint32))}
        for name in TABLES:
            if name == "projects":
                continue
            table = self.table(name)
            pix = index[name] if index is not None else table[PIX].to_numpy()
            lo, hi = np.searchsorted(pix, wanted, "left"), np.searchsorted(pix, wanted, "right")
            counts = hi - lo
            if len(wanted) == 1:
                part = table.slice(int(lo[0]), int(counts[0]))
            else:  # the rows of every wanted project, in order, as one gather
                part = table[np.repeat(lo - np.cumsum(counts) + counts, counts) + np.arange(counts.sum())]
            frames[name] = _renumbered(part, np.repeat(np.arange(len(wanted), dtype=np.uint32), counts))
        return attrs.evolve(self, **frames, _memo=None)

    def check_as_of(self, as_of: dt.date) -> None:
        """Spending dated after the as-of date cannot be known yet: an input error."""
        late = self.spending.filter(pl.col("date") > as_of)
        if late.height:
            origin = self.origins.get("spending", Origin("spending"))
            found = [Problem(origin.file, f"支付日期晚于基准日期 {as_of}", origin.sheet,
                             r[ROW], origin.header("date"), str(r["date"]))
                     for r in late.head(MAX_PER_COLUMN).iter_rows(named=True)]
            if late.height > MAX_PER_COLUMN:
                found.append(_more(origin.file, late.height - MAX_PER_COLUMN, origin.sheet, origin.header("date")))
            raise InputError(found)


# ---------------------------------------------------------------------------------------------
# Reading files into raw text tables


# The unit of amounts under a header that states none (``预算金额``): None reads them as 元 after the
# plausibility check (``_unit_problems``); "yuan" or "wan" is the user's statement (``--amounts-in``).
AMOUNTS_IN: contextvars.ContextVar[str | None] = contextvars.ContextVar("amounts_in", default=None)
UNIT_NAMES = {"元": "yuan", "yuan": "yuan", "万元": "wan", "wan": "wan"}
# Below 1 万元 in every row, amounts under a header with no unit are more likely 万元 than 元.
PLAUSIBLE_MIN_FEN = 10_000 * money.FEN_PER_YUAN


def load_portfolio(path: str | Path, amounts_in: str | None = None) -> Portfolio:
    """Load a portfolio from CSV, a folder of CSV/Parquet files, XLSX, JSON or Parquet.
    ``amounts_in`` ("元"/"万元"; default ``AMOUNTS_IN``) is the unit of amount columns whose header
    states no unit."""
    path = Path(path)
    if not path.exists():
        raise InputError([Problem(str(path), "找不到该文件或文件夹")])
    warnings: list[Problem] = []
    raws = _read_raw(path, warnings)
    return _convert(raws, warnings, amounts_in or AMOUNTS_IN.get())


@attrs.frozen
class _Raw:
    table: str
    frame: pl.DataFrame  # all String columns, plus ROW (typed columns when ``typed``)
    origin: Origin
    typed: bool = False  # a Parquet file in jixiao's own typed form: canonical names and types
    unit: str | None = None  # "yuan"/"wan": the unit a row above a sheet's header states (单位：万元)


def _read_raw(path: Path, warnings: list[Problem] | None = None) -> list[_Raw]:
    suffix = path.suffix.lower()
    if path.is_dir():
        return _read_dir(path, warnings)
    if suffix == ".csv":
        return [_csv_raw(path, "projects", warnings)]
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path, warnings)
    if suffix == ".xls":
        return _read_xls(path, warnings)
    if suffix in (".et", ".wps", ".ods", ".numbers"):
        raise InputError([Problem(str(path), "这种表格格式不能读取：请在 WPS 或 Excel 中打开，另存为 .xlsx（Excel 工作簿）",
                                  value=suffix)])
    if suffix == ".json":
        return _read_json(path)
    if suffix == ".parquet":
        return [_parquet_raw("projects", path)]
    raise InputError([Problem(str(path), "无法识别的文件格式：请使用 .csv、.xlsx、.xls、.json、.parquet，"
                                         "或放有以表名命名的 .csv/.parquet 文件的文件夹",
                              value=suffix)])


def _read_dir(path: Path, warnings: list[Problem] | None = None) -> list[_Raw]:
    raws, problems = [], []
    for file in sorted(path.iterdir()):
        if file.suffix.lower() not in (".csv", ".parquet"):
            continue
        table = TABLE_ALIASES.get(file.stem)
        if table is None:
            problems.append(Problem(str(file), "文件名不是表名；应为以下之一："
                                    + "、".join(f"{t}.csv（{TABLES[t].zh}.csv）" for t in TABLES), value=file.stem))
            continue
        if file.suffix.lower() == ".csv":
            raws.append(_csv_raw(file, table, warnings))
        else:
            raws.append(_parquet_raw(table, file))
    if problems:
        raise InputError(problems)
    if not any(r.table == "projects" for r in raws):
        raise InputError([Problem(str(path), "文件夹中没有项目表（projects.csv、项目.csv 或 projects.parquet）")])
    return raws


def decode(data: bytes, file: str) -> str:
    """UTF-8 (with or without BOM) or GBK/GB18030, which Excel in China often writes."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        first_bad = exc.start  # where the text stops being UTF-8: the line to look at in a mixed file
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        line = data[:first_bad].count(b"\n") + 1
        raise InputError([Problem(file, f"文件既不是 UTF-8 也不是 GBK/GB18030 编码的文本：第 {line} 行有不是 UTF-8 的字节"
                                        "（一个文件里混用了两种编码？）；请用同一种编码（UTF-8）另存",
                                  row=line)]) from None


def _csv_raw(path: Path, table: str, warnings: list[Problem] | None) -> _Raw:
    """A CSV file as a raw table: title rows above its header skipped, a unit they state kept."""
    skip, unit, notes = _csv_title_rows(path, TABLES[table])
    frame = _read_csv(path, skip)
    if warnings is not None:
        warnings.extend(notes)
    return _Raw(table, frame, Origin(str(path)), unit=unit)


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


def _parquet_raw(table: str, path: Path) -> _Raw:
    """A Parquet file is either text like a CSV file, or jixiao's typed form (``is_typed``)."""
    try:
        frame = pl.read_parquet(path)
    except Exception as exc:  # polars raises several kinds for a damaged file
        raise InputError([Problem(str(path), f"无法读取这个 Parquet 文件（{_first_line(exc)}）")]) from None
    _check_reserved(frame.columns, Origin(str(path)))
    if is_typed(TABLES[table], frame.columns):
        return _Raw(table, _with_rows(frame), Origin(str(path)), typed=True)
    return _Raw(table, _with_rows(frame.select(_as_text(c, frame.schema[c]) for c in frame.columns)), Origin(str(path)))


def is_typed(table: Table, columns: list[str]) -> bool:
    """Typed form: only canonical converted names, including at least one integer-scaled number
    (``budget_fen``, ``score_c``, ``target_e4``) or ``pix`` — a text file names those columns
    differently and has no ``pix``."""
    names = set(frame_schema(table)) | {PIX}  # pix: see PIX_HINT
    scaled = {converted_name(c) for c in table.columns if c.kind in ("money", "score", "decimal")}
    # jixiao's writers add pix to every table but projects, which no text file has: it marks the
    # typed form of a table without scaled numbers (accountability).
    return bool(columns) and set(columns) <= names and bool(set(columns) & (scaled | {PIX}))


def _convert_typed(table: Table, raw: _Raw, problems: list[Problem]) -> pl.DataFrame | None:
    """Check a typed table column by column — types, required values, vocabularies, ranges — without
    parsing text: the fast path for large portfolios."""
    file, frame = raw.origin.file, raw.frame
    exprs, checks = [pl.col(ROW)], []
    for col in table.columns:
        name = converted_name(col)
        dtype = _DTYPES[col.kind]
        if name not in frame.columns:
            if col.required:
                problems.append(Problem(file, f"缺少必填列 {name}", column=name))
            exprs.append(pl.lit(col.default, dtype=dtype).alias(name))
            continue
        if frame.schema[name] != dtype:
            problems.append(Problem(file, f"列的类型是 {frame.schema[name]}，应为 {dtype}", column=name))
            continue
        exprs.append(pl.col(name))
        c = pl.col(name)
        if col.required:
            checks.append((name, c.is_null(), "必须填写"))
        if col.kind == "enum":
            checks.append((name, c.is_not_null() & ~c.is_in(sorted(set(col.choices.values()))),
                           f"不是允许的值之一（{', '.join(sorted(set(col.choices.values())))}）"))
        elif col.kind == "money":
            checks.append((name, (c < 0).fill_null(False), "金额为负数"))
        elif col.kind == "score":
            checks.append((name, ((c < 0) | (c > 100_00)).fill_null(False), "不是 0 到 10000 之间的得分（以 0.01 分计）"))
    for name, dtype in DERIVED.get(table.name, {}).items():
        if name in frame.columns:
            if frame.schema[name] != dtype:
                problems.append(Problem(file, f"列的类型是 {frame.schema[name]}，应为 {dtype}", column=name))
            exprs.append(pl.col(name))
    if table.name != "projects" and frame.schema.get(PIX) == pl.UInt32:
        exprs.append(pl.col(PIX).alias(PIX_HINT))  # written by jixiao; used only if it checks out
    if any(p.file == file and p.severity == "error" for p in problems):
        return None
    typed = frame.select(exprs)
    # How many rows fail each check, in one lazy pass; the failing rows are read only when there are some.
    counts = (frame.lazy().select(e.sum().alias(f"bad{i}") for i, (_, e, _) in enumerate(checks)).collect().row(0)
              if checks else ())
    for (name, bad, why), count in zip(checks, counts):
        if not count:
            continue
        for r, value in frame.lazy().filter(bad).select(ROW, name).head(MAX_PER_COLUMN).collect().iter_rows():
            problems.append(Problem(file, why, raw.origin.sheet, r, name, None if value is None else _shown(str(value))))
        if count > MAX_PER_COLUMN:
            problems.append(_more(file, count - MAX_PER_COLUMN, raw.origin.sheet, name))
    return typed


def _as_text(name: str, dtype: pl.DataType) -> pl.Expr:
    if dtype == pl.Date:
        return pl.col(name).dt.strftime("%Y-%m-%d")
    return pl.col(name).cast(pl.String)


XLSX_MAX_CELLS = 40_000_000  # a sheet's cell grid, rows × columns, read at most (about 1.3 GB)
HEADER_SEARCH_ROWS = 15  # rows searched for the header (title and unit rows come above it)
# A row above the header that states the unit of the amounts: 单位：万元, 金额单位:元, (单位：万元).
UNIT_ROW = r"单位\s*[:：]\s*(万元|元)"
# What a total row says in its id or name cell (spaces removed): it is not a project.
TOTAL_LABELS = ("合计", "总计", "累计", "总合计")


def _xlsx_problem(path: Path, head: bytes) -> Problem:
    """Why a file named .xlsx is not a workbook, in a user's words."""
    name = path.name
    if not head:
        return Problem(str(path), "文件是空的")
    if name.startswith("~$"):
        return Problem(str(path), "这是 Excel 打开工作簿时生成的锁定文件（名称以 ~$ 开头），不是工作簿；"
                                  "请指定工作簿本身（去掉 ~$ 的文件名）")
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return Problem(str(path), "这是设有密码（加密）的工作簿，无法读取：请在 Excel 中打开，"
                                  "取消密码（文件 → 信息 → 保护工作簿）后另存为 .xlsx")
    if head.startswith(b"PK"):
        return Problem(str(path), "工作簿已损坏或不完整（下载中断？）：请重新下载，或在 Excel 中打开后重新保存为 .xlsx")
    return Problem(str(path), "这不是 XLSX 工作簿（不是 zip 压缩包：是改了扩展名的 CSV 或其他文件？）；"
                              "请提供工作簿本身，或把 CSV 文件命名为 .csv")


def _is_xls_cfb(path: Path) -> bool:
    """Whether a CFB file is an old .xls workbook (a ``Workbook`` or ``Book`` stream and no
    encryption). An OOXML workbook saved with a password is a CFB file holding an
    ``EncryptedPackage`` stream instead."""
    with open(path, "rb") as fh:
        data = fh.read(1 << 20)
    if any(n.encode("utf-16-le") in data for n in ("EncryptedPackage", "EncryptionInfo")):
        return False
    return any(n.encode("utf-16-le") + b"\0\0" in data for n in ("Workbook", "Book"))


def _xlsx_sheets(path: Path) -> dict[str, str | None]:
    """Each sheet's name → its XML part in the zip, read from the workbook's index, without loading
    any cell."""
    import html
    import re
    import zipfile

    head = b""
    try:
        with open(path, "rb") as fh:
            head = fh.read(8)
        with zipfile.ZipFile(path) as z:
            book = z.read("xl/workbook.xml").decode("utf-8", "replace")
            rels = z.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace")
            names = set(z.namelist())
    except (zipfile.BadZipFile, KeyError, OSError, EOFError, ValueError):
        raise InputError([_xlsx_problem(path, head)]) from None
    targets = {}
    for rel in re.findall(r"<Relationship\b[^>]*>", rels):
        rid, target = re.search(r'\bId="([^"]*)"', rel), re.search(r'\bTarget="([^"]*)"', rel)
        if rid and target:
            t = target.group(1)
            targets[rid.group(1)] = t.lstrip("/") if t.startswith("/") else "xl/" + t
    out = {}
    for tag in re.findall(r"<(?:\w+:)?sheet\b[^>]*>", book):
        name, rid = re.search(r'\bname="([^"]*)"', tag), re.search(r'\br:id="([^"]*)"', tag)
        if name:
            part = targets.get(rid.group(1)) if rid else None
            out[html.unescape(name.group(1))] = part if part in names else None
    return out


@attrs.frozen
class _Scan:
    """What a sheet's XML says about its cells, found without loading them."""

    rows: int  # an upper bound of the grid the reader builds: rows × columns
    columns: int
    first: tuple[int, int] | None  # (row, column) of the first cell with a value (1-based), when every cell has r="…"
    merged: tuple[tuple[int, int, int, int], ...] = ()  # (row1, col1, row2, col2) of each merged range

    @property
    def cells(self) -> int:
        return self.rows * self.columns

    def ref(self) -> str:
        return f"A1:{_column_letters(self.columns)}{self.rows}"


def _column_letters(n: int) -> str:
    out = ""
    while n > 0:
        n, rest = divmod(n - 1, 26)
        out = chr(65 + rest) + out
    return out or "A"


def _column_number(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


_NAME_END = np.zeros(256, dtype=bool)  # bytes that end an element's name: space, tab, newlines, ">" and "/"
_NAME_END[[32, 9, 10, 13, 62, 47]] = True
# Row d: the place values of a d-digit number's digits (10**(d-1) … 1), zero past its last digit.
_DIGIT_WEIGHTS = np.array([[10 ** (d - 1 - k) if k < d else 0 for k in range(9)] for d in range(10)], dtype=np.int64)


def _largest_number(digits: np.ndarray, ndig: np.ndarray, nlet: np.ndarray) -> int:
    """The largest of the row numbers whose digits (minus "0") are ``digits``' rows, ``ndig`` long:
    those with the most digits compared as big-endian bytes (no per-reference arithmetic)."""
    if (ndig > 8).any() or (nlet > 3).any():
        return 1 << 40  # a reference no sheet has: refused
    most = int(ndig.max())
    if most == 0:
        return 0
    longest = np.ascontiguousarray(digits[ndig == most, :8])
    longest[:, most:] = 0
    top = longest.view(">u8").max()
    return int("".join(str(b) for b in int(top).to_bytes(8, "big")[:most]))


def _scan_sheet(z, part: str) -> _Scan:
    """The grid a sheet's cells span, from its XML read a chunk at a time, whatever its declared
    ``<dimension>`` says (a forged one may claim A1:B2 over a cell at XFD1048576). The reader places a
    cell by its ``r="C12"`` reference; a cell without one follows the previous cell of its row, a row
    without one follows the previous row: the bound counts those too, so it is never below the grid
    the reader allocates. Vectorised (numpy over the bytes): a fraction of the reader's own time."""
    import re

    big = 1 << 40
    max_row = max_col = 0
    rowless = 0  # rows without r="…"
    cells_without_r = 0
    widest_free = 0  # most cells without r="…" in one row
    carry = 0  # cells without r="…" in the row still open at the end of the previous chunk
    first = None
    merged: list[tuple[int, int, int, int]] = []
    prefix = b""
    tail = b""
    started = False
    with z.open(part) as sheet:
        while True:
            chunk = sheet.read(1 << 24)
            data = tail + chunk
            if not data:
                break
            if chunk:
                cut = data.rfind(b"<")
                data, tail = (data[:cut], data[cut:]) if cut > 0 else (data, b"")
            else:
                tail = b""
            if not started:
                m = re.search(rb"<(\w+:)?worksheet\b", data)
                prefix = m.group(1) or b"" if m else b""
                started = True
            if b"mergeCell" in data:
                for r1c, r1, r2c, r2 in re.findall(rb'<(?:\w+:)?mergeCell\s+ref="([A-Z]{1,3})(\d{1,7}):([A-Z]{1,3})(\d{1,7})"', data):
                    merged.append((int(r1), _column_number(r1c.decode()), int(r2), _column_number(r2c.decode())))
            a = np.frombuffer(data + b"\0" * 24, dtype=np.uint8)
            lt = np.flatnonzero(a[:len(data)] == 60)
            n = 1 + len(prefix)  # offset of the element name after "<"
            name = np.lib.stride_tricks.sliding_window_view(a, 4)[lt + n]  # the element's first 4 bytes
            ends = _NAME_END[name[:, 1]]
            is_c = (name[:, 0] == 99) & ends
            is_row = (name[:, 0] == 114) & (name[:, 1] == 111) & (name[:, 2] == 119) & _NAME_END[name[:, 3]]
            sp = a[:len(data)]
            # r="…" as an element's first attribute, as spreadsheet programs write it: looked at only
            # there. Elements whose first attribute is another have r="…" searched for anywhere in
            # the chunk: its element is the last "<" before it (no "<" may stand in a value).
            tags = np.flatnonzero(is_c | is_row)
            at = lt[tags] + n + np.where(is_c[tags], 1, 3)
            first_r = ((a[at] <= 32) & (a[at + 1] == 114) & (a[at + 2] == 61) & ((a[at + 3] == 34) | (a[at + 3] == 39)))
            rp, owner = at[first_r], tags[first_r]
            if not first_r.all():
                every = np.flatnonzero(sp == 114)
                every = every[(every > 0) & (every < len(sp) - 2)]
                every = every[(sp[every - 1] <= 32) & (sp[every + 1] == 61) & ((sp[every + 2] == 34) | (sp[every + 2] == 39))] - 1
                whose = np.searchsorted(lt, every) - 1
                ok = whose >= 0
                every, whose = every[ok], whose[ok]
                other = (is_c[whose] | is_row[whose]) & ~np.isin(whose, owner)
                rp, owner = np.concatenate([rp, every[other]]), np.concatenate([owner, whose[other]])
            win = np.lib.stride_tricks.sliding_window_view(a, 12)[rp + 4]  # 12 bytes after each r="
            lower = (win >= 97) & (win <= 122)
            win = np.where(lower, win - np.uint8(32), win)  # the reader takes xfd1 for XFD1
            letter = (win >= 65) & (win <= 90)
            nlet = np.where(letter.all(axis=1), 12, np.argmin(letter, axis=1))
            col = np.zeros(len(rp), dtype=np.int64)
            for k in range(3):
                col = np.where(nlet > k, col * 26 + (win[:, k].astype(np.int64) - 64), col)
            col = np.where(nlet > 3, big, col)
            # The digits after the letters: up to 8 read (more is a row no sheet has).
            digits = np.lib.stride_tricks.sliding_window_view(a, 9)[rp + 4 + np.minimum(nlet, 4)] - np.uint8(48)
            isdigit = digits <= 9  # bytes below "0" wrap around to large values
            ndig = np.where(isdigit.all(axis=1), 9, np.argmin(isdigit, axis=1))
            cell_ref = is_c[owner]
            if rp.size:
                max_row = max(max_row, _largest_number(digits, ndig, nlet))
            if cell_ref.any():
                max_col = max(max_col, int(col[cell_ref].max()))
            # Elements without r="…": rows counted, cells counted per row.
            has_r = np.zeros(len(lt), dtype=bool)
            has_r[owner] = True
            rowless += int((is_row & ~has_r).sum())
            free = np.flatnonzero(is_c & ~has_r)
            if free.size:
                cells_without_r += free.size
                row_tags = np.flatnonzero(is_row)
                group = np.searchsorted(row_tags, free)  # 0: the row open before this chunk
                counts = np.bincount(group, minlength=len(row_tags) + 1)
                counts[0] += carry
                widest_free = max(widest_free, int(counts.max()))
                carry = int(counts[-1]) if len(row_tags) else counts[0]
            elif (is_row).any():
                carry = 0
            if first is None and cell_ref.any():
                # The first cell holding a value: an element not closed by "/>" at once.
                starts = lt[owner[cell_ref]]
                gt = np.flatnonzero(sp == 62)
                ends = gt[np.minimum(np.searchsorted(gt, starts), len(gt) - 1)]
                filled = sp[ends - 1] != 47
                if filled.any():
                    hits = np.flatnonzero(cell_ref)[np.flatnonzero(filled)]
                    rows_ = (digits[hits].astype(np.int64) * _DIGIT_WEIGHTS[ndig[hits]]).sum(axis=1)
                    first = (int(rows_.min()), int(col[hits].min()))
            if not chunk:
                break
    if cells_without_r:
        first = None
    return _Scan(max(max_row + rowless, 1), max(max_col + widest_free, 1), first, tuple(merged))


def _read_xlsx(path: Path, warnings: list[Problem] | None = None) -> list[_Raw]:
    """The sheets named after tables, and only those: the others are listed, not loaded (a single
    sheet with another name is read as the projects table when its header has the project columns).
    Every sheet read is scanned first, and refused when its cells span more than ``XLSX_MAX_CELLS``."""
    import zipfile

    with open(path, "rb") as fh:
        head = fh.read(8)
    if head.startswith(b"\xd0\xcf\x11\xe0") and not path.name.startswith("~$") and _is_xls_cfb(path):
        return _read_xls(path, warnings, path.read_bytes())  # an .xls workbook renamed .xlsx
    sheets = _xlsx_sheets(path)
    plan, problems = _plan_sheets(path, list(sheets))
    scans = {}
    with zipfile.ZipFile(path) as z:
        for sheet, _table, _guess in plan:
            part = sheets[sheet]
            if part is None:
                continue
            scan = _scan_sheet(z, part)
            if scan.cells > XLSX_MAX_CELLS:
                raise InputError([Problem(str(path), f"工作表的单元格范围 {scan.ref()} 共 {scan.cells:,} 个单元格，超过 "
                                                     f"jixiao 读取的上限（{XLSX_MAX_CELLS:,}）：请删除远处的单元格"
                                                     "（Ctrl+End 可定位到最后一个），或把这张表另存为 CSV", sheet=sheet)])
            scans[sheet] = scan
    return _read_book(path, plan, problems, scans, warnings)


def _read_xls(path: Path, warnings: list[Problem] | None = None, data: bytes | None = None) -> list[_Raw]:
    """An Excel 97–2003 workbook (.xls), read by the same reader; its grid is at most 65 536 × 256.
    ``data``: the file's bytes, for an .xls file named .xlsx (the reader goes by the extension)."""
    import fastexcel

    try:
        names = fastexcel.read_excel(data if data is not None else str(path)).sheet_names
    except Exception:
        with open(path, "rb") as fh:
            head = fh.read(8)
        why = ("文件是空的" if not head else
               "无法读取这个 .xls 工作簿（设有密码，或已损坏）：请在 Excel 或 WPS 中打开，另存为不设密码的 .xlsx")
        raise InputError([Problem(str(path), why)]) from None
    plan, problems = _plan_sheets(path, names)
    return _read_book(path, plan, problems, {}, warnings, data)


def _plan_sheets(path: Path, names: list[str]) -> tuple[list[tuple[str, str, bool]], list[Problem]]:
    """(sheet, table, guessed) for each sheet to read, and warnings for the others. ``guessed``: the
    workbook has no sheet named 项目/projects and this is its one sheet with another name (Sheet1),
    read as projects if its header has the project columns."""
    known = "、".join(f"{t.zh}（{t.name}）" for t in TABLES.values())
    wanted, others, problems = [], [], []
    for sheet in names:
        table = TABLE_ALIASES.get(sheet.strip())
        if table is None:
            others.append(sheet)
        else:
            wanted.append((sheet, table, False))
    if not any(t == "projects" for _, t, _ in wanted):
        if len(others) != 1:
            found = "、".join(names) or "无"
            raise InputError([Problem(str(path), f"工作簿中没有名为“项目”（projects）的工作表（现有工作表：{found}）；"
                                                 "请把项目表所在的工作表改名为“项目”")])
        wanted.insert(0, (others.pop(), "projects", True))
    for sheet in others:
        close = difflib.get_close_matches(sheet.strip(), list(TABLE_ALIASES), n=1, cutoff=0.4)
        hint = f"是否想写“{close[0]}”？" if close else ""
        problems.append(Problem(str(path), f"未读取这张工作表：名称不是表名；{hint}（表名可以是：{known}）",
                                sheet=sheet, severity="warning"))
    return wanted, problems


def _read_book(path: Path, plan: list[tuple[str, str, bool]], problems: list[Problem], scans: dict[str, _Scan],
               warnings: list[Problem] | None, data: bytes | None = None) -> list[_Raw]:
    import re

    import fastexcel

    try:
        book = fastexcel.read_excel(data if data is not None else str(path))
        grids = {sheet: book.load_sheet(sheet, header_row=None, dtypes="string").to_polars() for sheet, _, _ in plan}
    except Exception as exc:
        line = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        detail = _shown(re.sub(r"^(calamine error: )?(Xlsx|Xls|Xlsb|Ods) error: ", "", line))
        raise InputError([Problem(str(path), "工作簿的内容已损坏，无法读取：请在 Excel 中打开后重新保存为 .xlsx"
                                             f"（读取器的说明：{detail}）")]) from None
    raws = []
    for sheet, table, guessed in plan:
        scan = scans.get(sheet)
        raw, notes = _sheet_raw(path, book, sheet, TABLES[table], grids[sheet], scan)
        if guessed:
            names = set(_map_headers(TABLES["projects"], list(raw.frame.columns))[0].values())
            needed = [c for c in TABLES["projects"].columns if c.required and c.name not in names]
            if needed:
                raise InputError([Problem(str(path), "工作簿中没有名为“项目”（projects）的工作表（现有工作表："
                                                     f"{'、'.join(s for s, _, _ in plan)}），这张表的表头也没有项目表的列"
                                                     f"（缺少 {'、'.join(c.zh for c in needed)}）；请把项目表所在的工作表改名为“项目”",
                                          sheet=sheet)])
            notes.append(Problem(str(path), "工作簿中没有名为“项目”的工作表；这是唯一的工作表，表头有项目表的列，"
                                            "按项目表读取", sheet=sheet, severity="warning"))
        problems.extend(notes)
        raws.append(raw)
    if warnings is not None:
        warnings.extend(problems)
    return raws


def _header_row_of(rows, table: Table) -> int:
    """The index of the row that is the header: of the first ``HEADER_SEARCH_ROWS``, the first with
    the most cells that are this table's headers (at least two); 0 when none has two."""
    index = _header_index(table)
    best, at = 1, 0
    for i, row in zip(range(HEADER_SEARCH_ROWS), rows):
        hits = sum(1 for v in row if v is not None and _normalise_header(str(v)) in index)
        if hits > best:
            best, at = hits, i
    return at


def _title_rows_note(file: str, sheet: str | None, above: list, header_row: int) -> tuple[str | None, list[Problem]]:
    """The unit rows above a header state (单位：万元), and a warning that they are not data."""
    import re

    text = " ".join(str(v) for row in above for v in row if v is not None)
    stated = set(re.findall(UNIT_ROW, text.replace(" ", "")))
    if len(stated) > 1:
        raise InputError([Problem(file, f"表头上方写了两种单位（{'、'.join(sorted(stated))}）；请只保留一种", sheet=sheet)])
    unit = UNIT_NAMES[stated.pop()] if stated else None
    said = f"，其中写明了“单位：{'万元' if unit == 'wan' else '元'}”" if unit else ""
    n = len(above)
    return unit, [Problem(file, f"表头在第 {header_row} 行：上面 {n} 行（标题等{said}）不作为数据读取",
                          sheet=sheet, severity="warning")]


def _sheet_raw(path: Path, book, sheet: str, table: Table, grid: pl.DataFrame, scan: _Scan | None
               ) -> tuple[_Raw, list[Problem]]:
    """A sheet's grid (every cell as text, no header) as a raw table: the header row found (title and
    unit rows above it skipped, a stated unit kept), rows numbered as the spreadsheet shows them."""
    file, notes = str(path), []
    first_row, first_col = scan.first if scan is not None and scan.first else (1, 1)
    if grid.height == 0 or grid.width == 0:
        return _Raw(table.name, _with_rows(pl.DataFrame()), Origin(file, sheet)), notes
    h = _header_row_of(grid.head(HEADER_SEARCH_ROWS).iter_rows(), table)
    unit = None
    if h:
        unit, said = _title_rows_note(file, sheet, list(grid.head(h).iter_rows()), first_row + h)
        notes += said
    header = ["" if v is None else str(v).strip() for v in grid.row(h)]
    body = grid.slice(h + 1)
    rows = pl.int_range(first_row + h + 1, first_row + h + 1 + body.height, dtype=ROW_DTYPE, eager=True).alias(ROW)
    keep, names, seen = [], [], set()
    for i, name in enumerate(header):
        letter = _column_letters(first_col + i)
        if not name:
            if body.height and body[:, i].drop_nulls().str.strip_chars().ne("").any():
                notes.append(Problem(file, f"第 {letter} 列有数据但没有表头，未读取", sheet=sheet, column=letter,
                                     severity="warning"))
            continue
        if name in seen:
            raise InputError([Problem(file, "表头中这一列写了两次；请只保留一列", sheet=sheet, column=name)])
        seen.add(name)
        keep.append(i)
        names.append(name)
    _check_reserved(names, Origin(file, sheet))
    frame = pl.DataFrame([body[:, i].alias(n) for i, n in zip(keep, names)]) if keep else pl.DataFrame()
    frame = frame.select(pl.col(c).cast(pl.String).str.replace(r" 00:00:00(\.0+)?$", "") for c in frame.columns)
    frame = _exact_xlsx_amounts(file, book, sheet, frame, table, h, dict(zip(names, keep)))
    frame = pl.concat([rows.to_frame(), frame], how="horizontal") if frame.width else rows.to_frame()
    if frame.width > 1:  # empty rows (every cell empty) are dropped, keeping the others' row numbers
        frame = frame.filter(~pl.all_horizontal(pl.all().exclude(ROW).is_null()))
    merged = {}
    if scan is not None and scan.merged:
        for name, i in zip(names, keep):
            col = first_col + i
            spans = tuple((r1, r2) for r1, c1, r2, c2 in scan.merged if c1 <= col <= c2 and r2 > r1)
            if spans:
                merged[name] = spans
    return _Raw(table.name, frame, Origin(file, sheet, merged=merged), unit=unit), notes


def _check_reserved(columns: list[str], origin: Origin) -> None:
    if ROW in columns:
        raise InputError([Problem(origin.file, f"列名 {ROW} 是 jixiao 保留的名称；请给该列改名",
                                  origin.sheet, column=ROW)])


def _exact_xlsx_amounts(file: str, book, sheet: str, frame: pl.DataFrame, table: Table, header: int,
                        positions: dict[str, int]) -> pl.DataFrame:
    """A numeric cell read as text is formatted by the reader to fewer digits than it holds
    (99.99999999999 → "100", 412830.0000000001 → "412830"). In the amount columns, each numeric
    cell whose number differs from that text is given the number's own shortest text instead, so an
    amount that is not a whole number of fen is an error naming the cell, never rounded."""
    mapping, _, _ = _map_headers(table, frame.columns)
    heads = [h for h, name in mapping.items() if table.column(name).kind == "money"]
    if not heads or not frame.height:
        return frame
    idx = [positions[h] for h in heads]
    try:
        numbers = book.load_sheet(sheet, header_row=None, use_columns=idx, dtypes=dict.fromkeys(idx, "float")).to_polars()
    except Exception as exc:
        raise InputError([Problem(file, f"无法把金额读为数字（{_first_line(exc)}）", sheet)]) from None
    numbers = numbers.slice(header + 1)
    if numbers.height != frame.height or numbers.width != len(heads):
        raise InputError([Problem(file, "无法把数字金额与工作表的行对应起来", sheet)])
    exact = []
    for h, number in zip(heads, numbers.columns):
        text, value = pl.col(h).str.strip_chars(), numbers[number].cast(pl.Float64)
        plain = text.str.contains(r"^-?[0-9]+(\.[0-9]+)?$")
        differs = (plain & (text.cast(pl.Float64, strict=False) != value)).fill_null(False)
        exact.append(pl.when(differs).then(value.cast(pl.String)).otherwise(pl.col(h)).alias(h))
    return frame.with_columns(exact)


def _read_json(path: Path) -> list[_Raw]:
    text = decode(path.read_bytes(), str(path))
    if not text.strip():
        raise InputError([Problem(str(path), "文件是空的")])
    try:
        # Numbers stay text, so that 0.1 is read as exactly 0.1.
        doc = json.loads(text, parse_float=str, parse_int=str, object_pairs_hook=_unique_keys(str(path)))
    except json.JSONDecodeError as exc:
        raise InputError([Problem(str(path), f"JSON 格式错误：第 {exc.lineno} 行第 {exc.colno} 列（{exc.msg}）")]) from None
    except RecursionError:
        raise InputError([Problem(str(path), "对象或列表嵌套过深，无法读取")]) from None
    if isinstance(doc, list):
        doc = {"projects": doc}
    if not isinstance(doc, dict):
        raise InputError([Problem(str(path), "应为含 \"projects\"（项目）列表的对象")])
    doc = {k: v for k, v in doc.items() if k not in ("schema", "meta")}
    return records_to_raw(doc, str(path))


def _unique_keys(file: str):
    """A JSON object hook that refuses a key given twice in one object (json keeps the last)."""

    def hook(pairs: list[tuple[str, object]]) -> dict:
        out: dict = {}
        for k, v in pairs:
            if k in out:
                where = next((f"（在项目 {_shown(pid)!r} 的记录中）" for pid in (out.get("项目编码"), out.get("project_id"))
                              if isinstance(pid, str)), "")
                what = "表" if isinstance(v, list) and k in TABLE_ALIASES else "键"
                raise InputError([Problem(file, f"同一对象中{what} {_shown(k)!r} 写了两次{where}；请只保留一个",
                                          value=_shown(k))])
            out[k] = v
        return out

    return hook


def _cell(v: object) -> str | None:
    if v is None:
        return None
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (dt.date, dt.datetime)):
        return v.isoformat()
    return str(v)


def records_to_raw(doc: dict, file: str) -> list[_Raw]:
    """Tables given as lists of records (JSON documents, case files) as raw text tables."""
    raws, problems = [], []
    for key, records in doc.items():
        table = TABLE_ALIASES.get(key)
        if table is None or not isinstance(records, list):
            problems.append(Problem(file, "应为表名下的记录列表（表名见 docs/formats.md）",
                                    sheet=f"$.{_shown(key)}", value=_shown(key)))
            continue
        if not records and table != "projects":
            continue  # an empty list is a table without rows, as a header-only sheet
        columns: dict[str, list] = {}
        for i, rec in enumerate(records):
            if not isinstance(rec, dict):
                problems.append(Problem(file, "每条记录必须是一个对象（{...}）", sheet=f"$.{key}", row=i))
                continue
            for k in rec:
                columns.setdefault(k, [None] * i)
                if isinstance(rec[k], (list, dict)):
                    problems.append(Problem(file, "这里应是一个值，却是列表或对象", sheet=f"$.{key}",
                                            row=i, column=k, value=_shown(json.dumps(rec[k], ensure_ascii=False))))
            for k, values in columns.items():
                values.append(_cell(rec.get(k)))
        if ROW in columns:
            problems.append(Problem(file, f"列名 {ROW} 是 jixiao 保留的名称；请给该列改名",
                                    sheet=f"$.{key}", column=ROW))
            continue
        frame = pl.DataFrame(columns, schema={k: pl.String for k in columns})
        # Records are counted from 0, as in $.projects[0].
        raws.append(_Raw(table, frame.with_row_index(ROW).with_columns(pl.col(ROW).cast(ROW_DTYPE)),
                         Origin(file, f"$.{key}")))
    if problems:
        raise InputError(problems)
    if not any(r.table == "projects" for r in raws):
        raise InputError([Problem(file, "没有 \"projects\"（项目）列表")])
    for raw in raws:
        if raw.table == "projects" and raw.frame.width == 1:
            raise InputError([Problem(file, "表中没有数据行", sheet=raw.origin.sheet)])
    return raws


def portfolio_from_records(doc: dict, file: str, amounts_in: str | None = None) -> Portfolio:
    """A portfolio from ``{"projects": [...], ...}`` with the same checks as any file."""
    return _convert(records_to_raw(doc, file), amounts_in)


def _renumbered(frame: pl.DataFrame, pix) -> pl.DataFrame:
    """``frame`` (a copy) with its ``pix`` column replaced by these positions, flagged sorted."""
    frame = frame.clone()
    frame.replace_column(frame.get_column_index(PIX), pl.Series(PIX, pix, dtype=pl.UInt32).set_sorted())
    return frame


def _with_rows(frame: pl.DataFrame, first: int = 2) -> pl.DataFrame:
    # Header is row 1, so the first record is row 2, as a spreadsheet shows it (``first``: title rows above).
    return frame.select(pl.int_range(first, pl.len() + first, dtype=ROW_DTYPE).alias(ROW), pl.all())


# ---------------------------------------------------------------------------------------------
# Converting raw text tables into typed ones


def _convert(raws: list[_Raw], warnings: list[Problem] | None = None, amounts_in: str | None = None) -> Portfolio:
    unit = UNIT_NAMES.get(amounts_in) if amounts_in else None
    if amounts_in and unit is None:
        raise InputError([Problem("--amounts-in", "金额单位只能是 元 或 万元", value=amounts_in)])
    problems: list[Problem] = list(warnings or ())
    frames: dict[str, pl.DataFrame] = {}
    origins: dict[str, Origin] = {}
    for raw in raws:
        if raw.table in frames:
            problems.append(Problem(raw.origin.file, f"{TABLES[raw.table].zh}表（{raw.table}）给出了两次",
                                    raw.origin.sheet))
            continue
        stated = _stated_unit(raw, unit, problems)
        frame = (_convert_typed(TABLES[raw.table], raw, problems) if raw.typed
                 else _convert_table(TABLES[raw.table], raw, problems, stated))
        if frame is not None:
            frames[raw.table] = frame
            mapping, units = ({}, {}) if raw.typed else _map_headers(TABLES[raw.table], raw.frame.columns)[:2]
            units = {k: (u or stated or "yuan") for k, u in units.items() if TABLES[raw.table].column(k).kind == "money"}
            origins[raw.table] = attrs.evolve(raw.origin, headers={v: k for k, v in mapping.items()}, units=units)
    if not problems or all(p.severity == "warning" for p in problems):
        frames = _cross_checks(frames, origins, problems)
    errors = [_merged_hint(p, raws) for p in problems if p.severity == "error"]
    if errors:
        raise InputError(errors)
    frames = _derive(frames, "target_status" in _present_columns(raws, "projects"))
    return Portfolio.from_frames(frames, origins, tuple(p for p in problems if p.severity == "warning"))


def _stated_unit(raw: _Raw, amounts_in: str | None, problems: list[Problem]) -> str | None:
    """The unit of the table's amount columns whose header states none: ``--amounts-in``, or the
    unit a row above the sheet's header states (单位：万元). The two must agree, and a header that
    states a unit must agree with the row."""
    if raw.unit is None or raw.typed:
        return amounts_in
    zh = {"wan": "万元", "yuan": "元"}
    file, sheet = raw.origin.file, raw.origin.sheet
    if amounts_in is not None and amounts_in != raw.unit:
        problems.append(Problem(file, f"表头上方写明“单位：{zh[raw.unit]}”，但 --amounts-in 是 {zh[amounts_in]}："
                                      "请核对金额的单位，只保留一种说法", sheet))
        return amounts_in
    table = TABLES[raw.table]
    mapping, units, _ = _map_headers(table, raw.frame.columns)
    written = {h: n for h, n in mapping.items()}
    for h, name in written.items():
        if table.column(name).kind == "money" and units.get(name) not in ("", raw.unit):
            problems.append(Problem(file, f"表头上方写明“单位：{zh[raw.unit]}”，但这一列的表头写的是{zh[units[name]]}："
                                          "请核对金额的单位，只保留一种说法", sheet, column=h))
    unstated = [h for h, name in written.items() if table.column(name).kind == "money" and units.get(name) == ""]
    if unstated:
        problems.append(Problem(file, f"表头上方写明“单位：{zh[raw.unit]}”：未写单位的金额列（{'、'.join(unstated)}）"
                                      f"按{zh[raw.unit]}读取", sheet, severity="warning"))
    return raw.unit


def _merged_hint(problem: Problem, raws: list[_Raw]) -> Problem:
    """A problem at a cell inside a merged range (below its first cell, which alone holds the
    value) says so: an empty cell there is what merging leaves."""
    if problem.row is None or problem.column is None:
        return problem
    for raw in raws:
        o = raw.origin
        if o.merged and o.file == problem.file and o.sheet == problem.sheet:
            for r1, r2 in o.merged.get(problem.column, ()):
                if r1 < problem.row <= r2:
                    return attrs.evolve(problem, message=problem.message + f"；这个单元格在合并单元格（第 {r1}–{r2} 行）"
                                        "中，只有第一格有值：请取消合并，并把值填入每一行（向下填充）")
    return problem


def _present_columns(raws: list[_Raw], table: str) -> set[str]:
    for raw in raws:
        if raw.table == table:
            return set(raw.frame.columns) if raw.typed else set(_map_headers(TABLES[table], raw.frame.columns)[0].values())
    return set()


def _normalise_header(h: str) -> str:
    return h.strip().replace("\ufeff", "").replace("（", "(").replace("）", ")").replace(" ", "").lower()


def _header_index(table: Table) -> dict[str, tuple[str, str]]:
    """Normalised header → (canonical column, unit) where unit is 'yuan', 'wan' or ''. An amount
    header states 元 when it says (元) or is the English name (``budget``); one that states no unit
    (``预算金额``, ``金额``) has unit ''."""
    index = {}
    for col in table.columns:
        for h in col.headers():
            stated = col.kind == "money" and (h == col.name or h in col.elements or "(元)" in _normalise_header(h))
            index[_normalise_header(h)] = (col.name, "yuan" if stated else "")
        for h in col.wan_headers():
            index[_normalise_header(h)] = (col.name, "wan")
    return index


def _map_headers(table: Table, headers: list[str]) -> tuple[dict[str, str], dict[str, str], list[str]]:
    """(raw header → canonical, canonical → unit, unknown headers)."""
    index = _header_index(table)
    mapping, units, unknown = {}, {}, []
    for h in headers:
        if h == ROW:
            continue
        hit = index.get(_normalise_header(h))
        if hit is None:
            unknown.append(h)
        else:
            mapping[h] = hit[0]
            units[hit[0]] = hit[1]
    return mapping, units, unknown


def _missing_hint(col: Column, unknown: list[str]) -> str:
    """What to write for a missing column: its 万元 form for an amount, and which of the columns the
    table has but jixiao does not know (预算数(万元), 年初预算数（万元）, 预算金额（万）) looks like it."""
    hint = ""
    if col.kind == "money":
        hint = f"；金额以万元计时写作 {col.wan_headers()[1]}"
    unitless = {_normalise_header(h) for h in col.unitless}
    for h in unknown:
        if _normalise_header(h) in unitless:
            return (f"{hint}。表中的“{_shown(h)}”没有写明金额单位（填报表中通常以万元计）：请把表头改为 "
                    f"{col.wan_headers()[1]} 或 {col.zh}")
    accepted = [_normalise_header(h) for h in (*col.headers(), *col.wan_headers())]
    best, score = None, 0.6
    for h in unknown:
        ratio = max(difflib.SequenceMatcher(None, _normalise_header(h), a).ratio() for a in accepted)
        if ratio > score:
            best, score = h, ratio
    if best is not None:
        name = col.wan_headers()[1] if col.kind == "money" and "万" in best else col.zh
        hint += f"。表中的“{_shown(best)}”如果就是这一列，请把表头改为 {name}"
    return hint


def _total_rows(table: Table, text: pl.DataFrame) -> pl.Series | None:
    """The row numbers of rows whose id (or, for projects, name) says 合计/总计: a total row, not a
    project or a payment. None when there is none."""
    labels = [c for c in ("project_id", "name") if c in text.columns and (c == "project_id" or table.name == "projects")]
    if table.name not in ("projects", "spending") or not labels:
        return None
    said = [pl.col(c).str.replace_all(r"[\s\u3000:：]", "").is_in(list(TOTAL_LABELS)).fill_null(False) for c in labels]
    rows = text.filter(pl.any_horizontal(said))[ROW]
    return rows if rows.len() else None


def _check_totals(table: Table, typed: pl.DataFrame, totals: pl.Series, flagged: set[str], file: str,
                  sheet: str | None, headers: dict[str, str], units: dict[str, str], problems: list[Problem]) -> None:
    """A total row is skipped, with a warning, when each amount it holds equals the sum of the other
    rows' (an amount column with a bad cell cannot be summed: the row is then refused with the rest);
    otherwise it is an error saying what it looks like and what it should be."""
    money_cols = [c for c in table.columns if c.kind == "money" and c.name in headers]
    is_total = pl.col(ROW).is_in(totals.implode())
    rest = typed.filter(~is_total)
    for r in typed.filter(is_total).iter_rows(named=True):
        checked, wrong = [], []
        for c in money_cols:
            value = r[converted_name(c)]
            if value is None or c.name in flagged:
                continue
            total = rest[converted_name(c)].sum() or 0
            (checked if value == total else wrong).append((headers[c.name], value, total, units.get(c.name)))
        if checked and not wrong:
            problems.append(Problem(file, "这一行是合计行（" + "、".join(w[0] for w in checked) + " 等于其余各行之和），"
                                          "不作为" + ("项目" if table.name == "projects" else "支付记录") + "读取",
                                    sheet, r[ROW], severity="warning"))
        elif wrong:
            h, value, total, unit = wrong[0]
            zh = "万元" if unit == "wan" else "元"
            problems.append(Problem(file, f"这一行看起来是合计行，但 {h} {_amount_text(value, unit)} {zh} 不等于其余各行之和 "
                                          f"{_amount_text(total, unit)} {zh}：请删除这一行（或核对各行金额）", sheet, r[ROW],
                                    h, _amount_text(value, unit)))
        else:
            problems.append(Problem(file, "这一行看起来是合计行，但没有可以核对的金额：请删除这一行", sheet, r[ROW]))


def _convert_table(table: Table, raw: _Raw, problems: list[Problem], amounts_in: str | None = None
                   ) -> pl.DataFrame | None:
    """``amounts_in`` ("yuan"/"wan"): the unit of amount columns whose header states none."""
    file, sheet = raw.origin.file, raw.origin.sheet
    mapping, units, unknown = _map_headers(table, raw.frame.columns)
    unstated = [n for n, u in units.items() if u == "" and table.column(n).kind == "money"]
    units |= dict.fromkeys(unstated, amounts_in or "")
    index = _header_index(table)
    for h in unknown:
        close = difflib.get_close_matches(_normalise_header(h), list(index), n=1, cutoff=0.6)
        hint = f"；是否想写“{_shown(close[0])}”？" if close else ""
        problems.append(Problem(file, f"未知的列，未读取{hint}", sheet, column=_shown(h), severity="warning"))
    seen: dict[str, str] = {}
    clashes = False
    for h, name in mapping.items():
        if name in seen:
            problems.append(Problem(file, f"列 {seen[name]!r} 和 {h!r} 都对应 {table.column(name).zh}；请只保留一列",
                                    sheet, column=h))
            clashes = True
        seen[name] = h
    missing = [c for c in table.columns if c.required and c.name not in seen]
    for c in missing:
        problems.append(Problem(file, f"缺少必填列 {c.zh}（{c.name}）" + _missing_hint(c, unknown), sheet, column=c.name))
    if missing or clashes:
        return None
    if raw.frame.height == 0 and table.name == "projects":
        problems.append(Problem(file, "表中没有数据行", sheet))
        return None
    frame = raw.frame.select(ROW, *(pl.col(h).alias(n) for h, n in mapping.items()))
    text = frame.with_columns(pl.col(c).str.strip_chars() for c in frame.columns if c != ROW)
    exprs, checks, stages = [pl.col(ROW)], [], [[], [], [], []]
    for col in table.columns:
        if col.name not in seen:
            exprs.append(pl.lit(col.default, dtype=_DTYPES[col.kind]).alias(converted_name(col)))
            continue
        iso = _iso_dates(text, col.name) if col.kind == "date" else None
        if iso is not None:  # parsed once, here: every cell is YYYY-MM-DD or empty
            _, bad, why = _iso_date_expr(col)
            value, helper = pl.lit(iso), []
        else:
            plain = col.kind in ("money", "score", "decimal") and _plain_numbers(text, col.name)
            value, bad, why, helper = _column_expr(col, units.get(col.name, ""), plain)
        for i, step in enumerate(helper):
            stages[i] += step
        exprs.append(value.alias(converted_name(col)))
        if bad is not None:
            checks.append((col, bad.alias(f"bad:{col.name}"), why, seen[col.name]))
        for i, (extra, extra_why) in enumerate(_structural_checks(col, value)):
            checks.append((col, extra.alias(f"bad:{col.name}:{i}"), extra_why, seen[col.name]))
    staged = text
    for step in stages:
        if step:
            staged = staged.with_columns(step)
    typed = staged.select(*exprs, *(b for _, b, _, _ in checks))
    totals = _total_rows(table, text)
    if totals is not None:  # checked, then dropped: never a project or a payment
        counted = typed.filter(~pl.col(ROW).is_in(totals.implode()))
        bad_cols = {col.name for col, bad, _, _ in checks if counted[bad.meta.output_name()].any()}
        _check_totals(table, typed, totals, bad_cols, file, sheet, seen, units, problems)
        typed = counted
    for col, bad, why, header in checks:
        flagged = typed.filter(pl.col(bad.meta.output_name()))
        if flagged.height:
            rows = flagged[ROW].to_list()
            values = text.filter(pl.col(ROW).is_in(pl.Series(rows[:MAX_PER_COLUMN]).implode()))[col.name].to_list()
            for r, v in zip(rows[:MAX_PER_COLUMN], values):
                problems.append(Problem(file, why, sheet, r, header, _shown(v)))
            if len(rows) > MAX_PER_COLUMN:
                problems.append(_more(file, len(rows) - MAX_PER_COLUMN, sheet, header))
    if amounts_in is None:
        problems += _unit_problems(typed, [(table.column(n), seen[n]) for n in unstated], file, sheet)
    return typed.select(pl.all().exclude("^bad:.*$"))


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


def _unit_problems(typed: pl.DataFrame, unstated: list[tuple[Column, str]], file: str,
                   sheet: str | None) -> list[Problem]:
    """An amount column whose header states no unit is read as 元 — unless every amount in it is
    below 1 万元 (10 000 元) and one is not zero: 万元 figures read as 元 look exactly like that, so
    the user is asked to state the unit rather than have it guessed. Zeros and empty cells are the
    same in any unit and do not count."""
    found = []
    for col, header in unstated:
        largest = typed[converted_name(col)].max()
        if largest is not None and 0 < largest < PLAUSIBLE_MIN_FEN:
            base = col.zh.replace("(元)", "")
            found.append(Problem(
                file, f"表头未写明金额单位，而且每个金额都小于 10,000 元（最大的是 {money.format_yuan(largest)}）："
                      f"如果金额以万元计，请把列名改为 {base}(万元)，或运行时加 --amounts-in 万元；"
                      f"如果以元计，请改为 {col.zh}，或加 --amounts-in 元",
                sheet, column=header))
    return found


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
        value = c.str.to_lowercase().replace_strict(BOOL, default=None, return_dtype=pl.Boolean)
        bad = ~empty & value.is_null()
        return pl.when(empty).then(pl.lit(col.default)).otherwise(value), bad, "不是 是/否"
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


def _cross_checks(frames: dict[str, pl.DataFrame], origins: dict[str, Origin],
                  problems: list[Problem]) -> dict[str, pl.DataFrame]:
    """Checks across rows and tables; returns the tables indexed by ``pix`` (see ``index_tables``)."""
    projects = frames.get("projects")
    if projects is None:
        return frames
    o = origins["projects"]
    if _has_duplicates(projects["project_id"]):
        dup = projects.with_columns(pl.col(ROW).min().over("project_id").alias("_first")).filter(
            ~pl.col("project_id").is_first_distinct())
        for r in dup.head(MAX_PER_COLUMN).iter_rows(named=True):
            problems.append(Problem(o.file, f"项目编码重复（第一次出现在第 {r['_first']} 行）", o.sheet, r[ROW],
                                    o.header("project_id"), _shown(r["project_id"])))
        return frames
    frames, orphans = index_tables(frames)
    projects = frames["projects"]
    for name, rows in orphans.items():
        ot = origins[name]
        for r in rows.sort(ROW).head(MAX_PER_COLUMN).iter_rows(named=True):
            problems.append(Problem(ot.file, "项目编码不在项目表中", ot.sheet, r[ROW],
                                    ot.header("project_id"), _shown(r["project_id"])))
    indicators = frames.get("indicators")
    if indicators is not None:
        oi = origins["indicators"]
        qualitative = pl.col("direction") == "qualitative"
        if "actual_e4" in indicators.columns:
            # jixiao's typed form carries the number itself: it must be there exactly when the text is.
            bad_number = pl.col("actual").is_not_null() != pl.col("actual_e4").is_not_null()
        else:
            # The number and whether the text is one, parsed once (a lazy plan shares the work) and
            # kept: it is the column that loading would otherwise derive again.
            value, bad = decimal_e4_expr("actual")
            indicators = indicators.lazy().with_columns(
                *_derived_exprs("indicators", indicators.columns), bad.alias("_bad_number")).collect()
            bad_number = pl.col("_bad_number")
            frames["indicators"] = indicators.drop("_bad_number")
        flagged = indicators.filter(
            pl.when(qualitative)
            .then(pl.col("actual").is_not_null() & ~pl.col("actual").is_in(list(QUALITATIVE)))
            .otherwise(bad_number))
        for r in flagged.head(MAX_PER_COLUMN).iter_rows(named=True):
            why = ("不是 达成/部分达成/未达成（定性指标）" if r["direction"] == "qualitative"
                   else f"不是数字（最多 {DECIMAL_DIGITS} 位小数；定量指标）")
            problems.append(Problem(oi.file, why, oi.sheet, r[ROW], oi.header("actual"), _shown(r["actual"])))
    evaluations = frames.get("evaluations")
    if evaluations is not None:
        oe = origins["evaluations"]
        unscored = evaluations.filter(pl.col("score_c").is_null() & (pl.col("kind") != "monitoring"))
        for r in unscored.head(MAX_PER_COLUMN).iter_rows(named=True):
            problems.append(Problem(oe.file, "评价记录需要总分；只有重点监控记录可以不填",
                                    oe.sheet, r[ROW], oe.header("score"), ""))
    bad_period = projects.filter(pl.col("end_date") < pl.col("start_date"))
    for r in bad_period.head(MAX_PER_COLUMN).iter_rows(named=True):
        problems.append(Problem(o.file, "实施结束日期早于开始日期", o.sheet, r[ROW], o.header("end_date"),
                                str(r["end_date"])))
    spending = frames.get("spending")
    if spending is not None and spending.height:
        total = spending.select(pl.col("amount_fen").cast(pl.Int128).sum()).item() or 0
        if total > np.iinfo(np.int64).max:  # a project's sum of payments must fit in 64 bits
            os_ = origins["spending"]
            problems.append(Problem(os_.file, f"支付金额合计 {money.format_yuan(total)}，超过可处理的最大金额"
                                              f"（{money.format_yuan(np.iinfo(np.int64).max)}）", os_.sheet,
                                    column=os_.header("amount")))
            return frames
        sums = sum_by_project(spending, projects.height, _sum=pl.col("amount_fen"))
        clash = projects.hstack(sums).filter(
            pl.col("spent_fen").is_not_null() & (pl.col("spent_fen") != pl.col("_sum"))).sort(ROW)
        unit = o.units.get("spent")
        unit_zh = "万元" if unit == "wan" else "元"
        for r in clash.head(MAX_PER_COLUMN).iter_rows(named=True):
            problems.append(Problem(o.file, f"已支出金额与支出明细中该项目的支付合计（{_amount_text(r['_sum'], unit)} {unit_zh}）"
                                            "不一致", o.sheet, r[ROW], o.header("spent"),
                                    _amount_text(r["spent_fen"], unit)))
        if clash.height > MAX_PER_COLUMN:
            problems.append(_more(o.file, clash.height - MAX_PER_COLUMN, o.sheet, o.header("spent")))
    return frames


def _has_duplicates(ids: pl.Series) -> bool:
    if ids.len() > 1 and ids.is_sorted():  # the usual export order: compare neighbours, no hashing
        return bool((ids.slice(1) == ids.slice(0, ids.len() - 1)).any())
    return bool(ids.is_duplicated().any())


def index_tables(frames: dict[str, pl.DataFrame]) -> tuple[dict[str, pl.DataFrame], dict[str, pl.DataFrame]]:
    """Give every table ``pix`` and sort the other tables by it; also return, per table, the rows
    whose project id is not in the projects table (their ``pix`` is null). Project ids must be
    unique."""
    projects = frames["projects"].with_row_index(PIX).with_columns(pl.col(PIX).set_sorted())
    ids = projects["project_id"]
    # Exports usually list projects by id: then the ids are their own sorted order.
    order = None if ids.is_sorted() else ids.arg_sort().cast(pl.UInt32)
    sorted_ids = ids if order is None else ids.gather(order)
    out, orphans = {"projects": projects.select(*frames["projects"].columns, PIX)}, {}
    for name, frame in frames.items():
        if name == "projects":
            continue
        checked = _checked_pix(frame, ids) if PIX_HINT in frame.columns else None
        if checked is not None:  # sorted, every row's project found: nothing else to do
            out[name] = frame.drop(PIX_HINT).with_columns(checked.alias(PIX).set_sorted())
            continue
        indexed = frame.drop(PIX_HINT, strict=False).with_columns(_pix_of(frame["project_id"], order, sorted_ids))
        missing = indexed.filter(pl.col(PIX).is_null()) if indexed[PIX].null_count() else indexed.clear()
        if missing.height:
            orphans[name] = missing
            indexed = indexed.filter(pl.col(PIX).is_not_null())
        if not indexed[PIX].is_sorted():
            indexed = indexed.sort(PIX, maintain_order=True)
        out[name] = indexed.with_columns(pl.col(PIX).set_sorted())
    return out, orphans


def _checked_pix(frame: pl.DataFrame, ids: pl.Series) -> pl.Series | None:
    """The file's own ``pix`` when it is right: ascending, a project's position, and the project id
    changing exactly where ``pix`` changes, each run's id being that project's. Checking costs a
    comparison of neighbours (one lazy plan); looking every id up, a binary search per run. None
    when it is not right."""
    pix = frame[PIX_HINT]
    if pix.len() == 0:
        return pix
    if pix.null_count() or frame["project_id"].null_count() or not pix.is_sorted() or pix[-1] >= ids.len():
        return None
    h, pid = pl.col(PIX_HINT), pl.col("project_id")
    starts = (h != h.shift(1)).fill_null(True)
    lf = frame.lazy()
    aligned, first = pl.collect_all([lf.select((starts == (pid != pid.shift(1)).fill_null(True)).all()),
                                     lf.filter(starts).select(PIX_HINT, "project_id")])
    if not aligned.item() or not (ids.gather(first[PIX_HINT]) == first["project_id"]).all():
        return None
    return pix


def _pix_of(project_id: pl.Series, order: pl.Series | None, sorted_ids: pl.Series) -> pl.Series:
    """Each row's project position, null when the id is not a project's. ``order`` maps positions
    in ``sorted_ids`` to positions in the projects table (None: the same). Rows of one project
    usually come together, so only the first row of each run is looked up — by binary search in the
    sorted ids, which costs less than hashing them — and the result repeated over the run."""
    if project_id.len() == 0 or sorted_ids.len() == 0:
        return pl.Series(PIX, [None] * project_id.len(), dtype=pl.UInt32)
    runs = project_id.rle()
    if runs.len() * 2 > project_id.len():  # runs of one or two rows: look every row up
        firsts, lengths = project_id, None
    else:
        firsts, lengths = runs.struct.field("value"), runs.struct.field("len")
    at = sorted_ids.search_sorted(firsts, side="left").clip(0, sorted_ids.len() - 1).cast(pl.UInt32)
    hit = sorted_ids.gather(at) == firsts
    position = at if order is None else order.gather(at)
    per_run = pl.select(pl.when(hit).then(position).alias(PIX)).to_series()
    if lengths is None:
        return per_run
    return pl.select(per_run.repeat_by(lengths).explode().alias(PIX)).to_series()


def _derive(frames: dict[str, pl.DataFrame], has_target_status: bool) -> dict[str, pl.DataFrame]:
    """A project whose target status is not given (no column, or an empty cell) has approved
    targets when it has indicators, and none otherwise."""
    projects = frames["projects"]
    with_targets = (frames["indicators"][PIX].unique().implode()
                    if "indicators" in frames else pl.Series([], dtype=pl.UInt32).implode())
    derived = pl.when(pl.col(PIX).is_in(with_targets)).then(pl.lit("approved")).otherwise(pl.lit("none"))
    status = pl.col("target_status").fill_null(derived) if has_target_status else derived
    return {**frames, "projects": projects.with_columns(status.alias("target_status"))}
