"""Live reload in a real browser: an open page follows the editor's saves by itself."""

from __future__ import annotations

import re
import time

import pytest

from helpers import TIMEOUT, entry_text, two_entries


@pytest.fixture
def page(browser):
    context = browser.new_context()
    opened = context.new_page()
    yield opened
    context.close()


def test_an_open_page_reloads_itself_after_an_edit_and_shows_build_errors(site, serve, page):
    root = two_entries(site)
    server = serve(root)
    page.goto(server.url + "2025/07/talks/")
    assert page.locator("h1").first.inner_text() == "Talks in Istanbul"
    page.evaluate("window.beforeTheEdit = true")
    entry = root / "content/2025/07/talks.md"

    entry.write_text(entry_text(title="Talks moved to Geneva"), encoding="utf-8")
    # A locator, not wait_for_function: that evaluates a string, which the pages' policy refuses.
    page.locator("h1", has_text="Geneva").first.wait_for(timeout=TIMEOUT * 1000)
    assert page.evaluate("window.beforeTheEdit === undefined"), "the page was reloaded, not patched"

    entry.write_text("---\ntitle: [unclosed\n---\n", encoding="utf-8")
    overlay = page.locator("#digest-overlay")
    overlay.wait_for(state="visible", timeout=TIMEOUT * 1000)
    assert "content/2025/07/talks.md:2: YAML syntax error" in overlay.inner_text()
    assert overlay.evaluate("box => getComputedStyle(box).position") == "fixed"
    # The errors are in the overlay's colours, not the theme's <pre> (white in light mode).
    colours = overlay.evaluate("""box => [box, box.querySelector('pre')].map(
        node => [getComputedStyle(node).color, getComputedStyle(node).backgroundColor])""")
    assert colours == [["rgb(255, 255, 255)", "rgb(74, 13, 13)"], ["rgb(255, 255, 255)", "rgba(0, 0, 0, 0)"]]
    assert "Geneva" in page.locator("h1").first.inner_text(), "the last good page stays underneath"

    entry.write_text(entry_text(title="Talks, fixed"), encoding="utf-8")
    page.locator("h1", has_text="fixed").first.wait_for(timeout=TIMEOUT * 1000)
    assert page.locator("#digest-overlay").count() == 0


def test_search_works_in_the_preview_under_a_base_path_and_follows_edits(site, serve, page):
    root = two_entries(site, 'base_url = "https://example.org/repo/"\n')
    server = serve(root)
    page.goto(server.url + "search/?q=Istanbul")
    link = page.locator("#search-results a", has_text="Talks in Istanbul")
    link.wait_for(timeout=TIMEOUT * 1000)
    assert link.get_attribute("href").startswith("/repo/2025/07/talks/")
    page.goto("about:blank")  # leave, so that live reload does not race the searches below

    (root / "content/2025/07/call.md").write_text(entry_text(title="Zanzibar summit", date="2025-07-03"),
                                                   encoding="utf-8")
    server.wait_for("/repo/", "Zanzibar summit")
    # The index trails the pages by a moment: search again until the new entry is found. Every
    # load must show its answer, also one that meets the index being swapped (the preview
    # serves the files of the index before to a page that began with it).
    deadline = time.monotonic() + TIMEOUT
    found = page.locator("#search-results a", has_text="Zanzibar summit")
    searched = page.locator("#search-status").filter(has_text=re.compile(r"for “Zanzibar”"))
    while True:
        page.goto(server.url + "search/?q=Zanzibar")
        searched.wait_for(timeout=TIMEOUT * 1000)
        if found.count():
            break
        assert time.monotonic() < deadline, "the new entry never reached the search index"
        time.sleep(0.1)
    assert found.first.get_attribute("href").startswith("/repo/2025/07/call/")


def test_the_error_overlay_hide_button_covers_no_error_on_a_phone(site, serve, browser):
    root = two_entries(site)
    server = serve(root)
    page = browser.new_context(viewport={"width": 320, "height": 640}).new_page()
    try:
        page.goto(server.url + "2025/07/talks/")
        (root / "content/2025/07/talks.md").write_text("---\ntitle: [unclosed\n---\n", encoding="utf-8")
        page.locator("#digest-overlay pre").wait_for(state="visible", timeout=TIMEOUT * 1000)
        overlaps = page.evaluate("""() => {
            const button = document.querySelector('#digest-overlay button').getBoundingClientRect();
            return [...document.querySelectorAll('#digest-overlay p, #digest-overlay pre')].map(node => {
                const text = document.createRange();
                text.selectNodeContents(node);
                return [...text.getClientRects()].some(line => line.right > button.left && line.left < button.right
                                                                && line.bottom > button.top && line.top < button.bottom);
            });
        }""")
        assert overlaps == [False, False]
    finally:
        page.context.close()


def test_the_error_page_of_a_site_broken_from_the_start_fits_a_phone(site, serve, browser):
    # Without a viewport meta, a phone lays a page out 980 px wide and shrinks it: the errors
    # came out in type too small to read.
    server = serve(site({"content/a.md": entry_text(title="Alpha", tags=None)}))
    page = browser.new_context(viewport={"width": 320, "height": 640}, is_mobile=True).new_page()
    try:
        page.goto(server.url)
        page.locator("#digest-overlay pre").wait_for(state="visible", timeout=TIMEOUT * 1000)
        assert page.evaluate("[window.innerWidth, document.documentElement.scrollWidth]") == [320, 320]
    finally:
        page.context.close()

def test_a_heading_named_like_the_error_overlay_stays_a_heading(site, serve, page):
    """A body heading "Digest overlay" took the id of the preview's error box: on a failed
    rebuild the live-reload script wrote the errors into the heading (and removed it when a
    poll came back without errors). The heading now gets `digest-overlay-1`."""
    root = two_entries(site)
    (root / "content/2025/07/talks.md").write_text(entry_text(body="## Digest overlay\n\nText."), encoding="utf-8")
    server = serve(root)
    server.wait_for("/2025/07/talks/", "Digest overlay")
    page.goto(server.url + "2025/07/talks/")
    (root / "content/2025/07/call.md").write_text("---\ntitle: [unclosed\n---\n", encoding="utf-8")
    overlay = page.locator("#digest-overlay")
    overlay.wait_for(state="visible", timeout=TIMEOUT * 1000)
    assert overlay.evaluate("box => box.tagName") == "DIV"
    assert "content/2025/07/call.md:2: YAML syntax error" in overlay.inner_text()
    assert page.locator("h2", has_text="Digest overlay").get_attribute("id") == "digest-overlay-1"
