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

STYLED = {"default": Text("插件默认", "dim"), "assumed": Text("假定", "yellow"), "sourced": Text("有依据", "green")}
LEVEL_ZH = {"national": "国家", "province": "省", "city": "市", "county": "县", "district": "区"}


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


def show_pack(console, pack: Pack) -> None:
    m = pack.meta
    console.print(f"[bold]{safe(m.name)}[/]（{safe(m.id)}）· 级别 {safe(LEVEL_ZH.get(m.level, m.level))}"
                  + (f" · 继承 {safe(m.extends)}" if m.extends else ""))
    if m.description:
        console.print(safe(m.description))
    console.print("继承链：" + " → ".join(safe(c) for c in pack.chain))
    src = new_table("键", "文号", "标题", "发文机关", "日期", "适用预算年度", title="依据文件")
    for key, s in pack.sources.items():
        src.add_row(key, s.doc_no, s.title, s.issuer or "", str(s.date or ""), s.in_force.text() if s.in_force else "")
    console.print(src)
    metas = chain_meta(pack)  # a child's own entries first, then each parent's
    not_modelled = [(pid, g) for pid, meta in metas for g in meta.not_modelled]
    if not_modelled:
        gaps = new_table("依据", "条款", "未建模的原因", "出自", title="未建模的条款")
        for pid, g in not_modelled:
            gaps.add_row(pack.source_label(g.source), g.clause, g.reason, pid)
        console.print(gaps)
    out_of_scope = [(pid, g) for pid, meta in metas for g in meta.out_of_scope]
    if out_of_scope:
        gaps = new_table("依据", "条款", "层面", "不针对项目的原因", "出自", title="不针对项目的条款")
        for pid, g in out_of_scope:
            gaps.add_row(pack.source_label(g.source), g.clause, SCOPE_ZH[g.level], g.reason, pid)
        console.print(gaps)
    for rule in pack.rules:
        state = "" if rule.enabled else " [red]（停用）[/]"
        origin = safe(f"定义于 {rule.defined_in}" + (f"，{'、'.join(rule.changed_in)} 有改动" if rule.changed_in else ""))
        console.print(f"\n[bold]{safe(rule.id)}[/] — 插件 {safe(rule.plugin)} · 环节 "
                      f"{'、'.join(STAGE_ZH[s] for s in rule.cls.stages())}{state}")
        console.print(f"  依据 {safe(pack.source_label(rule.citation.source))} {safe(clause_label(pack, rule.citation))} · {origin}")
        for line in quote_lines(pack, rule.citation):
            console.print(f"    {controls(line)}", markup=False, highlight=False)
        if rule.note:
            console.print(f"  说明：{controls(rule.note)}", markup=False, highlight=False)
        if rule.variants:
            console.print(f"  适用期间：{controls(periods_text(pack, rule))}", markup=False, highlight=False)
        table = new_table("参数", "取值", "状态", "依据 / 理由", "出自", box=None, padding=(0, 1))
        for name, v in rule.values.items():
            status, why = provenance(pack, v)
            table.add_row(name, value_text(v.value).replace("[", "\\["), STYLED[status],
                          why or "插件默认值，规则包未写明", origin_text(v))
        console.print(table)


def chain_meta(pack: Pack) -> list[tuple[str, object]]:
    """(pack id, its [pack] table) for the pack and each parent, the pack first."""
    from jixiao.core.pack import read_pack_file

    metas = [(pack.id, pack.meta)]
    for path in pack.paths[1:]:
        spec, _ = read_pack_file(path)
        if spec is not None:
            metas.append((spec.pack.id, spec.pack))
    return metas


