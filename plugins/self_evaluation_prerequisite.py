"""上年度未开展绩效自评的项目不予安排预算 (Tongxin 三（一）).

The gate works when the budget is compiled: the budget of fiscal year Y is compiled during Y−1,
when the last closed year — the last year whose self-evaluation can exist — is Y−2 (Y−1's own
self-evaluation is made after Y−1 closes, once the Y budget is already adopted). So a continuing
project (not new) of fiscal year Y needs a recorded self-evaluation of year ``Y − years_back``
(2 by default) dated no later than the run date. A project that started after that year had no such
year to evaluate and is not blocked; nor is a project whose start is unknown, when ``unknown_start``
says so.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

import attrs
import polars as pl

from jixiao.rules import Rule, fact_of, hookimpl, project_columns, project_in


@attrs.frozen(kw_only=True)
class SelfEvaluationPrerequisiteParams:
    kinds: list[str] = attrs.field(factory=lambda: ["self"])
    # Which year's self-evaluation a fiscal year's budget needs: Y − years_back.
    years_back: int = 2
    # A continuing project without a start date: taken as running in that year ("require") or
    # not ("skip") — a block on a guess is not made unless the pack says so.
    unknown_start: Literal["require", "skip"] = "require"
    # The next budget too: from this day of the run's year ("MM-DD"; None: not checked), a project
    # whose implementation runs into next year needs the self-evaluation that year's budget needs
    # (of the run's year − (years_back − 1)), as its request for that budget is compiled now.
    next_budget_from: str | None = None

    def __attrs_post_init__(self):
        if not 1 <= self.years_back <= 5:
            raise ValueError(f"years_back：应为 1 到 5 年，写的是 {self.years_back}")
        if self.next_budget_from is not None:
            try:
                dt.date.fromisoformat(f"2001-{self.next_budget_from}")
            except ValueError:
                raise ValueError(f"next_budget_from：应写作 月-日（如 \"05-01\"），写的是 {self.next_budget_from!r}") from None


class SelfEvaluationPrerequisite(Rule):
    name = "self_evaluation_prerequisite"
    summary = "no self-evaluation of the last year closed when the budget is compiled → no budget"
    Params = SelfEvaluationPrerequisiteParams
    reads = ("is_new", "fiscal_year", "start_date", "end_date")

    @hookimpl
    def jixiao_target(self, portfolio, as_of, facts):
        p = self.params
        ev = portfolio.evaluations
        # An evaluation counts for its project when it is of the year the budget needs.
        done = ev.filter(pl.col("kind").is_in(p.kinds) & (pl.col("date").is_null() | (pl.col("date") <= as_of))
                         & (pl.col("year") + p.years_back == fact_of(facts, "fiscal_year")))
        needed = pl.col("fiscal_year") - p.years_back
        ran = pl.col("start_date").dt.year() <= needed
        ran = ran.fill_null(p.unknown_start == "require")
        continuing = project_columns(facts.lazy().filter(~pl.col("is_new").fill_null(False) & ran), "fiscal_year").collect()
        missing = continuing.filter(~project_in(done))
        message = (pl.lit("编制") + pl.col("fiscal_year").cast(pl.String) + pl.lit("年度预算时，上一个已结束年度（")
                   + needed.cast(pl.String) + pl.lit("年度）未开展绩效自评，不予安排")
                   + pl.col("fiscal_year").cast(pl.String) + pl.lit("年度预算") + self.adopted_note(as_of))
        assumed = self.is_assumed("kinds", "years_back", "unknown_start")
        parts = [self.findings(missing, "block_budget", message, budget_year=pl.col("fiscal_year"),
                               applies_to="project_budget", assumed=assumed)]
        if p.next_budget_from is not None:
            # This year's budget too (adopted: the finding is a check of its compilation), and next
            # year's once its compilation has reached the check day.
            parts.append(self._later_budget(portfolio, as_of, facts, assumed, as_of.year))
            if as_of >= dt.date.fromisoformat(f"{as_of.year}-{p.next_budget_from}"):
                parts.append(self._later_budget(portfolio, as_of, facts, assumed, as_of.year + 1))
        return self.output(pl.concat(parts))

    def _later_budget(self, portfolio, as_of, facts, assumed, budget: int) -> pl.LazyFrame:
        """Projects of an earlier fiscal year running into ``budget``'s year, whose request for that
        budget is compiled in the year before, without the self-evaluation that budget needs (a
        project of that year's own budget is checked above, as every project is for its year)."""
        p = self.params
        needed = budget - p.years_back
        done = portfolio.evaluations.filter(pl.col("kind").is_in(p.kinds) & (pl.col("year") == needed)
                                            & (pl.col("date").is_null() | (pl.col("date") <= as_of)))
        ran = (pl.col("start_date").dt.year() <= needed).fill_null(p.unknown_start == "require")
        going_on = (pl.col("end_date").dt.year() >= budget).fill_null(False) & (pl.col("fiscal_year") < budget)
        rows = project_columns(facts.lazy().filter(going_on & ran), "fiscal_year").collect()
        missing = rows.filter(~project_in(done))
        message = pl.lit(f"本项目实施期延续至{budget}年度，编制{budget}年度预算时，上一个已结束年度（{needed}年度）"
                         f"未开展绩效自评，不予安排{budget}年度预算") + self.adopted_note(as_of, pl.lit(budget))
        return self.findings(missing, "block_budget", message, budget_year=budget, applies_to="project_budget",
                             assumed=assumed or self.is_assumed("next_budget_from"), cite="next_budget_from")
