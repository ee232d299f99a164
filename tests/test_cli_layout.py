"""The command line's layout (issue 14, item 5): a thin CLI split by command group, every table built
in the rendering modules, choices taken from the core's own constants."""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import get_args

import click

from jixiao.cli.docgen import _walk
from jixiao.cli.main import main

ROOT = Path(__file__).resolve().parent.parent
CLI = ROOT / "cli"
MAX_LINES = 400


def _command_modules_documented() -> dict[str, str]:
    """docs/architecture.md, "The command line": its table names, for each cli module, the commands it
    holds (`jixiao run`, `jixiao packs …`); returns {top-level command: module}."""
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    section = text.split("## The command line", 1)[1].split("\n## ", 1)[0]
    found = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 2 or not re.fullmatch(r"`cli/cmd_\w+\.py`", cells[0]):
            continue
        module = "jixiao.cli." + cells[0].strip("`")[len("cli/"):-len(".py")]
        for name in re.findall(r"`jixiao (\w+)", cells[1]):
            found[name] = module
    return found


def test_no_cli_module_is_over_400_lines():
    sizes = {p.name: len(p.read_text(encoding="utf-8").splitlines()) for p in CLI.glob("*.py")}
    assert {name: n for name, n in sizes.items() if n > MAX_LINES} == {}


def test_every_command_lives_in_the_module_the_architecture_names():
    documented = _command_modules_documented()
    top = sorted(main.commands)
    assert sorted(documented) == top, "docs/architecture.md's table of cli modules lists every command, no other"
    for path, cmd, _ctx in _walk(main, []):
        if not path:
            continue
        where = cmd.callback.__module__ if cmd.callback else None
        assert where == documented[path[0]], (path, where)


def test_main_holds_only_the_root_group():
    from jixiao.cli import main as main_module

    defined = [c for c in vars(main_module).values() if isinstance(c, click.Command)
               and c.callback is not None and c.callback.__module__ == main_module.__name__]
    assert defined == [main]


def _names_used(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    names |= {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
    names |= {a.asname or a.name for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) for a in n.names}
    return names


def test_tables_are_built_only_in_the_rendering_modules():
    """No command module (nor the root group, the shared options or the plan's builder) makes a table
    or a tree or adds a row: the render modules do."""
    builders = {"new_table", "SafeTable", "Table", "Tree", "add_row", "add_column"}
    commands = sorted(CLI.glob("cmd_*.py"))
    assert len(commands) >= 6
    for path in [*commands, CLI / "main.py", CLI / "options.py", CLI / "plan.py"]:
        assert _names_used(path) & builders == set(), path.name


def _option(path: tuple[str, ...], name: str) -> click.Option:
    cmd = main
    for part in path:
        cmd = cmd.commands[part]
    return next(p for p in cmd.params if p.name == name or f"--{name}" in p.opts)


def test_stage_choices_are_the_hook_contract_stages():
    from jixiao.core.hookspecs import STAGES

    stage = _option(("new", "plugin"), "stage")
    assert tuple(stage.type.choices) == STAGES
    assert all(f"{s} " in stage.help for s in STAGES)  # the help names each one


def test_level_choices_and_names_are_the_pack_levels():
    from jixiao.cli.render import LEVEL_ZH
    from jixiao.core.pack import Level

    level = _option(("new", "pack"), "level")
    assert tuple(level.type.choices) == get_args(Level)
    assert tuple(LEVEL_ZH) == get_args(Level)
    assert level.help == "级别：" + "、".join(f"{k} {v}" for k, v in LEVEL_ZH.items()) + "。"


def test_amounts_in_choices_are_the_loaders_units():
    from jixiao.core.load import UNIT_NAMES

    chinese = tuple(u for u in UNIT_NAMES if not u.isascii())
    seen = 0
    for path, cmd, _ctx in _walk(main, []):
        for p in cmd.params:
            if p.name == "amounts_in":
                assert tuple(p.type.choices) == chinese, path
                seen += 1
    assert seen >= 5  # run, explain, compare, diff, plan coverage, convert


def test_format_choices_agree_with_the_extensions_the_command_reads_from_o():
    """--format's choices are the terminal's table plus the file formats -o's extension selects; the
    help names those extensions, so a new format cannot be added to one list and not the others."""
    for path in (("run",), ("compare",), ("diff",), ("plan", "coverage")):
        fmt = _option(path, "fmt")
        files = [c for c in fmt.type.choices if c != "table"]
        assert fmt.type.choices[0] == "table", path
        assert "（" + "、".join(f".{f}" for f in files) + "）" in fmt.help, path



def test_starting_the_cli_loads_neither_the_pack_model_nor_the_loader():
    """The choices read from core.pack and core.portfolio are read when first needed, not on start."""
    import subprocess
    import sys

    code = ("import sys, jixiao.cli.main; print(sorted(m for m in ('jixiao.core.pack', 'jixiao.core.load', "
            "'jixiao.core.engine', 'jixiao.cli.render') if m in sys.modules))")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert res.stdout.strip() == "[]"


def test_starting_the_cli_imports_no_data_library():
    """``jixiao --help``, ``--version`` and a mistyped command answer without polars, numpy or any
    library only some commands use (plotly, the spreadsheet libraries, the holiday tables, pluggy):
    each command imports what it needs."""
    import subprocess
    import sys

    heavy = ("polars", "numpy", "plotly", "openpyxl", "xlsxwriter", "fastexcel", "chinese_calendar", "pluggy", "cattrs")
    code = (f"import sys, jixiao.cli.main; print(sorted({{m.split('.')[0] for m in sys.modules}} & set({heavy!r})))")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert res.stdout.strip() == "[]"


def test_the_plugin_api_is_there_when_asked_for():
    """``from jixiao import hookimpl, Rule, RuleOutput`` (what a plugin writes) still works, the
    names imported on first use."""
    import pytest

    import jixiao
    from jixiao import Rule, RuleOutput, hookimpl
    from jixiao.core.hookspecs import hookimpl as spec_impl
    from jixiao.core.rule import Rule as rule_cls, RuleOutput as output_cls

    assert (hookimpl, Rule, RuleOutput) == (spec_impl, rule_cls, output_cls)
    assert sorted(jixiao.__all__) == ["Rule", "RuleOutput", "__version__", "hookimpl"]
    with pytest.raises(AttributeError):
        jixiao.no_such_name  # noqa: B018