def show_resolved(console, pack: Pack) -> None:
    """Every value of every rule in one table, with the pack it comes from."""
    t = new_table("规则", "参数", "取值", "出自", "状态", "依据 / 理由",
                  title=f"{pack.meta.name}（{pack.id}）· " + " → ".join(pack.chain))
    for rule in pack.rules:
        t.add_row(rule.id, "（规则）", ("启用" if rule.enabled else "停用") + f" · 插件 {rule.plugin}",
                  rule.changed_in[-1] if rule.changed_in else rule.defined_in, "",
                  f"{pack.source_label(rule.citation.source)} {clause_label(pack, rule.citation)}".replace("[", "\\["))
        if rule.variants:
            t.add_row("", "（适用期间）", periods_text(pack, rule), "", "", "")
        for name, v in rule.values.items():
            status, why = provenance(pack, v)
            t.add_row("", name, value_text(v.value), origin_text(v), STYLED[status], why)
    console.print(t)


def run_with_progress(console, state, pack_ref, as_of, portfolio_path):
    """Load the pack and the portfolio and run, showing the stage on a terminal."""
    from jixiao.core.engine import run
    from jixiao.core.pack import Pack
    from jixiao.core.load import load_portfolio

    from jixiao.cli.main import pack_by_name

    pack = Pack.load(pack_by_name(state, pack_ref), state.registry)
    with console.status("读取项目数据…") as status:
        from jixiao.cli.main import as_of_view

        portfolio = as_of_view(load_portfolio(portfolio_path), as_of)
        for w in portfolio.warnings:
            console.print(f"[yellow]警告：[/]{safe(w.render())}", highlight=False, soft_wrap=True)

        def on_stage(stage: str) -> None:
            status.update(f"{STAGE_ZH[stage]} · {len(portfolio)} 个项目")

        result = run(pack, portfolio, as_of, on_stage=on_stage, trace=state.trace)
    return result, len(portfolio)


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


def applies_text(budget_year: int | None, applies_to: str | None) -> str:
    """"2026年度 部门项目预算控制数": the budget year and the object a binding finding applies to."""
    from jixiao.core.outputs.explain_text import applies_text as text

    return text(budget_year, applies_to)


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


def short_names(packs) -> dict[str, str]:
    """Each pack's name as a column heading: the place it governs (南昌市, 同心县, 全国) when the
    name starts with one, else the whole name; made unique with the id when two would read alike."""
    import re

    place = re.compile(r"^(全国|.{1,8}?(?:自治区|自治州|省|市|州|盟|区|县|旗))")
    names = {}
    for p in packs:
        m = place.match(p.meta.name)
        names[p.id] = m.group(1) if m else p.meta.name
    counts = {n: list(names.values()).count(n) for n in names.values()}
    return {pid: n if counts[n] == 1 else f"{n}（{pid}）" for pid, n in names.items()}


# The per-pack summary, one row per pack: (heading, value of a summary). Money is a table of its own.
SUMMARY_COLUMNS = [
    ("不予安排预算", lambda s: f"{s['blocked']:,}"),
    # entries apart by a space: a cell wraps between them, never inside 一般 or a number
    ("预警", lambda s: " ".join(f"{ACTIONS[k].zh}{v:,}" for k, v in s["alerts"].items()) or "—"),
    ("等级分布", lambda s: " ".join(f"{k}{v:,}" for k, v in s["grades"].items()) or "—"),
    ("整改待报/逾期", lambda s: f"{s['rectifications_due']:,} / {s['rectifications_overdue']:,}"),
    ("已评价", lambda s: f"{s['graded']:,}（{s['graded_share'] * 100:.1f}%）"),
    ("纳入评价", lambda s: f"{s['selected_for_evaluation']:,}"),
    ("结论条数", lambda s: f"{s['findings']:,}"),
]


