"""Site + theme -> [Page(path, bytes)]: the Jinja2 environment, its filters, the URL helper."""

from __future__ import annotations

import dataclasses
import hashlib
import os
import re
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timezone
from functools import cached_property, lru_cache, partial
from pathlib import Path
from types import CodeType, MethodType
from typing import Iterator

import jinja2
import markupsafe

from .cache import FileHashes, file_stat
from .config import SETTINGS_FILE, STATIC_DIR, Config, no_theme
from .entries import Moment
from . import feeds
from .errors import WARNING, DigestError, Problem, closest, did_you_mean
from .model import ALIAS_TEMPLATE, Route, Site, absolute_url
from .languages import direction
from .strings import Strings, english_strings
from .themes import default_theme_dir, theme_dirs
from .views import COMMON, Views, as_names, settings_view

# What a page may load and run (the default theme's base.html and alias.html carry it as a
# <meta http-equiv>, as GitHub Pages sends no headers of a site's choosing): the site's own
# scripts, styles and images, and Pagefind's WebAssembly; no inline script, so a <script> or an
# onerror= pasted into an entry (unsafe_html) does not run. tests/test_csp_browser.py checks
# the templates carry this very text.
CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; "
                           "img-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'")

@dataclass(frozen=True)
class Page:
    path: str        # relative to the output folder, with `/`
    data: bytes

    @cached_property
    def digest(self) -> bytes:
        return digest_of(self.data)


@dataclass(frozen=True)
class StaticFile:
    """A static file the build knows by its stat (cache.FileHashes): read only when written."""

    path: str
    source: str
    digest: bytes

    @property
    def data(self) -> bytes:
        data = unchanged_bytes(self.source, self.digest)
        if data is None:  # written to (or gone) since its stat was taken
            raise DigestError([Problem(self.source, None, None, "changed while building; build again")])
        return data


def digest_of(data: bytes) -> bytes:
    """blake2b-128: what the output tree records hold of a file's bytes (cache.TreeCache)."""
    return hashlib.blake2b(data, digest_size=16).digest()


def unchanged_bytes(source: str, digest: bytes) -> bytes | None:
    """The file's bytes if it can still be read and they hash to digest (the build knew it by
    its stat or its record), else None: then the build must stop, never write a guess."""
    try:
        data = _read_static(source)
    except OSError:
        return None
    return data if digest_of(data) == digest else None


def check_theme(config: Config) -> None:
    if config.theme != "default" and not (config.root / "themes" / config.theme).is_dir():
        raise DigestError([Problem("pyproject.toml", None, "tool.digest.theme", no_theme(config.root, config.theme))])


# --- the URL helper and filters --------------------------------------------------------

def site_url(path: str, base_path: str) -> str:
    """The one URL helper: a site-relative path -> a link under the base path."""
    return base_path + path.lstrip("/")


@jinja2.pass_context
def display_date(context, moment: Moment | None) -> str:
    """A date as the page's language writes it (the context's strings, `t.date`); English
    where no strings are in reach (a macro imported without context)."""
    strings = context.get("t")
    return strings.date(moment) if isinstance(strings, Strings) else english_strings().date(moment)


def iso_date(moment: Moment | None) -> str:
    return moment.iso() if moment else ""


def utc_iso(moment: Moment | None) -> str:
    """`2025-07-23T07:00:00+00:00`: one form for every date, so text order is time order (search sort key)."""
    return moment.value.astimezone(timezone.utc).replace(microsecond=0).isoformat() if moment else ""


@jinja2.pass_context
def month_name(context, number: int) -> str:
    """A month's name alone (`July`, `липень`), in the page's language as display_date."""
    strings = context.get("t")
    return (strings if isinstance(strings, Strings) else english_strings()).month_alone(number)


def pagefind_filter(value: str) -> str:
    """A search filter's value as Pagefind's search looks it up: by the text of the chosen value
    in its JSON, escapes and all (it does not unescape them), so a tag `a"b`, sent as `"a\\"b"`,
    found nothing. Written with `\\` and `"` escaped, it is found; search.js shows the text."""
    return value.replace("\\", "\\\\").replace('"', '\\"')


