"""Every case file shipped with a pack passes, and the case runner catches what it should."""

from __future__ import annotations

import pytest

from jixiao.core.cases import all_cases, run_case
from jixiao.core.registry import Registry

CASES = all_cases(Registry.discover(use_entry_points=False))


def test_every_builtin_pack_has_cases():
    registry = Registry.discover(use_entry_points=False)
    with_cases = {p.parent.name for p in CASES}
    assert set(registry.packs) <= with_cases


@pytest.mark.parametrize("path", CASES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_case(path, registry):
    result = run_case(path, registry)
    assert result.passed, "\n".join(result.failures)


def test_runner_reports_missing_unexpected_and_wrong_amounts(registry, tmp_path):
    src = next(p for p in CASES if p.name == "grades_and_budget.toml").read_text(encoding="utf-8")
    broken = src.replace('amount_yuan = "-200000.01"', 'amount_yuan = "-200000.00"').replace(
        'project = "G9000"\nrule = "budget_link"\naction = "prioritize"', 'project = "G9000"\nrule = "budget_link"\naction = "reward"')
    path = tmp_path / "broken.toml"
    path.write_text(broken, encoding="utf-8")
    failures = run_case(path, registry).failures
    assert "missing: G9000 budget_link reward" in failures
    assert any(f.startswith("unexpected: G9000 budget_link prioritize") for f in failures)
    assert "G5999 budget_link cut_budget: amount -20000001 fen, expected -20000000 fen" in failures
