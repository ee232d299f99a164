"""The comparison as one self-contained HTML file for a 处长: the summary per pack with the clause
behind each figure, charts, the money effect per department and the projects on which the packs
disagree, sorted by money. plotly's JavaScript is inlined so that the page opens from disk with no
network, and the page prints on A4 (print CSS: no toolbar, no chart split across pages, the matrix
wrapped to the page, no scrollbars).

Everything a reader sees is Chinese: amounts in 万元 / 亿元 (the exact 元 figure beside it or in a
tooltip), counts with thousands separators, months as 2024年1月, packs by their names. Every text
from the data or a pack is escaped, for the page (``esc``) and for plotly's labels (``label``)."""

from __future__ import annotations

import datetime as dt
import html
from decimal import Decimal
from pathlib import Path

import polars as pl

from jixiao.core.actions import ACTIONS, OBJECTS
from jixiao.core.outputs import compare as comparing
from jixiao.core.outputs.compare import Comparison
from jixiao.core.money import format_yuan

FONT = '"Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", sans-serif'
MATRIX_ROWS = 300  # disagreeing projects shown in the page; the XLSX and JSON outputs hold them all
# A pack differs "systematically" on a field when its value is not the others' on this share of all
# projects (at least SYSTEMATIC_MIN of them): the matrix summarises it in one line instead of
# marking nearly every row.
SYSTEMATIC_SHARE = Decimal("0.9")
SYSTEMATIC_MIN = 5
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


def axis_unit(fens: list[int]) -> tuple[str, int]:
    """The unit of a money axis: 亿元 when the largest amount reaches 1 亿元, else 万元."""
    return ("亿元", YI_FEN) if max((abs(f) for f in fens), default=0) >= YI_FEN else ("万元", WAN_FEN)


def in_unit(fen: int, step: int) -> float:
    return float(Decimal(fen) / Decimal(step))  # a chart's position only; every figure shown is ``money``


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


# --- charts -----------------------------------------------------------------------------------------

def _layout(title: str, **more) -> dict:
    return {"title": {"text": title}, "font": {"family": FONT}, "height": 460, "width": CHART_WIDTH,
            "template": "plotly_white", "margin": {"t": 110, "b": 60},
            "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
            "separators": ".,", "hoverlabel": {"font": {"family": FONT}}, **more}


def _count_axis(title: str, largest: int) -> dict:
    """A count axis: whole numbers only, with thousands separators."""
    axis = {"title": {"text": title}, "tickformat": ",d", "rangemode": "tozero"}
    if largest <= 10:
        axis |= {"tick0": 0, "dtick": 1}
    return axis


def _money_axis(unit: str) -> dict:
    return {"title": {"text": unit}, "tickformat": ",~f", "zeroline": True, "zerolinecolor": "#9aa5b1"}


