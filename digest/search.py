"""Runs Pagefind over the staged site (before it is swapped in), one shard at a time.

The index is a set of shards (search_plan.py): each a Pagefind index of its own entries, in
`pagefind/<name>/`, with `pagefind/shards.json` naming them for the search page. A shard
whose name (its pages' paths and bytes, Pagefind's version, the language) is that of a shard
of the last build, made by this same Pagefind binary and still as that build left it (each
file's size, mtime and inode), is kept: from the staging folder itself when it is the spare
that held it, else as hard links to output/. Only the others are indexed, one after another,
so the memory Pagefind needs is that of one shard, whatever the size of the site.

Pagefind gets only our own flags: it runs in a folder holding nothing but hard links to the
shard's pages (so a stray `pagefind.yml` in the site root cannot change the index) and without
`PAGEFIND_*` variables from the environment. Afterwards each shard is checked (one page per
entry) and steadied (search_format.steady_bundle): the same pages give the same files.
"""

from __future__ import annotations

import json
import os
import signal
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Sequence

from .cache import installed_versions, normal_name
from .errors import WARNING, DigestError, Problem
from .search_format import ENTRY_FILE, FormatError, bundle_version, page_count, steady_bundle, steady_filters
from .search_plan import Shard, manifest, plan_shards
from .model import route_path
from .write import discard, folder_holds

if TYPE_CHECKING:
    import subprocess

WITHOUT_SEARCH = "build without search: `digest build --no-search` (or `search = false` under [tool.digest])"
HOW_TO_FIX = f"reinstall it with `pip install --force-reinstall 'pagefind-bin>=1.5.2'`, or {WITHOUT_SEARCH}"
BUNDLE = "pagefind"
MANIFEST = "shards.json"
# What the search page uses of a shard's Pagefind bundle; the rest (Pagefind's own UI, its
# web worker) is removed. The WebAssembly file is the one pagefind-entry.json names.
KEPT_FILES = ("pagefind.js", ENTRY_FILE)
KEPT_FOLDERS = ("index", "fragment", "filter")


def search_problem(message: str) -> DigestError:
    return DigestError([Problem("search", None, None, message)])


def pagefind_executable() -> Path:
    try:
        import pagefind_bin

        return pagefind_bin.get_executable()
    except ImportError:
        raise search_problem(f"the pagefind-bin package is not installed; {HOW_TO_FIX}") from None
    except FileNotFoundError:
        raise search_problem(f"the Pagefind binary is missing from the pagefind-bin package; {HOW_TO_FIX}") from None


def search_key(language: str, shard_entries: int) -> tuple:
    """What an index depends on besides the pages: the language, the shard size, and
    Pagefind's version and binary (a replaced or missing binary never passes for the one
    that made the index). Its first item is Pagefind's version."""
    version = installed_versions().get(normal_name("pagefind-bin"))
    try:
        binary = pagefind_executable()
        info = binary.stat()
    except (DigestError, OSError):
        version = None
    if version is None:
        return ("no working Pagefind", language, shard_entries)
    return version, str(binary), info.st_size, info.st_mtime_ns, language, shard_entries


@dataclass(frozen=True)
class ShardInfo:
    """What a build knows of a shard it wrote: kept in the tree cache with its files' records."""

    key: tuple                  # search_key of the Pagefind that made it
    pages: int                  # pages Pagefind indexed
    filters: dict | None        # filter -> value -> pages, None if unknown (search_format)


@dataclass(frozen=True)
class Earlier:
    """An index an earlier build left in a site folder (output/, or the spare)."""

    folder: Path                # the site folder holding pagefind/
    bundle: dict                # path under pagefind/ -> (size, mtime_ns, inode)
    shards: dict                # shard name -> ShardInfo


@dataclass(frozen=True)
class Index:
    shards: dict                # shard name -> ShardInfo, oldest first
    bundle: dict                # path under pagefind/ -> (size, mtime_ns, inode)
    indexed: int                # shards Pagefind indexed (the others were kept)
    warnings: list


def index_pages(folder: Path, pages: Sequence[str], digest_of: Callable[[str], bytes], key: tuple, language: str,
                shard_entries: int, earlier: Sequence[Earlier] = (), background: bool = False) -> Index:
    """index_shards for these entry pages (oldest first; in folder), in shards of
    shard_entries; digest_of(path): a page's blake2b digest (render.digest_of)."""
    shards = plan_shards(pages, digest_of, str(key[0]), language, shard_entries)
    return index_shards(folder, shards, key, language, earlier, background)


def bundle_records(folder: Path) -> dict[str, tuple]:
    """Path under pagefind/ -> (size, mtime_ns, inode) of each file of the index in folder."""
    bundle, records = folder / BUNDLE, {}
    for here, _, files in os.walk(bundle):
        for name in files:
            info = os.lstat(os.path.join(here, name))
            records[os.path.relpath(os.path.join(here, name), bundle).replace(os.sep, "/")] = (
                info.st_size, info.st_mtime_ns, info.st_ino)
    return records


