"""按轻重缓急排序 (Tongxin 二（二）): every requested project is reviewed, then ranked by its review
result before budgeting. Ranks 1…n by ``review_score`` (highest first; ties by budget, smaller
first, then project id), overall or within each department."""

from __future__ import annotations

from typing import Literal

import attrs
import polars as pl

from jixiao.rules import Rule, hookimpl, in_project_order, project_columns


@attrs.frozen(kw_only=True)
class PriorityRankingParams:
    within: Literal["all", "department"] = "all"


class PriorityRanking(Rule):
    name = "priority_ranking"
    summary = "rank requested projects by their review result"
    Params = PriorityRankingParams
    reads = ("review_score_c", "department", "budget_fen")
    whole_portfolio = True  # a rank depends on every other project

    @staticmethod
    def requested(as_of) -> pl.Expr:
        return pl.col("review_score_c").is_not_null() & (pl.col("fiscal_year") >= as_of.year)

    def scope(self, facts, as_of, projects):
        """A rank depends on the requested projects it is ranked among: every requested project,
        or those of the project's department."""
        rows = facts.filter(self.requested(as_of))
        if self.params.within == "department":
            rows = rows.filter(pl.col("department").is_in(projects["department"].implode()))
        return rows

    @hookimpl
    def jixiao_target(self, as_of, facts):
        keys = ["department"] if self.params.within == "department" else []
        requested = facts.lazy().filter(self.requested(as_of))
        rows = project_columns(requested, "project_id", *keys, "review_score_c", "budget_fen").collect()
        ranked = (rows.sort([*keys, "review_score_c", "budget_fen", "project_id"], descending=[*(False for _ in keys), True, False, False])
                  .with_columns(pl.int_range(1, pl.len() + 1).over(keys or pl.lit(1)).alias("priority_rank"),
                                pl.len().over(keys or pl.lit(1)).alias("_n")))
        score = (pl.col("review_score_c") // 100).cast(pl.String) + "." + (pl.col("review_score_c") % 100).cast(pl.String).str.pad_start(2, "0")
        scope = pl.col("department") + pl.lit("内") if keys else pl.lit("全部申报项目中")
        message = (pl.lit("预算评审得分 ") + score + pl.lit(" 分，") + scope + pl.lit("排第 ")
                   + pl.col("priority_rank").cast(pl.String) + pl.lit("/") + pl.col("_n").cast(pl.String))
        return self.output(self.findings(ranked, "rank", message, assumed=self.is_assumed("within")),
                           in_project_order(project_columns(ranked, "priority_rank")))
