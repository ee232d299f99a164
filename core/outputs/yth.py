"""Findings keyed for the 预算管理一体化 system (``run --headers yth``): MOF_DIV_CODE, FISCAL_YEAR and
PRO_CODE first, Chinese headers and labels for the rest, in CSV and XLSX (docs/formats.md)."""

from __future__ import annotations

from pathlib import Path

import polars as pl


# The keys a bureau matches findings on when it loads them back into the 一体化 system.
KEYS = ("MOF_DIV_CODE", "FISCAL_YEAR", "PRO_CODE")


def _keyed(result, division: str | None) -> pl.DataFrame:
    from jixiao.core.outputs import run as output

    f = output.with_grades(result)
    facts, pix = result.facts, f["pix"]
    div = (pl.lit(division, pl.String) if division is not None
           else facts["division"].gather(pix) if "division" in facts.columns else pl.lit(None, pl.String))
    return f.with_columns(div.alias("MOF_DIV_CODE"),
                          facts["fiscal_year"].gather(pix).alias("FISCAL_YEAR"),
                          facts["name"].gather(pix).alias("PRO_NAME"))


def findings_table(result, division: str | None = None) -> pl.DataFrame:
    """The findings for loading back into the 一体化 system: keyed by MOF_DIV_CODE, FISCAL_YEAR and
    PRO_CODE (the project's own fiscal year and 财政区划), the rest under Chinese headers with Chinese
    labels only (no internal codes), amounts as exact 元 text."""
    from jixiao.core.outputs import run as output
    from jixiao.core.actions import ACTIONS
    from jixiao.core.hookspecs import STAGE_ZH

    f = _keyed(result, division)
    return f.select(
        "MOF_DIV_CODE", "FISCAL_YEAR", pl.col("project_id").alias("PRO_CODE"), "PRO_NAME",
        pl.lit(result.pack.meta.name).alias("规则包"),
        pl.col("stage").cast(pl.String).replace_strict(STAGE_ZH, default=None).alias("环节"),
        pl.col("action").cast(pl.String).replace_strict({k: a.zh for k, a in ACTIONS.items()}).alias("处理"),
        output.yuan_expr("amount_fen").alias("金额影响(元)"),
        pl.col("budget_year").alias("预算年度"), output.object_zh().alias("适用对象"),
        pl.col("due_date").dt.strftime("%Y-%m-%d").alias("期限"),
        pl.col("grade").alias("评价等级"), pl.col("score").alias("评价得分"),
        pl.col("source").alias("依据文件"), pl.col("clause").alias("条款"),
        pl.when(pl.col("assumed")).then(pl.lit("是")).otherwise(pl.lit("否")).alias("含假定参数"),
        pl.col("message").alias("说明"))


def xlsx_columns(result, division: str | None = None):
    """``output.xlsx_columns`` keyed as ``findings_table`` is: the element keys first, typed cells."""
    from jixiao.core.outputs import run as output
    from jixiao.core.outputs.workbook import Column

    frame, columns = output.xlsx_columns(result)
    keyed = _keyed(result, division).select("MOF_DIV_CODE", "FISCAL_YEAR")
    frame = frame.with_columns(keyed["MOF_DIV_CODE"].alias("_div"), keyed["FISCAL_YEAR"].alias("_fy"))
    rest = [c for c in columns if c.header not in ("项目编码", "项目名称")]
    return frame, [Column("MOF_DIV_CODE", pl.col("_div")), Column("FISCAL_YEAR", pl.col("_fy"), "year"),
                   Column("PRO_CODE", pl.col("project_id")), Column("PRO_NAME", pl.col("_name")), *rest]


def write_xlsx(result, path: Path, progress=None) -> None:
    """``output.write_xlsx`` with the findings keyed for the 一体化 system (``xlsx_columns``)."""
    from jixiao.core.outputs import run as output

    output.write_xlsx(result, path, progress, columns=xlsx_columns(result))
