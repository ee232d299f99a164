"""Loading portfolios: formats, encodings, header mapping, exact amounts, and every input error."""

from __future__ import annotations

import json

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jixiao.core.errors import InputError
from jixiao.core.load import load_portfolio
from tests_helpers import ok_row

from tests_helpers import AS_OF, HEADER, project_rows


def problems(path) -> list[str]:
    with pytest.raises(InputError) as info:
        load_portfolio(path)
    return [p.render() for p in info.value.problems]


def test_csv_in_chinese_headers_loads_with_exact_fen(write):
    path = write("p.csv", project_rows(ok_row("A1", budget="1234567.89", spent="0.01")))
    p = load_portfolio(path)
    row = p.projects.row(0, named=True)
    assert row["budget_fen"] == 123456789
    assert row["spent_fen"] == 1
    assert row["fund_type"] == "一般公共预算"
    assert row["target_status"] == "approved"


def test_amounts_in_wan_yuan_convert_exactly(write):
    text = "project_id,name,department,fiscal_year,fund_type,category,budget_wan\nA,n,d,2024,general_public,special_fund,60519.823456\n"
    p = load_portfolio(write("p.csv", text))
    assert p.projects["budget_fen"][0] == 60519823456  # 60519.823456 万元 = 605 198 234.56 元
    assert p.projects["category"][0] == "专项资金"


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gbk", "gb18030"])
def test_encodings_are_detected(write, encoding):
    path = write("p.csv", project_rows(ok_row("甲1")), encoding=encoding)
    assert load_portfolio(path).projects["project_id"].to_list() == ["甲1"]


def test_wrong_encoding_is_named(write, tmp_path):
    path = tmp_path / "p.csv"
    path.write_bytes(HEADER.encode("utf-16"))
    msg = problems(path)
    assert any(str(path) in m and "既不是 UTF-8 也不是 GBK" in m for m in msg)


def test_empty_file(write):
    path = write("p.csv", "")
    assert problems(path) == [f"{path}：文件是空的"]


def test_missing_column_names_file_and_column(write):
    path = write("p.csv", "项目编码,项目名称\nA,n\n")
    msg = problems(path)
    assert f"{path}：缺少必填列 主管部门（department）" in msg  # no internal code as the column's place
    assert len(msg) == 5  # department, fiscal year, fund type, category, budget: all at once


def test_every_bad_cell_is_reported_with_row_column_and_value(write):
    path = write("p.csv", project_rows(
        ok_row("A1"),
        ok_row("A1"),                              # row 3: duplicate id
        ok_row("A3", budget="-5"),                 # row 4: negative budget
        ok_row("A4", budget='"12,3x"'),              # row 5: unparseable amount
        ok_row("A5", budget="1.001"),              # row 6: finer than a fen
        ok_row("A6", fund="预算外"),               # row 7: not a fund type
    ))
    msg = problems(path)
    assert f"{path}，第 4 行，列 预算金额(元)：不是有效的非负金额（单位元，最多 2 位小数）（值：'-5'）" in msg
    assert any("第 5 行，列 预算金额(元)" in m and "'12,3x'" in m for m in msg)
    assert any("第 6 行，列 预算金额(元)" in m and "'1.001'" in m for m in msg)
    assert any("第 7 行，列 资金性质" in m and "'预算外'" in m for m in msg)
    # Cross-table checks run only once every cell is readable, so the duplicate shows on a clean file.
    dup = write("d.csv", project_rows(ok_row("A1"), ok_row("A1")))
    assert problems(dup) == [f"{dup}，第 3 行，列 项目编码：项目编码重复（第一次出现在第 2 行）（值：'A1'）"]


def test_score_outside_range_and_bad_date_in_a_folder(write, tmp_path):
    write("pf/projects.csv", project_rows(ok_row("A1")))
    ev = write("pf/evaluations.csv", "项目编码,评价年度,评价方式,评价日期,总分\nA1,2024,自评,2025-02-30,85\nA1,2024,第三方,2025-03-01,100.01\n")
    msg = problems(tmp_path / "pf")
    assert f"{ev}，第 2 行，列 评价日期：不是日期（可写 2024-03-01、2024/3/1 或 2024年3月1日）（值：'2025-02-30'）" in msg
    assert any(m.startswith(f"{ev}，第 3 行，列 总分：不是 0 到 100 之间的得分") for m in msg)


