"""The user's files are never lost, and nothing in the data runs: every writer, on files made here."""

from __future__ import annotations

import csv
import io
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import openpyxl
import polars as pl
import pytest

from jixiao.core.sample import generate

from jixiao.core.outputs.portfolio_files import text_tables, write_portfolio
from tests_helpers import texts_portfolio

AS_OF = "2025-03-31"

# What an attacker puts in a name, a department or a project id (reliability review, section 3).
FORMULAS = ['=HYPERLINK("http://127.0.0.1:8765/x","click")', "=cmd|' /C calc'!A0", "+1+1", "@SUM(1)", "-2+3",
            "\t=1+1", "=1+1"]
MARKUP = ["<script>alert(1)</script>", '"><img src=x onerror=alert(2)>', "</script><script>alert(3)</script>",
          "'><svg onload=alert(4)>", "<b onmouseover=alert(5)>x</b>",
          '<a href="http://127.0.0.1:8765/phish">点击领取</a>', '<a href="javascript:alert(6)">x</a>']
PAYLOADS = FORMULAS + MARKUP


def hostile_portfolio(folder: Path, n: int = 40) -> Path:
    """A CSV folder whose project ids, names and departments carry the payloads."""
    ids = text_tables(generate(n, seed=3))["项目"]["项目编码"].to_list()
    new_ids = {pid: (f"{PAYLOADS[i % len(PAYLOADS)]}{i}" if i < 3 * len(FORMULAS) else pid) for i, pid in enumerate(ids)}
    return texts_portfolio(folder, PAYLOADS, n=n, dept_shift=3, ids=new_ids)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    return hostile_portfolio(tmp_path_factory.mktemp("hostile") / "folio")


@pytest.fixture(scope="module")
def clean(tmp_path_factory):
    return write_portfolio(generate(30, seed=5), tmp_path_factory.mktemp("clean") / "portfolio.xlsx")


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# --- writers replace only what they wrote ---------------------------------------------------------


@pytest.mark.parametrize("name", ["victim.xlsx", "victim.json", "victim.csv", "victim.parquet"])
def test_sample_never_deletes_a_folder_named_like_a_file(cli, tmp_path, name):
    victim = tmp_path / name
    (victim / "sub").mkdir(parents=True)
    (victim / "important.txt").write_text("precious")
    res = cli("sample", "--projects", 10, "-o", victim)
    assert res.exit_code == 2, res.output
    assert f"无法写入 {victim}：这是一个文件夹" in res.output
    assert (victim / "important.txt").read_text() == "precious" and (victim / "sub").is_dir()
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]  # and no temporary left


def test_write_portfolio_refuses_to_replace_a_folder(tmp_path):
    from jixiao.core.errors import JixiaoError

    (tmp_path / "v.xlsx").mkdir()
    (tmp_path / "v.xlsx" / "keep.txt").write_text("x")
    with pytest.raises(JixiaoError, match="这是一个文件夹"):
        write_portfolio(generate(5), tmp_path / "v.xlsx")
    assert (tmp_path / "v.xlsx" / "keep.txt").exists()


# --- no command writes over one of its own inputs ------------------------------------------------------


def _copy(src: Path, dst: Path) -> Path:
    dst.write_bytes(src.read_bytes())
    return dst


def test_run_and_compare_never_overwrite_the_input_workbook(cli, clean, tmp_path):
    victim = _copy(clean, tmp_path / "victim.xlsx")
    before = victim.read_bytes()
    for args in (["run", "--pack", "nanchang", "--as-of", AS_OF, "--format", "xlsx", "-o", victim],
                 ["run", "--pack", "nanchang", "--as-of", AS_OF, "--format", "json", "-o", victim],
                 ["compare", "--packs", "nanchang,national", "--as-of", AS_OF, "--format", "xlsx", "-o", victim],
                 ["compare", "--packs", "nanchang,national", "--as-of", AS_OF, "--html", victim],
                 ["plan", "coverage", "--pack", "qingdao", "--format", "csv", "-o", victim]):
        res = cli(*args, victim)
        assert res.exit_code == 2, (args, res.output)
        assert f"无法写入 {victim}：会覆盖输入文件 {victim}" in res.output
        assert victim.read_bytes() == before
    # a symlink or a different spelling of the same file is the same file
    link = tmp_path / "link.xlsx"
    link.symlink_to(victim)
    res = cli("run", "--pack", "nanchang", "--as-of", AS_OF, "--format", "xlsx", "-o", link, tmp_path / "." / "victim.xlsx")
    assert res.exit_code == 2 and victim.read_bytes() == before


