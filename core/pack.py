"""Policy packs: TOML files that pick rule plugins, set their parameters and cite their clauses.

A pack file is data only. Loading goes through the one cattrs converter with unknown keys
forbidden, and every problem in a file (and its parents) is collected before anything is raised.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

import attrs
import tomli

from jixiao.core.clauses import anchored, source_problems
from jixiao.core.converter import error_messages, make_converter
from jixiao.core.dates import BUILTIN_CALENDAR, WorkCalendar
from jixiao.core.errors import PackError, Problem
from jixiao.core.in_force import InForce
from jixiao.core.registry import Registry
from jixiao.core.rule import GRADES, Citation, Rule

Level = Literal["national", "province", "city", "county", "district"]
PLUGIN_DEFAULT = "plugin default"
PACK_ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")  # as ``jixiao new pack`` requires


@attrs.frozen(kw_only=True)
class SourceSpec:
    """A document a pack cites: its 文号 (document number), title, issuer and date."""

    doc_no: str
    title: str
    issuer: str | None = None
    date: dt.date | None = None
    note: str | None = None
    in_force: InForce | None = None  # the budget years the document governs
    # The document's clause inventory (core/clauses.py), a path relative to the pack file.
    clauses: str | None = None


@attrs.frozen(kw_only=True)
class CitationSpec:
    source: str
    clause: str


@attrs.frozen(kw_only=True)
class RuleSpec:
    """One ``[rules.ID]`` table as written in a pack file."""

    plugin: str | None = None
    enabled: bool = True
    citation: CitationSpec | None = None
    params: dict[str, Any] = attrs.field(factory=dict)
    assumed: dict[str, str] = attrs.field(factory=dict)  # parameter → why the value is assumed
    cite: dict[str, CitationSpec] = attrs.field(factory=dict)  # parameter → its own clause
    note: str | None = None
    # Table parameters named here replace the parent's table whole instead of merging key by key.
    replace: list[str] = attrs.field(factory=list)
    in_force: InForce | None = None  # the budget years the rule applies to in this pack


@attrs.frozen(kw_only=True)
class NotModelled:
    """A provision of a source the pack deliberately does not turn into a rule, and why."""

    source: str
    clause: str
    reason: str


@attrs.frozen(kw_only=True)
class OutOfScope:
    """A provision addressed to a department, a government or an individual, not to a project."""

    source: str
    clause: str
    level: Literal["department", "government", "individual"]
    reason: str


@attrs.frozen(kw_only=True)
class PackMeta:
    id: str
    name: str
    level: Level
    extends: str | None = None
    description: str | None = None
    version: str | None = None
    not_modelled: list[NotModelled] = attrs.field(factory=list)
    out_of_scope: list[OutOfScope] = attrs.field(factory=list)


@attrs.frozen(kw_only=True)
class CalendarSpec:
    """``[calendar]``: days the holiday calendar does not know yet, or gets wrong (see core/dates.py)."""

    holidays: list[dt.date] = attrs.field(factory=list)  # rest days (放假), weekdays included
    workdays: list[dt.date] = attrs.field(factory=list)  # working days (调休上班), weekends included


@attrs.frozen(kw_only=True)
class PackFile:
    pack: PackMeta
    sources: dict[str, SourceSpec] = attrs.field(factory=dict)
    rules: dict[str, RuleSpec] = attrs.field(factory=dict)
    calendar: CalendarSpec | None = None


@attrs.frozen
class ParamValue:
    """A resolved parameter value and where it comes from."""

    value: Any
    origin: str  # the pack that set it, or PLUGIN_DEFAULT
    citation: Citation | None
    assumed: str | None  # the reason, when the value is assumed rather than sourced
    # A table merged key by key: each key with the pack that set it (empty: the value is one pack's).
    keys: tuple[tuple[str, str], ...] = ()
    # ``replace``: the parent's keys the new table left out, and the pack that had set them.
    dropped: tuple[str, ...] = ()
    dropped_from: str | None = None

    def key_origin(self, key: str) -> str:
        return dict(self.keys).get(key, self.origin)


@attrs.frozen
class Variant:
    """A rule as it stands for the projects of some budget years, when sources or the rule have
    periods (``in_force``): which packs' tables are in force for those years, and what they make."""

    period: InForce | None  # None: every budget year
    layers: tuple[str, ...]  # the packs whose tables of the rule are in force, root first
    name: str  # the name of the last of those packs (the one the rule stands as)
    enabled: bool
    citation: Citation
    params: Any
    values: dict[str, ParamValue]

    @property
    def assumed(self) -> dict[str, str]:
        return {k: v.assumed for k, v in self.values.items() if v.assumed is not None}


