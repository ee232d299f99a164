"""The built-in rule plugins. They register exactly as a third-party plugin does: from this tuple."""

from jixiao.plugins.evaluation_score import EvaluationScore
from jixiao.plugins.ex_ante_gate import ExAnteGate
from jixiao.plugins.score_linked_budget import ScoreLinkedBudget
from jixiao.plugins.target_gate import TargetGate

DEFAULT_PLUGINS = (ExAnteGate, TargetGate, EvaluationScore, ScoreLinkedBudget)
