"""The incremental build that `digest build` and `digest serve` both run: make().

The content files, an entry cache and what the last build left (`Last`) -> the site model,
its views (the pages' contexts) and a fingerprint per page (reuse.py), as one `Made` record.
Each command then takes the pages whose fingerprint did not move from where it keeps them
(build: output/ and the spare folder; serve: memory), renders the rest (rendering.stream_pages)
and writes or serves them, and passes what this build made to the next as its `Last`.

The entry cache (cache.EntryCache) holds the entries by content hash: build reads it from
.digest-cache/, serve keeps it in memory from one rebuild to the next. The model is built
from the entries; or, when the last model is at hand (serve) and every changed file is an
entry whose new version the model reads the same (site.model_fields: its title, summary or
body changed, say), the model is kept and the new versions reach the pages through the views
(views.Views, revised).
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Collection, Iterator, Mapping

from .cache import EntryCache
from .config import Config
from .entries import Entry
from .errors import Problem, raise_if_errors
from .images import read_default_image
from .links import body_link_problems
from .load import display_path
from .read import load_entry, published, read_entries
from .render import static_problems
from .model import Site
from .reuse import Edits, Fingerprints, PageMap, route_keys
from .sections import languages_of
from .site import build_site, model_fields
from .strings import site_catalog
from .urls import linked_entry
from .views import Views
from .workers import Background


@dataclass(frozen=True)
class Model:
    """The site a build renders, and what reading it found."""

    site: Site
    revised: Mapping[str, Entry]    # post URL -> the newer version of its entry, per edit made in place since
    warnings: tuple[Problem, ...]   # the files' and the site's (the links': Made.link_warnings)
    drafts: int                     # entries with draft: true left out (--drafts includes them)
    in_place: bool = False          # the last build's model, kept, with new versions of entries
    reread: int = 0                 # content files parsed (the rest came from the entry cache)


@dataclass(frozen=True)
class Last:
    """What the last build left that this one may reuse; Last() when nothing is known."""

    keys: Mapping[str, bytes] = field(default_factory=dict)   # page path -> its fingerprint
    page_map: PageMap | None = None  # which routes showed which posts and terms (reuse.PageMap)
    model: Model | None = None       # its model, when kept in memory (serve)


@dataclass(frozen=True)
class Made:
    """One build's model, its views and the fingerprint of each of its pages."""

    model: Model
    views: Views
    keys: tuple                     # per route (site.routes): its fingerprint; () when not fingerprinted
    page_map: PageMap | None
    fingerprinted: int              # routes fingerprinted (the others kept the last build's)
    link_warnings: tuple[Problem, ...]

    @property
    def site(self) -> Site:
        return self.model.site

    @property
    def warnings(self) -> list[Problem]:
        return [*self.model.warnings, *self.link_warnings]

    def last(self) -> Last:
        """What the next build may reuse of this one."""
        return Last(dict(zip(self.site.paths, self.keys)), self.page_map, self.model)


def make(config: Config, last: Last, cache: EntryCache, changed: Collection[Path] | None = None,
         jobs: int | None = 1, sources: Background | None = None, fingerprint: bool = True,
         lap: Callable[[str], None] = lambda stage: None, meanwhile: Callable[[], None] = lambda: None) -> Made:
    """Read and check everything (every problem raises here), then fingerprint the pages.
    changed: the files changed since the last build, when known (serve's watchers): with the
    last model, an edit it does not read is made in place. sources: read.list_sources(),
    already listing the content; fingerprint: False when nothing will be reused (--no-cache);
    lap(stage): told when the model is made ("load"); meanwhile(): work of this process while
    parse workers parse (read.read_entries)."""
    model = model_in_place(config, last.model, cache, changed) or read_model(config, cache, jobs, sources, meanwhile)
    lap("load")
    found = body_link_problems(model.site, revised=model.revised)
    raise_if_errors([*model.warnings, *found], config.strict)
    # Everything is validated: from here on we fingerprint, then render and write.
    site = model.site
    views = Views(site, model.revised)  # the pages' contexts, made once for fingerprints and rendering
    if not fingerprint:
        return Made(model, views, (), None, 0, tuple(found))
    keys, page_map, fingerprinted = page_keys(site, views, last, cache)
    return Made(model, views, tuple(keys), page_map, fingerprinted, tuple(found))


