"""XLSX for people: the workbooks of ``run --format xlsx``, ``compare --format xlsx`` and the demo.

Every sheet is a table a finance office works in:

- each cell has its type. An amount is a number cell holding the exact 元 value, written from
  integer fen as its decimal text (``-107280.00``, never through a float), formatted
  ``#,##0.00;[Red]-#,##0.00`` under a header that says (元). Counts are numbers (``#,##0``), a
  year a number without a thousands separator, a date a date cell (``yyyy-mm-dd``), a score a
  number with two decimals, yes/no 是/否. Sum, sort and filter work.
- the header row is frozen and bold, an autofilter covers the data, column widths fit the text
  (a CJK character counts as two), and a 合计 row under the money columns whose sum means
  something holds the exact total of all rows: a value computed from the fen, not a formula,
  below the filter range.
- every text is an inline string: nothing from the data is ever a formula or a link (a cell that
  starts with ``=``, ``+``, ``-``, ``@``, a tab or a CR is text like any other).
- rows are streamed: each sheet's XML is made by polars a chunk of rows at a time and written
  straight into the zip archive, so a sheet of a million rows costs little beyond the data the
  run already holds; ``progress(sheet, done, total)`` is called after each chunk.

The workbook is the minimal SpreadsheetML package (ECMA-376): content types, the workbook and its
relationships, the styles and one part per sheet. The cells, their kinds, widths and XML, are
``workbook_cells``.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path

import polars as pl

from jixiao.core.outputs.workbook_cells import (Column, DATE_FORMAT, MAX_WIDTH, MIN_WIDTH, S_GROUP, S_HEADER, S_KIND,
                                                S_TOTAL, S_TOTAL_LABEL, YUAN_FORMAT, _cell_xml, column_letter,
                                                column_widths, display_width, fen_text, _number_cell, rows_fit,
                                                _text_cell, xml_texts)


CHUNK = 10_000  # rows made into XML at a time

Progress = Callable[[str, int, int], None]

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006"
CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"
HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


class Book:
    """A workbook written as it goes: ``table`` and ``pairs`` stream a sheet into the archive;
    leaving the ``with`` block without an error writes the workbook parts and closes it."""

    def __init__(self, path: Path):
        # deflate level 1: fast, and about the size xlsxwriter's files had
        self.zip = zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1)
        self.sheets: list[tuple[str, str | None]] = []  # name, filter range

    def __enter__(self) -> Book:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self._finish()
        self.zip.close()

    def _sheet(self, name: str, *, widths: Sequence[int], head: int, freeze_columns: int, dims: str,
               filter_ref: str | None, merges: Sequence[str], rows: Callable[[Callable[[str], None]], None]) -> None:
        index = len(self.sheets)
        self.sheets.append((name, filter_ref))
        with self.zip.open(_entry(f"xl/worksheets/sheet{index + 1}.xml"), "w", force_zip64=True) as raw:
            def put(text: str) -> None:
                raw.write(text.encode("utf-8"))

            top_left = f"{column_letter(freeze_columns)}{head + 1}"
            pane_name = "bottomRight" if freeze_columns else "bottomLeft"
            x_split = f' xSplit="{freeze_columns}"' if freeze_columns else ""
            selected = ' tabSelected="1"' if index == 0 else ""
            put(f'{HEAD}<worksheet xmlns="{NS}" xmlns:r="{NS_R}"><dimension ref="{dims}"/>'
                f'<sheetViews><sheetView workbookViewId="0"{selected}>'
                f'<pane{x_split} ySplit="{head}" topLeftCell="{top_left}" activePane="{pane_name}" state="frozen"/>'
                f'<selection pane="{pane_name}" activeCell="{top_left}" sqref="{top_left}"/></sheetView></sheetViews>'
                f'<sheetFormatPr defaultRowHeight="15"/><cols>'
                + "".join(f'<col min="{i + 1}" max="{i + 1}" width="{w}" customWidth="1"/>' for i, w in enumerate(widths))
                + "</cols><sheetData>")
            rows(put)
            put("</sheetData>")
            if filter_ref:
                put(f'<autoFilter ref="{filter_ref}"/>')
            if merges:
                put(f'<mergeCells count="{len(merges)}">' + "".join(f'<mergeCell ref="{m}"/>' for m in merges)
                    + "</mergeCells>")
            put('<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/></worksheet>')

    def table(self, name: str, frame: pl.DataFrame, columns: Sequence[Column], *, total_label: str = "合计",
              freeze_columns: int = 0, progress: Progress | None = None) -> None:
        """``frame`` as the sheet ``name`` with ``columns``: header (and group) rows frozen, a
        filter over the data, widths that fit, a 合计 row under the ``total`` columns."""
        if not rows_fit(frame.height, columns):
            raise ValueError(f"{frame.height} rows do not fit in a worksheet")  # callers say it in a user's words
        if columns[0].total:
            raise ValueError("the first column holds the 合计 label; it cannot be a total")
        n, ncols = frame.height, len(columns)
        grouped = any(c.group for c in columns)
        head = 2 if grouped else 1
        totals = any(c.total for c in columns)
        letters = [column_letter(i) for i in range(ncols)]
        last = head + n + (1 if totals else 0)
        merges = []
        group_cells = []
        if grouped:
            i = 0
            while i < ncols:
                j = i
                while j + 1 < ncols and columns[j + 1].group == columns[i].group:
                    j += 1
                if columns[i].group and j > i:
                    merges.append(f"{letters[i]}1:{letters[j]}1")
                if columns[i].group:
                    group_cells.append(_text_cell(f"{letters[i]}1", xml_texts([columns[i].group])[0], S_GROUP))
                else:
                    group_cells.append(f'<c r="{letters[i]}1" s="{S_GROUP}"/>')
                group_cells += [f'<c r="{letters[k]}1" s="{S_GROUP}"/>' for k in range(i + 1, j + 1)]
                i = j + 1
        headers = xml_texts([c.header for c in columns])
        sums = (frame.select([c.expr.sum().alias(f"s{i}") for i, c in enumerate(columns) if c.total]).row(0)
                if totals else ())
        cells = [_cell_xml(c, letters[i], pl.col("_r")).alias(f"c{i}") for i, c in enumerate(columns)]

        def rows(put: Callable[[str], None]) -> None:
            if grouped:
                put('<row r="1">' + "".join(group_cells) + "</row>")
            put(f'<row r="{head}">' + "".join(_text_cell(f"{letters[i]}{head}", h, S_HEADER)
                                              for i, h in enumerate(headers)) + "</row>")
            if progress:
                progress(name, 0, n)
            for start in range(0, n, CHUNK):
                chunk = frame.slice(start, CHUNK).with_columns(
                    (pl.int_range(pl.len(), dtype=pl.Int64) + (start + head + 1)).cast(pl.String).alias("_r"))
                xml = chunk.select(pl.concat_str([pl.lit('<row r="'), pl.col("_r"), pl.lit('">'), *cells,
                                                  pl.lit("</row>")], ignore_nulls=True).str.join(""))
                put(xml.item())
                if progress:
                    progress(name, min(start + CHUNK, n), n)
            if totals:
                r = head + n + 1
                out = [_text_cell(f"A{r}", xml_texts([f"{total_label}（全部 {n:,} 行）"])[0], S_TOTAL_LABEL)]
                k = 0
                for i, c in enumerate(columns[1:], start=1):
                    if c.total:
                        value = int(sums[k] or 0)
                        k += 1
                        text = fen_text(value) if c.kind == "yuan" else str(value)
                        out.append(_number_cell(f"{letters[i]}{r}", text, S_TOTAL["yuan" if c.kind == "yuan" else "count"]))
                    else:
                        out.append(f'<c r="{letters[i]}{r}" s="{S_TOTAL_LABEL}"/>')
                put(f'<row r="{r}">' + "".join(out) + "</row>")

        self._sheet(name, widths=column_widths(frame, columns), head=head, freeze_columns=freeze_columns,
                    dims=f"A1:{letters[-1]}{last}", filter_ref=f"A{head}:{letters[-1]}{head + n}", merges=merges,
                    rows=rows)

    def pairs(self, name: str, rows: Sequence[tuple[str, object, str]], headers: tuple[str, str] = ("项目", "值")) -> None:
        """A sheet of labels and values, each value a cell of its kind: ``yuan`` (integer fen) and
        ``count`` numbers, anything else text."""
        label_w = max([display_width(headers[0])] + [display_width(r[0]) for r in rows])
        value_w = display_width(headers[1])
        for _, v, kind in rows:
            shown = f"{int(v) // 100:,}.00" if kind == "yuan" else (f"{int(v):,}" if kind == "count" else str(v))
            value_w = max(value_w, display_width(shown) + (1 if kind == "yuan" else 0))
        texts = xml_texts([*headers, *(r[0] for r in rows), *(str(r[1]) for r in rows)])
        head_t, labels, values = texts[:2], texts[2:2 + len(rows)], texts[2 + len(rows):]

        def put_rows(put: Callable[[str], None]) -> None:
            put('<row r="1">' + _text_cell("A1", head_t[0], S_HEADER) + _text_cell("B1", head_t[1], S_HEADER) + "</row>")
            for i, (_, value, kind) in enumerate(rows, start=2):
                cell = ""
                if value is not None:
                    if kind in ("yuan", "count"):
                        cell = _number_cell(f"B{i}", fen_text(value) if kind == "yuan" else str(int(value)), S_KIND[kind])
                    else:
                        cell = _text_cell(f"B{i}", values[i - 2])
                put(f'<row r="{i}">' + _text_cell(f"A{i}", labels[i - 2]) + cell + "</row>")

        widths = [min(MAX_WIDTH, max(MIN_WIDTH, label_w + 2)), min(MAX_WIDTH, max(MIN_WIDTH, value_w + 2))]
        self._sheet(name, widths=widths, head=1, freeze_columns=0, dims=f"A1:B{len(rows) + 1}", filter_ref=None,
                    merges=(), rows=put_rows)

    def _finish(self) -> None:
        n = len(self.sheets)
        names = xml_texts([s for s, _ in self.sheets])
        sheet_type = f"{CT}.worksheet+xml"
        self.zip.writestr(_entry("[Content_Types].xml"), HEAD + f'<Types xmlns="{PKG}/content-types">'
                          f'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                          '<Default Extension="xml" ContentType="application/xml"/>'
                          f'<Override PartName="/xl/workbook.xml" ContentType="{CT}.sheet.main+xml"/>'
                          f'<Override PartName="/xl/styles.xml" ContentType="{CT}.styles+xml"/>'
                          + "".join(f'<Override PartName="/xl/worksheets/sheet{i + 1}.xml" ContentType="{sheet_type}"/>'
                                    for i in range(n))
                          + "</Types>")
        self.zip.writestr(_entry("_rels/.rels"), HEAD + f'<Relationships xmlns="{PKG}/relationships">'
                          f'<Relationship Id="rId1" Type="{NS_R}/officeDocument" Target="xl/workbook.xml"/>'
                          "</Relationships>")
        self.zip.writestr(_entry("xl/_rels/workbook.xml.rels"), HEAD + f'<Relationships xmlns="{PKG}/relationships">'
                          + "".join(f'<Relationship Id="rId{i + 1}" Type="{NS_R}/worksheet" '
                                    f'Target="worksheets/sheet{i + 1}.xml"/>' for i in range(n))
                          + f'<Relationship Id="rId{n + 1}" Type="{NS_R}/styles" Target="styles.xml"/>'
                          "</Relationships>")
        filters = "".join(
            f'<definedName name="_xlnm._FilterDatabase" localSheetId="{i}" hidden="1">'
            f"'{names[i].replace(chr(39), chr(39) * 2)}'!{_absolute(ref)}</definedName>"
            for i, (_, ref) in enumerate(self.sheets) if ref)
        self.zip.writestr(_entry("xl/workbook.xml"), HEAD + f'<workbook xmlns="{NS}" xmlns:r="{NS_R}">'
                          '<bookViews><workbookView/></bookViews><sheets>'
                          + "".join(f'<sheet name="{names[i]}" sheetId="{i + 1}" r:id="rId{i + 1}"/>' for i in range(n))
                          + "</sheets>" + (f"<definedNames>{filters}</definedNames>" if filters else "") + "</workbook>")
        self.zip.writestr(_entry("xl/styles.xml"), STYLES)


def _entry(name: str) -> zipfile.ZipInfo:
    """An archive member with a fixed date: the same findings give the same bytes."""
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    info._compresslevel = 1  # (compress_level from Python 3.13 on is the same slot)
    info.external_attr = 0o644 << 16
    return info


def _absolute(ref: str) -> str:
    """``A2:C9`` → ``$A$2:$C$9``."""
    import re

    return ":".join(re.sub(r"([A-Z]+)(\d+)", r"$\1$\2", part) for part in ref.split(":"))


STYLES = (HEAD + f'<styleSheet xmlns="{NS}">'
          f'<numFmts count="2"><numFmt numFmtId="164" formatCode="{YUAN_FORMAT}"/>'
          f'<numFmt numFmtId="165" formatCode="{DATE_FORMAT}"/></numFmts>'
          '<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
          '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
          '<fills count="4"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>'
          '<fill><patternFill patternType="solid"><fgColor rgb="FFDDEBF7"/><bgColor indexed="64"/></patternFill></fill>'
          '<fill><patternFill patternType="solid"><fgColor rgb="FFBDD7EE"/><bgColor indexed="64"/></patternFill></fill></fills>'
          '<borders count="3"><border><left/><right/><top/><bottom/><diagonal/></border>'
          '<border><left style="thin"><color auto="1"/></left><right style="thin"><color auto="1"/></right>'
          '<top style="thin"><color auto="1"/></top><bottom style="thin"><color auto="1"/></bottom><diagonal/></border>'
          '<border><left/><right/><top style="thin"><color auto="1"/></top><bottom/><diagonal/></border></borders>'
          '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
          '<cellXfs count="11">'
          '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
          '<xf numFmtId="0" fontId="1" fillId="2" borderId="1" xfId="0" applyFont="1" applyFill="1" applyBorder="1" applyAlignment="1">'
          '<alignment vertical="center" wrapText="1"/></xf>'
          '<xf numFmtId="0" fontId="1" fillId="3" borderId="1" xfId="0" applyFont="1" applyFill="1" applyBorder="1" applyAlignment="1">'
          '<alignment horizontal="center" vertical="center"/></xf>'
          '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
          '<xf numFmtId="3" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
          '<xf numFmtId="1" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
          '<xf numFmtId="2" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
          '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
          '<xf numFmtId="0" fontId="1" fillId="0" borderId="2" xfId="0" applyFont="1" applyBorder="1"/>'
          '<xf numFmtId="164" fontId="1" fillId="0" borderId="2" xfId="0" applyNumberFormat="1" applyFont="1" applyBorder="1"/>'
          '<xf numFmtId="3" fontId="1" fillId="0" borderId="2" xfId="0" applyNumberFormat="1" applyFont="1" applyBorder="1"/>'
          '</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
          "</styleSheet>")
