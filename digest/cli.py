"""The command line: argparse in, messages and exit status out. The only module that prints.

Exit status: 0 success, 1 content, settings or template errors, 2 usage errors.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from . import __version__
from .config import load_config
from .errors import DigestError, Problem, format_problem, summarize


def print_problems(problems, output_name: str = "output") -> None:
    for problem in problems:
        print(format_problem(problem), file=sys.stderr)
    if any(p.is_error for p in problems):
        print(summarize(problems, output_name), file=sys.stderr)


def config_from(args: argparse.Namespace, **extra):
    flags = dict(base_url=getattr(args, "base_url", None), output_dir=getattr(args, "output", None),
                 drafts=True if getattr(args, "drafts", False) else None,
                 search=False if getattr(args, "no_search", False) else None,
                 strict=True if getattr(args, "strict", False) else None)
    flags.update(extra)
    config = load_config(Path.cwd(), **flags)
    args.output_name = config.output_dir  # for the closing summary of a failed build
    return config


def run_build(args: argparse.Namespace) -> int:
    from .build import build

    config = config_from(args)
    started = time.perf_counter()
    result = build(config, jobs=args.jobs, cache=not args.no_cache)
    if not args.quiet:
        print_problems(result.warnings)
        stages = ", ".join(f"{name} {seconds:.2f}" for name, seconds in result.timings.items())
        print(f"Built {result.pages} pages from {result.entries} entries into {config.output_dir}/ "
              f"in {time.perf_counter() - started:.2f} s ({stages})")
    return 0


def run_check(args: argparse.Namespace) -> int:
    from .build import check

    config = config_from(args)
    warnings = check(config)
    print_problems(warnings)
    print(f"digest: no errors ({len(warnings)} warnings); nothing was written")
    return 0


def run_new(args: argparse.Namespace) -> int:
    from . import new

    config = config_from(args)
    try:
        entry = new_entry_from_args(args, config, new)
    except DigestError as error:
        for problem in error.problems:
            print(format_problem(problem), file=sys.stderr)
        print("digest: nothing was written", file=sys.stderr)
        return 1
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

    new = commands.add_parser("new", help="write a new entry (or a draft from a plain-text article) and print its path")
    new.add_argument("title", nargs="?", help="the entry's title; its slug names the file")
    new.add_argument("--from", dest="source", metavar="FILE",
                     help="draft the entry from a plain-text article (- reads standard input)")
    new.set_defaults(run=run_new, parser=new)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = make_parser().parse_args(argv)
    try:
        return args.run(args)
    except DigestError as error:
        output = getattr(args, "output_name", None) or getattr(args, "output", None) or "output"
        print_problems(error.problems, output)
        return 1
    except OSError as error:  # a disk or permission problem: say what, without a traceback
        print(f"digest: {error.strerror or error}: {error.filename or ''}".rstrip(": "), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("digest: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
