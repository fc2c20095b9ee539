"""The interface in one language: string tables (`i18n/<lang>.toml`) -> Strings, and dates
and numbers written as that language writes them (Babel's CLDR data).

Tables are read from the bundled theme, the site's themes and the site's own `i18n/`
folder; a later one overrides single strings of an earlier one. English (the bundled
`en.toml`) names every key: a key another table lacks falls back to English, with a
warning; a placeholder the English string does not have is an error at its file and line.
Feeds and machine-readable dates never come through here: they stay ISO 8601.
"""

from __future__ import annotations

import hashlib
import json
import re
import string
import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Mapping

import markupsafe
from babel import Locale
from babel.dates import format_date, format_interval, format_skeleton, format_time
from babel.numbers import format_decimal

from .config import lines_of_names
from .errors import WARNING, Problem, did_you_mean
from .languages import direction, locale_of
from .themes import default_theme_dir, theme_dirs

STRINGS_DIR = "i18n"
BASE_LANGUAGE = "en"
PLURAL_FORMS = ("zero", "one", "two", "few", "many", "other")
# --- reading tables ---------------------------------------------------------------------

@dataclass(frozen=True)
class TableFile:
    """One string table as read: its strings by dotted key, and where each is written."""

    shown: str                  # the path messages name (`i18n/uk.toml`, `themes/default/i18n/uk.toml`)
    strings: dict               # dotted key -> text, or {plural form: text}
    lines: dict                 # dotted key -> line


def _flatten(table: dict, prefix: str = "") -> Iterable[tuple[str, Any]]:
    for key, value in table.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, dict) and not (value and set(value) <= set(PLURAL_FORMS)):
            yield from _flatten(value, dotted + ".")
        else:
            yield dotted, value


def read_table(path: Path, shown: str) -> tuple[TableFile | None, list[Problem]]:
    """A string table file; a syntax error, or a value that is neither text nor plural forms,
    is an error at its line."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as error:
        return None, [Problem(shown, None, None, f"invalid UTF-8 (byte at {error.start}); save the file as UTF-8")]
    except OSError as error:
        return None, [Problem(shown, None, None, f"cannot read the file: {error.strerror}")]
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        found = re.search(r"line (\d+)", str(error))
        return None, [Problem(shown, int(found.group(1)) if found else None, None, f"TOML syntax error: {error}")]
    strings, lines, problems = {}, {}, []
    written = lines_of_names(text)
    for key, value in _flatten(data):
        line = written.get(key)
        if isinstance(value, dict):
            if "other" not in value:
                problems.append(Problem(shown, line, key, "plural forms need 'other' (the form for any other number); "
                                                          f"got {', '.join(value)}"))
                continue
        elif not isinstance(value, str):
            problems.append(Problem(shown, line, key, "expected text, or a table of plural forms "
                                                      "such as { one = \"{count} entry\", other = \"{count} entries\" }"))
            continue
        strings[key], lines[key] = value, line
    return TableFile(shown, strings, lines), problems


def placeholders(text: str) -> set[str]:
    """The {names} a string holds; ValueError for a brace that opens or closes nothing."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def _texts(value) -> list[str]:
    return list(value.values()) if isinstance(value, dict) else [value]


def table_files(folders: Iterable[Path], root: Path, language: str) -> list[tuple[Path, str]]:
    """The table files of one language, least specific first: (path, as messages name it)."""
    found = []
    for folder in folders:
        path = folder / STRINGS_DIR / f"{language}.toml"
        if path.is_file():
            try:
                shown = path.relative_to(root).as_posix()
            except ValueError:
                shown = f"(bundled theme) {STRINGS_DIR}/{language}.toml"
            found.append((path, shown))
    return found


# --- Strings: one language's interface --------------------------------------------------

