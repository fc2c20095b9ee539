"""Atom and JSON Feed output, sitemap.xml and robots.txt, built by the real command line."""

from __future__ import annotations

import json
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import feedparser
import pytest

from helpers import ROOT, assert_equals_clean_build, build_out, entry_text, run_digest, snapshot, write_site

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
BASE = "https://owner.github.io/repo/"

# Four entries covering the item fields: a time with its own offset, date-only entries (midnight in
# the site timezone), a list of authors, no author but a source name, a source URL or none.
ENTRIES = {
    "content/talks.md": entry_text(
        title="Talks resume in Istanbul", date="2025-07-20T10:30:00+03:00", summary="Delegations met again.",
        tags="[Russia, Ukraine, ceasefire talks]", people="[Rustem Umerov]", places="[Istanbul]",
        source="{name: Kyiv Post, url: 'https://example.com/talks?a=1&b=2'}", author="[Ann One, Bo Two]",
        body="Both sides **met** & talked <b>late</b>."),
    "content/sanctions.md": entry_text(
        title="EU sanctions & \"energy\"", date="2025-07-18", summary="A new sanctions round.",
        tags="[European Union, Russia, sanctions]", source="EU Council", kind="official"),
    "content/call.md": entry_text(
        title="Trump-Putin call", date="2025-07-03", summary="A phone call.", tags="[Russia, United States]",
        author="Cy Three", kind="analysis"),
    "content/newest.md": entry_text(
        title="Newest of all", date="2025-07-23", summary="The latest.", tags="[Ukraine]", kind="opinion"),
}
SETTINGS = 'title = "Feed Site"\ndescription = "Test digest"\ntimezone = "Europe/Kyiv"\n'


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    root = write_site(tmp_path_factory.mktemp("feeds") / "site", ENTRIES, SETTINGS)
    result = run_digest(root, "build", "--no-search", "--base-url", BASE)
    assert result.returncode == 0, result.stderr
    return root / "output"


def parse_feed(path: Path):
    feed = feedparser.parse(path.read_bytes())
    assert feed.bozo == 0, f"{path}: {feed.get('bozo_exception')}"
    return feed


def entry_url(slug: str, month: str = "07") -> str:
    return f"{BASE}2025/{month}/{slug}/"


def test_site_atom_feed_parses_and_lists_entries_newest_first(built):
    feed = parse_feed(built / "feed.xml")
    assert feed.version == "atom10"
    assert feed.feed.title == "Feed Site"
    assert [e.id for e in feed.entries] == [entry_url(s) for s in ("newest", "talks", "sanctions", "call")]
    links = {link.rel: link.href for link in feed.feed.links}
    assert links == {"self": BASE + "feed.xml", "alternate": BASE}


def test_atom_item_fields(built):
    feed = parse_feed(built / "feed.xml")
    talks = next(e for e in feed.entries if e.id == entry_url("talks"))
    assert talks.title == "Talks resume in Istanbul"
    assert talks.published == "2025-07-20T10:30:00+03:00"
    assert talks.updated == "2025-07-20T10:30:00+03:00"
    assert [a.name for a in talks.authors] == ["Ann One", "Bo Two"]
    assert talks.summary == "Delegations met again."
    assert [t.term for t in talks.tags] == ["Russia", "Ukraine", "ceasefire talks"]
    links = {(link.rel, link.href) for link in talks.links}
    assert ("alternate", entry_url("talks")) in links
    assert ("related", "https://example.com/talks?a=1&b=2") in links
    # Date-only entries are midnight in the site timezone (Kyiv is +03:00 in July).
    sanctions = next(e for e in feed.entries if e.id == entry_url("sanctions"))
    assert sanctions.published == "2025-07-18T00:00:00+03:00"
    assert [a.name for a in sanctions.authors] == ["EU Council"]  # no author: the source's name
    assert not any(link.rel == "related" for link in sanctions.links)


def test_atom_content_is_the_escaped_rendered_body(built):
    """Read with a strict XML parser: the body comes back as the exact HTML of the entry page."""
    root = ET.parse(built / "feed.xml").getroot()
    talks = next(e for e in root.iter(ATOM + "entry") if e.findtext(ATOM + "id") == entry_url("talks"))
    content = talks.find(ATOM + "content")
    assert content.get("type") == "html"
    assert content.text.strip() == "<p>Both sides <strong>met</strong> &amp; talked &lt;b&gt;late&lt;/b&gt;.</p>"
    assert "<strong>met</strong>" not in (built / "feed.xml").read_text(encoding="utf-8")  # escaped in the XML
    page = (built / "2025/07/talks/index.html").read_text(encoding="utf-8")
    assert content.text.strip() in page


