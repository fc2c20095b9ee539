"""Fixtures (tiny sites written to tmp_path, a real browser, `digest serve` processes), the
Hypothesis profiles and the rules that mark tests `browser` or `slow`. Helpers that are not
fixtures are in helpers.py."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from hypothesis import settings

# Tests may import these from either module; helpers.py is where they are written.
from helpers import (FIXTURES, ROOT, Server, build_out, entry_text, read, run_digest,  # noqa: F401
                     snapshot, write_site)

# The property tests (Hypothesis) draw the same examples on every
# run of `make test`, as in CI: a submission never fails on a draw no earlier run made.
# HYPOTHESIS_PROFILE=explore draws new examples each run, to hunt for new failures.
settings.register_profile("repeatable", derandomize=True, database=None)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


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


@pytest.fixture
def serve():
    """A factory: serve(root, *flags, env=...) -> a running Server. Each is stopped with Ctrl-C
    at the end of the test, and must exit cleanly and remove its temporary folder."""
    started = []

    def start(root: Path, *args: str, env: dict | None = None) -> Server:
        server = Server(root, *args, env=env)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop_cleanly()


# Whole files of slow tests, each with its reason.
SLOW_FILES = {
    "test_html_valid.py": "the Nu HTML checker starts a Java virtual machine per run",
    "test_serve.py": "each test starts `digest serve` in a process of its own and waits on its rebuilds",
}


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Mark by rule what `make test-fast` leaves out, so that a new test is marked by what it
    uses, not by whether its author remembered: a test using the `browser` fixture is
    `browser`; a Hypothesis test building sites (it asks for tmp_path_factory) or a test in
    SLOW_FILES is `slow`. Other slow tests carry @pytest.mark.slow themselves.

    First of the hooks (tryfirst): pytest-xdist's worker reads the `xdist_group` marks in
    this same hook, and `-m` deselects by the marks in it too."""
    for item in items:
        if "browser" in item.fixturenames:
            item.add_marker(pytest.mark.browser)
        function = getattr(item, "function", None)
        drawn = getattr(function, "is_hypothesis_test", False)
        if item.path.name in SLOW_FILES or (drawn and "tmp_path_factory" in item.fixturenames):
            item.add_marker(pytest.mark.slow)
        if shares_a_module_fixture(item):
            item.add_marker(pytest.mark.xdist_group(item.path.name))


@pytest.fixture(autouse=True)
def grouped(request):
    """Under `--dist loadgroup`, a test of a group carries it in its id (`...@test_feeds.py`),
    which is what keeps the group in one worker. Without it (a pytest whose ids pytest-xdist
    cannot change, a hook come too late) the tests would pass, only slower: they fail instead."""
    item = request.node
    if getattr(item.config.option, "loadgroup", False) and item.get_closest_marker("xdist_group") \
            and "@" not in item.nodeid:
        pytest.fail("pytest-xdist did not group this test with the others of its file: their site "
                    "would be built in each worker; see docs/developer/testing.md", pytrace=False)


def shares_a_module_fixture(item) -> bool:
    """Whether the test uses a fixture made once per file (a site built once and read by many
    tests). Under `--dist loadgroup` (pytest-xdist, as the Makefile runs it) such tests of one
    file run in one worker, so the fixture is still made once, not once in each worker."""
    definitions = getattr(item, "_fixtureinfo", None)
    if definitions is None:
        return False
    return any(chain[-1].scope in ("module", "package", "class")
               for chain in definitions.name2fixturedefs.values() if chain)


def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true",
                     help="rewrite tests/golden/expected from a fresh build of tests/golden/site")

