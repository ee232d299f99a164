"""The comparison as one self-contained HTML file: summary per pack, the disagreement matrix and
charts, with plotly's JavaScript inlined so that the page opens from disk with no network."""

from __future__ import annotations

import html
from pathlib import Path

import polars as pl

from jixiao.core.compare import SUMMARY_ROWS, Comparison
from jixiao.core.money import format_yuan

FONT = '"Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", sans-serif'
MATRIX_ROWS = 300  # disagreeing projects shown in the page; the XLSX and JSON outputs hold them all
STYLE = f"""
body {{ font-family: {FONT}; margin: 24px; color: #1f2933; }}
h1 {{ font-size: 22px; }} h2 {{ font-size: 18px; margin-top: 32px; }}
table {{ border-collapse: collapse; font-size: 13px; margin: 8px 0; }}
th, td {{ border: 1px solid #cbd2d9; padding: 4px 8px; text-align: left; vertical-align: top; }}
th {{ background: #f0f4f8; }}
td.num {{ text-align: right; font-variant-numeric: tabular-nums; }}
td.differs {{ background: #ffe3e3; font-weight: 600; }}
.note {{ color: #616e7c; font-size: 13px; }}
.chart {{ width: 100%; max-width: 1100px; }}
.scroll {{ overflow-x: auto; max-width: 100%; }}
table.matrix td, table.matrix th {{ white-space: nowrap; }}
"""


def esc(text: object) -> str:
    """Text from data or a pack, for the page: every character that could start markup escaped."""
    return html.escape(str(text), quote=True)


def label(text: object) -> str:
    """Text from data or a pack, for a chart: plotly renders a few tags in labels (``<a href>``
    among them) and shows entities as the characters they stand for, so escaping ``<``, ``>`` and
    ``&`` shows the text as written and makes nothing in it a link or a style."""
    return html.escape(str(text), quote=False)


def _figures(c: Comparison) -> list[tuple[str, object]]:
    import plotly.graph_objects as go

    layout = {"font": {"family": FONT}, "height": 420, "margin": {"t": 50}}
    figs = []
    fig = go.Figure()
    for s in c.summary:
        labels, ranks = list(s["grades"]), _ranks(c, s["pack"])
        fig.add_bar(name=label(s["pack"]), x=[f"第{ranks.get(g, 0)}档" for g in labels], y=list(s["grades"].values()),
                    text=[label(g) for g in labels],
                    hovertemplate="%{text}: %{y}<extra>" + label(s["pack"]) + "</extra>")
    fig.update_layout(title="各规则包评价等级分布 Grade distribution per pack", barmode="group",
                      xaxis_title="等级（第1档最高）", yaxis_title="项目数", **layout)
    figs.append(("grades", fig))
    fig = go.Figure(go.Bar(x=[label(s["pack"]) for s in c.summary], y=[s["budget_effect_fen"] / 100 for s in c.summary],
                           text=[format_yuan(s["budget_effect_fen"]) for s in c.summary], textposition="auto"))
    fig.update_layout(title="金额影响合计（各年度、各类相加）Money effect per pack (元)", yaxis_title="元", **layout)
    figs.append(("effect", fig))
    dept = c.by_department
    fig = go.Figure()
    for pid in c.pack_ids:
        one = dept.filter(pl.col("pack") == pid)
        fig.add_bar(name=label(pid), x=[label(d) for d in one["department"].to_list()], y=(one["budget_effect_fen"] / 100).to_list())
    fig.update_layout(title="各部门金额影响合计 Money effect per department (元)", barmode="group", yaxis_title="元", **layout)
    figs.append(("departments", fig))
    if c.monthly is not None and c.monthly.height:
        fig = go.Figure()
        for pid in c.pack_ids:
            one = c.monthly.filter(pl.col("pack") == pid)
            fig.add_scatter(name=label(pid), x=one["month"].to_list(), y=one["alerts"].to_list(), mode="lines+markers")
        fig.update_layout(title="逐月预警数 In-year alerts by month", yaxis_title="预警条数", **layout)
        figs.append(("monthly", fig))
    return figs


def _ranks(c: Comparison, pack_id: str) -> dict[str, int]:
    o = c.by_pack[pack_id].filter(pl.col("grade").is_not_null())
    return dict(o.select("grade", "grade_rank").unique().iter_rows())


