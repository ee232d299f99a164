"""The HTML report as a 处长 reads it (usability review item 11): amounts in 万元/亿元, counts with
separators, Chinese months, headings and pack names, the clause behind each figure, the
disagreement matrix by money with systematic differences summarised, and a clean print.

The page is read as HTML here (fast); the tests at the end open it in headless Chromium."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from html.parser import HTMLParser

import polars as pl
import pytest

from jixiao.core.outputs.compare import compare
from jixiao.core.engine import run
from jixiao.core.pack import Pack
from jixiao.core.outputs.report import write_html
from jixiao.core.outputs.report_text import money
from jixiao.core.sample import generate
from jixiao.core.outputs.portfolio_files import write_portfolio

AS_OF = dt.date(2025, 3, 31)
SEEDS = ["nanchang", "qingdao", "tianyuan", "shilong", "tongxin"]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

# A pack that cuts every graded project's budget: it differs from the others on nearly every project.
CUTS_ALL = """
[pack]
id = "cuts_all"
name = "一律扣减的县规则"
level = "county"
extends = "national"

[sources.doc]
doc_no = "测县财〔2024〕1号"
title = "测试县预算绩效结果应用办法"

[rules.budget_link]
citation = { source = "doc", clause = "第五条" }

[rules.budget_link.params]
cut_ratios = { "优" = "0.01", "良" = "0.02", "中" = "0.05", "差" = "0.20" }
cut_from = "department_control"  # taken whether or not the project runs on
"""

# A pack whose ex-ante gate also blocks every new project that is not 重大: the one pack whose
# 预算安排 differs on those projects.
GATES_NEW = """
[pack]
id = "gates_new"
name = "新增项目一律评估的县规则"
level = "county"
extends = "national"

[sources.doc]
doc_no = "测县财〔2024〕2号"
title = "测试县事前绩效评估办法"

[rules.ex_ante]
citation = { source = "doc", clause = "第三条" }

[rules.ex_ante.params]
triggers = ["new_major", "new"]
"""


def fully_evaluated(portfolio, folder):
    """The portfolio with a 2025-03-01 finance evaluation (score 85) for every project that has no
    evaluation of its year: every grade is then an evaluation result, on which packs act."""
    from jixiao.core.load import load_portfolio
    from jixiao.core.outputs.portfolio_files import write_portfolio

    write_portfolio(portfolio, folder)
    evaluations = folder / "evaluations.csv"
    text = evaluations.read_text(encoding="utf-8")
    header = text.splitlines()[0].split(",")
    have = {(r.split(",")[0], r.split(",")[1]) for r in text.splitlines()[1:]}
    rows = []
    for pid, year in portfolio.projects.select("project_id", "fiscal_year").iter_rows():
        if (pid, str(year)) not in have:
            row = dict.fromkeys(header, "")
            row.update({"项目编码": pid, "评价年度": str(year), "评价方式": "财政重点评价", "评价日期": "2025-03-01",
                        "总分": "85"})
            rows.append(",".join(row[h] for h in header))
    evaluations.write_text(text.rstrip("\n") + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return load_portfolio(folder)


# --- reading the page -----------------------------------------------------------------------------

class Tables(HTMLParser):
    """Every table of the page as rows of cell texts, and the headings' texts."""

    def __init__(self):
        super().__init__()
        self.tables, self.headings, self._cell, self._heading = [], [], None, None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append({"class": dict(attrs).get("class", ""), "rows": []})
        elif tag == "tr" and self.tables:
            self.tables[-1]["rows"].append([])
        elif tag in ("td", "th") and self.tables:
            self._cell = {"text": "", "class": dict(attrs).get("class", ""), "odd": [], "lines": []}
        elif tag in ("h1", "h2"):
            self._heading = ""
        elif tag == "span" and self._cell is not None:
            cls = dict(attrs).get("class", "")
            self._cell["lines"].append({"class": cls, "text": ""})

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1]["rows"][-1].append(self._cell)
            self._cell = None
        elif tag in ("h1", "h2") and self._heading is not None:
            self.headings.append(self._heading)
            self._heading = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell["text"] += data
            if self._cell["lines"]:
                self._cell["lines"][-1]["text"] += data
        if self._heading is not None:
            self._heading += data


