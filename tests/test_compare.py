"""compare, packs diff and the decision-impact diff, as an analyst and an IT team use them."""

from __future__ import annotations

import datetime as dt
import json

import openpyxl
import polars as pl
import pytest

from jixiao.core.outputs.compare import compare
from jixiao.core.engine import run
from jixiao.core.pack import Pack
from jixiao.core.sample import generate
from jixiao.core.outputs.portfolio_files import write_portfolio

SEEDS = ["nanchang", "qingdao", "tianyuan", "shilong", "tongxin"]
AS_OF = dt.date(2025, 3, 31)


@pytest.fixture(scope="module")
def portfolio():
    return generate(120, seed=3)


@pytest.fixture(scope="module")
def folio(tmp_path_factory, portfolio):
    return write_portfolio(portfolio, tmp_path_factory.mktemp("cmp") / "p.xlsx")


def test_comparison_agrees_with_each_run(registry, portfolio):
    packs = [Pack.load(p, registry) for p in SEEDS]
    c = compare(packs, portfolio, AS_OF, monthly=False)
    for pack, s in zip(packs, c.summary):
        findings = run(pack, portfolio, AS_OF).findings
        assert s["budget_effect_fen"] == findings["amount_fen"].drop_nulls().sum()
        assert s["blocked"] == findings.filter(pl.col("action") == "block_budget")["project_id"].n_unique()
        per_dept = c.by_department.filter(pl.col("pack") == pack.id)["budget_effect_fen"].sum()
        assert per_dept == s["budget_effect_fen"]  # departments add up to the pack total, to the fen
    # A project differs on "effect" exactly when its effects are not all equal.
    effects = c.outcomes.group_by("project_id").agg(pl.col("effect_fen").n_unique().alias("n"))
    flagged = set(c.matrix.filter(pl.col("disagree").str.contains("effect"))["project_id"])
    assert flagged == set(effects.filter(pl.col("n") > 1)["project_id"])


def test_packs_share_only_what_they_compute_alike(registry, portfolio, write):
    # Nanchang renames a band (scores shared with national); "heavy" weighs execution more (its
    # own scores). Each pack's grades in the comparison are those of its own run.
    heavy = write("heavy.toml", """
[pack]
id = "heavy"
name = "重执行"
level = "city"
extends = "national"

[sources.doc]
doc_no = "测试〔2024〕4号"
title = "测试"

[rules.evaluation]
citation = { source = "doc", clause = "第一条" }

[rules.evaluation.params]
weights = { execution = 40, output = 30, outcome = 20, satisfaction = 10 }
""")
    packs = [Pack.load(p, registry) for p in ("national", "nanchang")] + [Pack.load(heavy, registry)]
    c = compare(packs, portfolio, AS_OF, monthly=False)
    for pack in packs:
        alone = run(pack, portfolio, AS_OF).facts.select("project_id", "grade", "score_c")
        shown = c.outcomes.filter(pl.col("pack") == pack.id).select("project_id", "grade")
        assert shown.equals(alone.select("project_id", "grade")), pack.id
    scores = {p.id: run(p, portfolio, AS_OF).facts["score_c"] for p in packs}
    assert not scores["heavy"].equals(scores["national"])  # the weights matter on this sample


def test_grades_of_the_same_level_do_not_disagree(registry, portfolio):
    # Tianyuan calls the third band 一般 and Qingdao 中: the same level, not a disagreement.
    packs = [Pack.load(p, registry) for p in ("tianyuan", "qingdao")]
    c = compare(packs, portfolio, AS_OF, monthly=False)
    third = c.matrix.filter(pl.col("tianyuan:grade") == "一般")
    assert third.height and (third["qingdao:grade"] == "中").all()
    assert not third["disagree"].str.contains("grade").any()


