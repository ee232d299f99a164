"""Messages about packs and case files, as their author reads them: Chinese, placed by the TOML key
(not a "column"), naming the value and, for a misspelling, the closest known name."""

from __future__ import annotations

import textwrap

import pytest

GZ = textwrap.dedent("""\
    [pack]
    id = "gz"
    name = "赣州市规则"
    level = "city"
    extends = "nanchang"

    [sources.gz]
    doc_no = "赣市财绩〔2025〕3号"
    title = "赣州市预算绩效管理办法"

    [rules.budget_link]
    citation = { source = "gz", clause = "第八条" }

    [rules.budget_link.params]
    """)


@pytest.fixture
def pack(tmp_path):
    def write(params: str):
        path = tmp_path / "gz.toml"
        path.write_text(GZ + params + "\n", encoding="utf-8")
        return path
    return write


def test_an_unknown_key_is_named_with_the_key_it_resembles(cli, pack):
    path = pack('cut_ratio = { "一般" = "0.08" }')
    res = cli("packs", "check", path)
    assert res.exit_code == 2
    assert f"错误：{path}，键 rules.budget_link.params：未知的键 cut_ratio；是否要写 'cut_ratios'？" in res.output
    assert "column" not in res.output and "unknown key" not in res.output


def test_a_bad_value_names_its_key_and_value(cli, pack):
    res = cli("packs", "check", pack('cut_ratios = { "一般" = "8%" }'))
    assert res.exit_code == 2
    assert "键 rules.budget_link.params.cut_ratios.一般：取值无效：" in res.output and "'8%'" in res.output
    res = cli("packs", "check", pack('cut_ratios = "8"'))
    assert res.exit_code == 2 and "键 rules.budget_link.params.cut_ratios：应为表" in res.output


def test_a_grade_the_pack_does_not_define_suggests_the_grade(cli, pack):
    res = cli("packs", "check", pack('cut_ratios = { "较差" = "0.15" }'))
    assert res.exit_code == 2
    assert "键 rules.budget_link.params.cut_ratios.较差：不是本规则包的等级" in res.output
    assert "是否要写 '差'？（值：'较差'）" in res.output


def test_a_pack_error_in_run_is_chinese_from_head_to_value(cli, pack, tmp_path):
    from jixiao.core.sample import generate
    from jixiao.core.outputs.portfolio_files import write_portfolio

    book = write_portfolio(generate(5, seed=1), tmp_path / "p.xlsx")
    res = cli("run", "--pack", pack("cut_ratio = 1"), "--as-of", "2025-03-31", book)
    assert res.exit_code == 2
    assert res.output.startswith("错误：规则包中有 1 个问题：") and "Error" not in res.output


def test_packs_check_says_how_a_file_with_warnings_ended(cli, pack):
    res = cli("packs", "check", pack('cut_ratios = { "一般" = "0.08" }'))
    assert res.exit_code == 0
    assert "警告：" in res.output and "：通过（" in res.output and "条警告）" in res.output
    assert cli("packs", "check", "national").output.strip() == "national：通过"


def test_packs_test_says_in_yuan_what_differs_and_what_to_do(cli, tmp_path):
    folder = tmp_path / "gz"
    res = cli("new", "pack", "ganzhou", "--extends", "南昌", "--name", "赣州市规则", "--dir", folder)
    assert res.exit_code == 0, res.output
    path = folder / "ganzhou.toml"
    text = path.read_text(encoding="utf-8")
    source = text.split("[sources.", 1)[1].split("]", 1)[0]
    path.write_text(text + f'\n[rules.budget_link]\ncitation = {{ source = "{source}", clause = "第八条" }}\n'
                    '[rules.budget_link.params]\ncut_ratios = { "一般" = "0.08" }\n', encoding="utf-8")
    res = cli("packs", "test", path)
    if res.exit_code == 0:  # the starter's projects have no 一般 grade: nothing to say
        assert "1 个通过，0 个未通过" in res.output
        return
    assert res.exit_code == 1
    assert "扣减预算（cut_budget）：金额 -" in res.output and " 元，预期 -" in res.output and "fen" not in res.output
    assert "按改动后的结论更新案例" in res.output


def test_explain_takes_a_part_of_a_project_name(cli, tmp_path):
    import polars as pl

    from jixiao.core.sample import generate

    from jixiao.core.outputs.portfolio_files import write_portfolio

    folio = generate(30, seed=4)
    book = write_portfolio(folio, tmp_path / "p.xlsx")
    names = folio.projects["name"].to_list()
    unique = next(n for n in names if names.count(n) == 1)
    pid = folio.projects.filter(pl.col("name") == unique)["project_id"][0]
    res = cli("explain", "--pack", "national", "--project", unique, "--as-of", "2025-03-31", book)
    assert res.exit_code == 0, res.output
    assert res.output.startswith(f"{pid} {unique}")
    res = cli("explain", "--pack", "national", "--project", "2024年", "--as-of", "2025-03-31", book)
    assert res.exit_code == 2 and "同时匹配多个项目" in res.output


def test_a_child_pack_shows_its_parents_not_modelled_clauses(cli, tmp_path):
    res = cli("new", "pack", "ganzhou", "--extends", "nanchang", "--name", "赣州市规则", "--dir", tmp_path)
    assert res.exit_code == 0, res.output
    shown = cli("packs", "show", tmp_path / "ganzhou.toml").output
    assert "未建模的条款" in shown and "nanchang" in shown.split("未建模的条款", 1)[1]
    assert "市级2021年底" in shown  # one of nanchang's not_modelled reasons


def test_a_failing_case_says_what_to_update_with_the_key_written_out(cli, tmp_path):
    # A case that expects nothing of a project the target gate blocks: it fails, and the hint names
    # the [[expect]] tables as written (rich markup once swallowed them into "[]").
    case = tmp_path / "blocked.toml"
    case.write_text('''[case]
pack = "national"
as_of = 2025-03-31
description = "未设定目标的项目"
quote = "条文不在本项目的依据文本中"
rules = ["targets"]

[[projects]]
project_id = "A"
name = "甲"
department = "教育局"
fiscal_year = 2025
fund_type = "一般公共预算"
category = "专项资金"
budget = 100000
target_status = "未设定"
''', encoding="utf-8")
    res = cli("packs", "test", case)
    assert res.exit_code == 1
    assert "多出结论：A targets 不予安排预算（block_budget）" in res.output
    assert "按改动后的结论更新案例的 [[expect]]" in res.output
