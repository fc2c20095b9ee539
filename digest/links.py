"""Internal links of the rendered site -> Problems: every link must land on a page of it.

Pure: reads the pages in memory, never the output folder. A broken link written in an
entry's body is reported at that entry's file and line; one made by a template is
reported at the output page that carries it. Broken links are warnings (errors under
`--strict`). Links into `pagefind/` are skipped: the index is made after rendering.
"""

from __future__ import annotations

import posixpath
from html.parser import HTMLParser
from typing import Iterable, Mapping
from urllib.parse import unquote, urljoin, urlsplit

from .config import STATIC_DIR
from .errors import WARNING, Problem, closest
from .markdown import Link, is_internal
from .render import Page, extra_pages, static_files
from .model import Site

# A form's action and an image's srcset are links too: a template that writes `/search/`
# without the `url` filter breaks them under a base path as it would an href.
LINK_ATTRIBUTES = {"href", "src", "action"}
SKIPPED = ("pagefind/",)


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        for name, value in attrs:
            if name in LINK_ATTRIBUTES and value:
                self.found.append(value)
            elif name == "srcset" and value:
                # `a.png 1x, b.png 2x`: each candidate is a URL and an optional descriptor.
                self.found += [candidate.split()[0] for candidate in value.split(",") if candidate.strip()]

    handle_startendtag = handle_starttag


def page_url(path: str, base_path: str) -> str:
    """`tags/x/index.html` -> `/repo/tags/x/`; `404.html` -> `/repo/404.html`."""
    if path == "index.html" or path.endswith("/index.html"):
        path = path[: -len("index.html")]
    return base_path + path


def target_file(href: str, from_url: str, base_path: str, files: set[str]) -> str | None:
    """The output file a link lands on, "" for a skipped target, None when there is none."""
    url = urlsplit(urljoin("http://site" + from_url, href))
    if url.netloc != "site":
        return None
    path = unquote(url.path)
    if not path.startswith(base_path):
        return None
    relative = path[len(base_path):]
    if relative.startswith(SKIPPED):
        return ""
    for candidate in (relative + "index.html" if relative.endswith("/") or not relative else relative,
                      relative + "/index.html"):
        if candidate in files:
            return candidate
    return None


def site_files(site: Site) -> set[str]:
    """Every file a build writes, known from the model before anything is rendered."""
    return ({route.output_path for route in site.routes} | set(static_files(site.config))
            | {page.path for page in extra_pages()} | set(site.rendition_paths))


def body_link_problems(site: Site, files: set[str] | None = None, revised: Mapping | None = None) -> list[Problem]:
    """Broken internal links written in entry bodies, at their file and line, each with the
    link it most likely meant (broken_link). revised: post URL -> a newer version of its
    entry (views.Views)."""
    files = site_files(site) if files is None else files
    base = site.config.base_path
    problems = set()
    for post in site.posts:
        for link in (revised.get(post.url, post.entry) if revised else post.entry).links:
            if target_file(link.href, base + post.url, base, files) is None:
                problems.add(Problem(post.entry.path, link.line, None, broken_link(link, post, site, files), WARNING))
    return sorted(problems)


def broken_link(link: Link, post, site: Site, files: set[str]) -> str:
    """What is wrong with a link that lands on nothing, and what to write instead."""
    written = link.written or link.href
    if link.image:
        path = _site_path(link.href, site.config.base_path + post.url, site.config.base_path)
        where = f"; save the image as {STATIC_DIR}/{path}, or correct the link" if path else ""
        return f"image '{written}': no such file in the site{where}"
    meant = _meant_entry_file(link, post.entry.path, site) if link.target else _meant_page(link, post, site, files)
    return f"link to '{written}': no such page in the site" + (f" (did you mean '{meant}'?)" if meant else "")


def _site_path(href: str, from_url: str, base_path: str) -> str | None:
    """The site-relative path of an internal link, or None when it leaves the site."""
    url = urlsplit(urljoin("http://site" + from_url, href))
    path = unquote(url.path)
    if url.netloc != "site" or not path.startswith(base_path):
        return None
    return path[len(base_path):]


def _meant_entry_file(link: Link, path: str, site: Site) -> str | None:
    """`../07/turkey-talks-two-rounds.md` for `../07/turkey-talk-two-rounds.md`: the entry
    file nearest in spelling, written from the linking entry's folder as the author wrote it."""
    files = [post.entry.path for post in site.posts]
    meant = closest(posixpath.basename(link.target), {posixpath.basename(f): f for f in files})
    if meant is None:
        return None
    wanted = next(f for f in files if posixpath.basename(f) == meant)
    target = urlsplit(link.written).path
    if posixpath.dirname(wanted) == posixpath.dirname(link.target):  # only the name is wrong
        return link.written.replace(posixpath.basename(target), posixpath.basename(wanted), 1)
    return posixpath.relpath(wanted, posixpath.dirname(path))


def _meant_page(link: Link, post, site: Site, files: set[str]) -> str | None:
    """The page a link to a missing page most likely meant: the entry with the link's last
    segment as its slug (a wrong month), else the page nearest in spelling in the same folder,
    else, when no page is in that folder, the entry whose slug is nearest. Written as the author wrote the link: from the site's
    root (`/2025/07/x/`) or relative to the page (`../x/`)."""
    base = site.config.base_path
    wanted = _site_path(link.href, base + post.url, base)
    if wanted is None:
        return None
    folder, _, name = wanted.rstrip("/").rpartition("/")
    by_slug = {other.entry.slug: other.url for other in site.posts}
    url = by_slug.get(name)
    near = {}   # the pages of the link's folder, by their last part (the folder is no likeness)
    if url is None:
        for path in files:
            if path.endswith(".html"):
                page = page_url(path, "")
                parent, _, last = page.rstrip("/").rpartition("/")
                if parent == folder:
                    near[last] = page
        last = closest(name, near) if near else None
        url = near[last] if last else None
    if url is None and not near:  # a folder with no page (a wrong month): the entry by its slug
        slug = closest(name, by_slug)
        url = by_slug[slug] if slug else None
    if url is None:
        return None
    if link.written.startswith("/"):
        return "/" + url if base == "/" or not link.written.startswith(base) else base + url
    return posixpath.relpath("/" + url, "/" + post.url) + ("/" if url.endswith("/") else "")


def link_problems(site: Site, pages: Iterable[Page], output_name: str = "output") -> list[Problem]:
    """Broken internal links of entry bodies (with file and line) and of every HTML page."""
    pages = list(pages)
    files = {page.path for page in pages} | set(site.rendition_paths)
    base = site.config.base_path
    problems = set(body_link_problems(site, files))
    body_hrefs = {post.url + "index.html": {link.href for link in post.entry.links} for post in site.posts}
    for page in pages:
        if not page.path.endswith(".html"):
            continue
        parser = _Links()
        parser.feed(page.data.decode("utf-8", "replace"))
        parser.close()
        from_url = page_url(page.path, base)
        for href in parser.found:
            if not is_internal(href) or href in body_hrefs.get(page.path, ()):
                continue
            if target_file(href, from_url, base, files) is None:
                problems.add(Problem(f"{output_name}/{page.path}", None, None,
                                     f"link to '{href}': no such page in the site", WARNING))
    return sorted(problems)
