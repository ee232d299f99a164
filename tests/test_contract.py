"""The hook contract checks itself at registration (architecture review §2.3): a misspelled hook, a
hook without @hookimpl and a Params that is not an attrs class are refused, naming the plugin."""

from __future__ import annotations

import ast
from pathlib import Path

import attrs
import pytest

from jixiao.core.errors import PluginError
from jixiao.core.hookspecs import hookimpl
from jixiao.core.registry import Registry
from jixiao.core.rule import Citation, Rule


@attrs.frozen
class P:
    pass


def _plugin(name, **members):
    return type(name.title(), (Rule,), {"name": name, "Params": P, **members})


def _register(plugin):
    Registry.discover(use_entry_points=False).add_plugin(plugin, "tests")


def test_a_misspelled_hook_is_refused_with_the_closest_name():
    typo = _plugin("typo", jixiao_evalute=hookimpl(lambda self, facts: None))
    with pytest.raises(PluginError) as info:
        _register(typo)
    assert "plugin 'typo': jixiao_evalute is not a jixiao hook; did you mean 'jixiao_evaluate'?" in str(info.value)


def test_a_hook_without_hookimpl_is_refused():
    unmarked = _plugin("unmarked", jixiao_apply=lambda self, facts: None,
                       jixiao_evaluate=hookimpl(lambda self, facts: None))
    with pytest.raises(PluginError, match="plugin 'unmarked': jixiao_apply is not marked @hookimpl"):
        _register(unmarked)


def test_params_must_be_an_attrs_class():
    class NotAttrs:
        pass

    bad = _plugin("bad_params", Params=NotAttrs, jixiao_apply=hookimpl(lambda self, facts: None))
    with pytest.raises(PluginError, match="plugin 'bad_params': Params must be an attrs class"):
        _register(bad)


def test_hooks_are_the_marked_methods_and_every_builtin_passes():
    ok = _plugin("ok", jixiao_apply=hookimpl(lambda self, facts: None))
    _register(ok)
    assert ok.hooks() == ("jixiao_apply",)
    registry = Registry.discover(use_entry_points=False)
    assert len(registry.plugins) >= 18 and all(info.cls.hooks() for info in registry.plugins.values())
    assert Rule.whole_portfolio is False


def test_the_toolkit_is_all_a_builtin_plugin_imports_from_jixiao():
    import ast
    from pathlib import Path

    import jixiao.rules

    assert sorted(jixiao.rules.__all__) == sorted(set(jixiao.rules.__all__))
    assert all(hasattr(jixiao.rules, name) for name in jixiao.rules.__all__)
    plugins = Path(__file__).resolve().parents[1] / "plugins"
    for path in plugins.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("jixiao"):
                assert node.module in ("jixiao.rules", "jixiao") or (
                    path.name == "__init__.py" or node.module.startswith("jixiao.plugins.")), (path.name, node.module)
                if node.module == "jixiao.rules":
                    assert {a.name for a in node.names} <= set(jixiao.rules.__all__), path.name


def test_an_editable_install_exposes_only_the_package():
    # Architecture review §1.5: with the repository root as the package, jixiao.tests, jixiao.docs
    # and the build folder were importable in development; now only the mapped folders are.
    import importlib.util

    for name in ("jixiao.tests", "jixiao.docs", "jixiao.build", "jixiao.benchmarks", "jixiao.examples"):
        assert importlib.util.find_spec(name) is None, name
    for name in ("jixiao.core", "jixiao.plugins", "jixiao.policy_packs", "jixiao.cli", "jixiao.rules"):
        assert importlib.util.find_spec(name) is not None, name


