"""对账: jixiao's scores, grades and warnings beside those the system a bureau already runs recorded.

``jixiao reconcile --pack P --as-of D PORTFOLIO --against FILE`` reads the incumbent system's
records (CSV or XLSX, one row per project: its code, and any of score, grade, warning light) and
compares them project by project with the run of P. Every difference names the rule and clause
jixiao applied and the inputs it used, and says which side the clause supports where the text
decides it — a score exactly on a band's lower bound that the other system leaves in the band
below (it tests ``> 90`` where the clause says 90 分（含）以上), a grade that does not follow from
the other system's own score under the clause's bands, a score above 100 on a 100-point scale.
Where the clause cannot decide (two records of the same evaluation disagree), it says so.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from pathlib import Path

import attrs
import polars as pl

from jixiao.core.errors import Problem, ProblemsError


def InputError(problems):  # noqa: N802 — problems of the records file, said as such
    return ProblemsError(problems, "对账文件")

HEADERS = {
    "project_id": ("PRO_CODE", "项目编码", "项目代码", "project_id"),
    "score": ("TOTAL_EVAL_VALUE", "自评得分", "评价得分", "得分", "总分", "score"),
    "grade": ("自评等级", "评价等级", "等级", "grade"),
    "warning": ("预警", "预警灯", "预警等级", "预警结果", "warning"),
}
LIGHTS = {"红": "red", "红灯": "red", "red": "red", "黄": "yellow", "黄灯": "yellow", "yellow": "yellow",
          "绿": "green", "绿灯": "green", "green": "green"}
LIGHTS |= {"红色": "red", "黄色": "yellow", "绿色": "green"}
LIGHT_ZH = {"red": "红灯", "yellow": "黄灯", "green": "绿灯"}
# The grades as systems write them: the national four bands and their long forms.
GRADE_NAMES = {"优": "优", "优秀": "优", "良": "良", "良好": "良", "中": "中", "中等": "中", "一般": "一般",
               "差": "差", "较差": "差"}
SCORE_TEXT = r"^\d{1,3}(\.\d+)?$"  # plain digits: no exponent, underscore or other numerals
# jixiao's in-year warnings: the monitoring findings an officer acts on.
WARNING_ACTIONS = ("remind", "correct_deviation", "key_attention", "suspend_disbursement", "stop_disbursement",
                   "reclaim_candidate")
KIND_ZH = {"self": "单位自评", "department": "部门评价", "finance": "财政重点评价", "third_party": "第三方评价",
           "computed": "按绩效指标测算"}


@attrs.frozen
class Difference:
    project_id: str
    name: str | None
    item: str  # 得分 / 等级 / 预警 / 项目
    ours: str
    theirs: str
    basis: str  # the rule and clause jixiao applied
    inputs: str  # what jixiao read
    verdict: str  # which side the clause supports, or why it cannot tell


@attrs.frozen
class Reconciliation:
    pack: object
    as_of: dt.date
    against: str
    compared: int  # projects on both sides
    only_ours: int  # projects the other file does not list
    differences: tuple[Difference, ...]

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for d in self.differences:
            out[d.item] = out.get(d.item, 0) + 1
        return out


def _cell(v) -> str | None:
    if v is None:
        return None
    text = str(v).strip()
    return text or None


def read_against(path: Path) -> pl.DataFrame:
    """The other system's records as text columns project_id, score, grade, warning (absent: null),
    with the source row; every unreadable cell is reported at once."""
    file = str(path)
    if path.stat().st_size == 0:
        raise InputError([Problem(file, "对账文件是空的；应有表头 PRO_CODE（项目编码）及得分、等级或预警列")])
    try:
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            from jixiao.core.load.read_xlsx import first_sheet_unsaved_formulas

            first_sheet_unsaved_formulas(path)
            frame = pl.read_excel(path, infer_schema_length=0)
        elif path.suffix.lower() == ".csv":
            from jixiao.core.load import decode

            frame = pl.read_csv(decode(path.read_bytes(), file).encode("utf-8"), infer_schema=False)
        else:
            raise InputError([Problem(file, "对账文件应为 .csv 或 .xlsx", value=path.suffix)])
    except ProblemsError:
        raise
    except Exception as exc:  # noqa: BLE001 — a file polars cannot read is named, not traced
        raise InputError([Problem(file, f"无法读取对账文件：{str(exc).splitlines()[0][:120]}")]) from None
    found = {}
    for name, heads in HEADERS.items():
        hit = [c for c in frame.columns if c.strip() in heads]
        if len(hit) > 1:
            raise InputError([Problem(file, f"这些列都表示同一项（{'、'.join(hit)}）；请只保留一列", column=hit[1])])
        if hit:
            found[name] = hit[0]
    if "project_id" not in found:
        raise InputError([Problem(file, f"缺少项目编码列（可写：{'、'.join(HEADERS['project_id'])}）")])
    if len(found) == 1:
        raise InputError([Problem(file, "没有可比对的列：应有得分（TOTAL_EVAL_VALUE、得分）、等级（自评等级、等级）"
                                        "或预警（预警灯）中的至少一列")])
    out = frame.select(*(pl.col(found[n]).cast(pl.String).alias(n) if n in found else pl.lit(None, pl.String).alias(n)
                         for n in HEADERS), pl.lit("grade" in found).alias("_has_grade")).with_row_index("_row", offset=2)
    if out.height == 0:
        raise InputError([Problem(file, "对账文件没有记录（只有表头）：没有可比对的项目")])
    problems = []
    out = out.with_columns(pl.col("project_id").str.strip_chars())
    for row, pid, score, grade, light in out.select("_row", "project_id", "score", "grade", "warning").iter_rows():
        if _cell(pid) is None:
            problems.append(Problem(file, "项目编码为空", row=row, column=found["project_id"]))
        if _cell(score) is not None and _score(score) is None:
            problems.append(Problem(file, "不是得分（应为不带指数的数字，如 89.5）", row=row, column=found["score"],
                                    value=score))
        if _cell(grade) is not None and GRADE_NAMES.get(grade.strip()) is None:
            problems.append(Problem(file, f"不是评价等级（可写：{'、'.join(GRADE_NAMES)}）", row=row,
                                    column=found["grade"], value=grade))
        if _cell(light) is not None and LIGHTS.get(light.strip()) is None:
            problems.append(Problem(file, "不是预警灯（红、黄、绿）", row=row, column=found["warning"], value=light))
    dup = out.filter(pl.col("project_id").is_duplicated() & ~pl.col("project_id").is_first_distinct())
    if dup.height:
        r = dup.row(0, named=True)
        problems.append(Problem(file, "项目编码重复", row=r["_row"], column=found["project_id"], value=r["project_id"]))
    if problems:
        raise InputError(problems)
    if out.select(pl.all_horizontal(pl.col("score", "grade", "warning").str.strip_chars().fill_null("") == "")).to_series().all():
        raise InputError([Problem(file, "对账文件的得分、等级、预警列都是空的（公式单元格没有保存计算结果时也读作空）："
                                        "没有可比对的数值")])
    return out


def _score(text: str | None) -> Decimal | None:
    import re

    if _cell(text) is None or not re.match(SCORE_TEXT, text.strip()):
        return None
    try:
        d = Decimal(text.strip())
    except InvalidOperation:
        return None
    if not d.is_finite() or d < 0:  # over 100 is read: it is the other system's result to report
        return None
    # The system keeps scores as NUMBER(16,6); more digits are a spreadsheet's binary float (92.1
    # read back as 92.09999999999999), taken to the system's six places.
    return d.quantize(Decimal("0.000001")) if d.as_tuple().exponent < -6 else d


def _text(d: Decimal | None) -> str:
    return "（无）" if d is None else f"{d.quantize(Decimal('0.01')) if d == d.quantize(Decimal('0.01')) else d:f}"


def _bands(pack) -> tuple[object | None, list[tuple[str, Decimal]]]:
    """The pack's grading rule and its bands (label, lower bound in points), best first."""
    rule = next((r for r in pack.rules if r.plugin == "evaluation_score" and r.runs), None)
    if rule is None:
        return None, []
    return rule, [(b.label, Decimal(b.min)) for b in rule.params.grades]


