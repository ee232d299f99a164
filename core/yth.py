"""Sample data in the 预算管理一体化 system's shape (``jixiao sample --shape yth``): the sample
portfolio with the system's data element names as headers (PRO_CODE, FISCAL_YEAR, CUR_AMT,
LV1_PERF_IND_NAME, KPI_VAL, IND_COMP, TOTAL_EVAL_VALUE …, docs/formats.md) and a MOF_DIV_CODE
column holding several 财政区划, so a province-wide run (``run --pack-for-division``) works from
the README without private data. Columns without an element keep their Chinese header."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from jixiao.core.outputs.files import replace_folder
from jixiao.core.sample import generate
from jixiao.core.outputs.portfolio_files import TABLES_BY_ZH, _check_replaceable, text_tables
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