def test_spending_after_the_as_of_date_is_an_error_at_run_time(write, tmp_path):
    write("pf/projects.csv", project_rows(ok_row("A1", spent="")))
    sp = write("pf/spending.csv", "项目编码,支付日期,支付金额(元)\nA1,2025-03-31,10\nA1,2025-04-01,5\n")
    p = load_portfolio(tmp_path / "pf")
    with pytest.raises(InputError) as info:
        p.check_as_of(AS_OF)
    assert [x.render() for x in info.value.problems] == [
        f"{sp}，第 3 行，列 支付日期：支付日期晚于基准日期 2025-03-31（值：'2025-04-01'）"]


def test_orphan_rows_and_spent_mismatch(write, tmp_path):
    write("pf/projects.csv", project_rows(ok_row("A1", spent="20")))
    sp = write("pf/spending.csv", "项目编码,支付日期,支付金额(元)\nA1,2025-01-31,10\nZZ,2025-01-31,5\n")
    msg = problems(tmp_path / "pf")
    assert f"{sp}，第 3 行，列 项目编码：项目编码不在项目表中（值：'ZZ'）" in msg


def test_unknown_column_is_a_warning_with_a_suggestion(write):
    text = HEADER.replace("项目名称", "项目名称x")
    p_path = write("p.csv", text + "A,n,d,2024,一般公共预算,专项资金,1,0,否,否,已批复,无\n")
    with pytest.raises(InputError) as info:  # the real name column is then missing
        load_portfolio(p_path)
    assert any("项目名称" in p.render() for p in info.value.problems)


def test_xlsx_sheets_and_json_round_trip(tmp_path):
    from jixiao.core.sample import generate
    from jixiao.core.outputs.portfolio_files import write_portfolio

    sample = generate(30, seed=5)
    for name in ("s.xlsx", "s.json", "folder"):
        back = load_portfolio(write_portfolio(sample, tmp_path / name))
        for table in ("projects", "indicators", "spending", "evaluations", "accountability"):
            assert back.table(table).drop("_row").equals(sample.table(table).drop("_row")), (name, table)


def test_json_numbers_are_read_exactly(tmp_path):
    doc = {"projects": [{"project_id": "A", "name": "n", "department": "d", "fiscal_year": 2024,
                         "fund_type": "一般公共预算", "category": "专项资金", "budget": 0.1, "is_new": True}]}
    path = tmp_path / "p.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    row = load_portfolio(path).projects.row(0, named=True)
    assert row["budget_fen"] == 10 and row["is_new"] is True


def test_json_rows_are_named_by_index(tmp_path):
    doc = {"projects": [{"project_id": "A", "name": "n", "department": "d", "fiscal_year": "x",
                         "fund_type": "一般公共预算", "category": "专项资金", "budget": "1"}]}
    path = tmp_path / "p.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    assert any("工作表 $.projects，第 0 行，列 fiscal_year" in m for m in problems(path))


def test_target_status_derived_from_indicators_when_absent(write, tmp_path):
    write("pf/projects.csv", "project_id,name,department,fiscal_year,fund_type,category,budget\n"
          "A,n,d,2024,一般公共预算,专项资金,100\nB,n,d,2024,一般公共预算,专项资金,100\n")
    write("pf/indicators.csv", "项目编码,一级指标,三级指标,指标方向,目标值,实际值\nA,产出,数量,正向,10,9\n")
    p = load_portfolio(tmp_path / "pf")
    assert dict(p.projects.select("project_id", "target_status").iter_rows()) == {"A": "approved", "B": "none"}
    assert p.indicators["target_e4"].to_list() == [100000]
    assert isinstance(p.projects["budget_fen"].dtype, type(pl.Int64())) or p.projects["budget_fen"].dtype == pl.Int64


def test_xlsx_errors_name_the_sheet(tmp_path):
    import xlsxwriter

    path = tmp_path / "p.xlsx"
    with xlsxwriter.Workbook(path) as wb:
        ws = wb.add_worksheet("项目")
        for c, h in enumerate(HEADER.strip().split(",")):
            ws.write(0, c, h)
        for c, v in enumerate(ok_row("A1", budget="abc").split(",")):
            ws.write(1, c, v)
    assert problems(path) == [f"{path}，工作表 项目，第 2 行，列 预算金额(元)：不是有效的非负金额（单位元，"
                              "最多 2 位小数）（值：'abc'）"]


