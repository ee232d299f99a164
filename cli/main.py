"""``jixiao``: commands parse, call one function of the core, and render.

Every domain error becomes a message without a traceback and exit code 2.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape

from jixiao import __version__
from jixiao.cli.click_zh import install as _click_in_chinese
from jixiao.cli.text import controls, safe, styled
from jixiao.core.errors import JixiaoError

# The terminal's width; piped, COLUMNS when set (rich reads it), else 160 so that tables stay
# readable in files and CI logs.
out = Console(soft_wrap=False, width=None if sys.stdout.isatty() or os.environ.get("COLUMNS", "").isdigit() else 160)
err = Console(stderr=True)
_click_in_chinese()  # before the commands are defined: their --help option's text is read then


class Failure(click.ClickException):
    exit_code = 2

    def show(self, file=None) -> None:  # "错误：…", not click's "Error: …"
        click.echo(f"错误：{self.format_message()}", file=file, err=file is None)


_DATE_FORMS = (r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})", r"(\d{4})年(\d{1,2})月(\d{1,2})日?", r"(\d{4})(\d{2})(\d{2})")


def parse_date(value: str) -> dt.date | None:
    """A date in the forms the data accepts: 2025-03-31, 2025/3/31, 2025.3.31, 2025年3月31日,
    20250331 (全角 digits too); None when it is none of them or no such day."""
    import re
    import unicodedata

    text = unicodedata.normalize("NFKC", value).strip()
    for form in _DATE_FORMS:
        m = re.fullmatch(form, text)
        if m:
            try:
                return dt.date(*(int(g) for g in m.groups()))
            except ValueError:
                return None
    return None


def _date(_ctx, _param, value):
    if value is None:
        return None
    day = parse_date(value)
    if day is None:
        raise click.BadParameter(f"{value!r} 不是日期；可写 2025-03-31、2025/3/31、2025年3月31日 或 20250331") from None
    return day


def _format_for(fmt: str | None, output: Path | None, allowed: tuple[str, ...]) -> str:
    """The --format given, else the one the -o file's extension names (.json, .csv, .xlsx), else table."""
    if fmt is not None:
        return fmt
    if output is not None and output.suffix.lower().lstrip(".") in allowed:
        return output.suffix.lower().lstrip(".")
    return "table"


def as_of_view(portfolio, as_of: dt.date):
    """The portfolio as it was on the as-of date: later payments are left out, with a warning."""
    view, late = portfolio.until(as_of)
    if late:
        err.print(f"注意：{late} 笔支出的支付日期晚于基准日期 {as_of}，未计入（按 {as_of} 当日的情况运行）",
                  markup=False, highlight=False, style="yellow")
    return view