def _figures(c: Comparison) -> list[tuple[str, object]]:
    import plotly.graph_objects as go

    names, colours = pack_names(c), pack_colours(c)
    by_id = {s["pack"]: s for s in c.summary}
    figs = []

    fig = go.Figure()
    largest = 0
    for pid in c.pack_ids:
        s = by_id[pid]
        grades, ranks = list(s["grades"]), _ranks(c, pid)
        largest = max([largest, *s["grades"].values()])
        fig.add_bar(name=label(names[pid]), x=[f"第{ranks.get(g, 0)}档" for g in grades], y=list(s["grades"].values()),
                    text=[label(g) for g in grades], marker_color=colours[pid],
                    hovertemplate="%{text}：%{y:,d} 个项目<extra>" + label(names[pid]) + "</extra>")
    fig.update_layout(**_layout("各规则包评价等级分布（按等级档次对齐）", barmode="group",
                                xaxis={"title": {"text": "等级档次（第1档最高）"}, "type": "category"},
                                yaxis=_count_axis("项目数", largest)))
    figs.append(("grades", fig))

    fens = [by_id[pid]["budget_effect_fen"] for pid in c.pack_ids]
    unit, step = axis_unit(fens)
    fig = go.Figure(go.Bar(
        x=[wrapped(names[pid]) for pid in c.pack_ids], y=[in_unit(f, step) for f in fens],
        marker_color=[colours[pid] for pid in c.pack_ids], text=[money(f) for f in fens], textposition="auto",
        customdata=[[format_yuan(f), label(pid)] for pid, f in zip(c.pack_ids, fens)],
        hovertemplate="%{x}<br>%{text}（%{customdata[0]}）<br>%{customdata[1]}<extra></extra>"))
    fig.update_layout(**_layout("金额影响合计（各年度、各类相加）", showlegend=False, yaxis=_money_axis(unit),
                                xaxis={"type": "category", "tickangle": 0}))
    figs.append(("effect", fig))

    dept = c.by_department
    unit, step = axis_unit(dept["budget_effect_fen"].to_list())
    order = _department_order(c)
    fig = go.Figure()
    for pid in c.pack_ids:
        one = dict(dept.filter(pl.col("pack") == pid).select("department", "budget_effect_fen").iter_rows())
        values = [int(one.get(d) or 0) for d in order]
        fig.add_bar(name=label(names[pid]), x=[label(d) for d in order], y=[in_unit(f, step) for f in values],
                    marker_color=colours[pid], customdata=[[money(f), format_yuan(f)] for f in values],
                    hovertemplate="%{x}：%{customdata[0]}（%{customdata[1]}）<extra>" + label(names[pid]) + "</extra>")
    fig.update_layout(**_layout("各部门金额影响合计（各年度、各类相加）", barmode="group", yaxis=_money_axis(unit),
                                xaxis={"type": "category", "tickangle": -30}))
    figs.append(("departments", fig))

    if c.monthly is not None and c.monthly.height:
        fig = go.Figure()
        months = sorted(set(c.monthly["month"].to_list()))
        for pid in c.pack_ids:
            one = dict(c.monthly.filter(pl.col("pack") == pid).select("month", "alerts").iter_rows())
            fig.add_scatter(name=label(names[pid]), x=[month_zh(m) for m in months], y=[one.get(m, 0) for m in months],
                            mode="lines+markers", line={"color": colours[pid]},
                            hovertemplate="%{x}：%{y:,d} 条<extra>" + label(names[pid]) + "</extra>")
        fig.update_layout(**_layout("逐月预警条数（按各月末已知的支出回放）", xaxis={"type": "category"},
                                    yaxis=_count_axis("预警条数", int(c.monthly["alerts"].max() or 0))))
        figs.append(("monthly", fig))
    return figs


def _ranks(c: Comparison, pack_id: str) -> dict[str, int]:
    o = c.by_pack[pack_id].filter(pl.col("grade").is_not_null())
    return dict(o.select("grade", "grade_rank").unique().iter_rows())


def _department_order(c: Comparison) -> list[str]:
    """Departments by the largest money effect under any pack, largest first."""
    d = (c.by_department.group_by("department").agg(pl.col("budget_effect_fen").abs().max().alias("_m"))
         .sort(["_m", "department"], descending=[True, False]))
    return d["department"].to_list()


# --- tables -----------------------------------------------------------------------------------------

def _summary_rows(c: Comparison, s: dict) -> list[str]:
    pid = s["pack"]
    blocked = f"{count(s['blocked'])} 个项目" + _basis(_cites(c, pid, action="block_budget"), _projects_of)
    alerts = "".join(
        f"<span class='line'>{esc(ACTIONS[k].zh)} {count(v)} 条</span>" + _basis(_cites(c, pid, action=k), _findings_of)
        for k, v in s["alerts"].items()) or "—"
    grades = "、".join(f"{esc(k)} {count(v)}" for k, v in s["grades"].items()) or "—"
    effect = "".join(
        f"<span class='line'>{g['budget_year']}年度 {esc(g['applies_to_zh'] or '')} {esc(g['action_zh'])}</span>"
        f"<span class='line'>{money_html(g['amount_fen'], exact=True)}</span>"
        + _basis(_cites(c, pid, action=g["action"], budget_year=g["budget_year"], applies_to=g["applies_to"]), _money_of)
        for g in s["budget_effect_by_year"]) or "—"
    return [blocked, alerts, grades, effect, money_html(s["budget_effect_fen"], exact=True),
            f"{count(s['rectifications_due'])} / {count(s['rectifications_overdue'])}",
            f"{count(s['graded'])} 个（{s['graded_share'] * 100:.1f}%）",
            f"{count(s['selected_for_evaluation'])} 个", f"{count(s['findings'])} 条"]


SUMMARY_LABELS = ("不予安排预算的项目", "预警", "等级分布", "金额影响（按预算年度、类别）", "金额影响合计（各年度、各类相加）",
                  "整改待报 / 逾期", "已评价项目", "纳入评价的项目", "结论条数")