def _summary_table(c: Comparison) -> str:
    head = "".join(f"<th>{esc(s['name'])}<br><code>{esc(s['pack'])}</code></th>" for s in c.summary)
    body = "".join(f"<tr><th>{esc(name)}</th>" + "".join(f"<td class='num'>{esc(get(s))}</td>" for s in c.summary)
                   + "</tr>" for name, get in SUMMARY_ROWS)
    return f"<table><tr><th></th>{head}</tr>{body}</table>"


def _department_table(c: Comparison) -> str:
    wide = c.by_department.pivot(on="pack", index="department", values="budget_effect_fen").sort("department")
    head = "".join(f"<th>{esc(p)}</th>" for p in c.pack_ids)
    body = "".join("<tr><td>" + esc(r["department"]) + "</td>"
                   + "".join(f"<td class='num'>{format_yuan(r.get(p) or 0)}</td>" for p in c.pack_ids) + "</tr>"
                   for r in wide.iter_rows(named=True))
    return f"<table><tr><th>部门</th>{head}</tr>{body}</table>"


def _matrix_table(c: Comparison) -> str:
    m = c.matrix.filter(pl.col("disagree") != "")
    shown = m.head(MATRIX_ROWS)
    cols = (("gate", "gate", "预算安排"), ("alerts", "alerts", "预警"), ("grade", "grade", "等级"),
            ("effect_fen", "effect", "预算影响"), ("deadline", "deadline", "整改期限"))
    head = "<tr><th rowspan='2'>项目编码</th><th rowspan='2'>部门</th>" + "".join(
        f"<th colspan='{len(cols)}'>{esc(p)}</th>" for p in c.pack_ids) + "</tr><tr>" + "".join(
        "".join(f"<th>{zh}</th>" for _, _, zh in cols) for _ in c.pack_ids) + "</tr>"
    rows = []
    for r in shown.iter_rows(named=True):
        differs = set(r["disagree"].split(","))
        cells = []
        for p in c.pack_ids:
            for col, key, _ in cols:
                v = r[f"{p}:{col}"]
                text = format_yuan(v) if col == "effect_fen" else ("" if v is None else str(v))
                cls = " class='differs'" if key in differs else ""
                cells.append(f"<td{cls}>{esc(text)}</td>")
        rows.append(f"<tr><td>{esc(r['project_id'])}</td>"
                    f"<td>{esc(r['department'])}</td>{''.join(cells)}</tr>")
    note = (f"<p class='note'>{m.height} 个项目在各规则包下结论不同（共 {c.projects} 个）；红色单元格为不一致之处。"
            + (f"页面显示前 {MATRIX_ROWS} 个，完整矩阵见 XLSX/JSON 输出。" if m.height > MATRIX_ROWS else "") + "</p>")
    return note + f"<div class='scroll'><table class='matrix'>{head}{''.join(rows)}</table></div>"


def write_html(c: Comparison, path: Path) -> None:
    from plotly.offline import get_plotlyjs

    from jixiao.core.output import write_atomic

    charts = "".join(f"<div class='chart' id='chart-{name}'>{fig.to_html(full_html=False, include_plotlyjs=False, config={'displaylogo': False})}</div>"
                     for name, fig in _figures(c))
    monthly_note = "" if c.monthly is not None else (
        f"<p class='note'>逐月预警未计算：项目数超过 {c.projects if c.projects else 0}，大于逐月回放上限。</p>")
    page = f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>jixiao 规则包对比 {c.as_of}</title>
<style>{STYLE}</style><script type="text/javascript">{get_plotlyjs()}</script></head>
<body>
<h1>预算绩效管理规则对比 · 基准日期 {c.as_of} · {c.projects} 个项目</h1>
<p class="note">同一组项目在各地规则包下的结论。把 A 市的规则用于 B 市的项目，就是在 B 市的数据上做这一对比。由 jixiao 生成。</p>
<h2>各规则包汇总 Summary per pack</h2>{_summary_table(c)}
<h2>图表 Charts</h2>{charts}{monthly_note}
<h2>各部门金额影响合计（各年度、各类相加） Money effect per department</h2>{_department_table(c)}
<h2>结论不一致的项目 Disagreement matrix</h2>{_matrix_table(c)}
</body></html>
"""
    write_atomic(path, lambda p: p.write_text(page, encoding="utf-8"))
