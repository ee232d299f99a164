"""Reading an XLSX (or XLS) workbook into raw text tables: one sheet per table, the header found
under title and unit rows, amounts read exactly as typed."""

from __future__ import annotations

import difflib
from pathlib import Path

import polars as pl

from jixiao.core.errors import InputError, Problem
from jixiao.core.load.columns import ROW, ROW_DTYPE, _first_line, _shown, _with_rows
from jixiao.core.load.model import Origin
from jixiao.core.load.raw import HEADER_SEARCH_ROWS, _Raw, _check_reserved, _header_row_of, _map_headers, _title_rows_note
from jixiao.core.load.xlsx_scan import _Scan, _column_letters, _scan_sheet
from jixiao.core.schema import Table, TABLE_ALIASES, TABLES


XLSX_MAX_CELLS = 40_000_000  # a sheet's cell grid, rows × columns, read at most (about 1.3 GB)


def _xlsx_problem(path: Path, head: bytes) -> Problem:
    """Why a file named .xlsx is not a workbook, in a user's words."""
    name = path.name
    if not head:
        return Problem(str(path), "文件是空的")
    if name.startswith("~$"):
        return Problem(str(path), "这是 Excel 打开工作簿时生成的锁定文件（名称以 ~$ 开头），不是工作簿；"
                                  "请指定工作簿本身（去掉 ~$ 的文件名）")
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return Problem(str(path), "这是设有密码（加密）的工作簿，无法读取：请在 Excel 中打开，"
                                  "取消密码（文件 → 信息 → 保护工作簿）后另存为 .xlsx")
    if head.startswith(b"PK"):
        return Problem(str(path), "工作簿已损坏或不完整（下载中断？）：请重新下载，或在 Excel 中打开后重新保存为 .xlsx")
    return Problem(str(path), "这不是 XLSX 工作簿（不是 zip 压缩包：是改了扩展名的 CSV 或其他文件？）；"
                              "请提供工作簿本身，或把 CSV 文件命名为 .csv")


def _is_xls_cfb(path: Path) -> bool:
    """Whether a CFB file is an old .xls workbook (a ``Workbook`` or ``Book`` stream and no
    encryption). An OOXML workbook saved with a password is a CFB file holding an
    ``EncryptedPackage`` stream instead."""
    with open(path, "rb") as fh:
        data = fh.read(1 << 20)
    if any(n.encode("utf-16-le") in data for n in ("EncryptedPackage", "EncryptionInfo")):
        return False
    return any(n.encode("utf-16-le") + b"\0\0" in data for n in ("Workbook", "Book"))


def workbook_sheets(book: str, rels: str) -> list[tuple[str, str | None]]:
    """(name, XML part in the zip) of each sheet listed in a workbook's index (``xl/workbook.xml``
    and its relationships), in order; the part is None when the index names no target."""
    import html
    import re

    targets = {}
    for rel in re.findall(r"<Relationship\b[^>]*>", rels):
        rid, target = re.search(r'\bId="([^"]*)"', rel), re.search(r'\bTarget="([^"]*)"', rel)
        if rid and target:
            t = target.group(1)
            targets[rid.group(1)] = t.lstrip("/") if t.startswith("/") else "xl/" + t
    out = []
    for tag in re.findall(r"<(?:\w+:)?sheet\b[^>]*>", book):
        name, rid = re.search(r'\bname="([^"]*)"', tag), re.search(r'\br:id="([^"]*)"', tag)
        if name:
            out.append((html.unescape(name.group(1)), targets.get(rid.group(1)) if rid else None))
    return out


def _xlsx_sheets(path: Path) -> dict[str, str | None]:
    """Each sheet's name → its XML part in the zip, read from the workbook's index, without loading
    any cell."""
    import zipfile

    head = b""
    try:
        with open(path, "rb") as fh:
            head = fh.read(8)
        with zipfile.ZipFile(path) as z:
            book = z.read("xl/workbook.xml").decode("utf-8", "replace")
            rels = z.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace")
            names = set(z.namelist())
    except (zipfile.BadZipFile, KeyError, OSError, EOFError, ValueError):
        raise InputError([_xlsx_problem(path, head)]) from None
    return {name: part if part in names else None for name, part in workbook_sheets(book, rels)}


