"""`digest init`: a new site folder that builds, previews and deploys as it is.

A library module: plan_site() checks everything and returns the files to write, or raises
DigestError with one problem saying what is in the way; write_site() writes them, all or
none. cli.py prints. The generated files' texts are the templates below.

The site is content only: its settings file holds `[tool.digest]` and nothing that makes
the folder a Python project, and its Pages workflow installs digest from PyPI, pinned to
the version that wrote it, so the site builds the same way until someone raises the pin.
"""

from __future__ import annotations

import os
import shlex
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from .config import SETTINGS, SETTINGS_FILE, STATIC_DIR, BadValue, Config, is_site, tool_tables, enclosing_site
from .errors import COMMAND_LINE, DigestError, Problem

DISTRIBUTION = "event-digest"   # digest's name on PyPI (`digest` is taken)
WORKFLOW = ".github/workflows/pages.yml"
# A freshly cloned empty repository holds only its .git folder: still an empty folder to start a site in.
IGNORED_IN_EMPTY = {".git"}
DEFAULT_TITLE = "Digest"


@dataclass(frozen=True)
class SiteFile:
    relative: str      # a POSIX path under the site folder
    text: str


@dataclass(frozen=True)
class Plan:
    """What `digest init` is about to do, checked: nothing is written until write_site()."""

    folder: Path                      # absolute
    shown: str                        # the folder as the user gave it
    title: str
    files: tuple[SiteFile, ...]       # to write, none of which exists
    kept: tuple[str, ...]             # files of the site that exist already and stay as they are (--force)
    notes: tuple[str, ...]            # what the editor should do about a kept file

    def next_steps(self) -> list[tuple[str, str]]:
        """The three commands that come next, preview, build and deploy, each with a note."""
        enter = "" if self.folder == Path.cwd().resolve() else f"cd {shlex.quote(self.shown)} && "
        return [(f"{enter}digest serve", "preview at http://127.0.0.1:8000/, rebuilt on every save"),
                ("digest build", "build the site into output/"),
                ('git init -b main && git add -A && git commit -m "Start the site" && git push <URL> main',
                 "deploy: push to a new GitHub repository at <URL>; once, on GitHub: "
                 "Settings -> Pages -> Build and deployment -> Source: GitHub Actions")]


def plan_site(folder: Path | str, *, title: str | None = None, empty: bool = False, force: bool = False,
              version: str, today: date) -> Plan:
    """Check that a site may start in `folder` and list its files. Raises DigestError with
    one problem: the folder is a file, unwritable, a site already, or not empty (without
    force); or the title cannot be a setting."""
    shown = str(folder)
    folder = Path(folder).absolute()
    name = shown.rstrip("/") + "/"
    if folder.exists() and not folder.is_dir():
        refuse(shown, "is a file, not a folder; give digest init a new or empty folder, such as: digest init news")
    inside = enclosing_site(folder)
    if inside is not None:
        refuse(name, f"is inside the content, output, static or themes folder of the site {inside}; "
                     f"start the new site outside it")
    existing = folder if folder.is_dir() else next(p for p in folder.parents if p.is_dir())
    if not os.access(existing, os.W_OK | os.X_OK):
        refuse(name if existing == folder else str(existing), "is not writable (permission denied); "
               "choose a folder you can write to, or ask for write access")
    if folder.is_dir() and not force:
        if is_site(folder):
            refuse(name, f"holds a digest site already ({site_marks(folder)}); digest init starts new sites: "
                         "run digest build there, or add --force to add only the files it lacks")
        present = sorted(set(os.listdir(folder)) - IGNORED_IN_EMPTY)
        if present:
            refuse(name, f"is not empty (it holds {listed(present)}); choose a new or empty folder, or add "
                         "--force to add the site's files beside them (none is overwritten)")
    title = settings_title(title, folder)
    files = site_files(title, version, example=None if empty else example_entry(today))
    if force and (folder / "content").exists():   # the editors' entries: never touched
        files = [file for file in files if not file.relative.startswith("content/")]
    kept = tuple(file.relative for file in files if (folder / file.relative).exists())
    return Plan(folder, shown, title, tuple(file for file in files if file.relative not in kept), kept,
                tuple(note for relative in kept if (note := kept_note(folder, relative))))


def refuse(where: str, message: str) -> None:
    raise DigestError([Problem(where, None, None, f"{message}; nothing was written")])


def site_marks(folder: Path) -> str:
    marks = ["content/"] if (folder / "content").is_dir() else []
    return ", ".join(marks + ([f"[tool.digest] in {SETTINGS_FILE}"] if "digest" in tool_tables(folder) else []))


def read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return ""


def listed(names: list[str], most: int = 3) -> str:
    more = f" and {len(names) - most} more" if len(names) > most else ""
    return ", ".join(names[:most]) + more


