"""[Entry] -> Site: taxonomies, archive, pagination, URLs and output paths. Pure: no I/O.

URLs here are site-relative, without a leading slash (`tags/ukraine/`, `404.html`);
render.py's URL helper puts the base path in front.
"""

from __future__ import annotations

import hashlib
import math
from functools import cached_property
from operator import attrgetter
from collections import Counter, defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import date, timedelta
from typing import Any, Iterable, Iterator, NamedTuple

from .config import SETTINGS_FILE, Config
from .entries import Entry, Moment, slugify, term_key
from .images import ImageUse, LeadImage, Picture
from .errors import WARNING, Problem
from .languages import locale_of
from .strings import Catalog, Strings, site_catalog

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
        own included, for each entry that has translations (the sitemap's xhtml:link)."""
        base = self.config.base_url
        found = translation_groups(self.posts)[0]
        return {absolute_url(url, base): tuple((each.language, absolute_url(each.url, base)) for each in versions)
                for url, versions in found.items()}

    @cached_property
    def index_languages(self) -> tuple[str, ...]:
        """The languages the search page can search (`languages=all`): the site's (`language`,
        then `languages`), then its entries' others, by tag; none on a site without `languages`
        whose entries are all in its language (one index)."""
        found = set(languages_of(post.entry for post in self.posts))
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


def entry_url(entry: Entry, config: Config, local: date | None = None) -> str:
    """local: the entry's publication day in the site timezone, if known already."""
    local = local or entry.date.value.astimezone(config.tz)
    path = config.permalink.format(year=f"{local.year:04d}", month=f"{local.month:02d}",
                                   day=f"{local.day:02d}", slug=entry.slug)
    return section_prefix(config, entry.language) + path.lstrip("/")


def place_posts(entries: list[Entry], config: Config) -> tuple[tuple[Post, ...], list[Problem]]:
    """Give each entry its URL; of two entries with one URL, the first by path keeps it."""
    posts, problems, _ = placed_posts(entries, config)
    return posts, problems


def placed_posts(entries: list[Entry], config: Config, earlier: Collection[str] = ()
                 ) -> tuple[tuple[Post, ...], list[Problem], dict[str, date]]:
    """place_posts, and each post's publication day in the site timezone by its URL.
    earlier: the files of the last build, which tell the new one of two entries with one URL."""
    problems, owner = [], {}
    placed = []  # (instant, path, url, day, entry): sorted, newest first, by instant then path
    tz = config.tz
    for entry in sorted(entries, key=attrgetter("path")):
        moment = entry.date.value
        day = moment.astimezone(tz).date()
        url = entry_url(entry, config, day)
        if url in owner:
            problems.append(same_url(entry, owner[url], url, owner, config, earlier))
            continue
        owner[url] = entry
        placed.append((moment.timestamp(), entry.path, url, day, entry))
    placed.sort(reverse=True)  # paths differ: no two tuples compare further than the path
    posts = tuple([Post(entry, url) for _, _, url, _, entry in placed])
    return posts, problems, {url: day for _, _, url, day, _ in placed}


def same_url(entry: Entry, other: Entry, url: str, taken: Collection[str], config: Config,
             earlier: Collection[str]) -> Problem:
    """Two entries with one URL: blamed on the new one, at its `slug:` line (or where that line
    goes), with a slug that is free. The new one is the file the last build did not have; when
    both or neither were in it, the later by date, then by path."""
    new, old = sorted((entry, other), key=lambda e: (e.path not in earlier, e.date.value, e.path))[::-1]
    return Problem(new.path, new.line_of("slug"), "slug", f"same URL /{url} as {old.path}; give this entry a URL "
                                                          f"of its own: {slug_fix(new, taken, config)}")


def slug_fix(entry: Entry, taken: Collection[str], config: Config) -> str:
    """`write the line as slug: talks-2` (or `add a line ...` where the entry has no `slug:`
    line), with the first numbered slug whose URL is not in taken."""
    number = 2
    while entry_url(replace(entry, slug=f"{entry.slug}-{number}"), config) in taken:
        number += 1
    free = f"slug: {entry.slug}-{number}"
    return f"write the line as {free}" if "slug" in dict(entry.lines) else f"add a line {free} above this closing '---'"


def group_terms(posts: tuple[Post, ...], values_of, field: str):
    """Group posts by case-insensitive term: (name by key, slug by key, posts by key, problems).
    A term is named by its most used spelling; `field` is the front-matter key, for messages."""
    spellings: dict[str, list[str]] = {}
    members: dict[str, list[Post]] = {}
    first_place: dict[str, tuple[str, int]] = {}
    for post in posts:
        for value in values_of(post.entry):
            key = term_key(value)
            found = members.get(key)
            if found is None:
                members[key], spellings[key] = [post], [value]
                first_place[key] = (post.entry.path, post.entry.line_of(field))
            else:
                found.append(post)
                spellings[key].append(value)
    names = {key: values[0] if values.count(values[0]) == len(values) else most_used(values)
             for key, values in spellings.items()}
    slugs, problems = assign_slugs(names, first_place, field)
    return names, slugs, members, problems


def most_used(spellings: list[str]) -> str:
    """The most used spelling; of equally used ones, the first in code point order."""
    counts = Counter(spellings)
    return min(counts, key=lambda s: (-counts[s], s))


def build_taxonomy(name: str, posts: tuple[Post, ...], strings: Strings | None = None,
                   prefix: str = "") -> tuple[Taxonomy, list[Problem]]:
    """strings: the site language's, for the taxonomy's title (`Tags`; English without)."""
    field = "source" if name == "sources" else name
    values_of = (lambda entry: entry_values(entry, name)) if name == "sources" else attrgetter(name)
    names, slugs, members, problems = group_terms(posts, values_of, field)
    terms = [Term(name, key, names[key], slugs[key], tuple(members[key]), prefix) for key in names]
    terms.sort(key=lambda t: (t.name.casefold(), t.slug))
    title, singular = strings.text(f"taxonomy.{name}") if strings else name.capitalize(), TAXONOMY_SINGULAR[name]
    return Taxonomy(name, title, singular, tuple(terms), {t.key: t for t in terms}, prefix), problems


def assign_slugs(names: dict[str, str], first_place: dict[str, tuple[str, int]], field: str):
    """Slug per term key; when two terms share a slug, the first by key keeps it and the
    others get a suffix from a hash of their own key, so slugs stay stable as terms come and go."""
    by_slug: dict[str, list[str]] = defaultdict(list)
    for key, name in names.items():
        by_slug[slugify(name) or "t-" + short_hash(key)].append(key)
    slugs, problems = {}, []
    taken = set(by_slug)  # a term whose own slug is `c-372946` keeps it: suffixes go around it
    for slug, keys in by_slug.items():
        keys.sort()
        slugs[keys[0]] = slug
        for key in keys[1:]:
            slugs[key] = suffixed(slug, key, taken)
            taken.add(slugs[key])
            path, line = first_place[key]
            problems.append(Problem(path, line, field,
                                    f"'{names[key]}' and '{names[keys[0]]}' make the same slug '{slug}'; "
                                    f"'{names[key]}' gets '{slugs[key]}'", WARNING))
    return slugs, problems


def short_hash(text: str, length: int = 6) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:length]


