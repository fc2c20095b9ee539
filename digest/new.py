"""`digest new`: a new entry file, blank or drafted from a plain-text article.

A library module: it returns the text and path of the entry, or raises DigestError;
cli.py prints. Imports only errors, config and entries (it slots in after entries.py in
the one-way order that tests/test_architecture.py checks).

The article shape `digest new --from` reads (docs/guides/importing.md):

    Talks resume in Istanbul              the headline (optional): the title and the file name
    07/23/2025 / By Belle Carter          date (MM/DD/YYYY) and byline
    <paragraph per line ...>              the first paragraph is the lead
    Tagged Under:
    tag one, tag two, ...                 comma-separated tags
    <boilerplate>                         ignored

Boilerplate (copyright lines, share prompts, the "Tagged Under" list) never reaches the
draft's source, summary or body: a republishing site's copyright names that site, not the
source, so source.name is left for the editor.

Only the lead's first one or two sentences are copied (as the summary). Everything else
the draft holds is the editor's to write: key points become short prompts that list the
names, figures and dates of each paragraph, never its sentences.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from .config import Config
from .entries import FIELDS_BY_NAME, KEY_POINTS_NOTE, NEW_BODY, slugify
from .errors import COMMAND_LINE, DigestError, Problem, character_problem

EXPECTED_SHAPE = ("expected a plain-text article: a first line like '07/23/2025 / By Belle Carter' "
                  "(or the headline, then that line), then the article's paragraphs, then a 'Tagged Under:' "
                  "line followed by a line of comma-separated tags")
BYLINE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})\s*/\s*By\s+(\S.*?)\s*", re.IGNORECASE)
TAGGED_UNDER = re.compile(r"tagged under:?\s*(.*)", re.IGNORECASE)
COPYRIGHT = re.compile(r"(?:copyright\b|©|\(c\)\s*\d{4}|all rights reserved).*", re.IGNORECASE)
# Lines a page carries around an article, not part of it, left out wherever they stand:
# share prompts ("Share this article", "Click to share on X", "Follow us on Telegram") and
# rows of network names ("Facebook | Twitter | Email").
NETWORK = r"(?:facebook|twitter|x|telegram|whatsapp|linkedin|reddit|email|e-mail|print|tweet|copy link)"
SHARE_PROMPT = re.compile(
    r"(?:please\s+)?share\b(?:\s+(?:this|it|on|with|via|the)\b.*)?[.!:]?"
    r"|(?:click|tap)\s+(?:here\s+)?to\s+(?:share|tweet|print|email|subscribe)\b.*"
    r"|(?:follow|like|join)\s+us\b.*|spread\s+the\s+word\b.*"
    rf"|{NETWORK}(?:\s*[|·•,/]?\s*{NETWORK})*[.:]?", re.IGNORECASE)
# Paragraphs from here on are the site's own promotion, not the article.
BOILERPLATE = re.compile(r"(watch the video|this video is from|read more|related:|sources? (?:include|for this)|"
                         r"subscribe|follow us)", re.IGNORECASE)
LEAD_WORDS_FOR_ONE_SENTENCE = 20     # a shorter first sentence gets the second one too
SUMMARY_MAX_WORDS = 60
# Capitalised words that open a name but are not part of it ("President Vladimir Putin").
TITLE_WORDS = {
    "president", "vice", "prime", "minister", "foreign", "defense", "defence", "interior", "finance",
    "secretary", "state", "chancellor", "spokesman", "spokeswoman", "spokesperson", "general", "senator",
    "governor", "mayor", "king", "queen", "prince", "princess", "pope", "chief", "leader", "ambassador",
    "envoy", "commander", "deputy", "former", "mr", "mrs", "ms", "dr", "sir", "lord", "lady", "judge",
    "justice", "official", "officials", "adviser", "advisor", "director", "head", "rep", "sen", "gov",
}
# Words that start sentences or name no place; a word also seen in lower case is skipped anyway.
NOT_NAMES = {"the", "a", "an", "this", "that", "these", "those", "it", "its", "his", "her", "their", "our",
             "we", "they", "he", "she", "i", "you", "yet", "but", "and", "or", "so", "for", "with",
             "while", "when", "after", "before", "despite", "however", "meanwhile", "speaking", "as",
             "in", "on", "at", "by", "from", "to", "of", "if", "now", "still", "also", "not",
             "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
             "january", "february", "march", "april", "may", "june", "july", "august", "september",
             "october", "november", "december"}
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December")
NAME_WORD = r"(?:[A-Z]\.){2,}|[A-Z][\w’'-]*"
NAME_RUN = re.compile(rf"(?:{NAME_WORD})(?:\s+(?:{NAME_WORD}))*")
POSSESSIVE = re.compile(r"[’']s$")
ASIDE = re.compile(r"\((?:related|see also|read)\b[^)]*\)", re.IGNORECASE)
FIGURE = re.compile(r"(?:(?:%s)\s+\d{1,2}\b|\b\d[\d,.]*(?:\s*(?:percent|%%|per cent|days|weeks|months|years|"
                    r"million|billion|trillion|minutes?|hours?))?)" % "|".join(MONTHS))
KEYWORD = re.compile(r"\b[a-z][a-z-]{6,}\b")
COMMON_WORDS = {"because", "between", "through", "without", "against", "although", "another", "several",
                "further", "already", "despite", "including", "whether", "however", "meanwhile", "reportedly",
                "publicly", "initially", "abruptly", "something", "everything", "remains", "remained",
                "comes", "should", "could", "would", "continues", "according", "following", "possibility"}
ABBREVIATION = re.compile(r"(?:[A-Z]\.)+[A-Z]?|Mr|Mrs|Ms|Dr|St|Gen|Sen|Rep|Gov|Jr|Sr|vs|etc", re.ASCII)


@dataclass(frozen=True)
class Article:
    """What a plain-text article yields: facts, the lead, and the paragraphs after it."""

    date: date
    author: str
    tags: tuple[str, ...]
    lead: str
    paragraphs: tuple[str, ...]     # the body after the lead, boilerplate left out
    headline: str | None = None     # the line before the byline, if any


@dataclass(frozen=True)
class NewEntry:
    path: Path                       # absolute
    relative: str                    # as shown to the user, from the site root
    text: str
    taken: str | None = None         # the path it would have had, were that file not there already


# --- `digest new "Title"` ----------------------------------------------------------------

def today_in(config: Config) -> date:
    return datetime.now(config.tz).date()


def yaml_text(text: str) -> str:
    """A double-quoted YAML scalar (JSON's string syntax is valid YAML); line separators escaped."""
    return json.dumps(text, ensure_ascii=False).replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def yaml_list(items) -> str:
    return "[" + ", ".join(yaml_text(item) for item in items) + "]"


def comment(name: str) -> str:
    return "  # " + FIELDS_BY_NAME[name].help.replace("`", "")


def entry_text(title: str, day: date, *, summary: str | None = None, tags=(), author=None,
               people=(), places=(), source_name: str | None = None, draft: bool = True,
               body: str = "") -> str:
    """Front matter with every field of the schema, each with a comment, then the body."""
    lines = [
        "---",
        f"title: {yaml_text(title)}" + comment("title"),
        f"date: {day.isoformat()}" + comment("date"),
        "summary: " + yaml_text(summary or "TODO: one or two sentences for listings, feeds and search.")
        + comment("summary"),
        "source:" + comment("source"),
        f"  name: {yaml_text(source_name)}" if source_name else "  # name: the publisher's name",
        "  # url: https://... (the article's address)",
        f"author: {yaml_text(author) if author else ''}".rstrip() + comment("author"),
        f"tags: {yaml_list(tags or ['TODO'])}" + comment("tags"),
        f"people: {yaml_list(people)}" + comment("people"),
        f"places: {yaml_list(places)}" + comment("places"),
        "story:" + comment("story"),
        "event_date:" + comment("event_date"),
        "kind: news" + comment("kind"),
        f"draft: {'true' if draft else 'false'}" + comment("draft") + "; set false to publish",
        "slug:" + comment("slug"),
        "updated:" + comment("updated"),
        "corrections:" + comment("corrections"),
        "  # - {date: 2025-07-24, text: what was wrong, and what is right}",
        "aliases:" + comment("aliases"),
        "image:" + comment("image"),
        "  # src: images/photo.jpg (a file in static/, or beside this one)",
        "  # alt: what the image shows, for readers who cannot see it",
        "language:" + comment("language"),
        "translation_key:" + comment("translation_key"),
        "---",
    ]
    return "\n".join(lines) + "\n" + body


def new_entry(config: Config, title: str, today: date | None = None) -> NewEntry:
    """A blank entry for `title`, dated today in the site timezone, at content/YYYY/MM/<slug>.md."""
    title = " ".join(title.split())
    if not title:
        raise DigestError([Problem(COMMAND_LINE, None, "title", "expected a title, such as \"Talks resume in Istanbul\"")])
    day = today or today_in(config)
    text = entry_text(title, day, body=NEW_BODY + "\n")
    return place_entry(config, day, slug_for(title), text)


def slug_for(title: str) -> str:
    slug = slugify(title)
    if not slug:
        raise DigestError([Problem(COMMAND_LINE, None, "title",
                                   f"'{title}' gives an empty file name; use letters or digits in the title")])
    return slug


def place_entry(config: Config, day: date, slug: str, text: str) -> NewEntry:
    path = config.content_path / f"{day.year:04d}" / f"{day.month:02d}" / f"{slug}.md"
    relative = f"{config.content_dir.rstrip('/')}/{day.year:04d}/{day.month:02d}/{slug}.md"
    return NewEntry(path, relative, text)


def write_entry(entry: NewEntry) -> NewEntry:
    """Write the file; never overwrite one."""
    entry.path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with open(entry.path, "x", encoding="utf-8", newline="\n") as handle:
            handle.write(entry.text)
    except FileExistsError:
        raise DigestError([Problem(entry.relative, None, None,
                                   "already exists; digest new never overwrites a file: choose another title")]) from None
    return entry


# --- `digest new --from FILE` ------------------------------------------------------------

def parse_article(text: str, name: str = "article") -> Article:
    """Read the reference article shape; anything else is a DigestError saying what was expected."""
    lines = [line.strip() for line in text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    # A character no page may hold (NUL, ESC, U+0085 from text decoded with the wrong codec)
    # would be copied into a draft that every build then refuses: refused here, at its line.
    unfit = [(number, problem) for number, problem in enumerate(map(character_problem, lines), 1) if problem]
    if unfit:
        number, problem = unfit[0]
        raise DigestError([Problem(name, number, None, problem)])
    numbers = [number for number, line in enumerate(lines, 1) if line]   # file line of each line kept
    lines = [line for line in lines if line]
    if not lines:
        raise DigestError([Problem(name, None, None, "the article is empty; " + EXPECTED_SHAPE)])
    headline = None
    if not BYLINE.fullmatch(lines[0]) and len(lines) > 1 and BYLINE.fullmatch(lines[1]):
        headline, lines, numbers = lines[0], lines[1:], numbers[1:]   # the article starts with its headline
    byline = BYLINE.fullmatch(lines[0])
    if not byline:
        raise DigestError([Problem(name, numbers[0], None, f"the first line is not a date and byline; {EXPECTED_SHAPE}")])
    month, day, year, author = byline.groups()
    try:
        published = date(int(year), int(month), int(day))
    except ValueError:
        raise DigestError([Problem(name, numbers[0], None, f"'{month}/{day}/{year}' is not a real date (MM/DD/YYYY); "
                                   + EXPECTED_SHAPE)]) from None
    marker = next((n for n, line in enumerate(lines) if TAGGED_UNDER.fullmatch(line)), None)
    if marker is None:
        raise DigestError([Problem(name, None, None, f"no 'Tagged Under:' line; {EXPECTED_SHAPE}")])
    inline = TAGGED_UNDER.fullmatch(lines[marker]).group(1)
    tag_line = inline or (lines[marker + 1] if marker + 1 < len(lines) else "")
    tags = tuple(dict.fromkeys(t for t in (" ".join(part.split()) for part in tag_line.split(",")) if t))
    if not tags:
        raise DigestError([Problem(name, None, None, f"no tags after 'Tagged Under:'; {EXPECTED_SHAPE}")])
    body = [line for line in lines[1:marker] if not is_boilerplate(line)]
    cut = next((n for n, line in enumerate(body) if BOILERPLATE.match(line)), len(body))
    body = [ASIDE.sub("", line).strip() for line in body[:cut]]
    if not body:
        raise DigestError([Problem(name, None, None, f"no paragraphs between the byline and 'Tagged Under:'; {EXPECTED_SHAPE}")])
    return Article(published, author.strip(), tags, body[0], tuple(body[1:]), headline)


def is_boilerplate(line: str) -> bool:
    """A line of the page around the article: a copyright line or a share prompt."""
    return bool(COPYRIGHT.match(line) or SHARE_PROMPT.fullmatch(line))


def sentences(paragraph: str) -> list[str]:
    """Split at . ! ? followed by space, but not after abbreviations such as U.S. or Dr."""
    parts, start = [], 0
    for match in re.finditer(r"[.!?][\"”’)]*\s+", paragraph):
        before = paragraph[start:match.start()].split()
        if before and ABBREVIATION.fullmatch(before[-1]):
            continue
        parts.append(paragraph[start:match.end()].strip())
        start = match.end()
    if paragraph[start:].strip():
        parts.append(paragraph[start:].strip())
    return parts


def summary_from(lead: str) -> str:
    """The first sentence of the lead, and the second too when the first is short."""
    found = sentences(lead)
    summary = found[0]
    if len(found) > 1 and len(summary.split()) < LEAD_WORDS_FOR_ONE_SENTENCE \
            and len((summary + " " + found[1]).split()) <= SUMMARY_MAX_WORDS:
        summary += " " + found[1]
    return summary


def name_runs(text: str) -> list[str]:
    """Runs of capitalised words ("Vladimir Putin"), split after a possessive and at month
    names, with leading titles ("U.S. President"), sentence openers and demonyms removed."""
    runs = []
    for match in NAME_RUN.finditer(text):
        run: list[str] = []
        for word in match.group(0).split() + [""]:
            ends_run = not word or word in MONTHS
            if word and not ends_run:
                run.append(POSSESSIVE.sub("", word).strip("’'-"))
            if ends_run or POSSESSIVE.search(word):
                runs += clean_run(run)
                run = []
    return runs


def clean_run(words: list[str]) -> list[str]:
    def droppable(word: str) -> bool:
        lowered = word.lower()
        return lowered in TITLE_WORDS or lowered in NOT_NAMES or is_demonym(word) or "." in word
    while words and droppable(words[0]):
        words.pop(0)
    while words and words[-1].lower() in TITLE_WORDS:
        words.pop()
    return [" ".join(words)] if words else []


def is_demonym(word: str) -> bool:
    return word.endswith(("ian", "ese", "ish")) and len(word) > 5


def find_names(article: Article) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """People and places, best effort: capitalised names that recur in the article.

    People are names of two or more words ("Dmitry Peskov") mentioned twice, counting
    mentions of the last name alone. Places are recurring single capitalised words that are
    not a person's name and never appear in lower case (which rules out sentence openers).
    Editors correct both lists.
    """
    text = " ".join((article.lead,) + article.paragraphs)
    lower_words = set(re.findall(r"\b[a-z][\w-]*", text))
    runs = name_runs(text)
    counts = Counter(runs)
    full_names = [run for run in counts if len(run.split()) >= 2]
    last_names = Counter(run for run in runs if len(run.split()) == 1)
    people = []
    for name in full_names:
        mentions = counts[name] + last_names.get(name.split()[-1], 0)
        if mentions >= 2:
            people.append(name)
    person_words = {word for name in people for word in name.split()}
    places = [word for word, count in last_names.items()
              if count >= 2 and word not in person_words and word.lower() not in lower_words
              and word.lower() not in NOT_NAMES and not is_demonym(word) and not word.isupper()]
    by_first_mention = lambda name: text.find(name)  # noqa: E731
    return tuple(sorted(people, key=by_first_mention)), tuple(sorted(places, key=by_first_mention))


def key_point(paragraph: str, limit: int = 6) -> str:
    """A prompt for the editor: the paragraph's names, figures and a few keywords, never its sentences."""
    words: list[str] = []
    for found in name_runs(paragraph) + [m.group(0).strip() for m in FIGURE.finditer(paragraph)]:
        if found not in words and found.lower() not in NOT_NAMES:
            words.append(found)
    for keyword in KEYWORD.findall(paragraph):
        if len(words) >= limit:
            break
        if keyword not in COMMON_WORDS and keyword not in words:
            words.append(keyword)
    kind = "quote" if paragraph[:1] in "“\"" else "point"
    return f"- TODO {kind}: {'; '.join(words[:limit]) or 'see the article'}"


def draft_from_article(config: Config, text: str, name: str = "article", title: str | None = None) -> NewEntry:
    """A draft entry (draft: true) from an article in the reference shape."""
    article = parse_article(text, name)
    people, places = find_names(article)
    title = " ".join((title or article.headline or "").split())
    slug = slug_for(title) if title else slugify(f"{article.author} {article.date.isoformat()}") or "draft"
    points = "\n".join(key_point(p) for p in article.paragraphs)
    body = KEY_POINTS_NOTE + "\n\n" + (points or "- TODO: the key points") + "\n"
    entry = entry_text(title or "TODO: write a headline", article.date, summary=summary_from(article.lead),
                       tags=article.tags, author=article.author, people=people, places=places,
                       draft=True, body=body)
    return free_place(place_entry(config, article.date, slug, entry))


def free_place(entry: NewEntry) -> NewEntry:
    """The entry at its path, or, when a file is there, at the first `<slug>-2.md`, `-3`...
    that is free (write_entry still refuses to overwrite, should one appear meanwhile)."""
    number, candidate = 1, entry
    while candidate.path.exists():
        number += 1
        stem = entry.path.stem + f"-{number}"
        candidate = NewEntry(entry.path.with_name(stem + ".md"),
                             entry.relative.rpartition("/")[0] + f"/{stem}.md", entry.text, taken=entry.relative)
    return candidate
