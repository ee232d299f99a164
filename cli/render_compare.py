"""Terminal rendering of comparisons: several packs over one portfolio (``core.compare``) and the
decision-impact diff of two versions of a pack (``core.diffs.decision_diff``)."""

from __future__ import annotations

from rich.text import Text

from jixiao.cli.render import new_table
from jixiao.cli.text import SafeTable, styled
from jixiao.core.actions import ACTIONS
from jixiao.core.money import format_yuan


def decision_diff_tables(result, title: str):
    """The projects whose findings change (a finding a line) and the money change per department."""
    t = new_table("项目编码", "部门", "删除的结论", "新增的结论", "金额变化", whole=("项目编码", "金额变化"), title=title)
    for r in result.changed.iter_rows(named=True):
        t.add_row(r["project_id"], r["department"] or "", r["removed"].replace("；", "\n"),
                  r["added"].replace("；", "\n"), format_yuan(r["delta_fen"]))  # a finding a line
    d = new_table("部门", "金额变化", whole=("金额变化",), title="各部门金额影响变化（各年度、各类相加）")
    for dept, fen in result.by_department.iter_rows():
        d.add_row(dept or "", format_yuan(fen))
    return t, d


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
