"""jixiao (绩效): budget performance management rules as running, testable, comparable code.

Plugin authors need one import::

    from jixiao import hookimpl, Rule

and the toolkit for everything else a rule uses (money, dates, per-project helpers)::

    from jixiao.rules import share_fen_expr, sum_per_project
"""

from jixiao.core.hookspecs import hookimpl
from jixiao.core.rule import Rule, RuleOutput

__version__ = "0.1.0"
__all__ = ["Rule", "RuleOutput", "__version__", "hookimpl"]