class JixiaoGroup(click.Group):
    """Turns jixiao's own errors, raised by any command below it, into a message and exit code 2."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except JixiaoError as exc:
            raise Failure(controls(exc.render())) from None
        except BrokenPipeError:  # output piped into a program that stopped reading (head): not an error
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - nothing more is written
            sys.exit(141)
        except OSError as exc:  # an I/O failure no writer caught: one line, never a traceback
            where = f"{exc.filename}: " if exc.filename else ""
            raise Failure(controls(f"{where}{exc.strerror or exc}")) from None


class State:
    def __init__(self, strict: bool, trace: bool):
        self.strict, self.trace = strict, trace
        self._registry = None

    @property
    def registry(self):
        from jixiao.core.registry import Registry

        if self._registry is None:
            self._registry = Registry.discover(strict=self.strict)
            for failure in self._registry.failures:
                err.print(f"[yellow]警告：[/]{safe(failure.render())}", markup=True, highlight=False, soft_wrap=True)
        return self._registry


pass_state = click.make_pass_decorator(State)


def _set_amounts_in(ctx, _param, value):
    from jixiao.core.load import AMOUNTS_IN

    token = AMOUNTS_IN.set(value)
    ctx.call_on_close(lambda: AMOUNTS_IN.reset(token))


# Commands that read a portfolio state the unit of amounts whose header states none with it.
amounts_in_option = click.option(
    "--amounts-in", type=click.Choice(["元", "万元"]), expose_value=False, callback=_set_amounts_in,
    help="列名未写单位的金额（预算金额、金额）的单位。不写时按元读取，且一列金额全部小于 10,000 元时报错；"
         "列名写明（元）或（万元）的按列名的单位。")


PACK_HELP = "规则包：已安装规则包的 id、规则包文件，或规则包名称中的一段（如 南昌）。"
PACKS_HELP = "逗号分隔的规则包（id、文件或名称中的一段，如 南昌,青岛；默认：所有已安装的规则包）。"
AS_OF_HELP = ("基准日期（2025-03-31、2025/3/31、2025年3月31日 或 20250331）；晚于此日的支出不计入，"
              "按当日的情况运行。")
FORMAT_HELP = "输出格式；不写时按 -o 文件的扩展名（.json、.csv、.xlsx），否则为终端表格。"
OUTPUT_HELP = "写入此文件（扩展名决定格式）。"


def pack_by_name(state, ref: str) -> str:
    """An installed pack's id, a pack file, or a unique part of an installed pack's name (南昌 →
    nanchang); a part of several names is an error listing them."""
    from jixiao.core.pack import Pack

    if not ref or ref in state.registry.packs or Path(ref).exists() or ref.endswith(".toml"):
        return ref
    hits = []
    for pid in sorted(state.registry.packs):
        try:
            name = Pack.load(pid, state.registry).meta.name
        except JixiaoError:
            continue
        if ref in name:
            hits.append((pid, name))
    if len(hits) > 1:
        raise Failure(f"--pack {ref!r} 同时匹配多个规则包：" + "、".join(f"{n}（{p}）" for p, n in hits)
                      + "；请写出规则包 id 或更完整的名称")
    return hits[0][0] if hits else ref


@click.group(cls=JixiaoGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="jixiao")
@click.option("--strict", is_flag=True, help="插件或规则包无法加载时报错（默认只警告）。")
@click.option("--trace", is_flag=True, envvar="JIXIAO_TRACE", help="打印每次钩子调用（也可设 JIXIAO_TRACE=1）。")
@click.pass_context
def main(ctx, strict, trace):
    """jixiao（绩效）：按预算绩效管理规则逐项目审查项目库。

    \b
    示例：
      jixiao demo
      jixiao run --pack national --as-of 2025-03-31 portfolio.xlsx
    """
    from jixiao.core.outputs.files import install_signal_handlers

    install_signal_handlers()
    ctx.obj = State(strict, trace)



# --- packs -------------------------------------------------------------------------------------


@main.group()
def packs():
    """列出、查看、检查规则包。

    \b
    示例：
      jixiao packs list
      jixiao packs show national
      jixiao packs check my-city.toml --strict
    """


@packs.command("list")
@pass_state
def packs_list(state):
    """列出已安装的规则包。

    \b
    示例：
      jixiao packs list
    """
    from jixiao.cli.render import new_table
    from jixiao.core.pack import Pack

    table = new_table("id", "名称", "级别", "继承", "规则数", "来源")
    for pid, src in sorted(state.registry.packs.items()):
        try:
            pack = Pack.load(pid, state.registry)
            table.add_row(pid, pack.meta.name, LEVEL_ZH.get(pack.meta.level, pack.meta.level), pack.meta.extends or "",
                          str(len(pack.enabled_rules())), origin_zh(src.origin))
        except JixiaoError as exc:
            table.add_row(pid, styled("无法加载", "red"), "", "", "", f"{src.origin}：{exc.render()}")
    out.print(table)


def origin_zh(origin: str) -> str:
    """Where a pack or plugin comes from: 内置 for jixiao's own, else as the registry says it."""
    return "内置" if origin == "builtin" else origin


LEVEL_ZH = {"national": "国家", "province": "省", "city": "市", "county": "县", "district": "区"}


@packs.command("show")
@click.argument("pack")
@click.option("--resolved", is_flag=True, help="一张总表：每个取值及其出自哪个规则包。")
@pass_state
def packs_show(state, pack, resolved):
    """查看规则包的规则、参数和依据，每条依据附条款原文的开头；假定的取值、未核实的条款号均有标注。

    \b
    示例：
      jixiao packs show national
      jixiao packs show my_city.toml --resolved
    """
    from jixiao.cli.render import show_pack, show_resolved
    from jixiao.core.pack import Pack

    (show_resolved if resolved else show_pack)(out, Pack.load(pack_by_name(state, pack), state.registry))


