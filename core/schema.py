"""The portfolio's tables and columns: canonical names, accepted headers (Chinese or English), types.

docs/formats.md documents the same table; ``tests/test_docs.py`` checks the two agree.
"""

from __future__ import annotations

import attrs

FUND_TYPES = {
    "一般公共预算": "一般公共预算",
    "general_public": "一般公共预算",
    "政府性基金预算": "政府性基金预算",
    "government_fund": "政府性基金预算",
    "国有资本经营预算": "国有资本经营预算",
    "state_capital": "国有资本经营预算",
    "社会保险基金预算": "社会保险基金预算",
    "social_insurance": "社会保险基金预算",
}

CATEGORIES = {
    name: name
    for name in (
        "专项资金", "转移支付", "部门整体支出", "PPP", "政府购买服务", "政府投资基金",
        "政府债务", "直达资金", "基本支出", "一般项目", "基建投资", "其他",
    )
} | {
    "基本建设": "基建投资", "infrastructure": "基建投资",
    "special_fund": "专项资金", "transfer_payment": "转移支付", "department_overall": "部门整体支出",
    "ppp": "PPP", "purchased_service": "政府购买服务", "investment_fund": "政府投资基金",
    "government_debt": "政府债务", "direct_fund": "直达资金", "basic": "基本支出",
    "general_project": "一般项目", "other": "其他",
}
# The project categories as a pack writes them (the Chinese names the portfolio's values map to).
CATEGORY_NAMES: tuple[str, ...] = tuple(dict.fromkeys(CATEGORIES.values()))

TARGET_STATUS = {
    "approved": "approved", "已批复": "approved", "已审核": "approved", "通过": "approved",
    "pending": "pending", "待审核": "pending", "审核中": "pending",
    "rejected": "rejected", "未通过": "rejected", "审核未通过": "rejected",
    "incomplete": "incomplete", "不完整": "incomplete",
    "none": "none", "未设定": "none", "无": "none",
}

ASSESSMENT_RESULT = {
    "pass": "pass", "通过": "pass", "予以支持": "pass",
    "fail": "fail", "不通过": "fail", "不予支持": "fail",
    "none": "none", "未评估": "none", "无": "none",
}

LEVEL1 = {"产出": "output", "output": "output", "效益": "outcome", "outcome": "outcome",
          "效果": "outcome", "满意度": "satisfaction", "satisfaction": "satisfaction",
          "成本": "cost", "cost": "cost",
          # as the standard forms and the 一体化 indicator tables write them
          "产出指标": "output", "效益指标": "outcome", "满意度指标": "satisfaction", "成本指标": "cost"}

DIRECTION = {"higher": "higher", "正向": "higher", "≥": "higher", ">=": "higher",
             "lower": "lower", "反向": "lower", "≤": "lower", "<=": "lower",
             "qualitative": "qualitative", "定性": "qualitative",
             # 一体化 COMPUTESIGN: 1 ≥, 2 ＞, 4 ＜, 5 ≤, 6 定性 (3 ＝ has no reading without a tolerance:
             # refused, see docs/forms.md — jixiao convert --form reads it with --equal-tolerance)
             "1": "higher", "2": "higher", "4": "lower", "5": "lower", "6": "qualitative"}

QUALITATIVE = {"达成": "achieved", "achieved": "achieved",
               "部分达成": "partial", "partial": "partial",
               "未达成": "missed", "missed": "missed"}

EVAL_KIND = {"self": "self", "自评": "self", "单位自评": "self",
             "department": "department", "部门评价": "department",
             "monitoring": "monitoring", "重点监控": "monitoring", "财政重点监控": "monitoring",
             "finance": "finance", "财政评价": "finance", "财政重点评价": "finance", "重点评价": "finance",
             "third_party": "third_party", "第三方评价": "third_party", "第三方": "third_party"}

BOOL = {"是": True, "否": False, "true": True, "false": False, "1": True, "0": False,
        "yes": True, "no": False, "y": True, "n": False, "t": True, "f": False}
# The 一体化 system's yes/no elements (IS_PERF_RECTIFY, IS_DELETED …) are 1 是, 2 否: 0 is no code there.
YES_NO_12 = {"是": True, "否": False, "1": True, "2": False}

