"""The Content-Security-Policy in a real browser: pasted script does not run, and the site's
own pages (search, charts, the preview's live reload, overlay and warnings) run under it
without a single violation."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from digest.render import CONTENT_SECURITY_POLICY
from helpers import Server, entry_text, run_digest, serve_folder, write_site

TIMEOUT_MS = 10_000
# Set before any script of the page runs: every violation the page reports, as text.
RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.__violations.push(event.violatedDirective + " " + (event.blockedURI || "") + " " + (event.sample || ""));
});
"""
HOSTILE_BODY = """A paste from another site.

<script>window.__ran = "inline script";</script>

<img src="/nowhere.png" alt="" onerror="window.__ran = 'onerror'">

<p onclick="window.__ran = 'onclick'" id="clickable">Click me</p>
"""
TABLE = "| Side | Troops |\n|:--|--:|\n| North | 1,200 |\n| South | 800 |\n"


def csp_site(root: Path) -> Path:
    """Entries with a chart's worth of dates, a table with aligned columns, JSON-LD on every
    entry page, and one entry with raw HTML that tries to run script."""
    files = {f"content/2025/07/talks-{day}.md": entry_text(title=f"Talks, day {day}", date=f"2025-07-{day:02d}",
                                                            tags="[Russia, Ukraine]", body=TABLE)
             for day in (1, 8, 15, 22)}
    files["content/2025/07/paste.md"] = entry_text(title="Pasted", tags="[Russia]", body=HOSTILE_BODY)
    return write_site(root, files, "unsafe_html = true\n")


@pytest.fixture(scope="module")
def built_site(tmp_path_factory):
    """The site built with its search index and served over HTTP; yields (url, every page's path, output)."""
    tmp = tmp_path_factory.mktemp("csp")
    root = csp_site(tmp / "site")
    output = tmp / "out"
    output.mkdir()
    for base, _ in serve_folder(output):
        url = base + "/"
        result = run_digest(root, "build", "--base-url", url, "--output", str(output))
        assert result.returncode == 0, result.stderr
        pages = sorted(path.relative_to(output).as_posix() for path in output.rglob("*.html")
                       if not path.relative_to(output).as_posix().startswith("pagefind/"))
        yield url, pages, output


@pytest.fixture
def page(browser):
    context = browser.new_context()
    context.add_init_script(RECORD_VIOLATIONS)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.console_errors = []
    page.on("console", lambda message: page.console_errors.append(message.text) if message.type == "error" else None)
    yield page
    context.close()


def page_url(path: str) -> str:
    return path[: -len("index.html")] if path.endswith("index.html") else path


def test_every_page_carries_the_policy_as_its_first_meta_after_the_charset(built_site):
    _, pages, output = built_site
    meta = f'<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">'
    assert "'unsafe-inline'" not in CONTENT_SECURITY_POLICY and "'wasm-unsafe-eval'" in CONTENT_SECURITY_POLICY
    assert len(pages) > 10
    for path in pages:
        head = (output / path).read_text(encoding="utf-8").split("</head>")[0]
        assert re.search(r'<meta charset="utf-8">\s*' + re.escape(meta), head), path


def test_pasted_script_does_not_run_and_only_its_page_reports_it(built_site, page):
    url, pages, _ = built_site
    page.goto(url + "2025/07/paste/")
    page.wait_for_load_state("load")
    page.click("#clickable")
    assert page.evaluate("window.__ran") is None
    violations = page.evaluate("window.__violations")
    assert any(v.startswith("script-src-elem") for v in violations), violations   # the <script>
    assert any(v.startswith("script-src-attr") for v in violations), violations   # onerror=, onclick=
    # The JSON-LD block is data, not script: present, and never reported.
    assert page.locator('script[type="application/ld+json"]').count() == 1
    assert not any("ld+json" in v for v in violations)


def test_no_other_page_reports_a_violation_and_charts_show(built_site, page):
    url, pages, _ = built_site
    for path in pages:
        if path == "2025/07/paste/index.html":
            continue
        page.goto(url + page_url(path))
        page.wait_for_load_state("load")
        assert page.evaluate("window.__violations") == [], path
    assert not [text for text in page.console_errors if "Content Security Policy" in text], page.console_errors
    page.goto(url + "tags/russia/")
    assert page.locator("svg.activity-chart rect").count() >= 1
    page.goto(url + "2025/07/talks-22/")
    # Table alignment is a class, not a style attribute the policy would refuse.
    assert page.locator("td.align-right").first.evaluate("cell => getComputedStyle(cell).textAlign") == "right"


def test_the_search_page_finds_entries_under_the_policy(built_site, page):
    url, _, _ = built_site
    page.goto(url + "search/?q=talks")
    page.wait_for_selector("#search-results li")
    assert page.locator("#search-results li").count() >= 1
    assert page.evaluate("window.__violations") == []
    assert not [text for text in page.console_errors if "Content Security Policy" in text], page.console_errors


def test_live_reload_the_overlay_and_the_warnings_panel_work_under_the_policy(tmp_path, page):
    root = csp_site(tmp_path / "site")
    server = Server(root)
    try:
        base = server.url
        page.goto(base + "2025/07/talks-1/")
        page.wait_for_load_state("load")
        entry = root / "content/2025/07/talks-1.md"
        # A warning: the page reloads and shows it in the panel, which leaves the page usable.
        entry.write_text(entry_text(title="Talks, day one", date="2025-07-01", tags="[Russia, Ukraine]",
                                    body="See [the rest](/2025/07/talks-99/)."), encoding="utf-8")
        page.wait_for_selector("h1:has-text('Talks, day one')")
        panel = page.locator("#digest-warnings")
        panel.wait_for()
        assert "content/2025/07/talks-1.md:7: warning: link to '/2025/07/talks-99/': no such page" in panel.inner_text()
        assert panel.evaluate("box => getComputedStyle(box).position") == "fixed"
        page.click("a.site-title")  # the page beneath still takes clicks
        page.wait_for_url(base)
        page.goto(base + "2025/07/talks-1/")
        # An error: the overlay shows it over the last good page.
        entry.write_text("---\ntitle: [unclosed\n---\n", encoding="utf-8")
        page.locator("#digest-overlay").wait_for()
        assert "content/2025/07/talks-1.md:2: YAML syntax error" in page.locator("#digest-overlay").inner_text()
        # Fixed: the overlay and the panel go.
        entry.write_text(entry_text(title="Talks, day one", date="2025-07-01", tags="[Russia, Ukraine]"),
                         encoding="utf-8")
        # (Locators, not wait_for_function: that evaluates a string, which the policy refuses.)
        page.locator("#digest-overlay").wait_for(state="detached")
        page.locator("#digest-warnings").wait_for(state="detached")
        assert page.evaluate("window.__violations") == []
        assert not [text for text in page.console_errors if "Content Security Policy" in text], page.console_errors
    finally:
        assert server.stop() == 0
