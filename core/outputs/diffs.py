"""What differs between two packs: their rules and values (``packs diff``), and their decisions on
one portfolio (``jixiao diff``, a release gate for pack changes)."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import attrs
import polars as pl

from jixiao.core.clauses import clause_label
from jixiao.core.engine import run
from jixiao.core.pack import Pack, ParamValue, ResolvedRule, provenance, value_text
from jixiao.core.load import Portfolio


def value_status(pack: Pack, v: ParamValue | None) -> str:
    if v is None:
        return "未设"
    kind, _ = provenance(pack, v)
    zh = {"default": "插件默认", "assumed": "假定", "sourced": "有依据"}[kind]
    return zh if kind == "default" or v.origin == pack.id else f"{zh}，继承自 {v.origin}"


def value_cite(pack: Pack, v: ParamValue | None) -> str:
    if v is None or v.citation is None:
        return ""
    text = f"{pack.source_label(v.citation.source)} {clause_label(pack, v.citation)}"
    return text + (f"（假定：{v.assumed}）" if v.assumed else "")


def packs_diff(a: Pack, b: Pack, include_same: bool = False) -> list[dict]:
    """One row per rule and parameter: each side's value, status and citation."""
    ra = {r.id: r for r in a.rules}
    rb = {r.id: r for r in b.rules}
    rows = []
    for rid in [*ra, *(r for r in rb if r not in ra)]:
        x, y = ra.get(rid), rb.get(rid)
        rows.append(_rule_row(rid, a, x, b, y))
        params = list(x.values if x else {}) + [p for p in (y.values if y else {}) if not x or p not in x.values]
        for name in params:
            vx = x.values.get(name) if x else None
            vy = y.values.get(name) if y else None
            tx = value_text(vx.value) if vx else ""
            ty = value_text(vy.value) if vy else ""
            same = tx == ty and vx is not None and vy is not None
            if same and not include_same:
                continue
            rows.append({"rule": rid, "parameter": name, "same": same,
                         "a_value": tx, "a_status": value_status(a, vx) if x else "无此规则", "a_citation": value_cite(a, vx),
                         "b_value": ty, "b_status": value_status(b, vy) if y else "无此规则", "b_citation": value_cite(b, vy)})
    return [r for r in rows if include_same or not r["same"]]


def _rule_row(rid: str, a: Pack, x: ResolvedRule | None, b: Pack, y: ResolvedRule | None) -> dict:
    def state(p: Pack, r: ResolvedRule | None) -> str:
        if r is None:
            return "无此规则"
        where = "" if r.defined_in == p.id and not r.changed_in else f"（定义于 {r.defined_in}）"
        return ("启用" if r.enabled else "停用") + f"，插件 {r.plugin}" + where

    def cite(p: Pack, r: ResolvedRule | None) -> str:
        return f"{p.source_label(r.citation.source)} {clause_label(p, r.citation)}" if r else ""

    sa, sb = state(a, x), state(b, y)
    same = x is not None and y is not None and x.enabled == y.enabled and x.plugin == y.plugin
    return {"rule": rid, "parameter": "(rule)", "same": same, "a_value": sa, "a_status": "", "a_citation": cite(a, x),
            "b_value": sb, "b_status": "", "b_citation": cite(b, y)}


@attrs.frozen
class DecisionDiff:
    old: Pack
    new: Pack
    as_of: dt.date
    changed: pl.DataFrame  # project_id, department, removed, added, delta_fen
    by_department: pl.DataFrame  # department, delta_fen
    projects: int

    @property
    def delta_fen(self) -> int:
        return int(self.changed["delta_fen"].sum() or 0)

    def summary_line(self) -> str:
        from jixiao.core.money import format_yuan

        if self.changed.height == 0:
            return f"没有变化：{self.projects:,} 个项目在两个规则包下的结论相同"
        return (f"{self.projects:,} 个项目中 {self.changed.height:,} 个的结论有变化；金额影响（各年度、各类相加）变化 "
                f"{format_yuan(self.delta_fen)}")


def _describe(rows: list[tuple]) -> str:
    from jixiao.core.actions import ACTIONS
    from jixiao.core.money import format_yuan

    parts = []
    for rule, action, amount, due in rows:
        text = f"{rule}：{ACTIONS[action].zh}"
        if amount is not None:
            text += f" {format_yuan(amount)}"
        if due is not None:
            text += f" 期限 {due}"
        parts.append(text)
    return "；".join(parts)


def decision_diff(old: Pack, new: Pack, portfolio: Portfolio, as_of: dt.date) -> DecisionDiff:
    key = ["rule", "action", "amount_fen", "due_date"]
    # As text: each pack's decisions have their own enums.
    fo = run(old, portfolio, as_of).decisions.select("project_id", *key).cast({"rule": pl.String, "action": pl.String})
    fn = run(new, portfolio, as_of).decisions.select("project_id", *key).cast({"rule": pl.String, "action": pl.String})
    both = pl.concat([fo.with_columns(pl.lit(-1).alias("_side")), fn.with_columns(pl.lit(1).alias("_side"))])
    # Net count per project and finding: non-zero means the finding appears more often on one side.
    net = (both.group_by("project_id", *key).agg(pl.col("_side").sum().alias("_net"))
           .filter(pl.col("_net") != 0))
    rows = []
    for (pid,), group in net.sort("project_id", *key, nulls_last=True).group_by("project_id", maintain_order=True):
        removed, added = Counter(), Counter()
        for r in group.iter_rows(named=True):
            t = (r["rule"], r["action"], r["amount_fen"], r["due_date"])
            (added if r["_net"] > 0 else removed)[t] += abs(r["_net"])
        delta = sum((t[2] or 0) * n for t, n in added.items()) - sum((t[2] or 0) * n for t, n in removed.items())
        rows.append((pid, _describe(list(removed.elements())), _describe(list(added.elements())), delta))
    changed = pl.DataFrame(rows, schema={"project_id": pl.String, "removed": pl.String, "added": pl.String,
                                         "delta_fen": pl.Int64}, orient="row")
    changed = changed.join(portfolio.projects.select("project_id", "department"), on="project_id", how="left").select(
        "project_id", "department", "removed", "added", "delta_fen")
    by_dept = (changed.group_by("department").agg(pl.col("delta_fen").sum()).sort("department"))
    return DecisionDiff(old, new, as_of, changed, by_dept, len(portfolio))
