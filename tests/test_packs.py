"""Pack loading: inheritance, overrides, switching off, and every error a pack author can make."""

from __future__ import annotations

from decimal import Decimal

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jixiao.core.errors import PackError
from jixiao.core.authoring.lint import check_pack
from jixiao.core.pack import PLUGIN_DEFAULT, Pack

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
    assert [r.id for r in pack.rules] == ["ex_ante", "targets", "dual_monitoring", "evaluation", "self_evaluation",
                                          "budget_link"]
    evaluation = next(r for r in pack.rules if r.id == "evaluation")
    assert evaluation.values["weights"].citation.clause == "第十六条"
    assert evaluation.values["qualitative"].assumed.startswith("第十七条只给出三档区间")
    assert evaluation.values["grades"].assumed is None


def test_child_overrides_switches_off_and_adds(registry, write):
    pack = Pack.load(write("city.toml", CHILD), registry)
    assert pack.chain == ("city", "national")
    rules = {r.id: r for r in pack.rules}
    assert [r.id for r in pack.enabled_rules()] == ["targets", "dual_monitoring", "evaluation", "self_evaluation",
                                                    "budget_link", "extra_targets"]
    link = rules["budget_link"]
    assert link.params.cut_ratios == {"差": Decimal("0.15"), "中": Decimal("0.05")}
    assert link.values["cut_ratios"].origin == "city"
    assert link.values["cut_ratios"].assumed == "办法未给比例"
    assert link.values["cut_ratios"].citation.clause == "第十条"
    # Inherited values keep their origin, citation and assumed reason.
    assert link.values["priority_grades"].origin == "national"
    assert link.values["priority_grades"].citation.clause == "七（十六）"
    assert link.values["priority_grades"].assumed.startswith("文件称")
    assert link.values["notice_grades"].origin == PLUGIN_DEFAULT
    assert link.changed_in == ("city",) and link.defined_in == "national"
    assert rules["ex_ante"].enabled is False
    assert rules["extra_targets"].params.required_levels == []


def test_an_override_needs_its_own_citation(registry, write):
    text = CHILD.replace('citation = { source = "city_doc", clause = "第十条" }\n', "")
    with pytest.raises(PackError) as info:
        Pack.load(write("city.toml", text), registry)
    assert any("，键 rules.budget_link：覆盖须写明自己的依据" in m for m in messages(info.value))


def test_missing_parent_and_cycles(registry, write):
    with pytest.raises(PackError) as info:
        Pack.load(write("city.toml", CHILD.replace('extends = "national"', 'extends = "nationl"')), registry)
    assert any("找不到上级规则包；是否要写 'national'？" in m and "'nationl'" in m
               for m in messages(info.value))
    a = write("a.toml", '[pack]\nid = "a"\nname = "甲"\nlevel = "city"\nextends = "b.toml"\n')
    write("b.toml", '[pack]\nid = "b"\nname = "乙"\nlevel = "city"\nextends = "a.toml"\n')
    with pytest.raises(PackError) as info:
        Pack.load(a, registry)
    assert any("规则包相互继承，形成循环：a → b → a" in m for m in messages(info.value))


def test_toml_syntax_error_has_line_and_column(registry, write):
    path = write("bad.toml", '[pack]\nid = "bad"\nname = \n')
    problems = check_pack(path, registry)
    assert len(problems) == 1
    assert problems[0].render().startswith(f"{path}：TOML 语法错误（第 3 行第 8 列）")


def test_misspelled_keys_and_wrong_types_have_key_paths(registry, write):
    text = CHILD.replace('level = "city"', 'level = "town"').replace("[rules.budget_link.params]",
                                                                     "[rules.budget_link.parms]")
    msgs = [p.render() for p in check_pack(write("city.toml", text), registry)]
    assert any("键 pack.level：" in m for m in msgs)
    assert any("未知的键 parms" in m and "键 rules.budget_link：" in m for m in msgs)


def test_bad_parameter_value_names_its_path(registry, write):
    text = CHILD.replace('cut_ratios = { "差" = "0.15", "中" = "0.05" }', 'cut_ratio = "0.1"')
    text = text.replace('cut_ratios = "办法未给比例"', "")
    msgs = [p.render() for p in check_pack(write("city.toml", text), registry)]
    assert any("键 rules.budget_link.params" in m and "cut_ratio" in m for m in msgs), msgs