def read(page: str) -> Tables:
    t = Tables()
    t.feed(page)
    return t


def table_after(page: str, heading: str) -> list[list[dict]]:
    """The first table after a heading, as rows of cells."""
    return read(page.split(f"<h2>{heading}</h2>", 1)[1]).tables[0]["rows"]


def figures(page: str) -> list[tuple[list[dict], dict]]:
    """Each chart's plotly data and layout, decoded from the page."""
    out, dec = [], json.JSONDecoder()
    for m in re.finditer(r'Plotly\.newPlot\(\s*"[^"]+",\s*', page):
        data, end = dec.raw_decode(page, m.end())
        layout, _ = dec.raw_decode(page, page.index("{", end))
        out.append((data, layout))
    return out


@pytest.fixture(scope="module")
def seeds(tmp_path_factory):
    from jixiao.core.registry import Registry

    registry = Registry.discover(use_entry_points=False)
    packs = [Pack.load(p, registry) for p in SEEDS]
    portfolio = generate(120, seed=3)
    c = compare(packs, portfolio, AS_OF)
    path = tmp_path_factory.mktemp("chief") / "r.html"
    write_html(c, path)
    return c, packs, portfolio, path.read_text(encoding="utf-8")


# --- numbers --------------------------------------------------------------------------------------

@pytest.mark.parametrize("fen, text", [
    (0, "0.00 万元"),
    (-49_630_000, "-49.63 万元"),
    (-1_464_500, "-1.46 万元"),      # -14,645.00 元
    (1_465_000, "1.47 万元"),        # 1.465 万元, half up
    (-1_464_999, "-1.46 万元"),
    (5_000, "0.01 万元"),            # 50 元
    (4_999, "49.99 元"),             # under 0.005 万元 it would read 0.00 万元: shown in 元
    (-1, "-0.01 元"),
    (123_456_789_00, "1.23 亿元"),   # 123,456,789.00 元
    (-10_000_000_000, "-1.00 亿元"),
    (9_999_990_000, "9,999.99 万元"),
    (1_234_567_890_123_400, "123,456.79 亿元"),
])
def test_amounts_read_in_wan_or_yi_yuan_rounded_half_up(fen, text):
    assert money(fen) == text


def test_counts_have_thousands_separators_and_the_monthly_note_names_the_real_limit(monkeypatch, tmp_path, registry):
    import jixiao.core.outputs.compare as comparing

    monkeypatch.setattr(comparing, "MONTHLY_LIMIT", 1_000)  # the replay is skipped above this
    portfolio = generate(1_234, seed=9)
    c = compare([Pack.load("national", registry), Pack.load("nanchang", registry)], portfolio, AS_OF)
    assert c.monthly is None
    write_html(c, tmp_path / "r.html")
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "1,234 个项目" in read(page).headings[0]
    assert "逐月预警未计算：项目数 1,234 个，超过逐月回放上限 1,000 个。" in page
    # every count in the summary table is grouped: no run of four digits or more outside an id
    summary = table_after(page, "各规则包汇总")
    for row in summary[1:]:
        for cell in row[1:]:
            assert not re.search(r"(?<![\d,.〔])\d{4,}(?![\d〕号年])", cell["text"]), cell["text"]


def test_a_report_without_the_replay_says_it_was_turned_off(seeds, tmp_path, registry):
    c = compare([Pack.load("national", registry)], generate(10, seed=1), AS_OF, monthly=False)
    write_html(c, tmp_path / "r.html")
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "逐月预警未计算（已用 --no-monthly 关闭）" in page and "超过逐月回放上限" not in page


# --- Chinese only, packs by name ------------------------------------------------------------------