def settings_title(title: str | None, folder: Path) -> str:
    """The --title; else, for --force in a site, its own title; else the folder's name. As
    the `title` setting checks it, with runs of white space made one space, as `digest new`
    does with a title."""
    if title is not None:
        return checked_title(title, Problem(COMMAND_LINE, None, "--title", "{error}"))
    existing = tool_tables(folder).get("digest")
    if isinstance(existing, dict):
        try:
            return checked_title(existing.get("title"), None)
        except DigestError:
            pass
    name = folder.resolve().name or DEFAULT_TITLE
    return checked_title(name, Problem(COMMAND_LINE, None, "FOLDER", f"its name {name!r} cannot be the site's "
                                       "title: {error}; give one with --title"))


def checked_title(title, problem: Problem | None) -> str:
    """title as the `title` setting takes it, or DigestError with problem's message, {error} filled in."""
    try:
        return SETTINGS["title"](" ".join(title.split()) if isinstance(title, str) else title)
    except BadValue as error:
        message = problem.message.replace("{error}", str(error)) if problem else str(error)
        raise DigestError([Problem(COMMAND_LINE, None, problem.field if problem else None, message)]) from None


def kept_note(folder: Path, relative: str) -> str | None:
    """What a kept file lacks that the site needs, or None."""
    if relative == ".gitignore":
        present = {line.strip().strip("/") for line in read_text(folder / relative).splitlines()}
        missing = [line for line in IGNORED if line.strip("/") not in present]   # `output/` ignores /output/ too
        if missing:
            return f".gitignore exists and was kept; add these lines to it: {' '.join(missing)}"
    if relative == SETTINGS_FILE and "digest" not in tool_tables(folder):
        return (f"{SETTINGS_FILE} exists and was kept; it has no [tool.digest] table, so the site builds with "
                "the default settings: add one with title, description, base_url, language and timezone")
    return None


def write_site(plan: Plan) -> None:
    """Write every file of the plan, each only if it does not exist; after a failure remove
    what this call made, so nothing is left half-written."""
    made: list[Path] = []
    try:
        for file in plan.files:
            path = plan.folder / file.relative
            missing = [parent for parent in reversed(path.parents) if not parent.exists()]
            for parent in missing:
                parent.mkdir()
                made.append(parent)
            with open(path, "x", encoding="utf-8", newline="\n") as handle:
                made.append(path)
                handle.write(file.text)
    except OSError as error:
        for path in reversed(made):
            if path.is_dir():
                path.rmdir()
            else:
                path.unlink()
        refuse(os.path.relpath(error.filename) if error.filename else plan.shown,
               f"cannot be written: {error.strerror or error}")


# --- the files ------------------------------------------------------------------------

def site_files(title: str, version: str, example: SiteFile | None) -> list[SiteFile]:
    content = [example] if example else [SiteFile("content/.gitkeep", "")]   # git keeps no empty folder
    return [SiteFile(SETTINGS_FILE, settings_text(title, version)),
            SiteFile(".gitignore", GITIGNORE),
            SiteFile("README.md", readme_text(title, version)),
            SiteFile(WORKFLOW, workflow_text(version)),
            *content]


def toml_string(text: str) -> str:
    """A TOML basic string: quotes and backslashes escaped, control characters as \\u escapes."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + "".join(f"\\u{ord(c):04x}" if ord(c) < 0x20 or ord(c) == 0x7F else c for c in escaped) + '"'


def settings_text(title: str, version: str) -> str:
    defaults = Config(root=Path("."))
    return f"""\
# The settings of this digest site, read from the [tool.digest] table. This folder holds content,
# not Python code: install digest with `pip install "{DISTRIBUTION}=={version}"`, not `pip install .`.

[tool.digest]
title = {toml_string(title)}
description = {toml_string(f"{title}: the news, one short summary per event.")}
# The address the site is served at; its path starts every link. The Pages workflow builds
# with the Pages address instead, so this one serves builds on your own machine.
base_url = {toml_string(defaults.base_url)}
# The language the entries are written in (a tag such as "en", "uk" or "pt-BR") and the time
# zone the site's dates are shown in (such as "Europe/Kyiv").
language = {toml_string(defaults.language)}
timezone = {toml_string(defaults.timezone)}
"""


# Every folder digest writes beside the content: the built site, the folders a build swaps
# it through (write.staging_path, old_path, trash_path) and the build cache (cache.CACHE_DIR),
# which holds Python pickles that run as code when read: never commit it.
IGNORED = ("/output/", "/.output.staging/", "/.output.old/", "/.output.trash/", "/.digest-cache/")
GITIGNORE = """\
# What digest writes: the built site (output/), the folders a build passes it through and the
# build cache. Never commit the cache: it holds Python pickles, which run as code when read.
{ignored}
# A local install of digest (README.md, "Preview").
/.venv/
""".format(ignored="\n".join(IGNORED))


def example_entry(today: date) -> SiteFile:
    text = f"""\
---
title: "How an entry is written"
date: {today.isoformat()}
summary: >-
  One Markdown file per news item: a short summary in your own words, the source it came
  from, and the topics, people and places it is about. Replace this example with your first entry.
source:
  name: digest
  url: https://pypi.org/project/{DISTRIBUTION}/
tags: [how to]
people: []
places: []
---
Each entry lives in `content/YEAR/MONTH/` as one `.md` file. Its front matter, between the
two `---` lines, holds what the site files it under:

