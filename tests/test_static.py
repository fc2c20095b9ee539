"""The site's own static/ folder (Hugo's static/): each file published byte for byte at the
same path from the output root, links to it resolving under the base path, and every clash
with what digest writes itself an error that leaves output/ as it was."""

from __future__ import annotations

import re

import os

import pytest

from helpers import build_out, built, clean_build, edit, entry_text, run_digest, snapshot

ENTRY = "content/2025/07/talks.md"
MAP = bytes(range(256)) * 4  # not text: copied, never decoded


def static_site(site, files: dict | None = None, settings: str = "", body: str = "Body text."):
    return site({ENTRY: entry_text(title="Talks", body=body), **(files or {})}, settings)


def test_every_file_of_static_is_copied_to_the_same_path_under_the_output_root(site):
    root = static_site(site, {"static/images/2025/map.png": MAP,
                              "static/.well-known/security.txt": "Contact: mailto:desk@example.org\n",
                              "static/googlec0ffee.html": "google-site-verification: googlec0ffee.html",
                              "static/CNAME": "news.example.org\n", "static/ads.txt": "example.com, 1, DIRECT\n",
                              "static/.htaccess": "ErrorDocument 404 /404.html\n"})
    out = build_out(root)
    for name in ("images/2025/map.png", ".well-known/security.txt", "googlec0ffee.html", "CNAME", "ads.txt",
                 ".htaccess"):
        assert (out / name).read_bytes() == (root / "static" / name).read_bytes(), name
    assert (out / "static/style.css").is_file() and (out / "index.html").is_file()  # the theme's, and the pages
    # Published files get the mode every output file gets, whatever the source file's.
    os.chmod(root / "static/ads.txt", 0o755)
    out = build_out(root)
    assert (out / "ads.txt").stat().st_mode == (out / "index.html").stat().st_mode


def test_version_control_files_and_editor_litter_in_static_are_not_published(site):
    litter = ["static/.git/HEAD", "static/.gitignore", "static/images/.gitkeep", "static/.DS_Store",
              "static/images/._map.png", "static/images/.map.png.swp", "static/images/map.png~",
              "static/images/#map.png#", "static/Thumbs.db", "static/ads.txt.tmp"]
    root = static_site(site, {"static/images/map.png": MAP, **{name: "litter" for name in litter}})
    published = set(snapshot(build_out(root)))
    assert "images/map.png" in published
    assert [name for name in litter if name.removeprefix("static/") in published] == []


def test_a_theme_publishes_its_assets_not_its_dot_folders_nor_editor_litter(site):
    """README: dotfiles are published from static/, "unlike in a theme's static/"; files inside
    a theme's dot-folder (.sass-cache/, .git/) and editors' backups are not published either."""
    theme = "themes/mine/static/"
    litter = [".sass-cache/main.css", ".git/HEAD", "fonts/.DS_Store", "style.css~", "main.css.bak", "#main.css#"]
    root = static_site(site, {theme + "main.css": "a {}", theme + "fonts/serif.woff2": MAP,
                              **{theme + name: "litter" for name in litter}}, 'theme = "mine"\n')
    published = set(snapshot(build_out(root)))
    assert {"static/main.css", "static/fonts/serif.woff2", "static/style.css"} <= published
    assert [name for name in litter if "static/" + name in published] == []


