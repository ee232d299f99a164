"""Comparison outputs: JSON (schema ``jixiao.compare/1``) and XLSX with a sheet per view."""

from __future__ import annotations

import io
from pathlib import Path
from typing import TextIO

import polars as pl

from jixiao.core.actions import ACTIONS
from jixiao.core.outputs.compare import Comparison
from jixiao.core.money import fen_to_yuan_str
from jixiao.core.outputs.json_rows import stream_json
from jixiao.core.outputs.run import write_atomic

SCHEMA = "jixiao.compare/1"


def to_json(c: Comparison) -> str:
    out = io.StringIO()
    write_json(c, out)
    return out.getvalue()


def write_json(c: Comparison, out: TextIO) -> None:
    """Write the comparison as JSON, the per-project part encoded by polars a chunk at a time, as
    bytes (``json_rows``): a million projects never become a million Python dicts or strings."""
    departments = {}
    for dept, pack, fen in c.by_department.iter_rows():
        departments.setdefault(dept, {})[pack] = fen
    head = {
        "schema": SCHEMA, "as_of": c.as_of.isoformat(), "portfolio": {"projects": c.projects},
        "packs": [{**s, "budget_effect_yuan": fen_to_yuan_str(s["budget_effect_fen"])} for s in c.summary],
        "departments": [{"department": d, "budget_effect_fen": v} for d, v in sorted(departments.items())],
        "monthly_alerts": c.monthly.to_dicts() if c.monthly is not None else None,
    }
    outcomes = pl.struct([
        pl.struct(pl.col(f"{p}:gate").cast(pl.String).alias("gate"), pl.col(f"{p}:alerts").cast(pl.String).alias("alerts"),
                  pl.col(f"{p}:grade").cast(pl.String).alias("grade"), pl.col(f"{p}:effect_fen").alias("effect_fen"),
                  pl.col(f"{p}:deadline").dt.strftime("%Y-%m-%d").alias("deadline")).alias(p)
        for p in c.pack_ids]).alias("outcomes")
    disagree = pl.col("disagree").str.split(",").list.eval(pl.element().filter(pl.element() != "")).alias("disagree")
    stream_json(out, head, "projects", c.matrix, pl.struct("project_id", "name", "department", outcomes, disagree))


DISAGREE_ZH = {"gate": "预算安排", "alerts": "预警", "grade": "等级", "effect": "金额影响", "deadline": "整改期限"}


def matrix_columns(c: Comparison) -> list:
    """The 逐项目对比 sheet: the project, then each pack's outcome under the pack's name (a header
    row above its five columns), then where the packs differ, in Chinese."""
    from jixiao.core.outputs.workbook_cells import Column

    cols = [Column("项目编码", pl.col("project_id")), Column("项目名称", pl.col("name")),
            Column("主管部门", pl.col("department"))]
    for pack in c.packs:
        p, g = pack.id, pack.meta.name
        cols += [Column("预算安排", pl.col(f"{p}:gate").cast(pl.String), group=g),
                 Column("预警", pl.col(f"{p}:alerts").cast(pl.String), group=g),
                 Column("等级", pl.col(f"{p}:grade").cast(pl.String), group=g),
                 Column("金额影响(元)", pl.col(f"{p}:effect_fen"), "yuan", total=True, group=g),
                 Column("整改期限", pl.col(f"{p}:deadline"), "date", group=g)]
    # "gate,effect" → "预算安排、金额影响" (no code is part of another)
    zh = pl.col("disagree").str.replace_many([*DISAGREE_ZH, ","], [*DISAGREE_ZH.values(), "、"])
    return cols + [Column("不一致之处", zh)]


def write_xlsx(c: Comparison, path: Path, progress=None) -> None:
    """The comparison as a workbook for people (``core.workbook``): 汇总 (a row per pack),
    逐项目对比 (a row per project, streamed), 部门预算影响 (a row per department, packs in the
    order given, with a 合计) and 逐月预警. ``progress(sheet, rows written, rows)`` is called as
    the rows are written."""
    from jixiao.core.errors import JixiaoError
    from jixiao.core.outputs.workbook import Book
    from jixiao.core.outputs.workbook_cells import Column, rows_fit

    columns = matrix_columns(c)
    if not rows_fit(c.matrix.height, columns):
        raise JixiaoError(f"{path}：{c.matrix.height:,} 个项目超出一张 XLSX 工作表的容量；"
                          "请改写 --format json")
    summary = pl.DataFrame([{
        "pack": s["pack"], "name": s["name"], "blocked": s["blocked"],
        "alerts": "、".join(f"{ACTIONS[k].zh} {v}" for k, v in s["alerts"].items()),
        "grades": "、".join(f"{k} {v}" for k, v in s["grades"].items()),
        "effect": s["budget_effect_fen"], "due": s["rectifications_due"], "overdue": s["rectifications_overdue"],
        "graded": s["graded"], "selected": s["selected_for_evaluation"], "findings": s["findings"]}
        for s in c.summary], schema={"pack": pl.String, "name": pl.String, "blocked": pl.Int64, "alerts": pl.String,
                                     "grades": pl.String, "effect": pl.Int64, "due": pl.Int64, "overdue": pl.Int64,
                                     "graded": pl.Int64, "selected": pl.Int64, "findings": pl.Int64})
    summary_cols = [Column("规则包", pl.col("pack")), Column("名称", pl.col("name")),
                    Column("不予安排预算项目数", pl.col("blocked"), "count"), Column("预警", pl.col("alerts")),
                    Column("等级分布", pl.col("grades")),
                    Column("金额影响合计(元，各年度各类相加)", pl.col("effect"), "yuan"),
                    Column("整改待报", pl.col("due"), "count"), Column("整改逾期", pl.col("overdue"), "count"),
                    Column("已评价项目数", pl.col("graded"), "count"),
                    Column("纳入评价", pl.col("selected"), "count"), Column("结论条数", pl.col("findings"), "count")]
    names = {p.id: p.meta.name for p in c.packs}
    dept = (c.by_department.pivot(on="pack", index="department", values="budget_effect_fen").sort("department"))
    dept_cols = [Column("部门", pl.col("department"))] + [
        Column(f"{names[p]}(元)", pl.col(p).fill_null(0), "yuan", total=True) for p in c.pack_ids]

    def write(tmp: Path) -> None:
        with Book(tmp) as book:
            book.table("汇总", summary, summary_cols, freeze_columns=1)
            book.table("逐项目对比", c.matrix, columns, freeze_columns=1, progress=progress)
            book.table("部门预算影响", dept, dept_cols, freeze_columns=1)
            if c.monthly is not None:
                book.table("逐月预警", c.monthly, [
                    Column("规则包", pl.col("pack").replace_strict(names, default=pl.col("pack"))),
                    Column("月份", pl.col("month")), Column("预警条数", pl.col("alerts"), "count")])

    write_atomic(path, write)
