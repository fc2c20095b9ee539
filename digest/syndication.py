"""The routes of feeds and sitemaps: Atom and JSON Feed per listing, sitemap.xml (an index of
parts for a large site), the Google News sitemap; and each page's last-modified date.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Iterable

from .config import Config
from .entries import Moment
from .model import ALIAS_TEMPLATE, Pager, Post, Route, Site, absolute_url, route_path


FEED_FILE = "feed.xml"
JSON_FEED_FILE = "feed.json"


@dataclass(frozen=True)
class Feed:
    """The newest posts of one listing page: `url` is the feed file, `page_url` the page it follows."""

    url: str
    title: str
    page_url: str
    posts: tuple[Post, ...]     # newest first
    language: str = ""          # its section's language; the site's when empty

    @property
    def updated(self) -> Moment | None:
        """The newest date of its entries, updates and corrections included (Entry.modified):
        a feed's `updated` never reads the build's clock."""
        return max((post.entry.modified for post in self.posts), key=_moment_value) if self.posts else None


def feed_routes(page_url: str, title: str, posts: Iterable[Post], config: Config, *,
                json_feed: bool = False, newest_first: bool = False, language: str = "") -> list[Route]:
    """The feeds of the listing at `page_url` (`""`, `tags/ukraine/`, `stories/talks/`): Atom at
    `{page_url}feed.xml` and, with json_feed, JSON Feed 1.1 at `{page_url}feed.json`. Each holds the
    newest `feed_entries` posts by their newest date (Entry.modified: updates and corrections
    count), whatever order `posts` comes in (a story is by event date).
    newest_first: `posts` are in site order already (site.posts, a term's posts): no sorting."""
    posts = tuple(posts)
    # An entry updated or corrected comes back to the top of its feeds, by its newest date
    # (Entry.modified): a feed reader shows it again, as updated, and an old entry corrected
    # after it left the feed comes back into it.
    if newest_first and not any(post.entry.last_change for post in posts):
        newest = posts[:config.feed_entries]
    else:
        newest = tuple(sorted(posts, key=lambda p: (p.entry.modified.value.timestamp(), p.entry.path),
                              reverse=True)[:config.feed_entries])
    routes = [Route(page_url + FEED_FILE, "atom.xml", {"feed": Feed(page_url + FEED_FILE, title, page_url, newest,
                                                                      language)})]
    if json_feed:
        feed = Feed(page_url + JSON_FEED_FILE, title, page_url, newest, language)
        routes.append(Route(page_url + JSON_FEED_FILE, "feed.json", {"feed": feed}))
    return routes


def route_lastmod(route: Route, newest: Moment | None) -> Moment | None:
    """When a page last changed: its entry's newest date (updates and corrections count), else
    the newest entry it lists, else the site's newest."""
    context = route.context
    post = context.get("post")
    if isinstance(post, Post):
        return post.entry.modified
    pager = context.get("pager")
    if type(pager) is Pager and pager.posts:  # in site order: its newest post comes first
        return pager.posts[0].entry.date
    for holder in [pager, *context.values()]:
        listed = getattr(holder, "posts", None)
        if listed and isinstance(listed[0], Post):  # the model's lists hold posts only, or none
            return max(listed, key=_date_value).entry.date  # a story's timeline, an issue's groups
    return newest


def _date_value(post: Post):
    return post.entry.date.value


def _moment_value(moment: Moment):
    return moment.value


SITEMAP_LIMIT = 50_000  # URLs one sitemap file may list (sitemaps.org)


def sitemap_routes(routes: list[Route], news: tuple[Post, ...] | None = None) -> list[Route]:
    """sitemap.xml; for a site of more pages than one sitemap may list, or with a Google News
    sitemap (news: its posts, news_posts), sitemap.xml is a sitemap index of sitemap-1.xml,
    sitemap-2.xml, ... that list SITEMAP_LIMIT pages each, and of NEWS_SITEMAP."""
    pages = 0 if len(routes) <= SITEMAP_LIMIT else sum(is_sitemap_page(route_path(r.url), r) for r in routes)
    if pages <= SITEMAP_LIMIT and news is None:
        return [Route("sitemap.xml", "sitemap.xml", {})]
    parts = [f"sitemap-{number}.xml" for number in range(1, max(1, -(-pages // SITEMAP_LIMIT)) + 1)]
    listed = parts + ([NEWS_SITEMAP] if news is not None else [])
    news_route = [Route(NEWS_SITEMAP, "news_sitemap.xml", {"posts": news})] if news is not None else []
    return [Route("sitemap.xml", "sitemap_index.xml", {"parts": listed})] + \
        [Route(url, "sitemap.xml", {"part": number}) for number, url in enumerate(parts, 1)] + news_route


NEWS_SITEMAP = "sitemap-news.xml"
NEWS_LIMIT = 1000               # URLs a Google News sitemap may list
NEWS_WINDOW = timedelta(days=2)  # Google News reads articles of the last two days


def news_posts(posts: tuple[Post, ...]) -> tuple[Post, ...]:
    """The entries of a Google News sitemap: published in the two days up to the newest entry
    (not the build's clock, so that the same content gives the same file), newest first, at
    most NEWS_LIMIT. posts: newest first, as site.posts."""
    if not posts:
        return ()
    since = posts[0].entry.date.value - NEWS_WINDOW
    chosen = []
    for post in posts[:NEWS_LIMIT]:
        if post.entry.date.value < since:
            break
        chosen.append(post)
    return tuple(chosen)


def is_sitemap_page(path: str, route: Route) -> bool:
    """Every HTML page but 404.html, which is no page to index, and the redirect pages of aliases."""
    return path.endswith(".html") and path != "404.html" and route.template != ALIAS_TEMPLATE


def sitemap_part(items: list[tuple[str, str]], part: int = 0) -> list[tuple[str, str]]:
    """Of make_sitemap's items, those one part of a sitemap index lists (part 1, 2, ...), or
    all of them (part 0)."""
    return items[(part - 1) * SITEMAP_LIMIT:part * SITEMAP_LIMIT] if part else items


def make_sitemap(site: "Site", known: Sequence[str | None] = ()) -> list[tuple[str, str]]:
    """(absolute URL, ISO last-modified date or "") of every page of the sitemap (is_sitemap_page).
    known: for each route, its last-modified text where it is known already, else None
    (reuse.rekeyed gives the last build's, for the routes an edit of terms did not reach).
    A post's date is part of the model, so an entry revised in place leaves them as they are."""
    newest = site.posts[0].entry.date if site.posts else None
    base = site.config.base_url
    items = []
    for index, (route, path) in enumerate(zip(site.routes, site.paths)):
        if is_sitemap_page(path, route):
            text = known[index] if known else None
            if text is None:
                lastmod = route_lastmod(route, newest)  # a listing's date is one of its posts' (Moment.iso: made once)
                text = "" if lastmod is None else lastmod.iso()
            items.append((absolute_url(route.url, base), text))
    return items


def sitemap_lastmods(site: "Site", items: list[tuple[str, str]]) -> tuple[str | None, ...]:
    """Each route's last-modified text in the sitemap's items (make_sitemap); None for a route
    it does not list."""
    texts = iter([text for _, text in items])
    return tuple([next(texts) if is_sitemap_page(path, route) else None for route, path in zip(site.routes, site.paths)])
