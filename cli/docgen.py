"""Generate docs/hooks.md (from the hook specs), docs/cli.md (from ``--help``) and docs/packs.md.

Run ``python -m jixiao.cli.docgen docs/`` after changing a hook or a command; tests/test_docs.py
fails while the files in docs/ differ from what this prints.
"""

from __future__ import annotations

import inspect
import sys
from pathlib import Path

import click

from jixiao.core import hookspecs


def hooks_md() -> str:
    lines = ["# Hook reference", "",
             "Generated from `core/hookspecs.py` by `python -m jixiao.cli.docgen docs/`; do not edit by hand.", "",
             inspect.getdoc(hookspecs), ""]
    for name in hookspecs.ALL_HOOKS:
        func = getattr(hookspecs, name)
        sig = str(inspect.signature(func)).replace("'", "")
        lines += [f"## `{name}`", "", "```python", "@hookimpl", f"def {name}(self, {sig[1:]}: ...", "```", "",
                  inspect.getdoc(func), ""]
    return "\n".join(lines).rstrip() + "\n"


def _walk(cmd: click.Command, path: list[str], parent: click.Context | None = None):
    """Every command with the context click would give it (settings such as ``-h`` inherited)."""
    ctx = click.Context(cmd, info_name=path[-1] if path else "jixiao", parent=parent, terminal_width=100,
                        **cmd.context_settings)
    yield path, cmd, ctx
    if isinstance(cmd, click.Group):
        for sub in sorted(cmd.commands):
            yield from _walk(cmd.commands[sub], [*path, sub], ctx)


def cli_md() -> str:
    from jixiao.cli.main import main

    lines = ["# Command reference", "",
             "Generated from `--help` by `python -m jixiao.cli.docgen docs/`; do not edit by hand.", ""]
    for path, cmd, ctx in _walk(main, []):
        lines += [f"## `{' '.join(['jixiao', *path])}`", "", "```text", cmd.get_help(ctx), "```", ""]
    return "\n".join(lines).rstrip() + "\n"


def packs_md() -> str:
    """Every built-in pack: its sources, rules, values (sourced / assumed / default) and clauses, then
    clause by clause what it does with each clause of its own sources and what it leaves out."""
    from jixiao.core.clauses import SCOPE_ZH, clause_label, coverage, inventory
    from jixiao.core.authoring.lint import own_sources
    from jixiao.core.pack import Pack, origin_text, periods_text, provenance, value_text
    from jixiao.core.registry import Registry

    registry = Registry.discover(use_entry_points=False)
    lines = ["# The built-in policy packs", "",
             "Generated from `policy_packs/*.toml` by `python -m jixiao.cli.docgen docs/`; do not edit by hand.",
             "`jixiao packs show ID` shows the same in the terminal. **sourced**: the document states the value;",
             "**assumed**: the document states the rule but not the number, so the pack sets one and says why;",
             "**default**: the plugin's default, which the pack does not set.", "",
             "Each pack ends with its documents clause by clause, from their clause inventories",
             "(`policy_packs/sources/`): the clause, the start of its text, and what the pack does with it —",
             "**cited by** a rule (or by one parameter of a rule), **not modelled** with the reason, or **out of",
             "scope** (a provision for a department, a government or an individual, not for a project). A citation",
             "marked **（未核实）** names a clause whose number has not been checked against the document itself:",
             "the two national documents are not among the texts jixiao was built from.", ""]
    for pid in sorted(registry.packs, key=lambda x: (x != "national", x)):
        pack = Pack.load(pid, registry)
        m = pack.meta
        lines += [f"## {m.name} (`{pid}`)", "", f"Level {m.level}" + (f", extends `{m.extends}`" if m.extends else "")
                  + f". {m.description or ''}", ""]
        lines += ["| source | 文号 | title | issuer | date | in force |", "|---|---|---|---|---|---|"]
        for key, src in pack.sources.items():
            lines.append(f"| {key} | {src.doc_no or '—'} | {src.title} | {src.issuer or '—'} | {src.date or '—'} | "
                         f"{src.in_force.text() if src.in_force else '—'} |")
        lines.append("")
        for rule in pack.rules:
            where = pack.source_label(rule.citation.source) + " " + clause_label(pack, rule.citation)
            state = "" if rule.enabled else " (switched off)"
            lines += [f"### `{rule.id}` — {rule.plugin}{state}", "", f"{rule.cls.summary}. Cites {where}; "
                      f"defined in `{rule.defined_in}`" + (f", changed in `{'`, `'.join(rule.changed_in)}`" if rule.changed_in else "") + "."
                      + (f" In force: {periods_text(pack, rule)}." if rule.variants else ""), ""]
            if rule.note:
                lines += [f"Note: {rule.note}", ""]
            lines += ["| parameter | value | status | citation or reason | from |", "|---|---|---|---|---|"]
            for name, v in rule.values.items():
                status, why = provenance(pack, v)
                status = "**assumed**" if status == "assumed" else status
                value = value_text(v.value).replace("|", "\\|")
                lines.append(f"| {name} | `{value}` | {status} | {why} | {origin_text(v)} |")
            lines.append("")
        loose = [g for g in m.not_modelled if inventory(pack, g.source) is None]
        if loose:
            lines += ["Not modelled:", ""]
            lines += [f"- {pack.source_label(g.source)} {g.clause}: {g.reason}" for g in loose]
            lines.append("")
        lines += _clauses_md(pack, own_sources(pack), coverage, inventory, SCOPE_ZH)
    return "\n".join(lines).rstrip() + "\n"


