"""``jixiao``: commands parse, call one function of the core, and render.

The root group is here; the commands are in one module per group (docs/architecture.md, "The
command line"): ``cmd_run`` (run, explain), ``cmd_packs`` (packs, plugins), ``cmd_compare``
(compare, diff, demo), ``cmd_plan`` (plan), ``cmd_data`` (sample, convert) and ``cmd_new`` (new).
What they share is in ``options``, every table they show in the ``render`` modules.

Every domain error becomes a message without a traceback and exit code 2.
"""

from __future__ import annotations

import os
import sys

import click

from jixiao import __version__
from jixiao.cli.options import Failure, State  # first: click speaks Chinese before any command is defined
from jixiao.cli import cmd_compare, cmd_data, cmd_new, cmd_packs, cmd_plan, cmd_reconcile, cmd_run
from jixiao.cli.text import controls
from jixiao.core.errors import JixiaoError


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

    def __call__(self, *args, **kwargs):
        """The command line as a process of its own (the ``jixiao`` script, ``python -m
        jixiao.cli.main``): once the command is done, its exit handlers run and its output is flushed,
        the process ends without tearing the interpreter down, which would free every frame of a
        million projects piece by piece for nothing (0.1–0.2 s). Tests call ``main`` (CliRunner) and
        keep their interpreter."""
        try:
            self.main(*args, **kwargs)
            code = 0
        except SystemExit as exc:
            code = exc.code
        leave(code)


def leave(code) -> None:
    """End the process with ``code`` (what ``sys.exit`` was given) as Python's own exit would,
    less the teardown: the exit handlers (``atexit``) run, then the standard streams are flushed."""
    import atexit

    if code is None:
        code = 0
    elif not isinstance(code, int):  # sys.exit("message"): the message on stderr, exit code 1
        print(code, file=sys.stderr)
        code = 1
    atexit._run_exitfuncs()
    try:
        sys.stdout.flush()
    except BrokenPipeError:  # the reader stopped before the end (head): as for a write during the command
        code = 141
    except (OSError, ValueError):  # a stream that cannot be flushed (closed): what is left is lost as it would be
        pass
    try:
        sys.stderr.flush()
    except (OSError, ValueError):
        pass
    os._exit(code % 256)  # what the shell sees of sys.exit(code)


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


for _module in (cmd_run, cmd_packs, cmd_compare, cmd_plan, cmd_data, cmd_new, cmd_reconcile):
    for _command in _module.COMMANDS:
        main.add_command(_command)




if __name__ == "__main__":
    main()
