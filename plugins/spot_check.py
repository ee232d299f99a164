"""抽查复核 (Shilong 二（二）7): a deterministic, seeded sample of self-evaluations for finance to
review. The sample is a stable hash of (seed, project id): the same seed and portfolio always pick
the same projects, whatever the software version; a larger sample contains the smaller one.

A sampled report is a finding until its review is recorded (the evaluations table's 复核日期, on or
before the as-of date); recording reviews does not change which reports are sampled."""

from __future__ import annotations

import math
from decimal import Decimal

import attrs
import polars as pl

from jixiao.rules import Rule, crc32_each, fact_of, first_per_project, hookimpl, project_columns, with_facts


@attrs.frozen(kw_only=True)
class SpotCheckParams:
    share: Decimal = Decimal("0.1")  # share of self-evaluations sampled (at least min_count)
    min_count: int = 1
    seed: int = 2021

    def __attrs_post_init__(self):
        if not Decimal(0) < self.share <= Decimal(1):
            raise ValueError(f"share：比例应大于 0 且不超过 1，写的是 {self.share}（10% 写作 \"0.1\"）")


class SpotCheck(Rule):
    name = "spot_check"
    summary = "seeded sample of self-evaluations for finance's spot-check review"
    Params = SpotCheckParams
    whole_portfolio = True  # the sample depends on every self-evaluation

    @hookimpl
    def jixiao_evaluate(self, portfolio, as_of, facts):
        p = self.params
        done = project_columns(portfolio.evaluations.lazy().filter(
            (pl.col("kind") == "self") & (pl.col("date").is_null() | (pl.col("date") <= as_of))), "year", "review_date").collect()
        # Of the project's own fiscal year, once per project.
        done = done.filter(pl.col("year") == fact_of(facts, "fiscal_year"))
        evaluated = with_facts(first_per_project(done), facts, "project_id")
        if evaluated.height == 0:
            return None
        keys = crc32_each(f"{p.seed}:".encode(), evaluated["project_id"])
        n = max(p.min_count, math.ceil(Decimal(evaluated.height) * p.share))  # 11 × 10 % → 2
        picked = (evaluated.with_columns(pl.Series("_k", keys, dtype=pl.UInt32))
                  .sort(["_k", "project_id"]).head(n))
        message = pl.lit("单位自评（") + pl.col("year").cast(pl.String) + pl.lit("年度）抽中复核：第 ") \
            + pl.col("_nth").cast(pl.String) + pl.lit(f"/{n} 个（随机种子 {p.seed}）")
        # Of the sample, the reports whose review is not recorded yet.
        reviewed = pl.col("review_date").is_not_null() & (pl.col("review_date") <= as_of)
        waiting = picked.with_columns(pl.int_range(1, pl.len() + 1).alias("_nth")).filter(~reviewed)
        return self.output(self.findings(waiting, "spot_check", message, assumed=self.is_assumed("share", "min_count", "seed")))
