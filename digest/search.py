"""Runs Pagefind, once, over the staged site (before it is swapped in).

Pagefind gets only our own flags: it runs inside the staged folder (so a stray
`pagefind.yml` in the site root cannot change the index) and without `PAGEFIND_*`
variables from the environment. Afterwards the index is checked: one page per entry.
"""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path
from typing import TYPE_CHECKING

from .cache import installed_versions, normal_name
from .errors import WARNING, DigestError, Problem

if TYPE_CHECKING:
    import subprocess

WITHOUT_SEARCH = "build without search: `digest build --no-search` (or `search = false` under [tool.digest])"
HOW_TO_FIX = f"reinstall it with `pip install --force-reinstall 'pagefind-bin>=1.5.2'`, or {WITHOUT_SEARCH}"
BUNDLE = "pagefind"


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


def search_key(language: str) -> tuple:
    """What an index depends on besides the pages: the language, and Pagefind's version and
    binary (a replaced or missing binary never passes for the one that made the index)."""
    version = installed_versions().get(normal_name("pagefind-bin"))
    try:
        binary = pagefind_executable()
        info = binary.stat()
    except (DigestError, OSError):
        version = None
    if version is None:
        return ("no working Pagefind", language)
    return version, str(binary), info.st_size, info.st_mtime_ns, language


def bundle_records(folder: Path) -> dict[str, tuple]:
    """Path under pagefind/ -> (size, mtime_ns, inode) of each file of the index in folder."""
    bundle, records = folder / BUNDLE, {}
    for here, _, files in os.walk(bundle):
        for name in files:
            info = os.lstat(os.path.join(here, name))
            records[os.path.relpath(os.path.join(here, name), bundle).replace(os.sep, "/")] = (
                info.st_size, info.st_mtime_ns, info.st_ino)
    return records


def pagefind_command(folder: Path, language: str) -> list[str]:
    return [str(pagefind_executable()), "--site", str(folder), "--output-subdir", BUNDLE, "--silent",
            "--force-language", language.split("-")[0].lower()]


def index_site(folder: Path, language: str = "en", entries: int | None = None, background: bool = False) -> list[Problem]:
    """Write `pagefind/` into folder and return warnings; a failure is a DigestError saying how to go on.
    background: run Pagefind at a lower CPU priority (serve: rebuilds must not wait for it).

    With no entries there is nothing to index (Pagefind would index the listing pages
    instead, or fail): no bundle is written, and the search page says search is unavailable.
    """
    if entries == 0:
        return []
    import subprocess  # here: a build without search does without it

    folder = folder.resolve()
    environment = {name: value for name, value in os.environ.items() if not name.upper().startswith("PAGEFIND_")}
    try:
        result = subprocess.run(pagefind_command(folder, language), cwd=folder, env=environment,
                                capture_output=True, text=True, check=False,
                                preexec_fn=_lower_priority if background else None)
    except OSError as error:
        raise search_problem(f"could not run Pagefind ({error.strerror or error}); {HOW_TO_FIX}") from None
    if result.returncode < 0:
        raise search_problem(f"Pagefind crashed ({signal_name(-result.returncode)}); {HOW_TO_FIX}")
    if result.returncode != 0:
        raise search_problem(f"Pagefind failed: {pagefind_error(result)}; fix the cause, or {WITHOUT_SEARCH}")
    indexed = indexed_pages(folder)
    if entries is not None and indexed != entries:
        return [Problem("search", None, None, f"Pagefind indexed {indexed} pages for {entries} entries; "
                        "check that the theme puts data-pagefind-body on entry pages only", WARNING)]
    return []


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
    """Pages in the index, from `pagefind/pagefind-entry.json`."""
    try:
        manifest = json.loads((folder / BUNDLE / "pagefind-entry.json").read_text(encoding="utf-8"))
        return sum(language["page_count"] for language in manifest["languages"].values())
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
        raise search_problem(f"Pagefind wrote no readable index ({error}); {HOW_TO_FIX}") from None
