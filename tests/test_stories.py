"""Story timelines: /stories/, /stories/{slug}/ with its feed, "Part of" on entry pages."""

from __future__ import annotations

import re
import shutil

import feedparser
import pytest

from helpers import build_out, entry_text, read, write_site

SETTINGS = 'timezone = "Pacific/Kiritimati"\nbase_url = "https://example.org/news/"\npermalink = "/{slug}/"\n'
STRIKE = "story: Harbour strike"
FILES = {
    # Timeline order is by event_date, else date: walkout (20 Dec), talks (27 Dec), deal (28 Dec).
    "content/walkout.md": entry_text("Dockers walk out", "2024-12-29T12:00:00Z", tags="[Ports]",
                                     story="Harbour strike", event_date="2024-12-20", source="Harbour Wire"),
    "content/talks.md": entry_text("Talks begin", "2024-12-27", tags="[Ports, Labour]", story="harbour STRIKE"),
    "content/deal.md": entry_text("Deal signed", "2025-01-06", tags="[Labour]", story="Harbour strike",
                                  event_date="2024-12-28"),
    "content/storm.md": entry_text("Storm closes airport", "2025-01-02", tags="[Weather]", story="Winter storm"),
    "content/alone.md": entry_text("Unrelated note", "2025-01-03", tags="[Misc]"),
}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = write_site(tmp_path_factory.mktemp("stories"), FILES, SETTINGS)
    return build_out(root)


def links(html: str) -> list[str]:
    return re.findall(r'<a[^>]* href="([^"]+)"', html)


def test_stories_index_by_latest_update_with_counts_and_span(built):
    main = read(built, "stories/index.html").split('<main', 1)[1]
    strike, storm = main.index("/news/stories/harbour-strike/"), main.index("/news/stories/winter-storm/")
    assert strike < storm   # the strike was updated on 6 January, the storm on 2 January
    item = main[strike:storm]
    assert "3 entries" in item
    assert '<time datetime="2024-12-20">December 20, 2024</time> – <time datetime="2024-12-28">December 28, 2024</time>' in item
    assert '<time datetime="2025-01-06">January 6, 2025</time>' in item


def test_story_page_is_a_timeline_by_event_date(built):
    html = read(built, "stories/harbour-strike/index.html")
    timeline = html.split('<ol class="timeline">', 1)[1].split("</ol>", 1)[0]
    entries = [link for link in links(timeline) if "/tags/" not in link]
    assert entries == ["/news/walkout/", "/news/talks/", "/news/deal/"]
    assert timeline.count('class="timeline-item"') == 3
    assert '<time datetime="2024-12-20">December 20, 2024</time>' in timeline
    assert '<span class="source">Harbour Wire</span>' in timeline
    assert '<a href="/news/tags/labour/">Labour</a>' in timeline
    assert 'href="/news/stories/harbour-strike/feed.xml"' in html


def test_entry_pages_show_part_of_with_previous_and_next(built):
    middle = read(built, "talks/index.html")
    nav = middle.split('<nav class="story-nav"', 1)[1].split("</nav>", 1)[0]
    assert 'Part of: <a href="/news/stories/harbour-strike/">Harbour strike</a>' in nav
    assert "(2 of 3)" in nav
    assert '<a rel="prev" href="/news/walkout/">' in nav
    assert '<a rel="next" href="/news/deal/">' in nav
    assert "data-pagefind-ignore" in middle.split('<nav class="story-nav"', 1)[1].split(">", 1)[0]
    first = read(built, "walkout/index.html").split('<nav class="story-nav"', 1)[1].split("</nav>", 1)[0]
    assert 'rel="prev"' not in first and '<a rel="next" href="/news/talks/">' in first
    single = read(built, "storm/index.html").split('<nav class="story-nav"', 1)[1].split("</nav>", 1)[0]
    assert "(1 of 1)" in single and "rel=" not in single
    assert "story-nav" not in read(built, "alone/index.html")


def test_story_feed_parses(built):
    feed = feedparser.parse(read(built, "stories/harbour-strike/feed.xml"))
    assert not feed.bozo, feed.bozo_exception
    assert feed.feed.title.startswith("Story: Harbour strike")
    assert [e.link for e in feed.entries] == ["https://example.org/news/deal/", "https://example.org/news/walkout/",
                                              "https://example.org/news/talks/"]   # newest first by date


def test_story_spellings_are_one_story_with_the_most_used_name(built):
    assert sorted(p.name for p in (built / "stories").iterdir()) == ["harbour-strike", "index.html", "winter-storm"]
    # Search filters by story too: one value, the story's name, whatever the entry's spelling.
    for name in ("walkout", "talks", "deal"):
        filters = re.findall(r'data-pagefind-filter="story">([^<]*)<', read(built, f"{name}/index.html"))
        assert filters == ["Harbour strike"], name


TAXONOMIES = ("tags", "people", "places", "sources")


@pytest.mark.parametrize("chosen", [tuple(name for bit, name in enumerate(TAXONOMIES) if mask >> bit & 1)
                                    for mask in range(16)], ids=lambda chosen: "+".join(chosen) or "none")
@pytest.mark.slow  # the sample site built and link-checked once per choice
def test_any_choice_of_taxonomies_builds_the_sample_site_with_every_link_resolving(tmp_path, chosen):
    """`taxonomies` may name any of the four, or none: stories, digests, related entries and
    charts still build, and no page links a taxonomy that was left out."""
    from linkcheck import check_whole_site

    from helpers import ROOT

    root = tmp_path / "site"
    shutil.copytree(ROOT / "content", root / "content")
    write_site(root, {}, f'base_url = "https://owner.github.io/repo/"\ntaxonomies = {list(chosen)}\n')
    out = build_out(root)
    assert check_whole_site(out, "https://owner.github.io/repo/").problems == []
    for name in TAXONOMIES:
        assert (out / name / "index.html").is_file() == (name in chosen), name
    story = read(out, "stories/russia-ukraine-peace-talks-2025/index.html")
    assert ('href="/repo/tags/' in story) == ("tags" in chosen)
    assert "Tags:" in story or "tags" in chosen


def test_a_story_page_title_says_story_so_an_entry_of_the_same_name_has_another(tmp_path):
    # A story is often named like its first entry; the two pages' <title>s must differ, as a
    # tab, a bookmark and a screen reader's list of pages name a page by it.
    out = build_out(write_site(tmp_path, {
        "content/strike.md": entry_text("Harbour strike", tags="[Ports]", story="Harbour strike"),
    }, 'title = "Port News"\n'))
    titles = {path: re.search(r"<title>(.*?)</title>", read(out, path)).group(1)
              for path in ("stories/harbour-strike/index.html", "2025/07/strike/index.html")}
    assert titles == {"stories/harbour-strike/index.html": "Story: Harbour strike · Port News",
                      "2025/07/strike/index.html": "Harbour strike · Port News"}
