"""抽查复核 (Shilong 二（二）7): a deterministic, seeded sample of self-evaluations for finance to
review. The sample is a stable hash of (seed, project id): the same seed and portfolio always pick
the same projects, whatever the software version; a larger sample contains the smaller one."""

from __future__ import annotations

import math
import zlib
from decimal import Decimal

import attrs
import polars as pl

from jixiao.core.hookspecs import hookimpl
from jixiao.core.rule import Rule


@attrs.frozen(kw_only=True)
class SpotCheckParams:
    share: Decimal = Decimal("0.1")  # share of self-evaluations sampled (at least min_count)
    min_count: int = 1
    seed: int = 2021

    def __attrs_post_init__(self):
        if not Decimal(0) < self.share <= Decimal(1):
            raise ValueError(f"share: between 0 (exclusive) and 1, got {self.share}")


class SpotCheck(Rule):
    name = "spot_check"
    summary = "seeded sample of self-evaluations for finance's spot-check review"
    Params = SpotCheckParams
    whole_portfolio = True  # the sample depends on every self-evaluation

    @hookimpl
    def jixiao_evaluate(self, portfolio, as_of, facts):
        p = self.params
        evaluated = (portfolio.evaluations
                     .filter((pl.col("kind") == "self") & (pl.col("date").is_null() | (pl.col("date") <= as_of)))
                     .join(facts.select("pix", "fiscal_year"), on="pix")
                     .filter(pl.col("year") == pl.col("fiscal_year"))
                     .select("project_id", "pix", "year").unique())
        if evaluated.height == 0:
            return None
        ids = evaluated["project_id"].to_list()
        keys = [zlib.crc32(f"{p.seed}:{pid}".encode()) for pid in ids]
        n = max(p.min_count, math.ceil(Decimal(len(ids)) * p.share))  # 11 × 10 % → 2
        picked = (evaluated.with_columns(pl.Series("_k", keys, dtype=pl.UInt32))
                  .sort(["_k", "project_id"]).head(n))
        message = pl.lit("单位自评（") + pl.col("year").cast(pl.String) + pl.lit(f"年度）抽中复核：第 ") \
            + pl.int_range(1, pl.len() + 1).cast(pl.String) + pl.lit(f"/{n} 个（随机种子 {p.seed}）")
        return self.output(self.findings(picked, "spot_check", message, assumed=self.is_assumed("share", "min_count", "seed")))
