"""An explanation as a finance officer reads it: Chinese labels, values in 元 / % / 分 / 是否, no
internal column names, units or codes; and as a JSON document (schema ``jixiao.explain/1``,
docs/formats.md) with both the codes and their Chinese labels."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import attrs

from jixiao.core.actions import ACTIONS, OBJECTS
from jixiao.core.clauses import clause_label, quote_lines
from jixiao.core.hookspecs import STAGE_ZH
from jixiao.core.money import fen_to_yuan_str, format_yuan
from jixiao.core.pack import provenance
from jixiao.core.outputs.param_labels import param_label
from jixiao.core.schema import PROJECTS

SCHEMA = "jixiao.explain/1"

# Facts the rules produce (not columns of the projects table), by their Chinese label.
_EXTRA_ZH = {
    "spent_fen": "已支出金额", "score_c": "评价得分", "grade": "评价等级", "grade_rank": "等级名次",
    "score_source": "评分来源", "score_date": "评价日期", "score_review_date": "复核日期", "grade_final": "等级为评价结果", "self_evaluation_missing": "逾期未开展绩效自评", "target_completion": "绩效目标完成率",
    "monitoring_deviation": "监控发现偏差", "review_score_c": "评审得分", "monitoring_report": "绩效监控报告",
}
_KIND_ZH = {"third_party": "第三方评价", "finance": "财政重点评价", "self": "单位自评", "computed": "按指标测算，非评价结果",
            "department": "部门评价", "monitoring": "财政重点监控"}
# Codes that parameter values use, by their Chinese label (indicator levels, evaluation kinds).
_PARAM_CODES = {"output": "产出", "cost": "成本", "outcome": "效益", "satisfaction": "满意度"} | _KIND_ZH
PROVENANCE_ZH = {"sourced": "有依据", "assumed": "假定", "default": "默认值"}


def _column_zh() -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    labels, codes = {}, {}
    for c in PROJECTS.columns:
        name = f"{c.name}_fen" if c.kind == "money" else c.name
        labels[name] = c.zh.replace("(元)", "")
        if c.choices:
            zh: dict[str, str] = {}
            for text, code in c.choices.items():
                if not text.isascii():
                    zh.setdefault(code, text)
            codes[name] = zh
    return labels, codes


FACT_ZH, _CODE_ZH = _column_zh()
FACT_ZH = FACT_ZH | _EXTRA_ZH
_CODE_ZH["score_source"] = _KIND_ZH


def fact_label(key: str) -> str:
    return FACT_ZH.get(key, key)


def fact_text(key: str, v: Any) -> str:
    """A fact's value for people: 元 for money, 分 for scores, % for shares, 是/否, Chinese codes."""
    if v is None:
        return "—"
    if isinstance(v, bool):
        return "是" if v else "否"
    if key.endswith("_fen"):
        return format_yuan(v)
    if key.endswith("_c"):
        return f"{v // 100}.{v % 100:02d} 分"
    if key == "target_completion":  # a share ×10⁶
        return f"{Decimal(v) / Decimal(10_000):.2f}%"
    if key in _CODE_ZH:
        return _CODE_ZH[key].get(v, str(v))
    if isinstance(v, dt.date):
        return v.isoformat()
    return str(v)


# Parameters whose numbers are shares, shown as percentages (0.05 → 5%).
RATIO_PARAMS = {"forecast_min_rate", "cut_ratios", "pay_ratios", "correct_gap", "suspend_gap", "stop_gap", "from_progress", "share",
                "reduce_ratio", "missed_below", "below_rate", "qualitative_partial", "achieved", "partial", "missed"}


def _percent(v: Decimal) -> str:
    text = format((v * 100).normalize(), "f")
    return f"{text}%"


