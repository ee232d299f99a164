"""The comparison report's charts (plotly): findings and money effect by pack, department and
month, on axes in the unit the amounts need."""

from __future__ import annotations

from decimal import Decimal

import polars as pl

from jixiao.core.money import format_yuan
from jixiao.core.outputs.compare import Comparison
from jixiao.core.outputs.report_text import CHART_WIDTH, FONT, WAN_FEN, YI_FEN, label, money, month_zh, pack_colours, pack_names, wrapped


def axis_unit(fens: list[int]) -> tuple[str, int]:
    """The unit of a money axis: 亿元 when the largest amount reaches 1 亿元, else 万元."""
    return ("亿元", YI_FEN) if max((abs(f) for f in fens), default=0) >= YI_FEN else ("万元", WAN_FEN)


def in_unit(fen: int, step: int) -> float:
    return float(Decimal(fen) / Decimal(step))  # a chart's position only; every figure shown is ``money``


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
