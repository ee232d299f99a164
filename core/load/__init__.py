"""Loading a portfolio: every table of projects, indicators, spending, evaluations and accountability.

Loading reads every cell as text, maps headers (Chinese or English) to canonical names, and converts
whole columns at once with polars expressions. Every problem is collected with file, sheet, row,
column and value before anything is raised, so a user sees all of them in one go.

The steps, one module each: ``read_csv``, ``read_xlsx`` (with ``xlsx_scan``) and ``read_other``
(JSON, Parquet) read files into raw text tables (``raw``); ``convert`` turns them into typed columns
(``values``); ``checks`` checks the tables against each other; ``index`` gives every table ``pix``;
``model`` is the ``Portfolio`` they make. A clean CSV file skips the text table: ``fast_csv`` reads
it typed with whole-column checks, and only a file with something to name goes the text way."""

from __future__ import annotations

import contextvars
from pathlib import Path

from jixiao.core.errors import InputError, Problem
from jixiao.core.load.columns import ROW, ROW_DTYPE, UNIT_NAMES, converted_name, frame_schema
from jixiao.core.load.convert import _convert
from jixiao.core.load.index import index_tables
from jixiao.core.load.model import Origin, Portfolio
from jixiao.core.load.raw import _Raw, decode
from jixiao.core.load.read_csv import _csv_raw
from jixiao.core.load.read_other import _parquet_raw, _read_json, records_to_raw
from jixiao.core.load.read_xlsx import _read_xls, _read_xlsx
from jixiao.core.schema import TABLE_ALIASES, TABLES

__all__ = ["AMOUNTS_IN", "ROW", "ROW_DTYPE", "UNIT_NAMES", "Origin", "Portfolio", "converted_name", "decode",
           "frame_schema", "index_tables", "load_portfolio", "portfolio_from_records"]

# The unit of amounts under a header that states none (``预算金额``): None reads them as 元 after the
# plausibility check (``_unit_problems``); "yuan" or "wan" is the user's statement (``--amounts-in``).
AMOUNTS_IN: contextvars.ContextVar[str | None] = contextvars.ContextVar("amounts_in", default=None)


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


def portfolio_from_records(doc: dict, file: str, amounts_in: str | None = None) -> Portfolio:
    """A portfolio from ``{"projects": [...], ...}`` with the same checks as any file."""
    return _convert(records_to_raw(doc, file), amounts_in)