def test_the_wheel_lists_every_subpackage_of_the_mapped_folders():
    # pyproject lists packages by name: a subpackage left out (core/load/, …) installs in an editable
    # checkout but is missing from the wheel.
    import tomllib

    root = Path(__file__).resolve().parents[1]
    setup = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    found = set()
    for name, folder in setup["package-dir"].items():
        for init in (root / folder).rglob("__init__.py"):
            rel = init.parent.relative_to(root / folder).parts
            if not any(part.startswith(".") or part in ("__pycache__", "templates") for part in rel):
                found.add(".".join((name, *rel)))
    assert found <= set(setup["packages"]), sorted(found - set(setup["packages"]))
    assert "jixiao.core.load" in found


def test_shared_work_is_keyed_by_the_host_from_class_what_params_and_dates():
    import datetime as dt

    from jixiao.core.sample import generate

    @attrs.frozen
    class W:
        weight: int = 1
        label: str = "a"

    class Sharer(Rule):
        name = "sharer"
        Params = W

        @hookimpl
        def jixiao_apply(self, facts):
            return None

    class Other(Sharer):
        name = "other"

    calls = []
    portfolio = generate(5, seed=1).shared()
    day = dt.date(2025, 3, 31)

    def value(rule, on=day):
        return rule.shared(portfolio, "total", lambda: calls.append(rule.params) or len(calls),
                           params=("weight",), on=(on,))

    def rule(cls, **kw):
        return cls("r", W(**kw), Citation("doc", "第一条"))

    first = value(rule(Sharer))
    assert value(rule(Sharer, label="b")) == first  # a parameter it does not depend on: shared
    assert value(rule(Sharer, weight=2)) != first  # one it does: computed again
    assert value(rule(Sharer), on=dt.date(2025, 4, 1)) != first  # another date
    assert value(rule(Other)) != first  # another plugin never collides
    assert len(calls) == 4


def test_a_finding_cites_the_clause_the_pack_gives_for_its_parameter(registry):
    # Nanchang: the budget link's rule cites （十）, its priority grades （十七）（“绩效好的政策和项目原则上
    # 优先保障”）: a priority finding cites （十七）, a cut （十）.
    import datetime as dt

    import polars as pl

    from jixiao.core.engine import run
    from jixiao.core.pack import Pack
    from jixiao.core.load import portfolio_from_records

    base = {"department": "市教育局", "fiscal_year": 2024, "fund_type": "一般公共预算", "category": "专项资金",
            "budget": "1000000", "target_status": "已批复"}
    projects = [{**base, "project_id": "TOP", "name": "优"}, {**base, "project_id": "POOR", "name": "差"}]
    evaluations = [{"project_id": pid, "year": 2024, "kind": "财政重点评价", "date": "2025-03-01", "score": score}
                   for pid, score in (("TOP", 95), ("POOR", 50))]
    folio = portfolio_from_records({"projects": projects, "evaluations": evaluations}, "t.json")
    f = run(Pack.load("nanchang", registry), folio, dt.date(2025, 3, 31)).findings.filter(pl.col("rule") == "budget_link")
    cited = {(r["action"], r["clause"]) for r in f.iter_rows(named=True)}
    assert ("prioritize", "（十七）") in cited and ("cut_budget", "（十）") in cited and ("public_notice", "（十）") in cited


def _core_modules() -> dict[str, Path]:
    """Every module of core/, subpackages included, by its dotted name under ``jixiao.core``
    (``engine``, ``load.model``; a package's ``__init__`` is the package: ``load``)."""
    core = Path(__file__).resolve().parents[1] / "core"
    found = {}
    for path in sorted(core.rglob("*.py")):
        parts = path.relative_to(core).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        if parts:
            found[".".join(parts)] = path
    return found


def _core_imports() -> dict[str, set[str]]:
    """core module → the modules it imports (at the top or inside functions; not the imports
    under ``if TYPE_CHECKING:``, which never run)."""
    edges = {}
    for name, path in _core_modules().items():
        found = set()
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING":
                node.body = []
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                found.add(node.module)
                found |= {f"{node.module}.{a.name}" for a in node.names}
            elif isinstance(node, ast.Import):
                found |= {a.name for a in node.names}
        edges[name] = found
    return edges


