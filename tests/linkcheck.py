"""Find every internal link of a built site and check it resolves to a file."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

LINK_ATTRIBUTES = {"href", "src", "action", "srcset"}


class LinkCollector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name == "id" and value:
                self.ids.add(value)
            if name in LINK_ATTRIBUTES and value is not None:
                self.links.append(value)


def page_url(output: Path, file: Path, base_url: str) -> str:
    relative = file.relative_to(output).as_posix()
    if relative.endswith("index.html"):
        relative = relative[: -len("index.html")]
    return urljoin(base_url, relative)


def target_file(output: Path, url: str, base_url: str) -> Path | None:
    """The file a same-site URL points to, or None when it is outside the base path."""
    base = urlsplit(base_url)
    parts = urlsplit(url)
    if (parts.scheme, parts.netloc) != (base.scheme, base.netloc) or not parts.path.startswith(base.path):
        return None
    relative = unquote(parts.path[len(base.path):])
    path = output / relative
    return path / "index.html" if relative == "" or relative.endswith("/") else path


def broken_links(output: Path, base_url: str) -> list[str]:
    """Every internal href/src of every HTML page that does not resolve to a file in output.
    Links leaving the base path on the same host count as broken: they would 404 on Pages."""
    problems = []
    host = urlsplit(base_url)
    for file in sorted(output.rglob("*.html")):
        collector = LinkCollector()
        collector.feed(file.read_text(encoding="utf-8"))
        here = page_url(output, file, base_url)
        for link in collector.links:
            absolute = urljoin(here, link)
            parts = urlsplit(absolute)
            if parts.scheme not in ("http", "https") or parts.netloc != host.netloc:
                continue
            target = target_file(output, absolute, base_url)
            if target is None or not target.is_file():
                problems.append(f"{file.relative_to(output)}: {link}")
    return problems
