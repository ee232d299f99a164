"""``jixiao compare``, ``jixiao diff`` and ``jixiao demo``: several packs, or two versions of one, over
one portfolio."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from jixiao.cli.options import (AS_OF_HELP, PACKS_HELP, _date, amounts_in_option, as_of_view, check_outputs, err,
                                format_option, out, output_format, output_option, pack_by_name, packs_arg,
                                pass_state, write_out, write_text)
from jixiao.cli.text import safe

COMPARE_FILES = ("json", "xlsx")
DIFF_FILES = ("json",)


@click.command("compare")
@amounts_in_option
@click.option("--packs", "packs_opt", help=PACKS_HELP)
@click.option("--as-of", required=True, callback=_date, help=AS_OF_HELP)
@format_option(COMPARE_FILES)
@output_option
@click.option("--html", "html_path", type=click.Path(dir_okay=False, path_type=Path),
              help="另写一份带图表的独立 HTML 报告。")
@click.option("--monthly/--no-monthly", default=True, show_default=True,
              help="逐月回放全年，用于预警图（超过 50 000 个项目时不回放）。")
@click.argument("portfolio", type=click.Path(exists=True, path_type=Path))
@pass_state
def compare_cmd(state, packs_opt, as_of, fmt, output, html_path, monthly, portfolio):
    """用几个规则包审查同一个项目库，并排列出各规则包的结论。

    把 A 市的规则用于 B 市的项目库，就是对 B 市的数据运行本命令。

    \b
    示例：
      jixiao compare --packs nanchang,qingdao,tianyuan,shilong,tongxin --as-of 2025-03-31 portfolio.xlsx
      jixiao compare --as-of 2025-03-31 -o compare.xlsx --html compare.html portfolio.xlsx
    """
    from jixiao.cli.render_compare import render_comparison
    from jixiao.core.outputs.compare import compare
    from jixiao.core.outputs.compare_output import write_json, write_xlsx
    from jixiao.core.outputs.run import write_atomic
    from jixiao.core.load import load_portfolio
    from jixiao.core.outputs.report import write_html

    fmt = output_format(fmt, output, COMPARE_FILES)
    check_outputs([output, html_path], [portfolio, *(packs_opt or "").split(",")])
    packs_list = packs_arg(state, packs_opt)
    with err.status("读取项目数据…") as status:
        folio = as_of_view(load_portfolio(portfolio), as_of)
        result = compare(packs_list, folio, as_of, monthly=monthly,
                         on_pack=lambda pid: status.update(f"运行规则包 {safe(pid)} · {len(folio):,} 个项目"),
                         on_step=lambda text: status.update(text))
    if fmt == "json":
        if output is None:
            write_json(result, sys.stdout)
        else:
            write_atomic(output, lambda p: write_text(p, lambda fh: write_json(result, fh)))
    elif fmt == "xlsx":
        from jixiao.cli.progress import writing_xlsx

        with writing_xlsx(err, output) as progress:
            write_xlsx(result, output, progress)
    else:
        render_comparison(result, out)
    if output is not None:
        err.print(f"已写入 {safe(output)}")
    if html_path is not None:
        write_html(result, html_path)
        out.print(f"HTML 报告：{safe(html_path.resolve())}")


@click.command("diff")
@amounts_in_option
@click.option("--old", "old_ref", required=True, help="改动前的规则包（id、文件或名称中的一段）。")
@click.option("--new", "new_ref", required=True, help="改动后的规则包（id、文件或名称中的一段）。")
@click.option("--as-of", callback=_date, help=AS_OF_HELP[:-1] + "（默认：今天）。")
@format_option(DIFF_FILES)
@output_option
@click.argument("portfolio", type=click.Path(exists=True, path_type=Path))
@pass_state
def diff_cmd(state, old_ref, new_ref, as_of, fmt, output, portfolio):
    """规则包的改动对结论有什么影响：结论变化的每个项目、各部门的金额变化和一行小结。
    有变化时退出码为 1，没有变化时为 0。

    \b
    示例：CI 中的发布检查
      git show HEAD:policy_packs/nanchang.toml > /tmp/nanchang-released.toml
      jixiao diff --old /tmp/nanchang-released.toml --new policy_packs/nanchang.toml \\
          --as-of 2025-03-31 jixiao-demo/portfolio.xlsx
    """
    import json

    from jixiao.cli.render_compare import decision_diff_tables
    from jixiao.core.outputs.diffs import decision_diff
    from jixiao.core.pack import Pack
    from jixiao.core.load import load_portfolio

    fmt = output_format(fmt, output, DIFF_FILES)
    check_outputs([output], [portfolio, old_ref, new_ref])
    old = Pack.load(pack_by_name(state, old_ref), state.registry)
    new = Pack.load(pack_by_name(state, new_ref), state.registry)
    day = as_of or dt.date.today()
    result = decision_diff(old, new, as_of_view(load_portfolio(portfolio), day), day)
    if fmt == "json":
        doc = {"schema": "jixiao.diff/1", "old": old.id, "new": new.id, "as_of": result.as_of.isoformat(),
               "projects": result.projects, "changed": result.changed.height, "delta_fen": result.delta_fen,
               "by_department": result.by_department.to_dicts(), "changes": result.changed.to_dicts(),
               "summary": result.summary_line()}
        write_out(json.dumps(doc, ensure_ascii=False, indent=2) + "\n", output)
    else:
        if result.changed.height:
            for table in decision_diff_tables(result, f"{old_ref} → {new_ref} · 基准日期 {result.as_of}"):
                out.print(table)
        out.print(safe(result.summary_line()))
    if result.changed.height:
        sys.exit(1)


SEED_PACKS = ("nanchang", "qingdao", "tianyuan", "shilong", "tongxin")


@click.command()
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("jixiao-demo"),
              show_default=True, help="示例项目库和结果的文件夹。")
@click.option("--projects", default=207, show_default=True, help="项目数（同心县报送了 207 个）。")
@click.option("--seed", default=2021, show_default=True, help="随机种子；种子相同，项目库相同。")
@click.option("--packs", "packs_opt", default=",".join(SEED_PACKS), show_default=True,
              help="逗号分隔的、要对比的规则包。")
@click.option("--as-of", default="2025-03-31", callback=_date, show_default=True, help="基准日期。")
@pass_state
def demo(state, out_dir, projects, seed, packs_opt, as_of):
    """写一个接近真实的示例项目库，用示例规则包逐一审查并对比，附 HTML 报告。

    \b
    示例：
      jixiao demo
      jixiao demo --out /tmp/demo --projects 5000 --seed 7
    """
    from jixiao.cli.progress import writing_xlsx
    from jixiao.cli.render_compare import render_comparison
    from jixiao.core.outputs.compare import compare
    from jixiao.core.outputs.compare_output import to_json, write_xlsx
    from jixiao.core.outputs.run import write_atomic
    from jixiao.core.load import load_portfolio
    from jixiao.core.outputs.report import write_html
    from jixiao.core.sample import generate
    from jixiao.core.outputs.portfolio_files import write_portfolio

    out_dir.mkdir(parents=True, exist_ok=True)
    packs_list = packs_arg(state, packs_opt)
    sample_path = write_portfolio(generate(projects, seed, fiscal_year=as_of.year - 1), out_dir / "portfolio.xlsx")
    with err.status("运行规则包…") as status:
        result = compare(packs_list, load_portfolio(sample_path), as_of,
                         on_pack=lambda pid: status.update(f"运行规则包 {pid} · {projects:,} 个项目"),
                         on_step=lambda text: status.update(text))
    render_comparison(result, out, limit=8)
    with writing_xlsx(err, out_dir / "compare.xlsx") as progress:
        write_xlsx(result, out_dir / "compare.xlsx", progress)
    text = to_json(result)
    write_atomic(out_dir / "compare.json", lambda p: p.write_text(text, encoding="utf-8"))
    report = out_dir / "report.html"
    write_html(result, report)
    out.print(safe(f"示例项目库：{sample_path}\n对比结果：{out_dir / 'compare.xlsx'}、{out_dir / 'compare.json'}"))
    out.print(f"HTML 报告：{safe(report.resolve())}")


COMMANDS = (compare_cmd, diff_cmd, demo)
