"""Writing outputs without losing anything: every file or folder jixiao writes goes through here.

- A file is written to a temporary file next to it and renamed over the target only when complete,
  so an error, a kill or a second process writing the same path never leaves a broken file.
- A folder is filled as a temporary folder and swapped in; an existing folder is replaced only if it
  holds nothing but tables jixiao writes.
- Temporary names are ``.NAME.PID.XXXXXXXX`` + the target's suffix (``.partial`` for a folder):
  unique per process, and a leftover of a killed process (its PID no longer running) is removed on
  the next write to that target. SIGTERM, like Ctrl-C, removes this process's temporary files.
- Every OS error becomes one line, ``cannot write TARGET: reason``, naming the target, never the
  temporary file (exit code 2).
- No command writes over one of its own inputs (``refuse_inputs``).
- Outputs that a spreadsheet opens are neutralised against formula injection: XLSX text is written
  as text (``xlsx_workbook``), and CSV text cells that a spreadsheet would read as a formula get a
  leading ``'`` (``csv_safe``), as OWASP's CSV-injection guidance describes.
"""

from __future__ import annotations

import errno
import os
import re
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from jixiao.core.errors import JixiaoError

if TYPE_CHECKING:  # polars is imported where a frame is written: the command line starts without it
    import polars as pl

_LIVE: set[Path] = set()  # this process's temporary files and folders, removed on SIGTERM
LEGACY_AGE = 3600  # seconds: a temporary file of the old naming (no PID) is stale after an hour


class OutputError(JixiaoError):
    """An output cannot be written: one line naming the target and the reason."""

    def __init__(self, target: Path | str, reason: str):
        self.target, self.reason = str(target), reason
        super().__init__(f"无法写入 {target}：{reason}")


_REASONS = {
    errno.ENOENT: "所在文件夹不存在",
    errno.ENOTDIR: "所在文件夹不存在",
    errno.EACCES: "没有权限（文件或文件夹只读，或文件正被 Excel 等程序打开；关闭后重试）",
    errno.EPERM: "不允许写入（文件或文件夹只读或被锁定，或文件正被 Excel 等程序打开；关闭后重试）",
    errno.EROFS: "文件系统只读",
    errno.ENOSPC: "磁盘已满",
    errno.EDQUOT: "超出磁盘配额",
    errno.EFBIG: "文件超过此文件系统允许的大小",
    errno.EISDIR: "这是一个文件夹",
    errno.ETXTBSY: "文件正被其他程序使用",
    errno.EBUSY: "文件正被其他程序使用",
}


def reason(exc: OSError) -> str:
    code = exc.errno
    if code is None:  # polars: "File too large (os error 27)"
        m = re.search(r"os error (\d+)", str(exc))
        code = int(m.group(1)) if m else None
    return _REASONS.get(code or 0) or exc.strerror or str(exc).splitlines()[0]


def _output_error(target: Path, exc: BaseException) -> OutputError:
    inner = next((a for a in getattr(exc, "args", ()) if isinstance(a, OSError)), None)
    if isinstance(exc, OSError) or inner is not None:  # xlsxwriter wraps the OSError in its own
        return OutputError(target, reason(exc if isinstance(exc, OSError) else inner))
    # polars reports an I/O failure of its own writers as its own exception; keep its reason
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    for code, why in _REASONS.items():
        if os.strerror(code) in text:
            return OutputError(target, why)
    return OutputError(target, text)


def _is_io_error(exc: BaseException) -> bool:
    if isinstance(exc, OSError) or any(isinstance(a, OSError) for a in getattr(exc, "args", ())):
        return True
    polars = sys.modules.get("polars")  # an error of polars comes only once polars is imported
    return (polars is not None and isinstance(exc, polars.exceptions.PolarsError)
            and ("os error" in str(exc).lower() or "i/o" in str(exc).lower()))


# ---------------------------------------------------------------------------------------------
# Signals


def install_signal_handlers() -> None:
    """SIGTERM ends the process as Ctrl-C does: through ``finally`` blocks, which remove this
    process's temporary files (exit code 143)."""
    if signal.getsignal(signal.SIGTERM) in (signal.SIG_DFL, None):
        signal.signal(signal.SIGTERM, _on_sigterm)


def _on_sigterm(signum, _frame) -> None:
    _remove_live()
    raise SystemExit(128 + signum)


