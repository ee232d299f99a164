"""The portfolio model: ``Portfolio`` (every table, converted, validated and immutable, with its views)
and ``Origin`` (where a table came from, for messages)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TypeVar

import attrs
import numpy as np
import polars as pl

from jixiao.core.errors import InputError, Problem
from jixiao.core.load.columns import ENUMS, KEEPS_PROJECT_ID, MAX_PER_COLUMN, ROW, _DTYPES, _more, _renumbered, converted_name, frame_schema, loaded_schema
from jixiao.core.load.index import index_tables
from jixiao.core.load.values import _derived_exprs
from jixiao.core.per_project import PIX, sum_by_project
from jixiao.core.schema import TABLES


T = TypeVar("T")
# ``take`` of more projects than this masks each table once instead of slicing it per project.
TAKE_BY_MASK = 2_000  # what a memoised computation returns (a frame or a series)


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
    monitoring: pl.DataFrame
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
        """The portfolio of these converted tables (canonical names, vocabularies as their codes).
        Tables without ``pix`` are indexed by their ``project_id``; a detail table that has ``pix``
        needs no ``project_id``. Once indexed, only the projects table keeps the text id, and the
        vocabulary columns become ``ENUMS`` (``loaded_schema``)."""
        tables = {}
        for name, table in TABLES.items():
            schema = frame_schema(table)
            df = frames.get(name)
            if df is None:
                tables[name] = pl.DataFrame(schema=schema | {PIX: pl.UInt32})
                continue
            if name not in KEEPS_PROJECT_ID and PIX in df.columns and "project_id" not in df.columns:
                schema = {c: t for c, t in schema.items() if c != "project_id"}
            # Columns a producer leaves out take the column's default, as in a file that omits them.
            missing = [pl.lit(c.default, dtype=_DTYPES[c.kind]).alias(converted_name(c))
                       for c in table.columns if converted_name(c) in schema and converted_name(c) not in df.columns]
            df = df.with_columns(missing)
            # A vocabulary already in its enum (a typed file, cast as read) stays so.
            schema |= {c: t for c, t in loaded_schema(table).items() if c in schema and df.schema.get(c) == t}
            tables[name] = df.with_columns(_derived_exprs(name, df.columns)).select(
                [pl.col(c).cast(t) for c, t in schema.items()] + ([pl.col(PIX)] if PIX in df.columns else []))
        if PIX not in tables["projects"].columns:
            tables, orphans = index_tables(tables)
            if orphans:
                name, rows = next(iter(orphans.items()))
                raise ValueError(f"{name}: project id {rows['project_id'][0]!r} is not in the projects table")
        return cls(**_as_loaded(tables), origins=origins or {}, warnings=warnings)

    def with_ids(self, name: str, frame: pl.DataFrame | None = None) -> pl.DataFrame:
        """A table (or ``frame``, rows of it with ``pix``) with each row's text ``project_id``
        first, taken from the projects table by position: for outputs and messages that name a
        row's project. The detail tables themselves carry only ``pix``."""
        frame = self.table(name) if frame is None else frame
        if "project_id" in frame.columns:
            return frame
        return pl.DataFrame([self.projects["project_id"].gather(frame[PIX])]).hstack(frame)

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
        ``pix_index()``, when taking many times from one portfolio. Many projects (a department's,
        explaining a rule that totals over it) are taken by one mask over each table instead."""
        wanted = np.asarray(positions, dtype=np.uint32)  # the type of pix: numpy would copy the table to compare others
        if len(wanted) > TAKE_BY_MASK:
            return self._take_by_mask(wanted, index)
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

    def _take_by_mask(self, wanted: np.ndarray, index: dict[str, np.ndarray] | None) -> Portfolio:
        keep = np.zeros(len(self), dtype=bool)
        keep[wanted] = True
        new = (np.cumsum(keep, dtype=np.int64) - 1).astype(np.uint32)  # old position → new, where kept
        frames = {}
        for name in TABLES:
            table = self.table(name)
            pix = (index or {}).get(name)
            pix = table[PIX].to_numpy() if pix is None else pix
            rows = keep[pix]
            frames[name] = _renumbered(table.filter(pl.Series(rows)), new[pix[rows]])
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


def _as_loaded(tables: dict[str, pl.DataFrame]) -> dict[str, pl.DataFrame]:
    """Indexed tables in their loaded form (``loaded_schema``): the detail tables' text project
    ids dropped, vocabularies cast to their enums. Every value was checked against its vocabulary
    on reading; a producer that hands over another fails here, naming the column."""
    out = {}
    for name, frame in tables.items():
        schema = loaded_schema(TABLES[name])
        try:
            out[name] = frame.select([pl.col(c).cast(t) for c, t in schema.items()])
        except pl.exceptions.InvalidOperationError as exc:
            bad = next(c for c in ENUMS if c in frame.columns and not frame[c].cast(pl.String).is_in(
                ENUMS[c].categories.implode()).fill_null(True).all())
            raise ValueError(f"{name}.{bad}: a value is not one of {ENUMS[bad].categories.to_list()} ({exc})") from None
    return out
