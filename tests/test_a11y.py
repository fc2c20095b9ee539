"""Accessibility: axe-core (bundled by axe-playwright-python) in Chromium over the home page,
an entry, a tag page and the search page of the sample site, served over HTTP. No serious or
critical violations; one browser for all pages."""

from __future__ import annotations

import shutil
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest

from conftest import ROOT, run_digest

SERIOUS = {"serious", "critical"}


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep pytest output clean
        pass


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    root = tmp_path_factory.mktemp("a11y") / "site"
    shutil.copytree(ROOT / "content", root / "content")
    (root / "pyproject.toml").write_text('[tool.digest]\ntitle = "Sample"\nbase_url = "http://127.0.0.1/"\n')
    result = run_digest(root, "build", "--quiet")  # with search: the search page is checked working
    assert result.returncode == 0, result.stderr
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(QuietHandler, directory=str(root / "output")))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", root / "output"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def serious_violations(browser, url: str) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    page = browser.new_page()
    try:
        response = page.goto(url, wait_until="networkidle")
        assert response is not None and response.ok, url
        results = Axe().run(page)
    finally:
        page.close()
    return [f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
            for v in results.response["violations"] if v.get("impact") in SERIOUS]


def test_key_pages_have_no_serious_violations(browser, served):
    base, output = served
    entry = sorted(p.parent for p in output.glob("2025/*/*/index.html"))[0].relative_to(output).as_posix()
    tag = sorted(p.parent for p in output.glob("tags/*/index.html"))[0].relative_to(output).as_posix()
    found = {}
    for path in ("/", f"/{entry}/", f"/{tag}/", "/search/?q=talks"):
        found[path] = serious_violations(browser, base + path)
    assert found == {path: [] for path in found}


def test_axe_can_fail(browser, served, tmp_path):
    base, output = served
    (output / "bad.html").write_text('<!DOCTYPE html><html><head><title>x</title></head><body>'
                                     '<img src="static/favicon.svg"><button></button></body></html>')
    try:
        assert serious_violations(browser, base + "/bad.html")
    finally:
        (output / "bad.html").unlink()
