"""Which pages can be reused from the previous build: one fingerprint per route.

A page is a pure function of its template files, digest's code and libraries, the settings,
what base.html reads from `site` (the nav: each taxonomy's name, URL and title) and the
route's own context. Its fingerprint hashes exactly that, so when it is unchanged the page's
bytes are too, and the previous build's bytes are reused instead of rendering it again.

That holds only if templates read nothing outside the fingerprint. We know what the bundled
templates read (tests/test_reuse.py checks it by changing every kind of input and comparing
each page whose fingerprint did not move), so fingerprints are made only when every
template comes from the bundled theme: a site that overrides any template gets every page
rendered, every time. Context values of a type this module does not know get no fingerprint:
their page is always rendered. The sitemap, which reads the whole site, is fingerprinted by
what it shows: every page's URL and last-modified date.

Within a context, what a value contributes follows what the bundled templates read of it:
- a Post: its URL and a hash of its whole Entry (every field, the rendered body included);
- a Term: taxonomy, key, name and slug, and its count on the pages that show it (no template
  lists a term's posts from the term; listings come from a Pager, feeds from a Feed, charts
  from a Chart);
- a Taxonomy: name, title and singular; on the terms index (terms.html) also its terms;
- a Chart: its fields (unit, first day, counts, sizes); every bar's place, size and label is
  computed from them (Chart.bars), so they are covered by the code's fingerprint;
- related entries (site.Related) and an entry's terms (site.EntryTerms): what they hold,
  worked out when the page is fingerprinted;
- everything else (pagers, months, stories, issues, feeds): all of it, posts included.
"""

from __future__ import annotations

import hashlib
from array import array
from dataclasses import dataclass, fields
from datetime import date, datetime

from .cache import code_fingerprint
from .config import Config
from .entries import Moment
from .render import default_theme_dir, theme_dirs
from .site import (Chart, EntryTerms, model_fields, sitemap_items, Feed, Issue, IssueGroup, Month, Pager, Post, Related, Route,
                   Site, Story, StoryPlace, Taxonomy, Term)

# Templates that read the whole site model: sitemap.xml reads sitemap_items(site), which is its
# fingerprint; any other use of these templates (a context of its own) is always rendered.
WHOLE_SITE = {"sitemap.xml"}
# Templates that list a taxonomy's terms; elsewhere a template reads only its names.
LISTS_TERMS = {"terms.html"}
# Templates that show a term's entry count (`term.count`); elsewhere its name and URL only.
COUNTS_TERMS = {"terms.html", "list.html"}


class Unknown(Exception):
    """A context value this module cannot fingerprint: its page is always rendered."""


