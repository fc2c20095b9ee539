"""[tool.digest] settings: defaults, checks with the key named, flags on top."""

from __future__ import annotations

import pytest

from digest.config import load_config
from digest.errors import DigestError, format_problem


def write_settings(tmp_path, text: str):
    (tmp_path / "pyproject.toml").write_text(text, encoding="utf-8")
    return tmp_path


def problems(tmp_path, text: str) -> list[str]:
    with pytest.raises(DigestError) as caught:
        load_config(write_settings(tmp_path, text))
    return [format_problem(p) for p in caught.value.problems]


def test_a_site_without_settings_builds_with_defaults(tmp_path):
    config = load_config(tmp_path)
    assert (config.title, config.timezone, config.per_page, config.theme) == ("Digest", "UTC", 10, "default")
    assert config.permalink == "/{year}/{month}/{slug}/" and config.base_path == "/"
    assert config.taxonomies == ("tags", "people", "places", "sources") and config.search is True


def test_every_key_is_read(tmp_path):
    (tmp_path / "themes" / "mine").mkdir(parents=True)
    config = load_config(write_settings(tmp_path, """
[tool.digest]
title = "T"
description = "D"
base_url = "https://owner.github.io/repo"
language = "uk"
timezone = "Europe/Kyiv"
theme = "mine"
per_page = 3
permalink = "/news/{year}/{slug}/"
taxonomies = ["tags", "people"]
unsafe_html = true
search = false
content_dir = "posts"
output_dir = "public"
"""))
    assert config.base_url == "https://owner.github.io/repo/" and config.base_path == "/repo/"
    assert (config.language, config.timezone, config.theme, config.per_page) == ("uk", "Europe/Kyiv", "mine", 3)
    assert config.taxonomies == ("tags", "people") and config.unsafe_html and not config.search
    assert config.content_path == (tmp_path / "posts").resolve() and config.output_path == (tmp_path / "public").resolve()


def test_unknown_key_names_the_line_and_suggests(tmp_path):
    assert problems(tmp_path, '[project]\nname = "x"\n\n[tool.digest]\ntitle = "T"\ntimezon = "UTC"\n') == [
        "pyproject.toml:6: tool.digest.timezon: unknown setting (did you mean 'timezone'?)"]


@pytest.mark.parametrize("text, line", [
    ('[tool.digest]  # the site\nper_page = 0\n', 2),               # a comment after the header
    ('[ tool . "digest" ]\n"per_page" = 0\n', 2),                   # spaces and quotes TOML allows
    ('[tool.digest]\ndescription = """\nper_page = 0\n"""\nper_page = 0\n', 5),  # not inside a string
    ('[tool]\ndigest.per_page = 0\n', 2),                           # dotted keys
    ('tool.digest.per_page = 0\n', 1),
])
def test_a_bad_value_is_named_at_its_line_however_the_table_is_written(tmp_path, text, line):
    assert problems(tmp_path, text) == [
        f"pyproject.toml:{line}: tool.digest.per_page: expected a whole number of at least 1, got 0"]


def test_a_table_inside_the_settings_is_named_at_its_header(tmp_path):
    assert problems(tmp_path, '[tool.digest]\ntitle = "T"\n\n[tool.digest.extra]\nx = 1\n') == [
        "pyproject.toml:4: tool.digest.extra: unknown setting"]
    assert problems(tmp_path, '[tool]\ndigest = 5\n') == ["pyproject.toml:2: tool.digest: expected a table"]


def test_settings_not_in_utf8_are_an_error_at_their_line_and_a_bom_is_read(tmp_path):
    (tmp_path / "pyproject.toml").write_bytes('[tool.digest]\ntitle = "T"\ndescription = "Café"\n'.encode("latin-1"))
    with pytest.raises(DigestError) as caught:
        load_config(tmp_path)
    assert [format_problem(p) for p in caught.value.problems] == [
        "pyproject.toml:3: invalid UTF-8 (byte 0xe9); save the file as UTF-8"]
    assert problems(tmp_path, '\ufeff[tool.digest]\ntitle = "T"\nper_page = 0\n') == [  # as Notepad saves it
        "pyproject.toml:3: tool.digest.per_page: expected a whole number of at least 1, got 0"]


def test_a_tool_key_that_is_no_table_is_an_error_not_a_traceback(tmp_path):
    assert problems(tmp_path, '# the site\ntool = 5\n') == ["pyproject.toml:2: tool: expected a table"]


def test_a_misspelt_settings_table_is_an_error_not_a_site_of_defaults(tmp_path):
    fix = "digest reads its settings only from [tool.digest]; rename the table (did you mean 'tool.digest'?)"
    assert problems(tmp_path, '[tool.pytest.ini_options]\nx = 1\n\n[tool.digst]\ntitle = "T"\n') == [
        f"pyproject.toml:4: tool.digst: {fix}"]
    assert problems(tmp_path, '[digest]\ntitle = "T"\n[tool.digest]\nper_page = 0\n') == [
        f"pyproject.toml:1: digest: {fix}",
        "pyproject.toml:4: tool.digest.per_page: expected a whole number of at least 1, got 0"]
    # Other tools' tables, however close their names, are theirs.
    write_settings(tmp_path, '[tool.pytest]\nx = 1\n[tool.isort]\ny = 2\n[tool.digest]\ntitle = "T"\n')
    assert load_config(tmp_path).title == "T"