def _remove_live() -> None:
    for p in list(_LIVE):
        _remove(p)
        _LIVE.discard(p)


def _remove(p: Path) -> None:
    try:
        if p.is_dir() and not p.is_symlink():
            shutil.rmtree(p, ignore_errors=True)
        else:
            p.unlink(missing_ok=True)
    except OSError:
        pass


# ---------------------------------------------------------------------------------------------
# Temporary names and stale leftovers


def _prefix(path: Path) -> str:
    return f".{path.name}.{os.getpid()}."


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, owned by someone else
        return True
    return True


def sweep_stale(path: Path) -> list[Path]:
    """Remove temporary files and folders of jixiao's own naming for ``path`` whose process is no
    longer running (a kill -9 leaves them behind). Returns what was removed."""
    folder = path.parent if str(path.parent) else Path(".")
    name = re.escape(path.name)
    ours = re.compile(rf"^\.{name}\.(\d+)\.[a-z0-9_]{{8}}(?:{re.escape(path.suffix)}|\.partial|\.old)?$")
    legacy = re.compile(rf"^\.{name}\.[a-z0-9_]{{8}}{re.escape(path.suffix)}$")  # mkstemp without a PID
    removed = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    now = time.time()
    for entry in entries:
        if not entry.name.startswith(f".{path.name}."):
            continue
        m = ours.match(entry.name)
        stale = False
        if m:
            stale = not _alive(int(m.group(1)))
        elif legacy.match(entry.name):
            try:
                stale = now - entry.stat(follow_symlinks=False).st_mtime > LEGACY_AGE
            except OSError:
                stale = False
        if stale:
            _remove(Path(entry.path))
            removed.append(Path(entry.path))
    return removed


# ---------------------------------------------------------------------------------------------
# Checks before any work


def check_target(path: Path, folder: bool = False) -> None:
    """Raise ``OutputError`` now, before any work, if ``path`` cannot be written: its folder is
    missing or not writable, or it is a folder where a file belongs (and the reverse)."""
    path = Path(path)
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.exists():
        raise OutputError(path, f"文件夹 {parent} 不存在")
    if not parent.is_dir():
        raise OutputError(path, f"{parent} 不是文件夹")
    if path.exists() or path.is_symlink():
        if folder and not path.is_dir():
            raise OutputError(path, "已存在且不是文件夹")
        if not folder and path.is_dir():
            raise OutputError(path, "这是一个文件夹；请写文件名")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise OutputError(path, f"文件夹 {parent} 不可写")
    if path.exists() and not folder and not os.access(path, os.W_OK):
        raise OutputError(path, "文件只读")


def check_targets(files: Iterable[Path | None] = (), folders: Iterable[Path | None] = ()) -> None:
    """``check_target`` for every output of a command, and no two outputs the same."""
    seen: dict[Path, Path] = {}
    for p, is_folder in [*((f, False) for f in files), *((f, True) for f in folders)]:
        if p is None:
            continue
        check_target(p, is_folder)
        key = Path(os.path.abspath(p))
        if key in seen:
            raise OutputError(p, f"作为输出写了两次（另一次写作 {seen[key]}）")
        seen[key] = Path(p)


def _same_or_inside(a: Path, b: Path) -> bool:
    """Whether ``a`` is ``b`` or lies inside the folder ``b`` (both resolved)."""
    return a == b or b in a.parents


def refuse_inputs(outputs: Iterable[Path | None], inputs: Iterable[Path | str | None]) -> None:
    """No command writes over one of its own inputs: an output that is an input, lies in an input
    folder, or is a folder holding an input is an error (exit 2), and the input is left untouched."""
    ins = []
    for i in inputs:
        if i is None:
            continue
        p = Path(i)
        if p.exists():
            ins.append((p, p.resolve()))
    for o in outputs:
        if o is None:
            continue
        ro = Path(o).resolve()
        for given, ri in ins:
            same = ro == ri
            if not same and Path(o).exists():
                try:
                    same = os.path.samefile(o, given)
                except OSError:
                    same = False
            if same or _same_or_inside(ro, ri) or _same_or_inside(ri, ro):
                raise OutputError(o, f"会覆盖输入文件 {given}；请换一个输出文件名")


# ---------------------------------------------------------------------------------------------
# Writing