# 完成目标可能性 (COMPLETE_RATE) of an in-year monitoring report, as units write it. The words are
# jixiao's reading (docs/formats.md): the monitoring form as commonly reproduced (财预〔2019〕136号,
# unverified) offers 确定能 / 有可能 / 完全不可能;
# only a report that says the target cannot be met says so. The system's numeric codes are not
# documented anywhere jixiao has seen, so digits are refused rather than guessed.
LIKELIHOOD = {name: "certain" for name in ("确定能", "能", "能完成", "确定能完成", "可以完成", "能够完成")} | {
    name: "possible" for name in ("有可能", "可能", "有可能完成", "可能完成", "基本能完成", "基本能")} | {
    name: "unlikely" for name in ("完全不可能", "不可能", "不能", "不能完成", "无法完成", "难以完成", "不可能完成")} | {
    "certain": "certain", "possible": "possible", "unlikely": "unlikely"}


@attrs.frozen
class Column:
    """One column: its canonical name, the headers accepted for it, and how its text is read."""

    name: str
    kind: str  # str | int | bool | date | money | score | decimal | enum
    zh: str
    required: bool = False
    aliases: tuple[str, ...] = ()
    choices: dict | None = None
    default: object = None
    doc: str = ""
    # The 预算管理一体化 data elements (业务要素) this column is read from, as the system's tables and
    # exports name them (PRO_CODE, KPI_VAL, …). An amount element is in 元, as the system keeps it.
    elements: tuple[str, ...] = ()
    # Headers that mean this amount but state no unit where they are usually 万元 (the standard
    # forms' 全年预算数): never read as the column; a table that has one is told to state the unit.
    unitless: tuple[str, ...] = ()
    # A bool column read with another yes/no vocabulary than ``BOOL`` (the system's 1 是 / 2 否).
    yes_no: dict | None = None

    def headers(self) -> tuple[str, ...]:
        """Every accepted header; a money column also accepts its 万元 form (see ``wan_headers``)."""
        return (self.name, self.zh, *self.aliases, *self.elements)

    def wan_headers(self) -> tuple[str, ...]:
        if self.kind != "money":
            return ()
        base = self.zh.replace("(元)", "")
        return (f"{self.name}_wan", f"{base}(万元)", f"{base}（万元）")


@attrs.frozen
class Table:
    name: str
    zh: str
    columns: tuple[Column, ...]
    doc: str = ""
    # Amounts whose header states no unit are refused unless the unit is stated another way (a
    # 单位 row, --amounts-in): no plausibility reading for a table new to the system's exports.
    strict_units: bool = False
    # A table added after the first five: jixiao's typed writers leave it out when it has no rows,
    # so that a portfolio without it is written as before.
    only_with_rows: bool = False

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


PROJECTS = Table("projects", "项目", (
    Column("project_id", "str", "项目编码", True, ("项目代码", "项目编号", "id"), doc="unique project code",
           elements=("PRO_CODE",)),
    Column("name", "str", "项目名称", True, ("project_name",), elements=("PRO_NAME",)),
    Column("department", "str", "主管部门", True, ("部门", "预算部门", "dept"), elements=("DEPT_NAME",)),
    Column("fiscal_year", "int", "预算年度", True, ("年度", "year"), elements=("FISCAL_YEAR",)),
    Column("division", "str", "财政区划代码", False, ("财政区划", "区划代码"), elements=("MOF_DIV_CODE",),
           doc="the 财政区划 (MOF_DIV_CODE) the project belongs to; a province-wide file runs each division under its own pack"),
    Column("fund_type", "enum", "资金性质", True, ("预算类型", "fund"), FUND_TYPES),
    Column("category", "enum", "项目类别", True, ("资金类别", "类别"), CATEGORIES),
    Column("budget", "money", "预算金额(元)", True, ("预算金额", "预算金额（元）"),
           elements=("CUR_AMT",), unitless=("全年预算数", "年初预算数", "变动后预算数", "年初批复数", "预算数")),
    Column("spent", "money", "已支出金额(元)", False, ("支出金额", "已支出金额", "支出金额(元)"),
           elements=("YEAR_EXE_AMT",), unitless=("全年执行数", "执行数", "实际执行数"),
           doc="total paid out; when a spending table is given it must be that table's sum"),
    Column("is_new", "bool", "是否新增", False, ("新增", "new"), default=False),
    Column("is_major", "bool", "是否重大", False, ("重大", "major"), default=False),
    Column("start_date", "date", "实施开始日期", False, ("开始日期", "start")),
    Column("end_date", "date", "实施结束日期", False, ("结束日期", "end")),
    Column("target_status", "enum", "绩效目标状态", False, ("目标状态", "targets"), TARGET_STATUS,
           doc="when absent or empty: approved if the project has indicators, else none"),
    Column("assessment_result", "enum", "事前评估结论", False, ("事前评估", "assessment"),
           ASSESSMENT_RESULT, default="none"),
    Column("assessment_date", "date", "事前评估日期", False),
    Column("priority_fund", "bool", "重点攻势资金", False, ("十五个攻势", "priority"), default=False,
           doc="a fund under the locality's priority campaign (Qingdao's 十五个攻势)"),
    Column("assessment_points", "str", "事前评估要点", False, ("评估要点",),
           doc="the points the assessment covered, separated by 、 , ; or ；"),
    Column("target_review_failures", "int", "目标审核未通过次数", False, ("审核未通过次数",), default=0),
    Column("targets_adjusted", "bool", "绩效目标已调整", False, ("目标调整",), default=False),
    Column("budget_adjusted", "bool", "预算已调整", False, ("预算调整",), default=False),
    Column("targets_refiled", "bool", "绩效目标已重新报送", False, ("目标重报",), default=False),
    Column("targets_reapproved", "bool", "调整后绩效目标已审核确认", False, ("目标调整已审核", "目标重新审核"), default=False,
           doc="finance has reviewed and confirmed (approved) the targets after a budget or target adjustment"),
    Column("review_score", "score", "预算评审得分", False, ("评审得分",)),
), "one row per project (项目)")

