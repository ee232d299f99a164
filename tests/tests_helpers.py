"""Row builders shared by the tests (kept outside conftest so that they can be imported)."""


def ok_row(pid: str, *, budget: str = "1000000", spent: str = "980000", fund: str = "一般公共预算",
           category: str = "专项资金", new: str = "否", major: str = "否", targets: str = "已批复",
           assessment: str = "无", year: str = "2024", dept: str = "教育局") -> str:
    return f"{pid},项目{pid},{dept},{year},{fund},{category},{budget},{spent},{new},{major},{targets},{assessment}"