def test_two_headers_for_one_column(write):
    text = "project_id,name,department,fiscal_year,fund_type,category,budget,预算金额(万元)\nA,n,d,2024,一般公共预算,专项资金,1,1\n"
    path = write("p.csv", text)
    assert problems(path) == [f"{path}，列 预算金额(万元)：列 'budget' 和 '预算金额(万元)' 都对应 预算金额(元)；请只保留一列"]


def test_typed_parquet_is_checked_without_parsing(tmp_path):
    from jixiao.core.sample import generate

    projects = generate(5, 1).projects.drop("_row")
    bad = projects.with_columns(pl.when(pl.col("project_id") == "P2024000002").then(-1).otherwise(pl.col("budget_fen"))
                                .alias("budget_fen"))
    path = tmp_path / "p.parquet"
    bad.write_parquet(path)
    assert problems(path) == [f"{path}，第 4 行，列 budget_fen：金额为负数（值：'-1'）"]
    projects.with_columns(pl.col("fiscal_year").cast(pl.String)).write_parquet(path)
    assert problems(path) == [f"{path}，列 fiscal_year：列的类型是 String，应为 Int64"]
    projects.write_parquet(path)
    assert load_portfolio(path).projects.drop("_row").equals(projects)


def test_indicator_actual_values_are_checked_against_their_direction(write, tmp_path):
    write("pf/projects.csv", project_rows(ok_row("A")))
    ind = write("pf/indicators.csv", "项目编码,一级指标,三级指标,指标方向,目标值,实际值\n"
                "A,产出,数量,正向,10,九\nA,产出,时效,定性,,完成\nA,效益,效益,正向,10,9.5\nA,满意度,满意度,定性,,达成\n")
    assert problems(tmp_path / "pf") == [
        f"{ind}，第 2 行，列 实际值：不是数字（最多 4 位小数；定量指标）（值：'九'）",
        f"{ind}，第 3 行，列 实际值：不是 达成/部分达成/未达成（定性指标）（值：'完成'）",
    ]


def test_a_ragged_row_is_named(write):
    path = write("p.csv", project_rows(ok_row("A1"), ok_row("A2") + ",extra"))
    assert problems(path) == [f"{path}，第 3 行：这一行有 13 个字段，表头有 12 个（逗号多了或少了？）"
                              f"（值：{(ok_row('A2') + ',extra')[:80]!r}）"]


def test_typed_parquet_indicators_carry_the_number_with_the_text(tmp_path):
    from jixiao.core.load import ROW
    from jixiao.core.per_project import PIX
    from jixiao.core.sample import generate

    sample = generate(5, 1)
    folder = tmp_path / "typed"
    folder.mkdir()
    sample.projects.drop(ROW, PIX).write_parquet(folder / "projects.parquet")
    indicators = sample.with_ids("indicators").drop(ROW, PIX)  # a typed file names its projects by id
    quantitative = indicators.with_row_index("i").filter(pl.col("direction") != "qualitative")["i"][0]
    broken = indicators.with_columns(
        pl.when(pl.int_range(pl.len()) == quantitative).then(None).otherwise(pl.col("actual_e4")).alias("actual_e4"))
    broken.write_parquet(folder / "indicators.parquet")
    value = indicators["actual"][quantitative]
    assert problems(folder) == [f"{folder / 'indicators.parquet'}，第 {quantitative + 2} 行，列 actual：不是数字"
                                f"（最多 4 位小数；定量指标）（值：{value!r}）"]
    indicators.write_parquet(folder / "indicators.parquet")
    loaded = load_portfolio(folder)
    assert loaded.with_ids("indicators").drop(ROW, PIX).equals(indicators)
    assert loaded.indicators[PIX].is_sorted() and loaded.projects[PIX].to_list() == list(range(5))


