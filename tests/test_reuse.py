"""Page reuse (reuse.py) is sound: a page whose fingerprint did not change renders to the
same bytes, whatever input changed, with the bundled theme and with a theme that overrides
base.html, entry.html and list.html; and such a theme reuses as many pages as the bundled one."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from helpers import (EDITS, ENTRIES, ENTRY_EDITS, SETTING_EDITS, SETTINGS, THEME, THEMES, slow_but_fast_edits,
                     write_site)
from digest.build import build, make_site
from digest.config import load_config
from digest.render import make_environment, render_pages
from digest.reuse import Fingerprints


def rendered(root: Path) -> tuple[dict[str, bytes], dict[str, bytes | None]]:
    """Every page of the site by path, and its fingerprint."""
    config = load_config(root, search=False)
    site, _ = make_site(config)
    pages = render_pages(site, None, make_environment(config))
    prints = Fingerprints(site)
    return ({page.path: page.data for page in pages},
            {route.output_path: prints.fingerprint(route) for route in site.routes})


def write_unedited(root: Path, theme: str) -> None:
    """ENTRIES with the theme, in root, in place of whatever root held."""
    shutil.rmtree(root, ignore_errors=True)
    write_site(root, ENTRIES, SETTINGS)
    THEMES[theme](root)


@pytest.fixture(scope="module")
def unedited(tmp_path_factory):
    """theme -> (a site of ENTRIES with it, its pages, their fingerprints), rendered once per
    theme for every edit. A fingerprint holds the site's folder (a setting), so the pages
    after an edit are rendered in that same folder; each test puts the site back after."""
    made = {}

    def before(theme: str) -> tuple[Path, dict, dict]:
        if theme not in made:
            root = tmp_path_factory.mktemp(f"reuse-{theme}") / "site"
            write_unedited(root, theme)
            made[theme] = (root, *rendered(root))
        return made[theme]
    return before


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("name", slow_but_fast_edits({**ENTRY_EDITS, **SETTING_EDITS}))
def test_a_page_whose_fingerprint_did_not_change_did_not_change(unedited, name, theme):
    root, pages_before, prints_before = unedited(theme)
    try:
        EDITS[name](root)
        if name in SETTING_EDITS:  # the settings were written anew
            THEMES[theme](root)
        pages_after, prints_after = rendered(root)
    finally:
        write_unedited(root, theme)
    assert pages_after != pages_before, "the mutation must change the site"
    same = [path for path, key in prints_after.items() if key is not None and prints_before.get(path) == key]
    assert same or name in SETTING_EDITS, "some pages must keep their fingerprint"
    wrong = [path for path in same if pages_after[path] != pages_before[path]]
    assert wrong == [], f"fingerprint unchanged but the page changed: {wrong}"


def test_a_terms_count_is_on_its_first_page_only_so_the_pages_after_keep_their_bytes(unedited):
    root, pages_before, prints_before = unedited("bundled")
    try:
        EDITS["old entry joins a tag"](root)
        pages_after, prints_after = rendered(root)
    finally:
        write_unedited(root, "bundled")
    first, second = "tags/ports/index.html", "tags/ports/page/2/index.html"
    assert b"11 entries \xc2\xb7 <a" in pages_before[first] and b"12 entries \xc2\xb7 <a" in pages_after[first]
    assert b"entries \xc2\xb7" not in pages_after[second] and b"All tags</a>" in pages_after[second]
    assert prints_after[first] != prints_before[first]
    assert prints_after[second] == prints_before[second] and pages_after[second] == pages_before[second]


@pytest.mark.parametrize("theme", THEMES)
def test_every_page_has_its_own_fingerprint(unedited, theme):
    _, _, prints = unedited(theme)
    assert None not in prints.values()
    assert len(set(prints.values())) == len(prints)  # no two pages share one


@pytest.mark.parametrize("template", ["list.html", "_macros.html", "feed.json"])
def test_an_edit_of_any_template_moves_every_fingerprint(unedited, template):
    """Any template can include any other by name: an edit of one, overridden or not, is an
    edit of the theme, and no page keeps its fingerprint."""
    root, _, before = unedited("newsroom")
    try:
        folder = root / "themes/newsroom/templates"
        source = folder / template if (folder / template).is_file() else THEME / "templates" / template
        (folder / template).write_text(source.read_text(encoding="utf-8") + "\n", encoding="utf-8")
        _, after = rendered(root)
    finally:
        write_unedited(root, "newsroom")
    assert not [path for path in after if after[path] == before[path]]


def rebuild_counts(root: Path) -> tuple[int, int]:
    """(HTML pages, of them rendered again) of a rebuild after a body edit."""
    config = load_config(root, search=False)
    first = build(config, jobs=1)
    assert first.reused == 0
    assert build(config, jobs=1).reused == first.pages  # nothing changed: every HTML page reused
    EDITS["body"](root)
    again = build(config, jobs=1)
    return again.pages, again.pages - again.reused


def test_a_rebuild_renders_only_the_pages_an_edit_reaches_with_any_theme(site):
    bundled = rebuild_counts(site(ENTRIES, SETTINGS, name="bundled"))
    root = site(ENTRIES, SETTINGS, name="newsroom")
    THEMES["newsroom"](root)
    newsroom = rebuild_counts(root)
    pages, rendered_again = bundled
    # The entry and what shows it (listings, feeds, related blocks, its digest issue), not the rest.
    assert 0 < rendered_again < pages / 3
    assert newsroom == bundled  # the same pages reach the edit whichever theme renders them
