"""Converting raw text tables to the typed portfolio: header mapping, the unit of amounts, total rows,
every column converted at once and every problem collected with file, sheet, row, column and value
before anything is raised."""

from __future__ import annotations

import difflib

import attrs
import polars as pl

from jixiao.core import money
from jixiao.core.errors import InputError, Problem
from jixiao.core.load.checks import _cross_checks
from jixiao.core.load.columns import MAX_PER_COLUMN, ROW, UNIT_NAMES, _DTYPES, _amount_text, _more, _shown, converted_name
from jixiao.core.load.id_runs import IdRuns
from jixiao.core.load.index import _derive
from jixiao.core.load.model import Origin, Portfolio
from jixiao.core.load.raw import _Raw, _header_index, _map_headers, _normalise_header
from jixiao.core.load.read_csv import _read_csv
from jixiao.core.load.read_other import _convert_typed
from jixiao.core.load.values import _column_expr, _iso_date_expr, _iso_dates, _plain_numbers, _structural_checks, _total_rows
from jixiao.core.schema import Column, Table, TABLES


# Below 1 万元 in every row, amounts under a header with no unit are more likely 万元 than 元.
PLAUSIBLE_MIN_FEN = 10_000 * money.FEN_PER_YUAN


def _convert(raws: list[_Raw], warnings: list[Problem] | None = None, amounts_in: str | None = None) -> Portfolio:
    unit = UNIT_NAMES.get(amounts_in) if amounts_in else None
    if amounts_in and unit is None:
        raise InputError([Problem("--amounts-in", "金额单位只能是 元 或 万元", value=amounts_in)])
    problems: list[Problem] = list(warnings or ())
    frames: dict[str, pl.DataFrame] = {}
    origins: dict[str, Origin] = {}
    runs: dict[str, IdRuns] = {}  # typed detail tables read without their ids
    for raw in raws:
        if raw.table in frames:
            problems.append(Problem(raw.origin.file, f"{TABLES[raw.table].zh}表（{raw.table}）给出了两次",
                                    raw.origin.sheet))
            continue
        stated = _stated_unit(raw, unit, problems)
        frame = (_convert_typed(TABLES[raw.table], raw, problems) if raw.typed
                 else _convert_table(TABLES[raw.table], raw, problems, stated))
        if frame is not None:
            frames[raw.table] = frame
            if raw.id_runs is not None:
                runs[raw.table] = raw.id_runs
            mapping, units = ({}, {}) if raw.typed else _map_headers(TABLES[raw.table], raw.frame.columns)[:2]
            units = {k: (u or stated or "yuan") for k, u in units.items() if TABLES[raw.table].column(k).kind == "money"}
            origins[raw.table] = attrs.evolve(raw.origin, headers={v: k for k, v in mapping.items()}, units=units)
    if not problems or all(p.severity == "warning" for p in problems):
        frames = _cross_checks(frames, origins, problems, runs)
    errors = [_merged_hint(p, raws) for p in problems if p.severity == "error"]
    if errors:
        raise InputError(errors)
    frames = _derive(frames, "target_status" in _present_columns(raws, "projects"))
    return Portfolio.from_frames(frames, origins, tuple(p for p in problems if p.severity == "warning"))


