"""The command line: argparse in, messages and exit status out. The only module that prints.

Exit status: 0 success, 1 content, settings or template errors, 2 usage errors.
"""

from __future__ import annotations

import argparse
import errno
import os
import sys
import threading
import time
from contextlib import nullcontext
from pathlib import Path

from . import __version__
from .config import enclosing_site, load_config, output_dir_setting
from .errors import COMMAND_LINE, DigestError, Problem, format_problem, printable, sort_key, summarize


def print_problems(problems, output_name: str | None = "output") -> None:
    for problem in sorted(problems, key=sort_key):  # by file and line, as a compiler lists them
        print(format_problem(problem), file=sys.stderr)
    if any(p.is_error for p in problems):
        print(summarize(problems, output_name), file=sys.stderr)


def exit_status(problems) -> int:
    """1 for bad input; 2 when every error is on the command line: a usage error, as
    argparse's own (`--jobs 0`)."""
    return 2 if all(p.path == COMMAND_LINE for p in problems if p.is_error) else 1


def counted(number: int, one: str, many: str | None = None) -> str:
    """`1 entry`, `8 entries`."""
    return f"{number} {one if number == 1 else (many or one + 's')}"


def config_from(args: argparse.Namespace, **extra):
    flags = dict(base_url=getattr(args, "base_url", None), output_dir=getattr(args, "output", None),
                 drafts=True if getattr(args, "drafts", False) else None,
                 search=False if getattr(args, "no_search", False) else None,
                 strict=True if getattr(args, "strict", False) else None)
    flags.update(extra)
    config = load_config(Path.cwd(), **flags)
    args.output_name = config.output_dir  # for the closing summary of a failed build
    return config


FINISHED: list = []  # the results of the builds run, kept to the end (BuildResult.state)


def run_build(args: argparse.Namespace) -> int:
    from .read import list_sources

    config = config_from(args)
    started = time.perf_counter()

    def waiting() -> None:  # as cargo does: say why nothing happens (unless told to be quiet)
        if not args.quiet:
            print(f"digest: waiting for another digest build writing {config.output_dir}/ to finish",
                  file=sys.stderr, flush=True)

    # A rebuild lists (and parses what changed) on the other core from here on, while this
    # process imports the rest of digest and loads its caches, so the two overlap rather
    # than the build starting the child itself once they are done.
    with list_sources(config, not args.no_cache, args.jobs) or nullcontext() as sources:
        from .build import build

        result = build(config, jobs=args.jobs, cache=not args.no_cache, sources=sources, waiting=waiting)
    FINISHED.append(result)  # freed by entry()'s os._exit, not object by object
    if not args.quiet:
        print_problems(result.warnings)
        stages = ", ".join(f"{name} {seconds:.2f}" for name, seconds in result.timings.items())
        reused = f" ({result.reused} unchanged, not rendered again)" if result.reused else ""
        if result.up_to_date:
            reused = f" (all unchanged: {config.output_dir.rstrip('/')}/ was already up to date)"
        images = (f", {counted(result.renditions, 'image rendition')} ({result.resized} resized now)"
                  if result.renditions else "")
        print(f"Built {counted(result.pages, 'page')}{reused} from {counted(result.entries, 'entry', 'entries')}"
              f"{images} into {config.output_dir.rstrip('/')}/ "
              f"in {time.perf_counter() - started:.2f} s ({stages})")
        for note in left_out(result.drafts, result.warnings, "listed above; --strict makes them errors"):
            print(note)
    return 0


def left_out(drafts: int, warnings, about_warnings: str) -> list[str]:
    """What a build that succeeded did not publish or wants looked at, one note each:
    `1 draft not published (--drafts to include)`, `2 warnings (listed above; ...)`."""
    notes = [f"{counted(drafts, 'draft')} not published (--drafts to include)"] if drafts else []
    if warnings:
        notes.append(f"{counted(len(warnings), 'warning')} ({about_warnings})")
    return notes


