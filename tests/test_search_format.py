"""digest's rewrite of each Pagefind index (search_format.steady_bundle): fragments named by
number, the word index in small files, filter counts read. Real Pagefind over the sample site's
pages; the rewritten index and Pagefind's own answer every word of the index alike in a real
browser, with the word index split into many files so that every boundary is crossed."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from helpers import ROOT, run_digest, serve_folder
from digest import search_format
from digest.search import BUNDLE, MANIFEST, _run_pagefind
from digest.search_format import ENTRY_FILE, unpack


def sample_output(tmp_path: Path) -> Path:
    root = tmp_path / "sample"
    shutil.copytree(ROOT / "content", root / "content")
    shutil.copy(ROOT / "pyproject.toml", root / "pyproject.toml")
    result = run_digest(root, "build", "--output", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    return tmp_path / "out"


def metadata(bundle: Path) -> tuple[list, list]:
    """The pages ([fragment name, word count]) and index chunks ([from, to, file]) of an index."""
    entry = json.loads((bundle / ENTRY_FILE).read_text(encoding="utf-8"))
    (index,) = entry["languages"].values()
    meta = unpack(bundle / f"pagefind.{index['hash']}.pf_meta")
    starts = search_format._parts(meta)
    return _strings(meta, starts[1], 2), _strings(meta, starts[2], 3)


def _strings(data: bytes, at: int, width: int) -> list:
    count, at = search_format._array(data, at)
    rows = []
    for _ in range(count):
        _, at = search_format._array(data, at)
        row = []
        for _ in range(width):
            major, argument, after = search_format._head(data, at)
            if major == 3:
                value, at = search_format._text(data, at)
            else:
                value, at = argument, after
            row.append(value)
        rows.append(row)
    return rows


def index_words(bundle: Path) -> list[str]:
    return index_words_from(bundle, metadata(bundle)[1])


def index_words_from(bundle: Path, chunks: list) -> list[str]:
    return [word for *_, name in chunks for word, _ in search_format._words(unpack(bundle / "index" / f"{name}.pf_index"))]


def test_a_built_shard_names_its_fragments_and_word_files_by_number_and_counts_its_filters(tmp_path):
    output = sample_output(tmp_path)
    manifest = json.loads((output / BUNDLE / MANIFEST).read_text(encoding="utf-8"))
    (shard,) = manifest["shards"]
    bundle = output / BUNDLE / shard["name"]
    pages, chunks = metadata(bundle)
    assert len(pages) == shard["entries"]
    assert sorted(path.name for path in (bundle / "fragment").iterdir()) == sorted(
        f"{number}.pf_fragment" for number in range(len(pages)))
    assert [name for *_, name in chunks] == [str(number) for number in range(len(chunks))]
    assert sorted(path.name for path in (bundle / "index").iterdir()) == sorted(f"{name}.pf_index" for *_, name in chunks)
    assert manifest["filters"]["tag"]["top"]  # read in the same pass: the rewrite was not skipped
    words = index_words(bundle)
    assert words == sorted(words) and len(words) > 100


@pytest.fixture
def two_indexes(tmp_path, monkeypatch):
    """Pagefind's own index of the sample site's entry pages (`raw/`) and the same rewritten
    with word-index files of 64 bytes or so, each word kept with every word it begins
    (`small/`) or not (`tiny/`), served over HTTP."""
    output = sample_output(tmp_path)
    served = tmp_path / "served"
    pages = served / "pages"
    shutil.copytree(output, pages, ignore=shutil.ignore_patterns(BUNDLE))
    _run_pagefind(pages, served / "raw", "en", "for the test", False)
    shutil.copytree(served / "raw", served / "small")
    monkeypatch.setattr(search_format, "CHUNK_BYTES", 64)
    monkeypatch.setattr(search_format, "EXTENDED_BYTES", 1 << 30)
    monkeypatch.setattr(search_format, "EXTENDING_LETTERS", 1)
    assert search_format.steady_bundle(served / "small") is not None
    shutil.copytree(served / "raw", served / "tiny")
    monkeypatch.setattr(search_format, "EXTENDED_BYTES", 64)
    assert search_format.steady_bundle(served / "tiny") is not None
    (served / "index.html").write_text("<!doctype html><title>indexes</title>", encoding="utf-8")
    for base, folder in serve_folder(served):
        yield base + "/", folder


COUNT_EACH = """async (words) => {
  const counts = {};
  for (const name of ["raw", "small"]) {
    const pagefind = await import(`/${name}/pagefind.js`);
    await pagefind.options({ basePath: `/${name}/`, noWorker: true });
    counts[name] = [];
    for (const word of words) {
      const answer = await pagefind.search(word);
      const first = answer.results.length ? (await answer.results[0].data()).url : null;
      counts[name].push([answer.results.length, first]);
    }
  }
  return counts;
}"""


def test_every_word_finds_what_pagefinds_own_index_finds_across_many_small_word_files(browser, two_indexes):
    """Each word of the index alone, and with a common word, answers as in Pagefind's own index
    (which at this size is one file): the same number of results, the same first result."""
    url, served = two_indexes
    _, chunks = metadata(served / "small")
    _, raw_chunks = metadata(served / "raw")
    assert len(chunks) > 10 * len(raw_chunks)
    words = index_words(served / "raw")
    assert words == index_words(served / "small")
    queries = words + [f"{word} said" for word in words]
    page = browser.new_page()
    try:
        page.goto(url)
        counts = page.evaluate(COUNT_EACH, queries)
    finally:
        page.close()
    assert all(count >= 1 for count, _ in counts["small"][:len(words)])
    assert dict(zip(queries, counts["small"])) == dict(zip(queries, counts["raw"]))


def test_no_word_files_range_ends_with_the_beginning_of_a_later_word(two_indexes):
    """Pagefind looks a word that is in no file's range up in the first file whose range,
    trimmed to the word's length, holds it: a range ending in "a" would be fetched for every
    missing word in a. Each word is still in its own file's range."""
    _, served = two_indexes
    _, chunks = metadata(served / "tiny")
    assert len(chunks) > 100
    words = [index_words_from(served / "tiny", [chunk]) for chunk in chunks]
    assert all(start <= word <= end for (start, end, _), group in zip(chunks, words) for word in group)
    later = [set(word for group in words[at + 1:] for word in group) for at in range(len(words))]
    ends = [end for _, end, _ in chunks]
    assert any(end != group[-1] for end, group in zip(ends, words))  # the case arises here
    assert not [end for end, after in zip(ends, later) if any(word.startswith(end) for word in after)]
