"""The in-year monitoring table (绩效监控, 一体化 PAY_PERF_MONITOR_INFO): how it is read, and how the
双监控 rule uses the units' reports (docs/formats.md, plugins/dual_monitoring.py)."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import polars as pl
import pytest

from jixiao.core.engine import run
from jixiao.core.errors import InputError
from jixiao.core.load import load_portfolio
from jixiao.core.pack import Pack

ROOT = Path(__file__).resolve().parents[1]

PROJECTS = """\
项目编码,项目名称,主管部门,预算年度,资金性质,项目类别,预算金额(元),已支出金额(元),实施开始日期,实施结束日期
P1,水利工程,市水务局,2024,一般公共预算,专项资金,1000000.00,750000.00,2024-01-01,2024-12-31
P2,道路养护,市交通局,2024,一般公共预算,专项资金,1000000.00,750000.00,2024-01-01,2024-12-31
"""


def folder(tmp_path: Path, monitoring: str) -> Path:
    out = tmp_path / "portfolio"
    out.mkdir()
    (out / "projects.csv").write_text(PROJECTS, encoding="utf-8")
    (out / "monitoring.csv").write_text(monitoring, encoding="utf-8")
    return out


def test_element_names_and_vocabularies_are_read(tmp_path):
    path = folder(tmp_path, """\
PRO_CODE,PERF_SEND_DATE,FISCAL_YEAR,LV3_PERF_IND_NAME,KPI_VAL,PRO_BGT_COMP,EST_PRO_BGT_ANNUAL,PERF_COMP,EST_PERF_ANNUAL,COMPLETE_RATE,IS_PERF_RECTIFY
P1,2024-07-15,2024,灌溉面积,≥5000亩,500000.00,899999.99,2600亩,4000亩,完全不可能,1
P1,2024-07-15,2024,满意度,≥90%,500000.00,899999.99,85%,90%,有可能,2
P2,2024/7/20,,完成数量,≥10,1.00,1000000,5,10,确定能,否
""")
    m = load_portfolio(path).monitoring
    assert m["likelihood"].cast(pl.String).to_list() == ["unlikely", "possible", "certain"]
    assert m["rectify"].to_list() == [True, False, False]
    # An amount element is in 元, as the system keeps it: exactly, to the fen.
    assert m["forecast_executed_fen"].to_list() == [89_999_999, 89_999_999, 100_000_000]
    assert m["report_date"].to_list() == [dt.date(2024, 7, 15)] * 2 + [dt.date(2024, 7, 20)]
    assert m["year"].to_list() == [2024, 2024, None]
    assert m["target"].to_list() == ["≥5000亩", "≥90%", "≥10"]


def test_amounts_in_wan_are_exact(tmp_path):
    path = folder(tmp_path, "项目编码,报送日期,执行情况(万元),全年预计执行(万元)\nP1,2024-07-15,50.123456,89.5\n")
    m = load_portfolio(path).monitoring
    assert m["executed_fen"].to_list() == [50_123_456] and m["forecast_executed_fen"].to_list() == [89_500_000]


def test_an_amount_without_a_stated_unit_is_an_error_not_a_guess(tmp_path, cli):
    # 500000 looks like 元, but the header does not say so: no plausibility reading for this table.
    path = folder(tmp_path, "项目编码,报送日期,执行情况,全年预计执行\nP1,2024-07-15,500000,900000\n")
    res = cli("run", "--pack", "national", "--as-of", "2024-09-30", path)
    assert res.exit_code == 2
    assert "monitoring.csv，列 执行情况：表头未写明金额单位" in res.output
    assert "monitoring.csv，列 全年预计执行：表头未写明金额单位" in res.output
    assert "Traceback" not in res.output
    # Stated once for the command, it is read.
    assert load_portfolio(path, amounts_in="万元").monitoring["executed_fen"].to_list() == [500_000_000_000]
    # Or by a unit row above the header.
    (path / "monitoring.csv").write_text("单位：元\n项目编码,报送日期,执行情况,全年预计执行\nP1,2024-07-15,500000,900000\n",
                                         encoding="utf-8")
    assert load_portfolio(path).monitoring["executed_fen"].to_list() == [50_000_000]


def test_every_bad_cell_is_reported_at_once(tmp_path, cli):
    path = folder(tmp_path, """\