def test_feed_updated_is_the_newest_entry_date_not_the_clock(built):
    assert parse_feed(built / "feed.xml").feed.updated == "2025-07-23T00:00:00+03:00"
    assert parse_feed(built / "tags/united-states/feed.xml").feed.updated == "2025-07-03T00:00:00+03:00"


def test_every_term_has_an_atom_feed_with_its_entries(built):
    expected = {
        "tags/russia": {"talks", "sanctions", "call"}, "tags/ukraine": {"talks", "newest"},
        "tags/ceasefire-talks": {"talks"}, "people/rustem-umerov": {"talks"}, "places/istanbul": {"talks"},
        "sources/kyiv-post": {"talks"}, "sources/eu-council": {"sanctions"},
    }
    for folder, slugs in expected.items():
        feed = parse_feed(built / folder / "feed.xml")
        assert {e.id for e in feed.entries} == {entry_url(s) for s in slugs}, folder
        assert {link.rel: link.href for link in feed.feed.links} == {
            "self": f"{BASE}{folder}/feed.xml", "alternate": f"{BASE}{folder}/"}
    term_pages = [p.parent for p in built.glob("*/*/index.html") if p.parts[-3] in ("tags", "people", "places", "sources")]
    assert term_pages, "no term pages"
    for folder in term_pages:
        parse_feed(folder / "feed.xml")


def test_listing_pages_link_their_feeds(built):
    home = (built / "index.html").read_text(encoding="utf-8")
    assert '<link rel="alternate" type="application/atom+xml" title="Feed Site (Atom)" href="/repo/feed.xml">' in home
    assert '<link rel="alternate" type="application/feed+json" title="Feed Site (JSON Feed)" href="/repo/feed.json">' in home
    tag_page = (built / "tags/russia/index.html").read_text(encoding="utf-8")
    assert re.search(r'<link rel="alternate" type="application/atom\+xml" title="[^"]*Russia[^"]*" href="/repo/tags/russia/feed.xml">', tag_page)
    for page in ("tags/index.html", "archive/index.html", "archive/2025/07/index.html"):
        assert 'href="/repo/feed.xml"' in (built / page).read_text(encoding="utf-8"), page


def test_every_listing_page_of_the_sample_site_links_a_feed(tmp_path):
    """Every page but an entry's, search and 404: home and its pages, indexes of terms, term
    pages, archive and months, stories and each story, weekly digests and each issue."""
    root = tmp_path / "site"
    shutil.copytree(ROOT / "content", root / "content")
    output = build_out(write_site(root, {}, 'per_page = 2\n'))
    listings = [path for path in output.rglob("*.html") if path.name != "404.html" and
                not re.fullmatch(r"(search|\d{4}/\d{2}/[^/]+)/index\.html", path.relative_to(output).as_posix())]
    assert len(listings) > 40 and (output / "stories/index.html") in listings and (output / "digest/index.html") in listings
    missing = [path.relative_to(output).as_posix() for path in listings
               if '<link rel="alternate" type="application/atom+xml"' not in path.read_text(encoding="utf-8")]
    assert missing == []


def test_json_feed_1_1(built):
    feed = json.loads((built / "feed.json").read_text(encoding="utf-8"))
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert feed["title"] == "Feed Site"
    assert feed["home_page_url"] == BASE and feed["feed_url"] == BASE + "feed.json"
    assert [item["id"] for item in feed["items"]] == [entry_url(s) for s in ("newest", "talks", "sanctions", "call")]
    talks = feed["items"][1]
    assert talks["url"] == talks["id"]
    assert talks["external_url"] == "https://example.com/talks?a=1&b=2"
    assert talks["date_published"] == "2025-07-20T10:30:00+03:00"
    assert talks["authors"] == [{"name": "Ann One"}, {"name": "Bo Two"}]
    assert talks["tags"] == ["Russia", "Ukraine", "ceasefire talks"]
    assert talks["summary"] == "Delegations met again."
    assert talks["content_html"].strip() == "<p>Both sides <strong>met</strong> &amp; talked &lt;b&gt;late&lt;/b&gt;.</p>"
    assert feed["items"][2]["title"] == 'EU sanctions & "energy"'
    assert "external_url" not in feed["items"][2]


def test_feed_entries_setting_limits_every_feed(site):
    root = site(ENTRIES, SETTINGS + "feed_entries = 2\n")
    result = run_digest(root, "build", "--no-search", "--base-url", BASE)
    assert result.returncode == 0, result.stderr
    atom = parse_feed(root / "output/feed.xml")
    assert [e.id for e in atom.entries] == [entry_url("newest"), entry_url("talks")]
    items = json.loads((root / "output/feed.json").read_text(encoding="utf-8"))["items"]
    assert [item["id"] for item in items] == [entry_url("newest"), entry_url("talks")]
    russia = parse_feed(root / "output/tags/russia/feed.xml")
    assert [e.id for e in russia.entries] == [entry_url("talks"), entry_url("sanctions")]


