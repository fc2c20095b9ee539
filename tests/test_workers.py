"""workers.Background: a value worked out by a forked child while the build goes on."""

from __future__ import annotations

import os
import threading
import time

import pytest

from digest.workers import Background


def whose(extra: int = 0) -> tuple[int, int]:
    return os.getpid(), extra


def fails(pid: int) -> int:
    if os.getpid() != pid:
        raise RuntimeError("only the child fails")
    raise ValueError("the work's own error")


def test_value_comes_from_a_child_on_another_core():
    with Background(whose, 7, jobs=2) as work:
        pid, extra = work.result()
    assert pid != os.getpid() and extra == 7


def test_one_job_or_another_thread_means_no_child():
    assert Background(whose, jobs=1).result()[0] == os.getpid()
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:  # forking a process with other threads is unsafe: the work runs here when asked
        assert Background(whose, jobs=2).result()[0] == os.getpid()
    finally:
        stop.set()
        other.join()


def test_a_failed_child_leaves_the_work_to_this_process_and_its_error_to_the_caller():
    work = Background(fails, os.getpid(), jobs=2)
    assert work.pid is not None
    with pytest.raises(ValueError, match="the work's own error"):
        work.result()


def test_cancel_stops_and_reaps_the_child():
    work = Background(time.sleep, 30, jobs=2)
    pid = work.pid
    started = time.perf_counter()
    work.cancel()
    assert time.perf_counter() - started < 5
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)
    work.cancel()  # twice is harmless
