"""Effective periods (core/in_force.py): a rule runs, span by span of budget years, as it stands for
those years; findings, facts and failures are those of the whole portfolio."""

from __future__ import annotations

import datetime as dt

import pytest

from jixiao.core.engine import run
from jixiao.core.errors import RuleFailed
from jixiao.core.pack import Pack
from jixiao.core.load import portfolio_from_records

CITY = """
[pack]
id = "city"
name = "某市"
level = "city"
extends = "national"

[sources.plan]
doc_no = "某财绩〔2021〕1号"
title = "某市三年行动方案(2021-2022年)"
in_force = { from_budget_year = 2021, to_budget_year = 2022 }

[rules.evaluation]
citation = { source = "plan", clause = "第五条" }
[rules.evaluation.params]
grades = [{ label = "优", min = 95 }, { label = "良", min = 80 }, { label = "中", min = 60 }, { label = "差", min = 0 }]
"""


def folio(years):
    base = {"department": "市教育局", "fund_type": "一般公共预算", "category": "专项资金", "budget": "1000000.00",
            "target_status": "已批复"}
    projects = [{**base, "project_id": f"P{y}", "name": f"{y}年项目", "fiscal_year": y} for y in years]
    evaluations = [{"project_id": f"P{y}", "year": y, "kind": "财政重点评价", "score": 92} for y in years]
    return portfolio_from_records({"projects": projects, "evaluations": evaluations}, "test")


def test_grades_follow_the_span_of_each_projects_budget_year(registry, write):
    # 92 points: 优 under the national bands, 良 under the city's 2021–2022 plan (优 from 95).
    pack = Pack.load(write("city.toml", CITY), registry)
    result = run(pack, folio([2020, 2021, 2022, 2023]), dt.date(2024, 6, 30))
    assert result.facts["grade"].to_list() == ["优", "良", "良", "优"]
    graded = result.findings.filter(result.findings["action"] == "grade")
    assert graded["project_id"].to_list() == ["P2020", "P2021", "P2022", "P2023"]  # the portfolio's order
    assert graded["clause"].to_list() == ["第二十七条（未核实）", "第五条", "第五条", "第二十七条（未核实）"]
    prioritized = result.findings.filter(result.findings["action"] == "prioritize")["project_id"].to_list()
    assert prioritized == ["P2020", "P2023"]  # the budget link (national, always in force) reads those grades


def test_a_rule_failing_in_a_span_is_named(registry, write, monkeypatch):
    from jixiao.plugins.evaluation_score import EvaluationScore

    pack = Pack.load(write("city.toml", CITY), registry)

    def boom(self, *args, **kwargs):
        raise ValueError("boom")

    from jixiao.core.hookspecs import hookimpl

    monkeypatch.setattr(EvaluationScore, "jixiao_evaluate", hookimpl(boom))
    with pytest.raises(RuleFailed) as info:
        run(pack, folio([2020, 2021]), dt.date(2024, 6, 30))
    assert str(info.value).startswith("规则 'evaluation'（插件 'evaluation_score'）在绩效评价环节（evaluate，jixiao_evaluate）出错")


def test_a_district_of_qingdao_starts_its_ex_ante_gate_with_the_2021_budget(registry, write):
    # Qingdao 二（三）: "各区市……在组织2021年部门预算编审中开展事前绩效评估相关工作".
    district = write("district.toml", """
        [pack]
        id = "district"
        name = "青岛市某区"
        level = "district"
        extends = "qingdao"

        [rules.ex_ante]
        citation = { source = "qd2020", clause = "二（三）" }
        in_force = { from_budget_year = 2021 }
        """)
    pack = Pack.load(district, registry)
    base = {"department": "区发改局", "fund_type": "一般公共预算", "category": "一般项目", "budget": "100000.00",
            "is_new": True, "is_major": True}
    projects = [{**base, "project_id": f"P{y}", "name": f"{y}年新增重大政策", "fiscal_year": y} for y in (2020, 2021, 2023)]
    result = run(pack, portfolio_from_records({"projects": projects}, "test"), dt.date(2023, 3, 31))
    gated = result.findings.filter(result.findings["rule"] == "ex_ante")
    assert sorted(set(gated["project_id"].to_list())) == ["P2021", "P2023"]  # 2023: the national gate
