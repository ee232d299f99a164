"""The command line as a user runs it: outputs, exit codes, messages without tracebacks."""

from __future__ import annotations

import json

import openpyxl
import pytest

from jixiao.core.sample import generate

from jixiao.core.outputs.portfolio_files import write_portfolio
from jixiao.core.pack import Pack
from jixiao.core.registry import Registry


@pytest.fixture(scope="module")
def folio(tmp_path_factory):
    return write_portfolio(generate(60, seed=11), tmp_path_factory.mktemp("folio") / "portfolio.xlsx")


def test_json_output_is_byte_identical_and_documented(cli, folio, tmp_path):
    outs = []
    for name in ("a.json", "b.json"):
        res = cli("run", "--pack", "national", "--as-of", "2025-03-31", "--format", "json", "-o", tmp_path / name, folio)
        assert res.exit_code == 0, res.output
        outs.append((tmp_path / name).read_bytes())
    assert outs[0] == outs[1]
    doc = json.loads(outs[0])
    assert doc["schema"] == "jixiao.run/1" and doc["portfolio"] == {"projects": 60}
    assert list(doc) == ["schema", "pack", "as_of", "portfolio", "summary", "not_in_force", "findings"]
    first = doc["findings"][0]
    assert list(first) == ["project_id", "stage", "rule", "plugin", "action", "action_zh", "amount_fen", "amount_yuan",
                           "due_date", "budget_year", "applies_to", "applies_to_zh", "grade", "score", "source",
                           "clause", "assumed", "message"]
    total = sum(f["amount_fen"] for f in doc["findings"] if f["amount_fen"] is not None)
    assert doc["summary"]["budget_effect_fen"] == total


@pytest.mark.parametrize("chunk", [5, 100_000])
def test_json_findings_are_the_run_findings(registry, monkeypatch, chunk):
    import datetime as dt

    from jixiao.core.outputs import json_rows, run as output
    from jixiao.core.actions import ACTIONS, OBJECTS
    from jixiao.core.engine import run
    from jixiao.core.money import fen_to_yuan_str
    from jixiao.core.pack import Pack

    monkeypatch.setattr(json_rows, "CHUNK", chunk)  # several chunks, and one
    seen = []
    for pack_id in ("tianyuan", "nanchang"):  # due dates in one, amounts in the other
        result = run(Pack.load(pack_id, registry), generate(60, seed=11), dt.date(2025, 3, 31))
        doc = json.loads(output.to_json(result, 60))
        grades = {r["project_id"]: (r["grade"], f"{r['score_c'] // 100}.{r['score_c'] % 100:02d}")
                  for r in result.facts.iter_rows(named=True) if r["score_c"] is not None}
        expected = [{"project_id": r["project_id"], "stage": r["stage"], "rule": r["rule"], "plugin": r["plugin"],
                     "action": r["action"], "action_zh": ACTIONS[r["action"]].zh, "amount_fen": r["amount_fen"],
                     "amount_yuan": fen_to_yuan_str(r["amount_fen"]) if r["amount_fen"] is not None else None,
                     "due_date": r["due_date"].isoformat() if r["due_date"] else None,
                     "budget_year": r["budget_year"], "applies_to": r["applies_to"],
                     "applies_to_zh": OBJECTS[r["applies_to"]].zh if r["applies_to"] else None,
                     "grade": grades.get(r["project_id"], (None, None))[0],
                     "score": grades.get(r["project_id"], (None, None))[1], "source": r["source"],
                     "clause": r["clause"], "assumed": r["assumed"], "message": r["message"]}
                    for r in result.findings.iter_rows(named=True)]
        assert doc["findings"] == expected
        seen += expected
    assert any(f["due_date"] for f in seen) and any(f["amount_fen"] for f in seen)
    assert any(f["budget_year"] for f in seen) and any(f["grade"] for f in seen)


def test_written_files_get_the_usual_permissions(cli, folio, tmp_path):
    import os
    import stat

    mask = os.umask(0o022)
    try:
        res = cli("run", "--pack", "national", "--as-of", "2025-03-31", "--format", "csv", "-o", tmp_path / "f.csv", folio)
    finally:
        os.umask(mask)
    assert res.exit_code == 0, res.output
    assert stat.S_IMODE((tmp_path / "f.csv").stat().st_mode) == 0o644  # not the temporary file's 0600


