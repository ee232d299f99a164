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
from jixiao.cli.text import controls, safe, styled
from jixiao.core.errors import JixiaoError

# The terminal's width; piped, COLUMNS when set (rich reads it), else 160 so that tables stay
# readable in files and CI logs.
out = Console(soft_wrap=False, width=None if sys.stdout.isatty() or os.environ.get("COLUMNS", "").isdigit() else 160)
err = Console(stderr=True)


class Failure(click.ClickException):
    exit_code = 2


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
                err.print(f"[yellow]warning:[/] {safe(failure.render())}", markup=True, highlight=False, soft_wrap=True)
        return self._registry


pass_state = click.make_pass_decorator(State)


def _set_amounts_in(ctx, _param, value):
    from jixiao.core.portfolio import AMOUNTS_IN

    token = AMOUNTS_IN.set(value)
    ctx.call_on_close(lambda: AMOUNTS_IN.reset(token))


# Commands that read a portfolio state the unit of amounts whose header states none with it.
amounts_in_option = click.option(
    "--amounts-in", type=click.Choice(["元", "万元"]), expose_value=False, callback=_set_amounts_in,
    help="The unit of amounts whose column header states none (预算金额, 金额). Without it such amounts "
         "are 元, and a column in which every amount is below 10,000 元 is an error. A header with "
         "(元) or (万元) keeps its own unit.")


def pack_by_name(state, ref: str) -> str:
    """An installed pack's id, a pack file, or a unique part of an installed pack's name (南昌 →
    nanchang); a part of several names is an error listing them."""
    from jixiao.core.pack import Pack

    if ref in state.registry.packs or Path(ref).exists() or ref.endswith(".toml"):
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
@click.option("--strict", is_flag=True, help="A plugin or pack that fails to load is an error, not a warning.")
@click.option("--trace", is_flag=True, envvar="JIXIAO_TRACE", help="Print every hook call (also JIXIAO_TRACE=1).")
@click.pass_context
def main(ctx, strict, trace):
    """jixiao (绩效): run budget performance management rules over a portfolio of projects.

    \b
    Example:
      jixiao demo
      jixiao run --pack national --as-of 2025-03-31 portfolio.xlsx
    """
    from jixiao.core.files import install_signal_handlers

    install_signal_handlers()
    ctx.obj = State(strict, trace)


# --- packs -------------------------------------------------------------------------------------


@main.group()
def packs():
    """List, show and check policy packs.

    \b
    Example:
      jixiao packs list
      jixiao packs show national
      jixiao packs check my-city.toml --strict
    """


@packs.command("list")
@pass_state
def packs_list(state):
    """List installed packs.

    \b
    Example:
      jixiao packs list
    """
    from jixiao.cli.render import new_table
    from jixiao.core.pack import Pack

    table = new_table("id", "名称", "级别", "继承", "规则数", "来源")
    for pid, src in sorted(state.registry.packs.items()):
        try:
            pack = Pack.load(pid, state.registry)
            table.add_row(pid, pack.meta.name, pack.meta.level, pack.meta.extends or "",
                          str(len(pack.enabled_rules())), src.origin)
        except JixiaoError as exc:
            table.add_row(pid, styled("无法加载", "red"), "", "", "", f"{src.origin}: {exc.render()}")
    out.print(table)


@packs.command("show")
@click.argument("pack")
@click.option("--resolved", is_flag=True, help="One flat table: every value with the pack it comes from.")
@pass_state
def packs_show(state, pack, resolved):
    """Show a pack's rules, parameters and citations, each clause with the start of its text;
    assumed values are marked, unverified clause numbers too.

    \b
    Example:
      jixiao packs show national
      jixiao packs show my_city.toml --resolved
    """
    from jixiao.cli.render import show_pack, show_resolved
    from jixiao.core.pack import Pack

    (show_resolved if resolved else show_pack)(out, Pack.load(pack, state.registry))


