"""engine.make, the one build `digest build` and `digest serve` run: what it passes from one
build to the next, and records that are never changed once made."""

from __future__ import annotations

import ast
import pickle
from dataclasses import replace
from pathlib import Path

import pytest

from helpers import EDITS, ENTRIES, IN_PLACE, SETTINGS
from digest.cache import EntryCache
from digest.config import load_config
from digest.engine import Last, make
from digest.entries import Entry
from digest.serve import stat_of
from digest.strings import Strings

PACKAGE = Path(__file__).resolve().parent.parent / "digest"


def stats(root: Path) -> dict:
    return {path: stat_of(path) for path in (root / "content").rglob("*.md")}


def made_again(root: Path, mutation):
    """Make the site, apply the mutation, make it again from what the first make left (as
    serve does), and once more from nothing (as a clean build does)."""
    config = load_config(root, search=False)
    cache = EntryCache(config, enabled=False)
    first = make(config, Last(), cache)
    before = stats(root)
    mutation(root)
    after = stats(root)
    changed = {path for path in before.keys() | after.keys() if before.get(path) != after.get(path)}
    again = make(config, first.last(), EntryCache(config, enabled=False, last=cache), changed)
    fresh = make(config, Last(), EntryCache(config, enabled=False))
    return first, again, fresh


@pytest.mark.parametrize("name", ["title", "body", "tags"])
def test_a_make_from_the_last_one_gives_the_fingerprints_of_a_make_from_nothing(site, name):
    root = site(ENTRIES, SETTINGS)
    first, again, fresh = made_again(root, EDITS[name])
    assert again.site.paths == fresh.site.paths
    assert again.keys == fresh.keys, "a page whose fingerprint moved differs from the clean build's"
    assert again.keys != first.keys
    assert again.fingerprinted < len(again.keys), "only the pages the edit reaches are fingerprinted"
    assert again.model.in_place == (name in IN_PLACE)
    assert again.model.reread == 1, "only the edited file is parsed again"


def test_an_edit_in_place_keeps_the_model_and_shows_the_new_entry_through_the_views(site):
    root = site(ENTRIES, SETTINGS)
    first, again, fresh = made_again(root, EDITS["title"])
    assert again.site is first.site
    post = next(post for post in again.site.posts if post.entry.path.endswith("walkout.md"))
    assert "Dockers walk out" in post.entry.title
    assert "Dockers stay out" in again.views.entry(post).title


def test_an_entry_carries_its_fingerprint_and_a_replaced_one_gets_its_own(site):
    root = site(ENTRIES, SETTINGS)
    config = load_config(root, search=False)
    entry = make(config, Last(), EntryCache(config, enabled=False)).site.posts[0].entry
    assert isinstance(entry, Entry)
    assert pickle.loads(pickle.dumps(entry)).fingerprint == entry.fingerprint
    assert replace(entry, title=entry.title + "!").fingerprint != entry.fingerprint
    assert replace(entry).fingerprint == entry.fingerprint


def test_strings_get_their_token_when_made():
    english, other = Strings.of("en", {"nav.latest": "Latest"}), Strings.of("en", {"nav.latest": "Newest"})
    assert english.token and english.token != other.token
    assert english == Strings.of("en", {"nav.latest": "Latest"})


def test_no_module_changes_a_record_after_making_it():
    """Frozen records stay as made: no object.__setattr__, no writes into an object's __dict__."""
    for path in sorted(PACKAGE.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "__setattr__":
                pytest.fail(f"{path.name}:{node.lineno}: __setattr__ on a made record")
            if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Attribute) and \
                    node.value.attr == "__dict__" and isinstance(node.ctx, ast.Store):
                pytest.fail(f"{path.name}:{node.lineno}: a write into __dict__")
