"""Instructions, not seconds: what parsing the entries and rendering the pages of the benchmark
corpus cost, counted by valgrind (cachegrind, no cache simulation) in one process.

    python benchmarks/instructions.py                  # 1,000 entries: parse and render
    python benchmarks/instructions.py --n 300 --what render

A shared machine's speed moves from minute to minute (the cold build of one commit took 7.9 s
and 11.7 s within the hour); the count of instructions does not: the same code and corpus
give the same count to within 0.1%. So a change to the parsing or the rendering is judged by
its count, in a run that also counts the code it changes (a worktree of the earlier commit
with its own venv), and the wall-clock race with Hugo (bench.py) says where the build stands.

Each count is of a fresh process, minus the count of the same process stopped before the
stage measured: `parse` reads every entry (read.load_entry, one process); `render` renders
every page (render.render_pages, one process) of the model made first. It needs valgrind
(Debian: `apt-get install valgrind`); the corpus is bench.py's, in `.bench/` (or --work).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench  # noqa: E402  (the corpus and the site folder, as the race makes them)

# The process each count runs: up to `stop` ("config", "parse", "model" or "render").
STAGES = r"""
import gc, os, sys
from pathlib import Path
os.chdir(sys.argv[1])
stop = sys.argv[2]
from digest.config import load_config
from digest.read import load_entry
from digest.build import make_site
from digest.render import load_templates, make_environment, render_pages
from digest.views import Views
config = load_config(Path("."))
gc.set_threshold(50_000, 20, 100)  # as a build sets it (engine.fewer_collections)
if stop == "parse":
    for path in sorted(Path(config.content_path).rglob("*.md")):
        load_entry(path, config)
elif stop in ("model", "render"):
    site, _ = make_site(config)
    environment = make_environment(config, watching=False)
    load_templates(environment)
    views = Views(site)
    if stop == "render":
        render_pages(site, None, environment, views=views)
"""


def count(python: str, site: Path, stop: str) -> int:
    """Instructions of one fresh process running STAGES up to `stop`."""
    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder) / "stages.py"
        script.write_text(STAGES, encoding="utf-8")
        result = subprocess.run(["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null",
                                 python, str(script), str(site), stop],
                                capture_output=True, text=True, env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    if result.returncode != 0:
        raise SystemExit(f"failed ({result.returncode}):\n{result.stderr[-2000:]}")
    found = re.search(r"I\s+refs:\s+([\d,]+)", result.stderr)
    if found is None:
        raise SystemExit(f"no instruction count in valgrind's report:\n{result.stderr[-2000:]}")
    return int(found.group(1).replace(",", ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1000, help="entries in the corpus (default 1000)")
    parser.add_argument("--what", nargs="+", choices=("parse", "render"), default=["parse", "render"])
    parser.add_argument("--work", type=Path, help="folder for the corpus and the site (default .bench/)")
    parser.add_argument("--python", default=sys.executable,
                        help="the Python whose digest is counted (default this one; another worktree's venv "
                             "counts an earlier commit)")
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed: apt-get install valgrind")
    if args.work is not None:
        bench.WORK = args.work.resolve()
    bench.corpus(args.n)
    site = bench.site_folder(args.n)
    # Compiled once, so that no count includes compiling a module whose .pyc is stale.
    package = subprocess.run([args.python, "-c", "import digest, os; print(os.path.dirname(digest.__file__))"],
                             check=True, capture_output=True, text=True).stdout.strip()
    subprocess.run([args.python, "-m", "compileall", "-q", package], check=True, stdout=subprocess.DEVNULL)
    before = {"parse": "config", "render": "model"}
    for what in args.what:
        spent = count(args.python, site, what) - count(args.python, site, before[what])
        print(f"{what}: {spent / 1e9:.3f} billion instructions ({args.n:,} entries)")


if __name__ == "__main__":
    main()
