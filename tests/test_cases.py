"""Every case file shipped with a pack passes, and the case runner catches what it should."""

from __future__ import annotations

import pytest

from jixiao.core.authoring.cases import all_cases, run_case
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
    src = next(p for p in CASES if p.parent.name == "national" and p.name == "grades_and_budget.toml").read_text(encoding="utf-8")
    broken = src.replace('amount_yuan = "-200000.01"', 'amount_yuan = "-200000.00"').replace(
        'project = "G9000"\nrule = "budget_link"\naction = "prioritize"', 'project = "G9000"\nrule = "budget_link"\naction = "reward"')
    path = tmp_path / "broken.toml"
    path.write_text(broken, encoding="utf-8")
    failures = run_case(path, registry).failures
    assert "缺少结论：G9000 budget_link 表扬奖励（reward）" in failures
    assert any(f.startswith("多出结论：G9000 budget_link 优先保障（prioritize）") for f in failures)
    assert "G5999 budget_link 扣减预算（cut_budget）：金额 -200,000.01 元，预期 -200,000.00 元" in failures


def test_every_rule_of_every_pack_is_exercised_by_a_case(registry):
    """A pack is only as trustworthy as its cases: every enabled rule must fire in at least one."""
    from jixiao.core.authoring.cases import read_case
    from jixiao.core.pack import Pack

    exercised: dict[str, set[str]] = {}
    for path in CASES:
        spec = read_case(path)
        exercised.setdefault(spec.case.pack, set()).update(e.rule for e in spec.expect)
    for pack_id in registry.packs:
        rules = {r.id for r in Pack.load(pack_id, registry).enabled_rules()}
        # Inherited rules count when a parent's cases exercise them with the same values.
        missing = rules - exercised.get(pack_id, set())
        assert not missing, f"{pack_id}: no case exercises {sorted(missing)}"


def test_a_case_naming_an_unknown_action_or_rule_is_an_error_with_a_suggestion(registry, tmp_path):
    # usability review #23: 扣减预算 (the label the table shows) and budget-link only gave "missing:".
    from jixiao.core.errors import PackError

    src = next(p for p in CASES if p.parent.name == "national" and p.name == "grades_and_budget.toml").read_text(encoding="utf-8")
    broken = src.replace('action = "cut_budget"', 'action = "扣减预算"', 1).replace(
        'rule = "budget_link"', 'rule = "budget-link"', 1).replace('amount_yuan = "-200000.01"', 'amount_yuan = "-200000.015"')
    path = tmp_path / "broken.toml"
    path.write_text(broken, encoding="utf-8")
    with pytest.raises(PackError) as info:
        run_case(path, registry)
    found = [p.render() for p in info.value.problems]
    assert any("键 expect[" in m and "不是处理词汇表中的处理；是否要写 'cut_budget'（扣减预算）？" in m
               for m in found)
    assert any("规则包 national 没有这个 id 的规则；是否要写 'budget_link'？（值：'budget-link'）" in m
               for m in found)
    assert any("最多两位小数" in m and "-200000.015" in m for m in found)


def test_every_case_quotes_the_clause_its_expectations_come_from(registry):
    """A case's expectations are derived from the clause text, and the case quotes it: either text
    of the pack's clause inventories (word for word, a run of at least 12 characters) or, for a
    document whose text is not at hand, a statement that it is not."""
    import re

    from jixiao.core.authoring.cases import read_case
    from jixiao.core.clauses import inventory
    from jixiao.core.pack import Pack

    texts: dict[str, str] = {}
    for path in CASES:
        spec = read_case(path)
        assert spec.case.quote.strip(), f"{path}: no quote of its clause"
        if spec.case.pack not in texts:
            pack = Pack.load(spec.case.pack, registry)
            invs = [inventory(pack, key) for key in pack.sources]
            texts[spec.case.pack] = "".join(re.sub(r"\s", "", c.text or "") for inv in invs if inv for c in inv.clauses)
        quote = re.sub(r"\s", "", spec.case.quote)
        pieces = [p for p in re.split(r"[“”……：:（）()]", quote) if len(p) >= 12]
        assert "条文不在" in quote or any(p[:12] in texts[spec.case.pack] for p in pieces), \
            f"{path}: the quote is not the text of a clause of the pack's documents"
