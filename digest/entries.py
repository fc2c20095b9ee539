"""Source -> Entry: the front-matter schema as one FIELDS table, every problem collected."""

from __future__ import annotations

import hashlib
import json
import posixpath
import re
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timezone
import functools
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable
from urllib.parse import unquote, urlsplit

from anyascii import anyascii

from .config import Config, port_problem
from .errors import WARNING, Problem, character_problem, closest, did_you_mean
from .languages import language_problem
from .load import Node, Source, quoted
from .images import ImageError, LeadImage, Picture, image_file, is_remote, probe
from .markdown import BodyImage, Link, footnote_doc_id, render_with_links

KINDS = ("news", "analysis", "opinion", "official")
# ASCII digits only: `\d` would also take Arabic-Indic or full-width digits.
DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
DATE_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?(Z|[+-][0-9]{2}:?[0-9]{2})?")
# An explicit `slug:` may not look like a path: it would be silently rewritten otherwise.
PATH_LIKE = re.compile(r"[/\\%]|\.\.")
# markdown-it-py's link parser is quadratic in unclosed `[`: 100,000 of them take minutes.
MAX_BRACKETS = 10_000
# Unicode categories that show nothing: format characters (zero-width space, direction
# marks), separators. Text made only of them would be a tag page linked by an empty link.
INVISIBLE = {"Cf", "Zs", "Zl", "Zp", "Cc"}
DATE_HELP = "a date like 2025-07-23, or a date-time like 2025-07-23T10:00:00+03:00"
# Python's dates end at years 1 and 9999; a year's margin keeps every date digest derives in
# range: the day in the site time zone or in UTC (up to 26 hours away), the week of an issue.
YEARS = (2, 9998)
# What `digest new` writes for the editor to replace (new.py writes them from here): a non-draft
# entry holding one is an error, so that a placeholder never reaches a published page.
PLACEHOLDER = re.compile(r"TODO\b")   # at the start of a value, a list item or a body line
NEW_BODY = "Write the entry here: the longer summary, key points and context."
KEY_POINTS_NOTE = ("Key points (editor: rewrite each in your own words, check it against the article, "
                   "and delete this line):")
BODY_PLACEHOLDER = re.compile(r"(?:[-*+] +)?TODO\b|" + re.escape(NEW_BODY) + "$|" + re.escape(KEY_POINTS_NOTE) + "$")


@dataclass(frozen=True)
class Moment:
    """A date from front matter: an aware datetime, and whether the author gave a time."""

    value: datetime
    has_time: bool

    def iso(self) -> str:
        return self._iso

    @functools.cached_property
    def _iso(self) -> str:
        # A date shows on each listing, feed and related link of its entry; formatting an aware
        # datetime asks its zone for the offset each time.
        return self.value.isoformat() if self.has_time else self.value.date().isoformat()


@dataclass(frozen=True)
class Correction:
    """A correction notice: when it was made and what it says (plain text)."""

    date: Moment
    text: str
    line: int = field(default=0, compare=False, repr=False)   # of its `- date:` in the file


@dataclass(frozen=True)
class Entry:
    path: str
    slug: str
    title: str
    date: Moment
    summary: str
    tags: tuple[str, ...]
    body_html: str
    source_name: str | None = None
    source_url: str | None = None
    authors: tuple[str, ...] = ()
    people: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    story: str | None = None
    event_date: Moment | None = None
    kind: str = "news"
    draft: bool = False
    language: str = "en"                      # the entry's language tag; the site's when not written
    translation_key: str | None = None        # shared by the entries that translate one another
    lines: tuple[tuple[str, int], ...] = ()   # (field, line) as written, for messages of later stages

    def line_of(self, field: str) -> int:
        """The line of a field in the file; when the field is not written, the line where it
        would be added: the closing `---` of the front matter (1 for an entry made without one)."""
        lines = dict(self.lines)
        return lines.get(field) or lines.get(FRONT_END, 1)
    links: tuple[Link, ...] = ()   # internal links of the body, with their file lines
    updated: Moment | None = None  # when the entry last changed in substance, if it has
    aliases: tuple[str, ...] = ()  # old URLs, site-relative (`2025/07/old-slug/`): each gets a redirect page
    image: LeadImage | None = None  # the lead image, its file read (images.Picture)
    body_pictures: tuple[Picture, ...] = ()   # the images of the body whose files are in the site
    corrections: tuple[Correction, ...] = ()   # newest first

    @functools.cached_property
    def fingerprint(self) -> bytes:
        """A hash of every field (their repr), for reuse.py. Made once per entry: read_entry
        makes it where the entry is parsed, so it travels with the entry (pickled) through the
        worker processes and the entry cache; `replace()` makes an entry without one yet."""
        return hashlib.blake2b(repr(self).encode("utf-8"), digest_size=16).digest()

    @property
    def when(self) -> Moment:
        """When the reported event happened: event_date, else date."""
        return self.event_date or self.date

    @functools.cached_property
    def last_change(self) -> Moment | None:
        """The newest of `updated` and the corrections' dates when it is later than `date`
        (the page says "Updated" then), else None. Made once: each feed an entry is in asks."""
        newest = None
        for moment in (self.updated, *(correction.date for correction in self.corrections)):
            if moment is not None and moment.value > (newest or self.date).value:
                newest = moment
        return newest

    @property
    def pictures(self) -> tuple[Picture, ...]:
        """Every image file the entry shows: its lead image's and its body's."""
        lead = (self.image.picture,) if self.image is not None and self.image.picture is not None else ()
        return lead + self.body_pictures

    @property
    def modified(self) -> Moment:
        """last_change, else date: the entry's Atom `updated`, JSON-LD dateModified, sitemap lastmod."""
        return self.last_change or self.date


