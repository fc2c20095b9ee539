"""[Page] -> output folder: written to a staging folder beside it, then swapped in.

`output/` is always entirely the old site or entirely the new one, and no stale file of
the old site survives. Every path is checked to stay inside the folder it is written to.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import stat
import threading
from collections import deque
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator

from .config import SETTINGS_FILE, Config, line_of, settings_text
from .errors import COMMAND_LINE, DigestError, Problem
from .render import Page, StaticFile, digest_of, unchanged_bytes
from .workers import Background

class Kept:
    """build.reusable_pages' mark for a page the reused staging folder (the spare, see stage)
    already holds: the build knows its bytes unchanged (reuse.py) and saw the file untouched.
    Such a page is not streamed at all: its record goes to stage as `kept`, all at once (a
    one-entry rebuild keeps 17,000 of the 18,000 pages of a 10,000-entry site)."""

    def __repr__(self) -> str:
        return "KEPT"


KEPT = Kept()


@dataclass(frozen=True)
class LinkedPage:
    """A page whose bytes the current output folder holds, checked unchanged by the build: it
    goes into the staging folder as a hard link to that file, not as a copy. (The next build
    that reuses this folder unlinks a file before writing a new one, never writes into it, so
    the two folders never change each other.)"""

    path: str
    source: str      # the file in the current output folder
    digest: bytes    # blake2b-128 of its bytes, as in the tree records


@dataclass(frozen=True)
class WrittenPage:
    """A page a render worker has written into a fresh staging folder itself (write_new):
    only its record comes back to the build, not its bytes."""

    path: str
    record: tuple    # (blake2b-128 digest, size, mtime_ns, inode), as in the tree records


AnyPage = Page | StaticFile | LinkedPage | WrittenPage


def write_new(folder: str, path: str, data: bytes, made: set[str]) -> tuple:
    """Write a new file at folder/path and return its record. For a folder this build made
    and nothing else writes into (stage's fresh staging folder): every folder in it is one
    a build made, never a link, so the path needs only check_relative. `made`: the folders
    this process has made already, each made once."""
    check_relative(path)
    directory = path.rpartition("/")[0]
    if directory and directory not in made:
        _folder(f"{folder}/{directory}")
        made.add(directory)
    return digest_of(data), *_new_file(f"{folder}/{path}", data)


def _new_file(target: Path | str, data: bytes) -> tuple:
    """A new file (never one that is there, nor through a link); its (size, mtime_ns, inode)."""
    with open(target, "xb") as file:
        file.write(data)
        file.flush()  # so that the stat below has the file's size and last write
        info = os.fstat(file.fileno())
    return info.st_size, info.st_mtime_ns, info.st_ino


def twice(path: str) -> DigestError:
    return DigestError([Problem("output", None, None, f"two pages want the same file: {path}")])


def one_page_per_path(paths: Iterable[str]) -> None:
    """Refuse a path given twice, as write_pages does, before any is written."""
    seen: set[str] = set()
    for path in paths:
        if path in seen:
            raise twice(path)
        seen.add(path)


def _folder(path: str) -> None:
    """os.makedirs(path, exist_ok=True), in one call where the parent is there (most pages:
    each is a folder of its own beside others): makedirs looks at the parent first."""
    try:
        os.mkdir(path)
    except FileNotFoundError:
        os.makedirs(path, exist_ok=True)
    except FileExistsError:  # another worker made it; a file there fails the write that follows
        pass


def cannot_write(config: Config, error: OSError, folder: Path | str) -> DigestError:
    """A full disk or a read-only folder is a message, not a traceback."""
    return DigestError([Problem(config.output_dir, None, None, f"cannot write {error.filename or folder}: {error.strerror}")])


# Every build writes this file (render.extra_pages); a non-empty folder without it is not ours.
MARK = ".nojekyll"


def output_problems(config: Config) -> list[Problem]:
    """The output folder may not be the content folder, hold it or lie inside it, be the site
    root, `/`, a git repository, a symlink, or a folder of files digest did not write: the
    build replaces the whole folder, so anything else in it would be lost."""
    output, content, root = config.output_path, config.content_path, config.root.resolve()
    given = config.root / config.output_dir
    reason = None
    if given.is_symlink():
        reason = "is a symlink"
    elif output == Path(output.anchor):
        reason = "is the file system root"
    elif output == root:
        reason = "is the site root"
    elif output == content or content.is_relative_to(output):
        reason = "is or contains the content folder"
    elif output.is_relative_to(content):
        reason = "is inside the content folder"
    elif output.is_relative_to(config.static_path):
        reason = "is or is inside the static folder, whose files are published as they are"
    elif output.is_relative_to((config.root / "themes").resolve()):
        # A build there changes the theme it reads: a theme's static/ would publish the last
        # output inside the next one, which grows with every build.
        reason = "is or is inside the themes folder, whose templates and static files make the site"
    elif root.is_relative_to(output):
        reason = "contains the site root"
    elif (output / ".git").exists():
        reason = "holds a .git folder"
    elif output.exists() and not output.is_dir():
        reason = "is a file"
    elif output.is_dir() and any(output.iterdir()) and not (output / MARK).is_file():
        reason = f"holds files that digest did not write (no {MARK})"
    if reason is None:
        return []
    message = f"{config.output_dir!r} {reason}; choose a folder of its own, such as 'output'"
    if dict(config.raw).get("output_dir") == repr(config.output_dir):  # set in the site file
        text = settings_text(config.root / SETTINGS_FILE)
        return [Problem(SETTINGS_FILE, line_of(text, "output_dir"), "tool.digest.output_dir", message)]
    if config.output_dir == Config.output_dir:  # the default, set nowhere
        return [Problem(SETTINGS_FILE, None, "tool.digest.output_dir", message)]
    return [Problem(COMMAND_LINE, None, "--output", message)]


def staging_path(output: Path) -> Path:
    return output.parent / f".{output.name}.staging"


# The lock's descriptor while a build holds it. A child forked meanwhile (a worker, the
# listing child) closes its copy at once: a worker outliving a killed build would otherwise
# hold the lock, and every later build would wait for it forever.
_HELD: set[int] = set()


def _close_held_in_child() -> None:
    for descriptor in _HELD:
        try:
            os.close(descriptor)
        except OSError:
            pass
    _HELD.clear()


os.register_at_fork(after_in_child=_close_held_in_child)


@contextmanager
def output_lock(output: Path, waiting: Callable[[], None] = lambda: None) -> Iterator[None]:
    """Held by a build from its first look at output/, the folders beside it and the cache
    to its last write: two builds at once rename each other's folders away. A second build
    calls waiting(), then blocks until the first is done, and builds after it.
    The lock is on the folder holding output/ (where the staging folders go), not on a file
    of its own: a failed build still writes nothing anywhere. Where that folder cannot be
    opened or locked (a file system without locks), the build goes on without it, as before."""
    try:
        descriptor = os.open(output.parent, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError:
        yield
        return
    _HELD.add(descriptor)
    try:
        if not _locked(descriptor, fcntl.LOCK_NB):
            waiting()
            _locked(descriptor, 0)
        yield
    finally:
        _HELD.discard(descriptor)
        os.close(descriptor)  # which releases the lock


def _locked(descriptor: int, flags: int) -> bool:
    """False when another process holds the lock (with LOCK_NB); else True: the lock is
    ours, or the file system has none (some network ones), and the build goes on without."""
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | flags)
    except BlockingIOError:
        return False
    except OSError:
        pass
    return True


def check_relative(relative: str) -> None:
    """A page path is relative, with `/`, and has no empty, `.` or `..` part."""
    if not relative or "\\" in relative or any(p in ("..", ".", "") for p in relative.split("/")):
        raise _outside(relative)


def safe_target(folder: Path, relative: str, checked: set | None = None) -> Path:
    """folder/relative, refusing anything that could land outside folder. `checked` (a set
    kept for one build) lets each folder on the way be looked at once instead of per page."""
    if checked is not None:
        check_inside(str(folder), relative, checked)
        return folder.joinpath(relative)
    check_relative(relative)
    target = folder.joinpath(relative)
    if not target.resolve().is_relative_to(folder.resolve()):
        raise _outside(relative)
    return target


def check_inside(folder: str, relative: str, checked: set) -> None:
    """safe_target's check with a `checked` set, on text: no Path is made for a file kept."""
    check_relative(relative)
    if not _no_links_between(folder, relative.rpartition("/")[0], checked):
        raise _outside(relative)


def _outside(relative: str) -> DigestError:
    return DigestError([Problem("output", None, None, f"refusing to write outside the output folder: {relative!r}")])


def _no_links_between(folder: str, directory: str, checked: set) -> bool:
    """True when no folder from below `folder` down to `directory` (relative, with `/`) is a
    symlink, so a path in it stays inside. The file itself is opened with O_EXCL, which never
    follows a link."""
    if not directory or directory in checked:
        return True
    if not _no_links_between(folder, directory.rpartition("/")[0], checked) or os.path.islink(
            os.path.join(folder, directory)):
        return False
    checked.add(directory)
    return True


@dataclass(frozen=True)
class Staged:
    """A staging folder written, and the records of its files."""

    folder: Path
    files: dict     # path -> (blake2b-128 digest, size, mtime_ns, inode)


def stage(pages: Iterable[AnyPage] | Callable[[Path | None], Iterable[AnyPage]], config: Config,
          known: dict | None = None, found: dict | None = None, kept: dict | None = None,
          spared: str | None = None) -> Staged:
    """Write every page into a staging folder.

    pages: the pages, or a function that returns them given the staging folder when it is
    a fresh one (None when it is the spare, reused): its pages may then come as WrittenPage,
    already written there by render workers (rendering.stream_pages).

    known: the records of the spare folder's files (the site from the build before last, kept
    by swap), when known (cache.TreeCache): then that folder becomes the staging folder: files
    whose bytes are unchanged are left as they are, the rest are rewritten, and everything
    else in it is deleted. The result is byte for byte what a fresh folder would hold, at a
    fraction of the disk writes.
    found: files_in(spare), when the caller has looked already (it is not looked at twice);
    kept: path -> the spare's record, of each page it holds that is to be kept as it is
    (checked against `found`); spared: a folder of the spare (the search index, `pagefind`)
    left as it is for the caller, who keeps what it can of it and removes the rest."""
    problems = output_problems(config)
    if problems:
        raise DigestError(problems)
    staging = staging_path(config.output_path)
    spare = old_path(config.output_path)
    try:
        discard(staging)
        if known is not None and spare.is_dir() and not spare.is_symlink():
            os.rename(spare, staging)
        else:
            if kept:  # the spare went between the build's look and now: never write a guess
                raise DigestError([Problem("output", None, None, f"{spare} changed while building; build again")])
            known, found = None, None
            set_aside(spare, config.output_path)
            staging.mkdir(parents=True)
        if callable(pages):
            pages = pages(staging if known is None else None)
        records = write_pages(pages, staging, known, found, kept, spared)
    except OSError as error:
        close_pages(pages)
        discard(staging, quiet=True)
        raise cannot_write(config, error, staging) from None
    except BaseException:
        close_pages(pages)
        discard(staging, quiet=True)
        raise
    return Staged(staging, records)


def close_pages(pages: object) -> None:
    """Close a generator of pages, if it is one: whatever makes them (render workers, which
    may write into the staging folder) stops now, not when it is collected."""
    close = getattr(pages, "close", None)
    if close is not None:
        close()


WRITERS = 4  # threads writing new files: the file system works on several at once (the GIL is released)


def write_pages(pages: Iterable[AnyPage], folder: Path, known: dict | None = None,
                present: dict | None = None, kept: dict | None = None, spared: str | None = None) -> dict:
    """Write pages into folder; return {path: (hash, size, mtime_ns, inode)} of what it holds.
    `known` describes a folder written before: unchanged files are kept, stale ones removed;
    `present` is what files_in(folder) found there, if the caller has looked already; `kept`,
    the records of files known to stay as they are (from `known`, checked against `present`).
    Into a fresh folder, files are written by a few threads at once."""
    if known is None:
        present = {}
    elif present is None:
        present = files_in(folder)
    records: dict = dict(kept) if kept else {}
    checked: set[Path] = set()
    pool = None
    if known is None:  # imported here: a rebuild writes into the reused folder, without threads
        from concurrent.futures import ThreadPoolExecutor

        pool = ThreadPoolExecutor(WRITERS)
    waiting: deque = deque()
    base = str(folder)
    try:
        for page in pages:
            if page.path in records:
                raise twice(page.path)
            if type(page) is WrittenPage:  # written into this fresh folder by a render worker
                records[page.path] = page.record
                continue
            fingerprint = page.digest
            found = present.get(page.path)
            if found is not None:  # a file files_in found in the folder: inside it, no link on the way
                record = known.get(page.path)
                if record is not None and record[0] == fingerprint and found == record[1:]:
                    records[page.path] = record
                    continue
            if isinstance(page, StaticFile):  # to be written: read once, here
                page = Page(page.path, page.data)
            if found is not None:
                rewritten = None if isinstance(page, LinkedPage) else _rewrite(f"{base}/{page.path}", page.data, found)
                if rewritten is not None:
                    records[page.path] = (fingerprint, *rewritten)
                    continue
                os.unlink(f"{base}/{page.path}")
            check_inside(base, page.path, checked)
            target = folder / page.path
            records[page.path] = None  # taken: a second page with this path is an error
            if pool is None:
                if found is None:  # where a file was just removed, the way is clear
                    _clear_way(base, page.path)
                records[page.path] = (fingerprint, *_put(page, target, fingerprint))
                continue
            waiting.append((page.path, fingerprint, pool.submit(_put, page, target, fingerprint)))
            while len(waiting) > 8 * WRITERS:
                path, fingerprint, done = waiting.popleft()
                records[path] = (fingerprint, *done.result())
        while waiting:
            path, fingerprint, done = waiting.popleft()
            records[path] = (fingerprint, *done.result())
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
    if known is not None:
        stale = present.keys() - records.keys()
        if spared:
            stale = {path for path in stale if not path.startswith(spared + "/")}
        _remove_stale(folder, stale)
    return records


def _put(page: Page | StaticFile | LinkedPage, target: Path, fingerprint: bytes) -> tuple:
    """One new file (a hard link for a LinkedPage); its (size, mtime_ns, inode)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(page, LinkedPage):
        try:
            os.link(page.source, target, follow_symlinks=False)
            return _stat_of(target)
        except OSError:  # no hard links here (or the file went): copy it, if it is still the same
            page = Page(page.path, _same_bytes(page.source, fingerprint))
    return _new_file(target, page.data)


def _rewrite(path: str, data: bytes, found: tuple) -> tuple | None:
    """Write data over the file at path, found by files_in as (size, mtime_ns, inode), when
    it is still that file and no other path shares it (a hard link from output/ does): the
    file keeps its inode. A new file needs a new inode, and on a file system without a
    journal taking one right after many deletions (a rebuild's) is slow. Its (size,
    mtime_ns, inode), or None: then the caller replaces the file."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_nlink != 1 or info.st_ino != found[2]:
            return None
        os.ftruncate(fd, 0)
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        info = os.fstat(fd)
        return info.st_size, info.st_mtime_ns, info.st_ino
    finally:
        os.close(fd)


def _same_bytes(source: str, fingerprint: bytes) -> bytes:
    data = unchanged_bytes(source, fingerprint)
    if data is None:
        raise DigestError([Problem("output", None, None, f"{source} changed while building; build again")])
    return data


def _stat_of(target: Path | str) -> tuple:
    info = os.lstat(target)
    return info.st_size, info.st_mtime_ns, info.st_ino


def folder_holds(folder: Path, records: dict[str, tuple]) -> bool:
    """True when folder holds exactly these files, each with its recorded (size, mtime_ns,
    inode), and nothing else: no other file, no symlink. Reads only."""
    found = 0
    waiting = [(str(folder), "")]
    try:
        while waiting:
            here, prefix = waiting.pop()
            with os.scandir(here) as listing:
                for item in listing:
                    if item.is_symlink():
                        return False
                    if item.is_dir(follow_symlinks=False):
                        waiting.append((item.path, prefix + item.name + "/"))
                        continue
                    expected = records.get(prefix + item.name)
                    info = item.stat(follow_symlinks=False)
                    if expected is None or not item.is_file(follow_symlinks=False) or \
                            (info.st_size, info.st_mtime_ns, info.st_ino) != expected:
                        return False
                    found += 1
    except OSError:
        return False
    return found == len(records)


def files_in(folder: Path) -> dict[str, tuple]:
    """Files under a folder of digest's own (a staging or spare folder), by relative path, each
    with its (size, mtime_ns, inode); any symlink in it is removed on the way."""
    found: dict[str, tuple] = {}
    waiting = [(str(folder), "")]
    while waiting:
        here, prefix = waiting.pop()
        with os.scandir(here) as listing:
            for item in listing:
                if item.is_symlink():
                    os.unlink(item.path)
                elif item.is_dir(follow_symlinks=False):
                    waiting.append((item.path, prefix + item.name + "/"))
                else:
                    info = item.stat(follow_symlinks=False)
                    found[prefix + item.name] = (info.st_size, info.st_mtime_ns, info.st_ino)
    return found


def _clear_way(folder: str, relative: str) -> None:
    """In a reused folder, a file may sit where a folder must go, or a folder where a file
    must. (check_inside has made sure no folder on the way is a symlink.)"""
    parts = relative.split("/")
    here = folder
    for depth, part in enumerate(parts, 1):
        here = f"{here}/{part}"
        try:
            mode = os.lstat(here).st_mode
        except FileNotFoundError:
            return
        if depth == len(parts):
            if stat.S_ISDIR(mode):
                shutil.rmtree(here)
        elif not stat.S_ISDIR(mode):
            os.unlink(here)
            return


def _remove_stale(folder: Path, stale: set[str]) -> None:
    emptied = set()
    for relative in stale:
        try:
            (folder / relative).unlink()
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
            continue  # gone already, with a file now where its folder was, or a folder now at its place
        emptied.add((folder / relative).parent)
    for here in sorted(emptied, key=lambda p: len(p.parts), reverse=True):
        while here != folder and here.is_relative_to(folder):
            try:
                here.rmdir()
            except OSError:
                break
            here = here.parent


def link_spare(output: Path, records: dict, jobs: int = 1) -> bool:
    """Make the spare folder (see stage) hold output/'s files as hard links, for the next
    build to stage in: what a build that swapped would have left there. False, and no spare,
    where that cannot be done (a file system without hard links, a file gone). With jobs > 1
    a forked child links half of the files meanwhile (each link and folder is work for the
    kernel, on either core)."""
    spare = old_path(output)
    set_aside(spare, output)  # a spare of unknown records: deleted once the links are made
    paths = sorted(records)
    half = len(paths) // 2
    with Background(_link_files, str(output), str(spare), paths[:half], jobs=jobs) as child:
        linked = _link_files(str(output), str(spare), paths[half:])
        linked = child.result() and linked
    if not linked:
        discard(spare, quiet=True)
    discard(trash_path(output), quiet=True)
    return linked


class SpareLinks:
    """The spare folder (see stage) made from a staged site in a thread, while the build goes
    on: a build that leaves no old output/ behind (a clean one) would otherwise leave no spare,
    and the next build that writes would link every page into a new staging folder itself.
    The build starts it once the pages are staged (the search stage runs meanwhile: Pagefind
    is a process of its own, and the links are the kernel's work), then either calls finish()
    before the swap, or abandon() when the build fails."""

    def __init__(self, staging: Path, output: Path, pages: Iterable[str]):
        self.staging, self.spare = str(staging), str(old_path(output))
        self.stopped = threading.Event()
        self.linked: list[bool] = []
        self.thread = threading.Thread(target=self._link, args=(sorted(pages),), daemon=True)
        self.thread.start()

    def _link(self, paths: list[str]) -> None:
        self.linked.append(_link_files(self.staging, self.spare, paths, self.stopped))

    def finish(self, folder: str, files: Iterable[str]) -> bool:
        """Wait for the pages, then link these files of the staging folder's `folder` (the
        search index, made meanwhile) too. False, and no spare, where a link failed."""
        self.thread.join()
        linked = self.linked == [True] and _link_files(f"{self.staging}/{folder}", f"{self.spare}/{folder}",
                                                       sorted(files))
        if not linked:
            discard(Path(self.spare), quiet=True)
        return linked

    def abandon(self) -> None:
        self.stopped.set()
        self.thread.join()
        discard(Path(self.spare), quiet=True)


def start_spare(staged: Staged, output: Path) -> SpareLinks | None:
    """SpareLinks for a staged site when the swap will leave no spare (there is no output/ to
    keep as one) and nothing is in the spare's place; else None."""
    if output.exists() or output.is_symlink() or os.path.lexists(old_path(output)):
        return None
    return SpareLinks(staged.folder, output, staged.files)


def _link_files(output: str, spare: str, paths: list[str], stopped: threading.Event | None = None) -> bool:
    made = set()
    try:
        for relative in paths:
            if stopped is not None and stopped.is_set():
                return False
            check_relative(relative)
            target = f"{spare}/{relative}"
            folder = target.rpartition("/")[0]
            if folder not in made:
                os.makedirs(folder, exist_ok=True)
                made.add(folder)
            os.link(f"{output}/{relative}", target, follow_symlinks=False)
    except (OSError, DigestError):
        return False
    return True


def old_path(output: Path) -> Path:
    return output.parent / f".{output.name}.old"


def trash_path(output: Path) -> Path:
    return output.parent / f".{output.name}.trash"


def set_aside(spare: Path, output: Path) -> None:
    """A spare folder this build cannot reuse (its records unknown: another digest wrote it)
    is renamed out of the way and deleted after the writes (by swap, or link_spare): on a
    file system without a journal, files made right after many deletions take ten times longer."""
    if not spare.is_dir() or spare.is_symlink():
        discard(spare)
        return
    trash = trash_path(output)
    discard(trash)  # left by a build that failed after setting its spare aside
    os.rename(spare, trash)


def swap(staging: Path, output: Path, keep_old: bool = False, spare_made: bool = False) -> None:
    """Two renames: the old site out of the way, the new one in. With keep_old the old site
    stays beside it as the spare folder the next build reuses (see stage); spare_made: there
    is no old site, and the spare is the one SpareLinks made, which stays."""
    old = old_path(output)
    if output.exists() or not spare_made:
        discard(old)
    if output.exists():
        os.rename(output, old)
    os.rename(staging, output)
    if not keep_old:
        discard(old)
    discard(trash_path(output))


def discard(folder: Path, quiet: bool = False) -> None:
    try:
        if folder.is_symlink() or folder.is_file():
            folder.unlink()
        elif folder.exists():
            shutil.rmtree(folder)
    except OSError:
        if not quiet:
            raise
