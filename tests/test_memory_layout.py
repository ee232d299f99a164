"""The loaded layout (issue 14 item 2): detail tables carry ``pix`` and no text project id, the
vocabulary columns are enums, and project ids still reach every output and message."""

import polars as pl
import pytest

from jixiao.core.errors import InputError
from jixiao.core.load import load_portfolio
from jixiao.core.load.columns import ENUMS
from jixiao.core.outputs.portfolio_files import text_tables, write_portfolio, write_typed
from jixiao.core.pack import Pack
from jixiao.core.registry import Registry
from jixiao.core.engine import run
from jixiao.core.sample import generate
from tests.tests_helpers import AS_OF

DETAIL = ("indicators", "spending", "evaluations", "accountability")
VOCAB = {"projects": ("fund_type", "category", "target_status", "assessment_result"),
         "indicators": ("level1", "direction"), "evaluations": ("kind",)}


@pytest.fixture(scope="module")
def sample():
    return generate(60, seed=5)


@pytest.fixture(scope="module", params=["csv folder", "xlsx", "json", "typed parquet"])
def loaded(request, sample, tmp_path_factory):
    folder = tmp_path_factory.mktemp("forms")
    if request.param == "typed parquet":
        path = write_typed(sample, folder / "typed")
    else:
        path = write_portfolio(sample, folder / {"csv folder": "csv", "xlsx": "p.xlsx", "json": "p.json"}[request.param])
    return load_portfolio(path)


def test_detail_tables_have_pix_and_no_text_project_id_after_loading(loaded):
    for name in DETAIL:
        table = loaded.table(name)
        assert "project_id" not in table.columns, name
        assert table["pix"].dtype == pl.UInt32
    assert "project_id" in loaded.projects.columns


def test_vocabulary_columns_are_enums_of_the_canonical_codes(loaded):
    for name, columns in VOCAB.items():
        for c in columns:
            dtype = loaded.table(name).schema[c]
            assert isinstance(dtype, pl.Enum), (name, c, dtype)
            assert dtype == ENUMS[c]
    assert set(ENUMS["category"].categories) >= set(loaded.projects["category"].cast(pl.String).unique())
    assert "第三方评价" not in ENUMS["kind"].categories.to_list()  # codes, not labels


def test_every_form_loads_the_same_tables(loaded, sample):
    for name in ("projects", *DETAIL):
        assert loaded.table(name).drop("_row").equals(sample.table(name).drop("_row")), name


def test_with_ids_names_each_rows_project_from_the_projects_table(loaded):
    spending = loaded.with_ids("spending")
    assert spending.columns[0] == "project_id"
    expect = loaded.projects["project_id"].gather(loaded.spending["pix"])
    assert spending["project_id"].equals(expect)
    assert "project_id" not in loaded.spending.columns  # the table itself is not changed


def test_ids_reach_the_written_portfolio_and_the_findings(sample, tmp_path):
    text = text_tables(sample)
    ids = set(sample.projects["project_id"])
    assert set(text["支出明细"]["项目编码"]) <= ids and text["支出明细"]["项目编码"].null_count() == 0
    kinds = text["绩效评价"]["评价方式"]  # Chinese labels, as an export writes them, not the codes
    assert kinds.null_count() == 0 and not kinds.is_in(ENUMS["kind"].categories.to_list()).any()
    result = run(Pack.load("tongxin", Registry.discover(use_entry_points=False)), sample, AS_OF)
    assert result.findings.height and set(result.findings["project_id"]) <= ids
    typed = write_typed(sample, tmp_path / "typed")
    frame = pl.read_parquet(typed / "evaluations.parquet")
    # The typed form on disk keeps its documented form: ids in every table, vocabularies as text.
    assert frame.schema["project_id"] == pl.String and frame.schema["kind"] == pl.String


def test_a_typed_file_whose_vocabulary_is_a_polars_enum_is_read(sample, tmp_path):
    typed = write_typed(sample, tmp_path / "typed")
    ev = pl.read_parquet(typed / "evaluations.parquet")
    ev.with_columns(pl.col("kind").cast(pl.Enum(sorted(set(ev["kind"]))))).write_parquet(typed / "evaluations.parquet")
    assert load_portfolio(typed).evaluations["kind"].equals(sample.evaluations["kind"])


def test_a_typed_file_with_a_value_outside_the_vocabulary_is_refused_with_row_column_value(sample, tmp_path):
    typed = write_typed(sample, tmp_path / "typed")
    ind = pl.read_parquet(typed / "indicators.parquet")
    ind.with_columns(pl.when(pl.int_range(pl.len()) == 2).then(pl.lit("sideways")).otherwise(pl.col("direction"))
                     .alias("direction")).write_parquet(typed / "indicators.parquet")
    with pytest.raises(InputError) as err:
        load_portfolio(typed)
    [p] = [p for p in err.value.problems if p.column == "direction"]
    assert (p.row, p.value) == (4, "sideways")  # the third record, row 4 under the header


def test_a_bad_vocabulary_value_in_a_csv_is_reported_with_row_column_and_value(sample, tmp_path):
    folder = write_portfolio(sample, tmp_path / "csv")
    ev = pl.read_csv(folder / "evaluations.csv", infer_schema=False)
    ev.with_columns(pl.when(pl.int_range(pl.len()) == 0).then(pl.lit("随便评")).otherwise(pl.col("评价方式"))
                    .alias("评价方式")).write_csv(folder / "evaluations.csv")
    with pytest.raises(InputError) as err:
        load_portfolio(folder)
    [p] = [p for p in err.value.problems if p.column == "评价方式"]
    assert (p.row, p.value) == (2, "随便评")