def suffixed(slug: str, key: str, taken: set[str]) -> str:
    """`slug-` and the shortest hash of the key, from 6 hex digits, that no slug has taken."""
    for length in range(6, 40):
        candidate = f"{slug}-{short_hash(key, length)}"
        if candidate not in taken:
            return candidate
    return f"{slug}-{short_hash(key, 40)}"


def build_months(posts: tuple[Post, ...], config: Config, day_of: dict | None = None,
                 prefix: str = "") -> tuple[Month, ...]:
    """day_of: publication_days(posts), if made already."""
    day_of = day_of if day_of is not None else publication_days(posts, config)
    groups: dict[tuple[int, int], list[Post]] = defaultdict(list)
    for post in posts:
        local = day_of[post.url]
        groups[(local.year, local.month)].append(post)
    return tuple(Month(y, m, tuple(groups[(y, m)]), prefix) for y, m in sorted(groups, reverse=True))


def paginate(posts: tuple[Post, ...], per_page: int, first_url: str) -> list[Pager]:
    """`first_url` is page 1; page n lives at `{first_url}page/{n}/`. An empty list has one page."""
    chunks = [posts[i:i + per_page] for i in range(0, len(posts), per_page)] or [()]
    urls = [first_url] + [f"{first_url}page/{n}/" for n in range(2, len(chunks) + 1)]
    return [Pager(n + 1, len(chunks), chunk, urls[n], urls[n - 1] if n else None,
                  urls[n + 1] if n + 1 < len(chunks) else None) for n, chunk in enumerate(chunks)]


def entry_terms(post: Post, taxonomies: dict) -> dict:
    return {name: [tax.by_key[term_key(v)] for v in entry_values(post.entry, name)]
            for name, tax in taxonomies.items()}


class EntryTerms(Mapping):
    """An entry page's terms by taxonomy (entry_terms), worked out when the page first reads
    them: a rebuild that renders a few entry pages does not look up every entry's terms."""

    __slots__ = ("post", "taxonomies", "_terms")

    def __init__(self, post: Post, taxonomies: dict):
        self.post, self.taxonomies, self._terms = post, taxonomies, None

    @property
    def terms(self) -> dict:
        if self._terms is None:
            self._terms = entry_terms(self.post, self.taxonomies)
        return self._terms

    def __getitem__(self, name: str) -> list:
        return self.terms[name]

    def __iter__(self):
        return iter(self.terms)

    def __len__(self) -> int:
        return len(self.terms)


def languages_of(entries: Iterable[Entry]) -> list[str]:
    """The languages entries are written in, each once, in order."""
    return list(dict.fromkeys(entry.language for entry in entries))


def section_posts(posts: tuple[Post, ...], config: Config) -> dict[str, tuple[Post, ...]]:
    """The posts of each language's section, newest first, the site's language first. Without
    `languages`, one section holds every post; with it, an entry in a language it does not
    list is in the site language's section."""
    if not config.languages:
        return {config.language: posts}
    sections: dict[str, list[Post]] = {language: [] for language in config.site_languages}
    for post in posts:
        language = post.entry.language
        sections[language if language in sections else config.language].append(post)
    return {language: tuple(members) for language, members in sections.items()}


def shared_routes(config: Config, catalog: Catalog, routes: list[Route], posts: tuple[Post, ...]) -> list[Route]:
    """The pages of the whole site, once for every language: 404.html, robots.txt, the sitemap."""
    strings = catalog[config.language]
    made = [Route("404.html", "404.html", {"title": strings.text("not_found.title")}), Route("robots.txt", "robots.txt", {})]
    made += sitemap_routes(routes + made, news_posts(posts) if config.news_sitemap else None)
    return with_strings(made, catalog, config.language)


def section_prefix(config: Config, language: str) -> str:
    """The folder of a language's pages: none for the site's `language` (and for any language
    the `languages` setting does not list), `uk/` for `uk` when it does."""
    return f"{language.lower()}/" if language != config.language and language in config.languages else ""


def with_strings(routes: list[Route], catalog: Catalog, language: str) -> list[Route]:
    """Every route's context with the interface's strings as `t`: of the entry's language on
    an entry's page, else of `language`; and `section`, the language whose section the page is
    in (its navigation: views.site_view). Both are part of a page's fingerprint (reuse.py)."""
    strings = catalog[language]
    made = []
    for route in routes:
        post = route.context.get("post") if route.template == "entry.html" else \
            route.context.get("target") if route.template == ALIAS_TEMPLATE else None
        own = strings if post is None or post.entry.language == language else catalog[post.entry.language]
        made.append(Route(route.url, route.template, {**route.context, "t": own, "section": language}))
    return made


