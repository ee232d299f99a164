"""The header block of a form: the project's row of jixiao's projects table (名称, 编码, 部门, 年度,
资金性质, 项目类别, the amounts of its funds block, 项目属性 of a 申报表)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from jixiao.core.errors import Problem
from jixiao.core.forms import layout
from jixiao.core.forms.funds import FundsReading
from jixiao.core.forms.labels import DEFAULT_CATEGORY, DEFAULT_FUND_TYPE, PROJECT_COLUMNS
from jixiao.core.forms.parse import normalize
from jixiao.core.forms.xlsx import Sheet


class HeaderReading(FundsReading):
    """Reads a sheet's project; ``seen`` holds where each project id was first read."""

    kind: str
    seen: dict[str, str]
    defaults: Counter
    named_by_name: int

    def _project(self, sheet: Sheet) -> dict | None:
        out: dict[str, str | None] = dict.fromkeys(PROJECT_COLUMNS)
        r, c, name = self._text(layout.field(sheet, "项目名称"))
        ok = True
        if not name:
            self.bad(sheet, r, c, "项目名称", "项目名称为空", "")
            ok = False
        out["项目名称"] = name
        code = self._text(layout.field(sheet, "项目编码", "项目代码", "项目编号"))
        if code and code[2]:
            out["项目编码"] = normalize(code[2])
        else:
            out["项目编码"] = name
            self.named_by_name += 1
        dept = self._text(layout.field(sheet, "主管部门", "主管部门名称", "预算部门"))
        if dept is None:
            self.problems.append(Problem(sheet.file, "表中没有“主管部门”", sheet=sheet.name))
            ok = False
        elif not dept[2]:
            self.bad(sheet, dept[0], dept[1], "主管部门", "主管部门为空", "")
            ok = False
        else:
            out["主管部门"] = dept[2]
        year = self._year(sheet)
        if year is None:
            ok = False
        out["预算年度"] = str(year)
        for col, labels, default in (("资金性质", ("资金性质", "预算类型"), DEFAULT_FUND_TYPE),
                                     ("项目类别", ("项目类别", "项目类型"), DEFAULT_CATEGORY)):
            found = self._text(layout.field(sheet, *labels))
            if found and found[2]:
                out[col] = found[2]
            else:
                out[col] = default
                self.defaults[col] += 1
        if self.kind == "selfeval":
            budget, spent = self._funds_selfeval(sheet)
            out["已支出金额(元)"] = spent
        else:
            budget = self._funds_target(sheet)
            out["绩效目标状态"] = "待审核"
            attr = self._text(layout.field(sheet, "项目属性"))
            if attr and attr[2]:
                kind = normalize(attr[2])
                if kind in ("新增", "新增项目", "新设"):
                    out["是否新增"] = "是"
                elif kind in ("延续", "延续项目", "持续"):
                    out["是否新增"] = "否"
                else:
                    self.bad(sheet, attr[0], attr[1], "项目属性", "项目属性应为 新增 或 延续", attr[2])
                    ok = False
        if budget is None:
            ok = False
        out["预算金额(元)"] = budget
        if not ok:
            return None
        pid = out["项目编码"]
        here = f"{Path(sheet.file).name} 工作表 {sheet.name}"
        if pid in self.seen:
            self.bad(sheet, r, c, "项目名称" if pid == name else "项目编码",
                     f"项目编码重复：{self.seen[pid]} 也是这个项目", pid)
            return None
        self.seen[pid] = here
        return out

    def _year(self, sheet: Sheet) -> int | None:
        found = self._text(layout.field(sheet, "年度", "预算年度", "评价年度", "填报年度"))
        if found and found[2]:
            y = layout.year_in(found[2] if "年" in found[2] else found[2] + "年")
            if y is None:
                self.bad(sheet, found[0], found[1], "年度", "年度应为四位年份，如 2024", found[2])
            return y
        y = layout.year_in(layout.title_text(sheet))
        if y is None:
            self.problems.append(Problem(sheet.file, "找不到年度：标题（如“2024年度项目支出绩效自评表”）或“年度”一栏"
                                                     "都没有写年份", sheet=sheet.name))
        return y

