"""What the standard forms are called and label, and the tables jixiao reads from them.

The labels are the texts a form's blocks and columns are found by (``layout``); each role has the
variants bureaus write. The columns are those of jixiao's CSV tables (docs/schema.md).
"""

KINDS = {"selfeval": "项目支出绩效自评表", "target": "项目支出绩效目标申报表"}

# Defaults for what the forms do not hold (jixiao's projects table requires them). Each is said in a
# warning when used; a form that has the label (资金性质, 项目类别) gives its own value.
DEFAULT_FUND_TYPE = "一般公共预算"
DEFAULT_CATEGORY = "一般项目"

INDICATOR_ROLES = {
    "level1": ("一级指标",),
    "level2": ("二级指标",),
    "name": ("三级指标", "三级指标名称", "指标内容", "指标名称"),
    "target": ("年度指标值", "指标值", "年度目标值", "目标值", "本年度计划水平"),
    "actual": ("实际完成值", "实际完成情况", "全年实际值", "实际值", "完成值", "指标值完成情况"),
    "weight": ("分值", "权重"),
    "score": ("得分", "自评得分"),
    "sign": ("计算符号", "比较符号", "运算符号", "COMPUTESIGN"),
}
FUND_ROLES = {
    "plan": ("年初预算数",),
    "budget": ("全年预算数", "调整后预算数", "变动后预算数"),
    "spent": ("全年执行数",),
    "points": ("分值",),
    "rate": ("执行率",),
    "score": ("得分",),
}
STOP_WORDS = ("总分", "合计", "审核意见", "评价结论", "存在问题", "填报人", "联系电话", "项目负责人", "财务负责人")


PROJECT_COLUMNS = ("项目编码", "项目名称", "主管部门", "预算年度", "资金性质", "项目类别", "预算金额(元)",
                   "已支出金额(元)", "是否新增", "绩效目标状态")
INDICATOR_COLUMNS = ("项目编码", "一级指标", "二级指标", "三级指标", "指标方向", "目标值", "实际值", "分值")
EVALUATION_COLUMNS = ("项目编码", "评价年度", "评价方式", "总分", "预算执行率得分", "产出得分", "效益得分", "满意度得分")
