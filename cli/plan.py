"""``jixiao plan``: read an existing plan, build a coverage schedule from a pack's coverage rule.

It lives with the command line, not in the core: it knows one built-in rule (coverage_schedule) by
class, which the core never does."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from jixiao.core.engine import base_facts
from jixiao.core.errors import InputError, PackError, Problem
from jixiao.core.pack import Pack
from jixiao.core.load import Portfolio, decode


def read_plan(path: Path, known: set[str]) -> list[tuple[str, int]]:
    """An existing plan: CSV with project_id/项目编码 and year/年度 columns."""
    text = decode(path.read_bytes(), str(path))
    rows = [line.split(",") for line in text.strip().splitlines()]
    if not rows:
        raise InputError([Problem(str(path), "计划文件是空的")])
    head = [h.strip().lower() for h in rows[0]]
    try:
        pid_col = next(i for i, h in enumerate(head) if h in ("project_id", "项目编码"))
        year_col = next(i for i, h in enumerate(head) if h in ("year", "年度", "评价年度"))
    except StopIteration:
        raise InputError([Problem(str(path), "计划文件需要 项目编码（project_id）和 年度（year）两列")]) from None
    plan, problems = [], []
    for n, row in enumerate(rows[1:], start=2):
        pid, year = row[pid_col].strip(), row[year_col].strip()
        if pid not in known:
            problems.append(Problem(str(path), "不是项目数据中的专项资金", row=n, column=rows[0][pid_col], value=pid))
        elif not year.isdigit():
            problems.append(Problem(str(path), "不是年度", row=n, column=rows[0][year_col], value=year))
        else:
            plan.append((pid, int(year)))
    if problems:
        raise InputError(problems)
    return plan


def coverage_plan(pack: Pack, portfolio: Portfolio, year: int | None, existing: Path | None) -> tuple[pl.DataFrame, dict]:
    from jixiao.plugins.coverage_schedule import CoverageSchedule, cycle_of, plan, quota

    rules = [r for r in pack.enabled_rules() if r.cls is CoverageSchedule]
    if not rules:
        raise PackError([Problem(str(pack.path), "该规则包没有可据以编制计划的覆盖评价规则（coverage_schedule）",
                                 value=pack.id)])
    rule = rules[0].instantiate(pack.id)
    p = rule.params
    first, last = cycle_of(year if year is not None else p.cycle_start, p.cycle_start, p.cycle_years)
    funds = rule.funds(base_facts(portfolio, portfolio_date(portfolio)))
    if funds.height == 0:
        raise InputError([Problem("portfolio", "项目数据中没有专项资金（项目类别：" + "、".join(p.categories) + "）")])
    known = set(funds["project_id"])
    # An evaluation for year Y−1 was made in year Y; those inside the cycle stay where they happened.
    done = (portfolio.with_ids("evaluations")
            .filter(pl.col("kind").is_in(p.evaluation_kinds) & pl.col("project_id").is_in(list(known))
                    & (pl.col("year") + 1 >= first) & (pl.col("year") + 1 <= last))
            .select("project_id", (pl.col("year") + 1).alias("y")).unique().sort("y", "project_id"))
    fixed = [(pid, y, "evaluated") for pid, y in done.iter_rows()]
    seen = set((pid, y) for pid, y, _ in fixed)
    for pid, y in (read_plan(existing, known) if existing else []):
        if (pid, y) not in seen:
            fixed.append((pid, y, "planned"))
            seen.add((pid, y))
    try:
        schedule = plan(funds.drop("pix"), p, first, fixed)
    except ValueError as exc:
        raise InputError([Problem(str(existing), str(exc))]) from None
    counts = dict(schedule.group_by("year").len().sort("year").iter_rows())
    info = {"pack": pack.id, "rule": rules[0].id, "cycle": [first, last], "funds": funds.height,
            "per_year_minimum": quota(funds.height, p.min_share), "per_year": {str(k): v for k, v in counts.items()},
            "citation": f"{pack.source_label(rule.citation.source)} {rule.citation.clause}"}
    return schedule, info


def portfolio_date(portfolio: Portfolio):
    """Planning reads no spending: any date after the last payment will do for the base facts."""
    import datetime as dt

    last = portfolio.spending["date"].max()
    return last if isinstance(last, dt.date) else dt.date(9999, 12, 31)
