"""`updated:` and `corrections:` (a list of {date, text}): the entry says "Updated <date>" and
shows its corrections at the top, newest first; JSON-LD carries dateModified and a
CorrectionComment per correction; Atom `updated`, JSON Feed `date_modified` and the sitemap's
`lastmod` follow the newest date; feeds order entries by it, so a corrected entry comes back
to the top. A correction (or an update) dated before the entry's date is an error at its line."""

from __future__ import annotations

import json
import re
from pathlib import Path

import feedparser

from helpers import build_out, entry_text, read as read_output
from digest.config import Config
from digest.entries import read_entry
from digest.errors import format_problem
from digest.load import parse_source

UTC_SITE = Config(root=Path("."))

CORRECTIONS = """
  - date: 2025-07-24
    text: An earlier version gave the wrong date for the call.
  - date: 2025-07-26T09:30:00+00:00
    text: "The minister's name was misspelt."
"""


def read(text: str):
    entry, problems = read_entry(parse_source(text.encode("utf-8"), "content/entry.md", "entry"), UTC_SITE)
    return entry, [format_problem(problem) for problem in problems]


def front(**fields) -> str:
    base = {"title": "T", "date": "2025-07-23", "summary": "S", "tags": "[Russia]", **fields}
    return "---\n" + "".join(f"{key}: {value}\n" for key, value in base.items()) + "---\nBody\n"


def test_corrections_are_kept_newest_first_and_the_newest_date_is_the_entry_s_last_change():
    entry, problems = read(front(updated="2025-07-25", corrections=CORRECTIONS))
    assert problems == []
    assert [c.text for c in entry.corrections] == ["The minister's name was misspelt.",
                                                  "An earlier version gave the wrong date for the call."]
    assert entry.last_change.iso() == "2025-07-26T09:30:00+00:00"
    assert entry.modified is entry.last_change
    plain, _ = read(front())
    assert plain.last_change is None and plain.modified is plain.date


def test_an_update_on_the_day_of_publication_is_no_change():
    entry, problems = read(front(date="2025-07-23T10:00:00+00:00", updated="2025-07-23"))
    assert problems == [] and entry.last_change is None


def test_a_correction_dated_before_the_entry_is_an_error_at_its_line():
    text = front(corrections="\n  - date: 2025-07-22\n    text: Too early.\n")
    _, problems = read(text)
    assert problems == ["content/entry.md:7: corrections.date: '2025-07-22' is before the entry's date 2025-07-23; "
                        "a correction comes after publication: correct one of the two dates"]


def test_an_update_dated_before_the_entry_is_an_error_at_its_line():
    _, problems = read(front(updated="2025-07-01"))
    assert problems == ["content/entry.md:6: updated: '2025-07-01' is before the entry's date 2025-07-23; "
                        "an update comes after publication: correct one of the two dates"]


def test_a_correction_needs_a_date_and_a_text_and_other_keys_are_warned_about():
    _, problems = read(front(corrections="\n  - date: 2025-07-24\n    txt: Oops.\n"))
    assert problems == [
        "content/entry.md:8: warning: corrections.txt: unknown key (did you mean 'text'?); corrections takes date and text",
        "content/entry.md:7: corrections.text: required key is missing: add 'text:' to this correction (such as "
        "- {date: 2025-07-24, text: \"An earlier version misspelt the minister's name.\"})"]
    _, problems = read(front(corrections="2025-07-24"))
    assert problems == ["content/entry.md:6: corrections: expected a list of corrections, one per line such as "
                        "- {date: 2025-07-24, text: \"An earlier version misspelt the minister's name.\"}, got '2025-07-24'"]
    _, problems = read(front(corrections="\n  - date: 2025-13-01\n    text: x\n"))
    assert problems == ["content/entry.md:7: corrections.date: '2025-13-01' is not a real date; expected a date "
                        "like 2025-07-23, or a date-time like 2025-07-23T10:00:00+03:00"]


def json_ld(page: str) -> dict:
    return json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1))


def test_the_page_feeds_and_sitemap_carry_the_update_and_the_corrections(site):
    root = site({
        "content/old.md": entry_text(title="Old, corrected", date="2025-07-01",
                                     corrections=CORRECTIONS.replace("\n", "\n", 1)),
        "content/new.md": entry_text(title="Newer", date="2025-07-20"),
        "content/plain.md": entry_text(title="Plain", date="2025-07-10", updated="2025-07-12"),
    }, settings='base_url = "https://example.org/news/"\n')
    out = build_out(root)
    page = read_output(out, "2025/07/old/index.html")
    header = page[page.index('<header class="entry-header">'):page.index('class="summary lede"')]
    assert 'Updated <time datetime="2025-07-26T09:30:00+00:00">July 26, 2025, 9:30\u202fAM UTC</time>' in header
    box = header[header.index('class="corrections"'):]
    assert box.index("misspelt") < box.index("wrong date"), "newest first"
    assert "The minister&#39;s name was misspelt." in box
    ld = json_ld(page)
    assert ld["dateModified"] == "2025-07-26T09:30:00+00:00" and ld["datePublished"] == "2025-07-01T00:00:00+00:00"
    assert ld["correction"] == [
        {"@type": "CorrectionComment", "text": "The minister's name was misspelt.", "datePublished": "2025-07-26T09:30:00+00:00"},
        {"@type": "CorrectionComment", "text": "An earlier version gave the wrong date for the call.",
         "datePublished": "2025-07-24T00:00:00+00:00"}]
    assert 'property="article:modified_time" content="2025-07-26T09:30:00+00:00"' in page
    plain = read_output(out, "2025/07/plain/index.html")
    assert "Updated <time" in plain and "corrections-title" not in plain and "correction" not in json_ld(plain)
    newer = read_output(out, "2025/07/new/index.html")
    assert "Updated" not in newer and "dateModified" not in json_ld(newer)

    # The corrected entry is re-announced: first in the feeds, its `updated` bumped.
    atom = feedparser.parse(read_output(out, "feed.xml"))
    assert [e.title for e in atom.entries] == ["Old, corrected", "Newer", "Plain"]
    assert atom.entries[0].updated == "2025-07-26T09:30:00+00:00"
    assert atom.entries[0].published == "2025-07-01T00:00:00+00:00"
    assert atom.feed.updated == "2025-07-26T09:30:00+00:00"
    items = json.loads(read_output(out, "feed.json"))["items"]
    assert [item.get("date_modified") for item in items] == ["2025-07-26T09:30:00+00:00", None, "2025-07-12T00:00:00+00:00"]
    sitemap = read_output(out, "sitemap.xml")
    assert re.search(r"<loc>https://example.org/news/2025/07/old/</loc>\s*<lastmod>2025-07-26T09:30:00\+00:00</lastmod>", sitemap)
    assert re.search(r"<loc>https://example.org/news/2025/07/plain/</loc>\s*<lastmod>2025-07-12</lastmod>", sitemap)
