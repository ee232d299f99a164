"""One province-wide portfolio, each 财政区划 (``division``, 一体化 ``MOF_DIV_CODE``) under its own pack.

A division map says which pack runs which division: ``CODE=PACK`` pairs, or a file of them (TOML
``[divisions]`` table, or CSV with the columns 财政区划代码 and 规则包), ``*`` for every division
not named (and projects with no division). Nothing is guessed: a division the map does not name,
with no ``*``, stops the run with the divisions and their project counts listed. Each division's
projects run as a portfolio of their own, so rules that compare projects (rankings, a department's
total) compare within the division only.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from typing import Callable

import attrs
import polars as pl

from jixiao.core.errors import JixiaoError

ANY = "*"  # the pack of every division not named
NONE_LABEL = "未填"


@attrs.frozen
class DivisionRun:
    division: str | None  # None: projects with no 财政区划
    pack_ref: str
    result: object  # engine.RunResult
    projects: int

    @property
    def label(self) -> str:
        return self.division if self.division is not None else NONE_LABEL


def parse_map(entries: tuple[str, ...] | list[str]) -> dict[str, str]:
    """``CODE=PACK`` pairs and map files, in order (a later entry for a code is an error)."""
    mapping: dict[str, str] = {}
    where: dict[str, str] = {}

    def add(code: str, pack: str, origin: str) -> None:
        code, pack = code.strip(), pack.strip()
        if not code or not pack:
            raise JixiaoError(f"{origin}：财政区划代码和规则包都要写（写的是 {code!r} = {pack!r}）")
        if code in mapping and mapping[code] != pack:
            raise JixiaoError(f"{origin}：财政区划 {code} 已在 {where[code]} 对应规则包 {mapping[code]}，"
                              f"这里又写了 {pack}")
        mapping[code], where[code] = pack, origin

    for entry in entries:
        path = Path(entry)
        if "=" in entry and not path.exists():
            code, _, pack = entry.partition("=")
            add(code, pack, f"--pack-for-division {entry}")
        elif path.suffix.lower() == ".toml":
            for code, pack in _toml_map(path).items():
                add(code, pack, f"{path}，键 divisions.{code}")
        elif path.suffix.lower() == ".csv":
            for row, (code, pack) in _csv_map(path):
                add(code, pack, f"{path}，第 {row} 行")
        else:
            raise JixiaoError(f"--pack-for-division {entry}：应写 区划代码=规则包（如 360102=nanchang），"
                              f"或 .toml / .csv 对照文件")
    return mapping


def _toml_map(path: Path) -> dict[str, str]:
    import tomli

    try:
        doc = tomli.loads(path.read_bytes().decode("utf-8"))
    except OSError as exc:
        raise JixiaoError(f"{path}：无法读取：{exc.strerror}") from None
    except UnicodeDecodeError:
        raise JixiaoError(f"{path}：对照文件须为 UTF-8 文本") from None
    except tomli.TOMLDecodeError as exc:
        raise JixiaoError(f"{path}：TOML 语法错误（第 {exc.lineno} 行第 {exc.colno} 列）："
                          f"{getattr(exc, 'msg', exc)}") from None
    table = doc.get("divisions")
    if not isinstance(table, dict) or set(doc) != {"divisions"}:
        raise JixiaoError(f"{path}：应只有一个 [divisions] 表，每行 \"区划代码\" = \"规则包\"")
    bad = next(((k, v) for k, v in table.items() if not isinstance(v, str)), None)
    if bad:
        raise JixiaoError(f"{path}，键 divisions.{bad[0]}：规则包应写成文字（id、文件或名称），写的是 {bad[1]!r}")
    return dict(table)


def _csv_map(path: Path) -> list[tuple[int, tuple[str, str]]]:
    from jixiao.core.load import decode

    try:
        data = path.read_bytes()
    except OSError as exc:
        raise JixiaoError(f"{path}：无法读取：{exc.strerror}") from None
    text = decode(data, str(path))
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        raise JixiaoError(f"{path}：文件是空的；应有表头 财政区划代码,规则包")
    head = [h.strip().lstrip("\ufeff") for h in rows[0]]
    twice = next((h for i, h in enumerate(head) if h and h in head[:i]), None)
    if twice:
        raise JixiaoError(f"{path}：表头中“{twice}”写了两次；请只保留一列")
    names = {"财政区划代码": "code", "MOF_DIV_CODE": "code", "division": "code", "规则包": "pack", "pack": "pack"}
    cols = {names[h]: i for i, h in enumerate(head) if h in names}
    if set(cols) != {"code", "pack"}:
        raise JixiaoError(f"{path}：表头应为 财政区划代码,规则包（写的是 {','.join(head)}）")
    out = []
    for n, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue
        if len(row) <= max(cols.values()):
            raise JixiaoError(f"{path}，第 {n} 行：少了列（值：{','.join(row)}）")
        out.append((n, (row[cols["code"]], row[cols["pack"]])))
    return out


def plan(projects: pl.DataFrame, mapping: dict[str, str]) -> list[tuple[str | None, str, list[str]]]:
    """(division, pack, project ids) for every division of the portfolio, in code order (projects
    with no division last); a division with no pack is an error listing every such division."""
    division = projects["division"] if "division" in projects.columns else pl.Series([None] * projects.height,
                                                                                     dtype=pl.String)
    groups = (pl.DataFrame({"division": division, "project_id": projects["project_id"]})
              .group_by("division", maintain_order=True).agg(pl.col("project_id"))
              .sort("division", nulls_last=True))
    unmapped = [(d, len(ids)) for d, ids in groups.iter_rows()
                if (d is None or d not in mapping) and ANY not in mapping]
    if unmapped:
        listed = "、".join(f"{d if d is not None else NONE_LABEL}（{n} 个项目）" for d, n in unmapped)
        raise JixiaoError(f"--pack-for-division：这些财政区划没有对应的规则包：{listed}；"
                          f"为它们写明规则包（区划代码=规则包），或用 *=规则包（或 --pack）指定其余区划的规则包")
    # A code the data does not have is a typo or the wrong file: said, never run under the default.
    unused = sorted(set(mapping) - {ANY} - {d for d in groups["division"] if d is not None})
    if unused:
        raise JixiaoError(f"--pack-for-division：项目数据中没有这些财政区划代码：{'、'.join(unused)}"
                          f"（数据中有：{'、'.join(d for d in groups['division'] if d is not None) or '无'}）")
    if not set(mapping) - {ANY} and "division" in projects.columns and projects["division"].null_count() < projects.height:
        raise JixiaoError("--pack-for-division：对照中没有任何财政区划代码；只用一个规则包时请写 --pack")
    return [(d, mapping.get(d, mapping.get(ANY)) if d is not None else mapping[ANY], ids)
            for d, ids in groups.iter_rows()]


def run_divisions(portfolio, mapping: dict[str, str], as_of: dt.date, load_pack: Callable[[str], object],
                  run: Callable[[object, object], object]) -> list[DivisionRun]:
    """Each division's projects run under its pack: ``load_pack(ref)`` gives the pack, ``run(pack,
    portfolio)`` the result. Packs are loaded once each, before anything runs (a bad pack stops the
    whole run before any work)."""
    steps = plan(portfolio.projects, mapping)
    packs = {ref: load_pack(ref) for ref in dict.fromkeys(ref for _, ref, _ in steps)}
    runs = []
    for division, ref, ids in steps:
        part = portfolio if len(steps) == 1 else portfolio.subset(ids)
        runs.append(DivisionRun(division, ref, run(packs[ref], part), len(ids)))
    return runs


SCHEMA = "jixiao.run-divisions/1"


def write_json(runs: list[DivisionRun], as_of: dt.date, out) -> None:
    """One document: the as-of date and, per division, the run document of its pack (schema
    ``jixiao.run/1``, docs/formats.md) with the division it is about."""
    import json

    from jixiao.core.outputs import run as output

    out.write(json.dumps({"schema": SCHEMA, "as_of": as_of.isoformat()}, ensure_ascii=False, indent=2)[:-2]
              + ',\n  "divisions": [')
    for i, r in enumerate(runs):
        buf = io.StringIO()
        output.write_json(r.result, r.projects, buf)
        doc = buf.getvalue().rstrip("\n")
        doc = "{\n" + f'  "division": {json.dumps(r.division, ensure_ascii=False)},' + doc[1:]
        out.write(("\n" if i == 0 else ",\n") + "\n".join("    " + line for line in doc.split("\n")))
    out.write("\n  ]\n}\n" if runs else "]\n}\n")


def findings_table(runs: list[DivisionRun]) -> pl.DataFrame:
    """Every division's findings (``output.findings_table``), the division first."""
    from jixiao.core.outputs import run as output

    parts = [output.findings_table(r.result).select(pl.lit(r.division, pl.String).alias("division"), pl.all())
             for r in runs]
    return pl.concat(parts, how="vertical_relaxed") if parts else pl.DataFrame()


