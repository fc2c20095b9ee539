"""Which entry pages go into which search shard, and what the search page is told about them.

The index is split into shards of at most `search_shard_entries` entries (2,500 by default),
taken in date order from the oldest: shard 0 holds the oldest entries, the last shard the
newest, which is the only one that is not full. Each shard is a Pagefind index of its own,
built from its entries' pages only, in `pagefind/<name>/`, where the name is a hash of the
Pagefind version, digest's rewrite of its files (search_format.FORMAT), the language and each
page's path and bytes: a shard whose pages did not
change keeps its name, and is kept from the last build instead of indexed again.

Why a fixed number of entries in date order, and not one shard per year:
- a year is not a bounded size: a newsroom with 30,000 entries a year would build a shard as
  large as the whole index it replaces, with Pagefind's memory (about 175 KB a page) to match;
- in date order, a new entry (the common change) lands in the newest shard, and an edit in
  place changes only its own shard; the search page orders "newest first" by putting the
  shards' own date-sorted results one after another (shards never overlap in time);
- an entry added or removed among older ones moves the ones after it along by one: those
  shards are indexed again. Dates in the past are rarely added, so that cost is rare.

Why 2,500: an edit re-indexes one shard, so its time follows the shard's size, while a
reader's first query fetches, from every shard, its page list (which grows with its entries,
so the sum does not depend on the number of shards) and, for each word, the word-index files
holding the words it begins, mostly one (search_format rewrites them small): more, smaller
shards cost a reader little. The figures
are in benchmarks/README.md.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Callable, Sequence

from .search_format import FORMAT

TOP_VALUES = 10   # filter values the manifest lists for each filter: the panel shows them first


@dataclass(frozen=True)
class Shard:
    number: int                 # 0 for the oldest entries
    pages: tuple[str, ...]      # its entry pages (output paths), oldest first
    name: str                   # its folder under pagefind/


def plan_shards(pages: Sequence[str], digest_of: Callable[[str], bytes], version: str, language: str,
                size: int) -> tuple[Shard, ...]:
    """pages: every entry page, oldest first; digest_of(path): the page's blake2b digest."""
    shards = []
    for number, start in enumerate(range(0, len(pages), size)):
        members = tuple(pages[start:start + size])
        name = hashlib.sha256(json.dumps(
            [version, FORMAT, language, [[path, digest_of(path).hex()] for path in members]]).encode("utf-8")).hexdigest()[:16]
        shards.append(Shard(number, members, name))
    return tuple(shards)


def filter_summary(counts: Sequence[dict[str, dict[str, int]] | None]) -> dict | None:
    """Each filter's number of values and its TOP_VALUES most used ones, with their entry
    counts over every shard (each entry is in one shard, so the counts add up); None when
    a shard's counts are unknown."""
    if any(found is None for found in counts):
        return None
    totals: dict[str, dict[str, int]] = {}
    for found in counts:
        for name, values in found.items():
            into = totals.setdefault(name, {})
            for value, pages in values.items():
                into[value] = into.get(value, 0) + pages
    summary = {}
    for name in sorted(totals):
        values = totals[name]
        top = sorted(values.items(), key=lambda item: (-item[1], item[0]))[:TOP_VALUES]
        summary[name] = {"values": len(values), "top": [[value, pages] for value, pages in top]}
    return summary


def manifest(shards: Sequence[Shard], entries: Sequence[int], version: str,
             counts: Sequence[dict | None]) -> bytes:
    """pagefind/shards.json, read by search.js: the shards, newest first, each with its
    number of entries; `runtime`, the shard whose pagefind.js and WebAssembly the page loads
    (the oldest: its name changes least often, so a browser's cached copy lasts); and the
    filter summary (filter_summary)."""
    document = {
        "version": version,
        "runtime": shards[0].name,
        "shards": [{"name": shard.name, "entries": count} for shard, count in reversed(list(zip(shards, entries)))],
        "filters": filter_summary(counts),
    }
    return json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")
