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
  failed rebuild in an overlay while the last good site stays up.

The library never prints: `cli.py` passes a `report` callback that gets one `Rebuild` per
rebuild (and per failed search index).
"""

from __future__ import annotations

import html
import ipaddress
import json
import os
import re
import shutil
import socket
import tempfile
import threading
import time
from dataclasses import dataclass, field, replace
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from socketserver import TCPServer
from typing import Callable
from urllib.parse import parse_qs, quote, unquote

import jinja2
import watchfiles

from .cache import FileHashes
from .config import SETTINGS_FILE, Config, load_config
from .entries import Entry
from .errors import DigestError, Problem, format_problem, raise_if_errors, sort_key
from .links import body_link_problems
from .load import find_sources
from .images import read_default_image
from .read import load_entry, no_content_folder, pictures_unchanged, published
from .render import (CONTENT_SECURITY_POLICY, LITTER, Page, StaticFile, digest_of, each_static_page, extra_pages,
                     make_environment, render_pages, static_problems)
from .renditions import RenditionStore, rendition_pages
from .reuse import Edits, Fingerprints, PageMap, route_keys
from .search import Earlier, entry_pages, index_pages, search_key
from .site import Site, build_site, languages_of, linked_entry, model_fields, swap_entry
from .strings import STRINGS_DIR, Strings, english_strings, site_catalog
from .write import check_relative, safe_target

QUIET_SECONDS = 0.05         # a burst of saves ends after this long without a new change
POLL_SECONDS = 20            # how long one long-poll request waits for a rebuild
KEEP_BUILDS = 2              # folders kept: the last written and the one before (its pages are linked)
EVENTS_PATH = "/__digest__/events"
SCRIPT_PATH = "/__digest__/reload.js"
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
WILDCARD = {"0.0.0.0", "::", ""}

CONTENT_TYPES = {".html": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8",
                 ".js": "text/javascript; charset=utf-8", ".mjs": "text/javascript; charset=utf-8",
                 ".json": "application/json", ".xml": "application/xml", ".txt": "text/plain; charset=utf-8",
                 ".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
                 ".gif": "image/gif", ".webp": "image/webp", ".ico": "image/x-icon", ".wasm": "application/wasm",
                 ".woff2": "font/woff2", ".woff": "font/woff", ".avif": "image/avif", ".pdf": "application/pdf",
                 ".mp3": "audio/mpeg", ".mp4": "video/mp4", ".webm": "video/webm"}


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


@dataclass(frozen=True)
class Status:
    """What open pages need to know: bumped on every rebuild, good or bad."""

    version: int = 0
    epoch: int = 0                   # the build being served; 0 while there is none
    errors: tuple[str, ...] = ()     # formatted problems of the last rebuild, if it failed
    strings: Strings | None = None   # the site language's interface, for the overlay's words
    warnings: tuple[str, ...] = ()   # formatted warnings of the served build (a panel that blocks nothing)


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
    in_place: bool = False       # the model was kept and the entries swapped into it (_edit_in_place)
    problems: list[Problem] = field(default_factory=list)
    kind: str = "build"
    serving: bool = True         # a failed rebuild left a good site served (none before the first)
    moved_to: str = ""           # the preview's new URL, when the settings moved its base path


class PortInUse(OSError):
    pass


def is_editor_noise(name: str, hidden: bool = True) -> bool:
    """Editors save through temporary, swap and backup files (render.LITTER), most of them
    hidden: a hidden name is noise too, but in static/, where `.well-known/` is published."""
    return (hidden and name.startswith(".")) or bool(LITTER.search(name))


def url_host(host: str) -> str:
    if host in WILDCARD:
        return "127.0.0.1"
    return f"[{host}]" if ":" in host else host


ADDRESS_AT = re.compile(r"(?:\[(?P<v6>[0-9a-f:.]+)\]|(?P<v4>[0-9.]+))(?::(?P<port>[0-9]{1,5}))?", re.IGNORECASE)


def is_address_at(host_header: str, port: int) -> bool:
    """True for `192.168.1.20:8000` or `[fe80::1]:8000` at this port: listening on all
    addresses, a phone on the network asks for the machine by its address. A DNS-rebinding
    page always sends a name (its own), never an address, so addresses are safe to answer."""
    match = ADDRESS_AT.fullmatch(host_header)
    if match is None or int(match["port"] or 80) != port:
        return False
    try:
        ipaddress.ip_address(match["v6"] or match["v4"])
    except ValueError:
        return False
    return True


class Preview:
    """The preview server's state: settings, entries by file, the served build, the watchers."""

    def __init__(self, root: Path, host: str = "127.0.0.1", port: int = 8000, drafts: bool = False,
                 report: Callable[[Rebuild], None] = lambda rebuild: None):
        self.root, self.host, self.port, self.drafts, self.report = root.resolve(), host, port, drafts, report
        self.config: Config | None = None
        self.entries: dict[Path, tuple[tuple, Entry | None, list[Problem]]] = {}  # path -> (stat, entry, problems)
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
        self.tree_armed, self.settings_armed = threading.Event(), threading.Event()
        self.environment: tuple[Config, jinja2.Environment] | None = None
        self.rendered: dict[str, tuple[bytes, Page]] = {}  # path -> (fingerprint, page) of the last render
        self.static_hashes: dict = {}            # FileHashes.seen of the last rebuild's static files
        self.static_bytes: dict[bytes, bytes] = {}  # their bytes by hash, as served
        # Image renditions made so far, in memory: the preview writes nothing outside its folder.
        self.renditions = RenditionStore(Config(root=self.root), enabled=False)
        self.written: Built | None = None        # the last build written to disk (background thread)
        # The model of the served build, for edits made in place (_edit_in_place); None after a
        # failed rebuild or when its pages cannot be fingerprinted.
        self.site: Site | None = None
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
        for target in (self._rebuild_loop, self._index_loop, self._watch_tree, self._watch_settings):
            thread = threading.Thread(target=target, name=f"digest-{target.__name__.strip('_')}", daemon=True)
            thread.start()
            self.threads.append(thread)
        # Edits made from now on must be seen: wait for both watchers, then catch up with any
        # entry saved between the first build and the watchers' start.
        for armed in (self.tree_armed, self.settings_armed):
            armed.wait(timeout=30)
        if self.config is not None and self.config.content_path.is_dir():
            paths, _ = find_sources(self.config.content_path, self.root)
            if set(paths) != set(self.entries) or any(file_stamp(p) != self.entries[p][0] for p in paths):
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
        """Build from the in-memory model plus the changed files; switch to it when complete."""
        started = time.perf_counter()
        result = Rebuild(changed=sorted(self._shown(p) for p in changed))
        try:
            config = self.load_settings()
            if self.strings is None or self.strings.language != config.language:  # for the overlay, even if the entries fail
                self.strings = site_catalog(config)[0][config.language]
            if config != self.config:  # time zone, permalink, drafts...: every entry may read differently
                self.entries.clear()
                self.config = config
            built = self._edit_in_place(config, changed, result)
            site = self.site
            if built is None:
                served, self.site = self.site, None
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
                edits = Edits.between(entries_of(served), entries_of(site), site.posts) if served else None
                # As digest build writes them (build.stream_pages); renditions are kept in memory.
                images, _ = rendition_pages(site.pictures, config, self.renditions)
                pages = self._render(site, changed, result, edits) + self._static_pages(config) + extra_pages() + images
                built = replace(self._collect(pages, result), entries=len(site.posts), base_path=config.base_path,
                                entry_pages=tuple(entry_pages(site.posts)))
                from_files = {id(problem) for _, _, found in self.entries.values() for problem in found}
                self.site_problems = [p for p in problems if not p.is_error and id(p) not in from_files]
                self.site = site if self.prints is not None and self.prints.enabled else None
            # As `digest build`: a body edit in place can break or mend a link, so every time.
            self.link_warnings = body_link_problems(site)
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

    def _render(self, site, changed: set[Path], result: Rebuild, edits: Edits | None = None) -> list[Page]:
        """Every route, with one Jinja environment kept across rebuilds: compiling the templates
        is most of a rebuild's time. Jinja reloads a template whose file changed; any change
        under themes/ (a new override, say) or to the settings makes a new environment.
        edits: how the entries differ from the served site's (reuse.Edits), if it is known:
        an edit of terms then fingerprints only the routes it reaches (reuse.route_keys)."""
        themes = self.root / "themes"
        if self.environment is None or self.environment[0] != site.config or any(
                path.is_relative_to(themes) for path in changed):
            self.environment = (site.config, make_environment(site.config))
        prints = Fingerprints(site)
        known = self.rendered
        last_keys = {path: key for path, (key, _) in known.items()}
        keys, self.page_map, result.fingerprinted = route_keys(site, prints, self.page_map if edits else None,
                                                               last_keys, edits)
        self.prints = prints
        pages: list[Page | None] = [None] * len(keys)
        for index, (route, key) in enumerate(zip(site.routes, keys)):
            previous = known.get(route.output_path) if key is not None else None
            if previous is not None and previous[0] == key:  # inputs unchanged: the same bytes (reuse.py)
                pages[index] = previous[1]
        todo = [index for index, page in enumerate(pages) if page is None]
        # Pages as the terminal counts them (HTML): feeds and the sitemap are rendered too.
        result.rendered = sum(site.routes[index].output_path.endswith(".html") for index in todo)
        try:
            fresh = render_pages(site, [site.routes[index] for index in todo], self.environment[1]) if todo else []
        except BaseException:
            self.environment = None  # start afresh after a template error
            raise
        for index, page in zip(todo, fresh):
            pages[index] = page
        self.rendered = {page.path: (key, page) for page, key in zip(pages, keys) if key is not None}
        return pages

    def _edit_in_place(self, config: Config, changed: set[Path], result: Rebuild) -> Built | None:
        """The fast path for the common edit: every changed file is an entry of the served site
        whose new version the model reads the same (site.model_fields: its title, summary or
        body changed, say). Each is swapped into its post and only the pages showing it are
        fingerprinted and rendered again; every other page keeps its bytes. None when that does
        not hold (or nothing was built yet): the caller rebuilds the model from the files."""
        site, current = self.site, self.current
        if site is None or current is None or config != site.config or not changed:
            return None
        posts = {post.entry.path: post for post in site.posts}
        updates = []
        for path in changed:
            known = self.entries.get(path)
            if known is None or known[1] is None or path.suffix != ".md":
                return None
            stamp = file_stamp(path)
            _, entry, found = load_entry(path, config)
            result.reread += 1
            post = posts.get(known[1].path)
            if (entry is None or post is None or any(problem.is_error for problem in found)
                    or model_fields(entry) != model_fields(known[1])):
                return None
            updates.append((path, (stamp, entry, found), post))
        url_of = {post.entry.path: post.url for post in site.posts}
        touched: set[int] = set()
        for path, known, post in updates:
            self.entries[path] = known
            swap_entry(post, linked_entry(known[1], url_of, config))
            self.prints.refresh(post)
            touched.update(self.page_map.readers.get(post.url, ()) if self.page_map else ())
        return self._render_touched(site, sorted(touched), current, result)

    def _render_touched(self, site: Site, indexes: list[int], current: Built, result: Rebuild) -> Built:
        """The served build with the pages of these routes rendered again where their
        fingerprint moved."""
        todo, keys = [], {}
        for index in indexes:
            route = site.routes[index]
            key = self.prints.fingerprint(route)
            known = self.rendered.get(route.output_path)
            if key is None or known is None or known[0] != key:
                todo.append(route)
                keys[route.output_path] = key
        result.rendered, result.in_place = sum(route.output_path.endswith(".html") for route in todo), True
        fresh = render_pages(site, todo, self.environment[1]) if todo else []
        self.generation += 1
        served = dict(current.pages)
        for page in fresh:
            if served.get(page.path) != page.data:
                result.written += 1
            served[page.path] = page.data
            self.rendered[page.path] = (keys[page.path], page)
        return Built(self.temp / f"site-{self.generation}", self.generation, served,
                     entries=current.entries, base_path=current.base_path, entry_pages=current.entry_pages)

    def _warnings(self) -> list[Problem]:
        """The warnings of the served build: each file's, its links', then the rest (folder scan, site)."""
        found = [problem for _, _, problems in self.entries.values() for problem in problems if not problem.is_error]
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
            if known is None or known[0] != stamp or path in changed or (
                    known[1] is not None and not pictures_unchanged(known[1], config)):
                _, entry, found = load_entry(path, config)
                known = (stamp, entry, found)
                result.reread += 1
            fresh[path] = known
        self.entries = fresh
        entries, result.drafts = published([entry for _, entry, _ in fresh.values() if entry is not None], config)
        problems += [problem for _, _, found in fresh.values() for problem in found]
        return entries, problems

    def _static_pages(self, config: Config) -> list[Page]:
        """The static files, each read again only when its stat changed since a rebuild read
        it (cache.FileHashes): a folder of images is not read on every save."""
        hashes = FileHashes(config, enabled=False, stored=self.static_hashes)
        pages, served = [], {}
        for page in each_static_page(config, hashes):
            digest = page.digest  # known, or taken as the file was read
            if isinstance(page, StaticFile):
                known = self.static_bytes.get(digest)
                page = Page(page.path, known if known is not None else page.data)
            served[digest] = page.data
            pages.append(page)
        self.static_hashes, self.static_bytes = hashes.seen, served
        return pages

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
            index = index_pages(folder, built.entry_pages, lambda path: digest_of(built.pages[path]),
                                search_key(config.language, config.search_shard_entries), config.language,
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

    # --- watching ------------------------------------------------------------------------

    def watch_folders(self) -> list[Path]:
        config = self.config
        if config is None:
            return []
        return [folder for folder in (config.content_path, self.root / "themes", config.static_path,
                                      self.root / STRINGS_DIR) if folder.is_dir()]

    def _keep_watching(self, watch: Callable[[], None]) -> None:
        """Run a watcher until stopped; if it fails (a watched folder vanished), say so and retry."""
        while not self.stop.is_set():
            try:
                watch()
            except Exception as error:
                self.report(Rebuild([], ok=False, kind="watch", problems=[
                    Problem("digest", None, None, f"file watching failed ({type(error).__name__}: {error}); retrying")]))
                self.stop.wait(1.0)

    def _watch_tree(self) -> None:
        self._keep_watching(self._watch_tree_once)

    def _watch_settings(self) -> None:
        self._keep_watching(self._watch_settings_once)

    def _watch_tree_once(self) -> None:
        """content/, themes/ and static/, recursively; restarted when content_dir moves or one
        of them appears."""
        watched = self.watch_folders()
        while not self.stop.is_set():
            folders = self.watch_folders()
            if set(folders) - set(watched):  # made since the last look, and maybe filled already
                self._note([(None, str(folder)) for folder in set(folders) - set(watched)])
            watched = folders
            if not folders:
                self.tree_armed.set()
                self.stop.wait(0.5)
                continue
            moved = threading.Event()
            stop_either = _Either(self.stop, moved)
            # yield_on_timeout: the first (empty) yield tells that the watcher is in place.
            for changes in watchfiles.watch(*folders, watch_filter=self._wanted, step=20, rust_timeout=200,
                                            yield_on_timeout=True, stop_event=stop_either, raise_interrupt=False):
                self.tree_armed.set()
                if changes:
                    self._note(changes)
                if self.watch_folders() != folders:
                    moved.set()

    def _watch_settings_once(self) -> None:
        """pyproject.toml: editors replace it by renaming, so watch its folder, not the file."""
        settings = self.root / SETTINGS_FILE
        for changes in watchfiles.watch(self.root, watch_filter=lambda change, path: Path(path) == settings,
                                        recursive=False, step=20, rust_timeout=200, yield_on_timeout=True,
                                        stop_event=self.stop, raise_interrupt=False):
            self.settings_armed.set()
            if changes:
                self._note(changes)

    def _wanted(self, change, path: str) -> bool:
        relative, hidden = Path(path), True
        if self.config is not None and relative.is_relative_to(self.config.content_path):
            relative = relative.relative_to(self.config.content_path)
            if any(part.startswith("_") for part in relative.parts):  # not entries
                return False
        elif self.config is not None and relative.is_relative_to(self.config.static_path):
            relative, hidden = relative.relative_to(self.config.static_path), False  # .well-known/ is published
        elif relative.is_relative_to(self.root):
            relative = relative.relative_to(self.root)
        return not any(is_editor_noise(part, hidden) for part in relative.parts)

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
            return file_stamp(path) == self.entries[path][0]
        if path.is_dir() or path.suffix == ".md" or any(known.is_relative_to(path) for known in self.entries):
            return False  # a new entry, or a folder of entries added, moved or removed
        # An image an entry shows, or any file while an entry is broken (its image may be the fix).
        shown = {(self.root / picture.source).resolve() for _, entry, _ in self.entries.values()
                 if entry is not None for picture in entry.pictures}
        return path.resolve() not in shown and all(entry is not None for _, entry, _ in self.entries.values())

    # --- answering requests --------------------------------------------------------------

    def host_allowed(self, host_header: str | None) -> bool:
        if not host_header:
            return False
        names = {self.host, "localhost", "127.0.0.1", "[::1]", url_host(self.host)}
        if self.host in WILDCARD:
            names.add(socket.gethostname())
            if is_address_at(host_header.strip(), self.port):
                return True
        allowed = {f"{name}:{self.port}" for name in names}
        if self.port == 80:
            allowed |= names
        return host_header.strip().lower() in {name.lower() for name in allowed}

    def wait_for_change(self, version: int, timeout: float) -> Status:
        with self.changed:
            self.changed.wait_for(lambda: self.status.version != version or self.stop.is_set(), timeout)
            return self.status


class _Either:
    """An event that is set when either of two events is: how watchfiles is told to stop."""

    def __init__(self, first: threading.Event, second: threading.Event):
        self.first, self.second = first, second

    def is_set(self) -> bool:
        return self.first.is_set() or self.second.is_set()


def entries_of(site: Site) -> dict:
    """Entry file -> the entry its post shows (reuse.Edits compares two sites by these)."""
    return {post.entry.path: post.entry for post in site.posts}


def file_stamp(path: Path) -> tuple:
    try:
        info = path.stat()
    except OSError:
        return ()
    return (info.st_mtime_ns, info.st_size, info.st_ino)


# --- paths: one decoding, then refusal of anything that could leave the root -------------

def request_path(raw: str) -> tuple[str, str] | None:
    """The request target -> (decoded path, query), or None when it must be refused.

    Decodes percent-escapes exactly once (`%252e` stays the name `%2e`), and refuses `..`
    and `.` segments, backslashes, empty segments (`//host`), NUL and control characters.
    """
    path, _, query = raw.partition("?")
    path = path.partition("#")[0]
    if not path.startswith("/") or "\\" in path:
        return None
    try:
        decoded = unquote(path, errors="strict")
    except UnicodeDecodeError:
        return None
    if "\\" in decoded or "//" in decoded or any(ord(c) < 32 or c == "\x7f" for c in decoded):
        return None
    if any(part in (".", "..") for part in decoded.split("/")):
        return None
    return decoded, query


def find_file(root: Path, relative: str) -> Path | str | None:
    """The file under root for a site-relative path: a Path, "slash" when a folder was asked
    for without its trailing slash, or None. No symlink is followed, even inside root."""
    current = root
    for part in [p for p in relative.split("/") if p]:
        current = current / part
        if current.is_symlink():
            return None
    if current.is_dir():
        if relative and not relative.endswith("/"):
            return "slash"
        current = current / "index.html"
        if current.is_symlink():
            return None
    if not current.is_file() or not current.resolve().is_relative_to(root.resolve()):
        return None
    return current


def find_page(pages: dict[str, bytes], relative: str) -> tuple[str, bytes] | str | None:
    """The page of a build in memory for a site-relative path, as find_file does on disk:
    (its path, its bytes), "slash" when a folder was asked for without its trailing slash, or None."""
    if not relative or relative.endswith("/"):
        relative += "index.html"
    elif relative not in pages:
        folder = relative + "/"
        return "slash" if any(path.startswith(folder) for path in pages) else None
    data = pages.get(relative)
    return (relative, data) if data is not None else None


def read_no_follow(path: Path) -> bytes | None:
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    with os.fdopen(descriptor, "rb") as file:
        return file.read()


def content_type(path: str) -> str:
    return CONTENT_TYPES.get(os.path.splitext(path)[1].lower(), "application/octet-stream")


# --- live reload and the error overlay ---------------------------------------------------

RELOAD_SCRIPT = r"""// digest serve: reload when a rebuild finishes; show the errors of a failed one.
(function () {
  "use strict";
  var me = document.currentScript;
  var epoch = Number(me.dataset.epoch), version = Number(me.dataset.version), delay = 500;

  function style(box) {
    Object.assign(box.style, {position: "fixed", top: "0", left: "0", right: "0", zIndex: "2147483647",
      maxHeight: "60vh", overflow: "auto", margin: "0", padding: "1rem 5rem 1rem 1.25rem", background: "#4a0d0d",
      color: "#fff", font: "14px/1.5 ui-monospace, SFMono-Regular, Menlo, monospace",
      boxShadow: "0 2px 12px rgba(0,0,0,.5)", textAlign: "left"});
    var pre = box.querySelector("pre");
    // The theme styles <pre> too (the default gives it a white box in light mode): the
    // overlay's own colours win, or the errors are white on white.
    if (pre) Object.assign(pre.style, {whiteSpace: "pre-wrap", margin: ".5rem 0 0", font: "inherit",
      color: "inherit", background: "transparent", border: "0", padding: "0", overflow: "visible"});
    if (!box.querySelector("button")) {
      var close = document.createElement("button");
      close.type = "button";
      close.textContent = me.dataset.hide;
      // In the box's right padding, so that it covers no error on a phone.
      Object.assign(close.style, {position: "absolute", top: ".5rem", right: ".75rem"});
      close.addEventListener("click", function () { box.hidden = true; });
      box.appendChild(close);
    }
  }

  function overlay(errors) {
    var box = document.getElementById("digest-overlay");
    if (!errors.length) { if (box) box.remove(); return; }
    if (!box) {
      box = document.createElement("div");
      box.id = "digest-overlay";
      box.setAttribute("role", "alert");
      document.body.insertBefore(box, document.body.firstChild);
    }
    box.hidden = false;
    box.textContent = "";
    var head = document.createElement("p");
    head.style.margin = "0";
    head.textContent = me.dataset.failed;
    var pre = document.createElement("pre");
    pre.textContent = errors.join("\n");
    box.appendChild(head);
    box.appendChild(pre);
    style(box);
  }

  // The warnings of the served build: a panel at the foot of the window that covers little
  // and blocks nothing (the page scrolls and clicks under it as ever), with a Hide button.
  function stylePanel(box) {
    Object.assign(box.style, {position: "fixed", bottom: "0", right: "0", zIndex: "2147483646",
      maxWidth: "min(46rem, 100vw)", maxHeight: "30vh", overflow: "auto", margin: "0",
      padding: ".5rem 4.5rem .5rem .75rem", background: "#3d3300", color: "#fff",
      font: "13px/1.45 ui-monospace, SFMono-Regular, Menlo, monospace",
      boxShadow: "0 -2px 10px rgba(0,0,0,.4)", textAlign: "left"});
    var pre = box.querySelector("pre");
    if (pre) Object.assign(pre.style, {whiteSpace: "pre-wrap", margin: ".25rem 0 0", font: "inherit",
      color: "inherit", background: "transparent", border: "0", padding: "0", overflow: "visible"});
    if (!box.querySelector("button")) {
      var close = document.createElement("button");
      close.type = "button";
      close.textContent = me.dataset.hide || "Hide";
      Object.assign(close.style, {position: "absolute", top: ".35rem", right: ".5rem"});
      close.addEventListener("click", function () { box.hidden = true; });
      box.appendChild(close);
    }
  }

  function panel(warnings) {
    var box = document.getElementById("digest-warnings");
    var text = warnings.join("\n");
    if (!warnings.length) { if (box) box.remove(); return; }
    if (box && box.dataset.text === text) return;  // unchanged: a hidden panel stays hidden
    if (!box) {
      box = document.createElement("aside");
      box.id = "digest-warnings";
      box.setAttribute("role", "status");
      box.setAttribute("aria-label", "digest warnings");
      box.lang = "en";  // digest's own words, as build prints them, whatever the site's language
      box.dir = "ltr";
      document.body.appendChild(box);
    }
    box.hidden = false;
    box.textContent = "";
    box.dataset.text = text;
    var head = document.createElement("p");
    head.style.margin = "0";
    head.textContent = warningsHead(warnings.length);
    var pre = document.createElement("pre");
    pre.textContent = text;
    box.appendChild(head);
    box.appendChild(pre);
    stylePanel(box);
  }

  function warningsHead(count) {
    return "digest: " + count + (count === 1 ? " warning" : " warnings") +
      " (the site is built; digest build --strict refuses them)";
  }

  function poll() {
    fetch("/__digest__/events?version=" + version, {cache: "no-store"})
      .then(function (response) {
        if (!response.ok) throw new Error("status " + response.status);
        return response.json();
      })
      .then(function (status) {
        delay = 500;
        version = status.version;
        if (status.epoch !== epoch) { location.reload(); return; }
        overlay(status.errors);
        panel(status.warnings || []);
        poll();
      })
      .catch(function () {  // the server restarts or is gone: try again, more slowly
        setTimeout(poll, delay);
        delay = Math.min(delay * 2, 5000);
      });
  }

  var existing = document.getElementById("digest-overlay");
  if (existing) style(existing);
  var warned = document.getElementById("digest-warnings");
  if (warned) { warned.dataset.text = warned.querySelector("pre").textContent; stylePanel(warned); }
  poll();
})();
"""

BODY_TAG = re.compile(rb"<body\b[^>]*>", re.IGNORECASE)


def overlay_html(errors: tuple[str, ...], strings: Strings | None = None) -> str:
    if not errors:
        return ""
    lines = html.escape("\n".join(errors))
    strings = strings or english_strings()
    return (f'<div id="digest-overlay" role="alert" lang="{html.escape(strings.language)}" dir="{strings.direction}">'
            f'<p>{strings("serve.failed")}</p><pre lang="en" dir="ltr">{lines}</pre></div>')


def warnings_html(warnings: tuple[str, ...]) -> str:
    """The warnings panel as the reload script makes it (its `panel` and `warningsHead`)."""
    if not warnings:
        return ""
    count = f"{len(warnings)} warning{'' if len(warnings) == 1 else 's'}"
    lines = html.escape("\n".join(warnings))
    return (f'<aside id="digest-warnings" role="status" aria-label="digest warnings" lang="en" dir="ltr"><p>digest: {count} (the site '
            f'is built; digest build --strict refuses them)</p><pre>{lines}</pre></aside>')


def inject(page: bytes, status: Status) -> bytes:
    """The overlay (if any), the warnings panel (if any) and the reload script, right after
    `<body>`. The overlay's words are in the site's language; the errors themselves are
    digest's, in English."""
    strings = status.strings or english_strings()
    snippet = (overlay_html(status.errors, strings) + warnings_html(status.warnings)
               + f'<script src="{SCRIPT_PATH}" data-epoch="{status.epoch}" '
               f'data-version="{status.version}" data-failed="{strings("serve.failed")}" '
               f'data-hide="{strings("serve.hide")}"></script>').encode("utf-8")
    match = BODY_TAG.search(page)
    at = match.end() if match else 0
    return page[:at] + snippet + page[at:]


def error_page(status: Status) -> bytes:
    """What every page is while no build has ever succeeded."""
    strings = status.strings or english_strings()
    page = (f'<!DOCTYPE html><html lang="{html.escape(strings.language)}" dir="{strings.direction}"><head>'
            f'<meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<title>{strings("serve.no_build_title")}</title></head><body><h1>{strings("serve.no_build_heading")}'
            f'</h1><p>{strings("serve.no_build_text")}</p></body></html>')
    return inject(page.encode("utf-8"), status)


# --- the HTTP server ---------------------------------------------------------------------

class PreviewServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], preview: Preview):
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self.preview = preview
        try:
            super().__init__(address, PreviewHandler)
        except OSError as error:
            raise PortInUse(error.errno, error.strerror) from None

    def server_bind(self) -> None:
        # HTTPServer.server_bind looks the host name up in DNS; a preview needs no name.
        TCPServer.server_bind(self)
        self.server_name, self.server_port = str(self.server_address[0]), self.server_address[1]

    def handle_error(self, request, client_address) -> None:
        import sys

        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            return  # the browser went away mid-answer: nothing to do
        super().handle_error(request, client_address)