@packs.command("tree")
@pass_state
def packs_tree(state):
    """已安装规则包的继承关系（国家 → 省 → 市 → 县/区）。

    \b
    示例：
      jixiao packs tree
    """
    from rich.tree import Tree

    from jixiao.core.pack import Pack

    loaded, broken = {}, []
    for pid in sorted(state.registry.packs):
        try:
            loaded[pid] = Pack.load(pid, state.registry)
        except JixiaoError:
            broken.append(pid)
    children: dict[str | None, list[str]] = {}
    for pid, pack in loaded.items():
        parent = pack.meta.extends if pack.meta.extends in loaded else None
        children.setdefault(parent, []).append(pid)

    def add(node, pid):
        pack = loaded[pid]
        level = LEVEL_ZH.get(pack.meta.level, pack.meta.level)
        branch = node.add(f"[bold]{safe(pid)}[/] {safe(pack.meta.name)} · {safe(level)} · {len(pack.enabled_rules())} 条规则")
        for child in sorted(children.get(pid, [])):
            add(branch, child)

    root = Tree("已安装的规则包")
    for pid in sorted(children.get(None, [])):
        add(root, pid)
    for pid in broken:
        root.add(styled(f"{pid}（无法加载：jixiao packs check {pid}）", "red"))
    out.print(root)


@packs.command("lint")
@click.argument("refs", nargs=-1, required=True)
@pass_state
def packs_lint(state, refs):
    """指出审核人会指出的问题：未说明理由的假定取值、没有案例覆盖的规则、不改变任何取值的覆盖、
    依据文件中既无规则引用也未在 not_modelled 或 out_of_scope 中说明的条款、引用了文件中不存在的条款。
    有问题时退出码为 1（也是 packs check --strict 的一部分）。

    \b
    示例：
      jixiao packs lint my_city.toml
    """
    from jixiao.core.authoring.lint import lint
    from jixiao.core.pack import Pack

    count = 0
    for ref in refs:
        found = lint(Pack.load(pack_by_name(state, ref), state.registry), state.registry)
        count += len(found)
        for p in found:
            click.echo(controls(f"警告：{p.render()}"))
        if not found:
            out.print(f"{safe(ref)}：没有需要指出的问题")
    if count:
        sys.exit(1)


SEVERITY_ZH = {"error": "错误", "warning": "警告"}


@packs.command("check")
@click.argument("files", nargs=-1, required=True)
@click.option("--strict", "strict_check", is_flag=True, help="警告也按错误处理。")
@pass_state
def packs_check(state, files, strict_check):
    """检查规则包文件（或已安装规则包的 id），一次列出所有问题。

    \b
    示例：
      jixiao packs check policy_packs/national.toml
    """
    from jixiao.core.authoring.lint import check_pack

    failed = False
    for ref in files:
        problems = check_pack(ref, state.registry, strict=strict_check)
        errors = [p for p in problems if p.severity == "error"]
        failed |= bool(errors)
        for p in problems:
            click.echo(controls(f"{SEVERITY_ZH.get(p.severity, p.severity)}：{p.render()}"), err=p.severity == "error")
        if not problems:
            out.print(f"{safe(ref)}：通过")
        elif not errors:
            out.print(f"{safe(ref)}：通过（{len(problems)} 条警告）")
        else:
            out.print(f"{safe(ref)}：{len(errors)} 个错误" + (f"，{len(problems) - len(errors)} 条警告"
                                                            if len(problems) > len(errors) else ""))
    if failed:
        sys.exit(2)


def _is_pack_file(path: Path) -> bool:
    """A pack file has a [pack] table; a case file a [case] table."""
    import tomli

    try:
        return "pack" in tomli.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomli.TOMLDecodeError, RecursionError):
        return False


