"""The cache and the workers never change a page: a cached rebuild after any kind of change
writes exactly what a clean build writes, and 1 or 2 workers write the same bytes."""

from __future__ import annotations

import os
import pickle
import shutil
from pathlib import Path

import pytest

from helpers import (EDITS, ENTRY_EDITS, FILE_EDITS, IN_PLACE, SETTING_EDITS, TERM_EDITS, THEME, THEMES,
                     assert_equals_clean_build,
                     build_site, built, clean_build, edit, edits_site, entry_text, run_digest, run_digest_process,
                     slow_but_fast_edits, snapshot)
from digest.build import build, make_site
from digest.config import load_config
from digest.errors import DigestError
from digest.render import make_environment, render_pages


def corpus(count: int) -> dict[str, str | bytes]:
    tags = ["Russia", "Ukraine", "ceasefire talks", "energy", "Київ"]
    entries = {f"content/2025/07/entry-{n:03d}.md": entry_text(
        title=f'"Entry {n}"', date=f"2025-07-{1 + n % 28:02d}", tags=f"[{tags[n % 5]}, {tags[(n * 3) % 5]}]",
        body=f"# Heading {n}\n\nBody of entry {n} with <b>raw</b> HTML and a [link](https://example.org/{n}).",
        people=f"[Person {n % 7}]") for n in range(count)}
    # The site's own static/ folder, copied to the output root.
    return {**entries, "static/images/map.png": bytes(range(256)), "static/.well-known/security.txt": "Contact: x\n"}


def built_again(root: Path) -> dict[str, bytes]:
    """A build after a first one, made to write: with output/ as the first build left it, a
    build would leave it be; a file missing from it makes the build stage the site again, so
    that the folder of the first one is kept as the spare the next build reuses."""
    (root / "output" / "robots.txt").unlink()
    return built(root)


def change_body(root: Path) -> None:
    edit(root / "content/2025/07/entry-003.md", "Body of entry 3", "A new body for entry 3")


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("name", slow_but_fast_edits(EDITS))
def test_a_cached_build_after_an_edit_equals_a_clean_build(site, name, theme):
    root = edits_site(site)
    THEMES[theme](root)
    assert not build_site(root).in_place  # the first build fingerprints every page
    (root / "output/robots.txt").unlink()  # a build that writes, so the first output is kept as the spare
    again = build_site(root)  # nothing changed: every fingerprint kept, every page reused
    assert again.in_place and again.reused == again.pages
    before = snapshot(root / "output")  # now the cache and the spare output folder are both in play
    assert (root / ".digest-cache").is_dir() and (root / ".output.old").is_dir()
    EDITS[name](root)
    if name in SETTING_EDITS:  # the settings were written anew
        THEMES[theme](root)
    result = build_site(root, jobs=2)
    if name in ENTRY_EDITS:  # only an edit of what the entry's own page shows keeps the model
        assert result.in_place == (name in IN_PLACE)
    if name in TERM_EDITS:  # an edit of terms only: only the pages those terms reach are fingerprinted
        routes = len(make_site(load_config(root, search=False))[0].routes)
        assert 0 < result.fingerprinted < routes, (result.fingerprinted, routes)
    after = snapshot(root / "output")
    assert after != before, "the edit must show in the output"
    assert_equals_clean_build(root)
    assert built(root) == after  # and once more from the cache, with nothing changed


@pytest.mark.parametrize("before, after", [("extra", "extra/inner.css"), ("extra/inner.css", "extra")],
                         ids=["file-where-a-folder-goes", "folder-where-a-file-goes"])
def test_a_file_and_a_folder_trading_places_in_the_reused_folder(site, before, after):
    root = site(corpus(4))
    static = root / "themes/default/static"
    (static / before).parent.mkdir(parents=True, exist_ok=True)
    (static / before).write_text("one", encoding="utf-8")
    built(root)
    built_again(root)  # the spare folder, reused for the next build, holds `before`
    assert (root / ".output.old/static" / before).is_file()
    if (static / "extra").is_dir():
        shutil.rmtree(static / "extra")
    else:
        (static / "extra").unlink()
    (static / after).parent.mkdir(parents=True, exist_ok=True)
    (static / after).write_text("two", encoding="utf-8")
    result = built(root)
    assert result[f"static/{after}"] == b"two" and result == clean_build(root)


