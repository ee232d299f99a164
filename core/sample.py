"""A realistic, seeded sample portfolio (written with ``core/outputs/portfolio_files.py``).

Calibrated on the Tongxin account (../shared/seeds, 同心县 二（四）): about two hundred projects,
execution rates mostly at or above 96 %, a handful of key projects evaluated by a third party, all
of them 优 or 良. Most projects continue from earlier years (started one to six years before the
fiscal year, some of them multi-year and running on, a few past their end); continuing projects
carry their self-evaluations of the two previous years, made in the following spring, a share of the
older one missing (Tongxin 三（一）). Generation is vectorised with numpy, so the same code makes ten
projects or a million; the same seed always gives the same portfolio.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import numpy as np
import polars as pl

from jixiao.core.errors import InputError, Problem
from jixiao.core.load import ROW, ROW_DTYPE, Portfolio
from jixiao.core.outputs.files import check_target, replace_folder, temp_folder, write_atomic
from jixiao.core.per_project import PIX
from jixiao.core.outputs.portfolio_files import (TABLES_BY_ZH, TYPED_COMPRESSION, XLSX_MAX_ROWS, _check_replaceable,
                                                 text_tables, typed_tables, write_portfolio)
from jixiao.core.schema import TABLES

DEPARTMENTS = ("教育局", "卫生健康局", "农业农村局", "交通运输局", "水务局", "民政局", "住房和城乡建设局",
               "生态环境局", "文化旅游广电局", "人力资源和社会保障局", "自然资源局", "应急管理局")
ITEMS = ("农村道路养护", "义务教育薪资补助", "基层医疗设备购置", "高标准农田建设", "饮水安全巩固提升",
         "城乡低保资金", "老旧小区改造", "污水处理运营", "公共文化服务", "就业创业补贴", "耕地保护补偿",
         "应急物资储备", "学前教育资助", "乡村振兴衔接", "智慧城市平台运维", "河道综合治理")
FUND_TYPES = ("一般公共预算", "政府性基金预算", "国有资本经营预算", "社会保险基金预算")
FUND_P = (0.86, 0.09, 0.03, 0.02)
CATEGORIES = ("专项资金", "一般项目", "转移支付", "政府购买服务", "直达资金", "PPP", "政府投资基金", "政府债务")
CATEGORY_P = (0.38, 0.25, 0.11, 0.08, 0.08, 0.03, 0.02, 0.05)


# Implementation periods. A continuing project (not new) started 1–6 years before the fiscal year,
# recent starts more often; a new one starts in the fiscal year. Most end with the fiscal year;
# multi-year ones run on for up to three more years; a few continuing ones still ask for money after
# their period ended (the year before), which 清理退出 is for.
STARTED_YEARS_BEFORE = (1, 2, 3, 4, 5, 6)
STARTED_P = (0.25, 0.22, 0.18, 0.15, 0.11, 0.09)
ENDS_YEARS_AFTER = (0, 1, 2, 3)
ENDS_P_NEW = (0.55, 0.20, 0.15, 0.10)
ENDS_P_CONTINUING = (0.45, 0.28, 0.17, 0.10)
EXPIRED_SHARE = 0.03
# Continuing projects that ran two years before the fiscal year but have no self-evaluation of that
# year on record (Tongxin 三（一）: their budget is not arranged).
SELF_EVAL_MISSING_SHARE = 0.12


def _dates(year: np.ndarray, month: np.ndarray | int, day: np.ndarray | int) -> np.ndarray:
    """Dates from arrays of years, months and days, without a Python loop."""
    months = ((np.asarray(year) - 1970) * 12 + (np.asarray(month) - 1)).astype("datetime64[M]")
    return months.astype("datetime64[D]") + (np.asarray(day) - 1)


def _periods(rng: np.random.Generator, is_new: np.ndarray, year: int) -> tuple[np.ndarray, np.ndarray]:
    """(start, end) of each project's implementation period."""
    n = len(is_new)
    back = np.asarray(STARTED_YEARS_BEFORE)[rng.choice(len(STARTED_P), size=n, p=STARTED_P)]
    start_year = np.where(is_new, year, year - back)
    # New projects start with the budget year, most on 1 January, some in its first months;
    # continuing ones on 1 January of their first year or on the first of a later month.
    u = rng.random(n)
    start_month = np.where(is_new, np.where(u < 0.75, 1, rng.integers(2, 5, n)),
                           np.where(u < 0.5, 1, rng.integers(2, 13, n)))
    after = np.where(is_new, rng.choice(len(ENDS_P_NEW), size=n, p=ENDS_P_NEW),
                     rng.choice(len(ENDS_P_CONTINUING), size=n, p=ENDS_P_CONTINUING))
    expired = ~is_new & (rng.random(n) < EXPIRED_SHARE)
    end_year = np.where(expired, year - 1, year + np.asarray(ENDS_YEARS_AFTER)[after])
    # A multi-year project may end at mid-year of its last year; within the fiscal year all end on 31 December.
    mid = (end_year > year) & (rng.random(n) < 0.15)
    end = np.where(mid, _dates(end_year, 6, 30), _dates(end_year, 12, 31))
    return _dates(start_year, start_month, 1), end