@packs.command("test")
@click.argument("refs", nargs=-1)
@pass_state
def packs_test(state, refs):
    """运行规则包的案例文件：已安装规则包的 id、案例文件，或不写（所有已安装规则包的案例）。

    有案例未通过时退出码为 1；案例文件或其规则包无法读取时为 2。

    \b
    示例：
      jixiao packs test
      jixiao packs test national
      jixiao packs test cases/my_city/boundaries.toml
    """
    from jixiao.core.authoring.cases import all_cases, case_files, run_case

    paths: list[Path] = []
    for ref in refs:
        if ref.endswith(".toml") and _is_pack_file(Path(ref)):
            from jixiao.core.pack import Pack

            pack = Pack.load(ref, state.registry)
            paths += case_files(Path(ref), pack.id)
        elif ref.endswith(".toml"):
            paths.append(Path(ref))
        elif ref in state.registry.packs:
            src = state.registry.packs[ref]
            paths += case_files(src.path, ref)
        else:
            raise Failure(f"{ref}：既不是案例文件，也不是已安装规则包的 id")
    if not refs:
        paths = all_cases(state.registry)
    if not paths:
        raise Failure("没有找到案例文件")
    failed = 0
    for path in paths:
        res = run_case(path, state.registry)
        mark = "[green]通过[/]" if res.passed else "[red]未通过[/]"
        out.print(f"{mark} {safe(path)} — {safe(res.description)}", highlight=False)
        for line in res.failures:
            click.echo(controls(f"     {line}"))
        failed += not res.passed
    out.print(f"{len(paths) - failed} 个通过，{failed} 个未通过")
    if failed:
        out.print("未通过的案例：逐条对照你的文件核对；规则包改动了取值（如扣减比例）时，按改动后的结论更新案例的 "
                  "[[expect]]（起步案例记录的是写它时规则包的结论）", markup=False, highlight=False)
        sys.exit(1)


@packs.command("diff")
@click.argument("a")
@click.argument("b")
@click.option("--all", "include_same", is_flag=True, help="也列出两个规则包相同的取值。")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True,
              help="table：终端表格；json：机器读取（schema jixiao.packs-diff/1）。")
@pass_state
def packs_diff_cmd(state, a, b, include_same, fmt):
    """逐条规则、逐个参数比较两个规则包：每个取值及其依据，以及它是有依据、假定、继承还是插件默认。

    \b
    示例：
      jixiao packs diff nanchang tongxin
      jixiao packs diff policy_packs/nanchang.toml my-nanchang.toml --format json
    """
    import json

    from jixiao.cli.render import new_table
    from jixiao.core.outputs.diffs import packs_diff
    from jixiao.core.pack import Pack

    pa, pb = Pack.load(pack_by_name(state, a), state.registry), Pack.load(pack_by_name(state, b), state.registry)
    rows = packs_diff(pa, pb, include_same)
    if fmt == "json":
        sys.stdout.write(json.dumps({"schema": "jixiao.packs-diff/1", "a": pa.id, "b": pb.id, "rows": rows},
                                    ensure_ascii=False, indent=2) + "\n")
        return
    changed = sum(not r["same"] for r in rows)
    out.print(f"{safe(pa.meta.name)}（{safe(pa.id)}）↔ {safe(pb.meta.name)}（{safe(pb.id)}）：{changed} 处不同",
              highlight=False)
    table = new_table("规则", "参数", f"A：{pa.id}", "A 状态 / 依据", f"B：{pb.id}", "B 状态 / 依据",
                      title=f"{pa.meta.name} ↔ {pb.meta.name}")
    for r in rows:
        mark = "" if r["same"] else "bold"
        table.add_row(r["rule"], "（规则）" if r["parameter"] == "(rule)" else r["parameter"], styled(r["a_value"], mark),
                      " ".join(x for x in (r["a_status"], r["a_citation"]) if x),
                      styled(r["b_value"], mark), " ".join(x for x in (r["b_status"], r["b_citation"]) if x))
    out.print(table)
    out.print(f"共 {changed} 处不同")


# --- run, explain -------------------------------------------------------------------------------


def _check_format(fmt: str, output: Path | None, files: str) -> None:
    if fmt == "xlsx" and output is None:
        raise Failure("--format xlsx 需要用 -o 指定文件（如 -o 结果.xlsx）")
    if fmt == "table" and output is not None:
        raise Failure(f"表格只显示在终端；写入文件请用扩展名为 {files} 的 -o 文件，或写明 --format")


