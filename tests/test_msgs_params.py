"""A refused parameter value reads in Chinese from end to end: `jixiao packs check` names the key,
the value written and what to write instead, and the reason itself (the text after the key) holds
no English word — the only Latin words left are the pack's own key names and values."""

import re
import textwrap
import typing

import attrs
import pytest

from jixiao.plugins import accountability, evaluation_score

SOURCES = """
[sources.x]
doc_no = "测试〔2025〕1号"
title = "测试"
"""

# rule id (in nanchang), parameter lines, the key the reason names, the value it shows, extra codes
# the reason may list as the choices (values a pack may write).
# nanchang's rule ids and their plugins.
PLUGIN_OF = {"budget_link": "score_linked_budget", "dual_monitoring": "dual_monitoring",
             "accountability": "accountability", "evaluation": "evaluation_score",
             "idle_funds": "spending_checkpoints", "policy_exit": "policy_exit"}

CASES = [
    ("budget_link", 'cut_ratios = { "一般" = "8", "差" = "0.10" }', "cut_ratios.一般", "8", ()),
    ("budget_link", 'cut_ratios = { "一般" = "8%", "差" = "0.10" }', "cut_ratios.一般", "'8%'", ()),
    ("budget_link", 'cut_ratios = { "一般" = "0.123456789012345678901234567890", "差" = "0.10" }',
     "cut_ratios.一般", "0.123456789012345678901234567890", ()),
    ("budget_link", 'cut_ratios = { "一般" = "1234,5", "差" = "0.10" }', "cut_ratios.一般", "1234,5", ()),
    ("budget_link", "rectification_months = 0", "rectification_months", "0", ()),
    ("dual_monitoring", 'suspend_measure = "bogus"', "suspend_measure", "'bogus'", ()),
    ("dual_monitoring", 'stop_gap = "0.2"', "stop_gap", "0.2", ()),
    ("accountability", 'by_trigger = { bogus = ["public_notice"] }', "by_trigger", "bogus",
     (*accountability.TRIGGERS, "recorded")),
    ("evaluation", 'grades = [{ label = "优", min = 90 }, { label = "差", min = 5 }]', "grades", "5", ()),
    ("evaluation", 'missing_weight_to = { cost = "output" }', "missing_weight_to", "'cost'",
     (*evaluation_score.LEVELS, evaluation_score.SHARED)),
    ("idle_funds", "idle_after_carryover_years = 20", "idle_after_carryover_years", "20", ()),
    ("policy_exit", "track_longer_than_months = 0", "track_longer_than_months", "0", ()),
]


def vocabulary(cls) -> set[str]:
    """The key names of a Params class (nested classes included) and the codes its Literal types allow."""
    words: set[str] = set()

    def walk(tp):
        if typing.get_origin(tp) is typing.Literal:
            words.update(a for a in typing.get_args(tp) if isinstance(a, str))
        elif isinstance(tp, type) and attrs.has(tp):
            for name, hint in typing.get_type_hints(tp).items():
                words.add(name)
                walk(hint)
        else:
            for a in typing.get_args(tp):
                walk(a)

    walk(cls)
    return words


def english_words(text: str, allowed: set[str]) -> list[str]:
    """Latin words of three letters or more that are not a key name or value the pack may write."""
    return [w for w in re.findall(r"[A-Za-z][A-Za-z0-9_]*", text)
            if sum(c.isalpha() for c in w) >= 3 and w not in allowed]


@pytest.mark.parametrize("rule, body, key, value, codes", CASES, ids=[f"{c[0]}:{c[1][:30]}" for c in CASES])
def test_packs_check_gives_the_reason_in_chinese_with_key_and_value(cli, tmp_path, registry,
                                                                     rule, body, key, value, codes):
    path = tmp_path / "msgs.toml"
    path.write_text('[pack]\nid = "msgs"\nname = "测试"\nlevel = "county"\nextends = "nanchang"\n' + SOURCES
                    + textwrap.dedent(f"""
                        [rules.{rule}]
                        citation = {{ source = "x", clause = "第一条" }}
                        [rules.{rule}.params]
                        {body}
                        """), encoding="utf-8")
    res = cli("packs", "check", path)
    assert res.exit_code == 2, res.output
    assert "Traceback" not in res.output
    lines = [ln for ln in res.output.splitlines() if ln.startswith("错误：") and f"键 rules.{rule}.params" in ln]
    assert len(lines) == 1, res.output
    where, reason = lines[0].split("键 ", 1)[1].split("：", 1)
    assert key in where + "." + reason, lines[0]   # the frame's key path or the reason names the parameter
    assert value in reason, lines[0]
    params = registry.plugins[PLUGIN_OF[rule]].cls.Params
    written = set(re.findall(r"[A-Za-z][A-Za-z0-9_]*", body))
    allowed = vocabulary(params) | written | set(codes)
    assert re.search(r"[\u4e00-\u9fff]", reason), lines[0]
    assert not english_words(reason, allowed), lines[0]
