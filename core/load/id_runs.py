"""A typed detail table's project ids, summarised without holding them: the first row of each run
of equal ``pix`` in the file (its ``pix`` and text id), read in batches.

jixiao's typed Parquet form carries ``pix`` in every detail table beside the text ``project_id``.
Loading believes that ``pix`` only when it agrees with the ids (``index._checked_pix``): ascending,
the id changing exactly where ``pix`` changes, each run's id being that project's. All of that can
be checked on the runs' first rows, which are one row a project; the id column itself (at 1 M
projects 12 M payment ids, about 0.2 GiB) then never has to be held beside the other tables. When
the file's ``pix`` cannot be believed, the ids are read whole (``ids_of``) and every row is looked
up, as for a file without ``pix``."""

from __future__ import annotations

from pathlib import Path

import attrs
import polars as pl

BATCH_ROWS = 1 << 21  # 2 M rows: 0.25 s for 12 M payments (1 M rows: 0.33 s), ~0.1 GiB a batch


@attrs.frozen
class IdRuns:
    """The first row of each run of equal ``pix`` in ``path`` (``firsts``: ``pix``, ``project_id``)
    and the number of rows the file holds."""

    path: Path
    firsts: pl.DataFrame
    rows: int


def id_runs(path: Path, batch_rows: int = BATCH_ROWS) -> IdRuns | None:
    """The runs of the file's ``pix`` with their ids, or None when its ``pix`` is not to be believed
    as it stands: a null ``pix`` or id, ``pix`` not ascending, or the id not changing exactly where
    ``pix`` does. Reads two columns, ``batch_rows`` rows at a time."""
    h, pid = pl.col("pix"), pl.col("project_id")
    firsts, rows, last = [], 0, None
    for batch in pl.scan_parquet(path).select(h, pid).collect_batches(chunk_size=batch_rows):
        if batch.height == 0:
            continue
        joined = batch if last is None else pl.concat([last, batch])
        starts = (h != h.shift(1)).fill_null(True)
        ok, = joined.lazy().select(
            (h.null_count() + pid.null_count() == 0) & (h >= h.shift(1)).fill_null(True).all()
            & (starts == (pid != pid.shift(1)).fill_null(True)).all()).collect().row(0)
        if not ok:
            return None
        # The row carried over from the batch before was counted there.
        keep = starts if last is None else starts & (pl.int_range(pl.len()) > 0)
        firsts.append(joined.filter(keep))
        rows += batch.height
        last = batch.tail(1)
    empty = pl.DataFrame(schema={"pix": pl.UInt32, "project_id": pl.String})
    return IdRuns(path, pl.concat([empty, *firsts]) if firsts else empty, rows)


def ids_of(runs: IdRuns) -> pl.Series:
    """The file's whole id column, in file order: for a file whose ``pix`` did not check out."""
    return pl.read_parquet(runs.path, columns=["project_id"])["project_id"]