def test_a_body_image_links_to_a_static_file_under_a_sub_path_base_url_without_a_warning(site):
    body = "![map](/images/map.png)\n\nThe [policy](/.well-known/security.txt) and [a gap](/images/gone.png)."
    from io import BytesIO

    from PIL import Image

    picture = BytesIO()
    Image.new("RGB", (40, 20), (1, 2, 3)).save(picture, "PNG")
    root = static_site(site, {"static/images/map.png": picture.getvalue(), "static/.well-known/security.txt": "x\n"},
                       'base_url = "https://example.org/repo/"\n', body)
    result = run_digest(root, "build", "--no-search")
    assert result.returncode == 0, result.stderr
    # The missing one is reported, at its line: the two that exist are not.
    warning = f"{ENTRY}:9: warning: link to '/images/gone.png': no such page in the site"
    assert result.stderr.splitlines() == [warning]
    page = (root / "output/2025/07/talks/index.html").read_text(encoding="utf-8")
    # Shown as its rendition (the body's images get their size: see test_images.py), under the base path.
    assert re.search(r'<img src="/repo/static/images/map-[0-9a-f]{10}-40.png" alt="map" width="40" height="20"', page)
    assert 'href="/repo/.well-known/security.txt"' in page
    checked = run_digest(root, "check")
    assert (checked.returncode, checked.stderr.splitlines()) == (0, [warning])


FIX_PAGE = "remove or rename the file (to change that page, override its template in a theme of your own)"
COLLISIONS = {
    "home page": ("static/index.html", "/index.html is the page / that digest makes; " + FIX_PAGE),
    "tags index": ("static/tags/index.html", "/tags/index.html is the page /tags/ that digest makes; " + FIX_PAGE),
    "entry page": ("static/2025/07/talks/index.html",
                   "/2025/07/talks/index.html is the page /2025/07/talks/ that digest makes; " + FIX_PAGE),
    "feed": ("static/feed.xml", "/feed.xml is the page /feed.xml that digest makes; " + FIX_PAGE),
    "sitemap": ("static/sitemap.xml", "/sitemap.xml is the page /sitemap.xml that digest makes; " + FIX_PAGE),
    "theme static file": ("static/static/style.css",
                          "/static/style.css is the theme's file themes/default/static/style.css; remove or rename "
                          "the file (to replace a theme's file, put yours in themes/<name>/static/)"),
    "search index": ("static/pagefind/pagefind.js",
                     "/pagefind/pagefind.js is in the folder of the search index; move the file out of static/pagefind/"),
    ".nojekyll": ("static/.nojekyll", "/.nojekyll is a file digest writes itself; remove the file"),
    "file where a folder of pages goes": ("static/archive",
                                          "/archive is a folder holding the page /archive/ that digest makes; rename the file"),
    # A folder where digest writes a file: output/feed.xml cannot be both.
    "folder where a page goes": ("static/feed.xml/x.txt",
                                 "/feed.xml/x.txt is inside static/feed.xml/, a folder in the place of the page "
                                 "/feed.xml that digest makes; rename the folder static/feed.xml/"),
    "folder where an entry page goes": ("static/2025/07/talks/index.html/x.txt",
                                        "/2025/07/talks/index.html/x.txt is inside static/2025/07/talks/index.html/, a "
                                        "folder in the place of the page /2025/07/talks/ that digest makes; rename "
                                        "the folder static/2025/07/talks/index.html/"),
    "folder where a theme file goes": ("static/static/style.css/x.txt",
                                       "/static/style.css/x.txt is inside static/static/style.css/, a folder in the "
                                       "place of the theme's file themes/default/static/style.css; rename the "
                                       "folder static/static/style.css/"),
    "folder where .nojekyll goes": ("static/.nojekyll/x.txt",
                                    "/.nojekyll/x.txt is inside static/.nojekyll/, a folder in the place of a "
                                    "file digest writes itself; rename the folder static/.nojekyll/"),
}


@pytest.mark.parametrize("case", COLLISIONS)
def test_a_static_file_where_digest_writes_something_else_is_an_error_and_output_is_kept(site, case):
    path, message = COLLISIONS[case]
    root = static_site(site, {"static/images/map.png": MAP})
    assert run_digest(root, "build", "--no-search").returncode == 0
    before = snapshot(root / "output")
    (root / path).parent.mkdir(parents=True, exist_ok=True)
    (root / path).write_text("mine", encoding="utf-8")
    for command in ("build", "check"):
        result = run_digest(root, command, "--no-search") if command == "build" else run_digest(root, command)
        assert result.returncode == 1
        outcome = "output/ was not changed" if command == "build" else "nothing was written"
        assert result.stderr.splitlines() == [f"{path}: {message}", f"digest: 1 error in 1 file; {outcome}"], command
    assert snapshot(root / "output") == before