FRONT_END = "---"   # Entry.lines' name for the closing line of the front matter


class FieldError(ValueError):
    """field: the dotted name of a key inside the field (`source.url`), when it is about one."""

    def __init__(self, message: str, line: int | None = None, field: str | None = None):
        super().__init__(message)
        self.message, self.line, self.field = message, line, field


# --- converters: (node, config) -> value, or FieldError -------------------------------

def describe(node: Node) -> str:
    if node.kind == "scalar":
        return f"'{node.value}'" if node.value != "" else "nothing"
    return {"seq": "a list", "map": "a mapping"}[node.kind]


def to_text(node: Node, config: Config | None = None) -> str:
    if node.kind != "scalar":
        raise FieldError(f"expected text, got {describe(node)}")
    # A line break (a folded YAML line, or a "\n" or "\r" escape) is a space in one-line text.
    text = " ".join(node.value.split()) if "\n" in node.value or "\r" in node.value else node.value.strip()
    if not text:
        raise FieldError("expected text, got nothing")
    return visible(text)


def visible(text: str, line: int | None = None) -> str:
    """text, unless nothing of it shows (see INVISIBLE)."""
    if not any(unicodedata.category(character) not in INVISIBLE for character in text):
        codes = ", ".join(dict.fromkeys(f"U+{ord(character):04X}" for character in text))
        raise FieldError(f"expected text, got only characters nobody can see ({codes}); write the text", line)
    return text


def to_body_text(node: Node, config: Config | None = None) -> str:
    if node.kind != "scalar":
        raise FieldError(f"expected text, got {describe(node)}")
    if not node.value.strip():
        raise FieldError("expected text, got nothing")
    return node.value.strip()


@lru_cache(maxsize=1 << 16)  # asked for every term of every entry, several times per build
def term_key(text: str) -> str:
    """What makes two spellings one term (one page): case, runs of spaces, and NFC, since "Київ"
    or "Café" with its accent typed as a combining mark (as text pasted from macOS or a PDF
    often is) looks the same and is the same term, not a second page with a warning."""
    return unicodedata.normalize("NFC", " ".join(text.split()).casefold())


def to_text_list(node: Node, config: Config | None = None) -> tuple[str, ...]:
    if node.kind != "seq":
        hint = ""
        if node.kind == "scalar" and node.value.strip():
            parts = [part.strip() for part in node.value.split(",") if part.strip()]
            hint = f"; write it in brackets: [{', '.join(parts)}]"
            if len(parts) > 1:
                # The comma may be part of one name ("Smith, John"): brackets alone would make
                # two people of it, so show the quoted form too.
                hint += f" ({len(parts)} items), or [{json.dumps(node.value.strip(), ensure_ascii=False)}] (one)"
        raise FieldError(f"expected a list of text such as [Russia, Ukraine], got {describe(node)}{hint}")
    items, seen = [], set()
    for item in node.value:
        if item.kind != "scalar":
            raise FieldError(f"expected a list of text, got {describe(item)} in the list", item.line)
        text = " ".join(item.value.split())
        if not text:
            raise FieldError("empty item in the list; remove it", item.line)
        visible(text, item.line)
        key = term_key(text)  # one term however it is typed, as the site's pages count it
        if key not in seen:
            seen.add(key)
            items.append(text)
    if config is not None and len(items) > config.max_terms:
        raise FieldError(f"{len(items):,} items; an entry may list at most {config.max_terms:,} (the max_terms "
                         f"setting), as each is a page and a feed of its own: keep the ones the entry is about")
    return tuple(items)


def to_nonempty_list(node: Node, config: Config | None = None) -> tuple[str, ...]:
    items = to_text_list(node, config)
    if not items:
        raise FieldError("expected at least one item, got an empty list")
    return items


