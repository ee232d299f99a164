"""The sample portfolio is realistic enough for the date rules to show what they do (issue 12).

Continuing projects started in earlier years, new ones in the fiscal year; multi-year projects end
later, a few ended before; continuing projects carry self-evaluations of earlier years, with a share
of them missing — so that Tongxin 三（一） (no self-evaluation of FY−2, no budget) fires on the demo
for some continuing projects and never for a new one."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import polars as pl
import pytest

from jixiao.core.load import load_portfolio
from jixiao.core.sample import generate
from jixiao.core.outputs.portfolio_files import write_portfolio
from jixiao.core.schema import TABLES

ROOT = Path(__file__).resolve().parents[1]
FY = 2024


@pytest.fixture(scope="module")
def big():
    return generate(3000, seed=7, fiscal_year=FY)


def test_continuing_projects_started_one_to_six_years_before_new_ones_in_the_year(big):
    p = big.projects.with_columns(pl.col("start_date").dt.year().alias("y"))
    new, old = p.filter(pl.col("is_new")), p.filter(~pl.col("is_new"))
    assert new.height > 100 and old.height > 1000
    assert set(new["y"]) == {FY}
    assert set(old["y"]) == set(range(FY - 6, FY))  # every one of the six years, none other
    # Spread, recent starts more often: no single year holds most of them.
    shares = old["y"].value_counts(normalize=True)
    assert shares["proportion"].max() < 0.4
    assert shares.filter(pl.col("y") == FY - 1)["proportion"].item() > shares.filter(pl.col("y") == FY - 6)["proportion"].item()
    # Not every project starts on 1 January; some new ones start in the year's first months.
    assert (p["start_date"].dt.month() > 1).mean() > 0.2
    assert new.filter(pl.col("start_date").dt.month() > 1).height > 0


def test_implementation_periods_end_this_year_later_or_already(big):
    p = big.projects
    end_year = p["end_date"].dt.year()
    assert (p["end_date"] > p["start_date"]).all()
    assert 0.3 < (end_year == FY).mean() < 0.7           # most run with the fiscal year …
    assert 0.3 < (end_year > FY).mean() < 0.7            # … multi-year ones run on
    assert end_year.max() <= FY + 3
    expired = p.filter(pl.col("end_date") < dt.date(FY, 1, 1))
    assert 0 < expired.height < 0.1 * p.height           # a few still budgeted after their period ended
    assert not expired["is_new"].any()


def test_no_payment_before_a_project_starts(big):
    late = big.projects.filter(pl.col("start_date") > dt.date(FY, 1, 1)).select("pix", "start_date", "spent_fen")
    assert late.filter(pl.col("start_date").dt.year() == FY).height > 0
    paid = big.spending.join(late, on="pix")
    assert paid.height > 0 and (paid["date"] >= paid["start_date"]).all()
    # The payments still add up to each project's spending, to the fen.
    sums = big.spending.group_by("pix").agg(pl.col("amount_fen").sum())
    check = big.projects.select("pix", "spent_fen").join(sums, on="pix", how="left").fill_null(0)
    assert (check["spent_fen"] == check["amount_fen"]).all()


def _self_evals(portfolio, year: int) -> pl.DataFrame:
    return portfolio.evaluations.filter((pl.col("kind") == "self") & (pl.col("year") == year))


def test_continuing_projects_self_evaluated_earlier_years_in_the_following_spring_a_share_missing(big):
    p = big.projects
    ran_two_before = p.filter(~pl.col("is_new") & (pl.col("start_date").dt.year() <= FY - 2))["pix"]
    two = _self_evals(big, FY - 2)
    assert two["pix"].is_unique().all()
    # Only projects that ran in FY−2 evaluated it: no new project, none started later.
    assert set(two["pix"]) <= set(ran_two_before)
    share = two.height / ran_two_before.len()
    assert 0.75 < share < 0.97  # most did, a share did not
    for year in (FY - 2, FY - 1):
        ev = _self_evals(big, year)
        assert ev.height > 0
        assert (ev["date"].dt.year() == year + 1).all() and ev["date"].dt.month().is_between(2, 4).all()
        assert (ev["review_date"] >= ev["date"]).all()
    one = _self_evals(big, FY - 1)
    new = set(p.filter(pl.col("is_new"))["pix"])
    assert not new & set(one["pix"])


def _tongxin_blocks(cli, folder) -> set[str]:
    res = cli("run", "--pack", "tongxin", "--as-of", "2025-03-31", "--format", "json", folder)
    assert res.exit_code == 0, res.output
    return {f["project_id"] for f in json.loads(res.output)["findings"]
            if f["plugin"] == "self_evaluation_prerequisite" and f["action"] == "block_budget"}


def _expected_blocks(portfolio, as_of=dt.date(2025, 3, 31)) -> tuple[set[str], set[str], set[str]]:
    """(continuing projects that ran in FY−2 without its self-evaluation, those with it, new ones)."""
    p = portfolio.projects
    fy = p["fiscal_year"].gather(portfolio.evaluations["pix"])
    done = set(portfolio.with_ids("evaluations").filter((pl.col("kind") == "self") & (pl.col("year") == fy - 2)
                                            & (pl.col("date") <= as_of))["project_id"])
    ran = p.filter(~pl.col("is_new") & (pl.col("start_date").dt.year() <= pl.col("fiscal_year") - 2))
    ran_ids = set(ran["project_id"])
    # This year's (adopted) budget of a project of an earlier fiscal year running into it needs the
    # self-evaluation of this year − 2 (Tongxin next_budget_from: the budget year's own check).
    year = as_of.year
    done_now = set(portfolio.with_ids("evaluations").filter((pl.col("kind") == "self") & (pl.col("year") == year - 2)
                                                & (pl.col("date") <= as_of))["project_id"])
    going = p.filter((pl.col("fiscal_year") < year) & (pl.col("end_date").dt.year() >= year)
                     & (pl.col("start_date").dt.year() <= year - 2))
    later = set(going["project_id"]) - done_now
    return (ran_ids - done) | later, (ran_ids & done) - later, set(p.filter(pl.col("is_new"))["project_id"])


def test_tongxin_prerequisite_fires_on_the_demo_for_some_continuing_projects_never_for_new(cli):
    folder = ROOT / "examples" / "sample"
    blocked = _tongxin_blocks(cli, folder)
    missing, evaluated, new = _expected_blocks(load_portfolio(folder))
    assert blocked and blocked == missing
    assert evaluated and new and not blocked & (evaluated | new)


def test_tongxin_prerequisite_on_a_larger_sample(cli, tmp_path):
    portfolio = generate(400, seed=12, fiscal_year=FY)
    folder = write_portfolio(portfolio, tmp_path / "p")
    blocked = _tongxin_blocks(cli, folder)
    missing, evaluated, new = _expected_blocks(portfolio)
    assert len(blocked) >= 10 and blocked == missing
    assert len(evaluated) > 5 * len(missing) and not blocked & new


def test_same_seed_same_portfolio_every_table():
    a, b, c = generate(120, seed=4), generate(120, seed=4), generate(120, seed=5)
    for name in TABLES:
        assert a.table(name).equals(b.table(name)), name
    assert not a.projects["start_date"].equals(c.projects["start_date"])
    assert not a.evaluations.equals(c.evaluations)
