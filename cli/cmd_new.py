"""``jixiao new pack`` and ``jixiao new plugin``: the authoring scaffolds."""

from __future__ import annotations

from pathlib import Path

import click

from jixiao.cli.options import CoreChoice, _date, out, pack_by_name, pack_levels, pass_state
from jixiao.cli.text import safe


def stages() -> tuple[str, ...]:
    """The stages a plugin's hooks implement (read from the hook specifications when needed)."""
    from jixiao.core.hookspecs import STAGES

    return STAGES


@click.group()
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
@click.option("--level", type=CoreChoice(pack_levels), default="city",
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
@click.option("--stage", type=CoreChoice(stages), default="monitor",
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


COMMANDS = (new,)
