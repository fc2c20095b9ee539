"""The docs match the code: every command, option, front-matter field and setting is in the
reference, nothing in the reference is missing from the code, and every link resolves."""

from __future__ import annotations

import argparse
import re

from helpers import ROOT
from digest.cli import make_parser
from digest.config import SETTINGS
from digest.entries import FIELDS

DOCS = ROOT / "docs"
README = ROOT / "README.md"


def text(path) -> str:
    return path.read_text(encoding="utf-8")


def subcommands() -> dict[str, argparse.ArgumentParser]:
    action = next(a for a in make_parser()._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def section(markdown: str, heading: str) -> str:
    """The text under a `## heading`, up to the next heading of that level."""
    return markdown.split(f"\n## {heading}\n", 1)[1].split("\n## ", 1)[0]


def test_readme_is_a_short_front_door():
    readme = text(README)
    assert len(readme.encode("utf-8")) <= 8 * 1024
    assert "make build" in readme and "make test" in readme
    assert "digest init" in readme, "the README shows how to start a site of one's own"
    screenshot = re.search(r"!\[[^\]]+\]\((docs/[^)]+\.png)\)", readme)
    assert screenshot, "the README shows a picture of a built page, with alt text"
    assert (ROOT / screenshot.group(1)).read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


def test_every_command_and_option_is_in_the_cli_reference_and_back():
    reference = text(DOCS / "reference" / "cli.md")
    documented_commands = set(re.findall(r"^## digest (\w+)$", reference, re.M))
    assert documented_commands == set(subcommands())
    for name, parser in subcommands().items():
        part = section(reference, f"digest {name}")
        options = {flag for action in parser._actions for flag in action.option_strings
                   if flag.startswith("--") and flag != "--help"}
        documented = set(re.findall(r"^\| `(--[a-z-]+)", part, re.M))
        assert documented == options, f"digest {name}: documented {sorted(documented)}, code {sorted(options)}"
    assert "--version" in reference


def test_every_front_matter_field_is_in_the_reference_and_back():
    fields_table = section(text(DOCS / "reference" / "front-matter.md"), "Fields")
    documented = re.findall(r"^\| `([a-z_]+)` \|", fields_table, re.M)
    assert sorted(documented) == sorted(field.name for field in FIELDS)
    required = set(re.findall(r"^\| `([a-z_]+)` \| yes \|", fields_table, re.M))
    assert required == {field.name for field in FIELDS if field.required}


def test_every_setting_is_in_the_reference_and_back():
    reference = text(DOCS / "reference" / "settings.md")
    block = re.search(r"```toml\n\[tool\.digest\]\n(.*?)```", reference, re.S).group(1)
    documented = re.findall(r"^([a-z_]+) = ", block, re.M)
    assert sorted(documented) == sorted(SETTINGS)


def markdown_files():
    return [README, *sorted(DOCS.rglob("*.md"))]


def test_every_link_in_the_docs_resolves_to_a_file_in_the_repository():
    broken = []
    for path in markdown_files():
        prose = re.sub(r"```.*?```|`[^`\n]*`", "", text(path), flags=re.S)  # examples are not links
        for target in re.findall(r"\]\(([^)\s]+)\)", prose):
            if re.match(r"[a-z]+:", target) or target.startswith("#"):
                continue
            file = (path.parent / target.split("#", 1)[0]).resolve()
            if not file.exists() or ROOT.resolve() not in file.parents:
                broken.append(f"{path.relative_to(ROOT)}: {target}")
    assert broken == []


def test_every_docs_page_is_reachable_from_the_index():
    index = text(DOCS / "index.md")
    pages = {p.relative_to(DOCS).as_posix() for p in DOCS.rglob("*.md")} - {"index.md"}
    linked = {target.split("#", 1)[0] for target in re.findall(r"\]\(([^)]+\.md[^)]*)\)", index)}
    assert pages - linked == set()


def test_code_and_docs_point_only_at_files_in_the_repository():
    """The product brief and the reference shelf live outside the repository; nothing here
    may send a reader (or a test) there."""
    outside = re.compile(r"\.\./shared|shared/(reference|bench)|DESIGN section|DESIGN\.md")
    places = [*sorted((ROOT / "digest").rglob("*.py")), *sorted((ROOT / "tests").glob("*.py")),
              *sorted((ROOT / "benchmarks").glob("*.py")), *markdown_files()]
    places.remove(ROOT / "tests" / "test_docs.py")  # holds the pattern itself
    found = [f"{p.relative_to(ROOT)}:{n}" for p in places
             for n, line in enumerate(text(p).splitlines(), 1) if outside.search(line)]
    assert found == []