class Cached:
    """The template global `cached(macro, *args, **kwargs)`: the macro's output, made once per
    build for the same arguments and reused (Hugo's partialCached). A post's card and feed
    item show on many listing pages and feeds: rendering each once is a tenth of a cold
    build. The macro must depend on its arguments only (and on the globals: config, filters)."""

    def __init__(self) -> None:
        self.outputs: dict[tuple, tuple] = {}

    def __call__(self, macro, *args, **kwargs):
        # Keyed on identity: equal objects that are not the same one only miss. Each output
        # keeps its arguments alive, so no id is taken by another object while it is kept.
        key = (id(macro), *map(id, args), *((name, id(value)) for name, value in sorted(kwargs.items())))
        known = self.outputs.get(key)
        if known is None:
            known = self.outputs[key] = (macro, args, kwargs, macro(*args, **kwargs))
        return known[3]


class PageContext(jinja2.runtime.Context):
    """Jinja's context, calling the interface's strings (`t(...)`, `t.date(...)`) and `cached`
    directly: nine in ten of a page's calls. Jinja's own call first looks whether the callable
    asks for the context (pass_context), which these never do; every other callable goes
    that way. The keywords dropped are those Jinja 3.1's compiled templates pass (pyproject.toml
    keeps Jinja below 3.2 for it)."""

    def call(__self, __obj, *args, **kwargs):  # noqa: N805 (Jinja's own names: a keyword may be `self`)
        kind = type(__obj)
        if kind is Strings or kind is Cached or (kind is MethodType and type(__obj.__self__) is Strings):
            kwargs.pop("_block_vars", None)
            kwargs.pop("_loop_vars", None)
            try:
                return __obj(*args, **kwargs)
            except StopIteration:  # as Jinja's own call answers it
                return __self.environment.undefined("value was undefined because a callable raised a"
                                                    " StopIteration exception")
        return jinja2.runtime.Context.call(__self, __obj, *args, **kwargs)


# Templates compiled in this process, for any site: a process that builds many sites (the
# tests, a script) compiles the bundled theme once per base URL, not once per site. Bounded, as
# `digest serve` compiles each edit of a template anew.
COMPILED: OrderedDict[tuple, CodeType] = OrderedDict()
COMPILED_KEPT = 1024


class HeldBytecodeCache(jinja2.BytecodeCache):
    """Compiled templates: those kept between builds of the site in `directory` (if given),
    else those this process compiled for a site with the same settings (COMPILED), else
    compiled anew. Those the folder lacked are held until the build succeeds
    (remember_templates): a failed build writes nothing anywhere.

    Jinja checks a compiled template against its source, not against the environment: the
    options are the same for every site (make_environment), and Jinja folds a filter of
    constants into a constant when it compiles (`'sitemap.xml'|absolute_url`), so what the
    filters read is in the key: of the settings, the base URL alone (FOLDED_SETTINGS). A
    template's own file is in Jinja's key (bucket.key)."""

    def __init__(self, config: Config, directory: str | None = None):
        self.directory = directory
        self.folder = jinja2.FileSystemBytecodeCache(directory) if directory is not None else None
        self.settings = tuple(getattr(config, name) for name in FOLDED_SETTINGS)
        self.held: list[jinja2.bccache.Bucket] = []

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if self.folder is not None:
            self.folder.load_bytecode(bucket)
            if bucket.code is not None:
                return
        key = (self.settings, bucket.key, bucket.checksum)
        code = COMPILED.get(key)
        if code is not None:
            COMPILED.move_to_end(key)
            bucket.code = code
            self._hold(bucket)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        COMPILED[(self.settings, bucket.key, bucket.checksum)] = bucket.code
        while len(COMPILED) > COMPILED_KEPT:
            COMPILED.popitem(last=False)
        self._hold(bucket)

    def _hold(self, bucket: jinja2.bccache.Bucket) -> None:
        if self.folder is not None:
            self.held.append(bucket)


