"""Search at scale: one index against shards, side by side in one run.

    python benchmarks/bench_search.py --sizes 20000            # full build and one-edit rebuild, with search
    python benchmarks/bench_search.py --sizes 20000 --browser  # also: bytes of a first query, layout shift
    python benchmarks/bench_search.py --api 200 --site DIR     # Pagefind's Python API against its command line
    python benchmarks/bench_search.py --sizes 20000 --no-builds --lighthouse   # Lighthouse 12 over the last builds
    python benchmarks/bench_search.py --sizes 20000 --no-builds --beginnings   # word-index bytes of short beginnings
    python benchmarks/bench_search.py --sample                 # Lighthouse 12 over the sample site, with a base path too

Each size builds the corpus of benchmarks/make_corpus.py (seed 1) twice, in two site folders
under .bench/: "one index" (search_shard_entries at least the number of entries) and "shards"
(the default, 2,500 entries each). Runs alternate between the two. The one-edit rebuild appends
a line to the body of the entry bench.py edits (the middle one by path); then the next edit
appends another line: the first edit after a clean build stages in the spare folder the clean
build left; the next in the one the first left, and also deletes the files of the shard the
first replaced, as every later edit does. --browser serves each output
over HTTP and opens /search/?q=<query> in Chromium (Playwright), summing the body bytes of
every response until a second after the result count is shown (served as files are, and
again with text files gzip-encoded as GitHub Pages sends them), and the layout shift (a PerformanceObserver
on layout-shift entries) until a second later.

Peak memory is given twice: the largest resident set of any one process of the build
(os.wait4, what /usr/bin/time -v reports) and the largest sum over the whole process tree
(the build, its workers and Pagefind) of each process's proportional set size (PSS: a page
shared by n processes counts 1/n in each, so forked workers' shared pages count once),
sampled from /proc every 0.2 s. The machine's load
average (1 minute) is printed with every figure, since other work on the machine stretches
wall-clock times but not memory. --lighthouse runs the `lighthouse` command (Lighthouse 12,
`npm i -g lighthouse@12`, with CHROME_PATH=/usr/bin/chromium, its default mobile settings) over
the shards' output: /search/?q=<the common query>, the home page, the middle entry's page
and its first tag's page, and reports each category's score and the layout shift. Above 50,000 entries only the shards are built: one index
of 100,000 entries needs 17-20 GB.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import functools
import gzip
import http.server
import itertools
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import WORK, clean, corpus, empty_aside, pick_entry  # noqa: E402

QUERIES = ("xylophonist", "ministry", "Addis Ababa")
VARIANTS = ("one index", "shards")
ONE_INDEX_LIMIT = 50_000   # more entries than this in one Pagefind index exhaust a CI runner's memory


@dataclasses.dataclass(frozen=True)
class Build:
    seconds: float
    search_seconds: float
    peak_mib: float        # largest resident set of one process (os.wait4)
    tree_peak_mib: float   # largest summed proportional set size of the process tree, sampled
    load: float            # 1-minute load average when the build ended
    closing: str = ""      # the build's closing line, its stage times


def tree_pss_kib(root: int) -> int:
    """Summed proportional set size (KiB) of a process and all its descendants, from /proc:
    the build's workers are forked and share most of their pages with it, which a sum of
    resident sets would count once per process."""
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", encoding="ascii", errors="replace") as stat:
                parent = int(stat.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(parent, []).append(int(entry.name))
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        stack.extend(children.get(pid, ()))
        try:
            with open(f"/proc/{pid}/smaps_rollup", encoding="ascii", errors="replace") as rollup:
                total += next((int(line.split()[1]) for line in rollup if line.startswith("Pss:")), 0)
        except OSError:
            continue
    return total


def measure(command: list[str], cwd: Path) -> Build:
    """Wall time, search-stage time, both peak memories and the load average of one build."""
    with tempfile.TemporaryFile() as log:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, stdout=log, stderr=subprocess.STDOUT)
        peak = [0]
        done = threading.Event()

        def sample() -> None:
            while not done.wait(0.2):
                peak[0] = max(peak[0], tree_pss_kib(process.pid))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        done.set()
        sampler.join()
        log.seek(0)
        output = log.read().decode("utf-8", "replace")
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed ({os.waitstatus_to_exitcode(status)}): {' '.join(command)}\n{output}")
    stage = re.search(r"\bsearch ([0-9.]+)\)", output)
    return Build(seconds, float(stage.group(1)) if stage else float("nan"), usage.ru_maxrss / 1024,
                 peak[0] / 1024, os.getloadavg()[0], output.strip().splitlines()[-1] if output.strip() else "")


ONLY: list[str] = []   # --only: the variants to measure, when not both


def variants_for(n: int) -> tuple[str, ...]:
    wanted = VARIANTS if n <= ONE_INDEX_LIMIT else ("shards",)
    return tuple(variant for variant in wanted if not ONLY or variant in ONLY)


def site_folder(n: int, variant: str) -> Path:
    site = WORK / f"search-site-{n}-{variant.replace(' ', '-')}"
    site.mkdir(parents=True, exist_ok=True)
    shards = f"search_shard_entries = {n}\n" if variant == "one index" else ""
    (site / "pyproject.toml").write_text(
        f'[tool.digest]\ntitle = "Benchmark {n}"\nbase_url = "https://example.org/"\n'
        f'content_dir = "../corpus-{n}"\n{shards}', encoding="utf-8")
    return site


def bench_builds(n: int, runs: int, digest: list[str], full_only: bool) -> dict:
    content = corpus(n)
    entry = pick_entry(content)
    original = entry.read_bytes()
    found: dict = {variant: {"full": [], "edit": [], "next": []} for variant in variants_for(n)}
    try:
        for run in range(runs):
            for variant in variants_for(n):
                site = site_folder(n, variant)
                clean(site)
                os.sync()
                full = measure([*digest, "build"], site)
                found[variant]["full"].append(full)
                print(f"  {n} entries, {variant}, run {run + 1}: full {describe(full)}\n    {full.closing}",
                      file=sys.stderr, flush=True)
                if full_only:
                    continue
                # The first edit after a clean build, then the next, as every later edit is.
                for kind, label, line in (("edit", "one edit", "An added closing line"),
                                          ("next", "next edit", "Another closing line")):
                    entry.write_text(original.decode("utf-8").rstrip("\n") + f"\n\n{line}, run {run}.\n",
                                     encoding="utf-8")
                    os.sync()
                    rebuild = measure([*digest, "build"], site)
                    found[variant][kind].append(rebuild)
                    print(f"  {n} entries, {variant}, run {run + 1}: {label} {describe(rebuild)}\n    {rebuild.closing}",
                          file=sys.stderr, flush=True)
                entry.write_bytes(original)  # the next full build starts from a clean site folder
    finally:
        entry.write_bytes(original)
    return found


def describe(build: Build) -> str:
    return (f"{build.seconds:.1f} s (search {build.search_seconds:.1f} s), peak {build.peak_mib:.0f} MiB one process, "
            f"{build.tree_peak_mib:.0f} MiB process tree (PSS), load {build.load:.1f}")


def median_build(builds: list[Build]) -> Build:
    return Build(*(statistics.median(getattr(b, field.name) for b in builds) for field in dataclasses.fields(Build)
                   if field.type != "str"))


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


class Gzipped(Quiet):
    """Text files gzip-encoded when the browser accepts it, as GitHub Pages and most hosts send
    them. Pagefind's own index files are gzip already and go as they are, as there."""

    TEXT = (".html", ".css", ".js", ".json", ".svg", ".xml", ".txt")

    def do_GET(self):
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if "gzip" not in self.headers.get("Accept-Encoding", "") or path.suffix not in self.TEXT or not path.is_file():
            return super().do_GET()
        body = gzip.compress(path.read_bytes(), compresslevel=6, mtime=0)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