def _spring_days(rng: np.random.Generator, year: int, n: int) -> np.ndarray:
    """Dates from 10 February to 20 April of ``year``: when a closed year's self-evaluation is made."""
    return _dates(np.full(n, year), 2, 10) + rng.integers(0, 70, n)


def _pick(rng: np.random.Generator, choices: tuple, p: tuple, n: int) -> np.ndarray:
    return np.asarray(choices, dtype=object)[rng.choice(len(choices), size=n, p=p)]


CHUNK = 100_000  # projects generated at a time; chunk i draws from the seed sequence (seed, i)


def iter_chunks(n: int, seed: int = 2021, fiscal_year: int = 2024, chunk: int | None = None):
    """The sample portfolio as a stream of portfolios of at most ``chunk`` projects each. The
    stream is the same whatever is done with it, so a file of any size holds the same projects
    as the in-memory ``generate``."""
    if n < 1:
        raise ValueError("a sample needs at least one project")
    chunk = chunk or CHUNK
    for i, start in enumerate(range(0, n, chunk)):
        yield _chunk(min(chunk, n - start), np.random.default_rng([seed, i]), fiscal_year, start)


def generate(n: int, seed: int = 2021, fiscal_year: int = 2024) -> Portfolio:
    """``n`` projects of ``fiscal_year`` with indicators, monthly spending, evaluations, decisions."""
    parts = list(iter_chunks(n, seed, fiscal_year))
    if len(parts) == 1:
        return parts[0]
    frames = {name: _rows(pl.concat([p.with_ids(name).drop(ROW, PIX) for p in parts])) for name in TABLES}
    return Portfolio.from_frames(frames)