@main.command()
@amounts_in_option
@click.option("--pack", "pack_ref", required=True, help=PACK_HELP)
@click.option("--as-of", required=True, callback=_date, help=AS_OF_HELP)
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv", "xlsx"]), default=None, help=FORMAT_HELP)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help=OUTPUT_HELP)
@click.option("--headers", type=click.Choice(["zh", "en"]), default="zh", show_default=True,
              help="CSV 的表头：zh 中文（与 XLSX 相同）；en 字段名（与 JSON 相同，供程序读取）。")
@click.argument("portfolio", type=click.Path(exists=True, path_type=Path))
@pass_state
def run(state, pack_ref, as_of, fmt, output, headers, portfolio):
    """按规则包审查项目库（以基准日期为准），列出结论。

    \b
    示例：
      jixiao run --pack national --as-of 2025-03-31 portfolio.xlsx
      jixiao run --pack 南昌 --as-of 2025-03-31 -o findings.json portfolio.xlsx
    """
    from jixiao.cli.render import render_table, run_with_progress
    from jixiao.core.outputs import run as render
    from jixiao.core.outputs.files import csv_safe

    fmt = _format_for(fmt, output, ("json", "csv", "xlsx"))
    _check_format(fmt, output, ".json、.csv、.xlsx")
    _check_outputs([output], [portfolio, pack_ref])
    result, n = run_with_progress(err, state, pack_ref, as_of, portfolio)
    if fmt == "table":
        render_table(result, out)
    elif fmt == "json":
        if output is None:
            render.write_json(result, n, sys.stdout)
        else:
            render.write_atomic(output, lambda p: _write_text(p, lambda fh: render.write_json(result, n, fh)))
    elif fmt == "csv":
        table = render.findings_table(result)
        table = csv_safe(table.rename(render.ZH_HEADERS) if headers == "zh" else table)
        if output is None:
            sys.stdout.write(table.write_csv())
        else:  # UTF-8 with BOM: Excel in China opens it with the Chinese text intact
            render.write_atomic(output, lambda p: table.write_csv(p, include_bom=True))
    else:
        from jixiao.cli.progress import writing_xlsx

        with writing_xlsx(err, output) as progress:
            render.write_xlsx(result, output, progress)
    if output is not None:
        err.print(f"已写入 {safe(output)}")


@main.command()
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


# --- new ---------------------------------------------------------------------------------------


@main.group()
def new():
    """脚手架：为一个城市新建规则包，或新建插件包。

    \b
    示例：
      jixiao new pack my_city --extends nanchang --name 某市 --level city
      jixiao new plugin late_payment
    """


@new.command("pack")
@click.argument("pack_id")
@click.option("--extends", "parent", required=True, help="继承的规则包（已安装的 id 或文件）。")
@click.option("--name", required=True, help="规则包的中文名称，如 某市预算绩效管理规则。")
@click.option("--level", type=click.Choice(["national", "province", "city", "county", "district"]), default="city",
              show_default=True, help="级别：national 国家、province 省、city 市、county 县、district 区。")
@click.option("--dir", "folder", type=click.Path(file_okay=False, path_type=Path), default=Path("."),
              show_default=True, help="写入的文件夹。")
@click.option("--as-of", default="2025-03-31", callback=_date, show_default=True, help="起步案例的基准日期。")
@pass_state
def new_pack(state, pack_id, parent, name, level, folder, as_of):
    """写一个继承上级规则包的规则包文件（上级的每条规则以注释表的形式列出，附取值和依据）和一个起步
    案例文件；两者都能通过 jixiao packs check。

    \b
    示例：
      jixiao new pack my_city --extends nanchang --name 某市预算绩效管理规则 --level city
    """
    from jixiao.core.authoring.scaffold import write_new_pack

    for path in write_new_pack(folder, pack_id, name, level, pack_by_name(state, parent), state.registry, as_of):
        out.print(f"已写入 {safe(path)}")
    out.print(safe(f"下一步：填写依据文件（sources），按你的文件覆盖改变的规则，然后运行\n"
                   f"  jixiao packs check {folder / (pack_id + '.toml')}\n  jixiao packs test {folder / (pack_id + '.toml')}"))


@new.command("plugin")
@click.argument("name")
@click.option("--stage", type=click.Choice(["assess", "target", "monitor", "evaluate", "apply"]), default="monitor",
              show_default=True,
              help="规则实现哪个环节的钩子：assess 事前评估、target 目标、monitor 运行监控、evaluate 评价、apply 结果应用。")
