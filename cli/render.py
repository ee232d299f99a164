"""Terminal rendering for the CLI: packs, explanations, progress."""

from __future__ import annotations

import json
from decimal import Decimal

import attrs

from jixiao.core.actions import ACTIONS
from jixiao.core.hookspecs import STAGE_ZH
from jixiao.core.money import format_yuan
from jixiao.core.pack import PLUGIN_DEFAULT, Pack


def value_text(value) -> str:
    """A parameter value as a pack author would write it."""
    if attrs.has(type(value)):
        value = attrs.asdict(value)
    return json.dumps(value, ensure_ascii=False, default=lambda v: str(v) if isinstance(v, Decimal) else repr(v))


def show_pack(console, pack: Pack) -> None:
    from rich.table import Table

    m = pack.meta
    console.print(f"[bold]{m.name}[/] ({m.id}) · level {m.level}" + (f" · extends {m.extends}" if m.extends else ""))
    if m.description:
        console.print(m.description)
    console.print("继承链 chain: " + " → ".join(pack.chain))
    src = Table("key", "文号", "标题", "发文机关", "日期", title="依据文件 sources")
    for key, s in pack.sources.items():
        src.add_row(key, s.doc_no, s.title, s.issuer or "", str(s.date or ""))
    console.print(src)
    for rule in pack.rules:
        state = "" if rule.enabled else " [red](switched off)[/]"
        origin = rule.defined_in + (f", changed in {', '.join(rule.changed_in)}" if rule.changed_in else "")
        console.print(f"\n[bold]{rule.id}[/] — plugin {rule.plugin} · stage "
                      f"{', '.join(STAGE_ZH[s] for s in rule.cls.stages())}{state}")
        console.print(f"  依据 {pack.source_label(rule.citation.source)} {rule.citation.clause} · defined in {origin}")
        table = Table("parameter", "value", "status", "citation / reason", "from", box=None, padding=(0, 1))
        for name, v in rule.values.items():
            if v.origin == PLUGIN_DEFAULT:
                status, why = "[dim]default[/]", "plugin default, not stated in the pack"
            elif v.assumed is not None:
                status, why = "[yellow]ASSUMED[/]", v.assumed
            else:
                status = "[green]sourced[/]"
                why = f"{pack.source_label(v.citation.source)} {v.citation.clause}" if v.citation else ""
            table.add_row(name, value_text(v.value), status, why, v.origin)
        console.print(table)


def run_with_progress(console, state, pack_ref, as_of, portfolio_path):
    """Load the pack and the portfolio and run, showing the stage on a terminal."""
    from jixiao.core.engine import run
    from jixiao.core.hookspecs import STAGE_ZH as ZH
    from jixiao.core.pack import Pack
    from jixiao.core.portfolio import load_portfolio

    pack = Pack.load(pack_ref, state.registry)
    with console.status("读取项目数据 loading portfolio…") as status:
        portfolio = load_portfolio(portfolio_path)
        for w in portfolio.warnings:
            console.print(f"[yellow]warning:[/] {w.render()}", highlight=False)

        def on_stage(stage: str) -> None:
            status.update(f"{ZH[stage]} {stage} · {len(portfolio)} 个项目")

        result = run(pack, portfolio, as_of, on_stage=on_stage, trace=state.trace)
    return result, len(portfolio)


def show_explanation(console, ex) -> None:
    p = ex.project
    console.print(f"[bold]{p['project_id']}[/] {p['name']} · {p['department']} · {p['fiscal_year']} 年度 · "
                  f"{p['category']} · 预算 {format_yuan(p['budget_fen'])} · 已支出 {format_yuan(p['spent_fen'])}")
    console.print(f"规则包 {ex.pack.meta.name}（{ex.pack.id}）· 基准日期 {ex.as_of}\n")
    for r in ex.rules:
        mark = "[red]● fired[/]" if r.fired else "[green]○ not fired[/]"
        console.print(f"{mark}  [bold]{r.rule}[/] ({r.plugin}) · {'/'.join(STAGE_ZH[s] for s in r.stages)} · "
                      f"依据 {r.source} {r.citation.clause}")
        for f in r.findings:
            amount = f" · {format_yuan(f['amount_fen'])}" if f["amount_fen"] is not None else ""
            due = f" · 期限 {f['due_date']}" if f["due_date"] else ""
            console.print(f"    → {ACTIONS[f['action']].zh}（{f['action']}）{amount}{due}：{f['message']}",
                          highlight=False)
        if r.inputs:
            console.print("    inputs: " + ", ".join(f"{k}={_plain(k, v)}" for k, v in r.inputs.items()), highlight=False)
        values = []
        for name, v in r.values.items():
            tag = " (assumed)" if v.assumed is not None else (" (default)" if v.origin == PLUGIN_DEFAULT else "")
            values.append(f"{name}={value_text(v.value)}{tag}")
        console.print("    params: " + "; ".join(values), highlight=False, markup=False)
        for note in r.notes:
            console.print(f"    [cyan]nearest change:[/] {note}")


def _plain(key: str, v) -> str:
    if v is None:
        return "—"
    if key.endswith("_fen"):
        return format_yuan(v)
    if key.endswith("_c"):
        return f"{v // 100}.{v % 100:02d}"
    return str(v)
