"""Terminal rendering for the CLI: packs, explanations, progress."""

from __future__ import annotations

from rich.text import Text

from jixiao.cli.text import SafeTable, controls, safe, styled
from jixiao.core.actions import ACTIONS, OBJECTS
from jixiao.core.clauses import SCOPE_ZH, clause_label, quote_lines
from jixiao.core.engine import RunResult
from jixiao.core.hookspecs import STAGE_ZH
from jixiao.core.money import format_yuan
from jixiao.core.pack import Pack, origin_text, periods_text, provenance, value_text

STYLED = {"default": Text("default", "dim"), "assumed": Text("ASSUMED", "yellow"), "sourced": Text("sourced", "green")}


def new_table(*headers: str, **kwargs):
    """A rich table whose cells wrap rather than being cut short: no value is ever elided. Its
    string cells and headers are plain text (see ``SafeTable``); pass ``Text`` for a style."""
    if isinstance(kwargs.get("title"), str):
        kwargs["title"] = styled(kwargs["title"], "")
    table = SafeTable(**kwargs)
    for head in headers:
        table.add_column(styled(head, "") if isinstance(head, str) else head, overflow="fold")
    return table


def show_pack(console, pack: Pack) -> None:
    m = pack.meta
    console.print(f"[bold]{safe(m.name)}[/] ({safe(m.id)}) · level {safe(m.level)}"
                  + (f" · extends {safe(m.extends)}" if m.extends else ""))
    if m.description:
        console.print(safe(m.description))
    console.print("继承链 chain: " + " → ".join(safe(c) for c in pack.chain))
    src = new_table("key", "文号", "标题", "发文机关", "日期", "适用预算年度", title="依据文件 sources")
    for key, s in pack.sources.items():
        src.add_row(key, s.doc_no, s.title, s.issuer or "", str(s.date or ""), s.in_force.text() if s.in_force else "")
    console.print(src)
    if m.not_modelled:
        gaps = new_table("依据", "条款", "why not a rule", title="not modelled 未建模的条款")
        for g in m.not_modelled:
            gaps.add_row(pack.source_label(g.source), g.clause, g.reason)
        console.print(gaps)
    if m.out_of_scope:
        gaps = new_table("依据", "条款", "层面", "why out of scope", title="out of scope 不针对项目的条款")
        for g in m.out_of_scope:
            gaps.add_row(pack.source_label(g.source), g.clause, SCOPE_ZH[g.level], g.reason)
        console.print(gaps)
    for rule in pack.rules:
        state = "" if rule.enabled else " [red](switched off)[/]"
        origin = safe(rule.defined_in + (f", changed in {', '.join(rule.changed_in)}" if rule.changed_in else ""))
        console.print(f"\n[bold]{safe(rule.id)}[/] — plugin {safe(rule.plugin)} · stage "
                      f"{', '.join(STAGE_ZH[s] for s in rule.cls.stages())}{state}")
        console.print(f"  依据 {safe(pack.source_label(rule.citation.source))} {safe(clause_label(pack, rule.citation))} · defined in {origin}")
        for line in quote_lines(pack, rule.citation):
            console.print(f"    {controls(line)}", markup=False, highlight=False)
        if rule.note:
            console.print(f"  note: {controls(rule.note)}", markup=False, highlight=False)
        if rule.variants:
            console.print(f"  适用期间 in force: {controls(periods_text(pack, rule))}", markup=False, highlight=False)
        table = new_table("parameter", "value", "status", "citation / reason", "from", box=None, padding=(0, 1))
        for name, v in rule.values.items():
            status, why = provenance(pack, v)
            table.add_row(name, value_text(v.value).replace("[", "\\["), STYLED[status],
                          why or "plugin default, not stated in the pack", origin_text(v))
        console.print(table)


