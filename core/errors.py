"""Errors a user can act on. Each names the place (file, sheet, row, column or key) and the value."""

from __future__ import annotations

import attrs


@attrs.frozen
class Problem:
    """One thing wrong with an input file or a pack, with where it is."""

    file: str
    message: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    value: str | None = None
    severity: str = "error"  # or "warning"

    def render(self) -> str:
        where = [self.file]
        if self.sheet:
            where.append(f"工作表 {self.sheet}")
        if self.row is not None:
            where.append(f"第 {self.row} 行")
        if self.column:
            where.append(f"列 {self.column}")
        text = "，".join(where) + f"：{self.message}"
        if self.value is not None:
            text += f"（值：{self.value!r}）"
        return text


class JixiaoError(Exception):
    """Base class: an error the CLI reports without a traceback, exit code 2."""

    exit_code = 2

    def render(self) -> str:
        return str(self)


class ProblemsError(JixiaoError):
    """Several problems found at once (bad portfolio input, a bad pack)."""

    def __init__(self, problems: list[Problem], what: str = "输入数据"):
        self.problems = [p for p in problems if p.severity == "error"] or list(problems)
        self.what = what
        super().__init__(self.render())

    def render(self) -> str:
        return "\n".join([f"{self.what}中有 {len(self.problems)} 个问题：", *("  " + p.render() for p in self.problems)])


class InputError(ProblemsError):
    def __init__(self, problems: list[Problem]):
        super().__init__(problems, "项目数据")


class PackError(ProblemsError):
    def __init__(self, problems: list[Problem]):
        super().__init__(problems, "规则包")

    def render(self) -> str:  # a pack's problems are read by its author, in Chinese (core/pack/file.py KeyProblem)
        return "\n".join([f"规则包中有 {len(self.problems)} 个问题：", *("  " + p.render() for p in self.problems)])


class PluginError(JixiaoError):
    """A plugin failed to load or raised inside a hook."""


class RuleFailed(PluginError):
    def __init__(self, rule: str, plugin: str, stage: str, hook: str, error: BaseException):
        self.rule, self.plugin, self.stage, self.hook, self.error = rule, plugin, stage, hook, error
        from jixiao.core.hookspecs import STAGE_ZH

        super().__init__(
            f"规则 {rule!r}（插件 {plugin!r}）在{STAGE_ZH.get(stage, stage)}环节（{stage}，{hook}）出错："
            f"{type(error).__name__}: {error}；未写出任何文件"
        )
