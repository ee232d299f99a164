"""The hook contract: one hook per lifecycle stage, each called once per run with the whole portfolio.

Stages run in this order: assess → target → monitor → evaluate → apply. Every hook receives keyword
arguments only; an implementation names just the ones it needs (pluggy passes no others), and never
gives them defaults. A rule plugin is an instance of a ``jixiao.Rule`` subclass bound to its pack
parameters, so ``self.params`` holds them.

Arguments a hook may take:

- ``portfolio`` (``jixiao.core.load.Portfolio``): every table of the portfolio, frozen;
  polars frames are immutable, so a rule cannot change what other rules see. Tables other than
  projects are kept in the projects' order; say which project a row is with the toolkit
  (``jixiao.rules``: ``fact_of``, ``with_facts``, ``project_in``, ``join_on_project``,
  ``sum_per_project``…, docs/authoring-plugins.md), never with the text project id of a detail table.
- ``as_of`` (``datetime.date``): the date the run looks from.
- ``facts`` (``polars.DataFrame``): one row per project, in the projects table's order: the
  projects table plus ``spent_fen`` as of the date and every fact column that rules of *earlier*
  stages returned (``score_c``, ``grade``…); ``fact_of(facts, name)`` reads a fact for any row of a
  detail table.

What a stage hook returns: ``None`` (nothing to say) or a ``jixiao.RuleOutput`` made with
``self.output(findings, facts)``. ``findings`` are frames made from ``facts`` or a table (they keep
the project key ``project_columns`` keeps) and may be a lazy frame (``self.findings(...)`` makes one): the engine collects what was decided at once and
computes the message text only when something reads it. ``facts`` are one row per project, keyed
the same way, plus the new columns. All implementations' results are collected (none wins first); the engine orders
them by the pack's rule order, never by pluggy's registration order.

docs/hooks.md is generated from this module (``python -m jixiao.cli.docgen docs/``); a test keeps
the two in step, and another checks that every hook has a test of its own.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import pluggy
import polars as pl

if TYPE_CHECKING:  # the contract does not load the portfolio loader
    from jixiao.core.load import Portfolio
    from jixiao.core.rule import RuleOutput

PROJECT = "jixiao"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)

STAGES = ("assess", "target", "monitor", "evaluate", "apply")
STAGE_ZH = {"assess": "事前绩效评估", "target": "绩效目标管理", "monitor": "绩效运行监控",
            "evaluate": "绩效评价", "apply": "结果应用"}


# --- stage 1: 事前绩效评估 ex-ante assessment ------------------------------------------------


@hookspec
def jixiao_assess(portfolio: Portfolio, as_of: dt.date, facts: pl.DataFrame) -> RuleOutput | None:
    """Check ex-ante assessment (事前绩效评估) as a gate before budgeting.

    When: first stage of every run, once, with the whole portfolio.
    Args: ``portfolio``, ``as_of``, ``facts`` (projects plus ``spent_fen``).
    Returns: ``RuleOutput | None``; all results are collected, none wins first.
    """


# --- stage 2: 绩效目标管理 performance targets --------------------------------------------


@hookspec
def jixiao_target(portfolio: Portfolio, as_of: dt.date, facts: pl.DataFrame) -> RuleOutput | None:
    """Check performance targets (绩效目标): present, complete, reviewed, unchanged.

    When: second stage, after every ``jixiao_assess`` result is in ``facts``.
    Args: ``portfolio``, ``as_of``, ``facts`` (with the assess stage's fact columns).
    Returns: ``RuleOutput | None``; all results are collected, none wins first.
    """


# --- stage 3: 绩效运行监控 in-year monitoring ---------------------------------------------


@hookspec
def jixiao_monitor(portfolio: Portfolio, as_of: dt.date, facts: pl.DataFrame) -> RuleOutput | None:
    """Watch budget execution and target progress during the year (双监控).

    When: third stage, after the target stage.
    Args: ``portfolio``, ``as_of``, ``facts`` (with assess and target fact columns).
    Returns: ``RuleOutput | None``; all results are collected, none wins first.
    """


# --- stage 4: 绩效评价 evaluation ----------------------------------------------------------


@hookspec
def jixiao_evaluate(portfolio: Portfolio, as_of: dt.date, facts: pl.DataFrame) -> RuleOutput | None:
    """Score and grade projects (绩效评价), or select them for evaluation.

    When: fourth stage, after the monitor stage.
    Args: ``portfolio``, ``as_of``, ``facts`` (with assess, target and monitor fact columns).
    Returns: ``RuleOutput | None``; a grading rule returns fact columns such as ``score_c`` and
    ``grade`` for the apply stage. All results are collected, none wins first.
    """


# --- stage 5: 结果应用 results ---------------------------------------------------------------


@hookspec
def jixiao_apply(portfolio: Portfolio, as_of: dt.date, facts: pl.DataFrame) -> RuleOutput | None:
    """Apply results (结果应用): budget links, rectification, disclosure, accountability.

    When: last stage, after the evaluate stage; ``facts`` carries its grades.
    Args: ``portfolio``, ``as_of``, ``facts`` (with every earlier stage's fact columns).
    Returns: ``RuleOutput | None``; all results are collected, none wins first.
    """


# --- explain ------------------------------------------------------------------------------


@hookspec
def jixiao_explain(portfolio: Portfolio, as_of: dt.date, facts: pl.DataFrame) -> RuleOutput | None:
    """Say, per project, the nearest change of input that would flip a threshold rule.

    When: only by ``jixiao explain``, after all five stages, with every stage's facts.
    Args: ``portfolio``, ``as_of``, ``facts`` (all fact columns of the run).
    Returns: ``RuleOutput | None`` whose ``notes`` frame has ``project_id`` and ``note``
    (Chinese text such as "再得 3.50 分可达良"); all results are collected, none wins first.
    """


STAGE_HOOKS = {stage: f"jixiao_{stage}" for stage in STAGES}
ALL_HOOKS = (*STAGE_HOOKS.values(), "jixiao_explain")
