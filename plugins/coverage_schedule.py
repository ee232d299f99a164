"""专项资金评价与重点监控覆盖 (Qingdao 二（五）、二（六）).

Evaluation: special funds are evaluated on a cycle of ``cycle_years`` years ("三年一个周期"), at
least ``min_share`` of them each year ("每年不少于三分之一"), every fund at least once per cycle. Key
monitoring: at least ``monitor_min`` funds a year, every fund within ``cycle_years``.

The evaluation history is the evaluations table: a fund counts as evaluated in year Y when it has
an evaluation of a counted kind for year Y−1 (each year evaluates the previous year's funds), and
as key-monitored in year Y with a 重点监控 record for year Y. When the year's count falls short of the
quota — or of what is needed to cover every fund by the cycle's end — the rule selects the missing
number of funds not yet covered this cycle: priority (十五个攻势) funds first, then larger budgets,
then project id. ``plan`` builds a whole cycle's schedule the same way.
"""

from __future__ import annotations

import math
import re
from fractions import Fraction

import attrs
import polars as pl

from jixiao.rules import Rule, hookimpl, project_columns, project_count, project_in


@attrs.frozen(kw_only=True)
class CoverageParams:
    categories: list[str] = attrs.field(factory=lambda: ["专项资金", "转移支付"])
    cycle_start: int = 2020
    cycle_years: int = 3
    min_share: str = "1/3"  # a fraction, kept exact
    evaluation_kinds: list[str] = attrs.field(factory=lambda: ["department", "finance", "third_party"])
    monitor_min: int = 10

    def __attrs_post_init__(self):
        if self.cycle_years < 1:
            raise ValueError(f"cycle_years：至少为 1（年），写的是 {self.cycle_years}")
        if not re.fullmatch(r"\d{1,15}(/\d{1,15})?|\d{0,15}\.\d{1,10}", self.min_share.strip()):
            # Fraction() would also read "1e-999999999", building a billion-digit denominator.
            raise ValueError(f"min_share：应为分数（如 \"1/3\"）或小数（如 \"0.3\"），写的是 {self.min_share!r}")
        try:
            share = Fraction(self.min_share)
        except (ValueError, ZeroDivisionError):
            raise ValueError(f"min_share：应为分母不为 0 的分数（如 \"1/3\"），写的是 {self.min_share!r}") from None
        if not 0 < share <= 1:
            raise ValueError(f"min_share：应大于 0 且不超过 1，写的是 {self.min_share}")


