"""[Entry] -> Site: URLs, terms, pagination, collisions. Pure functions, no files."""

from __future__ import annotations

import pytest

from digest.config import Config
from digest.errors import format_problem
from digest.load import parse_source
from digest.entries import read_entry
from digest.site import build_site
from digest.taxonomies import paginate

CONFIG = Config(root=".", per_page=2)


def entry(name: str, date="2025-07-23", tags="[Russia]", **more):
    fields = {"title": name, "date": date, "summary": "S", "tags": tags, **more}
    text = "---\n" + "".join(f"{k}: {v}\n" for k, v in fields.items()) + "---\n"
    made, problems = read_entry(parse_source(text.encode(), f"content/{name}.md", name), CONFIG)
    assert made is not None, problems
    return made


def test_entry_urls_follow_the_permalink_in_the_site_timezone():
    late = entry("late", date="2025-07-31T23:30:00+00:00")
    site, _ = build_site([late], CONFIG)
    assert site.posts[0].url == "2025/07/late/"
    kyiv = Config(root=".", timezone="Europe/Kyiv", permalink="/news/{year}/{month}/{day}/{slug}/")
    site, _ = build_site([late], kyiv)
    assert site.posts[0].url == "news/2025/08/01/late/"


def test_two_entries_with_the_same_url_is_an_error_naming_both():
    site, problems = build_site([entry("a", slug="same"), entry("b", slug="same")], CONFIG)
    assert [format_problem(p) for p in problems] == [
        "content/b.md:6: slug: same URL /2025/07/same/ as content/a.md; give this entry a URL of its own: "
        "write the line as slug: same-2"]


def test_an_entry_url_on_a_listing_page_is_an_error():
    config = Config(root=".", permalink="/{slug}/")
    _, problems = build_site([entry("tags")], config)
    assert [format_problem(p) for p in problems] == [
        "content/tags.md:6: slug: URL /tags/ is already a page of the site; give this entry a URL of its own: "
        "add a line slug: tags-2 above this closing '---'"]


@pytest.mark.parametrize("slug, holds", [("static", "static files"), ("pagefind", "search index")])
def test_an_entry_url_in_a_folder_of_static_files_or_the_search_index_is_an_error(slug, holds):
    config = Config(root=".", permalink="/{slug}/")
    _, problems = build_site([entry(slug), entry("fine")], config)
    assert [format_problem(p) for p in problems] == [
        f"content/{slug}.md:6: slug: URL /{slug}/ is inside /{slug}/, which holds the site's {holds}; "
        f"give this entry a URL of its own: add a line slug: {slug}-2 above this closing '---'"]
    assert build_site([entry(slug)], CONFIG)[1] == []  # under /2025/07/ the name is free


def test_terms_merge_case_and_spacing_and_take_the_most_used_spelling():
    entries = [entry("a", tags="[Ukraine]"), entry("b", tags="[ukraine]"), entry("c", tags="['Ukraine ']"),
               entry("d", tags="[ceasefire  talks]"), entry("e", tags="[Ceasefire talks]")]
    site, problems = build_site(entries, CONFIG)
    tags = {t.slug: (t.name, t.count) for t in site.taxonomies["tags"].terms}
    assert tags == {"ukraine": ("Ukraine", 3), "ceasefire-talks": ("Ceasefire talks", 2)}
    assert problems == []


def test_colliding_term_slugs_get_distinct_stable_slugs_and_a_warning():
    site, problems = build_site([entry("a", tags="[C++]"), entry("b", tags="[C]")], CONFIG)
    slugs = {t.name: t.slug for t in site.taxonomies["tags"].terms}
    assert slugs["C"] == "c" and slugs["C++"].startswith("c-") and slugs["C++"] != "c"
    assert [p.severity for p in problems] == ["warning"]
    again, _ = build_site([entry("b", tags="[C]"), entry("x", tags="[Java]"), entry("a", tags="[C++]")], CONFIG)
    assert {t.name: t.slug for t in again.taxonomies["tags"].terms}["C++"] == slugs["C++"]


def test_a_colliding_terms_suffix_goes_around_a_term_that_has_that_slug_itself():
    """`C++` would get `c-372946`; a tag spelled `c-372946` holds that slug, so `C++` gets a
    longer suffix, in every grouping that takes slugs (taxonomies, stories, sources)."""
    site, problems = build_site([entry("a", tags="[C++, C]"), entry("b", tags="[c-372946, c-372946a]")], CONFIG)
    slugs = {t.name: t.slug for t in site.taxonomies["tags"].terms}
    assert slugs == {"C": "c", "c-372946": "c-372946", "c-372946a": "c-372946a", "C++": "c-372946aa"}
    assert [format_problem(p) for p in problems] == [
        "content/a.md:5: warning: tags: 'C++' and 'C' make the same slug 'c'; 'C++' gets 'c-372946aa'"]
    site, _ = build_site([entry("a", story="C++"), entry("b", story="C"), entry("c", story="c-372946")], CONFIG)
    assert sorted(story.slug for story in site.stories) == ["c", "c-372946", "c-372946a"]
    routes = [route.output_path for route in site.routes]
    assert len(routes) == len(set(routes))


def test_terms_that_make_no_slug_still_get_one():
    site, _ = build_site([entry("a", tags="['+++']")], CONFIG)
    assert site.taxonomies["tags"].terms[0].slug.startswith("t-")


