"""`[tool.digest]` in the site's pyproject.toml, plus command-line flags -> Config."""

from __future__ import annotations

import difflib
import re
import tomllib
import zoneinfo
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable
from urllib.parse import SplitResult, urlsplit

from .errors import COMMAND_LINE, DigestError, Problem, character_problem, closest, did_you_mean, raise_if_errors
from .languages import direction, language_problem

SETTINGS_FILE = "pyproject.toml"
# The site's folder of files published as they are at the output root (Hugo's static/). A
# fixed name, not a setting: one more folder setting would need rules for every way it could
# overlap the site root, the content folder and the output folder.
STATIC_DIR = "static"
ALL_TAXONOMIES = ("tags", "people", "places", "sources")
PERMALINK_FIELDS = {"year", "month", "day", "slug"}
# Names a newsroom may give a taxonomy that spelling alone does not lead to (errors.did_you_mean).
TAXONOMY_OTHER_NAMES = {"person": "people", "persons": "people", "place": "places", "locations": "places",
                        "location": "places", "categories": "tags", "category": "tags", "keywords": "tags",
                        "topics": "tags", "publishers": "sources", "outlets": "sources", "media": "sources"}


@dataclass(frozen=True)
class Config:
    root: Path
    title: str = "Digest"
    description: str = ""
    base_url: str = "http://localhost:8000/"
    language: str = "en"
    # The site's other languages, each under /<tag>/ with its own listings (docs/guides/languages.md).
    languages: tuple[str, ...] = ()
    timezone: str = "UTC"
    theme: str = "default"
    per_page: int = 10
    permalink: str = "/{year}/{month}/{slug}/"
    taxonomies: tuple[str, ...] = ALL_TAXONOMIES
    unsafe_html: bool = False
    search: bool = True
    # Entries per search shard (search_plan.py): bounds Pagefind's memory and what one edit re-indexes.
    search_shard_entries: int = 2500
    feed_entries: int = 50
    news_sitemap: bool = False      # a Google News sitemap, listed in the sitemap index
    logo: str = ""                  # an image for the header, by its path in the site (`images/logo.svg`)
    stylesheets: tuple[str, ...] = ()   # the site's own stylesheets, after the theme's, by path in the site
    default_image: str = ""         # the social card of pages without an image of their own: a file in static/
    default_image_alt: str = ""
    # Terms (tags, people, places) one entry may list in each field: each is a page and a feed
    # of its own, so a pasted word list would multiply the site; no real entry comes near.
    max_terms: int = 100
    content_dir: str = "content"
    output_dir: str = "output"
    drafts: bool = False
    strict: bool = False
    # The site has search (the `search` setting): its search box, menu link and page. The
    # --no-search flag skips only one build's index; the page then says it is not available.
    search_pages: bool = True
    # Settings the site file did not set, kept so `digest serve` can tell what changed.
    raw: tuple = field(default=(), compare=False)

    @property
    def base_path(self) -> str:
        """The path part of base_url, always with slashes at both ends: `/` or `/repo/`."""
        return urlsplit(self.base_url).path

    @property
    def direction(self) -> str:
        """`rtl` for a language written right to left (`ar`, `he`, `fa-IR`, `az-Arab`), else `ltr`:
        the pages' <html dir>, as Hugo's languageDirection (CLDR's character order)."""
        return direction(self.language)

    @property
    def site_languages(self) -> tuple[str, ...]:
        """The default language first, then the others `languages` lists."""
        return tuple(dict.fromkeys((self.language, *self.languages)))

    @property
    def content_path(self) -> Path:
        return (self.root / self.content_dir).resolve()

    @property
    def output_path(self) -> Path:
        return (self.root / self.output_dir).resolve()

    @property
    def static_path(self) -> Path:
        return (self.root / STATIC_DIR).resolve()

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)


class BadValue(ValueError):
    """A setting's value is not what the key expects; the message says what is."""


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise BadValue(f"expected text, got {_kind(value)}")
    problem = character_problem(value)  # TOML's \u escapes can write any of them
    if problem:
        raise BadValue(problem)
    return value


def _nonempty_text(value: Any) -> str:
    if not _text(value).strip():
        raise BadValue("expected non-empty text")
    return value


