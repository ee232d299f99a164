"""``jixiao plan coverage``: the evaluation plan a pack's coverage rule asks for (built in ``cli/plan.py``)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from jixiao.cli.options import (amounts_in_option, check_outputs, format_option, out, output_format, output_option,
                                pack_by_name, pass_state, write_out)

PLAN_FILES = ("csv", "json")


@click.group()
def plan():
    """编排规则包要求的评价工作。

    \b
    示例：
      jixiao plan coverage --pack qingdao jixiao-demo/portfolio.xlsx
    """


@plan.command("coverage")
@amounts_in_option
@click.option("--pack", "pack_ref", required=True, help="含 coverage_schedule 规则的规则包，如 qingdao（青岛）。")
@click.option("--year", type=int, help="编排含此年度的周期（默认：规则包的第一个周期）。")
@click.option("--existing", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="要保留的计划（CSV，列 项目编码/project_id 和 年度/year）；新的专项资金围绕它编排。")
@format_option(PLAN_FILES)
@output_option
@click.argument("funds", type=click.Path(exists=True, path_type=Path))
@pass_state
def plan_coverage(state, pack_ref, year, existing, fmt, output, funds):
    """编排一个周期的评价计划：每项专项资金评价一次，每年至少达到规定的比例，重点（十五个攻势）资金
    优先；已评价和已列入计划的保持不动。FUNDS 是项目库（与 run 读取的相同），其中的专项资金参与编排。

    \b
    示例：
      jixiao plan coverage --pack qingdao --year 2021 jixiao-demo/portfolio.xlsx
      jixiao plan coverage --pack qingdao --existing plan.csv -o plan-2022.csv jixiao-demo/portfolio.xlsx
    """
    from jixiao.cli.plan import coverage_plan
    from jixiao.cli.render import plan_summary, plan_table
    from jixiao.core.outputs.files import csv_safe
    from jixiao.core.outputs.run import yuan_expr
    from jixiao.core.pack import Pack
    from jixiao.core.load import load_portfolio

    fmt = output_format(fmt, output, PLAN_FILES)
    check_outputs([output], [funds, existing, pack_ref])
    pack = Pack.load(pack_by_name(state, pack_ref), state.registry)
    schedule, info = coverage_plan(pack, load_portfolio(funds), year, existing)
    table = schedule.select("project_id", "year", "status", "priority_fund", yuan_expr("budget_fen").alias("budget_yuan"))
    if fmt == "json":
        write_out(json.dumps({**info, "plan": table.to_dicts()}, ensure_ascii=False, indent=2) + "\n", output)
    elif fmt == "csv":
        write_out(csv_safe(table).write_csv(), output)
    else:
        out.print(plan_table(table, info))
        out.print(plan_summary(info))


COMMANDS = (plan,)