@packs.command("tree")
@pass_state
def packs_tree(state):
    """Show how installed packs extend each other (national → province → city → district).

    \b
    Example:
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
        branch = node.add(f"[bold]{safe(pid)}[/] {safe(pack.meta.name)} · {safe(pack.meta.level)} · {len(pack.enabled_rules())} rules")
        for child in sorted(children.get(pid, [])):
            add(branch, child)

    root = Tree("installed packs")
    for pid in sorted(children.get(None, [])):
        add(root, pid)
    for pid in broken:
        root.add(styled(f"{pid} (cannot be loaded: jixiao packs check {pid})", "red"))
    out.print(root)


@packs.command("lint")
@click.argument("refs", nargs=-1, required=True)
@pass_state
def packs_lint(state, refs):
    """Point out what a reviewer would: assumed values without a reason, rules no case exercises,
    overrides that change nothing, clauses of the pack's documents that no rule cites and no
    not_modelled or out_of_scope entry declares, citations of clauses a document does not have.
    Exit code 1 when there is anything to say (also part of ``packs check --strict``).

    \b
    Example:
      jixiao packs lint my_city.toml
    """
    from jixiao.core.lint import lint
    from jixiao.core.pack import Pack

    count = 0
    for ref in refs:
        found = lint(Pack.load(ref, state.registry), state.registry)
        count += len(found)
        for p in found:
            click.echo(controls(f"warning: {p.render()}"))
        if not found:
            out.print(f"{safe(ref)}: nothing to point out")
    if count:
        sys.exit(1)


@packs.command("check")
@click.argument("files", nargs=-1, required=True)
@click.option("--strict", "strict_check", is_flag=True, help="Warnings count as errors.")
@pass_state
def packs_check(state, files, strict_check):
    """Check pack files (or installed pack ids): report every problem at once.

    \b
    Example:
      jixiao packs check policy_packs/national.toml
    """
    from jixiao.core.pack import check_pack

    failed = False
    for ref in files:
        problems = check_pack(ref, state.registry, strict=strict_check)
        errors = [p for p in problems if p.severity == "error"]
        failed |= bool(errors)
        if not problems:
            out.print(f"{safe(ref)}: ok")
        for p in problems:
            click.echo(controls(f"{p.severity}: {p.render()}"), err=p.severity == "error")
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
    """Run pack case files: installed pack ids, case files, or every installed pack's cases.

    Exit code 1 when a case fails, 2 when a case file or its pack cannot be read.

    \b
    Example:
      jixiao packs test
      jixiao packs test national
      jixiao packs test cases/my_city/boundaries.toml
    """
    from jixiao.core.cases import all_cases, case_files, run_case

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
            raise Failure(f"{ref}: neither a case file nor an installed pack id")
    if not refs:
        paths = all_cases(state.registry)
    if not paths:
        raise Failure("no case files found")
    failed = 0
    for path in paths:
        res = run_case(path, state.registry)
        mark = "[green]PASS[/]" if res.passed else "[red]FAIL[/]"
        out.print(f"{mark} {safe(path)} — {safe(res.description)}", highlight=False)
        for line in res.failures:
            click.echo(controls(f"     {line}"))
        failed += not res.passed
    out.print(f"{len(paths) - failed} passed, {failed} failed")
    if failed:
        sys.exit(1)


@packs.command("diff")
@click.argument("a")
@click.argument("b")
@click.option("--all", "include_same", is_flag=True, help="Also list the values both packs share.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@pass_state
def packs_diff_cmd(state, a, b, include_same, fmt):
    """Compare two packs rule by rule and parameter by parameter: each value with its citation and
    whether it is sourced, assumed, inherited or a plugin default.

    \b
    Example:
      jixiao packs diff nanchang tongxin
      jixiao packs diff policy_packs/nanchang.toml my-nanchang.toml --format json
    """
    import json

    from jixiao.cli.render import new_table
    from jixiao.core.diffs import packs_diff
    from jixiao.core.pack import Pack

    pa, pb = Pack.load(a, state.registry), Pack.load(b, state.registry)
    rows = packs_diff(pa, pb, include_same)
    if fmt == "json":
        sys.stdout.write(json.dumps({"schema": "jixiao.packs-diff/1", "a": pa.id, "b": pb.id, "rows": rows},
                                    ensure_ascii=False, indent=2) + "\n")
        return
    table = new_table("rule", "parameter", f"A: {pa.id}", "A status / citation", f"B: {pb.id}", "B status / citation",
                      title=f"{pa.meta.name} ↔ {pb.meta.name}")
    for r in rows:
        mark = "" if r["same"] else "bold"
        table.add_row(r["rule"], r["parameter"], styled(r["a_value"], mark),
                      " ".join(x for x in (r["a_status"], r["a_citation"]) if x),
                      styled(r["b_value"], mark), " ".join(x for x in (r["b_status"], r["b_citation"]) if x))
    out.print(table)
    out.print(f"{sum(not r['same'] for r in rows)} differences")


# --- run, explain -------------------------------------------------------------------------------


@main.command()
@amounts_in_option
@click.option("--pack", "pack_ref", required=True, help="Installed pack id, a pack file, or part of a pack's name (南昌).")
@click.option("--as-of", required=True, callback=_date, help="The date the run looks from (2025-03-31, 2025/3/31, 2025年3月31日 or 20250331).")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv", "xlsx"]), default=None,
              help="Output format; without it, the -o file's extension (.json, .csv, .xlsx), else table.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write to this file.")
@click.argument("portfolio", type=click.Path(exists=True, path_type=Path))
@pass_state
def run(state, pack_ref, as_of, fmt, output, portfolio):
    """Run a pack over a portfolio as of a date and report the findings.

    \b
    Example:
      jixiao run --pack national --as-of 2025-03-31 portfolio.xlsx
      jixiao run --pack national --as-of 2025-03-31 --format json -o findings.json portfolio.xlsx
    """
    from jixiao.cli.render import render_table, run_with_progress
    from jixiao.core import output as render
    from jixiao.core.files import csv_safe

    fmt = _format_for(fmt, output, ("json", "csv", "xlsx"))
    if fmt == "xlsx" and output is None:
        raise Failure("--format xlsx needs -o FILE.xlsx")
    if fmt == "table" and output is not None:
        raise Failure("the table is for the terminal; to write a file use --format json, csv or xlsx with -o")
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
        if output is None:
            sys.stdout.write(csv_safe(render.findings_table(result)).write_csv())
        else:
            render.write_csv(result, output)
    else:
        from jixiao.cli.progress import writing_xlsx

        with writing_xlsx(err, output) as progress:
            render.write_xlsx(result, output, progress)
    if output is not None:
        err.print(f"wrote {safe(output)}")


@main.command()
@amounts_in_option
@click.option("--pack", "pack_ref", required=True, help="Installed pack id, a pack file, or part of a pack's name (南昌).")
@click.option("--project", "projects", required=True, multiple=True,
              help="The project id (项目编码); repeat it to explain several projects.")
@click.option("--as-of", required=True, callback=_date, help="The date the run looks from (2025-03-31, 2025/3/31, 2025年3月31日 or 20250331).")
@click.option("--all", "all_rules", is_flag=True,
              help="Every rule of the pack, with the values it used; without it only the rules that gave a finding.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="json: the explanation as a document (schema jixiao.explain/1, docs/formats.md).")
@click.argument("portfolio", type=click.Path(exists=True, path_type=Path))
@pass_state
def explain(state, pack_ref, projects, as_of, all_rules, fmt, portfolio):
    """Explain, rule by rule, what a pack decides for a project and why.

    One project is explained from a run on that project alone; several from one run of the whole
    portfolio, after which each takes about a millisecond.

    \b
    Example:
      jixiao explain --pack national --project P2024000001 --as-of 2025-03-31 portfolio.xlsx
      jixiao explain --pack national --project P2024000001 --as-of 2025-03-31 --all portfolio.xlsx
      jixiao explain --pack national --project P2024000001 --as-of 2025-03-31 --format json portfolio.xlsx
    """
    from jixiao.cli.render import show_explanation
    from jixiao.core.explain import Explainer, explain_project
    from jixiao.core.pack import Pack
    from jixiao.core.portfolio import load_portfolio

    pack = Pack.load(pack_by_name(state, pack_ref), state.registry)
    folio = as_of_view(load_portfolio(portfolio), as_of)
    if len(projects) == 1:
        explanations = [explain_project(pack, folio, projects[0], as_of, trace=state.trace)]
    else:
        explainer = Explainer(pack, folio, as_of, trace=state.trace)
        explanations = [explainer.explain(p) for p in projects]  # every id checked before anything is shown
    if fmt == "json":
        import json

        from jixiao.core.explain_text import explanation_json

        docs = [explanation_json(ex, all_rules=True) for ex in explanations]
        sys.stdout.write(json.dumps(docs[0] if len(docs) == 1 else docs, ensure_ascii=False, indent=2) + "\n")
        return
    for i, ex in enumerate(explanations):
        if i:
            out.rule()
        show_explanation(out, ex, all_rules)


# --- new ---------------------------------------------------------------------------------------


@main.group()
def new():
    """Scaffolds: a new pack for a city, a new plugin package.

    \b
    Example:
      jixiao new pack my_city --extends nanchang --name 某市 --level city
      jixiao new plugin late_payment
    """


@new.command("pack")
@click.argument("pack_id")
@click.option("--extends", "parent", required=True, help="The pack it inherits (an installed id or a file).")
@click.option("--name", required=True, help="The pack's name in Chinese, e.g. 某市预算绩效管理规则.")
@click.option("--level", type=click.Choice(["national", "province", "city", "county", "district"]), default="city",
              show_default=True)
@click.option("--dir", "folder", type=click.Path(file_okay=False, path_type=Path), default=Path("."),
              show_default=True)
@click.option("--as-of", default="2025-03-31", callback=_date, show_default=True, help="The starter case's date.")
@pass_state
def new_pack(state, pack_id, parent, name, level, folder, as_of):
    """Write a pack file that inherits its parent — the parent's rules listed as commented tables
    with their values and citations — and a starter case file. `jixiao packs check` passes on both.

    \b
    Example:
      jixiao new pack my_city --extends nanchang --name 某市预算绩效管理规则 --level city
    """
    from jixiao.core.scaffold import write_new_pack

    for path in write_new_pack(folder, pack_id, name, level, parent, state.registry, as_of):
        out.print(f"wrote {safe(path)}")
    out.print(safe(f"next: fill in the source, override what your document changes, then\n"
                   f"  jixiao packs check {folder / (pack_id + '.toml')}\n  jixiao packs test {folder / (pack_id + '.toml')}"))


@new.command("plugin")
@click.argument("name")
@click.option("--stage", type=click.Choice(["assess", "target", "monitor", "evaluate", "apply"]), default="monitor",
              show_default=True, help="The lifecycle stage whose hook the rule implements.")
@click.option("--dir", "folder", type=click.Path(file_okay=False, path_type=Path), default=Path("."),
              show_default=True)
def new_plugin(name, stage, folder):
    """Write a complete, pip-installable plugin package: pyproject with the jixiao.plugins entry point,
    a parameter class, a hook implementation, an example pack with a case file, tests and a README.

    \b
    Example:
      jixiao new plugin late_payment --stage monitor
      pip install -e "./jixiao-late-payment[test]"
    """
    from jixiao.core.scaffold import write_new_plugin

    root = write_new_plugin(folder, name, stage)
    out.print(safe(f"wrote {root}/\nnext:\n  pip install -e \"{root}[test]\"\n  jixiao plugins list\n"
                   f"  jixiao packs test {name}_example\n  (cd {root} && python -m pytest)"))


# --- compare, diff ------------------------------------------------------------------------------


def _packs_arg(state, packs_opt):
    """The packs named, each of which must load; with none named, every installed pack that loads
    (one broken installed pack is skipped with a warning naming its file and every problem)."""
    from jixiao.core.pack import Pack

    if packs_opt:
        return [Pack.load(p.strip(), state.registry) for p in packs_opt.split(",") if p.strip()]
    loaded = []
    for pid, src in sorted(state.registry.packs.items()):
        try:
            loaded.append(Pack.load(pid, state.registry))
        except JixiaoError as exc:
            err.print(f"[yellow]warning:[/] skipped the installed pack {escape(pid)} ({escape(str(src.path))}, "
                      f"{escape(src.origin)}): {escape(exc.render())}", highlight=False)
    if not loaded:
        raise Failure("no installed pack could be loaded; see the warnings above")
    return loaded


@main.command("compare")
@amounts_in_option
@click.option("--packs", "packs_opt", help="Comma-separated pack ids or files (default: every installed pack).")
@click.option("--as-of", required=True, callback=_date, help="The date the runs look from (YYYY-MM-DD).")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "xlsx"]), default="table", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write json/xlsx to this file.")
@click.option("--html", "html_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write a self-contained HTML report with charts.")
@click.option("--monthly/--no-monthly", default=True, show_default=True,
              help="Replay the year month by month for the alerts chart (skipped above 50 000 projects).")
@click.argument("portfolio", type=click.Path(exists=True, path_type=Path))
@pass_state
def compare_cmd(state, packs_opt, as_of, fmt, output, html_path, monthly, portfolio):
    """Run one portfolio under several packs and show, side by side, what each decides.

    Applying city A's rules to city B's portfolio is this command on B's data.

    \b
    Example:
      jixiao compare --packs nanchang,qingdao,tianyuan,shilong,tongxin --as-of 2025-03-31 portfolio.xlsx
      jixiao compare --as-of 2025-03-31 --format xlsx -o compare.xlsx --html compare.html portfolio.xlsx
    """
    from jixiao.cli.render import render_comparison
    from jixiao.core.compare import compare
    from jixiao.core.compare_output import write_json, write_xlsx
    from jixiao.core.output import write_atomic
    from jixiao.core.portfolio import load_portfolio
    from jixiao.core.report import write_html

    if fmt == "xlsx" and output is None:
        raise Failure("--format xlsx needs -o FILE.xlsx")
    if fmt == "table" and output is not None:
        raise Failure("the table is for the terminal; to write a file use --format json or xlsx with -o")
    _check_outputs([output, html_path], [portfolio, *(packs_opt or "").split(",")])
    packs_list = _packs_arg(state, packs_opt)
    with err.status("读取项目数据 loading portfolio…") as status:
        folio = load_portfolio(portfolio)
        result = compare(packs_list, folio, as_of, monthly=monthly,
                         on_pack=lambda pid: status.update(f"运行规则包 {safe(pid)} · {len(folio)} 个项目"))
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
        err.print(f"wrote {safe(output)}")
    if html_path is not None:
        write_html(result, html_path)
        out.print(f"HTML report: {safe(html_path.resolve())}")


@main.command("diff")
@amounts_in_option
@click.option("--old", "old_ref", required=True, help="The pack as it was (an id or a file).")
@click.option("--new", "new_ref", required=True, help="The pack as it is now (an id or a file).")
@click.option("--as-of", callback=_date, help="The date the runs look from (default: today).")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.argument("portfolio", type=click.Path(exists=True, path_type=Path))
@pass_state
def diff_cmd(state, old_ref, new_ref, as_of, fmt, portfolio):
    """What a pack change does to decisions: every project whose findings change, the money delta
    per department and a summary line. Exit code 1 when anything changed, 0 when nothing did.

    \b
    Example: a release gate in CI
      git show HEAD:policy_packs/nanchang.toml > /tmp/nanchang-released.toml
      jixiao diff --old /tmp/nanchang-released.toml --new policy_packs/nanchang.toml --as-of 2025-03-31 jixiao-demo/portfolio.xlsx
    """
    import json

    from jixiao.cli.render import new_table
    from jixiao.core.diffs import decision_diff
    from jixiao.core.money import format_yuan
    from jixiao.core.pack import Pack
    from jixiao.core.portfolio import load_portfolio

    old, new = Pack.load(old_ref, state.registry), Pack.load(new_ref, state.registry)
    result = decision_diff(old, new, load_portfolio(portfolio), as_of or dt.date.today())
    if fmt == "json":
        doc = {"schema": "jixiao.diff/1", "old": old.id, "new": new.id, "as_of": result.as_of.isoformat(),
               "projects": result.projects, "changed": result.changed.height, "delta_fen": result.delta_fen,
               "by_department": result.by_department.to_dicts(), "changes": result.changed.to_dicts(),
               "summary": result.summary_line()}
        sys.stdout.write(json.dumps(doc, ensure_ascii=False, indent=2) + "\n")
    else:
        if result.changed.height:
            t = new_table("项目编码", "部门", "删除的结论 removed", "新增的结论 added", "金额变化",
                          title=f"{old_ref} → {new_ref} · 基准日期 {result.as_of}")
            for r in result.changed.iter_rows(named=True):
                t.add_row(r["project_id"], r["department"] or "", r["removed"], r["added"], format_yuan(r["delta_fen"]))
            out.print(t)
            d = new_table("部门", "金额变化", title="各部门金额影响变化（各年度、各类相加）")
            for dept, fen in result.by_department.iter_rows():
                d.add_row(dept or "", format_yuan(fen))
            out.print(d)
        out.print(safe(result.summary_line()))
    if result.changed.height:
        sys.exit(1)


# --- plan ----------------------------------------------------------------------------------------


@main.group()
def plan():
    """Plan evaluation work a pack requires.

    \b
    Example:
      jixiao plan coverage --pack qingdao funds.xlsx
    """


@plan.command("coverage")
@amounts_in_option
@click.option("--pack", "pack_ref", required=True, help="A pack with a coverage_schedule rule, e.g. qingdao.")
@click.option("--year", type=int, help="Plan the cycle containing this year (default: the pack's first cycle).")
@click.option("--existing", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A plan to keep (CSV: project_id,year); new funds are fitted around it.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write to this file.")
@click.argument("funds", type=click.Path(exists=True, path_type=Path))
@pass_state
def plan_coverage(state, pack_ref, year, existing, fmt, output, funds):
    """Propose a cycle's evaluation schedule: every special fund once, each year at least its share,
    priority (十五个攻势) funds first; evaluations already made and planned funds stay where they are.

    \b
    Example:
      jixiao plan coverage --pack qingdao --year 2021 funds.xlsx
      jixiao plan coverage --pack qingdao --existing plan.csv --format csv -o plan-2022.csv funds.xlsx
    """
    import json

    from jixiao.cli.render import new_table
    from jixiao.core.files import csv_safe
    from jixiao.core.output import write_atomic, yuan_expr
    from jixiao.core.pack import Pack
    from jixiao.core.planning import coverage_plan
    from jixiao.core.portfolio import load_portfolio

    _check_outputs([output], [funds, existing, pack_ref])
    pack = Pack.load(pack_ref, state.registry)
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
            err.print(f"wrote {safe(output)}")
        return
    t = new_table("年度", "项目编码", "状态", "十五个攻势", "预算(元)",
                  title=f"{info['cycle'][0]}–{info['cycle'][1]} 评价计划 · 依据 {info['citation']}")
    for r in table.iter_rows(named=True):
        t.add_row(str(r["year"]), r["project_id"], {"evaluated": "已评价", "planned": "原计划", "new": "新排", "again": "再次评价"}[r["status"]],
                  "是" if r["priority_fund"] else "", r["budget_yuan"])
    out.print(t)
    per_year = "，".join(f"{y}年 {n} 项" for y, n in info["per_year"].items())
    out.print(f"{info['funds']} 项专项资金，每年至少 {info['per_year_minimum']} 项：{per_year}")


# --- demo, plugins ------------------------------------------------------------------------------


SEED_PACKS = ("nanchang", "qingdao", "tianyuan", "shilong", "tongxin")


@main.command()
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("jixiao-demo"),
              show_default=True, help="Folder for the sample portfolio and the results.")
@click.option("--projects", default=207, show_default=True, help="How many projects (Tongxin filed 207).")
@click.option("--seed", default=2021, show_default=True, help="Random seed; the same seed, the same portfolio.")
@click.option("--packs", "packs_opt", default=",".join(SEED_PACKS), show_default=True,
              help="Comma-separated packs to compare.")
@click.option("--as-of", default="2025-03-31", callback=_date, show_default=True)
@pass_state
def demo(state, out_dir, projects, seed, packs_opt, as_of):
    """Write a realistic sample portfolio and compare it across the seed packs, with an HTML report.

    \b
    Example:
      jixiao demo
      jixiao demo --out /tmp/demo --projects 5000 --seed 7
    """
    from jixiao.cli.render import render_comparison
    from jixiao.core.compare import compare
    from jixiao.core.compare_output import to_json, write_xlsx
    from jixiao.core.output import write_atomic
    from jixiao.core.portfolio import load_portfolio
    from jixiao.core.report import write_html
    from jixiao.core.sample import generate, write_portfolio

    out_dir.mkdir(parents=True, exist_ok=True)
    packs_list = _packs_arg(state, packs_opt)
    sample_path = write_portfolio(generate(projects, seed, fiscal_year=as_of.year - 1), out_dir / "portfolio.xlsx")
    with err.status("运行规则包…") as status:
        result = compare(packs_list, load_portfolio(sample_path), as_of,
                         on_pack=lambda pid: status.update(f"运行规则包 {pid} · {projects} 个项目"))
    render_comparison(result, out, limit=8)
    from jixiao.cli.progress import writing_xlsx

    with writing_xlsx(err, out_dir / "compare.xlsx") as progress:
        write_xlsx(result, out_dir / "compare.xlsx", progress)
    text = to_json(result)
    write_atomic(out_dir / "compare.json", lambda p: p.write_text(text, encoding="utf-8"))
    report = out_dir / "report.html"
    write_html(result, report)
    out.print(safe(f"sample portfolio: {sample_path}\ncomparison: {out_dir / 'compare.xlsx'}, {out_dir / 'compare.json'}"))
    out.print(f"HTML report: {safe(report.resolve())}")


@main.command()
@click.option("--projects", "n", type=click.IntRange(1), default=207, show_default=True, help="How many projects.")
@click.option("--seed", default=2021, show_default=True, help="Random seed; the same seed, the same portfolio.")
@click.option("--year", "fiscal_year", default=2024, show_default=True, help="The fiscal year of the projects.")
@click.option("-o", "--output", required=True, type=click.Path(path_type=Path),
              help="A .xlsx, .json or .csv/.parquet file (projects only), or a folder (every table).")
@click.option("--format", "fmt", type=click.Choice(["csv", "parquet"]), default="csv", show_default=True,
              help="File type inside a folder.")
@pass_state
def sample(state, n, seed, fiscal_year, output, fmt):
    """Write a realistic sample portfolio: departments, fund types, categories, indicators, monthly
    spending, evaluation history and accountability decisions, generated in chunks.

    \b
    Example:
      jixiao sample --projects 1000 --seed 7 -o sample.xlsx
      jixiao sample --projects 1000000 --seed 1 --format parquet -o big/
    """
    from jixiao.core.sample import write_sample

    path = write_sample(n, seed, fiscal_year, output, fmt, progress=lambda done: err.print(
        f"{done:,} / {n:,} projects", highlight=False) if n >= 200_000 else None)
    out.print(f"wrote {safe(path)} ({n:,} projects, seed {seed})")


@main.command()
@amounts_in_option
@click.argument("portfolio", type=click.Path(exists=True, path_type=Path))
@click.option("-o", "--output", required=True, type=click.Path(path_type=Path),
              help="The folder to write: new, or one jixiao wrote before (replaced).")
@pass_state
def convert(state, portfolio, output):
    """Check a portfolio and write it as typed Parquet, jixiao's fast form: one file per table,
    names and types as held in memory, every row placed by project. Loading it parses no text
    and looks no project id up, so later runs, comparisons and explanations start sooner.

    \b
    Example:
      jixiao convert portfolio.xlsx -o portfolio_typed
      jixiao run --pack national --as-of 2025-03-31 portfolio_typed
    """
    from jixiao.core.portfolio import load_portfolio
    from jixiao.core.sample import write_typed

    _check_outputs([], [portfolio], folders=[output])
    folio = load_portfolio(portfolio)
    for w in folio.warnings:
        err.print(f"[yellow]warning:[/] {safe(w.render())}", highlight=False, soft_wrap=True)
    path = write_typed(folio, output)
    out.print(f"wrote {safe(path)} ({len(folio):,} projects, {folio.spending.height:,} payments, typed Parquet)")


@main.group()
def plugins():
    """Installed rule plugins.

    \b
    Example:
      jixiao plugins list
    """


@plugins.command("list")
@pass_state
def plugins_list(state):
    """List installed rule plugins, where each comes from and the hooks it implements.

    \b
    Example:
      jixiao plugins list
    """
    from jixiao.cli.render import new_table

    table = new_table("plugin", "hooks", "来源 origin", "说明")
    for name, info in sorted(state.registry.plugins.items()):
        table.add_row(name, ", ".join(info.cls.hooks()), info.origin, info.cls.summary)
    for failure in state.registry.failures:
        table.add_row(failure.name, styled("failed to load", "red"), failure.origin, failure.error)
    out.print(table)


def _check_outputs(outputs, inputs, folders=()) -> None:
    """Before any work: every output can be written, and none is one of the command's inputs."""
    from jixiao.core.files import check_targets, refuse_inputs

    # pack references count when they are files (an id is not a path)
    refuse_inputs([*outputs, *folders], [i.strip() if isinstance(i, str) else i for i in inputs
                            if i and (not isinstance(i, str) or i.strip().endswith(".toml"))])
    check_targets(outputs, folders)


def _write_text(path: Path, write) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        write(fh)


if __name__ == "__main__":
    main()
