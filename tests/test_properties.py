"""Property tests (Hypothesis): whatever the input, the pipeline answers with an Entry or a
located problem, keeps every path inside the output, and escapes what it renders."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from digest.config import Config
from digest.entries import Entry, read_entry
from digest.errors import NOT_IN_TEXT, DigestError
from digest.load import LoadError, parse_source
from digest.render import make_environment, render_pages
from digest.site import build_site
from digest.write import safe_target

CONFIG = Config(root=Path(__file__).resolve().parent / "fixtures" / "hostile", timezone="Europe/Kyiv")
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLOW = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

KEYS = st.sampled_from(["title", "date", "summary", "tags", "source", "author", "people", "places", "story",
                        "event_date", "kind", "draft", "slug", "tag", "url", "name", "- ", "? ", "<<"])
YAMLISH = st.text(alphabet="abc :-[]{},'\"!&*#|>%@`\\\n\t\r?.0123456789TZ+\u2028\x85\x07\ufeff\x00é", max_size=40)
VALUES = st.one_of(YAMLISH, st.sampled_from(["2025-07-23", "2025-02-30", "2025-03-30T03:30", "0001-01-01T00:00+01:00",
                                               "9999-12-31T23:59-05:00", "[a, b]", "{a: b}", "true", "TRUE", "no",
                                               "!!python/object/apply:os.system [x]", "&a [x]", "*a", "[[[[", "~", "null"]))
FRONT_MATTER = st.one_of(
    st.text(max_size=200),
    st.lists(st.tuples(KEYS, VALUES), max_size=12).map(lambda pairs: "\n".join(f"{k}: {v}" for k, v in pairs)),
)


def read(data: bytes):
    source = parse_source(data, "content/x.md", "x")
    return read_entry(source, CONFIG)


@FAST
@given(FRONT_MATTER, st.text(max_size=60))
def test_any_front_matter_gives_an_entry_or_located_problems(front, body):
    data = ("---\n" + front + "\n---\n" + body).encode("utf-8", "surrogatepass")
    lines = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n").count(b"\n") + 1  # as editors count
    try:
        entry, problems = read(data)
    except LoadError as error:
        assert isinstance(error.line, int) and 1 <= error.line <= lines, (error.line, error.message)
        assert error.message
        return
    for problem in problems:
        assert problem.path == "content/x.md"
        assert isinstance(problem.line, int) and 1 <= problem.line <= lines, problem
    assert (entry is None) == any(p.is_error for p in problems)
    if entry is not None:
        assert isinstance(entry, Entry) and entry.title and entry.tags
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", entry.slug)


@FAST
@given(st.binary(max_size=300))
def test_any_bytes_give_an_entry_or_a_located_problem(data):
    try:
        _, problems = read(data)
    except LoadError as error:
        assert isinstance(error.line, int) and error.line >= 1
        return
    assert all(isinstance(p.line, int) for p in problems)


def entry(**fields) -> Entry:
    source = parse_source(("---\n" + yaml.safe_dump({"title": "T", "date": "2025-07-23", "summary": "S",
                                                      "tags": ["x"], **fields}, allow_unicode=True)
                           + "---\nBody\n").encode(), "content/x.md", "x")
    made, problems = read_entry(source, CONFIG)
    assert (made is None) == any(p.is_error for p in problems)
    assert all(isinstance(p.line, int) for p in problems)
    return made


PRINTABLE = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=40)


@SLOW
@given(PRINTABLE, st.lists(PRINTABLE, min_size=1, max_size=4), st.lists(PRINTABLE, max_size=3))
def test_any_slug_or_term_maps_inside_the_output(tmp_path_factory, slug, tags, people):
    made = entry(slug=slug, tags=tags, people=people)
    if made is None:  # refused with a located problem (say a path-like slug, a blank term)
        return
    site, _ = build_site([made], CONFIG)
    folder = tmp_path_factory.getbasetemp() / "out"
    for route in site.routes:
        target = safe_target(folder, route.output_path)
        assert target.resolve().is_relative_to(folder.resolve())
        assert re.fullmatch(r"[a-z0-9/._-]*", route.output_path), route.output_path


JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.text(),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
                    max_leaves=12)


@FAST
@given(JSON)
def test_tojson_never_closes_a_script(value):
    out = make_environment(CONFIG).from_string("{{ value|tojson }}").render(value=value)
    assert "</" not in out and "<!--" not in out and "<script" not in out.lower()
    assert json.loads(out) == value


class Heading(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.inside, self.text = False, ""

    def handle_starttag(self, tag, attrs):
        self.inside = self.inside or tag == "h1"

    def handle_endtag(self, tag):
        if tag == "h1":
            self.inside = False

    def handle_data(self, data):
        if self.inside:
            self.text += data


@pytest.mark.slow  # 40 titles, each rendered through a whole page template
@SLOW
@given(PRINTABLE)
def test_a_rendered_title_parses_back_to_the_same_text(title):
    made = entry(title=title)
    if made is None:  # only whitespace, or a noncharacter (U+FFFF): refused
        assert not title.strip() or NOT_IN_TEXT.search(title)
        return
    site, _ = build_site([made], CONFIG)
    route = next(r for r in site.routes if r.template == "entry.html")
    page = render_pages(site, [route])[0]
    parser = Heading()
    parser.feed(page.data.decode("utf-8"))
    assert parser.text == made.title
    assert made.title == " ".join(title.split()) if "\n" in title else title.strip()


def test_the_properties_can_fail():
    """A check of the checks: an unescaped title would not parse back."""
    parser = Heading()
    parser.feed("<h1>a <b>&amp;</b></h1>")
    assert parser.text != "a <b>&amp;</b>"
    try:
        raise DigestError([])
    except DigestError as error:
        assert error.problems == ()
