"""Weekly digest issues: ISO weeks in the site timezone, groups, links and feed."""

from __future__ import annotations

import re

import feedparser
import pytest

from helpers import build_out, entry_text, read, write_site
from digest.build import make_site
from digest.config import load_config
from digest.issues import issue_url

# Pacific/Kiritimati is UTC+14: 2024-12-29T12:00Z is Monday 30 December there, which is
# ISO week 1 of 2025; in UTC it is Sunday 29 December, in week 52 of 2024.
SETTINGS = 'timezone = "Pacific/Kiritimati"\nbase_url = "https://example.org/news/"\npermalink = "/{slug}/"\n'
FILES = {
    "content/walkout.md": entry_text("Dockers walk out", "2024-12-29T12:00:00Z", tags="[Ports]", story="Harbour strike"),
    "content/talks.md": entry_text("Talks begin", "2024-12-27", tags="[Ports, Labour]", story="Harbour strike"),
    "content/cranes.md": entry_text("Cranes idle", "2025-01-05", tags="[Ports, Weather]"),
    "content/ferries.md": entry_text("Ferries cancelled", "2025-01-03", tags="[ports]"),
    "content/storm.md": entry_text("Storm warning", "2025-01-02", tags="[Weather]"),
    "content/deal.md": entry_text("Deal signed", "2025-01-06", tags="[Labour]", story="Harbour strike"),
}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = write_site(tmp_path_factory.mktemp("digests"), FILES, SETTINGS)
    return build_out(root)


def titles(html: str) -> list[str]:
    return re.findall(r'<li><a href="[^"]+">([^<]+)</a>', html)


def test_issue_url_pads_the_week():
    assert issue_url(2025, 1) == "digest/2025/w01/"
    assert issue_url(2025, 52) == "digest/2025/w52/"


def test_week_crossing_the_year_boundary_in_a_far_timezone(built):
    assert sorted(p.relative_to(built / "digest").as_posix() for p in (built / "digest").glob("*/w*")) == [
        "2024/w52", "2025/w01", "2025/w02"]
    week1 = read(built, "digest/2025/w01/index.html")
    assert "Dockers walk out" in week1 and "Talks begin" not in week1
    assert "published Dec 30, 2024\u2009–\u2009Jan 5, 2025" in week1
    assert "Talks begin" in read(built, "digest/2024/w52/index.html")


def test_the_same_entry_is_in_week_52_in_utc(tmp_path):
    root = write_site(tmp_path, {"content/walkout.md": FILES["content/walkout.md"]}, 'timezone = "UTC"\n')
    site, _ = make_site(load_config(root))
    assert [(issue.year, issue.week) for issue in site.issues] == [(2024, 52)]
    root = write_site(tmp_path / "samoa", {"content/walkout.md": FILES["content/walkout.md"]},
                      'timezone = "Pacific/Pago_Pago"\n')   # UTC-11: still Sunday 29 December
    site, _ = make_site(load_config(root))
    assert [(issue.year, issue.week, str(issue.start)) for issue in site.issues] == [(2024, 52, "2024-12-23")]


def test_issue_groups_by_story_then_first_tag_with_counts(built):
    body = read(built, "digest/2025/w01/index.html").split('<article class="digest-issue">', 1)[1].split("</article>")[0]
    headings = re.findall(r"<h2>(.*?)</h2>", body)
    assert headings == ['<a href="/news/stories/harbour-strike/">Harbour strike</a> (1)',
                        '<a href="/news/tags/ports/">Ports</a> (2)',
                        '<a href="/news/tags/weather/">Weather</a> (1)']
    assert titles(body) == ["Dockers walk out", "Ferries cancelled", "Cranes idle", "Storm warning"]
    assert "<script" not in body and "4 entries published" in body


def test_previous_and_next_issue_links(built):
    week1 = read(built, "digest/2025/w01/index.html")
    assert '<a rel="next" href="/news/digest/2025/w02/">' in week1
    assert '<a rel="prev" href="/news/digest/2024/w52/">' in week1
    assert 'rel="next"' not in read(built, "digest/2025/w02/index.html").split("<main", 1)[1]
    assert 'rel="prev"' not in read(built, "digest/2024/w52/index.html").split("<main", 1)[1]


def test_digest_index_lists_issues_newest_first(built):
    html = read(built, "digest/index.html")
    assert re.findall(r'href="/news/(digest/\d{4}/w\d\d/)"', html) == [
        "digest/2025/w02/", "digest/2025/w01/", "digest/2024/w52/"]
    assert "Week 1, 2025" in html and "4 entries" in html


def test_feed_of_issues(built):
    feed = feedparser.parse(read(built, "digest/feed.xml"))
    assert not feed.bozo, feed.bozo_exception
    assert [e.title for e in feed.entries] == ["Week 2, 2025", "Week 1, 2025", "Week 52, 2024"]
    week1 = feed.entries[1]
    assert week1.link == "https://example.org/news/digest/2025/w01/"
    content = week1.content[0].value
    assert '<a href="https://example.org/news/walkout/">Dockers walk out</a>' in content
    assert '<a href="https://example.org/news/tags/ports/">Ports</a> (2)' in content


def test_an_issue_lists_its_entries_oldest_first_and_equal_instants_by_path(tmp_path):
    files = {
        "content/b.md": entry_text("Noon in Kyiv", "2025-07-01T15:00:00+03:00", tags="[Ports]"),
        "content/a.md": entry_text("Noon in London", "2025-07-01T12:00:00Z", tags="[Ports]"),
        "content/c.md": entry_text("Earlier", "2025-06-30", tags="[Ports]"),
        "content/d.md": entry_text("Later", "2025-07-02T09:00:00Z", tags="[Ports]"),
    }
    site, _ = make_site(load_config(write_site(tmp_path, files, 'timezone = "UTC"\n')))
    [issue] = site.issues
    assert [post.entry.path for post in issue.posts] == ["content/c.md", "content/a.md", "content/b.md", "content/d.md"]
    assert [post.entry.path for post in site.posts] == ["content/d.md", "content/b.md", "content/a.md", "content/c.md"]
