"""Where a form's cell is, and the problems a reader records at it (file, sheet, row, column, value)."""

from __future__ import annotations

from jixiao.core.errors import Problem
from jixiao.core.forms.parse import decimal_text
from jixiao.core.forms.xlsx import Cell, Sheet, column_letters


def where(sheet: Sheet, row: int, col: int, header: str | None = None) -> dict:
    """A cell's place as a ``Problem`` names it: file, sheet, row and column (its letters, and its header)."""
    letters = column_letters(col)
    return {"file": sheet.file, "sheet": sheet.name, "row": row,
            "column": f"{letters}（{header}）" if header else letters}


def points_text(cell: Cell | None) -> str:
    """A 分值/得分 cell's text: a number as its exact decimal text."""
    if cell is None:
        return ""
    return decimal_text(cell.number) if cell.number is not None else cell.text


class SheetCells:
    """The problems of a sheet's cells, recorded in ``problems``: the base of the reader's parts."""

    problems: list[Problem]

    def bad(self, sheet: Sheet, row: int, col: int, header: str | None, message: str, value: str | None) -> None:
        self.problems.append(Problem(message=message, value=value, **where(sheet, row, col, header)))

    def warn(self, sheet: Sheet, message: str, row: int | None = None, col: int | None = None,
             header: str | None = None, value: str | None = None) -> None:
        at = where(sheet, row, col, header) if row is not None and col is not None else {
            "file": sheet.file, "sheet": sheet.name}
        self.problems.append(Problem(message=message, value=value, severity="warning", **at))

    def _text(self, found) -> tuple[int, int, str] | None:
        if found is None:
            return None
        r, c, cell = found
        return r, c, cell.text.strip() if cell else ""
