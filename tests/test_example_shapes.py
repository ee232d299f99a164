"""Every input shape docs/formats.md documents has an example file in the repository, and the
examples are what the generators make and what the commands read."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_yth_example_is_what_the_generator_makes(tmp_path):
    from jixiao.core.yth import yth_tables

    for name, frame in yth_tables(30, 2021, 2024).items():
        frame.write_csv(tmp_path / f"{name}.csv")
        assert (tmp_path / f"{name}.csv").read_bytes() == (ROOT / "examples" / "yth" / f"{name}.csv").read_bytes(), name


def test_forms_example_converts_and_runs(cli, tmp_path):
    out = tmp_path / "from_forms"
    res = cli("convert", "--form", "selfeval", ROOT / "examples" / "forms", "-o", out)
    assert res.exit_code == 0, res.output
    run = cli("run", "--pack", "national", "--as-of", "2025-03-31", out)
    assert run.exit_code == 0, run.output
    assert "评价等级 3" in run.output


def test_formats_names_each_example():
    text = (ROOT / "docs" / "formats.md").read_text(encoding="utf-8")
    for folder in ("examples/sample", "examples/yth", "examples/forms", "examples/reconcile"):
        assert folder in text, folder
        assert (ROOT / folder).exists(), folder
