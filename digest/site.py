"""[Entry] -> Site: taxonomies, archive, pagination, URLs and output paths. Pure: no I/O.

URLs here are site-relative, without a leading slash (`tags/ukraine/`, `404.html`);
render.py's URL helper puts the base path in front.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from typing import Any, Iterable

from .config import Config
from .entries import Entry, slugify
from .errors import WARNING, Problem

TAXONOMY_TITLES = {"tags": ("Tags", "tag"), "people": ("People", "person"),
                   "places": ("Places", "place"), "sources": ("Sources", "source")}


@dataclass(frozen=True)
class Post:
    """An entry placed in the site: the Entry plus its URL."""

    entry: Entry
    url: str

    def __getattr__(self, name: str) -> Any:  # Templates read post.title as well as post.url.
        return getattr(self.entry, name)


@dataclass(frozen=True)
class Term:
    taxonomy: str
    key: str
    name: str
    slug: str
    posts: tuple[Post, ...]

    @property
    def url(self) -> str:
        return f"{self.taxonomy}/{self.slug}/"

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

    @property
    def url(self) -> str:
        return f"{self.name}/"


@dataclass(frozen=True)
class Month:
    year: int
    month: int
    posts: tuple[Post, ...]

    @property
    def url(self) -> str:
        return f"archive/{self.year:04d}/{self.month:02d}/"


@dataclass(frozen=True)
class Pager:
    number: int
    total: int
    posts: tuple[Post, ...]
    url: str
    prev_url: str | None
    next_url: str | None


@dataclass(frozen=True)
class Route:
    url: str
    template: str
    context: dict

    @property
    def output_path(self) -> str:
        return self.url + "index.html" if self.url.endswith("/") or not self.url else self.url


@dataclass(frozen=True)
class Site:
    config: Config
    posts: tuple[Post, ...]                 # newest first
    taxonomies: dict                        # name -> Taxonomy, in config order
    months: tuple[Month, ...]               # newest first
    routes: tuple[Route, ...]


def term_key(text: str) -> str:
    return " ".join(text.split()).casefold()


def entry_values(entry: Entry, taxonomy: str) -> tuple[str, ...]:
    if taxonomy == "sources":
        return (entry.source_name,) if entry.source_name else ()
    return getattr(entry, taxonomy)


def entry_url(entry: Entry, config: Config) -> str:
    local = entry.date.value.astimezone(config.tz)
    path = config.permalink.format(year=f"{local.year:04d}", month=f"{local.month:02d}",
                                   day=f"{local.day:02d}", slug=entry.slug)
    return path.lstrip("/")


def newest_first(entries: Iterable[Entry]) -> list[Entry]:
    return sorted(entries, key=lambda e: (e.date.value.timestamp(), e.path), reverse=True)


def place_posts(entries: list[Entry], config: Config) -> tuple[tuple[Post, ...], list[Problem]]:
    """Give each entry its URL; of two entries with one URL, the first by path keeps it."""
    urls, problems, owner = {}, [], {}
    for entry in sorted(entries, key=lambda e: e.path):
        url = entry_url(entry, config)
        if url in owner:
            problems.append(Problem(entry.path, None, "slug",
                                    f"same URL /{url} as {owner[url]}; give one of them another `slug:`"))
            continue
        owner[url] = entry.path
        urls[entry.path] = url
    placed = [e for e in entries if e.path in urls]
    return tuple(Post(e, urls[e.path]) for e in newest_first(placed)), problems


def build_taxonomy(name: str, posts: tuple[Post, ...]) -> tuple[Taxonomy, list[Problem]]:
    spellings: dict[str, Counter] = defaultdict(Counter)
    members: dict[str, list[Post]] = defaultdict(list)
    first_file: dict[str, str] = {}
    for post in posts:
        for value in entry_values(post.entry, name):
            key = term_key(value)
            spellings[key][value] += 1
            members[key].append(post)
            first_file.setdefault(key, post.entry.path)
    names = {key: min(counts, key=lambda s: (-counts[s], s)) for key, counts in spellings.items()}
    slugs, problems = assign_slugs(names, first_file, name)
    terms = [Term(name, key, names[key], slugs[key], tuple(members[key])) for key in names]
    terms.sort(key=lambda t: (t.name.casefold(), t.slug))
    title, singular = TAXONOMY_TITLES[name]
    return Taxonomy(name, title, singular, tuple(terms), {t.key: t for t in terms}), problems


def assign_slugs(names: dict[str, str], first_file: dict[str, str], taxonomy: str):
    """Slug per term key; when two terms share a slug, the first by key keeps it and the
    others get a suffix from a hash of their own key, so slugs stay stable as terms come and go."""
    by_slug: dict[str, list[str]] = defaultdict(list)
    for key, name in names.items():
        by_slug[slugify(name) or "t-" + short_hash(key)].append(key)
    slugs, problems = {}, []
    for slug, keys in by_slug.items():
        keys.sort()
        slugs[keys[0]] = slug
        for key in keys[1:]:
            slugs[key] = f"{slug}-{short_hash(key)}"
            problems.append(Problem(first_file[key], None, taxonomy,
                                    f"'{names[key]}' and '{names[keys[0]]}' make the same slug '{slug}'; "
                                    f"'{names[key]}' gets '{slugs[key]}'", WARNING))
    return slugs, problems


def short_hash(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:6]


def build_months(posts: tuple[Post, ...], config: Config) -> tuple[Month, ...]:
    groups: dict[tuple[int, int], list[Post]] = defaultdict(list)
    for post in posts:
        local = post.entry.date.value.astimezone(config.tz)
        groups[(local.year, local.month)].append(post)
    return tuple(Month(y, m, tuple(groups[(y, m)])) for y, m in sorted(groups, reverse=True))


def paginate(posts: tuple[Post, ...], per_page: int, first_url: str) -> list[Pager]:
    """`first_url` is page 1; page n lives at `{first_url}page/{n}/`. An empty list has one page."""
    chunks = [posts[i:i + per_page] for i in range(0, len(posts), per_page)] or [()]
    urls = [first_url] + [f"{first_url}page/{n}/" for n in range(2, len(chunks) + 1)]
    return [Pager(n + 1, len(chunks), chunk, urls[n], urls[n - 1] if n else None,
                  urls[n + 1] if n + 1 < len(chunks) else None) for n, chunk in enumerate(chunks)]


def entry_terms(post: Post, taxonomies: dict) -> dict:
    return {name: [tax.by_key[term_key(v)] for v in entry_values(post.entry, name)]
            for name, tax in taxonomies.items()}


def make_routes(config: Config, posts, taxonomies, months) -> list[Route]:
    routes = []
    for pager in paginate(posts, config.per_page, ""):
        routes.append(Route(pager.url, "list.html", {"kind": "home", "title": None, "pager": pager}))
    for post in posts:
        routes.append(Route(post.url, "entry.html", {"post": post, "terms": entry_terms(post, taxonomies)}))
    for tax in taxonomies.values():
        routes.append(Route(tax.url, "terms.html", {"taxonomy": tax, "title": tax.title}))
        for term in tax.terms:
            for pager in paginate(term.posts, config.per_page, term.url):
                routes.append(Route(pager.url, "list.html", {"kind": tax.name, "title": term.name,
                                                               "term": term, "taxonomy": tax, "pager": pager}))
    routes.append(Route("archive/", "archive.html", {"months": months, "title": "Archive"}))
    for month in months:
        routes.append(Route(month.url, "list.html", {"kind": "month", "title": None, "month": month,
                                                     "pager": paginate(month.posts, len(month.posts) or 1, month.url)[0]}))
    routes.append(Route("search/", "search.html", {"title": "Search"}))
    routes.append(Route("404.html", "404.html", {"title": "Page not found"}))
    return routes


def check_unique(routes: list[Route], posts) -> list[Problem]:
    """An entry URL that lands on a listing page (permalink `/{slug}/`, slug `tags`) is an error."""
    owners = {post.url: post.entry.path for post in posts}
    seen, problems = set(), []
    for route in routes:
        if route.output_path in seen and route.url in owners:
            problems.append(Problem(owners[route.url], None, "slug",
                                    f"URL /{route.url} is already a page of the site; choose another `slug:`"))
        seen.add(route.output_path)
    return problems


def build_site(entries: Iterable[Entry], config: Config) -> tuple[Site, list[Problem]]:
    posts, problems = place_posts(list(entries), config)
    taxonomies = {}
    for name in config.taxonomies:
        taxonomies[name], found = build_taxonomy(name, posts)
        problems += found
    months = build_months(posts, config)
    routes = make_routes(config, posts, taxonomies, months)
    problems += check_unique(routes, posts)
    return Site(config, posts, taxonomies, months, tuple(routes)), problems
