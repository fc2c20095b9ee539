"""Search: Pagefind runs once over the staged site; entry pages only are indexed,
with filters, metadata and a sort key that keep any text as text. Real Pagefind, real builds."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import html5lib
import pagefind_bin
import pytest

from helpers import HOSTILE_ENTRY, HOSTILE_TITLE, ROOT, entry_text, run_digest, snapshot
from digest.errors import DigestError, format_problem
from digest.render import digest_of
from digest.search import index_pages, indexed_pages, search_key

MISSING_LINES = [
    "search: the Pagefind binary is missing from the pagefind-bin package; reinstall it with "
    "`pip install --force-reinstall 'pagefind-bin>=1.5.2'`, or build without search: `digest build --no-search` "
    "(or `search = false` under [tool.digest])",
    "digest: 1 error in 1 file; out/ was not changed",
]


def sample_site(tmp_path: Path) -> Path:
    """A copy of the repository's sample site (its content/ and pyproject.toml)."""
    root = tmp_path / "sample"
    shutil.copytree(ROOT / "content", root / "content")
    shutil.copy(ROOT / "pyproject.toml", root / "pyproject.toml")
    return root


def page_count(output: Path) -> int:
    """Pages in every shard of the index, each shard's count read from its own pagefind-entry.json."""
    return indexed_pages(output)


def index_folder(folder: Path, pages: list[str]):
    """The search index of these pages of folder, in one shard, as a build makes it."""
    return index_pages(folder, pages, lambda path: digest_of((folder / path).read_bytes()), search_key("en", 100),
                       "en", 100)


def shadow_pagefind_bin(tmp_path: Path, binary: bytes | None) -> dict:
    """The real pagefind_bin package, copied without its binary (or with `binary` in its place),
    ahead of the installed one on PYTHONPATH: a broken install, as a user could have it."""
    package = Path(pagefind_bin.__file__).parent
    copy = tmp_path / "shadow" / "pagefind_bin"
    copy.mkdir(parents=True)
    for name in ("__init__.py", "__main__.py"):
        shutil.copy(package / name, copy / name)
    if binary is not None:
        (copy / "pagefind").write_bytes(binary)
        (copy / "pagefind").chmod(0o755)
    return {"PYTHONPATH": str(copy.parent)}


