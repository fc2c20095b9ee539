"""Language sections and translations: which posts each language's section holds, the folder
of its pages, the interface strings of each route, and the entries that translate one another.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Iterable

from .config import Config
from .entries import Entry
from .errors import Problem
from .languages import locale_of
from .model import ALIAS_TEMPLATE, Post, Route
from .strings import Catalog
from .syndication import news_posts, sitemap_routes


def languages_of(entries: Iterable[Entry]) -> list[str]:
    """The languages entries are written in, each once, in order."""
    return list(dict.fromkeys(entry.language for entry in entries))


def section_posts(posts: tuple[Post, ...], config: Config) -> dict[str, tuple[Post, ...]]:
    """The posts of each language's section, newest first, the site's language first. Without
    `languages`, one section holds every post; with it, an entry in a language it does not
    list is in the site language's section."""
    if not config.languages:
        return {config.language: posts}
    sections: dict[str, list[Post]] = {language: [] for language in config.site_languages}
    for post in posts:
        language = post.entry.language
        sections[language if language in sections else config.language].append(post)
    return {language: tuple(members) for language, members in sections.items()}


def shared_routes(config: Config, catalog: Catalog, routes: list[Route], posts: tuple[Post, ...]) -> list[Route]:
    """The pages of the whole site, once for every language: 404.html, robots.txt, the sitemap."""
    strings = catalog[config.language]
    made = [Route("404.html", "404.html", {"title": strings.text("not_found.title")}), Route("robots.txt", "robots.txt", {})]
    made += sitemap_routes(routes + made, news_posts(posts) if config.news_sitemap else None)
    return with_strings(made, catalog, config.language)


def section_prefix(config: Config, language: str) -> str:
    """The folder of a language's pages: none for the site's `language` (and for any language
    the `languages` setting does not list), `uk/` for `uk` when it does."""
    return f"{language.lower()}/" if language != config.language and language in config.languages else ""


def with_strings(routes: list[Route], catalog: Catalog, language: str) -> list[Route]:
    """Every route's context with the interface's strings as `t`: of the entry's language on
    an entry's page, else of `language`; and `section`, the language whose section the page is
    in (its navigation: views.site_view). Both are part of a page's fingerprint (reuse.py)."""
    strings = catalog[language]
    made = []
    for route in routes:
        post = route.context.get("post") if route.template == "entry.html" else \
            route.context.get("target") if route.template == ALIAS_TEMPLATE else None
        own = strings if post is None or post.entry.language == language else catalog[post.entry.language]
        made.append(Route(route.url, route.template, {**route.context, "t": own, "section": language}))
    return made


# Translations: entries that share a `translation_key`.

@dataclass(frozen=True)
class Translation:
    """One language version of an entry, as the others link to it."""

    language: str               # its language tag: hreflang, lang
    name: str                   # the language's own name: `Українська`, `English`
    url: str


def home_translations(config: Config) -> dict[str, tuple[Translation, ...]]:
    """Each language section's home URL -> the home of every section, by language tag: the
    homes of a site of several languages are one page in each language (hreflang, sitemap)."""
    homes = tuple(Translation(tag, language_name(tag), section_prefix(config, tag)) for tag in sorted(config.site_languages))
    return {home.url: homes for home in homes}


def language_name(tag: str) -> str:
    """A language's name in itself (CLDR's autonym), first letter in capitals: `Українська`."""
    name = locale_of(tag).get_display_name(locale_of(tag)) or tag
    return name[:1].upper() + name[1:]


def translation_groups(posts: Iterable[Post]) -> tuple[dict[str, tuple[Translation, ...]], list[Problem]]:
    """Entry URL -> every version of it (its own included), by language tag, for each entry
    that has a `translation_key` another entry shares. Two entries of one key in one language
    are an error naming both (the first by path keeps its place)."""
    groups: dict[str, dict[str, Post]] = defaultdict(dict)
    problems = []
    for post in sorted(posts, key=lambda p: p.entry.path):
        key = post.entry.translation_key
        if key is None:
            continue
        versions = groups[key]
        other = versions.get(post.entry.language)
        if other is not None:
            problems.append(Problem(post.entry.path, post.entry.line_of("translation_key"), "translation_key",
                                    f"'{key}' in language '{post.entry.language}' is already {other.entry.path}; "
                                    "two entries cannot be one translation: give this one another "
                                    "`translation_key:` or another `language:`"))
            continue
        versions[post.entry.language] = post
    found = {}
    for versions in groups.values():
        if len(versions) < 2:
            continue
        made = tuple(Translation(tag, language_name(tag), versions[tag].url) for tag in sorted(versions))
        for post in versions.values():
            found[post.url] = made
    return found, problems
