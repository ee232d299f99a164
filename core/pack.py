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

from jixiao.core.converter import error_messages, make_converter
from jixiao.core.errors import PackError, Problem
from jixiao.core.registry import Registry, closest
from jixiao.core.rule import Citation, Rule

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


@attrs.frozen(kw_only=True)
class NotModelled:
    """A provision of a source the pack deliberately does not turn into a rule, and why."""

    source: str
    clause: str
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


@attrs.frozen(kw_only=True)
class PackFile:
    pack: PackMeta
    sources: dict[str, SourceSpec] = attrs.field(factory=dict)
    rules: dict[str, RuleSpec] = attrs.field(factory=dict)


@attrs.frozen
class ParamValue:
    """A resolved parameter value and where it comes from."""

    value: Any
    origin: str  # the pack that set it, or PLUGIN_DEFAULT
    citation: Citation | None
    assumed: str | None  # the reason, when the value is assumed rather than sourced


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

    @property
    def assumed(self) -> dict[str, str]:
        return {k: v.assumed for k, v in self.values.items() if v.assumed is not None}

    def instantiate(self, pack_id: str) -> Rule:
        cites = {k: v.citation for k, v in self.values.items() if v.citation is not None}
        return self.cls(self.id, self.params, self.citation, self.assumed, pack_id, cites)


@attrs.frozen
class Pack:
    """A pack with its parents resolved: the rules that run, in the order they run."""

    meta: PackMeta
    path: Path
    chain: tuple[str, ...]  # this pack, then its parent, grandparent… up to the root
    sources: dict[str, SourceSpec]
    rules: tuple[ResolvedRule, ...]
    warnings: tuple[Problem, ...] = ()

    @property
    def id(self) -> str:
        return self.meta.id

    def enabled_rules(self) -> tuple[ResolvedRule, ...]:
        return tuple(r for r in self.rules if r.enabled)

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
    return "sourced", f"{pack.source_label(v.citation.source)} {v.citation.clause}" if v.citation else ""


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
        return None, [Problem(file, f"cannot read the pack file: {exc.strerror}")]
    except UnicodeDecodeError:
        return None, [Problem(file, "a pack file must be UTF-8 text")]
    try:
        data = tomli.loads(text)
    except tomli.TOMLDecodeError as exc:
        msg = getattr(exc, "msg", str(exc))
        return None, [Problem(file, f"TOML syntax error at line {exc.lineno}, column {exc.colno}: {msg}")]
    except RecursionError:
        return None, [Problem(file, "tables or arrays nested too deeply to read")]
    try:
        spec = make_converter().structure(data, PackFile)
    except Exception as exc:
        return None, [Problem(file, _plain(m)) for m in error_messages(exc, "$")]
    if not PACK_ID_RE.fullmatch(spec.pack.id):  # ids appear in reports, file names and commands
        return None, [Problem(file, "invalid pack id @ $.pack.id: use lower-case letters, digits and _, "
                                    "starting with a letter", value=spec.pack.id[:80])]
    return spec, []


