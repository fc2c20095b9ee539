"""The one markdown-it-py setup: CommonMark + tables + strikethrough, safe by default.

Raw HTML is escaped unless the site sets `unsafe_html = true`; links and images keep
only http(s), mailto and relative targets; every heading gets a unique, non-empty id.
"""

from __future__ import annotations

import re
from functools import lru_cache

from anyascii import anyascii
from markdown_it import MarkdownIt

SAFE_SCHEMES = {"http", "https", "mailto"}
SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):", re.IGNORECASE)
# Characters browsers drop from a URL before reading its scheme (`java\tscript:`).
IGNORED_IN_SCHEME = re.compile(r"[\x00-\x20\x7f]|%0[9ad]|%20", re.IGNORECASE)


def is_safe_url(url: str) -> bool:
    """True for http(s):, mailto: and relative URLs (`/tags/x/`, `../07/a.md`, `#top`)."""
    cleaned = IGNORED_IN_SCHEME.sub("", url)
    match = SCHEME.match(cleaned)
    if match:
        return match.group(1).lower() in SAFE_SCHEMES
    # `/\evil.example` and `\\evil` are read by browsers as another host.
    return not cleaned.startswith(("\\", "/\\"))


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", anyascii(text).lower()).strip("-")


def _heading_ids(state) -> None:
    """Core rule: give each heading an id made from its text, unique on the page."""
    used: set[str] = set()
    tokens = state.tokens
    for index, token in enumerate(tokens):
        if token.type != "heading_open":
            continue
        base = _slug(tokens[index + 1].content) or "section"
        candidate, number = base, 1
        while candidate in used:
            number += 1
            candidate = f"{base}-{number}"
        used.add(candidate)
        token.attrSet("id", candidate)


@lru_cache(maxsize=2)
def parser(unsafe_html: bool = False) -> MarkdownIt:
    md = MarkdownIt("js-default", {"html": unsafe_html})
    md.validateLink = is_safe_url
    md.core.ruler.push("heading_ids", _heading_ids)
    return md


def render_markdown(text: str, unsafe_html: bool = False) -> str:
    return parser(unsafe_html).render(text)