FILE_KINDS = (("shards.json", r"/pagefind/shards\.json"), ("metadata", r"\.pf_meta$"),
              ("word index", r"\.pf_index$"), ("filters", r"\.pf_filter$"), ("fragments", r"\.pf_fragment$"),
              ("wasm", r"\.pagefind$"), ("pagefind js/json", r"/pagefind/"))

CLS_OBSERVER = """
window.__shift = 0;
new PerformanceObserver(list => { for (const entry of list.getEntries()) if (!entry.hadRecentInput) window.__shift += entry.value; })
  .observe({type: "layout-shift", buffered: true});
"""


def bench_browser(output: Path, compress: bool, queries=QUERIES) -> dict:
    from playwright.sync_api import sync_playwright

    server, url = serving(output, compress)
    found = {}
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
            for query in queries:
                for viewport in ({"width": 412, "height": 823}, {"width": 1350, "height": 940}):
                    context = browser.new_context(viewport=viewport)
                    page = context.new_page()
                    page.add_init_script(CLS_OBSERVER)
                    finished: list = []   # sizes are asked for later: a call back into the browser
                    page.on("requestfinished", lambda request: finished.append(request))   # from the handler stalls
                    page.goto(url + "search/?q=" + query)
                    page.locator("#search-status").filter(has_text=re.compile(r"^\d[\d,]* results?")).wait_for(timeout=120_000)
                    page.wait_for_timeout(1000)  # responses still being reported, and any late layout shift
                    sizes = [(request.url, request.sizes()["responseBodySize"]) for request in finished]
                    fetched = sum(size for _, size in sizes)
                    pagefind = sum(size for address, size in sizes if "/pagefind/" in address)
                    kinds: dict[str, int] = {}
                    for address, size in sizes:
                        kind = next((name for name, pattern in FILE_KINDS if re.search(pattern, address)), "page")
                        kinds[kind] = kinds.get(kind, 0) + size
                    shift = page.evaluate("window.__shift")
                    status = page.locator("#search-status").inner_text()
                    found[(query, viewport["width"])] = {"bytes": fetched, "pagefind": pagefind, "shift": shift,
                                                         "status": status, "kinds": kinds,
                                                         "load": os.getloadavg()[0]}
                    context.close()
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    return found