class ThemeLoader(jinja2.FileSystemLoader):
    """The theme folders, most specific first. A template that is not UTF-8 is a syntax error
    at its file and line, as a content file's would be, not a UnicodeDecodeError without one.
    As in content/ and static/, a symlink leading out of its theme folder is not followed
    (`templates/robots.txt -> /etc/passwd` would publish that file)."""

    def get_source(self, environment, template):
        try:
            found = super().get_source(environment, template)
        except UnicodeDecodeError:
            for folder in self.searchpath:
                path = Path(folder, *jinja2.loaders.split_template_path(template))
                if path.is_file():
                    data = path.read_bytes()
                    try:
                        data.decode("utf-8")
                    except UnicodeDecodeError as error:
                        raise jinja2.TemplateSyntaxError(
                            f"invalid UTF-8 (byte 0x{data[error.start]:02x}); save the file as UTF-8",
                            data.count(b"\n", 0, error.start) + 1, template, str(path)) from None
            raise
        filename = found[1]
        folder = next(folder for folder in self.searchpath if filename.startswith(os.path.join(folder, "")))
        if not Path(filename).resolve().is_relative_to(Path(folder, "..").resolve()):
            raise jinja2.TemplateSyntaxError("this template is a symlink leading out of its theme folder; "
                                             "copy the file into the theme instead", 1, template, filename)
        return found


class OutsideContext(jinja2.UndefinedError):
    """A template read a name its context does not hold (views.py is the contract)."""

    def __init__(self, message: str, name=None, owner=jinja2.utils.missing):
        super().__init__(message)
        self.name, self.owner = name, owner
        self.page: tuple[str, list[str]] | None = None  # (page template, its context's names), set by render_route


_escape_inner = getattr(markupsafe, "_escape_inner", None)


def escape_text(value) -> str:
    """markupsafe.escape's text, left a plain str: what a compiled template's `{{ ... }}`
    yields is only ever joined into the page (the block forms Jinja marks safe are wrapped in
    Markup where they are made), so a Markup made for each output, a page's most frequent
    call, is made for nothing."""
    if type(value) is str:
        return _escape_inner(value)
    if hasattr(value, "__html__"):
        return value.__html__()
    return _escape_inner(str(value))


class PageTemplate(jinja2.Template):
    """A template whose outputs are escaped by escape_text (see there)."""

    @classmethod
    def _from_namespace(cls, environment, namespace, globals):
        if _escape_inner is not None:  # MarkupSafe's C escape, as markupsafe.escape calls it (3.0)
            namespace["escape"] = escape_text
        return super()._from_namespace(environment, namespace, globals)


class PageEnvironment(jinja2.Environment):
    """The build's Jinja environment: its contexts are PageContext, its templates PageTemplate."""

    context_class = PageContext
    template_class = PageTemplate

    def make_globals(self, d):
        """A template's globals as one plain dict, not Jinja's ChainMap over the environment's:
        each include and import makes a context from them (new_context copies them, the
        context takes their keys), and a ChainMap walks its maps in Python each time. The
        environment's globals are complete before any template loads (make_environment), as
        Jinja asks of them."""
        return {**self.globals, **(d or {})}


class ContractUndefined(jinja2.StrictUndefined):
    """StrictUndefined whose error knows the name read and what it was read of, so that the
    message can say what the context holds instead (template_problem)."""

    __slots__ = ()

    def __init__(self, hint=None, obj=jinja2.utils.missing, name=None, exc=jinja2.UndefinedError):
        if exc is jinja2.UndefinedError:
            exc = partial(OutsideContext, name=name, owner=obj)
        super().__init__(hint, obj, name, exc)


def outside_context(error: OutsideContext) -> str:
    """`no 'titel' in the context of entry.html (did you mean 'title'?); ...`, or in a record."""
    name = error.name
    if error.owner is jinja2.utils.missing:
        template, choices = error.page or ("this template", [])
        where = f"the context of {template}"
    else:
        kind = type(error.owner).__name__
        where, choices = f"{'an' if kind[0] in 'AEIOU' else 'a'} {kind}", _names_of(error.owner)
        if not isinstance(name, str):
            return f"no element {name!r} in {where}"
    suggestion = did_you_mean(name, choices)
    if suggestion:
        return f"no {name!r} in {where}{suggestion}; docs/reference/templates.md lists what each template can read"
    return f"no {name!r} in {where}, which holds: {', '.join(choices) or 'nothing'} (docs/reference/templates.md)"


