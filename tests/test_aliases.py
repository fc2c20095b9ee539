"""`aliases:` keeps an entry's old URLs working: a small redirect page at each (meta refresh,
canonical link, a plain link, noindex), under a project sub-path too; never in the sitemap or
the search index. An alias on any page, another alias, /static/ or a static file is an error
naming both files; `digest check` flags an entry whose URL moved since the last build."""

from __future__ import annotations

import shutil

import pytest

from helpers import build_out, entry_text, opened, read, run_digest, serve_folder
from digest.entries import FieldError, alias_path

ALIASED = entry_text(title="New & improved", date="2025-07-23",
                     aliases="[/2025/06/old-slug/, /old.html, 'caf%C3%A9/']")


def test_each_alias_is_a_redirect_page_under_the_base_path(site):
    out = build_out(site({"content/new.md": ALIASED}, 'base_url = "https://owner.github.io/repo/"\n'))
    page = read(out, "2025/06/old-slug/index.html")
    assert '<meta http-equiv="refresh" content="0; url=/repo/2025/07/new/">' in page
    assert '<link rel="canonical" href="https://owner.github.io/repo/2025/07/new/">' in page
    assert '<meta name="robots" content="noindex">' in page
    assert '<a href="/repo/2025/07/new/">New &amp; improved</a>' in page
    assert "data-pagefind-body" not in page and "<script" not in page
    assert read(out, "old.html") == page
    assert (out / "café" / "index.html").read_text(encoding="utf-8") == page
    sitemap = read(out, "sitemap.xml")
    assert "old" not in sitemap and "caf" not in sitemap and "https://owner.github.io/repo/2025/07/new/" in sitemap


def test_a_browser_lands_on_the_new_url_under_a_project_sub_path(browser, site, tmp_path):
    out = build_out(site({"content/new.md": ALIASED}, 'base_url = "http://127.0.0.1/repo/"\n'))
    shutil.copytree(out, tmp_path / "host" / "repo")
    for base, _ in serve_folder(tmp_path / "host"):
        with opened(browser) as page:
            page.goto(base + "/repo/2025/06/old-slug/")
            page.wait_for_url(base + "/repo/2025/07/new/")
            assert page.title().startswith("New & improved")


def test_aliases_are_not_in_the_search_index(site):
    root = site({"content/new.md": ALIASED, "content/other.md": entry_text(title="Other")})
    result = run_digest(root, "build", "--output", "out")
    assert result.returncode == 0, result.stderr
    assert "Pagefind indexed" not in result.stderr  # one page per entry: the check in search.index_shards
    from digest.search import indexed_pages
    assert indexed_pages(root / "out") == 2


@pytest.mark.parametrize("written, expected", [
    ("/2025/06/old-slug/", "2025/06/old-slug/"), ("2025/06/old-slug", "2025/06/old-slug/"),
    ("/old.html", "old.html"), ("/archive/x.htm", "archive/x.htm"), ("/caf%C3%A9/", "café/"), ("/v1.2/", "v1.2/"),
])
def test_an_alias_is_a_folder_url_or_an_html_file(written, expected):
    assert alias_path(written, 3) == expected


