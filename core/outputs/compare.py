"""The same portfolio under several packs, side by side.

``compare`` runs each pack once over one loaded portfolio and condenses the results into what an
analyst reads: per project, the outcome under each pack (gate, alerts, grade, next-year budget
effect, deadline) and where the packs disagree; per pack, blocked projects, alerts by kind, grade
distribution, budget effect in total and per department, rectifications and evaluation coverage.
Applying city A's rules to city B's portfolio is this same comparison on B's data.
"""

from __future__ import annotations

import datetime as dt

import attrs
import polars as pl

from jixiao.core import in_force
from jixiao.core.actions import ACTIONS
from jixiao.core.engine import RunResult, base_facts, run
from jixiao.core.money import format_yuan
from jixiao.core.outputs.run import effect_by_year
from jixiao.core.pack import Pack
from jixiao.core.per_project import PIX, by_project, per_project
from jixiao.core.load import Portfolio

GATE_ACTIONS = ("block_budget", "require_assessment")
ALERT_ACTIONS = ("remind", "key_attention", "suspend_disbursement", "stop_disbursement", "reclaim_funds")
DEADLINE_ACTIONS = ("rectify", "rectification_overdue")
MONTHLY_LIMIT = 50_000
# Held as categoricals while the other packs run: four bytes a project instead of a string view's
# sixteen (with six packs at 1 M projects, 0.27 GB less at compare's peak; docs/performance.md).
TEXT_OUTCOMES = ("grade", "gate", "alerts")  # replaying the year month by month is skipped above this many projects


# The per-pack summary as rows of (label, value of a summary), shared by the terminal and the report.
SUMMARY_ROWS = [
    ("不予安排预算的项目 blocked", lambda s: str(s["blocked"])),
    ("预警 alerts", lambda s: "、".join(f"{ACTIONS[k].zh} {v}" for k, v in s["alerts"].items()) or "—"),
    ("等级分布 grades", lambda s: "、".join(f"{k} {v}" for k, v in s["grades"].items()) or "—"),
    ("金额影响（按预算年度、类别）", lambda s: "\n".join(
        f"{g['budget_year']}年度{g['applies_to_zh'] or ''}{g['action_zh']} {format_yuan(g['amount_fen'])}"
        for g in s["budget_effect_by_year"]) or "—"),
    ("金额影响合计（各年度、各类相加）", lambda s: format_yuan(s["budget_effect_fen"])),
    ("整改待报 / 逾期 rectification due / overdue", lambda s: f"{s['rectifications_due']} / {s['rectifications_overdue']}"),
    ("已评价 graded", lambda s: f"{s['graded']}（{s['graded_share'] * 100:.1f}%）"),
    ("纳入评价 selected for evaluation", lambda s: str(s["selected_for_evaluation"])),
    ("结论条数 findings", lambda s: str(s["findings"])),
]


@attrs.frozen
class Comparison:
    as_of: dt.date
    packs: tuple[Pack, ...]
    by_pack: dict[str, pl.DataFrame]  # per pack, one row per project in the portfolio's order (``outcomes_of``)
    # One row per project, outcome columns per pack (their text as categoricals), disagreements.
    matrix: pl.DataFrame
    summary: list[dict]
    by_department: pl.DataFrame  # department, pack, budget_effect_fen
    monthly: pl.DataFrame | None  # pack, month, alerts
    projects: int
    # Per pack, what each cited clause decided (``citations_of``): the clause behind each figure.
    citations: dict[str, list[dict]] = attrs.field(factory=dict)

    @property
    def pack_ids(self) -> list[str]:
        return [p.id for p in self.packs]

    def outcome(self, pack_id: str) -> pl.DataFrame:
        """One pack's outcomes with the project id, one row per project, its text as text."""
        return self.matrix.select("project_id").hstack(
            self.by_pack[pack_id].with_columns(pl.col(TEXT_OUTCOMES).cast(pl.String)))

    @property
    def outcomes(self) -> pl.DataFrame:
        """Every pack's outcomes, one row per project and pack (``project_id`` and ``pack`` added
        here: the comparison keeps them once, not once per pack)."""
        return pl.concat([self.outcome(pid).with_columns(pl.lit(pid).alias("pack")) for pid in self.pack_ids])


