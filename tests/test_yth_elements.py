"""预算管理一体化 element names (PRO_CODE, CUR_AMT, LV1_PERF_IND_NAME, KPI_VAL, IND_COMP,
TOTAL_EVAL_VALUE …) are read as headers, beside jixiao's Chinese and English names; an amount
element is in 元 as the system keeps it; a form header with no unit (全年预算数) is not guessed."""

from __future__ import annotations

import json
import subprocess
import sys

from jixiao.core.schema import TABLES

CLI = [sys.executable, "-c", "from jixiao.cli.main import main; main()"]

PROJECTS = """MOF_DIV_CODE,PRO_CODE,PRO_NAME,DEPT_NAME,FISCAL_YEAR,资金性质,项目类别,CUR_AMT,YEAR_EXE_AMT,绩效目标状态
360100,P1,城区供水管网改造,市水务局,2024,一般公共预算,专项资金,1234567.89,1000000.00,已批复
360100,P2,农村饮水安全,市水务局,2024,一般公共预算,专项资金,500000.00,0.00,已批复
"""
INDICATORS = """PRO_CODE,LV1_PERF_IND_NAME,LV2_PERF_IND_NAME,LV3_PERF_IND_NAME,指标方向,KPI_VAL,IND_COMP,IND_WEIGHT
P1,产出指标,数量指标,改造管网长度（公里）,正向,50,48,30
P1,效益指标,社会效益指标,供水保证率（%）,正向,95,96,20
P2,产出指标,数量指标,受益人口（人）,正向,1000,900,30
"""
EVALUATIONS = """PRO_CODE,FISCAL_YEAR,评价方式,评价日期,TOTAL_EVAL_VALUE
P1,2024,财政重点评价,2025-03-01,55
P2,2024,单位自评,2025-02-20,92.5
"""


def _run(folder, *extra):
    return subprocess.run([*CLI, "run", "--pack", "national", "--as-of", "2025-03-31", "--format", "json",
                           *extra, str(folder)], capture_output=True, text=True)


def _write(folder, **tables):
    folder.mkdir(exist_ok=True)
    for name, text in tables.items():
        (folder / f"{name}.csv").write_text(text, encoding="utf-8")
    return folder


def test_element_names_are_headers(tmp_path):
    folder = _write(tmp_path / "yth", projects=PROJECTS, indicators=INDICATORS, evaluations=EVALUATIONS)
    res = _run(folder)
    assert res.returncode == 0, res.stderr
    doc = json.loads(res.stdout)
    assert doc["portfolio"]["projects"] == 2
    by = {(f["project_id"], f["action"]): f for f in doc["findings"]}
    # TOTAL_EVAL_VALUE is the score; FISCAL_YEAR of the evaluation table the year evaluated.
    assert by[("P1", "grade")]["score"] == "55.00" and by[("P1", "grade")]["grade"] == "差"
    assert "2024年度" in by[("P1", "grade")]["message"]
    # CUR_AMT is in 元, read exactly: 20 % of 1,234,567.89 is 246,913.578 → 246,913.58 (half up).
    cut = by[("P1", "cut_if_budgeted")]["message"]
    assert "削减 246,913.58 元（本项目本年预算 1,234,567.89 元的 20%）" in cut
    assert by[("P2", "grade")]["grade"] == "优"


def test_an_unstated_form_amount_is_not_guessed(tmp_path):
    # 全年预算数 is how the standard forms head their 万元 column; as a bare header its unit is in
    # doubt, so it is not taken for the budget: loading stops and says what to write.
    folder = _write(tmp_path / "form", projects=PROJECTS.replace("CUR_AMT", "全年预算数"))
    res = _run(folder)
    assert res.returncode == 2, res.stdout
    assert "Traceback" not in res.stderr and res.stdout == ""
    assert "全年预算数" in res.stderr and "预算金额(万元)" in res.stderr


def test_level_names_as_the_forms_write_them():
    level1 = TABLES["indicators"].column("level1").choices
    assert {level1[k] for k in ("产出指标", "效益指标", "满意度指标", "成本指标")} == {"output", "outcome", "satisfaction", "cost"}


def test_division_is_a_column():
    col = TABLES["projects"].column("division")
    assert "MOF_DIV_CODE" in col.headers() and not col.required


def test_computesign_codes(tmp_path):
    """COMPUTESIGN 1/2 ≥ ＞, 4/5 ＜ ≤, 6 qualitative; 3 (＝) is refused with the cell named."""
    ind = ("PRO_CODE,LV1_PERF_IND_NAME,LV3_PERF_IND_NAME,COMPUTESIGN,KPI_VAL,IND_COMP\n"
           "P1,产出指标,长度,1,50,48\nP1,成本指标,成本,5,100,90\nP1,效益指标,满意,6,,达成\n")
    folder = _write(tmp_path / "sign", projects=PROJECTS, indicators=ind)
    res = _run(folder)
    assert res.returncode == 0, res.stderr
    from jixiao.core.load import load_portfolio

    assert load_portfolio(folder).indicators["direction"].to_list() == ["higher", "lower", "qualitative"]
    bad = _write(tmp_path / "eq", projects=PROJECTS, indicators=ind.replace(",1,50,", ",3,50,"))
    res = _run(bad)
    assert res.returncode == 2 and "COMPUTESIGN" in res.stderr and "'3'" in res.stderr