@dataclass(frozen=True, eq=False)
class Strings:
    """The interface of pages in one language, as templates read it (the context's `t`):
    `t("nav.latest")`, `t("list.entries", count=3)`, `t.date(post.date)`, `t.month(2025, 7)`.
    Text comes out escaped as Markup, so a placeholder may be given markup (a link) and
    anything else is escaped. Equal (and hashed) by language and token: the token is a
    hash of every string, so a page's fingerprint holding it changes with any string."""

    language: str
    strings: Mapping[str, Any]       # every English key, each with this language's text or English's
    token: str                       # see of()
    ready: Mapping[str, markupsafe.Markup] = field(default_factory=dict)  # see of()

    @classmethod
    def of(cls, language: str, strings: Mapping[str, Any]) -> Strings:
        """The interface of a language with these strings, its token made from them. Each
        string without a placeholder is made ready as pages show it (`ready`): most strings of
        a page (the navigation, the labels) are such, and every page asks for them."""
        text = json.dumps([language, strings], sort_keys=True, ensure_ascii=False)
        ready = {}
        for key, value in strings.items():
            try:
                if isinstance(value, str) and not placeholders(value):
                    ready[key] = markupsafe.Markup(markupsafe.escape(value)).format()
            except ValueError:  # a brace that opens or closes nothing: the check names it, __call__ raises
                continue
        return cls(language, strings, hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest(), ready)

    def __eq__(self, other) -> bool:
        return isinstance(other, Strings) and (self.language, self.token) == (other.language, other.token)

    def __hash__(self) -> int:
        return hash((self.language, self.token))

    def __repr__(self) -> str:
        return f"Strings({self.language!r}, {self.token!r})"

    @property
    def locale(self) -> Locale:
        return locale_of(self.language)

    @property
    def direction(self) -> str:
        return direction(self.language)

    def _pick(self, key: str, values: dict) -> str:
        value = self.strings[key]  # KeyError: a template asks for a key no table has
        if isinstance(value, dict):
            count = values.get("count")
            form = self.locale.plural_form(count) if isinstance(count, (int, float)) else "other"
            value = value.get(form, value["other"])
        return value

    def _values(self, values: dict) -> dict:
        return {name: self.number(value) if isinstance(value, int) and not isinstance(value, bool) else value
                for name, value in values.items()}

    def __call__(self, key: str, /, **values) -> markupsafe.Markup:
        if not values:
            made = self.ready.get(key)
            if made is not None:
                return made
        # Text and numbers repeat from page to page (a chart's bars, "Page 2 of 9", a term's
        # heading on each of its pages) and are kept; markup given in is a page's own (an
        # entry's date in its <time>), and a str and a Markup of one text are equal as keys.
        if all(type(value) is str or type(value) is int for value in values.values()):
            return _filled(self, key, tuple(values.items()))
        return self._fill(key, values)

    def _fill(self, key: str, values: dict) -> markupsafe.Markup:
        return markupsafe.Markup(markupsafe.escape(self._pick(key, values))).format(**self._values(values))

    def text(self, key: str, /, **values) -> str:
        """Plain text, for what is no HTML (feed titles, the model's names)."""
        return self._pick(key, values).format(**self._values(values))

    def number(self, value: int | float) -> str:
        """`12,345` in English, `12 345` in Ukrainian."""
        return _number(value, self.language)

    def date(self, moment) -> str:
        """A Moment (entries.Moment) as a reader reads it: `July 23, 2025`, `23 липня 2025 р.`;
        with the time and offset when the author gave one: `July 23, 2025, 9:30 AM +03:00`."""
        if moment is None:
            return ""
        return _display_date(moment.value, moment.has_time, self.language)

    def day(self, day: date) -> str:
        return _long_date(day, self.language)

    def month(self, year: int, month: int) -> str:
        """`July 2025`, `липень 2025 р.`: a month on its own (standalone form)."""
        return _month(year, month, self.language)

    def month_alone(self, number: int) -> str:
        """A month's name, standalone (`July`, `липень`)."""
        return self.locale.months["stand-alone"]["wide"][number]

    def days(self, start: date, end: date) -> str:
        """A span of days, as the language writes one: `July 21 – 27, 2025`."""
        return _interval(start, end, self.language)

    def short_day(self, day: date) -> str:
        return _medium_date(day, self.language)

    # Charts: charts.Chart holds the counts; its words are the page's language.

    def bar_label(self, chart, bar) -> str:
        return _bar_label(self, chart.unit, bar.start)

    def chart_title(self, chart) -> str:
        return self.text(f"chart.title_{chart.unit}")

    def chart_description(self, chart) -> str:
        """The chart's text alternative: what a reader would take from looking at it."""
        bars = chart.bars

        def slot(bar) -> str:
            if chart.unit == "week":
                return self.text("chart.the_week", date=self.short_day(bar.start))
            return self.month(bar.start.year, bar.start.month)

        if len(bars) == 1:
            return self.text("chart.one_slot", count=chart.total, slot=slot(bars[0]))
        busiest = chart.busiest
        return self.text("chart.span", count=chart.total, slots=self.text(f"chart.slots_{chart.unit}", count=len(bars)),
                         first=slot(bars[0]), last=slot(bars[-1]), busiest=slot(busiest), most=self.number(busiest.count))

    def json(self, prefix: str) -> str:
        """The strings under `prefix` (`search.`) as a JSON object, keys without the prefix,
        for a script to read from a data attribute (plural forms as objects)."""
        chosen = {key[len(prefix):]: value for key, value in self.strings.items() if key.startswith(prefix)}
        return json.dumps(chosen, ensure_ascii=False, sort_keys=True)


