"""The preview server: build into a temporary folder, serve it, watch, rebuild, reload.

- Every build is complete in memory before requests switch to it (until then they get the
  previous one), and is served from there. A background thread then writes it into a fresh
  folder (`site-1`, `site-2`, ... inside one temporary folder, never `output/`) for Pagefind:
  pages whose bytes did not change are hard links to the previous folder.
- Entries are kept in memory by file: a rebuild re-reads only the files that changed and
  recomputes the site model (listings, taxonomies, feeds) from memory. A changed setting
  starts from scratch; a changed template re-renders everything. Otherwise a page whose
  fingerprint (reuse.py: its context, the settings, the templates) is unchanged keeps its
  bytes from the last rebuild and is not rendered again; only changed bytes reach the disk.
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

from .cache import FileHashes
from .config import Config, load_config
from .entries import Entry
from .errors import DigestError, Problem, format_problem, raise_if_errors, sort_key
from .links import body_link_problems
from .load import find_sources
from .build import stream_pages
from .http import PortInUse, PreviewServer, find_file, find_page, host_allowed, request_path, url_host
from .images import read_default_image
from .overlay import Status
from .read import load_entry, no_content_folder, pictures_unchanged, published
from .render import Page, StaticFile, digest_of, make_environment, static_problems
from .renditions import RenditionStore, rendition_pages
from .reuse import Edits, Fingerprints, PageMap, route_keys
from .search import Earlier, entry_pages, index_pages, search_key
from .site import Site, build_site, languages_of, linked_entry, model_fields
from .strings import Strings, site_catalog
from .views import Views
from .watch import Watcher, is_editor_noise
from .write import check_relative, safe_target

# Names tests and callers know from here, defined in the modules that do the work.
__all__ = ["Preview", "Rebuild", "Built", "PortInUse", "file_stamp", "find_file", "find_page", "request_path",
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


class KnownFile(NamedTuple):
    """An entry file as the preview last read it."""

    stamp: tuple                 # file_stamp when read
    entry: Entry | None          # None when it has errors
    problems: list[Problem]


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
    in_place: bool = False       # the model was kept, with new versions of entries (_edit_in_place)
    problems: list[Problem] = field(default_factory=list)
    kind: str = "build"
    serving: bool = True         # a failed rebuild left a good site served (none before the first)
    moved_to: str = ""           # the preview's new URL, when the settings moved its base path


class Preview:
    """The preview server's state: settings, entries by file, the served build, the watchers."""

    def __init__(self, root: Path, host: str = "127.0.0.1", port: int = 8000, drafts: bool = False,
                 report: Callable[[Rebuild], None] = lambda rebuild: None):
        self.root, self.host, self.port, self.drafts, self.report = root.resolve(), host, port, drafts, report
        self.config: Config | None = None
        self.entries: dict[Path, KnownFile] = {}
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
        # Image renditions made so far, in memory: the preview writes nothing outside its folder.
        self.renditions = RenditionStore(Config(root=self.root), enabled=False)
        self.written: Built | None = None        # the last build written to disk (background thread)
        # The model of the served build, for edits made in place (_revised_in_place); None after a
        # failed rebuild or when its pages cannot be fingerprinted.
        self.site: Site | None = None
        # Post URL -> the newer version of its entry each edit made in place since the model
        # was built (the model reads them the same: views.Views shows them).
        self.revised: dict[str, Entry] = {}
        self.prints: Fingerprints | None = None
        self.page_map: PageMap | None = None      # which routes show which post and term (reuse.PageMap)
        self.site_problems: list[Problem] = []
        self.drafts_left_out = 0                 # of the served build (an edit in place reads no other file)
        self.link_warnings: list[Problem] = []   # broken links in entry bodies (links.py)
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
        first = self.rebuild(set())
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
            paths, _ = find_sources(self.config.content_path, self.root)
            if set(paths) != set(self.entries) or any(file_stamp(p) != self.entries[p].stamp for p in paths):
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

    def rebuild(self, changed: set[Path]) -> Rebuild:
        """Build from the in-memory model plus the changed files; switch to it when complete.
        The pages are made as `digest build` makes them (reuse.route_keys, build.stream_pages):
        only those whose fingerprint moved are rendered."""
        started = time.perf_counter()
        result = Rebuild(changed=sorted(self._shown(p) for p in changed))
        try:
            config = self.load_settings()
            if self.strings is None or self.strings.language != config.language:  # for the overlay, even if the entries fail
                self.strings = site_catalog(config)[0][config.language]
            if config != self.config:  # time zone, permalink, drafts...: every entry may read differently
                self.entries.clear()
                self.config = config
            site, revised = self.site, self._revised_in_place(config, changed, result)
            if revised is not None:  # the model kept: its pages show the new versions
                edits = Edits.between(entries_of(site, self.revised), entries_of(site, revised), site.posts)
                result.in_place = True
            else:
                served, self.site = self.site, None
                served_entries = entries_of(served, self.revised) if served else None
                entries, problems = self._read_entries(config, changed, result)
                raise_if_errors(problems)
                default_image, found = read_default_image(config)
                catalog, more = site_catalog(config, languages_of(entries))
                problems += found + more
                raise_if_errors(problems)
                self.strings = catalog[config.language]
                site, site_problems = build_site(entries, config, default_image, catalog)
                problems += site_problems + static_problems(site)
                raise_if_errors(problems)
                edits = Edits.between(served_entries, entries_of(site), site.posts) if served else None
                revised = {}
                from_files = {id(problem) for known in self.entries.values() for problem in known.problems}
                self.site_problems = [p for p in problems if not p.is_error and id(p) not in from_files]
            self.site, self.revised = site, revised
            # Renditions of images, as `digest build` makes them, are kept in memory (self.renditions).
            images, _ = rendition_pages(site.pictures, config, self.renditions)
            pages = self._pages(site, Views(site, revised), changed, result, edits, images)
            built = replace(self._collect(pages, result), entries=len(site.posts), base_path=config.base_path,
                            entry_pages=tuple(entry_pages(site.posts)), search_language=site.search_language)
            # As `digest build`: a body edit in place can break or mend a link, so every time.
            self.link_warnings = body_link_problems(site, revised=revised)
        except DigestError as error:
            result.ok, result.problems = False, list(error.problems)
        except Exception as error:  # a bug must not take the preview down; say what it was
            result.ok = False
            result.problems = [Problem("digest", None, None, f"internal error: {type(error).__name__}: {error}")]
        else:
            result.problems = self._warnings()
            result.entries, result.pages = built.entries, sum(path.endswith(".html") for path in built.pages)
            if result.in_place:
                result.drafts = self.drafts_left_out
            self.drafts_left_out = result.drafts
            moved = self.current is not None and self.current.base_path != built.base_path
            self._switch(built, tuple(format_problem(p) for p in sorted(result.problems, key=sort_key)))
            result.moved_to = self.url if moved else ""
        if not result.ok:
            result.serving = self.current is not None
            self.site = None  # the next rebuild starts from the files
            with self.changed:
                errors = tuple(format_problem(p) for p in result.problems if p.is_error)
                self.status = Status(self.status.version + 1, self.status.epoch, errors, self.strings,
                                     self.status.warnings)
                self.changed.notify_all()
        result.seconds = time.perf_counter() - started
        return result

    def _pages(self, site: Site, views: Views, changed: set[Path], result: Rebuild,
               edits: Edits | None, images: list) -> list[Page]:
        """Every page, as `digest build` makes them, with one Jinja environment kept across
        rebuilds: compiling the templates is most of a rebuild's time. Jinja reloads a
        template whose file changed; any change under themes/ (a new override, say) or to
        the settings makes a new environment. edits: how the entries differ from the served
        site's (reuse.Edits), if it is known: an edit in place, or of terms, then fingerprints
        only the routes it reaches (reuse.route_keys). A page whose fingerprint is the last
        rebuild's keeps its bytes; static files are read again only when their stat changed
        (cache.FileHashes), and kept in memory by their hash."""
        themes = self.root / "themes"
        if self.environment is None or self.environment[0] != site.config or any(
                path.is_relative_to(themes) for path in changed):
            self.environment = (site.config, make_environment(site.config))
        environment = self.environment[1]
        environment.globals["cached"].outputs.clear()  # made for the last rebuild's views
        prints = Fingerprints(site, views)
        last_keys = {path: known.key for path, known in self.rendered.items()}
        keys, self.page_map, result.fingerprinted = route_keys(site, prints, self.page_map if edits else None,
                                                               last_keys, edits)
        self.prints = prints
        reused: list[Page | None] = []
        for path, key in zip(site.paths, keys):
            previous = self.rendered.get(path)
            reused.append(previous.page if previous is not None and previous.key == key else None)
        # Pages as the terminal counts them (HTML): feeds and the sitemap are rendered too.
        result.rendered = sum(page is None and path.endswith(".html") for path, page in zip(site.paths, reused))
        hashes = FileHashes(site.config, enabled=False, stored=self.static_hashes)
        try:
            pages = list(stream_pages(site, 1, reused, environment, hashes, images, views))
        except BaseException:
            self.environment = None  # start afresh after a template error
            raise
        routes = len(site.routes)
        self.rendered = {path: Rendered(key, page) for path, key, page in zip(site.paths, keys, pages)}
        served = {}
        for index in range(routes, len(pages)):
            page = pages[index]
            if isinstance(page, StaticFile):  # known by its stat: its bytes are those served before
                known = self.static_bytes.get(page.digest)
                page = pages[index] = Page(page.path, known if known is not None else page.data)
            served[page.digest] = page.data
        self.static_hashes, self.static_bytes = hashes.seen, served
        return pages

    def _revised_in_place(self, config: Config, changed: set[Path], result: Rebuild) -> dict | None:
        """The fast path for the common edit: every changed file is an entry of the served site
        whose new version the model reads the same (site.model_fields: its title, summary or
        body changed, say). Then the model is kept, and the new versions go to the pages
        through the views (views.Views, revised): post URL -> the entry's new version, for
        every entry so revised since the model was built. None when that does not hold (or
        nothing was built yet): the caller builds the model from the files."""
        site = self.site
        if site is None or self.current is None or config != site.config or not changed:
            return None
        posts = {post.entry.path: post for post in site.posts}
        updates = []
        for path in changed:
            known = self.entries.get(path)
            if known is None or known.entry is None or path.suffix != ".md":
                return None
            stamp = file_stamp(path)
            _, entry, found = load_entry(path, config)
            result.reread += 1
            post = posts.get(known.entry.path)
            if (entry is None or post is None or any(problem.is_error for problem in found)
                    or model_fields(entry) != model_fields(known.entry)):
                return None
            updates.append((path, KnownFile(stamp, entry, found), post))
        url_of = {post.entry.path: post.url for post in site.posts}
        revised = dict(self.revised)
        for path, known, post in updates:
            self.entries[path] = known
            revised[post.url] = linked_entry(known.entry, url_of, config)
        return revised

    def _warnings(self) -> list[Problem]:
        """The warnings of the served build: each file's, its links', then the rest (folder scan, site)."""
        found = [problem for known in self.entries.values() for problem in known.problems if not problem.is_error]
        return found + self.link_warnings + self.site_problems

    def _shown(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix() if path.is_relative_to(self.root) else path.as_posix()

    def _read_entries(self, config: Config, changed: set[Path], result: Rebuild):
        """Every entry, re-reading only files that changed (by the watcher's word or their stat)."""
        if not config.content_path.is_dir():
            return [], [no_content_folder(config)]
        paths, problems = find_sources(config.content_path, config.root)
        fresh = {}
        for path in paths:
            stamp = file_stamp(path)
            known = self.entries.get(path)
            if known is None or known.stamp != stamp or path in changed or (
                    known.entry is not None and not pictures_unchanged(known.entry, config)):
                _, entry, found = load_entry(path, config)
                known = KnownFile(stamp, entry, found)
                result.reread += 1
            fresh[path] = known
        self.entries = fresh
        entries, result.drafts = published([known.entry for known in fresh.values() if known.entry is not None],
                                           config)
        problems += [problem for known in fresh.values() for problem in known.problems]
        return entries, problems

    def _collect(self, pages: list[Page], result: Rebuild) -> Built:
        """The new build, in memory: every path checked as `digest build` checks it; written
        counts the pages whose bytes differ from the served build's."""
        self.generation += 1
        previous = self.current.pages if self.current is not None else {}
        served: dict[str, bytes] = {}
        for page in pages:
            if page.path in served:
                raise DigestError([Problem("output", None, None, f"two pages want the same file: {page.path}")])
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
        config = self.config
        if config is None or not path.is_relative_to(config.content_path):
            return False  # settings and themes: always rebuild
        if path in self.entries:
            return file_stamp(path) == self.entries[path].stamp
        if path.is_dir() or path.suffix == ".md" or any(known.is_relative_to(path) for known in self.entries):
            return False  # a new entry, or a folder of entries added, moved or removed
        # An image an entry shows, or any file while an entry is broken (its image may be the fix).
        shown = {(self.root / picture.source).resolve() for _, entry, _ in self.entries.values()
                 if entry is not None for picture in entry.pictures}
        return path.resolve() not in shown and all(entry is not None for _, entry, _ in self.entries.values())

    # --- answering requests --------------------------------------------------------------

    def host_allowed(self, host_header: str | None) -> bool:
        return host_allowed(self.host, self.port, host_header)

    def wait_for_change(self, version: int, timeout: float) -> Status:
        with self.changed:
            self.changed.wait_for(lambda: self.status.version != version or self.stop.is_set(), timeout)
            return self.status


def entries_of(site: Site, revised: dict | None = None) -> dict:
    """Entry file -> the entry its post shows (reuse.Edits compares two sites by these).
    revised: post URL -> a newer version of its entry (Preview.revised)."""
    revised = revised or {}
    return {post.entry.path: revised.get(post.url, post.entry) for post in site.posts}


def file_stamp(path: Path) -> tuple:
    try:
        info = path.stat()
    except OSError:
        return ()
    return (info.st_mtime_ns, info.st_size, info.st_ino)