def to_text_or_list(node: Node, config: Config | None = None) -> tuple[str, ...]:
    if node.kind == "scalar":
        return (to_text(node),)
    if node.kind == "seq":
        return to_text_list(node)
    raise FieldError(f"expected text or a list of text, got {describe(node)}")


def to_moment(node: Node, config: Config) -> Moment:
    if node.kind != "scalar":
        raise FieldError(f"expected {DATE_HELP}, got {describe(node)}")
    if not node.value.strip():
        raise FieldError(f"expected {DATE_HELP}, got nothing")
    text = to_text(node)
    if DATE.match(text) and not YEARS[0] <= int(text[:4]) <= YEARS[1]:
        raise FieldError(f"'{text}' is outside the years digest supports, {YEARS[0]:04d} to {YEARS[1]}; "
                         f"write a date from {YEARS[0]:04d}-01-01 to {YEARS[1]}-12-31")
    try:
        if DATE.fullmatch(text):
            day = date.fromisoformat(text)
            moment = Moment(datetime.combine(day, time(), config.tz), False)
        elif DATE_TIME.fullmatch(text):
            value = datetime.fromisoformat(text)
            if value.tzinfo is None:
                value = local_time(value, text, config)
            moment = Moment(value, True)
        else:
            raise FieldError(f"expected {DATE_HELP}, got '{text}'")
    except ValueError as error:
        if isinstance(error, FieldError):
            raise
        raise FieldError(f"'{text}' is not a real date; expected {DATE_HELP}") from None
    return moment


def local_time(value: datetime, text: str, config: Config) -> datetime:
    """A naive date-time read in the site's time zone; a wall time that the zone skips or
    repeats (daylight saving) is refused rather than guessed."""
    first, second = value.replace(tzinfo=config.tz), value.replace(tzinfo=config.tz, fold=1)
    if first.utcoffset() != second.utcoffset():
        # The zone's own offsets on either side of the change, as the author would write them.
        offsets = f"{_offset(first)} or {_offset(second)}"
        there = first.astimezone(timezone.utc).astimezone(config.tz).replace(tzinfo=None)
        if there != value:
            raise FieldError(f"'{text}' does not exist in the site time zone {config.timezone} "
                             f"(the clocks skip it); add the offset you meant: {offsets}")
        raise FieldError(f"'{text}' happens twice in the site time zone {config.timezone} "
                         f"(the clocks go back); add the offset you meant: {offsets}")
    return first


def _offset(moment: datetime) -> str:
    """`+01:00`, `-04:00`, `+05:45`."""
    minutes = int(moment.utcoffset().total_seconds()) // 60
    return f"{'-' if minutes < 0 else '+'}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def to_flag(node: Node, config: Config | None = None) -> bool:
    text = to_text(node).lower() if node.kind == "scalar" and node.value.strip() else None
    if text not in ("true", "false"):
        raise FieldError(f"expected true or false, got {describe(node)}")
    return text == "true"


def to_kind(node: Node, config: Config | None = None) -> str:
    if node.kind != "scalar" or not node.value.strip():
        raise FieldError(f"expected one of {', '.join(KINDS)}, got {describe(node)}")
    text = to_text(node).lower()
    if text not in KINDS:
        raise FieldError(f"expected one of {', '.join(KINDS)}, got '{node.value}'{did_you_mean(text, KINDS)}")
    return text