def test_every_clash_is_listed_at_once(site):
    root = static_site(site, {"static/feed.xml": "a", "static/static/style.css": "b", "static/pagefind/x.js": "c"})
    result = run_digest(root, "build", "--no-search")
    assert result.returncode == 1 and not (root / "output").exists()
    lines = result.stderr.splitlines()
    assert [line.partition(":")[0] for line in lines[:-1]] == [
        "static/feed.xml", "static/pagefind/x.js", "static/static/style.css"]
    assert lines[-1] == "digest: 3 errors in 3 files; output/ was not changed"


def test_a_theme_static_file_name_of_its_own_under_static_static_is_no_clash(site):
    root = static_site(site, {"static/static/newsroom.css": "p {}"})
    out = build_out(root)
    assert (out / "static/newsroom.css").read_text(encoding="utf-8") == "p {}" and (out / "static/style.css").is_file()


def test_symlinks_in_static_follow_the_content_folder_rule(site, tmp_path):
    outside = tmp_path / "secret.txt"
    outside.write_text("not for publishing", encoding="utf-8")
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere/inside.txt").write_text("nor this", encoding="utf-8")
    root = static_site(site, {"static/images/map.png": MAP})
    static = root / "static"
    (static / "secret.txt").symlink_to(outside)
    (static / "folder").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    (static / "dangling.png").symlink_to(static / "nowhere.png")
    (static / "same-map.png").symlink_to(static / "images/map.png")  # inside: its bytes are published
    (static / "images-again").symlink_to(static / "images", target_is_directory=True)  # a folder: not entered
    result = run_digest(root, "build", "--no-search")
    assert result.returncode == 0, result.stderr
    skipped = "warning: symlink points outside the static folder (or nowhere); skipped"
    assert result.stderr.splitlines() == [f"static/{name}: {skipped}" for name in ("dangling.png", "folder", "secret.txt")]
    published = snapshot(root / "output")
    assert published["same-map.png"] == MAP and published["images/map.png"] == MAP
    assert not any(name.startswith(("secret", "folder", "dangling", "images-again")) for name in published)
    assert not any(path.is_symlink() for path in (root / "output").rglob("*"))
    strict = run_digest(root, "build", "--no-search", "--strict")
    assert strict.returncode == 1 and "static/secret.txt: symlink points outside" in strict.stderr


def test_an_output_folder_inside_static_is_refused(site):
    root = static_site(site, {"static/images/map.png": MAP})
    result = run_digest(root, "build", "--no-search", "--output", "static/site")
    assert result.returncode == 2  # a bad value on the command line, as for any --output refused
    assert result.stderr.splitlines() == [
        "command line: --output: 'static/site' is or is inside the static folder, whose files are published as "
        "they are; choose a folder of its own, such as 'output'", "digest: 1 error on the command line; nothing was written"]
    assert not (root / "static/site").exists()


def test_a_content_folder_inside_static_is_an_error(site):
    root = site({"static/news/2025/07/talks.md": entry_text(title="Talks")}, 'content_dir = "static/news"\n')
    result = run_digest(root, "build", "--no-search")
    assert result.returncode == 1
    assert "pyproject.toml: tool.digest.content_dir: the content folder lies inside static/" in result.stderr



def test_static_files_are_read_one_at_a_time_as_they_are_written(site):
    """A newsroom's static/ may hold hundreds of MB of images: the build reads each file when
    it writes it (render.each_static_page), never the whole folder into memory at once."""
    from digest.config import load_config
    from digest.render import each_static_page

    root = site({"content/a.md": entry_text(), "static/a.bin": b"first", "static/b.bin": b"second"})
    pages = each_static_page(load_config(root))
    first = next(page for page in pages if page.path == "a.bin")  # the first in path order
    (root / "static" / "b.bin").write_bytes(b"changed after a.bin was read")
    rest = {page.path: page.data for page in pages}
    assert first.data == b"first" and rest["b.bin"] == b"changed after a.bin was read"


