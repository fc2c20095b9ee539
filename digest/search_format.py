"""Reading (and steadying) the files of one Pagefind index, in the format of Pagefind 1.5.

Pagefind writes its filter files (`filter/*.pf_filter`) with the values of each filter in
hash-map order, different on every run, and names each file, and the metadata file that
lists them, after its bytes: the same pages give different file names and bytes each time.
`steady_bundle` puts the values in order and names the files after their new bytes, so the
same pages always give the same files, byte for byte; a shard built now is then the shard a
clean build makes. Each file is a gzip stream of `pagefind_dcd` and CBOR (RFC 8949):

- a filter file: [filter name, [[value, [page number, ...]], ...]]
- the metadata file: [version, pages, index chunks, [[filter name, filter file hash], ...], sorts,
  (in 1.5) metadata names]

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
from pathlib import Path

SIGNATURE = b"pagefind_dcd"
ENTRY_FILE = "pagefind-entry.json"


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


def _item_end(data: bytes, at: int) -> int:
    """The offset just after the item that starts at `at`."""
    major, argument, at = _head(data, at)
    if major == 0:
        return at
    if major in (2, 3):
        if at + argument > len(data):
            raise FormatError("truncated")
        return at + argument
    if major == 4:
        for _ in range(argument):
            at = _item_end(data, at)
        return at
    raise FormatError(f"CBOR major type {major}")


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


def pack(data: bytes) -> bytes:
    """Gzip with no name and no time in its header: the same data always gives the same bytes."""
    return gzip.compress(SIGNATURE + data, compresslevel=9, mtime=0)


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
        at = _item_end(data, at)
        values.append((value, data[start:at], pages))
    if at != len(data):
        raise FormatError("trailing bytes in a filter file")
    return name, values


def _hash_name(language: str, data: bytes, digits: int) -> str:
    return f"{language}_{hashlib.sha256(data).hexdigest()[:digits]}"


def steady_bundle(folder: Path) -> dict[str, dict[str, int]] | None:
    """Rewrite the filter files, the metadata file and pagefind-entry.json of the Pagefind
    index in folder so that they depend on the pages only (see the module's docstring);
    return each filter's values with their page counts, or None where the index is not in
    the format known here (then nothing is changed)."""
    try:
        return _steady(folder)
    except (FormatError, OSError, ValueError, KeyError, TypeError, gzip.BadGzipFile, EOFError):
        return None


def _steady(folder: Path) -> dict[str, dict[str, int]]:
    entry = json.loads((folder / ENTRY_FILE).read_text(encoding="utf-8"))
    languages = entry["languages"]
    if len(languages) != 1:
        raise FormatError("one language per index")
    (language, index), = languages.items()
    old_meta = folder / f"pagefind.{index['hash']}.pf_meta"
    meta = unpack(old_meta)
    # The metadata: [version, pages, index chunks, filters, sorts, ...]; only filters changes.
    length, at = _array(meta, 0)
    if length < 5:
        raise FormatError("metadata of five parts or more")
    starts = []
    for _ in range(length):
        starts.append(at)
        at = _item_end(meta, at)
    if at != len(meta):
        raise FormatError("trailing bytes in the metadata")
    count, at = _array(meta, starts[3])
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
    meta = meta[:starts[3]] + filters + meta[starts[4]:]
    meta_hash = _hash_name(language, meta, len(index["hash"]) - len(language) - 1)
    # Written under new names first, the old ones removed last: an error on the way leaves a
    # folder the caller discards, never one that names a file it does not hold.
    for old, data, _, new in renamed:
        _replace(old, old.with_name(f"{new}.pf_filter"), pack(data))
    _replace(old_meta, folder / f"pagefind.{meta_hash}.pf_meta", pack(meta))
    index["hash"] = meta_hash
    (folder / ENTRY_FILE).write_text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    return counts


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
