"""The Google News sitemap (`news_sitemap = true`): the entries of the last two days up to the
newest entry, at most 1,000, newest first, listed in the sitemap index beside the pages."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime, timedelta, timezone

from helpers import build_out, entry_text, read
from digest.entries import Entry, Moment
from digest.model import Post
from digest.syndication import NEWS_LIMIT, news_posts

MAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"


def test_the_news_sitemap_lists_the_last_two_days_and_the_index_lists_it(site):
    root = site({
        "content/a.md": entry_text(title="Newest", date="2025-07-23T10:00:00+00:00"),
        "content/b.md": entry_text(title="Yesterday & today", date="2025-07-22T09:00:00+00:00"),
        "content/c.md": entry_text(title="Two days before", date="2025-07-21T10:00:00+00:00"),
        "content/d.md": entry_text(title="Too old", date="2025-07-21T09:59:00+00:00"),
    }, 'title = "The Daily"\nlanguage = "pt-BR"\nbase_url = "https://example.org/news/"\nnews_sitemap = true\n')
    out = build_out(root)
    index = ET.fromstring(read(out, "sitemap.xml"))
    assert index.tag == f"{MAP}sitemapindex"
    assert [loc.text for loc in index.iter(f"{MAP}loc")] == ["https://example.org/news/sitemap-1.xml",
                                                             "https://example.org/news/sitemap-news.xml"]
    pages = ET.fromstring(read(out, "sitemap-1.xml"))
    assert "https://example.org/news/2025/07/d/" in [loc.text for loc in pages.iter(f"{MAP}loc")]
    news = ET.fromstring(read(out, "sitemap-news.xml"))
    urls = news.findall(f"{MAP}url")
    assert [url.find(f"{MAP}loc").text for url in urls] == [
        "https://example.org/news/2025/07/a/", "https://example.org/news/2025/07/b/", "https://example.org/news/2025/07/c/"]
    first = urls[1].find(f"{NEWS}news")
    assert first.find(f"{NEWS}publication/{NEWS}name").text == "The Daily"
    assert first.find(f"{NEWS}publication/{NEWS}language").text == "pt"
    assert first.find(f"{NEWS}publication_date").text == "2025-07-22T09:00:00+00:00"
    assert first.find(f"{NEWS}title").text == "Yesterday & today"
    assert "Sitemap: https://example.org/news/sitemap.xml" in read(out, "robots.txt")


def test_without_the_setting_there_is_no_news_sitemap(site):
    out = build_out(site({"content/a.md": entry_text()}))
    assert ET.fromstring(read(out, "sitemap.xml")).tag == f"{MAP}urlset"
    assert not (out / "sitemap-news.xml").exists()


def test_at_most_1000_entries_newest_first():
    start = datetime(2025, 7, 23, tzinfo=timezone.utc)
    posts = tuple(Post(Entry(f"content/{n}.md", f"e{n}", "T", Moment(start - timedelta(minutes=n), True), "S",
                             ("t",), ""), f"e{n}/") for n in range(NEWS_LIMIT + 5))
    chosen = news_posts(posts)
    assert len(chosen) == NEWS_LIMIT == 1000 and chosen == posts[:1000]
    assert news_posts(()) == ()
