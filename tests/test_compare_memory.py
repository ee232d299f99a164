"""What a comparison keeps per pack while the next pack runs (issue 14: compare's peak memory at
1 M projects). A text outcome is held as a categorical — four bytes a project — not as a string
per project (sixteen bytes a project even when the text is short); what readers see is the text."""

from __future__ import annotations

import polars as pl
import pytest

from jixiao.core.outputs.compare import compare
from jixiao.core.pack import Pack
from jixiao.core.registry import Registry
from jixiao.core.sample import generate
from tests.tests_helpers import AS_OF

TEXT_OUTCOMES = ("grade", "gate", "alerts")


@pytest.fixture(scope="module")
def comparison():
    registry = Registry.discover(use_entry_points=False)
    packs = [Pack.load(p, registry) for p in ("national", "nanchang", "tongxin")]
    return compare(packs, generate(150, seed=4), AS_OF, monthly=False)


def test_each_packs_text_outcomes_are_held_as_categoricals(comparison):
    for pack_id, held in comparison.by_pack.items():
        for col in TEXT_OUTCOMES:
            assert held.schema[col] == pl.Categorical, (pack_id, col, held.schema[col])
    for pack_id in comparison.pack_ids:
        for col in ("gate", "alerts", "grade"):
            assert comparison.matrix.schema[f"{pack_id}:{col}"] == pl.Categorical


def test_readers_of_one_packs_outcomes_see_text(comparison):
    one = comparison.outcome("nanchang")
    for col in TEXT_OUTCOMES:
        assert one.schema[col] == pl.String
    assert set(one["gate"].unique()) <= {"通过", "不予安排预算"}
    assert comparison.outcomes.schema["alerts"] == pl.String
