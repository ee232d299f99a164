"""Terminal output shows data and pack text as written: no markup from it is applied, no control
code from it reaches the terminal, and ``[/]`` in a name crashes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests_helpers import texts_portfolio

AS_OF = "2025-03-31"
MARKUP = ["[/]教育局", "[bold red]红字[/]", "[link=http://127.0.0.1:8765/]点我[/link]", "清屏\x1b[2J\x1b[31m", "[/bold]"]


def marked_portfolio(folder: Path) -> Path:
    return texts_portfolio(folder, MARKUP)


@pytest.fixture(scope="module")
def marked(tmp_path_factory):
    return marked_portfolio(tmp_path_factory.mktemp("marked") / "folio")


@pytest.fixture(scope="module")
def marked_pack(tmp_path_factory):
    folder = tmp_path_factory.mktemp("packs")
    pack = folder / "marked.toml"
    pack.write_text("""
[pack]
id = "marked"
name = "[/]某市[bold]规则[/bold] \\u001b[2J"
level = "city"
extends = "national"
description = "[link=http://127.0.0.1:8765/]说明[/link]"

[sources.doc]
doc_no = "某财〔2025〕1号[/]"
title = "[/bold]办法"

[rules.budget_link]
citation = { source = "doc", clause = "第八条[/]" }
""".lstrip(), encoding="utf-8")
    return pack


def _clean(res) -> str:
    assert res.exit_code in (0, 1), res.output
    assert "Traceback" not in res.output and "MarkupError" not in res.output
    assert "\x1b" not in res.output  # no escape sequence from the data reaches the terminal
    return res.output


def _shown(out: str) -> list[str]:
    return [m for m in MARKUP if m.replace("\x1b", "\\x1b") in out]


def test_data_markup_is_shown_as_written(cli, marked):
    # Two packs that disagree on many of the marked projects, so their names are in the table.
    out = _clean(cli("compare", "--packs", "nanchang,tongxin", "--as-of", AS_OF, marked))
    assert len(_shown(out)) >= 3
    out = _clean(cli("diff", "--old", "national", "--new", "nanchang", "--as-of", AS_OF, marked))
    assert _shown(out)
    _clean(cli("run", "--pack", "nanchang", "--as-of", AS_OF, marked))


def test_explain_shows_markup_and_escapes_of_a_name(cli, marked):
    lines = (marked / "projects.csv").read_text(encoding="utf-8").splitlines()[1:]
    for line in lines[:len(MARKUP)]:
        pid = line.split(",")[0]
        out = _clean(cli("explain", "--pack", "national", "--project", pid, "--as-of", AS_OF, marked))
        name = line.split(",")[1]
        assert name.replace("\x1b", "\\x1b") in out


def test_pack_markup_is_shown_as_written(cli, marked, marked_pack, monkeypatch):
    out = _clean(cli("packs", "show", marked_pack))
    assert "[/]某市[bold]规则[/bold] \\x1b[2J" in out and "第八条[/]" in out and "[link=http://127.0.0.1:8765/]说明[/link]" in out
    _clean(cli("packs", "show", marked_pack, "--resolved"))
    out = _clean(cli("run", "--pack", marked_pack, "--as-of", AS_OF, marked))
    assert "[/]某市" in out
    monkeypatch.setenv("JIXIAO_PACKS", str(marked_pack.parent))
    for args in (["packs", "list"], ["packs", "tree"]):
        out = _clean(cli(*args))
        assert "[/]某市" in out and "national" in out


def test_an_error_naming_a_value_shows_its_control_characters_escaped(cli, tmp_path):
    from tests_helpers import ok_row

    from tests_helpers import HEADER

    path = tmp_path / "p.csv"
    path.write_text(HEADER + ok_row("P1", budget="12\x1b[2J") + "\n", encoding="utf-8")
    res = cli("run", "--pack", "national", "--as-of", AS_OF, path)
    assert res.exit_code == 2 and "\x1b" not in res.output and "\\x1b[2J" in res.output


def test_bidirectional_controls_in_a_name_are_shown_escaped(cli, tmp_path):
    # U+202E (right-to-left override) in a project name would make the terminal draw the rest of
    # the line — the amounts beside the name — reversed ("10000" read as "00001"): shown as escapes.
    texts = ["教育局\u202e0001", "卫健委\u2066隔离\u2069", "水务局\u200f"]
    folio = texts_portfolio(tmp_path / "folio", texts)
    lines = (folio / "projects.csv").read_text(encoding="utf-8").splitlines()[1:]
    pid = lines[0].split(",")[0]
    out = _clean(cli("explain", "--pack", "national", "--project", pid, "--as-of", AS_OF, folio))
    assert "教育局\\u202e0001" in out, out
    out += _clean(cli("compare", "--packs", "nanchang,tongxin", "--as-of", AS_OF, folio))
    out += _clean(cli("run", "--pack", "nanchang", "--as-of", AS_OF, folio))
    for ch in "\u202e\u2066\u2069\u200f":
        assert ch not in out, repr(ch)
