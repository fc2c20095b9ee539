"""Edits in place: an edit the site model does not read (a title, a summary, a body).

`digest serve` keeps its model: the entry is swapped into its post and only the pages showing
it are rendered again. `digest build` fingerprints only the pages that showed the entry in the
last build. Whatever the edit, the result must equal a fresh preview's or a clean build's,
byte for byte."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import snapshot
from digest.build import build
from digest.config import load_config
from digest.serve import Preview, file_stamp
from test_reuse import ENTRIES, MUTATIONS, SETTINGS, edit

# Edits of fields only the entry's own post shows (site.SHOWN_ONLY): the model is kept.
IN_PLACE = {
    "title": MUTATIONS["title"],
    "summary": MUTATIONS["summary"],
    "body": MUTATIONS["body"],
    "kind": MUTATIONS["kind"],
    "author": lambda root: edit(root, "2025/07/storm.md", 'tags: [Weather]', 'tags: [Weather]\nauthor: Jo Roe'),
    "source url": lambda root: edit(root, "2025/07/talks.md", "https://example.org/w", "https://example.org/v"),
    "body link to an entry": lambda root: edit(root, "2025/07/storm.md", "Body text.", "After [the deal](deal.md)."),
    "linked entry's title": lambda root: edit(root, "2025/07/walkout.md", "Dockers walk out", "Walkout"),
}
# Everything else builds the model afresh.
REBUILT = {name: mutation for name, mutation in MUTATIONS.items() if name not in IN_PLACE}


def stamps(root: Path) -> dict[Path, tuple]:
    return {path: file_stamp(path) for path in root.rglob("*") if path.is_file()}


def preview(root: Path, temp: Path) -> Preview:
    made = Preview(root)
    made.temp = temp  # Built folders are named in it; nothing is written without start()
    assert made.rebuild(set()).ok
    return made


def edited(root: Path, temp: Path, mutation) -> tuple[Preview, object, dict]:
    """A preview, the result of its rebuild after the mutation, and its pages before it."""
    served = preview(root, temp)
    before = dict(served.current.pages)
    old = stamps(root)
    mutation(root)
    new = stamps(root)
    changed = {path for path in old.keys() | new.keys() if old.get(path) != new.get(path)}
    return served, served.rebuild(changed), before


def assert_same_site(served: Preview, root: Path, temp: Path) -> None:
    fresh = preview(root, temp).current.pages
    pages = served.current.pages
    assert sorted(pages) == sorted(fresh)
    assert [path for path in pages if pages[path] != fresh[path]] == []


@pytest.mark.parametrize("name", IN_PLACE)
def test_an_edit_the_model_does_not_read_is_made_in_place(site, tmp_path, name):
    root = site(ENTRIES, SETTINGS)
    served, result, before = edited(root, tmp_path, IN_PLACE[name])
    assert result.ok and result.in_place, result
    assert served.current.pages != before, "the edit must change the site"
    assert 0 < result.rendered < len(before) / 2
    assert_same_site(served, root, tmp_path)


@pytest.mark.parametrize("name", REBUILT)
def test_an_edit_the_model_reads_rebuilds_it(site, tmp_path, name):
    root = site(ENTRIES, SETTINGS)
    served, result, before = edited(root, tmp_path, REBUILT[name])
    assert result.ok and not result.in_place, result
    assert served.current.pages != before
    assert_same_site(served, root, tmp_path)


def test_edits_in_place_follow_each_other(site, tmp_path):
    root = site(ENTRIES, SETTINGS)
    served = preview(root, tmp_path)
    entry = root / "content/2025/07/walkout.md"
    for number in range(3):
        text = entry.read_text(encoding="utf-8")
        entry.write_text(text.replace("Dockers", f"Dockers {number}", 1), encoding="utf-8")
        assert served.rebuild({entry}).in_place
    assert_same_site(served, root, tmp_path)
    MUTATIONS["tags"](root)  # then one that rebuilds the model, then in place again
    assert not served.rebuild({root / "content/2025/07/talks.md"}).in_place
    IN_PLACE["summary"](root)
    assert served.rebuild({root / "content/2025/07/note.md"}).in_place
    assert_same_site(served, root, tmp_path)


def test_an_error_elsewhere_is_not_hidden_by_an_edit_in_place(site, tmp_path):
    root = site(ENTRIES, SETTINGS)
    served = preview(root, tmp_path)
    broken = root / "content/2025/07/storm.md"
    broken.write_text("---\ntitle: [unclosed\n---\n", encoding="utf-8")
    assert not served.rebuild({broken}).ok
    IN_PLACE["title"](root)
    result = served.rebuild({root / "content/2025/07/walkout.md"})
    assert not result.ok and not result.in_place
    assert any("storm.md" in problem.path for problem in result.problems)


def test_an_edit_that_breaks_the_entry_is_reported(site, tmp_path):
    root = site(ENTRIES, SETTINGS)
    served = preview(root, tmp_path)
    entry = root / "content/2025/07/walkout.md"
    entry.write_text(entry.read_text(encoding="utf-8").replace("tags: [Ports]", "tags: []"), encoding="utf-8")
    result = served.rebuild({entry})
    assert not result.ok and any(problem.field == "tags" for problem in result.problems)


def built(root: Path, output: str = "output", cache: bool = True):
    return build(load_config(root, search=False, output_dir=output), jobs=1, cache=cache)


@pytest.mark.parametrize("name", list(IN_PLACE) + list(REBUILT))
def test_a_build_after_an_edit_equals_a_clean_build(site, name):
    root = site(ENTRIES, SETTINGS)
    assert not built(root).in_place  # the first build fingerprints every page
    again = built(root)  # nothing changed: every fingerprint kept, every page reused
    assert again.in_place and again.reused == again.pages
    before = snapshot(root / "output")
    (IN_PLACE | REBUILT)[name](root)
    result = built(root)
    assert result.in_place == (name in IN_PLACE)
    assert snapshot(root / "output") != before
    built(root, "clean", cache=False)
    assert snapshot(root / "output") == snapshot(root / "clean")


def test_builds_in_place_follow_each_other(site):
    root = site(ENTRIES, SETTINGS)
    built(root)
    for name in ("title", "body", "summary"):
        IN_PLACE[name](root)
        assert built(root).in_place
    MUTATIONS["tags"](root)
    assert not built(root).in_place
    IN_PLACE["author"](root)
    assert built(root).in_place
    built(root, "clean", cache=False)
    assert snapshot(root / "output") == snapshot(root / "clean")
