"""The benchmark's correctness checks on a tiny portfolio: jixiao's grade-and-cut decisions equal the
numpy floor's (and the other peers'), so a change to the rule's meaning cannot break
``benchmarks/run.py`` silently."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

BENCH = Path(__file__).resolve().parent.parent / "benchmarks"
sys.path.insert(0, str(BENCH))

import peers  # noqa: E402
import run as bench  # noqa: E402


def test_rule_peers_agree_with_the_floor(tmp_path):
    from jixiao.core.registry import Registry

    rng = np.random.default_rng(3)
    n = 300
    budget_fen = rng.integers(1, 10**9, n).astype(np.int64)
    rule, cuts = bench.rule_peers(n, 3, budget_fen, tmp_path, Registry.discover(use_entry_points=False),
                                  have_openfisca=False)
    # The data exercise both sides of the rule: cuts made, and 中/差 projects ending before the budget year.
    inputs = bench.rule_inputs(n, 3)
    graded_poor = inputs["score_c"] < 8000
    assert (cuts[graded_poor & (inputs["end_year"] >= peers.BUDGET_YEAR)] > 0).all()
    assert (cuts[graded_poor & (inputs["end_year"] < peers.BUDGET_YEAR)] == 0).all()
    assert (graded_poor & (inputs["end_year"] < peers.BUDGET_YEAR)).any()
    assert {"numpy_s", "jixiao_s", "jixiao_messages_s", "jixiao_stages_s", "pluggy_loop_s"} <= set(rule)


def test_openfisca_agrees_when_installed():
    pytest.importorskip("openfisca_core")
    inputs = bench.rule_inputs(200, 5)
    budget = np.arange(1, 201, dtype=np.int64) * 3_000_001
    floor = peers.numpy_floor(inputs["score_c"], budget, inputs["end_year"])
    assert (peers.openfisca(peers.openfisca_system(), inputs["score_c"], budget, inputs["end_year"]) == floor).all()


def test_floor_cuts_nothing_for_a_project_ending_before_the_budget_year():
    cuts = peers.numpy_floor(np.array([5000, 5000, 7000]), np.array([1000, 1000, 1005]),
                             np.array([2025, 2026, 2030]))
    assert cuts.tolist() == [0, 200, 101]
