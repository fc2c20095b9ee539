"""Source -> Entry: the schema rules of docs/reference/front-matter.md, field by field, and the messages the
command line gives for front matter as newcomers write it (YAML syntax, lists, comments)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from pathlib import Path

import pytest

from helpers import entry_text, run_digest
from digest.config import Config
from digest.entries import FIELDS, read_entry, slugify
from digest.errors import NOT_IN_TEXT, format_problem
from digest.load import LoadError, parse_source

UTC_SITE = Config(root=Path("."))


def read(text: str, config: Config = UTC_SITE, name: str = "entry"):
    source = parse_source(text.encode("utf-8"), f"content/{name}.md", name)
    entry, problems = read_entry(source, config)
    return entry, [format_problem(p) for p in problems]


def front(**fields) -> str:
    base = {"title": "T", "date": "2025-07-23", "summary": "S", "tags": "[Russia]"}
    base.update(fields)
    return "---\n" + "".join(f"{k}: {v}\n" for k, v in base.items() if v is not None) + "---\nBody\n"


def test_every_scalar_is_text_base_schema():
    entry, problems = read(front(title="2025-07-23", tags="[NO, on, 'yes', 10:00]", people="[null, true]"))
    assert problems == []
    assert entry.title == "2025-07-23"
    assert entry.tags == ("NO", "on", "yes", "10:00")
    assert entry.people == ("null", "true")


@pytest.mark.parametrize("given, expected", [
    ("true", True), ("TRUE", True), ("False", False), ("false", False)])
def test_draft_accepts_true_and_false_in_any_case(given, expected):
    entry, _ = read(front(draft=given))
    assert entry.draft is expected


@pytest.mark.parametrize("given", ["yes", "on", "1", "[true]"])
def test_draft_rejects_everything_else(given):
    _, problems = read(front(draft=given))
    assert len(problems) == 1 and problems[0].startswith("content/entry.md:6: draft: expected true or false, got")


def test_dates_with_offset_and_naive_in_site_timezone():
    kyiv = Config(root=".", timezone="Europe/Kyiv")
    entry, _ = read(front(date="2025-07-23T10:00:00+03:00"))
    assert entry.date.value == datetime(2025, 7, 23, 7, tzinfo=timezone.utc) and entry.date.has_time
    entry, _ = read(front(date="2025-07-23 10:00"), kyiv)
    assert entry.date.value.utcoffset() == timedelta(hours=3) and entry.date.value.hour == 10
    entry, _ = read(front(date="2025-07-23"), kyiv)
    assert entry.date.value.utcoffset() == timedelta(hours=3) and not entry.date.has_time
    entry, _ = read(front(date="2025-07-23T07:00:00Z"))
    assert entry.date.value == datetime(2025, 7, 23, 7, tzinfo=timezone.utc)


@pytest.mark.parametrize("given, message", [
    ("2025-13-45", "date: '2025-13-45' is not a real date; expected a date like 2025-07-23, or a date-time like 2025-07-23T10:00:00+03:00"),
    ("2025-02-30", "date: '2025-02-30' is not a real date; expected a date like 2025-07-23, or a date-time like 2025-07-23T10:00:00+03:00"),
    ("07/23/2025", "date: expected a date like 2025-07-23, or a date-time like 2025-07-23T10:00:00+03:00, got '07/23/2025'"),
    ("2025-7-3", "date: expected a date like 2025-07-23, or a date-time like 2025-07-23T10:00:00+03:00, got '2025-7-3'"),
    ("[2025-07-23]", "date: expected a date like 2025-07-23, or a date-time like 2025-07-23T10:00:00+03:00, got a list"),
    ("''", "date: expected a date like 2025-07-23, or a date-time like 2025-07-23T10:00:00+03:00, got nothing"),
    ("", "date: expected a date like 2025-07-23, or a date-time like 2025-07-23T10:00:00+03:00, got nothing"),
])
def test_dates_are_strict(given, message):
    _, problems = read(front(date=given))
    assert problems == [f"content/entry.md:3: {message}"]


def test_future_dates_are_built():
    entry, problems = read(front(date="2999-01-01"))
    assert entry is not None and problems == []


def test_required_fields_are_all_reported():
    _, problems = read("---\nauthor: A\n---\n")
    assert problems == [
        "content/entry.md:3: title: required field is missing: add a line such as title: \"Talks resume in Istanbul\" "
        "above this closing '---' (headline of the entry)",
        "content/entry.md:3: date: required field is missing: add a line such as date: 2025-07-23 above this "
        "closing '---' (when the source was published: date, or date-time with offset)",
        "content/entry.md:3: summary: required field is missing: add a line such as summary: \"Delegations met for "
        "three hours and agreed to meet again.\" above this closing '---' (one or two sentences shown in listings, "
        "feeds and search)",
        "content/entry.md:3: tags: required field is missing: add a line such as tags: [Russia, Ukraine] above this "
        "closing '---' (list of topics, at least one)",
    ]


def test_wrong_types_name_field_and_line():
    _, problems = read(front(tags="{a: b}", title="[x, y]", people="Putin"))
    assert problems == [
        "content/entry.md:2: title: expected text, got a list",
        "content/entry.md:5: tags: expected a list of text such as [Russia, Ukraine], got a mapping",
        "content/entry.md:6: people: expected a list of text such as [Russia, Ukraine], got 'Putin'; write it in brackets: [Putin]",
    ]


def test_empty_tags_list_is_an_error():
    _, problems = read(front(tags="[]"))
    assert problems == ["content/entry.md:5: tags: expected at least one item, got an empty list"]


def test_unknown_key_is_a_warning_with_did_you_mean():
    entry, problems = read(front(tag="[x]"))
    assert entry is not None
    assert problems == ["content/entry.md:6: warning: tag: unknown field (did you mean 'tags'?)"]


def test_an_unknown_key_of_source_is_a_warning_with_did_you_mean():
    """As an unknown field is; the known keys are still read."""
    entry, problems = read(front(source="{nme: X, name: Y, url: 'https://example.org/a'}"))
    assert (entry.source_name, entry.source_url) == ("Y", "https://example.org/a")
    assert problems == ["content/entry.md:6: warning: source.nme: unknown key (did you mean 'name'?); "
                        "source takes name and url"]
    entry, problems = read(front(source="{nme: X}"))
    assert entry is None and problems == [
        "content/entry.md:6: warning: source.nme: unknown key (did you mean 'name'?); source takes name and url",
        "content/entry.md:6: source.name: required key is missing: add 'name:' under 'source:' (the publisher's name)"]


@pytest.mark.parametrize("given, meant", [("person", "people"), ("place", "places"), ("Categories", "tags"),
                                          ("authors", "author"), ("description", "summary"), ("publisher", "source")])
def test_an_unknown_field_named_for_another_generator_suggests_ours(given, meant):
    entry, problems = read(front(**{given: "[x]"}))
    assert entry is not None
    assert problems == [f"content/entry.md:6: warning: {given}: unknown field (did you mean '{meant}'?)"]


def test_source_url_must_be_http():
    for url in ["javascript:alert(1)", "JaVaScRiPt:alert(1)", "ftp://example.org/", "//example.org/x", "data:text/html,x"]:
        _, problems = read(front(source=f"{{name: X, url: '{url}'}}"))
        assert problems == [f"content/entry.md:6: source.url: expected an http:// or https:// URL, got '{url}'"]
    entry, _ = read(front(source="{name: X, url: 'https://example.org/a'}"))
    assert (entry.source_name, entry.source_url) == ("X", "https://example.org/a")


def test_kind_with_did_you_mean():
    _, problems = read(front(kind="opinon"))
    assert problems == ["content/entry.md:6: kind: expected one of news, analysis, opinion, official, got 'opinon' (did you mean 'opinion'?)"]


@pytest.mark.parametrize("text, slug", [
    ("São Paulo", "sao-paulo"), ("Київ", "kiiv"), ("Дмитрий Песков", "dmitriy-peskov"),
    ("Ceasefire Talks!", "ceasefire-talks"), ("北京", "beijing"), ("C++", "c"), ("--a--b--", "a-b")])
def test_slugify_transliterates(text, slug):
    assert slugify(text) == slug


def test_slug_from_file_name_field_or_title():
    entry, _ = read(front(), name="Київ-Talks")
    assert entry.slug == "kiiv-talks"
    entry, _ = read(front(slug="'My Slug'"))
    assert entry.slug == "my-slug"
    entry, problems = read(front(slug="'../../etc/My Slug'"))  # a path is refused, not rewritten
    assert entry is None and problems == ["content/entry.md:6: slug: '../../etc/My Slug' looks like a path; "
                                          "a slug is one URL segment of letters, digits and '-', such as 'peace-talks'"]
    entry, _ = read(front(title="Peace talks"), name="___")
    assert entry.slug == "peace-talks"
    entry, _ = read(front(title="'!!!'"), name="+++")
    assert entry.slug.startswith("entry-") and len(entry.slug) > 6


def test_an_explicit_slug_that_is_empty_is_an_error():
    _, problems = read(front(slug="'!!!'"))
    assert problems == ["content/entry.md:6: slug: '!!!' gives an empty slug; use letters or digits, such as 'peace-talks'"]


def test_fields_table_documents_each_field():
    assert all(field.help for field in FIELDS)
    assert {f.name for f in FIELDS if f.required} == {"title", "date", "summary", "tags"}


def test_front_matter_is_read_by_the_c_loader():
    import yaml

    from digest.load import base_loader

    assert base_loader() is yaml.CBaseLoader  # the wheel digest installs is built with libyaml


def test_a_cached_build_imports_no_parser(tmp_path):
    """Markdown and YAML libraries are imported when an entry is parsed, not before: a
    rebuild with every entry in the cache does without them (a tenth of start-up)."""
    import subprocess
    import sys

    code = ("import sys, digest.build, digest.cli, digest.serve; "
            "print(sorted(m for m in ('yaml', 'markdown_it') if m in sys.modules))")
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert found.strip() == "[]"


def test_the_build_command_imports_process_pools_and_subprocess_only_when_used():
    """A rebuild of a few pages starts no worker pool and no Pagefind: multiprocessing,
    concurrent.futures and subprocess (imports a small rebuild would wait for) are imported
    where they are used."""
    import subprocess
    import sys

    code = ("import sys, digest.build, digest.cli; print(sorted(m for m in "
            "('multiprocessing', 'concurrent.futures', 'subprocess') if m in sys.modules))")
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert found.strip() == "[]"


# --- characters no page or feed may hold, written as YAML escapes ----------------------

# Every field, with a place in its text for an escape: (key, value, line, field named).
TEXT_PLACES = [
    ("title", '"T {x}"', 2, "title"),
    ("date", '"2025-07-23{x}"', 3, "date"),
    ("summary", '"S {x}"', 4, "summary"),
    ("tags", '[a, "b {x}"]', 5, "tags"),
    ("source", '"N {x}"', 6, "source"),
    ("source", '{{name: "N {x}"}}', 6, "source.name"),
    ("source", '{{name: N, url: "https://example.org/{x}"}}', 6, "source.url"),
    ("author", '"A {x}"', 6, "author"),
    ("author", '[A, "B {x}"]', 6, "author"),
    ("people", '["P {x}"]', 6, "people"),
    ("places", '["P {x}"]', 6, "places"),
    ("story", '"S {x}"', 6, "story"),
    ("event_date", '"2025-07-20{x}"', 6, "event_date"),
    ("kind", '"news{x}"', 6, "kind"),
    ("draft", '"false{x}"', 6, "draft"),
    ("slug", '"s{x}"', 6, "slug"),
    ("updated", '"2025-07-24{x}"', 6, "updated"),
    ("corrections", '[{{date: 2025-07-24, text: "C {x}"}}]', 6, "corrections.text"),
    ("aliases", '["/old{x}/"]', 6, "aliases"),
    ("image", '{{src: a.jpg, alt: "A {x}"}}', 6, "image.alt"),
    ("language", '"uk{x}"', 6, "language"),
    ("translation_key", '"k {x}"', 6, "translation_key"),
]
FORBIDDEN_ESCAPES = [
    ("\\0", "control character", "0000"), ("\\a", "control character", "0007"), ("\\b", "control character", "0008"),
    ("\\v", "control character", "000B"), ("\\f", "control character", "000C"), ("\\e", "control character", "001B"),
    ("\\x1f", "control character", "001F"), ("\\x7f", "control character", "007F"), ("\\N", "control character", "0085"),
    ("\\x9f", "control character", "009F"), ("\\uFDD0", "noncharacter", "FDD0"), ("\\uFDEF", "noncharacter", "FDEF"),
    ("\\uFFFE", "noncharacter", "FFFE"), ("\\uFFFF", "noncharacter", "FFFF"), ("\\U0001FFFE", "noncharacter", "1FFFE"),
    ("\\U0010FFFF", "noncharacter", "10FFFF"),
]


def test_the_text_places_cover_every_field():
    assert {key for key, *_ in TEXT_PLACES} == {field.name for field in FIELDS}


@pytest.mark.parametrize("key, value, line, field", TEXT_PLACES)
def test_a_character_no_page_or_feed_may_hold_is_refused_in_every_field(key, value, line, field):
    """Written as a YAML escape it passes the file's own check; the Nu checker and XML parsers
    refuse the pages and feeds it would reach."""
    for escape, what, code in FORBIDDEN_ESCAPES:
        entry, problems = read(front(**{key: value.format(x=escape)}))
        assert entry is None and problems == [
            f"content/entry.md:{line}: {field}: {what} U+{code} cannot go into a web page or feed; "
            "delete it, or write the character you meant itself"], escape


def test_a_noncharacter_written_as_itself_is_refused_too():
    """No backslash in the front matter: a file holding one of these as itself is still
    checked, field by field. (Control characters and the noncharacters of the first plane
    are refused for the whole file, at their line: load.CONTROL.)"""
    from digest.load import LoadError

    for character, code in (("\ufdd0", "FDD0"), ("\ufdef", "FDEF")):
        with pytest.raises(LoadError) as refused:
            read(front(title=f'"a{character}b"'))
        assert refused.value.args[0] == f"noncharacter U+{code} in the file, which no web page or feed may hold; delete it"
    for character, code in (("\U0001fffe", "1FFFE"), ("\U0010ffff", "10FFFF")):
        for key, value, line, field in [place for place in TEXT_PLACES if "\"" in place[1]]:
            entry, problems = read(front(**{key: value.format(x=character)}))
            assert entry is None and problems == [
                f"content/entry.md:{line}: {field}: noncharacter U+{code} cannot go into a web page or feed; "
                "delete it, or write the character you meant itself"], (key, code)


@pytest.mark.parametrize("key, value, line, field", [place for place in TEXT_PLACES if place[0] in
                                                     ("title", "summary", "tags", "source", "author", "people",
                                                      "places", "story")])
def test_escapes_of_characters_pages_may_hold_are_ordinary_text(key, value, line, field):
    for escape in ("\\t", "\\L", "\\_", "\\uFFFD", "\\uFDCF", "\\uFDF0", "\\U0001FFFD", "\\xA0", "é"):
        entry, problems = read(front(**{key: value.format(x=escape)}))
        assert entry is not None and problems == [], (escape, problems)


def test_a_line_break_escape_in_one_line_text_is_a_space():
    entry, _ = read(front(title='"Talks\\r\\nresume\\rin\\nIstanbul"', tags='["ceasefire\\rtalks"]'))
    assert entry.title == "Talks resume in Istanbul" and entry.tags == ("ceasefire talks",)


@pytest.mark.parametrize("key, value, line, field", TEXT_PLACES)
def test_a_surrogate_is_refused_by_either_yaml_loader(key, value, line, field, monkeypatch):
    """libyaml refuses a `\\ud800` escape as a syntax error, saying what to write instead; the
    pure-Python loader (where PyYAML was built without libyaml) reads it, and the field refuses it."""
    with pytest.raises(LoadError) as caught:
        read(front(**{key: value.format(x="\\ud83d\\ude00")}))
    assert caught.value.line == line and caught.value.message.endswith(
        "found invalid Unicode character escape code; a \\u escape names one character, not half of a "
        "surrogate pair (\\ud83d\\ude00): write the character itself, or its \\U escape")
    import yaml

    monkeypatch.setattr("digest.load.base_loader", lambda: yaml.BaseLoader)
    entry, problems = read(front(**{key: value.format(x="\\ud800")}))
    assert entry is None and problems == [
        f"content/entry.md:{line}: {field}: U+D800 is half of a UTF-16 surrogate pair, which cannot go into a "
        "web page or feed; write the character itself (or its \\U escape)"]


@pytest.mark.parametrize("reference", ["&#0;", "&#7;", "&#12;", "&#x1B;", "&#127;", "&#x85;", "&#x9F;", "&#xD800;",
                                       "&#xDFFF;", "&#xFDD0;", "&#xFFFE;", "&#xFFFF;", "&#x1FFFF;", "&#x10FFFF;",
                                       "&#x110000;", "&#99999999;"])
def test_a_character_reference_in_the_body_makes_no_character_pages_may_not_hold(reference):
    """markdown-it-py turns every reference to a forbidden code point into U+FFFD, except
    `&#12;`: a form feed is whitespace in HTML (the Nu checker accepts it) and the Atom
    template drops it (feeds.xml_safe, tests/test_feeds.py)."""
    body = f"a {reference} b\n\n# h {reference}\n\n[x](/a \"{reference}\") ![{reference}](/i.png)\n"
    entry, problems = read(front().replace("Body\n", body))
    assert problems == []
    assert set(NOT_IN_TEXT.findall(entry.body_html)) <= {"\x0c"}


# --- empty values, dates at the ends of the range ------------------------------------

OPTIONAL = [field.name for field in FIELDS if not field.required]


@pytest.mark.parametrize("key", OPTIONAL)
def test_an_empty_quoted_value_is_an_error_in_every_optional_field(key):
    """`kind: ""` would silently mean the default; nothing after the colon is the way to leave
    a field out (digest new writes `slug:` and `event_date:` so)."""
    for empty in ('""', "''", '"  "', "' '", "|", ">-"):
        entry, problems = read(front(**{key: empty}))
        assert entry is None and len(problems) == 1, (empty, problems)
        assert problems[0].startswith(f"content/entry.md:6: {key}: expected "), problems
        assert problems[0].endswith(", got nothing; give a value, or delete the line to leave the field out") \
            or problems[0].endswith(", got '  '; give a value, or delete the line to leave the field out") \
            or problems[0].endswith(", got ' '; give a value, or delete the line to leave the field out"), problems
    entry, problems = read(front(**{key: ""}))
    assert entry is not None and problems == []
    assert (entry.kind, entry.draft, entry.slug, entry.story, entry.event_date) == ("news", False, "entry", None, None)


@pytest.mark.parametrize("key, empty", [(key, empty) for key in ("title", "summary", "date", "tags")
                                        for empty in ('""', "", "' '")])
def test_an_empty_required_field_is_an_error(key, empty):
    entry, problems = read(front(**{key: empty}))
    assert entry is None and len(problems) == 1 and ("got nothing" in problems[0] or "got ' '" in problems[0])
    assert "delete the line" not in problems[0]


@pytest.mark.parametrize("url, message", [
    ("https://example.org:99999/a", "port '99999' is not a number from 0 to 65535 in 'https://example.org:99999/a'; "
                                    "correct it or leave the port out"),
    ("https://example.org:65536/", "port '65536' is not a number from 0 to 65535 in 'https://example.org:65536/'; "
                                   "correct it or leave the port out"),
    ("http://example.org:8o/", "port '8o' is not a number from 0 to 65535 in 'http://example.org:8o/'; "
                               "correct it or leave the port out"),
    ("http://[::1]:70000/", "port '70000' is not a number from 0 to 65535 in 'http://[::1]:70000/'; "
                            "correct it or leave the port out"),
    ("https://:443/a", "'https://:443/a' has no host name; write a URL such as https://example.org/news"),
    ("https://user@/a", "'https://user@/a' has no host name; write a URL such as https://example.org/news"),
    ("http://[::1/a", "expected an http:// or https:// URL, got 'http://[::1/a'"),
])
def test_a_source_url_with_a_bad_port_or_no_host_is_an_error(url, message):
    entry, problems = read(front(source=f"{{name: N, url: '{url}'}}"))
    assert entry is None and problems == [f"content/entry.md:6: source.url: {message}"]


@pytest.mark.parametrize("url", ["https://example.org:65535/a", "http://example.org:0/", "http://[::1]:8080/a",
                                 "https://example.org:/a", "HTTPS://Example.org/a?b=1#c"])
def test_a_source_url_with_a_good_port_or_none_is_kept(url):
    entry, problems = read(front(source=f"{{name: N, url: '{url}'}}"))
    assert problems == [] and entry.source_url == url


def test_a_source_url_with_an_apostrophe_is_kept():
    """An apostrophe may stand in a URL (RFC 3986): a source URL with one is kept, as the same
    link in the body is, not refused as 'expected an http:// or https:// URL'."""
    url = "https://en.wikipedia.org/wiki/People's_Republic_of_China"
    entry, problems = read(front(source=f'{{name: Wikipedia, url: "{url}"}}'))
    assert problems == [] and entry.source_url == url


@pytest.mark.parametrize("url, named", [("https://example.org/a b", "a space, which no URL may hold; write it as %20"),
                                        ("https://example.org/?y=<2>", "'<', which no URL may hold; write it as %3C"),
                                        ("https://example.org/`x`", "'`', which no URL may hold; write it as %60")])
def test_a_source_url_with_a_character_no_url_holds_names_it(url, named):
    entry, problems = read(front(source=f"{{name: N, url: '{url}'}}"))
    assert entry is None and problems == [f"content/entry.md:6: source.url: '{url}' holds {named}"]


OUT_OF_RANGE = ["0001-12-31", "0001-01-01T00:30:00+01:00", "0000-01-01", "9999-01-01", "9999-12-31",
                "9999-12-31T23:00:00Z", "9999-12-31T23:59:59-12:00", "9999-12-31 10:00"]
AT_THE_ENDS = ["0002-01-01", "0002-01-01T00:00:00+14:00", "0002-01-01T00:00", "9998-12-31",
               "9998-12-31T23:59:59-12:00", "9998-12-31T23:59:59"]


@pytest.mark.parametrize("key, line", [("date", 3), ("event_date", 6)])
def test_dates_outside_the_supported_years_are_an_error_naming_the_range(key, line):
    kiritimati = Config(root=".", timezone="Pacific/Kiritimati")
    for value in OUT_OF_RANGE:
        entry, problems = read(front(**{key: value}), kiritimati)
        assert entry is None and problems == [
            f"content/entry.md:{line}: {key}: '{value}' is outside the years digest supports, 0002 to 9998; "
            "write a date from 0002-01-01 to 9998-12-31"], value
    for value in AT_THE_ENDS:
        entry, problems = read(front(**{key: value}), kiritimati)
        assert entry is not None and problems == [], value


def test_text_of_invisible_characters_only_is_refused():
    """A zero-width space or a direction mark alone would make a tag page whose links show
    nothing; in a title, a blank heading."""
    for tags, codes in (('[Ukraine, "\\u200b"]', "U+200B"), ('["\\u200f\\u200e", Ukraine]', "U+200F, U+200E")):
        entry, problems = read(front(tags=tags))
        assert entry is None and problems == [
            f"content/entry.md:5: tags: expected text, got only characters nobody can see ({codes}); write the text"]
    entry, problems = read(front(title='"\\u2060\\u00a0\\u200b"'))
    assert entry is None and problems[0].startswith("content/entry.md:2: title: expected text, got only characters")
    entry, problems = read(front(title='"Kyiv\\u200b talks"', tags='["\\u200fשלום"]'))
    assert entry is not None and problems == [], problems


# --- what the command line says about front matter as newcomers write it ----------------------

DATE = "content/e.md"


def test_tag_list_written_as_comma_text_says_how_to_write_the_list(site):
    root = site({DATE: entry_text(tags="Russia, Ukraine, ceasefire talks")})
    result = run_digest(root, "build", "--no-search")
    assert result.returncode == 1
    assert (f"{DATE}:5: tags: expected a list of text such as [Russia, Ukraine], got "
            "'Russia, Ukraine, ceasefire talks'; write it in brackets: [Russia, Ukraine, ceasefire talks] "
            '(3 items), or ["Russia, Ukraine, ceasefire talks"] (one)') in result.stderr.splitlines()


def test_a_name_with_a_comma_written_as_text_is_shown_quoted_as_one_item_too(site):
    """`people: Smith, John` may be one name written last name first: the message offers the
    list of two and the one quoted name."""
    root = site({DATE: entry_text(people="Smith, John")})
    result = run_digest(root, "check")
    assert result.returncode == 1
    assert (f"{DATE}:6: people: expected a list of text such as [Russia, Ukraine], got 'Smith, John'; "
            'write it in brackets: [Smith, John] (2 items), or ["Smith, John"] (one)') in result.stderr.splitlines()


def test_a_headline_with_a_colon_left_unquoted_is_shown_quoted(site):
    """`title: Kyiv: talks resume` (a headline's commonest shape) is a YAML error: beyond YAML's
    'mapping values are not allowed in this context', the message shows the line as it must be
    written."""
    root = site({DATE: entry_text(title='Kremlin: Putin "open" to talks')})
    for command in ("check", "build"):
        result = run_digest(root, command, "--no-search") if command == "build" else run_digest(root, command)
        assert result.returncode == 1
        assert result.stderr.splitlines()[0] == (
            f"{DATE}:2: YAML syntax error, column 15: mapping values are not allowed in this context; "
            'a value holding \': \' must be in quotes: write the line as title: "Kremlin: Putin \\"open\\" to talks"')


@pytest.mark.parametrize("field, line", [
    ("story: #KyivTalks", "content/e.md:6: story: '#KyivTalks' is read as a YAML comment (a '#' after a space "
                          'starts one), leaving this value empty: write the line as story: "#KyivTalks"'),
    ("people:\n  - #Zelensky", "content/e.md:7: people: '#Zelensky' is read as a YAML comment (a '#' after a "
                                'space starts one), leaving this value empty: write the line as - "#Zelensky"'),
    ("places: [Kyiv, #Odesa]", "content/e.md:6: YAML syntax error, column 16: did not find expected node content; "
                               "'#Odesa' must be in quotes, as a '#' starts a YAML comment: \"#Odesa\""),
])
def test_a_hashtag_written_as_a_value_is_named_not_lost(site, field, line):
    """YAML reads '#...' after a space as a comment: `story: #KyivTalks` would build with no story
    at all (an empty optional field is left out), `- #x` would be an empty item, and `[Kyiv,
    #Odesa]` as the last field a YAML error past the list. Each message names the '#'."""
    text = entry_text(body="b").replace("---\nb\n", field + "\n---\nb\n")
    root = site({"content/e.md": text})
    result = run_digest(root, "check")
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == line


@pytest.mark.parametrize("field, line", [
    ("title: Ceasefire talks #2 in Istanbul", "content/e.md:5: title: the value stops at '#2 in Istanbul'"),
    ("people:\n  - Jo #1 fan", "content/e.md:7: people: the value stops at '#1 fan'"),
    ("source:\n  name: Channel #4", "content/e.md:7: source.name: the value stops at '#4'"),
])
def test_a_value_cut_short_by_a_hash_is_an_error_not_a_shorter_headline(site, field, line):
    """YAML reads ' #' as the start of a comment: `title: Ceasefire talks #2 in Istanbul` would
    publish the headline "Ceasefire talks"."""
    text = entry_text(body="b")
    key = field.split(":")[0]
    text = "\n".join(line for line in text.split("\n") if not line.startswith(key + ":"))
    root = site({"content/e.md": text.replace("---\nb", field + "\n---\nb")})
    result = run_digest(root, "check")
    assert result.returncode == 1, result.stderr
    first = result.stderr.splitlines()[0]
    assert first.startswith(line + ", which YAML reads as a comment"), first
    assert "the whole value must be in quotes" in first


def test_a_comment_after_a_value_or_an_empty_field_is_still_a_comment(site):
    text = entry_text(tags="[Ukraine]  # topics", body="b").replace(
        "---\nb\n", "slug:  # the last part of the URL\nkind: news  #news or analysis\n---\nb\n")
    root = site({"content/e.md": text})
    result = run_digest(root, "build", "--no-search")
    assert result.returncode == 0, result.stderr
    assert (root / "output/2025/07/e/index.html").is_file()


SLIPS = {
    "unclosed double quote": ('title: "Talks resume', 2, 8, "the double quote that opens this value is not closed",
                              'title: "Talks resume"'),
    "unclosed single quote": ("title: 'Kyiv''s talks", 2, 8, "the single quote that opens this value is not closed",
                              "title: 'Kyiv''s talks'"),
    "unclosed list": ("tags: [Russia, Ukraine", 5, 7, "the list that '[' opens is not closed on this line",
                      "tags: [Russia, Ukraine]"),
    "unclosed list, with a comment": ("tags: [Russia, Ukraine  # topics", 5, 7,
                                      "the list that '[' opens is not closed on this line",
                                      "tags: [Russia, Ukraine]  # topics"),
    "unclosed mapping": ("source: {name: Reuters, url: https://example.org/a", 6, 9,
                         "the mapping that '{' opens is not closed on this line",
                         "source: {name: Reuters, url: https://example.org/a}"),
    "unclosed quote in a list item": ('people:\n  - "Zelensky\n  - Putin', 7, 5,
                                      "the double quote that opens this value is not closed", '- "Zelensky"'),
    "no space after the colon": ("title:Talks resume", 2, 6, "a space must follow the ':' before the value",
                                 "title: Talks resume"),
    "no space after the colon, in a mapping": ("source:\n  name: Reuters\n  url:https://example.org/a", 8, 6,
                                               "a space must follow the ':' before the value",
                                               "url: https://example.org/a"),
}


@pytest.mark.parametrize("slip", SLIPS.values(), ids=SLIPS)
def test_a_slip_yaml_reads_past_is_named_on_its_own_line_with_the_line_fixed(site, slip):
    """An unclosed quote or bracket, or `title:Kyiv`, is an error to YAML only where it gives
    up reading: the next field, or the closing '---'. The message names the line of the slip
    and shows it fixed; written as shown, the entry builds."""
    field, line, column, problem, fixed = slip
    key = field.split(":")[0]
    text = entry_text(body="b", **({key: None} if key in ("title", "tags") else {}))
    if key == "title":
        text = text.replace("---\n", f"---\n{field}\n", 1)
    elif key == "tags":
        text = text.replace("summary: A summary.\n", f"summary: A summary.\n{field}\n")
    else:
        text = text.replace("---\nb", f"{field}\n---\nb")
    root = site({DATE: text})
    result = run_digest(root, "check")
    assert result.returncode == 1
    first = result.stderr.splitlines()[0]
    assert first.startswith(f"{DATE}:{line}: YAML syntax error, column {column}: {problem} (YAML reads on"), first
    assert first.endswith(f"; write the line as {fixed}"), first
    lines = text.split("\n")
    indent = lines[line - 1][: len(lines[line - 1]) - len(lines[line - 1].lstrip())]
    lines[line - 1] = indent + fixed
    (root / DATE).write_text("\n".join(lines), encoding="utf-8")
    assert run_digest(root, "check").returncode == 0


def test_a_field_with_no_space_after_its_colon_and_a_colon_later_is_named_with_the_line_fixed(site):
    """`title:Kyiv: talks` is valid YAML, the key 'title:Kyiv' holding 'talks': one error, at
    the line, with the line as meant (not a missing title, nor 'title:' for 'title:Kyiv:',
    which would drop 'Kyiv'); written as shown, the entry builds."""
    text = entry_text(title=None, body="b").replace("---\n", "---\ntitle:Kyiv: talks resume\n", 1)
    root = site({DATE: text})
    result = run_digest(root, "check")
    assert result.returncode == 1
    assert result.stderr.splitlines()[:2] == [
        f"{DATE}:2: title:Kyiv: a space must follow the ':' after 'title', or YAML reads 'title:Kyiv' as the "
        'field\'s name: write the line as title: "Kyiv: talks resume"',
        "digest: 1 error in 1 file; nothing was written"]
    (root / DATE).write_text(text.replace("title:Kyiv: talks resume", 'title: "Kyiv: talks resume"'), encoding="utf-8")
    assert run_digest(root, "check").returncode == 0


def test_tab_indentation_in_front_matter_is_named(site):
    text = "---\ntitle: Tabs\ndate: 2025-07-23\nsummary: x\ntags:\n\t- a\n---\nbody\n"
    root = site({DATE: text})
    result = run_digest(root, "build", "--no-search")
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == (
        f"{DATE}:6: YAML syntax error, column 1: a tab indents this line; "
        "YAML indents with spaces only: replace the tab with spaces")
    assert "Traceback" not in result.stderr
