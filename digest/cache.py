"""The build cache in `.digest-cache/`: parsed entries by content, and what the last builds wrote.

A cache that gives a wrong page is worse than none, so each part is keyed on all it depends on:
- entries: each on its file's path and bytes (SHA-256); the whole file on a fingerprint of
  digest's own code, the versions of the libraries that parse and render Markdown, and every
  setting that can reach an Entry. The theme never reaches an Entry (templates see entries,
  entries never see templates), so it is not part of this key. A file's hash is taken again
  from its bytes unless its size, mtime, ctime and inode are those of a read made when the
  file had not changed for SETTLED seconds (as git's index does; no program can set a ctime,
  so any later write shows).
- output trees: the hash of every file the last two builds wrote, with its size, mtime and
  inode, so write.py can tell an untouched file from one that changed or was replaced.
  Pages are compared by their bytes, so templates, static files and settings are covered.
- page fingerprints (reuse.py) of the current output: a page whose fingerprint is unchanged
  is taken from the output (or the spare) instead of rendered; the fingerprint covers all its
  inputs, and the file must still match its record.
- compiled templates (Jinja's bytecode cache), checked by Jinja against each template's source.
An unreadable cache is an empty cache. Nothing here decides what a page contains.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import re
import shutil
import sys
import time
from dataclasses import dataclass, field, fields
from functools import lru_cache
from pathlib import Path
from typing import Collection, NamedTuple

from . import __version__
from .config import Config

CACHE_DIR = ".digest-cache"
LIBRARIES = ("markdown-it-py", "mdurl", "PyYAML", "anyascii", "Jinja2", "MarkupSafe")
# Settings that decide what is built or where, never what an entry holds. The site folder
# (root) reaches an entry only through its shown path, which keys each entry: a project moved
# or checked out afresh (the Pages workflow restores the cache) keeps its parsed entries.
NOT_IN_ENTRIES = {"raw", "root", "search", "search_shard_entries", "output_dir", "strict", "drafts"}


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """digest's version and source, and its libraries' versions: any change empties the cache."""
    digest = hashlib.sha256(__version__.encode())
    for path in sorted(Path(__file__).resolve().parent.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    versions = installed_versions()
    for name in LIBRARIES:
        digest.update(f"{name}={versions.get(normal_name(name), 'none')}".encode())
    return digest.hexdigest()


def normal_name(name: str) -> str:
    """A distribution's name as its installed `.dist-info` folder spells it (PEP 503, `_`)."""
    return re.sub(r"[-_.]+", "_", name).lower()


def installed_versions() -> dict[str, str]:
    """Distribution name (normal_name) -> version, from the `name-version.dist-info` folders on
    sys.path, first found wins, as for imports. importlib.metadata reads the same folders but
    costs a tenth of a rebuild's start-up to import."""
    found: dict[str, str] = {}
    for folder in sys.path:
        try:
            names = os.listdir(folder or ".")
        except OSError:
            continue
        for item in names:
            if item.endswith(".dist-info") and "-" in item:
                name, _, version = item[:-len(".dist-info")].partition("-")
                found.setdefault(normal_name(name), version)
    return found


def settings_fingerprint(config: Config) -> str:
    """The settings an entry can read. Of base_url it reads only the path (base_path): `digest
    serve`, which sets base_url to its own address, reads the entries a build left."""
    values = [(f.name, repr(config.base_path if f.name == "base_url" else getattr(config, f.name)))
              for f in fields(config) if f.name not in NOT_IN_ENTRIES]
    return hashlib.sha256(repr(values).encode()).hexdigest()


def content_key(shown_path: str, data: bytes) -> tuple[str, str]:
    return shown_path, hashlib.sha256(data).hexdigest()


def _read(path: Path) -> dict | None:
    try:
        with open(path, "rb") as file:
            value = pickle.load(file)
        return value if isinstance(value, dict) else None
    except Exception:  # a damaged or foreign cache file is no cache, never an error
        return None


