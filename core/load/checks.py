"""Cross-table checks on the converted tables: unknown and duplicate project ids, and values that
contradict each other across tables."""

from __future__ import annotations

import numpy as np
import polars as pl

from jixiao.core import money
from jixiao.core.errors import Problem
from jixiao.core.load.columns import DECIMAL_DIGITS, MAX_PER_COLUMN, ROW, _amount_text, _more, _shown
from jixiao.core.load.id_runs import IdRuns
from jixiao.core.load.index import index_tables
from jixiao.core.load.model import Origin
from jixiao.core.load.values import _derived_exprs, decimal_e4_expr
from jixiao.core.per_project import sum_by_project
from jixiao.core.schema import QUALITATIVE


def _cross_checks(frames: dict[str, pl.DataFrame], origins: dict[str, Origin],
                  problems: list[Problem], runs: dict[str, IdRuns] | None = None) -> dict[str, pl.DataFrame]:
    """Checks across rows and tables; returns the tables indexed by ``pix`` (see ``index_tables``;
    ``runs``: the typed detail tables read without their ids)."""
    projects = frames.get("projects")
    if projects is None:
        return frames
    o = origins["projects"]
    if _has_duplicates(projects["project_id"]):
        dup = projects.with_columns(pl.col(ROW).min().over("project_id").alias("_first")).filter(
            ~pl.col("project_id").is_first_distinct())
        for r in dup.head(MAX_PER_COLUMN).iter_rows(named=True):
            problems.append(Problem(o.file, f"项目编码重复（第一次出现在第 {r['_first']} 行）", o.sheet, r[ROW],
                                    o.header("project_id"), _shown(r["project_id"])))
        return frames
    frames, orphans = index_tables(frames, runs)
    projects = frames["projects"]
    for name, rows in orphans.items():
        ot = origins[name]
        for r in rows.sort(ROW).head(MAX_PER_COLUMN).iter_rows(named=True):
            problems.append(Problem(ot.file, "项目编码不在项目表中", ot.sheet, r[ROW],
                                    ot.header("project_id"), _shown(r["project_id"])))
    indicators = frames.get("indicators")
    if indicators is not None:
        oi = origins["indicators"]
        qualitative = pl.col("direction") == "qualitative"
        if "actual_e4" in indicators.columns:
            # jixiao's typed form carries the number itself: it must be there exactly when the text is.
            bad_number = pl.col("actual").is_not_null() != pl.col("actual_e4").is_not_null()
        else:
            # The number and whether the text is one, parsed once (a lazy plan shares the work) and
            # kept: it is the column that loading would otherwise derive again.
            value, bad = decimal_e4_expr("actual")
            indicators = indicators.lazy().with_columns(
                *_derived_exprs("indicators", indicators.columns), bad.alias("_bad_number")).collect()
            bad_number = pl.col("_bad_number")
            frames["indicators"] = indicators.drop("_bad_number")
        flagged = indicators.filter(
            pl.when(qualitative)
            .then(pl.col("actual").is_not_null() & ~pl.col("actual").is_in(list(QUALITATIVE)))
            .otherwise(bad_number))
        for r in flagged.head(MAX_PER_COLUMN).iter_rows(named=True):
            why = ("不是 达成/部分达成/未达成（定性指标）" if r["direction"] == "qualitative"
                   else f"不是数字（最多 {DECIMAL_DIGITS} 位小数；定量指标）")
            problems.append(Problem(oi.file, why, oi.sheet, r[ROW], oi.header("actual"), _shown(r["actual"])))
    evaluations = frames.get("evaluations")
    if evaluations is not None:
        oe = origins["evaluations"]
        unscored = evaluations.filter(pl.col("score_c").is_null() & (pl.col("kind") != "monitoring"))
        for r in unscored.head(MAX_PER_COLUMN).iter_rows(named=True):
            problems.append(Problem(oe.file, "评价记录需要总分；只有重点监控记录可以不填",
                                    oe.sheet, r[ROW], oe.header("score"), ""))
    bad_period = projects.filter(pl.col("end_date") < pl.col("start_date"))
    for r in bad_period.head(MAX_PER_COLUMN).iter_rows(named=True):
        problems.append(Problem(o.file, "实施结束日期早于开始日期", o.sheet, r[ROW], o.header("end_date"),
                                str(r["end_date"])))
    spending = frames.get("spending")
    if spending is not None and spending.height:
        total = spending.select(pl.col("amount_fen").cast(pl.Int128).sum()).item() or 0
        if total > np.iinfo(np.int64).max:  # a project's sum of payments must fit in 64 bits
            os_ = origins["spending"]
            problems.append(Problem(os_.file, f"支付金额合计 {money.format_yuan(total)}，超过可处理的最大金额"
                                              f"（{money.format_yuan(np.iinfo(np.int64).max)}）", os_.sheet,
                                    column=os_.header("amount")))
            return frames
        sums = sum_by_project(spending, projects.height, _sum=pl.col("amount_fen"))
        clash = projects.hstack(sums).filter(
            pl.col("spent_fen").is_not_null() & (pl.col("spent_fen") != pl.col("_sum"))).sort(ROW)
        unit = o.units.get("spent")
        unit_zh = "万元" if unit == "wan" else "元"
        for r in clash.head(MAX_PER_COLUMN).iter_rows(named=True):
            problems.append(Problem(o.file, f"已支出金额与支出明细中该项目的支付合计（{_amount_text(r['_sum'], unit)} {unit_zh}）"
                                            "不一致", o.sheet, r[ROW], o.header("spent"),
                                    _amount_text(r["spent_fen"], unit)))
        if clash.height > MAX_PER_COLUMN:
            problems.append(_more(o.file, clash.height - MAX_PER_COLUMN, o.sheet, o.header("spent")))
    return frames


def _has_duplicates(ids: pl.Series) -> bool:
    if ids.len() > 1 and ids.is_sorted():  # the usual export order: compare neighbours, no hashing
        return bool((ids.slice(1) == ids.slice(0, ids.len() - 1)).any())
    return bool(ids.is_duplicated().any())