def theme_fingerprint(config: Config) -> str | None:
    """A hash of the bundled templates, or None when a site's theme overrides any template."""
    bundled = (default_theme_dir() / "templates").resolve()
    for folder in theme_dirs(config):
        templates = folder / "templates"
        if templates.resolve() != bundled and templates.is_dir() and any(templates.rglob("*")):
            return None
    digest = hashlib.blake2b(digest_size=16)
    for path in sorted(bundled.rglob("*")):
        if path.is_file():
            digest.update(path.relative_to(bundled).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def post_token(post: Post) -> str:
    """A post in a fingerprint: its URL and its entry's hash of every field (Entry.fingerprint;
    `P` starts no repr)."""
    return f"P{post.url!r}{post.entry.fingerprint.hex()}"


class Fingerprints:
    """Route fingerprints for one site: fingerprint(route) -> bytes, or None (always render)."""

    def __init__(self, site: Site):
        self.site = site
        self.shown: set | None = None
        self.terms: dict = {}  # (id(term), counted) -> (term, its value): the term keeps its id taken
        theme = theme_fingerprint(site.config)
        self.enabled = theme is not None
        config = site.config
        settings = [(f.name, repr(getattr(config, f.name))) for f in fields(config) if f.name != "raw"]
        shell = [(name, tax.url, tax.title) for name, tax in site.taxonomies.items()]
        self.base = repr((code_fingerprint(), theme, settings, shell)).encode("utf-8")
        self.tokens: dict[int, tuple[Post, str]] = {}  # id(post) -> (the post, kept alive; its token)

    def fingerprint(self, route: Route, shown: set | None = None) -> bytes | None:
        """shown, if given, gets the URL of every post the route's context holds."""
        if not self.enabled:
            return None
        self.shown = shown
        if route.template in WHOLE_SITE:
            if route.context:
                return None
            # sitemap.xml reads sitemap_items(site) (and the settings): (url, lastmod) of every page.
            text = repr((route.url, route.template, sitemap_items(self.site)))
        else:
            try:
                text = repr((route.url, route.template)) + self.value(route.context, route.template)
            except Unknown:
                return None
        digest = hashlib.blake2b(self.base, digest_size=16)
        digest.update(text.encode("utf-8"))
        return digest.digest()

    def refresh(self, post: Post) -> None:
        """After site.swap_entry gave the post a new version of its entry."""
        self.tokens[id(post)] = (post, post_token(post))

    def post(self, post: Post) -> str:
        if self.shown is not None:
            self.shown.add(post.url)
        known = self.tokens.get(id(post))
        if known is None or known[0] is not post:  # a post is on many pages: its token is made once
            known = self.tokens[id(post)] = (post, post_token(post))
        return known[1]

    def value(self, value, template: str) -> str:
        """A text for what templates can read of `value`: reprs of plain values, composites in
        brackets with their parts separated by commas, posts as post_token: no two values that
        a template could tell apart share a text. (Text is joined in C; nested tuples cost a
        Python call per part to build and again to repr.)"""
        kind = type(value)
        if kind is Post:
            return self.post(value)
        if kind in PLAIN or value is None or kind in EXACT:
            return repr(value)  # exact and stable
        if kind is Related:  # related entries: the posts, worked out now if no page needed them yet
            value, kind = value.posts, tuple
        elif kind is EntryTerms:  # an entry's terms, likewise
            value, kind = value.terms, dict
        if kind is list or kind is tuple:
            return "[" + ",".join([self.post(item) if type(item) is Post else self.value(item, template)
                                   for item in value]) + "]"
        if kind is dict:
            return "{" + ",".join([self.value(key, template) + ":" + self.value(item, template)
                                   for key, item in value.items()]) + "}"
        if kind is Term:  # its count only where a template shows it: elsewhere a tag's count
            counted = template in COUNTS_TERMS      # would reach every entry page
            known = self.terms.get((id(value), counted))  # a term is on many pages: made once
            if known is None or known[0] is not value:
                count = len(value.posts) if counted else None
                known = self.terms[(id(value), counted)] = (value, repr(("term", value.taxonomy, value.key, value.name,
                                                                            value.slug, count)))
            return known[1]
        if kind is Taxonomy:
            terms = self.value(value.terms, template) if template in LISTS_TERMS else "None"
            return "Taxonomy(" + repr((value.name, value.title, value.singular)) + "," + terms + ")"
        if kind is Chart:  # its bars' places, sizes and labels follow from its fields and the code
            return repr(("chart", value.unit, value.first, value.counts, value.total, value.peak, value.width,
                         value.height, value.plot_top, value.plot_bottom))
        names = FIELDS.get(kind)
        if names is not None:
            return kind.__name__ + "(" + ",".join([self.value(getattr(value, name), template) for name in names]) + ")"
        raise Unknown(kind.__name__)


PLAIN = {str, int, float, bool}
EXACT = {datetime, date}
# Models read whole, posts included: every field of each.
FIELDS = {kind: tuple(f.name for f in fields(kind))
          for kind in (Pager, Month, Story, StoryPlace, Issue, IssueGroup, Feed, Moment)}


# --- edits in place, across builds -------------------------------------------------------
# An edit that changes only fields the model never reads (site.SHOWN_ONLY: a title, a body)
# leaves every route and every context as it was, but for the posts it changed. So when the
# routes and the fingerprints' base are those of the last build, a route that showed none of
# those posts keeps its fingerprint, and only the routes that showed one are fingerprinted
# again: the last build's PageMap says which. (serve.py does the same within one process.)


@dataclass(frozen=True)
class PageMap:
    """How one build's pages showed its posts: what the next build needs to fingerprint only
    the routes an edit in place reaches."""

    base: bytes                     # Fingerprints.base: code, theme, settings, site shell
    routes: tuple[str, ...]         # every route's output path, in order
    readers: dict                   # post URL -> array of the indexes of the routes showing it


def edited_in_place(previous: dict, current: dict, posts) -> set[str] | None:
    """The URLs of the posts whose entries changed, when every change is in fields the model
    does not read; None when anything else changed (a file added, removed or renamed, a date,
    a tag, a slug...). previous/current: file -> Entry, as the entry cache gives them."""
    if not previous or previous.keys() != current.keys():
        return None
    changed = {path for path, entry in current.items() if entry is not previous[path]}
    if any(model_fields(current[path]) != model_fields(previous[path]) for path in changed):
        return None
    return {post.url for post in posts if post.entry.path in changed}


def route_keys(site: Site, prints: Fingerprints, last: PageMap | None, last_keys: dict,
               in_place: set[str] | None) -> tuple[list, PageMap | None]:
    """Each route's fingerprint, and this build's PageMap. After an edit in place (and with
    the last build's map matching this site), routes that did not show an edited post keep
    the last build's fingerprint without being fingerprinted again."""
    if not prints.enabled:
        return [None] * len(site.routes), None
    paths = tuple(route.output_path for route in site.routes)
    touched = None
    if in_place is not None and last is not None and last.base == prints.base and last.routes == paths:
        touched = set()
        for url in in_place:
            touched.update(last.readers.get(url, ()))
    if touched is not None:
        keys = [prints.fingerprint(route) if index in touched else last_keys.get(paths[index])
                for index, route in enumerate(site.routes)]
        return keys, last
    keys, readers = [], {}
    for index, route in enumerate(site.routes):
        shown: set = set()
        keys.append(prints.fingerprint(route, shown))
        for url in shown:
            readers.setdefault(url, []).append(index)
    return keys, PageMap(prints.base, paths, {url: array("I", found) for url, found in readers.items()})