def test_headings_and_row_labels_are_chinese_only(seeds):
    c, packs, _, page = seeds
    t = read(page)
    assert t.headings and all(not re.search(r"[A-Za-z]", h) for h in t.headings), t.headings
    title = re.search(r"<title>(.*?)</title>", page).group(1)
    assert not re.search(r"[A-Za-z]", title.replace("jixiao", "")), title
    labels = [row[0]["text"] for row in table_after(page, "各规则包汇总")[1:]]
    assert labels and all(not re.search(r"[A-Za-z]", x) for x in labels), labels
    for _, layout in figures(page):
        text = layout["title"]["text"] + layout["yaxis"]["title"]["text"] + layout["xaxis"].get("title", {}).get("text", "")
        assert not re.search(r"[A-Za-z]", text), text


def test_packs_are_shown_by_name_in_every_table_and_chart_with_one_colour_each(seeds):
    c, packs, _, page = seeds
    names = [p.meta.name for p in packs]
    for heading in ("各规则包汇总", "各部门金额影响合计（各年度、各类相加）", "结论不一致的项目"):
        head = [cell["text"] for cell in table_after(page, heading)[0]]
        assert head[-len(names):] == names, (heading, head)
    figs = figures(page)
    colour_of = {}
    for data, layout in figs:
        for trace in data:
            if "name" in trace:
                assert trace["name"] in names  # never the id
                colour = trace.get("marker", {}).get("color") or trace.get("line", {}).get("color")
                assert colour_of.setdefault(trace["name"], colour) == colour, trace["name"]
    assert set(colour_of) == set(names) and len(set(colour_of.values())) == len(names)
    # the per-pack budget chart: one bar per pack, in that pack's colour, labelled by its name
    (effect,), _ = next(f for f in figs if f[1]["title"]["text"].startswith("金额影响合计"))
    assert [x.replace("<br>", "") for x in effect["x"]] == names
    assert effect["marker"]["color"] == [colour_of[n] for n in names]


def test_money_axes_are_in_wan_yuan_and_count_axes_whole(seeds):
    c, _, _, page = seeds
    for data, layout in figures(page):
        axis = layout["yaxis"]
        if axis["title"]["text"] in ("万元", "亿元"):
            assert axis["tickformat"] == ",~f"  # plotly's default would be SI: −5M, −10B
        else:
            assert axis["title"]["text"] in ("项目数", "预警条数") and axis["tickformat"] == ",d"
    effect = next(d for d, lay in figures(page) if lay["title"]["text"].startswith("金额影响合计"))[0]
    s = {x["pack"]: x for x in c.summary}
    assert effect["y"] == [s[p]["budget_effect_fen"] / 1_000_000 for p in c.pack_ids]  # 万元
    assert effect["text"] == [money(s[p]["budget_effect_fen"]) for p in c.pack_ids]


def test_months_are_chinese(seeds):
    c, _, _, page = seeds
    monthly = next(d for d, lay in figures(page) if lay["title"]["text"].startswith("逐月预警"))
    assert monthly[0]["x"][:3] == ["2024年1月", "2024年2月", "2024年3月"]


# --- the clause behind each figure ----------------------------------------------------------------

def test_each_money_and_blocking_figure_names_the_clause_that_produced_it(seeds):
    c, packs, portfolio, page = seeds
    rows = {row[0]["text"]: row[1:] for row in table_after(page, "各规则包汇总")[1:]}
    checked = 0
    for i, pack in enumerate(packs):
        f = run(pack, portfolio, AS_OF).findings
        money_cell, blocked_cell = rows["金额影响（按预算年度、类别）"][i]["text"], rows["不予安排预算的项目"][i]["text"]
        for source, clause in f.filter(pl.col("amount_fen").is_not_null()).select("source", "clause").unique().iter_rows():
            assert f"依据 {source} {clause}" in money_cell, (pack.id, source, clause, money_cell)
            checked += 1
        for source, clause in f.filter(pl.col("action") == "block_budget").select("source", "clause").unique().iter_rows():
            assert f"依据 {source} {clause}" in blocked_cell, (pack.id, source, clause, blocked_cell)
            checked += 1
        # and the clauses are those of money and blocking findings only
        cited = set(re.findall(r"依据 (\S+) ([^（]+?)(?:（|$|依据)", money_cell))
        assert all(f.filter((pl.col("source") == s) & (pl.col("clause").str.starts_with(k.strip()))
                            & pl.col("amount_fen").is_not_null()).height for s, k in cited), cited
    assert checked >= 8