def outcomes_of(result: RunResult, n: int) -> pl.DataFrame:
    """One row per project (in the portfolio's order, ``n`` of them): gate, alerts, grade, budget
    effect and deadline under one pack. Each is aggregated per project from the decisions the pack
    made and placed by position (``by_project``), never joined on the text id. Neither the project
    id nor the pack is repeated in it (``Comparison.outcome`` adds the id)."""
    f = result.decisions.lazy()
    zh = {k: a.zh for k, a in ACTIONS.items()}
    kinds = sorted(ALERT_ACTIONS)  # listed in this order, by their Chinese names
    blocked = per_project(f.filter(pl.col("action") == "block_budget"), pl.lit(True).alias("_blocked"))
    alerts = per_project(f.filter(pl.col("action").is_in(ALERT_ACTIONS)),
                         *((pl.col("action") == a).any().alias(a) for a in kinds))
    alerts = alerts.select(PIX, pl.concat_str([pl.when(pl.col(a)).then(pl.lit(zh[a])) for a in kinds],
                                              separator="、", ignore_nulls=True).alias("alerts"))
    effect = per_project(f.filter(pl.col("amount_fen").is_not_null()), pl.col("amount_fen").sum().alias("effect_fen"))
    due = per_project(f.filter(pl.col("action").is_in(DEADLINE_ACTIONS)),
                      pl.col("due_date").min().alias("deadline"),
                      (pl.col("action") == "rectification_overdue").any().alias("overdue"))
    facts = result.facts  # one row per project, in the portfolio's order
    out = pl.DataFrame(
        [facts[c] if c in facts.columns else pl.Series(c, [None] * n, dtype)
         for c, dtype in (("grade", pl.String), ("grade_rank", pl.Int8))])
    for part in (blocked, alerts, effect, due):
        out = out.hstack(by_project(part, n))
    return out.select(
        pl.col("grade").cast(pl.Categorical), "grade_rank",
        pl.when(pl.col("_blocked")).then(pl.lit("不予安排预算")).otherwise(pl.lit("通过")).cast(pl.Categorical).alias("gate"),
        pl.col("alerts").fill_null("").cast(pl.Categorical), pl.col("effect_fen").fill_null(0), "deadline",
        pl.col("overdue").fill_null(False))


def compare(packs: list[Pack], portfolio: Portfolio, as_of: dt.date, *, monthly: bool = True,
            on_pack=None, on_step=None) -> Comparison:
    """Run every pack over the portfolio and condense the results. ``on_pack(pack_id)`` is called
    before each pack's run, ``on_step(text)`` (Chinese) before the later steps, so a progress display
    says what is being done."""
    projects = portfolio.projects.select("project_id", PIX, "name", "department")
    portfolio.check_as_of(as_of)
    portfolio = portfolio.shared()  # what depends on the data alone is computed once for all packs
    base = base_facts(portfolio, as_of)  # the same for every pack
    per_pack, summary, by_dept, cited = {}, [], [], {}
    for pack in packs:
        if on_pack:
            on_pack(pack.id)
        result = run(pack, portfolio, as_of, base=base)  # outcomes read decisions, never the messages
        # Condensed at once, so that only one pack's findings are held at a time.
        one = outcomes_of(result, len(portfolio))
        per_pack[pack.id] = one
        summary.append(_summary(result, one, len(portfolio)))
        cited[pack.id] = citations_of(result)
        by_dept.append(one.select("effect_fen").hstack([projects["department"]]).lazy()
                       .group_by("department").agg(pl.col("effect_fen").sum().alias("budget_effect_fen"))
                       .select("department", pl.lit(pack.id).alias("pack"), "budget_effect_fen"))
        del result
    if on_step:
        on_step(f"对比各规则包的结论 · {len(portfolio):,} 个项目")
    matrix = _matrix(per_pack, projects)
    by_dept = pl.concat(by_dept).sort("department", "pack").collect()
    replaying = monthly and len(portfolio) <= MONTHLY_LIMIT
    if replaying and on_step:
        on_step(f"逐月回放预警（截至 {as_of:%Y-%m-%d}）· {len(portfolio):,} 个项目")
    replay = _monthly(packs, portfolio, as_of) if replaying else None
    return Comparison(as_of, tuple(packs), per_pack, matrix, summary, by_dept, replay, len(portfolio), cited)


