"""Problems found in content, settings or templates, and the one way they are worded.

Stages collect `Problem`s and raise one `DigestError` holding all of them; only the
CLI prints. Standard library only: every other module may import this one.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Iterable

ERROR = "error"
WARNING = "warning"
COMMAND_LINE = "command line"  # the path of a problem with a flag or argument


@dataclass(frozen=True, order=True)
class Problem:
    path: str
    line: int | None
    field: str | None
    message: str
    severity: str = ERROR

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def as_error(self) -> "Problem":
        return Problem(self.path, self.line, self.field, self.message, ERROR)


class DigestError(Exception):
    """One or more problems that stop the build."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = tuple(sorted(problems, key=sort_key))
        super().__init__("\n".join(format_problem(p) for p in self.problems))


def sort_key(problem: Problem) -> tuple:
    return (problem.path, problem.line or 0, problem.field or "", problem.message)


def format_problem(problem: Problem) -> str:
    """`content/2025/07/talks.md:4: tags: expected a list of text, got a mapping`."""
    place = problem.path if problem.line is None else f"{problem.path}:{problem.line}"
    label = "warning: " if problem.severity == WARNING else ""
    field = f"{problem.field}: " if problem.field else ""
    return printable(f"{place}: {label}{field}{problem.message}")


# Control characters but tab and line feed: a file name or a front-matter key holding ESC
# ("\e]0;...\a", "\e[2J") would drive the editor's terminal when a message names it.
TERMINAL_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    r"""text with each terminal control character written as its escape (ESC as `\x1b`)."""
    return TERMINAL_CONTROLS.sub(lambda found: f"\\x{ord(found.group()):02x}", text)


# Characters no HTML page or XML feed may hold (HTML's "control", "surrogate" and
# "noncharacter"; XML 1.0 refuses most of them too): C0 controls but tab, LF and CR, DEL and
# the C1 controls, surrogates, and U+FDD0-U+FDEF and the last two code points of each plane.
_UNFIT = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef"
NOT_IN_TEXT = re.compile("[" + _UNFIT + "".join(chr(plane + 0xFFFE) + chr(plane + 0xFFFF)
                                                 for plane in range(0, 0x110000, 0x10000)) + "]")
# NOT_IN_TEXT's characters of the Basic Multilingual Plane: searched 7 times faster, as no
# character past that plane takes the search to the slow path (a cold build searches the
# front matter of every file).
UNFIT_IN_PLANE_0 = re.compile("[" + _UNFIT + "\ufffe\uffff]")
PAST_PLANE_0 = re.compile("[\U00010000-\U0010ffff]")


def first_unfit(text: str) -> re.Match | None:
    """The first character of text that NOT_IN_TEXT refuses."""
    return (NOT_IN_TEXT if PAST_PLANE_0.search(text) else UNFIT_IN_PLANE_0).search(text)


def character_problem(text: str) -> str | None:
    """Why text cannot be published, naming its first forbidden character, or None."""
    found = first_unfit(text)
    if found is None:
        return None
    code = ord(found.group())
    if 0xD800 <= code <= 0xDFFF:
        return (f"U+{code:04X} is half of a UTF-16 surrogate pair, which cannot go into a web page or feed; "
                "write the character itself (or its \\U escape)")
    what = "noncharacter" if code > 0x9F else "control character"
    return f"{what} U+{code:04X} cannot go into a web page or feed; delete it, or write the character you meant itself"


OUTPUT_FIELDS = ("tool.digest.output_dir", "--output")


def summarize(problems: Iterable[Problem], output_name: str | None = "output") -> str:
    """`digest: 3 errors in 2 files; output/ was not changed` (`nothing was written` when the
    output folder itself was refused: it may not be an output folder at all, and for a
    command that writes none: output_name None)."""
    errors = [p for p in problems if p.is_error]
    files = {p.path for p in errors} - {COMMAND_LINE}
    noun = "error" if len(errors) == 1 else "errors"
    places = [f"in {len(files)} {'file' if len(files) == 1 else 'files'}"] if files else []
    places += ["on the command line"] if any(p.path == COMMAND_LINE for p in errors) else []
    refused = any(p.field in OUTPUT_FIELDS for p in errors)
    outcome = "nothing was written" if refused or output_name is None else f"{output_name.rstrip('/')}/ was not changed"
    return f"digest: {len(errors)} {noun} {' and '.join(places)}; {outcome}"


def did_you_mean(word: str, choices: Iterable[str], other_names: dict[str, str] | None = None) -> str:
    """A ` (did you mean 'tags'?)` suffix, or an empty string. other_names: names spelling
    alone does not lead to (`person` -> `people`), by lower-case word."""
    meant = closest(word, choices, other_names)
    return f" (did you mean '{meant}'?)" if meant else ""


def closest(word: str, choices: Iterable[str], other_names: dict[str, str] | None = None,
            cutoff: float = 0.6) -> str | None:
    """The choice word was most likely meant to be (did_you_mean), or None. cutoff: how alike
    (difflib's ratio) a choice must be; names sharing a long ending (`.html`) need more."""
    meant = (other_names or {}).get(word.lower())
    match = [meant] if meant else difflib.get_close_matches(word, sorted(choices), n=1, cutoff=cutoff)
    return match[0] if match else None


def raise_if_errors(problems: Iterable[Problem], strict: bool = False) -> None:
    problems = list(problems)
    if strict:
        problems = [p.as_error() for p in problems]
    if any(p.is_error for p in problems):
        raise DigestError(problems)
