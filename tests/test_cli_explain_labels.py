"""explain --all shows each parameter by its Chinese label and each code of its value in Chinese;
the department total of a cut from the department's control figure is over the whole portfolio."""

from __future__ import annotations

import datetime as dt
import re

import attrs
import pytest

from jixiao.core.sample import generate

AS_OF = dt.date(2025, 3, 31)


@pytest.fixture(scope="module")
def folio():
    return generate(60, seed=5)


@pytest.mark.parametrize("pack_id", ["national", "nanchang", "qingdao", "tianyuan", "shilong", "tongxin"])
def test_explain_all_has_no_parameter_names_or_codes(registry, folio, pack_id):
    from jixiao.core.outputs.explain import Explainer
    from jixiao.core.outputs.explain_text import explanation_lines
    from jixiao.core.pack import Pack

    pack = Pack.load(pack_id, registry)
    explainer = Explainer(pack, folio, AS_OF)
    text = "\n".join(line for pid in folio.projects["project_id"].head(12)
                     for line in explanation_lines(explainer.explain(pid), all_rules=True))
    text = re.sub(r"（规则 [a-z_0-9]+）", "", text)  # the rule's id in the pack, for --rule-like look-ups
    text = re.sub(r"\bPPP\b", "", text)  # a project category, as the data writes it
    leaks = sorted(set(re.findall(r"[A-Za-z_]{3,}", text)))
    assert leaks == [], leaks


def test_every_built_in_parameter_has_a_chinese_label(registry):
    from jixiao.core.outputs.param_labels import param_label

    missing = [(p, f.name) for p, info in registry.plugins.items() if attrs.has(info.cls.Params)
               for f in attrs.fields(info.cls.Params) if param_label(p, f.name, dict(f.metadata)) == f.name]
    assert missing == []


def test_a_plugin_labels_its_own_parameters_with_metadata():
    from jixiao.core.outputs.param_labels import param_label

    assert param_label("my_plugin", "ratio", {"zh": "比例"}) == "比例"
    assert param_label("my_plugin", "ratio", {}) == "ratio"  # no label: the name, not a guess


def test_shares_are_percentages_and_codes_chinese():
    from jixiao.core.outputs.explain_text import param_text

    assert param_text({"一般": "0.05", "差": "0.10"}, "cut_ratios") == "一般：5%；差：10%"
    assert param_text(["new_major"], "triggers") == "新出台的重大政策和项目"
    assert param_text("either", "measure") == "绩效目标或预算执行（取落后较多者）"
    assert param_text("both", "exit_when") == "两种情形同时具备"
    assert param_text([{"label": "优", "min": "90"}], "grades") == "优（90 分及以上）"


def test_explain_names_the_department_total_over_the_whole_portfolio(registry):
    import polars as pl

    from jixiao.core.engine import run
    from jixiao.core.outputs.explain import explain_project
    from jixiao.core.money import format_yuan
    from jixiao.core.pack import Pack

    pack = Pack.load("nanchang", registry)  # cuts from 部门项目预算控制数
    folio = generate(300, seed=5)
    # A department's control figure is per budget (一般公共预算, 政府性基金预算…): totals per department,
    # fund type and budget year.
    cuts = (run(pack, folio, AS_OF).findings.filter(pl.col("action") == "cut_budget")
            .join(folio.projects.select("project_id", pl.col("department").alias("dept"), "fund_type"), on="project_id"))
    totals = (cuts.group_by("dept", "fund_type", "budget_year").agg(pl.col("amount_fen").sum(), pl.len())
              .filter(pl.col("len") > 1).sort("dept", "fund_type"))
    assert totals.height  # a department with more than one project cut
    dept, fund, year, total, _n = totals.row(0)
    mine = cuts.filter((pl.col("dept") == dept) & (pl.col("fund_type") == fund)
                       & (pl.col("budget_year") == year)).row(0, named=True)
    assert mine["amount_fen"] != total
    ex = explain_project(pack, folio, mine["project_id"], AS_OF)
    msg = next(f.message for r in ex.rules for f in r.findings if f.action == "cut_budget")
    assert f"控制数合计扣减 {format_yuan(-total)}" in msg, msg
