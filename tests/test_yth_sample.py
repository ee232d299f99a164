"""``jixiao sample --shape yth``: the sample in the 一体化 system's shape (element names as headers,
several 财政区划), read back as it is and run per division."""

from __future__ import annotations

import csv
import json

from jixiao.core.yth import DIVISIONS


def _header(path):
    with open(path, encoding="utf-8") as fh:
        return next(csv.reader(fh))


def test_yth_sample_reads_back_and_runs_per_division(cli, tmp_path):
    folder = tmp_path / "province"
    res = cli("sample", "--shape", "yth", "--projects", "60", "--seed", "5", "-o", folder)
    assert res.exit_code == 0, res.output
    head = _header(folder / "projects.csv")
    assert head[:5] == ["PRO_CODE", "PRO_NAME", "DEPT_NAME", "FISCAL_YEAR", "MOF_DIV_CODE"]
    assert {"CUR_AMT", "YEAR_EXE_AMT"} <= set(head)
    assert {"LV1_PERF_IND_NAME", "KPI_VAL", "IND_COMP"} <= set(_header(folder / "indicators.csv"))
    assert "TOTAL_EVAL_VALUE" in _header(folder / "evaluations.csv")
    with open(folder / "indicators.csv", encoding="utf-8") as fh:
        assert {r["LV1_PERF_IND_NAME"] for r in csv.DictReader(fh)} <= {"产出指标", "效益指标", "满意度指标", "成本指标"}
    with open(folder / "projects.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert {r["MOF_DIV_CODE"] for r in rows} == set(DIVISIONS)
    # Each department in one division.
    assert all(len({r["MOF_DIV_CODE"] for r in rows if r["DEPT_NAME"] == d}) == 1 for d in {r["DEPT_NAME"] for r in rows})

    args = [a for d, p in zip(DIVISIONS, ("nanchang", "tianyuan", "tongxin")) for a in ("--pack-for-division", f"{d}={p}")]
    run = cli("run", *args, "--as-of", "2025-03-31", "--format", "json", folder)
    assert run.exit_code == 0, run.output
    doc = json.loads(run.output)
    assert [d["division"] for d in doc["divisions"]] == list(DIVISIONS)
    assert sum(d["portfolio"]["projects"] for d in doc["divisions"]) == 60


def test_yth_sample_is_the_sample_with_other_headers(cli, tmp_path):
    """Same seed, same portfolio: the element-named folder loads to the tables the normal sample gives."""
    from jixiao.core.load import load_portfolio

    cli("sample", "--shape", "yth", "--projects", "40", "--seed", "9", "-o", tmp_path / "yth")
    cli("sample", "--projects", "40", "--seed", "9", "-o", tmp_path / "plain")
    a, b = load_portfolio(tmp_path / "yth"), load_portfolio(tmp_path / "plain")
    assert a.projects["division"].null_count() == 0 and b.projects["division"].null_count() == 40
    assert a.projects.drop("division").equals(b.projects.drop("division"))
    for name in ("indicators", "spending", "evaluations", "accountability"):
        assert a.table(name).equals(b.table(name)), name


def test_yth_shape_writes_a_folder_only(cli, tmp_path):
    res = cli("sample", "--shape", "yth", "-o", tmp_path / "p.xlsx")
    assert res.exit_code == 2 and "文件夹" in res.output


def test_findings_keyed_for_the_system(cli, tmp_path):
    """--headers yth: findings keyed by MOF_DIV_CODE, FISCAL_YEAR, PRO_CODE (the project's own), every
    other header and label Chinese — no action codes — in CSV and XLSX, single and per-division runs."""
    import openpyxl

    from jixiao.core.actions import ACTIONS

    folder = tmp_path / "province"
    cli("sample", "--shape", "yth", "--projects", "60", "--seed", "5", "-o", folder)
    with open(folder / "projects.csv", encoding="utf-8") as fh:
        division = {r["PRO_CODE"]: (r["MOF_DIV_CODE"], r["FISCAL_YEAR"]) for r in csv.DictReader(fh)}
    single = cli("run", "--pack", "nanchang", "--as-of", "2025-03-31", "--format", "csv", "--headers", "yth", folder)
    per = cli("run", "--pack-for-division", "360100=nanchang", "--pack", "national", "--as-of", "2025-03-31",
              "--format", "csv", "--headers", "yth", folder)
    for res in (single, per):
        assert res.exit_code == 0, res.output
        rows = list(csv.DictReader(res.output.splitlines()))
        assert list(rows[0])[:4] == ["MOF_DIV_CODE", "FISCAL_YEAR", "PRO_CODE", "PRO_NAME"]
        assert rows and all((r["MOF_DIV_CODE"], r["FISCAL_YEAR"]) == division[r["PRO_CODE"]] for r in rows)
        assert not {r["处理"] for r in rows} & set(ACTIONS)  # Chinese labels, not codes
    target = tmp_path / "keyed.xlsx"
    assert cli("run", "--pack", "tongxin", "--as-of", "2025-03-31", "--headers", "yth", "-o", target, folder).exit_code == 0
    head = next(openpyxl.load_workbook(target, read_only=True)["结论"].iter_rows(max_row=1, values_only=True))
    assert head[:4] == ("MOF_DIV_CODE", "FISCAL_YEAR", "PRO_CODE", "PRO_NAME")
    bad = cli("run", "--pack", "tongxin", "--as-of", "2025-03-31", "--headers", "en", "-o", tmp_path / "x.xlsx", folder)
    assert bad.exit_code == 2 and not (tmp_path / "x.xlsx").exists()
