"""The hook contract: stage order, one call per stage whatever the size, plugin failures named."""

from __future__ import annotations

import datetime as dt

import attrs
import polars as pl
import pytest

from jixiao import Rule, hookimpl
from jixiao.core.engine import run
from jixiao.core.errors import PluginError, RuleFailed
from jixiao.core.pack import Pack
from jixiao.core.sample import generate

PACK = """
[pack]
id = "rec"
name = "记录"
level = "city"
extends = "national"

[sources.doc]
doc_no = "测试〔2024〕1号"
title = "测试"

[rules.recorder]
plugin = "recorder"
citation = { source = "doc", clause = "第一条" }
"""

CALLS: list[tuple[str, int, tuple[str, ...]]] = []


@attrs.frozen
class NoParams:
    pass


class Recorder(Rule):
    """Implements every hook and records each call with the batch size and the facts it saw."""

    name = "recorder"
    Params = NoParams

    def _record(self, hook, facts):
        CALLS.append((hook, facts.height, tuple(facts.columns)))

    @hookimpl
    def jixiao_assess(self, facts):
        self._record("assess", facts)

    @hookimpl
    def jixiao_target(self, facts):
        self._record("target", facts)

    @hookimpl
    def jixiao_monitor(self, facts):
        self._record("monitor", facts)

    @hookimpl
    def jixiao_evaluate(self, facts):
        self._record("evaluate", facts)

    @hookimpl
    def jixiao_apply(self, facts):
        self._record("apply", facts)
        return self.output(self.findings(facts.head(1), "disclose", "公开"))

    @hookimpl
    def jixiao_explain(self, facts):
        self._record("explain", facts)


class Exploding(Recorder):
    name = "exploding"

    @hookimpl
    def jixiao_monitor(self, facts):
        raise ZeroDivisionError("boom")


class BadAction(Recorder):
    name = "bad_action"

    @hookimpl
    def jixiao_apply(self, facts):
        return self.output(self.findings(facts.head(1), "fire_everyone", "x"))


class Shuffled(Recorder):
    """Findings in reverse order, several actions per project, half from an eager frame with its
    own message column and half from the lazy helper: the engine orders them by project and
    action, and each message must still belong to its own finding."""

    name = "shuffled"

    @hookimpl
    def jixiao_apply(self, facts):
        rows = facts.select("project_id", "pix").reverse()
        eager = rows.select("project_id", pl.lit("remind").alias("action"),
                            (pl.lit("eager ") + pl.col("project_id")).alias("message"),
                            (pl.col("pix").cast(pl.Int64) * 7).alias("amount_fen"))
        lazy = self.findings(rows, "disclose", pl.lit("lazy ") + pl.col("project_id"),
                             amount_fen=pl.col("pix").cast(pl.Int64) * 100)
        return self.output(pl.concat([eager.lazy(), lazy.select(eager.columns)]))


class Unstable(Recorder):
    """Lazy findings whose row order changes from one computation to the next."""

    name = "unstable"
    calls = 0

    @hookimpl
    def jixiao_apply(self, facts):
        def flip(frame: pl.DataFrame) -> pl.DataFrame:
            Unstable.calls += 1
            return frame.reverse() if Unstable.calls % 2 == 0 else frame

        rows = facts.select("project_id", "pix").lazy().map_batches(flip, streamable=False)
        return self.output(rows.select("project_id", pl.lit("disclose").alias("action"),
                                       (pl.lit("x ") + pl.col("project_id")).alias("message")))


class SomeFacts(Recorder):
    """Facts for every third project — by ``pix`` in order (spread by position), or by project id
    in reverse order (joined) — and, if asked, for a position beyond the portfolio."""

    name = "some_facts"
    how = "pix"

    @hookimpl
    def jixiao_target(self, facts):
        rows = facts.filter(pl.col("pix") % 3 == 0)
        if SomeFacts.how == "pix":
            return self.output(facts=rows.select("pix", (pl.col("pix").cast(pl.Int64) * 10).alias("tenfold"),
                                                 pl.concat_list(pl.col("pix"), pl.col("pix")).alias("pair")))
        if SomeFacts.how == "project_id":
            return self.output(facts=rows.reverse().select("project_id", (pl.col("pix").cast(pl.Int64) * 10)
                                                           .alias("tenfold")))
        return self.output(facts=pl.DataFrame({"pix": [0, facts.height]}, schema={"pix": pl.UInt32}).with_columns(
            pl.lit(1).alias("tenfold")))

    @hookimpl
    def jixiao_apply(self, facts):
        return None


class NoAction(Recorder):
    """Lazy findings without the action column."""

    name = "no_action"

    @hookimpl
    def jixiao_apply(self, facts):
        return self.output(facts.lazy().select("pix", pl.lit("x").alias("message")))


