"""What `explain` tells a finance officer: the nearest grade boundary both ways and what changes
there, in Chinese, with no internal names, units or codes; a short form and a JSON form."""

from __future__ import annotations

import datetime as dt
import json

import attrs
import polars as pl
import pytest

from jixiao.core.outputs.explain import Explainer, explain_project
from jixiao.core.pack import Pack
from jixiao.core.sample import generate
from jixiao.core.outputs.portfolio_files import write_portfolio

AS_OF = dt.date(2025, 3, 31)


def _scored(score_c: int):
    """A sample whose project 0 is evaluated (every record of it) at ``score_c``/100 points."""
    s = generate(12, seed=11, fiscal_year=2024)
    ev = s.evaluations.with_columns(
        pl.when(pl.col("pix") == 0).then(pl.lit(score_c, pl.Int64)).otherwise(pl.col("score_c")).alias("score_c"))
    return attrs.evolve(s, evaluations=ev)


def _note(ex, plugin="evaluation_score"):
    return "；".join(n for r in ex.rules if r.plugin == plugin for n in r.notes)


@pytest.mark.parametrize("score, up, down", [
    (7999, "再得 0.01 分可达良", "再失 20.00 分降为差"),
    (6000, "再得 20.00 分可达良", "再失 0.01 分降为差"),
    (5850, "再得 1.50 分可达一般", None),
    (8500, "再得 5.00 分可达优", "再失 5.01 分降为一般"),
])
def test_the_nearest_change_is_the_next_grade_each_way(registry, score, up, down):
    pack = Pack.load("nanchang", registry)
    folio = _scored(score)
    for ex in (explain_project(pack, folio, "P2024000000", AS_OF), Explainer(pack, folio, AS_OF).explain("P2024000000")):
        note = _note(ex)
        assert up in note
        assert (down in note) if down else "再失" not in note
        b = {x.direction: x for x in ex.boundaries}
        assert b["up"].points_c == int(up.split()[1].replace(".", ""))


def test_the_boundary_says_which_cut_disappears(registry):
    pack = Pack.load("nanchang", registry)
    ex = explain_project(pack, _scored(7999), "P2024000000", AS_OF)
    up = next(b for b in ex.boundaries if b.direction == "up")
    assert up.grade == "良"
    cut = [f for r in ex.rules for f in r.findings if f.action == "cut_budget"]
    assert cut and [(f.action, f.amount_fen) for f in up.gone if f.action == "cut_budget"] == [
        (cut[0].action, cut[0].amount_fen)]
    down = next(b for b in ex.boundaries if b.direction == "down")
    assert down.grade == "差" and any(f.action == "cut_budget" for f in down.added)


LEAKS = ("_fen", "_c=", "score_c", "pix", "none", "pass", "approved", "finance", "False", "True", "fired",
         "inputs:", "params:", "nearest change", "(default)", "(assumed)", "cut_budget", "977777", "=")


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    return write_portfolio(generate(60, seed=11), tmp_path_factory.mktemp("ex") / "portfolio.xlsx")


@pytest.mark.parametrize("pack", ["national", "nanchang", "tongxin"])
def test_explain_text_has_no_internal_names_units_or_codes(cli, book, pack):
    for pid in ("P2024000003", "P2024000007", "P2024000012"):
        short = cli("explain", "--pack", pack, "--project", pid, "--as-of", "2025-03-31", book)
        assert short.exit_code == 0, short.output
        for leak in LEAKS:
            assert leak not in short.output, (pack, pid, leak)
        assert "○" not in short.output  # the short form: only the rules that gave a finding
        assert "条文：" in short.output and "依据的数据" in short.output
        full = cli("explain", "--pack", pack, "--project", pid, "--as-of", "2025-03-31", "--all", book)
        assert "○ 未得出结论" in full.output and "参数：" in full.output
        assert "(default)" not in full.output and "False" not in full.output and "inputs:" not in full.output


def test_explain_json_is_documented_and_carries_the_decisions(cli, book):
    res = cli("explain", "--pack", "nanchang", "--project", "P2024000003", "--as-of", "2025-03-31",
              "--format", "json", book)
    assert res.exit_code == 0, res.output
    doc = json.loads(res.output)
    assert doc["schema"] == "jixiao.explain/1"
    assert list(doc) == ["schema", "pack", "pack_name", "as_of", "project", "boundaries", "rules"]
    rule = next(r for r in doc["rules"] if r["fired"])
    assert list(rule) == ["rule", "plugin", "stages", "stages_zh", "fired", "source", "clause", "clause_text",
                          "findings", "inputs", "params", "notes"]
    assert {"action", "action_zh", "amount_fen", "amount_yuan", "budget_year", "applies_to", "applies_to_zh"} <= set(
        rule["findings"][0])
    assert any(not r["fired"] for r in doc["rules"])  # JSON always has every rule
    assert "jixiao.explain/1" in (__import__("pathlib").Path(__file__).parents[1] / "docs" / "formats.md").read_text()


def test_explain_marks_assumed_findings_names_each_findings_clause_and_shows_cuts_unsigned(cli, book):
    # A finance officer review: a finding resting on a value the document does not state was marked
    # （含假定） in the run table but not in explain; the JSON left out the clause a finding cites;
    # "扣减预算 -41,990.00 元" read as deducting a negative.
    from jixiao.core.outputs.explain_text import REDUCING

    assumed = cut = 0
    for pid in ("P2024000003", "P2024000007", "P2024000018", "P2024000048"):
        res = cli("explain", "--pack", "nanchang", "--project", pid, "--as-of", "2025-03-31", "--format", "json", book)
        doc = json.loads(res.output)
        text = cli("explain", "--pack", "nanchang", "--project", pid, "--as-of", "2025-03-31", book).output
        for rule in doc["rules"]:
            for f in rule["findings"]:
                assert f["source"] and f["clause"], f
                if f["assumed"]:
                    assumed += 1
                    assert f"{f['action_zh']}" in text and "（含假定参数）" in text
                if f["action"] in REDUCING and f["amount_fen"] and f["amount_fen"] < 0:
                    cut += 1
                    shown = f["amount_yuan"].lstrip("-")
                    assert f"{f['action_zh']} {int(shown.split('.')[0]):,}.{shown.split('.')[1]} 元" in text, text
        assert "扣减预算 -" not in text and "收回统筹 -" not in text
    assert assumed and cut
