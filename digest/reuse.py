"""Which pages can be reused from the previous build: one fingerprint per route.

A template reads nothing but its context (views.py: plain, immutable records), the common
names (the settings and the site's taxonomies, both functions of the settings) and the
filters (code). So a page is a pure function of digest's code and libraries, every template
the theme folders resolve to (a site's own or the bundled ones), the settings, and the page's
context; its fingerprint hashes exactly that, for any theme. When it is unchanged the page's
bytes are too, and the previous build's bytes are reused instead of rendering it again.
tests/test_reuse.py checks this by changing every kind of input and comparing each page whose
fingerprint did not move, with the bundled theme and with one that overrides its templates.

An entry (an EntryView, the same record wherever it shows) enters a fingerprint as its URL
and its Entry's hash of every field (Entry.fingerprint), made once per build; the interface's
strings (strings.Strings, the page's `t`) as its language and a hash of every string of its
tables, so editing a table renders the pages in that language again; every other record,
field by field.
"""

from __future__ import annotations

import hashlib
from array import array
from dataclasses import dataclass, fields
from datetime import date, datetime
from pathlib import Path

from .cache import code_fingerprint
from .config import Config
from .entries import Moment, term_key
from .model import Post, Route, Site, entry_values, route_path
from .site import MODEL_FIELDS, model_fields
from .strings import Strings
from .syndication import sitemap_lastmods
from .themes import theme_dirs
from .views import EntryView, FrozenMap, TermLink, Views


def theme_fingerprint(config: Config) -> str:
    """A hash of every template file, as the theme folders resolve it: a site's own over the
    bundled one, whichever a page reads (a template can include any other by name)."""
    resolved: dict[str, Path] = {}
    for folder in theme_dirs(config):  # most specific first: the first file of a name wins
        templates = folder / "templates"
        for path in sorted(templates.rglob("*")) if templates.is_dir() else ():
            name = path.relative_to(templates).as_posix()
            if name not in resolved and path.is_file():
                resolved[name] = path
    digest = hashlib.blake2b(digest_size=16)
    for name in sorted(resolved):
        try:
            data = resolved[name].read_bytes()
        except OSError as error:  # unreadable: its page fails to render, and is never reused
            data = repr(error).encode()
        digest.update(name.encode() + b"\0" + hashlib.blake2b(data, digest_size=16).digest())
    return digest.hexdigest()


@dataclass(frozen=True)
class Noted:
    """A route's fingerprint, and what the next build needs to know of its context."""

    key: bytes
    shown: tuple[str, ...]          # the URL of every post the context holds
    terms: tuple[tuple, ...]        # (taxonomy, term key, whether its count is shown) of every term it holds