def test_a_spare_folder_of_unknown_records_is_deleted_after_the_writes(site, monkeypatch):
    """After an upgrade of digest (its records unknown), the spare folder is renamed aside and
    deleted after the swap, not before the writes (files made right after many deletions are
    slow on a file system without a journal); a folder left aside by a failed build goes too."""
    from digest import write

    root = site(corpus(8))
    built(root)
    built_again(root)
    assert (root / ".output.old").is_dir()
    (root / ".digest-cache/output.pickle").write_bytes(b"not a pickle")
    seen = []
    real = write.write_pages

    def watching(*args, **kwargs):
        seen.append(((root / ".output.trash").is_dir(), (root / ".output.old").exists()))
        return real(*args, **kwargs)

    monkeypatch.setattr(write, "write_pages", watching)
    after = built(root)
    assert seen == [(True, False)]  # aside, not yet deleted, while the pages were written
    assert not (root / ".output.trash").exists() and after == clean_build(root)
    (root / ".output.trash/left").mkdir(parents=True)
    change_body(root)
    assert built(root) == clean_build(root) and not (root / ".output.trash").exists()


@pytest.mark.parametrize("jobs", [1, 2], ids=["spare-looked-at-here", "spare-looked-at-by-a-child"])
def test_damaged_spare_folder_is_repaired(site, jobs):
    """A build that writes stages in the spare folder: a tampered page, a stray file and a
    symlink found there never reach output/ (with 2 jobs a forked child looks at the spare)."""
    root = site(corpus(8))
    built(root)
    built_again(root)
    spare = root / ".output.old"
    page = next(spare.rglob("entry-001/index.html"))
    page.write_bytes(page.read_bytes().replace(b"Entry 1", b"Tampered"))
    (spare / "stray.html").write_text("left over", encoding="utf-8")
    (spare / "tags" / "link.html").symlink_to(root / "pyproject.toml")
    change_body(root)  # something to write, so that the build stages in the spare
    # The command, in a process of its own: a process with other threads (a test run may have
    # some) never forks the child.
    assert run_digest_process(root, "build", "--no-search", "--jobs", str(jobs)).returncode == 0
    assert snapshot(root / "output") == clean_build(root)
    assert not any(p.is_symlink() for p in (root / "output").rglob("*"))


def test_a_spare_folder_gone_after_the_build_looked_stops_the_build_and_keeps_output(site, monkeypatch):
    """The pages the build found unchanged in the spare folder are not sent to be written: if
    that folder goes before the writes, the build stops rather than stage a site without them."""
    from digest import build as build_module

    root = site(corpus(8))
    built(root)
    before = built_again(root)
    real = build_module.reusable_pages

    def then_removed(*args, **kwargs):
        found = real(*args, **kwargs)
        assert found.kept, "some pages are kept from the spare folder"
        shutil.rmtree(root / ".output.old")
        return found

    monkeypatch.setattr(build_module, "reusable_pages", then_removed)
    change_body(root)
    with pytest.raises(DigestError, match="changed while building; build again"):
        built(root)
    assert snapshot(root / "output") == before
    monkeypatch.undo()
    assert built(root) == clean_build(root)


def test_damaged_cache_files_are_ignored(site):
    root = site(corpus(8))
    expected = built(root)
    damaged = [path for path in (root / ".digest-cache").rglob("*") if path.is_file()]
    assert any(path.parent.name.startswith("templates-") for path in damaged)  # compiled templates too
    for path in damaged:
        path.write_bytes(b"not a pickle")
    assert built(root) == expected
    assert built(root) == expected


