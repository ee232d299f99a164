"""Indexing: every table gets ``pix``, its project's position in the projects table, and the columns
derived once at load."""

from __future__ import annotations

import numpy as np
import polars as pl

from jixiao.core.load.columns import PIX_HINT
from jixiao.core.load.id_runs import IdRuns, ids_of
from jixiao.core.per_project import PIX


def index_tables(frames: dict[str, pl.DataFrame], runs: dict[str, IdRuns] | None = None
                 ) -> tuple[dict[str, pl.DataFrame], dict[str, pl.DataFrame]]:
    """Give every table ``pix`` and sort the other tables by it; also return, per table, the rows
    whose project id is not in the projects table (their ``pix`` is null). Project ids must be
    unique. ``runs``: typed tables read without their text ids, whose file's ``pix`` is checked
    on the runs of the file (``id_runs``); when it does not check out, the ids are read from the
    file and every row looked up."""
    runs = runs or {}
    projects = frames["projects"].with_row_index(PIX).with_columns(pl.col(PIX).set_sorted())
    ids = projects["project_id"]
    # Exports usually list projects by id: then the ids are their own sorted order.
    order = None if ids.is_sorted() else ids.arg_sort().cast(pl.UInt32)
    sorted_ids = ids if order is None else ids.gather(order)
    out, orphans = {"projects": projects.select(*frames["projects"].columns, PIX)}, {}
    for name, frame in frames.items():
        if name == "projects":
            continue
        if name in runs:
            checked = _checked_runs(frame[PIX_HINT], runs[name], ids)
        else:
            checked = _checked_pix(frame, ids) if PIX_HINT in frame.columns else None
        if checked is not None:  # sorted, every row's project found: nothing else to do
            out[name] = frame.drop(PIX_HINT).with_columns(checked.alias(PIX).set_sorted())
            continue
        if "project_id" not in frame.columns:  # read without its ids, and its pix did not check out
            frame = frame.with_columns(ids_of(runs[name]))
        indexed = frame.drop(PIX_HINT, strict=False).with_columns(_pix_of(frame["project_id"], order, sorted_ids))
        missing = indexed.filter(pl.col(PIX).is_null()) if indexed[PIX].null_count() else indexed.clear()
        if missing.height:
            orphans[name] = missing
            indexed = indexed.filter(pl.col(PIX).is_not_null())
        if not indexed[PIX].is_sorted():
            indexed = indexed.sort(PIX, maintain_order=True)
        out[name] = indexed.with_columns(pl.col(PIX).set_sorted())
    return out, orphans


def _checked_pix(frame: pl.DataFrame, ids: pl.Series) -> pl.Series | None:
    """The file's own ``pix`` when it is right: ascending, a project's position, and the project id
    changing exactly where ``pix`` changes, each run's id being that project's. Checking costs a
    comparison of neighbours (one lazy plan); looking every id up, a binary search per run. None
    when it is not right."""
    pix = frame[PIX_HINT]
    if pix.len() == 0:
        return pix
    if pix.null_count() or frame["project_id"].null_count() or not pix.is_sorted() or pix[-1] >= ids.len():
        return None
    h, pid = pl.col(PIX_HINT), pl.col("project_id")
    starts = (h != h.shift(1)).fill_null(True)
    lf = frame.lazy()
    aligned, first = pl.collect_all([lf.select((starts == (pid != pid.shift(1)).fill_null(True)).all()),
                                     lf.filter(starts).select(PIX_HINT, "project_id")])
    if not aligned.item() or not (ids.gather(first[PIX_HINT]) == first["project_id"]).all():
        return None
    return pix


def _checked_runs(pix: pl.Series, runs: IdRuns, ids: pl.Series) -> pl.Series | None:
    """``_checked_pix`` for a table read without its ids: the file's ``pix`` (ascending, without
    nulls, its ids changing where it does: checked as the runs were read) is right when the table
    holds the rows the runs were read from and each run's id is that project's."""
    first = runs.firsts
    if pix.len() != runs.rows or first.height and first["pix"][-1] >= ids.len():
        return None
    if not (ids.gather(first["pix"]) == first["project_id"]).all():
        return None
    return pix


def _pix_of(project_id: pl.Series, order: pl.Series | None, sorted_ids: pl.Series) -> pl.Series:
    """Each row's project position, null when the id is not a project's. ``order`` maps positions
    in ``sorted_ids`` to positions in the projects table (None: the same). Rows of one project
    usually come together, so only the first row of each run is looked up — by binary search in the
    sorted ids, which costs less than hashing them — and the result repeated over the run."""
    if project_id.len() == 0 or sorted_ids.len() == 0:
        return pl.Series(PIX, [None] * project_id.len(), dtype=pl.UInt32)
    runs = project_id.rle()
    if runs.len() * 2 > project_id.len():  # runs of one or two rows: look every row up
        firsts, lengths = project_id, None
    else:
        firsts, lengths = runs.struct.field("value"), runs.struct.field("len")
    at = sorted_ids.search_sorted(firsts, side="left").clip(0, sorted_ids.len() - 1).cast(pl.UInt32)
    hit = sorted_ids.gather(at) == firsts
    position = at if order is None else order.gather(at)
    per_run = pl.select(pl.when(hit).then(position).alias(PIX)).to_series()
    if lengths is None:
        return per_run
    if not per_run.null_count():  # every run's project found: numpy repeats the run's pix in place
        return pl.Series(PIX, np.repeat(per_run.to_numpy(), lengths.to_numpy()), dtype=pl.UInt32)
    return pl.select(per_run.repeat_by(lengths).explode().alias(PIX)).to_series()


def _derive(frames: dict[str, pl.DataFrame], has_target_status: bool) -> dict[str, pl.DataFrame]:
    """A project whose target status is not given (no column, or an empty cell) has approved
    targets when it has indicators, and none otherwise."""
    projects = frames["projects"]
    with_targets = (frames["indicators"][PIX].unique().implode()
                    if "indicators" in frames else pl.Series([], dtype=pl.UInt32).implode())
    derived = pl.when(pl.col(PIX).is_in(with_targets)).then(pl.lit("approved")).otherwise(pl.lit("none"))
    status = pl.col("target_status").fill_null(derived) if has_target_status else derived
    return {**frames, "projects": projects.with_columns(status.alias("target_status"))}