def _band_of(score: Decimal, bands) -> str | None:
    for label, low in bands:
        if score >= low:
            return label
    return None


def reconcile(result, against: pl.DataFrame, file: str) -> Reconciliation:
    from jixiao.core.clauses import clause_label, quote_lines

    pack, facts = result.pack, result.facts
    rule, bands = _bands(pack)
    basis, quote = "", ""
    if rule is not None:
        src = pack.sources.get(rule.citation.source)
        basis = f"{src.doc_no if src else rule.citation.source} {clause_label(pack, rule.citation)}"
        quote = (quote_lines(pack, rule.citation, limit=60) or [""])[0]
    ours = facts.select("project_id", "name", "budget_fen", "spent_fen",
                        *(c for c in ("score_c", "grade", "score_source") if c in facts.columns))
    weight, weights_basis = None, basis
    if rule is not None:
        weight = Decimal(rule.params.weights.execution)
        cited = rule.values.get("weights")
        if cited is not None and cited.citation is not None:
            src = pack.sources.get(cited.citation.source)
            weights_basis = f"{src.doc_no if src else cited.citation.source} {clause_label(pack, cited.citation)}"
    warned = (result.decisions.filter(pl.col("action").cast(pl.String).is_in(WARNING_ACTIONS))
              .group_by(pl.col("project_id").cast(pl.String))
              .agg(pl.col("action").cast(pl.String).unique().sort(), pl.col("rule").cast(pl.String).unique().sort()))
    warned_by = {pid: (acts, rules) for pid, acts, rules in warned.iter_rows()}
    theirs = {r["project_id"].strip(): r for r in against.iter_rows(named=True)}
    diffs: list[Difference] = []
    seen = 0
    from jixiao.core.actions import ACTIONS

    for row in ours.iter_rows(named=True):
        pid = row["project_id"]
        other = theirs.pop(pid, None)
        if other is None:
            continue
        seen += 1
        name = row["name"]
        s_ours = None if row.get("score_c") is None else Decimal(row["score_c"]) / 100
        src = KIND_ZH.get(row.get("score_source") or "", "（无）")
        s_theirs = _score(other["score"])
        g_ours, g_theirs = row.get("grade"), _cell(other["grade"])
        g_theirs = GRADE_NAMES.get(g_theirs, g_theirs) if g_theirs is not None else None
        if g_theirs is None and other["_has_grade"] and g_ours is not None and s_theirs is not None:
            g_theirs = "（未评级）"  # scored but left ungraded: the classic boundary bug
        inputs = f"得分 {_text(s_ours)}（{src}）"
        if _cell(other["score"]) is not None and s_ours != s_theirs:
            if s_theirs is not None and s_theirs > 100:
                verdict = f"对方得分超过 100 分，不符合百分制评分（{basis}）：条文支持 jixiao"
            elif s_ours is None:
                verdict = "jixiao 没有这个项目的评价得分（无评价记录，也无可测算的指标）：请核对对方得分的来源"
            elif (row.get("score_source") == "computed" and weight is not None and s_theirs is not None
                  and row["budget_fen"] and row["spent_fen"] > row["budget_fen"]
                  and abs(s_theirs - s_ours - weight * (Decimal(row["spent_fen"] - row["budget_fen"]) / row["budget_fen"]))
                  <= Decimal("0.01")):
                extra = weight * Decimal(row["spent_fen"] - row["budget_fen"]) / row["budget_fen"]
                rate = (Decimal(row["spent_fen"]) * 100 / row["budget_fen"]).quantize(Decimal("0.01"))
                verdict = (f"对方的预算执行得分未以权重为限：执行率 {rate}% 超过 100%，多计 {_text(extra.quantize(Decimal('0.01')))} 分；"
                           f"{weights_basis} 预算执行的分值为 {_text(weight)} 分（执行率以 100% 计满分）——条文支持 jixiao")
                inputs += f"；预算执行率 {rate}%"
            elif row.get("score_source") == "computed":
                verdict = "jixiao 的得分按绩效指标测算（尚无评价结果）；对方记录的是评价得分：以评价记录为准，请把该评价录入项目数据"
            else:
                verdict = "两系统记录的同一评价得分不一致，条文无法判断：请核对原始评价表"
            diffs.append(Difference(pid, name, "得分", _text(s_ours), _text(s_theirs), basis, inputs, verdict))
        if g_theirs is not None and g_theirs != g_ours:
            verdict = "条文无法判断：请核对"
            if s_ours is not None and g_ours is not None:
                low = next((lo for label, lo in bands if label == g_ours), None)
                if low is not None and s_ours == low and (s_theirs is None or s_theirs == s_ours):
                    verdict = (f"得分恰为 {_text(low)} 分：{basis}{('「' + quote.split('「', 1)[-1]) if '「' in quote else ''}"
                               f" 以 {_text(low)} 分（含）起为{g_ours}；对方未评为{g_ours}，可能按“＞{_text(low)}”判断——条文支持 jixiao")
                elif s_theirs is not None and s_theirs != s_ours:
                    own = _band_of(s_theirs, bands)
                    verdict = (f"等级差异来自得分差异（对方得分 {_text(s_theirs)} 按{basis}为{own}）" if own == g_theirs
                               else f"对方得分 {_text(s_theirs)} 按{basis}应为{own}，对方记为{g_theirs}——条文支持 jixiao")
                elif s_theirs is not None:
                    verdict = f"得分相同（{_text(s_ours)}），按{basis}应为{g_ours}；对方记为{g_theirs}——条文支持 jixiao"
            diffs.append(Difference(pid, name, "等级", g_ours or "（无）", g_theirs, basis, inputs, verdict))
        light = LIGHTS.get((_cell(other["warning"]) or "").strip())
        if light is not None:
            acts, rules = warned_by.get(pid, ([], []))
            if bool(acts) != (light != "green"):
                said = "、".join(ACTIONS[a].zh for a in acts) if acts else "无预警"
                verdict = ("两系统的预警口径不同（对方常按执行率与时间进度之比分红黄绿）：jixiao 按规则包的监控规则"
                           f"（{'、'.join(rules) if rules else '监控规则未得出结论'}）判断，请按条文核对")
                diffs.append(Difference(pid, name, "预警", said, LIGHT_ZH[light],
                                        f"规则 {'、'.join(rules)}" if rules else "监控规则", inputs, verdict))
    for pid, other in theirs.items():
        diffs.append(Difference(pid, None, "项目", "项目数据中没有此项目", "有记录", "", "",
                                "对方有、jixiao 的项目数据中没有：请核对项目编码或补充项目数据"))
    return Reconciliation(pack, result.as_of, file, seen, ours.height - seen, tuple(diffs))


