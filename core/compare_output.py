"""Comparison outputs: JSON (schema ``jixiao.compare/1``) and XLSX with a sheet per view."""

from __future__ import annotations

import io
from pathlib import Path
from typing import TextIO

import polars as pl

from jixiao.core.actions import ACTIONS
from jixiao.core.compare import Comparison
from jixiao.core.files import xlsx_workbook
from jixiao.core.money import fen_to_yuan_str
from jixiao.core.output import stream_json, write_atomic, yuan_expr

SCHEMA = "jixiao.compare/1"


def to_json(c: Comparison) -> str:
    out = io.StringIO()
    write_json(c, out)
    return out.getvalue()


def write_json(c: Comparison, out: TextIO) -> None:
    """Write the comparison as JSON, the per-project part encoded by polars a chunk at a time: a
    million projects never become a million Python dicts or one giant string."""
    departments = {}
    for dept, pack, fen in c.by_department.iter_rows():
        departments.setdefault(dept, {})[pack] = fen
    head = {
        "schema": SCHEMA, "as_of": c.as_of.isoformat(), "portfolio": {"projects": c.projects},
        "packs": [{**s, "budget_effect_yuan": fen_to_yuan_str(s["budget_effect_fen"])} for s in c.summary],
        "departments": [{"department": d, "budget_effect_fen": v} for d, v in sorted(departments.items())],
        "monthly_alerts": c.monthly.to_dicts() if c.monthly is not None else None,
    }
    outcomes = pl.struct([
        pl.struct(pl.col(f"{p}:gate").alias("gate"), pl.col(f"{p}:alerts").alias("alerts"),
                  pl.col(f"{p}:grade").alias("grade"), pl.col(f"{p}:effect_fen").alias("effect_fen"),
                  pl.col(f"{p}:deadline").dt.strftime("%Y-%m-%d").alias("deadline")).alias(p)
        for p in c.pack_ids]).alias("outcomes")
    disagree = pl.col("disagree").str.split(",").list.eval(pl.element().filter(pl.element() != "")).alias("disagree")
    stream_json(out, head, "projects", c.matrix, pl.struct("project_id", "name", "department", outcomes, disagree))


def write_xlsx(c: Comparison, path: Path) -> None:
    summary_rows = []
    for s in c.summary:
        summary_rows.append({"规则包": s["pack"], "名称": s["name"], "不予安排预算项目数": s["blocked"],
                             "预警": "、".join(f"{ACTIONS[k].zh} {v}" for k, v in s["alerts"].items()),
                             "等级分布": "、".join(f"{k} {v}" for k, v in s["grades"].items()),
                             "金额影响合计(元，各年度各类相加)": fen_to_yuan_str(s["budget_effect_fen"]),
                             "整改待报": s["rectifications_due"], "整改逾期": s["rectifications_overdue"],
                             "已评价项目数": s["graded"], "纳入评价": s["selected_for_evaluation"], "结论条数": s["findings"]})
    matrix = c.matrix.with_columns(
        [yuan_expr(f"{p}:effect_fen").alias(f"{p}:effect_fen") for p in c.pack_ids]
        + [pl.col(f"{p}:deadline").dt.strftime("%Y-%m-%d") for p in c.pack_ids])
    names = {"project_id": "项目编码", "name": "项目名称", "department": "主管部门", "disagree": "不一致之处"}
    for p in c.pack_ids:
        names.update({f"{p}:gate": f"{p} 预算安排", f"{p}:alerts": f"{p} 预警", f"{p}:grade": f"{p} 等级",
                      f"{p}:effect_fen": f"{p} 预算影响(元)", f"{p}:deadline": f"{p} 整改期限"})
    dept = (c.by_department.pivot(on="pack", index="department", values="budget_effect_fen").sort("department")
            .with_columns([yuan_expr(p).alias(p) for p in c.pack_ids]).rename({"department": "部门"}))

    def write(tmp: Path) -> None:
        with xlsx_workbook(tmp) as wb:
            pl.DataFrame(summary_rows).write_excel(wb, worksheet="汇总", autofit=True)
            matrix.rename(names).write_excel(wb, worksheet="逐项目对比", autofit=True)
            dept.write_excel(wb, worksheet="部门预算影响", autofit=True)
            if c.monthly is not None:
                c.monthly.rename({"pack": "规则包", "month": "月份", "alerts": "预警条数"}).write_excel(
                    wb, worksheet="逐月预警", autofit=True)

    write_atomic(path, write)
