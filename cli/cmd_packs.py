"""``jixiao packs …`` and ``jixiao plugins list``: what is installed, and each pack read, checked,
tested and compared with another."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from jixiao.cli.options import Failure, out, pack_by_name, pass_state
from jixiao.cli.text import controls, safe


@click.group()
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
    from jixiao.cli.render_packs import packs_table

    out.print(packs_table(_installed(state)))


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
    from jixiao.cli.render_packs import show_pack, show_resolved
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
    from jixiao.cli.render_packs import packs_tree as tree

    out.print(tree(_installed(state)))


def _installed(state) -> list[tuple[str, object, object]]:
    """Each installed pack, by id: (id, where it comes from, the pack, or the error loading it)."""
    from jixiao.core.errors import JixiaoError
    from jixiao.core.pack import Pack

    found = []
    for pid, src in sorted(state.registry.packs.items()):
        try:
            found.append((pid, src, Pack.load(pid, state.registry)))
        except JixiaoError as exc:
            found.append((pid, src, exc))
    return found


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
    from jixiao.cli.render import SEVERITY_ZH
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

    from jixiao.cli.render_packs import packs_diff_table
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
    out.print(packs_diff_table(pa, pb, rows))
    out.print(f"共 {changed} 处不同")


# --- plugins -------------------------------------------------------------------------------------


@click.group()
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
    from jixiao.cli.render_packs import plugins_table

    out.print(plugins_table(state.registry))


COMMANDS = (packs, plugins)
