"""Clause coverage: every clause of a pack's documents is cited, not modelled or out of scope, every
citation names a clause the document has, and packs show / explain quote the clause's text."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from jixiao.core.clauses import coverage, inventory, quote_lines, read_inventory, resolve
from jixiao.core.errors import PackError
from jixiao.core.authoring.lint import lint
from jixiao.core.authoring.lint import check_pack
from jixiao.core.pack import Pack
from jixiao.core.rule import Citation

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ROOT / "policy_packs" / "sources"
BUILTIN = ["national", "nanchang", "qingdao", "tianyuan", "shilong", "tongxin"]

INVENTORY = """
[inventory]
doc_no = "某发〔2024〕1号"

[[clauses]]
number = "第一章"
title = "总则"
heading = true

[[clauses]]
number = "第一条"
text = "为加强预算绩效管理，制定本办法。"

[[clauses]]
number = "第二条"
text = "预算部门应当编报绩效目标。"

[[clauses]]
number = "第三条"
text = \"\"\"
财政部门对绩效目标进行审核：
(一)审核合格的，进入预算编审流程；
(二)经审核仍不合格的，可不予受理。\"\"\"
"""

PACK = """
[pack]
id = "city"
name = "某市"
level = "city"
extends = "national"
{extra}

[sources.city_doc]
doc_no = "某发〔2024〕1号"
title = "某市预算绩效管理办法"
clauses = "sources/city_doc.toml"

