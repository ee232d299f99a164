"""Entry points load one at a time: a broken plugin is named and the others still load."""

from __future__ import annotations

import sys
from importlib.metadata import EntryPoint

import pytest

from jixiao.core import registry as reg_module
from jixiao.core.errors import PluginError
from jixiao.core.registry import Registry

GOOD = '''
import attrs
from jixiao import Rule, hookimpl

@attrs.frozen
class P:
    pass

class Good(Rule):
    name = "good_rule"
    Params = P

    @hookimpl
    def jixiao_apply(self, facts):
        return None
'''


@pytest.fixture
def fake_entry_points(tmp_path, monkeypatch):
    (tmp_path / "good_mod.py").write_text(GOOD)
    (tmp_path / "bad_mod.py").write_text("raise RuntimeError('cannot start')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    eps = {
        "jixiao.plugins": [EntryPoint("bad_rule", "bad_mod:Bad", "jixiao.plugins"),
                           EntryPoint("good_rule", "good_mod:Good", "jixiao.plugins"),
                           EntryPoint("misnamed", "good_mod:Good", "jixiao.plugins")],
        "jixiao.packs": [EntryPoint("no_packs", "good_mod", "jixiao.packs")],
    }
    monkeypatch.setattr(reg_module, "entry_points", lambda group: eps[group])
    yield
    for mod in ("good_mod", "bad_mod"):
        sys.modules.pop(mod, None)


def test_broken_entry_points_are_named_and_the_rest_load(fake_entry_points):
    reg = Registry.discover()
    assert "good_rule" in reg.plugins and "target_gate" in reg.plugins
    failures = {f.name: f.error for f in reg.failures}
    assert failures["bad_rule"] == "RuntimeError: cannot start"
    assert "differs from the plugin's name 'good_rule'" in failures["misnamed"]
    assert "is not a package; a jixiao.packs entry point names a package" in failures["no_packs"]


def test_strict_makes_the_first_failure_fatal(fake_entry_points):
    with pytest.raises(PluginError, match="'bad_rule' could not be loaded: RuntimeError: cannot start"):
        Registry.discover(strict=True)


def test_unknown_plugin_lookup_suggests(registry):
    with pytest.raises(PluginError, match="did you mean 'evaluation_score'"):
        registry.plugin("evaluation_scor")


def test_a_folder_of_packs_from_the_environment(monkeypatch, tmp_path, cli):
    (tmp_path / "henan.toml").write_text('[pack]\nid = "henan"\nname = "河南省"\nlevel = "province"\nextends = "national"\n',
                                         encoding="utf-8")
    (tmp_path / "pds.toml").write_text('[pack]\nid = "pds"\nname = "平顶山市"\nlevel = "city"\nextends = "henan"\n',
                                       encoding="utf-8")
    monkeypatch.setenv("JIXIAO_PACKS", str(tmp_path))
    reg = Registry.discover(use_entry_points=False)
    assert reg.packs["pds"].origin == f"JIXIAO_PACKS folder {tmp_path}"
    tree = cli("packs", "tree").output
    assert tree.index("national") < tree.index("henan") < tree.index("pds")


def test_trace_prints_every_hook_call(monkeypatch, tmp_path):
    from click.testing import CliRunner

    from jixiao.cli.main import main
    from jixiao.core.sample import generate
    from jixiao.core.outputs.portfolio_files import write_portfolio

    folio = write_portfolio(generate(12, 1), tmp_path / "p.xlsx")
    res = CliRunner().invoke(main, ["--trace", "run", "--pack", "national", "--as-of", "2025-03-31", "--format", "csv",
                                    str(folio)])
    assert res.exit_code == 0
    lines = [x for x in res.stderr.splitlines() if x.startswith("[jixiao trace]")]
    assert lines[0] == "[jixiao trace] national jixiao_assess batch=12 rules=[ex_ante]"
    assert [x.split()[3] for x in lines if "done in" in x] == ["jixiao_assess", "jixiao_target", "jixiao_monitor",
                                                               "jixiao_evaluate", "jixiao_apply"]
    monkeypatch.setenv("JIXIAO_TRACE", "1")
    res = CliRunner().invoke(main, ["run", "--pack", "national", "--as-of", "2025-03-31", "--format", "csv", str(folio)])
    assert "[jixiao trace] national jixiao_apply" in res.stderr


def test_a_colliding_pack_in_a_folder_does_not_drop_the_others(tmp_path, monkeypatch):
    # reliability review #17: a national.toml in the folder made a_first the only pack loaded.
    for name in ("a_first", "national", "z_last"):
        (tmp_path / f"{name}.toml").write_text(f'[pack]\nid = "{name}"\nname = "x"\nlevel = "city"\n', encoding="utf-8")
    monkeypatch.setenv("JIXIAO_PACKS", str(tmp_path))
    reg = Registry.discover(use_entry_points=False)
    assert reg.packs["a_first"].path == tmp_path / "a_first.toml" and reg.packs["z_last"].path == tmp_path / "z_last.toml"
    assert reg.packs["national"].origin == "builtin"
    [failure] = reg.failures
    assert failure.name == str(tmp_path / "national.toml") and "provided twice" in failure.render()
