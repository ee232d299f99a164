"""What a pack file says: the TOML tables (``PackFile``: meta, sources, rules, calendar) as cattrs
structures them, read with every problem keyed by its TOML path and, for a misspelled key, the
closest known one."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any, Literal

import attrs
import tomli

from jixiao.core.converter import error_messages, make_converter
from jixiao.core.errors import Problem
from jixiao.core.in_force import InForce


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