def _read_xlsx(path: Path, warnings: list[Problem] | None = None) -> list[_Raw]:
    """The sheets named after tables, and only those: the others are listed, not loaded (a single
    sheet with another name is read as the projects table when its header has the project columns).
    Every sheet read is scanned first, and refused when its cells span more than ``XLSX_MAX_CELLS``."""
    import zipfile

    with open(path, "rb") as fh:
        head = fh.read(8)
    if head.startswith(b"\xd0\xcf\x11\xe0") and not path.name.startswith("~$") and _is_xls_cfb(path):
        return _read_xls(path, warnings, path.read_bytes())  # an .xls workbook renamed .xlsx
    sheets = _xlsx_sheets(path)
    plan, problems = _plan_sheets(path, list(sheets))
    scans = {}
    with zipfile.ZipFile(path) as z:
        for sheet, _table, _guess in plan:
            part = sheets[sheet]
            if part is None:
                continue
            scan = _scan_sheet(z, part)
            if scan.cells > XLSX_MAX_CELLS:
                raise InputError([Problem(str(path), f"工作表的单元格范围 {scan.ref()} 共 {scan.cells:,} 个单元格，超过 "
                                                     f"jixiao 读取的上限（{XLSX_MAX_CELLS:,}）：请删除远处的单元格"
                                                     "（Ctrl+End 可定位到最后一个），或把这张表另存为 CSV", sheet=sheet)])
            scans[sheet] = scan
    return _read_book(path, plan, problems, scans, warnings)


def _read_xls(path: Path, warnings: list[Problem] | None = None, data: bytes | None = None) -> list[_Raw]:
    """An Excel 97–2003 workbook (.xls), read by the same reader; its grid is at most 65 536 × 256.
    ``data``: the file's bytes, for an .xls file named .xlsx (the reader goes by the extension)."""
    import fastexcel

    try:
        names = fastexcel.read_excel(data if data is not None else str(path)).sheet_names
    except Exception:
        with open(path, "rb") as fh:
            head = fh.read(8)
        why = ("文件是空的" if not head else
               "无法读取这个 .xls 工作簿（设有密码，或已损坏）：请在 Excel 或 WPS 中打开，另存为不设密码的 .xlsx")
        raise InputError([Problem(str(path), why)]) from None
    plan, problems = _plan_sheets(path, names)
    return _read_book(path, plan, problems, {}, warnings, data)


def _plan_sheets(path: Path, names: list[str]) -> tuple[list[tuple[str, str, bool]], list[Problem]]:
    """(sheet, table, guessed) for each sheet to read, and warnings for the others. ``guessed``: the
    workbook has no sheet named 项目/projects and this is its one sheet with another name (Sheet1),
    read as projects if its header has the project columns."""
    known = "、".join(f"{t.zh}（{t.name}）" for t in TABLES.values())
    wanted, others, problems = [], [], []
    for sheet in names:
        table = TABLE_ALIASES.get(sheet.strip())
        if table is None:
            others.append(sheet)
        else:
            wanted.append((sheet, table, False))
    if not any(t == "projects" for _, t, _ in wanted):
        if len(others) != 1:
            found = "、".join(names) or "无"
            raise InputError([Problem(str(path), f"工作簿中没有名为“项目”（projects）的工作表（现有工作表：{found}）；"
                                                 "请把项目表所在的工作表改名为“项目”")])
        wanted.insert(0, (others.pop(), "projects", True))
    for sheet in others:
        close = difflib.get_close_matches(sheet.strip(), list(TABLE_ALIASES), n=1, cutoff=0.4)
        hint = f"是否想写“{close[0]}”？" if close else ""
        problems.append(Problem(str(path), f"未读取这张工作表：名称不是表名；{hint}（表名可以是：{known}）",
                                sheet=sheet, severity="warning"))
    return wanted, problems