def test_outputs_never_overwrite_a_pack_a_plan_or_a_folder_input(cli, clean, tmp_path):
    pack = tmp_path / "city.toml"
    pack.write_text("[pack]\nid = 'city'\nname = '某市'\nlevel = 'city'\nextends = 'national'\n", encoding="utf-8")
    res = cli("run", "--pack", pack, "--as-of", AS_OF, "--format", "json", "-o", pack, clean)
    assert res.exit_code == 2 and "会覆盖输入文件" in res.output and "id = 'city'" in pack.read_text()
    res = cli("compare", "--packs", f"national,{pack}", "--as-of", AS_OF, "--html", pack, clean)
    assert res.exit_code == 2 and "id = 'city'" in pack.read_text()

    plan = tmp_path / "plan.csv"
    plan.write_text("project_id,year\n", encoding="utf-8")
    res = cli("plan", "coverage", "--pack", "qingdao", "--existing", plan, "--format", "csv", "-o", plan, clean)
    assert res.exit_code == 2 and plan.read_text() == "project_id,year\n"

    folder = tmp_path / "s"
    assert cli("sample", "--projects", 10, "-o", folder).exit_code == 0
    before = snapshot(folder)
    for args in (["convert", folder, "-o", folder], ["convert", folder / "projects.csv", "-o", folder],
                 ["run", "--pack", "national", "--as-of", AS_OF, "--format", "csv", "-o", folder / "spending.csv", folder]):
        res = cli(*args)
        assert res.exit_code == 2 and "会覆盖输入文件" in res.output, (args, res.output)
        assert snapshot(folder) == before


def test_two_outputs_of_one_command_must_differ(cli, clean, tmp_path):
    out = tmp_path / "c.json"
    res = cli("compare", "--packs", "national", "--as-of", AS_OF, "--format", "json", "-o", out, "--html", out, clean)
    assert res.exit_code == 2 and "作为输出写了两次" in res.output and not out.exists()


# --- output errors: one line naming the target, nothing partial ----------------------------------------


def test_missing_output_folder_is_one_line_naming_the_target(cli, clean, tmp_path):
    for fmt in ("json", "csv", "xlsx"):
        target = tmp_path / "results" / f"findings.{fmt}"
        res = cli("run", "--pack", "national", "--as-of", AS_OF, "--format", fmt, "-o", target, clean)
        assert res.exit_code == 2
        assert res.output.strip().splitlines()[-1] == (
            f"错误：无法写入 {target}：文件夹 {target.parent} 不存在")
    res = cli("sample", "--projects", 5, "-o", tmp_path / "no" / "s.xlsx")
    assert res.exit_code == 2 and "无法写入" in res.output and "不存在" in res.output
    assert list(tmp_path.iterdir()) == []


def test_compare_checks_every_target_before_any_work(cli, clean, tmp_path):
    ok = tmp_path / "ok.json"
    res = cli("compare", "--packs", "national", "--as-of", AS_OF, "--format", "json", "-o", ok,
              "--html", tmp_path / "missing" / "r.html", clean)
    assert res.exit_code == 2 and "无法写入" in res.output and "missing" in res.output
    assert not ok.exists()


DISK_FULL = r"""
import resource, signal, sys
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG, like a full disk
resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, 20_000))
from jixiao.cli.main import main
sys.argv = ["jixiao", *sys.argv[1:]]
main()
"""


