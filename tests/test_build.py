"""The pipeline through the real CLI: the closing line, exit codes, atomic output."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from helpers import assert_equals_clean_build, entry_text, run_digest, snapshot

from digest.write import output_lock


def test_build_prints_what_it_built_and_the_stage_timings(site):
    root = site({"content/a.md": entry_text(), "content/b.md": entry_text(title="B", tags="[Ukraine]")})
    result = run_digest(root, "build", "--no-search")
    assert result.returncode == 0, result.stderr
    assert re.fullmatch(r"Built \d+ pages from 2 entries into output/ in \d+\.\d\d s "
                        r"\(load \d+\.\d\d, render \d+\.\d\d, write \d+\.\d\d\)\n", result.stdout), result.stdout
    assert result.stderr == ""
    assert (root / "output" / ".nojekyll").is_file()


def test_all_content_errors_are_listed_at_once_and_exit_1(site):
    root = site({"content/a.md": entry_text(date="2025-13-45"),
                 "content/b.md": entry_text(tags="{a: b}"),
                 "content/c.md": entry_text(title=None)})
    result = run_digest(root, "build", "--no-search")
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "content/a.md:3: date: '2025-13-45' is not a real date; expected a date like 2025-07-23, or a date-time like 2025-07-23T10:00:00+03:00",
        "content/b.md:5: tags: expected a list of text such as [Russia, Ukraine], got a mapping",
        "content/c.md:5: title: required field is missing: add a line such as title: \"Talks resume in Istanbul\" "
        "above this closing '---' (headline of the entry)",
        "digest: 3 errors in 3 files; output/ was not changed",
    ]


def test_a_failed_build_leaves_the_previous_output_untouched(site):
    root = site({"content/a.md": entry_text()})
    assert run_digest(root, "build", "--no-search").returncode == 0
    before = snapshot(root / "output")
    (root / "content" / "b.md").write_text(entry_text(title="B", date="nope"), encoding="utf-8")
    result = run_digest(root, "build", "--no-search")
    assert result.returncode == 1
    assert snapshot(root / "output") == before
    # no staging folder is left; the cache and the spare copy kept for fast rebuilds may be
    assert set(os.listdir(root)) <= {"content", "output", "pyproject.toml", ".digest-cache", ".output.old"}
    assert not (root / ".output.staging").exists()


def test_a_successful_build_leaves_no_stale_file(site):
    root = site({"content/a.md": entry_text(), "content/b.md": entry_text(title="B", tags="[Gone]")})
    assert run_digest(root, "build", "--no-search").returncode == 0
    assert (root / "output/tags/gone/index.html").is_file()
    (root / "content" / "b.md").unlink()
    (root / "output" / "stray.txt").write_text("left by hand")
    assert run_digest(root, "build", "--no-search").returncode == 0
    assert not (root / "output/tags/gone").exists() and not (root / "output/stray.txt").exists()


def test_strict_turns_warnings_into_errors(site):
    root = site({"content/a.md": entry_text(tag="[x]")})
    lenient = run_digest(root, "build", "--no-search")
    assert lenient.returncode == 0
    assert "content/a.md:6: warning: tag: unknown field (did you mean 'tags'?)" in lenient.stderr.splitlines()
    strict = run_digest(root, "build", "--no-search", "--strict")
    assert strict.returncode == 1
    assert strict.stderr.splitlines()[0] == "content/a.md:6: tag: unknown field (did you mean 'tags'?)"


def test_usage_errors_exit_2(site):
    root = site({"content/a.md": entry_text()})
    assert run_digest(root, "build", "--no-such-flag").returncode == 2
    assert run_digest(root).returncode == 2


def test_bad_settings_exit_1_without_a_traceback(site):
    root = site({"content/a.md": entry_text()}, 'per_page = "ten"\n')
    result = run_digest(root, "build", "--no-search")
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == "pyproject.toml:2: tool.digest.per_page: expected a whole number of at least 1, got 'ten'"
    assert "Traceback" not in result.stderr


def test_check_validates_without_writing(site):
    root = site({"content/a.md": entry_text()})
    result = run_digest(root, "check")
    assert result.returncode == 0 and not (root / "output").exists()
    (root / "content" / "b.md").write_text(entry_text(summary=None), encoding="utf-8")
    result = run_digest(root, "check")
    assert result.returncode == 1 and not (root / "output").exists()


def test_the_same_input_gives_byte_identical_output(site):
    root = site({"content/a.md": entry_text(), "content/b.md": entry_text(title="B", tags="[x, Y]")})
    assert run_digest(root, "build", "--no-search").returncode == 0
    first = snapshot(root / "output")
    assert run_digest(root, "build", "--no-search", env={"PYTHONHASHSEED": "123", "TZ": "Asia/Tokyo"}).returncode == 0
    assert snapshot(root / "output") == first


def test_the_failure_summary_names_the_configured_output_folder(site):
    root = site({"content/a.md": entry_text(date="nope")}, 'output_dir = "public"\n')
    result = run_digest(root, "build", "--no-search")
    assert result.returncode == 1
    assert result.stderr.splitlines()[-1] == "digest: 1 error in 1 file; public/ was not changed"


WAITING = "digest: waiting for another digest build writing output/ to finish\n"


def test_a_build_waits_while_another_writes_the_output_then_builds(site):
    """Two builds at once would share .output.staging/ and .output.old/: one would fail with a
    raw OS error, the other leave output/ with whole trees gone. A build
    holds a lock on the folder holding output/: here the test holds it, through the same helper, while two
    real builds start; each says it waits and touches nothing, and once it is free both build,
    one after the other, the site a clean build of the same content gives."""
    files = {f"content/e{number}.md": entry_text(title=f"Entry {number}", tags=f"[T{number % 3}]")
             for number in range(12)}
    root = site(files)
    assert run_digest(root, "build", "--no-search").returncode == 0  # a cache and a spare to reuse
    files["content/e3.md"] = entry_text(title="Edited", tags="[New]")
    (root / "content/e3.md").write_text(files["content/e3.md"], encoding="utf-8")
    before = snapshot(root / "output")
    builds = []
    with output_lock(root / "output"):
        for flags in ([], ["--no-cache"]):
            builds.append(subprocess.Popen([sys.executable, "-m", "digest", "build", "--no-search", *flags],
                                           cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
            # Blocks until the line comes, or (without the lock) until the build ends without it.
            assert builds[-1].stderr.readline() == WAITING
        assert snapshot(root / "output") == before
        assert not (root / ".output.staging").exists()
    for build in builds:
        out, err = build.communicate(timeout=120)
        assert (build.returncode, err) == (0, ""), err
        assert out.startswith("Built ")
    assert not (root / ".output.staging").exists()
    assert set(os.listdir(root)) <= {"content", "output", "pyproject.toml", ".digest-cache", ".output.old"}
    assert_equals_clean_build(root)


def test_check_needs_no_lock(site):
    root = site({"content/a.md": entry_text()})
    assert run_digest(root, "build", "--no-search").returncode == 0
    with output_lock(root / "output"):
        result = run_digest(root, "check", timeout=30)
    assert result.returncode == 0, result.stderr


def children_of(pid: int) -> set[int]:
    found = set()
    for stat_file in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat_file.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.add(int(stat_file.parent.name))
    return found


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.slow  # a build of 600 entries, killed and built again
def test_a_killed_build_leaves_no_worker_behind_holding_the_lock(site):
    """Killing only a build's main process (`kill PID`, the OOM killer) must not leave its forked
    workers alive, holding its lock, or every later build waits forever. A child closes its
    copy of the lock when forked, and a worker dies with the build that forked it."""
    files = {f"content/e{n:03}.md": entry_text(title=f"Entry {n}", tags=f"[T{n % 7}]",
                                               date=f"2025-{1 + n // 28 % 12:02}-{1 + n % 28:02}") for n in range(600)}
    root = site(files)
    build = subprocess.Popen([sys.executable, "-m", "digest", "build", "--no-search", "--no-cache", "--jobs", "2"],
                             cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while len(workers := children_of(build.pid)) < 2 and build.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    assert len(workers) >= 2, "the build forked no workers to kill it among"
    build.send_signal(signal.SIGKILL)
    build.wait()
    deadline = time.monotonic() + 10
    while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(alive(pid) for pid in workers), "workers outlived the killed build"
    result = run_digest(root, "build", "--no-search", timeout=120)
    assert result.returncode == 0 and "waiting" not in result.stderr, result.stderr


def test_a_child_forked_while_a_build_holds_the_lock_does_not_hold_it(site, tmp_path):
    """Were a worker to outlive its build (no prctl: not Linux), it must not keep the lock."""
    code = f"""