def _clauses_md(pack, own, coverage, inventory, scope_zh) -> list[str]:
    from jixiao.core.clauses import NO_TEXT, UNVERIFIED, excerpt

    lines = ["### Clause by clause", ""]
    inherited = [k for k in pack.sources if k not in own]
    if inherited:
        lines += ["Accounted for in the parent pack: " + "、".join(pack.source_label(k) for k in inherited) + ".", ""]
    for key in own:
        inv, accounts = inventory(pack, key), coverage(pack, key)
        if inv is None or accounts is None:
            lines += [f"{pack.source_label(key)}: no clause inventory.", ""]
            continue
        by_number = {a.clause.number: a for a in accounts}
        lines += [f"{pack.source_label(key)} (`policy_packs/sources/{Path(inv.path).name}`)"
                  + (f": {inv.meta.note}" if inv.meta.note else "."), "",
                  "| 条款 | 条文（摘录） | 本规则包 |", "|---|---|---|"]
        for c in inv.clauses:
            mark = "" if inv.verified(c) else UNVERIFIED
            if c.heading:
                lines.append(f"| **{c.number}**{mark} | **{c.title or ''}** | |")
                continue
            a = by_number[c.number]
            text = excerpt(c.text, 60) if c.text else f"（{NO_TEXT}）" + (f"：{c.note}" if c.note else "")
            said = []
            if a.cited_by:
                said.append("cited by " + ", ".join(f"`{r}`" for r in a.cited_by))
            said += [f"not modelled: {r}" for r in a.not_modelled]
            said += [f"out of scope ({level}, {scope_zh[level]}): {r}" for level, r in a.out_of_scope]
            title = f" {c.title}" if c.title and not c.text else ""
            text = text.replace("|", "\\|")
            lines.append(f"| {c.number}{mark}{title} | {text} | {'; '.join(said) or '**not accounted for**'} |")
        lines.append("")
    return lines


GENERATED = {"hooks.md": hooks_md, "cli.md": cli_md, "packs.md": packs_md}


def main(argv: list[str]) -> None:
    target = Path(argv[0] if argv else "docs")
    for name, make in GENERATED.items():
        (target / name).write_text(make(), encoding="utf-8")
        print(f"wrote {target / name}")


if __name__ == "__main__":
    main(sys.argv[1:])
