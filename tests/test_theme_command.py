"""`digest theme`: listing the bundled theme's templates and copying some into a site's theme."""

from __future__ import annotations

from pathlib import Path

from helpers import build_out, entry_text, read, run_digest, write_site
from digest.themes import default_theme_dir

BUNDLED = default_theme_dir() / "templates"


def site_with_entry(tmp_path: Path, settings: str = "") -> Path:
    return write_site(tmp_path / "site", {"content/a.md": entry_text()}, settings)


def test_the_list_names_every_bundled_template_and_marks_the_sites_own(tmp_path):
    root = site_with_entry(tmp_path)
    (root / "themes/default/templates").mkdir(parents=True)
    (root / "themes/default/templates/base.html").write_text((BUNDLED / "base.html").read_text())
    result = run_digest(root, "theme")
    assert result.returncode == 0, result.stderr
    listed = [line.split()[0] for line in result.stdout.splitlines() if line.startswith("  ")]
    assert listed == sorted(path.relative_to(BUNDLED).as_posix() for path in BUNDLED.rglob("*") if path.is_file())
    assert f"in {BUNDLED}:" in result.stdout
    marked = [line for line in result.stdout.splitlines() if "the site's own" in line]
    assert marked == [line for line in marked if line.split()[0] == "base.html"] and len(marked) == 1
    assert marked[0].endswith("the site's own: themes/default/templates/base.html")


def test_a_copied_template_is_the_bundled_file_and_the_build_uses_it(tmp_path):
    root = site_with_entry(tmp_path)
    result = run_digest(root, "theme", "base.html", "_head_extra.html")
    assert result.returncode == 0, result.stderr
    assert ("Copied base.html to themes/default/templates/base.html: edit it there; "
            "the site uses it instead of the bundled one") in result.stdout
    copied = root / "themes/default/templates/base.html"
    assert copied.read_bytes() == (BUNDLED / "base.html").read_bytes()
    head = root / "themes/default/templates/_head_extra.html"
    head.write_text('<meta name="newsroom" content="ours">\n')
    assert '<meta name="newsroom" content="ours">' in read(build_out(root), "index.html")


def test_a_named_theme_gets_the_copy_and_an_existing_file_is_kept(tmp_path):
    root = site_with_entry(tmp_path, 'theme = "newsroom"\n')
    (root / "themes/newsroom/templates").mkdir(parents=True)
    mine = root / "themes/newsroom/templates/list.html"
    mine.write_text("{# mine #}\n")
    result = run_digest(root, "theme", "list.html", "entry.html")
    assert result.returncode == 0, result.stderr
    assert "Kept themes/newsroom/templates/list.html: it exists (digest theme never overwrites a file)" in result.stdout
    assert mine.read_text() == "{# mine #}\n"
    assert (root / "themes/newsroom/templates/entry.html").read_bytes() == (BUNDLED / "entry.html").read_bytes()
    assert not (root / "themes/default").exists()


def test_an_unknown_name_is_refused_with_a_did_you_mean_that_works_and_nothing_is_written(tmp_path):
    root = site_with_entry(tmp_path)
    result = run_digest(root, "theme", "base.html", "bse.html", "sitemap")
    assert result.returncode == 2
    assert ("command line: no template 'bse.html' in the bundled theme; did you mean 'base.html'? "
            "`digest theme` lists them all") in result.stderr
    assert "no template 'sitemap' in the bundled theme; did you mean 'sitemap.xml'?" in result.stderr
    assert not (root / "themes").exists()
    assert run_digest(root, "theme", "base.html", "sitemap.xml").returncode == 0
    assert (root / "themes/default/templates/sitemap.xml").is_file()