def cycle_of(year: int, start: int, length: int) -> tuple[int, int]:
    first = start + ((year - start) // length) * length
    return first, first + length - 1


def quota(n: int, share: str) -> int:
    """At least ``share`` of ``n`` funds, rounded up: ten funds and one third → four."""
    return math.ceil(Fraction(share) * n)


def select_order(funds: pl.DataFrame) -> pl.DataFrame:
    return funds.sort(["priority_fund", "budget_fen", "project_id"], descending=[True, True, False])


class CoverageSchedule(Rule):
    name = "coverage_schedule"
    summary = "special funds evaluated on a three-year cycle, ≥ 1/3 a year; ≥ 10 under key monitoring a year"
    Params = CoverageParams
    whole_portfolio = True

    def scope(self, facts, as_of, projects):
        """The selection depends on every fund of the counted categories (the quota, the order) and
        on nothing else."""
        return facts.filter(pl.col("category").is_in(self.params.categories))

    def funds(self, facts: pl.DataFrame) -> pl.DataFrame:
        return project_columns(facts.lazy().filter(pl.col("category").is_in(self.params.categories)),
                               "project_id", "priority_fund", "budget_fen").collect()

    def _shortfall(self, funds: pl.DataFrame, before: pl.DataFrame, now: pl.DataFrame, minimum: int,
                   remaining_years: int) -> tuple[int, pl.DataFrame]:
        """How many more funds to select this year, and which: this year needs at least ``minimum``
        and at least its share of the funds not yet covered this cycle, spread over the years left;
        ``before`` and ``now`` are the rows of the funds covered earlier in the cycle and this year."""
        uncovered = funds.filter(~project_in(before)).height
        need = max(minimum, math.ceil(uncovered / remaining_years))
        done_now = project_count(now)
        short = max(0, need - done_now)
        # Funds not yet covered this cycle come first; when they are fewer than the quota needs,
        # funds covered in an earlier year of the cycle are taken again.
        fresh = select_order(funds.filter(~project_in(before) & ~project_in(now)))
        again = select_order(funds.filter(project_in(before) & ~project_in(now)))
        return short, pl.concat([fresh, again]).head(short)

    @hookimpl
    def jixiao_evaluate(self, portfolio, as_of, facts):
        p = self.params
        year = as_of.year
        first, last = cycle_of(year, p.cycle_start, p.cycle_years)
        funds = self.funds(facts)
        n = funds.height
        if n == 0:
            return None
        ev = project_columns(portfolio.evaluations.lazy().filter(pl.col("date").is_null() | (pl.col("date") <= as_of)),
                             "kind", "year").collect()
        evals = ev.filter(pl.col("kind").is_in(p.evaluation_kinds) & project_in(funds))
        # Year Y evaluates year Y−1's funds; this cycle's evaluations are for years first−1 … last−1.
        cycle_evals = evals.filter((pl.col("year") >= first - 1) & (pl.col("year") <= year - 1))
        before = cycle_evals.filter(pl.col("year") < year - 1)
        now = cycle_evals.filter(pl.col("year") == year - 1)
        done_now = project_count(now)
        remaining = last - year + 1
        short, picks = self._shortfall(funds, before, now, quota(n, p.min_share), remaining)
        assumed = self.is_assumed("evaluation_kinds", "categories")
        msg = (f"{year}年对上年度专项资金已评价 {done_now}/{n} 项，"
               f"本年至少需 {done_now + short} 项（每年不少于三分之一、{last}年前全覆盖），建议纳入评价")
        parts = [self.findings(picks, "select_for_evaluation", msg, assumed=assumed)]
        mon = ev.filter((pl.col("kind") == "monitoring") & project_in(funds))
        mon_cycle = mon.filter((pl.col("year") >= first) & (pl.col("year") <= year))
        mon_before = mon_cycle.filter(pl.col("year") < year)
        mon_now_ids = mon_cycle.filter(pl.col("year") == year)
        mon_now = project_count(mon_now_ids)
        m_short, m_picks = self._shortfall(funds, mon_before, mon_now_ids, min(p.monitor_min, n), remaining)
        m_msg = (f"{year}年财政重点监控专项资金 {mon_now} 项，本年至少需 {mon_now + m_short} 项"
                 f"（每年不少于{p.monitor_min}项、三年内全覆盖），建议纳入重点监控")
        parts.append(self.findings(m_picks, "key_monitoring", m_msg, assumed=self.is_assumed("monitor_min"),
                                   cite="monitor_min"))
        return self.output(pl.concat(parts))


def plan(funds: pl.DataFrame, params: CoverageParams, first_year: int,
         fixed: list[tuple[str, int, str]] | None = None) -> pl.DataFrame:
    """A cycle's evaluation schedule: rows (project_id, year, status).

    Every fund is evaluated at least once in the cycle and every year reaches its quota. ``fixed``
    rows — evaluations already made ("evaluated") and an earlier plan ("planned") — stay where they
    are. Funds not yet scheduled fill the years still below the quota, earliest first, then the
    years with the fewest evaluations; priority (十五个攻势) funds first, then larger budgets. When
    every fund is scheduled and a year is still short (ten funds cannot give four a year once each),
    funds are scheduled again ("again") in that year, in the same order. So adding a fund never
    moves a planned one.
    """
    years = list(range(first_year, first_year + params.cycle_years))
    rows = list(fixed or [])
    outside = [(pid, y) for pid, y, _ in rows if y not in years]
    if outside:
        pid, y = outside[0]
        raise ValueError(f"{pid}：{y} 年不在评价周期 {years[0]}–{years[-1]} 年内")
    need = quota(funds.height, params.min_share)
    counts = {y: sum(1 for _, yy, _ in rows if yy == y) for y in years}
    scheduled = {pid for pid, _, _ in rows}
    ordered = select_order(funds)["project_id"].to_list()
    for pid in ordered:
        if pid in scheduled:
            continue
        below_quota = [y for y in years if counts[y] < need]
        year = below_quota[0] if below_quota else min(years, key=lambda y: (counts[y], y))
        rows.append((pid, year, "new"))
        counts[year] += 1
        scheduled.add(pid)
    for year in years:
        in_year = {pid for pid, y, _ in rows if y == year}
        for pid in ordered:
            if counts[year] >= need:
                break
            if pid not in in_year:
                rows.append((pid, year, "again"))
                counts[year] += 1
    frame = pl.DataFrame(rows, schema={"project_id": pl.String, "year": pl.Int64, "status": pl.String}, orient="row")
    return (frame.join(funds, on="project_id", how="left")
            .sort(["year", "priority_fund", "budget_fen", "project_id"], descending=[False, True, True, False]))