def test_bad_values_are_all_reported(tmp_path):
    found = problems(tmp_path, '[tool.digest]\nper_page = 0\nbase_url = "owner.github.io"\n'
                               'timezone = "Mars/Olympus"\nsearch = "yes"\npermalink = "/{year}/{title}/"\n')
    assert found == [
        "pyproject.toml:2: tool.digest.per_page: expected a whole number of at least 1, got 0",
        "pyproject.toml:3: tool.digest.base_url: expected an absolute http(s) URL such as 'https://owner.github.io/repo/', got 'owner.github.io'",
        "pyproject.toml:4: tool.digest.timezone: expected an IANA time zone such as 'UTC' or 'Europe/Kyiv', got 'Mars/Olympus'",
        "pyproject.toml:5: tool.digest.search: expected true or false, got text 'yes'",
        "pyproject.toml:6: tool.digest.permalink: unknown placeholder {title}; use {year}, {month}, {day} and {slug}",
    ]



def test_a_taxonomy_listed_twice_is_an_error(tmp_path):
    assert problems(tmp_path, '[tool.digest]\ntaxonomies = ["tags", "people", "tags"]\n') == [
        "pyproject.toml:2: tool.digest.taxonomies: taxonomy 'tags' is listed 2 times; list each once"]

def test_toml_syntax_error_names_the_line(tmp_path):
    assert problems(tmp_path, '[tool.digest]\ntitle = "unclosed\n')[0].startswith("pyproject.toml:2: TOML syntax error")


def test_flags_override_settings(tmp_path):
    write_settings(tmp_path, '[tool.digest]\nbase_url = "https://a.example/"\nsearch = true\n')
    config = load_config(tmp_path, base_url="https://b.example/sub", output_dir="site", search=False,
                         drafts=True, strict=True)
    assert config.base_url == "https://b.example/sub/" and config.output_dir == "site"
    assert not config.search and config.drafts and config.strict


def test_a_bad_flag_is_named(tmp_path):
    with pytest.raises(DigestError) as caught:
        load_config(tmp_path, base_url="ftp://x")
    assert format_problem(caught.value.problems[0]).startswith("command line: --base-url: expected an absolute http(s) URL")


@pytest.mark.parametrize("given, kept", [
    ("https://owner.github.io/repo", "https://owner.github.io/repo/"),
    ("http://localhost:8000", "http://localhost:8000/"),
    ("https://news.example.org/a-b_c.d~e/2025/", "https://news.example.org/a-b_c.d~e/2025/"),
    ("http://127.0.0.1:8080/x/", "http://127.0.0.1:8080/x/"),
    ("http://[::1]:8000/", "http://[::1]:8000/"),
    ("http://localhost:65535", "http://localhost:65535/"),
    # One spelling of the host: lower case, without the scheme's own port; the path as written.
    ("HTTPS://News.Example.ORG:443/Repo/", "https://news.example.org/Repo/"),
    ("http://example.org:80", "http://example.org/"),
    ("https://example.org:80/", "https://example.org:80/"),
    ("https://example.org:8443/", "https://example.org:8443/"),
])
def test_a_base_url_is_kept_with_one_trailing_slash(tmp_path, given, kept):
    assert load_config(tmp_path, base_url=given).base_url == kept


@pytest.mark.parametrize("given, expected", [
    ("https://owner.github.io//repo//", "a path of folder names"),
    ("https://owner.github.io/my repo/", "a path of folder names"),
    ("https://owner.github.io/my%20repo/", "a path of folder names"),
    ("https://owner.github.io/café/", "a path of folder names"),
    ("https://owner.github.io/a/../repo/", "a path of folder names"),   # a browser reads /repo/
    ("https://owner.github.io/./repo/", "a path of folder names"),
    ("https://owner.github.io/repo/..", "a path of folder names"),
    ("https://user:secret@owner.github.io/repo/", "a URL without a user name or password"),
    ("https://café.example/", "a host name in ASCII"),
    ("https://owner.github.io:port/", "a host name in ASCII"),
    ("https://owner.github.io:99999/", "a port from 0 to 65535"),
    ("http://[::1:8000/", "an absolute http(s) URL"),
    ("https://owner.github.io/repo/?x=1", "a URL without query or fragment"),
    ("owner.github.io/repo/", "an absolute http(s) URL"),
])
def test_a_base_url_that_would_break_or_leak_into_every_link_is_an_error(tmp_path, given, expected):
    with pytest.raises(DigestError) as caught:
        load_config(tmp_path, base_url=given)
    message = format_problem(caught.value.problems[0])
    assert message.startswith(f"command line: --base-url: expected {expected}") and repr(given) in message


