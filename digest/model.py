"""The records the site model is made of, shared by the modules that make it: posts, terms,
taxonomies, months, pagers, routes. Pure: no I/O.

URLs here are site-relative, without a leading slash (`tags/ukraine/`, `404.html`);
render.py's URL helper puts the base path in front.
"""

from __future__ import annotations

from functools import cached_property
from dataclasses import dataclass, field, fields
from datetime import date
from typing import Any, Iterable, NamedTuple

from .config import SETTINGS_FILE, Config
from .entries import Entry
from .images import ImageUse, LeadImage, Picture
from .strings import Catalog


TAXONOMY_SINGULAR = {"tags": "tag", "people": "person", "places": "place", "sources": "source"}


@dataclass(frozen=True)
class Post:
    """An entry placed in the site: the Entry plus its URL."""

    entry: Entry
    url: str

    def __getattr__(self, name: str) -> Any:  # Templates read post.title as well as post.url.
        if name == "entry" or name.startswith("__"):  # unpickling asks before `entry` is set
            raise AttributeError(name)
        return getattr(self.entry, name)


def _entry_attribute(name: str) -> property:
    return property(lambda post: getattr(post.entry, name), doc=f"The entry's `{name}`.")


# The entry's fields as properties too: templates read them on every page, and a property is
# found directly where __getattr__ is called only after a failed lookup (a fifth of rendering).
for _name in [f.name for f in fields(Entry)] + ["when", "modified", "last_change"]:
    setattr(Post, _name, _entry_attribute(_name))


@dataclass(frozen=True)
class Term:
    taxonomy: str
    key: str
    name: str
    slug: str
    posts: tuple[Post, ...]     # newest first, as site.posts (feeds rely on it)
    prefix: str = ""            # its language's folder (`uk/`) on a site of several languages

    @property
    def url(self) -> str:
        return f"{self.prefix}{self.taxonomy}/{self.slug}/"

    @property
    def count(self) -> int:
        return len(self.posts)


@dataclass(frozen=True)
class Taxonomy:
    name: str
    title: str
    singular: str
    terms: tuple[Term, ...]     # by name
    by_key: dict = field(compare=False, repr=False)
    prefix: str = ""

    @property
    def url(self) -> str:
        return f"{self.prefix}{self.name}/"


@dataclass(frozen=True)
class Month:
    year: int
    month: int
    posts: tuple[Post, ...]
    prefix: str = ""

    @property
    def url(self) -> str:
        return f"{self.prefix}archive/{self.year:04d}/{self.month:02d}/"


@dataclass(frozen=True)
class Pager:
    number: int
    total: int
    posts: tuple[Post, ...]     # in site order (newest first), as every listing paginates them
    url: str
    prev_url: str | None
    next_url: str | None


class Route(NamedTuple):  # a tuple: a site has a route per page, and a dataclass is slow to make
    url: str
    template: str
    context: dict

    @property
    def output_path(self) -> str:
        return route_path(self.url)


def route_path(url: str) -> str:
    """The file a page URL is written to: `a/b/` -> `a/b/index.html`."""
    return url + "index.html" if url.endswith("/") or not url else url


def absolute_url(path: str, base_url: str) -> str:
    """A site-relative path -> its full URL (feeds, the sitemap, the `absolute_url` filter)."""
    return base_url + path.lstrip("/")


@dataclass(frozen=True)
class Site:
    config: Config
    posts: tuple[Post, ...]                 # newest first
    taxonomies: dict                        # name -> Taxonomy, in config order
    months: tuple[Month, ...]               # newest first
    routes: tuple[Route, ...]
    stories: tuple = ()                     # Story, most recently updated first
    issues: tuple = ()                      # weekly digest Issue, newest first
    default_image: LeadImage | None = None  # the `default_image` setting's, for social cards
    catalog: Catalog | None = None          # the interface's strings, by language (strings.py)
    # Entry URL -> every version of it, for each entry with translations (sections.translation_groups),
    # and section home -> every section's home (sections.home_translations).
    translations: dict = field(default_factory=dict, compare=False, repr=False)

    @cached_property
    def pictures(self) -> dict[str, tuple[Picture, ImageUse]]:
        """Every image file the site shows, by file: its Picture and where it is shown first."""
        found: dict[str, tuple[Picture, ImageUse]] = {}
        if self.default_image is not None and self.default_image.picture is not None:
            picture = self.default_image.picture
            found[picture.source] = (picture, ImageUse(SETTINGS_FILE, None, "tool.digest.default_image"))
        base = self.config.base_path
        for post in self.posts:
            entry = post.entry
            if entry.image is not None and entry.image.picture is not None:
                found.setdefault(entry.image.picture.source,
                                 (entry.image.picture, ImageUse(entry.path, entry.line_of("image"), "image.src")))
            for picture in entry.body_pictures:
                line = next((link.line for link in entry.links if link.image and link.href == base + picture.largest.path), 1)
                found.setdefault(picture.source, (picture, ImageUse(entry.path, line, "body")))
        return found

    @cached_property
    def rendition_paths(self) -> dict[str, str]:
        """Output path of every image rendition -> the image file it is made from."""
        return {rendition.path: source for source, (picture, _) in self.pictures.items()
                for rendition in picture.renditions}

    @cached_property
    def paths(self) -> tuple[str, ...]:
        """Each route's output path, in order (read by every pass over the routes of a build)."""
        return tuple(route_path(route.url) for route in self.routes)

    @cached_property
    def alternates(self) -> dict[str, tuple[tuple[str, str], ...]]:
        """Absolute URL -> (hreflang, absolute URL) of every language version of the page, its
        own included, for each entry that has translations and each section's home on a site of
        several languages (the sitemap's xhtml:link)."""
        base = self.config.base_url
        return {absolute_url(url, base): tuple((each.language, absolute_url(each.url, base)) for each in versions)
                for url, versions in self.translations.items()}

    @cached_property
    def index_languages(self) -> tuple[str, ...]:
        """The languages the search page can search (`languages=all`): the site's (`language`,
        then `languages`), then its entries' others, by tag; none on a site without `languages`
        whose entries are all in its language (one index)."""
        found = {post.entry.language for post in self.posts}
        if not self.config.languages and found <= {self.config.language}:
            return ()
        return tuple(dict.fromkeys((*self.config.site_languages, *sorted(found))))

    @cached_property
    def search_language(self) -> str:
        """The language Pagefind indexes every entry in: the site's, when every entry is in it;
        else "", each entry then in the index of its page's <html lang> (search.py), which the
        search page of that language searches, and any search page with `languages=all`."""
        if all(post.entry.language == self.config.language for post in self.posts):
            return self.config.language
        return ""


def entry_values(entry: Entry, taxonomy: str) -> tuple[str, ...]:
    if taxonomy == "sources":
        return (entry.source_name,) if entry.source_name else ()
    return getattr(entry, taxonomy)


# The template of the redirect page at an entry's old URL (urls.alias_routes).
ALIAS_TEMPLATE = "alias.html"


def local_day(moment, config: Config) -> date:
    return moment.value.astimezone(config.tz).date()


def publication_days(posts: Iterable[Post], config: Config) -> dict[str, date]:
    """Post URL -> the day it was published, in the site's time zone."""
    return {post.url: local_day(post.entry.date, config) for post in posts}
