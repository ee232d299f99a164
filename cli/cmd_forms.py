"""The standard forms on the command line: ``jixiao convert --form selfeval|target`` and ``jixiao
sample --shape forms|target-forms``.

Both extend commands defined elsewhere (``convert``, ``sample``): ``install(main)`` adds their options
and routes a call that uses them here; a call without them runs the command as before.
"""

from __future__ import annotations

import functools
import inspect
import os
import sys
from decimal import Decimal, InvalidOperation
from pathlib import Path

import click
from rich.console import Console

from jixiao.cli.text import safe

_out = Console(soft_wrap=False, width=None if sys.stdout.isatty() or os.environ.get("COLUMNS", "").isdigit() else 160)
_err = Console(stderr=True)


class _Failure(click.ClickException):
    exit_code = 2

    def show(self, file=None) -> None:
        click.echo(f"错误：{self.format_message()}", file=file, err=file is None)


def _tolerance(_ctx, _param, value):
    if value is None:
        return None
    text = value.strip().replace("％", "%")
    try:
        d = Decimal(text[:-1]) / 100 if text.endswith("%") else Decimal(text)
    except InvalidOperation:
        d = None
    if d is None or not d.is_finite() or d < 0 or d >= 1 or d.as_tuple().exponent < -10:
        raise click.BadParameter(f"{value!r} 不是容差；写作比例（0.01）或百分数（1%），在 0 到 1 之间") from None
    return d


FORM_OPTIONS = [
    click.Option(["--form"], type=click.Choice(["selfeval", "target"]), default=None,
                 help="读取标准表单而不是项目库：selfeval 项目支出绩效自评表，target 项目支出绩效目标申报表。"
                      "PORTFOLIO 为一个工作簿（每个项目一张工作表）或一个文件夹（每个项目一个工作簿），"
                      "写成 jixiao 的项目库文件夹。"),
    click.Option(["--format", "form_format"], type=click.Choice(["csv", "parquet"]), default=None,
                 help="与 --form 同用：写 CSV（与 jixiao sample 相同，默认）或带类型的 Parquet。"),
    click.Option(["--equal-tolerance"], callback=_tolerance, default=None, metavar="比例",
                 help="与 --form 同用：“＝”指标的容差，实际完成值与指标值之差不超过指标值的这一比例即为达成"
                      "（0.01 或 1%）。默认 0，即须相等（假定值：所见文件未规定容差）。"),
]
SHAPE_OPTION = click.Option(
    ["--shape"], type=click.Choice(["tables", "forms", "target-forms"]), default="tables", show_default=True,
    help="tables：jixiao 的项目库表格；forms：填好的项目支出绩效自评表；target-forms：填好的项目支出绩效"
         "目标申报表。表单写入 -o 文件夹（每个项目一个工作簿）或 -o .xlsx（每个项目一张工作表）。")


def _extend(cmd: click.Command, options: list[click.Option], handle) -> None:
    orig = cmd.callback
    names = [o.name for o in options]

    @functools.wraps(orig)
    def callback(**kwargs):
        extra = {n: kwargs.pop(n) for n in names}
        return handle(orig, kwargs, extra)

    cmd.params.extend(options)
    cmd.callback = callback


def _convert(orig, kwargs, extra):
    if extra["form"] is None:
        given = [f"--{k.replace('_', '-')}" for k in ("form_format", "equal_tolerance") if extra[k] is not None]
        if given:
            raise _Failure(f"{'、'.join(g.replace('--form-format', '--format') for g in given)} 只与 --form 同用")
        return orig(**kwargs)
    from jixiao.core.files import check_targets, refuse_inputs
    from jixiao.core.forms.parse import DEFAULT_EQUAL_TOLERANCE
    from jixiao.core.forms.read import KINDS, convert_forms
    from jixiao.core.portfolio import AMOUNTS_IN

    source, output = kwargs["portfolio"], kwargs["output"]
    refuse_inputs([output], [source])
    check_targets([], [output])
    tolerance = extra["equal_tolerance"] if extra["equal_tolerance"] is not None else DEFAULT_EQUAL_TOLERANCE
    fmt = extra["form_format"] or "csv"
    folio, read = convert_forms(source, output, extra["form"], fmt, tolerance, AMOUNTS_IN.get())
    for w in [*read.warnings, *folio.warnings]:
        _err.print(f"[yellow]警告：[/]{safe(w.render())}", highlight=False, soft_wrap=True)
    what = "带类型的 Parquet" if fmt == "parquet" else "CSV"
    _out.print(f"已写入 {safe(output)}（{read.sheets} 张{KINDS[extra['form']]}，{len(folio):,} 个项目，"
               f"{folio.indicators.height:,} 个绩效指标，{what}）")


def _sample(orig, kwargs, extra):
    shape = extra["shape"]
    if shape == "tables":
        return orig(**kwargs)
    ctx = click.get_current_context()
    if ctx.get_parameter_source("fmt") != click.core.ParameterSource.DEFAULT:
        raise _Failure("--format 只用于 --shape tables；表单总是 .xlsx")
    from jixiao.core.forms.sample import write_forms

    kind = "selfeval" if shape == "forms" else "target"
    n = kwargs["n"]
    path = write_forms(n, kwargs["seed"], kwargs["fiscal_year"], kwargs["output"], kind)
    form = "项目支出绩效自评表" if kind == "selfeval" else "项目支出绩效目标申报表"
    _out.print(f"已写入 {safe(path)}（{n:,} 张{form}，随机种子 {kwargs['seed']}）")


_CONVERT_EXAMPLES = """

\b
读取标准表单：
  jixiao sample --shape forms --projects 12 -o forms/
  jixiao convert --form selfeval forms/ -o from_forms
  jixiao run --pack national --as-of 2025-03-31 from_forms
"""
_SAMPLE_EXAMPLES = """

\b
填好的表单（jixiao convert --form 读取）：
  jixiao sample --shape forms --projects 12 -o forms/
  jixiao sample --shape target-forms --projects 3 --year 2025 -o targets.xlsx
"""


def install(main: click.Group) -> None:
    """Add the forms options to ``main``'s ``convert`` and ``sample`` commands."""
    convert, sample = main.commands["convert"], main.commands["sample"]
    _extend(convert, FORM_OPTIONS, _convert)
    convert.help = inspect.cleandoc(convert.help or "") + _CONVERT_EXAMPLES
    _extend(sample, [SHAPE_OPTION], _sample)
    sample.help = inspect.cleandoc(sample.help or "") + _SAMPLE_EXAMPLES