def _flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise BadValue(f"expected true or false, got {_kind(value)} {value!r}")
    return value


def _positive_int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise BadValue(f"expected a whole number of at least 1, got {value!r}")
    return value


# What a base URL may hold, as written: every page's links start with its path, unencoded
# (the preview server compares request paths with it after decoding them).
URL_HOST = re.compile(r"[A-Za-z0-9.-]+(:[0-9]{1,5})?|\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?")
URL_PATH = re.compile(r"[A-Za-z0-9._~!$&'()*+,;=:@/-]*")


def port_problem(parts: SplitResult) -> str | None:
    """What is wrong with a split URL's port (urllib checks it only when asked), or None."""
    try:
        parts.port
    except ValueError:
        return f"port '{parts.netloc.rpartition(':')[2]}' is not a number from 0 to 65535"
    return None


def _plain_path(path: str) -> bool:
    """A URL path of folder names (URL_PATH's characters) between single slashes, none `.` or
    `..`: a browser resolves those away (`/a/../b/x/` is `/b/x/`), and links, the preview's
    base path and the link check would no longer agree on where a page is."""
    return "//" not in path and bool(URL_PATH.fullmatch(path)) and not {".", ".."} & set(path.split("/"))


def _base_url(value: Any) -> str:
    expected = f"expected an absolute http(s) URL such as 'https://owner.github.io/repo/', got {value!r}"
    text = _text(value)
    try:
        parts = urlsplit(text)
    except ValueError:  # an IPv6 address without its closing `]`
        raise BadValue(expected) from None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise BadValue(expected)
    if parts.query or parts.fragment:
        raise BadValue(f"expected a URL without query or fragment, got {value!r}")
    if "@" in parts.netloc:
        raise BadValue(f"expected a URL without a user name or password (every feed and the sitemap "
                       f"would publish them), got {value!r}")
    if not URL_HOST.fullmatch(parts.netloc):
        raise BadValue(f"expected a host name in ASCII letters, digits, '.' and '-' (an international "
                       f"domain in its xn-- form), with an optional :port, got {value!r}")
    if port_problem(parts):
        raise BadValue(f"expected a port from 0 to 65535, got {value!r}")
    if not _plain_path(parts.path):
        raise BadValue(f"expected a path of folder names in ASCII letters, digits and -._~ (no spaces, "
                       f"no %-escapes, no . or .. folders) between single slashes, such as '/repo/', "
                       f"got {value!r}")
    path = parts.path if parts.path.endswith("/") else parts.path + "/"
    # Host names are case-blind and a scheme's own port goes without saying: one spelling,
    # so feed ids and canonical URLs do not change with how the setting was typed.
    netloc = parts.netloc.lower()
    default = {"http": ":80", "https": ":443"}[parts.scheme]
    if netloc.endswith(default):
        netloc = netloc[:-len(default)]
    return f"{parts.scheme}://{netloc}{path}"


LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*")


def _language(value: Any) -> str:
    """A BCP 47 language tag, as <html lang> and Pagefind's stemming read it, of a language
    CLDR knows: its dates and numbers are written in it."""
    text = _text(value)
    if not LANGUAGE_TAG.fullmatch(text):
        raise BadValue(f"expected a language tag such as 'en', 'uk' or 'pt-BR', got {value!r}")
    problem = language_problem(text)
    if problem:
        raise BadValue(problem)
    return text