@pytest.fixture(scope="module")
def sample_build(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("sample")
    root = sample_site(tmp)
    result = run_digest(root, "build", "--output", str(tmp / "out"))
    assert result.returncode == 0, result.stderr
    return root, tmp / "out", result


def test_the_index_holds_one_page_per_entry_of_the_sample_site(sample_build):
    root, output, _ = sample_build
    entries = list((root / "content").rglob("*.md"))
    assert len(entries) == 8
    assert page_count(output) == len(entries)


def test_only_entry_pages_carry_pagefind_body(sample_build):
    root, output, _ = sample_build
    marked = {p.parent.relative_to(output).as_posix() for p in output.rglob("*.html")
              if "data-pagefind-body" in p.read_text(encoding="utf-8")}
    entry_pages = {f"2025/07/{p.stem}" for p in (root / "content").rglob("*.md")}
    assert marked == entry_pages


def test_search_time_is_in_the_closing_line(sample_build):
    _, _, result = sample_build
    closing = result.stdout.strip().splitlines()[-1]
    assert closing.startswith("Built ") and re.search(r"[(,] search \d+\.\d\d[,)]", closing), closing


def test_no_search_writes_no_index(site, tmp_path):
    root = site({"content/a.md": entry_text()})
    result = run_digest(root, "build", "--no-search")
    assert result.returncode == 0, result.stderr
    assert not (root / "output" / "pagefind").exists()
    assert "search" not in result.stdout



def test_a_site_without_search_has_no_search_box_link_or_page_but_no_search_keeps_them(site):
    """`search = false` is a site without search: no box in the header, no menu link, no
    /search/ page, none in the sitemap or on the 404 page. `--no-search` skips one build's
    index only: the pages stay as they are (the search page says it is not available)."""
    root = site({"content/a.md": entry_text()}, "search = false\n")
    assert run_digest(root, "build").returncode == 0
    pages = {path.relative_to(root / "output").as_posix(): path.read_text(encoding="utf-8")
             for path in (root / "output").rglob("*") if path.suffix in (".html", ".xml")}
    assert "search/index.html" not in pages and not (root / "output" / "pagefind").exists()
    assert not [path for path, text in pages.items() if "search/" in text or "site-search" in text]
    assert "Try the <a href=\"/\">latest entries</a> or the <a href=\"/archive/\">archive</a>." in pages["404.html"]
    flagged = site({"content/a.md": entry_text()}, name="flagged")
    assert run_digest(flagged, "build", "--no-search").returncode == 0
    home = (flagged / "output" / "index.html").read_text(encoding="utf-8")
    assert 'id="site-search"' in home and 'href="/search/"' in home
    assert (flagged / "output" / "search" / "index.html").is_file()
    assert "/search/" in (flagged / "output" / "sitemap.xml").read_text(encoding="utf-8")

def test_drafts_never_reach_the_index(site):
    root = site({"content/a.md": entry_text(title="Published"), "content/b.md": entry_text(title="Hidden", draft="true")})
    assert run_digest(root, "build").returncode == 0
    assert page_count(root / "output") == 1


def test_a_site_without_entries_builds_without_an_index(site):
    """Pagefind would index the listing pages (no data-pagefind-body anywhere), so it is not run."""
    root = site({})
    result = run_digest(root, "build")
    assert result.returncode == 0, result.stderr
    assert not (root / "output" / "pagefind").exists()


def test_pagefind_settings_from_the_environment_or_a_config_file_are_not_used(site):
    """A `pagefind.yml` in the site root or PAGEFIND_* variables must not change or break the index."""
    root = site({"content/a.md": entry_text(), "pagefind.yml": 'glob: ":::"\n'})
    result = run_digest(root, "build", env={"PAGEFIND_OUTPUT_SUBDIR": "elsewhere", "PAGEFIND_GLOB": ":::"})
    assert result.returncode == 0, result.stderr
    assert page_count(root / "output") == 1
    assert not (root / "output" / "elsewhere").exists()


def test_hostile_text_stays_text_in_filters_and_metadata(site):
    root = site({"content/2025/07/hostile.md": HOSTILE_ENTRY})
    result = run_digest(root, "build")
    assert result.returncode == 0, result.stderr
    html = (root / "output" / "2025" / "07" / "hostile" / "index.html").read_text(encoding="utf-8")
    document = html5lib.parse(html, namespaceHTMLElements=False)

    def values(attribute: str) -> list[tuple[str, str]]:
        return [(e.get(attribute), "".join(e.itertext())) for e in document.iter() if e.get(attribute) is not None]

    # `"` and `\` escaped, as Pagefind's search looks a chosen value up (render.pagefind_filter)
    assert values("data-pagefind-filter") == [
        ("source", 'Source: <The \\"Wire\\">'),
        ("tag", "Tag, with comma"), ("tag", "key: value"), ("tag", "<b>bold</b>"),
        ("person", 'O\'Brien \\"Jr\\"'), ("place", "Place <x>"),
        ("story", "Story: a, b"), ("kind", "News"), ("language", "en"), ("year", "2025"),
    ]
    assert values("data-pagefind-meta") == [
        ("title", HOSTILE_TITLE), ("date", "2025-07-23"), ("shown_date", "July 23, 2025"),
        ("summary", 'Summary with "quotes", <i>tags</i>, commas, and: colons'),
        ("source", 'Source: <The "Wire">'),
    ]
    assert values("data-pagefind-sort") == [("date", "2025-07-23T00:00:00+00:00")]
    assert "<script>window" not in html
    assert page_count(root / "output") == 1


def test_a_missing_binary_fails_the_build_and_keeps_the_old_site(site, tmp_path):
    root = site({"content/a.md": entry_text()})
    assert run_digest(root, "build", "--output", "out").returncode == 0
    before = snapshot(root / "out")
    (root / "content" / "b.md").write_text(entry_text(title="Second"), encoding="utf-8")
    result = run_digest(root, "build", "--output", "out", env=shadow_pagefind_bin(tmp_path, None))
    assert result.returncode == 1
    assert result.stderr.splitlines() == MISSING_LINES
    assert snapshot(root / "out") == before
    assert [p.name for p in root.iterdir() if p.name.startswith(".out.")] == []  # no staging left behind


def test_a_binary_that_cannot_run_fails_the_build_and_keeps_the_old_site(site, tmp_path):
    root = site({"content/a.md": entry_text()})
    assert run_digest(root, "build", "--output", "out").returncode == 0
    before = snapshot(root / "out")
    result = run_digest(root, "build", "--output", "out", env=shadow_pagefind_bin(tmp_path, b""))  # an empty download
    assert result.returncode == 1
    assert result.stderr.splitlines()[0].startswith("search: could not run Pagefind (Exec format error); reinstall it")
    assert snapshot(root / "out") == before
    assert [p.name for p in root.iterdir() if p.name.startswith(".out.")] == []  # no staging left behind


def test_pages_pagefind_rejects_are_a_clear_error_naming_the_shard(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "index.html").write_text("")
    with pytest.raises(DigestError) as error:
        index_folder(tmp_path, ["a/index.html"])
    assert [format_problem(p) for p in error.value.problems] == [
        "search: Pagefind failed for shard 1 of 1 (entries a/ to a/): Pagefind was not able to build an index.; fix "
        "the cause, or build without search: `digest build --no-search` (or `search = false` under [tool.digest])"]
    assert sorted(path.name for path in tmp_path.iterdir()) == ["a", "pagefind"]
    assert list((tmp_path / "pagefind").iterdir()) == []  # nothing half made left behind


def test_an_index_that_misses_entries_is_a_warning(tmp_path):
    for name, body in (("one", "<main data-pagefind-body>one</main>"), ("two", "<main>two</main>")):
        (tmp_path / name).mkdir()
        (tmp_path / name / "index.html").write_text(f"<html><body>{body}<p>{name}</p></body></html>")
    index = index_folder(tmp_path, ["one/index.html", "two/index.html"])
    assert [format_problem(p) for p in index.warnings] == [
        "search: warning: Pagefind indexed 1 pages for 2 entries; check that the theme puts data-pagefind-body "
        "on entry pages only"]


def test_a_build_with_nothing_changed_keeps_the_index_and_runs_no_pagefind(site):
    root = site({"content/a.md": entry_text(title="First"), "content/b.md": entry_text(title="Second")})
    assert run_digest(root, "build").returncode == 0
    index = root / "output/pagefind/shards.json"
    stamp = index.stat().st_mtime_ns
    result = run_digest(root, "build")
    assert result.returncode == 0 and "up to date" in result.stdout and "search" not in result.stdout
    assert index.stat().st_mtime_ns == stamp
    shard = json.loads(index.read_text(encoding="utf-8"))["shards"][0]["name"]
    (root / f"output/pagefind/{shard}/pagefind-entry.json").unlink()  # an index not as it was: made again
    result = run_digest(root, "build")
    assert result.returncode == 0 and "search" in result.stdout and page_count(root / "output") == 2
    result = run_digest(root, "build", "--no-search")  # the same pages without an index: written
    assert result.returncode == 0 and not (root / "output/pagefind").exists()