def run_check(args: argparse.Namespace) -> int:
    from .build import check

    config = config_from(args)
    warnings = check(config)
    print_problems(warnings)
    print(f"digest: no errors ({counted(len(warnings), 'warning')}); nothing was written")
    return 0


def describe_changes(changed: list[str]) -> str:
    if not changed:
        return "change"
    more = f" (+{len(changed) - 1} more)" if len(changed) > 1 else ""
    return f"{printable(changed[0])}{more} changed"


def print_rebuild(rebuild) -> None:
    """One line per rebuild; the problems of a failed one follow it on stderr."""
    clock = time.strftime("%H:%M:%S")
    if rebuild.kind != "build":
        for problem in rebuild.problems:  # search indexing or file watching went wrong
            print(f"{clock} {rebuild.kind}: {format_problem(problem)}", file=sys.stderr, flush=True)
        return
    what = describe_changes(rebuild.changed) if rebuild.changed else "initial build"
    if rebuild.ok:
        notes = "".join(f"; {note}" for note in left_out(rebuild.drafts, rebuild.problems, "listed below"))
        print(f"{clock} {what}: rebuilt {counted(rebuild.pages, 'page')} from {counted(rebuild.entries, 'entry', 'entries')} "
              f"({rebuild.reread} re-read, {rebuild.rendered} rendered, {rebuild.written} changed) in {rebuild.seconds:.2f} s"
              f"{notes}", flush=True)
        if rebuild.moved_to:  # base_url's path changed: the old address is a 404 now
            print(f"{clock} the base path changed: now serving {rebuild.moved_to}", flush=True)
    else:
        errors = [p for p in rebuild.problems if p.is_error]
        noun = "error" if len(errors) == 1 else "errors"
        served = "still serving the last good site" if rebuild.serving else "serving the errors until it builds"
        print(f"{clock} {what}: rebuild failed with {len(errors)} {noun} in {rebuild.seconds:.2f} s; {served}",
              flush=True)
    for problem in sorted(rebuild.problems, key=sort_key):
        print(format_problem(problem), file=sys.stderr, flush=True)


def port_taken(error: OSError) -> bool:
    return error.errno in (errno.EADDRINUSE, errno.EACCES)


def listen_advice(error: OSError) -> str:
    if port_taken(error):
        return "stop the other server or choose another port with --port (0 picks a free one)"
    return "give --host an address of this machine, such as 127.0.0.1 (the default)"


def run_serve(args: argparse.Namespace) -> int:
    import signal

    from .http import LOOPBACK, PortInUse
    from .serve import Preview

    if args.host not in LOOPBACK:
        print(f"digest: warning: serving on {args.host} lets other machines reach this preview; "
              f"it is meant for 127.0.0.1", file=sys.stderr)
    preview = Preview(Path.cwd(), host=args.host, port=args.port, drafts=args.drafts, report=print_rebuild)
    # Ctrl-C and `kill` stop it cleanly, even when started in the background by a script
    # (which leaves SIGINT ignored). The caller's handlers come back once it has stopped.
    handlers = {number: signal.signal(number, signal.default_int_handler) for number in (signal.SIGINT, signal.SIGTERM)}
    try:
        try:
            first = preview.start()
        except PortInUse as error:
            print(f"digest: cannot listen on {args.host}:{args.port}: {error.strerror or error}; {listen_advice(error)}",
                  file=sys.stderr)
            return 1 if port_taken(error) else 2  # a --host no address of this machine has: a usage error
        print_rebuild(first)
        print(f"Serving {preview.url} (building into {preview.temp}); press Ctrl-C to stop", flush=True)
        if args.open:
            import webbrowser

            threading.Thread(target=webbrowser.open, args=(preview.url,), daemon=True).start()
        preview.serve_forever()
    except KeyboardInterrupt:  # Ctrl-C is how a preview ends: not an error
        print("Stopping", flush=True)
    finally:
        # A second Ctrl-C (or `timeout`'s second TERM) must not stop the cleanup halfway and
        # leave the temporary folder behind.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        preview.close()
        for number, handler in handlers.items():
            signal.signal(number, handler)
    return 0


