"""Every finding that moves money or blocks a budget says which budget year and which object it
applies to; reclaims are of closed years only; results reach the first budget compiled after them."""

from __future__ import annotations

import datetime as dt

import attrs
import polars as pl
import pytest

from jixiao import Rule, hookimpl
from jixiao.core.actions import ACTIONS, OBJECTS
from jixiao.core.load import portfolio_from_records as _records
from jixiao.core.engine import run
from jixiao.core.errors import PluginError
from jixiao.core.pack import Pack
from tests_helpers import ONE_RULE_PACK

PACK = ONE_RULE_PACK


def portfolio_from_records(tables):
    return _records(tables, "test.json")


@attrs.frozen
class P:
    pass


def _rule(**kw):
    def impl(self, facts):
        return self.output(self.findings(facts.lazy(), "cut_budget", "扣减", amount_fen=pl.lit(-100), **kw))

    return type("Cut", (Rule,), {"name": "cut_rule", "Params": P, "jixiao_apply": hookimpl(impl)})


def _project(**over):
    row = {"project_id": "A", "name": "甲", "department": "教育局", "fiscal_year": 2024, "fund_type": "一般公共预算",
           "category": "专项资金", "budget": "1000000", "spent": "400000", "target_status": "已批复"}
    return {**row, **over}


def test_binding_findings_must_say_budget_year_and_object(registry, write):
    portfolio = portfolio_from_records({"projects": [_project()]})
    registry.add_plugin(_rule(), "tests")
    pack = Pack.load(write("one.toml", PACK.format(plugin="cut_rule")), registry)
    with pytest.raises(PluginError, match="budget year and the object"):
        run(pack, portfolio, dt.date(2025, 3, 31))


def test_an_object_outside_the_vocabulary_is_refused(registry, write):
    portfolio = portfolio_from_records({"projects": [_project()]})
    registry.add_plugin(_rule(budget_year=2026, applies_to="somebody_else"), "tests")
    pack = Pack.load(write("one.toml", PACK.format(plugin="cut_rule")), registry)
    with pytest.raises(PluginError, match="outside the vocabulary"):
        run(pack, portfolio, dt.date(2025, 3, 31))


def test_every_binding_finding_of_every_builtin_pack_on_the_sample_has_year_and_object(registry):
    from jixiao.core.sample import generate

    portfolio = generate(300, seed=3)
    binding = [code for code, a in ACTIONS.items() if a.binding]
    seen = set()
    for pack_id in registry.packs:
        for as_of in (dt.date(2024, 12, 31), dt.date(2025, 3, 31)):
            f = run(Pack.load(pack_id, registry), portfolio, as_of).findings.filter(pl.col("action").is_in(binding))
            assert f.filter(pl.col("budget_year").is_null() | pl.col("applies_to").is_null()).height == 0
            assert set(f["applies_to"]) <= set(OBJECTS)
            seen |= set(f["action"])
    assert {"cut_budget", "block_budget", "reclaim_funds"} <= seen


ACCOUNTABLE = """
[pack]
id = "ty_reclaim"
name = "天元（选定问责方式）"
level = "district"
extends = "tianyuan"

[rules.accountability]
citation = { source = "ty", clause = "第三十九条" }

[rules.accountability.params]
by_trigger = { poor_evaluation = ["reclaim_funds", "reduce_budget"] }
"""


def _graded(fiscal_year, score, date):
    return {"project_id": f"P{fiscal_year}", "year": fiscal_year, "kind": "第三方评价", "date": date, "score": score}


def test_reclaim_is_of_a_closed_years_unexecuted_money_never_a_running_year(registry, write):
    # 第三十九条（二）收回年度没有执行或没按规定执行的预算资金.
    pack = Pack.load(write("ty_reclaim.toml", ACCOUNTABLE), registry)
    portfolio = portfolio_from_records({
        "projects": [_project(project_id="P2023", fiscal_year=2023, spent="700000"),
                     _project(project_id="P2024", fiscal_year=2024, spent="0")],
        # P2023: 300 000 paid in 2023; 400 000 more in 2024 (after its year closed): the 2023 balance
        # not executed in 2023 is 700 000.
        "spending": [{"project_id": "P2023", "date": "2023-06-30", "amount": "300000"},
                     {"project_id": "P2023", "date": "2024-02-01", "amount": "400000"}],
        "evaluations": [_graded(2023, 50, "2024-03-01"), _graded(2024, 50, "2024-09-01")],
    })
    f = run(pack, portfolio, dt.date(2024, 10, 9)).findings.filter(pl.col("rule") == "accountability")
    reclaims = f.filter(pl.col("action") == "reclaim_funds")
    # The running year's project (FY2024, graded in-year) has nothing reclaimed.
    assert reclaims["project_id"].to_list() == ["P2023"]
    row = reclaims.row(0, named=True)
    assert (row["amount_fen"], row["budget_year"], row["applies_to"]) == (-70_000_000, 2023, "unspent_balance")
    assert "2023年度没有执行的预算资金 700,000.00 元" in row["message"]
    # 责令改正 for every triggered project; the reduced budget is the next one compiled (2025).
    assert set(f.filter(pl.col("action") == "order_correction")["project_id"]) == {"P2023", "P2024"}
    reduced = f.filter(pl.col("action") == "no_new_budget")
    assert set(reduced["budget_year"]) == {2025} and set(reduced["applies_to"]) == {"project_budget"}


def test_tianyuan_by_default_chooses_no_sanction_and_lists_the_choices(registry):
    portfolio = portfolio_from_records({"projects": [_project(project_id="P2024")],
                                        "evaluations": [_graded(2024, 50, "2025-02-01")]})
    f = run(Pack.load("tianyuan", registry), portfolio, dt.date(2025, 3, 31)).findings
    acc = f.filter(pl.col("rule") == "accountability")
    assert sorted(acc["action"]) == ["accountability", "order_correction"]
    assert "可视情节轻重选择" in acc.filter(pl.col("action") == "accountability")["message"][0]
    # One 通报 at most: the budget link no longer notifies on top of accountability.
    assert f.filter(pl.col("action") == "public_notice").height == 0


def test_a_gate_run_after_the_budget_was_adopted_says_so(registry):
    # A block is a precondition of compiling the budget: run during compilation it blocks; run once
    # the fiscal year has begun it cannot take the adopted budget back, and says so.
    portfolio = portfolio_from_records({"projects": [_project(target_status="未设定", spent="0")]})
    pack = Pack.load("national", registry)
    before = run(pack, portfolio, dt.date(2023, 11, 15)).findings.filter(pl.col("action") == "block_budget")
    after = run(pack, portfolio, dt.date(2024, 5, 31)).findings.filter(pl.col("action") == "block_budget")
    assert before["message"].to_list() == ["未设定绩效目标，不予安排2024年度预算"]
    assert after["message"][0].endswith("（2024年度预算已批复执行：此为编制时应具备的要件，供核查纠正）")
    assert before["budget_year"].to_list() == after["budget_year"].to_list() == [2024]
