"""Indicator completion shares, shared by scoring (evaluate) and target-progress monitoring.

A quantitative indicator's share is actual/target (more is better) or target/actual (less is
better), capped at 1; a qualitative one takes its band's value; a missing actual value is 0.
Shares are integers in millionths (truncated), so everything downstream stays exact.
"""

from __future__ import annotations

import polars as pl

from jixiao.core.money import wide_ratio
from jixiao.core.per_project import sum_by_project


MICRO = 1_000_000


def indicator_shares(indicators: pl.DataFrame | pl.LazyFrame, achieved: int, partial: int,
                     missed: int) -> pl.DataFrame | pl.LazyFrame:
    """``indicators`` plus ``_s`` (share in millionths) and ``_w`` (relative weight × 10⁴); lazy
    when given a lazy frame, so that the sums below need not materialise the shares."""
    ind = indicators.with_columns(pl.col("actual_e4").alias("_a"), pl.col("weight_e4").fill_null(10_000).alias("_w"))
    t, a = pl.col("target_e4"), pl.col("_a")
    bands = {"达成": achieved, "achieved": achieved, "部分达成": partial, "partial": partial,
             "未达成": missed, "missed": missed}
    share = (
        pl.when(pl.col("direction") == "qualitative")
        .then(pl.col("actual").replace_strict(bands, default=0, return_dtype=pl.Int64))
        .when(a.is_null())
        .then(0)
        .when(pl.col("direction") == "higher")
        .then(pl.when(t <= 0).then(MICRO).otherwise(wide_ratio(pl.min_horizontal(a, t), MICRO, t)))
        .otherwise(pl.when(a <= 0).then(MICRO).otherwise(wide_ratio(pl.min_horizontal(a, t), MICRO, a)))
    )
    return ind.with_columns(share.clip(0, MICRO).alias("_s"))


# The first-level categories a score weighs (财预〔2020〕10号: 产出, 效益, 满意度). 成本 is a
# category of its own in targets (中发〔2018〕34号: 产出、成本…; the indicators table's ``cost``)
# and is scored within 产出, as the self-evaluation weights have no 成本 share.
LEVELS = ("output", "outcome", "satisfaction")
SCORED_AS = {"cost": "output"}
# Every first-level category a target can be required to have, with its Chinese name.
TARGET_LEVELS = {"output": "产出", "cost": "成本", "outcome": "效益", "satisfaction": "满意度"}


def has_level_expr(level: str) -> pl.Expr:
    """Whether an indicator row is of this first-level category. A 成本 target may be written as
    its own 一级指标 (成本) or, as in the 2020 self-evaluation form, as a 二级指标 named 成本… under
    产出; both count as 成本."""
    if level == "cost":
        under_output = (pl.col("level1") == "output") & pl.col("level2").str.starts_with("成本").fill_null(False)
        return (pl.col("level1") == "cost") | under_output
    return pl.col("level1") == level


def level_sums(shares: pl.DataFrame | pl.LazyFrame, projects: int) -> pl.DataFrame:
    """Per first-level category L, ``ws_L`` = Σ weight × share and ``w_L`` = Σ weight, for every
    project by position (null: no indicator among ``shares``). 成本 indicators count as 产出."""
    ws, w, level = pl.col("_w") * pl.col("_s"), pl.col("_w"), pl.col("level1").replace(SCORED_AS)
    return sum_by_project(shares, projects,
                          **{f"ws_{lv}": pl.when(level == lv).then(ws).otherwise(0) for lv in LEVELS},
                          **{f"w_{lv}": pl.when(level == lv).then(w).otherwise(0) for lv in LEVELS})


def completion_micro(shares: pl.DataFrame | pl.LazyFrame, projects: int) -> pl.Series:
    """``target_completion`` (millionths) of every project by position: the weighted mean share over
    all its indicators (null: none)."""
    sums = sum_by_project(shares, projects, _ws=pl.col("_w") * pl.col("_s"), _w=pl.col("_w"))
    return sums.select((pl.col("_ws") // pl.col("_w")).alias("target_completion")).to_series()