def _summary_table(c: Comparison) -> str:
    names = pack_names(c)
    head = "".join(f"<th title='{esc(s['pack'])}'>{esc(names[s['pack']])}</th>" for s in c.summary)
    cells = [_summary_rows(c, s) for s in c.summary]
    body = "".join(f"<tr><th>{name}</th>" + "".join(f"<td>{col[i]}</td>" for col in cells) + "</tr>"
                   for i, name in enumerate(SUMMARY_LABELS))
    notes = "".join(f"<li>{esc(names[s['pack']])}：规则 {esc(n['rule'])}：{esc(n['note'])}（{count(n['projects'])} 个项目）</li>"
                    for s in c.summary for n in s.get("not_in_force", ()))
    notes = f"<p class='note'>适用期间：</p><ul class='note'>{notes}</ul>" if notes else ""
    return f"<div class='wide'><table><thead><tr><th></th>{head}</tr></thead><tbody>{body}</tbody></table></div>{notes}"


def _department_table(c: Comparison) -> str:
    names = pack_names(c)
    wide = c.by_department.pivot(on="pack", index="department", values="budget_effect_fen")
    rows = {r["department"]: r for r in wide.iter_rows(named=True)}
    head = "".join(f"<th title='{esc(p)}'>{esc(names[p])}</th>" for p in c.pack_ids)
    body = "".join("<tr><td>" + esc(d) + "</td>"
                   + "".join(f"<td class='num'>{money_html(int(rows[d].get(p) or 0))}</td>" for p in c.pack_ids) + "</tr>"
                   for d in _department_order(c))
    total = "".join(f"<td class='num'><b>{money_html(int(c.by_department.filter(pl.col('pack') == p)['budget_effect_fen'].sum() or 0))}</b></td>"
                    for p in c.pack_ids)
    return (f"<p class='note'>按各规则包中最大的金额影响从大到小排列；悬停可见精确到分的金额（元）。</p>"
            f"<div class='wide'><table><thead><tr><th>部门</th>{head}</tr></thead><tbody>{body}"
            f"<tr><th>合计</th>{total}</tr></tbody></table></div>")


# --- the disagreement matrix ------------------------------------------------------------------------

# (field in ``matrix.disagree``, the column compared in ``by_pack``, its Chinese name)
FIELDS = (("gate", "gate", "预算安排"), ("grade", "grade_rank", "等级"), ("effect", "effect_fen", "预算影响"),
          ("alerts", "alerts", "预警"), ("deadline", "deadline", "整改期限"))


def odd_cells(c: Comparison) -> pl.DataFrame:
    """Per project (the matrix's rows) and per pack and field, ``{pack}|{field}``: True where the
    pack's value is not the row's consensus. The consensus is the value most packs share; where no
    single value is shared by the most packs (two packs that differ, say), every value differs."""
    ids = c.pack_ids
    frame = pl.DataFrame([c.by_pack[p][col].alias(f"{p}|{k}") for p in ids for k, col, _ in FIELDS])
    # In steps, so that each count is computed once: how many packs share each pack's value, the
    # top count and how many cells reach it, then the flags.
    frame = frame.with_columns(
        pl.sum_horizontal([pl.col(f"{p}|{k}").eq_missing(pl.col(f"{q}|{k}")).cast(pl.Int32) for q in ids]).alias(f"a:{p}|{k}")
        for p in ids for k, _, _ in FIELDS)
    frame = frame.with_columns(
        pl.max_horizontal([pl.col(f"a:{p}|{k}") for p in ids]).alias(f"most:{k}") for k, _, _ in FIELDS)
    frame = frame.with_columns(
        pl.sum_horizontal([(pl.col(f"a:{p}|{k}") == pl.col(f"most:{k}")).cast(pl.Int32) for p in ids]).alias(f"at:{k}")
        for k, _, _ in FIELDS)
    exprs = []
    for k, _, _ in FIELDS:
        most, agree = pl.col(f"most:{k}"), {p: pl.col(f"a:{p}|{k}") for p in ids}
        unique = pl.col(f"at:{k}") == most  # the cells sharing the top count all hold one value
        exprs += [((most < len(ids)) & ~((agree[p] == most) & unique)).alias(f"{p}|{k}") for p in ids]
    return frame.select(exprs)


def systematic(c: Comparison, odd: pl.DataFrame) -> dict[str, list[str]]:
    """Per field, the packs whose value differs from the others' on nearly every project."""
    if c.projects == 0 or len(c.pack_ids) < 2:
        return {}
    need = max(SYSTEMATIC_MIN, int((SYSTEMATIC_SHARE * c.projects).to_integral_value(rounding="ROUND_CEILING")))
    counts = odd.select(pl.all().sum()).row(0, named=True)
    out: dict[str, list[str]] = {}
    for k, _, _ in FIELDS:
        packs = [p for p in c.pack_ids if counts[f"{p}|{k}"] >= need]
        if packs:
            out[k] = packs
    return out