# --- translations: entries that share a `translation_key` ---------------------------------

@dataclass(frozen=True)
class Translation:
    """One language version of an entry, as the others link to it."""

    language: str               # its language tag: hreflang, lang
    name: str                   # the language's own name: `Українська`, `English`
    url: str


def language_name(tag: str) -> str:
    """A language's name in itself (CLDR's autonym), first letter in capitals: `Українська`."""
    name = locale_of(tag).get_display_name(locale_of(tag)) or tag
    return name[:1].upper() + name[1:]


def translation_groups(posts: Iterable[Post]) -> tuple[dict[str, tuple[Translation, ...]], list[Problem]]:
    """Entry URL -> every version of it (its own included), by language tag, for each entry
    that has a `translation_key` another entry shares. Two entries of one key in one language
    are an error naming both (the first by path keeps its place)."""
    groups: dict[str, dict[str, Post]] = defaultdict(dict)
    problems = []
    for post in sorted(posts, key=lambda p: p.entry.path):
        key = post.entry.translation_key
        if key is None:
            continue
        versions = groups[key]
        other = versions.get(post.entry.language)
        if other is not None:
            problems.append(Problem(post.entry.path, post.entry.line_of("translation_key"), "translation_key",
                                    f"'{key}' in language '{post.entry.language}' is already {other.entry.path}; "
                                    "two entries cannot be one translation: give this one another "
                                    "`translation_key:` or another `language:`"))
            continue
        versions[post.entry.language] = post
    found = {}
    for versions in groups.values():
        if len(versions) < 2:
            continue
        made = tuple(Translation(tag, language_name(tag), versions[tag].url) for tag in sorted(versions))
        for post in versions.values():
            found[post.url] = made
    return found, problems


def make_routes(config: Config, posts, taxonomies, months, features: "Features | None" = None,
                day_of: dict | None = None, catalog: Catalog | None = None, language: str | None = None,
                shared: bool = True, translations: dict | None = None) -> list[Route]:
    """The pages of one language's section (`language`, default the site's: its folder is
    section_prefix); shared: also the pages of the whole site (404, robots.txt, sitemap);
    translations: translation_groups of every post of the site (default: of `posts`)."""
    catalog = catalog or site_catalog(config, languages_of(post.entry for post in posts))[0]
    language = language or config.language
    prefix = section_prefix(config, language)
    strings = catalog[language]
    features = features or Features((), (), {}, RelatedIndex(()))
    translations = translation_groups(posts)[0] if translations is None else translations
    routes, day_of = [], day_of if day_of is not None else publication_days(posts, config)
    for pager in paginate(posts, config.per_page, prefix):
        routes.append(Route(pager.url, "list.html", {"kind": "home", "title": None, "pager": pager}))
    for post in posts:
        routes.append(Route(post.url, "entry.html", {"post": post, "terms": EntryTerms(post, taxonomies),
                                                      "translations": translations.get(post.url, ()),
                                                      # story navigation and related entries
                                                      "story_place": features.story_places.get(post.url),
                                                      "related": Related(features.related, post.url)}))
    for tax in taxonomies.values():
        routes.append(Route(tax.url, "terms.html", {"taxonomy": tax, "title": tax.title,
                                                     "sizes": term_sizes(tax)}))
        for term in tax.terms:
            for pager in paginate(term.posts, config.per_page, term.url):
                routes.append(Route(pager.url, "list.html", {"kind": tax.name, "title": term.name,
                                                               "term": term, "taxonomy": tax, "pager": pager,
                                                               # a chart on the first page only
                                                               "chart": activity_chart(term.posts, config, day_of=day_of)
                                                               if pager.number == 1 else None}))
    routes.append(Route(prefix + "archive/", "archive.html", {"months": months, "title": strings.text("archive.title"),
                                                     "chart": activity_chart(posts, config, day_of=day_of)}))
    for month in months:
        routes.append(Route(month.url, "list.html", {"kind": "month", "title": None, "month": month,
                                                     "pager": paginate(month.posts, len(month.posts) or 1, month.url)[0]}))
    # Stories, weekly digest issues and their feeds.
    routes += feature_routes(config, posts, taxonomies, features, day_of, strings, prefix)
    if config.search_pages:
        routes.append(Route(prefix + "search/", "search.html", {"title": strings.text("search.title")}))
    if shared:
        routes.append(Route("404.html", "404.html", {"title": strings.text("not_found.title")}))
    # --- feeds, robots.txt, sitemap ------------------------------------------------------
    routes += feed_routes(prefix, config.title, posts, config, json_feed=True, newest_first=True, language=language)
    for tax in taxonomies.values():
        for term in tax.terms:
            routes += feed_routes(term.url, strings.text(f"taxonomy.{tax.name}_term", name=term.name) + " · " + config.title,
                                  term.posts, config, newest_first=True, language=language)
    if shared:
        routes.append(Route("robots.txt", "robots.txt", {}))
    routes += alias_routes(posts)
    # The sitemap lists site.routes when it is rendered, so routes appended after this count too.
    if shared:
        routes += sitemap_routes(routes, news_posts(posts) if config.news_sitemap else None)
    # --- end of feeds, robots.txt, sitemap ---------------------------------------------
    return with_strings(routes, catalog, language)


# --- aliases: old URLs of entries ------------------------------------------------------------

ALIAS_TEMPLATE = "alias.html"


def alias_routes(posts: Iterable[Post]) -> list[Route]:
    """A redirect page at each alias of each entry (check_aliases refuses those that collide)."""
    return [Route(alias, ALIAS_TEMPLATE, {"target": post}) for post in posts for alias in post.entry.aliases]


