"""Pack loading: inheritance, overrides, switching off, and every error a pack author can make."""

from __future__ import annotations

from decimal import Decimal

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jixiao.core.errors import PackError
from jixiao.core.pack import PLUGIN_DEFAULT, Pack, check_pack

CHILD = """
[pack]
id = "city"
name = "某市"
level = "city"
extends = "national"

[sources.city_doc]
doc_no = "某发〔2024〕1号"
title = "某市预算绩效管理办法"

[rules.budget_link]
citation = { source = "city_doc", clause = "第十条" }
[rules.budget_link.params]
cut_ratios = { "差" = "0.15", "中" = "0.05" }
[rules.budget_link.assumed]
cut_ratios = "办法未给比例"

[rules.ex_ante]
enabled = false
citation = { source = "city_doc", clause = "第三条" }

[rules.extra_targets]
plugin = "target_gate"
citation = { source = "city_doc", clause = "第六条" }
"""


def messages(exc: PackError) -> list[str]:
    return [p.render() for p in exc.problems]


def test_national_pack_loads_in_rule_order(registry):
    pack = Pack.load("national", registry)
    assert [r.id for r in pack.rules] == ["ex_ante", "targets", "evaluation", "self_evaluation", "budget_link"]
    evaluation = pack.rules[2]
    assert evaluation.values["weights"].citation.clause == "第十六条"
    assert evaluation.values["qualitative"].assumed.startswith("第十七条只给出三档区间")
    assert evaluation.values["grades"].assumed is None


def test_child_overrides_switches_off_and_adds(registry, write):
    pack = Pack.load(write("city.toml", CHILD), registry)
    assert pack.chain == ("city", "national")
    rules = {r.id: r for r in pack.rules}
    assert [r.id for r in pack.enabled_rules()] == ["targets", "evaluation", "self_evaluation", "budget_link",
                                                    "extra_targets"]
    link = rules["budget_link"]
    assert link.params.cut_ratios == {"差": Decimal("0.15"), "中": Decimal("0.05")}
    assert link.values["cut_ratios"].origin == "city"
    assert link.values["cut_ratios"].assumed == "办法未给比例"
    assert link.values["cut_ratios"].citation.clause == "第十条"
    # Inherited values keep their origin, citation and assumed reason.
    assert link.values["priority_grades"].origin == "national"
    assert link.values["priority_grades"].citation.clause == "六（十三）"
    assert link.values["priority_grades"].assumed.startswith("文件称")
    assert link.values["notice_grades"].origin == PLUGIN_DEFAULT
    assert link.changed_in == ("city",) and link.defined_in == "national"
    assert rules["ex_ante"].enabled is False
    assert rules["extra_targets"].params.required_levels == []


def test_an_override_needs_its_own_citation(registry, write):
    text = CHILD.replace('citation = { source = "city_doc", clause = "第十条" }\n', "")
    with pytest.raises(PackError) as info:
        Pack.load(write("city.toml", text), registry)
    assert any("column rules.budget_link: an override needs its own citation" in m for m in messages(info.value))


def test_missing_parent_and_cycles(registry, write):
    with pytest.raises(PackError) as info:
        Pack.load(write("city.toml", CHILD.replace('extends = "national"', 'extends = "nationl"')), registry)
    assert any("parent pack not found; did you mean 'national'?" in m and "'nationl'" in m
               for m in messages(info.value))
    a = write("a.toml", '[pack]\nid = "a"\nname = "甲"\nlevel = "city"\nextends = "b.toml"\n')
    write("b.toml", '[pack]\nid = "b"\nname = "乙"\nlevel = "city"\nextends = "a.toml"\n')
    with pytest.raises(PackError) as info:
        Pack.load(a, registry)
    assert any("cycle: a → b → a" in m for m in messages(info.value))


def test_toml_syntax_error_has_line_and_column(registry, write):
    path = write("bad.toml", '[pack]\nid = "bad"\nname = \n')
    problems = check_pack(path, registry)
    assert len(problems) == 1
    assert problems[0].render().startswith(f"{path}: TOML syntax error at line 3, column 8")


def test_misspelled_keys_and_wrong_types_have_key_paths(registry, write):
    text = CHILD.replace('level = "city"', 'level = "town"').replace("[rules.budget_link.params]",
                                                                     "[rules.budget_link.parms]")
    msgs = [p.render() for p in check_pack(write("city.toml", text), registry)]
    assert any("$.pack.level" in m for m in msgs)
    assert any("unknown key(s) (parms)" in m and "$.rules.budget_link" in m for m in msgs)


def test_bad_parameter_value_names_its_path(registry, write):
    text = CHILD.replace('cut_ratios = { "差" = "0.15", "中" = "0.05" }', 'cut_ratio = "0.1"')
    text = text.replace('cut_ratios = "办法未给比例"', "")
    msgs = [p.render() for p in check_pack(write("city.toml", text), registry)]
    assert any("$.rules.budget_link.params" in m and "cut_ratio" in m for m in msgs), msgs


def test_unknown_plugin_suggests_the_closest_name(registry, write):
    text = CHILD.replace('plugin = "target_gate"', 'plugin = "target_gaet"')
    msgs = [p.render() for p in check_pack(write("city.toml", text), registry)]
    assert any("column rules.extra_targets.plugin: unknown plugin; did you mean 'target_gate'?" in m
               and "'target_gaet'" in m for m in msgs), msgs


def test_citation_must_name_a_listed_source(registry, write):
    text = CHILD.replace('source = "city_doc", clause = "第六条"', 'source = "citydoc", clause = "第六条"')
    msgs = [p.render() for p in check_pack(write("city.toml", text), registry)]
    assert any("rules.extra_targets.citation.source" in m and "did you mean 'city_doc'" in m for m in msgs)


def test_several_problems_are_reported_at_once(registry, write):
    text = CHILD.replace('plugin = "target_gate"', 'plugin = "nope"').replace(
        'citation = { source = "city_doc", clause = "第十条" }\n', "")
    assert len(check_pack(write("city.toml", text), registry)) == 2


def test_empty_assumed_reason_is_a_warning_and_strict_makes_it_an_error(registry, write):
    text = CHILD.replace('cut_ratios = "办法未给比例"', 'cut_ratios = ""')
    path = write("city.toml", text)
    key = "rules.budget_link.assumed.cut_ratios"
    assert [p.severity for p in check_pack(path, registry) if p.column == key] == ["warning"]
    assert [p.severity for p in check_pack(path, registry, strict=True) if p.column == key] == ["error"]
    assert all(p.severity == "warning" for p in check_pack(path, registry))


def test_pack_cannot_run_code(registry, write):
    # A pack is data: a key that looks like code is just an unknown key.
    text = CHILD + '\n[hooks]\nimport = "os.system"\n'
    msgs = [p.render() for p in check_pack(write("city.toml", text), registry)]
    assert any("unknown key(s) (hooks)" in m for m in msgs)


@given(st.lists(st.text(max_size=30), max_size=40), st.integers(0, 99999))
@settings(max_examples=200, deadline=None)
def test_spot_check_keys_are_zlib_crc32(texts, seed):
    # The sample must not change with the implementation: every key is zlib's crc32 of seed:id.
    import zlib

    from jixiao.plugins.spot_check import crc32_each

    keys = crc32_each(f"{seed}:".encode(), pl.Series(texts, dtype=pl.String))
    assert keys.tolist() == [zlib.crc32(f"{seed}:{t}".encode()) for t in texts]
