"""sample --shape forms → convert --form → run, end to end; the scores jixiao computes from the
converted indicators are the forms' own 总分."""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from pathlib import Path

import pytest

from jixiao.core.forms.sample import forms
from jixiao.core.forms.xlsx import read_workbook
from jixiao.core.load import load_portfolio
from jixiao.core.registry import Registry

SEED_PACKS = sorted(Registry.discover(use_entry_points=False).packs)


@pytest.fixture(scope="module")
def converted(tmp_path_factory):
    from click.testing import CliRunner

    from jixiao.cli.main import main

    base = tmp_path_factory.mktemp("forms")
    runner = CliRunner()
    res = runner.invoke(main, ["sample", "--shape", "forms", "--projects", "8", "--seed", "5", "-o", str(base / "forms")])
    assert res.exit_code == 0, res.output
    res = runner.invoke(main, ["convert", "--form", "selfeval", str(base / "forms"), "-o", str(base / "out")])
    assert res.exit_code == 0, res.output
    return base


def _rows(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_sample_forms_look_like_bureau_forms(converted):
    files = sorted((converted / "forms").glob("*.xlsx"))
    assert len(files) == 8 and all(f.name.startswith("自评表_") for f in files)
    text = []
    for f in files:
        (sheet,) = read_workbook(f)
        assert sheet.merged  # title, labels and the 一级/二级 columns are merged
        text += [c.text for c in sheet.cells.values()]
    joined = "\n".join(text)
    for seen in ("项目支出绩效自评表", "项目资金（万元）", "年度资金总额", "达成预期指标", "总分", "自评等级"):
        assert seen in joined
    assert any("（50分）" in t or "(50分)" in t for t in text)
    assert any(t.startswith(("＞", "＜", "＝")) for t in text)  # full-width operators
    assert any(t.startswith("≥") for t in text)


def test_converted_forms_run_and_scores_equal_the_forms(converted, cli, tmp_path):
    out = converted / "out"
    data = forms(8, 5, 2024, "selfeval")
    by_name = {p["name"]: p for p in data}
    projects = _rows(out / "projects.csv")
    assert len(projects) == 8
    for p in projects:  # 万元 in the form, 元 exactly in the portfolio
        form = by_name[p["项目名称"]]
        assert Decimal(p["预算金额(元)"]) == form["budget"] * 10_000
        assert Decimal(p["已支出金额(元)"]) == form["spent"] * 10_000
    evals = {e["项目编码"]: e for e in _rows(out / "evaluations.csv")}
    assert {k: Decimal(e["总分"]) for k, e in evals.items()} == {n: p["total"] for n, p in by_name.items()}
    res = cli("run", "--pack", "national", "--as-of", "2025-03-31", "--format", "json", out)
    assert res.exit_code == 0, res.output
    graded = {f["project_id"]: f["score"] for f in json.loads(res.stdout)["findings"] if f["action"] == "grade"}
    assert {k: Decimal(v) for k, v in graded.items()} == {n: p["total"] for n, p in by_name.items()}
    # without the forms' 总分, jixiao scores the converted indicators and execution itself: the same
    no_eval = tmp_path / "no_eval"
    no_eval.mkdir()
    for name in ("projects", "indicators"):
        (no_eval / f"{name}.csv").write_bytes((out / f"{name}.csv").read_bytes())
    res = cli("run", "--pack", "national", "--as-of", "2025-03-31", "--format", "json", no_eval)
    assert res.exit_code == 0, res.output
    computed = {f["project_id"]: f["score"] for f in json.loads(res.stdout)["findings"] if f["action"] == "grade"}
    assert {k: Decimal(v) for k, v in computed.items()} == {n: p["total"] for n, p in by_name.items()}


@pytest.mark.parametrize("pack", SEED_PACKS)
def test_converted_forms_run_under_every_pack(converted, cli, pack):
    res = cli("run", "--pack", pack, "--as-of", "2025-03-31", converted / "out")
    assert res.exit_code == 0, res.output


def test_typed_parquet(converted, cli):
    out = converted / "typed"
    res = cli("convert", "--form", "selfeval", "--format", "parquet", converted / "forms", "-o", out)
    assert res.exit_code == 0, res.output
    assert sorted(f.name for f in out.iterdir()) == ["accountability.parquet", "evaluations.parquet",
                                                     "indicators.parquet", "projects.parquet", "spending.parquet"]
    typed, text = load_portfolio(out), load_portfolio(converted / "out")
    assert typed.projects["budget_fen"].to_list() == text.projects["budget_fen"].to_list()
    assert typed.evaluations["score_c"].to_list() == text.evaluations["score_c"].to_list()


def test_target_forms_round_trip(tmp_path, cli):
    res = cli("sample", "--shape", "target-forms", "--projects", "3", "--year", "2025", "-o", tmp_path / "t.xlsx")
    assert res.exit_code == 0, res.output
    assert len(read_workbook(tmp_path / "t.xlsx")) == 3  # one project per sheet
    res = cli("convert", "--form", "target", tmp_path / "t.xlsx", "-o", tmp_path / "out")
    assert res.exit_code == 0, res.output
    projects = _rows(tmp_path / "out" / "projects.csv")
    assert [p["预算年度"] for p in projects] == ["2025"] * 3 and {p["绩效目标状态"] for p in projects} == {"待审核"}
    res = cli("run", "--pack", "national", "--as-of", "2025-11-30", tmp_path / "out")
    assert res.exit_code == 0, res.output


def test_output_and_input_rules(converted, cli, tmp_path):
    # a folder holding other files is never replaced; the input is never written over
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.txt").write_text("keep", encoding="utf-8")
    res = cli("convert", "--form", "selfeval", converted / "forms", "-o", other)
    assert res.exit_code == 2 and (other / "notes.txt").read_text(encoding="utf-8") == "keep"
    res = cli("convert", "--form", "selfeval", converted / "forms", "-o", converted / "forms")
    assert res.exit_code == 2
    assert len(list((converted / "forms").glob("*.xlsx"))) == 8
    res = cli("sample", "--shape", "forms", "--format", "parquet", "-o", tmp_path / "f")
    assert res.exit_code == 2 and "--shape tables" in res.output
    # the same seed gives the same forms
    cli("sample", "--shape", "forms", "--projects", "2", "--seed", "9", "-o", tmp_path / "a")
    cli("sample", "--shape", "forms", "--projects", "2", "--seed", "9", "-o", tmp_path / "b")
    a = [read_workbook(f)[0].cells for f in sorted((tmp_path / "a").glob("*.xlsx"))]
    b = [read_workbook(f)[0].cells for f in sorted((tmp_path / "b").glob("*.xlsx"))]
    assert a == b


def test_the_forms_package_is_in_the_wheel():
    """pyproject lists packages one by one: core/forms must be among them, or an installed jixiao's
    convert --form fails to import it."""
    import tomllib

    root = Path(__file__).resolve().parents[1]
    packages = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["packages"]
    assert "jixiao.core.forms" in packages
