"""Raw text tables as the readers produce them (``_Raw``), and what every reader shares: decoding
bytes, mapping headers (Chinese or English) to canonical names, finding the header row under title
and unit rows."""

from __future__ import annotations

import attrs
import polars as pl

from jixiao.core.errors import InputError, Problem
from jixiao.core.load.id_runs import IdRuns
from jixiao.core.load.columns import ROW, UNIT_NAMES
from jixiao.core.load.model import Origin
from jixiao.core.schema import Table


@attrs.frozen
class _Raw:
    table: str
    frame: pl.DataFrame  # all String columns, plus ROW (typed columns when ``typed``)
    origin: Origin
    typed: bool = False  # a Parquet file in jixiao's own typed form: canonical names and types
    unit: str | None = None  # "yuan"/"wan": the unit a row above a sheet's header states (单位：万元)
    # A clean CSV file already converted by the fast path (``fast_csv.FastCsv``); ``frame`` is then
    # its header alone (no rows).
    fast: object | None = None
    # A typed detail table read without its text ids (``id_runs.IdRuns``): its ``pix`` is checked
    # from the file's runs.
    id_runs: IdRuns | None = None


def decode(data: bytes, file: str) -> str:
    """UTF-8 (with or without BOM) or GBK/GB18030, which Excel in China often writes."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        first_bad = exc.start  # where the text stops being UTF-8: the line to look at in a mixed file
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        line = data[:first_bad].count(b"\n") + 1
        raise InputError([Problem(file, f"文件既不是 UTF-8 也不是 GBK/GB18030 编码的文本：第 {line} 行有不是 UTF-8 的字节"
                                        "（一个文件里混用了两种编码？）；请用同一种编码（UTF-8）另存",
                                  row=line)]) from None
HEADER_SEARCH_ROWS = 15  # rows searched for the header (title and unit rows come above it)
# A row above the header that states the unit of the amounts: 单位：万元, 金额单位:元, (单位：万元).
UNIT_ROW = r"单位\s*[:：]\s*(万元|元)"


def _header_row_of(rows, table: Table) -> int:
    """The index of the row that is the header: of the first ``HEADER_SEARCH_ROWS``, the first with
    the most cells that are this table's headers (at least two); 0 when none has two."""
    index = _header_index(table)
    best, at = 1, 0
    for i, row in zip(range(HEADER_SEARCH_ROWS), rows):
        hits = sum(1 for v in row if v is not None and _normalise_header(str(v)) in index)
        if hits > best:
            best, at = hits, i
    return at


def _title_rows_note(file: str, sheet: str | None, above: list, header_row: int) -> tuple[str | None, list[Problem]]:
    """The unit rows above a header state (单位：万元), and a warning that they are not data."""
    import re

    text = " ".join(str(v) for row in above for v in row if v is not None)
    stated = set(re.findall(UNIT_ROW, text.replace(" ", "")))
    if len(stated) > 1:
        raise InputError([Problem(file, f"表头上方写了两种单位（{'、'.join(sorted(stated))}）；请只保留一种", sheet=sheet)])
    unit = UNIT_NAMES[stated.pop()] if stated else None
    said = f"，其中写明了“单位：{'万元' if unit == 'wan' else '元'}”" if unit else ""
    n = len(above)
    return unit, [Problem(file, f"表头在第 {header_row} 行：上面 {n} 行（标题等{said}）不作为数据读取",
                          sheet=sheet, severity="warning")]


def _check_reserved(columns: list[str], origin: Origin) -> None:
    if ROW in columns:
        raise InputError([Problem(origin.file, f"列名 {ROW} 是 jixiao 保留的名称；请给该列改名",
                                  origin.sheet, column=ROW)])


def _normalise_header(h: str) -> str:
    return h.strip().replace("\ufeff", "").replace("（", "(").replace("）", ")").replace(" ", "").lower()


def _header_index(table: Table) -> dict[str, tuple[str, str]]:
    """Normalised header → (canonical column, unit) where unit is 'yuan', 'wan' or ''. An amount
    header states 元 when it says (元) or is the English name (``budget``); one that states no unit
    (``预算金额``, ``金额``) has unit ''."""
    index = {}
    for col in table.columns:
        for h in col.headers():
            wan = col.kind == "money" and "(万元)" in _normalise_header(h)
            stated = col.kind == "money" and (h == col.name or h in col.elements or "(元)" in _normalise_header(h))
            index[_normalise_header(h)] = (col.name, "wan" if wan else "yuan" if stated else "")
        for h in col.wan_headers():
            index[_normalise_header(h)] = (col.name, "wan")
    return index


def _map_headers(table: Table, headers: list[str]) -> tuple[dict[str, str], dict[str, str], list[str]]:
    """(raw header → canonical, canonical → unit, unknown headers)."""
    index = _header_index(table)
    mapping, units, unknown = {}, {}, []
    for h in headers:
        if h == ROW:
            continue
        hit = index.get(_normalise_header(h))
        if hit is None:
            unknown.append(h)
        else:
            mapping[h] = hit[0]
            units[hit[0]] = hit[1]
    return mapping, units, unknown