class Fingerprints:
    """Route fingerprints for one site: fingerprint(route) -> bytes."""

    def __init__(self, site: Site, views: Views | None = None):
        self.site = site
        self.views = views or Views(site)
        self.shown: set | None = None
        self.shown_terms: set | None = None
        config = site.config
        settings = [(f.name, repr(getattr(config, f.name))) for f in fields(config) if f.name != "raw"]
        # `site`, which every page reads, in each language section: the default image's
        # renditions are named by its bytes.
        self.base = repr((code_fingerprint(), theme_fingerprint(config), settings,
                          sorted(self.views.site_views.items()))).encode("utf-8")
        self.terms: dict[int, tuple[TermLink, str]] = {}  # id(link) -> (the link, kept alive; its text)

    def fingerprint(self, route: Route, shown: set | None = None, terms: set | None = None, context=None) -> bytes:
        """shown, if given, gets the URL of every entry the route's context holds; terms, the
        (taxonomy, key, whether its count is shown) of every term it holds. context: the
        route's views.page(route), when made already."""
        self.shown, self.shown_terms = shown, terms
        context = self.views.page(route) if context is None else context
        text = repr((route.url, route.template, route.context.get("section"))) + self.value(route.context.get("t")) + \
            self.value(context)
        digest = hashlib.blake2b(self.base, digest_size=16)
        digest.update(text.encode("utf-8"))
        return digest.digest()

    def noted(self, route: Route, context=None) -> Noted:
        """The route's fingerprint, with the posts and terms its context holds."""
        shown: set = set()
        held: set = set()
        key = self.fingerprint(route, shown, held, context)
        return Noted(key, tuple(shown), tuple(held))

    def value(self, value) -> str:
        """A text for a context value: reprs of plain values, composites in brackets with their
        parts separated by commas, entries by their token: no two values that a template could
        tell apart share a text. (Text is joined in C; nested tuples cost a Python call per
        part to build and again to repr, so parts() writes plain parts without a call here.)"""
        kind = type(value)
        if kind in PLAIN:
            return repr(value)  # exact and stable
        if kind is EntryView:
            if self.shown is not None:
                self.shown.add(value.url)
            known = self.views.entries.get(value.url)  # (Entry, the view, its token: Views.entry)
            if known is not None and known[1] is value:
                return known[2]
        elif kind is TermLink:
            if self.shown_terms is not None:
                self.shown_terms.add((value.taxonomy, value.key, value.count is not None))
            known = self.terms.get(id(value))  # a term is on many pages: its text is made once
            if known is None or known[0] is not value:
                known = self.terms[id(value)] = (value, repr(value))
            return known[1]
        elif kind is Strings:  # the interface's strings: its language and a hash of every string
            return "T(" + repr((value.language, value.token)) + ")"
        elif kind is FrozenMap:
            return "{" + ",".join([self.value(key) + ":" + self.value(item) for key, item in value.items()]) + "}"
        if isinstance(value, tuple):  # and NamedTuple records
            return "[" + self.parts(value) + "]"
        names = FIELDS.get(kind)
        if names is None:
            names = FIELDS[kind] = tuple(f.name for f in fields(value))  # a views record: TypeError if not
        return kind.__name__ + "(" + self.parts([getattr(value, name) for name in names]) + ")"

    def parts(self, values) -> str:
        """The texts of values (value()), separated by commas."""
        value = self.value
        return ",".join([repr(item) if type(item) in PLAIN else value(item) for item in values])


# Values whose repr is their text: exact and stable.
PLAIN = {str, int, float, bool, type(None), datetime, date, Moment}
FIELDS: dict[type, tuple[str, ...]] = {}  # each record type's field names, as first met


# --- edits across builds ------------------------------------------------------------------
# An edit that changes only fields the model never reads (site.SHOWN_ONLY: a title, a body)
# leaves every route and every context as it was, but for the posts it changed. So when the
# routes and the fingerprints' base are those of the last build, a route that showed none of
# those posts keeps its fingerprint, and only the routes that showed one are fingerprinted
# again: the last build's PageMap says which. (serve.py does the same within one process.)
#
# An edit that changes an entry's terms too (TERM_FIELDS: tags, people, places) leaves every
# post where it was (same URL, same place in every date-ordered list) but moves it between
# terms. What that changes, besides the pages showing the edited posts: the pages of the
# terms it left or joined or spelled anew (their listings, feeds, charts: all under the
# term's URL), every page showing one of those terms' counts (the terms indexes; a new term's
# index, which lists it), every page
# holding one of them at all if it came or went or was renamed (entry pages, story
# timelines), the related entries of the posts sharing a term an edited entry gained, the
# sitemap, and pages that are new. A term elsewhere whose name or slug moved (a slug taken
# by a new term) makes it a whole-site change. tests/test_in_place.py builds each kind.

TERM_FIELDS = ("tags", "people", "places")


@dataclass(frozen=True)
class PageMap:
    """How one build's pages showed its posts and terms: what the next build needs to
    fingerprint only the routes an edit reaches."""

    base: bytes                     # Fingerprints.base: code, theme, settings, site shell
    routes: tuple[str, ...]         # every route's output path, in order
    readers: dict                   # post URL -> array of the indexes of the routes showing it
    term_readers: dict              # (taxonomy, term key, count shown) -> array of the indexes of the routes holding it
    terms: dict                     # (taxonomy, term key) -> (name, slug)
    lastmods: tuple                 # each route's last-modified text in the sitemap (or None)


