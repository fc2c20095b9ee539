"""benchmarks/make_corpus.py: the benchmark corpus is ours, deterministic, as its docstring
describes it, and a site digest builds without a warning."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
import yaml

from helpers import ROOT, run_digest, snapshot, write_site

MAKE_CORPUS = ROOT / "benchmarks" / "make_corpus.py"


def make(out: Path, n: int, seed: int = 1) -> dict[str, bytes]:
    subprocess.run([sys.executable, str(MAKE_CORPUS), "--n", str(n), "--seed", str(seed), "--out", str(out)],
                   check=True, capture_output=True, timeout=120)
    return snapshot(out)


def test_the_same_n_and_seed_make_the_same_bytes_and_another_seed_does_not(tmp_path):
    first = make(tmp_path / "a", 60)
    assert make(tmp_path / "b", 60) == first
    assert make(tmp_path / "c", 60, seed=2) != first
    assert len(first) == 60


def test_entries_have_the_fields_and_sizes_the_benchmark_expects(tmp_path):
    files = make(tmp_path / "corpus", 200)
    tags: Counter = Counter()
    for name, data in files.items():
        year, month, file = name.split("/")
        assert file.endswith(".md") and len(year) == 4 and len(month) == 2
        _, front, body = data.decode("utf-8").split("---\n", 2)
        fields = yaml.safe_load(front)
        assert {"title", "date", "author", "source", "tags", "summary"} <= set(fields)
        assert fields["date"].strftime("%Y/%m") == f"{year}/{month}"
        assert set(fields["source"]) == {"name", "url"}
        assert 2 <= len(fields["tags"]) <= 6 and len(set(fields["tags"])) == len(fields["tags"])
        assert len(fields.get("people", [])) <= 3
        assert 250 <= len(body.split()) <= 450, name
        assert "\ntags:\n  - " in front   # block lists: bench.py's tags measurement edits the first one
        tags.update(fields["tags"])
    ranked = [count for _, count in tags.most_common()]
    assert ranked[0] > 10 * ranked[len(ranked) // 2]   # Zipf-like: a few tags on many entries
    assert any(not tag.isascii() for tag in tags)


@pytest.mark.slow  # a build of 150 entries
def test_digest_builds_it_strictly(tmp_path):
    make(tmp_path / "site" / "content", 150)
    site = write_site(tmp_path / "site", {}, 'title = "Corpus"\n')
    built = run_digest(site, "build", "--strict", "--no-search")
    assert built.returncode == 0, built.stderr
    assert "from 150 entries" in built.stdout