def test_rows_of_one_project_need_not_be_together(write, tmp_path):
    # Projects listed out of id order, payments interleaved: each payment finds its project, the
    # table is sorted by project position, and a project's payments keep their file order.
    write("pf/projects.csv", project_rows(ok_row("B", spent=""), ok_row("A", spent=""), ok_row("C", spent="")))
    write("pf/spending.csv", "项目编码,支付日期,支付金额(元)\nA,2024-01-31,1\nB,2024-01-31,2\nA,2024-02-29,3\n"
                             "C,2024-01-31,4\nB,2024-02-29,5\nA,2024-03-31,6\n")
    loaded = load_portfolio(tmp_path / "pf")
    spending = loaded.with_ids("spending")
    assert "project_id" not in loaded.spending.columns
    assert spending.select("project_id", "pix", "_row", "amount_fen").rows() == [
        ("B", 0, 3, 200), ("B", 0, 6, 500), ("A", 1, 2, 100), ("A", 1, 4, 300), ("A", 1, 7, 600), ("C", 2, 5, 400)]


@given(ids=st.lists(st.text("ABC", min_size=1, max_size=3), unique=True, min_size=1, max_size=8),
       rows=st.lists(st.tuples(st.text("ABCD", min_size=1, max_size=3), st.integers(1, 4)), max_size=12),
       sort_projects=st.booleans())
@settings(max_examples=150, deadline=None)
def test_every_detail_row_finds_its_project(ids, rows, sort_projects):
    # Whatever the order of projects and of detail rows — long runs of one project, single rows,
    # ids that are no project's — each row gets its project's position, the rest are orphans.
    from jixiao.core.load import index_tables
    from jixiao.core.per_project import PIX

    ids = sorted(ids) if sort_projects else ids
    detail_ids = [pid for pid, repeat in rows for _ in range(repeat)]
    frames = {"projects": pl.DataFrame({"project_id": ids}),
              "spending": pl.DataFrame({"project_id": detail_ids, "n": list(range(len(detail_ids)))},
                                       schema={"project_id": pl.String, "n": pl.Int64})}
    indexed, orphans = index_tables(frames)
    position = {pid: i for i, pid in enumerate(ids)}
    expected = sorted(((position[pid], n) for n, pid in enumerate(detail_ids) if pid in position))
    assert indexed["spending"].select(PIX, "n").rows() == expected
    assert sorted(orphans.get("spending", pl.DataFrame({"n": []}))["n"].to_list()) == [
        n for n, pid in enumerate(detail_ids) if pid not in position]


@pytest.mark.parametrize("positions", [[], [0], [7], [29], [1, 2, 3], [0, 5, 6, 28, 29]])
def test_take_keeps_each_wanted_project_with_all_its_rows(positions):
    from jixiao.core.per_project import PIX
    from jixiao.core.sample import generate

    folio = generate(30, seed=2)
    cut = folio.take(positions)
    assert cut.projects["project_id"].to_list() == [folio.projects["project_id"][p] for p in positions]
    for name in ("projects", "indicators", "spending", "evaluations", "accountability"):
        table, got = folio.table(name), cut.table(name)
        new = {old: i for i, old in enumerate(positions)}
        expected = (table.filter(pl.col(PIX).is_in(positions))
                    .with_columns(pl.col(PIX).replace_strict(new, return_dtype=pl.UInt32)))
        assert got.equals(expected), name
        assert got[PIX].flags["SORTED_ASC"] and got.schema == table.schema


@given(data=st.data(), projects=st.integers(0, 6), in_order=st.booleans())
@settings(max_examples=200, deadline=None)
def test_sums_and_maxima_per_project_are_those_of_a_grouping(data, projects, in_order):
    import datetime as dt

    from jixiao.core.per_project import PIX, by_project, max_by_project, per_project, sum_by_project

    rows = data.draw(st.lists(st.tuples(st.integers(0, max(projects - 1, 0)),
                                        st.none() | st.integers(-10**12, 10**12),
                                        st.none() | st.dates(dt.date(2020, 1, 1), dt.date(2030, 12, 31)),
                                        st.none() | st.integers(0, 2)),
                              max_size=0 if projects == 0 else 25))
    if in_order:  # as the portfolio's tables are: the numpy path; otherwise the grouping
        rows.sort(key=lambda r: r[0])
    # u: unsigned and small, so that 0 — its type's least value — is often a project's largest.
    frame = pl.DataFrame(rows, schema={PIX: pl.UInt32, "v": pl.Int64, "d": pl.Date, "u": pl.UInt8}, orient="row")
    summed = sum_by_project(frame.lazy(), projects, s=pl.col("v"))
    assert summed.equals(by_project(per_project(frame, pl.col("v").sum().alias("s")), projects))
    largest = max_by_project(frame, projects, m=pl.col("v"), d=pl.col("d"), u=pl.col("u"))
    assert largest.equals(by_project(per_project(frame, pl.col("v").max().alias("m"), pl.col("d").max(),
                                                 pl.col("u").max()), projects))
    for p in range(projects):
        mine = [v for q, v, _, _ in rows if q == p]
        assert summed["s"][p] == (sum(v for v in mine if v is not None) if mine else None)


