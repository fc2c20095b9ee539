"""One link checker for built sites: every href/src/action/srcset and og:url of every HTML
page, fragments included, and the links of feeds, the sitemap and robots.txt."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit


class LinkReader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("href", "src", "action") and value is not None:
                self.links.append(value)
            elif name == "srcset" and value:
                self.links += [part.split()[0] for part in value.split(",") if part.strip()]
            elif name == "id" and value:
                self.ids.add(value)
        attributes = dict(attrs)
        if tag == "meta" and attributes.get("property") == "og:url":
            self.links.append(attributes["content"])


class LinkChecker:
    """A built output folder served at base_url: resolves links to files and reports broken ones."""

    def __init__(self, output: Path, base_url: str):
        self.output, self.base_url = output, base_url
        parts = urlsplit(base_url)
        self.host, self.base_path = parts.netloc, parts.path
        self.problems: list[str] = []
        self.checked = 0
        self._ids: dict[Path, set[str]] = {}

    def url_of(self, path: Path) -> str:
        relative = path.relative_to(self.output).as_posix()
        return self.base_url + (relative[: -len("index.html")] if relative.endswith("index.html") else relative)

    def page(self, path: Path) -> LinkReader:
        reader = LinkReader()
        reader.feed(path.read_text(encoding="utf-8"))
        reader.close()
        self._ids[path] = reader.ids
        return reader

    def check(self, link: str, where: Path, must_be_absolute: bool = False) -> None:
        if link.startswith(("mailto:", "data:image/")):
            return
        self.checked += 1
        if must_be_absolute and not link.startswith(("http://", "https://")):
            self.problems.append(f"{where.name}: {link} is not absolute")
            return
        target = urljoin(self.url_of(where), link)
        parts = urlsplit(target)
        if parts.scheme not in ("http", "https"):
            self.problems.append(f"{where.relative_to(self.output)}: bad scheme in {link}")
            return
        if parts.netloc != self.host:
            return  # another site: a source article
        if not parts.path.startswith(self.base_path):
            self.problems.append(f"{where.relative_to(self.output)}: {link} leaves the base path {self.base_path}")
            return
        relative = unquote(parts.path[len(self.base_path):])
        file = self.output / (relative + "index.html" if relative.endswith("/") or not relative else relative)
        if not file.is_file():
            self.problems.append(f"{where.relative_to(self.output)}: {link} -> missing {file.relative_to(self.output)}")
            return
        if parts.fragment and file.suffix == ".html":
            ids = self._ids.get(file) or self.page(file).ids
            if unquote(parts.fragment) not in ids:
                self.problems.append(f"{where.relative_to(self.output)}: {link}: no id {parts.fragment}")


def check_whole_site(output: Path, base_url: str) -> LinkChecker:
    site = LinkChecker(output, base_url)
    for path in sorted(output.rglob("*.html")):
        for link in site.page(path).links:
            site.check(link, path)
    for path in sorted(output.rglob("feed.xml")):
        root = ET.parse(path).getroot()
        for element in root.iter():
            if element.tag.endswith("}link") and element.get("rel") != "related":
                site.check(element.get("href"), path, must_be_absolute=True)
            elif element.tag.endswith("}id"):
                site.check(element.text, path, must_be_absolute=True)
    for path in sorted(output.rglob("feed.json")):
        feed = json.loads(path.read_text(encoding="utf-8"))
        for link in [feed["home_page_url"], feed["feed_url"]] + [i[k] for i in feed["items"] for k in ("id", "url")]:
            site.check(link, path, must_be_absolute=True)
    for loc in ET.parse(output / "sitemap.xml").getroot().iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc"):
        site.check(loc.text, output / "sitemap.xml", must_be_absolute=True)
    sitemaps = [line.split(":", 1)[1].strip() for line in (output / "robots.txt").read_text(encoding="utf-8").splitlines()
                if line.startswith("Sitemap:")]
    assert sitemaps == [base_url + "sitemap.xml"]
    for link in sitemaps:
        site.check(link, output / "robots.txt", must_be_absolute=True)
    return site
