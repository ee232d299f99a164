"""The comparison report's look and words: fonts, colours and the page's CSS, and how it writes
money (万元/亿元, half up), counts, dates and pack names, escaped for HTML."""

from __future__ import annotations

import datetime as dt
import html

from jixiao.core.money import format_yuan
from jixiao.core.outputs.compare import Comparison


FONT = '"Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", sans-serif'
CHART_WIDTH = 1000  # px; printed at PRINT_ZOOM so that a chart fits an A4 page's width
PRINT_ZOOM = "0.68"
# One colour per pack, in the order of the comparison, the same in every chart (Tableau 10).
COLOURS = ("#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#ff9da7", "#9c755f",
           "#bab0ac")

STYLE = f"""
body {{ font-family: {FONT}; margin: 24px; color: #1f2933; }}
h1 {{ font-size: 22px; }} h2 {{ font-size: 18px; margin-top: 32px; }}
table {{ border-collapse: collapse; font-size: 13px; margin: 8px 0; }}
th, td {{ border: 1px solid #cbd2d9; padding: 4px 8px; text-align: left; vertical-align: top; }}
th {{ background: #f0f4f8; font-weight: 600; }}
td.num {{ text-align: right; font-variant-numeric: tabular-nums; }}
.odd {{ background: #ffe3e3; color: #9b1c1c; font-weight: 600; }}
.sys {{ color: #7b8794; }}
.note {{ color: #616e7c; font-size: 13px; }}
.cite {{ display: block; color: #52606d; font-size: 12px; font-weight: normal; }}
.m {{ white-space: nowrap; }}
.exact {{ display: block; color: #7b8794; font-size: 12px; }}
.small {{ color: #7b8794; font-size: 12px; }}
.line {{ display: block; white-space: nowrap; }}
.chart {{ width: {CHART_WIDTH}px; max-width: 100%; }}
.wide {{ overflow-x: auto; max-width: 100%; }}
ul.systematic li {{ margin: 4px 0; }}
table.matrix th.pack {{ min-width: 9em; }}
@media print {{
  @page {{ size: A4; margin: 12mm; }}
  body {{ margin: 0; font-size: 11px; }}
  h1 {{ font-size: 17px; }} h2 {{ font-size: 14px; margin-top: 18px; break-after: avoid; page-break-after: avoid; }}
  table {{ font-size: 10px; width: 100%; }}
  th, td {{ padding: 2px 4px; }}
  thead {{ display: table-header-group; }}
  tr {{ break-inside: avoid; page-break-inside: avoid; }}
  .line {{ white-space: normal; }}
  .wide {{ overflow: visible !important; max-width: none; }}
  table.matrix th.pack {{ min-width: 0; }}
  .chart {{ zoom: {PRINT_ZOOM}; break-inside: avoid; page-break-inside: avoid; max-width: none; }}
  .modebar, .modebar-container, .hoverlayer {{ display: none !important; }}
  .odd, th {{ -webkit-print-color-adjust: exact; print-color-adjust: exact; }}
}}
"""


def esc(text: object) -> str:
    """Text from data or a pack, for the page: every character that could start markup escaped."""
    return html.escape(str(text), quote=True)


def label(text: object) -> str:
    """Text from data or a pack, for a chart: plotly renders a few tags in labels (``<a href>``
    among them) and shows entities as the characters they stand for, so escaping ``<``, ``>`` and
    ``&`` shows the text as written and makes nothing in it a link or a style."""
    return html.escape(str(text), quote=False)


# --- numbers as a 处长 reads them --------------------------------------------------------------------

YI_FEN = 10 ** 10  # 1 亿元 in fen
WAN_FEN = 10 ** 6  # 1 万元 in fen


def money(fen: int | None) -> str:
    """An amount in 万元, or 亿元 from 1 亿元 up, to two decimals rounded half up (``-1.46 万元``);
    an amount under 50 元 in 元, so that it does not read as zero. Exact to the fen in ``format_yuan``."""
    if fen is None:
        return ""
    if fen == 0:
        return "0.00 万元"
    sign, a = ("-" if fen < 0 else ""), abs(fen)
    unit, step = ("亿元", YI_FEN) if a >= YI_FEN else ("万元", WAN_FEN)
    hundredths = (a * 100 + step // 2) // step
    if hundredths == 0:
        return format_yuan(fen)
    return f"{sign}{hundredths // 100:,}.{hundredths % 100:02d} {unit}"


def money_html(fen: int | None, exact: bool = False) -> str:
    """The amount in 万元/亿元, its exact 元 figure in a tooltip, or printed below when ``exact``."""
    if fen is None:
        return ""
    shown, full = money(fen), format_yuan(fen)
    if exact and shown != full:
        return f"<span class='m' title='{full}'>{shown}</span><span class='exact'>{full}</span>"
    return f"<span class='m' title='{full}'>{shown}</span>"


def count(n: int) -> str:
    return f"{n:,}"


def date_zh(d: dt.date | None) -> str:
    return "" if d is None else f"{d.year}年{d.month}月{d.day}日"


def month_zh(ym: str) -> str:
    """``"2024-01"`` → ``"2024年1月"``."""
    year, month = ym.split("-")
    return f"{int(year)}年{int(month)}月"


# --- packs by name ----------------------------------------------------------------------------------

def pack_names(c: Comparison) -> dict[str, str]:
    """Each pack's Chinese name; the id is added where two packs share a name."""
    names = {p.id: p.meta.name or p.id for p in c.packs}
    seen: dict[str, int] = {}
    for n in names.values():
        seen[n] = seen.get(n, 0) + 1
    return {pid: (n if seen[n] == 1 else f"{n}（{pid}）") for pid, n in names.items()}


def wrapped(text: str, width: int = 9) -> str:
    """A long name for a chart axis, on lines of ``width`` characters (each piece escaped)."""
    return "<br>".join(label(text[i:i + width]) for i in range(0, len(text), width)) or label(text)


def pack_colours(c: Comparison) -> dict[str, str]:
    return {pid: COLOURS[i % len(COLOURS)] for i, pid in enumerate(c.pack_ids)}


def _cites(c: Comparison, pack_id: str, **match) -> list[dict]:
    return [g for g in c.citations.get(pack_id, []) if all(g[k] == v for k, v in match.items())]


def _basis(groups: list[dict], what) -> str:
    """The clauses behind one figure, one line each: 依据 文号 条款, and how much each decided when
    more than one clause adds up to the figure."""
    lines: dict[tuple[str, str], list[dict]] = {}
    for g in groups:
        lines.setdefault((g["source"], g["clause"]), []).append(g)
    out = []
    for (source, clause), gs in lines.items():
        part = f"（{what(gs)}）" if len(lines) > 1 else ""
        out.append(f"<span class='cite'>依据 {esc(source)} {esc(clause)}{part}</span>")
    return "".join(out)


def _money_of(gs: list[dict]) -> str:
    return money(sum(g["amount_fen"] or 0 for g in gs))


def _projects_of(gs: list[dict]) -> str:
    return f"{count(sum(g['projects'] for g in gs))} 个项目"


def _findings_of(gs: list[dict]) -> str:
    return f"{count(sum(g['findings'] for g in gs))} 条"