def _chunk(n: int, rng: np.random.Generator, fiscal_year: int, start: int) -> Portfolio:
    idx = np.arange(start, start + n)
    ids = np.char.add(f"P{fiscal_year}", np.char.zfill(idx.astype(str), 7 if start + n > 10**6 else 6))
    dept = _pick(rng, DEPARTMENTS, tuple([1 / len(DEPARTMENTS)] * len(DEPARTMENTS)), n)
    item = _pick(rng, ITEMS, tuple([1 / len(ITEMS)] * len(ITEMS)), n)
    # Budgets: log-normal around 500 000 元, whole hundreds of 元, in fen.
    budget = (np.round(rng.lognormal(np.log(5e5), 1.0, n) / 100).astype(np.int64) * 100 + 10_000) * 100
    # Execution: mostly 96–100 %, some slower, a few at zero.
    u = rng.random(n)
    rate = np.where(u < 0.88, rng.uniform(0.96, 1.0, n), np.where(u < 0.98, rng.uniform(0.3, 0.96, n), 0.0))
    spent = np.floor(budget * rate).astype(np.int64)
    is_new = rng.random(n) < 0.15
    is_major = rng.random(n) < 0.12
    v = rng.random(n)
    assessment = np.where(is_new & is_major, np.where(v < 0.75, "pass", np.where(v < 0.88, "fail", "none")), "none")
    w = rng.random(n)
    target_status = np.where(w < 0.95, "approved", np.where(w < 0.97, "none", np.where(w < 0.99, "pending", "rejected")))
    # Draws added later come from child generators (spawning draws nothing from ``rng``), so that
    # the draws before them — and the sample they made — stay as they were: ``later`` for 成本
    # targets and finance's reviews, ``timing`` for implementation periods and earlier years'
    # self-evaluations.
    later, timing = rng.spawn(2)
    starts, ends = _periods(timing, is_new, fiscal_year)
    projects = pl.DataFrame({
        "project_id": ids, "name": np.char.add(np.char.add(dept.astype(str), f"{fiscal_year}年"), item.astype(str)),
        "department": dept.astype(str), "fiscal_year": np.full(n, fiscal_year),
        "fund_type": _pick(rng, FUND_TYPES, FUND_P, n).astype(str),
        "category": _pick(rng, CATEGORIES, CATEGORY_P, n).astype(str),
        "budget_fen": budget, "spent_fen": spent, "is_new": is_new, "is_major": is_major,
        "start_date": pl.Series(starts, dtype=pl.Date), "end_date": pl.Series(ends, dtype=pl.Date),
        "target_status": target_status, "assessment_result": assessment,
        "priority_fund": rng.random(n) < 0.1,
    }).with_columns(pl.when(pl.col("assessment_result") == "pass").then(pl.lit(dt.date(fiscal_year - 1, 10, 15)))
                    .otherwise(None).alias("assessment_date"))
    with_targets = projects.filter(pl.col("target_status") != "none")["project_id"]
    return Portfolio.from_frames({
        "projects": _rows(projects),
        "indicators": _rows(_indicators(rng, with_targets, later)),
        "spending": _rows(_spending(rng, projects, fiscal_year)),
        "evaluations": _rows(_evaluations(rng, projects, fiscal_year, later, timing)),
        "accountability": _rows(_accountability(rng, projects, fiscal_year, start)),
    })