def _read_book(path: Path, plan: list[tuple[str, str, bool]], problems: list[Problem], scans: dict[str, _Scan],
               warnings: list[Problem] | None, data: bytes | None = None) -> list[_Raw]:
    import re

    import fastexcel

    try:
        book = fastexcel.read_excel(data if data is not None else str(path))
        grids = {sheet: book.load_sheet(sheet, header_row=None, dtypes="string").to_polars() for sheet, _, _ in plan}
    except Exception as exc:
        line = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        detail = _shown(re.sub(r"^(calamine error: )?(Xlsx|Xls|Xlsb|Ods) error: ", "", line))
        raise InputError([Problem(str(path), "工作簿的内容已损坏，无法读取：请在 Excel 中打开后重新保存为 .xlsx"
                                             f"（读取器的说明：{detail}）")]) from None
    raws = []
    for sheet, table, guessed in plan:
        scan = scans.get(sheet)
        raw, notes = _sheet_raw(path, book, sheet, TABLES[table], grids[sheet], scan)
        if guessed:
            names = set(_map_headers(TABLES["projects"], list(raw.frame.columns))[0].values())
            needed = [c for c in TABLES["projects"].columns if c.required and c.name not in names]
            if needed:
                raise InputError([Problem(str(path), "工作簿中没有名为“项目”（projects）的工作表（现有工作表："
                                                     f"{'、'.join(s for s, _, _ in plan)}），这张表的表头也没有项目表的列"
                                                     f"（缺少 {'、'.join(c.zh for c in needed)}）；请把项目表所在的工作表改名为“项目”",
                                          sheet=sheet)])
            notes.append(Problem(str(path), "工作簿中没有名为“项目”的工作表；这是唯一的工作表，表头有项目表的列，"
                                            "按项目表读取", sheet=sheet, severity="warning"))
        problems.extend(notes)
        raws.append(raw)
    if warnings is not None:
        warnings.extend(problems)
    return raws


def _sheet_raw(path: Path, book, sheet: str, table: Table, grid: pl.DataFrame, scan: _Scan | None
               ) -> tuple[_Raw, list[Problem]]:
    """A sheet's grid (every cell as text, no header) as a raw table: the header row found (title and
    unit rows above it skipped, a stated unit kept), rows numbered as the spreadsheet shows them."""
    file, notes = str(path), []
    first_row, first_col = scan.first if scan is not None and scan.first else (1, 1)
    if grid.height == 0 or grid.width == 0:
        return _Raw(table.name, _with_rows(pl.DataFrame()), Origin(file, sheet)), notes
    h = _header_row_of(grid.head(HEADER_SEARCH_ROWS).iter_rows(), table)
    unit = None
    if h:
        unit, said = _title_rows_note(file, sheet, list(grid.head(h).iter_rows()), first_row + h)
        notes += said
    header = ["" if v is None else str(v).strip() for v in grid.row(h)]
    body = grid.slice(h + 1)
    rows = pl.int_range(first_row + h + 1, first_row + h + 1 + body.height, dtype=ROW_DTYPE, eager=True).alias(ROW)
    keep, names, seen = [], [], set()
    for i, name in enumerate(header):
        letter = _column_letters(first_col + i)
        if not name:
            if body.height and body[:, i].drop_nulls().str.strip_chars().ne("").any():
                notes.append(Problem(file, f"第 {letter} 列有数据但没有表头，未读取", sheet=sheet, column=letter,
                                     severity="warning"))
            continue
        if name in seen:
            raise InputError([Problem(file, "表头中这一列写了两次；请只保留一列", sheet=sheet, column=name)])
        seen.add(name)
        keep.append(i)
        names.append(name)
    _check_reserved(names, Origin(file, sheet))
    if scan is not None and scan.formulas:
        _refuse_unsaved_formulas(file, sheet, scan, first_row + h, {first_col + i: n for i, n in zip(keep, names)})
    frame = pl.DataFrame([body[:, i].alias(n) for i, n in zip(keep, names)]) if keep else pl.DataFrame()
    frame = frame.select(pl.col(c).cast(pl.String).str.replace(r" 00:00:00(\.0+)?$", "") for c in frame.columns)
    frame = _exact_xlsx_amounts(file, book, sheet, frame, table, h, dict(zip(names, keep)))
    frame = pl.concat([rows.to_frame(), frame], how="horizontal") if frame.width else rows.to_frame()
    if frame.width > 1:  # empty rows (every cell empty) are dropped, keeping the others' row numbers
        frame = frame.filter(~pl.all_horizontal(pl.all().exclude(ROW).is_null()))
    merged = {}
    if scan is not None and scan.merged:
        for name, i in zip(names, keep):
            col = first_col + i
            spans = tuple((r1, r2) for r1, c1, r2, c2 in scan.merged if c1 <= col <= c2 and r2 > r1)
            if spans:
                merged[name] = spans
    return _Raw(table.name, frame, Origin(file, sheet, merged=merged), unit=unit), notes


