"""Reading and rewriting the files of one Pagefind index, in the format of Pagefind 1.5.

Pagefind writes its filter files (`filter/*.pf_filter`) with the values of each filter in
hash-map order, different on every run, and names each file, and the metadata file that
lists them, after its bytes: the same pages give different file names and bytes each time.
`steady_bundle` puts the values in order and names the files after their new bytes, so the
same pages always give the same files, byte for byte; a shard built now is then the shard a
clean build makes. The same pass makes what a reader's first query fetches smaller: the
metadata (which the search page loads for every shard) names each page's fragment by a
number instead of a hash, and the word index is split into smaller files, so that a looked-up
word costs a small file instead of one of some fifty words. The metadata lists each of these
files under the ranges of words that lead Pagefind's script to it (`_ranges`): a query word,
or any beginning of one of two letters or more, loads every file holding a word it begins,
so it finds the pages it finds in an index of one file; a single letter loads one file.
Each file is a gzip stream of `pagefind_dcd` and CBOR (RFC 8949):

- the metadata file: [version, pages, index chunks, filters, sorts, (in 1.5) metadata names],
  where a page is [fragment name, word count], an index chunk [from, to, file name] (here a
  file may be listed more than once, under several ranges) and a filter [filter name, file
  name]
- a word-index file: [[word, ...]], each word [word, pages, ...], its pages numbered within it
- a filter file: [filter name, [[value, [page number, ...]], ...]]

The same pass reads each filter value's page count, which the search page's filter panel
shows before it loads any filter file (`search.filter_summary`). Anything not as described
(another Pagefind's format) is left as Pagefind wrote it: still a working index, and the
counts are then unknown (None).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

SIGNATURE = b"pagefind_dcd"
ENTRY_FILE = "pagefind-entry.json"
# Which rewrite a shard had (part of its name in search_plan.py): a shard written by another
# rewrite is indexed again, never served under the name of this one.
FORMAT = 4
# A word-index file holds words until the next would take it past this many bytes (before
# gzip; a word larger than this has a file of its own). Measured at 5,000 pages a shard:
# a looked-up file is about 1.5 KB gzipped against Pagefind's 20 KB (median), while the
# list of files in the metadata grows from 1.4 KB to 2.7 KB; the ranges of _ranges add about
# 30% to it (2.8 KB to 3.6 KB gzipped at 2,500 entries a shard).
CHUNK_BYTES = 8192
EXTENDED_BYTES = 2 * CHUNK_BYTES
EXTENDING_LETTERS = 3   # shorter words ("a", "in") begin too many others to keep them together
# gzip's level for the word-index files: a shard's whole index is compressed at each rewrite,
# and level 9 takes over half as long again for files 0.4% smaller.
WORDS_LEVEL = 6


class FormatError(ValueError):
    """A file not in the format this module knows."""


# --- CBOR, the subset Pagefind writes: unsigned integers, text, arrays -------------------------

def _head(data: bytes, at: int) -> tuple[int, int, int]:
    """(major type, argument, offset after the head) of the item at `at`."""
    if at >= len(data):
        raise FormatError("truncated")
    first = data[at]
    major, info = first >> 5, first & 31
    if info < 24:
        return major, info, at + 1
    if info > 27:
        raise FormatError("indefinite length or reserved")
    size = 1 << (info - 24)
    if at + 1 + size > len(data):
        raise FormatError("truncated")
    return major, int.from_bytes(data[at + 1:at + 1 + size], "big"), at + 1 + size


def _text(data: bytes, at: int) -> tuple[str, int]:
    major, length, at = _head(data, at)
    if major != 3 or at + length > len(data):
        raise FormatError("expected text")
    return data[at:at + length].decode("utf-8"), at + length


def _array(data: bytes, at: int) -> tuple[int, int]:
    major, length, at = _head(data, at)
    if major != 4:
        raise FormatError("expected an array")
    return length, at


def _encode_head(major: int, argument: int) -> bytes:
    if argument < 24:
        return bytes([major << 5 | argument])
    for info, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if argument < 1 << (8 * size):
            return bytes([major << 5 | info]) + argument.to_bytes(size, "big")
    raise FormatError("number too large")


def _encode_text(text: str) -> bytes:
    raw = text.encode("utf-8")
    return _encode_head(3, len(raw)) + raw


# --- files ------------------------------------------------------------------------------------

def unpack(path: Path) -> bytes:
    data = gzip.decompress(path.read_bytes())
    if not data.startswith(SIGNATURE):
        raise FormatError(f"{path.name}: no Pagefind signature")
    return data[len(SIGNATURE):]


def pack(data: bytes, level: int = 9) -> bytes:
    """Gzip with no name and no time in its header: the same data always gives the same bytes."""
    return gzip.compress(SIGNATURE + data, compresslevel=level, mtime=0)


def read_filter(data: bytes) -> tuple[str, list[tuple[str, bytes, int]]]:
    """A filter file's name and its values: (value, the value's CBOR item, its page count)."""
    length, at = _array(data, 0)
    if length != 2:
        raise FormatError("a filter file is a pair")
    name, at = _text(data, at)
    count, at = _array(data, at)
    values = []
    for _ in range(count):
        start = at
        pair, at = _array(data, at)
        if pair != 2:
            raise FormatError("a filter value is a pair")
        value, at = _text(data, at)
        pages, after = _array(data, at)
        at = _skip(data, at)
        values.append((value, data[start:at], pages))
    if at != len(data):
        raise FormatError("trailing bytes in a filter file")
    return name, values


def _hash_name(language: str, data: bytes, digits: int) -> str:
    return f"{language}_{hashlib.sha256(data).hexdigest()[:digits]}"


def _skip(data: bytes, at: int, count: int = 1) -> int:
    """The offset after the `count` items that start at `at`: a flat loop, as a word-index
    file holds hundreds of thousands of small integers."""
    end = len(data)
    try:
        while count:
            count -= 1
            first = data[at]
            at += 1
            info = first & 31
            if info < 24:
                argument = info
            elif info == 24:
                argument = data[at]
                at += 1
            elif info == 25:
                argument = data[at] << 8 | data[at + 1]
                at += 2
            elif info < 28:
                size = 1 << (info - 24)
                argument = int.from_bytes(data[at:at + size], "big")
                at += size
            else:
                raise FormatError("indefinite length or reserved")
            major = first >> 5
            if major == 4:
                count += argument
            elif major in (2, 3):
                at += argument
            elif major > 4:
                raise FormatError(f"CBOR major type {major}")
    except IndexError:
        raise FormatError("truncated") from None
    if at > end:
        raise FormatError("truncated")
    return at


@dataclass(frozen=True)
class Rewrite:
    """What steady_bundle writes, worked out before anything is written."""

    meta: bytes                             # the new metadata
    meta_name: str                          # its hash, as pagefind-entry.json names it
    filters: list[tuple[Path, Path, bytes]]  # (Pagefind's filter file, the new one, its bytes)
    chunks: list[tuple[str, bytes]]          # (new word-index file name, its bytes)
    old_chunks: list[Path]                   # Pagefind's word-index files
    fragments: list[tuple[Path, Path]]       # (Pagefind's fragment file, its new name)
    counts: dict[str, dict[str, int]]        # filter -> value -> pages


def steady_filters(folder: Path) -> None:
    """Put the filter values of every language's index in folder in order and name the files
    after their new bytes, for an index of several languages, which the rest of the rewrite
    leaves as Pagefind wrote it: the same pages then give the same files. Nothing is changed
    where the index is not in the format known here."""
    entry_path = folder / ENTRY_FILE
    try:
        entry = json.loads(entry_path.read_text(encoding="utf-8"))
        plans = []
        for language, index in sorted(entry["languages"].items()):
            old_meta = folder / f"pagefind.{index['hash']}.pf_meta"
            meta = unpack(old_meta)
            starts = _parts(meta)
            filters, rewritten, _ = _new_filters(folder, meta, starts[3], language)
            meta = meta[:starts[3]] + filters + meta[starts[4]:]
            name = _hash_name(language, meta, len(index["hash"]) - len(language) - 1)
            plans.append((index, old_meta, meta, name, rewritten))
    except (FormatError, OSError, ValueError, KeyError, TypeError, gzip.BadGzipFile, EOFError):
        return
    for index, old_meta, meta, name, rewritten in plans:
        for old, new, data in rewritten:
            _replace(old, new, data)
        (folder / f"pagefind.{name}.pf_meta").write_bytes(pack(meta))
        index["hash"] = name
        if old_meta.name != f"pagefind.{name}.pf_meta":
            os.unlink(old_meta)
    entry["languages"] = dict(sorted(entry["languages"].items()))  # Pagefind writes them in hash-map order
    entry_path.write_text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


def steady_bundle(folder: Path) -> dict[str, dict[str, int]] | None:
    """Rewrite the Pagefind index in folder so that it depends on the pages only and a first
    query fetches less of it (see the module's docstring); return each filter's values with
    their page counts, or None where the index is not in the format known here (then
    nothing is changed). A failure to write is an OSError: the caller discards the folder."""
    try:
        rewrite = _plan(folder)
    except (FormatError, OSError, ValueError, KeyError, TypeError, gzip.BadGzipFile, EOFError):
        return None
    _write(folder, rewrite)
    return rewrite.counts


def _parts(meta: bytes) -> list[int]:
    """The offset of each part of the metadata, and its end."""
    length, at = _array(meta, 0)
    if length < 5:
        raise FormatError("metadata of five parts or more")
    starts = []
    for _ in range(length):
        starts.append(at)
        at = _skip(meta, at)
    if at != len(meta):
        raise FormatError("trailing bytes in the metadata")
    return starts + [at]


def _plan(folder: Path) -> Rewrite:
    entry = json.loads((folder / ENTRY_FILE).read_text(encoding="utf-8"))
    languages = entry["languages"]
    if len(languages) != 1:
        raise FormatError("one language per index")
    (language, index), = languages.items()
    old_meta = folder / f"pagefind.{index['hash']}.pf_meta"
    meta = unpack(old_meta)
    # The metadata: [version, pages, index chunks, filters, sorts, ...]; sorts and what
    # follows them are kept as they are.
    starts = _parts(meta)
    pages, fragments = _new_pages(folder, meta, starts[1])
    chunk_list, chunks, old_chunks = _new_chunks(folder, meta, starts[2])
    filters, rewritten, counts = _new_filters(folder, meta, starts[3], language)
    meta = meta[:starts[1]] + pages + chunk_list + filters + meta[starts[4]:]
    meta_name = _hash_name(language, meta, len(index["hash"]) - len(language) - 1)
    return Rewrite(meta, meta_name, rewritten, chunks, old_chunks, fragments, counts)


def _new_pages(folder: Path, meta: bytes, at: int) -> tuple[bytes, list[tuple[Path, Path]]]:
    """The page list with each fragment named by the number of its first page: Pagefind's
    names are hashes of 7 hex digits or more, which gzip cannot shrink, and the shard's
    folder name already changes with any page's bytes, so a name need not."""
    count, at = _array(meta, at)
    names: dict[str, str] = {}
    out = [_encode_head(4, count)]
    for number in range(count):
        pair, at = _array(meta, at)
        if pair != 2:
            raise FormatError("a page is a pair")
        old, at = _text(meta, at)
        major, words, at = _head(meta, at)
        if major != 0:
            raise FormatError("a page's word count is a number")
        new = names.setdefault(old, str(number))
        out.append(_encode_head(4, 2) + _encode_text(new) + _encode_head(0, words))
    fragments = folder / "fragment"
    moves = [(fragments / f"{old}.pf_fragment", fragments / f"{new}.pf_fragment") for old, new in names.items()]
    if set(names) & set(names.values()):
        raise FormatError("a fragment already named as a number")
    if not all(old.is_file() for old, _ in moves):
        raise FormatError("a fragment the metadata names is missing")
    return b"".join(out), moves


def _new_chunks(folder: Path, meta: bytes, at: int) -> tuple[bytes, list[tuple[str, bytes]], list[Path]]:
    """The word index again, in the files of split_words, and the metadata's list of them."""
    count, at = _array(meta, at)
    old_chunks, words = [], []
    for _ in range(count):
        triple, at = _array(meta, at)
        if triple != 3:
            raise FormatError("an index chunk is a triple")
        _, at = _text(meta, at)
        _, at = _text(meta, at)
        name, at = _text(meta, at)
        path = folder / "index" / f"{name}.pf_index"
        old_chunks.append(path)
        words.extend(_words(unpack(path)))
    if any(earlier >= later for (earlier, _), (later, _) in zip(words, words[1:])):
        raise FormatError("the words of the index out of order")
    ranges, groups = split_words(words)
    chunks = [(str(number), pack(_encode_head(4, 1) + _encode_head(4, len(group)) + b"".join(i for _, i in group), WORDS_LEVEL))
              for number, group in enumerate(groups)]
    if {name for name, _ in chunks} & {path.stem for path in old_chunks}:
        raise FormatError("an index chunk already named as a number")
    listed = [_encode_head(4, 3) + _encode_text(start) + _encode_text(end) + _encode_text(name) for start, end, name in ranges]
    return _encode_head(4, len(listed)) + b"".join(listed), chunks, old_chunks


def split_words(words: list[tuple[str, bytes]]) -> tuple[list[tuple[str, str, str]], list[list[tuple[str, bytes]]]]:
    """The ranges ([from, to, file name]) and the words of each file (named by its number) of
    a word index in files of about CHUNK_BYTES, from its (word, CBOR record) pairs in order:
    Pagefind puts about 50 words in a file (some 40 KB gzipped at 5,000 pages) and a query
    fetches one file per word and shard. Each word's record is kept byte for byte (its pages
    are numbered within it), and each file is listed under the ranges of _ranges."""
    groups, group, size, chain = [], [], 0, []
    for word, item in words:
        while chain and not word.startswith(chain[-1]):
            chain.pop()
        # A query word finds the words it begins ("elect": "election", "electorate") in few
        # files, so a word stays with the words of its file it extends, up to EXTENDED_BYTES.
        limit = EXTENDED_BYTES if chain else CHUNK_BYTES
        if group and size + len(item) > limit:
            groups.append(group)
            group, size, chain = [], 0, []
        group.append((word, item))
        if len(word) >= EXTENDING_LETTERS:
            chain.append(word)
        size += len(item)
    if group:
        groups.append(group)
    listed = []
    letters = {word[:1] for word, _ in words}
    for number, group in enumerate(groups):
        following = groups[number + 1][0][0] if number + 1 < len(groups) else ""
        # A beginning of one letter loads one file a shard, as in Pagefind's own index of many
        # files, not every file holding words it begins: at 20,000 entries those are 92 KiB
        # for the median letter, 1.4 MiB for "a", and a query of one letter matches nearly
        # every page anyway. The file of the letter's first word (the letter itself, if a
        # word) is listed under the letter to the letter followed by the lowest character:
        # a range that holds the letter and nothing longer, cut or not.
        firsts = sorted({word[:1] for word, _ in group} & letters)
        letters.difference_update(firsts)
        ranges = [(letter, letter + "\0") for letter in firsts]
        ranges += _ranges([word for word, _ in group], following)
        listed.extend((start, end, str(number)) for start, end in sorted(ranges))
    return listed, groups


def files_for(ranges: list[tuple[str, str, str]], term: str) -> set[str]:
    """The files Pagefind 1.5.2 loads for a query term (`request_indexes` in its
    pagefind_web/src/lib.rs, for the term and again for its stem), which the ranges of
    split_words are made for: every file with a range that holds the term; where none does,
    every file with a range that holds it once the range's ends and the term are cut to the
    shorter's length. Used by the benchmark and the tests."""
    strict = {name for start, end, name in ranges if start <= term <= end}
    if strict:
        return strict
    return {name for start, end, name in ranges
            if term[:len(start)] >= start[:len(term)] and term[:len(end)] <= end[:len(term)]}


def _ranges(words: list[str], following: str) -> list[tuple[str, str]]:
    """The ranges under which the metadata lists a file of `words`, given the next file's
    first word (or ""): each [first word, last word] of a run of its words.

    Pagefind 1.5 loads, for a query word, every file with a range that holds it; only where
    none does, every file with a range that holds it once the range's ends are cut to the
    query word's length (and the query word to theirs), which is every file holding a word
    it begins. A beginning of two letters or more shared by this file's last word and the
    next file's first ("el" of "elder" and "elect") must therefore be in no range: the run
    before the first word it begins ends there, and that word, if it is the beginning itself
    ("el"), is in no run; it is found as the beginning is, by a later word of its file it
    begins. Where that is the last word ("in", a large word in a file of its own, then
    "inc"), the file is also listed under the last word followed by the lowest character, a
    range that holds no query word and, cut, only the last word and its beginnings: a range
    ending in "in" would hold, cut, every word in "in" that is in no range, and fetch the
    file for each. For that reason a word of one letter is in no run either (split_words
    lists it under a range of its own). Every other query word is in the range of at most
    one run, whose file holds every word it begins."""
    last = words[-1]
    shared = len(os.path.commonprefix([last, following]))
    cuts, unlisted, at = set(), {at for at, word in enumerate(words) if len(word) == 1}, 0
    for length in range(2, shared + 1):
        beginning = last[:length]
        while not words[at].startswith(beginning):
            at += 1
        cuts.add(at)
        if words[at] == beginning:
            unlisted.add(at)
    runs, run = [], []
    for at, word in enumerate(words):
        if at in cuts and run:
            runs.append(run)
            run = []
        if at not in unlisted:
            run.append(word)
    if run:
        runs.append(run)
    ranges = [(run[0], run[-1]) for run in runs]
    if shared == len(last) > 1:
        ranges.append((last + "\0", last + "\0"))
    return ranges




def _words(data: bytes) -> list[tuple[str, bytes]]:
    """(word, its CBOR record) of each word of a word-index file: [[[word, pages, ...], ...]]."""
    length, at = _array(data, 0)
    if length != 1:
        raise FormatError("a word-index file is one list")
    count, at = _array(data, at)
    words = []
    for _ in range(count):
        start = at
        fields, inner = _array(data, at)
        if fields < 2:
            raise FormatError("a word is a list of two parts or more")
        word, _ = _text(data, inner)
        at = _skip(data, start)
        words.append((word, data[start:at]))
    if at != len(data):
        raise FormatError("trailing bytes in a word-index file")
    return words


def _new_filters(folder: Path, meta: bytes, at: int, language: str):
    """The filter list, and each filter file with its values in order, named after its bytes."""
    count, at = _array(meta, at)
    listed = []
    for _ in range(count):
        pair, at = _array(meta, at)
        name, at = _text(meta, at)
        chunk, at = _text(meta, at)
        if pair != 2:
            raise FormatError("a filter entry is a pair")
        listed.append((name, chunk))
    counts: dict[str, dict[str, int]] = {}
    renamed: list[tuple[Path, bytes, str, str]] = []  # (old file, new bytes, filter, new hash)
    for name, chunk in listed:
        path = folder / "filter" / f"{chunk}.pf_filter"
        filter_name, values = read_filter(unpack(path))
        if filter_name != name:
            raise FormatError("a filter file named for another filter")
        values.sort(key=lambda value: value[0].encode("utf-8"))
        data = _encode_head(4, 2) + _encode_text(name) + _encode_head(4, len(values)) + b"".join(
            item for _, item, _ in values)
        counts[name] = {value: pages for value, _, pages in values}
        renamed.append((path, data, name, _hash_name(language, data, len(chunk) - len(language) - 1)))
    if len({new for *_, new in renamed}) != len(renamed):
        raise FormatError("two filter files with one name")
    renamed.sort(key=lambda item: item[2].encode("utf-8"))
    filters = _encode_head(4, len(renamed)) + b"".join(
        _encode_head(4, 2) + _encode_text(name) + _encode_text(new) for _, _, name, new in renamed)
    files = [(old, old.with_name(f"{new}.pf_filter"), pack(data)) for old, data, _, new in renamed]
    return filters, files, counts


def _write(folder: Path, rewrite: Rewrite) -> None:
    """New files first, then the metadata and pagefind-entry.json that name them, Pagefind's
    own files last: an error on the way leaves a folder the caller discards."""
    for name, data in rewrite.chunks:
        (folder / "index" / f"{name}.pf_index").write_bytes(data)
    for old, new, data in rewrite.filters:
        _replace(old, new, data)
    for old, new in rewrite.fragments:
        os.rename(old, new)
    entry_path = folder / ENTRY_FILE
    entry = json.loads(entry_path.read_text(encoding="utf-8"))
    (language, index), = entry["languages"].items()
    old_meta = folder / f"pagefind.{index['hash']}.pf_meta"
    (folder / f"pagefind.{rewrite.meta_name}.pf_meta").write_bytes(pack(rewrite.meta))
    index["hash"] = rewrite.meta_name
    entry_path.write_text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    if old_meta.name != f"pagefind.{rewrite.meta_name}.pf_meta":
        os.unlink(old_meta)
    for path in rewrite.old_chunks:
        os.unlink(path)


def _replace(old: Path, new: Path, data: bytes) -> None:
    if new != old:
        new.write_bytes(data)
        os.unlink(old)
    else:
        old.write_bytes(data)


def bundle_version(folder: Path) -> str | None:
    """The Pagefind version that wrote the index in folder (its pagefind-entry.json)."""
    try:
        return json.loads((folder / ENTRY_FILE).read_text(encoding="utf-8"))["version"]
    except (OSError, ValueError, KeyError, TypeError):
        return None


def page_count(folder: Path) -> int:
    """Pages in the index in folder (its pagefind-entry.json); FormatError if unreadable."""
    try:
        entry = json.loads((folder / ENTRY_FILE).read_text(encoding="utf-8"))
        return sum(language["page_count"] for language in entry["languages"].values())
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
        raise FormatError(str(error)) from None
