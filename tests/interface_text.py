"""What a reader of a page sees of the interface: its visible text (text nodes, the attributes
read aloud or shown, the search script's messages), without the content's own text. A page in
a language other than English has no Latin word left in it but names (NAMES) and language
tags: each one left is an interface word that escaped the string tables."""

from __future__ import annotations

import html.parser
import json
import re
import tomllib
from pathlib import Path

from digest.config import load_config
from digest.strings import PLURAL_FORMS
from digest.themes import default_theme_dir

TABLES = default_theme_dir() / "i18n"

# Names that are no word to translate: the program, formats, the command line.
NAMES = ("digest build --no-search", "digest serve", "digest", "Atom", "JSON", "ISO", "JavaScript", "UTC")


def flat(table: dict, prefix: str = "") -> dict:
    found = {}
    for key, value in table.items():
        if isinstance(value, dict) and not set(value) <= set(PLURAL_FORMS):
            found.update(flat(value, f"{prefix}{key}."))
        else:
            found[f"{prefix}{key}"] = value
    return found


def table(language: str) -> dict:
    """A bundled string table, key -> text (or its plural forms)."""
    return flat(tomllib.loads((TABLES / f"{language}.toml").read_text(encoding="utf-8")))


def texts(value) -> list[str]:
    return list(value.values()) if isinstance(value, dict) else [value]


class Visible(html.parser.HTMLParser):
    """A page's text as a reader meets it: text nodes and the attributes that are read aloud
    or shown (aria-label, placeholder, title, alt), and the search script's messages."""

    SHOWN = ("aria-label", "placeholder", "title", "alt")

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.skip += 1
        for name, value in attrs:
            if name in self.SHOWN and value:
                self.parts.append(value)
            if name == "data-messages" and value:
                self.parts += [text for value in json.loads(value).values() for text in texts(value)]

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def visible_text(page: str) -> str:
    parser = Visible()
    parser.feed(page)
    return "\n".join(parser.parts)


def english_words() -> set[str]:
    """Every word of the English table, lower case."""
    words = set()
    for value in table("en").values():
        for text in texts(value):
            text = re.sub(r"\{\w*\}", " ", text)
            for name in NAMES:
                text = text.replace(name, " ")
            words.update(word.lower() for word in re.findall(r"[A-Za-z]{2,}", text))
    return words


def content_strings(root: Path) -> list[str]:
    """Every text of the content that pages show (settings, entries, terms, stories), longest
    first: what the check removes before it looks."""
    from digest.build import make_site
    site, _ = make_site(load_config(root))
    found = {site.config.title, site.config.description}
    for post in site.posts:
        entry = post.entry
        found.update([entry.title, entry.summary, entry.source_name or "", entry.story or "",
                      ", ".join(entry.authors), *entry.authors, *entry.tags, *entry.people, *entry.places])
        found.update(visible_text(entry.body_html).split("\n"))
    for taxonomy in site.taxonomies.values():
        found.update(term.name for term in taxonomy.terms)
    return sorted((text.strip() for text in found if text.strip()), key=len, reverse=True)


def latin_left(text: str, content: list[str], tags: tuple[str, ...] = ()) -> set[str]:
    """The Latin words (lower case) of a page's visible text once the content's texts, NAMES
    and the language tags are taken out. On a page in a language not written in Latin script
    each is an interface word left in English (or a name to add to NAMES)."""
    text = re.sub(r"\{\w*\}", " ", text)  # the search script's messages hold placeholders
    for shown in content:
        text = text.replace(shown, " ")
    for name in NAMES:
        text = text.replace(name, " ")
    return {word.lower() for word in re.findall(r"[A-Za-z]{2,}", text)} - {tag.lower() for tag in tags}


def english_left(page: str, content: list[str], tags: tuple[str, ...] = ()) -> set[str]:
    """latin_left of a page's HTML (visible_text)."""
    return latin_left(visible_text(page), content, tags)
