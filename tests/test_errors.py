"""Every bad input the front matter and safety rules name, one fixture site each (tests/fixtures/errors/<case>/),
through the real command line: exit status, the whole error lines, the previous output/
byte-for-byte unchanged, and nothing written anywhere else."""

from __future__ import annotations

import os
import re
import shutil
import time
from pathlib import Path

import pytest

from helpers import FIXTURES, run_digest, snapshot

FILE = "content/2025/07/talks.md"
DATE_HELP = "a date like 2025-07-23, or a date-time like 2025-07-23T10:00:00+03:00"
UNCHANGED = "output/ was not changed"


def one(line: str, outcome: str = UNCHANGED) -> list[str]:
    return [line, f"digest: 1 error in 1 file; {outcome}"]


REFUSED = "nothing was written"
# What a successful build may write: the output, and (for fast rebuilds) its cache and the
# spare copy of the previous site beside it.
DIGEST_OWNED = ("site/output/", "site/.digest-cache", "site/.output.old")  # the output folder itself was refused


def slug_path(value: str) -> list[str]:
    return one(f"{FILE}:6: slug: '{value}' looks like a path; a slug is one URL segment of letters, "
               "digits and '-', such as 'peace-talks'")


FAILURES = {
    "yaml_syntax_error": one(f"{FILE}:4: YAML syntax error, column 7: the list that '[' opens is not closed on "
                             "this line (YAML reads on, and stops at line 5: did not find expected ',' or ']'); "
                             "write the line as tags: [Russia, Ukraine]"),
    "front_matter_not_closed": one(f"{FILE}:1: front matter is not closed: add a '---' line after the last field"),
    "no_front_matter": one(f"{FILE}:1: no front matter: the file must start with a '---' line, then the fields "
                           "(title, date, summary, tags), then '---'"),
    "empty_file": one(f"{FILE}:1: file is empty; an entry starts with a '---' line, its front matter, and a closing '---'"),
    "invalid_utf8": one(f"{FILE}:9: invalid UTF-8 (byte 0xff); save the file as UTF-8"),
    "nul_byte": one(f"{FILE}:8: NUL byte in the file; save it as plain UTF-8 text"),
    "control_character": one(f"{FILE}:2: control character U+001B in the file; delete it "
                             "(it often comes with text copied from another program)"),
    # A noncharacter in the body made every page showing it invalid HTML.
    "noncharacter_in_body": one(f"{FILE}:9: noncharacter U+FFFE in the file, which no web page or feed may "
                                "hold; delete it"),
    "yaml_python_tag": one(f"{FILE}:6: YAML tag '!!python/object/apply:os.system' is not allowed; "
                           "front matter is plain text, lists and mappings"),
    "yaml_alias_bomb": one(f"{FILE}:7: YAML anchors and aliases (&name, *name) are not supported; write the value out"),
    "yaml_nested_too_deep": one(f"{FILE}:6: front matter is nested more than 20 levels deep; "
                                "fields hold text, lists of text, or (source) a mapping"),
    "duplicate_keys": one(f"{FILE}:6: title: duplicate key (first on line 2); keep one"),
    "missing_title": one(f"{FILE}:5: title: required field is missing: add a line such as "
                         "title: \"Talks resume in Istanbul\" above this closing '---' (headline of the entry)"),
    "missing_date": one(f"{FILE}:5: date: required field is missing: add a line such as date: 2025-07-23 above "
                        "this closing '---' (when the source was published: date, or date-time with offset)"),
    "missing_summary": one(f"{FILE}:5: summary: required field is missing: add a line such as summary: \"Delegations "
                           "met for three hours and agreed to meet again.\" above this closing '---' "
                           "(one or two sentences shown in listings, feeds and search)"),
    "missing_tags": one(f"{FILE}:5: tags: required field is missing: add a line such as tags: [Russia, Ukraine] "
                        "above this closing '---' (list of topics, at least one)"),
    "empty_tags": one(f"{FILE}:5: tags: expected at least one item, got an empty list"),
    "wrong_types": [
        f"{FILE}:2: title: expected text, got a list",
        f"{FILE}:3: date: expected {DATE_HELP}, got a mapping",
        f"{FILE}:4: summary: expected text, got a list",
        f"{FILE}:5: tags: expected a list of text such as [Russia, Ukraine], got a mapping",
        f"{FILE}:6: source: expected a mapping with name and url, got a list",
        f"{FILE}:7: author: expected text or a list of text, got a mapping",
        f"{FILE}:8: people: expected a list of text such as [Russia, Ukraine], got a mapping",
        f"{FILE}:9: places: expected a list of text such as [Russia, Ukraine], got 'Kyiv'; write it in brackets: [Kyiv]",
        f"{FILE}:10: story: expected text, got a list",
        f"{FILE}:11: event_date: expected {DATE_HELP}, got a list",
        f"{FILE}:12: kind: expected one of news, analysis, opinion, official, got a list",
        f"{FILE}:13: draft: expected true or false, got a list",
        f"{FILE}:14: slug: expected text, got a mapping",
        f"digest: 13 errors in 1 file; {UNCHANGED}",
    ],
    "draft_not_boolean": one(f"{FILE}:6: draft: expected true or false, got 'yes'"),
    "impossible_dates": [
        f"{FILE}:3: date: '2025-13-45' is not a real date; expected {DATE_HELP}",
        f"{FILE}:6: event_date: '2025-02-30' is not a real date; expected {DATE_HELP}",
        f"digest: 2 errors in 1 file; {UNCHANGED}",
    ],
    "ambiguous_dates": [
        f"{FILE}:3: date: expected {DATE_HELP}, got '07/08/2025'",
        f"{FILE}:6: event_date: expected {DATE_HELP}, got '23.07.2025'",
        f"digest: 2 errors in 1 file; {UNCHANGED}",
    ],
    "naive_time_skipped_by_dst": one(f"{FILE}:3: date: '2025-03-30T03:30' does not exist in the site time zone "
                                     "Europe/Kyiv (the clocks skip it); add the offset you meant: +02:00 or +03:00"),
    "naive_time_repeated_by_dst": one(f"{FILE}:3: date: '2025-10-26 03:30' happens twice in the site time zone "
                                      "Europe/Kyiv (the clocks go back); add the offset you meant: +03:00 or +02:00"),
    "file_over_size_limit": one(f"{FILE}:8: file is 2,097,286 bytes and passes the limit of 2,097,152 (2 MB) "
                                "on this line: split it or shorten it"),
    "pathological_markdown": one(f"{FILE}:7: body: 100,000 '[' characters; more than 10,000 are refused, "
                                 "as Markdown would take minutes over them"),
    "slug_parent_folder": slug_path("../../../etc/cron.d"),
    "slug_absolute": slug_path("/etc/passwd"),
    "slug_percent_encoded": slug_path("%2e%2e%2fetc"),
    "slug_backslashes": slug_path("..\\..\\windows"),
    "slug_empty": one(f"{FILE}:6: slug: '?!' gives an empty slug; use letters or digits, such as 'peace-talks'"),
    "source_url_not_http": [
        f"content/{name}.md:8: source.url: expected an http:// or https:// URL, got '{url}'" for name, url in (
            ("data", "data:text/html,<script>alert(1)</script>"), ("entity", "&#106;avascript:alert(1)"),
            ("javascript", "javascript:alert(1)"), ("mixed_case", "JaVaScRiPt:alert(1)"))
    ] + ["content/quote_breakout.md:8: source.url: 'https://example.org/\"><script>alert(1)</script>' holds "
         "'\"', which no URL may hold; write it as %22", f"digest: 5 errors in 5 files; {UNCHANGED}"],
    "escaped_control_characters": [f"{FILE}:{line}: {field}: {what} U+{code} cannot go into a web page or feed; "
                                   "delete it, or write the character you meant itself" for line, field, what, code in (
        (2, "title", "control character", "0000"), (4, "summary", "noncharacter", "FFFF"),
        (5, "tags", "control character", "001B"), (7, "source.name", "control character", "0085"),
        (9, "author", "control character", "0007"), (10, "people", "control character", "0008"),
        (11, "places", "noncharacter", "10FFFF"), (12, "story", "control character", "007F"))
    ] + [f"digest: 8 errors in 1 file; {UNCHANGED}"],
    "empty_values": [f"{FILE}:{line}: {field}: expected {expected}, got nothing; give a value, or delete the line "
                     "to leave the field out" for line, field, expected in (
        (6, "kind", "one of news, analysis, opinion, official"), (7, "draft", "true or false"), (8, "slug", "text"),
        (9, "event_date", DATE_HELP))
    ] + [f"digest: 4 errors in 1 file; {UNCHANGED}"],
    "source_url_bad_port": [
        "content/ipv6_unclosed.md:8: source.url: expected an http:// or https:// URL, got 'http://[::1/talks'",
        "content/no_host.md:8: source.url: 'https://:443/talks' has no host name; write a URL such as https://example.org/news",
        "content/port.md:8: source.url: port '99999' is not a number from 0 to 65535 in 'https://example.org:99999/talks'; "
        "correct it or leave the port out",
        f"digest: 3 errors in 3 files; {UNCHANGED}"],
    "dates_out_of_range": [
        f"content/{name}.md:{line}: {field}: '{value}' is outside the years digest supports, 0002 to 9998; "
        "write a date from 0002-01-01 to 9998-12-31"
        for name, value in (("before_year_one", "0001-01-01T00:30:00+01:00"), ("last_hours", "9999-12-31T23:59:59-12:00"),
                            ("last_week", "9999-12-31"), ("utc_overflow", "9999-12-31T23:00:00Z"), ("year_zero", "0000-06-01"))
        for line, field in ((3, "date"), (6, "event_date"))
    ] + [f"digest: 10 errors in 5 files; {UNCHANGED}"],
    "duplicate_nested_key": one(f"{FILE}:9: source.name: duplicate key (first on line 7); keep one"),
    "same_url": one("content/2025/07/talks.md:6: slug: same URL /2025/07/talks/ as content/2025/07/more/talks.md; "
                    "give this entry a URL of its own: add a line slug: talks-2 above this closing '---'"),
    "output_is_content_folder": one("pyproject.toml:3: tool.digest.output_dir: 'content' is or contains the content "
                                    "folder; choose a folder of its own, such as 'output'", REFUSED),
    "output_is_site_root": one("pyproject.toml:3: tool.digest.output_dir: '.' is the site root; "
                               "choose a folder of its own, such as 'output'", REFUSED),
    "output_is_filesystem_root": one("pyproject.toml:3: tool.digest.output_dir: '/' is the file system root; "
                                     "choose a folder of its own, such as 'output'", REFUSED),
    "output_holds_git": one("pyproject.toml:3: tool.digest.output_dir: 'public' holds a .git folder; "
                            "choose a folder of its own, such as 'output'", REFUSED),
    "template_syntax_error": one("themes/broken/templates/entry.html:6: template syntax error: Encountered unknown "
                                 "tag 'endblock'. You probably made a nesting mistake. Jinja is expecting this tag, "
                                 "but currently looking for 'elif' or 'else' or 'endif'. The innermost block that "
                                 "needs to be closed is 'if'."),
    "template_undefined_name": one("themes/broken/templates/entry.html:4: template error: no 'summry' in an "
                                   "EntryView (did you mean 'summary'?); docs/reference/templates.md lists what "
                                   "each template can read"),
    # Any exception a template raises is named at its line, never a traceback.
    "template_raises": one("themes/broken/templates/entry.html:4: template error (ZeroDivisionError): "
                           "division by zero"),
    # On one line a template's top-level code, its block and the include share a line: the
    # template is named, not base.html's {% block content %} that the loop passes through.
    "template_include_loop_one_line": one("themes/broken/templates/entry.html:1: template error: endless "
                                          "recursion: this line includes, imports or extends a template that "
                                          "leads back here (or calls a macro that calls itself without end)"),
    # The mistake of a theme author who means to extend the default theme's base.html.
    "template_extends_itself": one("themes/broken/templates/base.html:1: template error: endless recursion: "
                                   "this line includes, imports or extends a template that leads back here "
                                   "(or calls a macro that calls itself without end)"),
    # A template saved in Latin-1: the byte and its line, as for a content file.
    "template_not_utf8": one("themes/broken/templates/entry.html:4: template syntax error: invalid UTF-8 "
                             "(byte 0xe9); save the file as UTF-8"),
    # Named where it is included, not as "themes: template not found".
    "template_include_missing": one("themes/broken/templates/entry.html:4: template not found: _bylines.html; "
                                    "no such file in themes/broken/templates/ nor the bundled default theme "
                                    "(check the name)"),
    "template_include_loop": one("themes/broken/templates/_byline.html:3: template error: endless recursion: "
                                 "this line includes, imports or extends a template that leads back here "
                                 "(or calls a macro that calls itself without end)"),
}


