"""The national base pack, rule by rule, on small portfolios with boundary values."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from jixiao.core.engine import run
from jixiao.core.pack import Pack
from jixiao.core.load import load_portfolio
from tests_helpers import ok_row

from tests_helpers import AS_OF, project_rows

SCORES = {"S1": "59.99", "S2": "60", "S3": "79.99", "S4": "80", "S5": "89.99", "S6": "90", "S7": "100", "S8": "0"}


@pytest.fixture
def national(registry):
    return Pack.load("national", registry)


def run_folder(pack, tmp_path, as_of=AS_OF):
    result = run(pack, load_portfolio(tmp_path / "pf"), as_of)
    return result


def actions(result, pid, rule=None):
    f = result.findings.filter(pl.col("project_id") == pid)
    return (f if rule is None else f.filter(pl.col("rule") == rule))["action"].to_list()


def continuing(*rows: str) -> str:
    """Projects implemented until 2027: their own budget of the year a result feeds (2026) exists."""
    lines = project_rows(*rows).splitlines()
    return "\n".join([lines[0] + ",实施结束日期"] + [line + ",2027-12-31" for line in lines[1:]]) + "\n"


def test_grade_boundaries_are_lower_inclusive(national, write, tmp_path):
    write("pf/projects.csv", continuing(*(ok_row(pid, budget="1000000.05") for pid in SCORES)))
    write("pf/evaluations.csv", "项目编码,评价年度,评价方式,总分\n"
          + "".join(f"{pid},2024,财政重点评价,{score}\n" for pid, score in SCORES.items()))
    result = run_folder(national, tmp_path)
    grades = dict(result.facts.select("project_id", "grade").iter_rows())
    assert grades == {"S1": "差", "S2": "中", "S3": "中", "S4": "良", "S5": "良", "S6": "优", "S7": "优", "S8": "差"}
    cuts = result.findings.filter(pl.col("action") == "cut_budget")
    # 20 % of 1 000 000.05 元 = 200 000.01 元: 100000005 fen × 0.2 = 20000001 fen exactly.
    assert dict(cuts.select("project_id", "amount_fen").iter_rows()) == {"S1": -20000001, "S8": -20000001}
    assert cuts["assumed"].to_list() == [True, True]
    assert set(result.findings.filter(pl.col("action") == "prioritize")["project_id"]) == {"S6", "S7"}
    assert set(result.findings.filter(pl.col("action") == "improve")["project_id"]) == {"S2", "S3"}


def test_half_fen_rounds_up(national, write, tmp_path):
    write("pf/projects.csv", continuing(ok_row("H", budget="0.03")))
    write("pf/evaluations.csv", "项目编码,评价年度,评价方式,总分\nH,2024,自评,10\n")
    cut = run_folder(national, tmp_path).findings.filter(pl.col("action") == "cut_budget")
    assert cut["amount_fen"].to_list() == [-1]  # 3 fen × 0.2 = 0.6 fen → 1 fen


def test_no_cut_without_a_budget_of_that_year(national, write, tmp_path):
    # A project without a recorded end: no 2026 budget is known to exist, so no money is cut; the
    # finding names what the cut would be.
    write("pf/projects.csv", project_rows(ok_row("E", budget="1000000.05")))
    write("pf/evaluations.csv", "项目编码,评价年度,评价方式,评价日期,总分\nE,2024,财政重点评价,2025-03-01,10\n")
    findings = run_folder(national, tmp_path).findings.filter(pl.col("rule") == "budget_link")
    row = findings.row(0, named=True)
    assert findings.height == 1 and row["action"] == "cut_if_budgeted" and row["amount_fen"] is None
    assert "削减 200,000.01 元" in row["message"] and row["budget_year"] == 2026


def test_better_evaluation_source_wins_and_future_evaluations_are_ignored(national, write, tmp_path):
    write("pf/projects.csv", project_rows(ok_row("A")))
    write("pf/evaluations.csv", "项目编码,评价年度,评价方式,评价日期,总分\nA,2024,自评,2025-02-01,95\n"
          "A,2024,第三方评价,2025-03-01,70\nA,2024,财政重点评价,2025-04-01,50\nA,2023,财政重点评价,2024-04-01,10\n")
    facts = run_folder(national, tmp_path).facts.row(0, named=True)
    assert (facts["score_c"], facts["grade"], facts["score_source"]) == (7000, "中", "third_party")


def test_computed_self_evaluation_score(national, write, tmp_path):
    write("pf/projects.csv", project_rows(ok_row("C", budget="1000", spent="950")))
    write("pf/indicators.csv", "项目编码,一级指标,三级指标,指标方向,目标值,实际值,分值\n"
          "C,产出,完成数量,正向,100,80,3\n"
          "C,产出,按期完成,定性,,部分达成,1\n"
          "C,效益,投诉件数,反向,10,20,\n"
          "C,满意度,满意度,正向,90,95,\n")
    facts = run_folder(national, tmp_path).facts.row(0, named=True)
    # execution 10×0.95 = 9.50; output 50×(3×0.8+1×0.7)/4 = 38.75; outcome 30×10/20 = 15; satisfaction 10.
    assert facts["score_c"] == 7325 and facts["grade"] == "中" and facts["score_source"] == "computed"


def test_no_computed_score_before_the_year_is_over(national, write, tmp_path):
    write("pf/projects.csv", project_rows(ok_row("C", budget="1000", spent="950")))
    write("pf/indicators.csv", "项目编码,一级指标,三级指标,指标方向,目标值,实际值\nC,产出,完成数量,正向,100,80\n")
    facts = run_folder(national, tmp_path, as_of=dt.date(2024, 12, 31)).facts.row(0, named=True)
    assert facts["score_c"] is None and facts["grade"] is None


def test_target_gate(national, write, tmp_path):
    write("pf/projects.csv", project_rows(ok_row("OK"), ok_row("NONE", targets="未设定"),
                                          ok_row("REJ", targets="未通过"), ok_row("PART")))
    write("pf/indicators.csv", "项目编码,一级指标,三级指标,指标方向,目标值,实际值\n"
          "OK,产出,a,正向,1,1\nOK,成本,d,反向,1,1\nOK,效益,b,正向,1,1\nOK,满意度,c,正向,1,1\nPART,产出,a,正向,1,1\n")
    result = run_folder(national, tmp_path)
    blocked = result.findings.filter(pl.col("rule") == "targets")
    assert dict(blocked.select("project_id", "message").iter_rows()) == {
        "NONE": "未设定绩效目标，不予安排2024年度预算（2024年度预算已批复执行：此为编制时应具备的要件，供核查纠正）",
        "REJ": "绩效目标审核未通过，不予安排2024年度预算（2024年度预算已批复执行：此为编制时应具备的要件，供核查纠正）",
        "PART": "绩效目标不完整（缺少成本、效益、满意度指标），不予安排2024年度预算（2024年度预算已批复执行：此为编制时应具备的要件，供核查纠正）",
    }
    assert set(blocked["clause"]) == {"四（八）（未核实）"} and set(blocked["source"]) == {"中发〔2018〕34号"}


def test_ex_ante_gate_for_new_major_projects(national, write, tmp_path):
    write("pf/projects.csv", project_rows(
        ok_row("NM", new="是", major="是"), ok_row("NMP", new="是", major="是", assessment="通过"),
        ok_row("NEW", new="是"), ok_row("FAIL", new="是", major="是", assessment="不通过")))
    result = run_folder(national, tmp_path)
    assert actions(result, "NM", "ex_ante") == ["block_budget", "require_assessment"]
    assert actions(result, "FAIL", "ex_ante") == ["block_budget", "require_assessment"]
    assert actions(result, "NMP", "ex_ante") == [] and actions(result, "NEW", "ex_ante") == []