def _languages(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise BadValue(f"expected a list of language tags such as [\"uk\", \"ru\"], got {_kind(value)}")
    tags = tuple(_language(item) for item in value)
    for tag in tags:
        if tags.count(tag) > 1:
            raise BadValue(f"language '{tag}' is listed {tags.count(tag)} times; list each once")
    return tags


def _timezone(value: Any) -> str:
    try:
        zoneinfo.ZoneInfo(_text(value))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zones = zoneinfo.available_timezones()
        by_case = {zone.lower(): zone for zone in zones}  # `europe/kyiv` is 'Europe/Kyiv'
        raise BadValue(f"expected an IANA time zone such as 'UTC' or 'Europe/Kyiv', got {value!r}"
                       f"{did_you_mean(value, zones, by_case)}") from None
    return value


def _theme(value: Any) -> str:
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", _text(value)):
        raise BadValue(f"expected the name of a folder under themes/, got {value!r}")
    return value


def _permalink(value: Any) -> str:
    text = _text(value)
    names = set(re.findall(r"{(\w*)}", text))
    unknown = names - PERMALINK_FIELDS
    if unknown:
        raise BadValue(f"unknown placeholder {{{sorted(unknown)[0]}}}; use {{year}}, {{month}}, {{day}} and {{slug}}")
    if "slug" not in names or not text.startswith("/") or not text.endswith("/") or ".." in text:
        raise BadValue(f"expected a path like '/{{year}}/{{month}}/{{slug}}/' (starting and ending with '/', holding {{slug}}), got {value!r}")
    # The text around the placeholders goes into every link to an entry as written, as
    # base_url's path does: `#` or `?` would cut the link short, and a space, `%`, `"` or
    # a non-ASCII letter would make an invalid or mangled URL; an empty or `.` folder would
    # only fail later, as a path written outside the output folder.
    if not _plain_path(re.sub(r"{\w*}", "x", text)):
        raise BadValue(f"expected folder names in ASCII letters, digits and -._~ (no spaces, no %-escapes, "
                       f"no . or .. folders) between single slashes, such as '/news/{{year}}/{{slug}}/', "
                       f"got {value!r}")
    return text


def _taxonomies(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise BadValue(f"expected a list of names out of {list(ALL_TAXONOMIES)}, got {value!r}")
    for name in value:
        if name not in ALL_TAXONOMIES:
            raise BadValue(f"unknown taxonomy {name!r}{did_you_mean(name, ALL_TAXONOMIES, TAXONOMY_OTHER_NAMES)}; "
                           f"choose from {list(ALL_TAXONOMIES)}")
        if value.count(name) > 1:
            raise BadValue(f"taxonomy {name!r} is listed {value.count(name)} times; list each once")
    return tuple(value)


def _image_path(value: Any) -> str:
    """A file in the site's static/ folder, as the site publishes it: `/images/card.jpg`."""
    text = _text(value).strip()
    if re.match(r"[a-z][a-z0-9+.\-]*:", text, re.IGNORECASE) or text.startswith("//"):
        raise BadValue(f"expected the path of an image in {STATIC_DIR}/, such as \"/images/card.jpg\", got "
                       f"\"{text}\", which is on another host: the site loads nothing from another host")
    if not text or "?" in text or "#" in text or "\\" in text or any(part in ("", ".", "..") for part in text.strip("/").split("/")):
        raise BadValue(f"expected the path of an image in {STATIC_DIR}/, such as \"/images/card.jpg\", got \"{text}\"")
    return "/" + text.lstrip("/")


def _site_file(value: Any) -> str:
    """A file the site publishes, by its path from the site's root (`images/logo.svg`, a file
    of static/): a link on every page, so it must stay inside the site."""
    text = _text(value).lstrip("/")
    if text and (text.endswith("/") or "://" in text or not _plain_path("/" + text)):
        raise BadValue(f"expected the path of a file in the site, such as 'images/logo.svg' (a file of static/ "
                       f"is at its path from static/), in ASCII letters, digits and -._~, got {value!r}")
    return text


def _site_files(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise BadValue(f"expected a list of paths of files in the site, such as ['css/newsroom.css'], "
                       f"got {_kind(value)}")
    files = tuple(_site_file(item) for item in value)
    if "" in files:
        raise BadValue("expected a list of paths of files in the site, got an empty one")
    return files


def _folder(value: Any) -> str:
    text = _nonempty_text(value)
    if "\0" in text:
        raise BadValue("expected a folder path")
    return text


SETTINGS: dict[str, Callable[[Any], Any]] = {
    "title": _nonempty_text,
    "description": _text,
    "base_url": _base_url,
    "language": _language,
    "languages": _languages,
    "timezone": _timezone,
    "theme": _theme,
    "per_page": _positive_int,
    "permalink": _permalink,
    "taxonomies": _taxonomies,
    "unsafe_html": _flag,
    "search": _flag,
    "search_shard_entries": _positive_int,
    "feed_entries": _positive_int,
    "news_sitemap": _flag,
    "logo": _site_file,
    "stylesheets": _site_files,
    "default_image": _image_path,
    "default_image_alt": _text,
    "max_terms": _positive_int,
    "content_dir": _folder,
    "output_dir": _folder,
}


def _kind(value: Any) -> str:
    names = {str: "text", bool: "a boolean", int: "a number", float: "a number", list: "a list", dict: "a table"}
    return names.get(type(value), type(value).__name__)


def line_of(text: str, key: str) -> int | None:
    """The line of the setting `key` of [tool.digest] (tomllib keeps no positions)."""
    return line_of_name(text, f"tool.digest.{key}")


TABLE_HEADER = re.compile(r"\s*\[\s*([^\[\]#]+?)\s*\]\s*(#.*)?$")   # [tool.digest]  # a comment
KEY_LINE = re.compile(r"\s*([A-Za-z0-9_\-.\"' ]+?)\s*=")                  # per_page = 10, "title" =, a.b =


def line_of_name(text: str, dotted: str) -> int | None:
    """The first line that sets the dotted name (`tool.digest.per_page`) or something in it: a
    table header (`[tool.digest.extra]`) or a key, plain or dotted, in whatever table it is
    written (`[tool]` then `digest.per_page = 0`). Lines inside multi-line strings are skipped."""
    return lines_of_names(text).get(dotted)


def lines_of_names(text: str) -> dict[str, int]:
    """line_of_name for every name at once: each dotted name the text sets, and each name it
    sets something in, with its first line. A table of strings looks up every key it has: one
    pass over the text, not one per key."""
    lines: dict[str, int] = {}
    table, in_string = "", None
    for number, line in enumerate(text.splitlines(), 1):
        if in_string:
            if line.count(in_string) % 2:
                in_string = None
            continue
        header, key = TABLE_HEADER.match(line), KEY_LINE.match(line)
        if header:
            table = _dotted(header.group(1))
            name = table
        elif key:
            name = f"{table}.{_dotted(key.group(1))}".lstrip(".")
            quotes = [mark for mark in ('"""', "'''") if line.count(mark) % 2]
            in_string = quotes[0] if quotes else None
        else:
            continue
        parts = name.split(".")
        for end in range(1, len(parts) + 1):
            lines.setdefault(".".join(parts[:end]), number)
    return lines


def _dotted(name: str) -> str:
    """`tool . "digest"` -> `tool.digest`."""
    return ".".join(part.strip().strip("\"'") for part in name.split("."))


def settings_text(path: Path) -> str:
    """pyproject.toml's text. A BOM (Windows Notepad writes one) is read past, as in content
    files; tomllib would call it a syntax error at line 1."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise_if_errors([Problem(SETTINGS_FILE, line, None,
                                 f"invalid UTF-8 (byte 0x{data[error.start]:02x}); save the file as UTF-8")])
        raise


def read_settings(root: Path) -> tuple[dict, str, list[Problem]]:
    """The raw [tool.digest] table, the file text (empty when there is no file) and the
    problems of tables misnamed for it."""
    path = root / SETTINGS_FILE
    if not path.is_file():
        return {}, "", []
    text = settings_text(path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        line = re.search(r"line (\d+)", str(error))
        raise_if_errors([Problem(SETTINGS_FILE, int(line.group(1)) if line else None, None, f"TOML syntax error: {error}")])
    tool = data.get("tool", {})
    if not isinstance(tool, dict):  # `tool = 5`
        raise_if_errors([Problem(SETTINGS_FILE, line_of_name(text, "tool"), "tool", "expected a table")])
    table = tool.get("digest", {})
    if not isinstance(table, dict):
        raise_if_errors([Problem(SETTINGS_FILE, line_of_name(text, "tool.digest"), "tool.digest", "expected a table")])
    return table, text, _misplaced_tables(data, text)


def _misplaced_tables(data: dict, text: str) -> list[Problem]:
    """[tool.digst] or [digest]: settings digest would never read, so the site would build with
    every default, unseen. Other tools' tables ([tool.pytest]) are not digest's business."""
    names = [f"tool.{name}" for name in data.get("tool", {}) if name != "digest"
             and difflib.get_close_matches(name.lower(), ["digest"], n=1, cutoff=0.75)]
    names += [name for name in data if name.lower() == "digest"]
    return [Problem(SETTINGS_FILE, line_of_name(text, name), name,
                    "digest reads its settings only from [tool.digest]; rename the table (did you mean 'tool.digest'?)")
            for name in names]


def is_site(folder: Path) -> bool:
    return (folder / "content").is_dir() or "digest" in tool_tables(folder)


def tool_tables(folder: Path) -> dict:
    try:
        table = tomllib.loads(settings_text(folder / SETTINGS_FILE)).get("tool", {})
    except (OSError, DigestError, tomllib.TOMLDecodeError):
        return {}
    return table if isinstance(table, dict) else {}


def enclosing_site(folder: Path) -> Path | None:
    """The site whose content, output, static or themes folder `folder` is inside, when `folder` is no site
    itself: digest run there would start a site within the site (`digest new` in
    content/2025/ writing content/2025/content/...)."""
    folder = folder.resolve()
    if is_site(folder):
        return None
    for parent in folder.parents:
        if is_site(parent):
            table = tool_tables(parent).get("digest", {})
            table = table if isinstance(table, dict) else {}
            names = [table.get(key, getattr(Config, key)) for key in ("content_dir", "output_dir")]
            for name in names + [STATIC_DIR, "themes"]:  # a draft written in static/ would be published
                if isinstance(name, str) and name and folder.is_relative_to((parent / name).resolve()):
                    return parent
            return None  # the nearest site decides
    return None


def output_dir_setting(root: Path) -> str | None:
    """The site file's output_dir when it reads as one, even if other settings are wrong: a
    failed command names the folder it left unchanged (`public/`, not `output/`)."""
    try:
        value = read_settings(root)[0].get("output_dir")
        return _folder(value)
    except (DigestError, BadValue, OSError):
        return None


# The command-line flag of a setting, where its name is not the setting's (`--output`).
FLAGS = {"output_dir": "--output", "search": "--no-search"}


def load_config(root: Path | str = ".", **flags: Any) -> Config:
    """Read and check the settings, then apply command-line flags (those not None)."""
    root = Path(root).resolve()
    table, text, problems = read_settings(root)
    values = {}
    for key, value in table.items():
        if key not in SETTINGS:
            problems.append(Problem(SETTINGS_FILE, line_of(text, key), f"tool.digest.{key}",
                                    f"unknown setting{did_you_mean(key, SETTINGS)}"))
            continue
        try:
            values[key] = SETTINGS[key](value)
        except BadValue as error:
            problems.append(Problem(SETTINGS_FILE, line_of(text, key), f"tool.digest.{key}", str(error)))
    search_pages = values.get("search", True)
    for key, value in flags.items():
        if value is None:
            continue
        if key in SETTINGS:
            try:
                values[key] = SETTINGS[key](value)
            except BadValue as error:
                problems.append(Problem(COMMAND_LINE, None, FLAGS.get(key, f"--{key.replace('_', '-')}"), str(error)))
        else:
            values[key] = value
    theme = values.get("theme", "default")
    if theme != "default" and not (root / "themes" / theme).is_dir():
        line = line_of(text, "theme")
        problems.append(Problem(SETTINGS_FILE, line, "tool.digest.theme", no_theme(root, theme)))
    raise_if_errors(problems)
    return Config(root=root, raw=tuple(sorted((k, repr(v)) for k, v in table.items())), search_pages=search_pages,
                  **values)


def no_theme(root: Path, theme: str) -> str:
    """The message for a theme with no folder, suggesting the theme folder nearest in spelling."""
    folder = root / "themes"
    names = ["default"] + sorted(item.name for item in folder.iterdir() if item.is_dir()) if folder.is_dir() else ["default"]
    meant = closest(theme, names)
    if meant and meant != "default":
        return f"no folder themes/{theme}/; did you mean theme = \"{meant}\"? (or create themes/{theme}/)"
    return f"no folder themes/{theme}/; create it or set theme = \"default\""


def with_flags(config: Config, **changes: Any) -> Config:
    return replace(config, **changes)
