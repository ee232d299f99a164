"""A run focused on some projects (``run(..., focus=...)``, what explain uses) gives those projects
exactly what a whole run gives them, and computes a whole-portfolio rule over only the projects its
answer depends on (``Rule.scope``)."""

from __future__ import annotations

import datetime as dt
import re

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
    """The sample, with budget requests scored for the ranking and this year's reports not yet
    reviewed for the spot check (as in test_explain.py)."""
    return ranked_sample(90, 23)


def _for(pack_id, folio):
    # Qingdao's own rules (the coverage schedule among them) apply to the 2020–2022 budgets.
    if pack_id == "qingdao":
        return attrs.evolve(folio, projects=folio.projects.with_columns(pl.col("fiscal_year") - 2), _memo=None)
    return folio


@pytest.mark.parametrize("pack_id", PACKS)
def test_a_focused_run_gives_the_projects_what_a_whole_run_gives_them(registry, folio, pack_id):
    pack = Pack.load(pack_id, registry)
    folio = _for(pack_id, folio)
    whole = run(pack, folio, AS_OF, explain=True)
    n = len(folio)
    for focus in ([0], [n // 2], [n - 1], [3, 17, 40, 41, 88]):
        got = run(pack, folio, AS_OF, explain=True, focus=focus)
        wanted = pl.col("pix").is_in(focus)
        assert got.findings.equals(whole.findings.filter(wanted)), (pack_id, focus)
        assert got.facts.equals(whole.facts.filter(wanted)), (pack_id, focus)
        ids = whole.facts.filter(wanted)["project_id"].implode()
        assert got.notes.equals(whole.notes.filter(pl.col("project_id").is_in(ids))), (pack_id, focus)
    # Every whole-portfolio rule of the pack says something in these runs (they are tested).
    wide = {r.id for r in pack.enabled_rules() if getattr(r.cls, "whole_portfolio", False)
            or r.plugin == "score_linked_budget"}
    assert wide <= set(whole.findings["rule"].unique())


def _batches(capsys) -> list[tuple[str, int, str]]:
    return [(m[1], int(m[2]), m[3]) for m in re.finditer(r"\[jixiao trace\] \S+ (\w+) batch=(\d+) rules=\[(.*)\]",
                                                         capsys.readouterr().err)]


def test_a_department_total_is_computed_over_the_department_alone(registry, folio, capsys):
    """Nanchang cuts from the department's control figure and names the department's total: its
    explanation of a project runs the pack over that department's projects, not over everyone."""
    pack = Pack.load("nanchang", registry)
    pid = folio.projects["project_id"][5]
    dept = folio.projects.filter(pl.col("project_id") == pid)["department"][0]
    capsys.readouterr()
    explain_project(pack, folio, pid, AS_OF, trace=True)
    batches = _batches(capsys)
    apply = [size for hook, size, rules in batches if hook == "jixiao_apply" and "budget_link" in rules]
    assert max(apply) == folio.projects.filter(pl.col("department") == dept).height < len(folio)
    # Over the department run only the rules the total depends on: the grading rules, not (say)
    # the monitoring ones, which run on the project alone.
    monitor = [size for hook, size, rules in batches if hook == "jixiao_monitor" and rules]
    assert monitor == [1]


def test_a_ranking_is_computed_over_the_requested_projects(registry, folio, capsys):
    pack = Pack.load("tongxin", registry)  # ranks every requested project
    requested = folio.projects.filter(pl.col("review_score_c").is_not_null() & (pl.col("fiscal_year") >= 2025))
    capsys.readouterr()
    run(pack, folio, AS_OF, focus=[1], trace=True)  # not a request itself
    target = [size for hook, size, rules in _batches(capsys) if hook == "jixiao_target" and rules == "ranking"]
    assert target == [requested.height + 1]


def test_a_coverage_schedule_is_computed_over_the_funds_of_its_period(registry, folio, capsys):
    pack = Pack.load("qingdao", registry)
    folio = _for("qingdao", folio)
    funds = folio.projects.filter(pl.col("category").is_in(["专项资金", "转移支付"])
                                  & pl.col("fiscal_year").is_between(2020, 2022))
    other = folio.projects.filter(~pl.col("category").is_in(["专项资金", "转移支付"]))["pix"][0]
    capsys.readouterr()
    run(pack, folio, AS_OF, focus=[other], trace=True)
    evaluate = [size for hook, size, rules in _batches(capsys) if hook == "jixiao_evaluate" and rules == "coverage"]
    assert evaluate == [funds.height + 1] and funds.height + 1 < len(folio)


def test_a_focus_outside_the_portfolio_is_refused(registry, folio):
    with pytest.raises(ValueError, match="not a project's position"):
        run(Pack.load("national", registry), folio, AS_OF, focus=[len(folio)])


def test_taking_many_projects_by_mask_gives_what_slicing_gives(folio, monkeypatch):
    """A focused run takes a department's projects at once (by one mask over each table)."""
    from jixiao.core.load import model

    positions = list(range(1, len(folio), 3))
    by_mask = folio.take(positions)
    monkeypatch.setattr(model, "TAKE_BY_MASK", 10**9)
    by_slices = folio.take(positions)
    for name in ("projects", "indicators", "spending", "evaluations", "accountability"):
        assert by_mask.table(name).height and by_mask.table(name).equals(by_slices.table(name)), name


@pytest.fixture(autouse=True)
def _mask_small_takes(monkeypatch):
    """The sample is small: take by mask from a few projects up, so that both ways are exercised."""
    from jixiao.core.load import model

    monkeypatch.setattr(model, "TAKE_BY_MASK", 8)


def test_a_scope_that_loses_the_project_is_refused_by_name(registry, folio, write):
    from jixiao import Rule, hookimpl
    from jixiao.core.errors import PluginError

    @attrs.frozen
    class NoParams:
        pass

    class Careless(Rule):
        name = "careless_scope"
        Params = NoParams
        whole_portfolio = True

        def scope(self, facts, as_of, projects):
            return facts.select("department")  # which project each row is, lost

        @hookimpl
        def jixiao_apply(self, facts):
            return None

    registry.add_plugin(Careless, "tests")
    pack = Pack.load(write("careless.toml", """
[pack]
id = "careless"
name = "测试"
level = "city"
extends = "national"

[sources.doc]
doc_no = "测试〔2024〕4号"
title = "测试"

[rules.careless]
plugin = "careless_scope"
citation = { source = "doc", clause = "第一条" }
"""), registry)
    with pytest.raises(PluginError, match="rule 'careless' \\(plugin 'careless_scope'\\): scope returned rows"):
        run(pack, folio, AS_OF, focus=[0])


def test_a_grading_rule_not_in_force_for_the_project_still_grades_its_department(registry, folio, write, capsys):
    """The department total needs its projects' grades. When the grading rule's period does not
    cover the project's own budget year, the run on the project alone produces no grade, and which
    rule grades the others cannot be read from it: the department is run with every rule."""
    pack = Pack.load(write("late_grading.toml", """
[pack]
id = "late_grading"
name = "测试"
level = "city"
extends = "nanchang"

[sources.doc]
doc_no = "测试〔2024〕5号"
title = "测试"

[rules.evaluation]
in_force = { to_budget_year = 2024 }
citation = { source = "doc", clause = "第一条" }
"""), registry)
    whole = run(pack, folio, AS_OF)
    assert whole.findings.filter(pl.col("rule") == "budget_link").height  # the 2024 projects are linked
    requests = folio.projects.filter(pl.col("fiscal_year") == 2025)["pix"].to_list()
    for pix in requests[:4]:
        capsys.readouterr()
        got = run(pack, folio, AS_OF, focus=[pix], trace=True)
        assert got.findings.equals(whole.findings.filter(pl.col("pix") == pix)), pix
        monitor = [size for hook, size, rules in _batches(capsys) if hook == "jixiao_monitor" and rules]
        assert monitor[0] == 1 and max(monitor) > 1  # the project alone, then its department with every rule