@lru_cache(maxsize=65536)
def _filled(strings: Strings, key: str, values: tuple) -> markupsafe.Markup:
    return strings._fill(key, dict(values))


@lru_cache(maxsize=65536)
def _bar_label(strings: Strings, unit: str, start: date) -> str:
    # A week or a month labels a bar in every chart that spans it: hundreds of charts a site.
    if unit == "week":
        return strings.text("chart.week_of", date=strings.short_day(start))
    return strings.month(start.year, start.month)


@lru_cache(maxsize=65536, typed=True)
def _number(value: int | float, language: str) -> str:
    # Pages show the same few counts again and again (a term's entries, page N of M).
    return format_decimal(value, locale=locale_of(language))


@lru_cache(maxsize=65536)
def _display_date(value: datetime, has_time: bool, language: str) -> str:
    text = _long_date(value.date(), language)
    if not has_time:
        return text
    offset = value.strftime("%z")
    zone = "UTC" if offset in ("+0000", "") else f"{offset[:3]}:{offset[3:5]}"
    time_text = format_time(value.replace(tzinfo=None), "short", locale=locale_of(language))
    pattern = locale_of(language).datetime_formats["long"]  # `{1}, {0}`: date and time in the language's order
    return pattern.format(f"{time_text} {zone}", text)


@lru_cache(maxsize=65536)
def _long_date(day: date, language: str) -> str:
    return format_date(day, "long", locale=locale_of(language))


@lru_cache(maxsize=65536)
def _medium_date(day: date, language: str) -> str:
    return format_date(day, "medium", locale=locale_of(language))


@lru_cache(maxsize=4096)
def _month(year: int, month: int, language: str) -> str:
    return format_skeleton("yMMMM", date(year, month, 1), locale=locale_of(language))


@lru_cache(maxsize=4096)
def _interval(start: date, end: date, language: str) -> str:
    return format_interval(start, end, "yMMMMd", locale=locale_of(language))


# --- the catalog: every language a build needs ------------------------------------------

@dataclass(frozen=True)
class Catalog:
    """Strings by language tag, for every language the site's pages are in."""

    by_language: Mapping[str, Strings]

    def __getitem__(self, language: str) -> Strings:
        return self.by_language[language]

    @property
    def token(self) -> str:
        return ",".join(f"{tag}:{strings.token}" for tag, strings in sorted(self.by_language.items()))


def _candidates(language: str) -> list[str]:
    """`pt-BR` -> [`pt-BR`, `pt`]: a table for the language, else for its primary language."""
    parts = language.split("-")
    return ["-".join(parts[:n]) for n in range(len(parts), 0, -1)]


