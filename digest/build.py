"""The pipeline in a screenful: config, load, entries, site, render, write, search."""

from __future__ import annotations

import os
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from functools import partial
from itertools import chain
from pathlib import Path
from typing import Callable, Iterable, Iterator, Sequence

from .cache import EntryCache, FileHashes, OutputState, SearchState, TreeCache, compiled_templates
from .config import Config
from .engine import Last, Made, fewer_collections, make, no_collections, read_model
from .errors import Problem, raise_if_errors
from .links import link_problems
from .read import list_sources
from .render import (Page, StaticFile, each_static_page, extra_pages, load_templates, make_environment,
                     remember_templates, render_pages, static_pages)
from .rendering import stream_pages
from .renditions import RenditionStore, rendition_pages
from .reuse import Fingerprints, PageMap, Readers
from .search import BUNDLE, Earlier, Index, entry_pages, index_pages, index_shards, search_key
from .model import Site
from .urls import moved_urls
from .workers import PARALLEL_FROM, Background, worker_count
from .write import (KEPT, LinkedPage, Staged, close_pages, discard, files_in, folder_holds, link_spare, old_path, start_spare,
                    output_lock, output_problems, stage, swap)

@dataclass
class BuildResult:
    entries: int = 0
    pages: int = 0
    reused: int = 0          # pages taken from the previous build, not rendered
    in_place: bool = False   # only entries edited in place: the rest kept its fingerprints (reuse.py)
    fingerprinted: int = 0   # pages fingerprinted (reuse.py): all of them, unless an edit reached only some
    up_to_date: bool = False  # output/ already held exactly this build: nothing was written
    shards: int = 0          # search shards in the index
    shards_indexed: int = 0  # of which Pagefind indexed (the rest were kept from the last build)
    renditions: int = 0      # image renditions the site has (renditions.py)
    resized: int = 0         # of those, made by this build (the rest came from the cache)
    drafts: int = 0          # entries with draft: true left out (--drafts includes them)
    warnings: list[Problem] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    # What the build worked with: freed with the result, not when the build returns, so that
    # `digest build` can leave (os._exit) without freeing its millions of objects one by one,
    # work that grows with the site.
    state: Held | None = field(default=None, repr=False, compare=False)


@dataclass(frozen=True)
class Held:
    """What a build worked with, kept alive by its BuildResult (see BuildResult.state)."""

    site: Site
    entry_cache: EntryCache
    tree: TreeCache
    reuse: Reuse


class Stopwatch:
    def __init__(self, timings: dict[str, float]):
        self.timings, self.last = timings, time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.timings[name] = self.timings.get(name, 0.0) + now - self.last
        self.last = now


def make_site(config: Config, jobs: int | None = 1, cache: EntryCache | None = None,
              sources: Background | None = None) -> tuple[Site, list[Problem]]:
    """Everything up to the model: every content and site problem is known after this."""
    model = read_model(config, cache, jobs, sources)
    return model.site, list(model.warnings)


def all_pages(site: Site) -> list[Page]:
    return render_pages(site) + static_pages(site.config) + extra_pages()


def scan_spare(config: Config, tree: TreeCache, jobs: int | None) -> Background | None:
    """Start looking at the spare folder (see write.stage) on another core while the build
    reads the content: a rebuild that writes needs it (reusable_pages, then stage). None
    when the build will not reuse the spare."""
    if tree.spare is None:
        return None
    return Background(_spare_files, str(old_path(config.output_path)), jobs=worker_count(jobs, len(tree.spare.files)))


def _spare_files(folder: str) -> dict | None:
    if not os.path.isdir(folder) or os.path.islink(folder):
        return None
    try:
        return files_in(Path(folder))
    except OSError:
        return None


@dataclass(frozen=True)
class Reuse:
    """What a build takes from the last one (reusable_pages)."""

    pages: list                     # per route: KEPT, a LinkedPage, or None (to render)
    kept: dict                      # path -> the spare's record, of each page KEPT
    keys: dict                      # page path -> this build's fingerprint
    page_map: PageMap | None        # which routes show which posts and terms (reuse.PageMap)
    spare_files: dict | None        # files_in(spare), when the build will write
    fingerprinted: int              # routes fingerprinted (the others kept the last build's)


