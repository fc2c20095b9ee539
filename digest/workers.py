"""Batched work across processes, results in order; in this process when one worker is enough.

Each worker gets the shared value (the config, or the whole Site) once, when it starts:
forked workers inherit it without pickling. Work goes out in batches, never one task per
page, with a bounded number in flight so results never pile up in memory. Stdlib only.
"""

from __future__ import annotations

import marshal
import os
import signal
import threading
from collections import deque
from typing import TYPE_CHECKING, Any, Callable, Iterator, Sequence

if TYPE_CHECKING:
    import multiprocessing.context

_shared: Any = None


def default_jobs() -> int:
    return os.cpu_count() or 1


PARALLEL_FROM = 400  # entries to parse or pages to render before workers pay for themselves


def worker_count(jobs: int | None, tasks: int) -> int:
    """--jobs N is taken as given; by default all cores, but one process for small sites,
    where starting workers costs more than it saves."""
    if jobs is not None:
        return max(1, jobs)
    return default_jobs() if tasks >= PARALLEL_FROM else 1


def shared() -> Any:
    """The value given to ordered_map, in a worker or in this process."""
    return _shared


def _set_shared(value: Any) -> None:
    global _shared
    _shared = value


def _start_worker(value: Any, parent: int | None) -> None:
    """A pool worker's start: the shared value, and (forked by the build: parent) its end
    with the build's, however the build ends."""
    _set_shared(value)
    if parent is not None:
        _end_with(parent)


def _end_with(parent: int) -> None:
    """Be killed when the process that forked this one dies (Linux). A killed build's workers
    would otherwise live on, each waiting on a pipe the other still holds open."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # no prctl (not Linux): nothing to ask for
        return
    if os.getppid() != parent:  # it died before the request was made
        os._exit(1)


PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def batches(items: Sequence, jobs: int, smallest: int) -> list[Sequence]:
    """Batches that shrink toward the end, each a third of a worker's share of what is left
    and at least `smallest` long: a few big ones while every worker is busy, small ones last,
    so that no worker goes on alone for long after the others (pages differ in cost: a feed
    takes five times a listing page). With batches of equal size, the worker given the
    feeds would go on rendering them long after the other one is done."""
    parts, start = [], 0
    while start < len(items):
        size = max(smallest, -(-(len(items) - start) // (jobs * 3)))
        parts.append(items[start:start + size])
        start += size
    return parts


def _context() -> multiprocessing.context.BaseContext:
    # fork is the cheapest start and shares the value without pickling; it is unsafe in a
    # process with other threads (digest serve), where forkserver starts clean workers.
    # (multiprocessing and concurrent.futures are imported here, when workers are wanted:
    # a rebuild of a few pages does without their import time.)
    import multiprocessing

    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


def ordered_map(work: Callable[[Any], Any], parts: Sequence, jobs: int, value: Any) -> Iterator[Any]:
    """Yield work(part) for each part, in order; `value` is what shared() returns meanwhile.
    Workers are forked and given their first parts now, not when the first result is asked
    for: by then the caller may have started threads (write.write_pages writes with a few),
    and a process with threads does not fork: it would start clean workers and pickle
    `value` (the whole site) to each."""
    if jobs <= 1 or len(parts) <= 1:
        return _in_this_process(work, parts, value)
    results = _in_workers(work, parts, jobs, value)
    next(results)  # the workers start; from here on, closing the results stops them
    return results


def _in_this_process(work: Callable[[Any], Any], parts: Sequence, value: Any) -> Iterator[Any]:
    previous = _shared
    _set_shared(value)
    try:
        for part in parts:
            yield work(part)
    finally:
        _set_shared(previous)


def _in_workers(work: Callable[[Any], Any], parts: Sequence, jobs: int, value: Any) -> Iterator[Any]:
    """None once the workers have their first parts, then the results in order."""
    from concurrent.futures import ProcessPoolExecutor

    context = _context()
    pool = ProcessPoolExecutor(min(jobs, len(parts)), mp_context=context, initializer=_start_worker,
                               initargs=(value, os.getpid() if context.get_start_method() == "fork" else None))
    try:
        waiting = iter(parts)
        running = deque(pool.submit(work, part) for _, part in zip(range(2 * jobs), waiting))
        yield None
        while running:
            result = running.popleft().result()
            following = next(waiting, None)
            if following is not None:
                running.append(pool.submit(work, following))
            yield result
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


class Background:
    """work(*args) in a forked child, on another core, while this process goes on: result()
    gives its value (plain data: what marshal can carry), cancel() says it is not needed.
    Where a child cannot be forked safely (another thread runs, no fork), cannot be forked at
    all (no process or file descriptor left) or only one process is wanted, nothing runs in
    the background: result() does the work when asked."""

    def __init__(self, work: Callable[..., Any], *args: Any, jobs: int = 2):
        self.work, self.args, self.pid, self.reader = work, args, None, -1
        if jobs < 2 or not hasattr(os, "fork") or threading.active_count() > 1:
            return
        try:
            reader, writer = os.pipe()
        except OSError:  # out of file descriptors: do it here
            return
        parent = os.getpid()
        try:
            pid = os.fork()
        except OSError:  # out of processes or memory: do it here
            os.close(reader)
            os.close(writer)
            return
        if pid == 0:  # the child: send the value and leave, running none of the parent's exit code
            code = 1
            try:
                _end_with(parent)
                os.close(reader)
                with os.fdopen(writer, "wb") as out:
                    out.write(marshal.dumps(work(*args)))
                code = 0
            finally:
                os._exit(code)
        os.close(writer)
        self.pid, self.reader = pid, reader

    def result(self) -> Any:
        if self.pid is None:
            return self.work(*self.args)
        with os.fdopen(self.reader, "rb") as source:
            data = source.read()
        _, status = os.waitpid(self.pid, 0)
        self.pid = None
        if status != 0:  # it failed: here, the same work raises its error where it can be reported
            return self.work(*self.args)
        return marshal.loads(data)

    def __enter__(self) -> "Background":
        return self

    def __exit__(self, *failed: object) -> None:
        self.cancel()

    def cancel(self) -> None:
        """Stop the child if it still runs (its value is not needed); reap it either way."""
        if self.pid is not None:
            os.kill(self.pid, signal.SIGKILL)
            os.close(self.reader)
            os.waitpid(self.pid, 0)
            self.pid = None
