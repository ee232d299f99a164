"""Self-evaluation coverage and review, evaluation sources, missing categories, year-end execution,
成本 targets and target re-approval (issue 12: items 2, 3 and 10)."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import polars as pl
import pytest

from jixiao.core.engine import run
from jixiao.core.errors import RuleFailed
from jixiao.core.outputs.explain import explain_project
from jixiao.core.pack import Pack
from jixiao.core.load import portfolio_from_records
from jixiao.plugins.evaluation_score import EvaluationScoreParams, effective_weights
from jixiao.plugins.self_evaluation_coverage import SelfEvaluationCoverageParams
from jixiao.plugins.target_gate import TargetGateParams

W = {"output": 5000, "outcome": 3000, "satisfaction": 1000}  # hundredths of a point


def test_missing_satisfaction_moves_to_outcome_and_the_rest_is_shared():
    eff = effective_weights(W, {"satisfaction": "outcome"})
    assert eff[0b111] == {"output": 5000, "outcome": 3000, "satisfaction": 1000}
    assert eff[0b011] == {"output": 5000, "outcome": 4000}  # no 满意度: its 10 points to 效益
    # No 效益 (unmapped): its 30 points shared 50 : 10.
    assert eff[0b101] == {"output": 7500, "satisfaction": 1500}
    # No 效益 and no 满意度: 满意度 → 效益 is missing too, so both are shared: all 90 to 产出.
    assert eff[0b001] == {"output": 9000}
    for pattern, weights in eff.items():
        assert sum(weights.values()) == 9000, pattern


def test_a_chain_of_moves_and_a_cycle():
    eff = effective_weights(W, {"satisfaction": "outcome", "outcome": "output"})
    assert eff[0b001] == {"output": 9000}  # 满意度 → 效益 (missing) → 产出
    cyc = effective_weights(W, {"outcome": "satisfaction", "satisfaction": "outcome"})
    assert cyc[0b001] == {"output": 9000}  # nowhere to go: shared, here all to 产出
    assert effective_weights({"output": 3333, "outcome": 3333, "satisfaction": 2334}, {})[0b011] == {
        "output": Fraction(4500), "outcome": Fraction(4500)}


@pytest.mark.parametrize("moves, error", [
    ({"satisfaction": "satisfaction"}, "missing_weight_to.satisfaction：应为另一个一级指标类别.*写的是 'satisfaction'"),
    ({"satisfaction": "cost"}, "missing_weight_to.satisfaction：应为另一个一级指标类别.*写的是 'cost'"),
    ({"cost": "output"}, "missing_weight_to：没有一级指标类别 'cost'；可选："),
])
def test_missing_weight_to_is_checked(moves, error):
    with pytest.raises(ValueError, match=error):
        EvaluationScoreParams(missing_weight_to=moves)


def test_department_is_a_source():
    EvaluationScoreParams(sources=["department", "computed"])


@pytest.mark.parametrize("kw, error", [
    ({"due_month": 2, "due_day": 29}, "应为每年都有的日期.*写的是 2 月 29 日"),
    ({"due_month": 13}, "应为每年都有的日期.*写的是 13 月 30 日"),
    ({"kinds": ["selfie"]}, "kinds：没有评价类型 'selfie'；可选："),
    ({"kinds": []}, "kinds：至少写一种计为单位自评的评价类型"),
])
def test_self_evaluation_params_are_checked(kw, error):
    with pytest.raises(ValueError, match=error):
        SelfEvaluationCoverageParams(**kw)


def test_cost_is_a_level_that_can_be_required():
    assert TargetGateParams(required_levels=["cost"]).required_levels == ["cost"]
    with pytest.raises(ValueError, match="required_levels：没有一级指标类别 'costs'；可选："):
        TargetGateParams(required_levels=["costs"])


def test_a_bad_due_date_in_a_pack_is_a_pack_error(cli, write):
    path = write("city.toml", """
        [pack]
        id = "city"
        name = "市"
        level = "city"
        extends = "national"
        [rules.self_evaluation]
        citation = { source = "cy2020_10", clause = "第四条" }
        [rules.self_evaluation.params]
        due_month = 2
        due_day = 30
        """)
    res = cli("packs", "check", path)
    assert res.exit_code == 2 and "rules.self_evaluation.params" in res.output and "写的是 2 月 30 日" in res.output


PROJECT = {"name": "项目", "department": "教育局", "fiscal_year": 2024, "fund_type": "一般公共预算",
           "category": "一般项目", "budget": 1000}


def folio(projects, indicators=(), evaluations=(), spending=()):
    tables = {"projects": [{**PROJECT, **p} for p in projects]}
    for name, rows in (("indicators", indicators), ("evaluations", evaluations), ("spending", spending)):
        if rows:
            tables[name] = list(rows)
    return portfolio_from_records(tables, "test")


def test_scores_are_shared_by_packs_only_when_the_missing_weight_rule_agrees(registry, write):
    """The score memo is keyed on missing_weight_to: a pack that shares 满意度's weight instead of
    moving it to 效益 scores the same project differently in the same comparison."""
    pf = folio([{"project_id": "A", "spent": 1000}], indicators=[
        {"project_id": "A", "level1": "产出", "name": "a", "direction": "正向", "target": 100, "actual": 50},
        {"project_id": "A", "level1": "效益", "name": "b", "direction": "正向", "target": 10, "actual": 10},
    ]).shared()
    national = Pack.load("national", registry)
    shared = Pack.load(write("shared.toml", """
        [pack]
        id = "shared"
        name = "按比例分摊"
        level = "city"
        extends = "national"
        [rules.evaluation]
        citation = { source = "cy2020_10", clause = "第十六条" }
        replace = ["missing_weight_to"]
        [rules.evaluation.params]
        missing_weight_to = {}
        """), registry)
    a = run(national, pf, dt.date(2025, 3, 31)).facts["score_c"][0]
    b = run(shared, pf, dt.date(2025, 3, 31)).facts["score_c"][0]
    # national: 10 + 50 × 0.5 + 40 = 75; shared 50 : 30 → 产出 56.25 × 0.5 = 28.13, 效益 33.75: 71.88.
    assert (a, b) == (7500, 7188)


def test_absurd_indicator_weights_are_an_error_not_a_wrapped_score(registry):
    pf = folio([{"project_id": "HUGE", "spent": 1000}], indicators=[
        {"project_id": "HUGE", "level1": "产出", "name": "a", "direction": "正向", "target": 1, "actual": 1,
         "weight": "900000000000"}])
    with pytest.raises(RuleFailed, match="项目 HUGE：绩效指标分值合计 9e\\+11，过大"):
        run(Pack.load("national", registry), pf, dt.date(2025, 3, 31))


def test_year_end_execution_without_a_spending_table_reads_the_spent_column(registry):
    pf = folio([{"project_id": "A", "spent": 500}], indicators=[
        {"project_id": "A", "level1": lv, "name": lv, "direction": "正向", "target": 1, "actual": 1}
        for lv in ("产出", "效益", "满意度")])
    assert run(Pack.load("national", registry), pf, dt.date(2025, 3, 31)).facts["score_c"][0] == 9500


def test_explain_says_how_long_is_left_before_the_self_evaluation_is_due(registry):
    pf = folio([{"project_id": "A"}, {"project_id": "B"}], evaluations=[
        {"project_id": "B", "year": 2024, "kind": "自评", "date": "2025-03-01", "score": 90}])
    pack = Pack.load("national", registry)
    notes = {pid: [n for r in explain_project(pack, pf, pid, dt.date(2025, 4, 20)).rules if r.rule == "self_evaluation"
                   for n in r.notes] for pid in ("A", "B")}
    assert notes == {"A": ["2024年度绩效自评尚未开展，距截止还有 10 天（2025-04-30）"], "B": []}


def test_the_sample_still_makes_sense_under_every_pack(registry):
    """The demo's portfolio: its targets include 成本, so the target gate blocks only the few
    projects the generator leaves without targets; most of this year's reports are reviewed."""
    from jixiao.core.sample import generate

    sample = generate(207)
    for pack_id in ("national", "tianyuan", "shilong"):
        found = run(Pack.load(pack_id, registry), sample, dt.date(2025, 3, 31)).findings
        blocked = found.filter((pl.col("rule") == "targets") & (pl.col("action") == "block_budget")
                               & pl.col("message").str.contains("不完整"))
        assert blocked.height == 0, pack_id
    waiting = run(Pack.load("tianyuan", registry), sample, dt.date(2025, 3, 31)).findings.filter(
        pl.col("action") == "review_self_evaluation")
    evaluated = sample.evaluations.filter((pl.col("year") == 2024) & (pl.col("kind") == "self")).height
    assert 0 < waiting.height < evaluated / 2


def test_a_resubmitted_report_counts_once_reviewed_once(registry):
    """Two self-evaluations of one year: the earlier date decides lateness, a review of either
    clears the review (Tianyuan 第三十二条)."""
    ev = [{"project_id": "A", "year": 2024, "kind": "自评", "date": "2025-03-01", "score": 80},
          {"project_id": "A", "year": 2024, "kind": "自评", "date": "2025-05-10", "score": 85,
           "review_date": "2025-05-12"},
          {"project_id": "B", "year": 2024, "kind": "自评", "date": "2025-05-10", "score": 85},
          {"project_id": "B", "year": 2024, "kind": "自评", "score": 85}]
    pf = folio([{"project_id": "A"}, {"project_id": "B"}], evaluations=ev)
    found = run(Pack.load("tianyuan", registry), pf, dt.date(2025, 5, 31)).findings.filter(
        pl.col("rule") == "self_evaluation")
    # A: first report in time, reviewed. B: an undated report counts as in time; none reviewed.
    assert found.select("project_id", "action").rows() == [("B", "review_self_evaluation")]