- `title`, `date` and `summary` are required; the summary is what listings, feeds and search show;
- `tags`, `people` and `places` each get a page listing every entry that names them;
- `source` names the publisher (and links the article); `author` credits its author;
- `draft: true` keeps an entry off the site until you set it to `false`.

Below the front matter comes the entry itself, in Markdown: paragraphs, **emphasis**, lists,
`## headings` and [links](https://commonmark.org/help/).

`digest new "A headline"` writes a new entry with every field and a comment on each. Delete
this file once you have written your first one.
"""
    return SiteFile(f"content/{today.year:04d}/{today.month:02d}/how-an-entry-is-written.md", text)


def markdown_text(text: str) -> str:
    """text with Markdown's punctuation escaped, for a heading of the editors' README."""
    return "".join("\\" + c if c in "\\`*_{}[]<>()#+-.!|" else c for c in text)


def readme_text(title: str, version: str) -> str:
    return f"""\
# {markdown_text(title)}

This folder is a news digest site, built with [digest](https://pypi.org/project/{DISTRIBUTION}/):
one Markdown file per news item in `content/`, published as a searchable website with a page
per tag, person, place and source.

## Install digest (once)

With Python 3.11 or later:

```sh
python3 -m venv .venv
.venv/bin/pip install "{DISTRIBUTION}=={version}"
source .venv/bin/activate      # then `digest` runs in this terminal
```

Use the version `.github/workflows/pages.yml` installs, so your previews match the published site.

## Write

```sh
digest new "Talks resume in Istanbul"
```

writes `content/YEAR/MONTH/talks-resume-in-istanbul.md` with every field and a comment on each,
marked `draft: true`. Fill it in, then set `draft: false` to publish it.
`content/` starts with one example entry: read it, then delete it.

## Preview

```sh
digest serve
```

shows the site at http://127.0.0.1:8000/ (drafts with `--drafts`) and rebuilds it each time you
save a file. Errors name the file and line to fix.

## Build

```sh
digest check    # validate every entry and setting, write nothing
digest build    # the whole site, into output/
```

## Deploy

Every push to `main` on GitHub publishes the site on GitHub Pages
(`.github/workflows/pages.yml`). Once, in the repository on GitHub: **Settings -> Pages ->
Build and deployment -> Source: GitHub Actions**. The site's address is shown there and on
each run of the workflow (**Actions -> Deploy to GitHub Pages**).

The workflow installs digest {version}. To upgrade, change the version in its `pip install`
line (and in your own install).

The settings (title, description, language, time zone) are in `{SETTINGS_FILE}`. `.gitignore`
keeps what digest writes (`output/`, `.digest-cache/` and its build folders) out of git.
Pictures and other files to publish as they are go in `{STATIC_DIR}/`.
"""


def workflow_text(version: str) -> str:
    return WORKFLOW_TEMPLATE.replace("@SPEC@", f"{DISTRIBUTION}=={version}")


WORKFLOW_TEMPLATE = """\
# Build the site and publish it on GitHub Pages: on every push to main, and by hand from the
# Actions tab. One-time setup: Settings -> Pages -> Build and deployment -> Source: GitHub Actions.
name: Deploy to GitHub Pages

on:
  push:
    branches: [main]
  workflow_dispatch:

# Read the repository; publish to Pages; prove to Pages who is deploying (OIDC token).
permissions:
  contents: read
  pages: write
  id-token: write

# One deployment at a time; a run in progress is allowed to finish.
concurrency:
  group: pages
  cancel-in-progress: false

jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v6
      - uses: actions/setup-python@v6
        with:
          python-version: "3.12"
          cache: pip
          # The pin below is the only dependency: a new version is a new pip cache.
          cache-dependency-path: .github/workflows/pages.yml
      - name: Read the Pages URL
        id: pages
        uses: actions/configure-pages@v6
      # digest is this site's one dependency, pinned: the site builds the same way until you
      # raise the version here (and in your own install, so previews match).
      - name: Install digest
        run: pip install "@SPEC@"
      # The last deploy's build cache: entries whose bytes did not change are not parsed again.
      # Any version of it is safe to restore: digest checks each part against its own code,
      # the settings and every file's content hash.
      - name: Restore the build cache
        uses: actions/cache@v5
        with:
          path: .digest-cache
          key: digest-cache-${{ runner.os }}-${{ github.sha }}
          restore-keys: digest-cache-${{ runner.os }}-
      # configure-pages gives base_url without a trailing slash:
      # https://owner.github.io/repo for a project site, https://example.org for a custom domain.
      - name: Build the site
        run: digest build --base-url "${{ steps.pages.outputs.base_url }}/"
      # upload-pages-artifact leaves out names starting with "." unless told: static/.well-known/ must go.
      - uses: actions/upload-pages-artifact@v5
        with:
          path: output
          include-hidden-files: true

  deploy:
    needs: build
    runs-on: ubuntu-latest
    environment:
      name: github-pages
      url: ${{ steps.deployment.outputs.page_url }}
    steps:
      - name: Deploy to GitHub Pages
        id: deployment
        uses: actions/deploy-pages@v5
"""