@attrs.frozen
class ResolvedRule:
    id: str
    plugin: str
    cls: type[Rule]
    enabled: bool
    citation: Citation
    defined_in: str
    changed_in: tuple[str, ...]
    params: Any
    values: dict[str, ParamValue]
    note: str | None = None
    in_force: InForce | None = None  # the rule's own period, from the last table that states one
    # When a period applies: the rule per span of budget years, in year order, only the spans in
    # force. Empty: the rule as resolved applies to every budget year.
    variants: tuple[Variant, ...] = ()
    calendar: WorkCalendar = BUILTIN_CALENDAR  # the pack's working days, for deadlines

    @property
    def assumed(self) -> dict[str, str]:
        return {k: v.assumed for k, v in self.values.items() if v.assumed is not None}

    @property
    def runs(self) -> bool:
        """Whether the rule runs at all: enabled, or enabled for some budget years."""
        return self.enabled or any(v.enabled for v in self.variants)

    def instantiate(self, pack_id: str) -> Rule:
        if self.variants:
            from jixiao.core.in_force import in_force_rule

            return in_force_rule(self, pack_id)
        rule = self.cls(self.id, self.params, self.citation, self.assumed, pack_id)
        rule.calendar = self.calendar
        rule.cites = {k: v.citation for k, v in self.values.items() if v.citation is not None}
        return rule


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


def read_pack_file(path: Path) -> tuple[PackFile | None, list[Problem]]:
    """Parse and structure one pack file; return it with the problems found (no raising)."""
    file = str(path)
    try:
        text = path.read_bytes().decode("utf-8")
    except OSError as exc:
        return None, [KeyProblem(file, f"无法读取规则包文件：{exc.strerror}")]
    except UnicodeDecodeError:
        return None, [KeyProblem(file, "规则包文件须为 UTF-8 文本")]
    try:
        data = tomli.loads(text)
    except tomli.TOMLDecodeError as exc:
        msg = getattr(exc, "msg", str(exc))
        return None, [KeyProblem(file, f"TOML 语法错误（第 {exc.lineno} 行第 {exc.colno} 列）：{msg}")]
    except RecursionError:
        return None, [KeyProblem(file, "表或数组嵌套过深，无法读取")]
    try:
        spec = make_converter().structure(data, PackFile)
    except Exception as exc:
        return None, key_problems(file, exc, "$")
    if not PACK_ID_RE.fullmatch(spec.pack.id):  # ids appear in reports, file names and commands
        return None, [KeyProblem(file, "规则包 id 无效：只能用小写字母、数字和 _，以字母开头", column="pack.id",
                                 value=spec.pack.id[:80])]
    return spec, []


@attrs.frozen
class KeyProblem(Problem):
    """A problem in a TOML file (a pack or a case file), placed by its key: ``file，键
    rules.budget_link.params.cut_ratios：…（值：'8%'）`` (``column`` holds the key path)."""

    def render(self) -> str:
        text = self.file + (f"，键 {self.column}" if self.column else "") + f"：{self.message}"
        if self.value is not None:
            text += f"（值：{self.value!r}）"
        return text


def keyed(problems: list[Problem]) -> list[Problem]:
    """Problems of a pack or case file as ``KeyProblem`` (the ones made elsewhere, such as the
    clause inventories', too): their ``column`` is a TOML key, not a column of a table."""
    return [p if isinstance(p, KeyProblem) or p.sheet or p.row is not None
            else KeyProblem(p.file, p.message, column=p.column, value=p.value, severity=p.severity) for p in problems]


def closest_zh(name: str, known: list[str]) -> str:
    """"；是否要写 'nanchang'？" for the closest known name, or nothing."""
    import difflib

    match = difflib.get_close_matches(name, known, n=1, cutoff=0.5)
    return f"；是否要写 {match[0]!r}？" if match else ""


def key_problems(file: str, exc: Exception, path: str, years: str = "") -> list[Problem]:
    """cattrs' errors as problems placed by key: ``$.rules['x'].params`` → ``rules.x.params``."""
    found = []
    for m in error_messages(exc, path):
        message, _, where = m.rpartition(" @ ")
        if not message:
            message, where = m, ""
        where = re.sub(r"\['([^'\]]*)'\]", r".\1", where).removeprefix("$").lstrip(".")
        found.append(KeyProblem(file, _plain(message) + years, column=where or None))
    return found


def _plain(message: str) -> str:
    """cattrs' wording, made plain; literals list their choices."""
    message = message.replace("extra fields found", "未知的键")
    literal = re.match(r"unknown error \((.*) not in literal typing\.Literal\[(.*)\]\)(.*)", message)
    if literal:
        value, choices, rest = literal.groups()
        message = f"取值 {value!r} 无效；可选：{choices.replace(chr(39), '')}{rest}"
    return message


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


