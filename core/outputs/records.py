"""The domain as frozen attrs value objects: what the documents talk about, one project at a time.

Runs work on columnar tables (``core/load/``); these objects are the single-project view —
what ``explain`` shows and what a plugin author or an analyst reads — built from the same tables.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs

from jixiao.core.load import Portfolio


def _fields(cls, row: dict[str, Any]) -> dict[str, Any]:
    return {f.name: row.get(f.name) for f in attrs.fields(cls)}


@attrs.frozen(kw_only=True)
class Project:
    """项目: one project with its department, year, fund type, category, flags, period and money."""

    project_id: str
    name: str
    department: str
    fiscal_year: int
    fund_type: str  # 一般公共预算 / 政府性基金预算 / 国有资本经营预算 / 社会保险基金预算
    category: str  # 专项资金, 转移支付, 部门整体支出, PPP, 政府购买服务, …
    budget_fen: int
    spent_fen: int | None = None
    is_new: bool = False
    is_major: bool = False
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    target_status: str = "none"
    priority_fund: bool = False
    assessment_points: str | None = None
    target_review_failures: int = 0
    targets_adjusted: bool = False
    budget_adjusted: bool = False
    targets_refiled: bool = False
    targets_reapproved: bool = False
    review_score_c: int | None = None


@attrs.frozen(kw_only=True)
class Assessment:
    """事前绩效评估: the ex-ante assessment's conclusion and date."""

    result: str  # pass / fail / none
    date: dt.date | None = None


@attrs.frozen(kw_only=True)
class Indicator:
    """绩效指标: a target indicator (产出/效益/满意度) with direction, target and actual values."""

    level1: str  # output / outcome / satisfaction
    level2: str | None
    name: str
    direction: str  # higher / lower / qualitative
    target_e4: int | None  # target × 10⁴
    actual: str | None  # a number, or 达成 / 部分达成 / 未达成
    weight_e4: int | None


@attrs.frozen(kw_only=True)
class Payment:
    """支出: money paid out on a date."""

    date: dt.date
    amount_fen: int


@attrs.frozen(kw_only=True)
class Evaluation:
    """绩效评价: a self, finance or third-party evaluation, with scores per first-level indicator."""

    year: int
    kind: str  # self / department / finance / third_party / monitoring (重点监控, no score)
    date: dt.date | None
    score_c: int | None  # hundredths of a point
    score_execution_c: int | None = None
    score_output_c: int | None = None
    score_outcome_c: int | None = None
    score_satisfaction_c: int | None = None
    review_date: dt.date | None = None  # finance's review (复核) of the report


@attrs.frozen(kw_only=True)
class Decision:
    """问责决定 and its 整改报告: when the decision was received and when the report came."""

    decision_id: str
    trigger: str | None
    sanction: str | None
    received_date: dt.date
    report_date: dt.date | None


@attrs.frozen(kw_only=True)
class MonitoringRow:
    """One row (an indicator) of a unit's in-year monitoring report (绩效监控)."""

    report_date: dt.date
    indicator: str | None
    likelihood: str | None
    rectify: bool | None


@attrs.frozen(kw_only=True)
class ProjectRecord:
    """Everything the portfolio holds about one project."""

    project: Project
    assessment: Assessment
    indicators: tuple[Indicator, ...]
    payments: tuple[Payment, ...]
    evaluations: tuple[Evaluation, ...]
    decisions: tuple[Decision, ...]
    monitoring: tuple[MonitoringRow, ...] = ()

    @classmethod
    def from_portfolio(cls, portfolio: Portfolio, project_id: str) -> ProjectRecord:
        ids = portfolio.projects["project_id"]
        one = portfolio if ids.len() == 1 and ids[0] == project_id else portfolio.subset([project_id])
        row = one.projects.row(0, named=True)
        return cls(
            project=Project(**_fields(Project, row)),
            assessment=Assessment(result=row["assessment_result"], date=row["assessment_date"]),
            indicators=tuple(Indicator(**_fields(Indicator, r)) for r in one.indicators.iter_rows(named=True)),
            payments=tuple(Payment(**_fields(Payment, r)) for r in one.spending.iter_rows(named=True)),
            evaluations=tuple(Evaluation(**_fields(Evaluation, r)) for r in one.evaluations.iter_rows(named=True)),
            decisions=tuple(Decision(**_fields(Decision, r)) for r in one.accountability.iter_rows(named=True)),
            monitoring=tuple(MonitoringRow(**_fields(MonitoringRow, r)) for r in one.monitoring.iter_rows(named=True)),
        )


@attrs.frozen(kw_only=True)
class Finding:
    """结论: what one rule of one pack says about one project."""

    project_id: str
    pack: str
    stage: str
    rule: str
    plugin: str
    action: str
    amount_fen: int | None
    due_date: dt.date | None
    budget_year: int | None
    applies_to: str | None
    source: str
    clause: str
    assumed: bool
    message: str

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Finding:
        return cls(**_fields(cls, row))