def _stated_unit(raw: _Raw, amounts_in: str | None, problems: list[Problem]) -> str | None:
    """The unit of the table's amount columns whose header states none: ``--amounts-in``, or the
    unit a row above the sheet's header states (单位：万元). The two must agree, and a header that
    states a unit must agree with the row."""
    if raw.unit is None or raw.typed:
        return amounts_in
    zh = {"wan": "万元", "yuan": "元"}
    file, sheet = raw.origin.file, raw.origin.sheet
    if amounts_in is not None and amounts_in != raw.unit:
        problems.append(Problem(file, f"表头上方写明“单位：{zh[raw.unit]}”，但 --amounts-in 是 {zh[amounts_in]}："
                                      "请核对金额的单位，只保留一种说法", sheet))
        return amounts_in
    table = TABLES[raw.table]
    mapping, units, _ = _map_headers(table, raw.frame.columns)
    written = {h: n for h, n in mapping.items()}
    for h, name in written.items():
        if table.column(name).kind == "money" and units.get(name) not in ("", raw.unit):
            problems.append(Problem(file, f"表头上方写明“单位：{zh[raw.unit]}”，但这一列的表头写的是{zh[units[name]]}："
                                          "请核对金额的单位，只保留一种说法", sheet, column=h))
    unstated = [h for h, name in written.items() if table.column(name).kind == "money" and units.get(name) == ""]
    if unstated:
        problems.append(Problem(file, f"表头上方写明“单位：{zh[raw.unit]}”：未写单位的金额列（{'、'.join(unstated)}）"
                                      f"按{zh[raw.unit]}读取", sheet, severity="warning"))
    return raw.unit


def _merged_hint(problem: Problem, raws: list[_Raw]) -> Problem:
    """A problem at a cell inside a merged range (below its first cell, which alone holds the
    value) says so: an empty cell there is what merging leaves."""
    if problem.row is None or problem.column is None:
        return problem
    for raw in raws:
        o = raw.origin
        if o.merged and o.file == problem.file and o.sheet == problem.sheet:
            for r1, r2 in o.merged.get(problem.column, ()):
                if r1 < problem.row <= r2:
                    return attrs.evolve(problem, message=problem.message + f"；这个单元格在合并单元格（第 {r1}–{r2} 行）"
                                        "中，只有第一格有值：请取消合并，并把值填入每一行（向下填充）")
    return problem


def _present_columns(raws: list[_Raw], table: str) -> set[str]:
    for raw in raws:
        if raw.table == table:
            return set(raw.frame.columns) if raw.typed else set(_map_headers(TABLES[table], raw.frame.columns)[0].values())
    return set()


def _missing_hint(col: Column, unknown: list[str]) -> str:
    """What to write for a missing column: its 万元 form for an amount, and which of the columns the
    table has but jixiao does not know (预算数(万元), 年初预算数（万元）, 预算金额（万）) looks like it."""
    hint = ""
    if col.kind == "money":
        hint = f"；金额以万元计时写作 {col.wan_headers()[1]}"
    unitless = {_normalise_header(h) for h in col.unitless}
    for h in unknown:
        if _normalise_header(h) in unitless:
            return (f"{hint}。表中的“{_shown(h)}”没有写明金额单位（填报表中通常以万元计）：请把表头改为 "
                    f"{col.wan_headers()[1]} 或 {col.zh}")
    accepted = [_normalise_header(h) for h in (*col.headers(), *col.wan_headers())]
    best, score = None, 0.6
    for h in unknown:
        ratio = max(difflib.SequenceMatcher(None, _normalise_header(h), a).ratio() for a in accepted)
        if ratio > score:
            best, score = h, ratio
    if best is not None:
        name = col.wan_headers()[1] if col.kind == "money" and "万" in best else col.zh
        hint += f"。表中的“{_shown(best)}”如果就是这一列，请把表头改为 {name}"
    return hint