def port_number(text: str) -> int:
    try:
        number = int(text)
    except ValueError:
        number = -1
    if not 0 <= number <= 65535:
        raise argparse.ArgumentTypeError(f"expected a port number from 0 to 65535, got {text!r}")
    return number


def run_new(args: argparse.Namespace) -> int:
    from . import new

    config = config_from(args)
    try:
        entry = new_entry_from_args(args, config, new)
    except DigestError as error:
        for problem in error.problems:
            print(format_problem(problem), file=sys.stderr)
        print("digest: nothing was written", file=sys.stderr)
        return exit_status(error.problems)
    if entry.taken:  # the path alone would not say that another file kept the name
        print(printable(f"digest: {entry.taken} exists already (digest new never overwrites a file); "
                        f"wrote {entry.relative}"), file=sys.stderr)
    print(entry.relative)
    return 0


def new_entry_from_args(args: argparse.Namespace, config, new):
    if args.source is None:
        if not args.title:
            args.parser.error("give a title, such as: digest new \"Talks resume in Istanbul\", or --from FILE")
        entry = new.new_entry(config, args.title)
    else:
        name = "standard input" if args.source == "-" else args.source
        try:
            text = sys.stdin.read() if args.source == "-" else Path(args.source).read_text(encoding="utf-8")
        except OSError as error:
            raise DigestError([Problem(name, None, None, f"cannot read the article: {error.strerror}")]) from None
        except UnicodeDecodeError:
            raise DigestError([Problem(name, None, None, "cannot read the article: not UTF-8 text")]) from None
        entry = new.draft_from_article(config, text, name, args.title)
    return new.write_entry(entry)


def run_init(args: argparse.Namespace) -> int:
    from datetime import datetime, timezone

    from . import scaffold

    try:
        plan = scaffold.plan_site(args.folder, title=args.title, empty=args.empty, force=args.force,
                                  version=__version__, today=datetime.now(timezone.utc).date())
        scaffold.write_site(plan)
    except DigestError as error:
        for problem in error.problems:
            print(format_problem(problem), file=sys.stderr)
        return exit_status(error.problems)
    folder, written = plan.shown.rstrip("/") + "/", ", ".join(file.relative for file in plan.files)
    if not plan.kept:
        print(printable(f"Started the site {plan.title!r} in {folder}: {written}"))
    elif plan.files:
        print(printable(f"Added to {folder}: {written}"))
    else:
        print(printable(f"Nothing to add: {folder} holds every file digest init writes"))
    for relative in plan.kept:
        print(printable(f"Kept {relative}: it exists (digest init never overwrites a file)"))
    for note in plan.notes:
        print(printable(f"Note: {note}"))
    print("Next:")
    for command, note in plan.next_steps():
        print(printable(f"  {command}\n      {note}"))
    return 0


def run_theme(args: argparse.Namespace) -> int:
    from . import override

    config = config_from(args)
    root = Path(config.root)
    if not args.templates:
        bundled = override.default_theme_dir() / override.TEMPLATES
        print(printable(f"The bundled theme's templates, in {bundled}:"))
        own = override.site_templates(config).relative_to(root).as_posix()
        width = max(len(name) for name in override.bundled_templates())
        for template in override.listing(config):
            mark = f"  the site's own: {own}/{template.name}" if template.overridden else ""
            print(printable(f"  {template.name:<{width}}{mark}".rstrip()))
        print("Copy one into the site's theme to change it: digest theme base.html")
        return 0
    copies = override.plan_copies(config, args.templates)
    override.write_copies(copies)
    for copy in copies:
        target = copy.target.relative_to(root).as_posix()
        if copy.kept:
            print(printable(f"Kept {target}: it exists (digest theme never overwrites a file)"))
        else:
            print(printable(f"Copied {copy.name} to {target}: edit it there; the site uses it instead of the bundled one"))
    return 0