def show_resolved(console, pack: Pack) -> None:
    """Every value of every rule in one table, with the pack it comes from."""
    t = new_table("rule", "parameter", "value", "from", "status", "citation / reason",
                  title=f"{pack.meta.name}（{pack.id}）· " + " → ".join(pack.chain))
    for rule in pack.rules:
        t.add_row(rule.id, "(rule)", ("on" if rule.enabled else "off") + f" · {rule.plugin}",
                  rule.changed_in[-1] if rule.changed_in else rule.defined_in, "",
                  f"{pack.source_label(rule.citation.source)} {clause_label(pack, rule.citation)}".replace("[", "\\["))
        if rule.variants:
            t.add_row("", "(in force)", periods_text(pack, rule), "", "", "")
        for name, v in rule.values.items():
            status, why = provenance(pack, v)
            t.add_row("", name, value_text(v.value), origin_text(v), STYLED[status], why)
    console.print(t)


def run_with_progress(console, state, pack_ref, as_of, portfolio_path):
    """Load the pack and the portfolio and run, showing the stage on a terminal."""
    from jixiao.core.engine import run
    from jixiao.core.pack import Pack
    from jixiao.core.portfolio import load_portfolio

    pack = Pack.load(pack_ref, state.registry)
    with console.status("读取项目数据 loading portfolio…") as status:
        portfolio = load_portfolio(portfolio_path)
        for w in portfolio.warnings:
            console.print(f"[yellow]warning:[/] {safe(w.render())}", highlight=False, soft_wrap=True)

        def on_stage(stage: str) -> None:
            status.update(f"{STAGE_ZH[stage]} {stage} · {len(portfolio)} 个项目")

        result = run(pack, portfolio, as_of, on_stage=on_stage, trace=state.trace)
    return result, len(portfolio)


def show_explanation(console, ex) -> None:
    p = ex.project
    console.print(f"[bold]{safe(p['project_id'])}[/] {safe(p['name'])} · {safe(p['department'])} · {p['fiscal_year']} 年度 · "
                  f"{safe(p['category'])} · 预算 {format_yuan(p['budget_fen'])} · 已支出 {format_yuan(p['spent_fen'])}")
    rec = ex.record
    held = [f"{len(rec.indicators)} 项绩效指标", f"{len(rec.payments)} 笔支出", f"{len(rec.evaluations)} 次评价",
            f"{len(rec.decisions)} 个问责决定"]
    console.print("数据：" + "，".join(held) + "；事前评估：" + safe(rec.assessment.result), highlight=False)
    console.print(f"规则包 {safe(ex.pack.meta.name)}（{safe(ex.pack.id)}）· 基准日期 {ex.as_of}\n")
    for r in ex.rules:
        mark = "[red]● fired[/]" if r.fired else "[green]○ not fired[/]"
        console.print(f"{mark}  [bold]{safe(r.rule)}[/] ({safe(r.plugin)}) · {'/'.join(STAGE_ZH[s] for s in r.stages)} · "
                      f"依据 {safe(r.source)} {safe(clause_label(ex.pack, r.citation))}")
        for line in quote_lines(ex.pack, r.citation):
            console.print(f"    条文：{controls(line)}", markup=False, highlight=False)
        if r.in_force:
            console.print(f"    适用期间：{controls(r.in_force)}", highlight=False, markup=False)
        for f in r.findings:
            amount = f" · {format_yuan(f.amount_fen)}" if f.amount_fen is not None else ""
            due = f" · 期限 {f.due_date}" if f.due_date else ""
            where = f" · {applies_text(f.budget_year, f.applies_to)}" if f.applies_to else ""
            console.print(f"    → {ACTIONS[f.action].zh}（{f.action}）{amount}{where}{due}：{safe(f.message)}",
                          highlight=False)
        if r.inputs:
            console.print("    inputs: " + ", ".join(f"{k}={safe(_plain(k, v))}" for k, v in r.inputs.items()), highlight=False)
        values = []
        for name, v in r.values.items():
            tag = {"assumed": " (assumed)", "default": " (default)", "sourced": ""}[provenance(ex.pack, v)[0]]
            values.append(f"{name}={value_text(v.value)}{tag}")
        console.print(safe("    params: " + "; ".join(values)), highlight=False)
        for note in r.notes:
            console.print(f"    [cyan]nearest change:[/] {safe(note)}")


