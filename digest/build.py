"""The pipeline in a screenful: config, load, entries, site, render, write, search."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from .config import Config
from .entries import Entry, read_entry
from .errors import DigestError, Problem, raise_if_errors
from .links import link_problems
from .load import LoadError, display_path, find_sources, load_source
from .render import Page, extra_pages, render_pages, static_pages
from .search import index_site
from .site import Site, build_site
from .write import discard, output_problems, stage, swap


@dataclass
class BuildResult:
    entries: int = 0
    pages: int = 0
    warnings: list[Problem] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)


class Stopwatch:
    def __init__(self, timings: dict[str, float]):
        self.timings, self.last = timings, time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.timings[name] = self.timings.get(name, 0.0) + now - self.last
        self.last = now


def read_entries(config: Config) -> tuple[list[Entry], list[Problem]]:
    """Load and check every content file, collecting all problems."""
    if not config.content_path.is_dir():
        return [], [Problem(config.content_dir, None, None, "content folder not found; create it or set content_dir")]
    paths, problems = find_sources(config.content_path, config.root)
    entries = []
    for path in paths:
        entry, found = read_entry_file(path, config)
        problems += found
        if entry is not None and (config.drafts or not entry.draft):
            entries.append(entry)
    return entries, problems


def read_entry_file(path: Path, config: Config) -> tuple[Entry | None, list[Problem]]:
    """One content file -> its Entry (None when it has errors) and its problems."""
    try:
        source = load_source(path, config.root)
    except LoadError as error:
        return None, [Problem(display_path(path, config.root), error.line, error.field, error.message)]
    except OSError as error:
        return None, [Problem(display_path(path, config.root), None, None, f"cannot read the file: {error.strerror}")]
    return read_entry(source, config)


def make_site(config: Config) -> tuple[Site, list[Problem]]:
    """Everything up to the model: every content and site problem is known after this."""
    entries, problems = read_entries(config)
    raise_if_errors(problems, config.strict)
    site, site_problems = build_site(entries, config)
    problems += site_problems
    raise_if_errors(problems, config.strict)
    return site, problems


def all_pages(site: Site) -> list[Page]:
    return render_pages(site) + static_pages(site.config) + extra_pages()


def build(config: Config) -> BuildResult:
    result = BuildResult()
    clock = Stopwatch(result.timings)
    raise_if_errors(output_problems(config))
    site, result.warnings = make_site(config)
    clock.lap("load")
    pages = all_pages(site)
    found = link_problems(site, pages, config.output_dir, bodies_only=True)
    raise_if_errors(result.warnings + found, config.strict)
    result.warnings += found
    clock.lap("render")
    # Everything is validated and rendered: from here on we only write.
    staging = stage(pages, config)
    clock.lap("write")
    try:
        if config.search:
            result.warnings += index_site(staging, config.language, len(site.posts))
            clock.lap("search")
        swap(staging, config.output_path)
    except BaseException:
        discard(staging)
        raise
    clock.lap("write")
    result.entries, result.pages = len(site.posts), sum(p.path.endswith(".html") for p in pages)
    return result


def check(config: Config) -> list[Problem]:
    """Validate content, settings, templates and every internal link of the rendered site
    without writing anything; return the warnings (errors, or any problem under --strict, raise)."""
    raise_if_errors(output_problems(config))
    site, warnings = make_site(config)
    found = link_problems(site, all_pages(site), config.output_dir)
    raise_if_errors(warnings + found, config.strict)
    return warnings + found