# --- the disagreement matrix ----------------------------------------------------------------------

def matrix_ids(page: str) -> list[str]:
    if "<table class='matrix'>" not in page:
        return []
    rows = table_after(page, "结论不一致的项目")[1:]
    return [row[0]["lines"][0]["text"].split(" · ")[0] for row in rows]


def test_the_matrix_names_projects_and_is_sorted_by_the_money_difference(seeds):
    from jixiao.core.outputs.report import odd_cells, systematic

    c, _, _, page = seeds
    assert systematic(c, odd_cells(c)) == {}  # nothing here differs on nearly every project
    effects = [pl.col(f"{p}:effect_fen") for p in c.pack_ids]
    expected = (c.matrix.with_row_index("i").filter(pl.col("disagree") != "")
                .with_columns((pl.max_horizontal(effects) - pl.min_horizontal(effects)).alias("spread"))
                .sort(["spread", "i"], descending=[True, False]))
    assert matrix_ids(page) == expected["project_id"].to_list()
    rows = table_after(page, "结论不一致的项目")[1:]
    names = dict(zip(c.matrix["project_id"], c.matrix["name"]))
    for row, pid in zip(rows, expected["project_id"]):
        assert row[0]["text"].startswith(names[pid])
    assert expected["spread"][0] > expected["spread"][-1]


def test_a_differing_value_is_marked_only_where_it_differs_from_the_others(tmp_path, registry):
    pack = tmp_path / "gates_new.toml"
    pack.write_text(GATES_NEW, encoding="utf-8")
    packs = [Pack.load(p, registry) for p in ("national", "nanchang", "tongxin", str(pack))]
    c = compare(packs, generate(60, seed=4), AS_OF, monthly=False)
    write_html(c, tmp_path / "r.html")
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    rows = table_after(page, "结论不一致的项目")[1:]
    by_id = {r["project_id"]: r for r in c.matrix.iter_rows(named=True)}
    for row, pid in zip(rows, matrix_ids(page)):
        r = by_id[pid]
        gates = [r[f"{p}:gate"] for p in c.pack_ids]
        if len(set(gates)) == 2 and min(gates.count(g) for g in set(gates)) == 1:  # one pack blocks, the rest agree
            lonely = next(g for g in set(gates) if gates.count(g) == 1)
            marked = [any("odd" in s["class"] and s["text"] == g for s in cell["lines"])
                      for cell, g in zip(row[2:], gates)]
            assert marked == [g == lonely for g in gates], (pid, gates, marked)
            return
    pytest.fail("no project where exactly one pack's gate differs")


def test_a_systematic_difference_is_summarised_not_marked_on_every_row(tmp_path, registry):
    pack = tmp_path / "cuts_all.toml"
    pack.write_text(CUTS_ALL, encoding="utf-8")
    gates = tmp_path / "gates_new.toml"
    gates.write_text(GATES_NEW, encoding="utf-8")
    packs = [Pack.load(p, registry) for p in ("national", "nanchang", str(gates), str(pack))]
    c = compare(packs, fully_evaluated(generate(60, seed=4), tmp_path / "pf"), AS_OF, monthly=False)
    write_html(c, tmp_path / "r.html")
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    differs_on_effect = int(c.matrix["disagree"].str.contains("effect").sum())
    assert differs_on_effect >= 54  # the pack's cut differs on ≥ 90 % of the 60 projects
    assert (f"「预算影响」：一律扣减的县规则 与其他规则包在 {differs_on_effect} 个项目上不同（共 60 个" in page)
    assert "依据 测县财〔2024〕1号 第五条" in page.split("系统性差异", 1)[1]
    # listed: only projects that differ on something else; none of them red for the pack's cut
    other = c.matrix.filter(pl.col("disagree").str.replace("effect", "").str.replace_all(",", "") != "")
    ids = matrix_ids(page)
    assert sorted(ids) == sorted(other["project_id"].to_list()) and 0 < len(ids) < 60
    rows = table_after(page, "结论不一致的项目")[1:]
    for row in rows:
        effect_line = next(s for s in row[-1]["lines"] if s["text"].startswith("预算影响"))
        assert "odd" not in effect_line["class"] and "sys" in effect_line["class"]
    only = c.matrix.filter(pl.col("disagree") != "").height - len(ids)
    assert f"其中 {only} 个只在上述系统性差异上不同，不逐个列出" in page