def _spread_packs(c: Comparison, sys_cells: set[str]) -> list[str]:
    """The packs whose money effects the matrix's order compares: those whose money effect does not
    differ systematically, when two or more remain; else every pack."""
    packs = [p for p in c.pack_ids if f"{p}|effect" not in sys_cells]
    return packs if len(packs) >= 2 else c.pack_ids


def _matrix_rows(c: Comparison, odd: pl.DataFrame, sys_cells: set[str]) -> pl.DataFrame:
    """The projects to list, with the flags: those with a difference that is not systematic, by
    the spread of their money effect across packs (largest first; a pack whose money effect differs
    systematically is left out of the spread when two others remain), then in portfolio order."""
    ids = c.pack_ids
    listed = [n for n in odd.columns if n not in sys_cells]
    spread_packs = _spread_packs(c, sys_cells)
    effects = [pl.col(f"{p}:effect_fen") for p in spread_packs]
    all_effects = [pl.col(f"{p}:effect_fen") for p in ids]
    m = c.matrix.hstack(odd.rename({n: f"odd:{n}" for n in odd.columns})).with_row_index("_order")
    m = m.with_columns((pl.max_horizontal(effects) - pl.min_horizontal(effects)).alias("_spread"),
                       (pl.max_horizontal(all_effects) - pl.min_horizontal(all_effects)).alias("_spread_all"),
                       pl.any_horizontal([pl.col(f"odd:{n}") for n in listed] or [pl.lit(False)]).alias("_listed"))
    return m.filter(pl.col("_listed")).sort(["_spread", "_spread_all", "_order"], descending=[True, True, False])


def _cell(r: dict, p: str, sys_cells: set[str]) -> str:
    parts = []
    for k, _, zh in FIELDS:
        v = r[f"{p}:{'effect_fen' if k == 'effect' else k}"]
        flag = f"{p}|{k}"
        is_odd = r[f"odd:{flag}"]
        if k == "gate":
            text = esc(v)
        elif k == "grade":
            text = f"等级 {esc(v) if v is not None else '未评价'}"
        elif k == "effect":
            text = f"{zh} {money_html(v)}"
        elif k == "alerts":
            if not v and not is_odd:
                continue
            text = f"{zh} {esc(v) if v else '无'}"
        else:
            if v is None and not is_odd:
                continue
            text = f"{zh} {date_zh(v) if v is not None else '无'}"
        cls = "line" + (" sys" if is_odd and flag in sys_cells else " odd" if is_odd else "")
        mark = "<sup>※</sup>" if is_odd and flag in sys_cells else ""
        parts.append(f"<span class='{cls}'>{text}{mark}</span>")
    return "".join(parts)


