"""A rule as a pack resolves it: each parameter's value with where it came from (``ParamValue``),
dated variants, and how an ``extends`` chain combines, checks grades and adds calendar days."""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs

from jixiao.core.dates import BUILTIN_CALENDAR, WorkCalendar
from jixiao.core.errors import Problem
from jixiao.core.in_force import InForce
from jixiao.core.pack.file import CalendarSpec, PLUGIN_DEFAULT, RuleSpec, closest_zh
from jixiao.core.rule import Citation, GRADES, Rule


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
