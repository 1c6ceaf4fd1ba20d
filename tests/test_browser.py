"""End to end in headless Chromium (Debian's, driven by Playwright) against `symbolenbank serve`.

Screenshots go to test-artifacts/browser/ for a human to look at.
"""

from __future__ import annotations

from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts" / "browser"
OBFUSCATED = "Gisteren riepen ze weer s1eg h.e.i.l kameraden, echt walgelijk."

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="Debian's chromium is not installed at /usr/bin/chromium"
    ),
]


@pytest.fixture(scope="module")
def server(built, start_server):
    return start_server(built.output, log=ARTIFACTS / "serve.log")


@pytest.fixture(scope="module")
def site_cases_server(site_cases, start_server):
    """The site on the small knowledge base of `site_cases`, with its drawing."""
    return start_server(site_cases.db, data=site_cases.data, log=ARTIFACTS / "serve-cases.log")


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert not errors, errors


def shot(page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_home(server, page):
    page.goto(server + "/")
    assert page.locator("h1").first.inner_text() == "Symbolenbank"
    assert page.get_by_role("heading", name="Explain, don't judge").is_visible()
    tiers = page.locator(".sb-tiers dt a.sb-badge")
    assert tiers.all_inner_texts() == ["Terrorist", "Illegal", "Borderline", "Context"]
    assert page.get_by_role("link", name="Scan a post or an image").is_visible()
    shot(page, "01-home")
    page.get_by_role("link", name="Illegal").click()
    page.wait_for_url("**/entries?assessment=illegal")
    assert page.locator("table.rows-and-columns tbody tr").count() > 0


def test_search(server, page):
    page.goto(server + "/")
    page.get_by_label("Search the knowledge base").fill("heil")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**/symbolenbank/entries?_search=heil")
    rows = page.locator("table.rows-and-columns tbody tr")
    assert rows.count() > 0
    assert "Sieg Heil" in page.locator("table.rows-and-columns").inner_text()
    shot(page, "02-search")


def test_entry_with_drawing(site_cases_server, page, site_cases):
    server, entry_id, title = site_cases_server, site_cases.drawing_entry, site_cases.drawing_title
    page.goto(f"{server}/symbolenbank/entries?_search={title.split()[0]}")
    page.locator(f'table.rows-and-columns a[href="/symbolenbank/entries/{entry_id}"]').first.click()
    page.wait_for_url(f"**/symbolenbank/entries/{entry_id}")
    drawing = page.locator("img.sb-drawing").first
    drawing.wait_for()
    assert drawing.is_visible()
    assert page.evaluate("img => img.complete && img.naturalWidth > 0", drawing.element_handle())
    assert page.locator("article.sb-entry h1").inner_text().startswith(title)
    assert page.get_by_role("heading", name="Sources").is_visible()
    shot(page, "03-entry")


def test_scan_obfuscated_text(server, page):
    page.goto(server + "/-/scan")
    page.get_by_label("Text").fill(OBFUSCATED)
    page.get_by_role("button", name="Scan").click()
    page.wait_for_url("**/-/scan")
    hit = page.locator(".sb-scan-text mark.sb-hit").first
    hit.wait_for()
    assert hit.inner_text() == "s1eg h.e.i.l"
    assert "sb-tier-illegal" in hit.get_attribute("class")
    assert "Sieg Heil" in hit.get_attribute("title")
    card = page.locator('li.sb-match[data-entry-id="sieg-heil"]')
    assert card.is_visible()
    explanation = card.locator(".sb-explain").inner_text()
    assert "leetspeak" in explanation and "sieg heil" in explanation
    assert card.get_by_text("Where it is harmless").is_visible()
    # The text stays in the box, so the analyst can edit it and scan again.
    assert page.get_by_label("Text").input_value() == OBFUSCATED
    shot(page, "04-scan")
    card.get_by_role("link", name="Sieg Heil").click()
    page.wait_for_url("**/symbolenbank/entries/sieg-heil")


def test_scan_long_post_says_what_it_left_out(server, page):
    """A post with more matches than one answer holds: the first ones, and a notice."""
    page.goto(server + "/-/scan")
    page.get_by_label("Text").fill(("88 " * 33_334)[:100_000])
    page.get_by_role("button", name="Scan").click()
    page.wait_for_url("**/-/scan")
    notice = page.locator(".sb-truncated")
    notice.wait_for()
    assert "Only the first 1,000 of 33,333 matches" in notice.inner_text()
    assert page.locator("li.sb-match").count() == 1000
    assert page.locator(".sb-scan-text mark.sb-hit").count() == 1000
    notice.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "05-scan-truncated.png"))  # the page is 19 MB in full
