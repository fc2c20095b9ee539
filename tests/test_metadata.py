"""Entry-page metadata: canonical URL, description, OpenGraph, Twitter card, JSON-LD."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from helpers import entry_text, run_digest, write_site

BASE = "https://owner.github.io/repo/"
HOSTILE_TITLE = '</script><script>alert("x")</script> "Quoted" & it\'s'

ENTRIES = {
    "content/hostile.md": entry_text(
        title="'</script><script>alert(\"x\")</script> \"Quoted\" & it''s'", date="2025-07-20T10:30:00+03:00",
        summary="'Summary </script> with \"quotes\"'", tags="['</script>', Russia]",
        author="[Ann One, Bo Two]", source="{name: Kyiv Post, url: 'https://example.com/a?b=1&c=2'}"),
    "content/plain-news.md": entry_text(title="Plain news", date="2025-07-21", tags="[Ukraine]",
                                        source="{name: Wire}", kind="news"),
    "content/deep-analysis.md": entry_text(title="Deep analysis", tags="[Ukraine]", kind="analysis", author="Cy"),
    "content/view.md": entry_text(title="A view", tags="[Ukraine]", kind="opinion"),
    "content/statement.md": entry_text(title="A statement", tags="[Ukraine]", kind="official",
                                       source="{name: Ministry, url: 'https://gov.example/statement'}"),
}
SCHEMA_TYPES = {"hostile": "NewsArticle", "plain-news": "NewsArticle", "deep-analysis": "AnalysisNewsArticle",
                "view": "OpinionNewsArticle", "statement": "NewsArticle"}


class HeadReader(HTMLParser):
    """Meta tags, link tags and the text of every <script type="application/ld+json">."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.meta: list[tuple[str, str]] = []
        self.links: list[dict] = []
        self.json_ld: list[str] = []
        self.scripts = 0
        self._in_json_ld = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "meta" and "content" in attributes:
            self.meta.append((attributes.get("property") or attributes.get("name"), attributes["content"]))
        elif tag == "link":
            self.links.append(attributes)
        elif tag == "script":
            self.scripts += 1
            self._in_json_ld = attributes.get("type") == "application/ld+json"
            if self._in_json_ld:
                self.json_ld.append("")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_json_ld = False

    def handle_data(self, data):
        if self._in_json_ld:
            self.json_ld[-1] += data

    def first(self, name: str) -> str:
        return next(content for key, content in self.meta if key == name)

    def all(self, name: str) -> list[str]:
        return [content for key, content in self.meta if key == name]


def read(page: Path) -> HeadReader:
    reader = HeadReader()
    reader.feed(page.read_text(encoding="utf-8"))
    reader.close()
    return reader


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    root = write_site(tmp_path_factory.mktemp("meta") / "site", ENTRIES, 'title = "Meta Site"\ntimezone = "Europe/Kyiv"\n')
    result = run_digest(root, "build", "--no-search", "--base-url", BASE)
    assert result.returncode == 0, result.stderr
    return root / "output"


def test_json_ld_parses_on_every_entry_page_with_the_type_of_its_kind(built):
    for slug, schema_type in SCHEMA_TYPES.items():
        page = read(built / f"2025/07/{slug}/index.html")
        assert len(page.json_ld) == 1, slug
        data = json.loads(page.json_ld[0])
        assert data["@context"] == "https://schema.org"
        assert data["@type"] == schema_type, slug
        assert data["url"] == data["mainEntityOfPage"] == f"{BASE}2025/07/{slug}/"
        assert data["datePublished"].startswith("2025-07-2")
        assert data["author"] and data["keywords"]


def test_hostile_title_stays_inside_the_json_ld(built):
    html = (built / "2025/07/hostile/index.html").read_text(encoding="utf-8")
    page = read(built / "2025/07/hostile/index.html")
    assert page.scripts == 1, "the title opened a <script> of its own"
    assert "<script>alert" not in html
    data = json.loads(page.json_ld[0])
    assert data["headline"] == HOSTILE_TITLE
    assert data["description"] == 'Summary </script> with "quotes"'
    assert data["keywords"] == ["</script>", "Russia"]
    assert data["author"] == [{"@type": "Person", "name": "Ann One"}, {"@type": "Person", "name": "Bo Two"}]
    assert data["datePublished"] == "2025-07-20T10:30:00+03:00"
    assert data["isBasedOn"] == {"@type": "CreativeWork", "url": "https://example.com/a?b=1&c=2",
                                 "publisher": {"@type": "Organization", "name": "Kyiv Post"}}
    assert data["publisher"] == {"@type": "Organization", "name": "Meta Site", "url": BASE}


def test_author_falls_back_to_the_source_then_the_site(built):
    plain = json.loads(read(built / "2025/07/plain-news/index.html").json_ld[0])
    assert plain["author"] == [{"@type": "Organization", "name": "Wire"}]
    assert plain["isBasedOn"] == {"@type": "CreativeWork", "publisher": {"@type": "Organization", "name": "Wire"}}
    view = json.loads(read(built / "2025/07/view/index.html").json_ld[0])
    assert view["author"] == [{"@type": "Organization", "name": "Meta Site"}]
    assert "isBasedOn" not in view


def test_canonical_description_opengraph_and_twitter(built):
    page = read(built / "2025/07/hostile/index.html")
    url = f"{BASE}2025/07/hostile/"
    assert [link["href"] for link in page.links if link.get("rel") == "canonical"] == [url]
    assert page.first("description") == 'Summary </script> with "quotes"'
    assert page.first("og:type") == "article"
    assert page.first("og:url") == url
    assert page.first("og:site_name") == "Meta Site"
    assert page.first("og:title") == HOSTILE_TITLE
    assert page.first("og:description") == 'Summary </script> with "quotes"'
    assert page.first("article:published_time") == "2025-07-20T10:30:00+03:00"
    assert page.all("article:tag") == ["</script>", "Russia"]
    assert page.first("twitter:card") == "summary"
    assert page.first("twitter:title") == HOSTILE_TITLE
    date_only = read(built / "2025/07/plain-news/index.html")
    assert date_only.first("article:published_time") == "2025-07-21T00:00:00+03:00"


def test_metadata_at_a_domain_root(site):
    root = site({"content/a.md": entry_text(title="Root entry")}, 'title = "Root"\n')
    result = run_digest(root, "build", "--no-search", "--base-url", "https://news.example.org")
    assert result.returncode == 0, result.stderr
    page = read(root / "output/2025/07/a/index.html")
    url = "https://news.example.org/2025/07/a/"
    assert page.first("og:url") == url
    assert [link["href"] for link in page.links if link.get("rel") == "canonical"] == [url]
    assert json.loads(page.json_ld[0])["url"] == url


def test_tags_in_metadata_are_spelt_as_their_pages_name_them(site):
    """article:tag and JSON-LD keywords use a tag's page name (the most used spelling), as the
    entry's own tag links do, not the spelling of this one entry."""
    root = site({"content/a.md": entry_text(title="A", tags="[ukraine, Talks]"),
                 "content/b.md": entry_text(title="B", tags="[Ukraine]"),
                 "content/c.md": entry_text(title="C", tags="[Ukraine]")})
    run_digest(root, "build", "--no-search")
    page = (root / "output" / "2025" / "07" / "a" / "index.html").read_text()
    assert re.findall(r'<meta property="article:tag" content="([^"]*)">', page) == ["Ukraine", "Talks"]
    ld = json.loads(page.split('<script type="application/ld+json">', 1)[1].split("</script>", 1)[0])
    assert ld["keywords"] == ["Ukraine", "Talks"]