def citations_of(result: RunResult) -> list[dict]:
    """What each rule decided, by the clause it cites: per action, budget year, object, document
    (文号) and clause, the findings, the projects and the amount (None when no finding of the group
    carries one). The report shows these beside its figures."""
    text = ("action", "applies_to", "rule", "source", "clause")
    # Grouped by the enums themselves, cast to text once a group (a text copy of five columns of
    # every finding was the comparison's peak of memory at 1 M projects; docs/performance.md).
    groups = (result.decisions.lazy()
              .group_by(*text, "budget_year")
              .agg(pl.len().alias("findings"), pl.col(PIX).n_unique().alias("projects"),
                   pl.col("amount_fen").sum().alias("amount_fen"),
                   pl.col("amount_fen").is_not_null().any().alias("_money"))
              .with_columns(pl.col(text).cast(pl.String))
              .sort("action", "budget_year", "applies_to", "source", "clause", "rule", nulls_last=True).collect())
    return [{**{k: v for k, v in row.items() if k != "_money"}, "amount_fen": row["amount_fen"] if row["_money"] else None}
            for row in groups.iter_rows(named=True)]


def _matrix(per_pack: dict[str, pl.DataFrame], projects: pl.DataFrame) -> pl.DataFrame:
    """One row per project: each pack's outcome side by side, and the fields on which they differ.
    Every pack's outcomes hold every project in the portfolio's order, so they line up as columns."""
    fields = {"gate": "gate", "alerts": "alerts", "grade_rank": "grade", "effect_fen": "effect", "deadline": "deadline"}
    wide = projects.drop(PIX).hstack([
        one[c].alias(f"{pid}:{c}") for pid, one in per_pack.items()
        for c in ("gate", "alerts", "grade", "effect_fen", "deadline")])
    first, *others = per_pack.values()
    differs = []
    for col, name in fields.items():
        flag = pl.Series(f"differs_{name}", [False] * first.height, dtype=pl.Boolean)
        for one in others:
            flag = flag | one[col].ne_missing(first[col])
        differs.append(flag.alias(name))
    disagree = pl.DataFrame(differs).select(
        pl.concat_str([pl.when(pl.col(n)).then(pl.lit(n)) for n in fields.values()],
                      separator=",", ignore_nulls=True).fill_null("").alias("disagree"))
    return wide.hstack(disagree)


def _summary(result: RunResult, outcomes: pl.DataFrame, n: int) -> dict:
    f = result.decisions
    counts = dict(f.lazy().group_by("action").len().collect().iter_rows())
    graded = outcomes.lazy().filter(pl.col("grade").is_not_null())
    grades = graded.group_by("grade", "grade_rank").len().sort("grade_rank").collect()
    n_graded = int(outcomes["grade"].is_not_null().sum())
    effect = int(f["amount_fen"].sum() or 0)
    return {
        "pack": result.pack.id,
        "name": result.pack.meta.name,
        "blocked": int((outcomes["gate"] != "通过").sum()),
        "alerts": {a: counts[a] for a in ALERT_ACTIONS if a in counts},
        "grades": {g: c for g, _, c in grades.iter_rows()},
        "budget_effect_fen": effect,  # every year and kind added up: see budget_effect_by_year
        "budget_effect_by_year": effect_by_year(f),
        "rectifications_due": counts.get("rectify", 0),
        "rectifications_overdue": counts.get("rectification_overdue", 0),
        "graded": n_graded,
        "graded_share": round(n_graded / n, 4) if n else 0.0,
        "selected_for_evaluation": counts.get("select_for_evaluation", 0),
        "findings": f.height,
        "not_in_force": in_force.report(result.pack, result.facts),  # as in a run's JSON
    }


def _month_ends(year: int, until: dt.date) -> list[dt.date]:
    out = []
    for m in range(1, 13):
        nxt = dt.date(year + m // 12, m % 12 + 1, 1)
        day = nxt - dt.timedelta(days=1)
        if day <= until:
            out.append(day)
    return out


def _monthly(packs: list[Pack], portfolio: Portfolio, as_of: dt.date) -> pl.DataFrame:
    """In-year alerts replayed at each month end of the latest fiscal year up to the date."""
    years = portfolio.projects.filter(pl.col("fiscal_year") <= as_of.year)["fiscal_year"]
    if years.len() == 0:
        return pl.DataFrame(schema={"pack": pl.String, "month": pl.String, "alerts": pl.Int64})
    rows = []
    for day in _month_ends(int(years.max()), as_of):
        view = portfolio.as_of_view(day)
        for pack in packs:
            f = run(pack, view, day).decisions
            rows.append((pack.id, day.strftime("%Y-%m"), int(f.filter(pl.col("action").is_in(ALERT_ACTIONS)).height)))
    return pl.DataFrame(rows, schema={"pack": pl.String, "month": pl.String, "alerts": pl.Int64}, orient="row")
