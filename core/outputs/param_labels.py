"""Chinese labels of the built-in plugins' parameters and of the codes their values use, for
``explain`` (the TOML names and codes stay what a pack author writes; a finance officer reads these).

A third-party plugin labels its own parameters with field metadata: ``attrs.field(metadata={"zh":
"扣减比例"})``; a parameter without a label is shown by its name.
"""

from __future__ import annotations

# (plugin, parameter) first, then parameter alone: the same name means the same in most plugins.
PARAM_ZH: dict[str | tuple[str, str], str] = {
    # shared names
    "categories": "适用的项目类别", "from_fiscal_year": "适用的起始预算年度", "kinds": "计入的评价方式",
    "grades": "适用的等级", "months": "整改期限（月）",
    # accountability
    "derive": "由数据推定的问责情形", "poor_grades": "评价为差的等级", "missed_below": "目标未完成的完成率界限",
    "order_correction": "责令整改", "sanctions": "问责方式", "by_trigger": "各问责情形的问责方式",
    "choices": "可选的问责方式", "choice_wording": "选择方式的文件用语", "reduce_ratio": "减少安排预算的比例",
    # amount_focus
    "min_amount_yuan": "重点关注的预算金额下限（元）",
    # coverage_schedule
    ("coverage_schedule", "categories"): "纳入评价的项目类别", "cycle_start": "周期起始年度", "cycle_years": "周期年数",
    "min_share": "每年至少评价的比例", "evaluation_kinds": "计入的评价方式", "monitor_min": "重点监控的最少项目数",
    # disclosure
    "targets_with_budget": "绩效目标随预算公开", "results_with_final_accounts": "评价结果随决算公开",
    "result_kinds": "公开的评价方式", "where": "公开渠道",
    # dual_monitoring
    "correct_gap": "督促纠偏的偏差", "suspend_gap": "暂缓拨付的偏差", "stop_gap": "停止拨付的偏差",
    "from_progress": "自时间进度起检查", "qualitative_partial": "定性指标部分完成计为", "measure": "监控内容",
    "suspend_scope": "暂缓拨付的范围", "suspend_measure": "判断严重问题的依据",
    "monitoring_report": "依据单位绩效监控报告督促纠偏", "forecast_min_rate": "全年预计执行率低于此值督促纠偏",
    # evaluation_score
    "weights": "评分权重", ("evaluation_score", "grades"): "等级划分", "qualitative": "定性指标的得分系数",
    "sources": "采用的评分来源（依次）", "missing_weight_to": "缺项指标的权重并入",
    "self_evaluation_needs_review": "单位自评经财政部门复核后方为评价结果",
    # ex_ante_gate
    "triggers": "须事前评估的情形", "large_amount_yuan": "金额较大的界限（元）", "checklist": "评估要点",
    "trigger_categories": "新增即须评估的项目类别", "requirement": "评估结果对预算申请的要求（文件用语）",
    # performance_payment
    ("performance_payment", "categories"): "按绩效付费的项目类别", "pay_ratios": "各等级的付费比例",
    "fund_categories": "政府投资基金的类别", "fund_exit_grades": "基金退出的等级", "fund_reward_grades": "基金奖励的等级",
    # policy_exit
    "low_grades": "退出的等级", "exit_expired": "到期退出", "exit_when": "退出条件",
    "track_longer_than_months": "跟踪评价的实施期（月）", "track": "跟踪评价的项目", "track_major_only": "只跟踪重大项目",
    "tracking_action": "跟踪方式",
    # priority_ranking
    "within": "排序范围",
    # rectification_deadline
    "start": "整改期限起算", "feedback_kinds": "反馈结果的评价方式", "feedback_date": "反馈日期",
    ("rectification_deadline", "grades"): "须整改的等级",
    # score_linked_budget
    "priority_grades": "优先保障的等级", "improve_grades": "督促改进的等级", "notice_grades": "公开通报的等级",
    "no_new_budget_grades": "不再安排预算的等级", "suspend_grades": "暂缓拨付的等级", "reward_grades": "给予奖励的等级",
    "poor_rectification_actions": "整改不力的处理", "rectification_months": "整改期限（月）",
    "cut_ratios": "各等级的扣减比例", "cut_from": "扣减对象", "cut_from_for": "按项目类别的扣减对象", "cut_alternative": "可代替扣减的做法",
    "no_new_budget_for": "不再安排的对象",
    # self_evaluation_coverage, self_evaluation_prerequisite
    "due_month": "自评截止月", "due_day": "自评截止日", "review_all": "全部复核", "years_back": "追溯年数", "gate_triggers": "不予安排预算的评估情形", "next_budget_from": "下一年度预算的自评前提自何日起检查",
    "unknown_start": "实施起始日期不明时", ("self_evaluation_coverage", "kinds"): "自评方式",
    ("self_evaluation_prerequisite", "kinds"): "自评方式",
    # spending_checkpoints
    "checkpoints": "执行进度检查点", "monthly_for": "逐月检查的项目类别", "monthly_pace": "逐月进度系数",
    "idle_after_carryover_years": "结转后视为沉淀的年数",
    # spot_check
    "share": "抽查比例", "min_count": "最少抽查数", "seed": "随机种子",
    # target_changes
    "freeze": "绩效目标原则上不予调整", "refile_on_budget_adjustment": "预算调整时重新报送绩效目标",
    "review_refiled": "审核重新报送的绩效目标", "reapprove_on_budget_adjustment": "预算调整时重新批复绩效目标",
    "reapprove_target_adjustment": "绩效目标调整须重新批复",
    # target_gate, target_review
    "required_levels": "必须设定的指标层级", "refuse_after": "审核不通过的次数上限",
    "pending": "绩效目标待审核时", "rejected": "绩效目标审核未通过时",
    # disclosure (continued)
    "targets_scope": "公开绩效目标的项目", "self_evaluation_timing": "自评报告公开时间", "results_timing": "评价结果公开时间", "targets_timing": "绩效目标公开时间", "emphasis_major": "重大项目结果重点公开", "results_where": "评价结果公开渠道",
    # keys of table values (weights, qualitative, checkpoints)
    "execution": "预算执行", "achieved": "完成", "partial": "部分完成", "missed": "未完成", "month": "月份",
    "action": "处理", "below_rate": "执行率低于", "zero_only": "只查零支出", "ledger_month": "台账月份",
}

