"""Terminal rendering for the CLI: the tables every command shows are built here (packs in
``render_packs``, comparisons and pack diffs in ``render_compare``), from what the core returns."""

from __future__ import annotations

from jixiao.cli.text import SafeTable, controls, styled
from jixiao.core.actions import ACTIONS
from jixiao.core.engine import RunResult
from jixiao.core.hookspecs import STAGE_ZH
from jixiao.core.money import format_yuan

# A pack's level (``core.pack.Level``), a problem's severity and a planned evaluation's status, in Chinese
LEVEL_ZH = {"national": "国家", "province": "省", "city": "市", "county": "县", "district": "区"}
SEVERITY_ZH = {"error": "错误", "warning": "警告"}
PLAN_STATUS_ZH = {"evaluated": "已评价", "planned": "原计划", "new": "新排", "again": "再次评价"}


def new_table(*headers: str, whole: tuple[str, ...] = (), **kwargs):
    """A rich table whose cells wrap rather than being cut short: no value is ever elided. Its
    string cells and headers are plain text (see ``SafeTable``); pass ``Text`` for a style. The
    columns named in ``whole`` (ids, amounts, dates) never wrap: a number split over two lines is
    misread; the others wrap into what is left of the width."""
    if isinstance(kwargs.get("title"), str):
        kwargs["title"] = styled(kwargs["title"], "")
    table = SafeTable(**kwargs)
    for head in headers:
        keep = head in whole
        table.add_column(styled(head, "") if isinstance(head, str) else head, overflow="fold", no_wrap=keep,
                         justify="right" if keep and ("金额" in head or "元" in head) else "left")
    return table


def show_explanation(console, ex, all_rules: bool = False) -> None:
    """The explanation in Chinese (``core.explain_text``): by default the rules that gave a finding,
    with their clause text; ``all_rules`` every rule with the values it used."""
    from jixiao.core.outputs.explain_text import explanation_lines

    for i, line in enumerate(explanation_lines(ex, all_rules)):
        style = "bold" if i == 0 else ("red" if line.startswith("●") else ("green" if line.startswith("○") else None))
        console.print(controls(line), markup=False, highlight=False, style=style)
    for r in ex.rules:
        if r.in_force:
            console.print(controls(f"适用期间（{r.rule}）：{r.in_force}"), markup=False, highlight=False)


def render_table(result: RunResult, console, limit: int | None = 200) -> None:
    """Findings and a summary for the terminal; rich measures CJK width, so columns stay aligned."""
    from jixiao.core.outputs.run import summary

    # Ids, amounts and dates never wrap (a number split over two lines is misread); the stage, the
    # citation and the message wrap into what is left of the width. Cells are plain text (SafeTable).
    table = SafeTable(title=styled(f"{result.pack.meta.name}（{result.pack.id}）· 基准日期 {result.as_of}", ""),
                      padding=(0, 1))
    table.add_column("项目编码", no_wrap=True)
    table.add_column("处理 · 环节", overflow="fold", min_width=8)
    table.add_column("金额影响", no_wrap=True, justify="right")
    table.add_column("说明 · 依据", overflow="fold", ratio=1, min_width=12)
    rows = result.findings if limit is None else result.findings.head(limit)
    for r in rows.iter_rows(named=True):
        due = f"\n期限 {r['due_date']}" if r["due_date"] else ""
        table.add_row(r["project_id"], f"{ACTIONS[r['action']].zh}\n{STAGE_ZH[r['stage']]}{due}",
                      format_yuan(r["amount_fen"]),
                      f"{r['message']}\n依据 {r['source']} {r['clause']}" + ("（含假定）" if r["assumed"] else ""))
    console.print(table)
    if limit is not None and result.findings.height > limit:
        console.print(f"… 另有 {result.findings.height - limit} 条结论未显示；用 --format csv/xlsx/json -o FILE 导出全部。")
    s = summary(result)
    parts = "，".join(f"{ACTIONS[k].zh} {v}" for k, v in s["by_action"].items())
    console.print(f"共 {s['findings']} 条结论，涉及 {s['projects_with_findings']} 个项目：{parts or '无'}")
    for g in s["budget_effect_by_year"]:
        year = f"{g['budget_year']}年度 " if g["budget_year"] is not None else ""
        console.print(f"金额影响 · {year}{g['applies_to_zh'] or ''} · {g['action_zh']}：{format_yuan(g['amount_fen'])}"
                      f"（{g['findings']} 条）", markup=False, highlight=False)
    if len(s["budget_effect_by_year"]) > 1:
        console.print(f"金额影响合计（各年度、各类相加，不是下年度预算的变化）：{format_yuan(s['budget_effect_fen'])}")
    from jixiao.core.in_force import report

    for note in report(result.pack, result.facts):
        console.print(f"适用期间：规则 {note['rule']}：{note['note']}（{note['projects']} 个项目）", highlight=False,
                      markup=False)


def plan_table(table, info: dict):
    """The evaluation plan (``cli.plan.coverage_plan``), a fund and year a row."""
    t = new_table("年度", "项目编码", "状态", "十五个攻势", "预算(元)", whole=("年度", "项目编码", "预算(元)"),
                  title=f"{info['cycle'][0]}–{info['cycle'][1]} 评价计划 · 依据 {info['citation']}")
    for r in table.iter_rows(named=True):
        t.add_row(str(r["year"]), r["project_id"], PLAN_STATUS_ZH[r["status"]],
                  "是" if r["priority_fund"] else "", r["budget_yuan"])
    return t


def plan_summary(info: dict) -> str:
    """How many funds, the yearly minimum and how many evaluations each year has."""
    per_year = "，".join(f"{y}年 {n} 项" for y, n in info["per_year"].items())
    return f"{info['funds']} 项专项资金，每年至少 {info['per_year_minimum']} 项：{per_year}"


def render_reconciliation(rec, console, limit: int | None = 200) -> None:
    """The differences of a reconciliation (core/outputs/reconcile.py) and its summary."""
    from jixiao.core.outputs.reconcile import summary_lines

    lines = summary_lines(rec)
    console.print(lines[0], markup=False, highlight=False)
    if rec.differences:
        table = SafeTable(padding=(0, 1))
        table.add_column("项目编码", no_wrap=True)
        table.add_column("比对项", no_wrap=True)
        table.add_column("jixiao · 对方", overflow="fold", min_width=8)
        table.add_column("依据 · 判断", overflow="fold", ratio=1, min_width=12)
        shown = rec.differences if limit is None else rec.differences[:limit]
        for d in shown:
            table.add_row(d.project_id, d.item, f"{d.ours}\n{d.theirs}",
                          (f"依据 {d.basis}；{d.inputs}\n" if d.basis else "") + d.verdict)
        console.print(table)
        if limit is not None and len(rec.differences) > limit:
            console.print(f"… 另有 {len(rec.differences) - limit} 处差异未显示；用 -o FILE.xlsx 导出全部。")
    console.print(lines[1], markup=False, highlight=False)