def param_text(v: Any, name: str | None = None) -> str:
    """A parameter value in Chinese: lists joined with 、, codes as their labels (actions, objects,
    indicator levels, evaluation kinds, each plugin's choices), table keys labelled, shares as %."""
    from jixiao.core.outputs.param_labels import PARAM_ZH, value_label

    if attrs.has(type(v)):
        v = attrs.asdict(v)
    if isinstance(v, bool):
        return "是" if v else "否"
    if v is None:
        return "—"
    if name in RATIO_PARAMS and isinstance(v, (Decimal, str, int, float)):
        try:  # a pack writes a share as "0.05" or 0.05
            return _percent(Decimal(str(v)))
        except ArithmeticError:
            pass
    if isinstance(v, str):
        if v in ACTIONS:
            return ACTIONS[v].zh
        if v in OBJECTS:
            return OBJECTS[v].zh
        return value_label(name, v) or _PARAM_CODES.get(v, v)
    if isinstance(v, dict):
        if set(v) == {"label", "min"}:  # a grade band
            return f"{v['label']}（{param_text(v['min'])} 分及以上）"
        def key(k: str) -> str:
            if k in _PARAM_CODES:
                return _PARAM_CODES[k]
            return value_label(name, k) or (PARAM_ZH.get(k, k) if isinstance(PARAM_ZH.get(k), str) else k)
        sub = name if name in RATIO_PARAMS else None
        return "；".join(f"{key(k)}：{param_text(x, sub or k)}" for k, x in v.items()) or "（无）"
    if isinstance(v, (list, tuple)):
        return "、".join(param_text(x, name) for x in v) or "（无）"
    return str(v)


def applies_text(budget_year: int | None, applies_to: str | None) -> str:
    """"2026年度 部门项目预算控制数": the budget year and the object a binding finding applies to."""
    if applies_to is None:
        return ""
    year = f"{budget_year}年度 " if budget_year is not None else ""
    return year + OBJECTS[applies_to].zh


def finding_text(f) -> str:
    amount = f" {format_yuan(f.amount_fen)}" if f.amount_fen is not None else ""
    where = f"（{applies_text(f.budget_year, f.applies_to)}）" if f.applies_to else ""
    return f"{ACTIONS[f.action].zh}{amount}{where}"


def boundary_lines(ex) -> list[str]:
    lines = []
    for b in ex.boundaries:
        pts = f"{b.points_c // 100}.{b.points_c % 100:02d}"
        head = f"再得 {pts} 分可达{b.grade}" if b.direction == "up" else f"再失 {pts} 分降为{b.grade}"
        if not b.worked_out:
            lines.append(head + "（得分按指标测算，变化取决于指标，未推演）")
            continue
        parts = [f"不再{finding_text(f)}" for f in b.gone] + [f"将{finding_text(f)}" for f in b.added]
        lines.append(head + ("：" + "；".join(parts) if parts else "：其他结论不变"))
    return lines


def explanation_lines(ex, all_rules: bool = False) -> list[str]:
    """The explanation as plain lines of Chinese text (the terminal adds only colour)."""
    p = ex.project
    out = [f"{p['project_id']} {p['name']} · {p['department']} · {p['fiscal_year']} 年度 · {p['category']} · "
           f"预算 {format_yuan(p['budget_fen'])} · 已支出 {format_yuan(p['spent_fen'])}"]
    rec = ex.record
    held = [f"{len(rec.indicators)} 项绩效指标", f"{len(rec.payments)} 笔支出", f"{len(rec.evaluations)} 次评价",
            f"{len(rec.decisions)} 个问责决定"]
    if rec.monitoring:  # shown only where the portfolio has the units' reports
        held.append(f"{len({m.report_date for m in rec.monitoring})} 份绩效监控报告")
    out.append("数据：" + "，".join(held) + "；事前评估：" + fact_text("assessment_result", rec.assessment.result))
    out.append(f"规则包 {ex.pack.meta.name} · 基准日期 {ex.as_of}")
    if p.get("grade") is not None:
        out.append(f"评价得分 {fact_text('score_c', p.get('score_c'))}，等级 {p['grade']}")
    for line in boundary_lines(ex):
        out.append(f"最近的等级变化：{line}")
    shown = ex.rules if all_rules else [r for r in ex.rules if r.fired]
    fired = sum(r.fired for r in ex.rules)
    out.append(f"共 {len(ex.rules)} 条规则，{fired} 条得出结论" + ("" if all_rules else "（以下只列这些；--all 列出全部规则）"))
    for r in shown:
        out.append("")
        mark = "● 得出结论" if r.fired else "○ 未得出结论"
        out.append(f"{mark} · {'/'.join(STAGE_ZH[s] for s in r.stages)} · 依据 {r.source} "
                   f"{clause_label(ex.pack, r.citation)}（规则 {r.rule}）")
        for line in quote_lines(ex.pack, r.citation, limit=None if not all_rules else 80):
            out.append(f"    条文：{line}")
        for f in r.findings:
            due = f"，期限 {f.due_date}" if f.due_date else ""
            # A finding that cites another clause than its rule (a parameter's, ``cite=``) says which.
            cited = f"（依据 {f.source} {f.clause}）" if (f.source, f.clause) != (r.source, clause_label(ex.pack, r.citation)) else ""
            out.append(f"    → {finding_text(f)}{due}{cited}：{f.message}")
        if r.inputs:
            out.append("    依据的数据：" + "，".join(f"{fact_label(k)} {fact_text(k, v)}" for k, v in r.inputs.items()))
        if all_rules and r.values:
            values = []
            meta = _field_metadata(ex.pack, r.rule)
            for name, v in r.values.items():
                status = provenance(ex.pack, v)[0]
                tag = "" if status == "sourced" else f"（{PROVENANCE_ZH[status]}）"
                values.append(f"{param_label(r.plugin, name, meta.get(name))}：{param_text(v.value, name)}{tag}")
            out.append("    参数：" + "；".join(values))
        for note in r.notes:
            out.append(f"    最近的变化：{note}")
    return out


