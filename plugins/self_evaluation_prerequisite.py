"""上年度未开展绩效自评的项目不予安排预算 (Tongxin 三（一）).

A continuing project (not new) of fiscal year Y needs a recorded self-evaluation of year Y−1.
"""

from __future__ import annotations

import attrs
import polars as pl

from jixiao.core.hookspecs import hookimpl
from jixiao.core.rule import Rule


@attrs.frozen(kw_only=True)
class SelfEvaluationPrerequisiteParams:
    kinds: list[str] = attrs.field(factory=lambda: ["self"])


class SelfEvaluationPrerequisite(Rule):
    name = "self_evaluation_prerequisite"
    summary = "no self-evaluation last year → no budget"
    Params = SelfEvaluationPrerequisiteParams
    reads = ("is_new", "fiscal_year")

    @hookimpl
    def jixiao_target(self, portfolio, as_of, facts):
        ev = portfolio.evaluations
        # An evaluation counts for its project when it is of the year before the project's fiscal year.
        done = ev.filter(pl.col("kind").is_in(self.params.kinds) & (pl.col("date").is_null() | (pl.col("date") <= as_of))
                         & (pl.col("year") + 1 == pl.lit(facts["fiscal_year"]).gather(pl.col("pix"))))["pix"]
        continuing = (facts.lazy().filter(~pl.col("is_new").fill_null(False))
                      .select("project_id", "pix", "fiscal_year").collect())
        missing = continuing.filter(~pl.col("pix").is_in(done.implode()))
        message = pl.lit("上年度（") + (pl.col("fiscal_year") - 1).cast(pl.String) + pl.lit("年度）未开展绩效自评，不予安排预算")
        return self.output(self.findings(missing, "block_budget", message, assumed=self.is_assumed("kinds")))
