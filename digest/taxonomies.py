"""Taxonomies (tags, people, places, sources), months and pagination: posts grouped by
case-insensitive term, each term with a stable slug.
"""

from __future__ import annotations

import hashlib
import math
from operator import attrgetter
from collections import Counter, defaultdict
from collections.abc import Mapping

from .config import Config
from .entries import slugify, term_key
from .errors import WARNING, Problem
from .model import Month, Pager, Post, TAXONOMY_SINGULAR, Taxonomy, Term, entry_values, publication_days
from .strings import Strings


def group_terms(posts: tuple[Post, ...], values_of, field: str):
    """Group posts by case-insensitive term: (name by key, slug by key, posts by key, problems).
    A term is named by its most used spelling; `field` is the front-matter key, for messages."""
    spellings: dict[str, list[str]] = {}
    members: dict[str, list[Post]] = {}
    first_place: dict[str, tuple[str, int]] = {}
    for post in posts:
        for value in values_of(post.entry):
            key = term_key(value)
            found = members.get(key)
            if found is None:
                members[key], spellings[key] = [post], [value]
                first_place[key] = (post.entry.path, post.entry.line_of(field))
            else:
                found.append(post)
                spellings[key].append(value)
    names = {key: values[0] if values.count(values[0]) == len(values) else most_used(values)
             for key, values in spellings.items()}
    slugs, problems = assign_slugs(names, first_place, field)
    return names, slugs, members, problems


def most_used(spellings: list[str]) -> str:
    """The most used spelling; of equally used ones, the first in code point order."""
    counts = Counter(spellings)
    return min(counts, key=lambda s: (-counts[s], s))


def build_taxonomy(name: str, posts: tuple[Post, ...], strings: Strings | None = None,
                   prefix: str = "") -> tuple[Taxonomy, list[Problem]]:
    """strings: the site language's, for the taxonomy's title (`Tags`; English without)."""
    field = "source" if name == "sources" else name
    values_of = (lambda entry: entry_values(entry, name)) if name == "sources" else attrgetter(name)
    names, slugs, members, problems = group_terms(posts, values_of, field)
    terms = [Term(name, key, names[key], slugs[key], tuple(members[key]), prefix) for key in names]
    terms.sort(key=lambda t: (t.name.casefold(), t.slug))
    title, singular = strings.text(f"taxonomy.{name}") if strings else name.capitalize(), TAXONOMY_SINGULAR[name]
    return Taxonomy(name, title, singular, tuple(terms), {t.key: t for t in terms}, prefix), problems


def assign_slugs(names: dict[str, str], first_place: dict[str, tuple[str, int]], field: str):
    """Slug per term key; when two terms share a slug, the first by key keeps it and the
    others get a suffix from a hash of their own key, so slugs stay stable as terms come and go."""
    by_slug: dict[str, list[str]] = defaultdict(list)
    for key, name in names.items():
        by_slug[slugify(name) or "t-" + short_hash(key)].append(key)
    slugs, problems = {}, []
    taken = set(by_slug)  # a term whose own slug is `c-372946` keeps it: suffixes go around it
    for slug, keys in by_slug.items():
        keys.sort()
        slugs[keys[0]] = slug
        for key in keys[1:]:
            slugs[key] = suffixed(slug, key, taken)
            taken.add(slugs[key])
            path, line = first_place[key]
            problems.append(Problem(path, line, field,
                                    f"'{names[key]}' and '{names[keys[0]]}' make the same slug '{slug}'; "
                                    f"'{names[key]}' gets '{slugs[key]}'", WARNING))
    return slugs, problems


def short_hash(text: str, length: int = 6) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:length]


def suffixed(slug: str, key: str, taken: set[str]) -> str:
    """`slug-` and the shortest hash of the key, from 6 hex digits, that no slug has taken."""
    for length in range(6, 40):
        candidate = f"{slug}-{short_hash(key, length)}"
        if candidate not in taken:
            return candidate
    return f"{slug}-{short_hash(key, 40)}"


def build_months(posts: tuple[Post, ...], config: Config, day_of: dict | None = None,
                 prefix: str = "") -> tuple[Month, ...]:
    """day_of: publication_days(posts), if made already."""
    day_of = day_of if day_of is not None else publication_days(posts, config)
    groups: dict[tuple[int, int], list[Post]] = defaultdict(list)
    for post in posts:
        local = day_of[post.url]
        groups[(local.year, local.month)].append(post)
    return tuple(Month(y, m, tuple(groups[(y, m)]), prefix) for y, m in sorted(groups, reverse=True))


def paginate(posts: tuple[Post, ...], per_page: int, first_url: str) -> list[Pager]:
    """`first_url` is page 1; page n lives at `{first_url}page/{n}/`. An empty list has one page."""
    chunks = [posts[i:i + per_page] for i in range(0, len(posts), per_page)] or [()]
    urls = [first_url] + [f"{first_url}page/{n}/" for n in range(2, len(chunks) + 1)]
    return [Pager(n + 1, len(chunks), chunk, urls[n], urls[n - 1] if n else None,
                  urls[n + 1] if n + 1 < len(chunks) else None) for n, chunk in enumerate(chunks)]


def entry_terms(post: Post, taxonomies: dict) -> dict:
    return {name: [tax.by_key[term_key(v)] for v in entry_values(post.entry, name)]
            for name, tax in taxonomies.items()}


class EntryTerms(Mapping):
    """An entry page's terms by taxonomy (entry_terms), worked out when the page first reads
    them: a rebuild that renders a few entry pages does not look up every entry's terms."""

    __slots__ = ("post", "taxonomies", "_terms")

    def __init__(self, post: Post, taxonomies: dict):
        self.post, self.taxonomies, self._terms = post, taxonomies, None

    @property
    def terms(self) -> dict:
        if self._terms is None:
            self._terms = entry_terms(self.post, self.taxonomies)
        return self._terms

    def __getitem__(self, name: str) -> list:
        return self.terms[name]

    def __iter__(self):
        return iter(self.terms)

    def __len__(self) -> int:
        return len(self.terms)


def term_sizes(taxonomy: Taxonomy, steps: int = 5) -> dict[str, int]:
    """Term slug -> a size step 1..steps on a log scale of its entry count (for the tags index)."""
    counts = [term.count for term in taxonomy.terms]
    if not counts:
        return {}
    low, high = math.log(min(counts)), math.log(max(counts))
    if high == low:
        return {term.slug: 1 for term in taxonomy.terms}
    return {term.slug: 1 + round((steps - 1) * (math.log(term.count) - low) / (high - low))
            for term in taxonomy.terms}
