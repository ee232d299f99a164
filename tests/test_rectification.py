"""Rectification clocks with a pack's own holiday days, and 整改不力 on the rolled-over due day."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from jixiao.core.engine import run
from jixiao.core.errors import PackError
from jixiao.core.pack import Pack
from jixiao.core.load import portfolio_from_records
from jixiao.plugins.rectification_deadline import decision_status

PROJECT = {"project_id": "P1", "name": "项目", "department": "区住建局", "fiscal_year": 2026,
           "fund_type": "一般公共预算", "category": "一般项目", "budget": "800000"}


def _portfolio(received: str, report: str | None = None, **project):
    decision = {"project_id": "P1", "decision_id": "天财问〔2026〕1号", "received_date": received}
    if report:
        decision["report_date"] = report
    return portfolio_from_records({"projects": [{**PROJECT, **project}], "accountability": [decision]}, "test.json")


def _child(tmp_path, calendar: str):
    path = tmp_path / "ty_calendar.toml"
    path.write_text(f'''[pack]
id = "ty_calendar"
name = "天元区（含 2027 年节假日）"
level = "district"
extends = "tianyuan"

{calendar}
''', encoding="utf-8")
    return path


def _rectification(pack, portfolio, as_of):
    found = run(pack, portfolio, as_of).findings.filter(pl.col("rule") == "rectification")
    return found.select("action", "due_date", "message").rows()


def test_a_packs_calendar_covers_a_year_the_library_does_not(tmp_path, registry):
    portfolio = _portfolio("2026-11-30")  # + 2 months = 2027-01-30, a Saturday
    plain = _rectification(Pack.load("tianyuan", registry), portfolio, dt.date(2026, 12, 1))
    assert [(a, d) for a, d, _ in plain] == [("rectify", dt.date(2027, 1, 30))]
    assert "2027年节假日安排未知" in plain[0][2]
    pack = Pack.load(_child(tmp_path, "[calendar]\nholidays = [2027-02-01]\nworkdays = []\n"), registry)
    rolled = _rectification(pack, portfolio, dt.date(2026, 12, 1))
    # Saturday, Sunday, then the pack's Monday holiday: due Tuesday 2027-02-02.
    assert [(a, d) for a, d, _ in rolled] == [("rectify", dt.date(2027, 2, 2))]
    assert "期满日 2027-01-30 为法定休假日" in rolled[0][2]


def test_a_packs_calendar_corrects_a_known_day(tmp_path, registry):
    portfolio = _portfolio("2024-08-01")  # 2024-10-01, 国庆: 10-08 by the library
    pack = Pack.load(_child(tmp_path, "[calendar]\nworkdays = [2024-10-07]\n"), registry)
    assert _rectification(pack, portfolio, dt.date(2024, 10, 1))[0][:2] == ("rectify", dt.date(2024, 10, 7))


def test_a_day_listed_both_ways_is_an_error_naming_it(tmp_path, registry):
    path = _child(tmp_path, "[calendar]\nholidays = [2027-02-01]\nworkdays = [2027-02-01]\n")
    with pytest.raises(PackError) as err:
        Pack.load(path, registry)
    text = str(err.value)
    assert "ty_calendar.toml" in text and "2027-02-01" in text and "calendar" in text


def test_poor_rectification_is_judged_on_the_rolled_over_due_day(registry):
    # Tongxin 二（四）整改不力: a report on 10-08 for a decision of 08-01 (due 10-01 → 10-08) is on time.
    # A project of the 2024 budget, being executed in 2024: its execution can be suspended.
    portfolio = _portfolio("2024-08-01", "2024-10-08", fiscal_year=2024)
    st = decision_status(portfolio, dt.date(2024, 10, 9), 2, Pack.load("tongxin", registry).calendar)
    assert st["status"].to_list() == ["done"] and st["due"].to_list() == [dt.date(2024, 10, 8)]
    found = run(Pack.load("tongxin", registry), portfolio, dt.date(2024, 10, 9)).findings
    assert found.filter(pl.col("action").is_in(["suspend_disbursement", "no_new_budget"])).height == 0
    # Not reported by 10-09, a day after the due day: 整改不力.
    missing = _portfolio("2024-08-01", None, fiscal_year=2024)
    found = run(Pack.load("tongxin", registry), missing, dt.date(2024, 10, 9)).findings
    assert set(found.filter(pl.col("rule") == "budget_link")["action"]) >= {"suspend_disbursement", "no_new_budget"}
    # Reported late (10-09), but in by the run date: rectified, no sanction (a late report is not a
    # sanction renewing every year).
    late = _portfolio("2024-08-01", "2024-10-09", fiscal_year=2024)
    found = run(Pack.load("tongxin", registry), late, dt.date(2024, 10, 9)).findings
    assert found.filter(pl.col("action").is_in(["suspend_disbursement", "no_new_budget"])).height == 0


def test_without_grades_only_recorded_demands_start_a_feedback_clock(tmp_path, registry):
    # Shilong with its evaluation rule switched off: no grade, so only 需整改 = 是 starts the clock.
    path = tmp_path / "sl_nograde.toml"
    path.write_text('''[pack]
id = "sl_nograde"
name = "石龙区（不评级）"
level = "district"
extends = "shilong"

[rules.evaluation]
enabled = false
citation = { source = "pl2021_5", clause = "二（二）8" }
''', encoding="utf-8")
    ev = [{"project_id": "P1", "year": 2026, "kind": "财政重点评价", "date": "2026-03-02", "score": 50},
          {"project_id": "P1", "year": 2026, "kind": "第三方评价", "date": "2026-03-03", "score": 95, "需整改": "是"}]
    portfolio = portfolio_from_records({"projects": [PROJECT], "evaluations": ev}, "test.json")
    got = _rectification(Pack.load(path, registry), portfolio, dt.date(2026, 3, 31))
    assert [(a, d) for a, d, _ in got] == [("rectify", dt.date(2026, 5, 6))]  # 05-03 Sunday, 劳动节 05-01…05
    assert "第三方评价" in got[0][2]
    # With grades, the grade counts only for the evaluation that graded the project: here the third
    # party's 95 outranks finance's 50, so finance's feedback starts no clock without 需整改.
    graded = _rectification(Pack.load("shilong", registry), portfolio, dt.date(2026, 3, 31))
    assert [m[:13] for _, _, m in graded] == ["2026年度第三方评价结果"]
    alone = portfolio_from_records({"projects": [PROJECT], "evaluations": ev[:1]}, "test.json")
    assert _rectification(Pack.load("shilong", registry), alone, dt.date(2026, 3, 31))[0][:2] == ("rectify", dt.date(2026, 5, 6))
    assert _rectification(Pack.load(path, registry), alone, dt.date(2026, 3, 31)) == []
