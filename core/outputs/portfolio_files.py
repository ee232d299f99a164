"""Any portfolio written back to files: text tables with Chinese headers (CSV folders, XLSX, JSON)
and jixiao's typed Parquet form (docs/formats.md). Written whole or not at all (core/outputs/files.py)."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl

from jixiao.core.errors import InputError, Problem
from jixiao.core.load import ROW, Portfolio, converted_name
from jixiao.core.load.columns import ENUMS
from jixiao.core.outputs.files import replace_folder, write_atomic, xlsx_workbook
from jixiao.core.per_project import PIX
from jixiao.core.schema import TABLES


def text_tables(portfolio: Portfolio) -> dict[str, pl.DataFrame]:
    """Every non-empty table as text columns with Chinese headers, amounts in 元."""
    out = {}
    for name, table in TABLES.items():
        frame = portfolio.with_ids(name)  # the detail tables carry pix only: the ids come from projects
        if frame.height == 0 and name != "projects":
            continue
        cols = []
        for col in table.columns:
            if col.name == "division" and frame["division"].null_count() == frame.height:
                continue  # a portfolio of one jurisdiction: no 财政区划代码 column (the yth shape has it)
            src = pl.col(converted_name(col))
            if col.kind in ("money", "score"):
                expr = pl.when(src.is_null()).then(None).otherwise(
                    (src // 100).cast(pl.String) + "." + (src % 100).cast(pl.String).str.pad_start(2, "0"))
            elif col.kind == "decimal":
                expr = pl.when(src.is_null()).then(None).otherwise(
                    ((src // 10_000).cast(pl.String) + "." + (src % 10_000).cast(pl.String).str.pad_start(4, "0"))
                    .str.strip_chars_end("0").str.strip_chars_end("."))
            elif col.kind == "enum":
                # Write the Chinese label a finance bureau's export would carry.
                back = {}
                for label, code in col.choices.items():
                    if not label.isascii():
                        back.setdefault(code, label)
                expr = src.cast(pl.String).replace(back)
            elif col.kind == "bool":
                expr = src.replace_strict({True: "是", False: "否"}, default=None, return_dtype=pl.String)
            elif col.kind == "date":
                expr = src.dt.strftime("%Y-%m-%d")
            else:
                expr = src.cast(pl.String)
            cols.append(expr.alias(col.zh))
        out[table.zh] = frame.select(cols)
    return out


def write_portfolio(portfolio: Portfolio, path: Path) -> Path:
    """Write to ``.xlsx`` (a sheet per table), ``.json``, ``.csv`` (projects only) or a folder of CSVs.

    A file is written whole or not at all and never replaces a folder; a folder replaces only a
    folder of such tables (see ``core/outputs/files.py``)."""
    tables = text_tables(portfolio)
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        def write(tmp: Path) -> None:
            with xlsx_workbook(tmp) as wb:
                for sheet, frame in tables.items():
                    frame.write_excel(wb, worksheet=sheet, autofit=True)
    elif suffix == ".json":
        doc = {TABLES_BY_ZH[s]: frame.to_dicts() for s, frame in tables.items()}

        def write(tmp: Path) -> None:
            tmp.write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
    elif suffix == ".csv":
        if len(tables) > 1:
            raise InputError([Problem(str(path), "a single CSV holds only the projects table; give a folder "
                                                 "name (no suffix) to write every table")])

        def write(tmp: Path) -> None:
            tables["项目"].write_csv(tmp)
    elif suffix == "":
        def fill(tmp: Path) -> None:
            for sheet, frame in tables.items():
                frame.write_csv(tmp / f"{TABLES_BY_ZH[sheet]}.csv")

        replace_folder(path, fill, lambda p: _check_replaceable(p, ("csv",)))
        return path
    else:
        raise InputError([Problem(str(path), "write .xlsx, .json, .csv, or a folder (no suffix)", value=suffix)])
    write_atomic(path, write)
    return path


TABLES_BY_ZH = {t.zh: t.name for t in TABLES.values()}
XLSX_MAX_ROWS = 1_048_575


# lz4 reads faster than Parquet's usual zstd (a million projects: ~0.36 s → ~0.31 s) for files
# about half as large again; the typed form is for loading fast.
TYPED_COMPRESSION = "lz4"


def _check_replaceable(folder: Path, kinds: tuple[str, ...]) -> None:
    """A folder of tables may be written over only if it holds nothing but such tables: never
    delete someone's other files."""
    if not folder.exists():
        return
    if not folder.is_dir():
        raise InputError([Problem(str(folder), "已存在且不是文件夹")])
    ours = {f"{name}.{kind}" for name in TABLES for kind in kinds}
    strays = sorted(f.name for f in folder.iterdir() if f.name not in ours)
    if strays:
        raise InputError([Problem(str(folder), "文件夹中有其他文件；请写一个新文件夹，或 jixiao 以前写过的文件夹（将被替换）", value=", ".join(strays[:3]))])


def typed_tables(portfolio: Portfolio, offset: int = 0) -> dict[str, pl.DataFrame]:
    """Each table in jixiao's typed form (docs/formats.md): canonical names and types, no source
    row numbers; the other tables sorted by project and carrying ``pix`` (plus ``offset``, for a
    chunk of a larger portfolio), so that loading them checks positions instead of finding them.
    The files keep the form they had before the tables in memory dropped the detail tables' text
    ids and took enums for vocabularies: every table names its projects by ``project_id`` (taken
    from the projects table), vocabularies are text — any jixiao reads them."""
    text = [pl.col(c).cast(pl.String) for c in ENUMS]
    out = {"projects": portfolio.projects.drop(ROW, PIX).with_columns(c for c in text if c.meta.output_name() in portfolio.projects.columns)}
    for name in TABLES:
        if name != "projects":
            if TABLES[name].only_with_rows and portfolio.table(name).height == 0:
                continue
            table = portfolio.with_ids(name).drop(ROW)
            table = table.with_columns(c for c in text if c.meta.output_name() in table.columns)
            if not table[PIX].is_sorted():
                table = table.sort(PIX, maintain_order=True)
            out[name] = table.with_columns(pl.col(PIX) + pl.lit(offset, pl.UInt32))
    return out


def write_typed(portfolio: Portfolio, path: Path) -> Path:
    """A folder of typed Parquet files, one per table, written whole or not at all."""
    if path.suffix:
        raise InputError([Problem(str(path), "the typed form is a folder of Parquet files: give a folder name "
                                             "(no suffix)", value=path.suffix)])
    path = path.resolve()

    def fill(tmp: Path) -> None:
        for name, frame in typed_tables(portfolio).items():
            frame.write_parquet(tmp / f"{name}.parquet", compression=TYPED_COMPRESSION)

    replace_folder(path, fill, lambda p: _check_replaceable(p, ("parquet",)))
    return path