def test_xlsx_refuses_more_findings_than_a_sheet_holds(registry, monkeypatch, tmp_path):
    import datetime as dt

    from jixiao.core.outputs import run as output
    from jixiao.core.engine import run
    from jixiao.core.errors import JixiaoError
    from jixiao.core.pack import Pack

    result = run(Pack.load("national", registry), generate(40, seed=2), dt.date(2025, 3, 31))
    monkeypatch.setattr(output, "XLSX_MAX_ROWS", result.decisions.height - 1)
    with pytest.raises(JixiaoError, match="超出一张 XLSX 工作表的容量"):
        output.write_xlsx(result, tmp_path / "f.xlsx")
    assert list(tmp_path.iterdir()) == []  # nothing half-written


def test_csv_and_xlsx_outputs(cli, folio, tmp_path):
    res = cli("run", "--pack", "national", "--as-of", "2025-03-31", "--format", "csv", "-o", tmp_path / "f.csv", folio)
    assert res.exit_code == 0
    raw = (tmp_path / "f.csv").read_bytes()
    assert raw.startswith("\ufeff项目编码,规则包,环节".encode())  # the XLSX's headers; --headers en: field names
    lines = raw.decode("utf-8-sig").splitlines()
    res = cli("run", "--pack", "national", "--as-of", "2025-03-31", "--format", "xlsx", "-o", tmp_path / "f.xlsx", folio)
    assert res.exit_code == 0
    wb = openpyxl.load_workbook(tmp_path / "f.xlsx")
    assert wb.sheetnames == ["汇总", "结论"]
    rows = list(wb["结论"].iter_rows(values_only=True))
    assert rows[0][:3] == ("项目编码", "项目名称", "主管部门")
    assert len(rows) == len(lines) + 1  # the same findings, header included, and the 合计 row
    summary = dict(r for r in wb["汇总"].iter_rows(values_only=True))
    assert summary["规则包标识"] == "national" and summary["结论条数"] == len(lines) - 1


def test_table_output_in_the_terminal(cli, folio):
    # Nanchang cuts the department's 2026 control figure: money that moves, in the money line.
    res = cli("run", "--pack", "nanchang", "--as-of", "2025-03-31", folio)
    assert res.exit_code == 0
    assert "金额影响 · 2026年度 部门项目预算控制数 · 扣减预算：" in res.output and "下年度预算影响" not in res.output
    assert "南昌市全面实施预算绩效管理规则" in res.output


def test_explain_shows_every_rule_and_the_nearest_change(cli, folio):
    res = cli("explain", "--pack", "national", "--project", "P2024000003", "--as-of", "2025-03-31", "--all", folio)
    assert res.exit_code == 0, res.output
    for rule in ("ex_ante", "targets", "evaluation", "budget_link"):
        assert rule in res.output
    assert "最近的等级变化" in res.output and ("分可达" in res.output or "分降为" in res.output)
    assert "项绩效指标" in res.output and "笔支出" in res.output  # what the portfolio holds on it


def test_explain_unknown_project(cli, folio):
    res = cli("explain", "--pack", "national", "--project", "P2024000999", "--as-of", "2025-03-31", folio)
    assert res.exit_code == 2 and "没有这个项目编码的项目" in res.output and "P2024000999" in res.output


def test_explain_several_projects_from_one_run(cli, folio):
    one = cli("explain", "--pack", "national", "--project", "P2024000004", "--as-of", "2025-03-31", folio)
    both = cli("explain", "--pack", "national", "--project", "P2024000003", "--project", "P2024000004",
               "--as-of", "2025-03-31", folio)
    assert both.exit_code == 0, both.output
    assert both.output.index("P2024000003") < both.output.index("P2024000004")
    assert both.output.endswith(one.output)  # the second explanation, as explained alone
    bad = cli("explain", "--pack", "national", "--project", "P2024000003", "--project", "P2024000999",
              "--as-of", "2025-03-31", folio)
    assert bad.exit_code == 2 and "P2024000999" in bad.output and "得出结论" not in bad.output  # nothing half-shown


