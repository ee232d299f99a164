"""Render a run's findings: terminal table, JSON (schema ``jixiao.run/1``), CSV and XLSX.

The JSON document is deterministic: the same input gives byte-identical output. Its schema is in
docs/formats.md; amounts appear both as integer fen and as exact 元 text.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import TextIO

import polars as pl

from jixiao.core import in_force
from jixiao.core.actions import ACTIONS, OBJECTS
from jixiao.core.engine import RunResult
from jixiao.core.errors import JixiaoError
from jixiao.core.outputs.files import csv_safe, write_atomic  # noqa: F401 (write_atomic: re-exported)
from jixiao.core.outputs.json_rows import stream_json
from jixiao.core.money import fen_to_yuan_str

SCHEMA = "jixiao.run/1"

# The CSV's Chinese headers (``run --format csv``; ``--headers en`` keeps the field names).
ZH_HEADERS = {
    "project_id": "项目编码", "pack": "规则包", "stage": "环节", "rule": "规则", "plugin": "插件",
    "action": "处理", "action_zh": "处理（中文）", "amount_yuan": "金额影响(元)", "due_date": "期限",
    "budget_year": "预算年度", "applies_to": "适用对象", "applies_to_zh": "适用对象（中文）",
    "grade": "评价等级", "score": "评价得分",
    "source": "依据文件", "clause": "条款", "assumed": "含假定参数", "message": "说明",
}


def yuan_expr(col: str) -> pl.Expr:
    """Integer fen as exact 元 text: -123456 → "-1234.56"; null stays null."""
    fen = pl.col(col)
    return pl.when(fen.is_null()).then(None).otherwise(
        pl.when(fen < 0).then(pl.lit("-")).otherwise(pl.lit(""))
        + (fen.abs() // 100).cast(pl.String) + "." + (fen.abs() % 100).cast(pl.String).str.pad_start(2, "0"))


def with_grades(result: RunResult) -> pl.DataFrame:
    """The findings with the project's grade and score as of the run (``grade``, ``score`` as exact
    text with two decimals; null when the pack grades no project or the project has no score), so a
    reader sorts and filters by them without parsing messages."""
    f, facts = result.findings, result.facts
    if "grade" not in facts.columns or f.height == 0:
        return f.with_columns(pl.lit(None, pl.String).alias("grade"), pl.lit(None, pl.String).alias("score"))
    c = facts["score_c"].gather(f["pix"])
    score = pl.when(c.is_null()).then(None).otherwise(
        (c // 100).cast(pl.String) + "." + (c % 100).cast(pl.String).str.pad_start(2, "0"))
    return f.with_columns(facts["grade"].gather(f["pix"]).alias("grade"), pl.select(score.alias("score")).to_series())


def findings_table(result: RunResult) -> pl.DataFrame:
    """The findings as flat columns for CSV: amounts as exact 元 text, action labels in Chinese."""
    f = with_grades(result)
    return f.select(
        "project_id", "pack", "stage", "rule", "plugin", "action",
        pl.col("action").replace_strict({k: a.zh for k, a in ACTIONS.items()}).alias("action_zh"),
        yuan_expr("amount_fen").alias("amount_yuan"),
        pl.col("due_date").dt.strftime("%Y-%m-%d"), "budget_year", "applies_to", object_zh(), "grade", "score",
        "source", "clause", "assumed", "message")


def object_zh() -> pl.Expr:
    """``applies_to`` as its Chinese label (null stays null)."""
    return pl.col("applies_to").replace_strict({k: t.zh for k, t in OBJECTS.items()}, default=None,
                                               return_dtype=pl.String).alias("applies_to_zh")


def summary(result: RunResult) -> dict:
    f = result.decisions
    counts = dict(f.group_by("action").len().iter_rows())
    effect = f.filter(pl.col("amount_fen").is_not_null())["amount_fen"].sum()
    return {
        "findings": f.height,
        "projects_with_findings": f["project_id"].n_unique(),
        "by_action": {code: counts[code] for code in ACTIONS if code in counts},
        # The sum of every amount, whatever its year and kind (kept for compatibility): not a
        # next-year figure. ``budget_effect_by_year`` separates it (docs/formats.md).
        "budget_effect_fen": int(effect or 0),
        "budget_effect_yuan": fen_to_yuan_str(int(effect or 0)),
        "budget_effect_by_year": effect_by_year(f),
    }


def effect_by_year(decisions: pl.DataFrame) -> list[dict]:
    """The money findings' amounts by budget year, action and object (a cut of the 2026 control
    figure apart from a reclaim of 2024's unspent money), in year, action and object order."""
    # Lazy, grouped on the enums and their keys cast afterwards: no copy of the money findings.
    groups = (decisions.lazy().filter(pl.col("amount_fen").is_not_null())
              .group_by("budget_year", "action", "applies_to")
              .agg(pl.col("amount_fen").sum(), pl.len().alias("findings"))
              .with_columns(pl.col("action", "applies_to").cast(pl.String))
              .sort("budget_year", "action", "applies_to", nulls_last=True).collect())
    return [{"budget_year": y, "action": a, "action_zh": ACTIONS[a].zh, "applies_to": o,
             "applies_to_zh": OBJECTS[o].zh if o else None, "findings": n, "amount_fen": int(fen),
             "amount_yuan": fen_to_yuan_str(int(fen))}
            for y, a, o, fen, n in groups.iter_rows()]


