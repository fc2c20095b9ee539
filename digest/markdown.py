"""The one markdown-it-py setup: CommonMark + tables + strikethrough + footnotes, safe by default.

Raw HTML is escaped unless the site sets `unsafe_html = true`; links and images keep
only http(s), mailto and relative targets; every heading gets a unique, non-empty id;
footnote ids carry the entry's own name, so several bodies on one page never share one.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import TYPE_CHECKING, Callable


if TYPE_CHECKING:
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


# Ids the default theme gives its own elements; a heading called "Main" must not take them.
# (Every id the default theme writes: tests/test_render.py keeps the two lists together.)
# `digest-overlay` and `digest-warnings` are the boxes digest serve adds to the pages it serves: its script finds
# the box by that id, and took a heading "Digest overlay" for it (filled it with errors, removed it).
RESERVED_IDS = frozenset({"main", "search", "site-search", "related-title", "chart-title", "chart-desc",
                          "search-query", "search-sort", "search-filters", "search-status", "search-results",
                          "search-more", "digest-overlay", "digest-warnings", "corrections-title",
                          "search-all-languages"})


@dataclass(frozen=True)
class Link:
    """A link or image target written in a body, as it ends up in the HTML, with its line
    (1-based, counted in the body). `target` is what the resolver made of it, if anything."""

    href: str
    line: int
    target: str | None = None
    written: str = ""        # the target as the author wrote it (after entity decoding)
    image: bool = False      # an image's src, not a link's href


def is_internal(url: str) -> bool:
    """A link into the site itself: no scheme, not `//host`, not a bare `#fragment`."""
    return bool(url) and not SCHEME.match(url) and not url.startswith(("//", "#"))


def _heading_id(text: str) -> str:
    """Letters (with their marks) and digits of any script, lower case, the rest one `-`:
    `Key points` is `key-points`, `背景` stays `背景` and `Café` is `café`, as GitHub and Hugo
    write them, so `[x](#背景)` works as it does there."""
    kept = [c if unicodedata.category(c)[0] in "LNM" else " " for c in unicodedata.normalize("NFC", text.lower())]
    return "-".join("".join(kept).split())


def _heading_ids(state) -> None:
    """Core rule: give each heading an id made from its text, unique on the page."""
    used: set[str] = set(RESERVED_IDS)
    # The number each heading text reached: the next heading with the same text goes on from
    # there, since every id before it is taken. Counting from 0 each time would make the
    # work quadratic in the number of equal headings: a 2 MB body of "# a" lines would take hours.
    reached: dict[str, int] = {}
    tokens = state.tokens
    for index, token in enumerate(tokens):
        if token.type != "heading_open":
            continue
        base = _heading_id(tokens[index + 1].content) or "section"
        number = reached.get(base, 0)  # the second "Intro" is intro-1, as on GitHub and in Hugo
        candidate = f"{base}-{number}" if number else base
        while candidate in used:
            number += 1
            candidate = f"{base}-{number}"
        reached[base] = number
        used.add(candidate)
        token.attrSet("id", candidate)


def _internal_links(state) -> None:
    """Core rule: pass every internal link and image target, with its line, to
    `env["resolve"](href, line) -> (new href, target)`, and record it in `env["links"]`."""
    resolve: Callable | None = state.env.get("resolve")
    if resolve is None:
        return
    links = state.env.setdefault("links", [])
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        line = (block.map[0] if block.map else 0) + 1
        for token in block.children:
            if token.type in ("softbreak", "hardbreak"):
                line += 1
            attr = {"link_open": "href", "image": "src"}.get(token.type)
            if attr is None:
                continue
            href = token.attrGet(attr)
            if not isinstance(href, str) or not is_internal(href):
                continue
            new_href, target = resolve(href, line)
            token.attrSet(attr, new_href)
            links.append(Link(new_href, line, target, href, attr == "src"))


def _alignment_classes(state) -> None:
    """Core rule: a table column's alignment (`|--:|`) as a class (`align-right`), not the
    style attribute markdown-it writes, which the pages' Content-Security-Policy refuses
    (style-src 'self': no inline style). The theme's stylesheet aligns the classes."""
    for token in state.tokens:
        if token.type in ("th_open", "td_open"):
            style = token.attrGet("style")
            if isinstance(style, str) and style.startswith("text-align:"):
                del token.attrs["style"]
                token.attrJoin("class", "align-" + style.partition(":")[2].strip())


