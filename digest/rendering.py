"""The pages of a build in route order: each rendered, in batches across worker processes while
the caller writes, or the last build's, where its fingerprint did not move. `digest build`
and `digest serve` both render with stream_pages."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator, Sequence

from .cache import FileHashes
from .errors import DigestError, Problem
from .model import Site
from .render import Page, StaticFile, check_theme, each_static_page, extra_pages, load_templates, make_environment, render_pages
from .reuse import Fingerprints, Noted
from .views import Views
from .workers import batches, ordered_map, shared, worker_count
from .write import KEPT, AnyPage, Kept, LinkedPage, WrittenPage, cannot_write, close_pages, one_page_per_path, write_new

if TYPE_CHECKING:
    import jinja2


@dataclass
class RenderJob:
    """What render workers share: the site, its views and the build's Jinja environment. A
    worker not forked (workers._context) gets the site pickled and makes the rest: an
    environment does not pickle, so there the worker makes its own, reading the compiled
    templates kept in `compiled`. into: a fresh staging folder the workers write their pages
    into themselves (write.write_new), each keeping the set of folders it has made there.
    fingerprints: each page is fingerprinted as it is rendered, from the one context made for
    both (a clean build: nothing to reuse was waiting on them); each worker makes its own
    Fingerprints, as its views and environment where it was not forked."""
    site: Site
    views: Views | None
    environment: jinja2.Environment | None
    compiled: str | None = None
    into: str | None = None
    made: set[str] = field(default_factory=set)
    fingerprints: bool = False
    prints: Fingerprints | None = None   # made where it renders

    def __getstate__(self) -> dict:
        return {**self.__dict__, "views": None, "environment": None}


Batch = tuple[list[Page | WrittenPage], list[Noted] | None, list[Problem]]


def _render_batch(indexes: Sequence[int]) -> Batch:
    """In a worker (or here): shared() is the RenderJob. Errors come back as values. With
    job.into, each page is written there and only its record goes back: the pages' bytes
    neither cross a pipe nor wait for the build's one process to write them. With
    job.fingerprints, each page's Noted comes back too."""
    job = shared()
    if job.environment is None:
        compiled = Path(job.compiled) if job.compiled else None
        job.environment = make_environment(job.site.config, watching=False, compiled=compiled)
    if job.views is None:
        job.views = Views(job.site)
    if job.fingerprints and job.prints is None:
        job.prints = Fingerprints(job.site, job.views)
    routes = [job.site.routes[i] for i in indexes]
    contexts = notes = None
    try:
        if job.prints is not None:
            contexts = [job.views.page(route) for route in routes]
            notes = [job.prints.noted(route, context) for route, context in zip(routes, contexts)]
        # The environment lives for this build only, so its `cached` outputs stay valid.
        pages = render_pages(job.site, routes, job.environment, keep_cached=True, views=job.views, contexts=contexts)
    except DigestError as error:
        return [], None, list(error.problems)
    if job.into is None:
        return pages, notes, []
    try:
        return [WrittenPage(page.path, write_new(job.into, page.path, page.data, job.made)) for page in pages], notes, []
    except OSError as error:
        return [], None, list(cannot_write(job.site.config, error, job.into).problems)


def stream_pages(site: Site, jobs: int | None, reused: Sequence[LinkedPage | Kept | None] = (),
                 environment: jinja2.Environment | None = None, hashes: FileHashes | None = None,
                 images: Sequence[Page | StaticFile] = (), views: Views | None = None,
                 into: Path | None = None, noted: Callable[[Noted], None] | None = None) -> Iterator[AnyPage]:
    """Every page, in route order: reused[i] when given, else rendered, in batches across
    workers while the caller writes; none for a route whose reused[i] is KEPT. Then the
    static files (known by their stat to `hashes`, if given), the extra pages and the image
    renditions (renditions.rendition_pages). into: a fresh staging folder (write.stage);
    when the pages are rendered in workers, each writes its own there, and they come as
    WrittenPage. noted: each rendered route is fingerprinted from the context it is
    rendered with (reuse.Fingerprints.noted), and noted(its Noted) called in route order as
    its page is yielded."""
    check_theme(site.config)
    environment = environment or make_environment(site.config, watching=False)
    todo = [i for i in range(len(site.routes)) if i >= len(reused) or reused[i] is None]
    workers = worker_count(jobs, len(todo))
    if workers > 1:
        load_templates(environment)  # once, here: each forked worker would compile them again
    writing = into is not None and workers > 1
    if writing:  # two routes at one path would both be written: refused first, as write_pages does
        one_page_per_path([site.routes[i].output_path for i in todo])
    views = views or Views(site)
    job = RenderJob(site, views, environment, getattr(environment.bytecode_cache, "directory", None),
                    str(into) if writing else None, fingerprints=noted is not None)
    # A sitemap lists every page: the longest to render, each goes first, in a batch of its
    # own, not last with the feeds, where one core would end the build alone.
    first = [i for i in todo if site.routes[i].template in RENDERED_FIRST] if workers > 1 else []
    rest = [i for i in todo if i not in first] if first else todo
    parts = [[i] for i in first] + (batches(rest, workers, 50) if rest else [])
    results = ordered_map(_render_batch, parts, workers, job)
    try:
        rendered = zip(first + rest, _rendered(results))
        held: dict[int, tuple] = {}  # rendered before their turn: (page, its Noted)
        streamed = [i for i, page in enumerate(reused) if page is not KEPT] + list(range(len(reused), len(site.routes)))
        for index in streamed:
            page = reused[index] if index < len(reused) else None
            if page is None:
                while index not in held:
                    done, made = next(rendered)
                    held[done] = made
                page, note = held.pop(index)
                if note is not None:
                    noted(note)
            yield page
    finally:  # stopped (an error, here or in the caller): so are the workers
        close_pages(results)
    yield from each_static_page(site.config, hashes)
    yield from extra_pages()
    yield from images


RENDERED_FIRST = {"sitemap.xml"}


def _rendered(results: Iterator[Batch]) -> Iterator[tuple[Page | WrittenPage, Noted | None]]:
    for pages, notes, problems in results:
        if problems:
            raise DigestError(problems)
        yield from zip(pages, notes or [None] * len(pages))
