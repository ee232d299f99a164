"""What `explain` tells a finance officer: the nearest grade boundary both ways and what changes
there, in Chinese, with no internal names, units or codes; a short form and a JSON form."""

from __future__ import annotations

import datetime as dt
import json

import attrs
import polars as pl
import pytest

from jixiao.core.explain import Explainer, explain_project
from jixiao.core.pack import Pack
from jixiao.core.sample import generate, write_portfolio

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