def to_json(result: RunResult, projects: int) -> str:
    out = io.StringIO()
    write_json(result, projects, out)
    return out.getvalue()


def write_json(result: RunResult, projects: int, out: TextIO) -> None:
    """Write the run as JSON; the findings are encoded by polars a chunk at a time, so millions of
    findings never become Python dicts or one giant string."""
    pack = result.pack
    head = {
        "schema": SCHEMA,
        "pack": {"id": pack.id, "name": pack.meta.name, "level": pack.meta.level, "chain": list(pack.chain)},
        "as_of": result.as_of.isoformat(),
        "portfolio": {"projects": projects},
        "summary": summary(result),
        "not_in_force": in_force.report(pack, result.facts),  # rules a period kept from some projects
    }
    row = pl.struct(
        "project_id", "stage", "rule", "plugin", "action",
        pl.col("action").replace_strict({k: a.zh for k, a in ACTIONS.items()}).alias("action_zh"),
        "amount_fen", yuan_expr("amount_fen").alias("amount_yuan"),
        pl.col("due_date").dt.strftime("%Y-%m-%d"), "budget_year", "applies_to", object_zh(), "grade", "score",
        "source", "clause", "assumed", "message",
    )
    stream_json(out, head, "findings", with_grades(result), row)


def write_csv(result: RunResult, path: Path) -> None:
    # UTF-8 with BOM: Excel in China opens it with the Chinese text intact.
    write_atomic(path, lambda p: csv_safe(findings_table(result)).write_csv(p, include_bom=True))


XLSX_MAX_ROWS = 1_048_574  # a worksheet's rows, less the header and the 合计 row


def xlsx_columns(result: RunResult) -> tuple[pl.DataFrame, list]:
    """The findings sheet of the XLSX for people: Chinese headers and labels only (the codes stay
    in JSON and CSV), the project's name and department next to its id, every amount, count, year,
    date and score a typed cell (``core.workbook``)."""
    from jixiao.core.hookspecs import STAGE_ZH
    from jixiao.core.outputs.workbook import Column

    f = with_grades(result)
    facts = result.facts
    score_c = facts["score_c"].gather(f["pix"]) if "score_c" in facts.columns and f.height else \
        pl.Series("score_c", [None] * f.height, pl.Int64)
    frame = f.with_columns(facts["name"].gather(f["pix"]).alias("_name"),
                           facts["department"].gather(f["pix"]).alias("_dept"), score_c.alias("_score_c"))
    zh = {k: a.zh for k, a in ACTIONS.items()}
    columns = [
        Column("项目编码", pl.col("project_id")), Column("项目名称", pl.col("_name")),
        Column("主管部门", pl.col("_dept")),
        Column("环节", pl.col("stage").cast(pl.String).replace_strict(STAGE_ZH, default=pl.col("stage").cast(pl.String))),
        Column("处理", pl.col("action").cast(pl.String).replace_strict(zh, default=pl.col("action").cast(pl.String))),
        Column("金额影响(元)", pl.col("amount_fen"), "yuan", total=True),
        Column("预算年度", pl.col("budget_year"), "year"),
        Column("适用对象", object_zh()),
        Column("整改期限", pl.col("due_date"), "date"),
        Column("评价等级", pl.col("grade")), Column("评价得分", pl.col("_score_c"), "score"),
        Column("依据文件", pl.col("source")), Column("条款", pl.col("clause")),
        Column("含假定参数", pl.col("assumed"), "yesno"), Column("说明", pl.col("message")),
    ]
    return frame, columns


def write_xlsx(result: RunResult, path: Path, progress=None, columns=None) -> None:
    """The findings as a workbook for people: a 汇总 sheet (counts and amounts as numbers) and a
    结论 sheet, one row per finding, with a 合计 of the amounts (``core.workbook``).
    ``progress(sheet, rows written, rows)`` is called as the rows are written. ``columns``: the
    结论 sheet's (frame, columns) when not ``xlsx_columns``'s (the 一体化-keyed sheet, core/yth.py)."""
    from jixiao.core.outputs.workbook import Book

    if result.decisions.height > XLSX_MAX_ROWS:
        raise JixiaoError(f"{path}：{result.decisions.height:,} 条结论超出一张 XLSX 工作表的容量"
                          f"（最多 {XLSX_MAX_ROWS:,} 行）；请改写 --format csv 或 json")
    s = summary(result)
    rows = [("规则包", result.pack.meta.name, "text"), ("规则包标识", result.pack.id, "text"),
            ("基准日期", result.as_of.isoformat(), "text"),
            ("结论条数", s["findings"], "count"), ("涉及项目数", s["projects_with_findings"], "count"),
            ("金额影响合计(元，各年度各类相加)", s["budget_effect_fen"], "yuan")]
    rows += [(f"{g['budget_year'] or ''}年度 {g['applies_to_zh'] or ''} {g['action_zh']}(元)", g["amount_fen"], "yuan")
             for g in s["budget_effect_by_year"]]
    rows += [(f"{ACTIONS[k].zh}（条）", v, "count") for k, v in s["by_action"].items()]

    frame, columns = columns or xlsx_columns(result)

    def write(p: Path) -> None:
        with Book(p) as book:
            book.pairs("汇总", rows)
            book.table("结论", frame, columns, freeze_columns=1, progress=progress)

    write_atomic(path, write)
