"""digest's rewrite of each Pagefind index (search_format.steady_bundle): fragments named by
number, the word index in small files, filter counts read. Real Pagefind over the sample site's
pages; the rewritten index and Pagefind's own answer every word of the index, and every
beginning of one to three letters, alike in a real browser, with the word index split into
many files so that every boundary is crossed."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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


def word_files(bundle: Path) -> list[str]:
    """The names of an index's word-index files, in order (the metadata may list a file
    under several ranges)."""
    return list(dict.fromkeys(name for *_, name in metadata(bundle)[1]))


def index_words(bundle: Path) -> list[str]:
    return [word for name in word_files(bundle) for word in file_words(bundle, name)]


def file_words(bundle: Path, name: str) -> list[str]:
    return [word for word, _ in search_format._words(unpack(bundle / "index" / f"{name}.pf_index"))]


def test_a_built_shard_names_its_fragments_and_word_files_by_number_and_counts_its_filters(tmp_path):
    output = sample_output(tmp_path)
    manifest = json.loads((output / BUNDLE / MANIFEST).read_text(encoding="utf-8"))
    (shard,) = manifest["shards"]
    bundle = output / BUNDLE / shard["name"]
    pages, _ = metadata(bundle)
    assert len(pages) == shard["entries"]
    assert sorted(path.name for path in (bundle / "fragment").iterdir()) == sorted(
        f"{number}.pf_fragment" for number in range(len(pages)))
    names = word_files(bundle)
    assert names == [str(number) for number in range(len(names))]
    assert sorted(path.name for path in (bundle / "index").iterdir()) == sorted(f"{name}.pf_index" for name in names)
    assert manifest["filters"]["tag"]["top"]  # read in the same pass: the rewrite was not skipped
    words = index_words(bundle)
    assert words == sorted(words) and len(words) > 100


@pytest.fixture(scope="module")
def two_indexes(tmp_path_factory):
    """Pagefind's own index of the sample site's entry pages (`raw/`) and the same rewritten
    with word-index files of 64 bytes or so, each word kept with every word it begins
    (`small/`) or not (`tiny/`), served over HTTP."""
    tmp_path = tmp_path_factory.mktemp("indexes")
    output = sample_output(tmp_path)
    served = tmp_path / "served"
    pages = served / "pages"
    shutil.copytree(output, pages, ignore=shutil.ignore_patterns(BUNDLE))
    _run_pagefind(pages, served / "raw", "en", "for the test", False)
    with pytest.MonkeyPatch.context() as patch:
        shutil.copytree(served / "raw", served / "small")
        patch.setattr(search_format, "CHUNK_BYTES", 64)
        patch.setattr(search_format, "EXTENDED_BYTES", 1 << 30)
        patch.setattr(search_format, "EXTENDING_LETTERS", 1)
        assert search_format.steady_bundle(served / "small") is not None
        shutil.copytree(served / "raw", served / "tiny")
        patch.setattr(search_format, "EXTENDED_BYTES", 64)
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


# The pages each query finds in the index at `path`, each query in an instance of its own
# (`fresh`): an instance keeps every word-index file it has loaded, and a later query would
# find words in the files of the ones before. Instances of one module share its WebAssembly's
# memory and must take turns, so the queries run in four lanes, each with the module again
# under a URL of its own.
PAGES_OF_EACH = """async ([path, fresh, queries]) => {
  const found = new Array(queries.length);
  await Promise.all([0, 1, 2, 3].map(async (lane) => {
    const pagefind = await import(`${path}pagefind.js?lane=${lane}`);
    let instance = null;
    for (let at = lane; at < queries.length; at += 4) {
      if (instance === null || fresh) {
        if (instance) await instance.destroy();
        instance = pagefind.createInstance({ basePath: path, noWorker: true });
      }
      const answer = await instance.search(queries[at]);
      found[at] = answer.results.map((result) => result.id);
    }
  }));
  return found;
}"""


def test_every_beginning_of_a_word_finds_the_pages_pagefinds_own_index_finds(browser, two_indexes):
    """A reader typing a word: each of its beginnings of two and three letters, and whole
    words, finds the same pages, ranked alike, in an index split into files of 64 bytes (so
    that the words a beginning begins fill several files) as in Pagefind's own, at this size
    one file. A
    beginning of one letter loads one file, as in Pagefind's own index of many files: some
    of those pages."""
    url, served = two_indexes
    assert len(word_files(served / "raw")) == 1  # so its instance need not be fresh for each query
    words = index_words(served / "raw")
    letters = sorted({word[:1] for word in words})
    beginnings = sorted({word[:length] for word in words for length in (2, 3) if len(word) > length})
    queries = letters + beginnings + words[::5]
    raw_pages, _ = metadata(served / "raw")
    number = {name: str(at) for at, (name, _) in enumerate(raw_pages)}  # the rewrite's fragment names
    page = browser.new_page()
    try:
        page.goto(url)
        raw = page.evaluate(PAGES_OF_EACH, ["/raw/", False, queries])
        tiny = page.evaluate(PAGES_OF_EACH, ["/tiny/", True, queries])
    finally:
        page.close()
    expected = {query: [number[name] for name in names] for query, names in zip(queries, raw)}
    found = dict(zip(queries, tiny))  # in the order of their ranking
    assert all(expected.values())
    assert {query: found[query] for query in queries[len(letters):]} == {
        query: expected[query] for query in queries[len(letters):]}
    assert all(found[letter] and set(found[letter]) <= set(expected[letter]) for letter in letters)
    assert any(len(found[letter]) < len(expected[letter]) for letter in letters)  # one file only


def test_no_word_files_range_ends_with_the_beginning_of_a_later_word(two_indexes):
    """A range ending in "a" would hold, cut to one letter, every word in a that is in no
    range: each of them would fetch that file. Each range runs from a word of its file to a
    later one; or from a letter to the letter followed by the lowest character, in the file
    of the letter's first word; or is a file's last word followed by the lowest character,
    where the next file begins with that word. A word in none of its file's ranges is a
    letter or begins the next file's first word."""
    _, served = two_indexes
    _, chunks = metadata(served / "tiny")
    names = word_files(served / "tiny")
    assert len(names) > 100 and len(chunks) > len(names)  # files under several ranges arise here
    words = {name: file_words(served / "tiny", name) for name in names}
    everything = [word for name in names for word in words[name]]
    lowest = [(start, name) for start, end, name in chunks if start == end == words[name][-1] + "\0"]
    letters = [(start, name) for start, end, name in chunks if len(start) == 1 and end == start + "\0"]
    assert lowest  # arises here too
    assert sorted(letter for letter, _ in letters) == sorted({word[:1] for word in everything})
    for letter, name in letters:
        assert next(word for word in everything if word.startswith(letter)) in words[name]
    for start, end, name in chunks:
        if (start, name) not in lowest + letters:
            assert start in words[name] and end in words[name] and start <= end
        assert not [word for word in everything if word > end and word.startswith(end)]
    for name, following in zip(names, names[1:]):
        unlisted = [word for word in words[name]
                    if not any(start <= word <= end for start, end, owner in chunks if owner == name)]
        assert all(len(word) == 1 or words[following][0].startswith(word) for word in unlisted)