def test_core_never_imports_a_plugin_but_the_builtin_list():
    for module, imported in _core_imports().items():
        plugins = {m for m in imported if m.startswith("jixiao.plugins")}
        allowed = {"jixiao.plugins", "jixiao.plugins.DEFAULT_PLUGINS"} if module == "registry" else set()
        assert plugins <= allowed, (module, plugins)


def _core_edges() -> dict[str, set[str]]:
    """core module → the core modules it imports by name: ``from jixiao.core.load.model import
    Portfolio`` is an edge to ``load.model``, ``from jixiao.core.load import Portfolio`` one to the
    package ``load`` (its ``__init__``), ``from jixiao.core import money`` one to ``money``. A
    package's ``__init__`` running before its submodules is no edge: only what a module names."""
    modules = _core_modules()
    edges = {}
    for m, imported in _core_imports().items():
        targets = set()
        for i in imported:
            if not i.startswith("jixiao.core."):
                continue
            parts = i.split(".")[2:]
            while parts and ".".join(parts) not in modules:
                parts = parts[:-1]
            if parts and ".".join(parts) != m:
                targets.add(".".join(parts))
        edges[m] = targets
    return edges


def test_core_has_no_import_cycle():
    edges = _core_edges()
    assert {"engine", "load", "load.model"} <= set(edges)  # the walk sees the subpackages
    seen, stack = set(), []

    def visit(m):
        if m in stack:
            raise AssertionError("import cycle: " + " → ".join(stack[stack.index(m):] + [m]))
        if m in seen:
            return
        stack.append(m)
        for t in sorted(edges[m]):
            visit(t)
        stack.pop()
        seen.add(m)

    for m in sorted(edges):
        visit(m)


# The layers of core/ (docs/architecture.md, "Layout"), bottom up: each imports only from its own
# layer and those below it.
# What every layer (and the toolkit) shares; decisions, project_rows and sampling are the toolkit's helpers.
VOCABULARY = {"schema", "money", "dates", "per_project", "indicators", "decisions", "project_rows", "sampling"}
TOOLS = {"authoring", "sample", "forms", "yth"}  # authoring tools and data tools (sample portfolios, forms, 一体化)
LAYERS = ("vocabulary", "load", "kernel", "outputs", "tools")


def _layer(module: str) -> str:
    top = module.split(".")[0]
    if top in TOOLS:
        return "tools"
    if top in ("load", "outputs"):
        return top
    return "vocabulary" if module in VOCABULARY else "kernel"


def test_core_layers_import_only_downwards():
    # The contract and host stand apart: loading needs nothing of the host but its errors, the
    # kernel nothing of outputs or tools, outputs nothing of the tools.
    edges = _core_edges()
    assert {"load.convert", "outputs.report", "authoring.scaffold", "pack.file"} <= set(edges)
    allowed_up = {("load", "errors")}  # InputError and Problem: the one host module loading reports through
    wrong = [f"{m} ({_layer(m)}) → {t} ({_layer(t)})" for m, targets in edges.items() for t in targets
             if LAYERS.index(_layer(t)) > LAYERS.index(_layer(m)) and (_layer(m), t) not in allowed_up]
    assert not wrong, wrong


# A module over the limit whose split is pending, with the length it may not grow beyond (empty: none).
LONG_UNTIL_SPLIT: dict[str, int] = {}


def test_no_core_module_is_over_400_lines():
    # Issue 14: a module a newcomer can read whole. (cli/ joins this test once cli/main.py is split.)
    long = {m: n for m, path in _core_modules().items()
            if (n := len(path.read_text(encoding="utf-8").splitlines())) > max(400, LONG_UNTIL_SPLIT.get(m, 0))}
    assert not long, long


def test_tests_import_helpers_not_conftest():
    # Architecture review §5: one concern in one importable module; conftest holds fixtures only.
    import ast
    from pathlib import Path

    for path in Path(__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                assert node.module != "conftest", path.name
            elif isinstance(node, ast.Import):
                assert all(a.name != "conftest" for a in node.names), path.name
