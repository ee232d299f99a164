"""重点评价一定金额以上的项目 (Tianyuan 第四条): projects whose budget reaches an amount are the focus
of performance management and are selected for finance's key evaluation."""

from __future__ import annotations

from decimal import Decimal

import attrs
import polars as pl

from jixiao.rules import FEN_PER_YUAN, Rule, format_yuan, hookimpl


@attrs.frozen(kw_only=True)
class AmountFocusParams:
    min_amount_yuan: Decimal = Decimal("1000000")

    def __attrs_post_init__(self):
        if self.min_amount_yuan < 0 or self.min_amount_yuan != self.min_amount_yuan.quantize(Decimal("0.01")):
            raise ValueError(f"min_amount_yuan: an amount in 元 with at most 2 decimals, got {self.min_amount_yuan}")


class AmountFocus(Rule):
    name = "amount_focus"
    summary = "projects above an amount are selected for key evaluation"
    Params = AmountFocusParams
    reads = ("budget_fen",)

    def threshold_fen(self) -> int:
        return int(self.params.min_amount_yuan * FEN_PER_YUAN)

    @hookimpl
    def jixiao_evaluate(self, facts):
        hit = facts.lazy().filter(pl.col("budget_fen") >= self.threshold_fen())
        text = f"预算达到 {format_yuan(self.threshold_fen())}，作为预算绩效管理重点，纳入重点评价"
        return self.output(self.findings(hit, "select_for_evaluation", text, assumed=self.is_assumed("min_amount_yuan")))

    @hookimpl
    def jixiao_explain(self, facts):
        t = self.threshold_fen()
        below = facts.filter(pl.col("budget_fen") < t)
        gap = pl.lit(t) - pl.col("budget_fen")
        note = pl.lit("预算再增加 ") + (gap // 100).cast(pl.String) + "." + (gap % 100).cast(pl.String).str.pad_start(2, "0") \
            + pl.lit(" 元即纳入重点评价")
        return self.output(notes=below.select("project_id", note.alias("note")))