def _write(path: Path, value: dict) -> None:
    """Atomically; a cache that cannot be written only makes the next build slower."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        with open(temporary, "wb") as file:
            pickle.dump(value, file, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, path)
    except OSError:
        pass


def compiled_templates(config: Config) -> Path:
    """Jinja's compiled templates, in a folder per version of digest's code and per settings;
    folders of others are removed. Jinja checks each against its template's source, but not
    against the environment: its options live in the code, and its filters read the settings
    (Jinja folds `'x'|absolute_url` into a constant when it compiles)."""
    settings = [(f.name, repr(getattr(config, f.name))) for f in fields(config) if f.name != "raw"]
    key = hashlib.sha256(repr((code_fingerprint(), settings)).encode()).hexdigest()
    folder = config.root / CACHE_DIR / f"templates-{key[:16]}"
    for other in (config.root / CACHE_DIR).glob("templates-*"):
        if other != folder and other.is_dir() and not other.is_symlink():
            shutil.rmtree(other, ignore_errors=True)
    return folder


ENTRY_SHARDS = 16  # a one-entry edit rewrites one sixteenth of the entry cache, not all of it


def entry_shard(shown_path: str) -> int:
    return int.from_bytes(hashlib.blake2b(shown_path.encode("utf-8"), digest_size=2).digest(), "big") % ENTRY_SHARDS


SETTLED = 2.0  # seconds a file must have been left alone for its stat to stand for its bytes


class Settled(NamedTuple):
    """A file's stat (file_stat), taken after it had been left alone for SETTLED seconds, and
    the hash of the bytes read after taking it: while the stat is the same, so are the bytes."""

    stat: tuple
    digest: str | bytes


def file_stat(path: str) -> tuple[int, int, int, int]:
    """What EntryCache.key_of compares: (size, mtime_ns, ctime_ns, inode). OSError if it went."""
    info = os.stat(path)
    return info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino


def entries_folder(config: Config) -> Path:
    return config.root / CACHE_DIR / "entries"


def entries_key(config: Config) -> tuple[str, str]:
    """What the entry cache's files are valid for: digest's code and the settings."""
    return code_fingerprint(), settings_fingerprint(config)


def settled_stats(config: Config) -> dict:
    """The entry cache's stats (EntryCache.stats) alone, a small file: read by the child that
    lists the content (read.sources_ahead) to tell which files changed."""
    stored = _read(entries_folder(config) / STATS_FILE)
    return stored["stats"] if stored and stored.get("key") == entries_key(config) else {}


STATS_FILE = "stats.pickle"


class EntryCache:
    """(path, content hash) -> (Entry | None, problems) for files read before with these settings,
    kept in ENTRY_SHARDS files by path: a save rewrites only the files whose entries changed.
    The stats of files read after they had settled are kept beside them, in STATS_FILE.

    last: an entry cache of the last build in this process, with these settings: this one
    starts from what that one used, in memory (`digest serve`), not from the cache folder.
    read_only: read the cache folder but never write it (`digest serve`, which may run while
    `digest build` writes it: each of its files is replaced whole, and each entry is keyed on
    its file's bytes, so a mix of two builds' files still gives only valid entries)."""

    def __init__(self, config: Config, enabled: bool = True, last: EntryCache | None = None, read_only: bool = False):
        self.folder = entries_folder(config)
        self.key = entries_key(config)
        self.enabled = enabled
        self.read_only = read_only
        self.started = time.time_ns()
        self.known: dict = dict(last.used) if last is not None else {}
        self.stored: list[set] = [set() for _ in range(ENTRY_SHARDS)]  # the keys each file holds
        for number in range(ENTRY_SHARDS if enabled and last is None else 0):
            stored = _read(self.shard_path(number))
            if stored and stored.get("key") == self.key:
                self.known.update(stored["entries"])
                self.stored[number] = set(stored["entries"])
        # path -> Settled, with the content hash
        self.stats: dict = last.seen if last is not None else settled_stats(config) if enabled else {}
        self.used: dict = {}
        self.added: list = []   # the keys of used that get() did not know
        self.seen: dict = {}    # this build's stats, for files that had settled when read
        self.taken: dict = {}   # path -> (size, mtime_ns, ctime_ns, inode) of each file key_of looked at
        self.last_taken: dict = last.taken if last is not None else {}

    def key_of(self, shown_path: str, path: str, stat: tuple | None = None) -> tuple[str, str]:
        """The file's key, (path, content hash), from its bytes, or from its stat when that is
        the stat of a read made after the file had settled. OSError if it cannot be read.
        stat: (size, mtime_ns, ctime_ns, inode), if taken already (before any read)."""
        if stat is None:
            stat = file_stat(path)
        known = self.stats.get(shown_path)
        if known is not None and known.stat == stat:
            self.taken[shown_path] = stat
            self.seen[shown_path] = known
            return shown_path, known.digest
        with open(path, "rb") as file:  # read after the stat: a write between shows next time
            key = content_key(shown_path, file.read())
        self.read(shown_path, stat, key[1])
        return key

    def read(self, shown_path: str, stat: tuple, digest: str) -> None:
        """What key_of notes of a file it reads: its stat, taken before the read, and the hash
        of the bytes read. For a file read elsewhere (a parse worker, when the cache is empty)."""
        self.taken[shown_path] = stat
        if max(stat[1], stat[2]) < self.started - SETTLED * 1e9:
            self.seen[shown_path] = Settled(stat, digest)

    def shard_path(self, number: int) -> Path:
        return self.folder / f"{number:02d}.pickle"

    def get(self, key: tuple[str, str]):
        value = self.known.get(key)
        if value is not None:
            self.used[key] = value
        return value

    def put(self, key: tuple[str, str], value) -> None:
        """After get(key) gave None."""
        self.used[key] = value
        self.added.append(key)

    def keep_unread(self, read: Collection[str]) -> None:
        """For a build that looked only at the files in `read` (engine.model_in_place): every
        other file is as the last build had it."""
        for key, value in self.known.items():
            if key[0] not in read:
                self.used.setdefault(key, value)
        for path, known in self.stats.items():
            if path not in read:
                self.seen.setdefault(path, known)
        for path, stat in self.last_taken.items():
            if path not in read:
                self.taken.setdefault(path, stat)

    def previous_entries(self) -> dict:
        """File -> its entry in the last build (the cache holds what that build used). A file
        found twice (a cache file of an older build left behind) is left out: unknown."""
        found, twice = {}, set()
        for (path, _), (entry, _) in self.known.items():
            if path in found:
                twice.add(path)
            found[path] = entry
        return {path: entry for path, entry in found.items() if path not in twice}

    def current_entries(self) -> dict:
        """File -> its entry in this build, once read_entries has gone through every file."""
        return {path: entry for (path, _), (entry, _) in self.used.items()}

    def save(self) -> None:
        """Keep only what this build used: deleted and renamed files drop out. A file whose
        keys (paths and content hashes) are those it holds already is left as it is."""
        if not self.enabled or self.read_only:
            return
        # Only the keys that came or went tell which files change: no pass over every entry.
        # Every key get() gave is known, so when as many were got as are known, none went.
        got = len(self.used) - len(self.added)
        gone = self.known.keys() - self.used.keys() if got != len(self.known) else set()
        added: list[list] = [[] for _ in range(ENTRY_SHARDS)]  # each shard's new keys
        for key in self.added:
            added[entry_shard(key[0])].append(key)
        touched = {entry_shard(path) for path, _ in gone}
        for number in range(ENTRY_SHARDS):
            if added[number] or number in touched or not self.shard_path(number).is_file():
                keys = [key for key in self.stored[number] if key not in gone] + added[number]
                _write(self.shard_path(number), {"key": self.key, "entries": {key: self.used[key] for key in keys}})
        stats = {path: seen for path, seen in self.seen.items() if (path, seen.digest) in self.used}
        if stats != self.stats or not (self.folder / STATS_FILE).is_file():
            _write(self.folder / STATS_FILE, {"key": self.key, "stats": stats})
        try:
            (self.folder.parent / "entries.pickle").unlink(missing_ok=True)  # the single file of before
        except OSError:
            pass


class FileHashes:
    """blake2b-128 of the static files (render.each_static_page), by path: a file is read and
    hashed again only when its stat changed. As for the entries (EntryCache.key_of), a stat
    stands for the bytes only when taken after the file had settled; a folder of images is
    then neither read nor hashed by a build that does not write it."""

    def __init__(self, config: Config, enabled: bool = True, stored: dict | None = None):
        """enabled: read and save the hashes in the cache folder; stored: those an earlier
        FileHashes kept (its `seen`), in place of the cache folder's."""
        self.path = config.root / CACHE_DIR / "static.pickle"
        self.enabled = enabled
        if stored is None:
            found = _read(self.path) if enabled else None
            stored = found["hashes"] if found and found.get("code") == code_fingerprint() else {}
        self.stored: dict = stored   # path -> Settled, with the blake2b digest
        self.started = time.time_ns()
        self.taken: dict = {}   # this build's hashes, settled or not: a second look reads nothing
        self.seen: dict = {}    # the settled ones, to keep

    def known(self, path: str, stat: tuple) -> bytes | None:
        """The file's hash, when its stat is that of a read made before, else None."""
        taken = self.taken.get(path)
        if taken is not None and taken.stat == stat:
            return taken.digest
        stored = self.stored.get(path)
        if stored is not None and stored.stat == stat:
            self.taken[path] = self.seen[path] = stored
            return stored.digest
        return None

    def remember(self, path: str, stat: tuple, digest: bytes) -> None:
        """The hash of the bytes read after taking stat."""
        self.taken[path] = Settled(stat, digest)
        if max(stat[1], stat[2]) < self.started - SETTLED * 1e9:
            self.seen[path] = self.taken[path]

    def save(self) -> None:
        if self.enabled and (self.seen != self.stored or not self.path.is_file()):
            _write(self.path, {"code": code_fingerprint(), "hashes": self.seen})


