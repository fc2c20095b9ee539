"""The line an editor's slip is on, when YAML reports it further down.

YAML reads on past an unclosed quote or bracket, and past `title:Kyiv` (a ':' without a space
is part of a plain value), and reports the error where it finally gives up: often the next
field, or the closing '---'. These slips are found here by reading the front matter line by
line, so that the message names the line to fix and shows it fixed.
"""

from __future__ import annotations

import json
import re
from typing import NamedTuple

# A field's line: its indentation, an optional list dash, the key, the ':' and what follows.
FIELD = re.compile(r"(?P<lead>[ \t]*(?:- +)?)(?P<key>[A-Za-z_][\w-]*):(?P<rest>.*)")
# An item of a block list whose value is quoted or in brackets: `  - "Zelensky`.
ITEM = re.compile(r"(?P<lead>[ \t]*- +)(?P<rest>[\"'\[{].*)")
CLOSERS = {"[": "]", "{": "}"}
# What a plain (unquoted) YAML value may not start with, or hold, to be read as written.
PLAIN_START = set("-?:,[]{}#&*!|>'\"%@`")


class Slip(NamedTuple):
    line: int        # from 0, within the front matter
    column: int      # from 0: where the unclosed quote or bracket, or the ':' is
    problem: str     # what is wrong, in the editor's words
    fixed: str       # the whole line as it must be written


def find_slip(text: str, error_line: int) -> Slip | None:
    """The first slip on a line up to `error_line` (from 0), the line YAML reported."""
    lines = text.splitlines()
    inside = None  # the indentation of the field whose block or run-on value the line is part of
    for index, line in enumerate(lines[: error_line + 1]):
        indent = len(line) - len(line.lstrip(" "))
        if inside is not None and (not line.strip() or indent > inside):
            continue
        inside = None
        match = FIELD.fullmatch(line) or ITEM.fullmatch(line)
        if match is None:
            continue
        rest = match["rest"]
        if match.re is FIELD and rest[:1] not in ("", " ", "\t"):
            return _no_space(index, match)
        value = rest.lstrip(" \t")
        if value and value[0] not in "\"'[{#":
            inside = indent  # a plain or block value: more indented lines below are its text
            continue
        if not value or value[0] == "#" or not _ends_a_field(lines, index):
            continue
        column = match.start("rest") + len(rest) - len(value)
        slip = _unclosed(value)
        if slip is not None:
            problem, closed = slip
            return Slip(index, column, problem, line[:column] + closed)
    return None


def _no_space(index: int, match: re.Match) -> Slip:
    """`title:Kyiv`: YAML starts a value after ': ' only, so this is one plain value
    'title:Kyiv', not the field title."""
    value = match["rest"].strip()
    return Slip(index, match.end("key"), "a space must follow the ':' before the value",
                f"{match['lead']}{match['key']}: {_as_value(value)}")


def _ends_a_field(lines: list[str], index: int) -> bool:
    """Whether the field on line `index` ends there: the next line is another field (or the
    end), not the rest of a value YAML lets run over several lines."""
    following = next((line for line in lines[index + 1:] if line.strip()), None)
    if following is None:
        return True
    indent = len(lines[index]) - len(lines[index].lstrip(" "))
    fits = FIELD.fullmatch(following) or following.lstrip().startswith("- ")
    return bool(fits) and len(following) - len(following.lstrip(" ")) <= indent


def _unclosed(value: str) -> tuple[str, str] | None:
    """(the problem, the value closed) when a quoted value or a flow list or mapping is not
    closed on its line; None when it is."""
    stack: list[str] = []
    at, end = 0, len(value)
    comment = None
    while at < end:
        char = value[at]
        if char in "\"'":
            close = _quote_end(value, at)
            if close is None:
                closers = char + "".join(CLOSERS[opener] for opener in reversed(stack))
                return (f"the {_quote_name(char)} that opens {'this value' if at == 0 else 'an item'} "
                        f"is not closed", value.rstrip() + closers)
            if not stack:
                return None  # a quoted value, closed; anything after it is YAML's to judge
            at = close + 1
            continue
        if char in CLOSERS:
            stack.append(char)
        elif char in "]}":
            if not stack:
                return None
            stack.pop()
            if not stack:
                return None  # closed; anything after is YAML's to judge
        elif char == "#" and at and value[at - 1] in " \t":
            comment = at
            break
        at += 1
    if not stack:
        return None
    kind = "list" if stack[0] == "[" else "mapping"
    body = value[:comment].rstrip() if comment is not None else value.rstrip()
    note = "  " + value[comment:].strip() if comment is not None else ""
    return (f"the {kind} that '{stack[0]}' opens is not closed on this line",
            body + "".join(CLOSERS[opener] for opener in reversed(stack)) + note)


def _quote_end(value: str, start: int) -> int | None:
    """Where the quoted text that starts at `start` ends on this line, if it does: a double
    quote ends at the next unescaped '"', a single one at the next "'" not doubled."""
    quote, at = value[start], start + 1
    while at < len(value):
        if quote == '"' and value[at] == "\\":
            at += 2
            continue
        if value[at] == quote:
            if quote == "'" and value[at + 1:at + 2] == "'":
                at += 2
                continue
            return at
        at += 1
    return None


def _quote_name(char: str) -> str:
    return "double quote" if char == '"' else "single quote"


def _as_value(value: str) -> str:
    """value as YAML reads it back: as it is where that is plain text, else in quotes."""
    if not value or value[0] in PLAIN_START or ": " in value or " #" in value or value.endswith(":"):
        return json.dumps(value, ensure_ascii=False)
    return value
