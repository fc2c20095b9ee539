"""`digest serve` starts from what `digest build` left in `.digest-cache/`: the parsed entries
and the image renditions, read and never written. It takes only what a start without the
cache would make the same: a cache of other settings, one older than the files, or a damaged
one is passed over, and the preview is the one a start without any cache serves."""

from __future__ import annotations

import shutil
from pathlib import Path

from helpers import ENTRIES, SETTINGS, build_site, edit, entry_text, snapshot
from newsroom_site import photo
from digest.serve import Preview, Rebuild

FILES = {**ENTRIES, "content/2025/07/pictured.md": entry_text('"Pictured"', "2025-07-06", image='{src: pic.jpg, alt: "A harbour"}'),
         "content/2025/07/pic.jpg": photo((900, 600))}
ENTRY_COUNT = sum(name.endswith(".md") for name in FILES)
RENDITIONS = 7  # of the one image: three widths in JPEG and WebP, and the social card


def started(root: Path, temp: Path) -> tuple[Preview, Rebuild]:
    """A preview's first build (as `digest serve` starts), which must succeed."""
    served = Preview(root)
    served.temp = temp  # Built folders are named in it; nothing is written without start()
    result = served.rebuild(set())
    assert result.ok, result.problems
    return served, result


def without_cache(root: Path, temp: Path) -> dict[str, bytes]:
    """The pages a preview serves when started with no cache folder at all."""
    aside = root.parent / "cache-aside"
    (root / ".digest-cache").rename(aside)
    try:
        served, result = started(root, temp)
        assert (result.reread, result.resized) == (ENTRY_COUNT, RENDITIONS)
    finally:
        aside.rename(root / ".digest-cache")
    return served.current.pages


def assert_same_preview(pages: dict[str, bytes], fresh: dict[str, bytes]) -> None:
    assert sorted(pages) == sorted(fresh)
    assert [path for path in pages if pages[path] != fresh[path]] == []


def test_a_preview_after_a_build_parses_and_resizes_nothing_and_writes_no_cache(site, tmp_path):
    root = site(FILES, SETTINGS)
    build_site(root)
    cache = snapshot(root / ".digest-cache")
    served, result = started(root, tmp_path / "a")
    assert (result.reread, result.resized) == (0, 0)
    assert result.rendered > 0  # pages are rendered: the preview's links carry its own address
    assert snapshot(root / ".digest-cache") == cache, "the preview writes nothing in the cache folder"
    assert_same_preview(served.current.pages, without_cache(root, tmp_path / "b"))
    # And it goes on from there as ever: an edit reads one file again.
    entry = root / "content/2025/07/storm.md"
    edit(entry, "Body text.", "A new body.")
    again = served.rebuild({entry})
    assert again.ok and again.reread == 1 and b"A new body." in served.current.pages["2025/07/storm/index.html"]


def test_a_cache_older_than_the_files_or_of_other_settings_gives_only_what_still_holds(site, tmp_path):
    root = site(FILES, SETTINGS)
    build_site(root)
    edit(root / "content/2025/07/storm.md", "Body text.", "A body written after the build.")
    _, result = started(root, tmp_path / "a")
    assert (result.reread, result.resized) == (1, 0)
    assert_same_preview(started(root, tmp_path / "b")[0].current.pages, without_cache(root, tmp_path / "c"))
    # Another time zone may give any entry another date: nothing parsed before is taken.
    (root / "pyproject.toml").write_text("[tool.digest]\n" + SETTINGS + 'timezone = "Asia/Tokyo"\n', encoding="utf-8")
    served, result = started(root, tmp_path / "d")
    assert result.reread == ENTRY_COUNT
    assert_same_preview(served.current.pages, without_cache(root, tmp_path / "e"))


def test_a_damaged_cache_is_passed_over(site, tmp_path):
    root = site(FILES, SETTINGS)
    build_site(root)
    for path in (root / ".digest-cache/entries").iterdir():
        path.write_bytes(b"not a pickle")
    images = root / ".digest-cache/images"
    damaged = sorted(path for path in images.iterdir() if path.suffix == ".webp")[0]
    data = damaged.read_bytes()
    damaged.write_bytes(data[:-1] + bytes([data[-1] ^ 1]))  # the index's digest no longer holds
    served, result = started(root, tmp_path / "a")
    assert (result.reread, result.resized) == (ENTRY_COUNT, 1)
    assert_same_preview(served.current.pages, without_cache(root, tmp_path / "b"))
    shutil.rmtree(images)
    (images.parent / "entries/stats.pickle").write_bytes(b"")
    served, result = started(root, tmp_path / "c")
    assert (result.reread, result.resized) == (ENTRY_COUNT, RENDITIONS)


def test_a_first_build_with_workers_serves_the_same_site(site, tmp_path):
    """`digest serve` starts with worker processes where a site is large enough (jobs=None);
    forced here on a small one."""
    root = site(FILES, SETTINGS)
    served = Preview(root)
    served.temp = tmp_path / "a"
    result = served.rebuild(set(), jobs=2)
    assert result.ok and result.reread == ENTRY_COUNT, result.problems
    assert_same_preview(served.current.pages, started(root, tmp_path / "b")[0].current.pages)
