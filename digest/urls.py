"""Where each entry goes: its URL, the messages for two entries with one URL, aliases (old
URLs), URLs that moved since the last build, and body links to other entries' files.
"""

from __future__ import annotations

from operator import attrgetter
from collections.abc import Collection, Sequence
from dataclasses import replace
from datetime import date
from typing import Iterable, Iterator

from .config import Config
from .entries import Entry
from .errors import WARNING, Problem
from .model import ALIAS_TEMPLATE, Post, Route, Site, route_path
from .sections import section_prefix


def entry_url(entry: Entry, config: Config, local: date | None = None) -> str:
    """local: the entry's publication day in the site timezone, if known already."""
    local = local or entry.date.value.astimezone(config.tz)
    path = config.permalink.format(year=f"{local.year:04d}", month=f"{local.month:02d}",
                                   day=f"{local.day:02d}", slug=entry.slug)
    return section_prefix(config, entry.language) + path.lstrip("/")


def place_posts(entries: list[Entry], config: Config) -> tuple[tuple[Post, ...], list[Problem]]:
    """Give each entry its URL; of two entries with one URL, the first by path keeps it."""
    posts, problems, _ = placed_posts(entries, config)
    return posts, problems


def placed_posts(entries: list[Entry], config: Config, earlier: Collection[str] = ()
                 ) -> tuple[tuple[Post, ...], list[Problem], dict[str, date]]:
    """place_posts, and each post's publication day in the site timezone by its URL.
    earlier: the files of the last build, which tell the new one of two entries with one URL."""
    problems, owner = [], {}
    placed = []  # (instant, path, url, day, entry): sorted, newest first, by instant then path
    tz = config.tz
    for entry in sorted(entries, key=attrgetter("path")):
        moment = entry.date.value
        day = moment.astimezone(tz).date()
        url = entry_url(entry, config, day)
        if url in owner:
            problems.append(same_url(entry, owner[url], url, owner, config, earlier))
            continue
        owner[url] = entry
        placed.append((moment.timestamp(), entry.path, url, day, entry))
    placed.sort(reverse=True)  # paths differ: no two tuples compare further than the path
    posts = tuple([Post(entry, url) for _, _, url, _, entry in placed])
    return posts, problems, {url: day for _, _, url, day, _ in placed}


def same_url(entry: Entry, other: Entry, url: str, taken: Collection[str], config: Config,
             earlier: Collection[str]) -> Problem:
    """Two entries with one URL: blamed on the new one, at its `slug:` line (or where that line
    goes), with a slug that is free. The new one is the file the last build did not have; when
    both or neither were in it, the later by date, then by path."""
    new, old = sorted((entry, other), key=lambda e: (e.path not in earlier, e.date.value, e.path))[::-1]
    return Problem(new.path, new.line_of("slug"), "slug", f"same URL /{url} as {old.path}; give this entry a URL "
                                                          f"of its own: {slug_fix(new, taken, config)}")


def slug_fix(entry: Entry, taken: Collection[str], config: Config) -> str:
    """`write the line as slug: talks-2` (or `add a line ...` where the entry has no `slug:`
    line), with the first numbered slug whose URL is not in taken."""
    number = 2
    while entry_url(replace(entry, slug=f"{entry.slug}-{number}"), config) in taken:
        number += 1
    free = f"slug: {entry.slug}-{number}"
    return f"write the line as {free}" if "slug" in dict(entry.lines) else f"add a line {free} above this closing '---'"


def alias_routes(posts: Iterable[Post]) -> list[Route]:
    """A redirect page at each alias of each entry (check_aliases refuses those that collide)."""
    return [Route(alias, ALIAS_TEMPLATE, {"target": post}) for post in posts for alias in post.entry.aliases]


def check_aliases(routes: Sequence[Route], paths: Sequence[str]) -> list[Problem]:
    """An alias on any other page, on another alias, inside a folder of RESERVED_FOLDERS, or
    below a file the site writes: an error at the alias, naming the other file."""
    owners: dict[str, Route] = {}
    aliases = []
    for route, path in zip(routes, paths):
        if route.template == ALIAS_TEMPLATE:
            aliases.append((route, path))
        else:
            owners.setdefault(path, route)
    problems = []
    for route, path in aliases:
        entry = route.context["target"].entry
        line = entry.line_of("aliases")
        other = owners.get(path)
        folder = path.partition("/")[0]
        above = next((f"{part}" for part in _folders_of(path) if part in owners), None)
        if folder in RESERVED_FOLDERS:
            message = f"/{folder}/, which holds the site's {RESERVED_FOLDERS[folder]}; remove the alias"
            problems.append(Problem(entry.path, line, "aliases", f"alias /{route.url} is inside {message}"))
            continue
        if other is None and above is None:
            owners[path] = route
            continue
        if above is not None:
            message = f"below /{above}, which is a file of the site ({_owner_of(owners[above])}); remove the alias"
        elif other.template == ALIAS_TEMPLATE:
            message = f"also an alias of {other.context['target'].entry.path}; keep it on one entry only"
        elif other.context.get("post") is route.context["target"]:
            message = "this entry's own URL; remove the alias"
        else:
            message = f"{_owner_of(other)}; remove the alias, or move that page"
        problems.append(Problem(entry.path, line, "aliases", f"alias /{route.url} is {message}"))
    return problems


