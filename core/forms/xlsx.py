"""The cells of an .xlsx workbook as written, with its merged ranges, read from its XML.

A form is small and laid out by hand, so every cell is read: strings as text, numbers as the exact
shortest decimal form of the double the file stores (``1234.56``, as typed; never a float), booleans as 是/否. Merged ranges are kept, so a
form's 一级/二级 columns can be filled down. The sheet XML is read with the standard library's
parser, which resolves no external entity; a sheet larger than ``MAX_SHEET_BYTES`` is refused.
"""

from __future__ import annotations

import re
import zipfile
from decimal import Decimal, InvalidOperation
from pathlib import Path
from xml.etree import ElementTree

import attrs

from jixiao.core.errors import InputError, Problem

MAX_SHEET_BYTES = 20_000_000  # a form is a few hundred cells; anything this large is no form
MAX_CELLS = 200_000
_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REF = re.compile(r"([A-Z]{1,3})(\d{1,7})")


@attrs.frozen
class Cell:
    text: str  # as written: a string's text, a number's value as text
    number: Decimal | None = None  # a numeric cell's value: its double's shortest repr, exactly


@attrs.frozen
class Sheet:
    file: str
    name: str
    cells: dict[tuple[int, int], Cell]  # (row, column), 1-based
    merged: tuple[tuple[int, int, int, int], ...]  # (row1, col1, row2, col2)

    def text(self, row: int, col: int) -> str:
        cell = self.cells.get((row, col))
        return cell.text if cell else ""

    def merged_at(self, row: int, col: int) -> tuple[int, int, int, int] | None:
        for m in self.merged:
            if m[0] <= row <= m[2] and m[1] <= col <= m[3]:
                return m
        return None

    def value(self, row: int, col: int) -> Cell | None:
        """The cell's value, or for a cell inside a merged range the value of the range's first cell."""
        m = self.merged_at(row, col)
        if m:
            return self.cells.get((m[0], m[1]))
        return self.cells.get((row, col))

    @property
    def rows(self) -> int:
        return max((r for r, _c in self.cells), default=0)

    @property
    def columns(self) -> int:
        return max((c for _r, c in self.cells), default=0)


def column_letters(n: int) -> str:
    out = ""
    while n > 0:
        n, rest = divmod(n - 1, 26)
        out = chr(65 + rest) + out
    return out