@pytest.mark.parametrize("chunk", [7, 100_000])
def test_json_projects_say_what_the_matrix_says(registry, portfolio, monkeypatch, chunk):
    from jixiao.core.outputs import compare_output, json_rows

    monkeypatch.setattr(json_rows, "CHUNK", chunk)  # several chunks, and one
    packs = [Pack.load(p, registry) for p in ("tianyuan", "tongxin")]
    c = compare(packs, portfolio, AS_OF, monthly=False)
    doc = json.loads(compare_output.to_json(c))
    rows = c.matrix.rows(named=True)
    assert [p["project_id"] for p in doc["projects"]] == [r["project_id"] for r in rows]
    for got, r in zip(doc["projects"], rows):
        assert (got["name"], got["department"]) == (r["name"], r["department"])
        assert got["disagree"] == [d for d in r["disagree"].split(",") if d]
        for p in ("tianyuan", "tongxin"):
            deadline = r[f"{p}:deadline"]
            assert got["outcomes"][p] == {"gate": r[f"{p}:gate"], "alerts": r[f"{p}:alerts"],
                                          "grade": r[f"{p}:grade"], "effect_fen": r[f"{p}:effect_fen"],
                                          "deadline": deadline.isoformat() if deadline else None}
    assert any(p["disagree"] for p in doc["projects"]) and any(p["outcomes"]["tianyuan"]["deadline"]
                                                                for p in doc["projects"])


def test_compare_cli_json_and_xlsx(cli, folio, tmp_path):
    res = cli("compare", "--packs", ",".join(SEEDS), "--as-of", "2025-03-31", "--format", "json", "--no-monthly", folio)
    assert res.exit_code == 0, res.output
    doc = json.loads(res.output)
    assert doc["schema"] == "jixiao.compare/1" and [p["pack"] for p in doc["packs"]] == SEEDS
    assert len(doc["projects"]) == 120
    total = sum(d["budget_effect_fen"].get("tongxin", 0) for d in doc["departments"])
    assert total == doc["packs"][4]["budget_effect_fen"]
    res = cli("compare", "--packs", ",".join(SEEDS), "--as-of", "2025-03-31", "--format", "xlsx",
              "-o", tmp_path / "c.xlsx", folio)
    assert res.exit_code == 0, res.output
    wb = openpyxl.load_workbook(tmp_path / "c.xlsx")
    assert wb.sheetnames == ["汇总", "逐项目对比", "部门预算影响", "逐月预警"]
    summary = list(wb["汇总"].iter_rows(values_only=True))
    assert summary[0][:3] == ("规则包", "名称", "不予安排预算项目数")
    assert [r[0] for r in summary[1:]] == SEEDS
    assert summary[5][5] == float(doc["packs"][4]["budget_effect_yuan"])  # a number cell, 元
    matrix = list(wb["逐项目对比"].iter_rows(values_only=True))
    assert matrix[0][3] == doc["packs"][0]["name"]  # the pack's name over its columns
    assert matrix[1][:4] == ("项目编码", "项目名称", "主管部门", "预算安排") and len(matrix) == 2 + 120 + 1


def test_compare_table_marks_disagreements(cli, folio):
    res = cli("compare", "--packs", "nanchang,tongxin", "--as-of", "2025-03-31", "--no-monthly", folio)
    assert res.exit_code == 0
    assert "规则包对比" in res.output and "结论不一致的项目" in res.output


def test_packs_diff_shows_values_citations_and_inheritance(cli):
    res = cli("packs", "diff", "nanchang", "tongxin", "--format", "json")
    rows = json.loads(res.output)["rows"]
    cut = next(r for r in rows if r["rule"] == "budget_link" and r["parameter"] == "cut_ratios")
    assert cut["a_value"] == '{"一般": "0.05", "差": "0.10"}' and cut["a_status"] == "假定"
    assert cut["b_value"] == "{}" and cut["b_status"] == "有依据" and "二（四）" in cut["b_citation"]
    weights = [r for r in rows if r["parameter"] == "weights"]
    assert weights == []  # the same inherited value on both sides is not a difference
    res = cli("packs", "diff", "nanchang", "tongxin", "--all", "--format", "json")
    weights = next(r for r in json.loads(res.output)["rows"] if r["parameter"] == "weights")
    assert weights["a_status"] == "有依据，继承自 national" and "第十六条" in weights["a_citation"]
    only = next(r for r in json.loads(res.output)["rows"] if r["rule"] == "ranking" and r["parameter"] == "(rule)")
    assert only["a_value"] == "无此规则" and only["b_value"].startswith("启用，插件 priority_ranking")


