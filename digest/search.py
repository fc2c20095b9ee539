"""Runs Pagefind, once, over the staged site (before it is swapped in)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from .errors import DigestError, Problem

HOW_TO_FIX = ("reinstall it with `pip install --force-reinstall 'pagefind-bin>=1.5.2'`, "
              "or build without search: `digest build --no-search` (or `search = false` under [tool.digest])")


def pagefind_executable() -> Path:
    try:
        import pagefind_bin

        return pagefind_bin.get_executable()
    except (ImportError, FileNotFoundError) as error:
        raise DigestError([Problem("search", None, None, f"the Pagefind binary is missing ({error}); {HOW_TO_FIX}")]) from None


def index_site(folder: Path, language: str = "en") -> None:
    """Write `pagefind/` into folder; a failure is a DigestError saying how to go on."""
    command = [str(pagefind_executable()), "--site", str(folder), "--silent", "--force-language", language.split("-")[0]]
    try:
        result = subprocess.run(command, capture_output=True, text=True, check=False)
    except OSError as error:
        raise DigestError([Problem("search", None, None, f"could not run Pagefind ({error}); {HOW_TO_FIX}")]) from None
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()
        last = detail[-1] if detail else f"exit status {result.returncode}"
        raise DigestError([Problem("search", None, None, f"Pagefind failed: {last}; {HOW_TO_FIX}")])