def test_unknown_plugin_suggests_the_closest_name(registry, write):
    text = CHILD.replace('plugin = "target_gate"', 'plugin = "target_gaet"')
    msgs = [p.render() for p in check_pack(write("city.toml", text), registry)]
    assert any("键 rules.extra_targets.plugin：没有这个插件；是否要写 'target_gate'？" in m
               and "'target_gaet'" in m for m in msgs), msgs


def test_citation_must_name_a_listed_source(registry, write):
    text = CHILD.replace('source = "city_doc", clause = "第六条"', 'source = "citydoc", clause = "第六条"')
    msgs = [p.render() for p in check_pack(write("city.toml", text), registry)]
    assert any("rules.extra_targets.citation.source" in m and "是否要写 'city_doc'" in m for m in msgs)


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
    assert any("未知的键 hooks" in m for m in msgs)


@given(st.lists(st.text(max_size=30), max_size=40), st.integers(0, 99999))
@settings(max_examples=200, deadline=None)
def test_spot_check_keys_are_zlib_crc32(texts, seed):
    # The sample must not change with the implementation: every key is zlib's crc32 of seed:id.
    import zlib

    from jixiao.plugins.spot_check import crc32_each

    keys = crc32_each(f"{seed}:".encode(), pl.Series(texts, dtype=pl.String))
    assert keys.tolist() == [zlib.crc32(f"{seed}:{t}".encode()) for t in texts]


GZ = """
[pack]
id = "gz"
name = "赣州市"
level = "city"
extends = "nanchang"

[sources.gz]
doc_no = "赣市财绩〔2025〕3号"
title = "赣州市预算绩效管理办法"

[rules.budget_link]
citation = { source = "gz", clause = "第八条" }
"""


def test_table_parameters_merge_key_by_key_with_the_parents(registry, write):
    # usability review #4: restating only 一般 kept nothing of nanchang's 差 cut.
    pack = Pack.load(write("gz.toml", GZ + '[rules.budget_link.params]\ncut_ratios = { "一般" = "0.08" }\n'), registry)
    link = {r.id: r for r in pack.rules}["budget_link"]
    assert link.params.cut_ratios == {"一般": Decimal("0.08"), "差": Decimal("0.10")}
    v = link.values["cut_ratios"]
    assert v.origin == "gz" and v.key_origin("差") == "nanchang" and v.key_origin("一般") == "gz"
    assert v.assumed.startswith("差 沿用 nanchang 的取值：（十）规定扣减")  # the kept key keeps its reason
    # A table the child sets whole, every key its own, is the child's alone.
    whole = Pack.load(write("gz2.toml", GZ.replace('"gz"', '"gz2"', 1)
                            + '[rules.budget_link.params]\ncut_ratios = { "一般" = "0.08", "差" = "0.15" }\n'), registry)
    v = {r.id: r for r in whole.rules}["budget_link"].values["cut_ratios"]
    assert v.keys == () and v.assumed is None and list(v.value) == ["一般", "差"]


def test_replace_makes_a_table_whole_and_says_what_it_drops(registry, write):
    text = GZ + 'replace = ["cut_ratios"]\n[rules.budget_link.params]\ncut_ratios = { "一般" = "0.08" }\n'
    pack = Pack.load(write("gz.toml", text), registry)
    v = {r.id: r for r in pack.rules}["budget_link"].values["cut_ratios"]
    assert v.value == {"一般": "0.08"} and v.dropped == ("差",) and v.dropped_from == "nanchang"
    tongxin = {r.id: r for r in Pack.load("tongxin", registry).rules}["budget_link"]
    assert tongxin.params.cut_ratios == {} and tongxin.values["cut_ratios"].dropped == ("差",)
    bad = GZ + 'replace = ["cut_ratio", "priority_grades"]\n[rules.budget_link.params]\npriority_grades = ["优"]\n'
    with pytest.raises(PackError) as info:
        Pack.load(write("gz.toml", bad), registry)
    found = messages(info.value)
    assert any("键 rules.budget_link.replace：replace 列出了本表没有设置的参数（值：'cut_ratio'）" in m for m in found)
    assert any("replace 只用于表" in m and "'priority_grades'" in m for m in found)


