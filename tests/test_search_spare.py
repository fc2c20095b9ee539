"""A clean build with search leaves the spare folder (see write.stage) beside output/, linked
from the staged site while Pagefind runs: the first edit after it stages in that folder, as
every later edit does, instead of linking every page into a new one. Real builds, real Pagefind."""

from __future__ import annotations

from pathlib import Path

from helpers import assert_equals_clean_build_with_search, run_digest
from search_sites import KILLED_ON_DOOMED, SETTINGS, build, entries, entry, fake_pagefind, inodes, shard_names


def files_of(folder: Path) -> dict[Path, int]:
    """Each file under folder, by relative path, with its inode."""
    return {path.relative_to(folder): path.stat().st_ino for path in folder.rglob("*") if path.is_file()}


def beside_output(root: Path) -> list[str]:
    return sorted(path.name for path in root.iterdir() if path.name.startswith((".output", "output")))


def test_a_clean_build_leaves_the_spare_and_the_first_edit_stages_in_it(site, tmp_path):
    root = site(entries(8), SETTINGS)
    build(root)
    output, spare = root / "output", root / ".output.old"
    assert beside_output(root) == [".output.old", "output"]
    held = files_of(output)
    assert any(path.parts[0] == "pagefind" for path in held)  # the index too
    assert files_of(spare) == held  # every file, each a hard link to output/'s
    folder = spare.stat().st_ino
    shards = shard_names(output)
    kept = inodes(output, shards[0])
    (root / "content/2025/07/e05.md").write_text(entry(5, "Edited with zanzibar."), encoding="utf-8")
    build(root)
    assert output.stat().st_ino == folder  # the spare was the staging folder, now output/
    assert shard_names(output)[0] == shards[0] and inodes(output, shards[0]) == kept  # kept in place
    assert files_of(spare) == held  # the site of the clean build is the spare now
    assert_equals_clean_build_with_search(root, tmp_path / "clean")


def test_a_clean_build_whose_pagefind_is_killed_leaves_no_folder_behind(site, tmp_path):
    root = site({**entries(8), "content/2025/07/e05.md": entry(5, "A doomed entry.")}, SETTINGS)
    result = run_digest(root, "build", env=fake_pagefind(tmp_path, KILLED_ON_DOOMED))
    assert result.returncode == 1 and "Pagefind was killed (SIGKILL)" in result.stderr
    assert beside_output(root) == []  # neither output/ nor the spare linked meanwhile, nor staging
    build(root)  # with a working Pagefind: a whole site and its spare
    assert beside_output(root) == [".output.old", "output"]


def test_without_links_a_clean_build_leaves_no_spare_and_the_next_edit_still_equals_a_clean_build(
        site, tmp_path, monkeypatch):
    """Where hard links cannot be made, there is no spare; the next build stages in a new folder."""
    from digest import write

    root = site(entries(8), SETTINGS)
    monkeypatch.setattr(write, "_link_files", lambda *args: False)
    build(root)
    monkeypatch.undo()
    assert beside_output(root) == ["output"]
    (root / "content/2025/07/e02.md").write_text(entry(2, "Edited."), encoding="utf-8")
    build(root)
    assert_equals_clean_build_with_search(root, tmp_path / "clean")


def test_a_clean_build_without_search_leaves_no_spare(site):
    """Without a search stage to link it behind, the spare would lengthen every clean build; the
    next build that writes keeps the old output/ as the spare instead."""
    root = site(entries(4), SETTINGS)
    build(root, "--no-search")
    assert beside_output(root) == ["output"]