def check_aliases(routes: Sequence[Route], paths: Sequence[str]) -> list[Problem]:
    """An alias on any other page, on another alias, inside a folder of RESERVED_FOLDERS, or
    below a file the site writes: an error at the alias, naming the other file."""
    owners: dict[str, Route] = {}
    aliases = []
    for route, path in zip(routes, paths):
        if route.template == ALIAS_TEMPLATE:
            aliases.append((route, path))
        else:
            owners.setdefault(path, route)
    problems = []
    for route, path in aliases:
        entry = route.context["target"].entry
        line = entry.line_of("aliases")
        other = owners.get(path)
        folder = path.partition("/")[0]
        above = next((f"{part}" for part in _folders_of(path) if part in owners), None)
        if folder in RESERVED_FOLDERS:
            message = f"/{folder}/, which holds the site's {RESERVED_FOLDERS[folder]}; remove the alias"
            problems.append(Problem(entry.path, line, "aliases", f"alias /{route.url} is inside {message}"))
            continue
        if other is None and above is None:
            owners[path] = route
            continue
        if above is not None:
            message = f"below /{above}, which is a file of the site ({_owner_of(owners[above])}); remove the alias"
        elif other.template == ALIAS_TEMPLATE:
            message = f"also an alias of {other.context['target'].entry.path}; keep it on one entry only"
        elif other.context.get("post") is route.context["target"]:
            message = "this entry's own URL; remove the alias"
        else:
            message = f"{_owner_of(other)}; remove the alias, or move that page"
        problems.append(Problem(entry.path, line, "aliases", f"alias /{route.url} is {message}"))
    return problems


def _owner_of(route: Route) -> str:
    """What a page of the site is, for a message: an entry's file, or the page digest makes."""
    post = route.context.get("post")
    if isinstance(post, Post):
        return f"the URL of {post.entry.path}"
    return f"the page /{route.url} that digest makes"


def _folders_of(path: str) -> Iterator[str]:
    """`a`, `a/b` for `a/b/c/index.html`."""
    parts = path.split("/")
    return ("/".join(parts[:depth]) for depth in range(1, len(parts)))


def moved_urls(site: "Site", previous: dict[str, Entry]) -> list[Problem]:
    """A warning for each entry whose URL is not the one the last build gave it (previous:
    file -> its Entry then, from the build cache), unless an alias or another page keeps the
    old URL: links to it would break. The fix is the alias line."""
    config, problems = site.config, []
    taken = set(site.paths)
    for post in site.posts:
        before = previous.get(post.entry.path)
        if before is None:
            continue
        old = entry_url(before, config)
        if old == post.url or route_path(old) in taken:
            continue
        entry = post.entry
        fix = (f"add /{old} to its `aliases:` list" if entry.aliases
               else f"add the line `aliases: [/{old}]` to keep them working")
        field = "aliases" if entry.aliases else "slug" if entry.line_of("slug") != 1 else None
        problems.append(Problem(entry.path, entry.line_of(field) if field else 1, field,
                                f"the URL changed since the last build, from /{old} to /{post.url}; links to the "
                                f"old URL will break: {fix}", WARNING))
    return problems


# --- feeds and sitemap -------------------------------------------------------------------

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
    texts: dict[int, str] = {}  # id(Moment) -> Moment.iso(): a listing's date is one of its posts'
    items = []
    for index, (route, path) in enumerate(zip(site.routes, site.paths)):
        if is_sitemap_page(path, route):
            text = known[index] if known else None
            if text is None:
                lastmod = route_lastmod(route, newest)
                text = "" if lastmod is None else texts.get(id(lastmod))
                if text is None:
                    text = texts[id(lastmod)] = lastmod.iso()
            items.append((absolute_url(route.url, base), text))
    return items


def sitemap_lastmods(site: "Site", items: list[tuple[str, str]]) -> tuple[str | None, ...]:
    """Each route's last-modified text in the sitemap's items (make_sitemap); None for a route
    it does not list."""
    texts = iter([text for _, text in items])
    return tuple([next(texts) if is_sitemap_page(path, route) else None for route, path in zip(site.routes, site.paths)])


def check_unique(routes: Sequence[Route], posts, paths: Sequence[str], config: Config) -> list[Problem]:
    """An entry URL that lands on a listing page (permalink `/{slug}/`, slug `tags`) is an error.
    paths: each route's output path (Site.paths)."""
    if len(set(paths)) == len(paths):
        return []
    owners = {post.url: post.entry for post in posts}
    seen, problems = set(), []
    for route, path in zip(routes, paths):
        if path in seen and route.url in owners and route.template != ALIAS_TEMPLATE:  # check_aliases
            entry = owners[route.url]
            taken = {route.url for route in routes}
            problems.append(Problem(entry.path, entry.line_of("slug"), "slug",
                                    f"URL /{route.url} is already a page of the site; give this entry a URL of "
                                    f"its own: {slug_fix(entry, taken, config)}"))
        seen.add(path)
    return problems


def entry_link_url(link, url_of: dict, base_path: str) -> str | None:
    """The URL of a body link to another entry's file (`../07/other.md#part`), or None."""
    if link.target not in url_of:
        return None
    cut = min([i for i in (link.href.find("?"), link.href.find("#")) if i >= 0], default=len(link.href))
    return base_path + url_of[link.target] + link.href[cut:]


def resolve_body_links(posts: tuple[Post, ...], config: Config) -> tuple[Post, ...]:
    """Point body links to other entries' files at those entries' pages. Links to files that
    are not entries stay as written; the link check reports them with their line."""
    if not any(link.target for post in posts for link in post.entry.links):
        return posts
    url_of = {post.entry.path: post.url for post in posts}
    return tuple(Post(linked_entry(post.entry, url_of, config), post.url) for post in posts)


def escape_href(url: str) -> str:
    """A URL as markdown-it-py's renderer writes it in an attribute (its escapeHtml: & < > ")."""
    return url.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def linked_entry(entry: Entry, url_of: dict, config: Config) -> Entry:
    """The entry with its body links to other entries' files (url_of: path -> URL) resolved."""
    if not any(link.target for link in entry.links):
        return entry
    html, links = entry.body_html, []
    for link in entry.links:
        url = entry_link_url(link, url_of, config.base_path)
        if url is not None:
            html = html.replace(f'href="{escape_href(link.href)}"', f'href="{escape_href(url)}"')
            link = replace(link, href=url)
        links.append(link)
    return replace(entry, body_html=html, links=tuple(links))


