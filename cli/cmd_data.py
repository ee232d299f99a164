"""``jixiao sample`` and ``jixiao convert``: portfolios written, a sample one or one read and typed."""

from __future__ import annotations

from pathlib import Path

import click

from jixiao.cli.options import amounts_in_option, check_outputs, err, out, pass_state
from jixiao.cli.text import safe


@click.command()
@click.option("--projects", "n", type=click.IntRange(1), default=207, show_default=True, help="项目数。")
@click.option("--seed", default=2021, show_default=True, help="随机种子；种子相同，项目库相同。")
@click.option("--year", "fiscal_year", default=2024, show_default=True, help="项目的预算年度。")
@click.option("-o", "--output", required=True, type=click.Path(path_type=Path),
              help=".xlsx、.json 或 .csv/.parquet 文件（只有项目表），或一个文件夹（每张表一个文件）。")
@click.option("--format", "fmt", type=click.Choice(["csv", "parquet"]), default="csv", show_default=True,
              help="文件夹中的文件类型。")
@pass_state
def sample(state, n, seed, fiscal_year, output, fmt):
    """写一个接近真实的示例项目库：部门、资金性质、项目类别、绩效指标、逐月支出、历年评价和问责
    决定，分块生成。

    \b
    示例：
      jixiao sample --projects 1000 --seed 7 -o sample.xlsx
      jixiao sample --projects 1000000 --seed 1 --format parquet -o big/
    """
    from jixiao.core.sample import write_sample

    path = write_sample(n, seed, fiscal_year, output, fmt, progress=lambda done: err.print(
        f"{done:,} / {n:,} 个项目", highlight=False) if n >= 200_000 else None)
    out.print(f"已写入 {safe(path)}（{n:,} 个项目，随机种子 {seed}）")


@click.command()
@amounts_in_option
@click.argument("portfolio", type=click.Path(exists=True, path_type=Path))
@click.option("-o", "--output", required=True, type=click.Path(path_type=Path),
              help="要写入的文件夹：新建的，或 jixiao 以前写过的（将被替换）。")
@pass_state
def convert(state, portfolio, output):
    """检查项目库并写成带类型的 Parquet（jixiao 的快速格式）：每张表一个文件，名称和类型与内存中
    相同，每行已按项目定位。读取时不解析文本、不查找项目编码，之后的审查、对比和说明启动更快。

    \b
    示例：
      jixiao convert jixiao-demo/portfolio.xlsx -o portfolio_typed
      jixiao run --pack national --as-of 2025-03-31 portfolio_typed
    """
    from jixiao.core.portfolio import load_portfolio
    from jixiao.core.sample import write_typed

    check_outputs([], [portfolio], folders=[output])
    folio = load_portfolio(portfolio)
    for w in folio.warnings:
        err.print(f"[yellow]警告：[/]{safe(w.render())}", highlight=False, soft_wrap=True)
    path = write_typed(folio, output)
    out.print(f"已写入 {safe(path)}（{len(folio):,} 个项目，{folio.spending.height:,} 笔支出，带类型的 Parquet）")


COMMANDS = (sample, convert)