def _plain(message: str) -> str:
    """cattrs' wording, made plain: ``$.rules['x']`` → ``$.rules.x``; literals list their choices."""
    message = re.sub(r"\['([^'\]]*)'\]", r".\1", message)
    message = message.replace("extra fields found", "unknown key(s)")
    literal = re.match(r"unknown error \((.*) not in literal typing\.Literal\[(.*)\]\)(.*)", message)
    if literal:
        value, choices, rest = literal.groups()
        message = f"invalid value {value!r}; expected one of {choices.replace(chr(39), '')}{rest}"
    return message


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
            raise PackError([Problem(str(ref), f"no installed pack with this id{closest(str(ref), known)}; "
                                               f"installed: {', '.join(sorted(known))}")])
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
                cycle = " → ".join([*seen, spec.pack.id])
                problems.append(Problem(str(path), f"packs extend each other in a cycle: {cycle}", column="pack.extends"))
                break
            seen.append(spec.pack.id)
            if path.stem != spec.pack.id:
                problems.append(Problem(str(path), "pack.id must equal the file name without .toml",
                                        column="pack.id", value=spec.pack.id, severity="warning"))
            parent = spec.pack.extends
            if not parent:
                break
            path = self._path_for(parent, near=path)
            if path is None:
                problems.append(Problem(str(files[-1][0]), f"parent pack not found{closest(parent, list(self.registry.packs))}",
                                        column="pack.extends", value=parent))
        errors = [p for p in problems if p.severity == "error"]
        if errors or not files:
            raise PackError(problems)
        return self._resolve(files, problems)

    def _resolve(self, files: list[tuple[Path, PackFile]], problems: list[Problem]) -> Pack:
        conv = make_converter()
        sources: dict[str, SourceSpec] = {}
        rules: dict[str, dict[str, Any]] = {}
        for path, spec in reversed(files):  # root first, so children override
            file, pid = str(path), spec.pack.id
            sources.update(spec.sources)
            for rid, rs in spec.rules.items():
                key = f"rules.{rid}"
                here = rules.get(rid)
                if rs.citation is None:
                    what = "an override" if here else "a rule"
                    problems.append(Problem(file, f"{what} needs its own citation (source and clause)", column=key))
                elif rs.citation.source not in sources:
                    problems.append(Problem(file, f"citation names a source the pack does not list"
                                                  f"{closest(rs.citation.source, list(sources))}",
                                            column=f"{key}.citation.source", value=rs.citation.source))
                for param, c in rs.cite.items():
                    if c.source not in sources:
                        problems.append(Problem(file, "citation names a source the pack does not list",
                                                column=f"{key}.cite.{param}.source", value=c.source))
                if here is None:
                    if rs.plugin is None:
                        problems.append(Problem(file, "a new rule must name its plugin", column=f"{key}.plugin"))
                        continue
                    if rs.plugin not in self.registry.plugins:
                        problems.append(Problem(file, f"unknown plugin{closest(rs.plugin, list(self.registry.plugins))}",
                                                column=f"{key}.plugin", value=rs.plugin))
                        continue
                    here = rules[rid] = {"plugin": rs.plugin, "defined_in": pid, "changed_in": [],
                                         "values": {}, "enabled": True, "citation": None, "note": None}
                elif rs.plugin is not None and rs.plugin != here["plugin"]:
                    problems.append(Problem(file, f"an override cannot change the plugin (parent uses {here['plugin']!r})",
                                            column=f"{key}.plugin", value=rs.plugin))
                    continue
                else:
                    here["changed_in"].append(pid)
                here["enabled"] = rs.enabled
                if rs.citation is not None:
                    here["citation"] = Citation(rs.citation.source, rs.citation.clause)
                here["note"] = rs.note or here["note"]
                for param in rs.assumed:
                    if param not in rs.params:
                        problems.append(Problem(file, "marks as assumed a parameter this table does not set",
                                                column=f"{key}.assumed.{param}", value=param))
                for param, value in rs.params.items():
                    cite = rs.cite.get(param)
                    here["values"][param] = ParamValue(
                        value, pid,
                        Citation(cite.source, cite.clause) if cite else here["citation"],
                        rs.assumed.get(param))
        resolved = []
        for rid, r in rules.items():
            cls = self.registry.plugins[r["plugin"]].cls
            raw = {k: v.value for k, v in r["values"].items()}
            try:
                params = conv.structure(raw, cls.Params)
            except Exception as exc:
                top = files[0][0]
                problems += [Problem(str(top), _plain(m)) for m in error_messages(exc, f"$.rules.{rid}.params")]
                continue
            values = dict(r["values"])
            for field in attrs.fields(cls.Params):
                if field.name not in values:
                    values[field.name] = ParamValue(getattr(params, field.name), PLUGIN_DEFAULT, None, None)
            if r["citation"] is None:
                continue  # already reported
            resolved.append(ResolvedRule(rid, r["plugin"], cls, r["enabled"], r["citation"], r["defined_in"],
                                         tuple(r["changed_in"]), params, values, r["note"]))
        for path, spec in files:
            for key, src in spec.sources.items():
                if not src.doc_no and not src.title:
                    problems.append(Problem(str(path), "a source needs a 文号 or a title", column=f"sources.{key}"))
        errors = [p for p in problems if p.severity == "error"]
        if errors:
            raise PackError(problems)
        top_path, top = files[0]
        return Pack(top.pack, top_path, tuple(s.pack.id for _, s in files), sources, tuple(resolved),
                    tuple(problems))


def check_pack(ref: str | Path, registry: Registry, strict: bool = False) -> list[Problem]:
    """Every problem in a pack (and its parents); warnings count as errors when ``strict``."""
    try:
        pack = Pack.load(ref, registry)
    except PackError as exc:
        return exc.problems
    from jixiao.core.lint import lint

    found = list(pack.warnings) + lint(pack, registry)
    if strict:
        found = [attrs.evolve(p, severity="error") for p in found]
    return found
