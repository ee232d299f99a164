"""预算绩效管理的重点 (Tianyuan 第四条): “重点是一定金额以上、与本部门职能密切相关、具有明显社会影响和
经济影响的项目资金”. The amount is the one test the data can tell; the other two are finance's
judgement. So a project whose budget reaches the amount is named as meeting the amount test of the
management focus (``management_focus``), with the two tests left to judge — not selected for any
evaluation: 第四条 says what management concentrates on, not what is evaluated."""

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
            raise ValueError(f"min_amount_yuan：应为以元计、最多两位小数、不小于 0 的金额，写的是 {self.min_amount_yuan}")


class AmountFocus(Rule):
    name = "amount_focus"
    summary = "projects above an amount meet the amount test of the performance management focus"
    Params = AmountFocusParams
    reads = ("budget_fen",)

    def threshold_fen(self) -> int:
        return int(self.params.min_amount_yuan * FEN_PER_YUAN)

    @hookimpl
    def jixiao_evaluate(self, facts):
        hit = facts.lazy().filter(pl.col("budget_fen") >= self.threshold_fen())
        text = (f"预算达到 {format_yuan(self.threshold_fen())}，符合预算绩效管理重点的金额条件（“一定金额以上”）；"
                "是否同时“与本部门职能密切相关、具有明显社会影响和经济影响”，由财政部门判断")
        return self.output(self.findings(hit, "management_focus", text, assumed=self.is_assumed("min_amount_yuan")))

    @hookimpl
    def jixiao_explain(self, facts):
        t = self.threshold_fen()
        below = facts.filter(pl.col("budget_fen") < t)
        gap = pl.lit(t) - pl.col("budget_fen")
        note = pl.lit("预算再增加 ") + (gap // 100).cast(pl.String) + "." + (gap % 100).cast(pl.String).str.pad_start(2, "0") \
            + pl.lit(" 元即符合预算绩效管理重点的金额条件")
        return self.output(notes=below.select("project_id", note.alias("note")))