def _matrix_table(c: Comparison) -> str:
    names = pack_names(c)
    differing = int((c.matrix["disagree"] != "").sum())
    if differing == 0:
        return f"<p class='note'>共 {count(c.projects)} 个项目，在各规则包下结论一致。</p>"
    odd = odd_cells(c)
    sys_by_field = systematic(c, odd)
    sys_cells = {f"{p}|{k}" for k, ps in sys_by_field.items() for p in ps}
    rows = _matrix_rows(c, odd, sys_cells)
    shown = rows.head(MATRIX_ROWS)
    zh = {k: z for k, _, z in FIELDS}

    summary = []
    counts = odd.select(pl.all().sum()).row(0, named=True)
    for k, packs in sys_by_field.items():
        n = max(counts[f"{p}|{k}"] for p in packs)
        who = ("各规则包之间" if len(packs) == len(c.pack_ids)
               else "、".join(esc(names[p]) for p in packs) + " 与其他规则包")
        basis = ""
        if k == "effect":
            by_id = {s["pack"]: s for s in c.summary}
            for p in packs:
                groups = [g for g in c.citations.get(p, []) if g["amount_fen"]]
                whose = f"{esc(names[p])}：" if len(packs) > 1 else ""
                basis += (f"<span class='cite'>{whose}金额影响合计 {money_html(by_id[p]['budget_effect_fen'])}</span>"
                          + _basis(groups, _money_of))
        summary.append(f"<li>「{zh[k]}」：{who}在 {count(n)} 个项目上不同（共 {count(c.projects)} 个，"
                       f"{n * 100 / c.projects:.1f}%）。这是规则的系统性差异，下表不再逐格标红（标 ※）。{basis}</li>")
    systematic_html = (f"<p><b>系统性差异</b></p><ul class='systematic'>{''.join(summary)}</ul>" if summary else "")

    only_sys = differing - rows.height
    note = (f"<p class='note'>{count(differing)} 个项目在各规则包下结论不同（共 {count(c.projects)} 个）"
            + (f"，其中 {count(only_sys)} 个只在上述系统性差异上不同，不逐个列出" if only_sys else "")
            + ("。下表按金额差异（各规则包预算影响的最大差额" + ("，系统性差异不计" if _spread_packs(c, sys_cells) != c.pack_ids else "")
               + "）从大到小排列；红色为与多数规则包不同之处" if rows.height else "")
            + (f"；页面列出前 {count(MATRIX_ROWS)} 个（共 {count(rows.height)} 个），完整矩阵见 XLSX/JSON 输出" if rows.height > MATRIX_ROWS else "")
            + "。</p>")
    head = ("<thead><tr><th>项目</th><th>金额差异</th>"
            + "".join(f"<th class='pack' title='{esc(p)}'>{esc(names[p])}</th>" for p in c.pack_ids) + "</tr></thead>")
    body = []
    for r in shown.iter_rows(named=True):
        cells = "".join(f"<td>{_cell(r, p, sys_cells)}</td>" for p in c.pack_ids)
        body.append(f"<tr><td>{esc(r['name'])}<span class='small' style='display:block'>{esc(r['project_id'])} · "
                    f"{esc(r['department'])}</span></td><td class='num'>{money_html(r['_spread'])}</td>{cells}</tr>")
    table = f"<div class='wide'><table class='matrix'>{head}<tbody>{''.join(body)}</tbody></table></div>" if body else ""
    return systematic_html + note + table


def _sources(c: Comparison) -> str:
    names = pack_names(c)
    items = []
    for p in c.packs:
        docs = "；".join(f"{esc(s.doc_no)}《{esc(s.title)}》" if s.doc_no else f"《{esc(s.title)}》"
                        for s in p.sources.values())
        items.append(f"<li><b>{esc(names[p.id])}</b> <span class='small'>{esc(p.id)}</span>：{docs or '—'}</li>")
    return f"<ul class='note'>{''.join(items)}</ul>"


def _monthly_note(c: Comparison) -> str:
    if c.monthly is not None:
        return ""
    limit = comparing.MONTHLY_LIMIT  # the limit ``compare`` skipped the replay by
    if c.projects > limit:
        return (f"<p class='note'>逐月预警未计算：项目数 {count(c.projects)} 个，超过逐月回放上限 "
                f"{count(limit)} 个。</p>")
    return "<p class='note'>逐月预警未计算（已用 --no-monthly 关闭）。</p>"


def write_html(c: Comparison, path: Path) -> None:
    from plotly.offline import get_plotlyjs

    from jixiao.core.outputs.run import write_atomic

    config = {"displaylogo": False, "modeBarButtonsToRemove": ["select2d", "lasso2d"]}
    charts = "".join(f"<div class='chart' id='chart-{name}'>{fig.to_html(full_html=False, include_plotlyjs=False, config=config)}</div>"
                     for name, fig in _figures(c))
    page = f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>预算绩效管理规则对比 {date_zh(c.as_of)}</title>
<style>{STYLE}</style><script type="text/javascript">{get_plotlyjs()}</script></head>
<body>
<h1>预算绩效管理规则对比 · 基准日期 {date_zh(c.as_of)} · {count(c.projects)} 个项目</h1>
<p class="note">同一组项目在各地规则包下的结论。把 A 市的规则用于 B 市的项目，就是在 B 市的数据上做这一对比。金额以万元、亿元显示（四舍五入到两位小数），精确到分的金额见各数字下方或悬停提示。由 jixiao 生成。</p>
<h2>各规则包汇总</h2>{_summary_table(c)}
<h2>图表</h2>{charts}{_monthly_note(c)}
<h2>各部门金额影响合计（各年度、各类相加）</h2>{_department_table(c)}
<h2>结论不一致的项目</h2>{_matrix_table(c)}
<h2>各规则包依据的文件</h2>{_sources(c)}
</body></html>
"""
    write_atomic(path, lambda p: p.write_text(page, encoding="utf-8"))
