"""Sample data in the 预算管理一体化 system's shape (``jixiao sample --shape yth``): the sample
portfolio with the system's data element names as headers (PRO_CODE, FISCAL_YEAR, CUR_AMT,
LV1_PERF_IND_NAME, KPI_VAL, IND_COMP, TOTAL_EVAL_VALUE …, docs/formats.md) and a MOF_DIV_CODE
column holding several 财政区划, so a province-wide run (``run --pack-for-division``) works from
the README without private data. Columns without an element keep their Chinese header."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from jixiao.core.files import replace_folder
from jixiao.core.sample import TABLES_BY_ZH, _check_replaceable, generate, text_tables
from jixiao.core.schema import TABLES

# Three 财政区划 of the bundled packs' places: 南昌市 (360100), 株洲市天元区 (430211), 同心县 (640324).
DIVISIONS = ("360100", "430211", "640324")


def yth_tables(n: int, seed: int, fiscal_year: int, divisions: tuple[str, ...] = DIVISIONS) -> dict[str, pl.DataFrame]:
    """The sample's tables (by jixiao table name) with element headers; each department's projects
    in one division (departments take the divisions in turn, in order of first appearance)."""
    portfolio = generate(n, seed=seed, fiscal_year=fiscal_year)
    departments = portfolio.projects["department"].unique(maintain_order=True).to_list()
    of = {d: divisions[i % len(divisions)] for i, d in enumerate(departments)}
    out = {}
    for zh, frame in text_tables(portfolio).items():
        table = TABLES[TABLES_BY_ZH[zh]]
        names = {c.zh: (c.elements[0] if c.elements else c.zh) for c in table.columns}
        if table.name == "projects":
            cols = frame.columns
            at = cols.index("预算年度") + 1
            frame = frame.with_columns(pl.col("主管部门").replace_strict(of).alias("财政区划代码")).select(
                *cols[:at], "财政区划代码", *cols[at:])
        if table.name == "indicators":  # the system names its first-level categories 产出指标, 效益指标, …
            frame = frame.with_columns(pl.col("一级指标") + "指标")
        out[table.name] = frame.rename({k: v for k, v in names.items() if k in frame.columns})
    return out


def write_yth(n: int, seed: int, fiscal_year: int, path: Path) -> Path:
    """A folder of CSV files, one per table (UTF-8), as an 一体化 export would give them."""
    if path.suffix:
        from jixiao.core.errors import InputError, Problem

        raise InputError([Problem(str(path), "--shape yth 写入一个文件夹（不带扩展名），每张表一个 CSV 文件",
                                  value=path.suffix)])
    tables = yth_tables(n, seed, fiscal_year)

    def fill(tmp: Path) -> None:
        for name, frame in tables.items():
            frame.write_csv(tmp / f"{name}.csv")

    replace_folder(path, fill, lambda p: _check_replaceable(p, ("csv",)))
    return path


# The keys a bureau matches findings on when it loads them back into the 一体化 system.
KEYS = ("MOF_DIV_CODE", "FISCAL_YEAR", "PRO_CODE")


def _keyed(result, division: str | None) -> pl.DataFrame:
    from jixiao.core import output

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
    from jixiao.core import output
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
    from jixiao.core import output
    from jixiao.core.workbook import Column

    frame, columns = output.xlsx_columns(result)
    keyed = _keyed(result, division).select("MOF_DIV_CODE", "FISCAL_YEAR")
    frame = frame.with_columns(keyed["MOF_DIV_CODE"].alias("_div"), keyed["FISCAL_YEAR"].alias("_fy"))
    rest = [c for c in columns if c.header not in ("项目编码", "项目名称")]
    return frame, [Column("MOF_DIV_CODE", pl.col("_div")), Column("FISCAL_YEAR", pl.col("_fy"), "year"),
                   Column("PRO_CODE", pl.col("project_id")), Column("PRO_NAME", pl.col("_name")), *rest]


def write_xlsx(result, path: Path, progress=None) -> None:
    """``output.write_xlsx`` with the findings keyed for the 一体化 system (``xlsx_columns``)."""
    from jixiao.core import output

    output.write_xlsx(result, path, progress, columns=xlsx_columns(result))
