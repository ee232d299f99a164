"""What the command modules share: the consoles, the error every command raises, the run's state
(the registry, found once), the options several commands take and their callbacks, and the pack,
output and input checks made before any work."""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape

from jixiao.cli.click_zh import install as _click_in_chinese
from jixiao.cli.text import safe
from jixiao.core.errors import JixiaoError

# The terminal's width; piped, COLUMNS when set (rich reads it), else 160 so that tables stay
# readable in files and CI logs.
out = Console(soft_wrap=False, width=None if sys.stdout.isatty() or os.environ.get("COLUMNS", "").isdigit() else 160)
err = Console(stderr=True)
_click_in_chinese()  # before the commands are defined (they import this module first): --help's text is read then


class Failure(click.ClickException):
    exit_code = 2

    def show(self, file=None) -> None:  # "错误：…", not click's "Error: …"
        click.echo(f"错误：{self.format_message()}", file=file, err=file is None)


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


# --- dates -------------------------------------------------------------------------------------


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


def as_of_view(portfolio, as_of: dt.date):
    """The portfolio as it was on the as-of date: later payments are left out, with a warning."""
    view, late = portfolio.until(as_of)
    if late:
        err.print(f"注意：{late} 笔支出的支付日期晚于基准日期 {as_of}，未计入（按 {as_of} 当日的情况运行）",
                  markup=False, highlight=False, style="yellow")
    return view


# --- options several commands take ---------------------------------------------------------------


def _set_amounts_in(ctx, _param, value):
    from jixiao.core.load import AMOUNTS_IN

    token = AMOUNTS_IN.set(value)
    ctx.call_on_close(lambda: AMOUNTS_IN.reset(token))


class CoreChoice(click.Choice):
    """A choice among values a core module defines, read from it when first needed (a --help or a
    value to check), so that starting the CLI does not load that module."""

    def __init__(self, load, case_sensitive: bool = True):
        self._load, self._choices, self.case_sensitive = load, None, case_sensitive

    @property
    def choices(self) -> tuple[str, ...]:
        if self._choices is None:
            self._choices = tuple(self._load())
        return self._choices


def pack_levels() -> tuple[str, ...]:
    """national, province, city, county, district: the levels a pack's [pack] table may state."""
    from typing import get_args

    from jixiao.core.pack import Level

    return get_args(Level)


def amount_units() -> list[str]:
    """The units the loader reads an amount in, as a finance officer writes them (元, 万元)."""
    from jixiao.core.load import UNIT_NAMES

    return [u for u in UNIT_NAMES if not u.isascii()]


# Commands that read a portfolio state the unit of amounts whose header states none with it.
amounts_in_option = click.option(
    "--amounts-in", type=CoreChoice(amount_units), expose_value=False, callback=_set_amounts_in,
    help="列名未写单位的金额（预算金额、金额）的单位。不写时按元读取，且一列金额全部小于 10,000 元时报错；"
         "列名写明（元）或（万元）的按列名的单位。")


PACK_HELP = "规则包：已安装规则包的 id、规则包文件，或规则包名称中的一段（如 南昌）。"
PACKS_HELP = "逗号分隔的规则包（id、文件或名称中的一段，如 南昌,青岛；默认：所有已安装的规则包）。"
AS_OF_HELP = ("基准日期（2025-03-31、2025/3/31、2025年3月31日 或 20250331）；晚于此日的支出不计入，"
              "按当日的情况运行。")
OUTPUT_HELP = "写入此文件（扩展名决定格式）。"


def extensions(files: tuple[str, ...]) -> str:
    """The file formats as the -o extensions that select them: .json、.csv、.xlsx."""
    return "、".join(f".{f}" for f in files)


def format_option(files: tuple[str, ...]):
    """--format: the terminal's table or one of ``files``, which -o's extension also selects."""
    return click.option("--format", "fmt", type=click.Choice(["table", *files]), default=None,
                        help=f"输出格式；不写时按 -o 文件的扩展名（{extensions(files)}），否则为终端表格。")


output_option = click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help=OUTPUT_HELP)


def output_format(fmt: str | None, output: Path | None, files: tuple[str, ...]) -> str:
    """The --format given, else the one the -o file's extension names (one of ``files``), else
    table; refused when xlsx has no -o file or a table is to be written to a file."""
    if fmt is None:
        suffix = output.suffix.lower().lstrip(".") if output is not None else None
        fmt = suffix if suffix in files else "table"
    if fmt == "xlsx" and output is None:
        raise Failure("--format xlsx 需要用 -o 指定文件（如 -o 结果.xlsx）")
    if fmt == "table" and output is not None:
        raise Failure(f"表格只显示在终端；写入文件请用扩展名为 {extensions(files)} 的 -o 文件，或写明 --format")
    return fmt


# --- packs named on the command line ------------------------------------------------------------


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


def packs_arg(state, packs_opt):
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


# --- files ---------------------------------------------------------------------------------------


def check_outputs(outputs, inputs, folders=()) -> None:
    """Before any work: every output can be written, and none is one of the command's inputs."""
    from jixiao.core.outputs.files import check_targets, refuse_inputs

    # pack references count when they are files (an id is not a path)
    refuse_inputs([*outputs, *folders], [i.strip() if isinstance(i, str) else i for i in inputs
                            if i and (not isinstance(i, str) or i.strip().endswith(".toml"))])
    check_targets(outputs, folders)


def write_text(path: Path, write) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        write(fh)


def write_out(text: str, output: Path | None) -> None:
    """A document on standard output, or written whole to the -o file (never half-written)."""
    from jixiao.core.outputs.run import write_atomic

    if output is None:
        sys.stdout.write(text)
    else:
        write_atomic(output, lambda p: p.write_text(text, encoding="utf-8"))
        err.print(f"已写入 {safe(output)}")
