"""Rows keyed by project, for plugin authors: which project a row is, read without naming the key.

Every table of a portfolio, ``facts`` and any frame selected from them carry the project's
position (``PIX``); a rule never names it. These helpers select, filter, look up and join by it, and
give the text project id from the projects table (or ``facts``) by position — so they keep working
whether or not a detail table carries its own ``project_id`` column. Exported by the toolkit
(``jixiao.rules``); docs/authoring-plugins.md shows how a rule uses them.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from jixiao.core.per_project import PIX

Frame = pl.DataFrame | pl.LazyFrame


def _names(frame: Frame) -> list[str]:
    return frame.collect_schema().names() if isinstance(frame, pl.LazyFrame) else frame.columns


def _key(frame: Frame) -> str:
    """The column that says which project a row is: the position where the frame has it."""
    names = _names(frame)
    if PIX in names:
        return PIX
    if "project_id" in names:
        return "project_id"
    raise ValueError(f"this frame does not say which project each row is (its columns: {', '.join(names)})")


def project_columns(frame: Frame, *columns: str | pl.Expr) -> Frame:
    """``frame.select(*columns)`` that keeps which project each row is: findings and facts made
    from the result name their projects. Lazy stays lazy. The text ``project_id`` is not kept
    unless asked for among ``columns`` (a rule that sorts or hashes by it)."""
    return frame.select(_key(frame), *columns)


def fact_of(table: pl.DataFrame, name: str) -> pl.Expr:
    """An expression: the value of ``table``'s column ``name`` for each row's project, read by
    position (no join). ``table`` has one row per project in the portfolio's order: ``facts``, or
    the portfolio's projects table. Use it on any table of the portfolio or frame selected from
    one: ``evaluations.filter(pl.col("year") == fact_of(facts, "fiscal_year"))``;
    ``fact_of(portfolio.projects, "project_id")`` is each row's project id."""
    return pl.lit(table[name]).gather(pl.col(PIX)).alias(name)


def with_facts(frame: Frame, table: pl.DataFrame, *names: str) -> Frame:
    """``frame`` with the columns ``names`` of ``table`` (``facts`` or the projects table) for each
    row's project, as ``fact_of`` reads them; a column of that name in ``frame`` is replaced."""
    return frame.with_columns(fact_of(table, name) for name in names)


def project_in(rows: pl.DataFrame) -> pl.Expr:
    """An expression: whether the row's project is one of the projects of ``rows`` (a frame keyed
    by project, from ``facts`` or a table; repeated projects are fine). ``~project_in(rows)`` for
    the others: ``table.filter(project_in(funds))``."""
    key = _key(rows)
    return pl.col(key).is_in(rows[key].implode())


def project_count(rows: pl.DataFrame) -> int:
    """How many different projects the rows of ``rows`` are of."""
    return rows[_key(rows)].n_unique()


def for_projects(values: pl.DataFrame | pl.Series, rows: pl.DataFrame) -> pl.DataFrame | pl.Series:
    """``values`` — one row per project in the portfolio's order, such as the result of
    ``sum_per_project``, a column of ``facts`` or of the projects table — at the projects of
    ``rows``, in ``rows``' order: row ``i`` of the result is for row ``i`` of ``rows``."""
    at = rows[PIX]
    return values.gather(at) if isinstance(values, pl.Series) else values.select(pl.all().gather(at))


def join_on_project(left: Frame, right: Frame, how: str = "inner", *,
                    maintain_order: str | None = None) -> Frame:
    """``left.join(right, ...)`` on the project: ``right``'s columns for each row of ``left`` whose
    project has a row in ``right`` (``how`` as polars: "inner", "left", "anti", "semi", …). Give
    ``maintain_order="left"`` where the result must keep ``left``'s order. A ``project_id`` column
    in both is taken from ``left``."""
    if "project_id" in _names(left) and "project_id" in _names(right) and PIX in _names(right):
        right = right.drop("project_id")
    return left.join(right, on=PIX, how=how, maintain_order=maintain_order)


def first_per_project(frame: pl.DataFrame, by: Sequence[str | pl.Expr] = (), *,
                      descending: bool | Sequence[bool] = False, nulls_last: bool = False) -> pl.DataFrame:
    """Each project's first row of ``frame``, in the order of ``by`` (columns or expressions, with
    ``descending`` and ``nulls_last`` as in polars' ``sort``) within the project, else in the
    frame's order; ties keep the frame's order. One row per project, in the portfolio's order. A
    frame that already has one row per project in that order is returned as it is."""
    key = frame[PIX]
    if key.len() < 2 or (not key.null_count() and (key.diff().drop_nulls() > 0).all()):
        return frame
    if not by:
        first = frame.filter(pl.col(PIX).is_first_distinct())
        return first if first[PIX].is_sorted() else first.sort(PIX, maintain_order=True)
    flags = [descending] * len(by) if isinstance(descending, bool) else list(descending)
    return (frame.lazy().sort([pl.col(PIX), *by], descending=[False, *flags], nulls_last=nulls_last,
                              maintain_order=True)
            .group_by(PIX, maintain_order=True).first().collect())


def in_project_order(frame: Frame) -> Frame:
    """``frame`` sorted by project, in the portfolio's order (rows of one project keep their
    order). Facts given in that order, one row per project, are merged by position, without a join."""
    return frame.sort(PIX, maintain_order=True)

