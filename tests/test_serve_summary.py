"""`digest serve` says what `digest build` says: the same warnings, in the same words, the
drafts left out, and a rendered count of pages as the page count counts them."""

from __future__ import annotations

import json
import re

import pytest

from helpers import entry_text, run_digest

pytestmark = pytest.mark.slow  # starts `digest serve` in a process of its own

FILES = {"content/2025/07/talks.md": entry_text(title="Talks", body="See [the rest](/2025/07/talk-two/)."),
         "content/2025/07/talks-two.md": entry_text(title="Talks, part two", date="2025-07-24"),
         "content/2025/07/unfinished.md": entry_text(title="Unfinished", draft="true")}


def test_serve_lists_the_warnings_and_drafts_build_lists_in_the_same_words(site, serve):
    root = site(FILES)
    built = run_digest(root, "build", "--no-search", "--output", "out")
    assert built.returncode == 0, built.stderr
    warning = ("content/2025/07/talks.md:7: warning: link to '/2025/07/talk-two/': no such page in the site "
               "(did you mean '/2025/07/talks-two/'?)")
    assert built.stderr.splitlines() == [warning]
    assert built.stdout.splitlines()[1:] == ["1 draft not published (--drafts to include)",
                                             "1 warning (listed above; --strict makes them errors)"]
    server = serve(root)
    line = next(text for text in server.lines if "initial build" in text)  # printed before "Serving"
    assert line.endswith("; 1 draft not published (--drafts to include); 1 warning (listed below)"), line
    pages, rendered = map(int, re.search(r"rebuilt (\d+) pages .*\((?:\d+) re-read, (\d+) rendered", line).groups())
    assert rendered == pages == int(re.match(r"Built (\d+) pages", built.stdout)[1])
    _, _, events = server.get("/__digest__/events?version=-1")
    assert json.loads(events)["warnings"] == [warning]
    page = server.wait_for("/2025/07/talks/", 'id="digest-warnings"')
    assert b"link to &#x27;/2025/07/talk-two/&#x27;: no such page in the site" in page


def test_an_edit_in_place_renders_only_the_pages_it_reaches_and_keeps_the_counts(site, serve):
    root = site(FILES)
    server = serve(root)
    path = root / "content/2025/07/talks-two.md"
    path.write_text(entry_text(title="Talks, part two, revised", date="2025-07-24"), encoding="utf-8")
    line = server.wait_line(lambda text: "talks-two.md changed: rebuilt" in text)
    pages, rendered = map(int, re.search(r"rebuilt (\d+) pages .*\((?:\d+) re-read, (\d+) rendered", line).groups())
    assert 0 < rendered < pages, line
    assert line.endswith("; 1 draft not published (--drafts to include); 1 warning (listed below)"), line