def render_comparison(c, console, limit: int = 20) -> None:
    """Per pack (one row each) a summary and its money effect by budget year and kind, then the
    projects where the packs disagree, one row per project and pack, disagreeing cells in bold red.
    Packs are rows, not columns, so that five packs fit 80 columns; amounts never wrap."""
    import polars as pl

    from rich.cells import cell_len

    label = short_names(c.packs)
    cells = {"规则包": [label[s["pack"]] for s in c.summary],
             **{head: [get(s) for s in c.summary] for head, get in SUMMARY_COLUMNS}}
    console.print(styled(f"规则包对比 · 基准日期 {c.as_of} · {c.projects:,} 个项目", "bold"))
    for p in c.packs:
        console.print(styled(f"  {label[p.id]}：{p.meta.name}（{p.id}）", ""))
    t = SafeTable(padding=(0, 1))
    t.add_column("规则包", no_wrap=True)
    for head, _ in SUMMARY_COLUMNS:
        wraps = head in ("预警", "等级分布")  # counts never wrap; their headings may
        # a count's column as wide as its widest value, at least half its heading (two lines)
        width = None if wraps else max(*(cell_len(str(x)) for x in cells[head]), (cell_len(head) + 1) // 2)
        t.add_column(head, overflow="fold", ratio=1 if wraps else None, width=width)
    for row in zip(*cells.values()):
        t.add_row(*row)
    console.print(t)
    money = SafeTable(title=styled("金额影响（按预算年度、类别）", ""), padding=(0, 1))
    money.add_column("规则包", no_wrap=True)
    money.add_column("预算年度 · 对象 · 处理", overflow="fold", ratio=1)
    money.add_column("金额", no_wrap=True, justify="right")
    for s in c.summary:
        groups = s["budget_effect_by_year"]
        for i, g in enumerate(groups):
            year = f"{g['budget_year']}年度 " if g["budget_year"] is not None else ""
            money.add_row(label[s["pack"]] if i == 0 else "", f"{year}{g['applies_to_zh'] or ''} · {g['action_zh']}",
                          format_yuan(g["amount_fen"]))
        money.add_row("" if groups else label[s["pack"]], styled("合计（各年度、各类相加）" if groups else "无金额影响", "dim"),
                      styled(format_yuan(s["budget_effect_fen"]), "bold"), end_section=True)
    console.print(money)
    for s in c.summary:
        for note in s.get("not_in_force", ()):
            console.print(f"适用期间：{label[s['pack']]} 规则 {note['rule']}：{note['note']}（{note['projects']} 个项目）",
                          highlight=False, markup=False)

    differing = c.matrix.filter(pl.col("disagree") != "")
    m = SafeTable(title=styled(f"结论不一致的项目（{differing.height:,} 个，显示前 {min(limit, differing.height)} 个）", ""),
                  padding=(0, 1))
    shown = differing.head(limit)
    widest = max((cell_len(x) for x in shown["project_id"]), default=8)
    m.add_column("项目编码 · 部门", overflow="fold", min_width=widest)  # the id fits; a long department wraps
    m.add_column("规则包", no_wrap=True)
    for head in ("预算安排", "等级"):
        m.add_column(head, overflow="fold")
    m.add_column("预算影响", no_wrap=True, justify="right")
    m.add_column("预警 · 整改期限", overflow="fold", ratio=1, min_width=10)  # a date on one line
    fields = ("gate", "grade", "effect", "alerts")
    for r in shown.iter_rows(named=True):
        keys = set(r["disagree"].split(","))
        for i, p in enumerate(c.pack_ids):
            values = {"gate": r[f"{p}:gate"] or "", "grade": r[f"{p}:grade"] or "—",
                      "effect": format_yuan(r[f"{p}:effect_fen"]), "alerts": r[f"{p}:alerts"] or ""}
            deadline = str(r[f"{p}:deadline"] or "")
            cells = [styled(values[k], "bold red" if k in keys else "") for k in fields]
            if deadline:
                cells[-1] = Text("\n").join([x for x in (cells[-1], styled(f"期限 {deadline}", "bold red" if "deadline" in keys else "")) if x.plain])
            first = (r["project_id"] if i == 0 else (r["department"] or "") if i == 1 else "")
            m.add_row(first, label[p], *cells, end_section=i == len(c.pack_ids) - 1)
    console.print(m)
