"""Content files -> [Entry], the load stage of a build: each file the entry cache knows by its
bytes is taken from it, the rest are parsed, in parse workers or, for a rebuild, ahead by a
child that lists the content while the build loads its caches (list_sources). This module
imports no template or page code, so `digest build` starts that child before it imports
the rest of digest (cli.run_build)."""

from __future__ import annotations

import pickle
from dataclasses import astuple
from itertools import chain
from pathlib import Path
from typing import Callable

from .cache import EntryCache, entries_folder, file_stat, settled_stats
from .config import Config
from .entries import Entry, read_entry
from .errors import Problem
from .images import unchanged
from .load import LoadError, display_path, load_source, source_files
from .workers import PARALLEL_FROM, Background, batches, ordered_map, shared, worker_count


def pictures_unchanged(entry: Entry, config: Config) -> bool:
    """Whether every image file the entry shows holds the bytes it was read with."""
    return all(unchanged(picture, config) for picture in entry.pictures)


def load_entry(path: Path, config: Config) -> tuple[str | None, Entry | None, list[Problem]]:
    """One content file -> (its content hash, its Entry or None, its problems)."""
    try:
        source = load_source(path, config.root)
    except LoadError as error:
        return None, None, [Problem(display_path(path, config.root), error.line, error.field, error.message)]
    except OSError as error:
        return None, None, [Problem(display_path(path, config.root), None, None, f"cannot read the file: {error.strerror}")]
    entry, problems = read_entry(source, config)
    return source.digest, entry, problems


def _load_batch(paths: list[Path]) -> list:
    """In a worker (or here): shared() is the Config. Each file's stat (None if it went) is
    taken before load_entry reads it, for the entry cache (EntryCache.read)."""
    config = shared()
    return [(_stat_or_none(path), *load_entry(path, config)) for path in paths]


def _stat_or_none(path: Path) -> tuple | None:
    try:
        return file_stat(path)
    except OSError:  # load_entry reports it
        return None


AHEAD = 32  # changed files a listing child parses itself; more go to the parse workers


def sources_ahead(config: Config) -> tuple[list[str], list[tuple], list[tuple | None], bytes]:
    """For a Background child, as plain data: source_files() with each file's stat (size,
    mtime_ns, ctime_ns, inode; None for a file that went), the listing's problems as tuples,
    and, pickled, load_entry() of each file (up to AHEAD) whose stat is not one the entry
    cache knows: the files most likely edited since the last build. The build would parse
    them after loading its caches; the child does it meanwhile, Markdown and YAML libraries'
    import included. The build uses a parse only if the file's bytes still hash the same
    when it reads them."""
    paths, listed = source_files(config.content_path, config.root)
    stats = [_stat_or_none(path) for path in paths]
    problems = [astuple(problem) for problem in listed]
    known = settled_stats(config)
    suspects = [path for path, stat in zip(paths, stats)
                if stat is not None and getattr(known.get(display_path(path, config.root)), "stat", None) != stat]
    parsed = {}
    if len(suspects) <= AHEAD:
        parsed = {display_path(path, config.root): load_entry(Path(path), config) for path in suspects}
    return paths, problems, stats, pickle.dumps(parsed, protocol=pickle.HIGHEST_PROTOCOL)


def list_sources(config: Config, cache: bool, jobs: int | None) -> Background | None:
    """For a rebuild, start listing the content files with their stats on another core while
    this process loads the caches: the entry cache then knows most files by their stat, and
    the child parses the others (sources_ahead)."""
    if not cache or not entries_folder(config).is_dir() or not config.content_path.is_dir():
        return None
    return Background(sources_ahead, config, jobs=worker_count(jobs, PARALLEL_FROM))


def no_content_folder(config: Config) -> Problem:
    return Problem(config.content_dir, None, None, "content folder not found; run digest from the site folder "
                   "(the one holding content/ and pyproject.toml), or create it, or set content_dir")


def read_entries(config: Config, jobs: int | None = 1, cache: EntryCache | None = None,
                 sources: Background | None = None,
                 meanwhile: Callable[[], None] = lambda: None) -> tuple[list[Entry], list[Problem]]:
    """Load and check every content file, collecting all problems; drafts are among the
    entries (see published). Files the cache has seen
    with the same bytes are not parsed again, the rest are parsed in batches across workers.
    sources: list_sources(), the content files already being listed; meanwhile(): work of
    this process while parse workers parse (called only when there are workers)."""
    if not config.content_path.is_dir():
        return [], [no_content_folder(config)]
    stats, ahead = None, {}
    if sources is not None:
        paths, listed, stats, parsed = sources.result()
        problems = [Problem(*problem) for problem in listed]
        ahead = pickle.loads(parsed)
    else:
        paths, problems = source_files(config.content_path, config.root)
    results: list = [None] * len(paths)
    to_parse = []
    # An empty cache knows no file: its keys are the parse workers' content hashes, not
    # hashes made here, one file after another, before they start.
    keyed = cache is not None and bool(cache.known)
    for index, path in enumerate(paths):
        if keyed:
            try:
                key = cache.key_of(display_path(path, config.root), path, stats[index] if stats else None)
            except OSError:
                key = None  # load_entry reports it
            hit = cache.get(key) if key is not None else None
            if hit is not None and hit[0] is not None and not pictures_unchanged(hit[0], config):
                hit = None  # an image it shows changed: read the entry again
            if hit is None and key is not None and key[0] in ahead and ahead[key[0]][0] == key[1]:
                hit = ahead[key[0]][1:]  # parsed by the listing child, from these very bytes
                if not any(problem.is_error for problem in hit[1]):
                    cache.put(key, hit)
            if hit is not None:
                results[index] = hit
                continue
        to_parse.append(index)
    workers = worker_count(jobs, len(to_parse))
    parts = batches([Path(paths[i]) for i in to_parse], workers, 25)
    parsed = chain.from_iterable(ordered_map(_load_batch, parts, workers, config))
    if workers > 1:
        meanwhile()
    for index, (stat, content_hash, entry, found) in zip(to_parse, parsed):
        results[index] = (entry, found)
        if cache is None or content_hash is None:
            continue
        shown = display_path(paths[index], config.root)
        if not keyed and stat is not None:
            cache.read(shown, stat, content_hash)
        if not any(p.is_error for p in found):
            cache.put((shown, content_hash), (entry, found))
    entries = []
    for entry, found in results:
        problems += found
        if entry is not None:
            entries.append(entry)
    return entries, problems


def published(entries: list[Entry], config: Config) -> tuple[list[Entry], int]:
    """The entries the site shows, and the number of drafts left out (--drafts shows them)."""
    if config.drafts:
        return entries, 0
    shown = [entry for entry in entries if not entry.draft]
    return shown, len(entries) - len(shown)