def _names_of(owner) -> list[str]:
    if isinstance(owner, Mapping):
        return sorted(str(key) for key in owner)
    if dataclasses.is_dataclass(owner):
        names = [f.name for f in dataclasses.fields(owner)]
        return names + sorted(name for name in dir(type(owner)) if not name.startswith("_") and name not in names)
    return sorted(name for name in dir(owner) if not name.startswith("_"))


# The settings the filters below read that Jinja may fold into a compiled template (url,
# absolute_url, srcset): a compiled template is kept for any site with the same values
# (HeldBytecodeCache). A filter that reads another setting takes the context
# (jinja2.pass_context), which Jinja never folds, or its setting joins this list.
FOLDED_SETTINGS = ("base_url",)


def make_environment(config: Config, watching: bool = True, compiled: Path | None = None) -> jinja2.Environment:
    """watching: look whether a template file changed at each use (digest serve); a build
    reads each template once. compiled: a folder of compiled templates kept between builds
    (Jinja checks each against its template's source before using it); the ones compiled
    anew are stored by remember_templates."""
    loader = ThemeLoader([str(d / "templates") for d in theme_dirs(config)])
    bytecode = HeldBytecodeCache(config, str(compiled) if compiled is not None else None)
    env = PageEnvironment(loader=loader, autoescape=True, undefined=ContractUndefined,
                          trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
                          auto_reload=watching, bytecode_cache=bytecode,
                          # Every include and extends looks its template up: a plain dict (a
                          # theme's templates are few) spares the bounded cache's bookkeeping.
                          cache_size=-1)
    env.filters.update(url=partial(site_url, base_path=config.base_path),
                       absolute_url=partial(absolute_url, base_url=config.base_url),
                       # A date shows on every listing of its entry: format each once.
                       display_date=display_date,
                       iso_date=iso_date, month_name=month_name, pagefind_filter=pagefind_filter,
                       language_direction=direction)
    # Feeds, sitemap and entry metadata: one source of dates, authors and feed JSON.
    env.filters.update(feed_time=feeds.feed_time, feed_updated=feeds.feed_updated,
                       # An entry's body goes into the feeds of each of its tags, people, places...
                       item_authors=feeds.item_authors, xml_safe=lru_cache(maxsize=1024)(feeds.xml_safe),
                       # feed.json is JSON, not HTML: json.dumps has quoted it, HTML escaping would corrupt it.
                       # It reads every setting: passed the context, so that Jinja never folds it.
                       json_feed=jinja2.pass_context(
                           lambda context, feed: markupsafe.Markup(feeds.json_feed_text(feed, config))))
    # An image's renditions as a srcset: `/static/images/a-1f2e-360.webp 360w, ...`, under the base path.
    env.filters["srcset"] = lambda renditions: ", ".join(f"{config.base_path}{r.path} {r.width}w" for r in renditions)
    # Of the names every template sees (views.COMMON), those of the settings alone: `site` and
    # `page_url` come with each page (render_route).
    env.globals.update(config=settings_view(config), cached=Cached())
    env.filters["utc_iso"] = utc_iso
    return env


def load_templates(env: jinja2.Environment) -> None:
    """Compile (or read the compiled form of) every template now, once: render workers
    forked after this inherit them, and remember_templates stores them as they are."""
    for name in env.list_templates():
        try:
            env.get_template(name)
        except (jinja2.TemplateError, OSError, UnicodeDecodeError):
            pass  # a template no page uses may be broken: it is compiled when used, and reported


def remember_templates(env: jinja2.Environment) -> None:
    """After a successful build: store the templates it compiled (see HeldBytecodeCache)."""
    cache = env.bytecode_cache
    if not isinstance(cache, HeldBytecodeCache) or cache.folder is None or not cache.held:
        return
    try:
        Path(cache.directory).mkdir(parents=True, exist_ok=True)
        for bucket in cache.held:
            cache.folder.dump_bytecode(bucket)
    except OSError:
        return  # no cache: templates are compiled each time, as without one
    cache.held.clear()


# --- rendering -------------------------------------------------------------------------