def to_language(node: Node, config: Config) -> str:
    """A language tag CLDR knows, spelt as the site's settings spell it when it is one of them."""
    text = to_text(node)
    problem = language_problem(text) if re.fullmatch(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*", text) else \
        f"expected a language tag such as 'en', 'uk' or 'pt-BR', got '{text}'"
    if problem:
        raise FieldError(problem)
    return next((tag for tag in config.site_languages if tag.lower() == text.lower()), text)


def to_slug_text(node: Node, config: Config | None = None) -> str:
    text = to_text(node)
    if PATH_LIKE.search(text):
        raise FieldError(f"'{node.value}' looks like a path; a slug is one URL segment of letters, digits and '-', such as 'peace-talks'")
    slug = slugify(text, limit=None)
    if not slug:
        raise FieldError(f"'{node.value}' gives an empty slug; use letters or digits, such as 'peace-talks'")
    if len(slug) > SLUG_MAX:
        raise FieldError(f"'{slug[:20]}...' is {len(slug)} characters long; a slug may have at most {SLUG_MAX}")
    return slug


# Characters no URL holds (RFC 3986), which browsers and the HTML checker refuse in a link, each
# with its name and its %-escape. An apostrophe is not one (Wikipedia's People's_Republic_of_China).
URL_REFUSED = {" ": ("a space", "%20"), "\t": ("a tab", "%09"), "<": ("'<'", "%3C"), ">": ("'>'", "%3E"),
               '"': ("'\"'", "%22"), "`": ("'`'", "%60")}


def to_http_url(node: Node, config: Config | None = None) -> str:
    text = to_text(node)
    expected = f"expected an http:// or https:// URL, got '{text}'"
    try:
        parts = urlsplit(text)
    except ValueError:  # an IPv6 address without its closing `]`
        raise FieldError(expected) from None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise FieldError(expected)
    refused = next((character for character in text if character in URL_REFUSED), None)
    if refused:
        name, escaped = URL_REFUSED[refused]
        raise FieldError(f"'{text}' holds {name}, which no URL may hold; write it as {escaped}")
    if not parts.hostname:
        raise FieldError(f"'{text}' has no host name; write a URL such as https://example.org/news")
    bad_port = port_problem(parts)
    if bad_port:  # browsers and the HTML checker refuse such a link
        raise FieldError(f"{bad_port} in '{text}'; correct it or leave the port out")
    return text


CORRECTION_KEYS = ("date", "text")
CORRECTION_EXAMPLE = "- {date: 2025-07-24, text: \"An earlier version misspelt the minister's name.\"}"


def to_corrections(node: Node, config: Config) -> tuple[Correction, ...]:
    """A list of {date, text}, newest first (of one date, in the order written)."""
    if node.kind != "seq":
        raise FieldError(f"expected a list of corrections, one per line such as {CORRECTION_EXAMPLE}, "
                         f"got {describe(node)}")
    found = []
    for item in node.value:
        if item.kind != "map":
            raise FieldError(f"expected a correction with date and text, such as {CORRECTION_EXAMPLE}, "
                             f"got {describe(item)}", item.line)
        values = {key: (line, value) for key, line, value in item.value}
        for key in CORRECTION_KEYS:
            if key not in values:
                raise FieldError(f"required key is missing: add '{key}:' to this correction "
                                 f"(such as {CORRECTION_EXAMPLE})", item.line, f"corrections.{key}")
        try:
            moment = to_moment(values["date"][1], config)
        except FieldError as error:
            raise FieldError(error.message, values["date"][0], "corrections.date") from None
        try:
            text = to_text(values["text"][1])
        except FieldError as error:
            raise FieldError(error.message, values["text"][0], "corrections.text") from None
        found.append(Correction(moment, text, item.line))
    return tuple(sorted(found, key=lambda correction: correction.date.value, reverse=True))


def earlier(moment: Moment, than: Moment, config: Config) -> bool:
    """Whether `moment` comes before `than`: by the day in the site time zone when either has
    no time (a correction dated 2025-07-23 is not before an entry of 2025-07-23T10:00)."""
    if moment.has_time and than.has_time:
        return moment.value < than.value
    return moment.value.astimezone(config.tz).date() < than.value.astimezone(config.tz).date()


def before_publication(values: dict, lines: dict, config: Config):
    """(line, field, message) for an `updated:` or a correction dated before the entry's `date`."""
    published = values.get("date")
    if published is None:
        return
    # (Each date's text only for a message: a Moment keeps its text once made, and every entry's
    # date would carry it from the parse workers into the build and its cache.)
    if values.get("updated") and earlier(values["updated"], published, config):
        yield (lines["updated"], "updated", f"'{values['updated'].iso()}' is before the entry's date "
               f"{published.iso()}; an update comes after publication: correct one of the two dates")
    for correction in values.get("corrections", ()):
        if earlier(correction.date, published, config):
            yield (correction.line, "corrections.date", f"'{correction.date.iso()}' is before the entry's date "
                   f"{published.iso()}; a correction comes after publication: correct one of the two dates")


IMAGE_KEYS = ("src", "alt", "caption", "credit")
IMAGE_EXAMPLE = 'image: {src: talks.jpg, alt: "Delegations at the table in Istanbul"}'


def to_image(node: Node, config: Config | None = None) -> LeadImage:
    """`image:` with `src` (a file beside the entry, or /path in static/), `alt` (required;
    a quoted empty `alt: ""` marks a decorative image), optional `caption` and `credit`.
    The file itself is read by read_entry, which knows where the entry is."""
    if node.kind != "map":
        raise FieldError(f"expected a mapping with src and alt, such as {IMAGE_EXAMPLE}, got {describe(node)}")
    values = {key: (line, value) for key, line, value in node.value}

    def text_of(key: str) -> str | None:
        if key not in values or (values[key][1].kind == "scalar" and values[key][1].plain and not values[key][1].value):
            return None
        try:
            return to_text(values[key][1])
        except FieldError as error:
            raise FieldError(error.message, values[key][0], f"image.{key}") from None

    src = text_of("src")
    if src is None:
        raise FieldError(f"required key is missing: add 'src:' under 'image:' (the image file beside the entry, "
                         f"or /path/in/static.jpg), such as {IMAGE_EXAMPLE}", node.line, "image.src")
    if is_remote(src):
        raise FieldError(f"'{src}' is on another host; the site loads nothing from another host: save the image "
                         "beside the entry (or in static/) and give its path", values["src"][0], "image.src")
    if "alt" not in values:
        raise FieldError("required key is missing: add 'alt:' under 'image:' (what the image shows, for readers "
                         "who cannot see it; alt: \"\" marks an image as decorative)", node.line, "image.alt")
    alt_line, alt_node = values["alt"]
    if alt_node.kind == "scalar" and alt_node.value == "" and not alt_node.plain:
        alt = ""   # written `alt: ""`: decorative, on purpose
    elif alt_node.kind == "scalar" and not alt_node.value.strip():
        raise FieldError("alt is empty: say what the image shows, or write alt: \"\" (quoted) to mark it as "
                         "decorative", alt_line, "image.alt")
    else:
        alt = text_of("alt")
    return LeadImage(src, alt, text_of("caption"), text_of("credit"))


def body_image(picture: Picture, base_path: str) -> BodyImage:
    """An image of a body as its <img> attributes: the largest rendition (at most the column)
    with its size, the other widths as srcset, loaded when scrolled near."""
    largest = picture.largest
    attributes = [("src", base_path + largest.path)]
    if len(picture.fallback) > 1:
        attributes += [("srcset", ", ".join(f"{base_path}{r.path} {r.width}w" for r in picture.fallback)),
                       ("sizes", picture.sizes)]
    attributes += [("width", str(largest.width)), ("height", str(largest.height)),
                   ("loading", "lazy"), ("decoding", "async")]
    webp = ", ".join(f"{base_path}{r.path} {r.width}w" for r in picture.webp)
    return BodyImage(tuple(attributes), webp, picture.sizes if webp else "")


ALIAS_EXAMPLE = "[/2025/07/old-slug/]"
# A query or a fragment is no part of the file a host finds for a URL; a backslash is a `/`
# to some browsers.
NOT_IN_ALIAS = re.compile(r"[?#\\]")


def to_aliases(node: Node, config: Config | None = None) -> tuple[str, ...]:
    """Old URLs of the entry, as paths on this site: `/2025/07/old-slug/`, `old.html`."""
    if node.kind != "seq":
        hint = f"; write it in brackets: [{node.value.strip()}]" if node.kind == "scalar" and node.value.strip() else ""
        raise FieldError(f"expected a list of old URLs such as {ALIAS_EXAMPLE}, got {describe(node)}{hint}")
    paths = []
    for item in node.value:
        if item.kind != "scalar":
            raise FieldError(f"expected a path such as /2025/07/old-slug/, got {describe(item)} in the list", item.line)
        paths.append(alias_path(item.value.strip(), item.line))
    return tuple(dict.fromkeys(paths))


def alias_path(text: str, line: int) -> str:
    """An alias as the site-relative URL of its redirect page: `2025/07/old/` or `old.html`."""
    if not text:
        raise FieldError("empty item in the list; remove it", line)
    if re.match(r"[a-z][a-z0-9+.\-]*:", text, re.IGNORECASE) or text.startswith("//"):
        raise FieldError(f"'{text}' is a full URL; write the path on this site alone, such as /2025/07/old-slug/ "
                         "(the redirect page is written into this site)", line)
    refused = NOT_IN_ALIAS.search(text) or next((c for c in text if c in URL_REFUSED or ord(c) < 32), None)
    if refused:
        character = refused.group() if isinstance(refused, re.Match) else refused
        raise FieldError(f"'{text}' holds {character!r}; an alias is a path such as /2025/07/old-slug/, without "
                         "a query, a fragment, spaces or backslashes", line)
    parts = [unquote(part) for part in text.strip("/").split("/")]
    if parts == [""]:
        raise FieldError(f"'{text}' is the home page; an alias is the old URL of this entry, such as "
                         "/2025/07/old-slug/", line)
    if any(part in ("", ".", "..") for part in parts) or any("/" in part or "\\" in part for part in parts):
        raise FieldError(f"'{text}' is not a plain path (an empty, '.' or '..' part, or an escaped '/'); write it as "
                         "the address bar shows it, such as /2025/07/old-slug/", line)
    last = parts[-1]
    if last.lower().endswith((".html", ".htm")) and not text.endswith("/"):
        return "/".join(parts)
    if "." in last and not text.endswith("/"):
        raise FieldError(f"'{text}' names a file that is not a page; an alias is a folder URL ending in '/' "
                         "or an .html file, as a static host serves them", line)
    return "/".join(parts) + "/"


SOURCE_KEYS = ("name", "url")


def to_source(node: Node, config: Config | None = None) -> dict:
    """`source: Name`, or a mapping with `name` and an optional `url`."""
    if node.kind == "scalar":
        return {"name": to_text(node)}
    if node.kind != "map":
        raise FieldError(f"expected a mapping with name and url, got {describe(node)}")
    values = {}
    for key, key_line, value in node.value:
        if key not in SOURCE_KEYS:
            continue  # a warning, as an unknown field is (read_entry, Field.keys)
        try:
            values[key] = to_http_url(value) if key == "url" else to_text(value)
        except FieldError as error:
            raise FieldError(error.message, value.line, f"source.{key}") from None
    if "name" not in values:
        raise FieldError("required key is missing: add 'name:' under 'source:' (the publisher's name)",
                         node.line, "source.name")
    return values


# Names authors reach for that spelling alone does not lead to (difflib finds `tag` -> `tags`).
OTHER_NAMES = {"person": "people", "persons": "people", "place": "places", "location": "places",
               "locations": "places", "authors": "author", "by": "author", "published": "date",
               "description": "summary", "excerpt": "summary", "categories": "tags", "category": "tags",
               "keywords": "tags", "publisher": "source", "event": "event_date", "lang": "language",
               "locale": "language", "translationkey": "translation_key", "translation": "translation_key",
               "translation_of": "translation_key"}


@dataclass(frozen=True)
class Field:
    name: str
    convert: Callable[[Node, Config], Any]
    required: bool = False
    help: str = ""
    keys: tuple[str, ...] = ()   # a mapping's known keys: any other is a warning, as a field is
    example: str = ""            # a value to show in "add a line such as ..." (required fields)

    def unknown_keys(self, node: Node) -> list[tuple[int, str, str]]:
        """(line, dotted key, message) for each key of the field's mapping (or of each mapping
        in its list: `corrections`) that is not one of its keys."""
        if not self.keys or node.kind == "scalar":
            return []
        mappings = [node] if node.kind == "map" else [item for item in node.value if item.kind == "map"]
        return [(line, f"{self.name}.{key}", f"unknown key{did_you_mean(key, self.keys)}; "
                                             f"{self.name} takes {' and '.join(self.keys)}")
                for mapping in mappings for key, line, _ in mapping.value if key not in self.keys]


FIELDS = (
    Field("title", to_text, True, "headline of the entry", example='"Talks resume in Istanbul"'),
    Field("date", to_moment, True, "when the source was published: date, or date-time with offset",
          example="2025-07-23"),
    Field("summary", to_body_text, True, "one or two sentences shown in listings, feeds and search",
          example='"Delegations met for three hours and agreed to meet again."'),
    Field("tags", to_nonempty_list, True, "list of topics, at least one", example="[Russia, Ukraine]"),
    Field("source", to_source, False, "the publisher: `name` and an optional http(s) `url`", SOURCE_KEYS),
    Field("author", to_text_or_list, False, "author of the source: text or a list of text"),
    Field("people", to_text_list, False, "people the entry is about"),
    Field("places", to_text_list, False, "places the entry is about"),
    Field("story", to_text, False, "groups entries into one story timeline"),
    Field("event_date", to_moment, False, "when the reported event happened, if not `date`"),
    Field("kind", to_kind, False, "news | analysis | opinion | official (default news)"),
    Field("draft", to_flag, False, "true keeps the entry out of the site unless --drafts"),
    Field("slug", to_slug_text, False, "the last part of the entry's URL (default: the file name)"),
    Field("updated", to_moment, False, "when the entry last changed in substance: date, or date-time with offset"),
    Field("corrections", to_corrections, False, "list of corrections, each with `date` and `text`", CORRECTION_KEYS),
    Field("aliases", to_aliases, False, "old URLs of the entry, such as [/2025/07/old-slug/]: each redirects here"),
    Field("image", to_image, False, "the lead image: `src`, `alt`, and an optional `caption` and `credit`", IMAGE_KEYS),
    Field("language", to_language, False, "the entry's language tag, such as uk (default: the site's language)"),
    Field("translation_key", to_text, False, "the same text on each translation of one entry links them"),
)
FIELDS_BY_NAME = {f.name: f for f in FIELDS}


SLUG_MAX = 100   # characters: a URL segment and a folder name (file systems stop at 255 bytes)


def slugify(text: str, limit: int | None = SLUG_MAX) -> str:
    """Lower-case ASCII `a-z0-9-`, transliterating any script (`Київ` -> `kiiv`); a slug made
    from a long title, file name or term is cut to `limit` characters at a word boundary."""
    slug = re.sub(r"[^a-z0-9]+", "-", anyascii(text).lower()).strip("-")
    if limit is None or len(slug) <= limit:
        return slug
    cut = slug[: limit + 1].rfind("-")
    return slug[: cut if cut > limit // 2 else limit].strip("-")


def unpublishable(node: Node, name: str):
    """(line, field, message) for each text under a field that holds a character no page or
    feed may hold: written as a YAML escape (`"\\0"`, `"\\e"`, `"\\uFFFF"`), it passes the
    file's own check (load.CONTROL). name: the field's dotted name."""
    if node.kind == "scalar":
        problem = character_problem(node.value)
        if problem:
            yield node.line, name, problem
    elif node.kind == "seq":
        for item in node.value:
            yield from unpublishable(item, name)
    else:
        for key, _, value in node.value:
            yield from unpublishable(value, f"{name}.{key}")


def _unspaced_field(key: str) -> bool:
    """`title:Kyiv` as a key: a field's name, then ':' with no space after it."""
    name, colon, rest = key.partition(":")
    return bool(colon) and name in FIELDS_BY_NAME and rest[:1] not in ("", " ")


def _unspaced_message(key: str, node: Node) -> str:
    """`title:Kyiv: talks`: with no space after its first ':', YAML reads `title:Kyiv` as the
    key. The value meant is all after `title:`, in quotes for its ': '."""
    name, _, rest = key.partition(":")
    if node.kind == "scalar" and node.plain:
        fix = f"write the line as {name}: {quoted(f'{rest}: {node.value}')}"
    else:
        fix = f"write '{name}: ' in place of '{name}:'"
    return f"a space must follow the ':' after '{name}', or YAML reads '{key}' as the field's name: {fix}"


def read_entry(source: Source, config: Config) -> tuple[Entry | None, list[Problem]]:
    """Convert one Source; an Entry only when no field has an error."""
    values, problems = {}, []

    def report(line: int | None, field: str | None, message: str, severity: str = "error") -> None:
        problems.append(Problem(source.path, line, field, message, severity))

    given = {key: (line, node) for key, line, node in source.front}
    front_end = source.body_line - 1   # the closing `---`: where a missing field goes
    misspelt = set()                   # required fields written under another name (`sumary:`)
    for key, (line, node) in given.items():
        field = FIELDS_BY_NAME.get(key)
        if field is None and _unspaced_field(key):
            report(line, key, _unspaced_message(key, node))
            misspelt.add(key.partition(":")[0])
            continue
        if field is None:
            meant = closest(key, FIELDS_BY_NAME, OTHER_NAMES)
            if meant and FIELDS_BY_NAME[meant].required and meant not in given and meant not in misspelt:
                # One message, where the fix goes, rather than "unknown" here and "missing" at the end.
                misspelt.add(meant)
                report(line, key, f"unknown field, and the required field '{meant}' is missing: "
                                  f"did you mean '{meant}'? write '{meant}:' in place of '{key}:'")
            else:
                report(line, key, f"unknown field{did_you_mean(key, FIELDS_BY_NAME, OTHER_NAMES)}", WARNING)
            continue
        if node.kind == "scalar" and node.plain and not node.value and not field.required:
            continue  # `story:` with nothing after it means no story; `story: ""` is an error below.
        for key_line, name, message in field.unknown_keys(node):
            report(key_line, name, message, WARNING)
        unfit = list(unpublishable(node, key)) if source.may_hold_unfit else []
        for problem in unfit:
            report(*problem)
        if unfit:
            continue  # the converter's messages would quote the character
        try:
            values[key] = field.convert(node, config)
        except FieldError as error:
            blank = node.kind == "scalar" and not node.value.strip() and not field.required
            report(error.line or node.line, error.field or key,
                   error.message + ("; give a value, or delete the line to leave the field out" if blank else ""))
    for field in FIELDS:
        if field.required and field.name not in given and field.name not in misspelt:
            report(front_end, field.name, f"required field is missing: add a line such as {field.name}: "
                                          f"{field.example} above this closing '---' ({field.help})")
    for problem in before_publication(values, {key: line for key, (line, _) in given.items()}, config):
        report(*problem)
    brackets = source.body.count("[")
    if brackets > MAX_BRACKETS:
        report(source.body_line, "body", f"{brackets:,} '[' characters; more than {MAX_BRACKETS:,} are refused, "
                                         "as Markdown would take minutes over them")
    if "image" in values:
        values["image"] = read_lead_image(values["image"], given["image"][1], source.path, config, report)
    if not values.get("draft", False):
        problems += placeholders(source)
    if any(p.severity == "error" for p in problems):
        return None, problems
    slug = values.pop("slug", None) or slugify(source.file_name) or slugify(values["title"])
    if not slug:
        slug = "entry-" + source.digest[:8]
    source_values = values.pop("source", {})
    body_pictures: list[Picture] = []

    def body_images(found_links: tuple[Link, ...]) -> dict[str, BodyImage]:
        """The body's images whose files are in the site, by src: their renditions."""
        known: dict[str, BodyImage] = {}
        for link in found_links:
            if not link.image or link.href in known:
                continue
            try:
                file = image_file(link.written or link.href, source.path, config)
            except ImageError:
                continue  # not a file of the site: written as it is, and the link check says so
            if not (Path(config.root) / file).is_file():
                continue
            try:
                picture = probe(file, config)
            except ImageError as error:
                report(source.body_line + link.line - 1, "body", str(error))
                continue
            body_pictures.append(picture)
            known[link.href] = body_image(picture, config.base_path)
        return known

    body_html, links = render_with_links(source.body, config.unsafe_html, link_resolver(source.path, config.base_path),
                                         footnote_doc_id(source.path, config.content_dir), body_images)
    if any(p.severity == "error" for p in problems):
        return None, problems
    links = tuple(replace(link, line=source.body_line + link.line - 1) for link in links)
    entry = Entry(
        path=source.path,
        slug=slug,
        title=values["title"],
        date=values["date"],
        summary=values["summary"],
        tags=values["tags"],
        body_html=body_html,
        source_name=source_values.get("name"),
        source_url=source_values.get("url"),
        authors=values.get("author", ()),
        people=values.get("people", ()),
        places=values.get("places", ()),
        story=values.get("story"),
        event_date=values.get("event_date"),
        kind=values.get("kind", "news"),
        draft=values.get("draft", False),
        language=values.get("language", config.language),
        translation_key=values.get("translation_key"),
        lines=tuple((key, line) for key, line, _ in source.front) + ((FRONT_END, front_end),),
        links=links,
        updated=values.get("updated"),
        corrections=values.get("corrections", ()),
        aliases=values.get("aliases", ()),
        image=values.get("image"),
        body_pictures=tuple({picture.source: picture for picture in body_pictures}.values()),
    )
    entry.fingerprint  # made here, in the worker that parsed the entry: it is pickled with it
    return entry, problems


def read_lead_image(lead: LeadImage, node: Node, path: str, config: Config, report: Callable) -> LeadImage:
    """The lead image with its file read (images.probe); a problem at `src`'s line if it cannot be."""
    line = next((key_line for key, key_line, _ in node.value if key == "src"), node.line)
    try:
        return replace(lead, picture=probe(image_file(lead.src, path, config), config))
    except ImageError as error:
        report(line, "image.src", str(error))
        return lead
def placeholders(source: Source) -> list[Problem]:
    """A Problem for each placeholder `digest new` wrote that is still in the entry: a value,
    a list item or a line of the body (PLACEHOLDER, BODY_PLACEHOLDER)."""
    found = []

    def walk(node: Node, name: str) -> None:
        if node.kind == "scalar":
            if PLACEHOLDER.match(node.value.strip()):
                found.append(Problem(source.path, node.line, name,
                                     f"'{node.value.strip()}' is a placeholder digest new wrote: replace it with "
                                     f"the entry's own {PLACEHOLDER_WHAT.get(name, 'text')}, or keep the entry a "
                                     "draft (draft: true) until it is ready"))
        elif node.kind == "seq":
            for item in node.value:
                walk(item, name)
        else:
            for key, _, value in node.value:
                walk(value, f"{name}.{key}")

    for key, _, node in source.front:
        if key in FIELDS_BY_NAME:
            walk(node, key)
    if "TODO" in source.body or NEW_BODY in source.body or KEY_POINTS_NOTE in source.body:
        for number, line in enumerate(source.body.split("\n")):
            if BODY_PLACEHOLDER.match(line.strip()):
                found.append(Problem(source.path, source.body_line + number, "body",
                                     f"'{line.strip()}' is a placeholder digest new wrote: write the entry's "
                                     "text in its place (or delete the line), or keep the entry a draft "
                                     "(draft: true) until it is ready"))
    return found


# What to write in place of a placeholder, by field.
PLACEHOLDER_WHAT = {"title": "headline", "summary": "summary of one or two sentences", "tags": "topics",
                    "people": "people", "places": "places", "story": "story"}


def link_resolver(path: str, base_path: str) -> Callable:
    """Internal links of a body: `/tags/x/` goes under the base path; `../07/other.md` is
    recorded with the content file it names, for render.py to point at that entry's URL."""
    folder = posixpath.dirname(path)

    def resolve(href: str, line: int) -> tuple[str, str | None]:
        if href.startswith("/"):
            return base_path + href[1:], None
        target = urlsplit(href).path
        if target.lower().endswith(".md"):
            return href, posixpath.normpath(posixpath.join(folder, unquote(target)))
        return href, None

    return resolve