@pytest.fixture
def rec_registry(registry):
    for plugin in (Recorder, Exploding, BadAction, Shuffled, Unstable, NoAction, SomeFacts):
        registry.add_plugin(plugin, "tests")
    return registry


def test_stage_hooks_run_once_each_in_lifecycle_order(rec_registry, write):
    CALLS.clear()
    pack = Pack.load(write("rec.toml", PACK), rec_registry)
    result = run(pack, generate(10, seed=1), dt.date(2025, 3, 31), explain=True)
    assert [c[0] for c in CALLS] == ["assess", "target", "monitor", "evaluate", "apply", "explain"]
    seen = {hook: cols for hook, _, cols in CALLS}
    # Later stages see what earlier stages returned: the grade is there by apply, not before.
    assert "assessment_ok" in seen["target"] and "assessment_ok" not in seen["assess"]
    assert "targets_ok" in seen["monitor"]
    assert "grade" not in seen["evaluate"] and "grade" in seen["apply"]
    assert result.findings.filter(pl.col("rule") == "recorder")["action"].to_list() == ["disclose"]


def test_hook_calls_do_not_grow_with_the_portfolio(rec_registry, write):
    pack = Pack.load(write("rec.toml", PACK), rec_registry)
    counts = []
    for n in (10, 10_000):
        CALLS.clear()
        run(pack, generate(n, seed=2), dt.date(2025, 3, 31))
        counts.append(len(CALLS))
        assert {size for _, size, _ in CALLS} == {n}
    assert counts[0] == counts[1] == 5


def test_exception_in_a_rule_names_rule_plugin_stage_and_hook(rec_registry, write):
    pack = Pack.load(write("rec.toml", PACK.replace('plugin = "recorder"', 'plugin = "exploding"')), rec_registry)
    with pytest.raises(RuleFailed) as info:
        run(pack, generate(5, seed=3), dt.date(2025, 3, 31))
    assert str(info.value) == ("规则 'recorder'（插件 'exploding'）在绩效运行监控环节（monitor，jixiao_monitor）出错："
                               "ZeroDivisionError: boom；未写出任何文件")


def test_action_outside_the_vocabulary_is_refused(rec_registry, write):
    pack = Pack.load(write("rec.toml", PACK.replace('plugin = "recorder"', 'plugin = "bad_action"')), rec_registry)
    with pytest.raises(PluginError, match="action outside the vocabulary: 'fire_everyone'"):
        run(pack, generate(5, seed=3), dt.date(2025, 3, 31))


def test_failed_rule_writes_no_output_file(rec_registry, write, tmp_path, monkeypatch):
    from click.testing import CliRunner

    from jixiao.cli import main as cli_main
    from jixiao.core import registry as reg_module

    monkeypatch.setattr(reg_module.Registry, "discover", classmethod(lambda cls, **kw: rec_registry))
    pack = write("rec.toml", PACK.replace('plugin = "recorder"', 'plugin = "exploding"'))
    from jixiao.core.outputs.portfolio_files import write_portfolio

    folio = write_portfolio(generate(5, seed=3), tmp_path / "p.xlsx")
    out = tmp_path / "out.json"
    res = CliRunner().invoke(cli_main.main, ["run", "--pack", str(pack), "--as-of", "2025-03-31",
                                             "--format", "json", "-o", str(out), str(folio)])
    assert res.exit_code == 2
    assert "（插件 'exploding'）" in res.output and "Traceback" not in res.output
    assert not out.exists() and list(tmp_path.glob(".out.json*")) == []


def test_duplicate_plugin_name_names_both_sides(registry):
    with pytest.raises(PluginError, match="registered twice: by builtin and by tests"):
        registry.add_plugin(type("Dup", (Recorder,), {"name": "target_gate"}), "tests")


def test_every_seed_pack_runs_on_a_portfolio_of_several_chunks(registry, monkeypatch):
    """Frames made of several chunks (large samples, concatenated files) once broke a rule."""
    from jixiao.core import sample as sample_module

    monkeypatch.setattr(sample_module, "CHUNK", 50)
    portfolio = generate(130, seed=4)
    assert portfolio.projects["project_id"].n_chunks() > 1
    for pack_id in ("national", "nanchang", "qingdao", "tianyuan", "shilong", "tongxin"):
        for as_of in (dt.date(2024, 9, 30), dt.date(2025, 3, 31)):
            result = run(Pack.load(pack_id, registry), portfolio.as_of_view(as_of), as_of)
            assert result.findings.height > 0, (pack_id, as_of)


