"""Search at scale: one index against shards, side by side in one run.

    python benchmarks/bench_search.py --sizes 20000            # full build and one-edit rebuild, with search
    python benchmarks/bench_search.py --sizes 20000 --browser  # also: bytes of a first query, layout shift
    python benchmarks/bench_search.py --api 200 --site DIR     # Pagefind's Python API against its command line

Each size builds the corpus of benchmarks/make_corpus.py (seed 1) twice, in two site folders
under .bench/: "one index" (search_shard_entries at least the number of entries) and "shards"
(the default, 5,000). Runs alternate between the two. The one-edit rebuild appends a line to
the body of the entry bench.py edits (the middle one by path). --browser serves each output
over HTTP and opens /search/?q=<query> in Chromium (Playwright), summing the body bytes of
every response until the result count is shown, and the layout shift (a PerformanceObserver
on layout-shift entries) until a second later.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import http.server
import os
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import WORK, clean, corpus, empty_aside, measure, pick_entry  # noqa: E402

QUERIES = ("xylophonist", "ministry", "Addis Ababa")
VARIANTS = ("one index", "shards")


def site_folder(n: int, variant: str) -> Path:
    site = WORK / f"search-site-{n}-{variant.replace(' ', '-')}"
    site.mkdir(parents=True, exist_ok=True)
    shards = f"search_shard_entries = {n}\n" if variant == "one index" else ""
    (site / "pyproject.toml").write_text(
        f'[tool.digest]\ntitle = "Benchmark {n}"\nbase_url = "https://example.org/"\n'
        f'content_dir = "../corpus-{n}"\n{shards}', encoding="utf-8")
    return site


def bench_builds(n: int, runs: int, digest: list[str]) -> dict:
    content = corpus(n)
    entry = pick_entry(content)
    original = entry.read_bytes()
    found: dict = {variant: {"full": [], "edit": [], "peak": []} for variant in VARIANTS}
    try:
        for run in range(runs):
            for variant in VARIANTS:
                site = site_folder(n, variant)
                clean(site)
                os.sync()
                result = measure([*digest, "build"], site)
                found[variant]["full"].append(result.seconds)
                found[variant]["peak"].append(result.peak_mib)
                entry.write_text(original.decode("utf-8").rstrip("\n") + f"\n\nAn added closing line, run {run}.\n",
                                 encoding="utf-8")
                os.sync()
                found[variant]["edit"].append(measure([*digest, "build"], site).seconds)
                entry.write_bytes(original)
                os.sync()
                measure([*digest, "build"], site)  # back to the corpus as it was, for the next variant
    finally:
        entry.write_bytes(original)
    return {variant: {key: statistics.median(values) for key, values in numbers.items()}
            for variant, numbers in found.items()}


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


CLS_OBSERVER = """
window.__shift = 0;
new PerformanceObserver(list => { for (const entry of list.getEntries()) if (!entry.hadRecentInput) window.__shift += entry.value; })
  .observe({type: "layout-shift", buffered: true});
"""


def bench_browser(output: Path, queries=QUERIES) -> dict:
    from playwright.sync_api import sync_playwright

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(output)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    found = {}
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
            for query in queries:
                for viewport in ({"width": 412, "height": 823}, {"width": 1350, "height": 940}):
                    context = browser.new_context(viewport=viewport)
                    page = context.new_page()
                    page.add_init_script(CLS_OBSERVER)
                    sizes: list[tuple[str, int]] = []
                    page.on("requestfinished", lambda request: sizes.append(
                        (request.url, request.sizes()["responseBodySize"])))
                    page.goto(url + "search/?q=" + query)
                    page.locator("#search-status").filter(has_text=re.compile(r"^\d+ results?")).wait_for(timeout=120_000)
                    fetched = sum(size for _, size in sizes)
                    pagefind = sum(size for address, size in sizes if "/pagefind/" in address)
                    page.wait_for_timeout(1000)
                    shift = page.evaluate("window.__shift")
                    status = page.locator("#search-status").inner_text()
                    found[(query, viewport["width"])] = {"bytes": fetched, "pagefind": pagefind, "shift": shift,
                                                         "status": status}
                    context.close()
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    return found


def bench_api(site: Path, n: int) -> str:
    """Pagefind's Python API (add_html_file for every page at once, asyncio.gather) against the
    command line over hard links to the same n entry pages of a built site."""
    import pagefind_bin
    from pagefind.index import IndexConfig, PagefindIndex

    output = site / "output"
    pages = sorted(str(p.relative_to(output)) for p in output.glob("20[0-9][0-9]/[0-9][0-9]/*/index.html"))[:n]
    work = WORK / "api-vs-cli"
    shutil.rmtree(work, ignore_errors=True)
    started = time.perf_counter()
    for path in pages:
        (work / "pages" / path).parent.mkdir(parents=True, exist_ok=True)
        os.link(output / path, work / "pages" / path)
    subprocess.run([str(pagefind_bin.get_executable()), "--site", str(work / "pages"), "--output-path",
                    str(work / "cli"), "--silent", "--force-language", "en"], check=True)
    command_line = time.perf_counter() - started

    async def api() -> None:
        async with PagefindIndex(config=IndexConfig(output_path=str(work / "api"), force_language="en")) as index:
            await asyncio.gather(*(index.add_html_file(content=(output / path).read_text(encoding="utf-8"),
                                                       source_path=path) for path in pages))

    started = time.perf_counter()
    asyncio.run(api())
    python_api = time.perf_counter() - started
    return f"{len(pages)} entry pages: command line {command_line:.2f} s, Python API {python_api:.2f} s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[20000])
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--browser", action="store_true", help="also measure a first query in Chromium")
    parser.add_argument("--no-builds", action="store_true", help="measure the browser over the last builds only")
    parser.add_argument("--api", type=int, metavar="PAGES", help="compare Pagefind's Python API with its command line")
    parser.add_argument("--site", type=Path, help="a built site folder (with output/), for --api")
    args = parser.parse_args()
    digest = [sys.executable, "-m", "digest"]
    if args.api:
        print(bench_api(args.site, args.api))
        return
    try:
        for n in args.sizes:
            if not args.no_builds:
                for variant, numbers in bench_builds(n, args.runs, digest).items():
                    print(f"{n} entries, {variant}: full build with search {numbers['full']:.1f} s "
                          f"(peak {numbers['peak']:.0f} MiB), one-edit rebuild {numbers['edit']:.1f} s "
                          f"({100 * numbers['edit'] / numbers['full']:.0f}%)", flush=True)
            if args.browser:
                for variant in VARIANTS:
                    for (query, width), numbers in bench_browser(site_folder(n, variant) / "output").items():
                        print(f"{n} entries, {variant}, {query!r} at {width} px: {numbers['bytes'] / 1024:.0f} KiB "
                              f"fetched ({numbers['pagefind'] / 1024:.0f} KiB of Pagefind files), layout shift "
                              f"{numbers['shift']:.3f}; {numbers['status']}", flush=True)
    finally:
        empty_aside()


if __name__ == "__main__":
    main()
