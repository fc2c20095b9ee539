"""The template contract (digest/views.py): the docs say what the code gives, every context is
made of plain read-only records, and a template reading outside its context fails at its line."""

from __future__ import annotations

import re
from dataclasses import fields, is_dataclass
from datetime import date, datetime
from pathlib import Path

import jinja2
import pytest

from helpers import ENTRIES, ROOT, SETTINGS, entry_text, run_digest
from digest.build import make_site
from digest.config import load_config
from digest.render import make_environment
from digest.views import COMMON, CONTEXTS, RECORDS, EntryView, FrozenMap, Views, record_names

DOC = ROOT / "docs" / "reference" / "templates.md"


def documented() -> dict[str, dict[str, list[str]]]:
    """Section (`## ...`) -> heading (`### ...`) -> the first cell of each row of its table."""
    found: dict[str, dict[str, list[str]]] = {}
    section = heading = None
    for line in DOC.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            section = heading = line[3:].strip()  # a table right under it: under its own name
            found[section] = {heading: []}
        elif line.startswith("### "):
            heading = line[4:].strip()
            found[section][heading] = []
        elif heading is not None and (cell := re.match(r"\| `([^`]+)` \|", line)):
            found[section][heading].append(cell.group(1).replace("\\|", "|"))
    return found


def test_every_page_template_and_its_names_are_documented_as_the_code_gives_them():
    pages = documented()["Page templates"]
    assert list(pages) == ["Page templates", *CONTEXTS]
    for template, context in CONTEXTS.items():
        assert pages[template] == [f.name for f in fields(context)], template


def test_every_record_and_its_fields_are_documented_as_the_code_gives_them():
    records = documented()["Records"]
    assert list(records) == ["Records", *[kind.__name__ for kind in RECORDS]]
    for kind in RECORDS:
        assert records[kind.__name__] == record_names(kind), kind.__name__


def test_the_names_and_filters_every_template_sees_are_documented():
    common = documented()["Names every template sees"]
    config = load_config(ROOT)
    environment = make_environment(config)
    ours = environment.globals.keys() - jinja2.defaults.DEFAULT_NAMESPACE.keys()
    assert common["Names every template sees"] == [*COMMON, "cached"]
    assert set(common["Names every template sees"]) == ours | {"site", "page_url", "t"}  # those come with each page
    assert set(common["Filters"]) == environment.filters.keys() - jinja2.defaults.DEFAULT_FILTERS.keys()


PLAIN = (str, int, float, bool, type(None), date, datetime)


# The modules the site model's records come from (site.py and the concerns it is made of).
MODEL_MODULES = tuple(f"digest.{name}" for name in ("model", "syndication", "sections", "urls", "taxonomies",
                                                     "stories", "issues", "related", "charts", "site"))


def plain(value, seen: str) -> list[str]:
    """Where in value something is not a plain value or a frozen record (a live model object,
    a list, a dict): the paths to it."""
    if isinstance(value, PLAIN):
        return []
    if isinstance(value, tuple):
        return [found for item in value for found in plain(item, f"{seen}[]")]
    if isinstance(value, FrozenMap):
        return [found for key, item in value.items() for found in plain(item, f"{seen}.{key}")]
    if is_dataclass(value) and type(value).__dataclass_params__.frozen:
        if type(value).__module__ not in ("digest.views", *MODEL_MODULES, "digest.entries", "digest.images") or \
                type(value).__name__ in ("Post", "Term", "Taxonomy", "Site", "Story", "Issue", "Pager", "Feed"):
            return [f"{seen}: {type(value).__name__}"]
        return [found for f in fields(value) for found in plain(getattr(value, f.name), f"{seen}.{f.name}")]
    return [f"{seen}: {type(value).__name__}"]


def test_every_context_holds_plain_frozen_records_only(site):
    moved = entry_text('"Moved"', "2025-07-06", aliases="[/2025/07/old-name/]", updated="2025-07-08",
                       corrections='[{date: 2025-07-07, text: "A name was misspelled."}]')
    root = site({**ENTRIES, "content/2025/07/moved.md": moved}, SETTINGS + "news_sitemap = true\n")
    model, _ = make_site(load_config(root, search=False))
    views = Views(model)
    seen_templates = set()
    for route in model.routes:
        context = views.page(route)
        assert type(context) is CONTEXTS[route.template]
        assert plain(context, route.template) == []
        seen_templates.add(route.template)
    assert seen_templates == set(CONTEXTS)  # the news sitemap makes sitemap.xml an index


def test_an_entry_looks_the_same_in_every_context(site):
    """One EntryView per entry per build: a card, a feed item and the entry page share it."""
    root = site(ENTRIES, SETTINGS)
    model, _ = make_site(load_config(root, search=False))
    views = Views(model)
    home = views.page(model.routes[0])
    entry = views.page(next(route for route in model.routes if route.template == "entry.html"
                            and route.url == home.pager.posts[0].url))
    assert entry.post is home.pager.posts[0]


MISTAKES = {  # template, the mistake, the line's message
    "entry.html": ("{{ post.titel }}", "no 'titel' in an EntryView (did you mean 'title'?); "
                   "docs/reference/templates.md lists what each template can read"),
    "list.html": ("{{ pagr.number }}", "no 'pagr' in the context of list.html (did you mean 'pager'?); "
                  "docs/reference/templates.md lists what each template can read"),
    "base.html": ("{{ config.titel }}", "no 'titel' in a Settings (did you mean 'title'?); "
                  "docs/reference/templates.md lists what each template can read"),
    "terms.html": ("{{ site.posts }}", "no 'posts' in a SiteView, which holds: taxonomies, default_image, language, "
                   "home, languages, menu_urls (docs/reference/templates.md)"),
    "_related.html": ("{% for other in related %}{{ other.headline }}{% endfor %}", None),
}

FIXES = {"entry.html": "{{ post.title }}", "list.html": "{{ pager.number }}", "base.html": "{{ config.title }}"}


@pytest.mark.parametrize("template", MISTAKES)
def test_a_template_reading_outside_its_context_fails_at_its_line_with_a_suggestion(site, template):
    mistake, message = MISTAKES[template]
    if template == "_related.html":  # no suggestion fits; the message lists what there is
        message = f"no 'headline' in an EntryView, which holds: {', '.join(record_names(EntryView))} " \
                  "(docs/reference/templates.md)"
    root = site({"content/2025/07/a.md": entry_text(tags="[Ports]"),
                 "content/2025/07/b.md": entry_text('"Other"', tags="[Ports]")},
                'theme = "newsroom"\n')
    folder = root / "themes/newsroom/templates"
    folder.mkdir(parents=True)
    text = (ROOT / "themes/default/templates" / template).read_text(encoding="utf-8")
    lines = text.splitlines()
    anchor = {"base.html": "<body>", "_related.html": "<ul>"}.get(template, "{% block content %}")
    at = [line.strip() for line in lines].index(anchor) + 1
    lines.insert(at, mistake)
    (folder / template).write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run_digest(root, "build", "--no-search")
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == \
        f"themes/newsroom/templates/{template}:{at + 1}: template error: {message}"
    assert not (root / "output").exists()
    fixed = FIXES.get(template)
    if fixed:  # the suggestion, applied as the message gives it, builds
        (folder / template).write_text((folder / template).read_text(encoding="utf-8").replace(mistake, fixed),
                                       encoding="utf-8")
        assert run_digest(root, "build", "--no-search").returncode == 0