@pytest.mark.parametrize("args", [
    ["run", "--pack", "tianyuan", "--as-of", AS_OF, "--format", "json", "-o", "{out}.json", "{folio}"],
    ["run", "--pack", "tianyuan", "--as-of", AS_OF, "--format", "csv", "-o", "{out}.csv", "{folio}"],
    ["run", "--pack", "tianyuan", "--as-of", AS_OF, "--format", "xlsx", "-o", "{out}.xlsx", "{big}"],  # compressed as it is written: a larger portfolio
    ["sample", "--projects", "400", "-o", "{out}.xlsx"],
    ["sample", "--projects", "400", "-o", "{out}"],
    ["convert", "{big}", "-o", "{out}"],
], ids=["json", "csv", "xlsx", "sample-xlsx", "sample-folder", "convert"])
def test_a_full_disk_leaves_the_previous_output_and_no_temporary(tmp_path, clean, args):
    big = tmp_path / "big"
    write_portfolio(generate(400, seed=1), big)
    outdir = tmp_path / "out"
    outdir.mkdir()
    out = outdir / "result"
    argv = [a.format(out=out, folio=clean, big=big) for a in args]
    target = Path(next(a for a in argv if a.startswith(str(out))))
    if target.suffix:
        target.write_text("SENTINEL")
    res = subprocess.run([sys.executable, "-c", DISK_FULL, *argv], capture_output=True, text=True, timeout=120)
    assert res.returncode == 2, res.stderr
    assert "Traceback" not in res.stderr
    assert res.stderr.strip().splitlines()[-1] == f"错误：无法写入 {target}：文件超过此文件系统允许的大小"
    if target.suffix:
        assert target.read_text() == "SENTINEL"
    assert sorted(p.name for p in outdir.iterdir()) == ([target.name] if target.suffix else [])


# --- two writers, kills and leftovers --------------------------------------------------------------------


def test_two_samples_written_at_once_to_one_folder_leave_one_valid_portfolio(tmp_path, monkeypatch):
    """Both writers are held mid-write together; each must write its own temporary folder."""
    from jixiao.core import sample
    from jixiao.core.load import load_portfolio

    monkeypatch.setattr(sample, "CHUNK", 10)
    both = threading.Barrier(2, timeout=20)
    errors = []

    def write(seed):
        def progress(done):
            if done == 10:
                both.wait()
        try:
            sample.write_sample(30, seed, 2024, tmp_path / "same", progress=progress)
        except Exception as exc:  # noqa: BLE001 - recorded, asserted below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(s,)) for s in (1, 2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    folio = load_portfolio(tmp_path / "same")
    assert len(folio) == 30
    assert [p.name for p in tmp_path.iterdir()] == ["same"]


SLOW_WRITE = r"""
import sys, time
from pathlib import Path
from jixiao.core.outputs.files import install_signal_handlers, write_atomic
install_signal_handlers()
def write(p):
    p.write_text("partial")
    print("writing", flush=True)
    time.sleep(60)
write_atomic(Path(sys.argv[1]), write)
"""


def test_sigterm_removes_the_temporary_file(tmp_path):
    target = tmp_path / "out.json"
    target.write_text("previous")
    proc = subprocess.Popen([sys.executable, "-c", SLOW_WRITE, str(target)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "writing"
    assert len(list(tmp_path.iterdir())) == 2  # the target and its temporary
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=20) == 143
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"] and target.read_text() == "previous"


def _dead_pid() -> int:
    p = subprocess.Popen([sys.executable, "-c", "pass"])
    p.wait()
    return p.pid


def test_leftovers_of_a_killed_writer_are_removed_on_the_next_write(cli, clean, tmp_path):
    out = tmp_path / "out.json"
    dead = _dead_pid()
    stale = [tmp_path / f".out.json.{dead}.abcd_123.json", tmp_path / f".out.json.{dead}.zzzz9999.partial"]
    stale[0].write_text("x" * 1000)
    stale[1].mkdir()
    legacy = tmp_path / ".out.json.q1w2e3r4.json"  # an older jixiao's name, without a PID
    legacy.write_text("y")
    os.utime(legacy, (time.time() - 7200, time.time() - 7200))
    live = tmp_path / f".out.json.{os.getpid()}.livelive.json"  # a writer still running: kept
    live.write_text("z")
    other = tmp_path / ".other.json.12345.abcdefgh.json"  # another target's: not ours to touch
    other.write_text("w")
    res = cli("run", "--pack", "national", "--as-of", AS_OF, "--format", "json", "-o", out, clean)
    assert res.exit_code == 0, res.output
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([out.name, live.name, other.name])


# --- nothing in the data runs: formula injection ------------------------------------------------------


def _cells(path: Path):
    wb = openpyxl.load_workbook(path)
    for ws in wb.worksheets:
        assert not ws._hyperlinks, ws.title
        for row in ws.iter_rows():
            yield from row


@pytest.mark.parametrize("command", ["run", "compare"])
def test_xlsx_outputs_write_every_text_as_text(cli, hostile, tmp_path, command):
    out = tmp_path / "out.xlsx"
    pack = ["--pack", "tianyuan"] if command == "run" else ["--packs", "tianyuan,nanchang"]
    res = cli(command, *pack, "--as-of", AS_OF, "--format", "xlsx", "-o", out, hostile)
    assert res.exit_code == 0, res.output
    cells = list(_cells(out))
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    texts = {c.value for c in cells if isinstance(c.value, str)}
    assert any(t.startswith('=HYPERLINK("http://127.0.0.1:8765/x"') for t in texts)
    assert any(t.startswith("=cmd|") for t in texts)


def _csv_cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text.lstrip("\ufeff"))) for cell in row]


