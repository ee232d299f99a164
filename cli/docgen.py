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


def _walk(cmd: click.Command, path: list[str]):
    yield path, cmd
    if isinstance(cmd, click.Group):
        for sub in sorted(cmd.commands):
            yield from _walk(cmd.commands[sub], [*path, sub])


def cli_md() -> str:
    from jixiao.cli.main import main

    lines = ["# Command reference", "",
             "Generated from `--help` by `python -m jixiao.cli.docgen docs/`; do not edit by hand.", ""]
    for path, cmd in _walk(main, ["jixiao"]):
        ctx = click.Context(cmd, info_name=" ".join(path), terminal_width=100, max_content_width=100)
        lines += [f"## `{' '.join(path)}`", "", "```text", cmd.get_help(ctx), "```", ""]
    return "\n".join(lines).rstrip() + "\n"


GENERATED = {"hooks.md": hooks_md, "cli.md": cli_md}


def main(argv: list[str]) -> None:
    target = Path(argv[0] if argv else "docs")
    for name, make in GENERATED.items():
        (target / name).write_text(make(), encoding="utf-8")
        print(f"wrote {target / name}")


if __name__ == "__main__":
    main(sys.argv[1:])