def test_feeds_are_deterministic(site):
    first = site(ENTRIES, SETTINGS, name="one")
    second = site(ENTRIES, SETTINGS, name="two")
    for root in (first, second):
        assert run_digest(root, "build", "--no-search", "--base-url", BASE).returncode == 0
    machine = lambda root: {path: data for path, data in snapshot(root / "output").items()
                            if path.endswith(("feed.xml", "feed.json", "sitemap.xml", "robots.txt"))}
    assert machine(first) == machine(second)
    assert len(machine(first)) > 4


def test_empty_site_has_valid_feeds(site):
    root = site({}, 'title = "Empty"\n')
    result = run_digest(root, "build", "--no-search")
    assert result.returncode == 0, result.stderr
    feed = parse_feed(root / "output/feed.xml")
    assert feed.entries == [] and feed.feed.updated == "1970-01-01T00:00:00+00:00"
    assert json.loads((root / "output/feed.json").read_text(encoding="utf-8"))["items"] == []


def test_character_references_in_a_body_keep_every_feed_well_formed(site):
    """markdown-it-py writes U+FFFD for a reference to a character XML refuses, but a form
    feed (`&#12;`) reaches the HTML, where it is whitespace; the Atom feeds drop it."""
    references = "&#0; &#7; &#12; &#xC; &#x1B; &#127; &#x85; &#xD800; &#xFDD0; &#xFFFE; &#xFFFF; &#x10FFFF;"
    body = f"a {references}\n\n# h {references}\n\n[x](https://example.org/ \"{references}\") ![{references}](/i.png)"
    root = site({"content/a.md": entry_text(body=body)}, 'title = "Refs"\n')
    output = build_out(root)
    for path in output.rglob("*.xml"):
        ET.parse(path)  # expat refuses a character XML 1.0 does not allow, escaped or not
    json.loads((output / "feed.json").read_text(encoding="utf-8"))


def html_pages(output: Path) -> set[str]:
    """The URL of every HTML page but 404.html, as the sitemap should list it."""
    urls = set()
    for path in output.rglob("*.html"):
        relative = path.relative_to(output).as_posix()
        if relative == "404.html":
            continue
        urls.add(BASE + (relative[: -len("index.html")] if relative.endswith("index.html") else relative))
    return urls


def test_sitemap_lists_every_html_page_with_lastmod(built):
    root = ET.parse(built / "sitemap.xml").getroot()
    assert root.tag == SITEMAP + "urlset"
    entries = {url.findtext(SITEMAP + "loc"): url.findtext(SITEMAP + "lastmod") for url in root.iter(SITEMAP + "url")}
    assert set(entries) == html_pages(built)
    assert len(entries) == len(root.findall(SITEMAP + "url")), "a page is listed twice"
    assert all(entries.values()), [loc for loc, lastmod in entries.items() if not lastmod]
    assert entries[entry_url("talks")] == "2025-07-20T10:30:00+03:00"
    assert entries[entry_url("call")] == "2025-07-03"
    assert entries[BASE] == "2025-07-23"
    assert entries[BASE + "tags/united-states/"] == "2025-07-03"
    assert BASE + "404.html" not in entries


def test_robots_names_the_sitemap(built):
    robots = (built / "robots.txt").read_text(encoding="utf-8")
    assert f"Sitemap: {BASE}sitemap.xml" in robots.splitlines()
    assert "User-agent: *" in robots.splitlines()


def test_every_feed_holds_the_newest_entries_of_its_listing(tmp_path):
    """Term and site feeds take their listing's posts in site order without sorting them again:
    that order must be newest first (by date, then path), whatever order the files come in."""
    import random

    from digest.build import make_site
    from digest.config import load_config

    rng = random.Random(5)
    files = {f"content/e{n:03d}.md": entry_text(
        title=f"Entry {n}", date=f"2025-0{rng.randint(1, 3)}-{rng.randint(10, 12)}T0{rng.randint(0, 2)}:00:00Z",
        tags=f"[t{rng.randint(0, 3)}, t{rng.randint(0, 3)}]", summary="s") for n in range(60)}
    root = tmp_path / "site"
    write_site(root, files, "feed_entries = 7\n")
    site, _ = make_site(load_config(root, search=False))
    newest = lambda posts: tuple(sorted(posts, key=lambda p: (p.entry.date.value.timestamp(), p.entry.path),  # noqa: E731
                                        reverse=True)[:7])
    feeds = {route.url: route.context["feed"] for route in site.routes if route.template == "atom.xml"}
    assert feeds["feed.xml"].posts == newest(site.posts)
    terms = [term for tax in site.taxonomies.values() for term in tax.terms]
    assert len(terms) >= 4
    for term in terms:
        assert feeds[term.url + "feed.xml"].posts == newest(term.posts), term.name


