"""The pipeline through the real CLI: the closing line, exit codes, atomic output."""

from __future__ import annotations

import os
import re
import subprocess
import sys

from conftest import entry_text, run_digest, snapshot

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
        "content/c.md:1: title: required field is missing: add 'title:' (headline of the entry)",
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
    """QA: two builds at once shared .output.staging/ and .output.old/; one failed with a raw
    OS error, the other said it built and left output/ with whole trees gone. A build now
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
    clean = site(files, name="clean")
    assert run_digest(clean, "build", "--no-search", "--no-cache").returncode == 0
    assert snapshot(root / "output") == snapshot(clean / "output")
    assert not (root / ".output.staging").exists()
    assert set(os.listdir(root)) <= {"content", "output", "pyproject.toml", ".digest-cache", ".output.old"}


def test_check_needs_no_lock(site):
    root = site({"content/a.md": entry_text()})
    assert run_digest(root, "build", "--no-search").returncode == 0
    with output_lock(root / "output"):
        result = run_digest(root, "check", timeout=30)
    assert result.returncode == 0, result.stderr
