"""The search page keeps its layout while results arrive: the layout shift Chromium reports (a
PerformanceObserver on `layout-shift` entries, what Lighthouse's cumulative layout shift sums)
stays under 0.1 on a phone's width and a desktop's, with every response late enough that the
page is drawn before the results come. The sample site under a base path, real Pagefind."""

from __future__ import annotations

import re

import pytest

from search_sites import serve_built_site

# Lighthouse counts a shift of 0.1 or more as poor.
MOST = 0.1
SHIFT_OBSERVER = """
window.__shift = 0;
new PerformanceObserver(list => { for (const entry of list.getEntries()) if (!entry.hadRecentInput) window.__shift += entry.value; })
  .observe({type: "layout-shift", buffered: true});
"""
LATENCY_MS = 150  # each response this late, as on a slow connection: the page is drawn before its results


@pytest.fixture(scope="module")
def repo_site(tmp_path_factory):
    yield from serve_built_site(tmp_path_factory.mktemp("layout"), "/repo/")


@pytest.mark.parametrize("width, height", [(412, 823), (1350, 940)], ids=["phone", "desktop"])
@pytest.mark.parametrize("query", ["Peskov", "Russia"])
def test_results_arriving_do_not_shift_the_search_page(browser, repo_site, width, height, query):
    context = browser.new_context(viewport={"width": width, "height": height})
    try:
        page = context.new_page()
        page.add_init_script(SHIFT_OBSERVER)
        network = context.new_cdp_session(page)
        network.send("Network.enable")
        network.send("Network.emulateNetworkConditions", {"offline": False, "latency": LATENCY_MS,
                                                         "downloadThroughput": -1, "uploadThroughput": -1})
        page.goto(repo_site + f"search/?q={query}")
        page.locator("#search-status").filter(has_text=re.compile(r"^\d+ results?")).wait_for(timeout=30_000)
        assert page.locator("#search-results > li").count() > 0
        page.wait_for_timeout(1000)  # a shift after the count shows still counts
        shift = page.evaluate("window.__shift")
        assert shift < MOST, f"layout shift {shift:.3f} at {width} px for {query!r}"
    finally:
        context.close()