def test_unchanged_files_are_not_rewritten(site):
    root = site(corpus(8))
    built(root)
    built(root)
    page = next((root / "output").rglob("entry-002/index.html"))
    inode = page.stat().st_ino
    change_body(root)
    built(root)
    built(root)
    # Two builds later the same folder is in place again: the untouched page is the same file.
    assert next((root / "output").rglob("entry-002/index.html")).stat().st_ino == inode


@pytest.mark.slow  # two clean builds of 80 entries
def test_one_or_two_workers_write_the_same_bytes(site):
    root = site(corpus(80))  # enough for several batches of entries and of pages
    one = clean_build(root, jobs=1)
    two = clean_build(root, jobs=2)
    assert len(one) > 120 and one == two


def test_jobs_flag_and_template_error_from_a_worker(site):
    root = site(corpus(80), name="cli")
    result = run_digest(root, "build", "--no-search", "--jobs", "2")
    assert result.returncode == 0, result.stderr
    assert "load " in result.stdout and "render " in result.stdout and "write " in result.stdout
    folder = root / "themes/default/templates"
    folder.mkdir(parents=True)
    (folder / "entry.html").write_text("{{ no_such_name }}\n", encoding="utf-8")
    before = snapshot(root / "output")
    result = run_digest(root, "build", "--no-search", "--jobs", "2")
    assert result.returncode == 1
    assert "themes/default/templates/entry.html:1: template error: no 'no_such_name' in the context of entry.html" \
        in result.stderr
    assert snapshot(root / "output") == before
    assert not (root / ".output.staging").exists()
    assert run_digest(root, "build", "--jobs", "0").returncode == 2


def test_changed_tags_reach_every_page_that_shows_them(site):
    """Page reuse (reuse.py) must re-render every page an entry's tags reach: the old and the new
    tag's pages and feeds, the tags index, related-entry blocks of other entries, the story
    timeline, the weekly digest issue (grouped by first tag), the site feeds and the sitemap."""
    files = corpus(12)
    files["content/2025/07/entry-004.md"] = entry_text(
        title='"Entry 4"', date="2025-07-05", tags="[Київ, ceasefire talks]", story="Talks",
        body="Body of entry 4.", people="[Person 4]")
    files["content/2025/07/entry-009.md"] = entry_text(
        title='"Entry 9"', date="2025-07-10", tags="[Київ, energy]", story="Talks", body="Body of entry 9.")
    files["content/2025/07/entry-011.md"] = entry_text(
        title='"Entry 11"', date="2025-07-12", tags="[Lonely]", body="Body of entry 11.")
    root = site(files)
    built(root)
    before = built(root)
    edit(root / "content/2025/07/entry-004.md", "tags: [Київ, ceasefire talks]", "tags: [Lonely, a new tag]")
    edit(root / "content/2025/07/entry-011.md", "tags: [Lonely]", "tags: [Misc, Lonely]")  # not in a story
    after = built(root, jobs=2)
    assert after == clean_build(root)
    changed = {path for path in after if before.get(path) != after[path]}
    for page in ("2025/07/entry-004/index.html", "tags/index.html", "tags/kiiv/index.html", "tags/kiiv/feed.xml",
                 "tags/a-new-tag/index.html", "tags/a-new-tag/feed.xml", "tags/lonely/index.html",
                 "tags/lonely/feed.xml", "stories/talks/index.html", "feed.xml", "feed.json", "sitemap.xml"):
        assert page in changed, page
    assert "tags/a-new-tag/index.html" not in before and "tags/ceasefire-talks/index.html" in before
    # Entry 11 shared nothing with entry 4; now they share a tag, so entry 4 is related to it;
    # its weekly issue groups it under its new first tag.
    assert b"Entry 4" not in before["2025/07/entry-011/index.html"] and b"Entry 4" in after["2025/07/entry-011/index.html"]
    issue = next(path for path in after if path.startswith("digest/2025/") and b"Entry 11" in after[path])
    assert issue in changed and b"Misc" in after[issue] and b"Misc" not in before[issue]
    untouched = "2025/07/entry-001/index.html"
    assert before[untouched] == after[untouched]