def _focusable_boxes(state) -> None:
    """Core rule: tables and indented code blocks can be tabbed to. The theme scrolls them
    inside their own box when they are wider than the screen (a table of figures on a
    phone), and a box that scrolls must take the keyboard focus, or a keyboard user cannot
    scroll it (axe-core: scrollable-region-focusable). Hugo gives its code blocks the same."""
    for token in state.tokens:
        if token.type in ("table_open", "code_block"):
            token.attrSet("tabindex", "0")


# --- footnotes (mdit-py-plugins) ------------------------------------------------------------
# Ids are `fn:<doc>:<n>` and `fnref:<doc>:<n>` (Hugo writes `fn:1`): <doc> is the entry's own
# name (footnote_doc_id), so two footnoted bodies on one page, or in one feed, never share an
# id; and a heading's id never holds a `:` (_heading_id), so no heading takes one either.

def footnote_doc_id(path: str, content_dir: str) -> str:
    """`content/2025/07/talks.md` -> `2025-07-talks`: unique per entry file, as its path is."""
    relative = path[len(content_dir) + 1:] if path.startswith(content_dir.rstrip("/") + "/") else path
    relative = relative[:-3] if relative.lower().endswith(".md") else relative
    return "-".join(part for part in re.split(r"[^a-z0-9]+", relative.lower()) if part) or "entry"


def _footnote_name(self, tokens, index, options, env) -> str:
    return f"{env.get('footnote_doc', 'entry')}:{tokens[index].meta['id'] + 1}"


def _footnote_sub(token) -> str:
    """The n-th reference to one note: `:2` after the first (which has none)."""
    sub = token.meta.get("subId", -1)
    return f":{sub}" if sub > 0 else ""


def _footnote_ref(self, tokens, index, options, env) -> str:
    name = _footnote_name(self, tokens, index, options, env)
    number = tokens[index].meta["id"] + 1
    return (f'<sup class="footnote-ref"><a href="#fn:{name}" id="fnref:{name}{_footnote_sub(tokens[index])}" '
            f'role="doc-noteref" aria-label="Note {number}">[{number}]</a></sup>')


def _footnote_block_open(self, tokens, index, options, env) -> str:
    # A labelled section: a screen reader lists it among the page's regions as "Notes".
    label = f"fnlabel:{env.get('footnote_doc', 'entry')}"
    return (f'<section class="footnotes" aria-labelledby="{label}">\n'
            f'<h2 class="footnotes-title" id="{label}">Notes</h2>\n<ol class="footnotes-list">\n')


def _footnote_block_close(self, tokens, index, options, env) -> str:
    return "</ol>\n</section>\n"


def _footnote_open(self, tokens, index, options, env) -> str:
    return f'<li id="fn:{_footnote_name(self, tokens, index, options, env)}" class="footnote-item">'


def _footnote_anchor(self, tokens, index, options, env) -> str:
    name = _footnote_name(self, tokens, index, options, env)
    sub = _footnote_sub(tokens[index])
    number = tokens[index].meta["id"] + 1
    use = f", use {tokens[index].meta['subId'] + 1}" if sub else ""
    # The arrow with U+FE0E stays text, not an emoji, on iOS; the label says where it goes.
    return (f' <a href="#fnref:{name}{sub}" class="footnote-backref" role="doc-backlink" '
            f'aria-label="Back to reference {number}{use}">\u21a9\ufe0e</a>')


# The footnotes' words above are English, as the body is parsed before its page's language is
# in reach (and is cached so). A page shows them in the entry's language: localized_footnotes
# puts the words of its string table (`footnotes.`) in their place, in the markup written above.
FOOTNOTE_WORDS = re.compile(r'(?P<title><h2 class="footnotes-title" id="[^"]*">)Notes</h2>'
                            r'|(?P<ref>role="doc-noteref" aria-label=")Note (?P<note>\d+)"'
                            r'|(?P<back>role="doc-backlink" aria-label=")Back to reference (?P<number>\d+)(?:, use (?P<use>\d+))?"')


def has_footnotes(body_html: str) -> bool:
    return 'class="footnotes"' in body_html