def test_the_truncation_note_names_the_real_number_of_rows(seeds, monkeypatch, tmp_path):
    import jixiao.core.outputs.report as report

    c, _, _, _ = seeds
    monkeypatch.setattr(report, "MATRIX_ROWS", 7)
    write_html(c, tmp_path / "r.html")
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    listed = c.matrix.filter(pl.col("disagree") != "").height
    assert len(matrix_ids(page)) == 7
    assert f"页面列出前 7 个（共 {listed} 个）" in page


# --- in the browser -------------------------------------------------------------------------------

def browser(p):
    return p.chromium.launch(executable_path=CHROMIUM, args=[
        "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"])


needs_chromium = pytest.mark.skipif(not CHROMIUM, reason="Chromium is not installed (CI installs it; see .ci/run)")


@needs_chromium
def test_drawn_ticks_read_in_wan_yuan_whole_counts_and_chinese_months(tmp_path, registry):
    """A small portfolio: plotly would put count ticks at 0.5 and money ticks as −100k."""
    from playwright.sync_api import sync_playwright

    packs = [Pack.load(p, registry) for p in ("national", "nanchang", "tongxin")]
    folio = write_portfolio(generate(7, seed=11), tmp_path / "p.xlsx")
    from jixiao.core.load import load_portfolio
    c = compare(packs, load_portfolio(folio), AS_OF)
    write_html(c, tmp_path / "r.html")
    with sync_playwright() as p:
        b = browser(p)
        page = b.new_page(viewport={"width": 1300, "height": 1000})
        page.goto((tmp_path / "r.html").as_uri())
        page.wait_for_selector(".js-plotly-plot .main-svg")
        ticks = page.evaluate("""() => Object.fromEntries([...document.querySelectorAll('.chart')].map(ch => [ch.id, {
            y: [...ch.querySelectorAll('.ytick text')].map(t => t.textContent),
            x: [...ch.querySelectorAll('.xtick text')].map(t => t.textContent),
            legend: [...ch.querySelectorAll('.legendtext')].map(t => t.textContent)}]))""")
        b.close()
    names = [p.meta.name for p in packs]
    for chart in ("chart-grades", "chart-monthly"):
        ys = ticks[chart]["y"]
        assert ys and all(re.fullmatch(r"\d[\d,]*", y) for y in ys), (chart, ys)  # whole numbers
        assert len(set(ys)) == len(ys), ys  # no two ticks that round to one number
    for chart in ("chart-effect", "chart-departments"):
        ys = ticks[chart]["y"]
        assert ys and not any(re.search(r"[kMGTB]$", y) for y in ys), (chart, ys)
    assert ticks["chart-monthly"]["x"][0] == "2024年1月"
    for chart in ("chart-grades", "chart-departments", "chart-monthly"):
        assert ticks[chart]["legend"] == names