# Codes of parameter values (Literal choices), by their Chinese label; (parameter, code) first.
VALUE_ZH: dict[str | tuple[str, str], str] = {
    "new_major": "新出台的重大政策和项目", "new": "新增项目", "major": "重大项目", "large": "金额较大的项目",
    "new_large": "新增且金额较大的项目", "new_of_categories": "新增的指定类别项目",
    ("measure", "either"): "绩效目标或预算执行（取落后较多者）", "targets": "绩效目标", "execution": "预算执行",
    ("suspend_measure", "either"): "绩效目标或预算执行（取落后较多者）",
    "targets_first": "有目标完成记录的看绩效目标，否则看预算执行",
    ("pending", "block"): "不予安排预算", ("pending", "await"): "待审核结果确定",
    ("rejected", "block"): "不予安排预算", ("rejected", "review"): "按审核程序退回修改",
    ("targets_scope", "major"): "重大项目", "with_final_accounts": "随决算公开", "promptly": "及时公示", "separately": "单独公开", "by_law": "依法公开（未定时间）", "with_drafts": "与预决算草案同步报送人大并公开", "with_budget": "随部门预算公开",
    "all": "全部项目", ("within", "department"): "同一部门内",
    ("exit_when", "either"): "任一情形", ("exit_when", "both"): "两种情形同时具备",
    "longer_than": "实施期超过规定月数的项目", "crosses_year": "跨年度的项目", "none": "不跟踪",
    "decision": "问责决定之日", "evaluation_feedback": "评价结果反馈之日", "evaluation_date": "评价日期",
    "require": "要求提供", "skip": "不检查",
    "reduce_budget": "减少安排预算",
    "no_targets": "未设定绩效目标", "no_self_evaluation": "未按规定开展绩效自评", "execution_deviation": "预算执行偏差大", "targets_missed": "绩效目标未完成",
    "poor_evaluation": "评价结果为差",
}


def param_label(plugin: str, name: str, metadata: dict | None = None) -> str:
    if metadata and metadata.get("zh"):
        return str(metadata["zh"])
    return PARAM_ZH.get((plugin, name)) or PARAM_ZH.get(name) or name


def value_label(param: str | None, code: str) -> str | None:
    return VALUE_ZH.get((param, code)) if param and (param, code) in VALUE_ZH else VALUE_ZH.get(code)