def applies_text(budget_year: int | None, applies_to: str | None) -> str:
    """"2026年度 部门项目预算控制数": the budget year and the object a binding finding applies to."""
    if applies_to is None:
        return ""
    year = f"{budget_year}年度 " if budget_year is not None else ""
    return year + OBJECTS[applies_to].zh


def _plain(key: str, v) -> str:
    if v is None:
        return "—"
    if key.endswith("_fen"):
        return format_yuan(v)
    if key.endswith("_c"):
        return f"{v // 100}.{v % 100:02d}"
    return str(v)


def render_table(result: RunResult, console, limit: int | None = 200) -> None:
    """Findings and a summary for the terminal; rich measures CJK width, so columns stay aligned."""
    from jixiao.core.output import summary

    table = new_table("项目编码", "环节", "规则", "处理", "金额影响", "期限", "依据", "说明",
                      title=f"{result.pack.meta.name}（{result.pack.id}）· 基准日期 {result.as_of}")
    rows = result.findings if limit is None else result.findings.head(limit)
    for r in rows.iter_rows(named=True):
        table.add_row(r["project_id"], r["stage"], r["rule"], ACTIONS[r["action"]].zh,
                      format_yuan(r["amount_fen"]), str(r["due_date"] or ""),
                      f"{r['source']} {r['clause']}" + ("（含假定）" if r["assumed"] else ""), r["message"])
    console.print(table)
    if limit is not None and result.findings.height > limit:
        console.print(f"… 另有 {result.findings.height - limit} 条结论未显示；用 --format csv/xlsx/json -o FILE 导出全部。")
    s = summary(result)
    parts = "，".join(f"{ACTIONS[k].zh} {v}" for k, v in s["by_action"].items())
    console.print(f"共 {s['findings']} 条结论，涉及 {s['projects_with_findings']} 个项目：{parts or '无'}")
    console.print(f"下年度预算影响合计：{format_yuan(s['budget_effect_fen'])}")
    from jixiao.core.in_force import report

    for note in report(result.pack, result.facts):
        console.print(f"适用期间：规则 {note['rule']}：{note['note']}（{note['projects']} 个项目）", highlight=False,
                      markup=False)


def render_comparison(c, console, limit: int = 20) -> None:
    """Per-pack summary, then the projects where the packs disagree, disagreeing cells in bold red."""
    from jixiao.core.compare import SUMMARY_ROWS

    t = new_table("", *(s["pack"] for s in c.summary), title=f"规则包对比 · 基准日期 {c.as_of} · {c.projects} 个项目")
    for label, get in SUMMARY_ROWS:
        t.add_row(label, *(get(s) for s in c.summary))
    console.print(t)
    for s in c.summary:
        for note in s.get("not_in_force", ()):
            console.print(f"适用期间：{s['name']} 规则 {note['rule']}：{note['note']}（{note['projects']} 个项目）",
                          highlight=False, markup=False)
    import polars as pl

    differing = c.matrix.filter(pl.col("disagree") != "")
    m = new_table("项目", *c.pack_ids, title=f"结论不一致的项目（{differing.height} 个，显示前 {min(limit, differing.height)} 个）")
    for r in differing.head(limit).iter_rows(named=True):
        keys = set(r["disagree"].split(","))
        cells = []
        for p in c.pack_ids:
            parts = [("gate", r[f"{p}:gate"]), ("grade", r[f"{p}:grade"] or "—"),
                     ("effect", format_yuan(r[f"{p}:effect_fen"])), ("alerts", r[f"{p}:alerts"] or ""),
                     ("deadline", str(r[f"{p}:deadline"] or ""))]
            cells.append(Text("\n").join(styled(v, "bold red") if k in keys else styled(v, "") for k, v in parts if v))
        m.add_row(f"{r['project_id']}\n{r['department']}", *cells)
    console.print(m)
