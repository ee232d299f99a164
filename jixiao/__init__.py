"""jixiao (绩效): budget performance management rules as running, testable, comparable code.

Plugin authors need one import::

    from jixiao import hookimpl, Rule

and the toolkit for everything else a rule uses (money, dates, per-project helpers)::

    from jixiao.rules import share_fen_expr, sum_per_project
"""

from __future__ import annotations

from typing import TYPE_CHECKING

__version__ = "0.1.0"
__all__ = ["Rule", "RuleOutput", "__version__", "hookimpl"]

if TYPE_CHECKING:
    from jixiao.core.hookspecs import hookimpl
    from jixiao.core.rule import Rule, RuleOutput

# Imported when first asked for (PEP 562): they bring polars, and ``jixiao --help``, ``--version``
# and a mistyped command answer without it (tests/test_cli_startup.py).
_LAZY = {"hookimpl": "jixiao.core.hookspecs", "Rule": "jixiao.core.rule", "RuleOutput": "jixiao.core.rule"}


def __getattr__(name: str):
    if name not in _LAZY:
        raise AttributeError(f"module 'jixiao' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(_LAZY[name]), name)
    globals()[name] = value
    return value
