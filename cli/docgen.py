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


GENERATED = {"hooks.md": hooks_md, "cli.md": cli_md}


def main(argv: list[str]) -> None:
    target = Path(argv[0] if argv else "docs")
    for name, make in GENERATED.items():
        (target / name).write_text(make(), encoding="utf-8")
        print(f"wrote {target / name}")


if __name__ == "__main__":
    main(sys.argv[1:])
