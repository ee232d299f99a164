"""Progress of a long write, for the XLSX writers' ``progress(sheet, done, total)`` callback.

On a terminal a status line says what is being done, ``写出 XLSX out.xlsx · 逐项目对比 30,000 /
100,000 行``. Piped (stderr not a terminal) nothing animates: a plain line is printed when a large
sheet starts and then at most every ``every`` seconds, so a log shows that the command is writing
and how far it is, and a small workbook prints nothing.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from jixiao.cli.text import controls, safe

PLAIN_ROWS = 50_000  # piped, sheets of fewer rows are written without a line
PLAIN_EVERY = 10.0  # seconds between two plain lines


@contextmanager
def writing_xlsx(console, target, *, every: float | None = None, min_rows: int | None = None,
                 clock: Callable[[], float] = time.monotonic) -> Iterator[Callable[[str, int, int], None]]:
    """A ``progress`` callback for ``write_xlsx``, showing on ``console`` that ``target`` is being
    written (see the module's docstring)."""
    every = PLAIN_EVERY if every is None else every
    min_rows = PLAIN_ROWS if min_rows is None else min_rows
    if console.is_terminal:
        name = safe(str(target))  # status text is markup
        with console.status(f"写出 XLSX {name}…") as status:
            def on_terminal(sheet: str, done: int, total: int) -> None:
                status.update(f"写出 XLSX {name} · {safe(sheet)} {done:,} / {total:,} 行")

            yield on_terminal
        return
    last = [float("-inf")]

    def plain(sheet: str, done: int, total: int) -> None:
        if total < min_rows:
            return
        now = clock()
        if done == 0 or now - last[0] >= every:
            console.print(controls(f"写出 XLSX {target} · {sheet} {done:,} / {total:,} 行"), markup=False,
                          highlight=False, soft_wrap=True)
            last[0] = now

    yield plain