def _check_totals(table: Table, typed: pl.DataFrame, totals: pl.Series, flagged: set[str], file: str,
                  sheet: str | None, headers: dict[str, str], units: dict[str, str], problems: list[Problem]) -> None:
    """A total row is skipped, with a warning, when each amount it holds equals the sum of the other
    rows' (an amount column with a bad cell cannot be summed: the row is then refused with the rest);
    otherwise it is an error saying what it looks like and what it should be."""
    money_cols = [c for c in table.columns if c.kind == "money" and c.name in headers]
    is_total = pl.col(ROW).is_in(totals.implode())
    rest = typed.filter(~is_total)
    for r in typed.filter(is_total).iter_rows(named=True):
        checked, wrong = [], []
        for c in money_cols:
            value = r[converted_name(c)]
            if value is None or c.name in flagged:
                continue
            total = rest[converted_name(c)].sum() or 0
            (checked if value == total else wrong).append((headers[c.name], value, total, units.get(c.name)))
        if checked and not wrong:
            problems.append(Problem(file, "这一行是合计行（" + "、".join(w[0] for w in checked) + " 等于其余各行之和），"
                                          "不作为" + ("项目" if table.name == "projects" else "支付记录") + "读取",
                                    sheet, r[ROW], severity="warning"))
        elif wrong:
            h, value, total, unit = wrong[0]
            zh = "万元" if unit == "wan" else "元"
            problems.append(Problem(file, f"这一行看起来是合计行，但 {h} {_amount_text(value, unit)} {zh} 不等于其余各行之和 "
                                          f"{_amount_text(total, unit)} {zh}：请删除这一行（或核对各行金额）", sheet, r[ROW],
                                    h, _amount_text(value, unit)))
        else:
            problems.append(Problem(file, "这一行看起来是合计行，但没有可以核对的金额：请删除这一行", sheet, r[ROW]))


def _convert_table(table: Table, raw: _Raw, problems: list[Problem], amounts_in: str | None = None
                   ) -> pl.DataFrame | None:
    """``amounts_in`` ("yuan"/"wan"): the unit of amount columns whose header states none."""
    file, sheet = raw.origin.file, raw.origin.sheet
    mapping, units, unknown = _map_headers(table, raw.frame.columns)
    unstated = [n for n, u in units.items() if u == "" and table.column(n).kind == "money"]
    units |= dict.fromkeys(unstated, amounts_in or "")
    index = _header_index(table)
    for h in unknown:
        close = difflib.get_close_matches(_normalise_header(h), list(index), n=1, cutoff=0.6)
        hint = f"；是否想写“{_shown(close[0])}”？" if close else ""
        problems.append(Problem(file, f"未知的列，未读取{hint}", sheet, column=_shown(h), severity="warning"))
    seen: dict[str, str] = {}
    clashes = False
    for h, name in mapping.items():
        if name in seen:
            problems.append(Problem(file, f"列 {seen[name]!r} 和 {h!r} 都对应 {table.column(name).zh}；请只保留一列",
                                    sheet, column=h))
            clashes = True
        seen[name] = h
    missing = [c for c in table.columns if c.required and c.name not in seen]
    for c in missing:
        # No column to name (the file has none): the message names the header to write.
        problems.append(Problem(file, f"缺少必填列 {c.zh}（{c.name}）" + _missing_hint(c, unknown), sheet))
    if missing or clashes:
        return None
    if raw.fast is not None:  # a clean CSV file, converted as it was read (``fast_csv``)
        typed = raw.fast.finish(units)
        if typed is not None:
            _unstated_units(table, typed, unstated, seen, amounts_in, file, sheet, problems)
            return typed
        raw = attrs.evolve(raw, frame=_read_csv(raw.fast.path, raw.fast.skip), fast=None)  # a cell to name
    if raw.frame.height == 0 and table.name == "projects":
        problems.append(Problem(file, "表中没有数据行", sheet))
        return None
    frame = raw.frame.select(ROW, *(pl.col(h).alias(n) for h, n in mapping.items()))
    text = frame.with_columns(pl.col(c).str.strip_chars() for c in frame.columns if c != ROW)
    exprs, checks, stages = [pl.col(ROW)], [], [[], [], [], []]
    for col in table.columns:
        if col.name not in seen:
            exprs.append(pl.lit(col.default, dtype=_DTYPES[col.kind]).alias(converted_name(col)))
            continue
        iso = _iso_dates(text, col.name) if col.kind == "date" else None
        if iso is not None:  # parsed once, here: every cell is YYYY-MM-DD or empty
            _, bad, why = _iso_date_expr(col)
            value, helper = pl.lit(iso), []
        else:
            plain = col.kind in ("money", "score", "decimal") and _plain_numbers(text, col.name)
            value, bad, why, helper = _column_expr(col, units.get(col.name, ""), plain)
        for i, step in enumerate(helper):
            stages[i] += step
        exprs.append(value.alias(converted_name(col)))
        if bad is not None:
            checks.append((col, bad.alias(f"bad:{col.name}"), why, seen[col.name]))
        for i, (extra, extra_why) in enumerate(_structural_checks(col, value)):
            checks.append((col, extra.alias(f"bad:{col.name}:{i}"), extra_why, seen[col.name]))
    staged = text
    for step in stages:
        if step:
            staged = staged.with_columns(step)
    typed = staged.select(*exprs, *(b for _, b, _, _ in checks))
    totals = _total_rows(table, text)
    if totals is not None:  # checked, then dropped: never a project or a payment
        counted = typed.filter(~pl.col(ROW).is_in(totals.implode()))
        bad_cols = {col.name for col, bad, _, _ in checks if counted[bad.meta.output_name()].any()}
        _check_totals(table, typed, totals, bad_cols, file, sheet, seen, units, problems)
        typed = counted
    for col, bad, why, header in checks:
        flagged = typed.filter(pl.col(bad.meta.output_name()))
        if flagged.height:
            rows = flagged[ROW].to_list()
            values = text.filter(pl.col(ROW).is_in(pl.Series(rows[:MAX_PER_COLUMN]).implode()))[col.name].to_list()
            for r, v in zip(rows[:MAX_PER_COLUMN], values):
                problems.append(Problem(file, why, sheet, r, header, _shown(v)))
            if len(rows) > MAX_PER_COLUMN:
                problems.append(_more(file, len(rows) - MAX_PER_COLUMN, sheet, header))
    _unstated_units(table, typed, unstated, seen, amounts_in, file, sheet, problems)
    return typed.select(pl.all().exclude("^bad:.*$"))