@dataclass(frozen=True)
class Edits:
    """What changed in the entries since the last build, when every file is still there."""

    pairs: tuple                    # (last build's Entry, this build's) for each changed file
    in_place: set[str] | None       # the edited posts' URLs when only SHOWN_ONLY fields changed
    terms_only: bool                # nothing but SHOWN_ONLY and TERM_FIELDS changed

    @staticmethod
    def between(previous: dict, current: dict, posts) -> "Edits | None":
        """previous/current: file -> Entry, as the entry cache gives them. None when a file was
        added, removed or renamed, or nothing is known of the last build."""
        if not previous or previous.keys() != current.keys():
            return None
        pairs = tuple((previous[path], entry) for path, entry in current.items()
                      if entry is not previous[path] and entry.fingerprint != previous[path].fingerprint)
        changed = {new.path for _, new in pairs}
        in_place = None
        if all(model_fields(old) == model_fields(new) for old, new in pairs):
            in_place = {post.url for post in posts if post.entry.path in changed}
        terms_only = all(other_fields(old) == other_fields(new) for old, new in pairs)
        return Edits(pairs, in_place, terms_only)


OTHER_FIELDS = tuple(name for name in MODEL_FIELDS if name not in TERM_FIELDS)


def other_fields(entry) -> tuple:
    """What the site model reads of an entry besides its terms."""
    return tuple(getattr(entry, name) for name in OTHER_FIELDS)


def site_terms(site: Site) -> dict:
    return {(name, term.key): (term.name, term.slug) for name, tax in site.taxonomies.items() for term in tax.terms}


def route_keys(site: Site, prints: Fingerprints, last: PageMap | None, last_keys: dict,
               edits: Edits | None) -> tuple[list, PageMap | None, int]:
    """Each route's fingerprint, this build's PageMap, and how many routes were fingerprinted.
    With the last build's map made on the same base, an edit in place fingerprints only the
    routes that showed an edited post, and an edit of terms only those it can reach (see
    above); every other route keeps the last build's fingerprint."""
    paths = site.paths
    usable = edits is not None and last is not None and last.base == prints.base
    if usable and edits.in_place is not None and last.routes == paths:
        touched: set[int] = set()
        for url in edits.in_place:
            touched.update(last.readers.get(url, ()))
        keys = list(map(last_keys.get, paths))
        for index in touched:
            keys[index] = prints.fingerprint(site.routes[index])
        return keys, last, len(touched)
    terms = site_terms(site)
    # A site of several languages has terms in each section under one taxonomy name: an edit of
    # terms fingerprints every route there, rather than reach for a term of the wrong section.
    local = usable and edits.terms_only and not site.config.languages
    reached = terms_reach(site, last, edits, terms) if local else None
    if reached is not None:
        return rekeyed(site, prints, last, last_keys, paths, reached, terms)
    readers = Readers()
    for route in site.routes:
        readers.add(prints.noted(route))
    keys, page_map = readers.mapped(site, prints, terms)
    return keys, page_map, len(keys)


class Readers:
    """Every route's fingerprint and the PageMap's readers, made from each route's Noted as it
    comes, in route order (here, or from the render workers as they render a clean build:
    rendering.stream_pages). Each is folded in as it comes: no route's list of posts is kept."""

    def __init__(self) -> None:
        self.keys: list[bytes] = []
        self.posts: dict = {}    # post URL -> the indexes of the routes showing it
        self.terms: dict = {}    # (taxonomy, term key, count shown) -> the indexes of the routes holding it

    def add(self, note: Noted) -> None:
        self.keys.append(recorded(note, len(self.keys), self.posts, self.terms))

    def mapped(self, site: Site, prints: Fingerprints, terms: dict | None = None) -> tuple[list, PageMap]:
        """The fingerprints, in route order, and this build's PageMap."""
        page_map = PageMap(prints.base, site.paths, as_arrays(self.posts), as_arrays(self.terms),
                           site_terms(site) if terms is None else terms, sitemap_lastmods(site, prints.views.sitemap()))
        return self.keys, page_map


def recorded(note: Noted, index: int, readers: dict, term_readers: dict) -> bytes:
    """The route's fingerprint, its index noted under each post and term its context holds."""
    for url in note.shown:
        readers.setdefault(url, []).append(index)
    for term in note.terms:
        term_readers.setdefault(term, []).append(index)
    return note.key


def as_arrays(found: dict) -> dict:
    return {key: array("I", indexes) for key, indexes in found.items()}


