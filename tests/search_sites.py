"""Sites for the search tests: small sites in shards of three entries (with a Pagefind that
fails on cue), and the sample site built and served under a mount, for the browser tests."""

from __future__ import annotations

import functools
import gzip
import http.server
import json
import shutil
import stat
import threading
from pathlib import Path

import pagefind_bin

from helpers import HOSTILE_ENTRY, ROOT, entry_text, run_digest

SETTINGS = "search_shard_entries = 3\n"


def entry(day: int, body: str = "", tags: str | None = None) -> str:
    """An entry of 2025-07-<day> with a word of its own (`word<day>`) and a tag of its own: no
    two entries are related, so one's page never names another (see test_related_entries_...)."""
    return entry_text(title=f"Entry {day}", date=f"2025-07-{day:02d}", tags=tags or f"[t{day}]",
                      body=f"Body of entry {day}: word{day}. {body}")


def entries(count: int) -> dict[str, str]:
    return {f"content/2025/07/e{day:02d}.md": entry(day) for day in range(1, count + 1)}


def manifest(output: Path) -> dict:
    return json.loads((output / "pagefind" / "shards.json").read_text(encoding="utf-8"))


def shard_names(output: Path) -> list[str]:
    """The shards, oldest first."""
    return [shard["name"] for shard in reversed(manifest(output)["shards"])]


def inodes(output: Path, name: str) -> set[int]:
    return {path.stat().st_ino for path in (output / "pagefind" / name).rglob("*") if path.is_file()}


def shard_words(output: Path, name: str) -> str:
    """The text of a shard's fragments (one per page), for telling which entries it holds."""
    return " ".join(gzip.decompress(path.read_bytes()).decode("utf-8", "replace")
                    for path in (output / "pagefind" / name / "fragment").iterdir())


def build(root: Path, *flags: str, env: dict | None = None):
    result = run_digest(root, "build", *flags, env=env)
    assert result.returncode == 0, result.stderr
    return result


def fake_pagefind(tmp_path: Path, script: str = "", version: str | None = None) -> dict:
    """The installed pagefind_bin package copied ahead of it on PYTHONPATH, its binary replaced
    by a script that runs `script` and then the real binary; with `version`, a dist-info saying
    that version is installed (as another pagefind-bin would)."""
    package = Path(pagefind_bin.__file__).parent
    copy = tmp_path / "fake" / "pagefind_bin"
    copy.mkdir(parents=True)
    for name in ("__init__.py", "__main__.py"):
        shutil.copy(package / name, copy / name)
    binary = copy / "pagefind"
    binary.write_text(f"#!/bin/sh\n{script}\nexec {pagefind_bin.get_executable()} \"$@\"\n", encoding="utf-8")
    binary.chmod(binary.stat().st_mode | stat.S_IEXEC)
    if version:
        info = tmp_path / "fake" / f"pagefind_bin-{version}.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: pagefind-bin\nVersion: {version}\n")
    return {"PYTHONPATH": str(copy.parent)}


# Kills itself (SIGKILL, as the kernel's out-of-memory killer does) on the shard holding "doomed".
KILLED_ON_DOOMED = 'site=$(echo "$@" | sed "s/.*--site \\([^ ]*\\).*/\\1/"); if grep -rq doomed "$site"; then kill -9 $$; fi'
FAILS_ON_DOOMED = ('site=$(echo "$@" | sed "s/.*--site \\([^ ]*\\).*/\\1/"); '
                   'if grep -rq doomed "$site"; then echo "Error: disk on fire" >&2; exit 1; fi')


SHARD_ENTRIES = 3
# The oldest entry of all and the newest, each with a word no other entry has and one tag:
# the first shard and the last, eleven entries in four shards with the sample site's nine.
EDGE_ENTRIES = {
    "oldest.md": entry_text(title="The oldest entry", date="2024-01-15", tags="[Archive]",
                            body="An aardvarkian word, found in the oldest shard only."),
    "newest.md": entry_text(title="The newest entry", date="2025-12-01", tags="[Archive]",
                            body="A zyzzyvan word, found in the newest shard only."),
}


class MountedHandler(http.server.SimpleHTTPRequestHandler):
    """Serves `directory` at `mount` (`/repo/`); anything outside the mount is a 404."""

    mount = "/"

    def translate_path(self, path):
        clean = path.split("?", 1)[0].split("#", 1)[0]
        if not clean.startswith(self.mount):
            return str(Path(self.directory) / "does-not-exist")
        return super().translate_path("/" + path[len(self.mount):])

    def log_message(self, format, *args):  # keep the test output quiet
        pass


def serve_built_site(tmp: Path, mount: str):
    """Bind a free port, build the sample site for it, serve the output; yields the site's URL."""
    root = tmp / "site"
    shutil.copytree(ROOT / "content", root / "content")
    settings = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    # Shards of three entries: the nine entries make three, so every test searches across shards.
    (root / "pyproject.toml").write_text(settings.replace("[tool.digest]\n", f"[tool.digest]\nsearch_shard_entries = {SHARD_ENTRIES}\n"),
                                         encoding="utf-8")
    (root / "content" / "2025" / "07" / "hostile.md").write_text(HOSTILE_ENTRY, encoding="utf-8")
    for name, text in EDGE_ENTRIES.items():
        (root / "content" / name).write_text(text, encoding="utf-8")
    output = tmp / "out"
    handler = type("Handler", (MountedHandler,), {"mount": mount})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(output)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}{mount}"
        result = run_digest(root, "build", "--base-url", url, "--output", str(output))
        assert result.returncode == 0, result.stderr
        thread.start()
        yield url
    finally:
        if thread.is_alive():
            server.shutdown()
            thread.join()
        server.server_close()
