"""What each page of the site shows, on the golden site (key content, not layout)."""

from __future__ import annotations

import html
import re
import shutil

import pytest

from helpers import GOLDEN, run_digest


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    site = tmp_path_factory.mktemp("pages") / "site"
    shutil.copytree(GOLDEN / "site", site)
    result = run_digest(site, "build", "--no-search")
    assert result.returncode == 0, result.stderr
    return site / "output"


def text_of(out, page: str) -> str:
    """The page's visible text, tags stripped and entities decoded, spaces collapsed."""
    markup = (out / page).read_text(encoding="utf-8")
    markup = re.sub(r"<(script|style)\b.*?</\1>", " ", markup, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", markup)).split())


def test_entry_page_shows_every_field(out):
    page = (out / "2025/07/talks/index.html").read_text(encoding="utf-8")
    text = text_of(out, "2025/07/talks/index.html")
    for shown in ["Kremlin: talks possible, goals first", "July 23, 2025, 9:30 AM +03:00", "Event: July 20, 2025",
                  "News", "White House News", "by Belle Carter", "Peskov said Russia is open to talks",
                  "Talks are possible."]:
        assert shown in text, shown
    assert 'href="https://example.org/2025-07-23/talks"' in page
    for link in ["/digest/tags/russia/", "/digest/tags/ceasefire-talks/", "/digest/people/dmitry-peskov/",
                 "/digest/places/moscow/"]:
        assert f'href="{link}"' in page, link
    assert '<h2 id="key-points">' in page and '<h2 id="key-points-1">' in page


def test_entry_page_of_another_kind_with_several_authors(out):
    text = text_of(out, "2025/07/kyiv/index.html")
    assert "Official" in text and "by Jane Doe, John Roe" in text and "Kyiv Independent Example" in text
    assert "Event:" not in text
    assert "refuses to give up territory & says so plainly" in text


def test_home_is_newest_first_and_paginated(out):
    first, second = text_of(out, "index.html"), text_of(out, "page/2/index.html")
    assert first.index("Kremlin: talks possible") < first.index("Київ says no")
    assert "EU weighs energy sanctions" in second and "EU weighs" not in first
    assert "Page 1 of 2" in first and "Page 2 of 2" in second
    assert 'href="/digest/page/2/"' in (out / "index.html").read_text(encoding="utf-8")
    # listing pages show title, date, source and summary
    assert "July 22, 2025" in first and "Kyiv Independent Example" in first and "Ukraine refuses to give up" in first


def test_terms_are_case_insensitive_with_the_most_used_spelling(out):
    text = text_of(out, "tags/index.html")
    assert "Ukraine (2)" in text and "ukraine" not in text
    assert "Russia (2)" in text and "Energy (1)" in text
    ukraine = text_of(out, "tags/ukraine/index.html")
    assert "Tag: Ukraine" in ukraine and "2 entries" in ukraine


def test_people_places_sources_and_archive(out):
    assert "Dmitry Peskov (1)" in text_of(out, "people/index.html")
    places = text_of(out, "places/index.html")
    assert "Київ (1)" in places and "São Paulo (1)" in places
    assert "White House News (1)" in text_of(out, "sources/index.html")
    archive = text_of(out, "archive/index.html")
    assert archive.index("July 2025 (2)") < archive.index("June 2025 (1)")
    assert "EU weighs energy sanctions" in text_of(out, "archive/2025/06/index.html")


def test_drafts_and_underscore_files_are_not_built(out, tmp_path):
    assert "Not ready" not in text_of(out, "index.html")
    site = tmp_path / "site"
    shutil.copytree(GOLDEN / "site", site)
    result = run_digest(site, "build", "--no-search", "--drafts")
    assert result.returncode == 0, result.stderr
    assert (site / "output/2025/07/draft-note/index.html").is_file()


def test_markdown_tables_and_strikethrough(out):
    page = (out / "2025/06/sanctions/index.html").read_text(encoding="utf-8")
    assert '<table tabindex="0">' in page and "<s>planned</s>" in page