def _owner_of(route: Route) -> str:
    """What a page of the site is, for a message: an entry's file, or the page digest makes."""
    post = route.context.get("post")
    if isinstance(post, Post):
        return f"the URL of {post.entry.path}"
    return f"the page /{route.url} that digest makes"


def _folders_of(path: str) -> Iterator[str]:
    """`a`, `a/b` for `a/b/c/index.html`."""
    parts = path.split("/")
    return ("/".join(parts[:depth]) for depth in range(1, len(parts)))


def moved_urls(site: "Site", previous: dict[str, Entry]) -> list[Problem]:
    """A warning for each entry whose URL is not the one the last build gave it (previous:
    file -> its Entry then, from the build cache), unless an alias or another page keeps the
    old URL: links to it would break. The fix is the alias line."""
    config, problems = site.config, []
    taken = set(site.paths)
    for post in site.posts:
        before = previous.get(post.entry.path)
        if before is None:
            continue
        old = entry_url(before, config)
        if old == post.url or route_path(old) in taken:
            continue
        entry = post.entry
        fix = (f"add /{old} to its `aliases:` list" if entry.aliases
               else f"add the line `aliases: [/{old}]` to keep them working")
        field = "aliases" if entry.aliases else "slug" if entry.line_of("slug") != 1 else None
        problems.append(Problem(entry.path, entry.line_of(field) if field else 1, field,
                                f"the URL changed since the last build, from /{old} to /{post.url}; links to the "
                                f"old URL will break: {fix}", WARNING))
    return problems


def check_unique(routes: Sequence[Route], posts, paths: Sequence[str], config: Config) -> list[Problem]:
    """An entry URL that lands on a listing page (permalink `/{slug}/`, slug `tags`) is an error.
    paths: each route's output path (Site.paths)."""
    if len(set(paths)) == len(paths):
        return []
    owners = {post.url: post.entry for post in posts}
    seen, problems = set(), []
    for route, path in zip(routes, paths):
        if path in seen and route.url in owners and route.template != ALIAS_TEMPLATE:  # check_aliases
            entry = owners[route.url]
            taken = {route.url for route in routes}
            problems.append(Problem(entry.path, entry.line_of("slug"), "slug",
                                    f"URL /{route.url} is already a page of the site; give this entry a URL of "
                                    f"its own: {slug_fix(entry, taken, config)}"))
        seen.add(path)
    return problems


def entry_link_url(link, url_of: dict, base_path: str) -> str | None:
    """The URL of a body link to another entry's file (`../07/other.md#part`), or None."""
    if link.target not in url_of:
        return None
    cut = min([i for i in (link.href.find("?"), link.href.find("#")) if i >= 0], default=len(link.href))
    return base_path + url_of[link.target] + link.href[cut:]


def resolve_body_links(posts: tuple[Post, ...], config: Config) -> tuple[Post, ...]:
    """Point body links to other entries' files at those entries' pages. Links to files that
    are not entries stay as written; the link check reports them with their line."""
    if not any(link.target for post in posts for link in post.entry.links):
        return posts
    url_of = {post.entry.path: post.url for post in posts}
    return tuple(Post(linked_entry(post.entry, url_of, config), post.url) for post in posts)


def escape_href(url: str) -> str:
    """A URL as markdown-it-py's renderer writes it in an attribute (its escapeHtml: & < > ")."""
    return url.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def linked_entry(entry: Entry, url_of: dict, config: Config) -> Entry:
    """The entry with its body links to other entries' files (url_of: path -> URL) resolved."""
    if not any(link.target for link in entry.links):
        return entry
    html, links = entry.body_html, []
    for link in entry.links:
        url = entry_link_url(link, url_of, config.base_path)
        if url is not None:
            html = html.replace(f'href="{escape_href(link.href)}"', f'href="{escape_href(url)}"')
            link = replace(link, href=url)
        links.append(link)
    return replace(entry, body_html=html, links=tuple(links))


# Folders the build fills with files that are not pages (the preview serves pagefind/ from
# Pagefind's own folder), and what they hold.
RESERVED_FOLDERS = {"static": "static files", "pagefind": "search index"}


def check_reserved(posts: Sequence[Post], config: Config) -> list[Problem]:
    """An entry URL inside a folder of RESERVED_FOLDERS (permalink `/{slug}/`, slug `static`)."""
    problems = []
    for post in posts:
        folder = post.url.partition("/")[0]
        if folder in RESERVED_FOLDERS:
            problems.append(Problem(post.entry.path, post.entry.line_of("slug"), "slug",
                                    f"URL /{post.url} is inside /{folder}/, which holds the site's "
                                    f"{RESERVED_FOLDERS[folder]}; give this entry a URL of its own: "
                                    f"{slug_fix(post.entry, {other.url for other in posts}, config)}"))
    return problems
