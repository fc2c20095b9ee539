"""Feed documents: JSON Feed 1.1 by json.dumps, and the values the Atom template shares with it.

Between site and render in the one-way order (... entries, site, feeds, render ...): it reads the
feed records of views.py (FeedView, EntryView) and returns text; render.py exposes these functions to templates as filters.
Every URL is absolute (from base_url) and every date comes from the entries, never from the clock,
so two builds of the same content give the same bytes.
"""

from __future__ import annotations

import json
import re

from .config import Config
from .entries import Moment
from .model import absolute_url
from .views import FeedView

JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"
# Atom requires `updated`; a feed with no entries has no date of its own, and the clock is no answer.
EMPTY_FEED_UPDATED = "1970-01-01T00:00:00+00:00"
# Characters XML 1.0 forbids even when escaped; a Markdown body may hold them, YAML front matter may not.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def absolute(path: str, config: Config) -> str:
    return absolute_url(path, config.base_url)


def feed_time(moment: Moment) -> str:
    """RFC 3339 with offset; a date-only entry is midnight in the site timezone (Moment holds that)."""
    return moment.value.isoformat()


def feed_updated(feed: FeedView) -> str:
    return feed_time(feed.updated) if feed.updated else EMPTY_FEED_UPDATED


def item_authors(post) -> tuple[str, ...]:
    """The source's authors; failing those, the publisher: a feed reader shows someone.
    post: a views.EntryView."""
    if post.authors:
        return post.authors
    return (post.source_name,) if post.source_name else ()


def xml_safe(text: str) -> str:
    return NOT_XML.sub("", text)


def json_item(post, config: Config) -> dict:
    """post: a views.EntryView."""
    url = absolute(post.url, config)
    entry = post
    item = {"id": url, "url": url}
    if entry.source_url:
        item["external_url"] = entry.source_url
    item.update(title=entry.title, summary=entry.summary, content_html=entry.body_html,
                date_published=feed_time(entry.date))
    if entry.last_change:
        item["date_modified"] = feed_time(entry.last_change)
    if entry.image is not None and entry.image.picture is not None:
        item["image"] = absolute(entry.image.picture.share.path, config)
    authors = item_authors(post)
    if authors:
        item["authors"] = [{"name": name} for name in authors]
    item["tags"] = list(entry.tags)
    return item


def json_feed(feed: FeedView, config: Config) -> dict:
    data = {"version": JSON_FEED_VERSION, "title": feed.title,
            "home_page_url": absolute(feed.page_url, config), "feed_url": absolute(feed.url, config)}
    if config.description:
        data["description"] = config.description
    data.update(language=feed.language, authors=[{"name": config.title}],
                items=[json_item(post, config) for post in feed.posts])
    return data


def json_feed_text(feed: FeedView, config: Config) -> str:
    return json.dumps(json_feed(feed, config), ensure_ascii=False, indent=2)