def _unstated_units(table: Table, typed: pl.DataFrame, unstated: list[str], seen: dict[str, str],
                    amounts_in: str | None, file: str, sheet: str | None, problems: list[Problem]) -> None:
    """Amount columns whose header states no unit, when nothing else states it: refused in a
    table with ``strict_units``, else checked for plausibility (``_unit_problems``)."""
    if amounts_in is None and table.strict_units:
        for n in unstated:
            col = table.column(n)
            base = col.zh.replace("(元)", "")
            problems.append(Problem(file, f"表头未写明金额单位：请把列名改为 {base}(万元) 或 {col.zh}，"
                                          "或在表头上方写明“单位：万元”，或运行时加 --amounts-in 万元（或 元）；"
                                          "金额单位不明时不予读取", sheet, column=seen[n]))
    elif amounts_in is None:
        problems += _unit_problems(typed, [(table.column(n), seen[n]) for n in unstated], file, sheet)


def _unit_problems(typed: pl.DataFrame, unstated: list[tuple[Column, str]], file: str,
                   sheet: str | None) -> list[Problem]:
    """An amount column whose header states no unit is read as 元 — unless every amount in it is
    below 1 万元 (10 000 元) and one is not zero: 万元 figures read as 元 look exactly like that, so
    the user is asked to state the unit rather than have it guessed. Zeros and empty cells are the
    same in any unit and do not count."""
    found = []
    for col, header in unstated:
        largest = typed[converted_name(col)].max()
        if largest is not None and 0 < largest < PLAUSIBLE_MIN_FEN:
            base = col.zh.replace("(元)", "")
            found.append(Problem(
                file, f"表头未写明金额单位，而且每个金额都小于 10,000 元（最大的是 {money.format_yuan(largest)}）："
                      f"如果金额以万元计，请把列名改为 {base}(万元)，或运行时加 --amounts-in 万元；"
                      f"如果以元计，请改为 {col.zh}，或加 --amounts-in 元",
                sheet, column=header))
    return found
