"""Install as a user would: the wheel into a fresh virtual environment, with a third-party plugin
package and a broken one next to it, all found through their entry points."""

from __future__ import annotations

import os
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PLUGINS = Path(__file__).parent / "plugins"

pytestmark = pytest.mark.slow


def sh(*args, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=900, **kw)


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("install")
    built = sh(sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", tmp / "dist", ROOT)
    assert built.returncode == 0, built.stderr
    wheel = next((tmp / "dist").glob("jixiao-*.whl"))
    venv.create(tmp / "venv", with_pip=True)
    bindir = tmp / "venv" / "bin"
    # The third-party plugin is the one `jixiao new plugin` scaffolds: one copy of the example rule.
    from jixiao.core.authoring.scaffold import write_new_plugin

    plugin = write_new_plugin(tmp / "src", "execution_reminder", "monitor")
    installed = sh(bindir / "python", "-m", "pip", "install", "-q", wheel, plugin, PLUGINS / "jixiao_broken_rule")
    assert installed.returncode == 0, installed.stderr
    return {"wheel": wheel, "bin": bindir, "tmp": tmp}


def jixiao(env, *args):
    clean = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "JIXIAO_TRACE")}
    return sh(env["bin"] / "jixiao", *args, cwd=env["tmp"], env=clean)


def test_wheel_holds_packs_and_only_the_jixiao_namespace(env):
    names = zipfile.ZipFile(env["wheel"]).namelist()
    assert "jixiao/policy_packs/national.toml" in names
    assert "jixiao/policy_packs/sources/hf2019_13.toml" in names  # the clause inventories
    tops = {n.split("/")[0] for n in names}
    assert all(t == "jixiao" or t.endswith(".dist-info") for t in tops), tops


def test_packs_list_from_the_installed_wheel(env):
    res = jixiao(env, "packs", "list")
    assert res.returncode == 0, res.stderr
    assert "national" in res.stdout and "execution_reminder_example" in res.stdout


def test_entry_point_plugin_is_listed_and_the_broken_one_is_named(env):
    res = jixiao(env, "plugins", "list")
    assert res.returncode == 0, res.stderr
    assert "execution_reminder" in res.stdout and "jixiao-execution-reminder 0.1.0" in res.stdout
    assert "broken_rule" in res.stderr and "ModuleNotFoundError" in res.stderr
    strict = jixiao(env, "--strict", "plugins", "list")
    assert strict.returncode == 2 and "broken_rule" in strict.stderr and "Traceback" not in strict.stderr


def test_pack_from_a_plugin_package_runs_its_rule(env):
    sample = env["tmp"] / "p.xlsx"
    code = ("from jixiao.core.sample import generate; from jixiao.core.outputs.portfolio_files import write_portfolio; from pathlib import Path; "
            f"write_portfolio(generate(80, 4, fiscal_year=2025), Path({str(sample)!r}))")
    # Run outside the checkout: there, ./jixiao (the package's face folder) would shadow the wheel.
    made = sh(env["bin"] / "python", "-c", code, cwd=env["tmp"])
    assert made.returncode == 0, made.stderr
    res = jixiao(env, "run", "--pack", "execution_reminder_example", "--as-of", "2025-12-31", "--format", "csv", sample)
    assert res.returncode == 0, res.stderr
    assert ",execution_reminder,execution_reminder,remind," in res.stdout


def test_plugin_tutorial_runs_as_written_in_a_fresh_environment(env, tmp_path):
    """docs/authoring-plugins.md: scaffold, install next to jixiao, its tests, plugins list, a pack."""
    from walkthrough import block, run

    res = run(block("authoring-plugins.md", "plugins"), tmp_path, env["bin"])
    assert res.returncode == 0, res.stdout + res.stderr
    assert "late_payment" in res.stdout and "jixiao-late-payment 0.1.0" in res.stdout
    assert "2 passed" in res.stdout  # the generated package's own tests
    assert res.stdout.count("1 个通过，0 个未通过") == 2  # the example pack's case, then my_county's


def test_the_wheel_carries_every_template_file(env):
    from jixiao.core.authoring.plugin_template import files

    names = zipfile.ZipFile(env["wheel"]).namelist()
    shipped = {n for n in names if n.startswith("jixiao/core/authoring/templates/")}
    assert len(shipped) == len(files("x", "jixiao_x", "X", "apply", "结果应用")) == 7, sorted(shipped)