def settled(monkeypatch) -> list[str]:
    """Files count as settled at once (cache.SETTLED made 0); the list of the static files
    read from now on (render._read_static)."""
    import time

    import digest.cache as cache
    import digest.render as render

    monkeypatch.setattr(cache, "SETTLED", 0.0)
    time.sleep(0.05)  # every file written so far is older than the next build's start
    reads: list[str] = []
    real = render._read_static
    monkeypatch.setattr(render, "_read_static", lambda source: reads.append(os.path.basename(source)) or real(source))
    return reads


def test_a_static_file_whose_stat_is_unchanged_is_not_read_again_and_any_write_still_shows(site, monkeypatch):
    """A folder of images is neither read nor hashed by a build that does not write it: the
    hash of a file read after it had settled stands while its size, mtime, ctime and inode
    do, as for the entries. A write that keeps the size and puts the mtime back still
    changes the ctime, and the file is read."""
    root = static_site(site, {"static/images/map.png": MAP, "static/ads.txt": "example.com, 1, DIRECT\n"})
    reads = settled(monkeypatch)
    built(root)
    assert "map.png" in reads and "ads.txt" in reads  # the first build that trusts stats reads them
    reads.clear()
    built(root)  # nothing changed: output/ is kept as it is
    assert reads == []
    edit(root / ENTRY, "Body text.", "A new body.")
    assert b"A new body." in built(root)["2025/07/talks/index.html"]  # a build that writes
    assert reads == []
    picture = root / "static/images/map.png"
    before = picture.stat()
    picture.write_bytes(bytes(reversed(MAP)))
    os.utime(picture, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert picture.stat().st_size == before.st_size and picture.stat().st_mtime_ns == before.st_mtime_ns
    after = built(root)
    assert set(reads) == {"map.png"}  # to tell it changed, then to write it
    assert after["images/map.png"] == bytes(reversed(MAP)) and after == clean_build(root)
    reads.clear()  # into a new output folder: the known files are read to be written
    assert built(root, "public")["ads.txt"] == b"example.com, 1, DIRECT\n"
    assert {"ads.txt", "map.png", "style.css"} <= set(reads)


def test_a_static_file_written_to_after_its_stat_was_taken_stops_the_build(tmp_path):
    from digest.errors import DigestError
    from digest.render import Page, StaticFile

    source = tmp_path / "map.png"
    source.write_bytes(b"new bytes")
    known = StaticFile("map.png", str(source), Page("map.png", b"old bytes").digest)
    with pytest.raises(DigestError) as error:
        known.data
    assert error.value.problems[0].message == "changed while building; build again"
    assert StaticFile("map.png", str(source), Page("map.png", b"new bytes").digest).data == b"new bytes"


def test_serve_reads_a_static_file_again_only_when_it_changed(site, tmp_path, monkeypatch):
    from digest.serve import Preview

    root = static_site(site, {"static/images/map.png": MAP, "static/ads.txt": "example.com, 1, DIRECT\n"})
    reads = settled(monkeypatch)
    served = Preview(root)
    served.temp = tmp_path  # Built folders are named in it; nothing is written without start()
    assert served.rebuild(set()).ok and {"ads.txt", "map.png", "style.css"} <= set(reads)
    reads.clear()
    (root / "static/ads.txt").write_text("example.com, 2, DIRECT\n", encoding="utf-8")
    assert served.rebuild({root / "static/ads.txt"}).ok
    assert reads == ["ads.txt"]
    assert served.current.pages["ads.txt"] == b"example.com, 2, DIRECT\n"
    assert served.current.pages["images/map.png"] == MAP