@click.option("--dir", "folder", type=click.Path(file_okay=False, path_type=Path), default=Path("."),
              show_default=True, help="写入的文件夹。")
def new_plugin(name, stage, folder):
    """写一个完整、可 pip 安装的插件包：带 jixiao.plugins 入口的 pyproject、参数类、钩子实现、
    附案例文件的示例规则包、测试和 README。

    \b
    示例：
      jixiao new plugin late_payment --stage monitor
      pip install -e "./jixiao-late-payment[test]"
    """
    from jixiao.core.authoring.scaffold import write_new_plugin

    root = write_new_plugin(folder, name, stage)
    out.print(safe(f"已写入 {root}/\n下一步：\n  pip install -e \"{root}[test]\"\n  jixiao plugins list\n"
                   f"  jixiao packs test {name}_example\n  (cd {root} && python -m pytest)"))


# --- compare, diff ------------------------------------------------------------------------------


def _packs_arg(state, packs_opt):
    """The packs named, each of which must load; with none named, every installed pack that loads
    (one broken installed pack is skipped with a warning naming its file and every problem)."""
    from jixiao.core.pack import Pack

    if packs_opt:
        return [Pack.load(pack_by_name(state, p.strip()), state.registry) for p in packs_opt.split(",") if p.strip()]
    loaded = []
    for pid, src in sorted(state.registry.packs.items()):
        try:
            loaded.append(Pack.load(pid, state.registry))
        except JixiaoError as exc:
            err.print(f"[yellow]警告：[/]已跳过无法加载的已安装规则包 {escape(pid)}（{escape(str(src.path))}，"
                      f"{escape(src.origin)}）：{escape(exc.render())}", highlight=False, soft_wrap=True)
    if not loaded:
        raise Failure("没有能加载的已安装规则包；见上面的警告")
    return loaded


@main.command("compare")
@amounts_in_option
@click.option("--packs", "packs_opt", help=PACKS_HELP)
@click.option("--as-of", required=True, callback=_date, help=AS_OF_HELP)
@click.option("--format", "fmt", type=click.Choice(["table", "json", "xlsx"]), default=None,
              help="输出格式；不写时按 -o 文件的扩展名（.json、.xlsx），否则为终端表格。")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help=OUTPUT_HELP)
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
    from jixiao.cli.render import render_comparison
    from jixiao.core.outputs.compare import compare
    from jixiao.core.outputs.compare_output import write_json, write_xlsx
    from jixiao.core.outputs.run import write_atomic
    from jixiao.core.load import load_portfolio
    from jixiao.core.outputs.report import write_html

    fmt = _format_for(fmt, output, ("json", "xlsx"))
    _check_format(fmt, output, ".json、.xlsx")
    _check_outputs([output, html_path], [portfolio, *(packs_opt or "").split(",")])
    packs_list = _packs_arg(state, packs_opt)
    with err.status("读取项目数据…") as status:
        folio = as_of_view(load_portfolio(portfolio), as_of)
        result = compare(packs_list, folio, as_of, monthly=monthly,
                         on_pack=lambda pid: status.update(f"运行规则包 {safe(pid)} · {len(folio):,} 个项目"),
                         on_step=lambda text: status.update(text))
    if fmt == "json":
        if output is None:
            write_json(result, sys.stdout)
        else:
            write_atomic(output, lambda p: _write_text(p, lambda fh: write_json(result, fh)))
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