def serving(output: Path, compress: bool = False, mount: str = "/") -> tuple[http.server.ThreadingHTTPServer, str]:
    """An HTTP server of output at `mount` (a base path such as /repo/; elsewhere a 404)."""
    handler = type("Mounted", (Gzipped if compress else Quiet,), {"mount": mount, "translate_path": _mounted})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(output)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}{mount}"


def _mounted(self, path: str) -> str:
    clean = path.split("?", 1)[0].split("#", 1)[0]
    if not clean.startswith(self.mount):
        return str(Path(self.directory) / "does-not-exist")
    return http.server.SimpleHTTPRequestHandler.translate_path(self, "/" + path[len(self.mount):])


def lighthouse_pages(output: Path, query: str = QUERIES[1]) -> dict[str, str]:
    """The pages Lighthouse scores: search with the query, home, an entry and its first tag."""
    entry = sorted(output.glob("20[0-9][0-9]/[0-9][0-9]/*/index.html"))
    entry_page = entry[len(entry) // 2]
    tag = re.search(r'href="[^"]*?/(tags/[^"/]+/)"', entry_page.read_text(encoding="utf-8"))
    return {f"search ?q={query}": f"search/?q={query}", "home": "",
            "entry": str(entry_page.parent.relative_to(output)) + "/",
            "tag": tag.group(1) if tag else "tags/"}


def bench_lighthouse(output: Path, query: str = QUERIES[1], mount: str = "/") -> dict[str, dict]:
    server, url = serving(output, mount=mount)
    found = {}
    try:
        for name, path in lighthouse_pages(output, query).items():
            with tempfile.NamedTemporaryFile(suffix=".json") as report:
                subprocess.run(["lighthouse", url + path, "--quiet", "--output=json", f"--output-path={report.name}",
                                "--chrome-flags=--headless=new --no-sandbox"],
                               check=True, env={**os.environ, "CHROME_PATH": "/usr/bin/chromium"},
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                result = json.loads(Path(report.name).read_text(encoding="utf-8"))
            found[name] = {"path": mount + path,
                           "scores": {key: round(100 * (category["score"] or 0))
                                      for key, category in result["categories"].items()},
                           "shift": result["audits"]["cumulative-layout-shift"]["numericValue"],
                           "load": os.getloadavg()[0]}
    finally:
        server.shutdown()
        server.server_close()
    return found


def shard_ranges(bundle: Path) -> tuple[list[tuple[str, str, str]], dict[str, list[str]], dict[str, int]]:
    """A shard's word-index ranges ([from, to, file]), each file's words and its size in bytes."""
    from digest import search_format as index

    entry = json.loads((bundle / index.ENTRY_FILE).read_text(encoding="utf-8"))
    (language,) = entry["languages"].values()
    meta = index.unpack(bundle / f"pagefind.{language['hash']}.pf_meta")
    count, at = index._array(meta, index._parts(meta)[2])
    ranges = []
    for _ in range(count):
        _, at = index._array(meta, at)
        start, at = index._text(meta, at)
        end, at = index._text(meta, at)
        name, at = index._text(meta, at)
        ranges.append((start, end, name))
    files = {name: [word for word, _ in index._words(index.unpack(bundle / "index" / f"{name}.pf_index"))]
             for name in dict.fromkeys(name for *_, name in ranges)}
    return ranges, files, {name: (bundle / "index" / f"{name}.pf_index").stat().st_size for name in files}


def bench_beginnings(output: Path) -> list[str]:
    """For each beginning of one, two and three letters of the words of the shards in
    output/pagefind: the bytes of the word-index files Pagefind loads for it in every shard
    (its raw form only: stems of such short words are mostly the words), and in how many
    shards they miss a file holding a word it begins."""
    from digest import search_format as index

    shards = [folder for folder in sorted((output / "pagefind").iterdir()) if folder.is_dir()]
    loaded: dict[str, int] = {}
    missing: dict[int, int] = {}
    asked: dict[int, int] = {}
    for bundle in shards:
        ranges, files, sizes = shard_ranges(bundle)
        holding: dict[str, set[str]] = {}
        for name, words in files.items():
            for word in words:
                for length in (1, 2, 3):
                    if len(word) >= length:
                        holding.setdefault(word[:length], set()).add(name)
        for beginning, names in holding.items():
            found = index.files_for(ranges, beginning)
            loaded[beginning] = loaded.get(beginning, 0) + sum(sizes[name] for name in found)
            missing[len(beginning)] = missing.get(len(beginning), 0) + (not names <= found)
            asked[len(beginning)] = asked.get(len(beginning), 0) + 1
    lines = []
    for length in (1, 2, 3):
        sizes = sorted((size, beginning) for beginning, size in loaded.items() if len(beginning) == length)
        largest = sizes[-1]
        lines.append(f"{length}-letter beginnings ({len(sizes)}), word-index bytes over {len(shards)} shards: "
                     f"median {statistics.median(size for size, _ in sizes) / 1024:.1f} KiB, "
                     f"90th percentile {sizes[int(0.9 * len(sizes))][0] / 1024:.1f} KiB, "
                     f"largest {largest[0] / 1024:.1f} KiB ({largest[1]!r}); a file holding words it begins "
                     f"left out in {missing[length]} of {asked[length]} shard-beginnings")
    return lines


SAMPLE_QUERY = "Peskov"


def bench_sample(mounts: tuple[str, ...] = ("/", "/repo/")) -> None:
    """Lighthouse over the repository's own sample site (content/ and pyproject.toml), built for
    each mount (at a domain root, and under a base path as on GitHub Pages), served over HTTP."""
    repo = Path(__file__).resolve().parent.parent
    site = WORK / "sample-site"
    shutil.rmtree(site, ignore_errors=True)
    shutil.copytree(repo / "content", site / "content")
    shutil.copy(repo / "pyproject.toml", site / "pyproject.toml")
    for mount in mounts:
        output = site / ("output" if mount == "/" else "output-" + mount.strip("/").replace("/", "-"))
        subprocess.run([sys.executable, "-m", "digest", "build", "--quiet", "--output", output.name,
                        "--base-url", f"http://127.0.0.1/{mount.lstrip('/')}"], cwd=site, check=True)
        for name, numbers in bench_lighthouse(output, SAMPLE_QUERY, mount).items():
            print(f"sample site, Lighthouse {name} ({numbers['path']}): "
                  + ", ".join(f"{key} {score}" for key, score in numbers["scores"].items())
                  + f"; layout shift {numbers['shift']:.3f}; load {numbers['load']:.1f}", flush=True)


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
    parser.add_argument("--lighthouse", action="store_true", help="also score pages of the shards' output with Lighthouse")
    parser.add_argument("--full-only", action="store_true", help="only the full builds, no one-edit rebuild")
    parser.add_argument("--api", type=int, metavar="PAGES", help="compare Pagefind's Python API with its command line")
    parser.add_argument("--site", type=Path, help="a built site folder (with output/), for --api")
    parser.add_argument("--only", choices=VARIANTS, action="append", help="measure only this variant")
    parser.add_argument("--beginnings", action="store_true",
                        help="also the word-index bytes Pagefind fetches for each short beginning, in the shards")
    parser.add_argument("--sample", action="store_true",
                        help=f"only Lighthouse over the sample site, at the root and under /repo/ (?q={SAMPLE_QUERY})")
    args = parser.parse_args()
    ONLY.extend(args.only or ())
    digest = [sys.executable, "-m", "digest"]
    if args.api:
        print(bench_api(args.site, args.api))
        return
    if args.sample:
        bench_sample()
        return
    try:
        for n in args.sizes:
            if not args.no_builds:
                found = bench_builds(n, args.runs, digest, args.full_only)
                for variant, numbers in found.items():
                    full = median_build(numbers["full"])
                    line = f"{n} entries, {variant}: full build with search {describe(full)}"
                    if numbers["edit"]:
                        edit = median_build(numbers["edit"])
                        line += (f"; one-edit rebuild {edit.seconds:.1f} s (search {edit.search_seconds:.1f} s, "
                                 f"load {edit.load:.1f}), {100 * edit.seconds / full.seconds:.0f}% of the full build")
                        after = median_build(numbers["next"])
                        line += (f"; the next edit {after.seconds:.1f} s (search {after.search_seconds:.1f} s, "
                                 f"load {after.load:.1f}), {100 * after.seconds / full.seconds:.0f}% of the full build")
                    print(line, flush=True)
                if len(found) == 2:
                    one, shards = (median_build(found[variant]["full"]) for variant in VARIANTS)
                    print(f"{n} entries: shards/one index, full build {shards.seconds / one.seconds:.2f}x, "
                          f"peak memory {shards.peak_mib / one.peak_mib:.2f}x", flush=True)
            if args.browser:
                for variant, compress in itertools.product(variants_for(n), (False, True)):
                    served = "gzip text" if compress else "plain"
                    for (query, width), numbers in bench_browser(site_folder(n, variant) / "output", compress).items():
                        print(f"{n} entries, {variant}, {served}, {query!r} at {width} px: {numbers['bytes'] / 1024:.0f} KiB "
                              f"fetched ({numbers['pagefind'] / 1024:.0f} KiB of Pagefind files), layout shift "
                              f"{numbers['shift']:.3f}; {numbers['status']}; load {numbers['load']:.1f}", flush=True)
                        print("    " + ", ".join(f"{kind} {size / 1024:.1f} KiB" for kind, size
                                                 in sorted(numbers["kinds"].items(), key=lambda item: -item[1])),
                              flush=True)
            if args.beginnings:
                for line in bench_beginnings(site_folder(n, "shards") / "output"):
                    print(f"{n} entries, shards, {line}", flush=True)
            if args.lighthouse:
                for name, numbers in bench_lighthouse(site_folder(n, "shards") / "output").items():
                    print(f"{n} entries, shards, Lighthouse {name} ({numbers['path']}): "
                          + ", ".join(f"{key} {score}" for key, score in numbers["scores"].items())
                          + f"; layout shift {numbers['shift']:.3f}; load {numbers['load']:.1f}", flush=True)
    finally:
        empty_aside()


if __name__ == "__main__":
    main()
