"""The search index in shards (search_plan.py): each built from its own entries only, indexed again
only when its entries changed, identical to a clean build's, never mixed across Pagefind versions,
and a Pagefind failure on one shard leaves the previous site, search included, as it was. Real
Pagefind, real builds; a failing Pagefind is the real binary behind a script that kills it."""

from __future__ import annotations

import os

from helpers import assert_equals_clean_build_with_search, run_digest, snapshot
from search_sites import (FAILS_ON_DOOMED, KILLED_ON_DOOMED, SETTINGS, build, entries, entry, fake_pagefind, inodes,
                          manifest, shard_names, shard_words)

def test_shards_hold_their_entries_in_date_order_each_built_from_its_own(site):
    root = site(entries(8), SETTINGS)
    build(root)
    output = root / "output"
    names = shard_names(output)
    assert [shard["entries"] for shard in manifest(output)["shards"]] == [2, 3, 3]  # newest first
    assert manifest(output)["runtime"] == names[0]
    held = [sorted(int(word[4:]) for word in shard_words(output, name).replace(".", " ").split()
                   if word.startswith("word")) for name in names]
    assert held == [[1, 2, 3], [4, 5, 6], [7, 8]]
    assert sorted(os.listdir(output / "pagefind" / names[0])) == [
        "filter", "fragment", "index", "pagefind-entry.json", next(p for p in os.listdir(output / "pagefind" / names[0])
                                                                    if p.endswith(".pf_meta")), "pagefind.js",
        "wasm.en.pagefind"]
    assert manifest(output)["filters"]["tag"] == {"top": [[f"t{day}", 1] for day in (1, 2, 3, 4, 5, 6, 7, 8)][:10],
                                                  "values": 8}
    assert manifest(output)["filters"]["year"] == {"top": [["2025", 8]], "values": 1}


def test_an_edit_indexes_its_shard_only_and_matches_a_clean_build_byte_for_byte(site, tmp_path):
    root = site(entries(8), SETTINGS)
    build(root)
    output = root / "output"
    before = shard_names(output)
    kept = {name: inodes(output, name) for name in before}
    (root / "content/2025/07/e05.md").write_text(entry(5, "Edited with zanzibar."), encoding="utf-8")
    build(root)
    after = shard_names(output)
    assert after[0] == before[0] and after[2] == before[2] and after[1] != before[1]
    assert inodes(output, after[0]) == kept[before[0]] and inodes(output, after[2]) == kept[before[2]]
    assert "zanzibar" in shard_words(output, after[1])
    # Once more: the spare folder (the build before last) holds the unchanged shards in place.
    (root / "content/2025/07/e05.md").write_text(entry(5, "Edited again."), encoding="utf-8")
    build(root)
    assert shard_names(output)[0] == before[0] and inodes(output, before[0]) == kept[before[0]]
    assert_equals_clean_build_with_search(root, tmp_path / "clean")


def test_a_new_entry_indexes_the_newest_shard_and_a_removed_old_one_moves_the_rest(site, tmp_path):
    root = site(entries(7), SETTINGS)
    build(root)
    output = root / "output"
    first = shard_names(output)
    (root / "content/2025/07/e08.md").write_text(entry(8), encoding="utf-8")
    build(root)
    second = shard_names(output)
    assert second[:2] == first[:2] and second[2] != first[2]
    (root / "content/2025/07/e01.md").unlink()  # every later entry moves along by one
    build(root)
    third = shard_names(output)
    assert len(third) == 3 and not set(third) & set(second)
    assert_equals_clean_build_with_search(root, tmp_path / "clean")


def test_pagefind_killed_on_one_shard_fails_the_build_and_keeps_the_old_site_and_its_search(site, tmp_path):
    root = site(entries(8), SETTINGS)
    build(root, "--output", "out")
    before = snapshot(root / "out")
    (root / "content/2025/07/e05.md").write_text(entry(5, "A doomed edit."), encoding="utf-8")
    result = run_digest(root, "build", "--output", "out", env=fake_pagefind(tmp_path, KILLED_ON_DOOMED))
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "search: Pagefind was killed (SIGKILL) for shard 2 of 3 (entries 2025/07/e04/ to 2025/07/e06/), perhaps "
        "for want of memory; lower `search_shard_entries` under [tool.digest], or build without search: "
        "`digest build --no-search` (or `search = false` under [tool.digest])",
        "digest: 1 error in 1 file; out/ was not changed"]
    assert snapshot(root / "out") == before
    assert [p.name for p in root.iterdir() if p.name.startswith(".out.") and p.name != ".out.old"] == []
    build(root, "--output", "out")  # and the next build, with a working Pagefind, is whole
    assert "doomed" in shard_words(root / "out", shard_names(root / "out")[1])


def test_pagefind_failing_on_one_shard_says_which_and_why(site, tmp_path):
    root = site(entries(8), SETTINGS)
    build(root)
    before = snapshot(root / "output")
    (root / "content/2025/07/e08.md").write_text(entry(8, "doomed"), encoding="utf-8")
    result = run_digest(root, "build", env=fake_pagefind(tmp_path, FAILS_ON_DOOMED))
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == (
        "search: Pagefind failed for shard 3 of 3 (entries 2025/07/e07/ to 2025/07/e08/): disk on fire; fix the "
        "cause, or build without search: `digest build --no-search` (or `search = false` under [tool.digest])")
    assert snapshot(root / "output") == before


def test_a_shard_of_another_pagefind_version_is_indexed_again_never_mixed_in(site, tmp_path):
    root = site(entries(8), SETTINGS)
    build(root)
    output = root / "output"
    real = shard_names(output)
    files = {name: inodes(output, name) for name in real}
    build(root, env=fake_pagefind(tmp_path, version="1.5.1"))
    other = shard_names(output)
    assert not set(other) & set(real) and manifest(output)["version"] == "1.5.1"
    assert not set().union(*(inodes(output, name) for name in other)) & set().union(*files.values())
    build(root)  # back to the real one: the shards it made (kept in the spare folder) come back
    assert shard_names(output) == real
    assert all(inodes(output, name) == files[name] for name in real)


def test_related_entries_name_each_other_so_a_new_one_indexes_the_shards_that_list_it(site, tmp_path):
    """A shard is known by its pages' bytes, and the related entries below an entry (which
    Pagefind ignores) change those bytes: a new entry re-indexes the shards of the entries that
    now list it. The result is still that of a clean build."""
    root = site({f"content/2025/07/e{day:02d}.md": entry(day, tags="[Kremlin]") for day in range(1, 8)}, SETTINGS)
    build(root)
    output = root / "output"
    first = shard_names(output)
    (root / "content/2025/07/e08.md").write_text(entry(8, tags="[Kremlin]"), encoding="utf-8")
    build(root)
    assert len(set(shard_names(output)) - set(first)) >= 2
    assert_equals_clean_build_with_search(root, tmp_path / "clean")