def _rows(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_row_index(ROW, offset=2).with_columns(pl.col(ROW).cast(ROW_DTYPE))


def _indicators(rng: np.random.Generator, ids: pl.Series, later: np.random.Generator) -> pl.DataFrame:
    m = len(ids)
    spec = (("output", "数量指标", "完成数量", "higher", 1000), ("output", "时效指标", "按期完成", "qualitative", 0),
            ("outcome", "社会效益指标", "受益人数", "higher", 5000), ("satisfaction", "满意度指标", "服务对象满意度", "higher", 90),
            ("cost", "经济成本指标", "单位服务成本", "lower", 100))
    frames = []
    for level1, level2, name, direction, target in spec:
        if level1 == "cost":
            rng = later  # the 成本 target, drawn after the others
        if direction == "qualitative":
            q = rng.random(m)
            actual = np.where(q < 0.85, "达成", np.where(q < 0.97, "部分达成", "未达成"))
            target_e4 = [None] * m
        else:
            achieved = np.clip(rng.normal(1.0, 0.08, m), 0.5, 1.3)
            actual = np.char.mod("%d", np.round(target * achieved).astype(np.int64))
            target_e4 = [target * 10_000] * m
        frames.append(pl.DataFrame({
            "project_id": ids, "level1": [level1] * m, "level2": [level2] * m, "name": [name] * m,
            "direction": [direction] * m, "target_e4": pl.Series(target_e4, dtype=pl.Int64),
            "actual": actual.astype(str), "weight_e4": pl.Series([None] * m, dtype=pl.Int64)}))
    return pl.concat(frames).sort("project_id", maintain_order=True)


def _spending(rng: np.random.Generator, projects: pl.DataFrame, year: int) -> pl.DataFrame:
    """Monthly payments that add up exactly to each project's spending; the rest of a month's
    share is carried so that no fen is lost."""
    spent = projects["spent_fen"].to_numpy()
    n = len(spent)
    weights = rng.dirichlet(np.ones(12) * 2.0, size=n)
    # Nothing is paid before a project starts: a project starting within the year pays from its
    # first month on (the other projects' shares are left exactly as drawn).
    start = projects["start_date"]
    first = np.where((start.dt.year() == year).fill_null(False).to_numpy(), start.dt.month().fill_null(1).to_numpy(), 1)
    late = first > 1
    if late.any():
        kept = weights[late] * (np.arange(1, 13)[None, :] >= first[late][:, None])
        weights[late] = kept / kept.sum(axis=1, keepdims=True)
    cum = np.floor(np.cumsum(weights, axis=1) * spent[:, None]).astype(np.int64)
    cum[:, -1] = spent
    monthly = np.diff(np.concatenate([np.zeros((n, 1), dtype=np.int64), cum], axis=1), axis=1)
    days = [dt.date(year, m, 25) for m in range(1, 13)]
    frame = pl.DataFrame({"project_id": np.repeat(projects["project_id"].to_numpy(), 12),
                          "date": days * n, "amount_fen": monthly.reshape(-1)})
    return frame.filter(pl.col("amount_fen") > 0)


def _evaluations(rng: np.random.Generator, projects: pl.DataFrame, year: int,
                 later: np.random.Generator, timing: np.random.Generator) -> pl.DataFrame:
    n = projects.height
    ids = projects["project_id"].to_numpy()
    has_self = rng.random(n) < 0.7
    # Mostly good, as in Tongxin's account; a few weak projects so that every grade appears.
    weak = rng.random(n) < 0.05
    raw = np.where(weak, rng.uniform(40, 80, n), rng.normal(88, 6, n))
    self_score = np.clip(np.round(raw * 100), 0, 10000).astype(np.int64)
    third = rng.random(n) < 0.12
    third_score = np.round(rng.uniform(80, 98, n) * 100).astype(np.int64)
    # Continuing projects evaluated themselves last year too (Tongxin: every project self-evaluates).
    continuing = ~projects["is_new"].to_numpy() & (rng.random(n) < 0.97)
    last_score = np.clip(np.round(rng.normal(88, 6, n) * 100), 0, 10000).astype(np.int64)
    rows = [pl.DataFrame({"project_id": ids[continuing], "year": year - 1, "kind": "self",
                          "date": pl.Series(_spring_days(timing, year, n)[continuing], dtype=pl.Date),
                          "score_c": last_score[continuing]}),
            pl.DataFrame({"project_id": ids[has_self], "year": year, "kind": "self",
                          "date": dt.date(year + 1, 2, 28), "score_c": self_score[has_self]}),
            pl.DataFrame({"project_id": ids[third], "year": year, "kind": "third_party",
                          "date": dt.date(year + 1, 3, 20), "score_c": third_score[third]})]
    frame = pl.concat(rows)
    for col in ("score_execution_c", "score_output_c", "score_outcome_c", "score_satisfaction_c"):
        frame = frame.with_columns(pl.lit(None, pl.Int64).alias(col))
    # Finance's review (复核) of the self-evaluation reports: last year's all reviewed by 04-30; this
    # year's, most of them by mid-March, the rest still waiting.
    k = frame.height
    reviewed = pl.Series(later.random(k) < 0.8)
    days = pl.Series(later.integers(5, 20, k), dtype=pl.Int64)
    this_year = pl.col("year") == year
    review = (pl.when(pl.col("kind") != "self").then(None)
              .when(~this_year).then(pl.lit(dt.date(year, 4, 30)))
              .when(pl.lit(reviewed)).then(pl.lit(dt.date(year + 1, 2, 28)) + pl.duration(days=pl.lit(days)))
              .otherwise(None))
    frame = frame.with_columns(review.cast(pl.Date).alias("review_date"))
    # The year before last: continuing projects that ran then self-evaluated it in the following
    # spring, reviewed by 30 April — except a share of them, whose report is not on record.
    started = projects["start_date"].dt.year().to_numpy()
    ran = ~projects["is_new"].to_numpy() & (started <= year - 2)
    older = ran & (timing.random(n) >= SELF_EVAL_MISSING_SHARE)
    older_score = np.clip(np.round(timing.normal(88, 6, n) * 100), 0, 10000).astype(np.int64)
    older_date = _spring_days(timing, year - 1, n)
    before = pl.DataFrame({"project_id": ids[older], "year": year - 2, "kind": "self",
                           "date": pl.Series(older_date[older], dtype=pl.Date), "score_c": older_score[older]})
    before = before.with_columns(*(pl.lit(None, pl.Int64).alias(c) for c in frame.columns if c.endswith("_c") and c != "score_c"),
                                 pl.lit(dt.date(year - 1, 4, 30)).alias("review_date"))
    return pl.concat([before.select(frame.columns), frame])


def _accountability(rng: np.random.Generator, projects: pl.DataFrame, year: int, start: int) -> pl.DataFrame:
    n = projects.height
    pick = rng.random(n) < 0.03
    ids = projects["project_id"].to_numpy()[pick]
    k = len(ids)
    received = [dt.date(year + 1, 1, 1) + dt.timedelta(days=int(d)) for d in rng.integers(0, 75, k)]
    reported = [r + dt.timedelta(days=int(d)) if ok else None
                for r, d, ok in zip(received, rng.integers(20, 80, k), rng.random(k) < 0.6)]
    return pl.DataFrame({
        "project_id": ids, "decision_id": [f"问责〔{year + 1}〕{start + i + 1}号" for i in range(k)],
        "trigger": ["绩效目标未完成"] * k, "sanction": ["限期整改"] * k,
        "received_date": pl.Series(received, dtype=pl.Date), "report_date": pl.Series(reported, dtype=pl.Date)},
        schema_overrides={"project_id": pl.String})


# ---------------------------------------------------------------------------------------------
# Writing a portfolio in the input formats (the loader reads back exactly what is written)


def write_sample(n: int, seed: int, fiscal_year: int, path: Path, fmt: str = "csv", progress=None) -> Path:
    """Write the sample to ``path`` chunk by chunk, never holding more than one chunk of it.

    ``.xlsx`` and ``.json`` are written whole (XLSX sheets hold about a million rows at most);
    ``.csv`` and ``.parquet`` hold the projects table alone; a path without suffix becomes a folder
    with one ``fmt`` file per table. Parquet is written in jixiao's typed form (docs/formats.md).
    """
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".json"):
        if suffix == ".xlsx" and n * 12 > XLSX_MAX_ROWS:
            raise InputError([Problem(str(path), f"{n:,} projects make more spending rows than an XLSX sheet holds; "
                                                 "write a folder (no suffix) or .parquet instead", value=str(n))])
        check_target(path)  # before the sample is made
        return write_portfolio(generate(n, seed, fiscal_year), path)
    if suffix not in ("", ".csv", ".parquet"):
        raise InputError([Problem(str(path), "write .xlsx, .json, .csv, .parquet, or a folder (no suffix)", value=suffix)])
    only = ["projects"] if suffix else list(TABLES)
    kind = suffix.lstrip(".") or fmt
    if suffix:
        check_target(path)
    else:
        check_target(path, folder=True)
        _check_replaceable(path, ("csv", "parquet"))

    def fill(tmp: Path) -> None:
        done = 0
        for i, chunk in enumerate(iter_chunks(n, seed, fiscal_year)):
            if kind == "parquet":
                # jixiao's typed form: canonical names and types, loaded without parsing any text.
                typed = typed_tables(chunk, offset=done)
                for name in only:
                    if name in typed:  # a table written only when it has rows (monitoring) may be absent
                        typed[name].write_parquet(tmp / f"{name}.{i:05d}.parquet", compression=TYPED_COMPRESSION)
            else:
                for sheet, frame in text_tables(chunk).items():
                    name = TABLES_BY_ZH[sheet]
                    if name in only:
                        file = tmp / f"{name}.csv"
                        first = not file.exists()  # a table empty in the first chunks starts later
                        with open(file, "ab") as fh:
                            frame.write_csv(fh, include_header=first)
            done += chunk.projects.height
            if progress:
                progress(done)
        if kind == "parquet":
            for name in only:
                parts = sorted(tmp.glob(f"{name}.*.parquet"))
                if parts:
                    pl.scan_parquet(parts).sink_parquet(tmp / f"{name}.parquet", compression=TYPED_COMPRESSION)
                    for part in parts:
                        part.unlink()

    if not suffix:
        replace_folder(path, fill, lambda p: _check_replaceable(p, ("csv", "parquet")))
        return path
    with temp_folder(path) as tmp:  # the chunks are gathered here, then the one file renamed over path
        fill(tmp)
        write_atomic(path, lambda p: os.replace(tmp / f"projects.{kind}", p))
    return path
