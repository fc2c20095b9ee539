"""Source -> Entry: the schema rules of DESIGN section 1, field by field."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from digest.config import Config
from digest.entries import FIELDS, read_entry, slugify
from digest.errors import format_problem
from digest.load import parse_source

UTC_SITE = Config(root=".")


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
        "content/entry.md:1: title: required field is missing: add 'title:' (headline of the entry)",
        "content/entry.md:1: date: required field is missing: add 'date:' (when the source was published: date, or date-time with offset)",
        "content/entry.md:1: summary: required field is missing: add 'summary:' (one or two sentences shown in listings, feeds and search)",
        "content/entry.md:1: tags: required field is missing: add 'tags:' (list of topics, at least one)",
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
    """As an unknown field is (DESIGN section 1); the known keys are still read."""
    entry, problems = read(front(source="{nme: X, name: Y, url: 'https://example.org/a'}"))
    assert (entry.source_name, entry.source_url) == ("Y", "https://example.org/a")
    assert problems == ["content/entry.md:6: warning: source: unknown key 'source.nme' (did you mean 'name'?); "
                        "source takes name and url"]
    entry, problems = read(front(source="{nme: X}"))
    assert entry is None and problems == [
        "content/entry.md:6: warning: source: unknown key 'source.nme' (did you mean 'name'?); source takes name and url",
        "content/entry.md:6: source: source.name is missing: give the publisher's name"]


@pytest.mark.parametrize("given, meant", [("person", "people"), ("place", "places"), ("Categories", "tags"),
                                          ("authors", "author"), ("description", "summary"), ("publisher", "source")])
def test_an_unknown_field_named_for_another_generator_suggests_ours(given, meant):
    entry, problems = read(front(**{given: "[x]"}))
    assert entry is not None
    assert problems == [f"content/entry.md:6: warning: {given}: unknown field (did you mean '{meant}'?)"]


def test_source_url_must_be_http():
    for url in ["javascript:alert(1)", "JaVaScRiPt:alert(1)", "ftp://example.org/", "//example.org/x", "data:text/html,x"]:
        _, problems = read(front(source=f"{{name: X, url: '{url}'}}"))
        assert problems == [f"content/entry.md:6: source: url: expected an http:// or https:// URL, got '{url}'"]
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
    concurrent.futures and subprocess (14 ms of imports) are imported where they are used."""
    import subprocess
    import sys

    code = ("import sys, digest.build, digest.cli; print(sorted(m for m in "
            "('multiprocessing', 'concurrent.futures', 'subprocess') if m in sys.modules))")
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert found.strip() == "[]"