def test_sitemap_lastmod_is_the_newest_date_a_page_lists(tmp_path):
    """Each listing page's lastmod is max(its posts, by date), first in list order on a tie,
    also in lists kept oldest first (story timelines) and when one instant is written with
    two offsets (the sitemap finds it by the posts' places in the site, not a key per post)."""
    import random

    from digest.build import make_site
    from digest.config import load_config
    from digest.syndication import _date_value, make_sitemap

    rng = random.Random(11)
    files = {}
    for n in range(80):
        hour = rng.randint(0, 3)
        date = rng.choice([f"2025-03-1{hour}T1{hour}:00:00Z", f"2025-03-1{hour}T1{hour + 2}:00:00+02:00",
                           f"2025-03-1{hour}"])
        files[f"content/e{n:03d}.md"] = entry_text(
            title=f"Entry {n}", date=date, tags=f"[t{rng.randint(0, 3)}, t{rng.randint(0, 3)}]",
            people=f"[p{rng.randint(0, 2)}]", story=f"s{rng.randint(0, 2)}", summary="s")
    root = write_site(tmp_path / "site", files, "per_page = 4\n")
    site, _ = make_site(load_config(root, search=False))
    expected = {}
    for route in site.routes:
        holders = [route.context.get("pager")] + list(route.context.values())
        listed = next((h.posts for h in holders if getattr(h, "posts", None) and hasattr(h.posts[0], "entry")), None)
        if "post" in route.context and hasattr(route.context["post"], "entry"):
            expected[route.url] = route.context["post"].entry.date
        elif listed:
            expected[route.url] = max(listed, key=_date_value).entry.date
    base = site.config.base_url
    items = {url[len(base):]: lastmod for url, lastmod in make_sitemap(site)}
    listing = [route.url for route in site.routes if route.url in items and route.url in expected
               and "post" not in route.context]
    assert len(listing) > 20 and any("stories/" in url for url in listing)
    assert {url: items[url] for url in expected if url in items} == \
        {url: expected[url].iso() for url in expected if url in items}
    instants = [moment.value for moment in {p.entry.date.iso(): p.entry.date for p in site.posts}.values()]
    ties = [url for url in listing if instants.count(expected[url].value) > 1]
    assert ties, "no page whose newest instant is written twice"


def test_past_the_sitemap_limit_sitemap_xml_is_an_index_of_parts(tmp_path, monkeypatch):
    """The sitemap protocol allows 50,000 URLs a file: a bigger site gets sitemap.xml as a
    sitemap index of sitemap-1.xml, sitemap-2.xml, ... (the limit lowered here to 7), which a
    cached rebuild that adds a page (a new tag) keeps equal to a clean build's."""
    from digest import syndication
    from digest.build import build
    from digest.config import load_config

    monkeypatch.setattr(syndication, "SITEMAP_LIMIT", 7)
    files = {f"content/e{n:02d}.md": entry_text(title=f"Entry {n}", date=f"2025-07-{n + 1:02d}",
                                                 tags=f"[t{n % 3}]", summary="s") for n in range(12)}
    root = write_site(tmp_path / "site", files, 'base_url = "https://owner.github.io/repo/"\n')
    config = load_config(root, search=False)
    build(config, jobs=1)
    output = root / "output"
    index = ET.parse(output / "sitemap.xml").getroot()
    assert index.tag == SITEMAP + "sitemapindex"
    parts = [loc.text for loc in index.iter(SITEMAP + "loc")]
    pages = {"https://owner.github.io/repo/" + (p[:-len("index.html")] if p.endswith("index.html") else p)
             for p in (path.relative_to(output).as_posix() for path in output.rglob("*.html")) if p != "404.html"}
    assert parts == [f"https://owner.github.io/repo/sitemap-{n}.xml" for n in range(1, -(-len(pages) // 7) + 1)]
    listed = []
    for number in range(1, len(parts) + 1):
        part = ET.parse(output / f"sitemap-{number}.xml").getroot()
        assert part.tag == SITEMAP + "urlset"
        urls = [url.findtext(SITEMAP + "loc") for url in part.iter(SITEMAP + "url")]
        assert 0 < len(urls) <= 7 and all(url.findtext(SITEMAP + "lastmod") for url in part.iter(SITEMAP + "url"))
        listed += urls
    assert sorted(listed) == sorted(pages) and len(listed) == len(pages)
    (root / "content/e05.md").write_text(entry_text(title="Entry 5", date="2025-07-06", tags="[t2, fresh]",
                                                    summary="s"), encoding="utf-8")
    build(config, jobs=1)
    assert_equals_clean_build(root)
    assert len(list(ET.parse(output / "sitemap.xml").getroot().iter(SITEMAP + "loc"))) > len(parts) - 1
