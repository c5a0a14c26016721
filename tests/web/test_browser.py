"""The app in a real browser: headless Debian Chromium driven by Playwright, against the
app served by waitress on a free loopback port, over the test index.

Screenshots of the search and cable pages go to ``test-artifacts/`` at the repo root.
"""

from __future__ import annotations

import shutil
import threading
from pathlib import Path
from urllib.parse import urlencode

import pytest

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def base_url(index_dir):
    """The real app under waitress on 127.0.0.1 and a free port, for this module."""
    from waitress import create_server

    from web import create_app

    server = create_server(
        create_app({"INDEX_DIR": str(index_dir)}), host="127.0.0.1", port=0, threads=4
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.effective_port}"

    # Stop from inside the server's own loop (emptying its socket map ends it), so the
    # loop never polls a socket closed under it; then stop the workers and close.
    def empty_map():
        for channel in list(server.map.values()):
            if channel is not server and channel is not server.trigger:
                channel.close()
        server.map.clear()

    server.trigger.pull_trigger(empty_map)
    thread.join(10)
    server.task_dispatcher.shutdown()
    server.close()


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        pytest.skip(f"Chromium is not installed at {CHROMIUM} (Debian: apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium"),
            args=LAUNCH_ARGS,
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    problems: list[str] = []
    # A CSP violation or a script error shows up as a console error: fail on any.
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.problems = problems
    yield page
    context.close()
    assert problems == []


def _in_view(page, selector: str) -> bool:
    return page.eval_on_selector(
        selector,
        """el => { const r = el.getBoundingClientRect();
                   return r.top >= 0 && r.top < window.innerHeight; }""",
    )


def test_search_and_click_a_facet(page, base_url, index_dir):
    from search import CableSearch

    expected = [h.subject for h in CableSearch(index_dir).search("flamingo").hits]
    ARTIFACTS.mkdir(exist_ok=True)
    page.goto(base_url + "/")
    page.get_by_label("Search cables").fill("flamingo")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search?q=flamingo")

    assert page.locator("#results-h").inner_text() == "3 cables"
    titles = page.locator(".hit-title a").all_inner_texts()
    assert titles == expected
    marks = page.locator(".hits mark").all_inner_texts()
    assert marks and {m.lower() for m in marks} == {"flamingo"}
    # The hostile cable's subject is text on the page, not markup.
    assert page.locator(".hits script").count() == 0
    assert any("<script>alert('x')</script>" in t for t in titles)
    page.screenshot(path=str(ARTIFACTS / "search.png"), full_page=True)

    # Click a facet: only Embassy Ankara's two cables stay, and a removable chip appears.
    page.locator(".facet a", has_text="Embassy Ankara").first.click()
    page.wait_for_url("**origin=Embassy+Ankara**")
    assert page.locator("#results-h").inner_text() == "2 cables"
    chip = page.get_by_role("link", name="Remove filter Origin: Embassy Ankara")
    assert chip.count() == 2  # the chip and the active facet value
    chip.first.click()
    page.wait_for_url(base_url + "/search?q=flamingo")
    assert page.locator("#results-h").inner_text() == "3 cables"


def test_snippet_link_lands_on_the_paragraph(page, base_url):
    ARTIFACTS.mkdir(exist_ok=True)
    page.goto(base_url + "/search?" + urlencode({"q": "pelican"}))
    link = page.locator(".snippet a.pref").first
    assert link.inner_text() == "¶9"
    link.click()
    page.wait_for_url("**/cable/06ANKARA1001?q=pelican#p9")
    assert page.evaluate("location.hash") == "#p9"
    assert _in_view(page, "#p9")
    assert page.locator("#p9 mark").all_inner_texts() == ["pelican"]
    page.screenshot(path=str(ARTIFACTS / "cable.png"), full_page=False)


def test_histogram_bar_narrows_to_its_year(page, base_url):
    page.goto(base_url + "/")
    page.screenshot(path=str(ARTIFACTS / "landing.png"), full_page=True)
    page.goto(base_url + "/search?q=quokka")
    assert page.locator("#results-h").inner_text() == "25 cables"
    bar = page.locator("svg.hist a[aria-label^='2003:']")
    assert bar.get_attribute("aria-label") == "2003: 3 cables, narrow to 2003"
    bar.click()
    page.wait_for_url("**year=2003**")
    assert page.locator("#results-h").inner_text() == "3 cables"


def test_keyboard_reaches_the_skip_link_and_the_query_box(page, base_url):
    page.goto(base_url + "/search?q=quokka")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to main content"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"


def test_phone_layout_has_no_horizontal_scroll(browser, base_url):
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True)
    page = context.new_page()
    try:
        for path in ("/search?q=flamingo", "/cable/06ANKARA1001?q=flamingo"):
            page.goto(base_url + path)
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow == 0, path
        page.goto(base_url + "/search?q=flamingo")
        page.screenshot(path=str(ARTIFACTS / "search-phone.png"), full_page=False)
    finally:
        context.close()