INDICATORS = Table("indicators", "绩效指标", (
    Column("project_id", "str", "项目编码", True, ("项目代码", "项目编号"), elements=("PRO_CODE",)),
    Column("level1", "enum", "一级指标", True, ("一级绩效指标名称",), LEVEL1, elements=("LV1_PERF_IND_NAME",)),
    Column("level2", "str", "二级指标", False, ("二级绩效指标名称",), elements=("LV2_PERF_IND_NAME",)),
    Column("name", "str", "三级指标", True, ("指标名称", "indicator", "三级绩效指标名称"), elements=("LV3_PERF_IND_NAME",)),
    Column("direction", "enum", "指标方向", True, ("方向", "计算符号"), DIRECTION, elements=("COMPUTESIGN",)),
    Column("target", "decimal", "目标值", False, ("年度指标值", "指标值"), elements=("KPI_VAL",)),
    Column("actual", "str", "实际值", False, ("完成值", "实际完成值", "指标值完成情况"), elements=("IND_COMP",),
           doc="a number, or 达成/部分达成/未达成 for a qualitative indicator"),
    Column("weight", "decimal", "分值", False, ("权重",), elements=("IND_WEIGHT",),
           doc="points within its first-level indicator; equal shares when absent"),
    Column("actual_date", "date", "完成值日期", False, ("监控日期", "实际值日期"),
           doc="when the actual value was recorded (the monitoring date); empty: undated. In-year "
               "monitoring takes target progress as evidence only when every actual value is dated by the run date"),
), "performance targets and indicators (绩效目标/指标), one row per indicator")

SPENDING = Table("spending", "支出明细", (
    Column("project_id", "str", "项目编码", True, ("项目代码", "项目编号"), elements=("PRO_CODE",)),
    Column("date", "date", "支付日期", True, ("日期",)),
    Column("amount", "money", "支付金额(元)", True, ("金额", "金额(元)", "支付金额")),
), "in-year spending by date (支出进度)")

EVALUATIONS = Table("evaluations", "绩效评价", (
    Column("project_id", "str", "项目编码", True, ("项目代码", "项目编号"), elements=("PRO_CODE",)),
    Column("year", "int", "评价年度", True, ("年度",), elements=("FISCAL_YEAR",)),
    Column("kind", "enum", "评价方式", True, ("评价类型",), EVAL_KIND),
    Column("date", "date", "评价日期", False),
    Column("score", "score", "总分", False, ("得分", "评价得分", "单位自评得分"), doc="required except for 重点监控 records",
           elements=("TOTAL_EVAL_VALUE",)),
    Column("score_execution", "score", "预算执行率得分", False),
    Column("score_output", "score", "产出得分", False),
    Column("score_outcome", "score", "效益得分", False),
    Column("score_satisfaction", "score", "满意度得分", False),
    Column("rectification_required", "bool", "需整改", False, ("整改要求",),
           doc="whether the result was fed back with rectification demands (整改要求); when empty, the pack's rectification rule decides by grade"),
    Column("rectification_report_date", "date", "整改报告日期", False, ("整改结果报送日期",),
           doc="when the unit reported its rectification of this evaluation's findings"),
    Column("review_date", "date", "复核日期", False, ("审核日期",),
           doc="when finance reviewed this evaluation report (复核, 审核备案); empty: not reviewed yet"),
), "evaluations (绩效评价): unit self-evaluation, finance key evaluation, third party")

