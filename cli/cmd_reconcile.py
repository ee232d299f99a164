"""``jixiao reconcile``: jixiao's scores, grades and warnings against the system a bureau already runs."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from jixiao.cli.options import (AS_OF_HELP, PACK_HELP, Failure, _date, amounts_in_option, check_outputs, err, out,
                                pass_state)
from jixiao.cli.text import safe


@click.command()
@amounts_in_option
@click.option("--pack", "pack_ref", required=True, help=PACK_HELP)
@click.option("--as-of", required=True, callback=_date, help=AS_OF_HELP)
@click.option("--against", "against", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="现有系统导出的记录（.csv 或 .xlsx，每个项目一行）：项目编码（PRO_CODE），以及得分"
                   "（TOTAL_EVAL_VALUE、得分）、等级（自评等级）、预警灯（红、黄、绿）中的任意几列。")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="差异写入的文件：.xlsx（汇总和差异两张表）或 .csv。")
@click.option("--html", "html_path", type=click.Path(dir_okay=False, path_type=Path),
              help="另写一页离线 HTML（汇总和差异）。")
@click.argument("portfolio", type=click.Path(exists=True, path_type=Path))
@pass_state
def reconcile(state, pack_ref, as_of, against, output, html_path, portfolio):
    """对账：把规则包算出的得分、等级和预警与现有系统记录的逐项目比对；每处差异写明 jixiao
    依据的规则和条款、读取的数据，以及条文能判断时支持哪一方。有差异时退出码为 1。

    \b
    示例：
      jixiao reconcile --pack national --as-of 2025-03-31 --against system.csv examples/sample
      jixiao reconcile --pack nanchang --as-of 2025-03-31 --against system.xlsx \\
                       -o 对账.xlsx --html 对账.html portfolio.xlsx
    """
    from jixiao.cli.cmd_run import run_with_progress
    from jixiao.cli.render import render_reconciliation
    from jixiao.core.outputs import reconcile as rc
    from jixiao.core.outputs.files import csv_safe, write_atomic

    if output is not None and output.suffix.lower() not in (".xlsx", ".csv"):
        raise Failure(f"-o {output}：差异写入 .xlsx 或 .csv 文件")
    if html_path is not None and html_path.suffix.lower() not in (".html", ".htm"):
        raise Failure(f"--html {html_path}：应为 .html 文件")
    check_outputs([output, html_path], [portfolio, against, pack_ref])
    records = rc.read_against(against)  # before the run: a bad file costs no run
    result, _ = run_with_progress(state, pack_ref, as_of, portfolio)
    rec = rc.reconcile(result, records, str(against))
    render_reconciliation(rec, out)
    if output is not None:
        if output.suffix.lower() == ".csv":
            frame = csv_safe(rc.table(rec))
            write_atomic(output, lambda p: frame.write_csv(p, include_bom=True))
        else:
            rc.write_xlsx(rec, output)
        err.print(f"已写入 {safe(output)}")
    if html_path is not None:
        rc.write_html(rec, html_path)
        err.print(f"已写入 {safe(html_path)}")
    sys.exit(1 if rec.differences else 0)


COMMANDS = (reconcile,)
