"""Shared fixtures: tiny sites written to tmp_path, the real CLI, a real browser."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from hypothesis import settings

# The property tests (test_properties.py, test_in_place.py) draw the same examples on every
# run of `make test`, as in CI: a submission never fails on a draw no earlier run made.
# HYPOTHESIS_PROFILE=explore draws new examples each run, to hunt for new failures.
settings.register_profile("repeatable", derandomize=True, database=None)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


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


def build_out(root: Path) -> Path:
    """`digest build --no-search --output out` in root, which must succeed; the `out` folder."""
    result = run_digest(root, "build", "--no-search", "--output", "out")
    assert result.returncode == 0, result.stderr
    return root / "out"


def read(out: Path, path: str) -> str:
    return (out / path).read_text(encoding="utf-8")


def run_digest(cwd: Path, *args: str, env: dict | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    """The real command line, in a subprocess, from cwd."""
    environment = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "digest", *args], cwd=cwd, capture_output=True,
                          text=True, env=environment, timeout=timeout)


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under folder, by relative path, with its bytes."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def site(tmp_path):
    """A factory: site(files, settings) -> site root."""
    def make(files: dict, settings: str = "", name: str = "site") -> Path:
        return write_site(tmp_path / name, files, settings)
    return make


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright. Missing browser: skip locally, fail in CI."""
    if not CHROMIUM:
        message = "chromium is not installed: run `make test` as root, or `sudo apt-get install chromium`"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


# Whole files of slow tests, each with its reason.
SLOW_FILES = {
    "test_html_valid.py": "the Nu HTML checker starts a Java virtual machine per run",
}


def pytest_collection_modifyitems(config, items):
    """Mark by rule what `make test-fast` leaves out, so that a new test is marked by what it
    uses, not by whether its author remembered: a test using the `browser` fixture is
    `browser`; a Hypothesis test building sites (it asks for tmp_path_factory) or a test in
    SLOW_FILES is `slow`. Other slow tests carry @pytest.mark.slow themselves."""
    for item in items:
        if "browser" in item.fixturenames:
            item.add_marker(pytest.mark.browser)
        function = getattr(item, "function", None)
        drawn = getattr(function, "is_hypothesis_test", False)
        if item.path.name in SLOW_FILES or (drawn and "tmp_path_factory" in item.fixturenames):
            item.add_marker(pytest.mark.slow)


def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true",
                     help="rewrite tests/golden/expected from a fresh build of tests/golden/site")