import os, sys, time
from pathlib import Path
from digest.write import output_lock
with output_lock(Path({str(tmp_path / 'output')!r})):
    child = os.fork()
    if child == 0:
        time.sleep(30)
        os._exit(0)
print(child, flush=True)
time.sleep(30)
"""
    holder = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    with holder.stdout:
        child = int(holder.stdout.readline())
    try:
        holder.kill()  # the lock's owner is gone; its child lives on
        holder.wait()
        assert alive(child)
        taken = subprocess.run([sys.executable, "-c", f"""
import fcntl, os
descriptor = os.open({str(tmp_path)!r}, os.O_RDONLY | os.O_DIRECTORY)
fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
"""], capture_output=True, text=True, timeout=30)
        assert taken.returncode == 0, taken.stderr
    finally:
        os.kill(child, signal.SIGKILL)


def test_a_named_pipe_in_content_is_not_read(site):
    """`content/x.md` as a named pipe (mkfifo) was listed as an entry and opened: the build
    waited for a writer for ever, holding the output lock. Only files are entries."""
    root = site({"content/a.md": entry_text()})
    os.mkfifo(root / "content/pipe.md")
    for args in (("build", "--no-search"), ("check",)):
        result = run_digest(root, *args, timeout=30)
        assert result.returncode == 0, result.stderr
    assert "from 1 entry" in run_digest(root, "build", "--no-search", "--no-cache", timeout=30).stdout