@needs_chromium
def test_a_hostile_pack_name_is_text_in_legends_headers_and_hover_labels(cli, tmp_path):
    from playwright.sync_api import sync_playwright
    from test_files import hostile_portfolio

    folio = hostile_portfolio(tmp_path / "folio")
    evil = "<img src=x onerror=alert(8)><a href='http://127.0.0.1:8765/x'>点我</a>&amp;"
    pack = tmp_path / "evil.toml"
    pack.write_text(f'[pack]\nid = "evil"\nname = "{evil}"\nlevel = "city"\nextends = "nanchang"\n', encoding="utf-8")
    report = tmp_path / "r.html"
    res = cli("compare", "--packs", f"national,{pack}", "--as-of", "2025-03-31", "--html", report, folio)
    assert res.exit_code == 0, res.output
    dialogs, requests = [], []
    with sync_playwright() as p:
        b = browser(p)
        page = b.new_page(viewport={"width": 1400, "height": 1000})
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file:")
                   else (requests.append(route.request.url), route.abort()))
        page.goto(report.as_uri())
        page.wait_for_selector(".js-plotly-plot .main-svg")
        legends = page.locator(".legendtext").all_text_contents()
        heads = page.locator("th.pack, th[title='evil']").all_text_contents()
        hover_links = 0
        for bar in page.locator(".js-plotly-plot .bars path").all()[:40]:
            box = bar.bounding_box()
            if box and box["width"] and box["height"]:
                page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
                hover_links += page.locator(".hoverlayer a, .hoverlayer image").count()
        found = page.evaluate("() => [document.querySelectorAll('img').length, document.querySelectorAll('a').length]")
        b.close()
    assert dialogs == [] and requests == [] and hover_links == 0 and found == [0, 0]
    assert evil in legends and evil in heads


@needs_chromium
def test_the_report_prints_on_a4_without_toolbar_scrollbar_or_split_chart(seeds, tmp_path):
    from playwright.sync_api import sync_playwright

    c, _, _, page_html = seeds
    path = tmp_path / "r.html"
    path.write_text(page_html, encoding="utf-8")
    with sync_playwright() as p:
        b = browser(p)
        page = b.new_page(viewport={"width": 1300, "height": 1000})
        page.goto(path.as_uri())
        page.wait_for_selector(".js-plotly-plot .main-svg")
        assert page.locator(".modebar").count() > 0  # the screen has plotly's toolbar
        page.emulate_media(media="print")
        page.set_viewport_size({"width": 700, "height": 1000})  # A4's printable width at 12 mm margins
        state = page.evaluate("""() => ({
            modebars: [...document.querySelectorAll('.modebar, .modebar-container')]
                .filter(e => getComputedStyle(e).display !== 'none').length,
            charts: [...document.querySelectorAll('.chart')].map(e => [getComputedStyle(e).breakInside,
                e.getBoundingClientRect().width, e.getBoundingClientRect().height]),
            clipped: [...document.querySelectorAll('body *')].filter(e => {
                const s = getComputedStyle(e);
                return ['auto', 'scroll', 'hidden'].includes(s.overflowX) && e.scrollWidth > e.clientWidth + 1;
            }).map(e => e.tagName + '.' + e.className).slice(0, 5),
            wide: document.documentElement.scrollWidth,
            matrix: document.querySelector('table.matrix').getBoundingClientRect().right,
        })""")
        pdf = page.pdf(format="A4", margin={"top": "12mm", "bottom": "12mm", "left": "12mm", "right": "12mm"})
        b.close()
    assert state["modebars"] == 0
    assert state["charts"] and all(bi == "avoid" and w <= 700 and h < 1000 for bi, w, h in state["charts"]), state["charts"]
    assert state["clipped"] == [] and state["wide"] <= 700 and state["matrix"] <= 700, state
    assert pdf[:4] == b"%PDF" and pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages") >= 3


def test_two_packs_that_differ_on_every_project_say_so_once(tmp_path, registry):
    pack = tmp_path / "cuts_all.toml"
    pack.write_text(CUTS_ALL, encoding="utf-8")
    c = compare([Pack.load("national", registry), Pack.load(str(pack), registry)],
                fully_evaluated(generate(60, seed=4), tmp_path / "pf"), AS_OF, monthly=False)
    write_html(c, tmp_path / "r.html")
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    only_effect = int((c.matrix["disagree"] == "effect").sum())
    assert only_effect >= 54
    assert f"「预算影响」：各规则包之间在 {only_effect} 个项目上不同" in page
    assert f"其中 {only_effect} 个只在上述系统性差异上不同，不逐个列出" in page
    assert len(matrix_ids(page)) == c.matrix.filter(pl.col("disagree") != "").height - only_effect