def template_problem(error: Exception, config: Config) -> Problem:
    """Name the template file and line of a Jinja error."""
    if isinstance(error, jinja2.TemplateSyntaxError):
        return Problem(_shown(error.filename, config), error.lineno, None, f"template syntax error: {error.message}")
    frames = _template_frames(error)
    if isinstance(error, jinja2.TemplateNotFound):
        # Named at the include, import or extends that asked for it: a page's own template
        # is always found (the bundled theme has every one).
        filename, line = frames[-1][:2] if frames else (None, None)
        folders = [f"{_shown(str(folder / 'templates'), config)}/" if folder != default_theme_dir()
                   else "the bundled default theme" for folder in theme_dirs(config)]
        names = {path.relative_to(folder / "templates").as_posix() for folder in theme_dirs(config)
                 for path in (folder / "templates").rglob("*") if path.is_file()}
        wanted = str(error.templates[-1]) if error.templates else str(error.name)
        meant = closest(wanted, names, cutoff=0.8)
        advice = f"did you mean '{meant}'?" if meant else "check the name"
        return Problem(_shown(filename, config), line, None,
                       f"template not found: {' or '.join(map(str, error.templates))}; "
                       f"no such file in {' nor '.join(folders)} ({advice})")
    if isinstance(error, RecursionError):
        filename, line = _loop_closer(frames)
        return Problem(_shown(filename, config), line, None,
                       "template error: endless recursion: this line includes, imports or extends a template "
                       "that leads back here (or calls a macro that calls itself without end)")
    filename, line = frames[-1][:2] if frames else (None, None)  # the innermost template line
    if isinstance(error, OutsideContext):
        return Problem(_shown(filename, config), line, None, f"template error: {outside_context(error)}")
    kind = "undefined name" if isinstance(error, jinja2.UndefinedError) else type(error).__name__
    return Problem(_shown(filename, config), line, None, f"template error ({kind}): {error}")


def _template_frames(error: Exception) -> list[tuple[str, int, str]]:
    """The template file, line and part (`top-level template code`, `block 'content'`, a
    macro's `template`) of each template frame of the error's traceback, outermost first.
    Jinja replaces each such frame by one of its own (jinja2.debug.fake_traceback), whatever
    the template file's name ends with."""
    frames = []
    tb = error.__traceback__
    while tb is not None:
        if "__jinja_exception__" in tb.tb_frame.f_globals:
            code = tb.tb_frame.f_code
            frames.append((code.co_filename, tb.tb_lineno, code.co_name))
        tb = tb.tb_next
    return frames


def _loop_closer(frames: list[tuple[str, int, str]]) -> tuple[str | None, int | None]:
    """An include of a template by itself (or a macro calling itself) repeats the same frames
    until Python's stack runs out: the line that closes the loop is the one just before the
    first frame seen twice (`{% include "list.html" %}` in list.html). A frame is its file,
    line and part (top-level code, a block, a macro): a one-line template is all three."""
    seen = set()
    for index, frame in enumerate(frames):
        if frame in seen:
            return frames[index - 1][:2]
        seen.add(frame)
    return frames[-1][:2] if frames else (None, None)


def _shown(filename: str | None, config: Config) -> str:
    if not filename:
        return "themes"
    path = Path(filename)
    for base in (config.root, default_theme_dir().parent.parent):
        if path.is_relative_to(base):
            return path.relative_to(base).as_posix()
    return path.as_posix()


def render_route(env: jinja2.Environment, views: Views, route: Route, context=None) -> Page:
    """context: the route's views.page(route), when made already."""
    template = env.get_template(route.template)
    context = views.page(route) if context is None else context
    try:
        html = template.render(site=views.site_view(route), page_url=route.url, t=route.context.get("t"),
                               **as_names(context))
    except OutsideContext as error:
        error.page = (route.template, sorted([*as_names(context), *COMMON]))
        raise
    return Page(route.output_path, html.encode("utf-8"))