def test_an_orphan_row_is_still_named_by_its_project_id(sample, tmp_path):
    folder = write_portfolio(sample, tmp_path / "csv")
    sp = pl.read_csv(folder / "spending.csv", infer_schema=False)
    sp.with_columns(pl.when(pl.int_range(pl.len()) == 3).then(pl.lit("P-NOPE")).otherwise(pl.col("项目编码"))
                    .alias("项目编码")).write_csv(folder / "spending.csv")
    with pytest.raises(InputError) as err:
        load_portfolio(folder)
    assert any(p.value == "P-NOPE" and p.row == 5 for p in err.value.problems)


def test_a_producer_without_project_ids_in_detail_tables_is_accepted_by_pix(sample):
    from jixiao.core.load import Portfolio

    frames = {n: sample.table(n) for n in ("projects", *DETAIL)}
    again = Portfolio.from_frames(frames)
    assert again.spending.equals(sample.spending)
    with pytest.raises(ValueError, match="kind"):
        Portfolio.from_frames(frames | {"evaluations": sample.evaluations.with_columns(
            pl.lit("other").alias("kind"))})



def test_a_typed_file_read_in_row_groups_loads_as_contiguous_columns(sample, tmp_path):
    # A Parquet file is read in one chunk per row group. A table of several chunks is copied whole
    # by the first step that adds a column (with_columns aligns the chunks): at 1 M projects the
    # base facts copied the projects table and every per-project sum its columns (0.1–0.2 GB a run).
    path = write_typed(sample, tmp_path / "typed")
    for name in ("projects", "indicators", "spending", "evaluations"):
        frame = pl.read_parquet(path / f"{name}.parquet")
        frame.write_parquet(path / f"{name}.parquet", row_group_size=frame.height // 3)
        assert pl.read_parquet(path / f"{name}.parquet")[frame.columns[-1]].n_chunks() > 1, name
    folio = load_portfolio(path)
    for name in ("projects", *DETAIL):
        table = folio.table(name)
        chunked = [c for c in table.columns if table[c].n_chunks() > 1]
        assert not chunked, (name, chunked)
    assert folio.projects.equals(load_portfolio(write_typed(sample, tmp_path / "again")).projects)


def test_a_typed_detail_table_is_read_without_its_text_ids_and_with_its_vocabularies_as_enums(sample, tmp_path):
    # At 1 M projects the detail tables' text ids (12 M payment ids) and the vocabularies read as
    # text took 0.4 GiB of loading's peak beside the tables it keeps; both are read as they are kept.
    from jixiao.core.load.read_other import _parquet_raw

    path = write_typed(sample, tmp_path / "typed")
    for name in DETAIL:
        raw = _parquet_raw(name, path / f"{name}.parquet")
        assert "project_id" not in raw.frame.columns, name
        assert raw.id_runs is not None and raw.id_runs.rows == sample.table(name).height, name
        for c in VOCAB.get(name, ()):
            assert raw.frame.schema[c] == ENUMS[c], (name, c)
    projects = _parquet_raw("projects", path / "projects.parquet")
    assert "project_id" in projects.frame.columns and projects.id_runs is None
    assert all(projects.frame.schema[c] == ENUMS[c] for c in VOCAB["projects"])
    assert load_portfolio(path).spending.equals(sample.spending)


def test_the_runs_of_a_files_pix_are_checked_across_batch_boundaries(sample, tmp_path):
    from jixiao.core.load.id_runs import id_runs

    path = write_typed(sample, tmp_path / "typed")
    file = path / "spending.parquet"
    frame = pl.read_parquet(file)
    starts = frame.filter((pl.col("pix") != pl.col("pix").shift(1)).fill_null(True)).select("pix", "project_id")
    for batch in (1, 2, 3, 7, frame.height, 10 * frame.height):
        runs = id_runs(file, batch_rows=batch)
        assert runs.rows == frame.height and runs.firsts.equals(starts), batch
    # A row that keeps its project's pix but names the next project: the id changes where pix
    # does not — found whether or not the row starts a batch.
    lengths = frame["pix"].rle()
    k = next(i for i, n in enumerate(lengths.struct.field("len")) if n >= 2 and i + 1 < lengths.len())
    at = int(lengths.struct.field("len").head(k + 1).sum()) - 1  # the last row of run k
    moved = frame.with_columns(pl.when(pl.int_range(pl.len()) == at).then(pl.lit(starts["project_id"][k + 1]))
                               .otherwise(pl.col("project_id")).alias("project_id"))
    moved.write_parquet(file)
    for batch in (1, at, at + 1, frame.height):
        assert id_runs(file, batch_rows=batch) is None, batch


def test_a_typed_detail_table_whose_ids_are_not_text_is_refused_naming_the_column(sample, tmp_path):
    # Read without its ids, such a file's pix check would compare numbers with the projects' text
    # ids: the file is read whole instead, and its column's type named as for any typed file.
    path = write_typed(sample, tmp_path / "typed")
    sp = pl.read_parquet(path / "spending.parquet")
    sp.with_columns(pl.col("pix").cast(pl.Int64).alias("project_id")).write_parquet(path / "spending.parquet")
    with pytest.raises(InputError) as err:
        load_portfolio(path)
    [p] = err.value.problems
    assert (p.file, p.column) == (str(path / "spending.parquet"), "project_id") and "Int64" in p.message
