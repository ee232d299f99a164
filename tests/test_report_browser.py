"""The HTML report as a person sees it: opened from disk in headless Chromium, with no network."""

from __future__ import annotations

import os
import shutil
import struct
import zlib

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
IN_CI = os.environ.get("CI") == "true"

if not CHROMIUM and not IN_CI:
    pytest.skip("Chromium is not installed (CI installs it; see .ci/run)", allow_module_level=True)


def png_pixels(data: bytes) -> tuple[int, int, list[bytes]]:
    """Decode an 8-bit RGB(A) PNG's rows (enough to tell a blank page from a drawn one)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width, height, channels = 8, b"", 0, 0, 4
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, color = struct.unpack(">IIBB", chunk[:10])
            assert depth == 8
            channels = {2: 3, 6: 4}[color]
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * channels
    rows, prev = [], bytes(stride)
    for y in range(height):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - channels] if i >= channels else 0
            b, c = prev[i], prev[i - channels] if i >= channels else 0
            p = a + b - c
            pred = {0: 0, 1: a, 2: b, 3: (a + b) // 2,
                    4: a if abs(p - a) <= abs(p - b) and abs(p - a) <= abs(p - c) else (b if abs(p - b) <= abs(p - c) else c)}[f]
            line[i] = (line[i] + pred) & 0xFF
        rows.append(bytes(line))
        prev = bytes(line)
    return width, height, rows


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    from click.testing import CliRunner

    from jixiao.cli.main import main

    out = tmp_path_factory.mktemp("demo")
    res = CliRunner().invoke(main, ["demo", "--out", str(out), "--projects", "80"], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    return out / "report.html"


def test_report_opens_offline_renders_charts_and_logs_no_errors(report, tmp_path):
    assert CHROMIUM, "Chromium must be installed in CI"
    from playwright.sync_api import sync_playwright

    requests, errors = [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"])
        page = browser.new_page(viewport={"width": 1300, "height": 1800})
        page.on("request", lambda r: requests.append(r.url))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(report.as_uri())
        page.wait_for_selector(".js-plotly-plot .main-svg")
        charts = page.locator(".js-plotly-plot").count()
        bars = page.locator(".js-plotly-plot .bars path").count()
        title = page.locator("h1").inner_text()
        shot = tmp_path / "report.png"
        page.screenshot(path=str(shot), full_page=False)
        browser.close()
    assert [u for u in requests if not u.startswith(("file:", "data:", "blob:", "about:"))] == []
    assert errors == []
    assert charts >= 4 and bars > 0
    assert "预算绩效管理规则对比" in title
    width, height, rows = png_pixels(shot.read_bytes())
    assert (width, height) == (1300, 1800)
    distinct = {row[i:i + 3] for row in rows[::20] for i in range(0, len(row), 60)}
    assert len(distinct) > 20, "the screenshot is (nearly) blank"


def test_a_report_from_hostile_names_runs_no_script_and_links_nowhere(cli, tmp_path):
    """Project ids, names and departments carrying script, event handlers and links, and a pack
    whose name does: opened, hovered and clicked in Chromium, the page shows no dialog, runs no
    script from the data, makes no request and goes nowhere."""
    assert CHROMIUM, "Chromium must be installed in CI"
    from playwright.sync_api import sync_playwright
    from test_files import hostile_portfolio

    folio = hostile_portfolio(tmp_path / "folio")
    pack = tmp_path / "evil.toml"
    pack.write_text("[pack]\nid = 'evil'\nname = '<img src=x onerror=alert(8)><script>alert(9)</script>'\n"
                    "level = 'city'\nextends = 'nanchang'\n", encoding="utf-8")
    report = tmp_path / "r.html"
    res = cli("compare", "--packs", f"national,nanchang,{pack}", "--as-of", "2025-03-31", "--html", report, folio)
    assert res.exit_code == 0, res.output

    dialogs, requests, navigations, errors = [], [], [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"])
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file:")
                   else (requests.append(route.request.url), route.abort()))
        page.goto(report.as_uri())
        page.on("framenavigated", lambda f: navigations.append(f.url) if f == page.main_frame else None)
        page.wait_for_selector(".js-plotly-plot .main-svg")
        # hover every bar (hover labels render names as markup) and click every axis label and legend item
        for bar in page.locator(".js-plotly-plot .bars path").all()[:80]:
            box = bar.bounding_box()
            if box and box["width"] and box["height"]:
                page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        for label in page.locator(".js-plotly-plot .xtick text, .js-plotly-plot .legendtext").all()[:80]:
            label.click(force=True, timeout=2000)
        for cell in page.locator("td, th").all()[:200]:
            cell.click(force=True, timeout=2000)
        page.wait_for_timeout(300)
        injected = page.evaluate("""() => ({
            handlers: document.querySelectorAll('[onerror],[onload],[onmouseover],[onclick]').length,
            images: document.querySelectorAll('img').length,
            links: document.querySelectorAll('a').length,  // plotly draws <a xlink:href> in SVG
            scripts: document.scripts.length - document.querySelectorAll('.js-plotly-plot').length,
        })""")  # plotly's library, and one script per chart
        browser.close()
    assert dialogs == [] and requests == [] and navigations == [] and errors == []
    assert injected == {"handlers": 0, "images": 0, "links": 0, "scripts": 1}