def tree(folder: Path) -> dict[str, object]:
    """Every file, folder and symlink under folder (symlinks not followed), with file bytes."""
    found: dict[str, object] = {}
    for here, folders, files in os.walk(folder):
        for name in folders + files:
            path = Path(here) / name
            key = path.relative_to(folder).as_posix()
            if path.is_symlink():
                found[key] = ("symlink", os.readlink(path))
            elif path.is_dir():
                found[key] = "folder"
            else:
                found[key] = path.read_bytes()
    return found


def prepare(case: str, tmp_path: Path) -> Path:
    """Copy the case's fixture into tmp_path/site, add what git cannot hold, and give it a
    previous build in output/ (a folder digest wrote: it has .nojekyll)."""
    root = tmp_path / "site"
    shutil.copytree(FIXTURES / "errors" / case, root)
    entry = root / FILE
    if case == "file_over_size_limit":
        entry.write_bytes(entry.read_bytes() + b"x" * (2 * 1024 * 1024))
    if case == "pathological_markdown":
        entry.write_bytes(entry.read_bytes() + b"[" * 100_000 + b"\n")
    if case == "output_holds_git":
        (root / "public" / ".git").mkdir(parents=True)
        (root / "public" / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    if case == "symlink_outside_content":
        secret = tmp_path / "secret.md"
        secret.write_text(FIXTURES.joinpath("errors", case, FILE).read_text().replace("Talks resume", "SECRET TEXT"))
        (root / "content" / "leak.md").symlink_to(secret)
    output = root / "output"
    if not output.exists():
        output.mkdir()
        (output / ".nojekyll").write_bytes(b"")
        (output / "index.html").write_text("<!DOCTYPE html><title>previous build</title>\n")
    return root


@pytest.mark.parametrize("case", sorted(FAILURES))
def test_bad_input_fails_with_exact_lines_and_changes_nothing(case, tmp_path):
    root = prepare(case, tmp_path)
    previous, everything = snapshot(root / "output"), tree(tmp_path)
    started = time.perf_counter()
    result = run_digest(root, "build", "--quiet")
    assert result.stderr.splitlines() == FAILURES[case]
    assert result.returncode == 1
    assert result.stdout == ""
    assert snapshot(root / "output") == previous
    assert tree(tmp_path) == everything  # nothing written anywhere, not even a staging folder
    assert time.perf_counter() - started < 20


def test_every_fixture_folder_has_a_test():
    folders = {p.name for p in (FIXTURES / "errors").iterdir() if p.is_dir()}
    assert folders == set(FAILURES) | set(WARNINGS) | set(SUCCESSES) | {"output_parent_is_a_file", "template_broken_link"}


def test_the_python_tag_is_never_executed(tmp_path):
    root = prepare("yaml_python_tag", tmp_path)
    run_digest(root, "build")
    assert not list(tmp_path.rglob("PWNED"))


def test_check_reports_the_same_lines_and_writes_nothing(tmp_path):
    root = prepare("wrong_types", tmp_path)
    everything = tree(tmp_path)
    result = run_digest(root, "check")
    assert result.returncode == 1
    # The same lines as build's; the summary says nothing was written (check writes nothing).
    assert result.stderr.splitlines() == [line.replace(UNCHANGED, REFUSED) for line in FAILURES["wrong_types"]]
    assert tree(tmp_path) == everything


# --- inputs that build, with warnings that --strict turns into errors ------------------

WARNINGS = {
    "unknown_key": [f"{FILE}:6: tag: unknown field (did you mean 'tags'?)",
                    f"{FILE}:7: sumary: unknown field (did you mean 'summary'?)"],
    "crlf_line_endings": [f"{FILE}:6: tag: unknown field (did you mean 'tags'?)"],
    "colliding_term_slugs": [f"{FILE}:5: tags: 'C++' and 'C' make the same slug 'c'; 'C++' gets 'c-372946'"],
    "symlink_outside_content": ["content/leak.md: symlink points outside the content folder; skipped"],
    "broken_internal_link": [f"{FILE}:8: link to '/tags/atlantis/': no such page in the site",
                             f"{FILE}:9: link to '../06/nowhere.md': no such page in the site"],
}


def warned(lines: list[str]) -> list[str]:
    return [line.replace(": ", ": warning: ", 1) for line in lines]


@pytest.mark.parametrize("case", sorted(WARNINGS))
def test_warnings_build_and_fail_under_strict(case, tmp_path):
    root = prepare(case, tmp_path)
    previous, everything = snapshot(root / "output"), tree(tmp_path)
    strict = run_digest(root, "build", "--strict")
    errors = len(WARNINGS[case])
    assert strict.stderr.splitlines() == WARNINGS[case] + [
        f"digest: {errors} error{'s' if errors > 1 else ''} in 1 file; {UNCHANGED}"]
    assert strict.returncode == 1
    assert snapshot(root / "output") == previous
    assert tree(tmp_path) == everything

    checked = run_digest(root, "check", "--strict")
    assert (checked.returncode, checked.stderr) == (strict.returncode, strict.stderr.replace(UNCHANGED, REFUSED))
    assert tree(tmp_path) == everything

    built = run_digest(root, "build")
    assert built.returncode == 0, built.stderr
    assert built.stderr.splitlines() == warned(WARNINGS[case])
    assert built.stdout.startswith("Built ")
    assert snapshot(root / "output") != previous
    assert {p for p in tree(tmp_path) if not p.startswith(DIGEST_OWNED)} == {
        p for p in everything if not p.startswith(DIGEST_OWNED)}
    assert b"SECRET TEXT" not in b"".join(snapshot(root / "output").values())
    # A rebuild lists the content in a forked child (read.list_sources): the same warnings.
    again = run_digest(root, "build", "--jobs", "2")
    assert (again.returncode, again.stderr.splitlines()) == (0, warned(WARNINGS[case]))


def test_colliding_terms_get_distinct_pages(tmp_path):
    root = prepare("colliding_term_slugs", tmp_path)
    assert run_digest(root, "build").returncode == 0
    assert "C++" in (root / "output/tags/c-372946/index.html").read_text()
    assert "<h1>Tag: C</h1>" in (root / "output/tags/c/index.html").read_text()


# --- odd but ordinary input -------------------------------------------------------------

def built_entry(case: str, tmp_path: Path, url: str = "2025/07/talks/") -> str:
    root = prepare(case, tmp_path)
    result = run_digest(root, "build")
    assert result.returncode == 0, result.stderr
    return (root / "output" / url / "index.html").read_text(encoding="utf-8")


SUCCESSES = {"utf8_bom", "naive_time_in_site_timezone", "internal_links", "yaml_base_schema"}


def test_front_matter_is_read_literally(tmp_path):
    """Base schema: `title: 2025-07-23` is text, `tags: [NO, on]` are two tags, not booleans;
    body headings never take the theme's ids (main, search) and are never without an id."""
    page = built_entry("yaml_base_schema", tmp_path)
    assert '<h1 data-pagefind-meta="title">2025-07-23</h1>' in page
    assert '<p class="summary lede">10:00</p>' in page
    for slug, name in (("no", "NO"), ("on", "on"), ("1e3", "1e3")):
        assert f'<a href="/tags/{slug}/">{name}</a>' in page
    assert ['main-1', 'search-1', 'main-2', 'section'] == re.findall(r'<h[12] id="([^"]*)"', page)


def test_a_utf8_bom_is_ordinary_input(tmp_path):
    page = built_entry("utf8_bom", tmp_path)
    assert "<h1 data-pagefind-meta=\"title\">Talks resume</h1>" in page
    assert "\ufeff" not in page


def test_crlf_line_endings_are_ordinary_input(tmp_path):
    page = built_entry("crlf_line_endings", tmp_path)
    assert "<p>The delegations\nmet.</p>" in page
    assert "\r" not in page


def test_a_naive_time_is_read_in_the_site_timezone(tmp_path):
    # Babel writes CLDR's narrow no-break space (U+202F) between the time and AM.
    # 01:00 on 1 August in Kyiv is 22:00 UTC on 31 July: the entry belongs to August.
    page = built_entry("naive_time_in_site_timezone", tmp_path, "2025/08/talks/")
    assert '<time datetime="2025-08-01T01:00:00+03:00">August 1, 2025, 1:00\u202fAM +03:00</time>' in page


def test_internal_links_resolve_under_the_base_path(tmp_path):
    page = built_entry("internal_links", tmp_path)
    assert '<a href="/repo/tags/russia/">the tag</a>' in page
    assert '<a href="/repo/2025/06/call/#what-was-said">the call</a>' in page
    root = tmp_path / "site"
    checked = run_digest(root, "check", "--strict")
    assert checked.returncode == 0, checked.stderr
    assert checked.stdout == "digest: no errors (0 warnings); nothing was written\n"


def test_an_unwritable_output_is_a_message_not_a_traceback(tmp_path):
    root = prepare("output_parent_is_a_file", tmp_path)
    everything = tree(tmp_path)
    result = run_digest(root, "build")
    assert result.stderr.splitlines() == [
        f"blocker/out: cannot write {root.resolve()}/blocker/.out.staging: Not a directory",
        "digest: 1 error in 1 file; blocker/out/ was not changed"]
    assert result.returncode == 1
    assert tree(tmp_path) == everything


def test_check_follows_the_links_templates_make(tmp_path):
    """`check` renders every page and follows every internal link; a broken one made by a
    template is reported at the output page (bodies are reported at their file and line)."""
    root = prepare("template_broken_link", tmp_path)
    everything = tree(tmp_path)
    lines = ["output/2025/07/talks/index.html: link to '/elsewhere/': no such page in the site",
             "output/2025/07/talks/index.html: link to '/repo/about/': no such page in the site"]
    checked = run_digest(root, "check")
    assert checked.returncode == 0
    assert checked.stderr.splitlines() == warned(lines)
    assert checked.stdout == "digest: no errors (2 warnings); nothing was written\n"
    strict = run_digest(root, "check", "--strict")
    assert strict.returncode == 1
    assert strict.stderr.splitlines() == lines + ["digest: 2 errors in 1 file; nothing was written"]
    assert tree(tmp_path) == everything
