"""`explain` runs per-project rules on the one project and whole-portfolio rules over everything:
whatever the path, it must say exactly what a whole run says about the project."""

from __future__ import annotations

import datetime as dt

import attrs
import polars as pl
import pytest

from jixiao.core.engine import run
from jixiao.core.outputs.explain import explain_project
from jixiao.core.pack import Pack
from tests_helpers import ranked_sample

AS_OF = dt.date(2025, 3, 31)
PACKS = ("national", "nanchang", "qingdao", "tianyuan", "shilong", "tongxin")


@pytest.fixture(scope="module")
def folio():
    # Budget requests with review scores for the ranking, unreviewed reports for the spot check
    # (whole-portfolio rules with something to do).
    return ranked_sample(60, 11)


@pytest.fixture(scope="module")
def plan_years(folio):
    """The portfolio two budget years earlier (2022 and 2023): Qingdao's plan covers the 2020–2022
    budgets, so its own rules apply to some projects and the national ones to the others."""
    return attrs.evolve(folio, projects=folio.projects.with_columns(pl.col("fiscal_year") - 2), _memo=None)


@pytest.mark.parametrize("pack_id", PACKS)
def test_explain_agrees_with_a_whole_run(registry, folio, plan_years, pack_id):
    pack = Pack.load(pack_id, registry)
    folio = plan_years if pack_id == "qingdao" else folio
    whole = run(pack, folio, AS_OF)
    cols = ["rule", "action", "amount_fen", "due_date", "message"]
    whole_rules = {r.id for r in pack.enabled_rules() if getattr(r.cls, "whole_portfolio", False)}
    checked, from_whole = 0, set()
    for pid in folio.projects["project_id"].to_list()[::7]:
        ex = explain_project(pack, folio, pid, AS_OF)
        said = pl.DataFrame([{c: getattr(f, c) for c in cols} for r in ex.rules for f in r.findings],
                            schema={c: whole.findings.schema[c] for c in cols})
        expected = whole.findings.filter(pl.col("project_id") == pid).select(cols)
        assert said.sort(cols, nulls_last=True).equals(expected.sort(cols, nulls_last=True)), (pack_id, pid)
        facts = whole.facts.filter(pl.col("project_id") == pid).row(0, named=True)
        assert {k: v for k, v in ex.project.items() if k != "pix"} == {
            k: v for k, v in facts.items() if k != "pix"}, (pack_id, pid)
        checked += said.height
        from_whole |= set(said["rule"]) & whole_rules
    assert checked > 0  # the sample gives these projects findings to compare
    assert from_whole == whole_rules  # and each whole-portfolio rule says something about one of them


def _best_of_all_plugin():
    from jixiao import Rule, hookimpl

    @attrs.frozen
    class NoParams:
        pass

    class Best(Rule):
        """Compares projects and reads the grade without naming it in ``reads``."""

        name = "best_of_all"
        Params = NoParams
        whole_portfolio = True

        @hookimpl
        def jixiao_apply(self, facts):
            best = facts.filter(pl.col("grade_rank") == pl.col("grade_rank").min())
            return self.output(self.findings(best, "prioritize", "全部项目中等级最高"))

    return Best


def test_a_whole_portfolio_rule_that_reads_an_unnamed_fact_still_agrees(registry, folio, write):
    registry.add_plugin(_best_of_all_plugin(), "tests")
    pack = Pack.load(write("best.toml", """
[pack]
id = "best"
name = "最优"
level = "city"
extends = "national"

[sources.doc]
doc_no = "测试〔2024〕3号"
title = "测试"

[rules.best]
plugin = "best_of_all"
citation = { source = "doc", clause = "第一条" }
"""), registry)
    whole = run(pack, folio, AS_OF)
    top = whole.findings.filter(pl.col("rule") == "best")["project_id"].to_list()
    assert top  # some projects are the best graded
    for pid in (top[0], folio.projects["project_id"][1]):
        ex = explain_project(pack, folio, pid, AS_OF)
        said = sorted((r.rule, f.action) for r in ex.rules for f in r.findings)
        expected = sorted(whole.findings.filter(pl.col("project_id") == pid).select("rule", "action").rows())
        assert said == expected


@pytest.mark.parametrize("pack_id", PACKS)
def test_a_prepared_explainer_says_what_explain_project_says(registry, folio, pack_id):
    from jixiao.core.outputs.explain import Explainer

    pack = Pack.load(pack_id, registry)
    explainer = Explainer(pack, folio, AS_OF)
    pids = folio.projects["project_id"].to_list()
    fired = moved = 0
    for pid in pids[::5] + pids[-1:]:
        one = explain_project(pack, folio, pid, AS_OF)
        # The boundaries too: prepared from whole-portfolio runs, the same as the project's own runs.
        assert explainer.explain(pid) == one, (pack_id, pid)  # the project's position in the portfolio too
        assert one.project["pix"] == pids.index(pid)
        fired += sum(r.fired for r in one.rules) + sum(bool(r.notes) for r in one.rules)
        moved += sum(len(b.gone) + len(b.added) for b in one.boundaries)
    assert fired > 0
    assert moved > 0  # some boundary changes a finding: the comparison of boundaries is not empty


def test_a_prepared_explainer_names_an_unknown_project(registry, folio):
    from jixiao.core.errors import InputError
    from jixiao.core.outputs.explain import Explainer

    explainer = Explainer(Pack.load("national", registry), folio, AS_OF)
    with pytest.raises(InputError, match="没有这个项目编码的项目"):
        explainer.explain("NOPE")


def test_prepared_boundaries_equal_the_projects_own_where_a_cut_names_its_department(registry, folio):
    # Nanchang's cut names the department's control-figure total: moving every project to its
    # boundary at once would change that total in each project's message. The prepared explainer
    # then runs the project's own boundaries; packs whose rules answer from the project alone
    # (tongxin) keep the prepared ones.
    from jixiao.core.outputs.explain import Explainer

    pack = Pack.load("nanchang", registry)
    explainer = Explainer(pack, folio, AS_OF)
    cuts = 0
    for pid in folio.projects["project_id"].to_list():
        own = explain_project(pack, folio, pid, AS_OF).boundaries
        if any(f.action == "cut_budget" for b in own for f in b.gone + b.added):
            cuts += 1
            assert explainer.explain(pid).boundaries == own, pid
    assert cuts >= 2
    assert Explainer(Pack.load("tongxin", registry), folio, AS_OF)._boundaries.runs  # prepared, not per project
