"""Content files -> Source: the text, and the front matter as plain nodes with line numbers.

YAML is read with the base schema, so every scalar stays the author's text; entries.py
converts each field. Nodes are turned into small tuples here so that later stages (and
worker processes) get plain, picklable data.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import yaml

from .errors import WARNING, Problem

try:  # The C parser is many times faster; fall back to the pure one where it is missing.
    from yaml import CBaseLoader as BaseLoader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import BaseLoader

MAX_BYTES = 2 * 1024 * 1024
FENCE = "---"
PLAIN_TAGS = {"tag:yaml.org,2002:str", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"}


class Node(NamedTuple):
    """A YAML node: kind is `scalar` (value: str), `seq` (tuple of Node) or `map`
    (tuple of (key text, key line, Node)); line is 1-based in the file."""

    kind: str
    value: object
    line: int


@dataclass(frozen=True)
class Source:
    path: str                 # as shown to the author: relative to the site root
    file_name: str            # the file's name without `.md`
    front: tuple              # ((key, key line, Node), ...)
    body: str
    body_line: int            # line of the body's first line in the file
    digest: str = ""          # content hash, for caches


class LoadError(Exception):
    def __init__(self, line: int | None, field: str | None, message: str):
        super().__init__(message)
        self.line, self.field, self.message = line, field, message


def find_sources(content_dir: Path, root: Path) -> tuple[list[Path], list[Problem]]:
    """Every `*.md` under content_dir, sorted; names starting with `_` or `.` are skipped,
    and so are symlinks that lead outside the content folder (with a warning)."""
    found, problems = [], []
    content_dir = content_dir.resolve()
    for folder, subfolders, files in os.walk(content_dir, followlinks=False):
        here = Path(folder)
        subfolders[:] = sorted(d for d in subfolders if not d.startswith(("_", ".")))
        for name in list(subfolders):
            if (here / name).is_symlink():
                subfolders.remove(name)
                if _escapes(here / name, content_dir):
                    problems.append(_outside_link(here / name, root))
        for name in sorted(files):
            path = here / name
            if name.startswith(("_", ".")) or not name.endswith(".md"):
                continue
            if path.is_symlink() and _escapes(path, content_dir):
                problems.append(_outside_link(path, root))
                continue
            found.append(path)
    return sorted(found, key=lambda p: p.as_posix()), problems


def _escapes(path: Path, content_dir: Path) -> bool:
    return not path.resolve().is_relative_to(content_dir)


def _outside_link(path: Path, root: Path) -> Problem:
    return Problem(display_path(path, root), None, None,
                   "symlink points outside the content folder; skipped", WARNING)


def display_path(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def load_source(path: Path, root: Path) -> Source:
    """Read one file; raise LoadError with a line for anything unreadable."""
    data = path.read_bytes()
    return parse_source(data, display_path(path, root), path.stem)


def parse_source(data: bytes, shown_path: str, file_name: str) -> Source:
    import hashlib

    if len(data) > MAX_BYTES:
        raise LoadError(None, None, f"file is {len(data):,} bytes; the limit is {MAX_BYTES:,} (2 MB): split it or shorten it")
    text = _decode(data)
    if "\0" in text:
        line = text.count("\n", 0, text.index("\0")) + 1
        raise LoadError(line, None, "NUL byte in the file; save it as plain UTF-8 text")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    if not text.strip():
        raise LoadError(1, None, "file is empty; an entry starts with a '---' line, its front matter, and a closing '---'")
    if lines[0].rstrip() != FENCE:
        raise LoadError(1, None, "no front matter: the file must start with a '---' line, then the fields (title, date, summary, tags), then '---'")
    close = next((i for i in range(1, len(lines)) if lines[i].rstrip() in (FENCE, "...")), None)
    if close is None:
        raise LoadError(1, None, "front matter is not closed: add a '---' line after the last field")
    front = parse_front_matter("\n".join(lines[1:close]), first_line=2)
    body = "\n".join(lines[close + 1:])
    return Source(shown_path, file_name, front, body, close + 2, hashlib.sha256(data).hexdigest())


def _decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise LoadError(line, None, f"invalid UTF-8 (byte 0x{data[error.start]:02x}); save the file as UTF-8") from None


def parse_front_matter(text: str, first_line: int) -> tuple:
    """YAML text -> ((key, line, Node), ...). first_line is the file line of the text's line 1."""
    try:
        root = yaml.compose(text, Loader=BaseLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + first_line if mark else None
        column = f", column {mark.column + 1}" if mark else ""
        problem = error.problem or error.context or "invalid YAML"
        raise LoadError(line, None, f"YAML syntax error{column}: {problem}") from None
    except yaml.YAMLError as error:
        raise LoadError(first_line, None, f"YAML error: {error}") from None
    if root is None:
        return ()
    node = _convert(root, first_line, set())
    if node.kind != "map":
        raise LoadError(node.line, None, "front matter must be a mapping of fields such as 'title: ...'")
    return node.value


def _convert(node: yaml.Node, first_line: int, seen: set) -> Node:
    line = node.start_mark.line + first_line
    if id(node) in seen:  # An alias: refuse it rather than expand it (alias bombs).
        raise LoadError(line, None, "YAML anchors and aliases (&name, *name) are not supported; write the value out")
    seen.add(id(node))
    if node.tag not in PLAIN_TAGS:
        raise LoadError(line, None, f"YAML tag {node.tag!r} is not allowed; front matter is plain text, lists and mappings")
    if isinstance(node, yaml.ScalarNode):
        return Node("scalar", node.value, line)
    if isinstance(node, yaml.SequenceNode):
        return Node("seq", tuple(_convert(item, first_line, seen) for item in node.value), line)
    pairs, lines_of = [], {}
    for key_node, value_node in node.value:
        key = _convert(key_node, first_line, seen)
        if key.kind != "scalar":
            raise LoadError(key.line, None, "a key must be plain text")
        if key.value in lines_of:
            raise LoadError(key.line, key.value, f"duplicate key (first on line {lines_of[key.value]}); keep one")
        lines_of[key.value] = key.line
        pairs.append((key.value, key.line, _convert(value_node, first_line, seen)))
    return Node("map", tuple(pairs), line)
