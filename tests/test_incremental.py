"""Incremental rebuilds: `digest serve` and `digest build` redo only what an edit reaches.

An edit the site model does not read (a title, a summary, a body) is made in place: `digest
serve` keeps its model, swaps the entry into its post and renders again only the pages
showing it; `digest build` fingerprints only the pages that showed the entry in the last
build. An edit of terms (tags, people, places) fingerprints only the pages those terms reach.
Whatever the edit, the result must equal a fresh preview's or a clean build's, byte for byte
(the build side of that, for every edit of helpers.EDITS, is in test_cache.py)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import (EDITS, ENTRIES, ENTRY_EDITS, FILE_EDITS, IN_PLACE, SETTING_EDITS, SETTINGS, STATIC, TERM_EDITS,
                     assert_equals_clean_build, build_site, edit, entry_text, slow_but_fast_edits, snapshot, write_site)
from digest.build import make_site
from digest.config import load_config
from digest.errors import DigestError
from digest.reuse import sharing
from digest.serve import Preview, stat_of

# Every other edit of an entry or of the settings builds the model afresh (edits of terms
# only, TERM_EDITS, have tests of their own below).
REBUILT = [name for name in {**ENTRY_EDITS, **SETTING_EDITS} if name not in IN_PLACE and name not in TERM_EDITS]
STATIC_EDITS = [name for name in FILE_EDITS if name.startswith("static file")]


def stamps(root: Path) -> dict[Path, tuple]:
    return {path: stat_of(path) for path in root.rglob("*") if path.is_file()}


def preview(root: Path, temp: Path) -> Preview:
    made = Preview(root)
    made.temp = temp  # Built folders are named in it; nothing is written without start()
    assert made.rebuild(set()).ok
    return made


def edited(root: Path, temp: Path, mutation) -> tuple[Preview, object, dict]:
    """A preview, the result of its rebuild after the mutation, and its pages before it."""
    served = preview(root, temp)
    before = dict(served.current.pages)
    old = stamps(root)
    mutation(root)
    new = stamps(root)
    changed = {path for path in old.keys() | new.keys() if old.get(path) != new.get(path)}
    return served, served.rebuild(changed), before


def assert_same_site(served: Preview, root: Path, temp: Path) -> None:
    fresh = preview(root, temp).current.pages
    pages = served.current.pages
    assert sorted(pages) == sorted(fresh)
    assert [path for path in pages if pages[path] != fresh[path]] == []


@pytest.mark.parametrize("name", slow_but_fast_edits(IN_PLACE))
def test_an_edit_the_model_does_not_read_is_made_in_place(site, tmp_path, name):
    root = site(ENTRIES, SETTINGS)
    served, result, before = edited(root, tmp_path, EDITS[name])
    assert result.ok and result.in_place, result
    assert served.current.pages != before, "the edit must change the site"
    assert 0 < result.rendered < len(before) / 2
    assert_same_site(served, root, tmp_path)


@pytest.mark.parametrize("name", slow_but_fast_edits(REBUILT))
def test_an_edit_the_model_reads_rebuilds_it(site, tmp_path, name):
    root = site(ENTRIES, SETTINGS)
    served, result, before = edited(root, tmp_path, EDITS[name])
    assert result.ok and not result.in_place, result
    assert served.current.pages != before
    assert_same_site(served, root, tmp_path)


@pytest.mark.parametrize("name", STATIC_EDITS)
def test_a_static_file_added_changed_or_deleted_reaches_the_preview(site, tmp_path, name):
    root = site({**ENTRIES, **STATIC}, SETTINGS)
    served, result, before = edited(root, tmp_path, EDITS[name])
    assert result.ok and not result.in_place, result
    assert served.current.pages != before
    assert_same_site(served, root, tmp_path)
    published = {path: data for path, data in served.current.pages.items() if (root / "static" / path).is_file()}
    assert published == {path.relative_to(root / "static").as_posix(): path.read_bytes()
                         for path in (root / "static").rglob("*") if path.is_file()}


def test_edits_in_place_follow_each_other(site, tmp_path):
    root = site(ENTRIES, SETTINGS)
    served = preview(root, tmp_path)
    entry = root / "content/2025/07/walkout.md"
    for number in range(3):
        text = entry.read_text(encoding="utf-8")
        entry.write_text(text.replace("Dockers", f"Dockers {number}", 1), encoding="utf-8")
        assert served.rebuild({entry}).in_place
    assert_same_site(served, root, tmp_path)
    EDITS["tags"](root)  # then one that rebuilds the model, then in place again
    assert not served.rebuild({root / "content/2025/07/talks.md"}).in_place
    EDITS["summary"](root)
    assert served.rebuild({root / "content/2025/07/note.md"}).in_place
    assert_same_site(served, root, tmp_path)


def test_an_error_elsewhere_is_not_hidden_by_an_edit_in_place(site, tmp_path):
    root = site(ENTRIES, SETTINGS)
    served = preview(root, tmp_path)
    broken = root / "content/2025/07/storm.md"
    broken.write_text("---\ntitle: [unclosed\n---\n", encoding="utf-8")
    assert not served.rebuild({broken}).ok
    EDITS["title"](root)
    result = served.rebuild({root / "content/2025/07/walkout.md"})
    assert not result.ok and not result.in_place
    assert any("storm.md" in problem.path for problem in result.problems)


def test_an_edit_that_breaks_the_entry_is_reported(site, tmp_path):
    root = site(ENTRIES, SETTINGS)
    served = preview(root, tmp_path)
    entry = root / "content/2025/07/walkout.md"
    entry.write_text(entry.read_text(encoding="utf-8").replace("tags: [Ports]", "tags: []"), encoding="utf-8")
    result = served.rebuild({entry})
    assert not result.ok and any(problem.field == "tags" for problem in result.problems)



def link_warnings(result) -> list[str]:
    return [f"{problem.path}:{problem.line}: {problem.message}" for problem in result.problems
            if not problem.is_error and "no such page" in problem.message]


def test_serve_warns_of_broken_links_as_build_does_and_follows_edits_in_place(site, tmp_path):
    root = site(ENTRIES, SETTINGS)
    entry = root / "content/2025/07/storm.md"
    entry.write_text(entry.read_text(encoding="utf-8").replace("Body text.", "See [gone](/tags/nope/)."), encoding="utf-8")
    served = Preview(root)
    served.temp = tmp_path
    first = served.rebuild(set())
    assert first.ok and link_warnings(first) == ["content/2025/07/storm.md:9: link to '/tags/nope/': no such page in the site"]
    built_warnings = [f"{p.path}:{p.line}: {p.message}" for p in build_site(root).warnings if "no such page" in p.message]
    assert built_warnings == link_warnings(first)
    # A body edit (made in place) that mends the link, then one that breaks another.
    edit(root / "content/2025/07/storm.md", "See [gone](/tags/nope/).", "See [the tags](/tags/).")
    mended = served.rebuild({entry})
    assert mended.ok and mended.in_place and link_warnings(mended) == []
    edit(root / "content/2025/07/storm.md", "See [the tags](/tags/).", "Body.\n\nSee [x](/nowhere/).")
    broken = served.rebuild({entry})
    assert broken.ok and broken.in_place
    assert link_warnings(broken) == ["content/2025/07/storm.md:11: link to '/nowhere/': no such page in the site"]


def test_builds_in_place_follow_each_other(site):
    root = site(ENTRIES, SETTINGS)
    build_site(root)
    for name in ("title", "body", "summary"):
        EDITS[name](root)
        assert build_site(root).in_place
    EDITS["tags"](root)
    assert not build_site(root).in_place
    EDITS["author"](root)
    assert build_site(root).in_place
    assert_equals_clean_build(root)


# --- edits of terms, across builds (reuse.terms_reach) -----------------------------------
# Only the entries' tags, people or places change: every post keeps its place, and only the
# pages those terms reach are fingerprinted again. The rest must still equal a clean build.
# That each edit of TERM_EDITS fingerprints fewer pages than a whole build, and then equals a
# clean build, is checked with the other edits in test_cache.py.

def route_count(root: Path) -> int:
    site_model, _ = make_site(load_config(root, search=False))
    return len(site_model.routes)


def test_a_new_term_taking_the_slug_of_another_is_a_whole_site_change(site):
    root = site(ENTRIES, SETTINGS)
    build_site(root)
    # "(labour)" sorts before "labour", so it takes the slug `labour` and Labour gets another.
    edit(root / "content/2025/07/storm.md", "tags: [Weather]", 'tags: [Weather, "(labour)"]')
    result = build_site(root)
    assert result.fingerprinted == route_count(root)
    assert (root / "output/tags/labour/index.html").read_text(encoding="utf-8").count("(labour)") > 0
    assert_equals_clean_build(root)


@pytest.mark.slow  # seven builds, each compared with a clean build
def test_edits_of_terms_and_in_place_follow_each_other(site):
    root = site(ENTRIES, SETTINGS)
    build_site(root)
    steps = [EDITS["the last entries leave a tag"], EDITS["title"], EDITS["tags"], EDITS["body"],
             lambda root: edit(root / "content/2025/07/storm.md", "tags: [Misc]", "tags: [Misc, Ports]"), EDITS["summary"],
             lambda root: edit(root / "content/2025/07/storm.md", "tags: [Misc, Ports]", "tags: [Weather]")]
    for step in steps:
        step(root)
        result = build_site(root)
        assert result.fingerprinted < route_count(root)
        assert_equals_clean_build(root)


def test_related_entries_follow_an_edit_of_terms_the_site_has_no_pages_for(site):
    # Without a people taxonomy no page holds the person as a term: the entries sharing the
    # edited person are found from the entries themselves. Storm gains Ana Diaz: it enters
    # the related entries of Talks and Dockers walk out, whose pages did not show it before.
    root = site(ENTRIES, SETTINGS + 'taxonomies = ["tags"]\n')
    build_site(root)
    talks = (root / "output/2025/07/talks/index.html").read_text(encoding="utf-8")
    assert "Storm closes airport" not in talks
    EDITS["people"](root)
    result = build_site(root)
    assert result.fingerprinted < route_count(root)
    assert "Storm closes airport" in (root / "output/2025/07/talks/index.html").read_text(encoding="utf-8")
    assert_equals_clean_build(root)


@pytest.mark.parametrize("taxonomies", ['["tags", "people", "places"]', '["tags"]'])
def test_the_posts_sharing_a_term_an_edited_entry_gained_are_found(site, taxonomies):
    root = site(ENTRIES, SETTINGS + f"taxonomies = {taxonomies}\n")
    EDITS["people"](root)  # Storm: Bo Li -> Ana Diaz
    site_model, _ = make_site(load_config(root, search=False))
    storm = next(post for post in site_model.posts if post.url.endswith("/storm/"))
    old_storm = replace(storm.entry, people=("Bo Li",))
    found = sharing(site_model, [(old_storm, storm.entry)])
    # Ana Diaz: Talks, Dockers walk out and Storm itself (Weather, kept, is not looked at).
    assert sorted(post.url.rsplit("/", 2)[-2] for post in found) == ["storm", "talks", "walkout"]


def test_a_renamed_term_reaches_pages_that_name_it_without_showing_the_edited_entry(site):
    # Quiet names Bo Li, but its related entries are the five of its story (17 points each
    # against Bo Li's 4): its page does not show Loud. Loud's "BO LI" ties with "Bo Li" and
    # sorts first: the person is renamed, and Quiet's page must say so.
    files = {"content/quiet.md": entry_text('"Quiet"', "2025-07-01", tags="[A]", people="[Bo Li]", story="S"),
             "content/loud.md": entry_text('"Loud"', "2025-07-02", tags="[B]", people="[Bo Li]")}
    for number in range(5):
        files[f"content/s{number}.md"] = entry_text(f'"Part {number}"', f"2025-06-0{number + 1}", tags="[A]", story="S")
    root = site(files, SETTINGS)
    build_site(root)
    quiet = root / "output/2025/07/quiet/index.html"
    assert "Loud" not in quiet.read_text(encoding="utf-8") and "Bo Li" in quiet.read_text(encoding="utf-8")
    edit(root / "content/loud.md", "[Bo Li]", "[BO LI]")
    assert build_site(root).fingerprinted < route_count(root)
    assert "BO LI" in quiet.read_text(encoding="utf-8")
    assert_equals_clean_build(root)


@pytest.mark.parametrize("name", slow_but_fast_edits(TERM_EDITS))
def test_serve_fingerprints_only_what_an_edit_of_terms_reaches(site, tmp_path, name):
    root = site(ENTRIES, SETTINGS)
    served, result, before = edited(root, tmp_path, EDITS[name])
    assert result.ok and not result.in_place, result
    assert 0 < result.fingerprinted < route_count(root)
    assert served.current.pages != before
    assert_same_site(served, root, tmp_path)


@pytest.mark.slow  # five rebuilds, each compared with a fresh preview
def test_serve_follows_edits_of_terms_and_in_place(site, tmp_path):
    root = site(ENTRIES, SETTINGS)
    served = preview(root, tmp_path)
    steps = [(EDITS["the last entries leave a tag"], ["storm.md", "note.md"]), (EDITS["title"], ["walkout.md"]),
             (EDITS["tags"], ["talks.md"]), (EDITS["body"], ["storm.md"]),
             (lambda root: edit(root / "content/2025/07/storm.md", "tags: [Misc]", "tags: [Misc, Ports]"), ["storm.md"])]
    for step, names in steps:
        step(root)
        assert served.rebuild({root / "content/2025/07" / name for name in names}).ok
        assert_same_site(served, root, tmp_path)


# --- any edit of terms, generated (hypothesis) ------------------------------------------------
# The cases above name the kinds of terms edits; this draws them at random over a small site
# (terms added, removed, respelled, new, a slug taken), in build and in serve.

POOL = {"tags": ["Ports", "Labour", "Weather", "Misc", "Strikes", "Hurricanes", "(labour)"],
        "people": ["Ana Diaz", "Bo Li", "Cy Oh"], "places": ["Kyiv", "Lviv", "Odesa"]}
BASE = {f"e{n}": {"tags": [POOL["tags"][n % 3], POOL["tags"][(n * 2) % 4]] if n % 3 else [POOL["tags"][n % 4]],
                  "people": [POOL["people"][n % 2]] if n % 3 else [],
                  "places": [POOL["places"][n % 2]] if n % 2 else []} for n in range(9)}
# (entry, field, what, which): add a value of the pool, drop one, or respell one (another case).
TERMS_EDITS = st.lists(st.tuples(st.sampled_from(sorted(BASE)), st.sampled_from(sorted(POOL)),
                                 st.sampled_from(["add", "drop", "respell"]), st.integers(0, 10)),
                       min_size=1, max_size=3)


def term_file(name: str, spec: dict) -> str:
    number = int(name[1:])
    fields = {field: "[" + ", ".join(json.dumps(value) for value in spec[field]) + "]"
              for field in POOL if spec[field]}
    return entry_text(json.dumps(spec.get("title", f"Entry {number}")), spec.get("date", f"2025-07-{number % 4 + 1:02d}"),
                      tags=fields.pop("tags"), body=spec.get("body", "Body text."),
                      story=spec.get("story", "Harbour strike" if number % 4 == 0 else None), **fields,
                      **spec.get("extra", {}))


def terms_site(root: Path, specs: dict) -> Path:
    files = {f"content/{name}.md": term_file(name, spec) for name, spec in specs.items()}
    return write_site(root, files, SETTINGS.replace("per_page = 5", "per_page = 2"))


def base_specs() -> dict:
    """A copy of BASE that edits may change."""
    return {name: {field: list(values) for field, values in spec.items()} for name, spec in BASE.items()}


def drawn_edits(edits) -> dict:
    specs = base_specs()
    for name, field, what, which in edits:
        values = specs[name][field]
        if what == "add":
            value = POOL[field][which % len(POOL[field])]
            if value.casefold() not in {v.casefold() for v in values}:
                values.append(value)
        elif values and (what == "respell" or len(values) > (field == "tags")):
            index = which % len(values)
            if what == "drop":
                del values[index]
            else:
                values[index] = values[index].upper() if values[index] != values[index].upper() else values[index].lower()
    return specs


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(TERMS_EDITS)
def test_any_edit_of_terms_equals_a_clean_build(tmp_path_factory, edits):
    root = terms_site(tmp_path_factory.mktemp("terms"), BASE)
    build_site(root)
    specs = drawn_edits(edits)
    for name in specs:
        if specs[name] != BASE[name]:
            (root / f"content/{name}.md").write_text(term_file(name, specs[name]), encoding="utf-8")
    build_site(root)
    assert_equals_clean_build(root)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(TERMS_EDITS)
def test_any_edit_of_terms_in_serve_equals_a_fresh_preview(tmp_path_factory, edits):
    root = terms_site(tmp_path_factory.mktemp("terms"), BASE)
    temp = tmp_path_factory.mktemp("temp")
    served = preview(root, temp)
    specs = drawn_edits(edits)
    changed = set()
    for name in specs:
        if specs[name] != BASE[name]:
            (root / f"content/{name}.md").write_text(term_file(name, specs[name]), encoding="utf-8")
            changed.add(root / f"content/{name}.md")
    assert served.rebuild(changed).ok
    assert_same_site(served, root, temp)


# Any edit at all, in steps, each built with the cache: dates and stories move posts, titles
# and bodies are edits in place, terms move between terms, files come and go.
# Front-matter fields set as written: each edit picks one of these values (None: left out).
OTHER_FIELDS = {
    "draft": [None, "true"],
    "slug": [None, "s0", "s1", "S1"],
    "source": [None, "Wire", "{name: Wire, url: 'https://example.org/w'}", "Other wire"],
    "event_date": [None, "2025-06-02", "2025-07-09"],
    "summary": [None, '"Another summary."'],
    "kind": [None, "analysis", "opinion"],
    "author": [None, "Jo Roe", "[Jo Roe, Al Bo]"],
}
ANY_EDITS = st.lists(st.lists(st.tuples(st.sampled_from(sorted(BASE) + ["e9", "e10"]),
                                        st.sampled_from(["title", "body", "date", "story", "tags", "people",
                                                         "places", "delete", *OTHER_FIELDS]),
                                        st.integers(0, 10)), min_size=1, max_size=3), min_size=1, max_size=3)
STORIES = [None, "Harbour strike", "HARBOUR STRIKE", "Storm season"]


def outcome(root: Path, output: str, cache: bool) -> tuple:
    """("ok", the output folder's files) of a build, or ("error", its message)."""
    try:
        build_site(root, output, cache=cache)
    except DigestError as error:
        return "error", str(error)
    return "ok", snapshot(root / output)


def apply_step(root: Path, specs: dict, step) -> None:
    for name, what, which in step:
        if what == "delete":
            specs.pop(name, None)
            (root / f"content/{name}.md").unlink(missing_ok=True)
            continue
        spec = specs.setdefault(name, {"tags": [POOL["tags"][which % 7]], "people": [], "places": []})
        if what == "title":
            spec["title"] = f"Title {which}"
        elif what == "body":
            spec["body"] = f"Body {which}, [a link](e{which % 9}.md)." if which % 2 else f"Body {which}."
        elif what == "date":
            spec["date"] = f"2025-0{6 + which % 2}-{which % 5 + 1:02d}"
        elif what == "story":
            spec["story"] = STORIES[which % len(STORIES)]
        elif what in OTHER_FIELDS:
            choices = OTHER_FIELDS[what]
            spec.setdefault("extra", {})[what] = choices[which % len(choices)]
        else:
            values = spec[what]
            value = POOL[what][which % len(POOL[what])]
            if value.casefold() in {v.casefold() for v in values}:
                if len(values) > (what == "tags"):
                    values.remove(next(v for v in values if v.casefold() == value.casefold()))
            else:
                values.append(value)
        (root / f"content/{name}.md").write_text(term_file(name, spec), encoding="utf-8")


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(ANY_EDITS)
def test_any_edits_built_in_steps_equal_a_clean_build(tmp_path_factory, steps):
    root = terms_site(tmp_path_factory.mktemp("edits"), BASE)
    specs = base_specs()
    build_site(root)
    for step in steps:
        apply_step(root, specs, step)
        cached = outcome(root, "output", cache=True)
    assert cached == outcome(root, "clean", cache=False)


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(ANY_EDITS)
def test_any_edits_served_in_steps_equal_a_fresh_preview(tmp_path_factory, steps):
    root = terms_site(tmp_path_factory.mktemp("edits"), BASE)
    temp = tmp_path_factory.mktemp("temp")
    specs = base_specs()
    served = preview(root, temp)
    for step in steps:
        apply_step(root, specs, step)
        ok = served.rebuild({root / f"content/{name}.md" for name, _, _ in step}).ok
    fresh = Preview(root)
    fresh.temp = tmp_path_factory.mktemp("fresh")
    assert fresh.rebuild(set()).ok == ok  # a slug taken twice fails both
    if ok:
        assert_same_site(served, root, temp)