def test_pagination_urls():
    pages = paginate(tuple(range(5)), 2, "tags/x/")
    assert [(p.url, p.prev_url, p.next_url, p.posts) for p in pages] == [
        ("tags/x/", None, "tags/x/page/2/", (0, 1)),
        ("tags/x/page/2/", "tags/x/", "tags/x/page/3/", (2, 3)),
        ("tags/x/page/3/", "tags/x/page/2/", None, (4,)),
    ]
    assert paginate((), 2, "")[0].total == 1


def test_sources_taxonomy_and_configured_taxonomies():
    config = Config(root=".", taxonomies=("tags", "sources"))
    site, _ = build_site([entry("a", source="{name: Reuters}"), entry("b")], config)
    assert list(site.taxonomies) == ["tags", "sources"]
    assert [t.name for t in site.taxonomies["sources"].terms] == ["Reuters"]
    urls = {route.url for route in site.routes}
    assert "sources/reuters/" in urls and "people/" not in urls


def test_routes_are_unique_and_newest_first():
    site, _ = build_site([entry("old", date="2025-01-01"), entry("new", date="2025-07-01")], CONFIG)
    paths = [route.output_path for route in site.routes]
    assert len(paths) == len(set(paths))
    assert [p.entry.slug for p in site.posts] == ["new", "old"]
    assert [m.url for m in site.months] == ["archive/2025/07/", "archive/2025/01/"]


def test_a_post_survives_pickling_for_worker_processes():
    import pickle

    site, _ = build_site([entry("a")], CONFIG)
    post = pickle.loads(pickle.dumps(site.posts[0]))
    assert post.title == "a" and post.url == "2025/07/a/"


def test_an_entry_hashes_every_field_and_a_replaced_one_hashes_anew():
    from dataclasses import replace

    first = entry("a")
    assert first.fingerprint == entry("a").fingerprint          # the same file, the same hash
    assert replace(first, summary="T").fingerprint != first.fingerprint
    assert replace(first, body_html="<p>x</p>").fingerprint != first.fingerprint
    assert replace(first, summary="T") == replace(first, summary="T")  # not compared, not repr'd


def test_a_revised_entry_shows_on_every_page_of_its_post_and_the_model_stays_as_it_was():
    """digest serve's edit in place: the views show the new version, the model is not changed."""
    from dataclasses import replace

    from digest.site import model_fields
    from digest.views import Views

    site, _ = build_site([entry("a", tags="[Ports]"), entry("b", tags="[Ports]")], CONFIG)
    post = site.posts[0]
    retitled = replace(post.entry, title="New title", summary="New summary")
    assert model_fields(retitled) == model_fields(post.entry)
    views = Views(site, {post.url: retitled})
    listing = next(route for route in site.routes if route.url == "tags/ports/")
    assert [card.title for card in views.page(listing).pager.posts if card.url == post.url] == ["New title"]
    assert post.entry.title != "New title" and Views(site).entry(post).title == post.entry.title


def test_an_entry_pages_terms_are_looked_up_when_first_read():
    from digest.taxonomies import EntryTerms, entry_terms

    site, _ = build_site([entry("a", tags="[Russia, Talks]", people="[Ana]"), entry("b", tags="[talks]")], CONFIG)
    page = next(route for route in site.routes if route.template == "entry.html" and route.url.endswith("/a/"))
    terms = page.context["terms"]
    assert isinstance(terms, EntryTerms) and terms._terms is None
    expected = entry_terms(terms.post, site.taxonomies)
    assert dict(terms) == expected and terms["tags"] == expected["tags"] and len(terms) == len(expected)
    assert [term.name for term in terms["tags"]] == ["Russia", "Talks"]


def test_body_link_hrefs_are_escaped_as_markdown_it_writes_them():
    from markdown_it.common.utils import escapeHtml

    from digest.urls import escape_href

    for url in ("a&b.md", 'x"y<z>.md', "plain/path/", "&amp;", "q?a=1&b=2#f"):
        assert escape_href(url) == escapeHtml(url)


@pytest.mark.parametrize("timezone", ["Pacific/Kiritimati", "Etc/GMT+12"])
@pytest.mark.slow  # charts and weekly issues spanning ten thousand years
def test_dates_at_both_ends_of_the_supported_years_build(timezone, tmp_path):
    """Every day digest derives from an entry's date stays in Python's range: the day in the
    site time zone (+14:00 or -12:00 here) and in UTC, the ISO week of its weekly issue (the
    last week of 9999 ends in the year 10000), months of the charts, feeds and sitemap."""
    from helpers import entry_text, run_digest, write_site

    dates = ["0002-01-01", "0002-01-01T00:00:00+14:00", "0002-01-01T00:00:00", "0002-01-01T00:00:00-12:00",
             "9998-12-31", "9998-12-31T23:59:59-12:00", "9998-12-31T23:59:59", "9998-12-31T23:59:59+14:00"]
    files = {f"content/e{number}.md": entry_text(f"E{number}", value, story="S", event_date=value)
             for number, value in enumerate(dates)}
    root = write_site(tmp_path / "site", files, f'timezone = "{timezone}"\n')
    result = run_digest(root, "build", "--no-search")
    assert result.returncode == 0 and result.stderr == "", result.stderr
    years = {path.parent.parent.name for path in (root / "output" / "digest").glob("*/w*/index.html")}
    assert years & {"0001", "0002"} and years & {"9998", "9999"}, years
