"""Page reuse (reuse.py) is sound: a page whose fingerprint did not change renders to the
same bytes, whatever input changed; a site with its own templates gets no fingerprints."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import entry_text
from digest.build import build, make_site
from digest.config import load_config
from digest.render import make_environment, render_pages
from digest.reuse import Fingerprints
from digest.site import Route

ENTRIES = {
    "content/2025/07/talks.md": entry_text('"Talks begin"', "2025-07-01", tags="[Ports, Labour]", story="Harbour strike",
                                           people="[Ana Diaz]", places="[Kyiv]",
                                           source="{name: Wire, url: 'https://example.org/w'}"),
    "content/2025/07/walkout.md": entry_text('"Dockers walk out"', "2025-07-03T12:00:00Z", tags="[Ports]",
                                             story="harbour STRIKE", event_date="2025-07-02", people="[Ana Diaz, Bo Li]"),
    "content/2025/07/deal.md": entry_text('"Deal signed"', "2025-07-09", tags="[Labour, Ports]", story="Harbour strike",
                                          kind="analysis", places="[Kyiv, Lviv]",
                                          body="See [the walkout](walkout.md) and [talks](talks.md#top)."),
    "content/2025/07/storm.md": entry_text('"Storm closes airport"', "2025-07-04", tags="[Weather]",
                                           source="{name: Wire}", people="[Bo Li]"),
    "content/2025/07/note.md": entry_text('"Unrelated note"', "2025-07-05", tags="[Misc, Weather]", summary='"Short."'),
    "content/2025/06/old.md": entry_text('"An older one"', "2025-06-20", tags="[Labour]", places="[Lviv]"),
}
for number in range(8):  # Ports: 11 entries, three pages (5, 5, 1) at per_page 5
    ENTRIES[f"content/2025/06/filler-{number}.md"] = entry_text(f'"Filler {number}"', f"2025-06-{10 + number}",
                                                                tags="[Ports, Misc]", body=f"Filler body {number}.")
SETTINGS = 'title = "Reuse"\nbase_url = "https://example.org/news/"\nper_page = 5\n'


def edit(root: Path, name: str, old: str, new: str) -> None:
    path = root / "content" / name
    text = path.read_text(encoding="utf-8")
    assert old in text, (name, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


MUTATIONS = {
    "body": lambda root: edit(root, "2025/07/storm.md", "Body text.", "A new body."),
    "title": lambda root: edit(root, "2025/07/walkout.md", "Dockers walk out", "Dockers stay out"),
    "summary": lambda root: edit(root, "2025/07/note.md", '"Short."', '"Longer now."'),
    "date": lambda root: edit(root, "2025/07/storm.md", "2025-07-04", "2025-06-01"),
    "tags": lambda root: edit(root, "2025/07/talks.md", "[Ports, Labour]", "[Weather, Strikes]"),
    "tag spelling": lambda root: edit(root, "2025/07/note.md", "[Misc, Weather]", "[MISC, Weather]"),
    "people": lambda root: edit(root, "2025/07/storm.md", "[Bo Li]", "[Ana Diaz]"),
    "places": lambda root: edit(root, "2025/07/deal.md", "[Kyiv, Lviv]", "[Odesa]"),
    "story": lambda root: edit(root, "2025/07/note.md", 'summary: "Short."', 'summary: "Short."\nstory: Harbour strike'),
    "event date": lambda root: edit(root, "2025/07/walkout.md", "2025-07-02", "2025-06-28"),
    "source": lambda root: edit(root, "2025/07/storm.md", "{name: Wire}", "{name: Other Wire}"),
    "kind": lambda root: edit(root, "2025/07/deal.md", "kind: analysis", "kind: opinion"),
    "linked entry moves": lambda root: edit(root, "2025/07/walkout.md", "2025-07-03T12:00:00Z", "2025-05-03T12:00:00Z"),
    "deleted": lambda root: (root / "content/2025/06/filler-3.md").unlink(),
    "added": lambda root: (root / "content/2025/07/new.md").write_text(
        entry_text('"A new one"', "2025-07-10", tags="[Ports, New tag]", people="[Bo Li]"), encoding="utf-8"),
    # Ports' second page lists the same five entries, still "Page 2 of 3"; its first shows 12 entries, not 11.
    "old entry joins a tag": lambda root: (root / "content/2025/07/older.md").write_text(
        entry_text('"From the archive"', "2024-01-10", tags="[Ports]"), encoding="utf-8"),
    "renamed": lambda root: (root / "content/2025/07/note.md").rename(root / "content/2025/07/renamed.md"),
    "setting": lambda root: (root / "pyproject.toml").write_text(
        "[tool.digest]\n" + SETTINGS.replace('"Reuse"', '"Reused"'), encoding="utf-8"),
    "timezone": lambda root: (root / "pyproject.toml").write_text(
        "[tool.digest]\n" + SETTINGS + 'timezone = "Pacific/Auckland"\n', encoding="utf-8"),
}


def rendered(root: Path) -> tuple[dict[str, bytes], dict[str, bytes | None]]:
    """Every page of the site by path, and its fingerprint."""
    config = load_config(root, search=False)
    site, _ = make_site(config)
    pages = render_pages(site, None, make_environment(config))
    prints = Fingerprints(site)
    return ({page.path: page.data for page in pages},
            {route.output_path: prints.fingerprint(route) for route in site.routes})


@pytest.mark.parametrize("name", MUTATIONS)
def test_a_page_whose_fingerprint_did_not_change_did_not_change(site, name):
    root = site(ENTRIES, SETTINGS)
    pages_before, prints_before = rendered(root)
    MUTATIONS[name](root)
    pages_after, prints_after = rendered(root)
    assert pages_after != pages_before, "the mutation must change the site"
    same = [path for path, key in prints_after.items() if key is not None and prints_before.get(path) == key]
    assert same or name in ("setting", "timezone"), "some pages must keep their fingerprint"
    wrong = [path for path in same if pages_after[path] != pages_before[path]]
    assert wrong == [], f"fingerprint unchanged but the page changed: {wrong}"


def test_a_terms_count_is_on_its_first_page_only_so_the_pages_after_keep_their_bytes(site):
    root = site(ENTRIES, SETTINGS)
    pages_before, prints_before = rendered(root)
    MUTATIONS["old entry joins a tag"](root)
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
    shutil.copy(Path(__file__).resolve().parent.parent / "themes/default/templates" / template, folder / template)
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
    MUTATIONS["body"](root)
    again = build(config, jobs=1)
    assert 0 < again.reused < first.pages
    # The entry and what shows it (listings, feeds, related blocks, its digest issue), not the rest.
    assert again.pages - again.reused < first.pages / 3