@pytest.mark.parametrize("written, message", [
    ("https://example.org/old/", "'https://example.org/old/' is a full URL; write the path on this site alone, "
                                 "such as /2025/07/old-slug/ (the redirect page is written into this site)"),
    ("//example.org/old/", "'//example.org/old/' is a full URL; write the path on this site alone, such as "
                           "/2025/07/old-slug/ (the redirect page is written into this site)"),
    ("/old/?page=2", "'/old/?page=2' holds '?'; an alias is a path such as /2025/07/old-slug/, without a query, "
                     "a fragment, spaces or backslashes"),
    ("/old story/", "'/old story/' holds ' '; an alias is a path such as /2025/07/old-slug/, without a query, "
                    "a fragment, spaces or backslashes"),
    ("/", "'/' is the home page; an alias is the old URL of this entry, such as /2025/07/old-slug/"),
    ("/a/../../etc/", "'/a/../../etc/' is not a plain path (an empty, '.' or '..' part, or an escaped '/'); "
                      "write it as the address bar shows it, such as /2025/07/old-slug/"),
    ("/a%2F..%2F../", "'/a%2F..%2F../' is not a plain path (an empty, '.' or '..' part, or an escaped '/'); "
                      "write it as the address bar shows it, such as /2025/07/old-slug/"),
    ("/old.php", "'/old.php' names a file that is not a page; an alias is a folder URL ending in '/' or an .html "
                 "file, as a static host serves them"),
])
def test_an_alias_that_is_no_path_of_this_site_is_refused(written, message):
    with pytest.raises(FieldError) as refused:
        alias_path(written, 3)
    assert refused.value.message == message


def errors_of(root) -> list[str]:
    result = run_digest(root, "build", "--no-search", "--output", "out")
    assert result.returncode == 1, result.stdout
    return [line for line in result.stderr.splitlines() if ": aliases: " in line]


def test_an_alias_on_another_entry_another_alias_or_a_page_is_an_error_naming_both(site):
    root = site({
        "content/a.md": entry_text(title="A", aliases="[/2025/07/b/, /tags/, /shared/, /2025/07/a/]"),
        "content/b.md": entry_text(title="B", aliases="[/shared/]"),
        "content/c.md": entry_text(title="C", aliases="[/static/old/, /pagefind/x/, /feed.xml/old/, /mine.html]"),
        "static/mine.html": "<p>mine</p>",
    })
    assert errors_of(root) == [
        "content/a.md:6: aliases: alias /2025/07/a/ is this entry's own URL; remove the alias",
        "content/a.md:6: aliases: alias /2025/07/b/ is the URL of content/b.md; remove the alias, or move that page",
        "content/a.md:6: aliases: alias /shared/ is also an alias of content/b.md; keep it on one entry only",
        "content/a.md:6: aliases: alias /tags/ is the page /tags/ that digest makes; remove the alias, or move that page",
        "content/c.md:6: aliases: alias /feed.xml/old/ is below /feed.xml, which is a file of the site "
        "(the page /feed.xml that digest makes); remove the alias",
        "content/c.md:6: aliases: alias /pagefind/x/ is inside /pagefind/, which holds the site's search index; remove the alias",
        "content/c.md:6: aliases: alias /static/old/ is inside /static/, which holds the site's static files; remove the alias",
    ]


def test_a_static_file_where_an_alias_goes_is_an_error_naming_both(site):
    root = site({"content/c.md": entry_text(title="C", aliases="[/mine.html]"), "static/mine.html": "<p>mine</p>"})
    result = run_digest(root, "build", "--no-search", "--output", "out")
    assert result.returncode == 1
    assert "static/mine.html: /mine.html is the redirect page of an alias in content/c.md (line 6); " \
           "remove or rename the file, or remove the alias" in result.stderr


def test_check_flags_an_entry_whose_url_moved_since_the_last_build_and_gives_the_alias_line(site):
    root = site({"content/talks.md": entry_text(title="Talks")})
    build_out(root)
    (root / "content" / "talks.md").write_text(entry_text(title="Talks", slug="istanbul-talks"))
    result = run_digest(root, "check")
    assert result.returncode == 0
    assert ("content/talks.md:6: warning: slug: the URL changed since the last build, from /2025/07/talks/ to "
            "/2025/07/istanbul-talks/; links to the old URL will break: add the line "
            "`aliases: [/2025/07/talks/]` to keep them working") in result.stderr
    (root / "content" / "talks.md").write_text(entry_text(title="Talks", slug="istanbul-talks",
                                                          aliases="[/2025/07/talks/]"))
    result = run_digest(root, "check")
    assert result.returncode == 0 and "URL changed" not in result.stderr
    assert run_digest(root, "check", "--strict").returncode == 0