# Entry fields the model never reads: only pages that show the post itself do. Two versions
# of an entry that differ in these alone give the same listings, terms, stories, digests,
# charts and related entries (tests/test_site.py changes each one), so `digest serve` can
# keep the model, show the new version (views.Views, revised) and re-render only the pages
# that show it.
SHOWN_ONLY = frozenset({"title", "summary", "body_html", "source_url", "authors", "kind", "lines", "links"})
MODEL_FIELDS = tuple(f.name for f in fields(Entry) if f.compare and f.name not in SHOWN_ONLY)


def model_fields(entry: Entry) -> tuple:
    """What the site model reads of an entry."""
    return tuple(getattr(entry, name) for name in MODEL_FIELDS)


def build_site(entries: Iterable[Entry], config: Config, default_image: LeadImage | None = None,
               catalog: Catalog | None = None, earlier: Collection[str] = ()) -> tuple[Site, list[Problem]]:
    """default_image: the `default_image` setting's, read (images.read_default_image);
    catalog: the interface's strings for the site's languages and its entries' (by default
    the bundled and the site's tables, read now: the build reads them beforehand); earlier:
    the entry files of the last build, if known (see same_url)."""
    entries = list(entries)
    if catalog is None:
        catalog = site_catalog(config, languages_of(entries))[0]
    posts, problems, day_of = placed_posts(entries, config, earlier)  # months, issues, charts read day_of
    posts = resolve_body_links(posts, config)
    sections = section_posts(posts, config)
    translations, found = translation_groups(posts)
    problems += found
    routes: list[Route] = []
    shown = None  # the site language's taxonomies, months and features: the Site's own
    for language, members in sections.items():
        prefix = section_prefix(config, language)
        section_taxonomies = {}
        for name in config.taxonomies:
            section_taxonomies[name], found = build_taxonomy(name, members, catalog[language], prefix)
            problems += found
        section_months = build_months(members, config, day_of, prefix)
        section_features, found = build_features(members, section_taxonomies, config, day_of, prefix)
        problems += found
        routes += make_routes(config, members, section_taxonomies, section_months, section_features, day_of,
                              catalog, language, shared=len(sections) == 1, translations=translations)
        shown = shown or (section_taxonomies, section_months, section_features)
    taxonomies, months, features = shown
    if len(sections) > 1:
        routes += shared_routes(config, catalog, routes, posts)
    site = Site(config, posts, taxonomies, months, tuple(routes), features.stories, features.issues, default_image,
                catalog)
    problems += (check_unique(site.routes, posts, site.paths, config) + check_reserved(posts, config)
                 + check_aliases(site.routes, site.paths))
    return site, problems


# Folders the build fills with files that are not pages (the preview serves pagefind/ from
# Pagefind's own folder), and what they hold.
RESERVED_FOLDERS = {"static": "static files", "pagefind": "search index"}


def check_reserved(posts: Sequence[Post], config: Config) -> list[Problem]:
    """An entry URL inside a folder of RESERVED_FOLDERS (permalink `/{slug}/`, slug `static`)."""
    problems = []
    for post in posts:
        folder = post.url.partition("/")[0]
        if folder in RESERVED_FOLDERS:
            problems.append(Problem(post.entry.path, post.entry.line_of("slug"), "slug",
                                    f"URL /{post.url} is inside /{folder}/, which holds the site's "
                                    f"{RESERVED_FOLDERS[folder]}; give this entry a URL of its own: "
                                    f"{slug_fix(post.entry, {other.url for other in posts}, config)}"))
    return problems


# === Stories, weekly digest issues, related entries, activity charts ====================
# Everything below is computed once per build from the placed posts; templates only read it.

RELATED_LIMIT = 5
# Shared story > shared person > shared place > shared tag; an entry's score is the sum.
RELATED_WEIGHTS = (("story", 16), ("people", 4), ("places", 2), ("tags", 1))
CHART_WEEKS_MAX = 26        # longer spans are drawn per month
CHART_BAR_MAX = 48.0        # widest bar, in chart units (the chart is 600 wide)


@dataclass(frozen=True)
class Story:
    key: str
    name: str
    slug: str
    posts: tuple[Post, ...]     # the timeline: by event_date (else date), oldest first
    prefix: str = ""

    @property
    def url(self) -> str:
        return f"{self.prefix}stories/{self.slug}/"

    @property
    def feed_url(self) -> str:
        return f"{self.prefix}stories/{self.slug}/feed.xml"

    @property
    def count(self) -> int:
        return len(self.posts)

    @property
    def first(self):
        """The earliest event of the story (a Moment)."""
        return self.posts[0].entry.when

    @property
    def last(self):
        return self.posts[-1].entry.when

    @property
    def updated(self):
        """The latest publication date in the story (a Moment): stories are listed by it."""
        return max((p.entry.date for p in self.posts), key=lambda m: m.value)

    @property
    def newest_first(self) -> tuple[Post, ...]:
        return tuple(sorted(self.posts, key=lambda p: (p.entry.date.value, p.entry.path), reverse=True))


@dataclass(frozen=True)
class StoryPlace:
    """Where one entry sits in its story: for "Part of: <story>" with previous/next."""

    story: Story
    position: int               # 1-based, in timeline order
    previous: Post | None
    next: Post | None


@dataclass(frozen=True)
class IssueGroup:
    """Entries of one weekly issue under one heading: a story, or else the entries' first tag."""

    kind: str                   # "story" or "tag"
    name: str
    url: str                    # the story's or the tag's page
    posts: tuple[Post, ...]


