"""[Page] -> output folder: written to a staging folder beside it, then swapped in.

`output/` is always entirely the old site or entirely the new one, and no stale file of
the old site survives. Every path is checked to stay inside the folder it is written to.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path, PurePosixPath
from typing import Iterable

from .config import SETTINGS_FILE, Config, _line_of
from .errors import DigestError, Problem
from .render import Page

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
        text = (config.root / SETTINGS_FILE).read_text(encoding="utf-8")
        return [Problem(SETTINGS_FILE, _line_of(text, "output_dir"), "tool.digest.output_dir", message)]
    if config.output_dir == Config.output_dir:  # the default, set nowhere
        return [Problem(SETTINGS_FILE, None, "tool.digest.output_dir", message)]
    return [Problem("command line", None, "--output", message)]


def staging_path(output: Path) -> Path:
    return output.parent / f".{output.name}.staging"


def safe_target(folder: Path, relative: str) -> Path:
    """folder/relative, refusing anything that could land outside folder."""
    parts = PurePosixPath(relative).parts
    if not relative or relative.startswith("/") or "\\" in relative or any(p in ("..", ".", "") for p in parts):
        raise DigestError([Problem("output", None, None, f"refusing to write outside the output folder: {relative!r}")])
    target = folder.joinpath(*parts)
    if not target.resolve().is_relative_to(folder.resolve()):
        raise DigestError([Problem("output", None, None, f"refusing to write outside the output folder: {relative!r}")])
    return target


def stage(pages: Iterable[Page], config: Config) -> Path:
    """Write every page into a fresh staging folder and return it."""
    problems = output_problems(config)
    if problems:
        raise DigestError(problems)
    staging = staging_path(config.output_path)
    try:
        discard(staging)
        staging.mkdir(parents=True)
        write_pages(pages, staging)
    except OSError as error:  # a full disk or a read-only folder is a message, not a traceback
        discard(staging, quiet=True)
        raise DigestError([Problem(config.output_dir, None, None,
                                   f"cannot write {error.filename or staging}: {error.strerror}")]) from None
    except BaseException:
        discard(staging, quiet=True)
        raise
    return staging


def write_pages(pages: Iterable[Page], folder: Path) -> None:
    written: set[str] = set()
    made: set[Path] = {folder}
    for page in pages:
        if page.path in written:
            raise DigestError([Problem("output", None, None, f"two pages want the same file: {page.path}")])
        written.add(page.path)
        target = safe_target(folder, page.path)
        if target.parent not in made:
            target.parent.mkdir(parents=True, exist_ok=True)
            made.add(target.parent)
        target.write_bytes(page.data)


def swap(staging: Path, output: Path) -> None:
    """Two renames: the old site out of the way, the new one in."""
    old = output.parent / f".{output.name}.old"
    discard(old)
    if output.exists():
        os.rename(output, old)
    os.rename(staging, output)
    discard(old)


def discard(folder: Path, quiet: bool = False) -> None:
    try:
        if folder.is_symlink() or folder.is_file():
            folder.unlink()
        elif folder.exists():
            shutil.rmtree(folder)
    except OSError:
        if not quiet:
            raise