UNSAVED_FORMULA = ("这个单元格是公式，但工作簿没有保存它的计算结果（由程序生成、未在 Excel 中打开过的工作簿常这样），"
                   "读取会把它当作空白：请在 Excel 或 WPS 中打开、重新计算并保存后再读取")


def _refuse_unsaved_formulas(file: str, sheet: str, scan: _Scan, header_row: int, columns: dict[int, str]) -> None:
    """Formula cells with no computed result in the header row or in a read column below it are
    refused, each named: read as empty, an amount would vanish or a filled cell read as missing."""
    problems = []
    for row, col, formula in sorted(scan.formulas, key=lambda f: (f[0] or 0, f[1] or 0)):
        if row is None:  # a cell without r="…": its place is not known, the sheet is named
            problems.append(Problem(file, UNSAVED_FORMULA, sheet=sheet, value=_shown(formula)))
        elif row == header_row or (row > header_row and col in columns):
            where = _column_letters(col) if row == header_row else columns[col]
            problems.append(Problem(file, UNSAVED_FORMULA, sheet=sheet, row=row, column=where, value=_shown(formula)))
    if problems:
        raise InputError(problems)


def first_sheet_unsaved_formulas(path: Path) -> None:
    """Refuse a workbook whose first sheet (the one a reader of a single table takes) holds formula
    cells without a computed result, each named by its cell."""
    import zipfile

    sheets = _xlsx_sheets(path)
    name, part = next(iter(sheets.items()), (None, None))
    if part is None:
        return
    with zipfile.ZipFile(path) as z:
        scan = _scan_sheet(z, part)
    if scan.formulas:
        raise InputError([Problem(str(path), UNSAVED_FORMULA, sheet=name, row=row,
                                  column=_column_letters(col) if col else None, value=_shown(formula))
                          for row, col, formula in sorted(scan.formulas, key=lambda f: (f[0] or 0, f[1] or 0))])


def _exact_xlsx_amounts(file: str, book, sheet: str, frame: pl.DataFrame, table: Table, header: int,
                        positions: dict[str, int]) -> pl.DataFrame:
    """A numeric cell read as text is formatted by the reader to fewer digits than it holds
    (99.99999999999 → "100", 412830.0000000001 → "412830"). In the amount columns, each numeric
    cell whose number differs from that text is given the number's own shortest text instead, so an
    amount that is not a whole number of fen is an error naming the cell, never rounded."""
    mapping, _, _ = _map_headers(table, frame.columns)
    heads = [h for h, name in mapping.items() if table.column(name).kind == "money"]
    if not heads or not frame.height:
        return frame
    idx = [positions[h] for h in heads]
    try:
        numbers = book.load_sheet(sheet, header_row=None, use_columns=idx, dtypes=dict.fromkeys(idx, "float")).to_polars()
    except Exception as exc:
        raise InputError([Problem(file, f"无法把金额读为数字（{_first_line(exc)}）", sheet)]) from None
    numbers = numbers.slice(header + 1)
    if numbers.height != frame.height or numbers.width != len(heads):
        raise InputError([Problem(file, "无法把数字金额与工作表的行对应起来", sheet)])
    exact = []
    for h, number in zip(heads, numbers.columns):
        text, value = pl.col(h).str.strip_chars(), numbers[number].cast(pl.Float64)
        plain = text.str.contains(r"^-?[0-9]+(\.[0-9]+)?$")
        differs = (plain & (text.cast(pl.Float64, strict=False) != value)).fill_null(False)
        exact.append(pl.when(differs).then(value.cast(pl.String)).otherwise(pl.col(h)).alias(h))
    return frame.with_columns(exact)