def terms_reach(site: Site, last: PageMap, edits: Edits, terms: dict) -> set[str] | None:
    """The output paths of the last build's routes that an edit of terms can change (the
    routes new in this build are fingerprinted anyway); None when a term it did not touch
    was renamed or given another slug."""
    moved = set()  # (taxonomy, key) of every term an edited entry left, joined or spelled anew
    for name in site.taxonomies.keys() & set(TERM_FIELDS):  # the others' terms kept their entries
        for old, new in edits.pairs:
            before, after = spelled(entry_values(old, name)), spelled(entry_values(new, name))
            moved.update((name, key) for key in before.keys() | after.keys() if before.get(key) != after.get(key))
    if any(term not in moved and last.terms.get(term, shown) != shown for term, shown in terms.items()):
        return None
    reached: set[int] = set()
    changed = {new.path for _, new in edits.pairs}
    for post in site.posts:
        if post.entry.path in changed:
            reached.update(last.readers.get(post.url, ()))
    for name, key in moved:
        reached.update(last.term_readers.get((name, key, True), ()))  # its count changed, or may have
        if terms.get((name, key)) != last.terms.get((name, key)):    # new, gone, renamed or another slug
            reached.update(last.term_readers.get((name, key, False), ()))
    paths = {last.routes[index] for index in reached}
    # A new term had no readers: the index of its taxonomy (terms.html, LISTS_TERMS) now lists it.
    paths.update(route_path(site.taxonomies[name].url) for name, key in moved
                 if (name, key) in terms and (name, key) not in last.terms)
    homes = tuple(f"{name}/{known[1]}/" for name, key in moved
                  for known in (terms.get((name, key)), last.terms.get((name, key))) if known is not None)
    # Under each moved term's URL; and sitemap.xml with its parts (sitemap-N.xml).
    paths.update(path for path in last.routes if path.startswith((*homes, "sitemap")))
    paths.update(route_path(post.url) for post in sharing(site, edits.pairs))
    return paths


def spelled(values) -> dict:
    """Term key -> the spelling an entry gives it."""
    return {term_key(value): value for value in values}


def sharing(site: Site, pairs) -> set[Post]:
    """The posts that share a related-entries term (TERM_FIELDS) an edited entry gained: the
    edited post may have entered their related entries. (Where it left them or moved down in
    them, it was in them before: their pages showed it, and its readers know.)"""
    found: set[Post] = set()
    for field in TERM_FIELDS:
        keys = {key for old, new in pairs for key in spelled(getattr(new, field)).keys() - spelled(getattr(old, field))}
        taxonomy = site.taxonomies.get(field)
        if not keys:
            continue
        if taxonomy is not None:
            for key in keys:
                found.update(taxonomy.by_key[key].posts)
        else:
            found.update(post for post in site.posts
                         if any(term_key(value) in keys for value in getattr(post.entry, field)))
    return found


def rekeyed(site: Site, prints: Fingerprints, last: PageMap, last_keys: dict, paths: tuple,
            reached: set[str], terms: dict) -> tuple[list, PageMap, int]:
    """Fingerprint the routes reached and the new ones; the rest keep the last build's
    fingerprint, and their entries in the map move to their new places."""
    old_index = {path: index for index, path in enumerate(last.routes)}
    # Each route's index in the last build when it is kept as it was, else None.
    kept = [None if path in reached else old_index.get(path) for path in paths]
    # The sitemap's last-modified dates, likewise: an edit of terms moves no date and no post
    # out of any list but a term's, so a route it did not reach lists the posts it listed.
    prints.views.sitemap([None if old is None else last.lastmods[old] for old in kept])
    moved_to = [-1] * len(last.routes)  # the last build's route index -> this build's, if kept
    keys: list = []
    readers: dict = {}
    term_readers: dict = {}
    fingerprinted = 0
    for index, route in enumerate(site.routes):
        old = kept[index]
        if old is not None:
            keys.append(last_keys.get(paths[index]))
            moved_to[old] = index
            continue
        fingerprinted += 1
        keys.append(recorded(prints.noted(route), index, readers, term_readers))
    page_map = PageMap(prints.base, paths, moved(last.readers, moved_to, readers),
                       moved(last.term_readers, moved_to, term_readers), terms,
                       sitemap_lastmods(site, prints.views.sitemap()))
    return keys, page_map, fingerprinted


def moved(last: dict, moved_to: list, found: dict) -> dict:
    """The last build's index lists with kept routes at their new indexes, plus what this
    build's fingerprinting found."""
    result = {}
    for key, indexes in last.items():
        kept = [index for index in map(moved_to.__getitem__, indexes) if index >= 0]
        kept += found.pop(key, ())
        if kept:
            result[key] = array("I", kept)
    result.update(as_arrays(found))
    return result
