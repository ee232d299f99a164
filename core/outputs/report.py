"""The comparison as one self-contained HTML file for a 处长: the summary per pack with the clause
behind each figure, charts, the money effect per department and the projects on which the packs
disagree, sorted by money. plotly's JavaScript is inlined so that the page opens from disk with no
network, and the page prints on A4 (print CSS: no toolbar, no chart split across pages, the matrix
wrapped to the page, no scrollbars).

Everything a reader sees is Chinese: amounts in 万元 / 亿元 (the exact 元 figure beside it or in a
tooltip), counts with thousands separators, months as 2024年1月, packs by their names. Every text
from the data or a pack is escaped, for the page (``esc``) and for plotly's labels (``label``).

The page's look and words are in ``report_text``, its charts in ``report_charts``."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import polars as pl

from jixiao.core.actions import ACTIONS
from jixiao.core.outputs import compare as comparing
from jixiao.core.outputs.compare import Comparison
from jixiao.core.outputs.report_charts import _department_order, _figures
from jixiao.core.outputs.report_text import (STYLE, _basis, _cites, _findings_of, _money_of, _projects_of, count, date_zh,
                                            esc, money_html, pack_names)


MATRIX_ROWS = 300  # disagreeing projects shown in the page; the XLSX and JSON outputs hold them all
# A pack differs "systematically" on a field when its value is not the others' on this share of all
# projects (at least SYSTEMATIC_MIN of them): the matrix summarises it in one line instead of
# marking nearly every row.
SYSTEMATIC_SHARE = Decimal("0.9")
SYSTEMATIC_MIN = 5


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
