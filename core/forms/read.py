"""The standard forms, every sheet of every workbook, into the portfolio's tables.

One project per sheet; a workbook may hold several (one sheet each), a folder several workbooks.
Every cell that cannot be read is a ``Problem`` naming file, sheet, row, column and value; all of
them are raised together, and nothing is written (``convert_forms``).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import attrs
import polars as pl

from jixiao.core.errors import InputError, Problem, ProblemsError
from jixiao.core.forms.labels import EVALUATION_COLUMNS, INDICATOR_COLUMNS, KINDS, PROJECT_COLUMNS
from jixiao.core.forms.parse import DEFAULT_EQUAL_TOLERANCE
from jixiao.core.forms.reader import SheetReader
from jixiao.core.forms.xlsx import read_workbook


class FormError(InputError):
    """Problems in the forms, all of them: ``表单中有 N 个问题：`` and one line per cell."""

    def __init__(self, problems: list[Problem]):
        ProblemsError.__init__(self, problems, "表单")


@attrs.frozen
class FormsRead:
    """The tables read (rows of text as jixiao's CSV holds them) and the warnings."""

    projects: list[dict]
    indicators: list[dict]
    evaluations: list[dict]
    warnings: list[Problem]
    sheets: int

    def frames(self) -> dict[str, pl.DataFrame]:
        out = {"projects": pl.DataFrame(self.projects, schema=dict.fromkeys(PROJECT_COLUMNS, pl.String))}
        if self.indicators:
            out["indicators"] = pl.DataFrame(self.indicators, schema=dict.fromkeys(INDICATOR_COLUMNS, pl.String))
        if self.evaluations:
            out["evaluations"] = pl.DataFrame(self.evaluations, schema=dict.fromkeys(EVALUATION_COLUMNS, pl.String))
        return out


def form_files(path: Path) -> tuple[list[Path], list[Problem]]:
    """A workbook, or the workbooks of a folder (not its subfolders), by name. Excel's ``~$`` lock
    files are passed over with a warning; another file type in the folder is an error."""
    if not path.is_dir():
        return [path], []
    files, problems = [], []
    for f in sorted(path.iterdir()):
        if f.is_dir() or f.name.startswith("."):
            continue
        if f.name.startswith("~$"):
            problems.append(Problem(str(f), "Excel 打开工作簿时留下的锁定文件，未读取", severity="warning"))
        elif f.suffix.lower() in (".xlsx", ".xlsm"):
            files.append(f)
        else:
            problems.append(Problem(str(f), "文件夹中只应有表单工作簿（.xlsx）；这个文件未读取", value=f.suffix or f.name,
                                    severity="warning"))
    if not files:
        problems.append(Problem(str(path), "文件夹中没有 .xlsx 工作簿"))
    return files, problems


def read_forms(path: Path, kind: str, equal_tolerance: Decimal = DEFAULT_EQUAL_TOLERANCE,
               amounts_in: str | None = None) -> FormsRead:
    """Every form under ``path``; raises ``InputError`` with every problem found."""
    if kind not in KINDS:
        raise ValueError(kind)
    files, problems = form_files(Path(path))
    reader = SheetReader(kind, equal_tolerance, amounts_in, problems, str(path))
    for f in files:
        try:
            sheets = read_workbook(f)
        except InputError as exc:
            problems.extend(exc.problems)
            continue
        for sheet in sheets:
            reader.sheet(sheet)
    reader.finish()
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise FormError(errors)
    return FormsRead(reader.projects, reader.indicators, reader.evaluations,
                     [p for p in problems if p.severity != "error"], reader.read)


def convert_forms(source: Path, output: Path, kind: str, fmt: str = "csv",
                  equal_tolerance: Decimal = DEFAULT_EQUAL_TOLERANCE, amounts_in: str | None = None):
    """Read the forms under ``source`` and write them as a portfolio folder: the CSVs ``jixiao
    sample`` writes (``fmt="csv"``) or jixiao's typed Parquet (``"parquet"``). The tables are loaded
    back with ``load_portfolio`` before anything is written, so the folder holds only what ``jixiao
    run`` reads without an error. Returns (the portfolio, what was read)."""
    import tempfile

    from jixiao.core.outputs.files import check_target
    from jixiao.core.load import load_portfolio
    from jixiao.core.outputs.portfolio_files import write_portfolio, write_typed

    if output.suffix:
        raise InputError([Problem(str(output), "转换结果是一个文件夹（每张表一个文件）：请给不带扩展名的文件夹名",
                                  value=output.suffix)])
    check_target(output, folder=True)
    read = read_forms(source, kind, equal_tolerance, amounts_in)
    frames = read.frames()
    with tempfile.TemporaryDirectory(prefix="jixiao-forms-") as tmp:
        for name, frame in frames.items():
            frame.write_csv(Path(tmp) / f"{name}.csv")
        try:
            folio = load_portfolio(tmp, amounts_in="元")
        except InputError as exc:  # what the forms gave does not make a valid portfolio (a 资金性质 …)
            raise InputError([attrs.evolve(p, file=f"{KINDS[kind]}转换结果 {Path(p.file).name}") for p in exc.problems]) from None
    if fmt == "parquet":
        write_typed(folio, output)
    else:
        write_portfolio(folio, output)  # the CSVs ``jixiao sample`` writes, amounts in 元
    return folio, read