def _grade_problems(rules: list[ResolvedRule], files_of: dict[str, str]) -> list[Problem]:
    """Every grade label a grade-keyed parameter (marked ``GRADES`` by its plugin: ``cut_ratios``,
    ``priority_grades``…) names must be a grade of the pack's grading rule(s): a key that cannot
    match would silently do nothing (a 较差 cut when the grades say 差)."""
    labels: list[str] = []
    for r in rules:
        bands = getattr(r.params, "grades", None)
        if r.runs and isinstance(bands, list) and bands and all(hasattr(b, "label") for b in bands):
            labels += [b.label for b in bands if b.label not in labels]
    if not labels:
        return []
    top = next(iter(files_of.values()))
    found = []
    for r in rules:
        if not r.runs:
            continue
        for field in attrs.fields(type(r.params)):
            v = r.values.get(field.name)
            if not field.metadata.get(GRADES) or v is None or not isinstance(v.value, (dict, list)):
                continue
            for item in v.value:
                if item in labels:
                    continue
                origin = v.key_origin(item) if isinstance(v.value, dict) else v.origin
                where = f"rules.{r.id}.params.{field.name}" + (f".{item}" if isinstance(v.value, dict) else "")
                whose = "（插件默认值）" if origin == PLUGIN_DEFAULT else ""
                file = files_of.get(origin, top)
                fix = f"；请在 {top} 中把 {field.name} 设为本规则包的等级" if file != top or whose else ""
                found.append(Problem(file, f"不是本规则包的等级{whose}；本规则包的等级为 {'、'.join(labels)}"
                                           f"{closest_zh(str(item), labels)}{fix}", column=where, value=str(item)))
    return found


def _with_defaults(cls: type[Rule], params: Any, values: dict[str, ParamValue]) -> dict[str, ParamValue]:
    values = dict(values)
    for field in attrs.fields(cls.Params):
        if field.name not in values:
            values[field.name] = ParamValue(getattr(params, field.name), PLUGIN_DEFAULT, None, None)
    return values


def _combine(rid: str, stack: list[tuple[str, str, RuleSpec]], problems: list[Problem] | None) -> dict[str, Any]:
    """Lay a rule's tables over each other, root first: a later table's parameters override the
    earlier ones'; a table (TOML inline table) merges key by key with the one before it unless the
    later table names it in ``replace``. ``problems`` (None: do not report) gets what is wrong."""
    values: dict[str, ParamValue] = {}
    enabled, citation, note = True, None, None
    report = problems.append if problems is not None else (lambda _p: None)
    for file, pid, rs in stack:
        key = f"rules.{rid}"
        enabled = rs.enabled
        if rs.citation is not None:
            citation = Citation(rs.citation.source, rs.citation.clause)
        note = rs.note or note
        for param in rs.assumed:
            if param not in rs.params:
                report(Problem(file, "assumed 标注了本表没有设置的参数",
                               column=f"{key}.assumed.{param}", value=param))
        for param in rs.replace:
            if param not in rs.params:
                report(Problem(file, "replace 列出了本表没有设置的参数",
                               column=f"{key}.replace", value=param))
            elif not isinstance(rs.params[param], dict):
                report(Problem(file, "replace 只用于表（{ 键 = 值, … }）；列表或单个值本来就整体替换上级的取值",
                               column=f"{key}.replace", value=param))
            elif param not in values:
                report(Problem(file, "replace 不起作用：上级规则包没有设置这张表",
                               column=f"{key}.replace", value=param, severity="warning"))
        for param, value in rs.params.items():
            cite = rs.cite.get(param)
            cited = Citation(cite.source, cite.clause) if cite else citation
            old = values.get(param)
            assumed = rs.assumed.get(param)
            if isinstance(value, dict) and old is not None and isinstance(old.value, dict):
                if param in rs.replace:
                    dropped = tuple(k for k in old.value if k not in value)
                    values[param] = ParamValue(value, pid, cited, assumed, (), dropped,
                                               old.origin if dropped else None)
                    continue
                kept = {k: v for k, v in old.value.items() if k not in value}  # after the new keys, in their order
                had = dict(old.keys) if old.keys else {k: old.origin for k in old.value}
                keys = {**{k: pid for k in value}, **{k: o for k, o in had.items() if k not in value}}
                if assumed is None and kept and old.assumed is not None:  # the parent's keys keep its reason
                    assumed = f"{'、'.join(kept)} 沿用 {old.origin} 的取值：{old.assumed}"
                values[param] = ParamValue({**value, **kept}, pid, cited, assumed,
                                           tuple(keys.items()) if len(set(keys.values())) > 1 else ())
            else:
                values[param] = ParamValue(value, pid, cited, assumed)
    return {"values": values, "enabled": enabled, "citation": citation, "note": note}


def _calendar_days(spec: CalendarSpec | None, file: str, days: dict[dt.date, bool]) -> list[Problem]:
    """Add one file's ``[calendar]`` days to ``days`` (a child's entry replaces its parent's)."""
    if spec is None:
        return []
    both = set(spec.holidays) & set(spec.workdays)
    found = [Problem(file, "同一天不能既是假日又是调休工作日", column="calendar",
                     value=d.isoformat()) for d in sorted(both)]
    days.update({d: False for d in spec.holidays if d not in both})
    days.update({d: True for d in spec.workdays if d not in both})
    return found
