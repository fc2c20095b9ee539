"""workers.Background: a value worked out by a forked child while the build goes on; and
workers.ordered_map's forked workers.

A process with other threads never forks (the test run may have some: asyncio's watchers),
so the checks that need a child run in a fresh interpreter of their own."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from helpers import entry_text, snapshot, write_site
from digest.build import build
from digest.config import load_config
from digest.workers import Background

HELPERS = """
import os, time
import pytest
from digest.workers import Background

def whose(extra=0):
    return os.getpid(), extra

def recorded_start_methods():
    # A list that gets the start method of each worker pool made from here on.
    from digest import workers
    methods, real = [], workers._context
    def recorded():
        context = real()
        methods.append(context.get_start_method())
        return context
    workers._context = recorded
    return methods

def fails(pid):
    if os.getpid() != pid:
        raise RuntimeError("only the child fails")
    raise ValueError("the work's own error")
"""


def in_fresh_process(code: str) -> None:
    result = subprocess.run([sys.executable, "-c", HELPERS + textwrap.dedent(code)], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr


def test_value_comes_from_a_child_on_another_core():
    in_fresh_process("""
        with Background(whose, 7, jobs=2) as work:
            assert work.pid is not None
            pid, extra = work.result()
        assert pid != os.getpid() and extra == 7
    """)


def test_a_failed_child_leaves_the_work_to_this_process_and_its_error_to_the_caller():
    in_fresh_process("""
        work = Background(fails, os.getpid(), jobs=2)
        assert work.pid is not None
        with pytest.raises(ValueError, match="the work's own error"):
            work.result()
    """)


def test_cancel_stops_and_reaps_the_child():
    in_fresh_process("""
        work = Background(time.sleep, 30, jobs=2)
        pid = work.pid
        assert pid is not None
        started = time.perf_counter()
        work.cancel()
        assert time.perf_counter() - started < 5
        with pytest.raises(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)
        work.cancel()  # twice is harmless
    """)


def whose() -> int:
    return os.getpid()


def test_ordered_map_forks_its_workers_when_called_not_when_first_asked():
    """The caller may start threads between the call and the first result (write_pages writes
    with a few); the workers must be forked by then, inheriting the shared value: this one
    cannot be pickled, as clean workers (forkserver, spawn) would need."""
    in_fresh_process("""
        import threading
        from digest.workers import ordered_map, shared

        class Inherited:
            def __reduce__(self):
                raise TypeError("pickled: the workers were not forked")

        def where(part):
            return part, os.getpid(), type(shared()).__name__

        results = ordered_map(where, [1, 2, 3, 4, 5, 6, 7], 2, Inherited())
        stop = threading.Event()
        writer = threading.Thread(target=stop.wait)
        writer.start()
        try:
            found = list(results)
        finally:
            stop.set()
            writer.join()
        assert [part for part, _, _ in found] == [1, 2, 3, 4, 5, 6, 7]
        assert all(pid != os.getpid() and name == "Inherited" for _, pid, name in found)
    """)


def site_of_80_pages(tmp_path: Path) -> Path:
    """A site whose build has enough pages to render in workers (one entry per listing page)."""
    root = tmp_path / "site"
    entries = {f"content/entry-{n:03}.md": entry_text(title=f"Entry {n}", date=f"2025-{1 + n // 28:02}-{1 + n % 28:02}",
                                                      tags="[Common]") for n in range(80)}
    write_site(root, entries, "per_page = 1\nsearch = false\n")
    return root


@pytest.mark.slow  # a Python process of its own builds 80 pages several times
def test_render_workers_write_a_fresh_folder_and_a_file_they_cannot_write_is_named(tmp_path):
    """A build into a fresh staging folder has each render worker write the pages it renders
    (write.write_new) and send back only their records, and, with no last build, fingerprint
    them: the output is a one-process build's, the next build finds every file as its worker
    recorded it, and the fingerprints and page map kept are those the build would make
    itself (reuse.route_keys). A worker that cannot write stops the build with the file named."""
    root = site_of_80_pages(tmp_path)
    in_fresh_process(f"""
        from pathlib import Path
        from digest.build import build, make_site
        from digest.cache import TreeCache
        from digest.config import load_config
        from digest.errors import DigestError, format_problem
        from digest.rendering import stream_pages
        from digest.reuse import Fingerprints, route_keys
        from digest.write import WrittenPage

        root = Path({str(root)!r})
        config = load_config(root)
        assert build(config, jobs=2).fingerprinted == 270
        kept = TreeCache(config, True).current
        assert build(config, jobs=2).up_to_date
        site, _ = make_site(config)
        keys, page_map, _ = route_keys(site, Fingerprints(site), None, {{}}, None)
        assert kept.keys == dict(zip(site.paths, keys))
        assert kept.page_map == page_map
        (root / "fresh").mkdir()
        pages = list(stream_pages(site, 2, into=root / "fresh"))
        assert {{type(page) for page in pages[:len(site.routes)]}} == {{WrittenPage}}
        blocker = root / "blocker"
        blocker.write_text("a file where the folder should be")
        try:
            list(stream_pages(site, 2, into=blocker))
        except DigestError as error:
            message = format_problem(error.problems[0])
            assert message.startswith(f"output: cannot write {{blocker}}/") and message.endswith(": Not a directory"), message
        else:
            raise AssertionError("written into a file")
    """)
    cold = snapshot(root / "output")
    build(load_config(root, output_dir="alone"), jobs=1, cache=False)
    assert snapshot(root / "alone") == cold


@pytest.mark.slow  # a Python process of its own builds 80 pages several times
def test_a_rebuild_into_a_fresh_staging_folder_renders_in_forked_workers(tmp_path):
    """With the spare folder gone (a failed build removes it), a rebuild links its unchanged
    pages from output/ into a fresh folder with writer threads running, and renders the rest
    in workers: forked ones, not clean ones that would be sent the whole site. Its output is
    a clean build's."""
    root = site_of_80_pages(tmp_path)
    in_fresh_process(f"""
        import shutil
        from pathlib import Path
        from digest.build import build
        from digest.config import load_config

        root = Path({str(root)!r})
        assert build(load_config(root), jobs=2).pages
        assert build(load_config(root), jobs=2).up_to_date  # which links output/ into the spare
        shutil.rmtree(root / ".output.old")
        oldest = root / "content/entry-000.md"
        oldest.write_text(oldest.read_text().replace("[Common]", "[Rare]"))
        methods = recorded_start_methods()
        result = build(load_config(root), jobs=2)
        assert result.reused and result.pages - result.reused > 50, result  # linked, and more than a batch rendered
        assert methods == ["fork"], methods
    """)
    rebuilt = snapshot(root / "output")
    shutil.rmtree(root / ".digest-cache")
    shutil.rmtree(root / "output")
    build(load_config(root), jobs=1)
    assert snapshot(root / "output") == rebuilt

    assert Background(whose, jobs=1).result() == os.getpid()
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:  # forking a process with other threads is unsafe: the work runs here when asked
        work = Background(whose, jobs=2)
        assert work.pid is None and work.result() == os.getpid()
    finally:
        stop.set()
        other.join()