def worker_count(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {text!r}")
    return int(text)


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="digest", description="Build a news event digest site from Markdown.")
    parser.add_argument("--version", action="version", version=f"digest {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    build = commands.add_parser("build", help="build the site into the output folder")
    build.add_argument("--base-url", help="absolute URL the site is served at (its path is the base path)")
    build.add_argument("--output", help="output folder (default: output)")
    build.add_argument("--drafts", action="store_true", help="include entries with draft: true")
    build.add_argument("--no-search", action="store_true", help="skip the Pagefind search index")
    build.add_argument("--strict", action="store_true", help="treat warnings as errors")
    build.add_argument("--quiet", action="store_true", help="print only errors")
    build.add_argument("--jobs", type=worker_count, metavar="N",
                       help="worker processes for parsing and rendering (default: every core; one for small sites)")
    build.add_argument("--no-cache", action="store_true", help="ignore and leave alone .digest-cache/ (a clean build)")
    build.set_defaults(run=run_build)

    check = commands.add_parser("check", help="validate content, settings and templates without writing")
    check.add_argument("--drafts", action="store_true", help="include entries with draft: true")
    check.add_argument("--strict", action="store_true", help="treat warnings as errors")
    check.set_defaults(run=run_check)

    serve = commands.add_parser("serve", help="preview the site: build, serve, rebuild on save, reload the page")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    serve.add_argument("--port", type=port_number, default=8000, help="port (default: 8000; 0 picks a free one)")
    serve.add_argument("--drafts", action="store_true", help="include entries with draft: true")
    serve.add_argument("--open", action="store_true", help="open the site in a web browser")
    serve.set_defaults(run=run_serve)

    new = commands.add_parser("new", help="write a new entry (or a draft from a plain-text article) and print its path")
    new.add_argument("title", nargs="?", help="the entry's title; its slug names the file")
    new.add_argument("--from", dest="source", metavar="FILE",
                     help="draft the entry from a plain-text article (- reads standard input)")
    new.set_defaults(run=run_new, parser=new)

    init = commands.add_parser("init", help="start a new site: content, settings, .gitignore, a GitHub Pages workflow")
    init.add_argument("folder", nargs="?", default=".", metavar="FOLDER", help="where (default: this folder)")
    init.add_argument("--title", help="the site's title (default: the folder's name)")
    init.add_argument("--empty", action="store_true", help="no example entry in content/")
    init.add_argument("--force", action="store_true",
                      help="also into a folder that is not empty or holds a site: adds the files it lacks, "
                           "never overwrites one, never touches an existing content/")
    init.set_defaults(run=run_init)

    theme = commands.add_parser("theme", help="list the bundled theme's templates, or copy some into the site's "
                                              "theme to change them")
    theme.add_argument("templates", nargs="*", metavar="TEMPLATE",
                       help="a template to copy, such as base.html (none: list them all)")
    theme.set_defaults(run=run_theme)
    return parser


def main(argv: list[str] | None = None) -> int:
    FINISHED.clear()
    args = make_parser().parse_args(argv)
    site = enclosing_site(Path.cwd())
    if site is not None:
        print(f"digest: this folder is inside the content, output, static or themes folder of the site {site}; "
              f"run digest from the site folder: cd {os.path.relpath(site)}", file=sys.stderr)
        return 2
    try:
        return args.run(args)
    except DigestError as error:
        output = None  # only a build writes the output folder: check and serve write nothing
        if args.command == "build":
            output = (getattr(args, "output_name", None) or getattr(args, "output", None)
                      or output_dir_setting(Path.cwd()) or "output")
        print_problems(error.problems, output)
        return exit_status(error.problems)
    except OSError as error:  # a disk or permission problem: say what, without a traceback
        print(printable(f"digest: {error.strerror or error}: {error.filename or ''}".rstrip(": ")), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("digest: interrupted", file=sys.stderr)
        return 130


def entry() -> None:
    """The `digest` command: main(), then out without the interpreter's teardown. After a build
    the heap holds millions of objects (entries, the model) that Python would free one by one
    on its way out, a noticeable share of a small rebuild. By then every file digest
    wrote is closed and its worker processes are joined; only the streams need flushing."""
    code = main()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (`digest build | head`) has nothing to lose
            pass
    os._exit(code)


if __name__ == "__main__":
    entry()