def reusable_pages(made: Made, config: Config, tree: TreeCache, scan: Background | None = None) -> Reuse:
    """For each route, the previous build's page when its fingerprint (made.keys) is unchanged
    and its file is as that build left it, else None; and the spare folder's files when the
    build will write (a page changed), for stage to reuse. scan: scan_spare(), looking at the
    spare folder.

    A page the spare folder holds (the staging folder to be, see write.stage) is KEPT, no
    bytes read, its spare record in `kept` (path -> record); one only the current output
    holds goes as a LinkedPage: a hard link."""
    site, route_prints = made.site, made.keys
    last = tree.current or OutputState({})
    # With every page as before, output/ is likely up to date (output_is_current) and nothing
    # is written: then the spare is not looked at, the pages are checked in output/ instead.
    paths, last_keys = site.paths, last.keys
    same = len(route_prints) == len(last_keys) and list(map(last_keys.get, paths)) == route_prints
    found = None if same or scan is None else scan.result()
    keys, kept_records = {}, {}
    reused: list = [None] * len(site.routes)
    current = tree.current.files if tree.current is not None else None
    spare = tree.spare.files if found is not None and tree.spare is not None else None
    output = str(config.output_path)
    for index, (path, key) in enumerate(zip(paths, route_prints)):
        if key is None:
            continue
        keys[path] = key
        record = current.get(path) if current is not None else None
        if record is None or last_keys.get(path) != key:
            continue
        kept = spare.get(path) if spare is not None else None
        if kept is not None and kept[0] == record[0] and found.get(path) == kept[1:]:
            reused[index] = KEPT
            kept_records[path] = kept
        elif _stat_is(f"{output}/{path}", record):
            reused[index] = LinkedPage(path, f"{output}/{path}", record[0])
    return Reuse(reused, kept_records, keys, made.page_map, found, made.fingerprinted)


def output_is_current(site: Site, config: Config, last: OutputState | None, reused: list, searched: tuple | None,
                      hashes: FileHashes | None = None, images: Sequence[Page | StaticFile] = ()) -> bool:
    """True when this build would write exactly what output/ holds: every page kept from the
    last build (its fingerprint unchanged), the static and other files the same bytes, the
    search index made by this Pagefind for these pages (none without search), and nothing
    else in the folder: each file as the last build left it. Then nothing needs writing."""
    if last is None or len(reused) != len(site.routes) or any(page is None for page in reused):
        return False
    current = last.files
    if searched != last.search.key or (searched is not None) != (last.search.bundle is not None):
        return False
    expected = {route.output_path: current[route.output_path][1:] for route in site.routes}
    for page in chain(each_static_page(config, hashes), extra_pages(), images):
        record = current.get(page.path)
        if record is None or record[0] != page.digest:
            return False
        expected[page.path] = record[1:]
    if len(expected) != len(current):  # a file of the last build this one does not make
        return False
    for path, record in (last.search.bundle or {}).items():
        expected[f"{BUNDLE}/{path}"] = record
    return folder_holds(config.output_path, expected)


def _stat_is(path: str, record: tuple) -> bool:
    try:
        info = os.lstat(path)
    except OSError:
        return False
    return (info.st_size, info.st_mtime_ns, info.st_ino) == record[1:]


def timed(pages: Iterable[Page], timings: dict[str, float], name: str, count: list[int]) -> Iterator[Page]:
    """Pass pages through, adding the time spent making them to timings[name]; closed, close
    what makes them."""
    timings.setdefault(name, 0.0)
    iterator = iter(pages)
    try:
        while True:
            started = time.perf_counter()
            page = next(iterator, None)
            timings[name] += time.perf_counter() - started
            if page is None:
                return
            count[0] += page.path.endswith(".html")
            yield page
    finally:
        close_pages(iterator)


def started(children: ExitStack, work: Background | None) -> Background | None:
    """work, stopped with `children` if the build has not asked for its value by then."""
    return work if work is None else children.enter_context(work)


def build(config: Config, jobs: int | None = None, cache: bool = True,
          sources: Background | None = None, waiting: Callable[[], None] = lambda: None) -> BuildResult:
    """jobs: worker processes (None: all cores, one for small sites); cache: use .digest-cache/;
    sources: read.list_sources(config, cache, jobs), when the caller has started it already;
    waiting: called when another build holds the output folder, before this one waits for it."""
    raise_if_errors(output_problems(config))  # first: a refused folder is not one to lock
    with output_lock(config.output_path, waiting), fewer_collections():
        return _build(config, jobs, cache, sources)


