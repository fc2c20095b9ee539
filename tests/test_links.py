"""Every internal link of the sample site resolves, at a domain root and under a sub-path."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from helpers import ROOT, entry_text, run_digest
from linkcheck import LinkChecker, check_whole_site


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    """A copy of the repository's sample site: a build writes its cache beside the content,
    and the tests write nothing into the repository (other tests may read it meanwhile)."""
    root = tmp_path_factory.mktemp("links") / "site"
    shutil.copytree(ROOT / "content", root / "content")
    shutil.copy(ROOT / "pyproject.toml", root / "pyproject.toml")
    return root


@pytest.mark.parametrize("base_url", ["https://owner.github.io/repo/", "https://digest.example.org/"])
def test_sample_site_links_resolve(sample, tmp_path, base_url):
    output = tmp_path / "out"
    result = run_digest(sample, "build", "--no-search", "--base-url", base_url, "--output", str(output))
    assert result.returncode == 0, result.stderr
    assert check_whole_site(output, base_url).problems == []
    base_path = re.sub(r"^https://[^/]+", "", base_url)
    for page in output.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        for link in re.findall(r'(?:href|src|action)="([^"]+)"', text):
            if not link.startswith(("http:", "https:", "mailto:", "#")):
                assert link.startswith(base_path), f"{page}: {link} does not start with {base_path}"


def test_link_checker_finds_a_broken_link(tmp_path):
    (tmp_path / "index.html").write_text('<a href="/repo/missing/">x</a><a href="/elsewhere/">y</a><a href="/repo/">ok</a>')
    checker = LinkChecker(tmp_path, "https://owner.github.io/repo/")
    for link in checker.page(tmp_path / "index.html").links:
        checker.check(link, tmp_path / "index.html")
    assert checker.problems == ["index.html: /repo/missing/ -> missing missing/index.html",
                                "index.html: /elsewhere/ leaves the base path /repo/"]


def test_404_page_uses_absolute_base_path_links(sample, tmp_path):
    output = tmp_path / "out"
    run_digest(sample, "build", "--no-search", "--base-url", "https://owner.github.io/repo/", "--output", str(output))
    text = (output / "404.html").read_text(encoding="utf-8")
    links = re.findall(r'(?:href|src|action)="([^"]+)"', text)
    links = [link for link in links if not link.startswith("#")]  # same-page fragments work anywhere
    assert links and all(link.startswith("/repo/") for link in links), links


def test_check_follows_form_actions_and_srcset_that_templates_make(site):
    """A theme that forgets the `url` filter in a form's action or an image's srcset breaks
    them under a base path as it would an href: `check` names each at its output page."""
    entry = ("{% extends 'base.html' %}{% block content %}<h1>{{ post.title }}</h1>"
             "<form action=\"/archive/\" method=\"get\"><input name=\"q\" aria-label=\"q\"></form>"
             "<form action=\"{{ 'archive/'|url }}\" method=\"get\"><input name=\"q\" aria-label=\"q\"></form>"
             "<img src=\"{{ 'static/favicon.svg'|url }}\" alt=\"\""
             " srcset=\"{{ 'static/favicon.svg'|url }} 1x, /static/favicon.svg 2x\">{% endblock %}")
    root = site({"content/2025/07/talks.md": entry_text(), "themes/mine/templates/entry.html": entry},
                'theme = "mine"\nsearch = false\nbase_url = "https://owner.github.io/repo/"\n')
    checked = run_digest(root, "check")
    assert checked.returncode == 0, checked.stderr
    assert checked.stderr.splitlines() == [
        "output/2025/07/talks/index.html: warning: link to '/archive/': no such page in the site",
        "output/2025/07/talks/index.html: warning: link to '/static/favicon.svg': no such page in the site"]
