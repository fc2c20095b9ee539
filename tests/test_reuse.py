"""Page reuse (reuse.py) is sound: a page whose fingerprint did not change renders to the
same bytes, whatever input changed; a site with its own templates gets no fingerprints."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from helpers import EDITS, ENTRIES, ENTRY_EDITS, SETTING_EDITS, SETTINGS, THEME, slow_but_fast_edits
from digest.build import build, make_site
from digest.config import load_config
from digest.render import make_environment, render_pages
from digest.reuse import Fingerprints
from digest.site import Route


def rendered(root: Path) -> tuple[dict[str, bytes], dict[str, bytes | None]]:
    """Every page of the site by path, and its fingerprint."""
    config = load_config(root, search=False)
    site, _ = make_site(config)
    pages = render_pages(site, None, make_environment(config))
    prints = Fingerprints(site)
    return ({page.path: page.data for page in pages},
            {route.output_path: prints.fingerprint(route) for route in site.routes})


@pytest.mark.parametrize("name", slow_but_fast_edits({**ENTRY_EDITS, **SETTING_EDITS}))
def test_a_page_whose_fingerprint_did_not_change_did_not_change(site, name):
    root = site(ENTRIES, SETTINGS)
    pages_before, prints_before = rendered(root)
    EDITS[name](root)
    pages_after, prints_after = rendered(root)
    assert pages_after != pages_before, "the mutation must change the site"
    same = [path for path, key in prints_after.items() if key is not None and prints_before.get(path) == key]
    assert same or name in SETTING_EDITS, "some pages must keep their fingerprint"
    wrong = [path for path in same if pages_after[path] != pages_before[path]]
    assert wrong == [], f"fingerprint unchanged but the page changed: {wrong}"


def test_a_terms_count_is_on_its_first_page_only_so_the_pages_after_keep_their_bytes(site):
    root = site(ENTRIES, SETTINGS)
    pages_before, prints_before = rendered(root)
    EDITS["old entry joins a tag"](root)
    pages_after, prints_after = rendered(root)
    first, second = "tags/ports/index.html", "tags/ports/page/2/index.html"
    assert b"11 entries \xc2\xb7 <a" in pages_before[first] and b"12 entries \xc2\xb7 <a" in pages_after[first]
    assert b"entries \xc2\xb7" not in pages_after[second] and b"All tags</a>" in pages_after[second]
    assert prints_after[first] != prints_before[first]
    assert prints_after[second] == prints_before[second] and pages_after[second] == pages_before[second]


def test_every_page_has_its_own_fingerprint_with_the_bundled_theme(site):
    root = site(ENTRIES, SETTINGS)
    _, prints = rendered(root)
    assert None not in prints.values()
    assert len(set(prints.values())) == len(prints)  # no two pages share one


def test_a_context_value_of_unknown_kind_is_always_rendered(site):
    root = site(ENTRIES, SETTINGS)
    site_model, _ = make_site(load_config(root, search=False))
    prints = Fingerprints(site_model)
    assert prints.fingerprint(Route("x/", "list.html", {"title": "X"})) is not None
    assert prints.fingerprint(Route("x/", "list.html", {"title": "X", "thing": object()})) is None


@pytest.mark.parametrize("template", ["entry.html", "_macros.html"])
def test_a_site_with_its_own_template_gets_no_fingerprints(site, template):
    root = site(ENTRIES, SETTINGS)
    folder = root / "themes/default/templates"
    folder.mkdir(parents=True)
    shutil.copy(THEME / "templates" / template, folder / template)
    _, prints = rendered(root)
    assert set(prints.values()) == {None}
    config = load_config(root, search=False)
    build(config, jobs=1)
    assert build(config, jobs=1).reused == 0


def test_a_rebuild_renders_only_the_pages_an_edit_reaches(site):
    root = site(ENTRIES, SETTINGS)
    config = load_config(root, search=False)
    first = build(config, jobs=1)
    assert first.reused == 0
    assert build(config, jobs=1).reused == first.pages  # nothing changed: every HTML page reused
    EDITS["body"](root)
    again = build(config, jobs=1)
    assert 0 < again.reused < first.pages
    # The entry and what shows it (listings, feeds, related blocks, its digest issue), not the rest.
    assert again.pages - again.reused < first.pages / 3