WORDS = st.lists(st.text(alphabet="abzé日", min_size=1, max_size=6), min_size=1, max_size=50, unique=True)


@settings(max_examples=300, deadline=None)
@given(WORDS, st.lists(st.integers(1, 40), min_size=50, max_size=50), st.sampled_from([8, 40, 200]),
       st.sampled_from([1, 3]))
def test_the_files_pagefind_loads_for_a_beginning_hold_every_word_it_begins_and_no_other(words, sizes, chunk, keep):
    """By Pagefind 1.5.2's choice of files (search_format.files_for), over any words and
    files: a beginning of two letters or more, a whole word, or a word with a letter more
    loads every file holding a word it begins and, where there is one, no other; a letter
    loads the one file of its first word."""
    words = sorted(words)
    records = [(word, search_format._encode_head(4, 2) + search_format._encode_text(word)
                + search_format._encode_head(4, size) + bytes([1]) * size) for word, size in zip(words, sizes)]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(search_format, "CHUNK_BYTES", chunk)
        patch.setattr(search_format, "EXTENDED_BYTES", 2 * chunk)
        patch.setattr(search_format, "EXTENDING_LETTERS", keep)
        ranges, groups = search_format.split_words(records)
    assert [record for group in groups for record in group] == records
    holding = {word: str(number) for number, group in enumerate(groups) for word, _ in group}
    terms = {word[:length] for word in words for length in range(2, len(word) + 1)}
    for term in sorted(terms | {word + "z" for word in words}):
        needed = {holding[word] for word in words if word.startswith(term)}
        loaded = search_format.files_for(ranges, term)
        assert needed <= loaded and (loaded == needed or not needed), term
    for letter in {word[:1] for word in words}:
        first = next(word for word in words if word.startswith(letter))
        assert search_format.files_for(ranges, letter) == {holding[first]}
