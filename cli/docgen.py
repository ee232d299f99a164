"""Generate docs/hooks.md (from the hook specs) and docs/cli.md (from ``--help``).

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
        lines += [f"## `{name}`", "", "```python", f"@hookimpl", f"def {name}(self, {sig[1:]}: ...", "```", "",
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
    """Every built-in pack: its sources, rules, values (sourced / assumed / default) and clauses."""
    from jixiao.core.pack import Pack, origin_text, periods_text, provenance, value_text
    from jixiao.core.registry import Registry

    registry = Registry.discover(use_entry_points=False)
    lines = ["# The built-in policy packs", "",
             "Generated from `policy_packs/*.toml` by `python -m jixiao.cli.docgen docs/`; do not edit by hand.",
             "`jixiao packs show ID` shows the same in the terminal. **sourced**: the document states the value;",
             "**assumed**: the document states the rule but not the number, so the pack sets one and says why;",
             "**default**: the plugin's default, which the pack does not set.", ""]
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
            where = pack.source_label(rule.citation.source) + " " + rule.citation.clause
            state = "" if rule.enabled else " (switched off)"
            lines += [f"### `{rule.id}` — {rule.plugin}{state}", "", f"{rule.cls.summary}. Cites {where}; "
                      f"defined in `{rule.defined_in}`" + (f", changed in `{'`, `'.join(rule.changed_in)}`" if rule.changed_in else "") + "."
                      + (f" In force: {periods_text(pack, rule)}." if rule.variants else ""), "",
                      "| parameter | value | status | citation or reason | from |", "|---|---|---|---|---|"]
            for name, v in rule.values.items():
                status, why = provenance(pack, v)
                status = "**assumed**" if status == "assumed" else status
                value = value_text(v.value).replace("|", "\\|")
                lines.append(f"| {name} | `{value}` | {status} | {why} | {origin_text(v)} |")
            lines.append("")
        if m.not_modelled:
            lines += ["Not modelled:", ""]
            lines += [f"- {pack.source_label(g.source)} {g.clause}: {g.reason}" for g in m.not_modelled]
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


GENERATED = {"hooks.md": hooks_md, "cli.md": cli_md, "packs.md": packs_md}


def main(argv: list[str]) -> None:
    target = Path(argv[0] if argv else "docs")
    for name, make in GENERATED.items():
        (target / name).write_text(make(), encoding="utf-8")
        print(f"wrote {target / name}")


if __name__ == "__main__":
    main(sys.argv[1:])
