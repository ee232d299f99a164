"""Terminal rendering of packs and plugins: the installed packs and their tree, one pack whole or
resolved, two packs side by side, the installed plugins."""

from __future__ import annotations

from rich.text import Text
from rich.tree import Tree

from jixiao.cli.render import LEVEL_ZH, new_table
from jixiao.cli.text import controls, safe, styled
from jixiao.core.clauses import SCOPE_ZH, clause_label, quote_lines
from jixiao.core.hookspecs import STAGE_ZH
from jixiao.core.pack import Pack, origin_text, periods_text, provenance, value_text

STYLED = {"default": Text("插件默认", "dim"), "assumed": Text("假定", "yellow"), "sourced": Text("有依据", "green")}


def origin_zh(origin: str) -> str:
    """Where a pack or plugin comes from: 内置 for jixiao's own, else as the registry says it."""
    return "内置" if origin == "builtin" else origin


def packs_table(installed):
    """The installed packs, ``(id, source, pack or the error loading it)`` a row."""
    table = new_table("id", "名称", "级别", "继承", "规则数", "来源")
    for pid, src, pack in installed:
        if isinstance(pack, Pack):
            table.add_row(pid, pack.meta.name, LEVEL_ZH.get(pack.meta.level, pack.meta.level), pack.meta.extends or "",
                          str(len(pack.enabled_rules())), origin_zh(src.origin))
        else:
            table.add_row(pid, styled("无法加载", "red"), "", "", "", f"{src.origin}：{pack.render()}")
    return table


def packs_tree(installed):
    """The installed packs by whom they extend (国家 → 省 → 市 → 县/区); those that do not load last."""
    loaded = {pid: pack for pid, _src, pack in installed if isinstance(pack, Pack)}
    broken = [pid for pid, _src, pack in installed if not isinstance(pack, Pack)]
    children: dict[str | None, list[str]] = {}
    for pid, pack in loaded.items():
        parent = pack.meta.extends if pack.meta.extends in loaded else None
        children.setdefault(parent, []).append(pid)

    def add(node, pid):
        pack = loaded[pid]
        level = LEVEL_ZH.get(pack.meta.level, pack.meta.level)
        branch = node.add(f"[bold]{safe(pid)}[/] {safe(pack.meta.name)} · {safe(level)} · {len(pack.enabled_rules())} 条规则")
        for child in sorted(children.get(pid, [])):
            add(branch, child)

    root = Tree("已安装的规则包")
    for pid in sorted(children.get(None, [])):
        add(root, pid)
    for pid in broken:
        root.add(styled(f"{pid}（无法加载：jixiao packs check {pid}）", "red"))
    return root


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


def packs_diff_table(pa: Pack, pb: Pack, rows: list[dict]):
    """Two packs rule by rule, parameter by parameter (``core.diffs.packs_diff``); differences in bold."""
    table = new_table("规则", "参数", f"A：{pa.id}", "A 状态 / 依据", f"B：{pb.id}", "B 状态 / 依据",
                      title=f"{pa.meta.name} ↔ {pb.meta.name}")
    for r in rows:
        mark = "" if r["same"] else "bold"
        table.add_row(r["rule"], "（规则）" if r["parameter"] == "(rule)" else r["parameter"], styled(r["a_value"], mark),
                      " ".join(x for x in (r["a_status"], r["a_citation"]) if x),
                      styled(r["b_value"], mark), " ".join(x for x in (r["b_status"], r["b_citation"]) if x))
    return table


def plugins_table(registry):
    """The installed rule plugins with their hooks and origin, then those that failed to load."""
    table = new_table("插件", "钩子", "来源", "说明")
    for name, info in sorted(registry.plugins.items()):
        table.add_row(name, ", ".join(info.cls.hooks()), origin_zh(info.origin), info.cls.summary)
    for failure in registry.failures:
        table.add_row(failure.name, styled("无法加载", "red"), failure.origin, failure.error)
    return table