@pytest.mark.parametrize("permalink", [
    "/a#b/{slug}/",        # every link to an entry would end at /a, the rest a fragment
    "/news?/{slug}/",      # ... or a query
    "/news items/{slug}/", "/caf\u00e9/{slug}/", "/%2e%2e/{slug}/", '/a"b/{slug}/', "/<b>/{slug}/",
    "/{year}//{slug}/", "/./{slug}/", "/x/./{slug}/", "//{slug}/",   # not the later "refusing to write outside the output folder"
])
def test_a_permalink_whose_text_would_break_every_entry_link_is_an_error(tmp_path, permalink):
    assert problems(tmp_path, f"[tool.digest]\npermalink = '{permalink}'\n") == [
        "pyproject.toml:2: tool.digest.permalink: expected folder names in ASCII letters, digits and -._~ "
        "(no spaces, no %-escapes, no . or .. folders) between single slashes, such as '/news/{year}/{slug}/', "
        f"got {permalink!r}"]


@pytest.mark.parametrize("permalink", ["/{slug}/", "/news/{year}/{month}/{day}/{slug}/", "/{year}{month}/{slug}/",
                                       "/a-b_c.d~e/{slug}/"])
def test_a_permalink_of_plain_folder_names_is_kept(tmp_path, permalink):
    assert load_config(write_settings(tmp_path, f"[tool.digest]\npermalink = '{permalink}'\n")).permalink == permalink


@pytest.mark.parametrize("language, good", [("en", True), ("uk", True), ("pt-BR", True), ("zh-Hant-TW", True),
                                             ("", False), ("english language", False), ('en" onload="x', False),
                                             ("e", False), ("en_GB", False)])
def test_language_is_a_language_tag(tmp_path, language, good):
    text = f"[tool.digest]\nlanguage = '{language}'\n"  # a TOML literal string: the quotes as written
    if good:
        assert load_config(write_settings(tmp_path, text)).language == language
    else:
        assert problems(tmp_path, text) == [
            f"pyproject.toml:2: tool.digest.language: expected a language tag such as 'en', 'uk' or 'pt-BR', got {language!r}"]


def test_a_missing_theme_folder_is_named_with_its_line_among_the_other_setting_errors(tmp_path):
    found = problems(tmp_path, '[tool.digest]\ntitle = "QA"\ntheme = "mine"\nper_page = 0\n')
    assert found == [
        "pyproject.toml:3: tool.digest.theme: no folder themes/mine/; create it or set theme = \"default\"",
        "pyproject.toml:4: tool.digest.per_page: expected a whole number of at least 1, got 0",
    ]


def test_a_setting_with_a_character_no_page_may_hold_is_an_error(tmp_path):
    """TOML's \\u escapes can write any of them; the title and description reach every page and feed."""
    found = problems(tmp_path, '[tool.digest]\ntitle = "News\\u0000"\ndescription = "A \\uFFFF digest"\n')
    assert found == [
        "pyproject.toml:2: tool.digest.title: control character U+0000 cannot go into a web page or feed; "
        "delete it, or write the character you meant itself",
        "pyproject.toml:3: tool.digest.description: noncharacter U+FFFF cannot go into a web page or feed; "
        "delete it, or write the character you meant itself"]


def test_a_misspelt_time_zone_or_taxonomy_gets_a_suggestion(tmp_path):
    assert problems(tmp_path, '[tool.digest]\ntimezone = "Europe/Kyiw"\ntaxonomies = ["tags", "persons"]\n') == [
        "pyproject.toml:2: tool.digest.timezone: expected an IANA time zone such as 'UTC' or 'Europe/Kyiv', "
        "got 'Europe/Kyiw' (did you mean 'Europe/Kyiv'?)",
        "pyproject.toml:3: tool.digest.taxonomies: unknown taxonomy 'persons' (did you mean 'people'?); "
        "choose from ['tags', 'people', 'places', 'sources']"]
    assert problems(tmp_path, '[tool.digest]\ntimezone = "america/new_york"\n') == [
        "pyproject.toml:2: tool.digest.timezone: expected an IANA time zone such as 'UTC' or 'Europe/Kyiv', "
        "got 'america/new_york' (did you mean 'America/New_York'?)"]


@pytest.mark.parametrize("language, direction", [
    ("en", "ltr"), ("uk", "ltr"), ("ar", "rtl"), ("he", "rtl"), ("fa-IR", "rtl"), ("ur", "rtl"),
    ("az-Arab", "rtl"), ("ku-Arab-IQ", "rtl"), ("pa-Arab", "rtl"), ("sd-Deva", "ltr"), ("AR", "rtl")])
def test_a_language_written_right_to_left_gives_the_pages_that_direction(tmp_path, language, direction):
    config = load_config(write_settings(tmp_path, f'[tool.digest]\nlanguage = "{language}"\n'))
    assert config.direction == direction