[rules.targets]
citation = {{ source = "city_doc", clause = "{cite}" }}
"""


def city(write, cite="第二条", extra=""):
    write("sources/city_doc.toml", INVENTORY)
    return write("city.toml", PACK.format(cite=cite, extra=extra))


def clause_problems(found):
    return [p for p in found if "中没有案例文件预期本规则的结论" not in p.message]


NOT_MODELLED_1 = """
[[pack.not_modelled]]
source = "city_doc"
clause = "第一条"
reason = "制定依据"
"""

OUT_OF_SCOPE_3 = """
[[pack.out_of_scope]]
source = "city_doc"
clause = "第三条"
level = "government"
reason = "财政部门的审核程序"
"""


def test_lint_fails_on_a_clause_nothing_accounts_for(registry, write, cli):
    path = city(write, extra=NOT_MODELLED_1)
    found = clause_problems(lint(Pack.load(path, registry), registry))
    assert [(p.column, p.value) for p in found] == [("sources.city_doc", "第三条")]
    assert "某发〔2024〕1号 的 第三条 没有交代" in found[0].message
    assert cli("packs", "lint", path).exit_code == 1
    strict = cli("packs", "check", "--strict", path)
    assert strict.exit_code == 2 and "第三条" in strict.output
    # Declared out of scope (with its level), the clause is accounted for: nothing more to say.
    path = city(write, extra=NOT_MODELLED_1 + OUT_OF_SCOPE_3)
    assert clause_problems(lint(Pack.load(path, registry), registry)) == []


def test_lint_fails_on_a_citation_of_a_clause_the_document_does_not_have(registry, write):
    path = city(write, cite="第二十条", extra=NOT_MODELLED_1 + OUT_OF_SCOPE_3 + NOT_MODELLED_1.replace("第一条", "第四条"))
    found = clause_problems(lint(Pack.load(path, registry), registry))
    by_column = {p.column: p for p in found}
    assert by_column["rules.targets.citation.clause"].message == "某发〔2024〕1号 中没有条款 第二十条；是否要写 '第二条'？"
    assert "某发〔2024〕1号 中没有条款 第四条" in by_column["pack.not_modelled[1].clause"].message
    # 第二条 is then cited by nothing: the wrong citation does not count.
    assert ("sources.city_doc", "第二条") in [(p.column, p.value) for p in found]
    errors = [p for p in check_pack(path, registry, strict=True) if p.column == "rules.targets.citation.clause"]
    assert [p.severity for p in errors] == ["error"]


def test_a_source_without_an_inventory_is_pointed_out(registry, write):
    path = write("city.toml", PACK.format(cite="第二条", extra="").replace('clauses = "sources/city_doc.toml"\n', ""))
    found = clause_problems(lint(Pack.load(path, registry), registry))
    assert [p.column for p in found] == ["sources.city_doc"] and "没有列出条款清单" in found[0].message


def test_a_missing_inventory_warns_and_a_broken_one_stops_the_pack(registry, write):
    path = write("city.toml", PACK.format(cite="第二条", extra=""))
    pack = Pack.load(path, registry)  # loads: the inventory only adds checks and quotes
    assert [p.column for p in pack.warnings] == ["sources.city_doc.clauses"]
    assert [p.severity for p in check_pack(path, registry, strict=True) if p.column == "sources.city_doc.clauses"] == ["error"]
    write("sources/city_doc.toml", INVENTORY + '\n[[clauses]]\nnumber = "第二条"\ntext = "重复"\n')
    with pytest.raises(PackError) as exc:
        Pack.load(path, registry)
    assert "the same clause number twice" in exc.value.render()


def test_references_finer_coarser_ranges_and_half_width_brackets(write):
    inv, problems = read_inventory(write("inv.toml", INVENTORY))
    assert not problems

    def numbers(ref, subtree=False):
        return [[inv.clauses[j].number for j in m.found] for m in resolve(inv, ref, subtree)]

    assert numbers("第三条（二）") == [["第三条"]]  # finer than the inventory: inside 第三条
    assert numbers("第一条、第三条") == [["第一条"], ["第三条"]]
    assert numbers("第一条至第三条") == [["第一条", "第二条", "第三条"]]
    assert numbers("第一章", subtree=True) == [["第一章", "第一条", "第二条", "第三条"]]
    assert numbers("第四条") == [[]]
    shilong, _ = read_inventory(SOURCES / "pl2021_5.toml")
    names = [[shilong.clauses[j].number for j in m.found] for m in resolve(shilong, "二(二)4、二（二）1")]
    # 二（二） has items of its own (4 to 8), so 二（二）1 is not inside it: no such clause.
    assert names == [["二（二）4"], []]


def test_an_entry_for_a_section_covers_only_what_nothing_more_specific_covers(registry):
    shilong = Pack.load("shilong", registry)
    accounts = {a.clause.number: a for a in coverage(shilong, "pl2021_5")}
    # 二（二） (its opening paragraph) is not modelled; its items are cited by their rules and do not
    # inherit the section's reason.
    assert accounts["二（二）"].not_modelled and not accounts["二（二）"].cited_by
    assert accounts["二（二）4"].cited_by == ("ex_ante",) and accounts["二（二）4"].not_modelled == ()
    assert accounts["二（一）1"].cited_by == ("policy_exit",)  # its 评估论证机制 blocks nothing (ex_ante: 二（二）4)
    assert accounts["二（三）9"].out_of_scope == accounts["二（三）"].out_of_scope != ()


def test_every_built_in_pack_lints_clean_and_accounts_for_every_clause(registry):
    for pid in BUILTIN:
        pack = Pack.load(pid, registry)
        assert lint(pack, registry) == [], pid
        assert not pack.warnings, pid
    own = {"national": ["zf2018_34", "cy2020_10"], "nanchang": ["hf2019_13"], "qingdao": ["qd2020"],
           "tianyuan": ["ty"], "shilong": ["pl2021_5"], "tongxin": ["tx2021"]}
    for pid, keys in own.items():
        pack = Pack.load(pid, registry)
        for key in keys:
            accounts = coverage(pack, key)
            assert accounts and all(a.accounted for a in accounts), (pid, key)


def test_a_child_inherits_the_coverage_of_its_parents_sources(registry, write):
    path = city(write, extra=NOT_MODELLED_1 + OUT_OF_SCOPE_3)
    pack = Pack.load(path, registry)
    # The child overrides targets, so no rule of it cites 34号 四（八） any more; 34号 is national's
    # source and national accounts for it.
    assert not any(r.citation.clause == "四（八）" for r in pack.rules)
    assert clause_problems(lint(pack, registry)) == []


def test_inventories_number_the_documents_as_they_do(registry):
    def numbers(key):
        inv, _ = read_inventory(SOURCES / f"{key}.toml")
        return [c.number for c in inv.clauses if not c.heading]

    cn = "一二三四五六七八九"
    tens = ["", "十"] + [d + "十" for d in cn[1:4]]
    articles = [f"第{tens[n // 10]}{cn[n % 10 - 1] if n % 10 else ''}条" for n in range(1, 46)]
    assert numbers("ty") == articles
    assert numbers("hf2019_13") == [f"（{a[1:-1]}）" for a in articles[:20]]
    items = [n for n in numbers("pl2021_5") if n[-1].isdigit()]
    assert [int(n[4:]) for n in items] == list(range(1, 18)) and items[0] == "二（一）1" and items[-1] == "二（四）17"
    assert numbers("qd2020")[0] == "一" and numbers("qd2020")[-1] == "三（三）" and len(numbers("qd2020")) == 21
    assert numbers("tx2021") == ["一（一）", "一（二）", "一（三）", "二（一）", "二（二）", "二（三）", "二（四）", "二（五）",
                                 "三（一）", "三（二）", "三（三）", "三（四）"]
    assert len(numbers("zf2018_34")) == 20 and numbers("zf2018_34")[-1] == "八（十九）"


def test_clause_texts_are_quoted_as_the_documents_write_them(registry):
    shilong = Pack.load("shilong", registry)
    (line,) = quote_lines(shilong, Citation("pl2021_5", "二（一）1"), limit=None)
    assert line.endswith("建立动态评价调整机制，及时清退执行到期且绩效不高的政策和项目。」")
    tianyuan = Pack.load("tianyuan", registry)
    assert inventory(tianyuan, "ty").clause("第四十二条").text == (
        "被问责单位应根据问责决定认真查找问题,并及时整改。在收到问责决定之日起2个月内将落实整改情况以整改报告书的形式反馈财政部门。")
    # A citation finer than the inventory quotes the item it names.
    (item,) = quote_lines(tianyuan, Citation("ty", "第三十九条（二）"))
    assert item == "第三十九条（二）「(二)收回年度没有执行或没按规定执行的预算资金;」"


def test_packs_show_quotes_each_clause_and_marks_unverified_national_numbers(cli):
    res = cli("packs", "show", "nanchang")
    assert res.exit_code == 0
    assert "（六）「建立绩效评估机制。各部门各单位要结合预算评审、项目审批等" in res.output
    national = cli("packs", "show", "national").output
    assert "依据 中发〔2018〕34号 四（七）（未核实）" in national and "四（七）建立绩效评估机制（条文未收录）" in national
    assert "财预〔2020〕10号 第十六条（未核实）" in national  # a parameter's own citation, in the values table
    assert "不针对项目的条款" in national and "个人层面" in national


def test_explain_quotes_the_clause_of_every_rule(cli):
    res = cli("explain", "--pack", "tianyuan", "--project", "P2024000003", "--as-of", "2025-03-31", "--all",
              ROOT / "examples" / "sample")
    assert res.exit_code == 0, res.output
    assert "依据 天元区预算绩效管理办法 第三十六条" in res.output
    assert "条文：第三十六条「财政部门应及时整理、归纳、分析、反馈绩效评价结果" in res.output
    assert "依据 中发〔2018〕34号 四（七）（未核实）" in res.output and "条文：四（七）建立绩效评估机制（条文未收录）" in res.output


def test_a_copy_of_a_built_in_pack_elsewhere_finds_the_built_in_inventory(registry, tmp_path):
    shutil.copy(ROOT / "policy_packs" / "nanchang.toml", tmp_path / "nanchang.toml")
    pack = Pack.load(tmp_path / "nanchang.toml", registry)
    assert not pack.warnings and inventory(pack, "hf2019_13").clause("（十）") is not None
