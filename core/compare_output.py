"""Comparison outputs: JSON (schema ``jixiao.compare/1``) and XLSX with a sheet per view."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl

from jixiao.core.actions import ACTIONS
from jixiao.core.compare import Comparison
from jixiao.core.money import fen_to_yuan_str
from jixiao.core.output import write_atomic, yuan_expr

SCHEMA = "jixiao.compare/1"


def to_json(c: Comparison) -> str:
    projects = []
    for r in c.matrix.iter_rows(named=True):
        outcomes = {p: {"gate": r[f"{p}:gate"], "alerts": r[f"{p}:alerts"], "grade": r[f"{p}:grade"],
                        "effect_fen": r[f"{p}:effect_fen"],
                        "deadline": r[f"{p}:deadline"].isoformat() if r[f"{p}:deadline"] else None}
                    for p in c.pack_ids}
        projects.append({"project_id": r["project_id"], "name": r["name"], "department": r["department"],
                         "outcomes": outcomes, "disagree": [d for d in r["disagree"].split(",") if d]})
    departments = {}
    for dept, pack, fen in c.by_department.iter_rows():
        departments.setdefault(dept, {})[pack] = fen
    doc = {
        "schema": SCHEMA, "as_of": c.as_of.isoformat(), "portfolio": {"projects": c.projects},
        "packs": [{**s, "budget_effect_yuan": fen_to_yuan_str(s["budget_effect_fen"])} for s in c.summary],
        "departments": [{"department": d, "budget_effect_fen": v} for d, v in sorted(departments.items())],
        "monthly_alerts": c.monthly.to_dicts() if c.monthly is not None else None,
        "projects": projects,
    }
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def write_xlsx(c: Comparison, path: Path) -> None:
    import xlsxwriter

    summary_rows = []
    for s in c.summary:
        summary_rows.append({"规则包": s["pack"], "名称": s["name"], "不予安排预算项目数": s["blocked"],
                             "预警": "、".join(f"{ACTIONS[k].zh} {v}" for k, v in s["alerts"].items()),
                             "等级分布": "、".join(f"{k} {v}" for k, v in s["grades"].items()),
                             "下年度预算影响(元)": fen_to_yuan_str(s["budget_effect_fen"]),
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
        with xlsxwriter.Workbook(tmp) as wb:
            pl.DataFrame(summary_rows).write_excel(wb, worksheet="汇总", autofit=True)
            matrix.rename(names).write_excel(wb, worksheet="逐项目对比", autofit=True)
            dept.write_excel(wb, worksheet="部门预算影响", autofit=True)
            if c.monthly is not None:
                c.monthly.rename({"pack": "规则包", "month": "月份", "alerts": "预警条数"}).write_excel(
                    wb, worksheet="逐月预警", autofit=True)

    write_atomic(path, write)
