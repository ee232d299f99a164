"""The vocabulary of actions a finding can carry, with Chinese and English labels.

A rule may only emit an action listed here; the engine checks this for every finding.
"""

from __future__ import annotations

import attrs


@attrs.frozen
class Action:
    code: str
    zh: str
    en: str
    # Whether the action's money effect, when present, is a change to next year's budget.
    budget_effect: bool = False
    # Whether the action moves money or blocks a budget (cuts, reclaims, suspends, withholds, blocks):
    # its findings must say which budget year and which object they apply to (``OBJECTS``).
    binding: bool = False


ACTIONS: dict[str, Action] = {
    a.code: a
    for a in (
        Action("require_assessment", "需事前评估", "ex-ante assessment required"),
        Action("block_budget", "不予安排预算", "no budget arranged", binding=True),
        Action("await_target_review", "绩效目标待审核", "budget awaits the review of the filed targets"),
        Action("remind", "提醒加快进度", "reminded to speed up"),
        Action("correct_deviation", "督促纠偏", "ordered to correct a deviation from targets or schedule"),
        Action("order_correction", "责令改正", "ordered to correct"),
        Action("key_attention", "列入重点关注台账", "put on the key-attention ledger"),
        Action("reclaim_funds", "收回统筹", "funds reclaimed", budget_effect=True, binding=True),
        Action("reclaim_candidate", "预计无法支付，待财政认定收回", "on the ledger and not paid out: finance to judge whether it can pay by the year end, else reclaim"),
        Action("suspend_disbursement", "暂缓拨款", "disbursement suspended", binding=True),
        Action("stop_disbursement", "停止拨款", "disbursement stopped", binding=True),
        Action("grade", "评价等级", "graded"),
        Action("cut_budget", "扣减预算", "budget cut", budget_effect=True, binding=True),
        Action("cut_if_budgeted", "再安排时削减", "to be cut if the project is budgeted again (no budget of that year to cut now)"),
        Action("pending_review", "待复核后应用", "results held until finance reviews the self-evaluation"),
        Action("prioritize", "优先保障", "prioritised in the next budget"),
        Action("improve", "督促改进", "ordered to improve"),
        Action("no_new_budget", "不予新增预算", "no new budget request", binding=True),
        Action("public_notice", "公开通报", "publicly notified"),
        Action("rectify", "限期整改", "rectification due"),
        Action("rectification_overdue", "整改逾期", "rectification overdue"),
        Action("select_for_evaluation", "纳入评价", "selected for evaluation"),
        Action("management_focus", "预算绩效管理重点", "meets the amount test of the performance management focus"),
        Action("key_monitoring", "纳入重点监控", "put under key monitoring"),
        Action("spot_check", "抽查复核", "selected for spot-check review"),
        Action("self_evaluation_overdue", "未按期自评", "self-evaluation overdue"),
        Action("review_self_evaluation", "自评待复核", "self-evaluation awaiting finance review"),
        Action("disclose", "信息公开", "to be disclosed"),
        Action("exit_policy", "清理退出", "policy or project cleared out"),
        Action("full_cycle_tracking", "全周期跟踪", "full-cycle tracking"),
        Action("stage_evaluation", "阶段性评价", "stage evaluation of a multi-year project"),
        Action("adjust_targets", "调整绩效目标", "targets to be revised or re-filed"),
        Action("pay_by_performance", "按绩效付费", "paid according to performance", binding=True),
        Action("reward", "表扬奖励", "commended and rewarded"),
        Action("consider_exit", "作为终止退出参考", "a reference for ending or exiting a fund"),
        Action("consider_reward", "作为奖励参考", "a reference for rewarding a fund's manager"),
        Action("accountability", "追责问责", "held accountable"),
        Action("rank", "排序", "priority rank"),
    )
}


@attrs.frozen
class Target:
    """What a binding finding applies to: whose money, in which budget."""

    code: str
    zh: str


# The objects a binding finding can apply to. The budget year is a separate field of the finding.
OBJECTS: dict[str, Target] = {
    t.code: t
    for t in (
        Target("project_budget", "本项目预算"),
        Target("department_control", "部门项目预算控制数"),
        Target("unit_new_requests", "实施单位新增预算需求"),
        Target("unspent_balance", "年度未执行（未支出）资金"),
        Target("disbursement", "本年预算资金拨付"),
        Target("department_execution", "部门预算执行"),
        Target("contract_payment", "按绩效付费的合同款项"),
    )
}