PRO_CODE,PERF_SEND_DATE,EST_PRO_BGT_ANNUAL,COMPLETE_RATE,IS_PERF_RECTIFY
P1,2024-13-01,100.00,可能性不大,1
P2,2024-07-15,-5,3,0
P1,,1.001,不能,是
""")
    res = cli("run", "--pack", "national", "--as-of", "2024-09-30", path)
    assert res.exit_code == 2 and "Traceback" not in res.output
    out = " ".join(res.output.split())
    for row, column, value in ((2, "PERF_SEND_DATE", "2024-13-01"), (2, "COMPLETE_RATE", "可能性不大"),
                               (3, "EST_PRO_BGT_ANNUAL", "-5"), (3, "COMPLETE_RATE", "3"),
                               (3, "IS_PERF_RECTIFY", "0"), (4, "EST_PRO_BGT_ANNUAL", "1.001")):
        assert f"monitoring.csv，第 {row} 行，列 {column}：" in out and f"（值：'{value}'）" in out, (row, column)
    assert "monitoring.csv，第 4 行，列 PERF_SEND_DATE：" in out  # required: an empty report date
    assert "有 7 个问题" in out


def test_an_unknown_project_is_named(tmp_path, cli):
    path = folder(tmp_path, "项目编码,报送日期\nP1,2024-07-15\nP9,2024-07-15\n")
    res = cli("run", "--pack", "national", "--as-of", "2024-09-30", path)
    assert res.exit_code == 2
    assert "monitoring.csv，第 3 行，列 项目编码：项目编码不在项目表中（值：'P9'）" in " ".join(res.output.split())


def _findings(registry, pack, path, as_of=dt.date(2024, 9, 30)):
    result = run(Pack.load(pack, registry), load_portfolio(path), as_of)
    return result.findings.filter(pl.col("stage") == "monitor")


def test_the_report_is_used_only_when_present(registry, tmp_path):
    """The same projects with and without the table: the report adds a correction, nothing else moves."""
    path = folder(tmp_path, "项目编码,报送日期,三级指标,完成目标可能性,是否需要整改\nP1,2024-07-15,灌溉面积,完全不可能,2\n"
                            "P2,2024-07-15,完成数量,有可能,2\n")
    with_report = _findings(registry, "national", path)
    (path / "monitoring.csv").unlink()
    without = _findings(registry, "national", path)
    assert without.height == 0  # both on pace: nothing without the report
    assert with_report.select("project_id", "action", "amount_fen").rows() == [("P1", "correct_deviation", None)]
    message = with_report["message"][0]
    assert "绩效监控报告（2024-07-15 报送）：完成目标可能性为“不可能完成”（指标：灌溉面积）" in message
    assert with_report["clause"][0].startswith("四（九）")


def test_a_report_after_the_run_date_or_after_implementation_is_not_used(registry, tmp_path):
    path = folder(tmp_path, "项目编码,报送日期,完成目标可能性\nP1,2024-10-08,完全不可能\nP2,2024-07-15,完全不可能\n")
    assert _findings(registry, "national", path)["project_id"].to_list() == ["P2"]
    # On 2025-03-31 the 2024 year has closed: in-year correction is over (the self-evaluation follows).
    assert _findings(registry, "national", path, dt.date(2025, 3, 31)).height == 0


def test_tianyuan_cites_its_article_18_for_the_report(registry, tmp_path):
    path = folder(tmp_path, "项目编码,报送日期,是否需要整改,整改要求和建议\nP1,2024-07-15,1,加快招标\n")
    f = _findings(registry, "tianyuan", path)
    assert f.select("project_id", "rule", "action", "clause").rows() == [
        ("P1", "disbursement_pacing", "correct_deviation", "第十八条")]
    assert "报告认为需要整改（整改要求和建议：加快招标）" in f["message"][0]


def test_forecast_threshold_is_a_parameter_marked_assumed(registry):
    pack = Pack.load("national", registry)
    rule = next(r for r in pack.rules if r.id == "dual_monitoring")
    assert "forecast_min_rate" in rule.assumed and "monitoring_report" not in rule.assumed


def test_explain_lists_the_report_among_the_data(cli, tmp_path):
    path = folder(tmp_path, "项目编码,报送日期,完成目标可能性\nP1,2024-07-15,不能完成\n")
    res = cli("explain", "--pack", "national", "--project", "P1", "--as-of", "2024-09-30", path)
    assert res.exit_code == 0, res.output
    assert "绩效监控报告" in res.output and "2024-07-15 报送" in res.output
    assert "0 个问责决定，1 份绩效监控报告" in res.output  # the data the portfolio holds about P1
    (path / "monitoring.csv").unlink()
    plain = cli("explain", "--pack", "national", "--project", "P1", "--as-of", "2024-09-30", path).output
    assert "绩效监控报告" not in plain
    (tmp_path / "again").mkdir()
    path = folder(tmp_path / "again", "项目编码,报送日期,完成目标可能性\nP1,2024-07-15,不能完成\n")
    doc = json.loads(cli("explain", "--pack", "national", "--project", "P1", "--as-of", "2024-09-30",
                         "--format", "json", path).output)
    rule = next(r for r in doc["rules"] if r["rule"] == "dual_monitoring")
    assert rule["inputs"]["monitoring_report"]["value"].startswith("2024-07-15 报送：完成目标可能性为“不可能完成”")


def test_yth_example_runs_in_year_with_its_reports(cli, tmp_path):
    shutil.copytree(ROOT / "examples" / "yth", tmp_path / "yth")
    res = cli("run", "--pack", "national", "--as-of", "2024-09-30", "--format", "json", tmp_path / "yth")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.output[res.output.index("{"):])
    reported = [f for f in doc["findings"] if f["message"].startswith("绩效监控报告")]
    assert reported and all(f["action"] == "correct_deviation" and f["amount_fen"] is None for f in reported)


def test_typed_form_keeps_the_reports(cli, tmp_path):
    path = folder(tmp_path, "项目编码,报送日期,全年预计执行(元),完成目标可能性,是否需要整改\nP1,2024-07-15,899999.99,有可能,1\n")
    res = cli("convert", path, "-o", tmp_path / "typed")
    assert res.exit_code == 0, res.output
    a, b = load_portfolio(path).monitoring, load_portfolio(tmp_path / "typed").monitoring
    assert a.drop("_row").equals(b.drop("_row"))


@pytest.mark.parametrize("words, code", [("确定能", "certain"), ("有可能", "possible"), ("完全不可能", "unlikely"),
                                         ("无法完成", "unlikely"), ("能完成", "certain")])
def test_likelihood_words(tmp_path, words, code):
    path = folder(tmp_path, f"项目编码,报送日期,完成目标可能性\nP1,2024-07-15,{words}\n")
    assert load_portfolio(path).monitoring["likelihood"].cast(pl.String).to_list() == [code]


def test_likelihood_digits_are_refused(tmp_path):
    path = folder(tmp_path, "项目编码,报送日期,完成目标可能性\nP1,2024-07-15,1\n")
    with pytest.raises(InputError):
        load_portfolio(path)


def test_yth_sample_writes_consistent_seeded_reports(cli, tmp_path):
    for seed in ("3", "3", "4"):
        res = cli("sample", "--shape", "yth", "--projects", "40", "--seed", seed, "-o", tmp_path / seed)
        assert res.exit_code == 0, res.output
    text = (tmp_path / "3" / "monitoring.csv").read_text(encoding="utf-8")
    assert text.splitlines()[0].startswith("PRO_CODE,PERF_SEND_DATE,FISCAL_YEAR,LV1_PERF_IND_NAME")
    assert text != (tmp_path / "4" / "monitoring.csv").read_text(encoding="utf-8")
    p = load_portfolio(tmp_path / "3")
    m = p.with_ids("monitoring")
    assert m["report_date"].unique().to_list() == [dt.date(2024, 8, 10)]
    # 1–7月 execution is what the payments table paid by 31 July; the forecast never exceeds the budget.
    paid = (p.with_ids("spending").filter(pl.col("date") <= dt.date(2024, 7, 31)).group_by("project_id")
            .agg(pl.col("amount_fen").sum().alias("paid")))
    both = m.join(paid, on="project_id", how="left").join(p.projects.select("project_id", "budget_fen"), on="project_id")
    assert (both["executed_fen"] == both["paid"].fill_null(0)).all()
    assert (both["forecast_executed_fen"] <= both["budget_fen"]).all()
    # A project with an indicator it will not meet asks for rectification, and only such a project.
    asks = m.group_by("project_id").agg((pl.col("likelihood") == "unlikely").any().alias("u"), pl.col("rectify").all().alias("r"))
    assert (asks["u"] == asks["r"]).all()


def test_explain_names_the_clause_a_report_finding_cites(cli, tmp_path):
    # Tianyuan's rule cites 第十七条 (finance paces disbursement); its report finding cites 第十八条.
    path = folder(tmp_path, "项目编码,报送日期,完成目标可能性\nP1,2024-07-15,不能完成\n")
    res = cli("explain", "--pack", "tianyuan", "--project", "P1", "--as-of", "2024-09-30", path)
    assert res.exit_code == 0, res.output
    assert "→ 督促纠偏（依据 天元区预算绩效管理办法 第十八条）：绩效监控报告" in " ".join(res.output.split())


def test_a_report_without_a_year_is_of_the_year_it_was_sent_in(registry, tmp_path):
    # P1's report was sent in 2023 (a year before its budget year); P2's states 2023 though sent in 2024.
    path = folder(tmp_path, "项目编码,报送日期,预算年度,完成目标可能性\nP1,2023-08-10,,完全不可能\nP2,2024-08-10,2023,完全不可能\n"
                            "P2,2024-08-10,2024,确定能\n")
    assert _findings(registry, "national", path).height == 0
    (path / "monitoring.csv").write_text("项目编码,报送日期,预算年度,完成目标可能性\nP1,2024-08-10,,完全不可能\n", encoding="utf-8")
    assert _findings(registry, "national", path)["project_id"].to_list() == ["P1"]


def test_the_command_formats_md_shows_for_the_table_runs(cli, monkeypatch):
    import re
    import shlex

    text = (ROOT / "docs" / "formats.md").read_text(encoding="utf-8")
    section = text[text.index("### monitoring (绩效监控)"):text.index("## Money, scores and dates")]
    command = re.search(r"```console\n\$ jixiao (.*)\n```", section).group(1)
    monkeypatch.chdir(ROOT)
    res = cli(*shlex.split(command))
    assert res.exit_code == 0, res.output
    assert "督促纠偏" in res.output and "第十八条" in res.output