def test_sums_per_project_refuse_what_they_cannot_add_exactly():
    from jixiao.core.per_project import PIX, sum_by_project

    frame = pl.DataFrame({PIX: [0, 1], "x": [0.5, 1.5]}, schema_overrides={PIX: pl.UInt32})
    with pytest.raises(TypeError, match="x: only integer and date"):
        sum_by_project(frame, 2, x=pl.col("x"))
    with pytest.raises(ValueError, match="pix 1 is not a project's position"):
        sum_by_project(frame, 1, x=pl.col("x").cast(pl.Int64))


def _same_tables(a, b) -> bool:
    names = ("projects", "indicators", "spending", "evaluations", "accountability")
    return all(a.table(n).drop("_row").equals(b.table(n).drop("_row")) for n in names)


def test_typed_folder_round_trips_and_a_wrong_pix_in_it_is_not_believed(tmp_path):
    # jixiao's typed form carries pix; loading uses it only when it agrees with the project ids.
    from jixiao.core.sample import generate
    from jixiao.core.outputs.portfolio_files import write_typed

    folio = generate(40, seed=5)
    folder = write_typed(folio, tmp_path / "typed")
    assert _same_tables(load_portfolio(folder), folio)
    spending = pl.read_parquet(folder / "spending.parquet")
    assert spending["pix"].dtype == pl.UInt32 and spending["pix"].is_sorted()
    evaluations = pl.read_parquet(folder / "evaluations.parquet")
    last = evaluations.height - 1
    tampered = {
        # a row said to belong to the next project
        "one row moved": spending.with_columns(pl.when(pl.int_range(pl.len()) == 5).then(pl.col("pix") + 1)
                                               .otherwise(pl.col("pix")).alias("pix")),
        # every position shifted by one project (the last one's rows left out): ascending, in range,
        # changing where the ids change — only the ids themselves tell
        "all shifted": spending.filter(pl.col("pix") < 39).with_columns(pl.col("pix") + 1),
        # rows out of order
        "reversed": spending.reverse(),
    }
    for why, frame in tampered.items():
        frame.write_parquet(folder / "spending.parquet")
        loaded = load_portfolio(folder)
        if why == "one row moved":
            assert loaded.spending.drop("_row").equals(folio.spending.drop("_row"))
        assert loaded.with_ids("spending").select("project_id", "pix").equals(
            loaded.with_ids("spending").select("project_id").with_columns(
                pl.col("project_id").replace_strict(dict(zip(folio.projects["project_id"], range(40))),
                                                    return_dtype=pl.UInt32).alias("pix"))), why
    # A payment inside a project's run given another project's id, its pix left as it was: it is
    # counted for the project its id names, so both projects' spent totals no longer add up.
    spending.with_columns(pl.when(pl.int_range(pl.len()) == 3).then(pl.lit(folio.projects["project_id"][7]))
                          .otherwise(pl.col("project_id")).alias("project_id")).write_parquet(folder / "spending.parquet")
    with pytest.raises(InputError) as caught:
        load_portfolio(folder)
    assert [(p.row, p.message[:5]) for p in caught.value.problems] == [(2, "已支出金额"), (9, "已支出金额")]
    spending.write_parquet(folder / "spending.parquet")
    evaluations.with_columns(pl.when(pl.int_range(pl.len()) == last).then(40).otherwise(pl.col("pix"))
                             .cast(pl.UInt32).alias("pix")).write_parquet(folder / "evaluations.parquet")
    assert load_portfolio(folder).evaluations.drop("_row").equals(folio.evaluations.drop("_row"))
