"""Issue 14 item 1: the built-in plugins use only the toolkit — no `pix`, no numpy, no other plugin —
and the toolkit's project helpers give project ids through the projects table, so they keep working
for detail tables without a text project_id column."""

from __future__ import annotations

import ast
import datetime as dt
import re
from pathlib import Path
from types import SimpleNamespace

import polars as pl
import pytest

from jixiao.core.sample import generate
from jixiao.rules import (
    crc32_each, decision_status, fact_of, first_per_project, for_projects, in_project_order, join_on_project,
    project_columns, project_count, project_in, sum_per_project, with_facts,
)

PLUGINS = Path(__file__).resolve().parents[1] / "plugins"
RULE_FILES = sorted(p for p in PLUGINS.glob("*.py") if p.name != "__init__.py")


@pytest.mark.parametrize("path", RULE_FILES, ids=lambda p: p.name)
def test_no_builtin_plugin_names_pix_imports_numpy_or_another_plugin(path):
    text = path.read_text(encoding="utf-8")
    assert not re.search(r"\bpix\b", text), f"{path.name} names pix: use the toolkit's project helpers"
    for node in ast.walk(ast.parse(text)):
        modules = ([a.name for a in node.names] if isinstance(node, ast.Import)
                   else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
        for module in modules:
            assert module.split(".")[0] != "numpy", f"{path.name} imports numpy"
            assert not module.startswith("jixiao.plugins"), f"{path.name} imports another plugin ({module})"


def test_the_rule_files_are_all_checked():
    assert len(RULE_FILES) >= 18


@pytest.fixture(scope="module")
def portfolio():
    return generate(12, seed=5, fiscal_year=2024)


def test_project_columns_keeps_the_project_and_drops_the_text_id(portfolio):
    facts = portfolio.projects
    picked = project_columns(facts.lazy(), "budget_fen")
    assert isinstance(picked, pl.LazyFrame)
    got = picked.collect()
    assert "project_id" not in got.columns and got.width == 2
    # Findings made from it name their projects: the position gives the project id.
    assert got.select(fact_of(facts, "project_id"))["project_id"].to_list() == facts["project_id"].to_list()


def test_fact_of_reads_each_rows_project_by_position_on_a_detail_table(portfolio):
    ind = portfolio.with_ids("indicators")
    ids = ind.select(fact_of(portfolio.projects, "project_id"))["project_id"]
    assert ids.to_list() == ind["project_id"].to_list()
    years = with_facts(ind.drop("project_id"), portfolio.projects, "fiscal_year", "project_id")
    assert years["project_id"].to_list() == ind["project_id"].to_list()
    assert set(years["fiscal_year"].to_list()) == {2024}


def test_project_in_project_count_and_for_projects(portfolio):
    projects = portfolio.projects
    some = project_columns(projects, "budget_fen")[[7, 1, 4]]
    ind = portfolio.indicators
    inside = ind.filter(project_in(some))
    assert set(inside.select(fact_of(projects, "project_id"))["project_id"]) == set(projects["project_id"][[7, 1, 4]])
    assert project_count(inside) == 3 and project_count(pl.concat([inside, inside])) == 3
    assert ind.filter(~project_in(some)).height == ind.height - inside.height
    # One value per project, read at some rows' projects in those rows' order.
    paid = sum_per_project(portfolio.spending.lazy(), projects.height, paid=pl.col("amount_fen"))
    at = for_projects(paid, some)
    assert at.height == 3
    expected = [portfolio.with_ids("spending").filter(pl.col("project_id") == projects["project_id"][i])["amount_fen"].sum()
                for i in (7, 1, 4)]
    assert [v or 0 for v in at["paid"].to_list()] == expected
    assert for_projects(projects["project_id"], some).to_list() == projects["project_id"][[7, 1, 4]].to_list()
    assert in_project_order(some).select(fact_of(projects, "project_id"))["project_id"].to_list() == \
        projects["project_id"][[1, 4, 7]].to_list()


def test_first_per_project_takes_the_first_row_in_the_given_order(portfolio):
    rows = portfolio.indicators.with_row_index("_n")
    first = first_per_project(rows)
    by_id = portfolio.with_ids("indicators").with_row_index("_n").filter(pl.col("project_id").is_first_distinct())
    assert first["_n"].to_list() == by_id["_n"].to_list()
    assert project_count(first) == first.height == project_count(rows)
    last = first_per_project(rows, ["_n"], descending=True)
    assert last.height == first.height
    assert all(a < b for a, b in zip(first["_n"], last["_n"]) if a != b)
    # A frame with one row per project in order comes back as it is.
    assert first_per_project(first) is first


def test_join_on_project_keeps_the_left_order_and_one_project_id(portfolio):
    facts = portfolio.projects
    left = project_columns(facts, "project_id", "budget_fen")[[5, 2, 9]]
    right = project_columns(facts, "project_id", "fiscal_year")
    joined = join_on_project(left, right, how="left", maintain_order="left")
    assert joined["project_id"].to_list() == facts["project_id"][[5, 2, 9]].to_list()
    assert "project_id_right" not in joined.columns and "fiscal_year" in joined.columns
    assert join_on_project(right, left, how="anti").height == facts.height - 3


def test_decision_status_gives_project_ids_through_the_projects_table(portfolio):
    # A detail table without its text project_id column (issue 14 item 2): the decisions still
    # name their projects, read from the projects table by position.
    dec = portfolio.with_ids("accountability")
    assert dec.height, "the sample has decisions"
    assert "project_id" not in portfolio.accountability.columns
    without = decision_status(portfolio, dt.date(2026, 6, 30), 2)
    given = SimpleNamespace(accountability=dec, projects=portfolio.projects)
    with_ids = decision_status(given, dt.date(2026, 6, 30), 2)
    assert without.equals(with_ids)
    assert with_ids["project_id"].to_list() == dec.filter(pl.col("received_date") <= dt.date(2026, 6, 30))[
        "project_id"].to_list()
    assert set(with_ids["status"]) <= {"pending", "overdue", "late", "done"}


def test_crc32_each_is_zlib_crc32_as_a_uint32_column():
    import zlib

    texts = pl.Series("project_id", ["P1", "", "项目-3"])
    keys = pl.Series("k", crc32_each(b"7:", texts), dtype=pl.UInt32)
    assert keys.to_list() == [zlib.crc32(b"7:" + t.encode()) for t in texts]


@pytest.mark.parametrize("pack_id", ["national", "nanchang", "qingdao", "shilong", "tianyuan", "tongxin"])
def test_every_pack_decides_the_same_when_detail_tables_drop_the_text_project_id(pack_id):
    # Issue 14 item 2: the loaded detail tables carry no project_id; the built-in rules read
    # project ids only through the toolkit (facts or the projects table, by position), so every
    # pack decides the same as over tables that carry the ids too (``with_ids``).
    import attrs

    from jixiao.core.engine import run
    from jixiao.core.pack import Pack
    from jixiao.core.registry import Registry

    pf = generate(120, seed=4, fiscal_year=2024)
    with_text_ids = attrs.evolve(pf, **{t: pf.with_ids(t)
                               for t in ("indicators", "spending", "evaluations", "accountability")})
    pack = Pack.load(pack_id, Registry.discover(use_entry_points=False))
    for as_of in (dt.date(2025, 3, 31), dt.date(2025, 12, 31)):
        expected = run(pack, with_text_ids, as_of).findings
        assert expected.height
        assert run(pack, pf, as_of).findings.equals(expected), as_of


def test_first_per_project_breaks_ties_by_the_frames_order():
    # polars' multi-column sort is not stable: a tie (two finance evaluations of one project on one
    # day) was settled differently with one thread and with two. first_per_project keeps the
    # frame's order among ties, on any machine.
    import numpy as np

    rng = np.random.default_rng(0)
    n = 60_000
    rows = pl.DataFrame({"pix": np.sort(rng.integers(0, 15_000, n)).astype(np.uint32),
                         "k": rng.integers(0, 3, n), "date": rng.integers(0, 3, n), "i": np.arange(n)})
    got = first_per_project(rows, ["k", "date"], descending=[False, True])
    best = rows.group_by("pix").agg(pl.col("k").min().alias("kmin"))
    expected = (rows.join(best, on="pix").filter(pl.col("k") == pl.col("kmin"))
                .filter(pl.col("date") == pl.col("date").max().over("pix"))
                .group_by("pix", maintain_order=True).agg(pl.col("i").min()).sort("pix"))
    assert got["i"].to_list() == expected["i"].to_list()