def test_convert_writes_the_typed_form_that_runs_the_same(cli, folio, tmp_path):
    typed = tmp_path / "typed"
    res = cli("convert", folio, "-o", typed)
    assert res.exit_code == 0, res.output
    assert sorted(p.name for p in typed.iterdir()) == [f"{t}.parquet" for t in sorted(
        ("projects", "indicators", "spending", "evaluations", "accountability"))]
    runs = [cli("run", "--pack", "tongxin", "--as-of", "2025-03-31", "--format", "json", "-o", tmp_path / f"{n}.json", src)
            for n, src in (("xlsx", folio), ("typed", typed))]
    assert all(r.exit_code == 0 for r in runs)
    # The same findings, byte for byte (the output does not name its source).
    assert (tmp_path / "xlsx.json").read_bytes() == (tmp_path / "typed.json").read_bytes()


def test_convert_refuses_bad_input_and_writes_nothing(cli, folio, write, tmp_path):
    bad = write("bad.csv", "项目编码,项目名称\nA,n\n")
    res = cli("convert", bad, "-o", tmp_path / "out")
    assert res.exit_code == 2 and "缺少必填列" in res.output and "Traceback" not in res.output
    assert not (tmp_path / "out").exists() and not (tmp_path / "out.partial").exists()
    res = cli("convert", folio, "-o", tmp_path / "out.parquet")
    assert res.exit_code == 2 and "give a folder name" in res.output and not (tmp_path / "out.parquet").exists()
    keep = tmp_path / "mine"
    keep.mkdir()
    (keep / "notes.txt").write_text("not jixiao's")
    res = cli("convert", folio, "-o", keep)
    assert res.exit_code == 2 and "文件夹中有其他文件" in res.output and "notes.txt" in res.output
    assert (keep / "notes.txt").exists()
    res = cli("sample", "--projects", "5", "-o", keep)
    assert res.exit_code == 2 and (keep / "notes.txt").exists()
    assert cli("convert", folio, "-o", tmp_path / "again").exit_code == 0
    assert cli("convert", folio, "-o", tmp_path / "again").exit_code == 0  # its own output is replaced


def test_bad_portfolio_exits_2_without_traceback(cli, write):
    path = write("bad.csv", "项目编码,项目名称\nA,n\n")
    res = cli("run", "--pack", "national", "--as-of", "2025-03-31", path)
    assert res.exit_code == 2
    assert "缺少必填列 主管部门" in res.output and "Traceback" not in res.output


def test_bad_date_option(cli, folio):
    res = cli("run", "--pack", "national", "--as-of", "31/03/2025", folio)
    assert res.exit_code == 2 and "不是日期" in res.output and "2025-03-31" in res.output


def test_packs_check_reports_all_problems_and_exits_2(cli, write):
    bad = write("bad.toml", '[pack]\nid = "bad"\nname = "坏"\nlevel = "city"\nextends = "national"\n'
                '[rules.x]\nplugin = "target_gaet"\n')
    res = cli("packs", "check", bad)
    assert res.exit_code == 2
    assert "没有这个插件；是否要写 'target_gate'？" in res.output
    assert "须写明自己的依据" in res.output
    assert cli("packs", "check", "national").exit_code == 0


def test_packs_show_marks_assumed_values(cli):
    res = cli("packs", "show", "national")
    assert res.exit_code == 0
    assert "假定" in res.output and "有依据" in res.output and "插件默认" in res.output
    assert "ASSUMED" not in res.output and "sourced" not in res.output


def test_packs_list_and_plugins_list(cli):
    assert "national" in cli("packs", "list").output
    out = cli("plugins", "list").output
    for name in ("ex_ante_gate", "target_gate", "evaluation_score", "score_linked_budget"):
        assert name in out


def test_demo_writes_portfolio_and_findings(cli, tmp_path):
    res = cli("demo", "--out", tmp_path / "demo", "--projects", "40")
    assert res.exit_code == 0, res.output
    for name in ("portfolio.xlsx", "compare.xlsx", "compare.json", "report.html"):
        assert (tmp_path / "demo" / name).exists()


def test_every_command_has_help_with_an_example(cli):
    from jixiao.cli.docgen import _walk
    from jixiao.cli.main import main

    for path, _cmd, _ctx in _walk(main, []):
        res = cli(*path, "--help")
        assert res.exit_code == 0 and "示例" in res.output, path


