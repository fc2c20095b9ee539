"""QA pass: pages fit a 360 px phone screen even when editors write long unbroken words."""

from __future__ import annotations

import pytest

from helpers import entry_text, run_digest

LONG_WORD = "Supercalifragilisticexpialidociousantidisestablishmentarianism"
LONG_URL = "https://example.org/" + "averylongpathwithoutanybreaks" * 3


@pytest.fixture(scope="module")
def long_site(tmp_path_factory):
    from helpers import write_site

    root = write_site(tmp_path_factory.mktemp("long") / "site", {
        "content/long.md": entry_text(title=f'"A long title {LONG_WORD}"', summary=f"See {LONG_URL}",
                                      tags=f"[{LONG_WORD}term]", story=f"{LONG_WORD} story",
                                      body=f"Read {LONG_URL} now."),
    })
    result = run_digest(root, "build", "--no-search")
    assert result.returncode == 0, result.stderr
    return root / "output"


@pytest.mark.parametrize("page", ["index.html", "2025/07/long/index.html", "tags/index.html",
                                  f"tags/{LONG_WORD.lower()}term/index.html", "stories/index.html"])
def test_long_words_do_not_widen_the_page_on_a_phone(browser, long_site, page):
    context = browser.new_context(viewport={"width": 360, "height": 800})
    try:
        tab = context.new_page()
        tab.goto((long_site / page).as_uri())
        # file:// pages cannot load /static/style.css (root-absolute), so load the stylesheet by hand
        tab.add_style_tag(path=str(long_site / "static" / "style.css"))
        assert tab.evaluate("document.documentElement.scrollWidth") <= 360
    finally:
        context.close()
