"""``jixiao run`` and ``jixiao explain``: one pack over a portfolio, its findings or why a project got them."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from jixiao.cli.options import (AS_OF_HELP, PACK_HELP, Failure, _date, amounts_in_option, as_of_view, check_outputs,
                                err, format_option, out, output_format, output_option, pack_by_name, pass_state,
                                write_text)
from jixiao.cli.text import safe

RUN_FILES = ("json", "csv", "xlsx")


@click.command()
@amounts_in_option
@click.option("--pack", "pack_ref", help=PACK_HELP + " 与 --pack-for-division 同用时，是其余区划的规则包。")
@click.option("--pack-for-division", "division_map", multiple=True, metavar="CODE=PACK|FILE",
              help="按财政区划（财政区划代码，MOF_DIV_CODE）分别用各自的规则包：区划代码=规则包（可重复；"
                   "*=规则包 指其余区划），或 .toml（[divisions] 表）/ .csv（财政区划代码,规则包）对照文件。")
@click.option("--as-of", required=True, callback=_date, help=AS_OF_HELP)
@format_option(RUN_FILES)
@output_option
@click.option("--headers", type=click.Choice(["zh", "en", "yth"]), default="zh", show_default=True,
              help="CSV 的表头：zh 中文（与 XLSX 相同）；en 字段名（与 JSON 相同，供程序读取）；yth 以预算管理一体化"
                   "的数据元素 MOF_DIV_CODE、FISCAL_YEAR、PRO_CODE 为键、其余为中文（CSV 和 XLSX，可导回一体化系统）。")
@click.argument("portfolio", type=click.Path(exists=True, path_type=Path))
@pass_state
def run(state, pack_ref, division_map, as_of, fmt, output, headers, portfolio):
    """按规则包审查项目库（以基准日期为准），列出结论。

    \b
    示例：
      jixiao run --pack national --as-of 2025-03-31 portfolio.xlsx
      jixiao run --pack 南昌 --as-of 2025-03-31 -o findings.json portfolio.xlsx
      jixiao run --pack-for-division 360100=nanchang --pack national \\
                 --as-of 2025-03-31 province/
    """
    from jixiao.cli.render import render_table
    from jixiao.core.outputs import run as outputs
    from jixiao.core.outputs.files import csv_safe

    fmt = output_format(fmt, output, RUN_FILES)
    if headers != "zh" and fmt in ("json", "table") or headers == "en" and fmt == "xlsx":
        # Said before the run: the file asked for would not have the headers asked for.
        shown = {"json": "JSON（总是字段名）", "table": "终端表格", "xlsx": "XLSX（总是中文表头）"}[fmt]
        raise Failure(f"--headers {headers} 不能用于{shown}：--headers en 只用于 CSV，--headers yth 用于 CSV 和 XLSX")
    if not pack_ref and not division_map:
        raise Failure("请用 --pack 指定规则包，或用 --pack-for-division 按财政区划指定规则包")
    mapping = None
    if division_map:
        from jixiao.core.outputs import divisions

        mapping = divisions.parse_map(division_map)
    # The map files and the pack files a map names are inputs too: never written over.
    maps = [Path(e) for e in division_map if Path(e).exists()]
    check_outputs([output], [portfolio, *([pack_ref] if pack_ref else []), *maps, *(mapping or {}).values()])
    if division_map:
        return run_divisions(state, pack_ref, mapping, as_of, fmt, output, headers, portfolio)
    result, n = run_with_progress(state, pack_ref, as_of, portfolio)
    if fmt == "table":
        render_table(result, out)
    elif fmt == "json":
        if output is None:
            outputs.write_json(result, n, sys.stdout)
        else:
            outputs.write_atomic(output, lambda p: write_text(p, lambda fh: outputs.write_json(result, n, fh)))
    elif fmt == "csv":
        if headers == "yth":
            from jixiao.core.outputs import yth

            table = csv_safe(yth.findings_table(result))
        else:
            table = outputs.findings_table(result)
            table = csv_safe(table.rename(outputs.ZH_HEADERS) if headers == "zh" else table)
        if output is None:
            sys.stdout.write(table.write_csv())
        else:  # UTF-8 with BOM: Excel in China opens it with the Chinese text intact
            outputs.write_atomic(output, lambda p: table.write_csv(p, include_bom=True))
    else:
        from jixiao.cli.progress import writing_xlsx

        if headers == "en":
            raise Failure("--headers en 只用于 CSV（XLSX 总是中文表头；--headers yth 以一体化数据元素为键）")
        with writing_xlsx(err, output) as progress:
            if headers == "yth":
                from jixiao.core.outputs import yth

                yth.write_xlsx(result, output, progress)
            else:
                outputs.write_xlsx(result, output, progress)
    if output is not None:
        err.print(f"已写入 {safe(output)}")


def run_divisions(state, pack_ref, mapping, as_of, fmt, output, headers, portfolio_path):
    """``run`` with a pack per 财政区划 (core/outputs/divisions.py): one load, each division's projects run
    under its pack, one output."""
    import polars as pl

    from jixiao.cli.render import render_table
    from jixiao.core.outputs import divisions
    from jixiao.core.engine import run as run_pack
    from jixiao.core.outputs.files import csv_safe, write_atomic
    from jixiao.core.outputs.run import ZH_HEADERS
    from jixiao.core.pack import Pack

    mapping = dict(mapping)
    if pack_ref:
        if divisions.ANY in mapping:
            raise Failure(f"--pack {pack_ref} 与 --pack-for-division *={mapping[divisions.ANY]} 都指定了其余区划的规则包；只写一个")
        mapping[divisions.ANY] = pack_ref
    portfolio = load_with_progress(portfolio_path, as_of)
    with err.status("运行规则包…") as status:
        def one(pack, part):
            status.update(f"{pack.meta.name} · {len(part)} 个项目")
            return run_pack(pack, part, as_of, trace=state.trace)

        runs = divisions.run_divisions(portfolio, mapping, as_of,
                                       lambda ref: Pack.load(pack_by_name(state, ref), state.registry), one)
    if fmt == "table":
        for r in runs:
            out.print(f"财政区划 {safe(r.label)}（{r.projects} 个项目）", markup=False, highlight=False)
            render_table(r.result, out)
    elif fmt == "json":
        if output is None:
            divisions.write_json(runs, as_of, sys.stdout)
        else:
            write_atomic(output, lambda p: write_text(p, lambda fh: divisions.write_json(runs, as_of, fh)))
    elif fmt == "csv":
        if headers == "yth":
            from jixiao.core.outputs import yth

            table = csv_safe(pl.concat([yth.findings_table(r.result, r.division) for r in runs]))
        else:
            table = divisions.findings_table(runs)
            table = csv_safe(table.rename({"division": "财政区划代码", **ZH_HEADERS}) if headers == "zh" else table)
        if output is None:
            sys.stdout.write(table.write_csv())
        else:
            write_atomic(output, lambda p: table.write_csv(p, include_bom=True))
    else:
        from jixiao.cli.progress import writing_xlsx

        if headers == "en":
            raise Failure("--headers en 只用于 CSV（XLSX 总是中文表头；--headers yth 以一体化数据元素为键）")
        with writing_xlsx(err, output) as progress:
            divisions.write_xlsx(runs, as_of, output, progress, keyed=headers == "yth")
    if output is not None:
        err.print(f"已写入 {safe(output)}")


def load_with_progress(portfolio_path, as_of):
    """The portfolio as of the date, its warnings printed."""
    from jixiao.core.load import load_portfolio

    with err.status("读取项目数据…"):
        portfolio = as_of_view(load_portfolio(portfolio_path), as_of)
    for w in portfolio.warnings:
        err.print(f"[yellow]警告：[/]{safe(w.render())}", highlight=False, soft_wrap=True)
    return portfolio


def run_with_progress(state, pack_ref, as_of, portfolio_path):
    """Load the pack and the portfolio and run, showing the stage on a terminal."""
    from jixiao.core.engine import run
    from jixiao.core.hookspecs import STAGE_ZH
    from jixiao.core.pack import Pack
    from jixiao.core.load import load_portfolio

    pack = Pack.load(pack_by_name(state, pack_ref), state.registry)
    with err.status("读取项目数据…") as status:
        portfolio = as_of_view(load_portfolio(portfolio_path), as_of)
        for w in portfolio.warnings:
            err.print(f"[yellow]警告：[/]{safe(w.render())}", highlight=False, soft_wrap=True)

        def on_stage(stage: str) -> None:
            status.update(f"{STAGE_ZH[stage]} · {len(portfolio)} 个项目")

        result = run(pack, portfolio, as_of, on_stage=on_stage, trace=state.trace)
    return result, len(portfolio)


@click.command()
@amounts_in_option
@click.option("--pack", "pack_ref", required=True, help=PACK_HELP)
@click.option("--project", "projects", required=True, multiple=True,
              help="项目编码，或项目名称中的一段（只能对应一个项目）；可重复，一次说明多个项目。")
@click.option("--as-of", required=True, callback=_date, help=AS_OF_HELP)
@click.option("--all", "all_rules", is_flag=True,
              help="列出规则包的每条规则及其所用的取值；不写时只列出得出结论的规则。")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="json：说明作为文档输出（schema jixiao.explain/1，见 docs/formats.md）。")
@click.argument("portfolio", type=click.Path(exists=True, path_type=Path))
@pass_state
def explain(state, pack_ref, projects, as_of, all_rules, fmt, portfolio):
    """逐条规则说明规则包对一个项目的结论及其依据。

    只说明一个项目时只对该项目运行（部门合计等跨项目的数仍按整个项目库计算）；说明多个项目时对整个
    项目库运行一次，之后每个项目约一毫秒。

    \b
    示例：
      jixiao explain --pack national --project P2024000001 \\
          --as-of 2025-03-31 portfolio.xlsx
      jixiao explain --pack national --project P2024000001 \\
          --as-of 2025-03-31 --all portfolio.xlsx
      jixiao explain --pack national --project P2024000001 \\
          --as-of 2025-03-31 --format json portfolio.xlsx
    """
    from jixiao.cli.render import show_explanation
    from jixiao.core.outputs.explain import Explainer, explain_project
    from jixiao.core.pack import Pack
    from jixiao.core.load import load_portfolio

    pack = Pack.load(pack_by_name(state, pack_ref), state.registry)
    folio = as_of_view(load_portfolio(portfolio), as_of)
    projects = [project_by_name(folio, p) for p in projects]
    if len(projects) == 1:
        explanations = [explain_project(pack, folio, projects[0], as_of, trace=state.trace)]
    else:
        explainer = Explainer(pack, folio, as_of, trace=state.trace)
        explanations = [explainer.explain(p) for p in projects]  # every id checked before anything is shown
    if fmt == "json":
        import json

        from jixiao.core.outputs.explain_text import explanation_json

        docs = [explanation_json(ex, all_rules=True) for ex in explanations]
        sys.stdout.write(json.dumps(docs[0] if len(docs) == 1 else docs, ensure_ascii=False, indent=2) + "\n")
        return
    for i, ex in enumerate(explanations):
        if i:
            out.rule()
        show_explanation(out, ex, all_rules)


def project_by_name(folio, ref: str) -> str:
    """A project id, or a part of exactly one project's name (基层医疗卫生机构能力建设 → its id);
    a part of several names is an error listing them; anything else is left for explain to refuse."""
    import polars as pl

    projects = folio.projects
    if (projects["project_id"] == ref).any():
        return ref
    hits = projects.filter(pl.col("name").str.contains(ref, literal=True)).select("project_id", "name")
    if hits.height > 1:
        shown = "、".join(f"{n}（{p}）" for p, n in hits.head(10).iter_rows())
        more = f" 等 {hits.height:,} 个" if hits.height > 10 else ""
        raise Failure(f"--project {ref!r} 同时匹配多个项目：{shown}{more}；请写出项目编码或更完整的名称")
    return hits["project_id"][0] if hits.height else ref


COMMANDS = (run, explain)