def _build(config: Config, jobs: int | None, cache: bool, sources: Background | None) -> BuildResult:
    result = BuildResult()
    clock = Stopwatch(result.timings)
    with ExitStack() as children:  # work on the other core: done, or stopped, once the pages to reuse are known
        sources = started(children, sources or list_sources(config, cache, jobs))
        with no_collections():
            tree = TreeCache(config, cache)
            hashes = FileHashes(config, cache)
            scan = started(children, scan_spare(config, tree, jobs))
            entry_cache = EntryCache(config, cache)
        last = Last(tree.current.keys, tree.current.page_map) if tree.current is not None else Last()
        # A build that parses many files compiles the templates while the parse workers work.
        environment = make_environment(config, watching=False, compiled=compiled_templates(config) if cache else None)
        # With no last build, no page waits on its fingerprint to be reused: each is fingerprinted
        # as it is rendered, from the one context made for both (rendering.stream_pages).
        cold = tree.enabled and tree.current is None
        made = make(config, last, entry_cache, None, jobs, sources, fingerprint=tree.enabled and not cold,
                    lap=clock.lap, meanwhile=partial(load_templates, environment))
        site, result.warnings, result.drafts = made.site, made.warnings, made.model.drafts
        reuse = reusable_pages(made, config, tree, scan) if tree.enabled else Reuse([], {}, {}, None, None, 0)
    result.state = Held(site, entry_cache, tree, reuse)
    result.fingerprinted = reuse.fingerprinted
    result.in_place = reuse.page_map is not None and tree.current is not None and reuse.page_map is tree.current.page_map
    reused, kept = reuse.pages, reuse.kept
    kept_html = sum(path.endswith(".html") for path in kept)
    result.reused = kept_html + sum(type(page) is LinkedPage and page.path.endswith(".html") for page in reused)
    clock.lap("render")  # fingerprinting counts as rendering
    store = RenditionStore(config, cache)
    images, result.resized = rendition_pages(site.pictures, config, store, jobs)
    result.renditions = len(images)
    if images:
        clock.lap("images")
    searched = search_key(site.search_language, config.search_shard_entries) if config.search and site.posts else None
    if output_is_current(site, config, tree.current, reused, searched, hashes, images):
        result.up_to_date = True  # the build would write what output/ holds: it stays as it is
        if tree.spare is None and link_spare(config.output_path, tree.current.files, worker_count(jobs, PARALLEL_FROM)):
            # So that the next build, which will write, has a folder to stage in.
            tree.save(tree.current, spare=tree.current.pages_only())
        entry_cache.save()
        hashes.save()
        store.save()
        clock.lap("write")  # checking output/ (and preparing the spare) is this build's writing
        result.entries, result.pages = len(site.posts), result.reused
        return result
    before = result.timings["render"]
    html_pages = [kept_html]
    prints, readers = (Fingerprints(site, made.views), Readers()) if cold else (None, None)
    staged = stage(lambda fresh: timed(stream_pages(site, jobs, reused, environment, hashes, images, made.views, fresh,
                                                    readers.add if readers is not None else None),
                                       result.timings, "render", html_pages),
                   config, tree.spare.files if tree.spare is not None else None,
                   reuse.spare_files, kept, spared=BUNDLE if searched else None)
    clock.lap("write")
    result.timings["write"] -= result.timings["render"] - before
    keys, page_map = reuse.keys, reuse.page_map
    if prints is not None:
        route_prints, page_map = readers.mapped(site, prints)
        keys, result.fingerprinted = dict(zip(site.paths, route_prints)), len(route_prints)
    # With no output/ to keep as the spare (a clean build), the spare is linked from the staged
    # pages while Pagefind runs, so that the next build stages in it as every later one does;
    # without a search stage to hide it behind, the next build that writes links them instead.
    spare = start_spare(staged, config.output_path) if cache and config.search and searched else None
    try:
        index = SearchState()
        if config.search:
            made = search(site, config, tree, staged, searched)
            result.warnings += made.warnings
            result.shards, result.shards_indexed = len(made.shards), made.indexed
            index = SearchState(searched, made.bundle, made.shards) if searched else SearchState(searched)
            clock.lap("search")
        spare_made = spare is not None and spare.finish(BUNDLE, index.bundle or ())
        swap(staged.folder, config.output_path, keep_old=cache, spare_made=spare_made)
    except BaseException:
        if spare is not None:
            spare.abandon()
        discard(staged.folder)
        raise
    state = OutputState(staged.files, keys, page_map, index)
    # The spare made from the staged site holds what output/ now holds, each file a hard link to it.
    tree.save(state, spare=state if spare_made else tree.current if cache else None)
    entry_cache.save()
    hashes.save()
    store.save()
    remember_templates(environment)
    clock.lap("write")
    result.entries, result.pages = len(site.posts), html_pages[0]
    return result


def search(site: Site, config: Config, tree: TreeCache, staged: Staged, searched: tuple | None) -> Index:
    """The staged site's search index: its entry pages in shards, each kept from the spare
    (now the staging folder) or output/ when unchanged, else indexed by Pagefind."""
    if not searched:  # no entries: no index
        return index_shards(staged.folder, (), (), site.search_language)
    files = staged.files
    earlier = [Earlier(folder, state.search.bundle, state.search.shards)
               for folder, state in ((staged.folder, tree.spare), (config.output_path, tree.current))
               if state is not None and state.search.bundle is not None]
    return index_pages(staged.folder, entry_pages(site.posts), lambda path: files[path][0], searched, site.search_language,
                       config.search_shard_entries, earlier)


def check(config: Config) -> list[Problem]:
    """Validate content, settings, templates and every internal link of the rendered site
    without writing anything; return the warnings (errors, or any problem under --strict, raise)."""
    with fewer_collections():  # which also unfreezes what make_site froze (no_collections)
        return _check(config)


def _check(config: Config) -> list[Problem]:
    raise_if_errors(output_problems(config))
    site, warnings = make_site(config)
    # The entry cache holds what the last build used: an entry whose URL moved since then.
    warnings += moved_urls(site, EntryCache(config).previous_entries())
    found = link_problems(site, all_pages(site), config.output_dir)
    raise_if_errors(warnings + found, config.strict)
    return warnings + found
