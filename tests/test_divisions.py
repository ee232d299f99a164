"""One province-wide portfolio, each 财政区划 (MOF_DIV_CODE) under its own pack
(``jixiao run --pack-for-division``): nothing guessed, one output."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

SAMPLE = Path(__file__).resolve().parents[1] / "examples" / "sample"
CLI = [sys.executable, "-c", "from jixiao.cli.main import main; main()"]


def _cli(*args):
    return subprocess.run([*CLI, *map(str, args)], capture_output=True, text=True)


@pytest.fixture(scope="module")
def province(tmp_path_factory) -> tuple[Path, dict[str, str | None]]:
    """The sample with a 财政区划代码 column: every third project 360102, the next 360103, the rest none."""
    folder = tmp_path_factory.mktemp("province")
    for f in SAMPLE.glob("*.csv"):
        shutil.copy(f, folder / f.name)
    with open(SAMPLE / "projects.csv", encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    division = {}
    out = [["财政区划代码", *rows[0]]]
    for i, r in enumerate(rows[1:]):
        code = ("360102", "360103", "")[i % 3]
        division[r[0]] = code or None
        out.append([code, *r])
    with open(folder / "projects.csv", "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(out)
    return folder, division


def test_each_division_runs_under_its_pack(province):
    folder, division = province
    res = _cli("run", "--pack-for-division", "360102=nanchang", "--pack-for-division", "360103=tongxin",
               "--pack", "national", "--as-of", "2025-03-31", "--format", "json", folder)
    assert res.returncode == 0, res.stderr
    doc = json.loads(res.stdout)
    assert doc["schema"] == "jixiao.run-divisions/1"
    got = {d["division"]: d for d in doc["divisions"]}
    assert [d["division"] for d in doc["divisions"]] == ["360102", "360103", None]
    assert {k: v["pack"]["id"] for k, v in got.items()} == {"360102": "nanchang", "360103": "tongxin", None: "national"}
    for code, d in got.items():
        members = {p for p, c in division.items() if c == code}
        assert d["portfolio"]["projects"] == len(members)
        assert d["findings"] and {f["project_id"] for f in d["findings"]} <= members
    # Tongxin's own rules (三（一）'s prerequisite, 二（四）'s refusal of the unit's new requests) act in
    # Tongxin's division only; Nanchang's rectification rule in Nanchang's only.
    rules = {code: {f["rule"] for f in d["findings"]} for code, d in got.items()}
    objects = {code: {f["applies_to"] for f in d["findings"]} for code, d in got.items()}
    assert "self_evaluation_prerequisite" in rules["360103"] and "unit_new_requests" in objects["360103"]
    assert all("self_evaluation_prerequisite" not in rules[c] and "unit_new_requests" not in objects[c]
               for c in ("360102", None))
    assert "rectification" in rules["360102"] and all("rectification" not in rules[c] for c in ("360103", None))


def test_a_division_without_a_pack_is_an_error_and_nothing_is_written(province, tmp_path):
    folder, _ = province
    target = tmp_path / "out.json"
    res = _cli("run", "--pack-for-division", "360102=nanchang", "--as-of", "2025-03-31", "-o", target, folder)
    assert res.returncode == 2
    assert "Traceback" not in res.stderr
    assert "360103（10 个项目）" in res.stderr and "未填（10 个项目）" in res.stderr
    assert not target.exists()


def test_map_files_and_csv_output(province, tmp_path):
    folder, division = province
    toml = tmp_path / "map.toml"
    toml.write_text('[divisions]\n"360102" = "nanchang"\n"*" = "national"\n', encoding="utf-8")
    table = tmp_path / "map.csv"
    table.write_text("财政区划代码,规则包\n360102,nanchang\n*,national\n", encoding="utf-8")
    outs = []
    for m in (toml, table):
        res = _cli("run", "--pack-for-division", m, "--as-of", "2025-03-31", "--format", "csv", folder)
        assert res.returncode == 0, res.stderr
        outs.append(res.stdout)
    assert outs[0] == outs[1]
    rows = list(csv.DictReader(outs[0].splitlines()))
    assert rows and all((r["财政区划代码"] or None) == division[r["项目编码"]] for r in rows)
    assert {r["规则包"] for r in rows if r["财政区划代码"] == "360102"} == {"nanchang"}


def test_xlsx_output(province, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    folder, _ = province
    target = tmp_path / "province.xlsx"
    res = _cli("run", "--pack-for-division", "360102=nanchang", "--pack", "national", "--as-of", "2025-03-31",
               "-o", target, folder)
    assert res.returncode == 0, res.stderr
    book = openpyxl.load_workbook(target, read_only=True)
    head = next(book["结论"].iter_rows(max_row=1, values_only=True))
    assert head[:3] == ("财政区划代码", "规则包", "项目编码")
    labels = [r[0] for r in book["汇总"].iter_rows(values_only=True)]
    assert any(str(x).startswith("财政区划 360102 · 规则包") for x in labels)


@pytest.mark.parametrize("args, says", [
    (["--pack-for-division", "360102=nanchang", "--pack-for-division", "360102=tongxin"], "已在"),
    (["--pack-for-division", "*=nanchang", "--pack", "national"], "只写一个"),
    (["--pack-for-division", "360102"], "区划代码=规则包"),
    ([], "--pack-for-division"),
])
def test_bad_maps_are_refused(province, args, says):
    folder, _ = province
    res = _cli("run", *args, "--as-of", "2025-03-31", folder)
    assert res.returncode == 2, res.stdout
    assert says in res.stderr and "Traceback" not in res.stderr


def test_a_map_file_is_an_input_never_overwritten(province, tmp_path):
    folder, _ = province
    m = tmp_path / "map.csv"
    m.write_text("财政区划代码,规则包\n360102,nanchang\n*,national\n", encoding="utf-8")
    before = m.read_bytes()
    res = _cli("run", "--pack-for-division", m, "--as-of", "2025-03-31", "-o", m, folder)
    assert res.returncode == 2 and "会覆盖输入文件" in res.stderr
    assert m.read_bytes() == before


@pytest.mark.parametrize("args, says", [
    (["--pack-for-division", "360102=nanchang", "--pack-for-division", "36010=tongxin", "--pack", "national"],
     "没有这些财政区划代码：36010"),
])
def test_a_code_the_data_lacks_is_refused_even_with_a_default(province, args, says):
    folder, _ = province
    res = _cli("run", *args, "--as-of", "2025-03-31", folder)
    assert res.returncode == 2 and says in res.stderr


def test_a_map_with_a_repeated_header_is_refused(province, tmp_path):
    folder, _ = province
    m = tmp_path / "m.csv"
    m.write_text("财政区划代码,规则包,财政区划代码\n360102,nanchang,360103\n", encoding="utf-8")
    res = _cli("run", "--pack-for-division", m, "--as-of", "2025-03-31", folder)
    assert res.returncode == 2 and "写了两次" in res.stderr
