"""Content files -> Source: the text, and the front matter as plain nodes with line numbers.

YAML is read with the base schema, so every scalar stays the author's text; entries.py
converts each field. Nodes are turned into small tuples here so that later stages (and
worker processes) get plain, picklable data.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from functools import lru_cache
from typing import TYPE_CHECKING, NamedTuple

from .errors import WARNING, Problem, first_unfit
from .yaml_slips import find_slip

if TYPE_CHECKING:
    import yaml

MAX_BYTES = 2 * 1024 * 1024
MAX_DEPTH = 20            # front matter needs 3 levels; deeper nesting is refused, not recursed into
FENCE = "---"
# Control characters are invalid in HTML and XML and never meant: refuse them with their line.
# Tab, LF and CR are ordinary; NUL gets its own message.
# Control characters, and the noncharacters of the Basic Multilingual Plane (U+FDD0-U+FDEF,
# U+FFFE, U+FFFF), none of which a page may hold. (The last two code points of the other
# planes are refused in front matter only: searching every body for them costs a cold build
# a tenth of a second, for characters only broken data holds.)
CONTROL = re.compile("[\x01-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufdd0-\ufdef\ufffe\uffff]")
# YAML counts LINE SEPARATOR and PARAGRAPH SEPARATOR as line breaks; editors and we do not.
YAML_ONLY_BREAKS = str.maketrans({"\u2028": " ", "\u2029": " "})
YAML_TAG = "tag:yaml.org,2002:"
# A value or list item that starts with a hashtag (`story: #KyivTalks`, `- #kyiv`, `[Ukraine, #Kyiv]`):
# YAML reads the '#' as the start of a comment, so the text is lost, an optional field silently.
# A '#' followed by a space is a comment as `digest new` writes them (`slug:  # the last part ...`).
HASHTAG_VALUE = re.compile(r"[ \t]*(?:- +|[^\s:#][^:]*?: +)(#[^\s#].*?)[ \t]*$")
# An item of a flow list holding a '#' after a space (`[Kyiv, #Odesa]`, `[Kyiv #1 city]`): the
# rest of the line is a comment to YAML, so the list is never closed.
HASHTAG_IN_LIST = re.compile(r"[\[{,][ \t]*((?:[^\s,\[\]{}#][^,\[\]{}#]*?[ \t])?#[^\s#,\]}][^,\]}]*?)[ \t]*(?=[,\]}]|$)")
PLAIN_TAGS = {"tag:yaml.org,2002:str", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"}


class Node(NamedTuple):
    """A YAML node: kind is `scalar` (value: str), `seq` (tuple of Node) or `map`
    (tuple of (key text, key line, Node)); line is 1-based in the file. plain: a scalar
    written without quotes or `|`/`>`, so an empty plain one is nothing at all (`slug:`)."""

    kind: str
    value: object
    line: int
    plain: bool = False


@dataclass(frozen=True)
class Source:
    path: str                 # as shown to the author: relative to the site root
    file_name: str            # the file's name without `.md`
    front: tuple              # ((key, key line, Node), ...)
    body: str
    body_line: int            # line of the body's first line in the file
    digest: str = ""          # content hash, for caches
    # False when the front matter's text holds no backslash (no YAML escape) and no character
    # errors.NOT_IN_TEXT refuses: then no value can hold one (entries.unpublishable).
    may_hold_unfit: bool = True


class LoadError(Exception):
    def __init__(self, line: int | None, field: str | None, message: str):
        super().__init__(message)
        self.line, self.field, self.message = line, field, message


def find_sources(content_dir: Path, root: Path) -> tuple[list[Path], list[Problem]]:
    """Every `*.md` file under content_dir, sorted; names starting with `_` or `.` are skipped,
    and so are symlinks that lead outside the content folder (with a warning) and what is not
    a file (a named pipe). A symlink to a folder is not followed."""
    found, problems = source_files(content_dir, root)
    return [Path(path) for path in found], problems


def source_files(content_dir: Path, root: Path) -> tuple[list[str], list[Problem]]:
    """find_sources, as path strings: a rebuild that finds most files unchanged makes no
    Path of them."""
    found, problems = [], []
    content_dir = content_dir.resolve()
    waiting = [str(content_dir)]
    while waiting:  # os.scandir, not os.walk: its entries know whether they are links, no stat per file
        try:
            with os.scandir(waiting.pop()) as listing:
                items = list(listing)
        except OSError:
            continue  # a folder that vanished or cannot be read holds no entries we can read
        for item in items:
            if item.name.startswith(("_", ".")):
                continue
            link = item.is_symlink()
            if _is_folder(item):
                if not link:
                    waiting.append(item.path)
                elif _escapes(Path(item.path), content_dir):
                    problems.append(_outside_link(Path(item.path), root))
            elif item.name.endswith(".md"):
                if link and _escapes(Path(item.path), content_dir):
                    problems.append(_outside_link(Path(item.path), root))
                    continue
                if _is_file(item):  # not a named pipe or a socket, whose read would wait for ever
                    found.append(item.path)
    problems.sort(key=lambda problem: problem.path)
    return sorted(found), problems


def _is_folder(item: os.DirEntry) -> bool:
    try:
        return item.is_dir()
    except OSError:
        return False


def _is_file(item: os.DirEntry) -> bool:
    try:
        return item.is_file()  # the type the listing gave: no stat, but for a symlink
    except OSError:
        return False


def _escapes(path: Path, content_dir: Path) -> bool:
    return not path.resolve().is_relative_to(content_dir)


def _outside_link(path: Path, root: Path) -> Problem:
    return Problem(display_path(path, root), None, None,
                   "symlink points outside the content folder; skipped", WARNING)


def display_path(path: Path | str, root: Path) -> str:
    """path relative to root when it is inside (lexically, as Path.relative_to), else whole."""
    text = path.replace(os.sep, "/") if isinstance(path, str) else path.as_posix()
    prefix = root.as_posix().rstrip("/") + "/"
    return text[len(prefix):] if text.startswith(prefix) else text


def load_source(path: Path, root: Path) -> Source:
    """Read one file; raise LoadError with a line for anything unreadable."""
    data = path.read_bytes()
    return parse_source(data, display_path(path, root), path.stem)


def parse_source(data: bytes, shown_path: str, file_name: str) -> Source:
    if len(data) > MAX_BYTES:
        line = data.count(b"\n", 0, MAX_BYTES) + 1
        raise LoadError(line, None, f"file is {len(data):,} bytes and passes the limit of {MAX_BYTES:,} (2 MB) "
                                    "on this line: split it or shorten it")
    text = _decode(data)
    if "\0" in text:
        line = _line_at(text, text.index("\0"))
        raise LoadError(line, None, "NUL byte in the file; save it as plain UTF-8 text")
    control = CONTROL.search(text)
    if control:
        line = _line_at(text, control.start())
        code = ord(control.group())
        if code > 0x9F:
            raise LoadError(line, None, f"noncharacter U+{code:04X} in the file, which no web page or feed may hold; "
                                        "delete it")
        raise LoadError(line, None, f"control character U+{code:04X} in the file; delete it "
                                    "(it often comes with text copied from another program)")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    if not text.strip():
        raise LoadError(1, None, "file is empty; an entry starts with a '---' line, its front matter, and a closing '---'")
    if lines[0].rstrip() != FENCE:
        raise LoadError(1, None, "no front matter: the file must start with a '---' line, then the fields (title, date, summary, tags), then '---'")
    close = next((i for i in range(1, len(lines)) if lines[i].rstrip() in (FENCE, "...")), None)
    if close is None:
        raise LoadError(1, None, "front matter is not closed: add a '---' line after the last field")
    front_text = "\n".join(lines[1:close]).translate(YAML_ONLY_BREAKS)
    front = parse_front_matter(front_text, first_line=2)
    body = "\n".join(lines[close + 1:])
    unfit = "\\" in front_text or first_unfit(front_text) is not None
    return Source(shown_path, file_name, front, body, close + 2, hashlib.sha256(data).hexdigest(), unfit)


def _line_at(text: str, index: int) -> int:
    """1-based line of a character index, counting the line breaks an editor counts."""
    return text.count("\n", 0, index) - text.count("\r\n", 0, index) + text.count("\r", 0, index) + 1


def _decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise LoadError(line, None, f"invalid UTF-8 (byte 0x{data[error.start]:02x}); save the file as UTF-8") from None


def _indented_with_tab(text: str, index: int) -> bool:
    """Whether line `index` (from 0) of text starts with whitespace holding a tab."""
    lines = text.splitlines()
    if index >= len(lines):
        return False
    line = lines[index]
    return "\t" in line[: len(line) - len(line.lstrip())]


def _quote_hint(text: str, index: int) -> str:
    """`title: Kyiv: talks resume` (line `index`, from 0): YAML reads the second ': ' as a new
    key; the value in quotes is what the editor meant. The most common slip in a headline.
    A comment after the value (`digest new` writes one on every line) stays a comment."""
    lines = text.splitlines()
    key, colon, value = lines[index].partition(": ") if index < len(lines) else ("", "", "")
    value, note = split_comment(value.strip())
    if not colon or not key.strip() or key.lstrip()[:1] in "-[{#" or value[:1] in "\"'[{|>":
        return ""
    return f"; a value holding ': ' must be in quotes: write the line as {key.strip()}: {quoted(value)}{note}"


# Where a comment starts after a plain value, as YAML reads it and as `digest new` writes
# it: a '#' followed by a space (or ending the line), or with two spaces before it. One space
# then '#' then text (`talks #2`) is what the editor meant as text (see CUT_BY_COMMENT).
COMMENT_AFTER_VALUE = re.compile(r"(?:[ \t]{2,}#|[ \t]#(?=\s|$))")


def split_comment(text: str) -> tuple[str, str]:
    """A plain value as written on its line -> (the value, `  # the comment` or "")."""
    found = COMMENT_AFTER_VALUE.search(text)
    if found is None:
        return text.rstrip(), ""
    return text[:found.start()].rstrip(), "  " + text[found.end() - 1:].strip()


def quoted(text: str) -> str:
    """text as a double-quoted YAML scalar (JSON's string syntax is valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


@lru_cache(maxsize=1)
def base_loader():
    """PyYAML's base loader, in C where it was built with it (many times faster). PyYAML is
    imported on first use: a rebuild that finds every entry in the cache reads no YAML."""
    import yaml

    return getattr(yaml, "CBaseLoader", yaml.BaseLoader)


def parse_front_matter(text: str, first_line: int) -> tuple:
    """YAML text -> ((key, line, Node), ...). first_line is the file line of the text's line 1."""
    import yaml

    try:
        root = yaml.compose(text, Loader=base_loader())
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + first_line if mark else None
        column = f", column {mark.column + 1}" if mark else ""
        problem = error.problem or error.context or "invalid YAML"
        start = error.context_mark
        if error.problem and error.context and start and mark and start.line != mark.line:
            problem += f" ({error.context} that starts on line {start.line + first_line}, column {start.column + 1})"
        if "invalid Unicode character escape" in problem:  # libyaml refuses \ud800-\udfff
            problem += ("; a \\u escape names one character, not half of a surrogate pair "
                        "(\\ud83d\\ude00): write the character itself, or its \\U escape")
        if problem == "mapping values are not allowed in this context" and mark:
            problem += _quote_hint(text, mark.line)
        hashtag = (error.context or "").startswith("while parsing a flow") and _hashtag_in_list(text, mark)
        slip = None if hashtag or not mark else find_slip(text, mark.line)
        if hashtag:  # the error is where YAML gave up, often the end; the cause is the '#'
            line, column, tag = hashtag[0] + first_line, f", column {hashtag[1] + 1}", hashtag[2]
            problem += f"; '{tag}' must be in quotes, as a '#' starts a YAML comment: {quoted(tag)}"
        elif slip:  # likewise: YAML read on past the slip, to where it could not go on
            seen = f"line {mark.line + first_line}" if mark.line != slip.line else "this line"
            line, column = slip.line + first_line, f", column {slip.column + 1}"
            problem = (f"{slip.problem} (YAML reads on, and stops at {seen}: {error.problem or problem}); "
                       f"write the line as {slip.fixed.strip()}")
        if mark and _indented_with_tab(text, mark.line):
            problem = "a tab indents this line; YAML indents with spaces only: replace the tab with spaces"
        raise LoadError(line, None, f"YAML syntax error{column}: {problem}") from None
    except yaml.reader.ReaderError as error:
        line = text.count("\n", 0, error.position) + first_line
        raise LoadError(line, None, f"character U+{error.character:04X} is not allowed in YAML; delete it") from None
    except yaml.YAMLError as error:
        raise LoadError(first_line, None, f"YAML error: {error}") from None
    if root is None:
        return ()
    try:
        node = _convert(root, first_line, set(), 0, "")
    except _Alias:
        raise LoadError(_alias_line(text, first_line), None,
                        "YAML anchors and aliases (&name, *name) are not supported; write the value out") from None
    if node.kind != "map":
        raise LoadError(node.line, None, "front matter must be a mapping of fields such as 'title: ...'")
    if "#" in text:
        _refuse_lost_text(root, text.splitlines(), first_line, "")
    return node.value


# ' #2 in Istanbul' after a plain value: YAML ends the value at ' #' and drops the rest as a
# comment. One space, then '#' then text, was meant as text; a comment is written as YAML
# style guides (and `digest new`) write it: '# note', or two spaces before the '#'.
CUT_BY_COMMENT = re.compile(r"[ \t](#[^\s#].*?)[ \t]*$")


def _refuse_lost_text(node, lines: list[str], first_line: int, field: str) -> None:
    """Text a '#' took from a plain value, an error: `story: #KyivTalks` would leave the story
    empty, `title: Ceasefire talks #2 in Istanbul` publish "Ceasefire talks"."""
    if node.id == "mapping":
        for key, value in node.value:
            _refuse_lost_text(value, lines, first_line, f"{field}.{key.value}" if field else key.value)
    elif node.id == "sequence":
        for item in node.value:
            _refuse_lost_text(item, lines, first_line, field)
    elif node.style:
        return  # quoted or a block scalar: a '#' in it is text
    elif not node.value:
        match = HASHTAG_VALUE.match(lines[node.start_mark.line])
        if match:
            tag, note = split_comment(match[1])
            raise LoadError(node.start_mark.line + first_line, field,
                            f"'{tag}' is read as a YAML comment (a '#' after a space starts one), "
                            f"leaving this value empty: "
                            f"{_quoting_fix(lines[node.start_mark.line][:match.start(1)], tag, note)}")
    else:
        end = node.end_mark
        match = CUT_BY_COMMENT.match(lines[end.line][end.column:]) if end.line < len(lines) else None
        if match:
            lost, note = split_comment(match[1])
            raise LoadError(node.start_mark.line + first_line, field,
                            f"the value stops at '{lost}', which YAML reads as a comment (a '#' after "
                            f"a space starts one): the whole value must be in quotes: "
                            f"{_quoting_fix(_prefix(lines, node), f'{node.value} {lost}', note)}")


# What comes before a value that is all its line holds after `key: ` or `- `.
LINE_START = re.compile(r"[ \t]*(?:- +)?(?:[^\s#\-\[{][^:]*?: +)?")


def _prefix(lines: list[str], node) -> str | None:
    """What comes before a scalar on its line, if the scalar is on one line."""
    start, end = node.start_mark, node.end_mark
    return lines[start.line][:start.column] if start.line == end.line else None


def _quoting_fix(prefix: str | None, value: str, note: str) -> str:
    """`write the line as title: "Ceasefire talks #2"  # headline` for a value that is all
    its line holds after its key (or list dash); else the quoted value alone."""
    if prefix is not None and prefix.strip() and LINE_START.fullmatch(prefix):
        return f"write the line as {prefix.strip()} {quoted(value)}{note}"
    return f"put it in quotes, {quoted(value)}"


def _hashtag_in_list(text: str, end) -> tuple[int, int, str] | None:
    """(line index, column, '#tag') of the last hashtag in a flow list up to the line of the
    YAML error `end` (which can lie past the list, at the end of the front matter), if any."""
    lines = text.splitlines()[: (end.line + 1) if end else None]
    for index in range(len(lines) - 1, -1, -1):
        match = HASHTAG_IN_LIST.search(lines[index])
        if match:
            return index, match.start(1), match[1]
    return None


class _Alias(Exception):
    """A node met twice: an alias, refused rather than expanded (alias bombs)."""


def _alias_line(text: str, first_line: int) -> int | None:
    """The file line of the first `*alias` (composed nodes keep only the anchor's place)."""
    import yaml

    for event in yaml.parse(text, Loader=base_loader()):
        if isinstance(event, yaml.AliasEvent):
            return event.start_mark.line + first_line
    return None  # pragma: no cover - only called when compose found an alias


def _convert(node: yaml.Node, first_line: int, seen: set, depth: int, parent: str) -> Node:
    """parent: the dotted name of the mapping key the node is under (`source.`), for messages."""
    line = node.start_mark.line + first_line
    if id(node) in seen:
        raise _Alias()
    seen.add(id(node))
    if depth > MAX_DEPTH:
        raise LoadError(line, None, f"front matter is nested more than {MAX_DEPTH} levels deep; "
                                    "fields hold text, lists of text, or (source) a mapping")
    if node.tag not in PLAIN_TAGS:
        tag = "!!" + node.tag[len(YAML_TAG):] if node.tag.startswith(YAML_TAG) else node.tag
        raise LoadError(line, None, f"YAML tag '{tag}' is not allowed; front matter is plain text, lists and mappings")
    if node.id == "scalar":  # yaml.ScalarNode (and SequenceNode, MappingNode below)
        return Node("scalar", node.value, line, not node.style)  # style '' (libyaml) or None: plain
    if node.id == "sequence":
        return Node("seq", tuple(_convert(item, first_line, seen, depth + 1, parent) for item in node.value), line)
    pairs, lines_of = [], {}
    for key_node, value_node in node.value:
        key = _convert(key_node, first_line, seen, depth + 1, parent)
        if key.kind != "scalar":
            raise LoadError(key.line, None, "a key must be plain text")
        if key.value in lines_of:
            raise LoadError(key.line, parent + key.value, f"duplicate key (first on line {lines_of[key.value]}); keep one")
        lines_of[key.value] = key.line
        pairs.append((key.value, key.line, _convert(value_node, first_line, seen, depth + 1, f"{parent}{key.value}.")))
    return Node("map", tuple(pairs), line)