def _field_metadata(pack, rule_id: str) -> dict[str, dict]:
    rule = next((r for r in pack.rules if r.id == rule_id), None)
    if rule is None or not attrs.has(rule.cls.Params):
        return {}
    return {f.name: dict(f.metadata) for f in attrs.fields(rule.cls.Params)}


def _jsonable(v: Any) -> Any:
    if attrs.has(type(v)):
        v = attrs.asdict(v)
    if isinstance(v, dict):
        return {str(k): _jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_jsonable(x) for x in v]
    if isinstance(v, Decimal):
        return str(v)
    if isinstance(v, dt.date):
        return v.isoformat()
    return v


def finding_json(f) -> dict:
    return {"action": f.action, "action_zh": ACTIONS[f.action].zh, "amount_fen": f.amount_fen,
            "amount_yuan": fen_to_yuan_str(f.amount_fen) if f.amount_fen is not None else None,
            "due_date": f.due_date.isoformat() if f.due_date else None, "budget_year": f.budget_year,
            "applies_to": f.applies_to, "applies_to_zh": OBJECTS[f.applies_to].zh if f.applies_to else None,
            "assumed": f.assumed, "message": f.message}


def explanation_json(ex, all_rules: bool = True) -> dict:
    p = ex.project
    project = {k: _jsonable(p.get(k)) for k in ("project_id", "name", "department", "fiscal_year", "category",
                                                "budget_fen", "spent_fen", "score_c", "grade") if k in p}
    rules = []
    for r in ex.rules:
        if not all_rules and not r.fired:
            continue
        rules.append({
            "rule": r.rule, "plugin": r.plugin, "stages": list(r.stages),
            "stages_zh": [STAGE_ZH[s] for s in r.stages], "fired": r.fired, "source": r.source,
            "clause": clause_label(ex.pack, r.citation), "clause_text": quote_lines(ex.pack, r.citation, limit=None),
            "findings": [finding_json(f) for f in r.findings],
            "inputs": {k: {"label": fact_label(k), "value": _jsonable(v), "text": fact_text(k, v)}
                       for k, v in r.inputs.items()},
            "params": {n: {"value": _jsonable(v.value), "status": provenance(ex.pack, v)[0]}
                       for n, v in r.values.items()},
            "notes": list(r.notes),
        })
    bounds = [{"direction": b.direction, "points_c": b.points_c, "grade": b.grade, "worked_out": b.worked_out,
               "text": line, "gone": [finding_json(f) | {"rule": f.rule} for f in b.gone],
               "added": [finding_json(f) | {"rule": f.rule} for f in b.added]}
              for b, line in zip(ex.boundaries, boundary_lines(ex))]
    return {"schema": SCHEMA, "pack": ex.pack.id, "pack_name": ex.pack.meta.name, "as_of": ex.as_of.isoformat(),
            "project": project, "boundaries": bounds, "rules": rules}
