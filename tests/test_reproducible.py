"""Reproducible builds: the same input gives byte-identical output whatever the hash seed,
time zone, locale or the order the files were created in; no build-time date leaks in.

The search index too: Pagefind 1.5.2 writes the values of each filter in hash-map order, which
changes from run to run, and digest puts them in order and names the files after their new
bytes (search_format.steady_bundle).
"""

from __future__ import annotations

import datetime
import os
import re
import shutil
from pathlib import Path

import pytest

from helpers import ROOT, run_digest, snapshot

SETTINGS = '[tool.digest]\ntitle = "Reproducible"\nbase_url = "https://owner.github.io/repo/"\n'


def copy_site(target: Path, reverse: bool) -> Path:
    """The sample content and a static/ folder, their files created in sorted or reverse order
    (so directory listing order and inode order differ), with different modification times."""
    target.mkdir(parents=True)
    (target / "pyproject.toml").write_text(SETTINGS, encoding="utf-8")
    files = sorted(p for p in (ROOT / "content").rglob("*") if p.is_file())
    static = [f"static/{name}" for name in ("ads.txt", "images/a.png", "images/b.png", ".well-known/security.txt")]
    for number, path in enumerate(reversed(files + static) if reverse else files + static):
        copy = target / (path if isinstance(path, str) else path.relative_to(ROOT))
        copy.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(path, str):
            copy.write_bytes(path.encode() * 3)
        else:
            shutil.copyfile(path, copy)
        os.utime(copy, (1_000_000 + number * 7919, 1_000_000 + number * 7919))
    return target


ENVIRONMENTS = (
    {"PYTHONHASHSEED": "1", "TZ": "UTC", "LC_ALL": "C", "SOURCE_DATE_EPOCH": "1000000000"},
    {"PYTHONHASHSEED": "4242", "TZ": "Pacific/Kiritimati", "LC_ALL": "C.UTF-8", "SOURCE_DATE_EPOCH": "1000000000"},
)


@pytest.mark.parametrize("flags", [("--no-search",), ()], ids=["no-search", "with-search"])
def test_two_builds_are_byte_identical_and_hold_no_build_time_date(tmp_path, flags):
    """The sample content is dated 2025; today's date, the build's, must appear nowhere in
    either build. If a build-time date is ever added it must come from SOURCE_DATE_EPOCH (here
    2001-09-09)."""
    outputs = []
    for number, env in enumerate(ENVIRONMENTS):
        root = copy_site(tmp_path / f"site{number}", reverse=bool(number))
        result = run_digest(root, "build", "--quiet", *flags, env=env)
        assert result.returncode == 0, result.stderr
        outputs.append(snapshot(root / "output"))
    first, second = outputs
    assert len(first) > 40
    assert sorted(first) == sorted(second)
    assert [name for name in first if first[name] != second[name]] == []
    assert bool(flags) != any(re.fullmatch(r"pagefind/[0-9a-f]+/filter/[^/]+\.pf_filter", name) for name in first)
    today = datetime.datetime.now(datetime.timezone.utc).date()
    stamps = {today.isoformat(), f"{today.day} {today:%B} {today.year}", today.strftime("%a, %d %b %Y")}
    for name, data in first.items():
        text = data.decode("utf-8", "replace")
        assert not [stamp for stamp in stamps if stamp in text], name


def test_a_build_in_another_process_finds_the_last_ones_output_up_to_date(tmp_path):
    """A page's fingerprint is the same in every process: nothing in it may follow the hash
    seed (a set's order, say), or each build would find every page changed and render it."""
    root = copy_site(tmp_path / "site", reverse=False)
    for seed in ("1", "2"):
        result = run_digest(root, "build", "--no-search", env={"PYTHONHASHSEED": seed})
        assert result.returncode == 0, result.stderr
    assert "all unchanged: output/ was already up to date" in result.stdout