@main.command("diff")
@amounts_in_option
@click.option("--old", "old_ref", required=True, help="改动前的规则包（id、文件或名称中的一段）。")
@click.option("--new", "new_ref", required=True, help="改动后的规则包（id、文件或名称中的一段）。")
@click.option("--as-of", callback=_date, help=AS_OF_HELP[:-1] + "（默认：今天）。")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default=None,
              help="输出格式；不写时按 -o 文件的扩展名（.json），否则为终端表格。")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help=OUTPUT_HELP)
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

    from jixiao.cli.render import new_table
    from jixiao.core.outputs.diffs import decision_diff
    from jixiao.core.money import format_yuan
    from jixiao.core.outputs.run import write_atomic
    from jixiao.core.pack import Pack
    from jixiao.core.load import load_portfolio

    fmt = _format_for(fmt, output, ("json",))
    _check_format(fmt, output, ".json")
    _check_outputs([output], [portfolio, old_ref, new_ref])
    old = Pack.load(pack_by_name(state, old_ref), state.registry)
    new = Pack.load(pack_by_name(state, new_ref), state.registry)
    day = as_of or dt.date.today()
    result = decision_diff(old, new, as_of_view(load_portfolio(portfolio), day), day)
    if fmt == "json":
        doc = {"schema": "jixiao.diff/1", "old": old.id, "new": new.id, "as_of": result.as_of.isoformat(),
               "projects": result.projects, "changed": result.changed.height, "delta_fen": result.delta_fen,
               "by_department": result.by_department.to_dicts(), "changes": result.changed.to_dicts(),
               "summary": result.summary_line()}
        text = json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
        if output is None:
            sys.stdout.write(text)
        else:
            write_atomic(output, lambda p: p.write_text(text, encoding="utf-8"))
            err.print(f"已写入 {safe(output)}")
    else:
        if result.changed.height:
            t = new_table("项目编码", "部门", "删除的结论", "新增的结论", "金额变化", whole=("项目编码", "金额变化"),
                          title=f"{old_ref} → {new_ref} · 基准日期 {result.as_of}")
            for r in result.changed.iter_rows(named=True):
                t.add_row(r["project_id"], r["department"] or "", r["removed"].replace("；", "\n"),
                          r["added"].replace("；", "\n"), format_yuan(r["delta_fen"]))  # a finding a line
            out.print(t)
            d = new_table("部门", "金额变化", whole=("金额变化",), title="各部门金额影响变化（各年度、各类相加）")
            for dept, fen in result.by_department.iter_rows():
                d.add_row(dept or "", format_yuan(fen))
            out.print(d)
        out.print(safe(result.summary_line()))
    if result.changed.height:
        sys.exit(1)


# --- plan ----------------------------------------------------------------------------------------


@main.group()
def plan():
    """编排规则包要求的评价工作。

    \b
    示例：
      jixiao plan coverage --pack qingdao jixiao-demo/portfolio.xlsx
    """


PLAN_STATUS_ZH = {"evaluated": "已评价", "planned": "原计划", "new": "新排", "again": "再次评价"}


@plan.command("coverage")
@amounts_in_option
@click.option("--pack", "pack_ref", required=True, help="含 coverage_schedule 规则的规则包，如 qingdao（青岛）。")
@click.option("--year", type=int, help="编排含此年度的周期（默认：规则包的第一个周期）。")
@click.option("--existing", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="要保留的计划（CSV，列 项目编码/project_id 和 年度/year）；新的专项资金围绕它编排。")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default=None,
              help="输出格式；不写时按 -o 文件的扩展名（.csv、.json），否则为终端表格。")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help=OUTPUT_HELP)
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
    import json

    from jixiao.cli.render import new_table
    from jixiao.core.outputs.files import csv_safe
    from jixiao.core.outputs.run import write_atomic, yuan_expr
    from jixiao.core.pack import Pack
    from jixiao.cli.plan import coverage_plan
    from jixiao.core.load import load_portfolio

    fmt = _format_for(fmt, output, ("csv", "json"))
    _check_format(fmt, output, ".csv、.json")
    _check_outputs([output], [funds, existing, pack_ref])
    pack = Pack.load(pack_by_name(state, pack_ref), state.registry)
    schedule, info = coverage_plan(pack, load_portfolio(funds), year, existing)
    table = schedule.select("project_id", "year", "status", "priority_fund", yuan_expr("budget_fen").alias("budget_yuan"))
    if fmt == "json":
        text = json.dumps({**info, "plan": table.to_dicts()}, ensure_ascii=False, indent=2) + "\n"
    elif fmt == "csv":
        text = csv_safe(table).write_csv()
    else:
        text = None
    if text is not None:
        if output is None:
            sys.stdout.write(text)
        else:
            write_atomic(output, lambda p: p.write_text(text, encoding="utf-8"))
            err.print(f"已写入 {safe(output)}")
        return
    t = new_table("年度", "项目编码", "状态", "十五个攻势", "预算(元)", whole=("年度", "项目编码", "预算(元)"),
                  title=f"{info['cycle'][0]}–{info['cycle'][1]} 评价计划 · 依据 {info['citation']}")
    for r in table.iter_rows(named=True):
        t.add_row(str(r["year"]), r["project_id"], PLAN_STATUS_ZH[r["status"]],
                  "是" if r["priority_fund"] else "", r["budget_yuan"])
    out.print(t)
    per_year = "，".join(f"{y}年 {n} 项" for y, n in info["per_year"].items())
    out.print(f"{info['funds']} 项专项资金，每年至少 {info['per_year_minimum']} 项：{per_year}")


