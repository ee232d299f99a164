"""The grid an XLSX sheet's cells span, read from its XML a chunk at a time (numpy over the bytes),
so that an oversized sheet is refused before it is read."""

from __future__ import annotations

import attrs
import numpy as np


@attrs.frozen
class _Scan:
    """What a sheet's XML says about its cells, found without loading them."""

    rows: int  # an upper bound of the grid the reader builds: rows × columns
    columns: int
    first: tuple[int, int] | None  # (row, column) of the first cell with a value (1-based), when every cell has r="…"
    merged: tuple[tuple[int, int, int, int], ...] = ()  # (row1, col1, row2, col2) of each merged range
    # (row, column, formula) of each formula cell whose workbook holds no computed result (1-based;
    # row and column None for a cell without r="…"): the reader would read it as empty.
    formulas: tuple[tuple[int | None, int | None, str], ...] = ()

    @property
    def cells(self) -> int:
        return self.rows * self.columns

    def ref(self) -> str:
        return f"A1:{_column_letters(self.columns)}{self.rows}"


def _column_letters(n: int) -> str:
    out = ""
    while n > 0:
        n, rest = divmod(n - 1, 26)
        out = chr(65 + rest) + out
    return out or "A"


def _column_number(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


_NAME_END = np.zeros(256, dtype=bool)  # bytes that end an element's name: space, tab, newlines, ">" and "/"
_NAME_END[[32, 9, 10, 13, 62, 47]] = True
# Row d: the place values of a d-digit number's digits (10**(d-1) … 1), zero past its last digit.
_DIGIT_WEIGHTS = np.array([[10 ** (d - 1 - k) if k < d else 0 for k in range(9)] for d in range(10)], dtype=np.int64)


def _largest_number(digits: np.ndarray, ndig: np.ndarray, nlet: np.ndarray) -> int:
    """The largest of the row numbers whose digits (minus "0") are ``digits``' rows, ``ndig`` long:
    those with the most digits compared as big-endian bytes (no per-reference arithmetic)."""
    if (ndig > 8).any() or (nlet > 3).any():
        return 1 << 40  # a reference no sheet has: refused
    most = int(ndig.max())
    if most == 0:
        return 0
    longest = np.ascontiguousarray(digits[ndig == most, :8])
    longest[:, most:] = 0
    top = longest.view(">u8").max()
    return int("".join(str(b) for b in int(top).to_bytes(8, "big")[:most]))


_CHUNK = 1 << 24  # bytes of XML read at a time
_FORMULA_OVERLAP = 1 << 17  # bytes of the previous chunk searched again: longer than any cell with a formula


def _unsaved_formulas(data: bytes, prefix: bytes) -> dict[bytes, tuple[bytes, bytes]]:
    """Formula cells in ``data`` with no computed result: no ``<v>``, or an empty one in a cell
    that is not text (an empty text result, ``t="str"`` with ``<v></v>``, is a result). Keyed by the
    cell's start in the XML (its tag), so cells found twice across a chunk boundary count once."""
    import re

    p = re.escape(prefix)
    pattern = (rb"<" + p + rb"c\b([^>]*)>\s*<" + p + rb"f\b[^>]*?(?:/>|>([^<]*)</" + p + rb"f>)\s*"
               rb"(<" + p + rb"v\s*/>|<" + p + rb"v>\s*</" + p + rb"v>)?\s*</" + p + rb"c>")
    out = {}
    for m in re.finditer(pattern, data):
        attrs_, formula, empty_v = m.group(1), m.group(2) or b"", m.group(3)
        if empty_v is not None and re.search(rb"""\bt\s*=\s*["'](str|s|inlineStr)["']""", attrs_):
            continue
        out[m.group(0)[:m.end(1) - m.start(0)]] = (attrs_, formula)
    return out


def _cell_place(attrs_: bytes) -> tuple[int | None, int | None]:
    import re

    m = re.search(rb"""\br\s*=\s*["']([A-Za-z]{1,3})(\d{1,7})["']""", attrs_)
    if not m:
        return None, None
    return int(m.group(2)), _column_number(m.group(1).decode().upper())


def _scan_sheet(z, part: str) -> _Scan:
    """The grid a sheet's cells span, from its XML read a chunk at a time, whatever its declared
    ``<dimension>`` says (a forged one may claim A1:B2 over a cell at XFD1048576). The reader places a
    cell by its ``r="C12"`` reference; a cell without one follows the previous cell of its row, a row
    without one follows the previous row: the bound counts those too, so it is never below the grid
    the reader allocates. Vectorised (numpy over the bytes): a fraction of the reader's own time."""
    import re

    big = 1 << 40
    max_row = max_col = 0
    rowless = 0  # rows without r="…"
    cells_without_r = 0
    widest_free = 0  # most cells without r="…" in one row
    carry = 0  # cells without r="…" in the row still open at the end of the previous chunk
    first = None
    merged: list[tuple[int, int, int, int]] = []
    prefix = b""
    tail = b""
    started = False
    unsaved: dict[bytes, tuple[bytes, bytes]] = {}
    before = b""  # the end of the previous chunk, searched again for a formula cell cut by the boundary
    with z.open(part) as sheet:
        while True:
            chunk = sheet.read(_CHUNK)
            data = tail + chunk
            if not data:
                break
            if chunk:
                cut = data.rfind(b"<")
                data, tail = (data[:cut], data[cut:]) if cut > 0 else (data, b"")
            else:
                tail = b""
            if not started:
                m = re.search(rb"<(\w+:)?worksheet\b", data)
                prefix = m.group(1) or b"" if m else b""
                started = True
            if b"<" + prefix + b"f" in data or b"<" + prefix + b"f" in before:
                unsaved.update(_unsaved_formulas(before + data, prefix))
            before = data[-_FORMULA_OVERLAP:]
            if b"mergeCell" in data:
                for r1c, r1, r2c, r2 in re.findall(rb'<(?:\w+:)?mergeCell\s+ref="([A-Z]{1,3})(\d{1,7}):([A-Z]{1,3})(\d{1,7})"', data):
                    merged.append((int(r1), _column_number(r1c.decode()), int(r2), _column_number(r2c.decode())))
            a = np.frombuffer(data + b"\0" * 24, dtype=np.uint8)
            lt = np.flatnonzero(a[:len(data)] == 60)
            n = 1 + len(prefix)  # offset of the element name after "<"
            name = np.lib.stride_tricks.sliding_window_view(a, 4)[lt + n]  # the element's first 4 bytes
            ends = _NAME_END[name[:, 1]]
            is_c = (name[:, 0] == 99) & ends
            is_row = (name[:, 0] == 114) & (name[:, 1] == 111) & (name[:, 2] == 119) & _NAME_END[name[:, 3]]
            sp = a[:len(data)]
            # r="…" as an element's first attribute, as spreadsheet programs write it: looked at only
            # there. Elements whose first attribute is another have r="…" searched for anywhere in
            # the chunk: its element is the last "<" before it (no "<" may stand in a value).
            tags = np.flatnonzero(is_c | is_row)
            at = lt[tags] + n + np.where(is_c[tags], 1, 3)
            first_r = ((a[at] <= 32) & (a[at + 1] == 114) & (a[at + 2] == 61) & ((a[at + 3] == 34) | (a[at + 3] == 39)))
            rp, owner = at[first_r], tags[first_r]
            if not first_r.all():
                every = np.flatnonzero(sp == 114)
                every = every[(every > 0) & (every < len(sp) - 2)]
                every = every[(sp[every - 1] <= 32) & (sp[every + 1] == 61) & ((sp[every + 2] == 34) | (sp[every + 2] == 39))] - 1
                whose = np.searchsorted(lt, every) - 1
                ok = whose >= 0
                every, whose = every[ok], whose[ok]
                other = (is_c[whose] | is_row[whose]) & ~np.isin(whose, owner)
                rp, owner = np.concatenate([rp, every[other]]), np.concatenate([owner, whose[other]])
            win = np.lib.stride_tricks.sliding_window_view(a, 12)[rp + 4]  # 12 bytes after each r="
            lower = (win >= 97) & (win <= 122)
            win = np.where(lower, win - np.uint8(32), win)  # the reader takes xfd1 for XFD1
            letter = (win >= 65) & (win <= 90)
            nlet = np.where(letter.all(axis=1), 12, np.argmin(letter, axis=1))
            col = np.zeros(len(rp), dtype=np.int64)
            for k in range(3):
                col = np.where(nlet > k, col * 26 + (win[:, k].astype(np.int64) - 64), col)
            col = np.where(nlet > 3, big, col)
            # The digits after the letters: up to 8 read (more is a row no sheet has).
            digits = np.lib.stride_tricks.sliding_window_view(a, 9)[rp + 4 + np.minimum(nlet, 4)] - np.uint8(48)
            isdigit = digits <= 9  # bytes below "0" wrap around to large values
            ndig = np.where(isdigit.all(axis=1), 9, np.argmin(isdigit, axis=1))
            cell_ref = is_c[owner]
            if rp.size:
                max_row = max(max_row, _largest_number(digits, ndig, nlet))
            if cell_ref.any():
                max_col = max(max_col, int(col[cell_ref].max()))
            # Elements without r="…": rows counted, cells counted per row.
            has_r = np.zeros(len(lt), dtype=bool)
            has_r[owner] = True
            rowless += int((is_row & ~has_r).sum())
            free = np.flatnonzero(is_c & ~has_r)
            if free.size:
                cells_without_r += free.size
                row_tags = np.flatnonzero(is_row)
                group = np.searchsorted(row_tags, free)  # 0: the row open before this chunk
                counts = np.bincount(group, minlength=len(row_tags) + 1)
                counts[0] += carry
                widest_free = max(widest_free, int(counts.max()))
                carry = int(counts[-1]) if len(row_tags) else counts[0]
            elif (is_row).any():
                carry = 0
            if first is None and cell_ref.any():
                # The first cell holding a value: an element not closed by "/>" at once.
                starts = lt[owner[cell_ref]]
                gt = np.flatnonzero(sp == 62)
                ends = gt[np.minimum(np.searchsorted(gt, starts), len(gt) - 1)]
                filled = sp[ends - 1] != 47
                if filled.any():
                    hits = np.flatnonzero(cell_ref)[np.flatnonzero(filled)]
                    rows_ = (digits[hits].astype(np.int64) * _DIGIT_WEIGHTS[ndig[hits]]).sum(axis=1)
                    first = (int(rows_.min()), int(col[hits].min()))
            if not chunk:
                break
    if cells_without_r:
        first = None
    import html

    formulas = []
    for attrs_, formula in unsaved.values():
        row, col = _cell_place(attrs_)
        formulas.append((row, col, "=" + html.unescape(formula.decode("utf-8", "replace"))))
    return _Scan(max(max_row + rowless, 1), max(max_col + widest_free, 1), first, tuple(merged), tuple(formulas))
