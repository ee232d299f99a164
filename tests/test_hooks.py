"""Each hook on its own: a small local rule on a fresh plugin manager, called through the facade."""

from __future__ import annotations

import datetime as dt

import attrs
import polars as pl

from jixiao import Rule, hookimpl
from jixiao.core.engine import Lifecycle, base_facts
from jixiao.core.pack import Pack
from tests_helpers import ONE_RULE_PACK
from jixiao.core.sample import generate

AS_OF = dt.date(2025, 3, 31)
PACK = ONE_RULE_PACK


@attrs.frozen
class P:
    pass


def lifecycle(registry, write, cls) -> Lifecycle:
    registry.add_plugin(cls, "tests")
    return Lifecycle(Pack.load(write("one.toml", PACK.format(plugin=cls.name)), registry))


def call(registry, write, cls, stage):
    portfolio = generate(20, seed=9)
    life = lifecycle(registry, write, cls)
    return life.call(stage, portfolio=portfolio, as_of=AS_OF, facts=base_facts(portfolio, AS_OF))


def stage_rule(hook: str):
    def impl(self, portfolio, as_of, facts):
        big = facts.filter(pl.col("budget_fen") > 50_000_000)
        return self.output(self.findings(big, "key_attention", f"{hook} {as_of}"), big.select("project_id"))

    return type(f"R_{hook}", (Rule,), {"name": f"r_{hook}", "Params": P, hook: hookimpl(impl)})


def check_stage(registry, write, stage):
    outputs = call(registry, write, stage_rule(f"jixiao_{stage}"), stage)
    assert len(outputs) == 1 and outputs[0].rule == "only"
    assert set(outputs[0].findings.collect()["message"]) == {f"jixiao_{stage} {AS_OF}"}


def test_hook_jixiao_assess(registry, write):
    check_stage(registry, write, "assess")


def test_hook_jixiao_target(registry, write):
    check_stage(registry, write, "target")


def test_hook_jixiao_monitor(registry, write):
    check_stage(registry, write, "monitor")


def test_hook_jixiao_evaluate(registry, write):
    check_stage(registry, write, "evaluate")


def test_hook_jixiao_apply(registry, write):
    check_stage(registry, write, "apply")


def test_hook_jixiao_explain(registry, write):
    class Noter(Rule):
        name = "noter"
        Params = P

        @hookimpl
        def jixiao_apply(self, facts):
            return None

        @hookimpl
        def jixiao_explain(self, facts):
            return self.output(notes=facts.select("project_id", pl.lit("再多 1 元").alias("note")))

    outputs = call(registry, write, Noter, "explain")
    assert outputs[0].notes.height == 20 and set(outputs[0].notes["note"]) == {"再多 1 元"}


def test_hook_implementations_receive_only_what_they_name(registry, write):
    seen = {}

    class Picky(Rule):
        name = "picky"
        Params = P

        @hookimpl
        def jixiao_monitor(self, as_of):
            seen["as_of"] = as_of

    call(registry, write, Picky, "monitor")
    assert seen == {"as_of": AS_OF}