def localized_footnotes(body_html: str, strings) -> str:
    """The body with its footnotes' words (the heading, each reference's and back link's label)
    in the language of `strings` (strings.Strings); as it is when it has no footnotes."""
    if not has_footnotes(body_html):
        return body_html

    def words(found: re.Match) -> str:
        if found["title"]:
            return f'{found["title"]}{strings("footnotes.title")}</h2>'
        if found["ref"]:
            return f'{found["ref"]}{strings("footnotes.note", number=found["note"])}"'
        if found["use"]:
            return f'{found["back"]}{strings("footnotes.back_use", number=found["number"], use=found["use"])}"'
        return f'{found["back"]}{strings("footnotes.back", number=found["number"])}"'
    return FOOTNOTE_WORDS.sub(words, body_html)


def _image(self, tokens, index, options, env) -> str:
    """An image whose file the caller knows (env["images"]: src -> BodyImage) gets its size,
    its renditions and lazy loading, and WebP first where there is WebP."""
    token = tokens[index]
    known = env.get("images", {}).get(token.attrGet("src"))
    if known is None:
        return self.image(tokens, index, options, env)
    for name, value in known.attributes:
        token.attrSet(name, value)
    html = self.image(tokens, index, options, env)
    if not known.webp_srcset:
        return html
    return (f'<picture><source type="image/webp" srcset="{escape_attribute(known.webp_srcset)}" '
            f'sizes="{escape_attribute(known.sizes)}">{html}</picture>')


@dataclass(frozen=True)
class BodyImage:
    """What an image written in a body becomes: its <img> attributes (src replaced by a
    rendition's), and the WebP candidates for a <picture> around it, if any."""

    attributes: tuple[tuple[str, str], ...]
    webp_srcset: str = ""
    sizes: str = ""

    @property
    def src(self) -> str:
        return dict(self.attributes)["src"]


def escape_attribute(text: str) -> str:
    return text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")


def _fence(self, tokens, index, options, env) -> str:
    """A fenced code block's <pre> takes the focus too (its own attributes go on <code>)."""
    html = self.fence(tokens, index, options, env)
    return '<pre tabindex="0">' + html[len("<pre>"):] if html.startswith("<pre>") else html


@lru_cache(maxsize=2)
def parser(unsafe_html: bool = False) -> MarkdownIt:
    # Imported here: a rebuild that finds every entry in the cache parses no Markdown, and
    # markdown-it-py takes a tenth of digest's start-up to import.
    from markdown_it import MarkdownIt

    from mdit_py_plugins.footnote import footnote_plugin

    md = MarkdownIt("js-default", {"html": unsafe_html})
    footnote_plugin(md, inline=True)
    for rule, render in (("footnote_ref", _footnote_ref), ("footnote_block_open", _footnote_block_open),
                         ("footnote_block_close", _footnote_block_close), ("footnote_open", _footnote_open),
                         ("footnote_anchor", _footnote_anchor)):
        md.add_render_rule(rule, render)
    md.validateLink = is_safe_url
    md.core.ruler.push("heading_ids", _heading_ids)
    md.core.ruler.push("internal_links", _internal_links)
    md.core.ruler.push("focusable_boxes", _focusable_boxes)
    md.core.ruler.push("alignment_classes", _alignment_classes)
    md.add_render_rule("fence", _fence)
    md.add_render_rule("image", _image)
    return md


def render_markdown(text: str, unsafe_html: bool = False, resolve: Callable | None = None,
                    doc_id: str = "entry") -> str:
    """HTML of a Markdown text. With `resolve`, internal links go through it (see _internal_links);
    doc_id names its footnotes (footnote_doc_id)."""
    env: dict = {"footnote_doc": doc_id}
    if resolve:
        env["resolve"] = resolve
    return parser(unsafe_html).render(text, env)


def render_with_links(text: str, unsafe_html: bool, resolve: Callable, doc_id: str = "entry",
                      images: Callable | None = None) -> tuple[str, tuple[Link, ...]]:
    """HTML and internal links of a body. images: given the internal links (images among
    them), a mapping of image src -> BodyImage for those it knows; their <img> are written
    with it, and their links point at the rendition the page shows."""
    md = parser(unsafe_html)
    env: dict = {"resolve": resolve, "footnote_doc": doc_id}
    tokens = md.parse(text, env)
    links = tuple(env.get("links", ()))
    if images is not None:
        known = env["images"] = images(links)
        if known:
            links = tuple(replace(link, href=known[link.href].src) if link.image and link.href in known else link
                          for link in links)
    return md.renderer.render(tokens, md.options, env), links
