"""Tests that keep the docs true: generated references, formats, the README's commands, examples."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

from jixiao.cli.docgen import GENERATED
from jixiao.core import hookspecs
from jixiao.core.actions import ACTIONS
from jixiao.core.schema import TABLES

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


def test_generated_references_are_up_to_date():
    for name, make in GENERATED.items():
        assert (DOCS / name).read_text(encoding="utf-8") == make(), (
            f"docs/{name} is out of date: run python -m jixiao.cli.docgen docs/")


def test_every_hook_is_documented_with_its_signature():
    # The arguments come from pluggy's own reading of the specs (as datasette checks its hooks), so a
    # new argument or a changed return type cannot slip past the reference.
    import pluggy

    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    text = (DOCS / "hooks.md").read_text(encoding="utf-8")
    for name in hookspecs.ALL_HOOKS:
        assert f"## `{name}`" in text, name
        line = re.search(rf"^def {name}\(self, (.*)\) -> (.*): \.\.\.$", text, re.M)
        assert line, name
        documented = [arg.split(":")[0].strip() for arg in line.group(1).split(", ")]
        assert documented == list(getattr(pm.hook, name).spec.argnames), name
        assert line.group(2) == "RuleOutput | None", name


def test_every_hook_has_a_test_of_its_own():
    names = set()
    for path in (ROOT / "tests").glob("test_*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names |= {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}
    missing = [h for h in hookspecs.ALL_HOOKS if f"test_hook_{h}" not in names]
    assert not missing, f"hooks without a test named test_hook_<hook>: {missing}"


def test_formats_documents_every_column_and_action():
    text = (DOCS / "formats.md").read_text(encoding="utf-8")
    rows = [line for line in text.splitlines() if line.startswith("| ")]
    for table in TABLES.values():
        assert f"### {table.name} ({table.zh})" in text
        for col in table.columns:
            assert any(line.startswith(f"| {col.name} | {col.zh} |") for line in rows), (table.name, col.name)
    for code, action in ACTIONS.items():
        assert f"| {code} | {action.zh} | {action.en} |" in text


def test_formats_json_example_matches_a_real_run(cli):
    text = (DOCS / "formats.md").read_text(encoding="utf-8")
    example = json.loads(re.search(r"```json\n(.*?)```", text, re.S).group(1))
    res = cli("run", "--pack", "national", "--as-of", example["as_of"], "--format", "json", ROOT / "examples" / "sample")
    real = json.loads(res.output)
    assert real["summary"] == example["summary"] and real["pack"] == example["pack"]
    assert example["findings"][0] in real["findings"]


def test_readme_gives_exactly_the_two_commands_ci_runs():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"## Two commands.*?```bash\n(.*?)```", readme, re.S).group(1).strip().splitlines()
    assert len(block) == 2
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert block[0] in ci
    assert re.search(r"^" + re.escape(block[1]) + r"\b", ci, re.M)


def test_bundled_example_is_what_the_generator_makes():
    from jixiao.core.load import load_portfolio
    from jixiao.core.sample import generate

    bundled = load_portfolio(ROOT / "examples" / "sample")
    fresh = generate(30, seed=2021, fiscal_year=2024)
    for name in TABLES:
        assert bundled.table(name).drop("_row").equals(fresh.table(name).drop("_row")), name
    assert load_portfolio(ROOT / "examples" / "sample.json").projects.drop("_row").equals(fresh.projects.drop("_row"))


def test_the_plugin_tutorial_shows_the_rule_the_template_generates():
    from jixiao.core.authoring.plugin_template import files

    text = (DOCS / "authoring-plugins.md").read_text(encoding="utf-8")
    shown = re.search(r"The rule as generated.*?```python\n(.*?)```", text, re.S).group(1)
    generated = files("late_payment", "jixiao_late_payment", "LatePayment", "monitor", "绩效运行监控")
    assert shown == generated["jixiao_late_payment/__init__.py"]
