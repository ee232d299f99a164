"""``jixiao sample`` and ``jixiao convert``: portfolios written, a sample one or one read and typed."""

from __future__ import annotations

from pathlib import Path

import click

from jixiao.cli.cmd_forms import _tolerance
from jixiao.cli.options import Failure, amounts_in_option, check_outputs, err, out, pass_state
from jixiao.cli.text import safe


@click.command()
@click.option("--projects", "n", type=click.IntRange(1), default=207, show_default=True, help="项目数。")
@click.option("--seed", default=2021, show_default=True, help="随机种子；种子相同，项目库相同。")
@click.option("--year", "fiscal_year", default=2024, show_default=True, help="项目的预算年度。")
@click.option("-o", "--output", required=True, type=click.Path(path_type=Path),
              help=".xlsx、.json 或 .csv/.parquet 文件（只有项目表），或一个文件夹（每张表一个文件）。")
@click.option("--format", "fmt", type=click.Choice(["csv", "parquet"]), default="csv", show_default=True,
              help="文件夹中的文件类型。")
@click.option("--shape", type=click.Choice(["tables", "yth", "forms", "target-forms"]), default="tables",
              show_default=True,
              help="tables：jixiao 的项目库表格；yth：预算管理一体化的数据元素列名（PRO_CODE、CUR_AMT、KPI_VAL…），"
                   "含 3 个财政区划（MOF_DIV_CODE）和单位 1–7 月绩效监控报告（monitoring.csv），写入 -o 文件夹；forms：填好的项目支出绩效自评表；"
                   "target-forms：填好的项目支出绩效目标申报表。表单写入 -o 文件夹（每个项目一个工作簿）"
                   "或 -o .xlsx（每个项目一张工作表）。")
@pass_state
def sample(state, n, seed, fiscal_year, output, fmt, shape):
    """写一个接近真实的示例项目库：部门、资金性质、项目类别、绩效指标、逐月支出、历年评价和问责
    决定，分块生成。

    \b
    示例：
      jixiao sample --projects 1000 --seed 7 -o sample.xlsx
      jixiao sample --projects 1000000 --seed 1 --format parquet -o big/

    \b
    一体化数据元素、多个财政区划（jixiao run --pack-for-division 读取）：
      jixiao sample --shape yth --projects 300 -o province/

    \b
    填好的表单（jixiao convert --form 读取）：
      jixiao sample --shape forms --projects 12 -o forms/
      jixiao sample --shape target-forms --projects 3 --year 2025 -o targets.xlsx
    """
    if shape == "yth":
        from jixiao.core.yth import DIVISIONS, write_yth

        if click.get_current_context().get_parameter_source("fmt") != click.core.ParameterSource.DEFAULT:
            raise Failure("--format 只用于 --shape tables；--shape yth 总是写 CSV 文件夹")
        path = write_yth(n, seed, fiscal_year, output)
        out.print(f"已写入 {safe(path)}（{n:,} 个项目，财政区划 {'、'.join(DIVISIONS)}，"
                  f"含 {fiscal_year} 年 1–7 月绩效监控报告，随机种子 {seed}）")
        return
    if shape != "tables":
        from jixiao.cli.cmd_forms import sample_forms

        return sample_forms(dict(n=n, seed=seed, fiscal_year=fiscal_year, output=output), shape)
    from jixiao.core.sample import write_sample

    path = write_sample(n, seed, fiscal_year, output, fmt, progress=lambda done: err.print(
        f"{done:,} / {n:,} 个项目", highlight=False) if n >= 200_000 else None)
    out.print(f"已写入 {safe(path)}（{n:,} 个项目，随机种子 {seed}）")


@click.command()
@amounts_in_option
@click.argument("portfolio", type=click.Path(exists=True, path_type=Path))
@click.option("-o", "--output", required=True, type=click.Path(path_type=Path),
              help="要写入的文件夹：新建的，或 jixiao 以前写过的（将被替换）。")
@click.option("--form", type=click.Choice(["selfeval", "target"]), default=None,
              help="读取标准表单而不是项目库：selfeval 项目支出绩效自评表，target 项目支出绩效目标申报表。"
                   "PORTFOLIO 为一个工作簿（每个项目一张工作表）或一个文件夹（每个项目一个工作簿），"
                   "写成 jixiao 的项目库文件夹。")
@click.option("--format", "form_format", type=click.Choice(["csv", "parquet"]), default=None,
              help="与 --form 同用：写 CSV（与 jixiao sample 相同，默认）或带类型的 Parquet。")
@click.option("--equal-tolerance", callback=_tolerance, default=None, metavar="比例",
              help="与 --form 同用：“＝”指标的容差，实际完成值与指标值之差不超过指标值的这一比例即为达成"
                   "（0.01 或 1%）。默认 0，即须相等（假定值：所见文件未规定容差）。")
@pass_state
def convert(state, portfolio, output, form, form_format, equal_tolerance):
    """检查项目库并写成带类型的 Parquet（jixiao 的快速格式）：每张表一个文件，名称和类型与内存中
    相同，每行已按项目定位。读取时不解析文本、不查找项目编码，之后的审查、对比和说明启动更快。

    \b
    示例：
      jixiao convert jixiao-demo/portfolio.xlsx -o portfolio_typed
      jixiao run --pack national --as-of 2025-03-31 portfolio_typed

    \b
    读取标准表单：
      jixiao sample --shape forms --projects 12 -o forms/
      jixiao convert --form selfeval forms/ -o from_forms
      jixiao run --pack national --as-of 2025-03-31 from_forms
    """
    if form is not None:
        from jixiao.cli.cmd_forms import convert_forms_cmd

        return convert_forms_cmd(dict(portfolio=portfolio, output=output),
                                 dict(form=form, form_format=form_format, equal_tolerance=equal_tolerance))
    given = [name for name, v in (("--format", form_format), ("--equal-tolerance", equal_tolerance)) if v is not None]
    if given:
        raise Failure(f"{'、'.join(given)} 只与 --form 同用")
    from jixiao.core.load import load_portfolio
    from jixiao.core.outputs.portfolio_files import write_typed

    check_outputs([], [portfolio], folders=[output])
    folio = load_portfolio(portfolio)
    for w in folio.warnings:
        err.print(f"[yellow]警告：[/]{safe(w.render())}", highlight=False, soft_wrap=True)
    path = write_typed(folio, output)
    out.print(f"已写入 {safe(path)}（{len(folio):,} 个项目，{folio.spending.height:,} 笔支出，带类型的 Parquet）")


COMMANDS = (sample, convert)
