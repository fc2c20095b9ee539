"""The golden site: its whole output is checked in under tests/golden/expected.

After an intended change to templates or pages, regenerate it and review the diff:
    .venv/bin/python -m pytest tests/test_golden.py --update-golden
"""

from __future__ import annotations

import shutil

from helpers import GOLDEN, ROOT, run_digest, snapshot

STATIC = "static/"  # copies of the theme's static files: compared with the theme, not checked in


def build_golden(tmp_path) -> dict[str, bytes]:
    site = tmp_path / "site"
    shutil.copytree(GOLDEN / "site", site)
    result = run_digest(site, "build", "--no-search")
    assert result.returncode == 0, result.stderr
    return snapshot(site / "output")


def test_golden_site_matches_checked_in_output(tmp_path, request):
    built = {name: data for name, data in build_golden(tmp_path).items() if not name.startswith(STATIC)}
    expected_dir = GOLDEN / "expected"
    if request.config.getoption("--update-golden"):
        shutil.rmtree(expected_dir, ignore_errors=True)
        for name, data in built.items():
            (expected_dir / name).parent.mkdir(parents=True, exist_ok=True)
            (expected_dir / name).write_bytes(data)
    expected = snapshot(expected_dir)
    assert sorted(built) == sorted(expected), "page set differs: run with --update-golden if intended"
    for name in expected:
        assert built[name] == expected[name], f"{name} differs: run with --update-golden if intended"


def test_golden_site_has_every_page_of_the_design(tmp_path):
    built = build_golden(tmp_path)
    for page in ["index.html", "page/2/index.html", "404.html", ".nojekyll",
                 "2025/07/talks/index.html", "2025/07/kyiv/index.html", "2025/06/sanctions/index.html",
                 "tags/index.html", "tags/ukraine/index.html", "tags/russia/index.html",
                 "people/index.html", "people/dmitry-peskov/index.html",
                 "places/index.html", "places/kiiv/index.html", "places/sao-paulo/index.html",
                 "sources/index.html", "sources/white-house-news/index.html",
                 "archive/index.html", "archive/2025/07/index.html", "archive/2025/06/index.html",
                 "search/index.html", "static/style.css"]:
        assert page in built, page
    assert not any("not-ready" in name or "draft" in name for name in built)


def test_static_files_are_the_theme_s_own(tmp_path):
    built = {name: data for name, data in build_golden(tmp_path).items() if name.startswith(STATIC)}
    theme = snapshot(ROOT / "themes" / "default" / "static")
    assert built == {STATIC + name: data for name, data in theme.items()}