# --- demo, plugins ------------------------------------------------------------------------------


SEED_PACKS = ("nanchang", "qingdao", "tianyuan", "shilong", "tongxin")


@main.command()
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
    from jixiao.cli.render import render_comparison
    from jixiao.core.outputs.compare import compare
    from jixiao.core.outputs.compare_output import to_json, write_xlsx
    from jixiao.core.outputs.run import write_atomic
    from jixiao.core.load import load_portfolio
    from jixiao.core.outputs.report import write_html
    from jixiao.core.sample import generate, write_portfolio

    out_dir.mkdir(parents=True, exist_ok=True)
    packs_list = _packs_arg(state, packs_opt)
    sample_path = write_portfolio(generate(projects, seed, fiscal_year=as_of.year - 1), out_dir / "portfolio.xlsx")
    with err.status("运行规则包…") as status:
        result = compare(packs_list, load_portfolio(sample_path), as_of,
                         on_pack=lambda pid: status.update(f"运行规则包 {pid} · {projects:,} 个项目"),
                         on_step=lambda text: status.update(text))
    render_comparison(result, out, limit=8)
    from jixiao.cli.progress import writing_xlsx

    with writing_xlsx(err, out_dir / "compare.xlsx") as progress:
        write_xlsx(result, out_dir / "compare.xlsx", progress)
    text = to_json(result)
    write_atomic(out_dir / "compare.json", lambda p: p.write_text(text, encoding="utf-8"))
    report = out_dir / "report.html"
    write_html(result, report)
    out.print(safe(f"示例项目库：{sample_path}\n对比结果：{out_dir / 'compare.xlsx'}、{out_dir / 'compare.json'}"))
    out.print(f"HTML 报告：{safe(report.resolve())}")


@main.command()
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


@main.command()
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
    from jixiao.core.load import load_portfolio
    from jixiao.core.sample import write_typed

    _check_outputs([], [portfolio], folders=[output])
    folio = load_portfolio(portfolio)
    for w in folio.warnings:
        err.print(f"[yellow]警告：[/]{safe(w.render())}", highlight=False, soft_wrap=True)
    path = write_typed(folio, output)
    out.print(f"已写入 {safe(path)}（{len(folio):,} 个项目，{folio.spending.height:,} 笔支出，带类型的 Parquet）")


@main.group()
def plugins():
    """已安装的规则插件。

    \b
    示例：
      jixiao plugins list
    """


@plugins.command("list")
@pass_state
def plugins_list(state):
    """列出已安装的规则插件、各自的来源和实现的钩子。

    \b
    示例：
      jixiao plugins list
    """
    from jixiao.cli.render import new_table

    table = new_table("插件", "钩子", "来源", "说明")
    for name, info in sorted(state.registry.plugins.items()):
        table.add_row(name, ", ".join(info.cls.hooks()), origin_zh(info.origin), info.cls.summary)
    for failure in state.registry.failures:
        table.add_row(failure.name, styled("无法加载", "red"), failure.origin, failure.error)
    out.print(table)


def _check_outputs(outputs, inputs, folders=()) -> None:
    """Before any work: every output can be written, and none is one of the command's inputs."""
    from jixiao.core.outputs.files import check_targets, refuse_inputs

    # pack references count when they are files (an id is not a path)
    refuse_inputs([*outputs, *folders], [i.strip() if isinstance(i, str) else i for i in inputs
                            if i and (not isinstance(i, str) or i.strip().endswith(".toml"))])
    check_targets(outputs, folders)


def _write_text(path: Path, write) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        write(fh)


if __name__ == "__main__":
    main()