@dataclass(frozen=True)
class Issue:
    """One weekly digest issue: the entries published in one ISO week, in the site timezone."""

    year: int                   # ISO year: 2024-12-30 belongs to 2025-W01
    week: int
    start: date                 # Monday
    end: date                   # Sunday
    posts: tuple[Post, ...]     # oldest first
    groups: tuple[IssueGroup, ...]
    prefix: str = ""

    @property
    def url(self) -> str:
        return self.prefix + issue_url(self.year, self.week)

    @property
    def count(self) -> int:
        return len(self.posts)

    @property
    def updated(self):
        return max((p.entry.date for p in self.posts), key=lambda m: m.value)


class Bar(NamedTuple):  # a tuple: a site has tens of thousands of bars, and a dataclass is slow to make
    start: date                 # first day of the week or month (Strings.bar_label names it)
    count: int
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Chart:
    """Entries per week (or per month for long spans), drawn as inline SVG by _chart.html.
    It holds what it counts; its bars are worked out when a template first reads them."""

    unit: str                   # "week" or "month"
    first: date                 # the first day of the first week or month
    counts: tuple[int, ...]     # entries per week or month, from the first on
    total: int
    peak: int
    width: int = 600
    height: int = 102  # the plot and its axis line; labels are HTML below it
    plot_top: int = 8
    plot_bottom: int = 100

    @cached_property
    def bars(self) -> tuple[Bar, ...]:
        slot = self.width / len(self.counts)
        gap = min(slot * 0.15, 4.0)
        span = self.plot_bottom - self.plot_top
        # A bar is at most CHART_BAR_MAX wide, centred in its slot: one busy week is a bar, not
        # a block filling the whole chart.
        bar_width = min(max(slot - gap, 0.5), CHART_BAR_MAX)
        bars = []
        for number, count in enumerate(self.counts):
            start = chart_slot(self.unit, self.first, number)
            height = round(span * count / self.peak, 2)
            bars.append(Bar(start, count, round(number * slot + (slot - bar_width) / 2, 2),
                            round(self.plot_bottom - height, 2), round(bar_width, 2), height))
        return tuple(bars)

    @property
    def busiest(self) -> Bar:
        return min(self.bars, key=lambda b: (-b.count, b.start))


def issue_url(year: int, week: int) -> str:
    """`digest/2025/w01/`: the week number is zero-padded to two digits so URLs sort."""
    return f"digest/{year:04d}/w{week:02d}/"


def local_day(moment, config: Config) -> date:
    return moment.value.astimezone(config.tz).date()


def publication_days(posts: Iterable[Post], config: Config) -> dict[str, date]:
    """Post URL -> the day it was published, in the site's time zone."""
    return {post.url: local_day(post.entry.date, config) for post in posts}


def timeline_key(post: Post) -> tuple:
    entry = post.entry
    return (entry.when.value, entry.date.value, entry.path)


def build_stories(posts: tuple[Post, ...], prefix: str = "") -> tuple[tuple[Story, ...], list[Problem]]:
    """Entries sharing `story` (case-insensitively) form a story; most recently updated first."""
    names, slugs, members, problems = group_terms(
        posts, lambda entry: (entry.story,) if entry.story else (), "story")
    stories = [Story(key, names[key], slugs[key], tuple(sorted(members[key], key=timeline_key)), prefix) for key in names]
    stories.sort(key=lambda s: (-s.updated.value.timestamp(), s.name.casefold(), s.slug))
    return tuple(stories), problems


def story_places(stories: tuple[Story, ...]) -> dict[str, StoryPlace]:
    """Entry URL -> its place in its story."""
    places = {}
    for story in stories:
        for index, post in enumerate(story.posts):
            places[post.url] = StoryPlace(story, index + 1, story.posts[index - 1] if index else None,
                                          story.posts[index + 1] if index + 1 < len(story.posts) else None)
    return places


def build_issues(posts: tuple[Post, ...], stories: tuple[Story, ...], taxonomies: dict,
                 config: Config, day_of: dict | None = None, prefix: str = "") -> tuple[Issue, ...]:
    """One issue per ISO week (of the publication date in the site timezone) that has entries;
    newest first. day_of: publication_days(posts), if made already."""
    day_of = day_of if day_of is not None else publication_days(posts, config)
    weeks: dict[tuple[int, int], list[Post]] = defaultdict(list)
    for post in posts:
        year, week, _ = day_of[post.url].isocalendar()
        weeks[(year, week)].append(post)
    story_by_key = {story.key: story for story in stories}
    tags = taxonomies.get("tags")
    issues = []
    for (year, week), members in sorted(weeks.items(), reverse=True):
        members.reverse()  # oldest first: posts come newest first, by instant then path (placed_posts)
        start = date.fromisocalendar(year, week, 1)
        issues.append(Issue(year, week, start, start + timedelta(days=6), tuple(members),
                            issue_groups(members, story_by_key, tags), prefix))
    return tuple(issues)


def issue_groups(members: list[Post], story_by_key: dict, tags) -> tuple[IssueGroup, ...]:
    """Stories first (largest first), then entries outside a story by their first tag."""
    by_story: dict[str, list[Post]] = defaultdict(list)
    by_tag: dict[str, list[Post]] = defaultdict(list)
    for post in members:
        if post.entry.story:
            by_story[term_key(post.entry.story)].append(post)
        else:
            by_tag[term_key(post.entry.tags[0])].append(post)
    groups = []
    for key, group in by_story.items():
        story = story_by_key[key]
        groups.append(IssueGroup("story", story.name, story.url, tuple(sorted(group, key=timeline_key))))
    tag_groups = []
    for key, group in by_tag.items():
        term = tags.by_key.get(key) if tags else None
        name = term.name if term else group[0].entry.tags[0]
        tag_groups.append(IssueGroup("tag", name, term.url if term else "", tuple(group)))
    order = lambda g: (-len(g.posts), g.name.casefold())  # noqa: E731
    return tuple(sorted(groups, key=order) + sorted(tag_groups, key=order))


