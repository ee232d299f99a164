"""Scaffolds for authors: a new city pack that inherits its parent, and a new plugin package."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs

from jixiao.core.errors import JixiaoError
from jixiao.core.hookspecs import STAGE_ZH, STAGES
from jixiao.core.pack import PLUGIN_DEFAULT, Pack
from jixiao.core.registry import Registry

ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")


def toml_value(v: Any) -> str:
    """A Python value as TOML (inline tables, strings for Decimals so that they stay exact)."""
    if attrs.has(type(v)):
        v = attrs.asdict(v)
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, Decimal):
        return json.dumps(str(v))
    if isinstance(v, int):
        return str(v)
    if isinstance(v, (dt.date, dt.datetime)):
        return v.isoformat()
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{_key(k)} = {toml_value(x)}" for k, x in v.items()) + " }" if v else "{}"
    if v is None:
        raise ValueError("TOML has no null")
    raise TypeError(f"cannot write {v!r} as TOML")


def _key(k: str) -> str:
    return k if re.fullmatch(r"[A-Za-z0-9_-]+", k) else json.dumps(k, ensure_ascii=False)


def check_id(kind: str, value: str) -> None:
    if not ID_RE.fullmatch(value):
        raise JixiaoError(f"{kind} {value!r}: use lower-case letters, digits and _ , starting with a letter")


def new_pack_text(pack_id: str, name: str, level: str, parent: Pack) -> str:
    src = f"{pack_id}_doc"
    lines = [
        f"# {name} — a policy pack extending `{parent.id}` ({parent.meta.name}).",
        "# Written by `jixiao new pack`. Fill in the source document, then override what your document",
        "# changes: uncomment a rule's tables, set the value and cite your own clause. Every override",
        "# needs its own citation; a value your document does not state goes under [rules.ID.assumed]",
        "# with the reason. A table value ({ key = value }) merges key by key with the parent's: write only",
        "# the keys that change; `replace = [\"PARAM\"]` in [rules.ID] makes it whole (drops the others).",
        "# `in_force = { from_budget_year = 2025 }` on a source or a rule limits the budget years it governs.",
        "# Check with `jixiao packs check` and run the cases with `jixiao packs test`.",
        "",
        "[pack]",
        f"id = {toml_value(pack_id)}",
        f"name = {toml_value(name)}",
        f"level = {toml_value(level)}",
        f"extends = {toml_value(parent.id)}",
        "",
        f"[sources.{src}]",
        'doc_no = ""                        # 文号, e.g. 某财绩〔2025〕1号',
        'title = "（待填写）文件标题"                # the document your overrides cite',
        '# issuer = "某市财政局"',
        "# date = 2025-01-01",
        f'# clauses = "sources/{src}.toml"    # every clause of the document (docs/authoring-packs.md, Clause coverage)',
        "",
        f"# --- Rules inherited from {parent.id}, with their current values ---",
    ]
    for rule in parent.rules:
        cite = f"{parent.source_label(rule.citation.source)} {rule.citation.clause}"
        stages = "、".join(STAGE_ZH[s] for s in rule.cls.stages())
        state = "" if rule.enabled else " (switched off in the parent)"
        lines += ["", f"# [rules.{rule.id}]                 # plugin {rule.plugin} · {stages} · now: {cite}{state}",
                  f'# citation = {{ source = "{src}", clause = "第N条" }}',
                  "# enabled = false                  # to switch the rule off",
                  f"# [rules.{rule.id}.params]"]
        for pname, v in rule.values.items():
            if v.value is None:
                continue
            if v.origin == PLUGIN_DEFAULT:
                status = "plugin default"
            elif v.assumed is not None:
                status = f"assumed in {v.origin}: {v.assumed}"
            else:
                c = v.citation
                status = f"from {v.origin}: {parent.source_label(c.source)} {c.clause}" if c else f"from {v.origin}"
            lines.append(f"# {pname} = {toml_value(v.value)}    # {status}")
    return "\n".join(lines) + "\n"


def case_records(portfolio) -> dict[str, list[dict[str, Any]]]:
    """A portfolio as case-file records, with the English column names of docs/formats.md."""
    from jixiao.core.outputs.portfolio_files import text_tables
    from jixiao.core.schema import TABLES

    out = {}
    for zh_name, frame in text_tables(portfolio).items():
        table = next(t for t in TABLES.values() if t.zh == zh_name)
        names = {c.zh: c.name for c in table.columns}
        out[table.name] = [{names[k]: v for k, v in row.items() if v not in (None, "")}
                           for row in frame.to_dicts()]
    return out


def starter_case_text(pack_path: Path, pack: Pack, as_of: dt.date, registry: Registry) -> str:
    """Three sample projects and the findings the pack gives them now, to be checked by the author."""
    from jixiao.core.engine import run
    from jixiao.core.sample import generate

    portfolio = generate(3, seed=7, fiscal_year=as_of.year - 1)
    findings = run(pack, portfolio, as_of).findings
    lines = ["# A starter case written by `jixiao new pack`: three sample projects and the findings the pack",
             "# gives them today. Check every expectation against your document, then add cases for what your",
             "# document changes, at the boundaries (a score of 59.99 and 60, the day before and after a deadline).",
             "", "[case]", f'pack = "../../{pack_path.name}"', f"as_of = {as_of.isoformat()}",
             'description = "starter: sample projects under the pack as written"', ""]
    for table, records in case_records(portfolio).items():
        for rec in records:
            lines.append(f"[[{table}]]")
            lines += [f"{k} = {toml_value(v)}" for k, v in rec.items()]
            lines.append("")
    for r in findings.iter_rows(named=True):
        lines += ["[[expect]]", f'project = "{r["project_id"]}"', f'rule = "{r["rule"]}"', f'action = "{r["action"]}"']
        if r["amount_fen"] is not None:
            sign = "-" if r["amount_fen"] < 0 else ""
            a = abs(r["amount_fen"])
            lines.append(f'amount_yuan = "{sign}{a // 100}.{a % 100:02d}"')
        if r["due_date"] is not None:
            lines.append(f"due_date = {r['due_date'].isoformat()}")
        lines.append("")
    return "\n".join(lines)


def write_new_pack(folder: Path, pack_id: str, name: str, level: str, parent_ref: str, registry: Registry,
                   as_of: dt.date) -> list[Path]:
    check_id("pack id", pack_id)
    parent = Pack.load(parent_ref, registry)
    pack_path = folder / f"{pack_id}.toml"
    case_path = folder / "cases" / pack_id / "starter.toml"
    for p in (pack_path, case_path):
        if p.exists():
            raise JixiaoError(f"{p} exists already; choose another id or folder")
    folder.mkdir(parents=True, exist_ok=True)
    pack_path.write_text(new_pack_text(pack_id, name, level, parent), encoding="utf-8")
    pack = Pack.load(pack_path, registry)
    case_path.parent.mkdir(parents=True, exist_ok=True)
    case_path.write_text(starter_case_text(pack_path, pack, as_of, registry), encoding="utf-8")
    return [pack_path, case_path]


def write_new_plugin(folder: Path, name: str, stage: str) -> Path:
    check_id("plugin name", name)
    if stage not in STAGES:
        raise JixiaoError(f"stage {stage!r}: one of {', '.join(STAGES)}")
    root = folder / f"jixiao-{name.replace('_', '-')}"
    if root.exists():
        raise JixiaoError(f"{root} exists already")
    pkg = f"jixiao_{name}"
    cls = "".join(part.title() for part in name.split("_"))
    from jixiao.core.authoring.plugin_template import files

    for rel, text in files(name=name, pkg=pkg, cls=cls, stage=stage, stage_zh=STAGE_ZH[stage]).items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root