def test_rules_without_a_stop_threshold_run_on_a_large_portfolio(registry):
    """A literal filter predicate broke on 100 000 rows (polars splits large frames for filtering)."""
    portfolio = generate(100_000, seed=1)
    result = run(Pack.load("tianyuan", registry), portfolio, dt.date(2025, 3, 31))
    assert result.findings.height > 100_000  # every project is at least graded


@pytest.mark.parametrize("eager_up_to", [1_000, 0])  # messages with the decisions (a small run), or when read
def test_messages_are_built_when_read_and_stay_with_their_findings(rec_registry, write, monkeypatch, eager_up_to):
    from jixiao.core import finalise

    monkeypatch.setattr(finalise, "EAGER_MESSAGES_UP_TO", eager_up_to)
    pack = Pack.load(write("rec.toml", PACK.replace('plugin = "recorder"', 'plugin = "shuffled"')), rec_registry)
    folio = generate(30, seed=4)
    result = run(pack, folio, dt.date(2025, 3, 31))
    assert "message" not in result.decisions.columns
    mine = result.findings.filter(pl.col("rule") == "recorder")
    assert mine["project_id"].to_list() == [p for p in folio.projects["project_id"] for _ in range(2)]
    assert mine["action"].to_list() == ["disclose", "remind"] * 30
    expected = [("lazy " if a == "disclose" else "eager ") + p for p, a in zip(mine["project_id"], mine["action"])]
    assert mine["message"].to_list() == expected
    assert mine["amount_fen"].to_list() == [pix * (100 if a == "disclose" else 7)
                                            for pix, a in zip(mine["pix"], mine["action"])]
    # The rows of the findings are the decisions plus the message, in the same order; the columns
    # every finding of a rule shares, and the action, are one-byte enums in the decisions and text
    # in the findings.
    assert isinstance(result.decisions.schema["rule"], pl.Enum) and result.findings.schema["rule"] == pl.String
    assert result.decisions["action"].to_physical().dtype == pl.UInt8
    as_text = result.decisions.with_columns(pl.col(pl.Enum).cast(pl.String))
    assert result.findings.drop("message").schema == as_text.schema
    assert result.findings.drop("message").equals(as_text)


def test_lazy_findings_whose_order_changes_are_refused_not_misattributed(rec_registry, write, monkeypatch):
    from jixiao.core import finalise

    pack = Pack.load(write("rec.toml", PACK.replace('plugin = "recorder"', 'plugin = "unstable"')), rec_registry)
    # A small run computes the messages with the decisions, in one query: they cannot come apart.
    result = run(pack, generate(10, seed=4), dt.date(2025, 3, 31))
    mine = result.findings.filter(pl.col("rule") == "recorder")
    assert mine["message"].to_list() == ["x " + p for p in mine["project_id"]]
    # A larger one computes them when read: a second computation in another order is refused.
    monkeypatch.setattr(finalise, "EAGER_MESSAGES_UP_TO", 5)
    result = run(pack, generate(10, seed=4), dt.date(2025, 3, 31))  # decisions are collected once
    with pytest.raises(PluginError, match="different order when their messages were computed"):
        result.findings


def test_findings_without_a_required_column_are_refused_by_name(rec_registry, write):
    pack = Pack.load(write("rec.toml", PACK.replace('plugin = "recorder"', 'plugin = "no_action"')), rec_registry)
    with pytest.raises(PluginError, match="rule 'recorder' \\(plugin 'no_action'\\), hook jixiao_apply returned "
                                          "findings without the column 'action'"):
        run(pack, generate(5, seed=4), dt.date(2025, 3, 31))


@pytest.mark.parametrize("how", ["pix", "project_id"])
def test_facts_for_some_projects_land_on_their_projects(rec_registry, write, monkeypatch, how):
    monkeypatch.setattr(SomeFacts, "how", how)
    pack = Pack.load(write("rec.toml", PACK.replace('plugin = "recorder"', 'plugin = "some_facts"')), rec_registry)
    facts = run(pack, generate(20, seed=4), dt.date(2025, 3, 31)).facts
    assert facts["tenfold"].to_list() == [p * 10 if p % 3 == 0 else None for p in range(20)]
    if how == "pix":  # a list column too: facts of any type land by position
        assert facts["pair"].to_list() == [[p, p] if p % 3 == 0 else None for p in range(20)]


def test_facts_for_a_position_outside_the_portfolio_are_refused(rec_registry, write, monkeypatch):
    monkeypatch.setattr(SomeFacts, "how", "beyond")
    pack = Pack.load(write("rec.toml", PACK.replace('plugin = "recorder"', 'plugin = "some_facts"')), rec_registry)
    with pytest.raises(PluginError, match="facts for pix 20, which is not a project's position"):
        run(pack, generate(20, seed=4), dt.date(2025, 3, 31))