def render_pages(site: Site, routes=None, env: jinja2.Environment | None = None,
                 keep_cached: bool = False, views: Views | None = None, contexts=None) -> list[Page]:
    """Render every route (or the given ones); template errors become one DigestError.
    keep_cached: env's `cached` outputs are of this same site (a build's batches); by
    default they are dropped first. views: the site's Views, if made already; contexts:
    the routes' contexts (views.page), if made already."""
    check_theme(site.config)
    env = env or make_environment(site.config)
    views = views or Views(site)
    if not keep_cached:
        env.globals["cached"].outputs.clear()
    try:
        routes = routes or site.routes
        return [render_route(env, views, route, context)
                for route, context in zip(routes, contexts or [None] * len(routes))]
    except jinja2.TemplateError as error:
        raise DigestError([template_problem(error, site.config)]) from None
    except Exception as error:  # a template can raise anything: {{ 1 / 0 }}, an endless include
        if _template_frames(error):
            raise DigestError([template_problem(error, site.config)]) from None
        raise


# What editors and systems leave beside the files one saves: swap, backup and temporary files
# (vim, emacs, JetBrains, Kate, `sed -i`, downloads in progress), version control's files and
# folder litter. Never published from the site's static/ folder, and no cause for a rebuild.
LITTER = re.compile(r"""^\.\#                 # emacs locks
                      | ~$ | ^\#.*\#$          # backups, emacs autosaves
                      | ^4913$                 # vim's probe file
                      | ^sed[A-Za-z0-9]{6}$    # `sed -i` writing aside
                      | \.(sw[a-p]x?|tmp|temp|bak|orig|part|crdownload|kate-swp)$
                      | ___jb_\w+___$
                      | ^\.(git|hg|svn|DS_Store$|_) | ^(Thumbs\.db|desktop\.ini)$""", re.VERBOSE | re.IGNORECASE)


def theme_static_files(config: Config) -> dict[str, Path]:
    """The themes' static/ files, by output path under `static/`; a site's theme overrides the
    default's. No dotfile, nor a file in a dot-folder (`.sass-cache/`, `.git/`), nor what
    editors leave (LITTER): a theme publishes its assets only."""
    files: dict[str, Path] = {}
    for folder in reversed(theme_dirs(config)):
        static = folder / "static"
        for path in sorted(static.rglob("*")) if static.is_dir() else []:
            relative = path.relative_to(static)
            if path.is_file() and not path.is_symlink() and not any(
                    part.startswith(".") or LITTER.search(part) for part in relative.parts):
                files["static/" + relative.as_posix()] = path
    return files


def site_static_files(config: Config) -> tuple[dict[str, Path], list[Problem]]:
    """The site's own static/ folder, by output path: each file at its own path from the
    output root (Hugo's static/). Dotfiles are published, since `.well-known/` must be; LITTER
    never is. As in content/ (load.py), a symlink is followed to a file inside the folder, one
    leading out of it (or nowhere) is skipped with a warning, and a symlinked folder is not
    entered: nothing outside the folder is read."""
    top = config.static_path
    files: dict[str, Path] = {}
    problems: list[Problem] = []
    if not top.is_dir():
        return files, problems

    def unreadable(error: OSError) -> None:  # os.walk would skip the folder without a word
        shown = Path(error.filename).relative_to(top).as_posix()
        problems.append(Problem(f"{STATIC_DIR}/{shown}", None, None, f"cannot read the folder: {error.strerror}"))

    for folder, folders, names in os.walk(top, onerror=unreadable):  # a symlinked folder is listed, not entered
        folders[:] = [name for name in folders if not LITTER.search(name)]
        for name in folders + [name for name in names if not LITTER.search(name)]:
            path = Path(folder, name)
            relative = path.relative_to(top).as_posix()
            if path.is_symlink() and not (path.exists() and path.resolve().is_relative_to(top)):
                problems.append(Problem(f"{STATIC_DIR}/{relative}", None, None,
                                        "symlink points outside the static folder (or nowhere); skipped", WARNING))
            elif path.is_file():  # not a folder, a pipe or a device
                files[relative] = path
    return files, sorted(problems)


def static_files(config: Config) -> dict[str, Path]:
    """Every file published as it is, by output path: the themes' and the site's. (Where the
    two meet, the build stops first: static_problems.)"""
    return {**theme_static_files(config), **site_static_files(config)[0]}


def static_pages(config: Config) -> list[Page]:
    return list(each_static_page(config))


