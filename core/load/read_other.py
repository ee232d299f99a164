"""Reading JSON records and Parquet files into raw tables (Parquet in jixiao's own typed form is
kept typed and checked column by column)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import polars as pl

from jixiao.core.errors import InputError, Problem
from jixiao.core.load.columns import DERIVED, ENUMS, MAX_PER_COLUMN, PIX_HINT, ROW, ROW_DTYPE, _DTYPES, _first_line, _more, _shown, _with_rows, converted_name, frame_schema
from jixiao.core.load.id_runs import id_runs
from jixiao.core.load.model import Origin
from jixiao.core.load.raw import _Raw, _check_reserved, decode
from jixiao.core.per_project import PIX
from jixiao.core.schema import Table, TABLE_ALIASES, TABLES


def _parquet_raw(table: str, path: Path) -> _Raw:
    """A Parquet file is either text like a CSV file, or jixiao's typed form (``is_typed``)."""
    try:
        schema = pl.read_parquet_schema(path)
        typed = is_typed(TABLES[table], list(schema))
        frame = _typed_lean(table, path, schema) if typed else None
        runs = id_runs(path) if frame is not None and "project_id" not in frame.columns else None
        if frame is None or (runs is None and "project_id" not in frame.columns):
            frame = pl.read_parquet(path)  # the ids are needed, or a value outside a vocabulary is to be named
    except Exception as exc:  # polars raises several kinds for a damaged file
        raise InputError([Problem(str(path), f"无法读取这个 Parquet 文件（{_first_line(exc)}）")]) from None
    _check_reserved(frame.columns, Origin(str(path)))
    if typed:
        return _Raw(table, _with_rows(_contiguous(frame, table)), Origin(str(path)), typed=True, id_runs=runs)
    return _Raw(table, _with_rows(frame.select(_as_text(c, frame.schema[c]) for c in frame.columns)), Origin(str(path)))


def _typed_lean(table: str, path: Path, schema: dict[str, pl.DataType]) -> pl.DataFrame | None:
    """A typed file read as it will be held: its vocabularies (text on disk) cast to their enums as
    they are read, and a detail table's text ids left in the file when it carries ``pix`` (checked
    from the file by ``id_runs`` instead). None when a vocabulary holds a value outside it: the
    whole file is then read as it is, so that the check can name each such cell."""
    vocab = {c.name for c in TABLES[table].columns if c.kind == "enum"}
    lean = table != "projects" and schema.get(PIX) == pl.UInt32 and schema.get("project_id") == pl.String
    columns = [pl.col(c).cast(ENUMS[c]) if c in vocab and schema[c] == pl.String else pl.col(c)
               for c in schema if not (lean and c == "project_id")]
    try:
        return pl.scan_parquet(path).select(columns).collect()
    except pl.exceptions.InvalidOperationError:
        return None


def _contiguous(frame: pl.DataFrame, table: str) -> pl.DataFrame:
    """The columns a loaded table keeps, each in one piece. A file is read in one chunk per row
    group; a table of several chunks is copied whole by any step that adds a column of one chunk
    (``with_columns`` aligns the chunks) and, column by column, by every per-project sum. Made
    contiguous here, a column at a time (the file's chunks freed as each is copied), it is copied
    once. A detail table's text project id, when read (dropped once checked), is left as read."""
    return pl.DataFrame([frame.drop_in_place(c) if c == "project_id" and table != "projects"
                         else frame.drop_in_place(c).rechunk() for c in list(frame.columns)])


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
        if name == "project_id" and raw.id_runs is not None:
            continue  # left in the file; its runs are checked against the projects (``index_tables``)
        if name not in frame.columns:
            if col.required:
                problems.append(Problem(file, f"缺少必填列 {name}", column=name))
            exprs.append(pl.lit(col.default, dtype=dtype).alias(name))
            continue
        c = pl.col(name)
        if col.kind == "enum" and frame.schema[name] == ENUMS[name]:  # cast as read: every value is one of them
            exprs.append(c)
            if col.required:
                checks.append((name, c.is_null(), "必须填写"))
            continue
        if col.kind == "enum" and isinstance(frame.schema[name], (pl.Enum, pl.Categorical)):
            c = c.cast(pl.String)  # a vocabulary written as polars' enum: read as its codes, checked below
        elif frame.schema[name] != dtype:
            problems.append(Problem(file, f"列的类型是 {frame.schema[name]}，应为 {dtype}", column=name))
            continue
        exprs.append(c.alias(name))
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
