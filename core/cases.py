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

from jixiao.core.converter import error_messages, make_converter
from jixiao.core.engine import RunResult, run
from jixiao.core.errors import PackError, Problem
from jixiao.core.actions import ACTIONS
from jixiao.core.money import fen_to_yuan_str, to_decimal
from jixiao.core.pack import Pack, _plain
from jixiao.core.portfolio import portfolio_from_records
from jixiao.core.registry import Registry, closest


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
    expect: list[Expectation] = attrs.field(factory=list)

    def tables(self) -> dict[str, list[dict[str, Any]]]:
        out = {}
        for name in ("projects", "indicators", "spending", "evaluations", "accountability"):
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
        raise PackError([Problem(str(path), f"TOML syntax error at line {exc.lineno}, column {exc.colno}: "
                                            f"{getattr(exc, 'msg', exc)}")]) from None
    except RecursionError:
        raise PackError([Problem(str(path), "tables or arrays nested too deeply to read")]) from None
    try:
        return make_converter().structure(data, CaseFile)
    except Exception as exc:
        raise PackError([Problem(str(path), _plain(m)) for m in error_messages(exc, "$")]) from None


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
        raise PackError(problems)
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
            found.append(Problem(file, f"the pack {pack.id} has no rule of this id{closest(name, rules)}",
                                 column="case.rules", value=name))
    for i, e in enumerate(spec.expect):
        where = f"expect[{i}]"
        if e.action not in ACTIONS:
            hint = (f"; did you mean {by_zh[e.action]!r} ({e.action})? a case names the action by its code"
                    if e.action in by_zh else closest(e.action, list(ACTIONS)))
            found.append(Problem(file, f"not an action of the vocabulary{hint}", column=f"{where}.action",
                                 value=e.action))
        if e.rule not in rules:
            found.append(Problem(file, f"the pack {pack.id} has no rule of this id{closest(e.rule, rules)}",
                                 column=f"{where}.rule", value=e.rule))
        if e.amount_yuan is not None and e.amount_yuan != e.amount_yuan.quantize(Decimal("0.01")):
            found.append(Problem(file, "an amount in 元 has at most two decimals (whole fen)",
                                 column=f"{where}.amount_yuan", value=str(e.amount_yuan)))
    return found


def _key(project: str, rule: str, action: str) -> tuple[str, str, str]:
    return (project, rule, action)


def compare(spec: CaseFile, result: RunResult) -> list[str]:
    found = result.findings
    if spec.case.rules is not None:
        unknown = set(spec.case.rules) - {r.id for r in result.pack.rules}
        if unknown:
            return [f"case names rules the pack does not have: {sorted(unknown)}"]
        found = found.filter(pl.col("rule").is_in(spec.case.rules))
    rows = found.to_dicts()
    actual = Counter(_key(r["project_id"], r["rule"], r["action"]) for r in rows)
    expected = Counter(_key(e.project, e.rule, e.action) for e in spec.expect)
    failures = []
    for key, n in (expected - actual).items():
        failures.append(f"missing: {key[0]} {key[1]} {key[2]}" + (f" ×{n}" if n > 1 else ""))
    for key, n in (actual - expected).items():
        extra = next(r for r in rows if _key(r["project_id"], r["rule"], r["action"]) == key)
        failures.append(f"unexpected: {key[0]} {key[1]} {key[2]} — {extra['message']}")
    for e in spec.expect:
        matches = [r for r in rows if _key(r["project_id"], r["rule"], r["action"]) == _key(e.project, e.rule, e.action)]
        if not matches:
            continue
        problems = [_mismatch(e, r) for r in matches]
        if all(problems):  # no finding of this project, rule and action has every stated value
            failures.append(f"{e.project} {e.rule} {e.action}: {problems[0]}")
    return failures


def _mismatch(e: Expectation, r: dict) -> str:
    """What differs between an expectation's stated values and a finding ("" when nothing)."""
    if e.amount_yuan is not None:
        exact = to_decimal(e.amount_yuan) * 100
        if exact != exact.to_integral_value():
            return f"amount_yuan {e.amount_yuan} is not a whole number of fen (at most 2 decimals)"
        want = int(exact)
        if r["amount_fen"] != want:
            got = "none" if r["amount_fen"] is None else f"{fen_to_yuan_str(r['amount_fen'])} 元"
            return f"amount {got}, expected {fen_to_yuan_str(want)} 元"
    if e.due_date is not None and r["due_date"] != e.due_date:
        return f"due {r['due_date']}, expected {e.due_date}"
    if e.budget_year is not None and r["budget_year"] != e.budget_year:
        return f"budget year {r['budget_year']}, expected {e.budget_year}"
    if e.applies_to is not None and r["applies_to"] != e.applies_to:
        return f"applies to {r['applies_to']}, expected {e.applies_to}"
    if e.assumed is not None and r["assumed"] != e.assumed:
        return f"assumed={r['assumed']}, expected {e.assumed}"
    if e.message is not None and e.message not in r["message"]:
        return f"message {r['message']!r} does not contain {e.message!r}"
    return ""


def all_cases(registry: Registry) -> list[Path]:
    paths = []
    for pid, src in sorted(registry.packs.items()):
        paths += case_files(src.path, pid)
    return paths

