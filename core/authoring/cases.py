"""Case files: a small portfolio, an as-of date and the findings a pack must produce for it.

Each pack keeps its cases next to it, in ``cases/<pack id>/*.toml``; ``jixiao packs test`` and the
test suite run them. A case lists *every* finding it expects (of the rules it names, or of all
rules): a finding that appears unexpectedly fails the case just as a missing one does.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import polars as pl
import tomli

from jixiao.core.converter import make_converter
from jixiao.core.engine import RunResult, run
from jixiao.core.errors import PackError, Problem
from jixiao.core.actions import ACTIONS, OBJECTS
from jixiao.core.money import format_yuan, to_decimal
from jixiao.core.pack import KeyProblem, Pack, closest_zh, key_problems, keyed
from jixiao.core.load import portfolio_from_records
from jixiao.core.registry import Registry


@attrs.frozen(kw_only=True)
class CaseMeta:
    pack: str
    as_of: dt.date
    description: str = ""
    # The clause text the expectations are derived from, quoted from the source document.
    quote: str = ""
    rules: list[str] | None = None  # compare only these rules' findings


@attrs.frozen(kw_only=True)
class Expectation:
    project: str
    rule: str
    action: str
    amount_yuan: Decimal | None = None
    due_date: dt.date | None = None
    budget_year: int | None = None  # the budget year a binding finding applies to
    applies_to: str | None = None  # what it applies to: a code of jixiao.core.actions.OBJECTS
    assumed: bool | None = None
    message: str | None = None  # a substring the message must contain


@attrs.frozen(kw_only=True)
class CaseFile:
    case: CaseMeta
    defaults: dict[str, dict[str, Any]] = attrs.field(factory=dict)
    projects: list[dict[str, Any]] = attrs.field(factory=list)
    indicators: list[dict[str, Any]] = attrs.field(factory=list)
    spending: list[dict[str, Any]] = attrs.field(factory=list)
    evaluations: list[dict[str, Any]] = attrs.field(factory=list)
    accountability: list[dict[str, Any]] = attrs.field(factory=list)
    monitoring: list[dict[str, Any]] = attrs.field(factory=list)
    expect: list[Expectation] = attrs.field(factory=list)

    def tables(self) -> dict[str, list[dict[str, Any]]]:
        out = {}
        for name in ("projects", "indicators", "spending", "evaluations", "accountability", "monitoring"):
            records = getattr(self, name)
            if records:
                base = self.defaults.get(name, {})
                out[name] = [{**base, **r} for r in records]
        return out


@attrs.frozen
class CaseResult:
    path: Path
    description: str
    failures: tuple[str, ...]
    result: RunResult | None = None

    @property
    def passed(self) -> bool:
        return not self.failures


def read_case(path: Path) -> CaseFile:
    try:
        data = tomli.loads(path.read_text(encoding="utf-8"))
    except tomli.TOMLDecodeError as exc:
        raise PackError([KeyProblem(str(path), f"TOML 语法错误（第 {exc.lineno} 行第 {exc.colno} 列）："
                                               f"{getattr(exc, 'msg', exc)}")]) from None
    except RecursionError:
        raise PackError([KeyProblem(str(path), "表或数组嵌套过深，无法读取")]) from None
    try:
        return make_converter().structure(data, CaseFile)
    except Exception as exc:
        raise PackError(key_problems(str(path), exc, "$")) from None


def case_files(pack_path: Path, pack_id: str) -> list[Path]:
    folder = pack_path.parent / "cases" / pack_id
    return sorted(folder.glob("*.toml")) if folder.is_dir() else []


def run_case(path: Path, registry: Registry) -> CaseResult:
    spec = read_case(path)
    ref = spec.case.pack
    pack_ref: str | Path = path.parent / ref if ref.endswith(".toml") else ref
    pack = Pack.load(pack_ref, registry)
    problems = check_expectations(spec, pack, path)
    if problems:
        raise PackError(keyed(problems))
    portfolio = portfolio_from_records(spec.tables(), str(path))
    result = run(pack, portfolio, spec.case.as_of)
    return CaseResult(path, spec.case.description, tuple(compare(spec, result)), result)


def check_expectations(spec: CaseFile, pack: Pack, path: Path) -> list[Problem]:
    """What a case expects must be able to happen: an action of the vocabulary (its code; the
    Chinese label the table shows is pointed to its code), a rule the pack has, an amount in whole
    fen. Otherwise the case could only fail, with a missing finding that hides the typo."""
    file, found = str(path), []
    rules = [r.id for r in pack.rules]
    by_zh = {a.zh: code for code, a in ACTIONS.items()}
    for name in spec.case.rules or ():
        if name not in rules:
            found.append(Problem(file, f"规则包 {pack.id} 没有这个 id 的规则{closest_zh(name, rules)}",
                                 column="case.rules", value=name))
    for i, e in enumerate(spec.expect):
        where = f"expect[{i}]"
        if e.action not in ACTIONS:
            hint = (f"；是否要写 {by_zh[e.action]!r}（{e.action}）？案例用处理的代码，不用中文名称"
                    if e.action in by_zh else closest_zh(e.action, list(ACTIONS)))
            found.append(Problem(file, f"不是处理词汇表中的处理{hint}", column=f"{where}.action",
                                 value=e.action))
        if e.rule not in rules:
            found.append(Problem(file, f"规则包 {pack.id} 没有这个 id 的规则{closest_zh(e.rule, rules)}",
                                 column=f"{where}.rule", value=e.rule))
        if e.amount_yuan is not None and e.amount_yuan != e.amount_yuan.quantize(Decimal("0.01")):
            found.append(Problem(file, "以元计的金额最多两位小数（到分）",
                                 column=f"{where}.amount_yuan", value=str(e.amount_yuan)))
    return found


def _key(project: str, rule: str, action: str) -> tuple[str, str, str]:
    return (project, rule, action)


def compare(spec: CaseFile, result: RunResult) -> list[str]:
    found = result.findings
    if spec.case.rules is not None:
        unknown = set(spec.case.rules) - {r.id for r in result.pack.rules}
        if unknown:
            return [f"案例列出了规则包没有的规则：{'、'.join(sorted(unknown))}"]
        found = found.filter(pl.col("rule").is_in(spec.case.rules))
    rows = found.to_dicts()
    actual = Counter(_key(r["project_id"], r["rule"], r["action"]) for r in rows)
    expected = Counter(_key(e.project, e.rule, e.action) for e in spec.expect)
    failures = []
    for key, n in (expected - actual).items():
        failures.append(f"缺少结论：{_finding(key)}" + (f" ×{n}" if n > 1 else ""))
    for key, n in (actual - expected).items():
        extra = next(r for r in rows if _key(r["project_id"], r["rule"], r["action"]) == key)
        failures.append(f"多出结论：{_finding(key)} — {extra['message']}")
    for e in spec.expect:
        matches = [r for r in rows if _key(r["project_id"], r["rule"], r["action"]) == _key(e.project, e.rule, e.action)]
        if not matches:
            continue
        problems = [_mismatch(e, r) for r in matches]
        if all(problems):  # no finding of this project, rule and action has every stated value
            failures.append(f"{_finding((e.project, e.rule, e.action))}：{problems[0]}")
    return failures


def _finding(key: tuple[str, str, str]) -> str:
    """``CHA budget_link 扣减预算（cut_budget）``: the case's own codes, the action's name beside its code."""
    project, rule, action = key
    zh = ACTIONS[action].zh if action in ACTIONS else None
    return f"{project} {rule} " + (f"{zh}（{action}）" if zh else action)


def _mismatch(e: Expectation, r: dict) -> str:
    """What differs between an expectation's stated values and a finding ("" when nothing)."""
    if e.amount_yuan is not None:
        exact = to_decimal(e.amount_yuan) * 100
        if exact != exact.to_integral_value():
            return f"amount_yuan {e.amount_yuan} 不是整分（最多两位小数）"
        want = int(exact)
        if r["amount_fen"] != want:
            got = "无金额" if r["amount_fen"] is None else format_yuan(r["amount_fen"])
            return f"金额 {got}，预期 {format_yuan(want)}"
    if e.due_date is not None and r["due_date"] != e.due_date:
        return f"期限 {r['due_date']}，预期 {e.due_date}"
    if e.budget_year is not None and r["budget_year"] != e.budget_year:
        return f"预算年度 {r['budget_year']}，预期 {e.budget_year}"
    if e.applies_to is not None and r["applies_to"] != e.applies_to:
        def obj(code):
            return f"{OBJECTS[code].zh}（{code}）" if code in OBJECTS else str(code)
        return f"适用对象 {obj(r['applies_to'])}，预期 {obj(e.applies_to)}"
    if e.assumed is not None and r["assumed"] != e.assumed:
        yes = {True: "是", False: "否", None: "—"}
        return f"含假定 {yes[r['assumed']]}，预期 {yes[e.assumed]}"
    if e.message is not None and e.message not in r["message"]:
        return f"说明 {r['message']!r} 不含 {e.message!r}"
    return ""


def all_cases(registry: Registry) -> list[Path]:
    paths = []
    for pid, src in sorted(registry.packs.items()):
        paths += case_files(src.path, pid)
    return paths

