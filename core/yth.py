"""Sample data in the 预算管理一体化 system's shape (``jixiao sample --shape yth``): the sample
portfolio with the system's data element names as headers (PRO_CODE, FISCAL_YEAR, CUR_AMT,
LV1_PERF_IND_NAME, KPI_VAL, IND_COMP, TOTAL_EVAL_VALUE …, docs/formats.md) and a MOF_DIV_CODE
column holding several 财政区划, so a province-wide run (``run --pack-for-division``) works from
the README without private data. Columns without an element keep their Chinese header."""

from __future__ import annotations

from pathlib import Path

import datetime as dt

import numpy as np
import polars as pl

from jixiao.core.outputs.files import replace_folder
from jixiao.core.sample import generate
from jixiao.core.outputs.portfolio_files import TABLES_BY_ZH, _check_replaceable, text_tables
from jixiao.core.load import Portfolio
from jixiao.core.schema import MONITORING, TABLES

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
    out["monitoring"] = monitoring_reports(portfolio, seed, fiscal_year)
    return out


def _e4_text(e4: pl.Expr) -> pl.Expr:
    """An indicator value ×10⁴ as its plain text: 12500 → 1.25, 10000000 → 1000."""
    return ((e4 // 10_000).cast(pl.String) + "." + (e4 % 10_000).cast(pl.String).str.pad_start(4, "0")
            ).str.strip_chars_end("0").str.strip_chars_end(".")


def _yuan_text(fen: pl.Expr) -> pl.Expr:
    return (fen // 100).cast(pl.String) + "." + (fen % 100).cast(pl.String).str.pad_start(2, "0")


def monitoring_reports(portfolio: Portfolio, seed: int, fiscal_year: int) -> pl.DataFrame:
    """The units' 1–7月 monitoring reports (seeded) under their element names, a row per indicator."""
    rng = np.random.default_rng([seed, 20250810])  # its own stream: the other tables stay as they were
    cutoff, sent = dt.date(fiscal_year, 7, 31), dt.date(fiscal_year, 8, 10)
    projects = portfolio.projects
    paid = (portfolio.spending.lazy().filter(pl.col("date") <= cutoff).group_by("pix")
            .agg(pl.col("amount_fen").sum().alias("_paid")).collect())
    # The year-end forecast: the year's execution within ±5 %, in whole 元, never above the budget.
    noise = rng.uniform(0.95, 1.05, projects.height)
    forecast = pl.DataFrame({"pix": projects["pix"], "_forecast": np.floor(
        projects["spent_fen"].to_numpy() * noise / 100).astype(np.int64) * 100}).with_columns(
        pl.min_horizontal("_forecast", pl.lit(projects["budget_fen"])).alias("_forecast"))
    ind = portfolio.indicators.with_columns(pl.col("level1").cast(pl.String), pl.col("direction").cast(pl.String))
    # How far the year's value goes towards the target (×10⁴): the reading of 完成目标可能性.
    share = (pl.when(pl.col("direction") == "higher").then(pl.col("actual_e4") * 10_000 // pl.col("target_e4"))
             .when(pl.col("direction") == "lower").then(pl.col("target_e4") * 10_000 // pl.col("actual_e4").clip(1)))
    band = pl.when(pl.col("direction") == "qualitative").then(
        pl.col("actual").replace_strict({"达成": "确定能", "部分达成": "有可能", "未达成": "完全不可能"}, default="有可能")
    ).otherwise(pl.when(share >= 10_000).then(pl.lit("确定能")).when(share >= 8_000).then(pl.lit("有可能"))
                .otherwise(pl.lit("完全不可能")))
    sign = pl.col("direction").replace_strict({"higher": "≥", "lower": "≤"}, default="")
    level1 = pl.col("level1").replace_strict({"output": "产出指标", "outcome": "效益指标", "satisfaction": "满意度指标",
                                              "cost": "成本指标"}, default=None)
    qualitative = pl.col("direction") == "qualitative"
    rows = (ind.join(projects.select("pix", "project_id", "fiscal_year"), on="pix")
            .join(paid, on="pix", how="left").join(forecast, on="pix")
            .with_columns(band.alias("_band")))
    rows = rows.with_columns((pl.col("_band") == "完全不可能").any().over("pix").alias("_rectify"))
    frame = rows.select(
        pl.col("project_id"), pl.lit(sent).dt.strftime("%Y-%m-%d").alias("_sent"), pl.col("fiscal_year").cast(pl.String),
        level1, pl.col("level2"), pl.col("name"),
        pl.when(qualitative).then(pl.lit("达成年度目标")).otherwise(sign + _e4_text(pl.col("target_e4"))).alias("_kpi"),
        _yuan_text(pl.col("_paid").fill_null(0)).alias("_paid"), _yuan_text(pl.col("_forecast")).alias("_forecast"),
        # Counts accumulate over the year (seven twelfths by July, in whole units); a rate, a
        # satisfaction or a unit cost is already what it will be.
        pl.when(qualitative).then(pl.lit("按计划推进")).when((pl.col("direction") == "higher") & (pl.col("level1") != "satisfaction"))
        .then(_e4_text(pl.col("actual_e4") * 7 // 12 // 10_000 * 10_000)).otherwise(_e4_text(pl.col("actual_e4"))).alias("_comp"),
        pl.when(qualitative).then(pl.col("actual")).otherwise(_e4_text(pl.col("actual_e4"))).alias("_est"),
        pl.when(pl.col("_band") == "确定能").then(None).otherwise(pl.lit("受项目实施进度影响")).alias("_reasons"),
        pl.col("_band"), pl.when(pl.col("_rectify")).then(pl.lit("1")).otherwise(pl.lit("2")).alias("_flag"),
        pl.when(pl.col("_rectify")).then(pl.lit("分析偏差原因，调整实施计划")).otherwise(None).alias("_advice"))
    names = ["project_id", "report_date", "year", "level1", "level2", "indicator", "target", "executed",
             "forecast_executed", "completion", "forecast_completion", "deviation_reasons", "likelihood", "rectify",
             "rectify_advice"]
    return frame.rename(dict(zip(frame.columns, [MONITORING.column(c).elements[0] for c in names])))


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