def related_posts(posts: tuple[Post, ...], limit: int = RELATED_LIMIT) -> dict[str, tuple[Post, ...]]:
    """Entry URL -> up to `limit` related posts, for every post (see RelatedIndex)."""
    index = RelatedIndex(posts, limit)
    return {post.url: index.of(post.url) for post in posts}


class RelatedIndex:
    """Related posts of any entry, each post's worked out the first time it is asked for: a
    rebuild that renders a few entry pages scores only those.

    An inverted index maps each story, person, place and tag to the set of posts carrying
    it, held as a bitset (a Python int, bit i = posts[i]; posts are newest first). A post's
    scores against every other post are summed bit-sliced: slice j holds bit j of each
    score, and adding a feature's bitset at its weight is a ripple-carry addition on whole
    ints. Picking the best is then a walk down the slices, and among equal scores the lowest
    bit, i.e. the most recent post, wins: deterministic, and no Python loop over post pairs.

    Building that index reads every post, so the first FEW
    questions are answered without it when the site's own groups can say which posts carry
    each feature (`terms`: feature_groups, the taxonomies' terms and the stories by key):
    the posts sharing one with the entry are scored one by one, by the same weights and the
    same tie-break. Both ways give the same answer (tests/test_related.py).
    """

    FEW = 64  # questions answered without the index; a full pass asks one per entry

    def __init__(self, posts: tuple[Post, ...], limit: int = RELATED_LIMIT, terms: dict | None = None):
        self.posts, self.limit, self.terms = posts, limit, terms
        self.number = {post.url: number for number, post in enumerate(posts)}
        self.found: dict[str, tuple[Post, ...]] = {}
        self._features: list | None = None
        self._bitsets: dict = {}

    def of(self, url: str) -> tuple[Post, ...]:
        """The related posts of the entry at `url` (none for a URL that is no entry)."""
        known = self.found.get(url)
        if known is None:
            number = self.number.get(url)
            if number is None:
                known = ()
            elif self._features is None and len(self.found) < self.FEW and self.terms is not None:
                known = self._score_sharing(number)
            if known is None:
                known = self._score(number)
            self.found[url] = known
        return known

    @staticmethod
    def features_of(post: Post) -> dict[tuple[str, str], int]:
        """(field, term key) -> the binary digit of its weight (16 -> 4), for one post."""
        own: dict[tuple[str, str], int] = {}
        for field_name, weight in RELATED_WEIGHTS:
            values = (post.entry.story,) if field_name == "story" else getattr(post.entry, field_name)
            for value in values:
                if value:
                    own[(field_name, term_key(value))] = weight.bit_length() - 1
        return own

    def _score_sharing(self, number: int) -> tuple[Post, ...] | None:
        """Score only the posts that share a feature with posts[number]; None when the site's
        groups do not hold one of its features (then the index answers). A group holds each
        post once: an entry's values are distinct by term key (entries.to_text_list)."""
        scores: dict[int, int] = {}
        for (field_name, key), digit in self.features_of(self.posts[number]).items():
            group = self.terms[field_name].get(key)
            if group is None:
                return None
            for other in group.posts:
                other_number = self.number[other.url]
                scores[other_number] = scores.get(other_number, 0) + (1 << digit)
        scores.pop(number, None)
        best = sorted(scores.items(), key=lambda item: (-item[1], item[0]))[:self.limit]
        return tuple(self.posts[other] for other, _ in best)

    def _index(self) -> list:
        postings: dict[tuple[str, str], bytearray] = {}
        features: list[list[tuple[tuple[str, str], int]]] = []
        size = (len(self.posts) + 7) // 8
        for number, post in enumerate(self.posts):
            own = self.features_of(post)
            for feature in own:
                bits = postings.get(feature)
                if bits is None:  # (not setdefault: that would make a bitset for every call)
                    bits = postings[feature] = bytearray(size)
                bits[number >> 3] |= 1 << (number & 7)
            features.append(list(own.items()))
        self._bitsets = {feature: int.from_bytes(bits, "little") for feature, bits in postings.items()}
        return features

    def _score(self, number: int) -> tuple[Post, ...]:
        if self._features is None:
            self._features = self._index()
        slices: list[int] = []
        alive = 0
        for feature, digit in self._features[number]:
            bits = self._bitsets[feature]
            alive |= bits
            carry = bits
            while carry:
                while len(slices) <= digit:
                    slices.append(0)
                current = slices[digit]
                slices[digit] = current ^ carry
                carry &= current
                digit += 1
        alive &= ~(1 << number)
        chosen: list[int] = []
        while alive and len(chosen) < self.limit:
            level = alive
            for bits in reversed(slices):
                top = level & bits
                if top:
                    level = top
            alive ^= level
            while level and len(chosen) < self.limit:
                lowest = level & -level
                chosen.append(lowest.bit_length() - 1)
                level ^= lowest
        return tuple(self.posts[other] for other in chosen)


class Related(Sequence):
    """One entry page's related posts, as templates read them (`if`, `for`, `length`): worked
    out by the site's RelatedIndex when first read."""

    __slots__ = ("index", "url")

    def __init__(self, index: RelatedIndex, url: str):
        self.index, self.url = index, url

    @property
    def posts(self) -> tuple[Post, ...]:
        return self.index.of(self.url)

    def __getitem__(self, item):
        return self.posts[item]

    def __len__(self) -> int:
        return len(self.posts)

    def __iter__(self):
        return iter(self.posts)

    def __eq__(self, other) -> bool:
        return tuple(self) == tuple(other) if isinstance(other, (Related, tuple)) else NotImplemented

    def __repr__(self) -> str:
        return f"Related({self.url!r})"


def activity_chart(posts: Iterable[Post], config: Config, width: int = 600,
                   day_of: dict | None = None) -> "ChartOf | None":
    """Entries per week of publication (site timezone), or per month when the span is
    longer than CHART_WEEKS_MAX weeks; empty weeks and months are drawn as gaps. None for
    no posts. day_of: post URL -> its local day, made once for a site's hundreds of charts."""
    posts = tuple(posts)
    if not posts:
        return None
    return ChartOf(posts, day_of if day_of is not None else publication_days(posts, config), width)