def _assert_neutralised(cells: list[str]) -> None:
    risky = [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r") and not re.fullmatch(r"[+-]?\d+(\.\d+)?", c)]
    assert risky == []
    assert any(c.startswith("'=HYPERLINK(") for c in cells) and any(c.startswith("'@SUM(1)") for c in cells)


def test_csv_outputs_neutralise_formulas_and_keep_numbers(cli, hostile, tmp_path):
    out = tmp_path / "f.csv"
    res = cli("run", "--pack", "nanchang", "--as-of", AS_OF, "--format", "csv", "-o", out, hostile)
    assert res.exit_code == 0, res.output
    cells = _csv_cells(out.read_text(encoding="utf-8"))
    _assert_neutralised(cells)
    assert any(re.fullmatch(r"-\d+\.\d\d", c) for c in cells)  # amounts stay numbers
    res = cli("run", "--pack", "tianyuan", "--as-of", AS_OF, "--format", "csv", hostile)
    _assert_neutralised(_csv_cells(res.stdout))
    res = cli("plan", "coverage", "--pack", "qingdao", "--format", "csv", hostile)
    assert res.exit_code == 0, res.output
    _assert_neutralised(_csv_cells(res.stdout))


def test_csv_safe_prefixes_exactly_the_risky_cells():
    from jixiao.core.outputs.files import csv_safe

    frame = pl.DataFrame({"t": ["=1+1", "+1+1", "-2+3", "@SUM(1)", "\t=1", "\r=1", "-123.45", "+7", "a=b", "", None],
                          "n": list(range(11))})
    assert csv_safe(frame)["t"].to_list() == ["'=1+1", "'+1+1", "'-2+3", "'@SUM(1)", "'\t=1", "'\r=1", "-123.45", "+7",
                                              "a=b", "", None]


# --- nothing in a pack runs: the pack id --------------------------------------------------------------


@pytest.mark.parametrize("bad", ["<img src=x onerror=alert(1)>", "Nanchang", "my-city", "x y", "1city", ""])
def test_a_pack_id_must_be_an_identifier(cli, tmp_path, bad):
    pack = tmp_path / "evil.toml"
    pack.write_text(f"[pack]\nid = {bad!r}\nname = 'x'\nlevel = 'city'\nextends = 'national'\n".replace("\"", "'"),
                    encoding="utf-8")
    res = cli("packs", "check", pack)
    assert res.exit_code == 2
    assert "键 pack.id：规则包 id 无效" in res.output and repr(bad) in res.output


def test_the_report_escapes_text_from_packs_and_data(cli, hostile, tmp_path):
    pack = tmp_path / "evil.toml"
    pack.write_text("[pack]\nid = 'evil'\nname = '<img src=x onerror=alert(7)>'\nlevel = 'city'\nextends = 'national'\n",
                    encoding="utf-8")
    out = tmp_path / "r.html"
    res = cli("compare", "--packs", f"national,{pack}", "--as-of", AS_OF, "--html", out, hostile)
    assert res.exit_code == 0, res.output
    page = out.read_text(encoding="utf-8")
    body = page.split("</head>", 1)[1]
    # outside plotly's JSON (whose < are \u003c), no payload survives as markup
    markup = body.replace("\\u003c", "")
    for tag in ("<img", "<svg", "<script>alert", "<b onmouseover", "<a href"):
        assert tag not in markup, tag
    assert "&lt;img src=x onerror=alert(7)&gt;" in body
    # chart labels: plotly would draw <a href> in a department name as a link; escaped, it shows the text
    charts = re.findall(r"Plotly\.newPlot\((.*?)\)\s*\}", body, re.S)
    assert charts and not any("\\u003ca href" in c for c in charts)
    assert any("&lt;a href=\\\"http:\\u002f\\u002f127.0.0.1:8765\\u002fphish\\\"&gt;" in c for c in charts)