@pytest.mark.slow  # a Python process of its own builds 80 pages several times
def test_a_build_in_a_process_with_threads_renders_in_clean_workers_as_a_forked_one_does(tmp_path):
    """A process with another thread does not fork: its render workers start clean (forkserver)
    and are sent the site pickled, without the build's Jinja environment (it does not pickle),
    so each makes its own. Cold and warm, the output is a one-process build's."""
    root = site_of_80_pages(tmp_path)
    in_fresh_process(f"""
        import threading
        from pathlib import Path
        from digest.build import build
        from digest.config import load_config

        root = Path({str(root)!r})
        methods = recorded_start_methods()
        stop = threading.Event()
        other = threading.Thread(target=stop.wait)
        other.start()
        try:
            assert build(load_config(root, output_dir="cold"), jobs=2).pages
            assert build(load_config(root, output_dir="cold"), jobs=2, cache=False).pages
        finally:
            stop.set()
            other.join()
        assert methods and "fork" not in methods, methods
    """)
    clean = snapshot(root / "cold")
    build(load_config(root, output_dir="alone"), jobs=1, cache=False)
    assert snapshot(root / "alone") == clean


def test_a_fork_that_fails_leaves_the_work_to_this_process():
    in_fresh_process("""
        def no_fork():
            raise BlockingIOError(11, "Resource temporarily unavailable")
        os.fork = no_fork
        work = Background(whose, 3, jobs=2)
        assert work.pid is None and work.result() == (os.getpid(), 3)
    """)


def test_the_spare_is_linked_by_two_processes_and_whole(tmp_path):
    """write.link_spare with jobs=2: a child links half of the files, this process the rest;
    the spare holds every file of output/, each a hard link to it."""
    out = tmp_path / "output"
    for number in range(40):
        page = out / f"{number % 4}/{number}/index.html"
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(f"page {number}", encoding="utf-8")
    in_fresh_process(f"""
        import os
        from pathlib import Path
        from digest import write
        from digest.write import link_spare, old_path

        children = []
        real = write.Background
        def watched(*args, **kwargs):
            work = real(*args, **kwargs)
            children.append(work.pid)
            return work
        write.Background = watched
        output = Path({str(out)!r})
        records = {{p.relative_to(output).as_posix(): None for p in output.rglob("*.html")}}
        assert link_spare(output, records, jobs=2)
        assert children and children[0] is not None  # a child did link
        spare = old_path(output)
        for relative in records:
            assert os.stat(spare / relative).st_ino == os.stat(output / relative).st_ino
        assert sorted(p.relative_to(spare).as_posix() for p in spare.rglob("*.html")) == sorted(records)
    """)
