"""Each pack's plugin manager, made once: ``Lifecycle``, the typed facade over ``pm.hook``, and the
types of a run's decisions under the pack (``decision_dtypes``)."""

from __future__ import annotations

import datetime as dt
import os
import sys
import time

import pluggy
import polars as pl

from jixiao.core import hookspecs
from jixiao.core.clauses import clause_label
from jixiao.core.errors import PluginError, RuleFailed
from jixiao.core.finalise import ACTION, OBJECT
from jixiao.core.hookspecs import STAGE_HOOKS, STAGES
from jixiao.core.load import Portfolio
from jixiao.core.pack import Pack
from jixiao.core.rule import Rule, RuleOutput


def decision_dtypes(pack: Pack) -> dict[str, pl.DataType]:
    """The types of ``RunResult.decisions``' shared columns and action under this pack: enums of
    the values its rules can give, the same for every run of the pack (one byte a row where a
    categorical takes four and a string sixteen). Decisions of different packs have different
    enums: compare them as text (``pl.col(...).cast(pl.String)``) or by value (``== "remind"``)."""
    # The values ``finalise`` writes (a rule with periods cites its variants' clauses too).
    rules = [c for r in pack.enabled_rules() for c in r.instantiate(pack.id).citing()]

    def enum(values) -> pl.Enum:
        return pl.Enum(list(dict.fromkeys(v for v in values if v is not None)))

    return {"pack": enum([pack.id]), "stage": enum(STAGES), "rule": enum(r.rule_id for r in rules),
            "plugin": enum(r.name for r in rules),
            "source": enum(pack.source_label(c.source) for r in rules for c in (r.citation, *r.cites.values())),
            "clause": enum(clause_label(pack, c) for r in rules for c in (r.citation, *r.cites.values())),
            "action": ACTION,
            "applies_to": OBJECT}


class Lifecycle:
    """The typed facade: ``call(stage, portfolio=, as_of=, facts=)`` makes the one ``pm.hook`` call of a stage."""

    def __init__(self, pack: Pack, trace: bool | None = None, only: frozenset[str] | None = None):
        self.pack = pack
        self._callers: dict[str, pluggy.HookCaller] = {}
        self._without: list[Rule] = []
        if only is not None:  # some rules of the pack's own manager: its hook calls without the others
            full = lifecycle(pack, trace)
            self.pm, self.dtypes = full.pm, full.dtypes
            self.rules = {k: r for k, r in full.rules.items() if k in only}
            self.order = {k: i for k, i in full.order.items() if k in only}
            self._without = [r for k, r in full.rules.items() if k not in only]
            return
        self.pm = pluggy.PluginManager(hookspecs.PROJECT)
        self.pm.add_hookspecs(hookspecs)
        self.rules: dict[str, Rule] = {}
        self.order: dict[str, int] = {}
        for i, resolved in enumerate(pack.enabled_rules()):
            if only is not None and resolved.id not in only:
                continue
            rule = resolved.instantiate(pack.id)
            self.pm.register(rule, name=resolved.id)
            self.rules[resolved.id] = rule
            self.order[resolved.id] = i
        self.dtypes = decision_dtypes(pack)  # of every rule, also when ``only`` runs some
        if trace if trace is not None else os.environ.get("JIXIAO_TRACE"):
            self._trace()

    def _trace(self) -> None:
        def before(hook_name, impls, kwargs):
            self._t0 = time.perf_counter()
            size = len(kwargs["facts"]) if "facts" in kwargs else 0
            names = ", ".join(self.pm.get_name(i.plugin) or "?" for i in impls)
            print(f"[jixiao trace] {self.pack.id} {hook_name} batch={size} rules=[{names}]", file=sys.stderr)

        def after(outcome, hook_name, impls, kwargs):
            ms = (time.perf_counter() - self._t0) * 1000
            print(f"[jixiao trace] {self.pack.id} {hook_name} done in {ms:.2f} ms", file=sys.stderr)

        self.pm.add_hookcall_monitoring(before, after)

    def call(self, stage: str, *, portfolio: Portfolio, as_of: dt.date, facts: pl.DataFrame) -> list[RuleOutput]:
        """Call one stage's hook (or ``"explain"``) once with the whole portfolio; every rule's
        output, in the pack's rule order."""
        hook = STAGE_HOOKS.get(stage, "jixiao_explain" if stage == "explain" else None)
        if hook is None:
            raise ValueError(f"unknown stage {stage!r}")
        caller = self._callers.get(hook)
        if caller is None:
            caller = (self.pm.subset_hook_caller(hook, self._without) if self._without
                      else getattr(self.pm.hook, hook))
            self._callers[hook] = caller
        try:
            results = caller(portfolio=portfolio, as_of=as_of, facts=facts)
        except Exception as exc:
            rule = self._culprit(exc, hook)
            if rule is None:
                raise
            raise RuleFailed(rule.rule_id, rule.name, stage, hook, exc) from exc
        outputs = [r for r in results if r is not None]
        for out in outputs:
            if not isinstance(out, RuleOutput) or out.rule not in self.rules:
                raise PluginError(f"hook {hook} in stage {stage!r} returned {out!r}; expected "
                                  f"RuleOutput from self.output(...) of a rule of pack {self.pack.id!r}")
        return sorted(outputs, key=lambda o: self.order[o.rule])

    def _culprit(self, exc: BaseException, hook: str) -> Rule | None:
        """The rule whose hook implementation raised, found from the traceback's frames."""
        codes = {}
        for impl in getattr(self.pm.hook, hook).get_hookimpls():
            func = getattr(impl.function, "__func__", impl.function)
            codes[func.__code__] = impl.plugin
        tb = exc.__traceback__
        culprit = None
        while tb is not None:
            if tb.tb_frame.f_code in codes:
                culprit = codes[tb.tb_frame.f_code]
            tb = tb.tb_next
        return culprit


_LIFECYCLES: dict[tuple, tuple[Pack, Lifecycle]] = {}


def lifecycle(pack: Pack, trace: bool | None = None, only: frozenset[str] | None = None) -> Lifecycle:
    """The pack's plugin manager, made once and reused by later runs of the same pack: registering
    rules with pluggy inspects every attribute of every rule, a few milliseconds that would
    otherwise dominate a one-project run (``explain``). A rule instance may serve several runs."""
    traced = bool(trace if trace is not None else os.environ.get("JIXIAO_TRACE"))
    key = (id(pack), traced, only)
    hit = _LIFECYCLES.get(key)
    if hit is not None and hit[0] is pack:
        return hit[1]
    if len(_LIFECYCLES) >= 64:
        _LIFECYCLES.clear()
    life = Lifecycle(pack, traced, only)
    _LIFECYCLES[key] = (pack, life)  # holding the pack keeps its id from being reused
    return life
