"""A refused parameter value reads in Chinese from end to end: `jixiao packs check` names the key,
the value written and what to write instead, and the reason itself (the text after the key) holds
no English word — the only Latin words left are the pack's own key names and values."""

import re
import textwrap
import typing

import datetime as dt
from decimal import Decimal as D

import attrs
import pytest

from jixiao.core.dates import WorkCalendar
from jixiao.core.money import to_decimal
from jixiao.plugins import (accountability, amount_focus, coverage_schedule, dual_monitoring, evaluation_score,
                            ex_ante_gate, performance_payment, rectification_deadline, self_evaluation_prerequisite,
                            spending_checkpoints, spot_check, target_review)

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


@pytest.mark.parametrize("rule, body, key, value, codes", CASES, ids=[f"{i}-{c[0]}" for i, c in enumerate(CASES)])
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


ev = evaluation_score
sc = spending_checkpoints
# Every other refusal a plugin's Params (or the number reader) gives: (build, the value shown, codes
# the reason may list). Built directly, so each check is reached whatever a pack would stop at first.
DIRECT = [
    (lambda: accountability.AccountabilityParams(sanctions=[], choices=[]), None, ()),
    (lambda: accountability.AccountabilityParams(missed_below=D("1.5")), "1.5", ()),
    (lambda: accountability.AccountabilityParams(reduce_ratio=D(0)), "0", ()),
    (lambda: amount_focus.AmountFocusParams(min_amount_yuan=D("0.005")), "0.005", ()),
    (lambda: ex_ante_gate.ExAnteGateParams(large_amount_yuan=D(-1)), "-1", ()),
    (lambda: coverage_schedule.CoverageParams(cycle_years=0), "0", ()),
    (lambda: coverage_schedule.CoverageParams(min_share="1e-9"), "'1e-9'", ()),
    (lambda: coverage_schedule.CoverageParams(min_share="1/0"), "'1/0'", ()),
    (lambda: coverage_schedule.CoverageParams(min_share="4/3"), "4/3", ()),
    (lambda: dual_monitoring.DualMonitoringParams(from_progress=D("0.0000001")), "写的是 0.0000001（", ()),
    (lambda: ev.EvaluationScoreParams(qualitative=ev.Qualitative(partial=D(2))), "2", ()),
    (lambda: ev.EvaluationScoreParams(grades=[ev.Band(label="优", min=D("90.005")), ev.Band(label="差", min=D(0))]),
     "90.005", ()),
    (lambda: ev.EvaluationScoreParams(grades=[ev.Band(label="优", min=D(101)), ev.Band(label="差", min=D(0))]),
     "101", ()),
    (lambda: ev.EvaluationScoreParams(grades=[ev.Band(label="差", min=D(0)), ev.Band(label="优", min=D(90))]),
     "0、90", ()),
    (lambda: ev.EvaluationScoreParams(sources=["peer"]), "'peer'", ev.KINDS),
    (lambda: ev.EvaluationScoreParams(missing_weight_to={"outcome": "outcome"}), "'outcome'",
     (*ev.LEVELS, ev.SHARED)),
    (lambda: ev.EvaluationScoreParams(weights=ev.Weights(execution=D(20))), "110", ()),
    (lambda: performance_payment.PerformancePaymentParams(pay_ratios={"优": D(80)}), "80", ()),
    (lambda: rectification_deadline.RectificationParams(months=121), "121", ()),
    (lambda: self_evaluation_prerequisite.SelfEvaluationPrerequisiteParams(years_back=6), "6", ()),
    (lambda: sc.Checkpoint(month=13, action="remind"), "13", ()),
    (lambda: sc.Checkpoint(month=6, action="reclaim_funds", ledger_month=6), "6", ()),
    (lambda: sc.Checkpoint(month=6, action="remind", ledger_month=3), "'remind'", ()),
    (lambda: sc.Checkpoint(month=6, action="remind", below_rate=D(60)), "60", ()),
    (lambda: sc.SpendingCheckpointsParams(monthly_pace=D(0)), "0", ()),
    (lambda: spot_check.SpotCheckParams(share=D(10)), "10", ()),
    (lambda: target_review.TargetReviewParams(refuse_after=0), "0", ()),
    (lambda: to_decimal("abc"), "'abc'", ()),
    (lambda: to_decimal("1" * 400), "…", ()),
    (lambda: to_decimal(10 ** 20), "100000000000000000000", ()),
    (lambda: WorkCalendar(frozenset({dt.date(2030, 1, 2)}), frozenset({dt.date(2030, 1, 2)})), "2030-01-02", ()),
]


@pytest.mark.parametrize("build, value, codes", DIRECT, ids=[str(i) for i in range(len(DIRECT))])
def test_every_params_refusal_is_chinese(build, value, codes):
    with pytest.raises((ValueError, TypeError)) as info:
        build()
    reason = str(info.value)
    assert re.search(r"[\u4e00-\u9fff]", reason), reason
    assert value is None or value in reason, reason
    allowed = set(codes) | {"true", "false"} | set(re.findall(r"[A-Za-z][A-Za-z0-9_]*", value or ""))
    for cls in (accountability.AccountabilityParams, amount_focus.AmountFocusParams, coverage_schedule.CoverageParams,
                dual_monitoring.DualMonitoringParams, ev.EvaluationScoreParams, ex_ante_gate.ExAnteGateParams,
                performance_payment.PerformancePaymentParams, rectification_deadline.RectificationParams,
                self_evaluation_prerequisite.SelfEvaluationPrerequisiteParams, sc.SpendingCheckpointsParams,
                spot_check.SpotCheckParams, target_review.TargetReviewParams):
        allowed |= vocabulary(cls)
    assert not english_words(reason, allowed), reason


def test_exit_when_both_needs_both_tests():
    # policy_exit once defined __attrs_post_init__ twice, so this check never ran.
    import pytest

    from jixiao.plugins.policy_exit import PolicyExitParams

    with pytest.raises(ValueError, match="exit_when = \"both\" 要求 exit_expired = true"):
        PolicyExitParams(exit_when="both", exit_expired=False)
    with pytest.raises(ValueError, match="low_grades 至少写一个等级"):
        PolicyExitParams(exit_when="both", low_grades=[])
