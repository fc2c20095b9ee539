"""The preview server: build into a temporary folder, serve it, watch, rebuild, reload.

- Every build is complete in memory before requests switch to it (until then they get the
  previous one), and is served from there. A background thread then writes it into a fresh
  folder (`site-1`, `site-2`, ... inside one temporary folder, never `output/`) for Pagefind:
  pages whose bytes did not change are hard links to the previous folder.
- Each rebuild is the build `digest build` runs (engine.make), with what the last rebuild
  left kept in memory rather than in .digest-cache/: the entries by content hash (a rebuild
  parses only the files that changed), the page fingerprints and, for an edit the model does
  not read, the model itself. The first build, and the first after a changed setting, takes
  the entries and image renditions a build left in .digest-cache/, checked as the build
  checks them, and never writes there. A page whose fingerprint
  (reuse.py: its context, the settings, the templates) is unchanged keeps its bytes from the
  last rebuild and is not rendered again; only changed bytes reach the disk.
- Pagefind runs in the background on a copy of each build (hard links of its HTML), and the
  search index is served from there: search trails the HTML by a moment and never breaks.
- Served HTML (never files written by `digest build`) gets a small script that long-polls
  `/__digest__/events` and reloads the page when a rebuild finishes, or shows the errors of a
  failed rebuild in an overlay while the last good site stays up (overlay.py).
- The HTTP server is http.py; the file watchers are watch.py; this module holds the state
  between rebuilds and makes each rebuild.

The library never prints: `cli.py` passes a `report` callback that gets one `Rebuild` per
rebuild (and per failed search index).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, NamedTuple

import jinja2

from .rendering import stream_pages
from .cache import EntryCache, FileHashes, file_stat
from .config import Config, load_config
from .engine import Last, Made, fewer_collections, make, no_collections
from .errors import DigestError, Problem, format_problem, sort_key
from .http import PortInUse, PreviewServer, find_file, find_page, host_allowed, request_path, url_host
from .load import display_path, source_files
from .overlay import Status
from .render import Page, StaticFile, digest_of, make_environment
from .renditions import RenditionStore, rendition_pages
from .search import Earlier, entry_pages, index_pages, search_key
from .strings import Strings, site_catalog
from .watch import Watcher, is_editor_noise
from .write import check_relative, safe_target, twice

# Names tests and callers know from here, defined in the modules that do the work.
__all__ = ["Preview", "Rebuild", "Built", "PortInUse", "stat_of", "find_file", "find_page", "request_path",
           "is_editor_noise"]

QUIET_SECONDS = 0.05         # a burst of saves ends after this long without a new change
KEEP_BUILDS = 2              # folders kept: the last written and the one before (its pages are linked)


@dataclass(frozen=True)
class Built:
    """One complete build, served from memory; `folder` is where the background thread
    writes it (for Pagefind), once it is served."""

    folder: Path
    epoch: int
    pages: dict = field(compare=False, repr=False)    # page path -> its bytes
    entries: int = 0
    base_path: str = "/"                              # the build's links start with it
    entry_pages: tuple = ()                           # the entries' page paths, oldest first (search)
    search_language: str | None = None                # Site.search_language; None: the settings' language


class Rendered(NamedTuple):
    """A page of the served build with the fingerprint it was rendered for (reuse.py)."""

    key: bytes
    page: Page


@dataclass
class Rebuild:
    """What one rebuild (or search indexing, kind="search") did, for the terminal."""

    changed: list[str]
    seconds: float = 0.0
    ok: bool = True
    pages: int = 0
    written: int = 0             # pages whose bytes changed
    rendered: int = 0            # pages rendered (the rest kept their bytes: reuse.py)
    fingerprinted: int = 0       # pages fingerprinted (all, unless the edit reached only some)
    entries: int = 0
    drafts: int = 0              # entries with draft: true left out (--drafts includes them)
    reread: int = 0
    resized: int = 0             # image renditions made (the rest were in memory or in the cache folder)
    in_place: bool = False       # the model was kept, with new versions of entries (engine.model_in_place)
    problems: list[Problem] = field(default_factory=list)
    kind: str = "build"
    serving: bool = True         # a failed rebuild left a good site served (none before the first)
    moved_to: str = ""           # the preview's new URL, when the settings moved its base path


class Preview:
    """The preview server's state: settings, what the last build left, the served build, the watchers."""

    def __init__(self, root: Path, host: str = "127.0.0.1", port: int = 8000, drafts: bool = False,
                 report: Callable[[Rebuild], None] = lambda rebuild: None):
        self.root, self.host, self.port, self.drafts, self.report = root.resolve(), host, port, drafts, report
        self.config: Config | None = None
        self.last = Last()                       # what the last good rebuild left (engine.make)
        self.entry_cache: EntryCache | None = None  # its entries, in memory
        self.looked: EntryCache | None = None    # the last rebuild's, good or not: the files as it read them
        self.current: Built | None = None
        # The newest search index's pagefind/ folder, then the one before it (see _index).
        self.search_roots: tuple[Path, ...] = ()
        self.search_index: Earlier | None = None  # the newest index: its unchanged shards are kept
        self.status = Status()
        self.strings: Strings | None = None      # the site language's, from the last catalog read
        self.generation = 0
        self.changed = threading.Condition()     # guards current/status; notifies long-polls
        self.stop = threading.Event()
        self.pending: set[Path] = set()
        self.pending_at = 0.0
        self.wake = threading.Condition()        # watchers -> rebuild thread
        self.to_index: Built | None = None
        self.index_wanted = threading.Event()
        self.threads: list[threading.Thread] = []
        self.watcher = Watcher(self.root, lambda: self.config, self._note, self._watch_failed, self.stop)
        self.environment: tuple[Config, jinja2.Environment] | None = None
        self.rendered: dict[str, Rendered] = {}  # page path -> how the last rebuild rendered it
        self.static_hashes: dict = {}            # FileHashes.seen of the last rebuild's static files
        self.static_bytes: dict[bytes, bytes] = {}  # their bytes by hash, as served
        # Image renditions made so far, in memory: the preview writes nothing outside its folder
        # (it reads those a build left in the cache folder).
        self.renditions = RenditionStore(Config(root=self.root), enabled=False, read_cache=True)
        self.written: Built | None = None        # the last build written to disk (background thread)
        self.server: PreviewServer | None = None
        self.temp: Path | None = None

    # --- life cycle ----------------------------------------------------------------------

    def start(self) -> Rebuild:
        """Read the settings, bind the port, build once, start watching. Errors in the
        settings raise DigestError; a port in use raises PortInUse; content errors do not
        stop the server (the first page shows them)."""
        base = load_config(self.root)  # settings errors stop here, before anything is bound
        self.server = PreviewServer((self.host, self.port), self)
        self.port = self.server.server_address[1]
        self.temp = Path(tempfile.mkdtemp(prefix="digest-serve-"))
        self.first_base_path = base.base_path
        # The first build parses (what the cache folder lacks) and renders every page: with
        # workers, forked now, before this process starts any thread (workers.py).
        first = self.rebuild(set(), jobs=None)
        if self.to_index is not None:  # the first index before the URL is shown; later ones trail
            self.to_index = None
            self.index_wanted.clear()
            self._save(self.current)
        for target in (self._rebuild_loop, self._index_loop):
            thread = threading.Thread(target=target, name=f"digest-{target.__name__.strip('_')}", daemon=True)
            thread.start()
            self.threads.append(thread)
        self.threads += self.watcher.threads()
        # Edits made from now on must be seen: wait for both watchers, then catch up with any
        # entry saved between the first build and the watchers' start.
        self.watcher.wait_armed()
        if self.config is not None and self.config.content_path.is_dir():
            paths, _ = source_files(self.config.content_path, self.root)
            read = self.looked.taken if self.looked is not None else {}
            shown = {display_path(path, self.root): path for path in paths}
            if shown.keys() != read.keys() or any(stat_of(path) != read[name] for name, path in shown.items()):
                self._note([(None, str(self.config.content_path))])
        return first

    @property
    def base_path(self) -> str:
        """The served build's base path (until the first build, the settings' one)."""
        current = self.current
        return current.base_path if current is not None else self.first_base_path

    @property
    def url(self) -> str:
        return f"http://{url_host(self.host)}:{self.port}{self.base_path}"

    def serve_forever(self) -> None:
        self.server.serve_forever(poll_interval=0.2)

    def close(self) -> None:
        self.stop.set()
        with self.changed:
            self.changed.notify_all()
        with self.wake:
            self.wake.notify_all()
        self.index_wanted.set()
        if self.server is not None:
            self.server.server_close()
        for thread in self.threads:
            thread.join(timeout=60)
        if self.temp is not None:
            shutil.rmtree(self.temp, ignore_errors=True)

    # --- building ------------------------------------------------------------------------

    def load_settings(self) -> Config:
        config = load_config(self.root, drafts=True if self.drafts else None)
        return replace(config, base_url=f"http://{url_host(self.host)}:{self.port}{config.base_path}")

    def rebuild(self, changed: set[Path], jobs: int | None = 1) -> Rebuild:
        """The build `digest build` runs (engine.make), from what the last rebuild left in
        memory and the changed files; switch to it when complete. Only the pages whose
        fingerprint moved are rendered (rendering.stream_pages). jobs: worker processes, as
        for `digest build` (None: all cores, one for a small site); a rebuild once threads
        run makes few pages, in this process (1)."""
        started = time.perf_counter()
        result = Rebuild(changed=sorted(self._shown(p) for p in changed))
        try:
            config = self.load_settings()
            if self.strings is None or self.strings.language != config.language:  # for the overlay, even if the entries fail
                self.strings = site_catalog(config)[0][config.language]
            if config != self.config:  # time zone, permalink, drafts...: every entry may read differently
                self.config, self.last, self.entry_cache = config, Last(), None
            # A failed rebuild leaves no model to keep: the next one reads every file's stat.
            last, self.last = self.last, replace(self.last, model=None)
            with fewer_collections():
                with no_collections():  # unpickling the cache folder's entries, when read
                    self.looked = cache = EntryCache(config, last=self.entry_cache, read_only=True)
                made = make(config, last, cache, changed, jobs)
            site = made.site
            self.strings = site.catalog[config.language]
            # Renditions of images, as `digest build` makes them, are kept in memory (self.renditions).
            images, result.resized = rendition_pages(site.pictures, config, self.renditions, jobs)
            pages = self._pages(made, changed, result, images, jobs)
            built = replace(self._collect(pages, result), entries=len(site.posts), base_path=config.base_path,
                            entry_pages=tuple(entry_pages(site.posts)), search_language=site.search_language)
        except DigestError as error:
            result.ok, result.problems = False, list(error.problems)
        except Exception as error:  # a bug must not take the preview down; say what it was
            result.ok = False
            result.problems = [Problem("digest", None, None, f"internal error: {type(error).__name__}: {error}")]
        else:
            self.last, self.entry_cache = made.last(), cache
            result.problems = made.warnings
            result.entries, result.pages = built.entries, sum(path.endswith(".html") for path in built.pages)
            result.in_place, result.reread, result.drafts = made.model.in_place, made.model.reread, made.model.drafts
            result.fingerprinted = made.fingerprinted
            moved = self.current is not None and self.current.base_path != built.base_path
            self._switch(built, tuple(format_problem(p) for p in sorted(result.problems, key=sort_key)))
            result.moved_to = self.url if moved else ""
        if not result.ok:
            result.serving = self.current is not None
            with self.changed:
                errors = tuple(format_problem(p) for p in result.problems if p.is_error)
                self.status = Status(self.status.version + 1, self.status.epoch, errors, self.strings,
                                     self.status.warnings)
                self.changed.notify_all()
        result.seconds = time.perf_counter() - started
        return result

    def _pages(self, made: Made, changed: set[Path], result: Rebuild, images: list, jobs: int | None) -> list[Page]:
        """Every page, as `digest build` makes them, with one Jinja environment kept across
        rebuilds: compiling the templates is most of a rebuild's time. Jinja reloads a
        template whose file changed; any change under themes/ (a new override, say) or to
        the settings makes a new environment. A page whose fingerprint is the last rebuild's
        keeps its bytes; static files are read again only when their stat changed
        (cache.FileHashes), and kept in memory by their hash."""
        site = made.site
        themes = self.root / "themes"
        if self.environment is None or self.environment[0] != site.config or any(
                path.is_relative_to(themes) for path in changed):
            self.environment = (site.config, make_environment(site.config))
        environment = self.environment[1]
        environment.globals["cached"].outputs.clear()  # made for the last rebuild's views
        reused: list[Page | None] = []
        for path, key in zip(site.paths, made.keys):
            previous = self.rendered.get(path)
            reused.append(previous.page if previous is not None and previous.key == key else None)
        # Pages as the terminal counts them (HTML): feeds and the sitemap are rendered too.
        result.rendered = sum(page is None and path.endswith(".html") for path, page in zip(site.paths, reused))
        hashes = FileHashes(site.config, enabled=False, stored=self.static_hashes)
        try:
            pages = list(stream_pages(site, jobs, reused, environment, hashes, images, made.views))
        except BaseException:
            self.environment = None  # start afresh after a template error
            raise
        routes = len(site.routes)
        self.rendered = {path: Rendered(key, page) for path, key, page in zip(site.paths, made.keys, pages)}
        served = {}
        for index in range(routes, len(pages)):
            page = pages[index]
            if isinstance(page, StaticFile):  # known by its stat: its bytes are those served before
                known = self.static_bytes.get(page.digest)
                page = pages[index] = Page(page.path, known if known is not None else page.data)
            served[page.digest] = page.data
        self.static_hashes, self.static_bytes = hashes.seen, served
        return pages

    def _shown(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix() if path.is_relative_to(self.root) else path.as_posix()

    def _collect(self, pages: list[Page], result: Rebuild) -> Built:
        """The new build, in memory: every path checked as `digest build` checks it; written
        counts the pages whose bytes differ from the served build's."""
        self.generation += 1
        previous = self.current.pages if self.current is not None else {}
        served: dict[str, bytes] = {}
        for page in pages:
            if page.path in served:
                raise twice(page.path)
            check_relative(page.path)
            served[page.path] = page.data
            before = previous.get(page.path)
            if before is not page.data and before != page.data:
                result.written += 1
        return Built(self.temp / f"site-{self.generation}", self.generation, served)

    def _write(self, built: Built, previous: Built | None) -> None:
        """Off the rebuild's path: the build on disk, for Pagefind and for anyone who looks.
        Pages with the same bytes as the last written build are hard links to it. The folder
        appears complete or not at all."""
        partial = built.folder.with_name(built.folder.name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        partial.mkdir()
        made, checked = {partial}, set()
        try:
            for path, data in built.pages.items():
                target = safe_target(partial, path, checked)
                if target.parent not in made:
                    target.parent.mkdir(parents=True, exist_ok=True)
                    made.add(target.parent)
                before = previous.pages.get(path) if previous is not None else None
                if before is not None and (before is data or before == data):
                    try:
                        os.link(previous.folder / path, target)
                        continue
                    except OSError:
                        pass  # gone, or a file system without hard links: write it
                target.write_bytes(data)
            os.rename(partial, built.folder)
        except BaseException:
            shutil.rmtree(partial, ignore_errors=True)
            raise

    def _switch(self, built: Built, warnings: tuple[str, ...] = ()) -> None:
        with self.changed:
            self.current = built
            self.status = Status(self.status.version + 1, built.epoch, (), self.strings, warnings)
            self.changed.notify_all()
        self.to_index = built  # the background thread indexes it and removes older builds
        self.index_wanted.set()

    def _discard_before(self, prefix: str, epoch: int) -> None:
        for old in self.temp.glob(f"{prefix}-*"):
            number = old.name.partition("-")[2]
            if number.isdigit() and int(number) < epoch:
                shutil.rmtree(old, ignore_errors=True)

    # --- search --------------------------------------------------------------------------

    def _save(self, built: Built) -> None:
        """Write the build to disk (linking unchanged pages), drop older folders, index it."""
        try:
            self._write(built, self.written)
        except (DigestError, OSError) as error:
            problems = error.problems if isinstance(error, DigestError) else [
                Problem("serve", None, None, f"could not write the preview folder: {error}")]
            self.report(Rebuild([], 0.0, False, problems=list(problems), kind="search"))
            return
        self.written = built
        self._discard_before("site", built.epoch - KEEP_BUILDS + 1)
        if self.config.search:
            self._index(built)

    def _index(self, built: Built) -> None:
        """The search index over hard links of the build's entry pages, as `digest build` makes
        it: only the shards whose entries changed since the last index are indexed again, the
        others are linked from it. Then serve `pagefind/` from there."""
        folder = self.temp / f"search-{built.epoch}"
        started = time.perf_counter()
        try:
            for path in built.entry_pages:
                target = folder / path
                target.parent.mkdir(parents=True, exist_ok=True)
                os.link(built.folder / path, target)
            config = self.config
            language = config.language if built.search_language is None else built.search_language
            index = index_pages(folder, built.entry_pages, lambda path: digest_of(built.pages[path]),
                                search_key(language, config.search_shard_entries), language,
                                config.search_shard_entries, [self.search_index] if self.search_index else [],
                                background=True)
            warnings = index.warnings
        except FileNotFoundError:  # the build was replaced and removed meanwhile: a newer index follows
            shutil.rmtree(folder, ignore_errors=True)
            return
        except (DigestError, OSError) as error:
            shutil.rmtree(folder, ignore_errors=True)
            problems = error.problems if isinstance(error, DigestError) else [
                Problem("search", None, None, f"could not prepare the search index: {error}")]
            self.report(Rebuild([], time.perf_counter() - started, False, problems=list(problems), kind="search"))
            return
        self.search_index = Earlier(folder, index.bundle, index.shards)
        with self.changed:
            self.search_roots = (folder / "pagefind", *self.search_roots[:1])
        if warnings:
            self.report(Rebuild([], time.perf_counter() - started, True, problems=warnings, kind="search"))
        # The index before stays: a search page that fetched its pagefind-entry.json goes on to
        # fetch the files it names (named by their content), which the handler finds there.
        kept = {root.parent for root in self.search_roots}
        for old in self.temp.glob("search-*"):
            if old not in kept:
                shutil.rmtree(old, ignore_errors=True)

    def _index_loop(self) -> None:
        """Off the rebuild's path: Pagefind, then removing builds no request needs any more."""
        while not self.stop.is_set():
            self.index_wanted.wait()
            self.index_wanted.clear()
            built, self.to_index = self.to_index, None
            if built is None or self.stop.is_set():
                continue
            self._save(built)

    # --- watching (watch.py) ---------------------------------------------------------------

    def _watch_failed(self, problem: Problem) -> None:
        self.report(Rebuild([], ok=False, kind="watch", problems=[problem]))

    def _note(self, changes) -> None:
        with self.wake:
            self.pending.update(Path(path) for _, path in changes)
            self.pending_at = time.monotonic()
            self.wake.notify_all()

    def _rebuild_loop(self) -> None:
        """One rebuild per burst: wait for a change, then for QUIET_SECONDS without one."""
        while not self.stop.is_set():
            with self.wake:
                self.wake.wait_for(lambda: self.pending or self.stop.is_set())
                while not self.stop.is_set():
                    quiet = time.monotonic() - self.pending_at
                    if quiet >= QUIET_SECONDS:
                        break
                    self.wake.wait(QUIET_SECONDS - quiet)
                changed, self.pending = self.pending, set()
            if self.stop.is_set():
                return
            if not all(self._unchanged(path) for path in changed):
                self.report(self.rebuild(changed))

    def _unchanged(self, path: Path) -> bool:
        """True when a reported path cannot change the site: an entry already read as it is now
        (events trailing a save storm), or a file under content/ that is neither an entry nor
        an image an entry shows."""
        config, looked = self.config, self.looked
        if config is None or looked is None or not path.is_relative_to(config.content_path):
            return False  # settings and themes: always rebuild
        shown = display_path(path, self.root)
        read = looked.taken.get(shown)
        if read is not None:
            return stat_of(path) == read
        if path.is_dir() or path.suffix == ".md" or any(name.startswith(shown + "/") for name in looked.taken):
            return False  # a new entry, or a folder of entries added, moved or removed
        # An image an entry shows, or any file while an entry is broken (its image may be the fix).
        entries = [entry for entry, _ in looked.used.values() if entry is not None]
        shown_pictures = {(self.root / picture.source).resolve() for entry in entries for picture in entry.pictures}
        good = {name for name, _ in looked.used}
        return path.resolve() not in shown_pictures and good >= looked.taken.keys()

    # --- answering requests --------------------------------------------------------------

    def host_allowed(self, host_header: str | None) -> bool:
        return host_allowed(self.host, self.port, host_header)

    def wait_for_change(self, version: int, timeout: float) -> Status:
        with self.changed:
            self.changed.wait_for(lambda: self.status.version != version or self.stop.is_set(), timeout)
            return self.status


def stat_of(path: Path | str) -> tuple | None:
    """cache.file_stat, None for a file gone."""
    try:
        return file_stat(str(path))
    except OSError:
        return None
