"""Nanchang （十一） 按绩效付费: the grade governs a PPP project's operating subsidy; the amount comes
from the contract unless a pack states ratios."""

from __future__ import annotations

import datetime as dt

import polars as pl

from jixiao.core.engine import run
from jixiao.core.pack import Pack
from jixiao.core.load import portfolio_from_records

CITY = """
[pack]
id = "ppp_city"
name = "某市"
level = "city"
extends = "nanchang"

[sources.city]
doc_no = "某财绩〔2025〕1号"
title = "某市PPP项目按效付费办法"

[rules.performance_payment]
citation = { source = "city", clause = "第五条" }

[rules.performance_payment.params]
pay_ratios = { "一般" = "0.9", "优" = "1" }
"""


def _portfolio():
    base = {"department": "市财政局", "fiscal_year": 2024, "fund_type": "一般公共预算", "category": "PPP",
            "budget": "1000000", "target_status": "已批复"}
    projects = [{**base, "project_id": pid, "name": pid} for pid in ("FAIR", "TOP", "GOOD")]
    scores = {"FAIR": 70, "TOP": 95, "GOOD": 85}
    evaluations = [{"project_id": pid, "year": 2024, "kind": "财政重点评价", "date": "2025-03-01", "score": s}
                   for pid, s in scores.items()]
    return portfolio_from_records({"projects": projects, "evaluations": evaluations}, "ppp.json")


def _payments(pack):
    f = run(pack, _portfolio(), dt.date(2025, 3, 31)).findings
    return {r["project_id"]: r for r in f.filter(pl.col("rule") == "performance_payment").iter_rows(named=True)}


def test_nanchang_states_no_ratio_so_no_amount_is_computed(registry):
    rows = _payments(Pack.load("nanchang", registry))
    assert set(rows) == {"FAIR", "TOP", "GOOD"}
    for row in rows.values():
        assert row["action"] == "pay_by_performance" and row["amount_fen"] is None
        assert row["budget_year"] == 2024 and row["applies_to"] == "contract_payment"
        assert "按项目合同的绩效考核约定" in row["message"]


def test_a_pack_with_ratios_withholds_exactly_and_pays_in_full_without_an_amount(registry, write):
    rows = _payments(Pack.load(write("ppp_city.toml", CITY), registry))
    # 一般: 90 % paid, 10 % of 1 000 000 元 withheld; 优: paid in full, nothing to show as money;
    # 良 has no ratio in the pack: the contract decides.
    assert rows["FAIR"]["amount_fen"] == -10_000_000 and "不予支付 100,000.00 元" in rows["FAIR"]["message"]
    assert rows["TOP"]["amount_fen"] is None and "按绩效全额支付" in rows["TOP"]["message"]
    assert rows["GOOD"]["amount_fen"] is None and "按项目合同的绩效考核约定" in rows["GOOD"]["message"]