@pytest.mark.parametrize("spare", ["kept", "removed"])
def test_a_tampered_output_page_is_rendered_again_not_reused(site, spare):
    root = site(corpus(8))
    built(root)
    expected = built_again(root)
    if spare == "removed":
        shutil.rmtree(root / ".output.old")
    page = next((root / "output").rglob("entry-001/index.html"))
    page.write_bytes(page.read_bytes().replace(b"Entry 1", b"Tampered"))
    assert built(root) == expected
    assert built(root) == expected


def test_a_template_edited_in_place_is_compiled_again(site):
    """Compiled templates are kept in the cache: an edit to a template file must still show."""
    root = site(corpus(6))
    FILE_EDITS["own template"](root)
    built(root)
    built(root)
    edit(root / "themes/default/templates/404.html", "Overridden.", "Edited in place.")
    after = built(root)
    assert b"Edited in place." in after["404.html"] and after == clean_build(root)


def test_unchanged_pages_are_hard_links_to_the_last_output_and_never_written_through(site):
    root = site(corpus(8))
    first = built(root)
    assert built_again(root) == first  # no spare folder yet: unchanged pages are linked from output/
    page = next((root / "output").rglob("entry-003/index.html")).relative_to(root / "output")
    new, old = root / "output" / page, root / ".output.old" / page
    assert new.stat().st_ino == old.stat().st_ino and new.stat().st_nlink == 2
    before = new.read_bytes()
    change_body(root)
    after = built(root)
    assert after == clean_build(root)
    assert after[page.as_posix()] != before
    assert old.read_bytes() == before  # the folder it was linked with still holds the old page
    assert not any(p.is_symlink() for p in (root / "output").rglob("*"))


def test_a_changed_page_is_written_over_its_own_spare_file(site):
    """A page whose file in the spare folder no other folder shares (no hard link with
    output/) is rewritten in place, keeping its inode (a fresh inode is slow to take on a
    file system without a journal); a file shared with output/ never is (above)."""
    root = site(corpus(8))
    built(root)
    page = next((root / "output").rglob("entry-003/index.html")).relative_to(root / "output")
    inode = (root / "output" / page).stat().st_ino
    built(root)  # up to date: output/ is linked into the spare folder
    assert (root / ".output.old" / page).stat().st_nlink == 2
    change_body(root)
    built(root)  # the page is a new file; its old file is output/'s no more, but the spare's own
    assert (root / ".output.old" / page).stat().st_ino == inode
    assert (root / ".output.old" / page).stat().st_nlink == 1
    edit(root / "content/2025/07/entry-003.md", "A new body for entry 3", "A third body, longer than the first one")
    with open(root / ".output.old" / page, "rb") as held:  # held open, its inode cannot be reused
        after = built(root)
        assert os.fstat(held.fileno()).st_ino == (root / "output" / page).stat().st_ino
        assert held.read() == after[page.as_posix()]
    assert b"A third body" in after[page.as_posix()] and after == clean_build(root)
    assert (root / ".output.old" / page).read_bytes().count(b"A new body for entry 3")


def test_compiled_templates_follow_the_settings(site):
    """Jinja folds `'sitemap.xml'|absolute_url` into the compiled template: a build with another
    base URL must not take it from the cache."""
    root = site(corpus(3))
    for base_url in ("https://owner.github.io/repo/", "https://news.example.org/", "https://owner.github.io/repo/"):
        config = load_config(root, search=False, base_url=base_url)
        build(config, jobs=1)
        robots = (root / "output" / "robots.txt").read_text(encoding="utf-8")
        assert f"Sitemap: {base_url}sitemap.xml" in robots
        shutil.rmtree(root / "clean", ignore_errors=True)
        build(load_config(root, search=False, base_url=base_url, output_dir="clean"), jobs=1, cache=False)
        assert snapshot(root / "output") == snapshot(root / "clean")


