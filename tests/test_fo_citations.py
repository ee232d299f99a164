"""Findings cite the clause of the parameter they come from (the finance-officer review of the
demo runs): Qingdao's key-monitoring picks cite 二（五） (the 10 funds a year), not the coverage
rule's 二（六）; Shilong's disclosure venue is marked assumed (二（四）15 names no channel)."""

from __future__ import annotations

import json


def test_qingdao_key_monitoring_cites_its_clause(cli, tmp_path):
    folder = tmp_path / "s2021"
    assert cli("sample", "--projects", "207", "--year", "2021", "-o", folder).exit_code == 0
    res = cli("run", "--pack", "qingdao", "--as-of", "2021-06-30", "--format", "json", folder)
    assert res.exit_code == 0, res.output
    doc = json.loads(res.output[res.output.index("{"):])  # after the note on later payments (stderr)
    picks = [f for f in doc["findings"] if f["action"] == "key_monitoring"]
    assert picks and {f["clause"] for f in picks} == {"二（五）"}


def test_shilong_disclosure_venue_is_assumed(cli):
    res = cli("packs", "show", "shilong", "--resolved")
    assert res.exit_code == 0, res.output
    line = next(l for l in res.output.splitlines() if "政府门户网站（财政重点评价随政府决算" in l)
    assert "假定" in line


def test_tianyuan_priority_cites_the_clause_that_says_it(cli):
    # 第三十六条 says results are an 重要依据 for later budgets, nothing of 优先保障: the priority is 34号's.
    res = cli("run", "--pack", "tianyuan", "--as-of", "2025-03-31", "--format", "json", "examples/sample")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.output[res.output.index("{"):])
    got = {(f["source"], f["clause"]) for f in doc["findings"] if f["action"] == "prioritize"}
    assert got and all(src == "中发〔2018〕34号" and clause.startswith("七（十六）") for src, clause in got)
