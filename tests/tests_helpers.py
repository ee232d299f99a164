"""Row builders and constants shared by the tests (kept outside conftest so that they can be imported)."""

import datetime as dt

HEADER = "项目编码,项目名称,主管部门,预算年度,资金性质,项目类别,预算金额(元),已支出金额(元),是否新增,是否重大,绩效目标状态,事前评估结论\n"
AS_OF = dt.date(2025, 3, 31)


def project_rows(*rows: str) -> str:
    return HEADER + "".join(r + "\n" for r in rows)


def ok_row(pid: str, *, budget: str = "1000000", spent: str = "980000", fund: str = "一般公共预算",
           category: str = "专项资金", new: str = "否", major: str = "否", targets: str = "已批复",
           assessment: str = "无", year: str = "2024", dept: str = "教育局") -> str:
    return f"{pid},项目{pid},{dept},{year},{fund},{category},{budget},{spent},{new},{major},{targets},{assessment}"


# A pack of one rule, the plugin's name to fill in: for tests of one local plugin on a fresh manager.
ONE_RULE_PACK = """
[pack]
id = "one"
name = "单条"
level = "county"

[sources.doc]
doc_no = "测试〔2024〕2号"
title = "测试"

[rules.only]
plugin = "{plugin}"
citation = {{ source = "doc", clause = "第二条" }}
"""


def texts_portfolio(folder, texts: list[str], *, n: int = 40, seed: int = 3, dept_shift: int = 1,
                    ids: dict[str, str] | None = None):
    """A CSV folder of a sample portfolio whose project names and departments are taken in turn from
    ``texts`` (each name numbered, so names stay distinct) and whose ids are renamed by ``ids``."""
    import polars as pl

    from jixiao.core.sample import generate

    from jixiao.core.outputs.portfolio_files import text_tables
    from jixiao.core.schema import TABLES

    file_of = {t.zh: t.name for t in TABLES.values()}
    folder.mkdir()
    for zh, frame in text_tables(generate(n, seed=seed)).items():
        if ids:
            frame = frame.with_columns(pl.col("项目编码").replace_strict(ids))
        if zh == "项目":
            k = pl.int_range(pl.len()) % len(texts)
            frame = frame.with_columns(
                (pl.lit(pl.Series(texts)).gather(k) + pl.int_range(pl.len()).cast(pl.String)).alias("项目名称"),
                pl.lit(pl.Series(texts)).gather((k + dept_shift) % len(texts)).alias("主管部门"))
        frame.write_csv(folder / f"{file_of[zh]}.csv")
    return folder


def ranked_sample(n: int, seed: int):
    """The sample with something for the whole-portfolio rules to do: every third project a budget
    request for 2025 with a review score (the ranking ranks them), and none of this year's reports
    reviewed by finance yet (the spot check samples them)."""
    import attrs
    import polars as pl

    from jixiao.core.sample import generate

    sample = generate(n, seed=seed, fiscal_year=2024)
    request = pl.col("pix") % 3 == 0
    scores = pl.when(request).then(pl.col("pix").cast(pl.Int64) * 3_737 % 10_001).alias("review_score_c")
    year = pl.when(request).then(2025).otherwise(pl.col("fiscal_year")).alias("fiscal_year")
    unreviewed = sample.evaluations.with_columns(
        pl.when(pl.col("year") == 2024).then(None).otherwise(pl.col("review_date")).alias("review_date"))
    return attrs.evolve(sample, projects=sample.projects.with_columns(scores, year), evaluations=unreviewed)
