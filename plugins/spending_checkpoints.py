"""支出进度节点 (Tongxin 二（三）): dated checks of budget execution in the budget year.

Each checkpoint is the end of a month of the fiscal year. When the run's date has reached it, the
execution *at that date* (the spending table's payments up to it; without a spending table the
project's ``spent`` column) is compared with the checkpoint's condition:

- ``remind``: execution below ``below_rate`` → 提醒加快进度;
- ``key_attention``: with ``zero_only``, not a fen spent (未破零) → 重点关注台账;
- ``reclaim_funds``: the unspent balance is reclaimed by finance (收回统筹), its amount negative —
  with ``ledger_month``, only of projects that were on the key-attention ledger (not a fen spent) at
  that month's end: Tongxin 二（三） reclaims the items on the October 未破零 ledger that could not
  pay by the year end, not every unspent fen of every project;
- ``reclaim_candidate``: before the year end, a ledger project (``ledger_month``) not yet paid out
  is put to finance, whose forecast (预计年底确实无法完成支付) decides the reclaim: the finding
  states the unpaid balance and moves no money.

Checkpoints apply to projects of the run's year; a December checkpoint also to last year's projects
(the year-end review happens after the year closes). Categories in ``monthly_for`` (direct funds,
直达资金) are also checked at every month end against the time schedule times ``monthly_pace``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction
from typing import Literal

import attrs
import polars as pl

from jixiao.rules import Rule, below_share_expr, for_projects, hookimpl, project_columns, sum_per_project, yuan_text_expr


@attrs.frozen(kw_only=True)
class Checkpoint:
    month: int
    action: Literal["remind", "key_attention", "reclaim_candidate", "reclaim_funds"]
    below_rate: Decimal | None = None
    zero_only: bool = False
    # reclaim_funds only: only projects with not a fen spent at the end of this month (the ledger).
    ledger_month: int | None = None

    def __attrs_post_init__(self):
        if not 1 <= self.month <= 12:
            raise ValueError(f"month：应为 1 到 12 月，写的是 {self.month}")
        if self.ledger_month is not None and not 1 <= self.ledger_month < self.month:
            raise ValueError(f"ledger_month：应为 {self.month} 月之前的月份，写的是 {self.ledger_month}")
        if self.ledger_month is not None and self.action not in ("reclaim_funds", "reclaim_candidate"):
            raise ValueError(f"ledger_month：只用于 action = \"reclaim_funds\" 或 \"reclaim_candidate\" 的节点，"
                             f"这一节点写的是 action = {self.action!r}")
        if self.action == "reclaim_candidate" and (self.ledger_month is None or self.month == 12):
            raise ValueError("reclaim_candidate：应写 ledger_month（哪个月底的重点关注台账），且月份在 12 月之前"
                             f"（写的是 month = {self.month}，ledger_month = {self.ledger_month}）")
        if self.below_rate is not None and not 0 < self.below_rate <= 1:
            raise ValueError(f"below_rate：比例应大于 0 且不超过 1，写的是 {self.below_rate}（60% 写作 \"0.6\"）")


@attrs.frozen(kw_only=True)
class SpendingCheckpointsParams:
    checkpoints: list[Checkpoint] = attrs.field(factory=list)
    monthly_for: list[str] = attrs.field(factory=list)
    monthly_pace: Decimal = Decimal("1")
    # 长期沉淀资金: a year's money unspent after this many years of carry-over is reclaimed.
    idle_after_carryover_years: int | None = None

    def __attrs_post_init__(self):
        if not 0 < self.monthly_pace <= 1:
            raise ValueError(f"monthly_pace：比例应大于 0 且不超过 1，写的是 {self.monthly_pace}（100% 写作 \"1\"）")
        if self.idle_after_carryover_years is not None and not 1 <= self.idle_after_carryover_years <= 10:
            raise ValueError(f"idle_after_carryover_years：应为 1 到 10 年，写的是 {self.idle_after_carryover_years}")


def month_end(year: int, month: int) -> dt.date:
    nxt = dt.date(year + month // 12, month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


def fund_note() -> pl.Expr:
    """Where reclaimed money goes is not the same for every budget: money of a fund, state-capital or
    social-insurance budget is used within that budget, and bond money changes use under the bond
    rules — the reclaim message says so instead of implying it joins the general budget."""
    fund = pl.col("fund_type")
    return (pl.when(pl.col("category") == "政府债务")
            .then(pl.lit("（政府债务资金：按债券资金管理规定调整用途，不并入一般公共预算统筹）"))
            .when(fund.is_not_null() & (fund != "一般公共预算"))
            .then(pl.lit("（") + fund + pl.lit("资金：在") + fund + pl.lit("内按其规定统筹使用，不并入一般公共预算）"))
            .otherwise(pl.lit("")))


def spent_by(rule: Rule, portfolio, facts: pl.DataFrame, day: dt.date) -> pl.Series:
    """``_paid``, spending up to and including ``day``, of every project, in the portfolio's order
    (as ``facts``): read it at some projects with ``for_projects``."""
    if portfolio.spending.height == 0:
        return facts["spent_fen"].alias("_paid")
    return rule.shared(portfolio, "paid_by", lambda: sum_per_project(
        portfolio.spending.lazy().filter(pl.col("date") <= day), facts.height,
        _paid=pl.col("amount_fen"))["_paid"].fill_null(0), on=(day,))


def below(paid: pl.Expr, budget: pl.Expr, rate: Decimal | Fraction) -> pl.Expr:
    """paid / budget < rate, in exact integer arithmetic (128-bit: no overflow)."""
    return below_share_expr(paid, budget, rate)


class SpendingCheckpoints(Rule):
    name = "spending_checkpoints"
    summary = "dated budget-execution checkpoints: remind, key-attention ledger, year-end reclaim"
    Params = SpendingCheckpointsParams
    reads = ("fiscal_year", "category", "budget_fen", "spent_fen", "start_date")

    @hookimpl
    def jixiao_monitor(self, portfolio, as_of, facts):
        parts = []
        years = [as_of.year, as_of.year - 1]
        for cp in self.params.checkpoints:
            for year in years:
                day = month_end(year, cp.month)
                if as_of < day or (year != as_of.year and cp.month != 12):
                    continue
                group = project_columns(facts.lazy().filter(pl.col("fiscal_year") == year),
                                        "budget_fen", "fund_type", "category", "start_date").collect()
                if group.height == 0:
                    continue
                rows = group.with_columns(for_projects(spent_by(self, portfolio, facts, day), group))
                if cp.ledger_month is not None:
                    ledger_day = month_end(year, cp.ledger_month)
                    rows = rows.with_columns(for_projects(spent_by(self, portfolio, facts, ledger_day), group)
                                             .alias("_paid_ledger"))
                parts.append(self._check(cp, rows, day, year))
        parts += self._monthly(portfolio, as_of, facts)
        parts += self._idle(portfolio, as_of, facts)
        return self.output(pl.concat(parts) if parts else None)

    def _idle(self, portfolio, as_of: dt.date, facts: pl.DataFrame) -> list[pl.DataFrame]:
        years = self.params.idle_after_carryover_years
        if years is None:
            return []
        # Money of fiscal year FY has been carried over ``years`` years once FY + years has closed.
        last_closed = as_of.year - 1
        rows = project_columns(facts.lazy().filter((pl.col("fiscal_year") + years <= last_closed)
                                                   & (pl.col("spent_fen") < pl.col("budget_fen"))),
                               "fiscal_year", "budget_fen", "spent_fen", "fund_type", "category").collect()
        fy = pl.col("fiscal_year")
        text = (fy.cast(pl.String) + pl.lit("年度预算资金结转已满") + pl.lit(str(years)) + pl.lit("年（至")
                + (fy + years).cast(pl.String) + pl.lit("年底）仍未支出 ")
                + yuan_text_expr(pl.col("budget_fen") - pl.col("spent_fen"))
                + pl.lit(" 元，属长期沉淀资金，收回统筹") + fund_note())
        return [self.findings(rows, "reclaim_funds", text, amount_fen=-(pl.col("budget_fen") - pl.col("spent_fen")),
                              budget_year=fy, applies_to="unspent_balance",
                              assumed=self.is_assumed("idle_after_carryover_years"))]

    def _check(self, cp: Checkpoint, rows: pl.DataFrame, day: dt.date, year: int) -> pl.DataFrame:
        paid, budget = pl.col("_paid"), pl.col("budget_fen")
        assumed = self.is_assumed("checkpoints")
        if cp.zero_only:
            hit = rows.filter((paid == 0) & (budget > 0))
            text = f"截至{day:%Y-%m-%d}支出仍未破零"
        elif cp.below_rate is not None:
            # A project whose implementation starts within the year is held to the share of its own
            # time that has passed: rate × (its days elapsed / its days in the year) ÷ (the year's
            # days elapsed / the year's days), in exact integer arithmetic; one not started yet, to none.
            jan1, dec31 = dt.date(year, 1, 1), dt.date(year, 12, 31)
            start = pl.max_horizontal(pl.col("start_date").fill_null(jan1), pl.lit(jan1))
            e = ((pl.lit(day) - start).dt.total_days() + 1).cast(pl.Int128)
            i = ((pl.lit(dec31) - start).dt.total_days() + 1).cast(pl.Int128)
            big_e, big_y = (day - jan1).days + 1, (dec31 - jan1).days + 1
            r = Fraction(cp.below_rate)
            late = (start > jan1) & (start <= day)
            scaled = (paid.cast(pl.Int128) * i * big_e * r.denominator
                      < budget.cast(pl.Int128) * e * big_y * r.numerator)
            hit = rows.filter(pl.when(start > day).then(False).when(late).then(scaled)
                              .otherwise(below(paid, budget, cp.below_rate)))
            pct = (2 * 1000 * r.numerator * e * big_y + r.denominator * i * big_e) // (2 * r.denominator * i * big_e)
            shown = (pct // 10).cast(pl.String) + "." + (pct % 10).cast(pl.String)
            base = f"截至{day:%Y-%m-%d}预算执行率低于{(cp.below_rate * 100).normalize():f}%"
            text = pl.when(late).then(
                pl.lit(f"截至{day:%Y-%m-%d}预算执行率低于按实施期折算的 ") + shown + pl.lit("%（实施自 ")
                + pl.col("start_date").dt.strftime("%Y-%m-%d") + pl.lit(f" 起；全年为 {(cp.below_rate * 100).normalize():f}%）"))
            suffix = {"remind": "，提醒单位加快资金支付进度", "key_attention": "，列入重点关注台账"}
            if cp.action in suffix:
                return self.findings(hit, cp.action, text.otherwise(pl.lit(base)) + pl.lit(suffix[cp.action]),
                                     assumed=assumed)
            text = base
        else:
            hit = rows.filter(paid < budget)
            text = f"截至{day:%Y-%m-%d}仍有未支出资金"
        if cp.action == "reclaim_candidate":
            ledger = month_end(year, cp.ledger_month)
            hit = rows.filter((pl.col("_paid_ledger") == 0) & (paid < budget))
            head = (f"{ledger:%Y-%m-%d}仍未破零、已列入重点关注台账，截至{day:%Y-%m-%d}仍有 ")
            tail = (f" 元未支付：请财政部门判断能否在{year}年底前完成支付，预计确实无法完成支付的，"
                    f"按照有关规定收回统筹用于亟需支持的领域（本结论不收回资金）")
            msg = pl.lit(head) + yuan_text_expr(budget - paid) + pl.lit(tail) + fund_note()
            return self.findings(hit, "reclaim_candidate", msg, budget_year=year, applies_to="unspent_balance",
                                 assumed=assumed)
        if cp.action == "reclaim_funds":
            hit = hit.filter(paid < budget)
            if cp.ledger_month is not None:
                ledger = month_end(year, cp.ledger_month)
                hit = hit.filter(pl.col("_paid_ledger") == 0)
                text = (f"{ledger:%Y-%m-%d}仍未破零、列入重点关注台账，截至{day:%Y-%m-%d}仍未支出 "
                        f"{{}} 元，年底前未能完成支付：由财政部门按照有关规定（结转结余管理）核定后收回{year}年度该笔资金统筹使用")
                head, tail = text.split("{}")
                msg = pl.lit(head) + yuan_text_expr(budget - paid) + pl.lit(tail) + fund_note()
            else:
                msg = pl.lit(text + "，年底前确实无法支付的资金由财政收回统筹") + fund_note()
            return self.findings(hit, "reclaim_funds", msg, amount_fen=-(budget - paid),
                                 budget_year=year, applies_to="unspent_balance", assumed=assumed)
        suffix = {"remind": "，提醒单位加快资金支付进度", "key_attention": "，列入重点关注台账"}[cp.action]
        return self.findings(hit, cp.action, text + suffix, assumed=assumed)

    def _monthly(self, portfolio, as_of: dt.date, facts: pl.DataFrame) -> list[pl.DataFrame]:
        p = self.params
        if not p.monthly_for:
            return []
        month = as_of.month if as_of == month_end(as_of.year, as_of.month) else as_of.month - 1
        if month < 1 or month == 12:  # at the year's end no payment can be hurried: the year-end checks apply
            return []
        day = month_end(as_of.year, month)
        group = project_columns(facts.lazy().filter((pl.col("fiscal_year") == as_of.year)
                                                    & pl.col("category").is_in(p.monthly_for)), "budget_fen").collect()
        rows = group.with_columns(for_projects(spent_by(self, portfolio, facts, day), group))
        pace = Fraction(p.monthly_pace) * month / 12  # exact: 0.8 × 5/12 stays 1/3
        hit = rows.filter(below(pl.col("_paid"), pl.col("budget_fen"), pace))
        shown = (Decimal(pace.numerator) * 100 / Decimal(pace.denominator)).quantize(Decimal("0.1"))
        elapsed = (Decimal(month) * 100 / 12).quantize(Decimal("0.1"))
        text = (f"重点监控：截至{day:%Y-%m-%d}支出进度低于应达到的 {shown}%（时间进度 {elapsed}% 的 "
                f"{(Decimal(p.monthly_pace) * 100).normalize():f}%），提醒加快支付")
        return [self.findings(hit, "remind", text, assumed=self.is_assumed("monthly_pace", "monthly_for"))]