def read_catalog(folders: Iterable[Path], root: Path, languages: Iterable[str]) -> tuple[Catalog, list[Problem]]:
    """The strings of each language. folders: theme folders, least specific first, then the
    site's own folder (its `i18n/`). Problems: syntax errors and stray placeholders (errors),
    missing and unknown keys, and a language without a table (warnings)."""
    folders = list(folders)
    problems: list[Problem] = []
    english, english_lines, found = _merged(folders, root, BASE_LANGUAGE, problems)
    if not found:
        raise FileNotFoundError(f"{STRINGS_DIR}/{BASE_LANGUAGE}.toml: the bundled theme lost its English table")
    for key, (shown, line) in english_lines.items():
        for text in _texts(english[key]):
            try:
                placeholders(text)
            except ValueError as error:
                problems.append(Problem(shown, line, key, f"{error}; write {{{{ and }}}} for a brace itself"))
    by_language = {}
    for language in dict.fromkeys(languages):
        strings, lines, found_in = dict(english), {}, ""
        for candidate in _candidates(language):
            if candidate == BASE_LANGUAGE:
                found_in = candidate
                break
            own, lines, found = _merged(folders, root, candidate, problems)
            if found:
                found_in = candidate
                _check(own, lines, english, candidate, problems)
                strings.update({key: value for key, value in own.items() if key in english})
                break
        if not found_in:
            problems.append(Problem(f"{STRINGS_DIR}/{language}.toml", None, None,
                                    f"no interface strings for '{language}': pages in it show English; add the "
                                    f"table (a translated copy of the bundled themes/default/{STRINGS_DIR}/en.toml)",
                                    WARNING))
        by_language[language] = Strings.of(language, strings)
    return Catalog(by_language), problems


def _merged(folders: list[Path], root: Path, language: str, problems: list[Problem]):
    """One language's strings over every layer, and where each comes from."""
    strings, lines, found = {}, {}, False
    for path, shown in table_files(folders, root, language):
        table, found_problems = read_table(path, shown)
        problems += found_problems
        if table is None:
            continue
        found = True
        strings.update(table.strings)
        lines.update({key: (shown, line) for key, line in table.lines.items()})
    return strings, lines, found


def _check(own: dict, lines: dict, english: dict, language: str, problems: list[Problem]) -> None:
    for key in sorted(english.keys() - own.keys()):
        shown = next(iter(dict.fromkeys(place for place, _ in lines.values())), f"{STRINGS_DIR}/{language}.toml")
        problems.append(Problem(shown, None, key, f"no '{language}' text for this string; English is shown "
                                                  f"(\"{_texts(english[key])[-1]}\"): add it", WARNING))
    for key, value in own.items():
        shown, line = lines[key]
        if key not in english:
            problems.append(Problem(shown, line, key, f"unknown string{did_you_mean(key, english)}; "
                                                      "no template reads it", WARNING))
            continue
        allowed = set().union(*(placeholders(text) for text in _texts(english[key])))
        for text in _texts(value):
            try:
                names = placeholders(text)
            except ValueError as error:
                problems.append(Problem(shown, line, key, f"{error}; write {{{{ and }}}} for a brace itself"))
                continue
            stray = sorted(names - allowed)
            if stray:
                known = ", ".join(f"{{{name}}}" for name in sorted(allowed)) or "none"
                problems.append(Problem(shown, line, key, f"placeholder {{{stray[0]}}} is not in the English string "
                                                          f"(its placeholders: {known}); remove it or use one of those"))
        if isinstance(value, dict):
            unknown = sorted(set(value) - set(PLURAL_FORMS))
            if unknown:
                problems.append(Problem(shown, line, key, f"unknown plural form '{unknown[0]}'; use "
                                                          f"{', '.join(PLURAL_FORMS)}"))


def site_catalog(config, languages: Iterable[str] = ()) -> tuple[Catalog, list[Problem]]:
    """The catalog of a site: the bundled theme's tables, the site's themes' (its `default`,
    then its chosen theme), then its own `i18n/` folder; for the site's languages and any
    others given (entries in a language the site does not list)."""
    root = Path(config.root)
    return read_catalog(list(reversed(theme_dirs(config))) + [root], root, [*config.site_languages, *languages])


@lru_cache(maxsize=1)
def english_strings() -> Strings:
    """The bundled English table alone: for what has no page language in reach."""
    return read_catalog([default_theme_dir()], default_theme_dir(), [BASE_LANGUAGE])[0][BASE_LANGUAGE]