def _column_number(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def _refused(path: Path, why: str) -> InputError:
    return InputError([Problem(str(path), why)])


def read_workbook(path: Path) -> list[Sheet]:
    """Every sheet of the workbook, in order. A file that is no .xlsx workbook is one sentence."""
    if path.suffix.lower() in (".xls", ".et", ".wps", ".ods"):
        raise _refused(path, f"{path.suffix} 文件不能按表格读取：请在 Excel 或 WPS 中另存为 .xlsx")
    try:
        with zipfile.ZipFile(path) as z:
            names = set(z.namelist())
            book = z.read("xl/workbook.xml").decode("utf-8", "replace")
            rels = z.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace")
            shared = _shared_strings(z) if "xl/sharedStrings.xml" in names else []
            sheets = []
            unsaved: list[Problem] = []  # formula cells without a computed result, in every sheet
            for name, part in _sheet_parts(book, rels):
                if part not in names:
                    continue
                if z.getinfo(part).file_size > MAX_SHEET_BYTES:
                    raise _refused(path, f"工作表 {name} 过大，不是一张表单（表单只有几百个单元格）")
                sheets.append(_read_sheet(path, name, z.read(part), shared, unsaved))
    except (zipfile.BadZipFile, KeyError, EOFError, ElementTree.ParseError, ValueError, OSError):
        raise _refused(path, "不是可读取的 .xlsx 工作簿（可能已损坏、加了密码，或是改了扩展名的其他文件）："
                             "请在 Excel 或 WPS 中打开后另存为 .xlsx") from None
    if unsaved:
        raise InputError(unsaved)
    return sheets


def _sheet_parts(book: str, rels: str) -> list[tuple[str, str]]:
    """The sheets the workbook's index names a part for (the loader's reading of the index)."""
    from jixiao.core.load.read_xlsx import workbook_sheets

    return [(name, part) for name, part in workbook_sheets(book, rels) if part is not None]


def _text_of(elem) -> str:
    """A string item's text: its <t>, or the <t> of each rich-text run (phonetic runs left out)."""
    parts = []
    for child in elem:
        tag = child.tag.removeprefix(_NS)
        if tag == "t":
            parts.append(child.text or "")
        elif tag == "r":
            for t in child:
                if t.tag.removeprefix(_NS) == "t":
                    parts.append(t.text or "")
    return "".join(parts)


def _shared_strings(z: zipfile.ZipFile) -> list[str]:
    info = z.getinfo("xl/sharedStrings.xml")
    if info.file_size > MAX_SHEET_BYTES:
        raise ValueError("shared strings too large")
    root = ElementTree.fromstring(z.read("xl/sharedStrings.xml"))
    return [_text_of(si) for si in root if si.tag.removeprefix(_NS) == "si"]


def _read_sheet(path: Path, name: str, data: bytes, shared: list[str], unsaved: list[Problem]) -> Sheet:
    """The sheet's cells; a formula cell whose workbook holds no computed result is added to
    ``unsaved`` (read as empty, a form's amount or total would vanish)."""
    from jixiao.core.load.columns import _shown
    from jixiao.core.load.read_xlsx import UNSAVED_FORMULA

    root = ElementTree.fromstring(data)
    cells: dict[tuple[int, int], Cell] = {}
    for c in root.iter(f"{_NS}c"):
        ref = _REF.fullmatch(c.get("r", ""))
        if not ref:
            raise ValueError("cell without a reference")
        pos = (int(ref.group(2)), _column_number(ref.group(1)))
        kind = c.get("t", "n")
        v = c.find(f"{_NS}v")
        if kind == "inlineStr":
            is_ = c.find(f"{_NS}is")
            text = _text_of(is_) if is_ is not None else ""
            cell = Cell(text)
        elif v is None or v.text is None:
            f = c.find(f"{_NS}f")
            if f is not None and not (v is not None and kind in ("str", "s")):  # "str" with <v></v>: an empty result
                unsaved.append(Problem(str(path), UNSAVED_FORMULA, sheet=name, row=pos[0], column=ref.group(1),
                                       value=_shown("=" + (f.text or ""))))
            continue
        elif kind == "s":
            cell = Cell(shared[int(v.text)])
        elif kind in ("str", "e"):
            cell = Cell(v.text)
        elif kind == "b":
            cell = Cell("是" if v.text.strip() == "1" else "否")
        else:
            try:
                # A number cell holds a double; its XML text is one decimal form of it (xlsxwriter
                # writes 92.1 as 92.09999999999999). The double's shortest repr is what was typed,
                # as jixiao's loader reads numeric cells: 99.99999999999 stays 99.99999999999.
                shown = repr(float(v.text.strip())).removesuffix(".0")
                number = Decimal(shown)
            except (InvalidOperation, ValueError):
                raise ValueError("bad number") from None
            shown = f"{number:f}" if number.is_finite() else v.text.strip()
            cell = Cell(shown, number if number.is_finite() else None)  # 9 as "9", 1e-05 as "0.00001"
        if cell.text.strip() or cell.number is not None:
            cells[pos] = cell
        if len(cells) > MAX_CELLS:
            raise _refused(path, f"工作表 {name} 的单元格过多，不是一张表单")
    merged = []
    for m in root.iter(f"{_NS}mergeCell"):
        ref = m.get("ref", "")
        parts = ref.split(":")
        a, b = _REF.fullmatch(parts[0]), _REF.fullmatch(parts[-1])
        if a and b:
            merged.append((int(a.group(2)), _column_number(a.group(1)), int(b.group(2)), _column_number(b.group(1))))
    return Sheet(str(path), name, cells, tuple(merged))
