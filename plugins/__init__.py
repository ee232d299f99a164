"""The built-in rule plugins. They register exactly as a third-party plugin does: from this tuple."""

from jixiao.plugins.accountability import Accountability
from jixiao.plugins.amount_focus import AmountFocus
from jixiao.plugins.coverage_schedule import CoverageSchedule
from jixiao.plugins.disclosure import Disclosure
from jixiao.plugins.dual_monitoring import DualMonitoring
from jixiao.plugins.evaluation_score import EvaluationScore
from jixiao.plugins.ex_ante_gate import ExAnteGate
from jixiao.plugins.performance_payment import PerformancePayment
from jixiao.plugins.policy_exit import PolicyExit
from jixiao.plugins.priority_ranking import PriorityRanking
from jixiao.plugins.rectification_deadline import RectificationDeadline
from jixiao.plugins.score_linked_budget import ScoreLinkedBudget
from jixiao.plugins.self_evaluation_coverage import SelfEvaluationCoverage
from jixiao.plugins.self_evaluation_prerequisite import SelfEvaluationPrerequisite
from jixiao.plugins.spending_checkpoints import SpendingCheckpoints
from jixiao.plugins.spot_check import SpotCheck
from jixiao.plugins.target_changes import TargetChanges
from jixiao.plugins.target_gate import TargetGate
from jixiao.plugins.target_review import TargetReview

# In lifecycle order; a pack, not this order, decides which run and in what order.
DEFAULT_PLUGINS = (
    ExAnteGate, TargetGate, TargetReview, TargetChanges, SelfEvaluationPrerequisite, PriorityRanking,
    SpendingCheckpoints, DualMonitoring, EvaluationScore, SelfEvaluationCoverage, AmountFocus, SpotCheck, CoverageSchedule,
    ScoreLinkedBudget, RectificationDeadline, Accountability, PolicyExit, PerformancePayment, Disclosure,
)