COLUMNS = ("项目编码", "项目名称", "比对项", "jixiao", "对方系统", "jixiao 的依据", "jixiao 的输入", "判断")


def table(rec: Reconciliation) -> pl.DataFrame:
    rows = [(d.project_id, d.name, d.item, d.ours, d.theirs, d.basis, d.inputs, d.verdict) for d in rec.differences]
    return pl.DataFrame(rows, schema=dict.fromkeys(COLUMNS, pl.String), orient="row")


def summary_lines(rec: Reconciliation) -> list[str]:
    counts = rec.counts()
    parts = "，".join(f"{k} {v}" for k, v in counts.items()) or "无差异"
    return [f"规则包 {rec.pack.meta.name}（{rec.pack.id}）· 基准日期 {rec.as_of} · 对账文件 {rec.against}",
            f"比对 {rec.compared} 个项目（对方无记录的 {rec.only_ours} 个未比对）：差异 {len(rec.differences)} 处（{parts}）"]


def write_xlsx(rec: Reconciliation, path: Path) -> None:
    from jixiao.core.outputs.files import write_atomic
    from jixiao.core.outputs.workbook import Book, Column

    frame = table(rec)
    rows = [("规则包", f"{rec.pack.meta.name}（{rec.pack.id}）", "text"), ("基准日期", rec.as_of.isoformat(), "text"),
            ("对账文件", rec.against, "text"), ("比对项目数", rec.compared, "count"),
            ("对方无记录的项目数", rec.only_ours, "count"), ("差异（处）", len(rec.differences), "count")]
    rows += [(f"{k}差异（处）", v, "count") for k, v in rec.counts().items()]
    columns = [Column(c, pl.col(c)) for c in COLUMNS]

    def write(p: Path) -> None:
        with Book(p) as book:
            book.pairs("汇总", rows)
            book.table("差异", frame, columns, freeze_columns=1)

    write_atomic(path, write)


def write_html(rec: Reconciliation, path: Path) -> None:
    """One offline page: the summary and the differences; every text escaped, no script."""
    from html import escape

    from jixiao.core.outputs.files import write_atomic

    head = "".join(f"<p>{escape(line)}</p>" for line in summary_lines(rec))
    cells = "".join("<tr>" + "".join(f"<td>{escape(v or '')}</td>" for v in row) + "</tr>"
                    for row in table(rec).iter_rows())
    page = ("<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">"
            "<title>对账结果</title><style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
            "td,th{border:1px solid #999;padding:4px 8px;vertical-align:top}th{background:#eee}</style></head><body>"
            f"<h1>对账结果</h1>{head}<table><tr>{''.join(f'<th>{escape(c)}</th>' for c in COLUMNS)}</tr>{cells}"
            "</table></body></html>\n")
    write_atomic(path, lambda p: p.write_text(page, encoding="utf-8"))
