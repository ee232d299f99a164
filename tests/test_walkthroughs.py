"""docs/authoring-packs.md's walkthrough, run exactly as written (the plugin one runs in
test_install.py, which has a fresh virtual environment to pip-install into)."""

from __future__ import annotations

import sys
from pathlib import Path

from walkthrough import block, commands, run


def test_new_city_pack_walkthrough(tmp_path):
    script = block("authoring-packs.md", "packs")
    assert commands(script) < 10
    res = run(script, tmp_path, Path(sys.executable).parent)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "2 个通过，0 个未通过" in res.stdout  # the starter case and the new one
    assert (tmp_path / "my_city.toml").exists()
    assert "cut_ratios" in res.stdout and "假定" in res.stdout  # packs show --resolved


def test_new_pack_passes_check_as_written(cli, tmp_path):
    res = cli("new", "pack", "town", "--extends", "tongxin", "--name", "某镇", "--level", "district", "--dir", tmp_path)
    assert res.exit_code == 0, res.output
    assert cli("packs", "check", tmp_path / "town.toml").exit_code == 0
    assert cli("packs", "test", tmp_path / "town.toml").exit_code == 0
    text = (tmp_path / "town.toml").read_text(encoding="utf-8")
    assert "# [rules.checkpoints]" in text and "同心县预算绩效管理工作开展情况说明 二（三）" in text
    again = cli("new", "pack", "town", "--extends", "tongxin", "--name", "某镇", "--dir", tmp_path)
    assert again.exit_code == 2 and "exists already" in again.output


def test_lint_points_out_what_a_reviewer_would(cli, tmp_path, write):
    cli("new", "pack", "city", "--extends", "nanchang", "--name", "某市", "--dir", tmp_path)
    with open(tmp_path / "city.toml", "a", encoding="utf-8") as fh:
        fh.write('\n[rules.budget_link]\ncitation = { source = "hf2019_13", clause = "（十）" }\n'
                 '[rules.budget_link.params]\nnotice_grades = ["一般", "差"]\ncut_ratios = { "差" = "0.2" }\n'
                 '[rules.budget_link.assumed]\ncut_ratios = " "\n')
    res = cli("packs", "lint", tmp_path / "city.toml")
    assert res.exit_code == 1
    assert "键 rules.budget_link.params.notice_grades：设置的取值与 nanchang 相同，依据也相同" in res.output
    assert "键 rules.budget_link.assumed.cut_ratios：假定的取值须写明理由" in res.output
    # Rules inherited unchanged are covered by nanchang's own cases (usability review #16).
    assert "rules.spot_check" not in res.output and "rules.idle_funds" not in res.output
    assert cli("packs", "check", "--strict", tmp_path / "city.toml").exit_code == 2


def test_packs_tree_and_resolved_show(cli):
    tree = cli("packs", "tree").output
    assert tree.index("national") < tree.index("nanchang")
    res = cli("packs", "show", "tongxin", "--resolved").output
    assert "national" in res and "tongxin" in res and "有依据" in res