def test_an_edit_rewrites_one_file_of_the_entry_cache(site):
    from digest.cache import ENTRY_SHARDS

    root = site(corpus(40))
    built(root)
    shards = sorted((root / ".digest-cache/entries").glob("[0-9][0-9].pickle"))
    assert len(shards) == ENTRY_SHARDS  # 40 entries fill every one
    before = {path: path.stat().st_mtime_ns for path in shards}
    built(root)  # nothing changed: nothing rewritten
    assert {path: path.stat().st_mtime_ns for path in shards} == before
    change_body(root)
    again = built(root)
    rewritten = [path for path in shards if path.stat().st_mtime_ns != before[path]]
    assert len(rewritten) == 1
    assert again == clean_build(root)


def test_the_entry_cache_keeps_what_the_last_build_used_and_nothing_else(site):
    """A deleted file leaves the cache, a renamed one moves to its new path, an edited one
    keeps only its new bytes; each of the cache's files holds its own files' entries."""
    from digest.cache import EntryCache, entry_shard

    root = site(corpus(40))
    built(root)
    content = root / "content/2025/07"
    (content / "entry-005.md").unlink()
    (content / "entry-006.md").rename(content / "renamed.md")
    change_body(root)
    built(root)
    config = load_config(root, search=False)
    cache = EntryCache(config)
    held = {path: entry.body_html for (path, _), (entry, _) in cache.known.items()}
    expected = {f"content/2025/07/entry-{n:03d}.md" for n in range(40) if n not in (5, 6)} | {"content/2025/07/renamed.md"}
    assert held.keys() == expected and len(cache.known) == len(expected)  # one version of each
    assert "A new body for entry 3" in held["content/2025/07/entry-003.md"]
    assert all(entry_shard(path) == number for number, keys in enumerate(cache.stored) for path, _ in keys)


def test_a_build_with_nothing_to_change_leaves_the_output_as_it_is(site):
    root = site(corpus(8))
    config = load_config(root, search=False)
    build(config, jobs=1)
    output = snapshot(root / "output")
    stamps = {path: path.stat().st_mtime_ns for path in (root / "output").rglob("*")}
    result = build(config, jobs=1)
    assert result.up_to_date and result.pages == result.reused > 0
    assert {path: path.stat().st_mtime_ns for path in (root / "output").rglob("*")} == stamps
    assert not (root / ".output.staging").exists()
    assert snapshot(root / "output") == output == clean_build(root)
    # The folder the next build will stage in is ready: the same files, hard links.
    page = next((root / "output").rglob("entry-002/index.html")).relative_to(root / "output")
    assert (root / "output" / page).stat().st_ino == (root / ".output.old" / page).stat().st_ino
    change_body(root)
    after = build(config, jobs=1)
    assert not after.up_to_date and after.reused > 0 and snapshot(root / "output") == clean_build(root)
    assert (root / ".output.old" / page).read_bytes() == output[page.as_posix()]


@pytest.mark.parametrize("disturb", ["stray file", "page edited", "page removed", "symlink", "static file",
                                     "site static file"])
def test_an_output_folder_not_as_the_last_build_left_it_is_built_again(site, disturb):
    root = site(corpus(8))
    config = load_config(root, search=False)
    build(config, jobs=1)
    output = root / "output"
    page = next(output.rglob("entry-001/index.html"))
    if disturb == "stray file":
        (output / "tags" / "stray.html").write_text("left over", encoding="utf-8")
    elif disturb == "page edited":
        page.write_bytes(page.read_bytes().replace(b"Entry 1", b"Tampered"))
    elif disturb == "page removed":
        page.unlink()
    elif disturb == "symlink":
        (output / "link.html").symlink_to(root / "pyproject.toml")
    elif disturb == "static file":
        FILE_EDITS["theme static file"](root)
    else:
        FILE_EDITS["static file deleted"](root)
    assert not build(config, jobs=1).up_to_date
    assert snapshot(output) == clean_build(root)
    assert not any(path.is_symlink() for path in output.rglob("*"))


