"""The grade-and-cut rule four ways, on the same arrays: grade a 100-point score into 优/良/中/差 at
90/80/60 and cut the budget the result feeds by 10 % for 中 and 20 % for 差 (half up to the fen).
The 2024 evaluations (undated: taken as made in 2025) feed the 2026 budget; a project whose
implementation ends before 2026 has no 2026 budget to cut (the rule says what the cut would be if it
is budgeted again, ``cut_if_budgeted``, and cuts nothing), so every peer cuts only a project whose
``end_year`` is 2026 or later.

Every peer returns the cut per project in integer fen; the benchmark asserts they are equal.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
import pluggy

PCT = {"中": 10, "差": 20}  # percent of the budget cut
BUDGET_YEAR = 2026  # the budget a 2024 evaluation (undated: made in 2025) feeds
AS_OF = dt.date(2025, 3, 31)


def numpy_floor(score_c: np.ndarray, budget_fen: np.ndarray, end_year: np.ndarray) -> np.ndarray:
    """The floor: vectorised passes in numpy, integer arithmetic throughout."""
    pct = np.select([score_c < 6000, score_c < 8000], [20, 10], 0).astype(np.int64)
    pct = np.where(end_year >= BUDGET_YEAR, pct, 0)
    return (budget_fen * 2 * pct + 100) // 200


# --- OpenFisca -------------------------------------------------------------------------------------
# OpenFisca holds int variables as int32 and float variables as float32: fen amounts above 2**31
# (21 million 元) do not fit either exactly, so budgets and cuts travel as two int32 halves
# (millions of fen and the rest) and the formula computes in int64.

def openfisca_system():
    from openfisca_core.entities import build_entity
    from openfisca_core.periods import DateUnit
    from openfisca_core.taxbenefitsystems import TaxBenefitSystem
    from openfisca_core.variables import Variable

    project = build_entity(key="project", plural="projects", label="Project", is_person=True)

    def var(name, formula=None):
        attrs_ = {"value_type": int, "entity": project, "definition_period": DateUnit.YEAR, "label": name}
        if formula:
            attrs_["formula"] = formula
        return type(name, (Variable,), attrs_)

    def cut(p, period):
        b = p("budget_hi", period).astype(np.int64) * 1_000_000 + p("budget_lo", period)
        return numpy_floor(p("score_c", period).astype(np.int64), b, p("end_year", period))

    variables = [var("score_c"), var("budget_hi"), var("budget_lo"), var("end_year"),
                 var("cut_hi", lambda p, period: cut(p, period) // 1_000_000),
                 var("cut_lo", lambda p, period: cut(p, period) % 1_000_000)]
    tbs = TaxBenefitSystem([project])
    tbs.add_variables(*variables)
    return tbs


def openfisca(tbs, score_c: np.ndarray, budget_fen: np.ndarray, end_year: np.ndarray) -> np.ndarray:
    from openfisca_core.simulations import SimulationBuilder

    sim = SimulationBuilder().build_default_simulation(tbs, count=len(score_c))
    sim.set_input("score_c", "2024", score_c.astype(np.int32))
    sim.set_input("budget_hi", "2024", (budget_fen // 1_000_000).astype(np.int32))
    sim.set_input("budget_lo", "2024", (budget_fen % 1_000_000).astype(np.int32))
    sim.set_input("end_year", "2024", end_year.astype(np.int32))
    hi = sim.calculate("cut_hi", "2024").astype(np.int64)
    lo = sim.calculate("cut_lo", "2024").astype(np.int64)
    return hi * 1_000_000 + lo


# --- the naive design: one pluggy hook call per project -----------------------------------------

spec = pluggy.HookspecMarker("bench")
impl = pluggy.HookimplMarker("bench")


class Spec:
    @spec(firstresult=True)
    def grade_and_cut(self, score_c, budget_fen, end_year):
        """One project at a time."""


class LoopRule:
    @impl
    def grade_and_cut(self, score_c, budget_fen, end_year):
        pct = 0 if end_year < BUDGET_YEAR else 20 if score_c < 6000 else 10 if score_c < 8000 else 0
        return (budget_fen * 2 * pct + 100) // 200


def pluggy_loop(score_c: np.ndarray, budget_fen: np.ndarray, end_year: np.ndarray) -> np.ndarray:
    pm = pluggy.PluginManager("bench")
    pm.add_hookspecs(Spec)
    pm.register(LoopRule())
    hook = pm.hook.grade_and_cut
    return np.fromiter((hook(score_c=s, budget_fen=b, end_year=e)
                        for s, b, e in zip(score_c.tolist(), budget_fen.tolist(), end_year.tolist())),
                       dtype=np.int64, count=len(score_c))


# --- jixiao's own rule ---------------------------------------------------------------------------

PACK = """
[pack]
id = "bench"
name = "基准测试"
level = "national"

[sources.cy2020_10]
doc_no = "财预〔2020〕10号"
title = "项目支出绩效评价管理办法"

[rules.evaluation]
plugin = "evaluation_score"
citation = { source = "cy2020_10", clause = "第二十七条" }
[rules.evaluation.params]
sources = ["finance"]

[rules.budget_link]
plugin = "score_linked_budget"
citation = { source = "cy2020_10", clause = "第二十七条" }
[rules.budget_link.params]
cut_ratios = { "中" = "0.10", "差" = "0.20" }
"""


def jixiao_inputs(score_c: np.ndarray, budget_fen: np.ndarray, end_year: np.ndarray):
    """The portfolio jixiao's run reads: FY2024 projects whose implementation ends on 31 December
    of ``end_year``, each with a finance evaluation of 2024."""
    from jixiao.core.load import ROW, Portfolio

    n = len(score_c)
    ids = pl.Series("project_id", np.char.add("B", np.arange(n).astype(str)))
    rows = pl.int_range(2, n + 2, eager=True).alias(ROW)
    projects = pl.DataFrame([rows, ids, pl.Series("budget_fen", budget_fen)]).with_columns(
        pl.lit("n").alias("name"), pl.lit("d").alias("department"), pl.lit(2024).alias("fiscal_year"),
        pl.lit("一般公共预算").alias("fund_type"), pl.lit("一般项目").alias("category"),
        pl.lit(0, pl.Int64).alias("spent_fen"), pl.lit("approved").alias("target_status"),
        pl.date(pl.Series(end_year.astype(np.int32)), 12, 31).alias("end_date"))
    evaluations = pl.DataFrame([rows, ids, pl.Series("score_c", score_c)]).with_columns(
        pl.lit(2024).alias("year"), pl.lit("finance").alias("kind"))
    return Portfolio.from_frames({"projects": projects, "evaluations": evaluations})


def jixiao_rule(pack, portfolio, messages: bool = False) -> np.ndarray:
    """A full run of the two-rule pack (grading, then the budget link), every finding with its
    pack, rule and citation; without the Chinese message text unless asked, since no other peer
    writes one. The cuts are read back into an array by project position."""
    from jixiao.core.engine import run

    result = run(pack, portfolio, AS_OF)
    f = (result.findings if messages else result.decisions).filter(pl.col("action") == "cut_budget")
    cuts = np.zeros(len(portfolio), dtype=np.int64)
    cuts[f["pix"].to_numpy()] = -f["amount_fen"].to_numpy()
    return cuts