def index_shards(folder: Path, shards: Sequence[Shard], key: tuple, language: str,
                 earlier: Sequence[Earlier] = (), background: bool = False) -> Index:
    """Make folder/pagefind/ hold exactly these shards and the manifest; a failure is a
    DigestError saying how to go on (the caller discards the folder).
    earlier: indexes of earlier builds, to keep unchanged shards from (folder's own first);
    background: run Pagefind at a lower CPU priority (serve: rebuilds must not wait for it).

    With no shards (no entries) there is nothing to index (Pagefind would index the listing
    pages instead, or fail): no bundle is written, and the search page says search is unavailable."""
    bundle = folder / BUNDLE
    if not shards:
        discard(bundle)
        return Index({}, {}, 0, [])
    if bundle.is_symlink() or (bundle.exists() and not bundle.is_dir()):
        discard(bundle)
    bundle.mkdir(exist_ok=True)
    wanted = {shard.name for shard in shards}
    # Shards of other builds, a manifest, what a killed build left: moved into one folder of a
    # name of its own, removed by a thread while Pagefind runs (see _index_shard).
    unwanted = [item.name for item in os.scandir(bundle) if item.name not in wanted]
    infos, indexed, removals = {}, 0, []
    try:
        if unwanted:
            _set_aside(bundle, unwanted, removals)
        for shard in shards:
            info = _kept(folder, shard.name, key, earlier)
            if info is None:
                info = _index_shard(folder, shard, len(shards), key, language, background, removals)
                indexed += 1
            infos[shard.name] = info
    finally:
        for removal in removals:
            removal.join()
    version = str(key[0])
    (bundle / MANIFEST).write_bytes(manifest(shards, [infos[s.name].pages for s in shards], version,
                                             [infos[s.name].filters for s in shards]))
    return Index(infos, bundle_records(folder), indexed, _count_warning(shards, infos))


def _kept(folder: Path, name: str, key: tuple, earlier: Sequence[Earlier]) -> ShardInfo | None:
    """The shard from an earlier build, in place in folder or linked from where it is."""
    target = folder / BUNDLE / name
    for index in earlier:
        info = index.shards.get(name)
        if info is None or info.key != key:
            continue
        prefix = name + "/"
        files = {path[len(prefix):]: record for path, record in index.bundle.items() if path.startswith(prefix)}
        source = index.folder / BUNDLE / name
        if not files or not folder_holds(source, files) or bundle_version(source) != key[0]:
            continue
        if source == target:
            return info
        discard(target)
        try:
            _link_tree(source, target, files)
        except OSError:  # no hard links here, or a file went: index it instead
            discard(target)
            continue
        return info
    return None


def _link_tree(source: Path, target: Path, files: Sequence[str]) -> None:
    made = set()
    for relative in sorted(files):
        folder = (target / relative).parent
        if folder not in made:
            folder.mkdir(parents=True, exist_ok=True)
            made.add(folder)
        os.link(source / relative, target / relative, follow_symlinks=False)


def _index_shard(folder: Path, shard: Shard, count: int, key: tuple, language: str, background: bool,
                 removals: list[threading.Thread]) -> ShardInfo:
    """Pagefind over hard links of the shard's pages, into pagefind/.new-<name>, trimmed and
    steadied, then renamed into place. The links are removed by a thread (added to removals)
    while the build goes on: on a file system without a journal, removing a shard's thousands
    of links and folders takes about as long as Pagefind takes to index them, and it is the
    kernel's work, done meanwhile on the other core."""
    bundle = folder / BUNDLE
    pages, made = bundle / f".pages-{shard.name}", bundle / f".new-{shard.name}"
    where = _shard_place(shard, count)
    try:
        for path in shard.pages:
            (pages / path).parent.mkdir(parents=True, exist_ok=True)
            os.link(folder / path, pages / path, follow_symlinks=False)
        _run_pagefind(pages, made, language, where, background)
        _remove_meanwhile(pages, removals)
        indexed = page_count(made)
        _trim(made)
        filters = steady_bundle(made)
        if filters is None:  # several languages in one index: their filter files put in order only
            steady_filters(made)
        discard(folder / BUNDLE / shard.name)
        os.rename(made, bundle / shard.name)
    except FormatError as error:
        raise search_problem(f"Pagefind wrote no readable index {where} ({error}); {HOW_TO_FIX}") from None
    except OSError as error:
        raise search_problem(f"could not prepare the search index {where}: {error.strerror or error} "
                             f"({error.filename or folder})") from None
    finally:
        discard(pages, quiet=True)
        discard(made, quiet=True)
    return ShardInfo(key, indexed, filters)


