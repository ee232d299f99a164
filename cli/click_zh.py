"""click's own words (Usage, Options, "Missing option"…) in Chinese, like the rest of the CLI, and
help text wrapped by display width (a Chinese character takes two columns; click counts one).

click looks each of them up with ``gettext`` at the moment it uses it; the modules bind the name
``_`` once, so replacing it there is enough. Placeholders are kept, so click's ``.format`` works.
Called before the commands are defined (the --help option's text is read at definition).
"""

from __future__ import annotations

ZH = {
    "Usage:": "用法:",
    "Options": "选项",
    "Commands": "命令",
    "Positional arguments": "参数",
    "Show this message and exit.": "显示本帮助并退出。",
    "Show the version and exit.": "显示版本并退出。",
    "Error: {message}": "错误：{message}",
    "Try '{command} {option}' for help.": "用 '{command} {option}' 查看帮助。",
    "Invalid value: {message}": "取值无效：{message}",
    "Invalid value for {param_hint}: {message}": "{param_hint} 的取值无效：{message}",
    "Missing argument": "缺少参数",
    "Missing option": "缺少选项",
    "Missing parameter": "缺少参数",
    "Missing command.": "缺少命令。",
    "No such option {name!r}.": "没有选项 {name!r}。",
    "No such command {name!r}.": "没有命令 {name!r}。",
    "Did you mean {possibility}?": "是否要写 {possibility}？",
    "(Possible options: {possibilities})": "（可能的选项：{possibilities}）",
    "Aborted!": "已中止。",
    "env var: {var}": "环境变量：{var}",
    "default: {default}": "默认：{default}",
    "required": "必填",
    "{value!r} is not one of {choices}.": "{value!r} 不是 {choices} 之一。",
    "{value!r} is not a valid {number_type}.": "{value!r} 不是有效的{number_type}。",
    "integer": "整数",
    "{value} is not in the range {range}.": "{value} 不在 {range} 范围内。",
    "{name} {filename!r} does not exist.": "{name} {filename!r} 不存在。",
    "{name} {filename!r} is a file.": "{name} {filename!r} 是文件。",
    "{name} {filename!r} is a directory.": "{name} {filename!r} 是文件夹。",
    "{name} {filename!r} is not readable.": "{name} {filename!r} 不可读。",
    "Option '{name}' requires an argument.": "选项 '{name}' 需要一个值。",
    "Got unexpected extra argument ({args})": "多出参数（{args}）",
    "Got unexpected extra arguments ({args})": "多出参数（{args}）",
}


def _zh(message: str) -> str:
    return ZH.get(message, message)


def _ngettext(singular: str, plural: str, n: int) -> str:
    return _zh(singular if n == 1 else plural)


def _cells(text: str) -> int:
    from click._compat import strip_ansi
    from rich.cells import cell_len

    return cell_len(strip_ansi(text))


def _truncate_cells(text: str, n: int) -> str:
    """The longest prefix of ``text`` at most ``n`` columns wide (at least one character)."""
    from rich.cells import cell_len

    width, cut = 0, 0
    for i, ch in enumerate(text):
        width += cell_len(ch)
        if width > n and i:
            break
        cut = i + 1
    return text[:cut]


def install() -> None:
    import click._textwrap
    import click.core
    import click.decorators
    import click.exceptions
    import click.formatting
    import click.parser
    import click.types

    for module in (click.core, click.decorators, click.exceptions, click.formatting, click.parser, click.types):
        if hasattr(module, "_"):
            module._ = _zh
        if hasattr(module, "ngettext"):
            module.ngettext = _ngettext
    # click 8.5 measures every width with term_len (and cuts long words with _truncate_visible)
    for module in (click._textwrap, click.formatting):
        if hasattr(module, "term_len"):
            module.term_len = _cells
    if hasattr(click._textwrap, "_truncate_visible"):
        click._textwrap._truncate_visible = _truncate_cells
