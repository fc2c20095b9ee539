"""[Entry] -> Site: the site model and the routes of its pages, made from the concerns'
modules (urls, sections, taxonomies, stories, issues, related, charts, syndication). Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, fields
from typing import Iterable

from .charts import activity_chart
from .config import Config
from .entries import Entry
from .errors import Problem
from .images import LeadImage
from .issues import DIGEST_FEED_ISSUES, Issue, build_issues
from .model import Post, Route, Site, publication_days
from .related import Related, RelatedIndex, feature_groups
from .sections import (home_translations, languages_of, section_posts, section_prefix, shared_routes, translation_groups,
                       with_strings)
from .stories import Story, build_stories, story_places
from .strings import Catalog, Strings, site_catalog
from .syndication import feed_routes, news_posts, sitemap_routes
from .taxonomies import EntryTerms, build_months, build_taxonomy, entry_terms, paginate, term_sizes
from .urls import alias_routes, check_aliases, check_reserved, check_unique, placed_posts, resolve_body_links


def make_routes(config: Config, posts, taxonomies, months, features: "Features | None" = None,
                day_of: dict | None = None, catalog: Catalog | None = None, language: str | None = None,
                shared: bool = True, translations: dict | None = None) -> list[Route]:
    """The pages of one language's section (`language`, default the site's: its folder is
    section_prefix); shared: also the pages of the whole site (404, robots.txt, sitemap);
    translations: translation_groups of every post of the site (default: of `posts`)."""
    catalog = catalog or site_catalog(config, languages_of(post.entry for post in posts))[0]
    language = language or config.language
    prefix = section_prefix(config, language)
    strings = catalog[language]
    features = features or Features((), (), {}, RelatedIndex(()))
    translations = translation_groups(posts)[0] if translations is None else translations
    routes, day_of = [], day_of if day_of is not None else publication_days(posts, config)
    for pager in paginate(posts, config.per_page, prefix):
        routes.append(Route(pager.url, "list.html", {"kind": "home", "title": None, "pager": pager}))
    for post in posts:
        routes.append(Route(post.url, "entry.html", {"post": post, "terms": EntryTerms(post, taxonomies),
                                                      "translations": translations.get(post.url, ()),
                                                      # story navigation and related entries
                                                      "story_place": features.story_places.get(post.url),
                                                      "related": Related(features.related, post.url)}))
    for tax in taxonomies.values():
        routes.append(Route(tax.url, "terms.html", {"taxonomy": tax, "title": tax.title,
                                                     "sizes": term_sizes(tax)}))
        for term in tax.terms:
            for pager in paginate(term.posts, config.per_page, term.url):
                routes.append(Route(pager.url, "list.html", {"kind": tax.name, "title": term.name,
                                                               "term": term, "taxonomy": tax, "pager": pager,
                                                               # a chart on the first page only
                                                               "chart": activity_chart(term.posts, config, day_of=day_of)
                                                               if pager.number == 1 else None}))
    routes.append(Route(prefix + "archive/", "archive.html", {"months": months, "title": strings.text("archive.title"),
                                                     "chart": activity_chart(posts, config, day_of=day_of)}))
    for month in months:
        routes.append(Route(month.url, "list.html", {"kind": "month", "title": None, "month": month,
                                                     "pager": paginate(month.posts, len(month.posts) or 1, month.url)[0]}))
    # Stories, weekly digest issues and their feeds.
    routes += feature_routes(config, posts, taxonomies, features, day_of, strings, prefix)
    if config.search_pages:
        routes.append(Route(prefix + "search/", "search.html", {"title": strings.text("search.title")}))
    if shared:
        routes.append(Route("404.html", "404.html", {"title": strings.text("not_found.title")}))
    # --- feeds, robots.txt, sitemap ------------------------------------------------------
    routes += feed_routes(prefix, config.title, posts, config, json_feed=True, newest_first=True, language=language)
    for tax in taxonomies.values():
        for term in tax.terms:
            routes += feed_routes(term.url, strings.text(f"taxonomy.{tax.name}_term", name=term.name) + " · " + config.title,
                                  term.posts, config, newest_first=True, language=language)
    if shared:
        routes.append(Route("robots.txt", "robots.txt", {}))
    routes += alias_routes(posts)
    # The sitemap lists site.routes when it is rendered, so routes appended after this count too.
    if shared:
        routes += sitemap_routes(routes, news_posts(posts) if config.news_sitemap else None)
    # --- end of feeds, robots.txt, sitemap ---------------------------------------------
    return with_strings(routes, catalog, language)


# Entry fields the model never reads: only pages that show the post itself do. Two versions
# of an entry that differ in these alone give the same listings, terms, stories, digests,
# charts and related entries (tests/test_site.py changes each one), so `digest serve` can
# keep the model, show the new version (views.Views, revised) and re-render only the pages
# that show it.
SHOWN_ONLY = frozenset({"title", "summary", "body_html", "source_url", "authors", "kind", "lines", "links"})
MODEL_FIELDS = tuple(f.name for f in fields(Entry) if f.compare and f.name not in SHOWN_ONLY)


def model_fields(entry: Entry) -> tuple:
    """What the site model reads of an entry."""
    return tuple(getattr(entry, name) for name in MODEL_FIELDS)


def build_site(entries: Iterable[Entry], config: Config, default_image: LeadImage | None = None,
               catalog: Catalog | None = None, earlier: Collection[str] = ()) -> tuple[Site, list[Problem]]:
    """default_image: the `default_image` setting's, read (images.read_default_image);
    catalog: the interface's strings for the site's languages and its entries' (by default
    the bundled and the site's tables, read now: the build reads them beforehand); earlier:
    the entry files of the last build, if known (see urls.same_url)."""
    entries = list(entries)
    if catalog is None:
        catalog = site_catalog(config, languages_of(entries))[0]
    posts, problems, day_of = placed_posts(entries, config, earlier)  # months, issues, charts read day_of
    posts = resolve_body_links(posts, config)
    sections = section_posts(posts, config)
    translations, found = translation_groups(posts)
    problems += found
    if len(sections) > 1:
        translations = {**translations, **home_translations(config)}
    routes: list[Route] = []
    shown = None  # the site language's taxonomies, months and features: the Site's own
    for language, members in sections.items():
        prefix = section_prefix(config, language)
        section_taxonomies = {}
        for name in config.taxonomies:
            section_taxonomies[name], found = build_taxonomy(name, members, catalog[language], prefix)
            problems += found
        section_months = build_months(members, config, day_of, prefix)
        section_features, found = build_features(members, section_taxonomies, config, day_of, prefix)
        problems += found
        routes += make_routes(config, members, section_taxonomies, section_months, section_features, day_of,
                              catalog, language, shared=len(sections) == 1, translations=translations)
        shown = shown or (section_taxonomies, section_months, section_features)
    taxonomies, months, features = shown
    if len(sections) > 1:
        routes += shared_routes(config, catalog, routes, posts)
    site = Site(config, posts, taxonomies, months, tuple(routes), features.stories, features.issues, default_image,
                catalog, translations)
    problems += (check_unique(site.routes, posts, site.paths, config) + check_reserved(posts, config)
                 + check_aliases(site.routes, site.paths))
    return site, problems


@dataclass(frozen=True)
class Features:
    """Stories, weekly digest issues, related entries and story places: built once, read by
    make_routes."""

    stories: tuple[Story, ...]
    issues: tuple[Issue, ...]
    story_places: dict
    related: "RelatedIndex"


def build_features(posts: tuple[Post, ...], taxonomies: dict, config: Config,
                   day_of: dict | None = None, prefix: str = "") -> tuple[Features, list[Problem]]:
    stories, problems = build_stories(posts, prefix)
    issues = build_issues(posts, stories, taxonomies, config, day_of, prefix)
    related = RelatedIndex(posts, terms=feature_groups(taxonomies, stories))
    return Features(stories, issues, story_places(stories), related), problems


def feature_routes(config: Config, posts, taxonomies: dict, features: Features, day_of: dict,
                   strings: Strings, prefix: str = "") -> list[Route]:
    """Stories, weekly digest issues and their feeds (under `prefix`, a language's folder)."""
    routes = [Route(prefix + "stories/", "stories.html", {"title": strings.text("stories.title"), "stories": features.stories})]
    for story in features.stories:
        timeline = [(post, entry_terms(post, taxonomies)) for post in story.posts]
        routes.append(Route(story.url, "story.html", {"title": story.name, "story": story, "timeline": timeline,
                                                      "chart": activity_chart(story.posts, config, day_of=day_of)}))
        routes += feed_routes(story.url, strings.text("stories.story", name=story.name) + " · " + config.title,
                              story.posts, config, language=strings.language)
    issues = features.issues
    routes.append(Route(prefix + "digest/", "digests.html", {"title": strings.text("digest.title"), "issues": issues}))
    for number, issue in enumerate(issues):  # newest first: the next issue is the newer one
        routes.append(Route(issue.url, "digest_issue.html", {
            "title": strings.text("digest.issue_title", week=str(issue.week), year=str(issue.year)), "issue": issue,
            "newer": issues[number - 1] if number else None,
            "older": issues[number + 1] if number + 1 < len(issues) else None}))
    routes.append(Route(prefix + "digest/feed.xml", "digest_feed.xml", {"issues": issues[:DIGEST_FEED_ISSUES]}))
    return routes