def _set_aside(bundle: Path, names: Sequence[str], removals: list[threading.Thread]) -> None:
    try:
        trash = Path(tempfile.mkdtemp(prefix=".removed-", dir=bundle))
        for name in names:
            os.rename(bundle / name, trash / name)
    except OSError as error:
        raise search_problem(f"could not prepare the search index: {error.strerror or error} "
                             f"({error.filename or bundle})") from None
    _remove_meanwhile(trash, removals)


def _remove_meanwhile(folder: Path, removals: list[threading.Thread]) -> None:
    """Remove folder in a thread of its own (the caller joins the threads in removals)."""
    removal = threading.Thread(target=discard, args=(folder, True), daemon=True)
    removal.start()
    removals.append(removal)


def _shard_place(shard: Shard, count: int) -> str:
    """`for shard 2 of 4 (entries 2023/05/a/ to 2023/09/b/)`: where a message points."""
    first, last = (path.removesuffix("index.html") for path in (shard.pages[0], shard.pages[-1]))
    return f"for shard {shard.number + 1} of {count} (entries {first} to {last})"


def _run_pagefind(pages: Path, output: Path, language: str, where: str, background: bool) -> None:
    import subprocess  # here: a build without search does without it

    environment = {name: value for name, value in os.environ.items() if not name.upper().startswith("PAGEFIND_")}
    command = [str(pagefind_executable()), "--site", str(pages), "--output-path", str(output), "--silent"]
    if language:  # else each page goes into the index of its <html lang>: a site in several languages
        command += ["--force-language", language.split("-")[0].lower()]
    try:
        result = subprocess.run(command, cwd=pages, env=environment, capture_output=True, text=True, check=False,
                                preexec_fn=_lower_priority if background else None)
    except OSError as error:
        raise search_problem(f"could not run Pagefind ({error.strerror or error}); {HOW_TO_FIX}") from None
    if result.returncode == -signal.SIGKILL:
        raise search_problem(f"Pagefind was killed (SIGKILL) {where}, perhaps for want of memory; lower "
                             f"`search_shard_entries` under [tool.digest], or {WITHOUT_SEARCH}")
    if result.returncode < 0:
        raise search_problem(f"Pagefind crashed ({signal_name(-result.returncode)}) {where}; {HOW_TO_FIX}")
    if result.returncode != 0:
        raise search_problem(f"Pagefind failed {where}: {pagefind_error(result)}; fix the cause, or {WITHOUT_SEARCH}")


def _trim(bundle: Path) -> None:
    """Keep what the search page loads: pagefind.js, the index files and the WebAssembly."""
    # A language Pagefind has no stemmer for (Ukrainian, Arabic) has no `wasm` of its own: its
    # pages load the language-neutral wasm.unknown.pagefind.
    wasm = {f"wasm.{language['wasm'] or 'unknown'}.pagefind" for language in _languages(bundle)}
    for item in os.scandir(bundle):
        keep = item.name in KEPT_FOLDERS if item.is_dir(follow_symlinks=False) else (
            item.name in KEPT_FILES or item.name in wasm or item.name.endswith(".pf_meta"))
        if not keep:
            discard(Path(item.path))


def _languages(bundle: Path) -> list[dict]:
    try:
        return list(json.loads((bundle / ENTRY_FILE).read_text(encoding="utf-8"))["languages"].values())
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
        raise FormatError(str(error)) from None


def _count_warning(shards: Sequence[Shard], infos: dict) -> list[Problem]:
    entries = sum(len(shard.pages) for shard in shards)
    indexed = sum(info.pages for info in infos.values())
    if indexed == entries:
        return []
    return [Problem("search", None, None, f"Pagefind indexed {indexed} pages for {entries} entries; "
                    "check that the theme puts data-pagefind-body on entry pages only", WARNING)]


def _lower_priority() -> None:
    """In the Pagefind child, before it starts: the nicest CPU priority short of idle."""
    os.nice(BACKGROUND_NICE)


BACKGROUND_NICE = 15


def pagefind_error(result: subprocess.CompletedProcess) -> str:
    """The first `Error:` line Pagefind printed (it prints some twice), else its last line."""
    lines = [line.strip() for line in (result.stderr + "\n" + result.stdout).splitlines() if line.strip()]
    errors = [line.removeprefix("Error:").strip() for line in lines if line.startswith("Error:")]
    if errors:
        return errors[0]
    return lines[-1] if lines else f"exit status {result.returncode}"


def signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def indexed_pages(folder: Path) -> int:
    """Pages in the index in folder/pagefind/: the sum over the shards shards.json names."""
    try:
        shards = json.loads((folder / BUNDLE / MANIFEST).read_text(encoding="utf-8"))["shards"]
        return sum(page_count(folder / BUNDLE / shard["name"]) for shard in shards)
    except (OSError, ValueError, KeyError, TypeError, FormatError) as error:
        raise search_problem(f"no readable search index in {folder} ({error})") from None


def entry_pages(posts: Sequence) -> list[str]:
    """The entry pages to index, oldest first (site.posts is newest first)."""
    return [route_path(post.url) for post in reversed(posts)]
