"""jixiao plan coverage: a three-year schedule that meets the quota and keeps what was planned."""

from __future__ import annotations

import polars as pl
import pytest

from jixiao.plugins.coverage_schedule import CoverageParams, plan, quota

FUNDS_HEADER = "项目编码,项目名称,主管部门,预算年度,资金性质,项目类别,预算金额(万元),重点攻势资金\n"


def funds_frame(n: int, priority=()) -> pl.DataFrame:
    return pl.DataFrame({"project_id": [f"F{i:02d}" for i in range(1, n + 1)],
                         "priority_fund": [f"F{i:02d}" in priority for i in range(1, n + 1)],
                         "budget_fen": [(n + 1 - i) * 10**8 for i in range(1, n + 1)]})


@pytest.mark.parametrize("n", [1, 2, 3, 9, 10, 11, 31])
def test_every_fund_once_and_every_year_at_least_its_third(n):
    schedule = plan(funds_frame(n), CoverageParams(), 2020)
    per_year = dict(schedule.group_by("year").len().iter_rows())
    assert set(per_year) == {2020, 2021, 2022}
    assert min(per_year.values()) >= quota(n, "1/3")
    assert set(schedule["project_id"]) == {f"F{i:02d}" for i in range(1, n + 1)}
    assert not schedule.select("project_id", "year").is_duplicated().any()


def test_ten_funds_need_four_a_year():
    assert quota(10, "1/3") == 4
    schedule = plan(funds_frame(10, priority={"F09"}), CoverageParams(), 2020)
    assert dict(schedule.group_by("year").len().iter_rows()) == {2020: 4, 2021: 4, 2022: 4}
    first_year = schedule.filter(pl.col("year") == 2020)["project_id"].to_list()
    assert first_year[0] == "F09"  # the 十五个攻势 fund goes first


def test_adding_a_fund_keeps_the_plan(tmp_path):
    before = plan(funds_frame(10), CoverageParams(), 2020)
    fixed = [(r["project_id"], r["year"], "planned") for r in before.iter_rows(named=True)]
    after = plan(funds_frame(11), CoverageParams(), 2020, fixed)
    kept = after.filter(pl.col("status") == "planned").select("project_id", "year").sort("project_id", "year")
    assert kept.equals(before.select("project_id", "year").sort("project_id", "year"))
    assert after.filter(pl.col("status") == "new")["project_id"].to_list() == ["F11"]


def test_cli_plan_with_existing_plan_and_a_bad_one(cli, write, tmp_path):
    rows = "".join(f"F{i:02d},专项{i},市财政局,2020,一般公共预算,专项资金,{100 * i},{'是' if i == 3 else '否'}\n"
                   for i in range(1, 11))
    write("funds/projects.csv", FUNDS_HEADER + rows)
    write("funds/evaluations.csv", "项目编码,评价年度,评价方式,总分\nF10,2020,财政重点评价,88\n")
    res = cli("plan", "coverage", "--pack", "qingdao", "--format", "csv", "-o", tmp_path / "plan.csv", tmp_path / "funds")
    assert res.exit_code == 0, res.output
    first = pl.read_csv(tmp_path / "plan.csv")
    assert first.filter(pl.col("project_id") == "F10").row(0, named=True)["year"] == 2021  # evaluated in 2021
    assert first.filter(pl.col("year") == 2020)["project_id"][0] == "F03"
    write("funds/projects.csv", FUNDS_HEADER + rows + "F11,专项11,市财政局,2020,一般公共预算,专项资金,50,否\n")
    res = cli("plan", "coverage", "--pack", "qingdao", "--existing", tmp_path / "plan.csv", "--format", "json",
              tmp_path / "funds")
    assert res.exit_code == 0, res.output
    import json

    doc = json.loads(res.output)
    assert doc["per_year_minimum"] == 4 and doc["cycle"] == [2020, 2022]
    moved = {(r["project_id"], r["year"]) for r in doc["plan"]} - {(r["project_id"], r["year"]) for r in doc["plan"]
                                                                  if r["status"] in ("new", "again")}
    assert moved == set(first.select("project_id", "year").iter_rows())
    bad = write("bad.csv", "project_id,year\nF99,2021\n")
    res = cli("plan", "coverage", "--pack", "qingdao", "--existing", bad, tmp_path / "funds")
    assert res.exit_code == 2 and "第 2 行，列 project_id：不是项目数据中的专项资金（值：'F99'）" in res.output


def test_plan_needs_a_coverage_rule(cli, write, tmp_path):
    write("funds/projects.csv", FUNDS_HEADER + "F01,专项,市财政局,2020,一般公共预算,专项资金,100,否\n")
    res = cli("plan", "coverage", "--pack", "national", tmp_path / "funds")
    assert res.exit_code == 2 and "没有可据以编制计划的覆盖评价规则（coverage_schedule）" in res.output