def test_diff_between_packs_with_different_rules(registry, portfolio):
    # Each pack's decisions carry enums of its own rules: the diff must compare them as values.
    from collections import Counter

    from jixiao.core.outputs.diffs import decision_diff

    old, new = Pack.load("national", registry), Pack.load("shilong", registry)
    d = decision_diff(old, new, portfolio, AS_OF)

    def per_project(pack):
        f = run(pack, portfolio, AS_OF).findings
        out: dict[str, Counter] = {}
        for r in f.select("project_id", "rule", "action", "amount_fen", "due_date").iter_rows():
            out.setdefault(r[0], Counter())[r[1:]] += 1
        return out

    a, b = per_project(old), per_project(new)
    changed = {p for p in set(a) | set(b) if a.get(p, Counter()) != b.get(p, Counter())}
    assert changed and set(d.changed["project_id"]) == changed
    total = {p: sum((t[2] or 0) * n for t, n in c.items()) for p, c in b.items()}
    total_old = {p: sum((t[2] or 0) * n for t, n in c.items()) for p, c in a.items()}
    assert d.changed["delta_fen"].sum() == sum(total.values()) - sum(total_old.values())


def test_diff_flags_a_changed_deduction_ratio_with_the_exact_money_delta(cli, folio, tmp_path, registry, portfolio):
    from importlib.resources import files

    old = files("jixiao.policy_packs").joinpath("nanchang.toml").read_text(encoding="utf-8")
    new = old.replace('cut_ratios = { "一般" = "0.05", "差" = "0.10" }', 'cut_ratios = { "一般" = "0.05", "差" = "0.15" }')
    assert new != old
    (tmp_path / "old").mkdir()
    (tmp_path / "new").mkdir()
    (tmp_path / "old" / "nanchang.toml").write_text(old, encoding="utf-8")
    (tmp_path / "new" / "nanchang.toml").write_text(new, encoding="utf-8")
    res = cli("diff", "--old", tmp_path / "old" / "nanchang.toml", "--new", tmp_path / "new" / "nanchang.toml",
              "--as-of", "2025-03-31", "--format", "json", folio)
    assert res.exit_code == 1, res.output
    doc = json.loads(res.output)
    # Expected: 5 % more of the budget of every project graded 差, rounded half up per project.
    facts = run(Pack.load("nanchang", registry), portfolio, AS_OF).facts.filter(pl.col("grade") == "差")
    assert facts.height > 0
    expected = sum(-((b * 15 * 2 + 100) // 200) + ((b * 10 * 2 + 100) // 200) for b in facts["budget_fen"])
    assert doc["delta_fen"] == expected and doc["changed"] == facts.height
    assert sum(d["delta_fen"] for d in doc["by_department"]) == expected
    assert doc["summary"].startswith(f"120 个项目中 {facts.height} 个的结论有变化")
    same = cli("diff", "--old", "nanchang", "--new", tmp_path / "old" / "nanchang.toml", "--as-of", "2025-03-31", folio)
    assert same.exit_code == 0 and "没有变化" in same.output


def test_compare_says_which_rules_were_not_in_force(registry, portfolio):
    # The sample's projects are of the 2024 budget; Qingdao's plan covers 2020–2022 (issue 12).
    from jixiao.core.outputs.compare import compare
    from jixiao.core.pack import Pack

    c = compare([Pack.load("national", registry), Pack.load("qingdao", registry)], portfolio, AS_OF, monthly=False)
    national, qingdao = c.summary
    assert national["not_in_force"] == []
    rules = {(n["rule"], n["applied_as"] and n["applied_as"]["pack"]) for n in qingdao["not_in_force"]}
    assert {("coverage", None), ("disclosure", None), ("ex_ante", "national"), ("targets", "national")} <= rules


def test_compare_says_each_step_it_takes(registry):
    # usability review #19: after the last pack, compare went on under "运行规则包 <last pack>".
    import datetime as dt

    from jixiao.core.outputs.compare import compare
    from jixiao.core.pack import Pack
    from jixiao.core.sample import generate

    steps = []
    compare([Pack.load(p, registry) for p in ("national", "tongxin")], generate(20, seed=2), dt.date(2025, 3, 31),
            on_pack=lambda pid: steps.append(pid), on_step=steps.append)
    assert steps[:2] == ["national", "tongxin"]
    assert steps[2].startswith("对比各规则包的结论") and steps[3].startswith("逐月回放预警")