def page_keys(site: Site, views: Views, last: Last, cache: EntryCache) -> tuple[list, PageMap | None, int]:
    """Each route's fingerprint, this build's PageMap and how many routes were fingerprinted
    (reuse.route_keys), from what the last build left and the entries it read (the cache)."""
    edits = Edits.between(cache.previous_entries(), cache.current_entries(), site.posts)
    return route_keys(site, Fingerprints(site, views), last.page_map, last.keys, edits)


def read_model(config: Config, cache: EntryCache | None = None, jobs: int | None = 1,
               sources: Background | None = None, meanwhile: Callable[[], None] = lambda: None) -> Model:
    """The model from the content files (those the cache knows by their bytes are not parsed)."""
    entries, problems = read_entries(config, jobs, cache, sources, meanwhile)
    entries, drafts = published(entries, config)
    # Stop here only for real errors: under --strict, the warnings still to come (term slug
    # collisions, links) are listed with these at the end, all at once.
    if any(problem.is_error for problem in problems):
        raise_if_errors(problems, config.strict)
    default_image, found = read_default_image(config)
    problems += found
    catalog, found = site_catalog(config, languages_of(entries))
    problems += found
    if any(problem.is_error for problem in found):
        raise_if_errors(problems, config.strict)
    with no_collections():
        earlier = {path for path, _ in cache.known} if cache is not None else ()
        site, site_problems = build_site(entries, config, default_image, catalog, earlier)
    problems += site_problems + static_problems(site)
    if any(problem.is_error for problem in problems):
        raise_if_errors(problems, config.strict)
    return Model(site, {}, tuple(problems), drafts, reread=len(cache.added) if cache is not None else len(entries))


def model_in_place(config: Config, last: Model | None, cache: EntryCache,
                   changed: Collection[Path] | None) -> Model | None:
    """The last model, kept, when every changed file is an entry of its site whose new version
    it reads the same (site.model_fields); the new versions go in `revised`, and the cache
    takes every other entry as the last build had it. None when that does not hold: then
    the model is made from the files (read_model)."""
    if last is None or not changed or config != last.site.config:
        return None
    site = last.site
    posts = {post.entry.path: post for post in site.posts}
    updates: list[tuple[str, Entry, list[Problem]]] = []
    for path in changed:
        shown = display_path(path, config.root)
        post = posts.get(shown)
        if post is None or path.suffix != ".md":
            return None
        try:
            key = cache.key_of(shown, str(path))
        except OSError:
            return None
        hit = cache.get(key)
        entry, found = hit if hit is not None else load_entry(path, config)[1:]
        if entry is None or any(problem.is_error for problem in found) or model_fields(entry) != model_fields(post.entry):
            return None
        if hit is None:
            cache.put(key, (entry, found))
        updates.append((shown, entry, found))
    read = {shown for shown, _, _ in updates}
    cache.keep_unread(read)
    url_of = {post.entry.path: post.url for post in site.posts}
    revised = dict(last.revised)
    warnings = [problem for problem in last.warnings if problem.path not in read]
    for shown, entry, found in updates:
        revised[posts[shown].url] = linked_entry(entry, url_of, config)
        warnings += found
    return Model(site, revised, tuple(warnings), last.drafts, in_place=True, reread=len(cache.added))


@contextmanager
def fewer_collections() -> Iterator[None]:
    """A build makes millions of objects that live to its end (entries, the model) and few
    reference cycles; at the collector's default pace (a pass per 700 new objects) walking
    them again and again costs a tenth of a rebuild. Cycles are still collected, less often."""
    before = gc.get_threshold()
    gc.set_threshold(50_000, 20, 100)
    try:
        yield
    finally:
        gc.unfreeze()  # what no_collections froze: collectable again once unreachable (serve, check)
        gc.set_threshold(*before)


@contextmanager
def no_collections() -> Iterator[None]:
    """For stretches that only build long-lived objects in this process (unpickling the
    entry cache, the site model): a collector pass there finds no garbage, only work. What
    they made is then frozen (gc.freeze): later passes of this build do not walk it again
    (a full pass over the model grows with the site). fewer_collections unfreezes it."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()