def test_a_cache_restored_into_a_fresh_checkout_gives_a_clean_builds_pages(site, monkeypatch):
    """The Pages workflow restores .digest-cache/ into a new checkout: no output/, and every
    file's stat new to the cache. Entries come from the cache by their bytes, none parsed
    again; the pages are a clean build's."""
    import digest.read

    first = site(corpus(40))  # more files than the listing child parses ahead (read.AHEAD)
    built(first)
    checkout = site(corpus(40), name="checkout")
    shutil.copytree(first / ".digest-cache", checkout / ".digest-cache")
    parsed: list[Path] = []
    load_entry = digest.read.load_entry
    monkeypatch.setattr(digest.read, "load_entry", lambda path, config: parsed.append(path) or load_entry(path, config))
    pages = built(checkout)
    assert parsed == []
    assert pages == clean_build(checkout)
    assert len(parsed) == 40  # the count is real: the clean build parsed every file


def test_library_versions_in_the_code_fingerprint_are_the_installed_ones():
    """The cache reads versions from the `.dist-info` folders itself (importlib.metadata is slow
    to import); it must read what importlib.metadata reads, for every library that renders."""
    from importlib import metadata

    from digest.cache import LIBRARIES, installed_versions, normal_name

    versions = installed_versions()
    for name in LIBRARIES:
        assert versions[normal_name(name)] == metadata.version(name), name