ACCOUNTABILITY = Table("accountability", "问责整改", (
    Column("project_id", "str", "项目编码", True, ("项目代码", "项目编号"), elements=("PRO_CODE",)),
    Column("decision_id", "str", "决定编号", True, ("文号",)),
    Column("trigger", "str", "问责情形", False),
    Column("sanction", "str", "处理方式", False),
    Column("received_date", "date", "送达日期", True, ("决定送达日期", "收到日期")),
    Column("report_date", "date", "整改报告日期", False, ("报告日期",)),
), "accountability decisions (问责决定) and rectification reports (整改报告)")

MONITORING = Table("monitoring", "绩效监控", (
    Column("project_id", "str", "项目编码", True, ("项目代码", "项目编号"), elements=("PRO_CODE",)),
    Column("report_date", "date", "报送日期", True, ("监控报送日期", "填报日期"), elements=("PERF_SEND_DATE",),
           doc="when the unit sent the report; a report dated after the run date is not known yet"),
    Column("year", "int", "预算年度", False, ("年度", "监控年度"), elements=("FISCAL_YEAR",),
           doc="the budget year monitored; empty: the year of the report date"),
    Column("level1", "str", "一级指标", False, ("一级绩效指标名称",), elements=("LV1_PERF_IND_NAME",)),
    Column("level2", "str", "二级指标", False, ("二级绩效指标名称",), elements=("LV2_PERF_IND_NAME",)),
    Column("indicator", "str", "三级指标", False, ("指标名称", "三级绩效指标名称"), elements=("LV3_PERF_IND_NAME",)),
    Column("target", "str", "指标值", False, ("年度指标值",), elements=("KPI_VAL",)),
    Column("executed", "money", "项目预算执行情况(元)", False, ("执行情况", "项目预算执行情况", "预算执行情况",
                                                          "执行情况(元)", "执行情况(万元)"),
           elements=("PRO_BGT_COMP",), doc="the project's budget executed by the report"),
    Column("forecast_executed", "money", "全年预计执行(元)", False,
           ("全年预计执行", "全年预计执行情况", "项目预算全年预计执行情况", "全年预计执行数", "全年预计执行数(元)",
            "全年预计执行数(万元)"), elements=("EST_PRO_BGT_ANNUAL",),
           doc="the budget the unit expects to have executed by the year end"),
    Column("completion", "str", "指标完成情况", False, ("绩效指标完成情况",), elements=("PERF_COMP",)),
    Column("forecast_completion", "str", "全年预计完成", False, ("全年预计完成情况",), elements=("EST_PERF_ANNUAL",)),
    Column("deviation_reasons", "str", "偏差原因分析", False, ("偏差原因",), elements=("ANA_DEV_REASONS",)),
    Column("likelihood", "enum", "完成目标可能性", False, ("目标完成可能性",), LIKELIHOOD, elements=("COMPLETE_RATE",),
           doc="确定能 / 有可能 / 完全不可能 (and the words listed in docs/formats.md)"),
    Column("rectify", "bool", "是否需要整改", False, ("需要整改",), elements=("IS_PERF_RECTIFY",), yes_no=YES_NO_12,
           doc="是/否, or the system's 1 是 / 2 否"),
    Column("rectify_advice", "str", "整改要求和建议", False, ("整改建议",), elements=("RECTIFY_ADVISE",)),
), "in-year performance monitoring reports (绩效运行监控), one row per indicator, as 一体化 PAY_PERF_MONITOR_INFO holds them",
    strict_units=True, only_with_rows=True)

TABLES: dict[str, Table] = {t.name: t for t in (PROJECTS, INDICATORS, SPENDING, EVALUATIONS, ACCOUNTABILITY, MONITORING)}

# Sheet / file names accepted for each table (XLSX sheets, JSON keys, CSV files in a folder).
TABLE_ALIASES: dict[str, str] = {}
for _t in TABLES.values():
    for _alias in (_t.name, _t.zh):
        TABLE_ALIASES[_alias] = _t.name
TABLE_ALIASES.update({"项目表": "projects", "指标": "indicators", "支出": "spending", "评价": "evaluations",
                      "问责": "accountability", "整改": "accountability", "监控": "monitoring",
                      "绩效监控信息": "monitoring", "PAY_PERF_MONITOR_INFO": "monitoring"})
