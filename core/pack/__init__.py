"""Policy packs: TOML files that pick rule plugins, set their parameters and cite their clauses.

A pack file is data only. Loading goes through the one cattrs converter with unknown keys
forbidden, and every problem in a file (and its parents) is collected before anything is raised.

``file`` is what a pack file says (the TOML tables as cattrs structures them); ``resolved`` is a
rule as the ``extends`` chain resolves it; this module is the ``Pack`` and its loader. The names a
caller needs are all importable from here (``__all__``)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs

from jixiao.core.clauses import anchored, source_problems
from jixiao.core.converter import make_converter
from jixiao.core.dates import BUILTIN_CALENDAR, WorkCalendar
from jixiao.core.errors import PackError, Problem
from jixiao.core.in_force import InForce
from jixiao.core.pack.file import (PLUGIN_DEFAULT, KeyProblem, Level, PackFile, PackMeta, RuleSpec, SourceSpec,
                                   closest_zh, key_problems, keyed, read_pack_file)
from jixiao.core.pack.resolved import (ParamValue, ResolvedRule, Variant, _calendar_days, _combine, _grade_problems,
                                       _with_defaults)
from jixiao.core.registry import Registry
from jixiao.core.rule import Rule

__all__ = ["PLUGIN_DEFAULT", "KeyProblem", "Level", "Pack", "PackMeta", "ParamValue", "ResolvedRule", "SourceSpec",
           "Variant", "closest_zh", "key_problems", "keyed", "origin_text", "periods_text", "provenance",
           "read_pack_file", "value_text"]

@attrs.frozen
class Pack:
    """A pack with its parents resolved: the rules that run, in the order they run."""

    meta: PackMeta
    path: Path
    chain: tuple[str, ...]  # this pack, then its parent, grandparent… up to the root
    sources: dict[str, SourceSpec]
    rules: tuple[ResolvedRule, ...]
    warnings: tuple[Problem, ...] = ()
    paths: tuple[Path, ...] = ()  # the files of ``chain``, in the same order
    calendar: WorkCalendar = BUILTIN_CALENDAR  # chinese_calendar plus the chain's [calendar] days


    @property
    def id(self) -> str:
        return self.meta.id

    def enabled_rules(self) -> tuple[ResolvedRule, ...]:
        return tuple(r for r in self.rules if r.runs)

    def source_label(self, key: str) -> str:
        src = self.sources.get(key)
        return src.doc_no or src.title if src else key

    def parent(self, registry: Registry) -> Pack | None:
        """The pack this one extends, resolved the way ``extends`` was (relative to this file)."""
        if not self.meta.extends:
            return None
        loader = _Loader(registry)
        return loader.load(loader._path_for(self.meta.extends, near=self.path) or self.meta.extends)

    @classmethod
    def load(cls, ref: str | Path, registry: Registry) -> Pack:
        """A pack by installed id or by file path, with every parent resolved."""
        return _Loader(registry).load(ref)


def provenance(pack: Pack, v: ParamValue) -> tuple[str, str]:
    """("default" | "assumed" | "sourced", the citation or the reason) for one resolved value."""
    if v.origin == PLUGIN_DEFAULT:
        return "default", ""
    if v.assumed is not None:
        return "assumed", v.assumed
    if v.citation is None:
        return "sourced", ""
    from jixiao.core.clauses import clause_label

    return "sourced", f"{pack.source_label(v.citation.source)} {clause_label(pack, v.citation)}"


def periods_text(pack: Pack, rule: ResolvedRule) -> str:
    """When a rule is in force, span by span, and as which pack has it: ``2020–2022 年度预算：qingdao
    二（三）；2023 年度预算起：national 三（四）；其他年度不适用``. Empty: every budget year."""
    if not rule.variants:
        return ""
    parts = [f"{v.period.text() if v.period else '每个预算年度'}：{v.layers[-1]} "
             f"{pack.source_label(v.citation.source)} {v.citation.clause}" + ("" if v.enabled else "（停用）")
             for v in rule.variants]
    open_ends = rule.variants[0].period is not None and rule.variants[0].period.from_budget_year is not None
    gaps = any(a.period.to_budget_year is not None and b.period.from_budget_year != a.period.to_budget_year + 1
               for a, b in zip(rule.variants, rule.variants[1:]))
    last = rule.variants[-1].period
    if open_ends or gaps or (last is not None and last.to_budget_year is not None):
        parts.append("其他年度不适用")
    return "；".join(parts)


def origin_text(v: ParamValue) -> str:
    """Where a value comes from, key by key when tables were merged or replaced:
    ``my_city · 差 出自 nanchang`` or ``tongxin · 替换 national 的整张表，去掉 差``."""
    text = "插件默认" if v.origin == PLUGIN_DEFAULT else v.origin
    inherited = [f"{k} 出自 {o}" for k, o in v.keys if o != v.origin]
    if inherited:
        text += " · " + "，".join(inherited)
    if v.dropped:
        text += f" · 替换 {v.dropped_from} 的整张表，去掉 {'、'.join(v.dropped)}"
    return text


def value_text(value: Any) -> str:
    """A parameter value as a pack author would write it (JSON-like, Decimals as exact text)."""
    if attrs.has(type(value)):
        value = attrs.asdict(value)
    return json.dumps(value, ensure_ascii=False, default=lambda v: str(v) if isinstance(v, Decimal) else repr(v))


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return a == b


class _Loader:
    def __init__(self, registry: Registry):
        self.registry = registry

    def _path_for(self, ref: str | Path, near: Path | None = None) -> Path | None:
        """A pack file: a path (relative to the pack that names it) or an installed pack id."""
        p = Path(ref)
        if p.suffix == ".toml":
            return p if p.is_absolute() or near is None else near.parent / p
        if p.exists() and p.is_file():
            return p
        src = self.registry.packs.get(str(ref))
        return src.path if src else None

    def load(self, ref: str | Path) -> Pack:
        path = self._path_for(ref)
        if path is None:
            known = list(self.registry.packs)
            raise PackError([KeyProblem(str(ref), f"没有这个 id 的已安装规则包{closest_zh(str(ref), known)}；"
                                                  f"已安装：{', '.join(sorted(known))}")])
        files: list[tuple[Path, PackFile]] = []
        problems: list[Problem] = []
        seen: list[str] = []
        while path is not None:
            spec, found = read_pack_file(path)
            problems += found
            if spec is None:
                break
            files.append((path, spec))
            if spec.pack.id in seen:
                first = files[seen.index(spec.pack.id)][0]
                if _same_file(first, path):
                    cycle = " → ".join([*seen, spec.pack.id])
                    problems.append(Problem(str(path), f"规则包相互继承，形成循环：{cycle}",
                                            column="pack.extends"))
                else:  # two files with one id (a user pack called national extending a built-in pack)
                    problems.append(Problem(str(first), f"继承链中有两个规则包的 id 都是 {spec.pack.id!r}："
                                                        f"本文件和 {files[-2][1].pack.id} 继承的 {path}；"
                                                        "请给本规则包另起一个 id", column="pack.id", value=spec.pack.id))
                break
            seen.append(spec.pack.id)
            if path.stem != spec.pack.id:
                problems.append(Problem(str(path), "pack.id 须与文件名（不含 .toml）相同",
                                        column="pack.id", value=spec.pack.id, severity="warning"))
            parent = spec.pack.extends
            if not parent:
                break
            path = self._path_for(parent, near=path)
            if path is None:
                problems.append(Problem(str(files[-1][0]), f"找不到上级规则包{closest_zh(parent, list(self.registry.packs))}",
                                        column="pack.extends", value=parent))
        errors = [p for p in problems if p.severity == "error"]
        if errors or not files:
            raise PackError(keyed(problems))
        return self._resolve(files, problems)

    def _resolve(self, files: list[tuple[Path, PackFile]], problems: list[Problem]) -> Pack:
        sources: dict[str, SourceSpec] = {}
        layers: dict[str, list[tuple[str, str, RuleSpec]]] = {}  # rule → (file, pack, table), root first
        plugins: dict[str, str] = {}
        days: dict[dt.date, bool] = {}  # day → working day, from the chain's [calendar] tables
        for path, spec in reversed(files):  # root first, so children override
            file, pid = str(path), spec.pack.id
            sources.update({k: anchored(src, path) for k, src in spec.sources.items()})
            problems += _calendar_days(spec.calendar, file, days)
            for rid, rs in spec.rules.items():
                key = f"rules.{rid}"
                here = plugins.get(rid)
                if rs.citation is None:
                    what = "覆盖" if here else "规则"
                    problems.append(Problem(file, f"{what}须写明自己的依据（citation 的 source 和 clause）", column=key))
                elif rs.citation.source not in sources:
                    problems.append(Problem(file, f"依据引用的来源不在规则包的 sources 中"
                                                  f"{closest_zh(rs.citation.source, list(sources))}",
                                            column=f"{key}.citation.source", value=rs.citation.source))
                for param, c in rs.cite.items():
                    if c.source not in sources:
                        problems.append(Problem(file, f"依据引用的来源不在规则包的 sources 中{closest_zh(c.source, list(sources))}",
                                                column=f"{key}.cite.{param}.source", value=c.source))
                if here is None:
                    if rs.plugin is None:
                        problems.append(Problem(file, "新规则须写明插件（plugin）", column=f"{key}.plugin"))
                        continue
                    if rs.plugin not in self.registry.plugins:
                        problems.append(Problem(file, f"没有这个插件{closest_zh(rs.plugin, list(self.registry.plugins))}",
                                                column=f"{key}.plugin", value=rs.plugin))
                        continue
                    plugins[rid] = rs.plugin
                elif rs.plugin is not None and rs.plugin != here:
                    problems.append(Problem(file, f"覆盖不能更换插件（上级规则包用的是 {here!r}）",
                                            column=f"{key}.plugin", value=rs.plugin))
                    continue
                layers.setdefault(rid, []).append((file, pid, rs))
        cal = WorkCalendar(frozenset(d for d, work in days.items() if not work),
                           frozenset(d for d, work in days.items() if work))
        files_of = {spec.pack.id: str(path) for path, spec in files}
        names = {spec.pack.id: spec.pack.name for _, spec in files}
        resolved = []
        for rid, stack in layers.items():
            cls = self.registry.plugins[plugins[rid]].cls
            full = _combine(rid, stack, problems)
            params = self._structure(cls, full["values"], rid, str(files[0][0]), problems)
            if params is None or full["citation"] is None:
                continue  # already reported
            values = _with_defaults(cls, params, full["values"])
            period = next((rs.in_force for _, _, rs in reversed(stack) if rs.in_force is not None), None)
            variants = self._variants(cls, rid, stack, sources, period, str(files[0][0]), problems, names)
            resolved.append(ResolvedRule(rid, plugins[rid], cls, full["enabled"], full["citation"], stack[0][1],
                                         tuple(pid for _, pid, _ in stack[1:]), params, values, full["note"],
                                         period, variants, cal))
        for path, spec in files:
            for key, src in spec.sources.items():
                if not src.doc_no and not src.title:
                    problems.append(Problem(str(path), "来源须有文号（doc_no）或标题（title）", column=f"sources.{key}"))
                problems += source_problems(path, key, src)
            periods = [(f"sources.{k}", x.in_force) for k, x in spec.sources.items()]
            periods += [(f"rules.{k}", x.in_force) for k, x in spec.rules.items()]
            for key, period in periods:
                wrong = period.problem() if period is not None else None
                if wrong:
                    problems.append(Problem(str(path), wrong, column=f"{key}.in_force"))
        problems += _grade_problems(resolved, files_of)
        errors = [p for p in problems if p.severity == "error"]
        if errors:
            raise PackError(keyed(problems))
        top_path, top = files[0]
        return Pack(top.pack, top_path, tuple(s.pack.id for _, s in files), sources, tuple(resolved),
                    tuple(keyed(problems)), tuple(path for path, _ in files), cal)

    def _structure(self, cls: type[Rule], values: dict[str, ParamValue], rid: str, file: str,
                   problems: list[Problem], years: str = "") -> Any:
        try:
            return make_converter().structure({k: v.value for k, v in values.items()}, cls.Params)
        except Exception as exc:
            problems += key_problems(file, exc, f"$.rules.{rid}.params", years)
            return None

    def _variants(self, cls: type[Rule], rid: str, stack: list[tuple[str, str, RuleSpec]],
                  sources: dict[str, SourceSpec], period: InForce | None, file: str,
                  problems: list[Problem], names: dict[str, str]) -> tuple[Variant, ...]:
        """The rule per span of budget years, when a table cites a source with a period or the rule
        has one: a table citing a source out of force for a year is left out for that year (the
        parent's tables stay: the national rule stays in force); a year where the table defining the
        rule is left out, or outside the rule's own period, has no variant (not in force)."""
        def layer_period(rs: RuleSpec) -> InForce | None:
            src = sources.get(rs.citation.source) if rs.citation else None
            return src.in_force if src else None

        periods = [p for p in [period, *(layer_period(rs) for _, _, rs in stack)] if p is not None]
        if not periods or any(p.problem() for p in periods):  # a wrong period is reported as such
            return ()
        cuts = sorted({y for p in periods for y in (p.from_budget_year, (p.to_budget_year or 0) + 1
                                                   if p.to_budget_year is not None else None) if y is not None})
        spans = [(None, cuts[0] - 1)] + [(a, b - 1) for a, b in zip(cuts, cuts[1:])] + [(cuts[-1], None)]
        out: list[tuple[int | None, int | None, tuple[int, ...]]] = []
        for a, b in spans:
            year = a if a is not None else b
            if period is not None and not period.contains(year):
                continue
            active = tuple(i for i, (_, _, rs) in enumerate(stack)
                           if layer_period(rs) is None or layer_period(rs).contains(year))
            if not active or active[0] != 0:
                continue  # the table that defines the rule is not in force
            if out and out[-1][2] == active and out[-1][1] is not None and out[-1][1] + 1 == (a or 0):
                out[-1] = (out[-1][0], b, active)
            else:
                out.append((a, b, active))
        variants = []
        for a, b, active in out:
            span = InForce(from_budget_year=a, to_budget_year=b) if (a, b) != (None, None) else None
            sub = [stack[i] for i in active]
            combined = _combine(rid, sub, None)
            years = f"（适用于 {span.text()}）" if span else ""
            params = self._structure(cls, combined["values"], rid, file, problems, years)
            if params is None or combined["citation"] is None:
                continue
            variants.append(Variant(span, tuple(pid for _, pid, _ in sub), names.get(sub[-1][1], sub[-1][1]),
                                    combined["enabled"], combined["citation"],
                                    params, _with_defaults(cls, params, combined["values"])))
        return tuple(variants)
