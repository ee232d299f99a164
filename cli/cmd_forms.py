"""The standard forms on the command line: what ``jixiao convert --form selfeval|target`` and
``jixiao sample --shape forms|target-forms`` do (the options are ``cli/cmd_data.py``'s)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

import click

from jixiao.cli.options import Failure, err, out
from jixiao.cli.text import safe


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


def convert_forms_cmd(kwargs, extra):
    """``jixiao convert --form …``: the standard forms read and written as a portfolio folder."""
    from jixiao.core.outputs.files import check_targets, refuse_inputs
    from jixiao.core.forms.parse import DEFAULT_EQUAL_TOLERANCE
    from jixiao.core.forms.read import KINDS, convert_forms
    from jixiao.core.load import AMOUNTS_IN

    source, output = kwargs["portfolio"], kwargs["output"]
    refuse_inputs([output], [source])
    check_targets([], [output])
    tolerance = extra["equal_tolerance"] if extra["equal_tolerance"] is not None else DEFAULT_EQUAL_TOLERANCE
    fmt = extra["form_format"] or "csv"
    folio, read = convert_forms(source, output, extra["form"], fmt, tolerance, AMOUNTS_IN.get())
    for w in [*read.warnings, *folio.warnings]:
        err.print(f"[yellow]警告：[/]{safe(w.render())}", highlight=False, soft_wrap=True)
    what = "带类型的 Parquet" if fmt == "parquet" else "CSV"
    out.print(f"已写入 {safe(output)}（{read.sheets} 张{KINDS[extra['form']]}，{len(folio):,} 个项目，"
               f"{folio.indicators.height:,} 个绩效指标，{what}）")


def sample_forms(kwargs, shape):
    """``jixiao sample --shape forms|target-forms``: filled-in forms."""
    ctx = click.get_current_context()
    if ctx.get_parameter_source("fmt") != click.core.ParameterSource.DEFAULT:
        raise Failure("--format 只用于 --shape tables；表单总是 .xlsx")
    from jixiao.core.forms.sample import write_forms

    kind = "selfeval" if shape == "forms" else "target"
    n = kwargs["n"]
    path = write_forms(n, kwargs["seed"], kwargs["fiscal_year"], kwargs["output"], kind)
    form = "项目支出绩效自评表" if kind == "selfeval" else "项目支出绩效目标申报表"
    out.print(f"已写入 {safe(path)}（{n:,} 张{form}，随机种子 {kwargs['seed']}）")
