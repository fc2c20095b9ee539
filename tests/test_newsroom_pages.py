"""The newsroom features' markup (footnotes, lead images, updates and corrections, alias
pages) has no serious axe-core violations (as test_a11y checks every other kind of page), light
and dark. That it is valid HTML is checked in test_html_valid's one run of the Nu HTML checker."""

from __future__ import annotations

import re

import pytest

from helpers import opened, run_digest, serve_folder, violations_light_and_dark, violations_now
from newsroom_site import newsroom_site


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = newsroom_site(tmp_path_factory.mktemp("newsroom") / "site", base_url="http://127.0.0.1/")
    result = run_digest(root, "build", "--quiet", "--no-search")
    assert result.returncode == 0, result.stderr
    return root / "output"


def test_newsroom_pages_have_no_serious_violations_light_or_dark(browser, built):
    paths = ["/2025/07/first/", "/2025/07/second/", "/2025/07/pictured/", "/"]
    with opened(browser) as page:
        for base, _ in serve_folder(built):
            found = {path: violations_light_and_dark(page, base + path) for path in paths}
    assert found == {path: {"light": [], "dark": []} for path in paths}


def test_an_alias_page_has_no_serious_violations_once_it_stays_put(browser, built):
    """The redirect leaves the page before axe can run: checked without its refresh."""
    html = (built / "old" / "first.html").read_text(encoding="utf-8")
    assert 'http-equiv="refresh"' in html
    with opened(browser) as page:
        page.set_content(re.sub(r'<meta http-equiv="refresh"[^>]*>', "", html))
        assert violations_now(page) == []