def each_static_page(config: Config, hashes: FileHashes | None = None) -> Iterator[Page | StaticFile]:
    """The static files as pages, each read when it is asked for: a build writes them one by
    one, so a site's folder of images is never held in memory all at once. With hashes, a
    file whose stat is known comes as a StaticFile, not read unless it must be written."""
    files = static_files(config)
    for name in sorted(files):
        source = str(files[name])
        try:
            stat = file_stat(source) if hashes is not None else None
            digest = hashes.known(source, stat) if hashes is not None else None
            if digest is not None:
                yield StaticFile(name, source, digest)
                continue
            page = Page(name, _read_static(source))
        except OSError as error:
            raise DigestError([Problem(_shown(source, config), None, None,
                                       f"cannot read the file: {error.strerror}")]) from None
        if hashes is not None:
            hashes.remember(source, stat, page.digest)
        yield page


def _read_static(source: str) -> bytes:
    with open(source, "rb") as file:
        return file.read()


def static_problems(site: Site) -> list[Problem]:
    """The site's static/ folder against everything else the build writes: a file landing on a
    page, a theme's static file, `.nojekyll` or in the search index's pagefind/ (or where a
    folder of theirs goes) is an error naming both, never a silent override. And the
    folder's warnings (symlinks skipped)."""
    config = site.config
    files, problems = site_static_files(config)
    if config.content_path.is_relative_to(config.static_path):
        problems.append(Problem(SETTINGS_FILE, None, "tool.digest.content_dir",
                                f"the content folder lies inside {STATIC_DIR}/, whose files are published as they "
                                "are; choose a folder outside it"))
    if not files:
        return problems
    page_fix = "remove or rename the file (to change that page, override its template in a theme of your own)"
    taken = {path: (f"the page /{route.url} that digest makes", page_fix)
             for route, path in zip(site.routes, site.paths)}
    for route, path in zip(site.routes, site.paths):
        if route.template == ALIAS_TEMPLATE:
            entry = route.context["target"].entry
            taken[path] = (f"the redirect page of an alias in {entry.path} (line {entry.line_of('aliases')})",
                           "remove or rename the file, or remove the alias")
    for path, source in theme_static_files(config).items():
        taken[path] = (f"the theme's file {_shown(str(source), config)}",
                       "remove or rename the file (to replace a theme's file, put yours in themes/<name>/static/)")
    for page in extra_pages():
        taken[page.path] = ("a file digest writes itself", "remove the file")
    for path, source in site.rendition_paths.items():
        taken[path] = (f"a rendition digest makes of {source}", "remove or rename the file")
    folders: dict[str, str] = {}  # a folder of what the build writes -> one thing in it
    for path, (what, _) in taken.items():
        for folder in _folders_above(path):
            folders.setdefault(folder, what)
    for relative in sorted(files):
        if relative.partition("/")[0] == "pagefind":  # written after the pages, by Pagefind
            what, fix = "in the folder of the search index", f"move the file out of {STATIC_DIR}/pagefind/"
        elif relative in taken:
            what, fix = taken[relative]
        elif relative in folders:
            what, fix = f"a folder holding {folders[relative]}", "rename the file"
        elif (above := _file_above(relative, taken)) is not None:  # static/feed.xml/x.txt
            what, fix = f"inside {STATIC_DIR}/{above}/, a folder in the place of {taken[above][0]}", \
                f"rename the folder {STATIC_DIR}/{above}/"
        else:
            continue
        problems.append(Problem(f"{STATIC_DIR}/{relative}", None, None, f"/{relative} is {what}; {fix}"))
    return problems


def _file_above(relative: str, taken: dict) -> str | None:
    """The first folder on a static file's path that is a file the build writes, if any."""
    return next((folder for folder in _folders_above(relative) if folder in taken), None)


def _folders_above(path: str) -> Iterator[str]:
    """`a`, `a/b` for `a/b/c.png`."""
    parts = path.split("/")
    return ("/".join(parts[:depth]) for depth in range(1, len(parts)))


def extra_pages() -> list[Page]:
    # GitHub Pages would otherwise run Jekyll, which hides files starting with `_`.
    return [Page(".nojekyll", b"")]