def write_xlsx(runs: list[DivisionRun], as_of: dt.date, path: Path, progress=None, keyed: bool = False) -> None:
    """A 汇总 sheet with each division's pack, counts and amounts, and one 结论 sheet of every
    division's findings with 财政区划代码 and 规则包 columns in front (``output.write_xlsx``'s columns)."""
    from jixiao.core.outputs import run as output
    from jixiao.core.actions import ACTIONS
    from jixiao.core.outputs.files import write_atomic
    from jixiao.core.outputs.workbook import Book, Column

    total = sum(r.result.decisions.height for r in runs)
    if total > output.XLSX_MAX_ROWS:
        raise JixiaoError(f"{path}：{total:,} 条结论超出一张 XLSX 工作表的容量"
                          f"（最多 {output.XLSX_MAX_ROWS:,} 行）；请改写 --format csv 或 json")
    rows = [("基准日期", as_of.isoformat(), "text")]
    frames, columns = [], None
    for r in runs:
        s = output.summary(r.result)
        head = f"财政区划 {r.label}"
        rows += [(f"{head} · 规则包", f"{r.result.pack.meta.name}（{r.result.pack.id}）", "text"),
                 (f"{head} · 项目数", r.projects, "count"), (f"{head} · 结论条数", s["findings"], "count")]
        rows += [(f"{head} · {g['budget_year'] or ''}年度 {g['applies_to_zh'] or ''} {g['action_zh']}(元)",
                  g["amount_fen"], "yuan") for g in s["budget_effect_by_year"]]
        rows += [(f"{head} · {ACTIONS[k].zh}（条）", v, "count") for k, v in s["by_action"].items()]
        if keyed:  # the 一体化 system's keys in front (core/yth.py)
            from jixiao.core.outputs import yth

            frame, columns = yth.xlsx_columns(r.result, r.division)
        else:
            frame, columns = output.xlsx_columns(r.result)
        frames.append(frame.with_columns(pl.lit(r.label).alias("_division"),
                                         pl.lit(r.result.pack.meta.name).alias("_pack_name")))
    frame = pl.concat(frames, how="vertical_relaxed")
    front = [Column("规则包", pl.col("_pack_name"))] if keyed else [Column("财政区划代码", pl.col("_division")),
                                                                  Column("规则包", pl.col("_pack_name"))]
    columns = [*columns[:4], *front, *columns[4:]] if keyed else [*front, *columns]

    def write(p: Path) -> None:
        with Book(p) as book:
            book.pairs("汇总", rows)
            book.table("结论", frame, columns, freeze_columns=3, progress=progress)

    write_atomic(path, write)