@dataclass(frozen=True)
class SearchState:
    """An output folder's search index, as the build that made it left it."""

    key: tuple | None = None        # search.search_key of the Pagefind that made it; None: no index
    bundle: dict | None = None      # path under pagefind/ -> (size, mtime_ns, inode); None: no index
    shards: dict = field(default_factory=dict)  # shard name -> search.ShardInfo


@dataclass(frozen=True)
class OutputState:
    """What one output folder holds, as the build that wrote it left it."""

    files: dict                     # path -> (blake2b-128 digest, size, mtime_ns, inode)
    keys: dict = field(default_factory=dict)   # page path -> its fingerprint (reuse.py)
    page_map: object = None         # which routes showed which posts and terms (reuse.PageMap)
    search: SearchState = SearchState()

    def pages_only(self) -> OutputState:
        """The same files without a search index: what write.link_spare makes of it."""
        return OutputState(self.files)


class TreeCache:
    """What the current output folder and the spare one (the build before it, see write.stage)
    held after the last build, read once; a build that writes gives the new state to save()."""

    def __init__(self, config: Config, enabled: bool = True):
        self.path = config.root / CACHE_DIR / "output.pickle"
        self.output = str(config.output_path)
        self.enabled = enabled
        stored = _read(self.path) if enabled else None
        valid = bool(stored) and stored.get("output") == self.output and stored.get("code") == code_fingerprint()
        current, spare = (stored.get("current"), stored.get("spare")) if valid else (None, None)
        self.current: OutputState | None = current if isinstance(current, OutputState) else None
        self.spare: OutputState | None = spare if isinstance(spare, OutputState) and self.current else None

    def save(self, current: OutputState, spare: OutputState | None) -> None:
        """The output folder now holds `current`, the spare folder `spare` (None: no spare)."""
        if self.enabled:
            _write(self.path, {"output": self.output, "code": code_fingerprint(), "current": current, "spare": spare})