class ChartOf:
    """The activity chart of some posts, counted when first read (a Chart: templates and
    fingerprints read it through this): a site has a chart per term, and a rebuild
    fingerprints and renders few of them."""

    # `members`, not `posts`: code that finds a page's entries by a `posts` attribute
    # (route_lastmod) must not take a chart for a listing.
    __slots__ = ("members", "day_of", "width", "_chart")

    def __init__(self, members: tuple[Post, ...], day_of: dict, width: int):
        self.members, self.day_of, self.width, self._chart = members, day_of, width, None

    @property
    def chart(self) -> Chart:
        if self._chart is None:
            self._chart = count_chart([self.day_of[post.url] for post in self.members], self.width)
        return self._chart

    def __getattr__(self, name: str):
        if name.startswith("_"):  # asked before __init__ ran (unpickling, copying): not the chart's
            raise AttributeError(name)
        return getattr(self.chart, name)

    def __reduce__(self):  # to a worker process (spawned, not forked): the counted chart alone
        return ChartOf.counted, (self.chart,)

    @staticmethod
    def counted(chart: Chart) -> "ChartOf":
        made = ChartOf((), {}, chart.width)
        made._chart = chart
        return made

    def __eq__(self, other) -> bool:
        return self.chart == other.chart if isinstance(other, ChartOf) else NotImplemented

    def __repr__(self) -> str:
        return f"ChartOf({self.chart!r})"


def count_chart(days: list[date], width: int) -> Chart:
    first, last = min(days), max(days)
    first_monday = first - timedelta(days=first.weekday())
    weeks = (last - timedelta(days=last.weekday()) - first_monday).days // 7 + 1
    if weeks <= CHART_WEEKS_MAX:
        unit, start, slots = "week", first_monday, weeks
        counts = Counter((day - first_monday).days // 7 for day in days)
    else:
        unit, start = "month", date(first.year, first.month, 1)
        slots = (last.year - first.year) * 12 + last.month - first.month + 1
        counts = Counter((day.year - first.year) * 12 + day.month - first.month for day in days)
    return Chart(unit, start, tuple(counts.get(number, 0) for number in range(slots)), len(days),
                 max(counts.values()), width=width)


def chart_slot(unit: str, first: date, number: int) -> date:
    """The first day of a chart's bar `number`, counted from `first`."""
    if unit == "week":
        return first + timedelta(weeks=number)
    return date(first.year + (first.month - 1 + number) // 12, (first.month - 1 + number) % 12 + 1, 1)


def term_sizes(taxonomy: Taxonomy, steps: int = 5) -> dict[str, int]:
    """Term slug -> a size step 1..steps on a log scale of its entry count (for the tags index)."""
    counts = [term.count for term in taxonomy.terms]
    if not counts:
        return {}
    low, high = math.log(min(counts)), math.log(max(counts))
    if high == low:
        return {term.slug: 1 for term in taxonomy.terms}
    return {term.slug: 1 + round((steps - 1) * (math.log(term.count) - low) / (high - low))
            for term in taxonomy.terms}


@dataclass(frozen=True)
class Features:
    """Stories, weekly digest issues, related entries and story places: built once, read by
    make_routes."""

    stories: tuple[Story, ...]
    issues: tuple[Issue, ...]
    story_places: dict
    related: "RelatedIndex"


def build_features(posts: tuple[Post, ...], taxonomies: dict, config: Config,
                   day_of: dict | None = None, prefix: str = "") -> tuple[Features, list[Problem]]:
    stories, problems = build_stories(posts, prefix)
    issues = build_issues(posts, stories, taxonomies, config, day_of, prefix)
    related = RelatedIndex(posts, terms=feature_groups(taxonomies, stories))
    return Features(stories, issues, story_places(stories), related), problems


def feature_groups(taxonomies: dict, stories: tuple[Story, ...]) -> dict | None:
    """Each related-entries feature's group as the model has it already: field -> term key ->
    a Term or Story (its .posts carry it). None unless the site has a taxonomy for each field."""
    names = [name for name, _ in RELATED_WEIGHTS if name != "story"]
    if not set(names) <= taxonomies.keys():
        return None
    return {"story": {story.key: story for story in stories}, **{name: taxonomies[name].by_key for name in names}}


def feature_routes(config: Config, posts, taxonomies: dict, features: Features, day_of: dict,
                   strings: Strings, prefix: str = "") -> list[Route]:
    """Stories, weekly digest issues and their feeds (under `prefix`, a language's folder)."""
    routes = [Route(prefix + "stories/", "stories.html", {"title": strings.text("stories.title"), "stories": features.stories})]
    for story in features.stories:
        timeline = [(post, entry_terms(post, taxonomies)) for post in story.posts]
        routes.append(Route(story.url, "story.html", {"title": story.name, "story": story, "timeline": timeline,
                                                      "chart": activity_chart(story.posts, config, day_of=day_of)}))
        routes += feed_routes(story.url, strings.text("stories.story", name=story.name) + " · " + config.title,
                              story.posts, config, language=strings.language)
    issues = features.issues
    routes.append(Route(prefix + "digest/", "digests.html", {"title": strings.text("digest.title"), "issues": issues}))
    for number, issue in enumerate(issues):  # newest first: the next issue is the newer one
        routes.append(Route(issue.url, "digest_issue.html", {
            "title": strings.text("digest.issue_title", week=str(issue.week), year=str(issue.year)), "issue": issue,
            "newer": issues[number - 1] if number else None,
            "older": issues[number + 1] if number + 1 < len(issues) else None}))
    routes.append(Route(prefix + "digest/feed.xml", "digest_feed.xml", {"issues": issues[:DIGEST_FEED_ISSUES]}))
    return routes


DIGEST_FEED_ISSUES = 20