def test_settled_files_are_known_by_their_stat_and_any_write_still_shows(site, monkeypatch):
    """A file left alone for cache.SETTLED seconds is not read again while its size, mtime,
    ctime and inode stay; a write that keeps its size and puts its mtime back still changes
    its ctime, and is read."""
    import os
    import time

    import digest.cache as cache

    root = site(corpus(6))
    entry = root / "content/2025/07/entry-003.md"
    built(root)
    assert cache.EntryCache(load_config(root, search=False)).stats == {}  # all just written: none trusted yet
    monkeypatch.setattr(cache, "SETTLED", 0.0)
    time.sleep(0.05)
    built(root)
    reads = []
    real = cache.content_key
    monkeypatch.setattr(cache, "content_key", lambda *args: reads.append(args[0]) or real(*args))
    built(root)
    assert reads == []  # every file known by its stat
    before = entry.stat()
    text = entry.read_text(encoding="utf-8")
    entry.write_text(text.replace("Body of entry 3", "Body of entry X"), encoding="utf-8")
    os.utime(entry, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert entry.stat().st_size == before.st_size and entry.stat().st_mtime_ns == before.st_mtime_ns
    after = built(root)
    assert reads == ["content/2025/07/entry-003.md"]
    assert b"Body of entry X" in after["2025/07/entry-003/index.html"]
    assert after == clean_build(root)


def test_a_clean_build_keeps_the_stat_of_each_file_its_parse_read(site, monkeypatch):
    """With an empty cache, no file is read and hashed before the parse: the parse hashes
    each file as it reads it, and the stat it took before is kept as key_of keeps one. So
    the next build reads no settled file again."""
    import time

    import digest.cache as cache

    root = site(corpus(6))
    monkeypatch.setattr(cache, "SETTLED", 0.0)
    time.sleep(0.05)
    reads = []
    real = cache.content_key
    monkeypatch.setattr(cache, "content_key", lambda *args: reads.append(args[0]) or real(*args))
    built(root)
    assert reads == []  # nothing read before the parse
    assert len(cache.EntryCache(load_config(root, search=False)).stats) == 6
    built(root)
    assert reads == []  # every file known by its stat


def settled_site(site, monkeypatch, count: int = 6) -> Path:
    """A built site whose files the entry cache knows by their stat (SETTLED made 0)."""
    import time

    import digest.cache as cache

    root = site(corpus(count))
    built(root)
    monkeypatch.setattr(cache, "SETTLED", 0.0)
    time.sleep(0.05)
    built(root)
    return root


def test_the_listing_child_parses_the_files_whose_stat_changed(site, monkeypatch):
    from digest.read import load_entry, sources_ahead

    root = settled_site(site, monkeypatch)
    config = load_config(root, search=False)
    paths, _, _, parsed = sources_ahead(config)
    assert len(paths) == 6 and pickle.loads(parsed) == {}  # nothing changed: nothing parsed
    change_body(root)
    parsed = pickle.loads(sources_ahead(config)[3])
    edited = root / "content/2025/07/entry-003.md"
    assert list(parsed) == ["content/2025/07/entry-003.md"]
    assert parsed["content/2025/07/entry-003.md"] == load_entry(edited, config)
    assert b"A new body for entry 3" in built(root, jobs=2)["2025/07/entry-003/index.html"]
    assert built(root) == clean_build(root)


def test_a_parse_ahead_of_older_bytes_is_not_used(site, monkeypatch):
    """The file changes again after the listing child parsed it: the build parses it anew."""
    from digest.read import read_entries, sources_ahead
    from digest.cache import EntryCache

    root = settled_site(site, monkeypatch)
    config = load_config(root, search=False)
    change_body(root)
    listed = sources_ahead(config)
    edit(root / "content/2025/07/entry-003.md", "A new body for entry 3", "The newest body of entry 3")

    class Listed:  # what list_sources gives, its value taken before the second edit
        def result(self):
            return listed

    entries, _ = read_entries(config, 1, EntryCache(config), Listed())
    (entry,) = [entry for entry in entries if entry.path.endswith("entry-003.md")]
    assert "The newest body of entry 3" in entry.body_html


def test_the_listing_child_leaves_many_changed_files_to_the_parse_workers(site, monkeypatch):
    from digest.read import AHEAD, sources_ahead

    root = site(corpus(AHEAD + 1))
    built(root)  # every file just written: none known by its stat
    assert pickle.loads(sources_ahead(load_config(root, search=False))[3]) == {}


def test_a_build_leaves_nothing_frozen_from_the_collector(site):
    """build() freezes the model it made (gc.freeze) while it runs and unfreezes it when done:
    `digest serve` builds again and again in one process, and frozen objects are never freed."""
    import gc

    root = site(corpus(6))
    built(root)
    change_body(root)
    built(root)
    assert gc.get_freeze_count() == 0


def test_a_check_leaves_nothing_frozen_from_the_collector(site):
    import gc

    from digest.build import check

    root = site(corpus(6))
    check(load_config(root, search=False))
    assert gc.get_freeze_count() == 0


@pytest.mark.parametrize("jobs", [1, 2])
def test_compiled_templates_are_stored_after_a_build_succeeds_never_after_one_fails(site, jobs):
    """A build compiles the templates once (before forking its render workers) and stores
    them only once it succeeded: a failed build writes nothing anywhere."""
    root = site(corpus(60))
    folder = root / "themes/default/templates"
    folder.mkdir(parents=True)
    (folder / "404.html").write_text("{% extends 'base.html' %}{% block content %}{{ nope.nope }}{% endblock %}",
                                     encoding="utf-8")
    with pytest.raises(DigestError):
        built(root, jobs=jobs)
    assert not list((root / ".digest-cache").glob("templates-*/*"))
    (folder / "404.html").unlink()
    first = built(root, jobs=jobs)
    stored = list((root / ".digest-cache").glob("templates-*/*"))
    if jobs > 1:  # all of them, compiled before the workers fork
        templates = list((THEME / "templates").iterdir())
    else:  # those the pages use, as they are rendered
        config = load_config(root, search=False)
        environment = make_environment(config, watching=False)
        render_pages(make_site(config)[0], None, environment)
        templates = list(environment.cache)
    assert len(stored) == len(templates) > 20, (stored, templates)
    # The next build reads them, and its pages are a clean build's.
    assert built_again(root) == first == clean_build(root)
