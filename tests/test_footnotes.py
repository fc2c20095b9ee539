"""Footnotes (mdit-py-plugins): `[^1]` references and `[^1]: text` notes, with ids that carry
the entry's own name, so that every id on a page, or in a feed holding several bodies, is
unique and every note and reference can be linked to."""

from __future__ import annotations

import html
import re
from collections import Counter

from helpers import build_out, entry_text, read
from digest.markdown import footnote_doc_id, render_markdown

NOTED = "A claim.[^1] Another claim.[^src] The first again.[^1] And inline.^[An inline note.]\n\n" \
        "## Notes\n\nA heading the author wrote.\n\n[^1]: First source, p. 4.\n[^src]: Second source.\n"


def ids(text: str) -> list[str]:
    return re.findall(r'\sid="([^"]+)"', text)


def fragments(text: str) -> list[str]:
    return re.findall(r'href="#([^"]+)"', text)


def test_every_reference_and_note_links_to_the_other():
    body = render_markdown(NOTED, doc_id="2025-07-talks")
    found = ids(body)
    assert len(found) == len(set(found))
    assert set(fragments(body)) <= set(found)
    assert 'id="fn:2025-07-talks:1"' in body and 'href="#fnref:2025-07-talks:1:1"' in body
    assert body.count('class="footnote-item"') == 3
    # The author's own "Notes" heading keeps its plain id; the notes' heading has its own.
    assert 'id="notes"' in body and 'id="fnlabel:2025-07-talks"' in body


def test_the_doc_id_is_the_entry_path_inside_the_content_folder():
    assert footnote_doc_id("content/2025/07/Talks Round 2.md", "content") == "2025-07-talks-round-2"
    assert footnote_doc_id("news/a.md", "news") == "a"
    assert footnote_doc_id("content/_.md", "content") == "entry"


def test_two_footnoted_entries_share_no_id_in_a_feed_that_holds_both(site):
    root = site({"content/2025/07/first.md": entry_text(title="First", body=NOTED),
                 "content/2025/07/second.md": entry_text(title="Second", date="2025-07-24", body=NOTED)})
    out = build_out(root)
    feed = html.unescape(read(out, "feed.xml"))  # the bodies go in escaped, as type="html"
    counts = Counter(i for i in ids(feed) if i.startswith(("fn:", "fnref:", "fnlabel:")))
    assert counts and max(counts.values()) == 1, [i for i, n in counts.items() if n > 1]
    assert "fn:2025-07-first:1" in counts and "fn:2025-07-second:1" in counts
    page = read(out, "2025/07/first/index.html")
    assert Counter(ids(page)).most_common(1)[0][1] == 1
    assert set(fragments(page)) <= set(ids(page)) | {"main"}
