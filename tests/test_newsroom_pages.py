"""The newsroom features' markup (footnotes, lead images, updates and corrections, alias
pages) is valid HTML (the Nu HTML checker of test_html_valid) and has no serious axe-core
violations (as test_a11y checks every other kind of page), light and dark."""

from __future__ import annotations

import re

import pytest

from helpers import JAVA, opened, run_digest, serve_folder, validate, violations_on
from newsroom_site import newsroom_site


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = newsroom_site(tmp_path_factory.mktemp("newsroom") / "site", base_url="http://127.0.0.1/")
    result = run_digest(root, "build", "--quiet", "--no-search")
    assert result.returncode == 0, result.stderr
    return root / "output"


@pytest.mark.slow  # the Nu HTML checker starts a Java virtual machine
def test_every_page_is_valid_html5(built):
    if not JAVA:
        pytest.skip("java is missing (test_html_valid fails for it in CI)")
    result = validate(sorted(built.rglob("*.html")))
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_newsroom_pages_have_no_serious_violations(browser, built, scheme):
    paths = ["/2025/07/first/", "/2025/07/second/", "/2025/07/pictured/", "/"]
    with opened(browser, color_scheme=scheme) as page:
        for base, _ in serve_folder(built):
            found = {path: violations_on(page, base + path) for path in paths}
    assert found == {path: [] for path in paths}


def test_an_alias_page_has_no_serious_violations_once_it_stays_put(browser, built):
    """The redirect leaves the page before axe can run: checked without its refresh."""
    from axe_playwright_python.sync_playwright import Axe

    html = (built / "old" / "first.html").read_text(encoding="utf-8")
    assert 'http-equiv="refresh"' in html
    with opened(browser) as page:
        page.set_content(re.sub(r'<meta http-equiv="refresh"[^>]*>', "", html))
        violations = [v["id"] for v in Axe().run(page).response["violations"] if v.get("impact") in ("serious", "critical")]
    assert violations == []