def test_table_format_is_for_the_terminal(cli, folio, tmp_path):
    res = cli("run", "--pack", "national", "--as-of", "2025-03-31", "-o", tmp_path / "x.txt", folio)
    assert res.exit_code == 2 and "表格只显示在终端" in res.output and ".json、.csv、.xlsx" in res.output
    res = cli("compare", "--packs", "national", "--as-of", "2025-03-31", "-o", tmp_path / "x.txt", folio)
    assert res.exit_code == 2 and not (tmp_path / "x.txt").exists()


def test_one_broken_installed_pack_does_not_break_compare(cli, folio, tmp_path, monkeypatch):
    # usability review #12: compare without --packs exited on the first broken installed pack, and
    # packs list cut its reason to "1 problem in the policy pack:".
    (tmp_path / "broken.toml").write_text(
        '[pack]\nid = "broken"\nname = "坏"\nlevel = "city"\nextends = "national"\n'
        '[rules.budget_link]\ncitation = { source = "zf2018_34", clause = "x" }\n'
        '[rules.budget_link.params]\nmonth = 6\n', encoding="utf-8")
    monkeypatch.setenv("JIXIAO_PACKS", str(tmp_path))
    listed = cli("packs", "list")
    assert "无法加载" in listed.output and "未知的键 month" in listed.output.replace("\n", "")
    res = cli("compare", "--as-of", "2025-03-31", folio)
    assert res.exit_code == 0, res.output
    assert "已跳过无法加载的已安装规则包 broken" in res.output and "未知的键 month" in res.output
    assert "tongxin" in res.output
    named = cli("compare", "--packs", "national,broken", "--as-of", "2025-03-31", folio)
    assert named.exit_code == 2 and "未知的键 month" in named.output


def test_a_run_says_which_rules_were_not_in_force(cli, write, tmp_path):
    # Issue 12: Qingdao's plan covers the 2020–2022 budgets.
    rows = [{"project_id": pid, "name": pid, "department": "市民政局", "fiscal_year": year, "fund_type": "一般公共预算",
             "category": cat, "budget": "100000.00", "target_status": "未设定"}
            for pid, year, cat in (("A2019", 2019, "专项资金"), ("B2021", 2021, "专项资金"), ("C2023", 2023, "一般项目"),
                                   ("D2021", 2021, "一般项目"), ("E2023", 2023, "专项资金"))]
    import json

    path = write("qd.json", json.dumps({"projects": rows}, ensure_ascii=False))
    res = cli("run", "--pack", "qingdao", "--as-of", "2024-03-31", "--format", "json", path)
    assert res.exit_code == 0, res.output
    doc = json.loads(res.output)
    notes = {(n["rule"], (n["applied_as"] or {}).get("pack")): n for n in doc["not_in_force"]}
    assert notes[("targets", None)]["budget_years"] == [2019] and notes[("targets", None)]["projects"] == 1
    assert notes[("targets", "national")]["budget_years"] == [2023] and notes[("targets", "national")]["projects"] == 2
    assert notes[("coverage", None)]["budget_years"] == [2019, 2023]
    blocked = [(f["project_id"], f["clause"]) for f in doc["findings"] if f["rule"] == "targets"]
    # In project order; B2021 under Qingdao's 二（四）, every 2023 project under the national rule.
    national = Pack.load("national", Registry.discover(use_entry_points=False)).rules[1].citation.clause + "（未核实）"
    assert blocked == [("B2021", "二（四）"), ("C2023", national), ("E2023", national)]
    table = cli("run", "--pack", "qingdao", "--as-of", "2024-03-31", path).output
    assert "适用期间：规则 coverage：2019、2023 年度预算的项目不适用：本规则包中该规则适用于2020–2022 年度预算（3 个项目）" in table
    assert "适用期间：规则 targets：2023 年度预算的项目按全国预算绩效管理基础规则的规定适用" in table
    # explain says it per rule, with the clause and values that applied to the project's budget year.
    why = cli("explain", "--pack", "qingdao", "--project", "C2023", "--as-of", "2024-03-31", path).output
    assert "绩效目标管理 · 依据 中发〔2018〕34号" in why
    assert "适用期间（targets）：2023 年度预算的项目按全国预算绩效管理基础规则的规定适用" in why
    assert "适用期间（rectification）：2023 年度预算不在该规则的适用期间（2020–2022 年度预算）：不适用" in why