def test_a_grade_label_the_pack_does_not_define_is_an_error(registry, write):
    text = GZ + '[rules.budget_link.params]\ncut_ratios = { "一般" = "0.08", "较差" = "0.15" }\n'
    problems = check_pack(write("gz.toml", text), registry)
    assert [p.render() for p in problems if p.severity == "error"] == [
        f"{write('gz.toml', text)}，键 rules.budget_link.params.cut_ratios.较差：不是本规则包的等级；"
        "本规则包的等级为 优、良、一般、差；是否要写 '差'？（值：'较差'）"]
    # Lists of grades too, and an inherited key that a child's new grade labels no longer match.
    relabel = (GZ.replace("[rules.budget_link]", "[rules.evaluation]") + "[rules.evaluation.params]\n"
               'grades = [{ label = "优秀", min = 90 }, { label = "良好", min = 80 }, { label = "合格", min = 60 },'
               ' { label = "不合格", min = 0 }]\n')
    with pytest.raises(PackError) as info:
        Pack.load(write("gz.toml", relabel), registry)
    found = messages(info.value)
    assert any("policy_packs/nanchang.toml，键 rules.budget_link.params.cut_ratios.差：不是本规则包的等级；"
               "本规则包的等级为 优秀、良好、合格、不合格；请在 " in m and "中把 cut_ratios 设为" in m for m in found)
    assert any("键 rules.policy_exit.params.low_grades：不是本规则包的等级" in m for m in found)


def test_a_user_pack_called_national_is_an_id_collision_not_a_cycle(registry, write):
    # reliability review #16: it was blamed on the built-in file and called a cycle.
    path = write("mine/national.toml", '[pack]\nid = "national"\nname = "我的"\nlevel = "city"\nextends = "nanchang"\n')
    with pytest.raises(PackError) as info:
        Pack.load(path, registry)
    [m] = [m for m in messages(info.value)]
    assert m.startswith(f"{path}，键 pack.id：继承链中有两个规则包的 id 都是 'national'：本文件和 ")
    assert "nanchang 继承的 " in m and m.rstrip().endswith("（值：'national'）") and "循环" not in m
    assert "policy_packs/national.toml" in m


def test_in_force_needs_a_year_and_an_order(registry, write):
    base = GZ + '[rules.budget_link.params]\ncut_ratios = { "一般" = "0.08" }\n'
    for period, says in (("{}", "in_force 须写 from_budget_year、to_budget_year 或两者"),
                         ("{ from_budget_year = 2023, to_budget_year = 2020 }",
                          "from_budget_year 2023 晚于 to_budget_year 2020")):
        text = base.replace('title = "赣州市预算绩效管理办法"\n', f'title = "赣州市预算绩效管理办法"\nin_force = {period}\n')
        with pytest.raises(PackError) as info:
            Pack.load(write("gz.toml", text), registry)
        assert any(says in m and "sources.gz.in_force" in m for m in messages(info.value)), messages(info.value)


def test_a_rule_applies_as_the_parent_has_it_once_the_local_document_expires(registry):
    # Qingdao's plan covers the 2020–2022 budgets; its ex-ante rule starts with the 2020 budget.
    rules = {r.id: r for r in Pack.load("qingdao", registry).rules}
    ex_ante = rules["ex_ante"]
    spans = [(v.period.from_budget_year, v.period.to_budget_year, v.layers, v.citation.clause) for v in ex_ante.variants]
    assert spans == [(2020, 2022, ("national", "qingdao"), "二（三）"),
                     (2023, None, ("national",), Pack.load("national", registry).rules[0].citation.clause)]
    assert ex_ante.variants[1].params.triggers == ["new_major"]  # national's, without the 大额 trigger
    assert [(v.period.from_budget_year, v.period.to_budget_year) for v in rules["coverage"].variants] == [(2020, 2022)]
    assert rules["evaluation"].variants == () and rules["budget_link"].variants == ()  # national, always in force