def write_atomic(path: Path, write: Callable[[Path], None]) -> None:
    """Write a file through a temporary file in the same folder, renamed over ``path`` when
    complete: a failure leaves the previous file (if any) as it was, and nothing else behind."""
    path = Path(path)
    check_target(path)
    sweep_stale(path)
    parent = path.parent if str(path.parent) else Path(".")
    try:
        fd, name = tempfile.mkstemp(prefix=_prefix(path), suffix=path.suffix, dir=parent)
    except OSError as exc:
        raise OutputError(path, reason(exc)) from None
    os.close(fd)
    tmp = Path(name)
    _LIVE.add(tmp)
    try:
        write(tmp)
        mask = os.umask(0)  # mkstemp makes the file private; give it the mode a plain open would
        os.umask(mask)
        os.chmod(tmp, 0o666 & ~mask)
        os.replace(tmp, path)
    except BaseException as exc:
        if _is_io_error(exc):
            raise _output_error(path, exc) from None
        raise
    finally:
        if tmp.exists():
            tmp.unlink(missing_ok=True)
        _LIVE.discard(tmp)


@contextmanager
def temp_folder(path: Path) -> Iterator[Path]:
    """A fresh temporary folder next to ``path``, removed afterwards whatever happens."""
    path = Path(path)
    parent = path.parent if str(path.parent) else Path(".")
    sweep_stale(path)
    try:
        tmp = Path(tempfile.mkdtemp(prefix=_prefix(path), suffix=".partial", dir=parent))
    except OSError as exc:
        raise OutputError(path, reason(exc)) from None
    _LIVE.add(tmp)
    try:
        yield tmp
    except BaseException as exc:
        if _is_io_error(exc):
            raise _output_error(path, exc) from None
        raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        _LIVE.discard(tmp)


def replace_folder(path: Path, fill: Callable[[Path], None], replaceable: Callable[[Path], None]) -> None:
    """Write a folder: ``fill`` a temporary folder, then swap it in. An existing ``path`` is
    replaced only after ``replaceable(path)`` (which raises if it holds anything else) passes. Two
    processes writing one folder leave the complete folder of one of them."""
    path = Path(path)
    check_target(path, folder=True)
    replaceable(path)
    parent = path.parent if str(path.parent) else Path(".")
    with temp_folder(path) as tmp:
        fill(tmp)
        os.chmod(tmp, 0o777 & ~_umask())
        for _ in range(20):
            try:
                os.rename(tmp, path)  # atomic; replaces an empty folder
                return
            except OSError as exc:
                if exc.errno not in (errno.ENOTEMPTY, errno.EEXIST):
                    raise
            replaceable(path)
            old = Path(tempfile.mkdtemp(prefix=_prefix(path), suffix=".old", dir=parent))
            _LIVE.add(old)
            try:
                os.rename(path, old)  # replaces the empty ``old``: the previous folder moves aside
            except FileNotFoundError:  # another process moved it first: try again
                continue
            finally:
                shutil.rmtree(old, ignore_errors=True)
                _LIVE.discard(old)
        raise OutputError(path, "another process keeps writing the same folder")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# ---------------------------------------------------------------------------------------------
# Formula injection


XLSX_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}


def xlsx_workbook(path: Path):
    """An xlsxwriter workbook that writes every string as a string: never a formula (``=…``), an
    array formula (``{=…}``) or a hyperlink, whatever the data holds."""
    import xlsxwriter

    return xlsxwriter.Workbook(path, XLSX_OPTIONS)


FORMULA_START = r"^[=+\-@\t\r]"
PLAIN_NUMBER = r"^[+-]?[0-9]+(\.[0-9]+)?$"  # an amount such as -1234.56 is a number, not a formula


def csv_safe(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with every text cell that a spreadsheet would run as a formula — starting with
    ``=``, ``+``, ``-``, ``@``, a tab or a carriage return, and not a plain number such as ``-12.50``
    — prefixed with ``'`` (OWASP, CSV injection). Other cells are unchanged."""
    import polars as pl

    exprs = []
    for name, dtype in frame.schema.items():
        if dtype == pl.String:
            c = pl.col(name)
            risky = c.str.contains(FORMULA_START) & ~c.str.contains(PLAIN_NUMBER)
            exprs.append(pl.when(risky).then(pl.lit("'") + c).otherwise(c).alias(name))
    return frame.with_columns(exprs) if exprs else frame
