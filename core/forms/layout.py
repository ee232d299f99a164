"""Where a form's parts are: labels found by their text, not by fixed cell addresses, so that a
bureau's variant of the template (an extra column, a title row more, 指标内容 for 三级指标) reads
the same.

A label matches when its text, without spaces, brackets' content, a leading ``*`` and a trailing
colon, is one of the names given: ``全年预算数（万元）`` matches ``全年预算数``.
"""

from __future__ import annotations

import re

import attrs

from jixiao.core.forms.parse import normalize
from jixiao.core.forms.xlsx import Cell, Sheet

_BRACKETS = re.compile(r"[(\[【][^)\]】]*[)\]】]")


def label_text(text: str) -> str:
    t = normalize(text).lstrip("*").rstrip(":：")
    return _BRACKETS.sub("", t)


def stated_unit(text: str) -> str | None:
    """The amount unit a label or note states: ``项目资金（万元）``, ``单位：万元``, ``金额单位:元``."""
    t = normalize(text)
    if re.search(r"[(\[【]万元[)\]】]|单位[:：]?万元", t):
        return "万元"
    if re.search(r"[(\[【]元[)\]】]|单位[:：]?元", t):
        return "元"
    return None


def find(sheet: Sheet, *names: str) -> list[tuple[int, int]]:
    """Cells whose label text is one of ``names``, in reading order."""
    want = set(names)
    return sorted(pos for pos, cell in sheet.cells.items() if label_text(cell.text) in want)


# Labels of the forms' header blocks: a value is never read from one of them.
LABELS = {"项目名称", "主管部门", "实施单位", "项目代码", "项目编码", "项目编号", "主管部门编码", "项目属性",
          "项目负责人", "联系电话", "资金性质", "项目类别", "年度", "预算年度", "评价年度", "项目起止时间"}


def right_of(sheet: Sheet, row: int, col: int) -> tuple[int, int, Cell | None]:
    """Where a label's value is written: the first cell right of the label (after the label's
    merged range) that holds something, skipping at most one empty cell, and never another label."""
    m = sheet.merged_at(row, col)
    first = (m[3] if m else col) + 1
    c = first
    for _ in range(2):
        cell = sheet.value(row, c)
        if cell is not None and cell.text.strip():
            if label_text(cell.text) in LABELS:
                break
            return row, c, cell
        mm = sheet.merged_at(row, c)
        c = (mm[3] if mm else c) + 1
    return row, first, sheet.value(row, first)


def field(sheet: Sheet, *names: str) -> tuple[int, int, Cell | None] | None:
    """The value beside the first label named ``names``; None when the sheet has no such label."""
    hits = find(sheet, *names)
    if not hits:
        return None
    return right_of(sheet, *hits[0])


@attrs.frozen
class Header:
    row: int
    columns: dict[str, int]  # role → column
    names: dict[int, str]  # column → the header as written


def header_rows(sheet: Sheet, roles: dict[str, tuple[str, ...]], required: tuple[str, ...]) -> list[Header]:
    """Rows holding every ``required`` role's header; each role's column is the first cell of the
    row whose label is one of its names."""
    out = []
    by_row: dict[int, list[int]] = {}
    for (r, c) in sheet.cells:
        by_row.setdefault(r, []).append(c)
    for r in sorted(by_row):
        cols, names = {}, {}
        for c in sorted(by_row[r]):
            text = sheet.cells[(r, c)].text
            lt = label_text(text)
            for role, accepted in roles.items():
                if role not in cols and lt in accepted:
                    cols[role] = c
                    names[c] = text.strip()
        if all(k in cols for k in required):
            out.append(Header(r, cols, names))
    return out


def title_text(sheet: Sheet, rows: int = 4) -> str:
    """The text of the sheet's first rows (a title such as ``2024年度项目支出绩效自评表``)."""
    return "".join(c.text for (r, _c), c in sorted(sheet.cells.items()) if r <= rows)


def year_in(text: str) -> int | None:
    m = re.search(r"((?:19|20)\d{2})\s*年度?", normalize(text))
    return int(m.group(1)) if m else None