class PreviewHandler(BaseHTTPRequestHandler):
    def version_string(self) -> str:
        return "digest-serve"

    def log_message(self, format, *args) -> None:  # the library never prints
        pass

    def do_GET(self) -> None:
        self.answer(send_body=True)

    def do_HEAD(self) -> None:
        self.answer(send_body=False)

    def answer(self, send_body: bool) -> None:
        preview: Preview = self.server.preview
        if not self.headers.get("Host"):
            return self.send(400, b"Bad request: no Host header\n", "text/plain; charset=utf-8", send_body)
        if not preview.host_allowed(self.headers.get("Host")):
            return self.send(403, b"Forbidden: this preview answers only to its own address\n",
                             "text/plain; charset=utf-8", send_body)
        parsed = request_path(self.path)
        if parsed is None:
            return self.send(400, b"Bad request: path refused\n", "text/plain; charset=utf-8", send_body)
        path, query = parsed
        if path == EVENTS_PATH:
            return self.answer_events(preview, query, send_body)
        if path == SCRIPT_PATH:
            return self.send(200, RELOAD_SCRIPT.encode("utf-8"), "text/javascript; charset=utf-8", send_body)
        with preview.changed:
            built, status, search_roots = preview.current, preview.status, preview.search_roots
        base = built.base_path if built is not None else preview.first_base_path
        if base != "/" and path in ("/", base.rstrip("/")):
            return self.redirect(base, query, send_body)
        if built is None:
            return self.send(500, error_page(status), "text/html; charset=utf-8", send_body)
        if not path.startswith(base):
            return self.not_found(built, status, send_body)
        relative = path[len(base):]
        if relative == "pagefind" or relative.startswith("pagefind/"):
            # The newest index first; the one before for a page that began with it.
            found = next((hit for hit in (find_file(root, relative[len("pagefind"):]) for root in search_roots)
                          if hit is not None), None)
            name, data = (found.name, read_no_follow(found)) if isinstance(found, Path) else ("", None)
        else:
            found = find_page(built.pages, relative)
            name, data = (found[0], found[1]) if isinstance(found, tuple) else ("", None)
        if found == "slash":
            return self.redirect(path + "/", query, send_body)
        if data is None:
            return self.not_found(built, status, send_body)
        kind = content_type(name)
        if kind.startswith("text/html"):
            data = inject(data, status)
        self.send(200, data, kind, send_body)

    def answer_events(self, preview: Preview, query: str, send_body: bool) -> None:
        """Long-poll: answer when the status version differs from the page's, or after a while."""
        try:
            version = int(parse_qs(query).get("version", ["-1"])[0])
        except ValueError:
            version = -1
        status = preview.wait_for_change(version, POLL_SECONDS) if send_body else preview.status
        body = json.dumps({"version": status.version, "epoch": status.epoch, "errors": list(status.errors),
                           "warnings": list(status.warnings)})
        self.send(200, body.encode("utf-8"), "application/json", send_body)

    def not_found(self, built: Built, status: Status, send_body: bool) -> None:
        page = built.pages.get("404.html")
        if page is None:
            return self.send(404, b"Not found\n", "text/plain; charset=utf-8", send_body)
        self.send(404, inject(page, status), "text/html; charset=utf-8", send_body)

    def redirect(self, location: str, query: str, send_body: bool) -> None:
        target = quote(location, safe="/:@!$&'()*+,;=-._~") + (f"?{query}" if query else "")
        self.send(302, b"", "text/plain; charset=utf-8", send_body, {"Location": target})

    def send(self, code: int, data: bytes, kind: str, send_body: bool, extra: dict | None = None) -> None:
        self.send_response(code, HTTPStatus(code).phrase)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if send_body:
            self.wfile.write(data)
