"""`digest serve` keeps search live: a saved entry re-indexes its own shard only, the others are
linked from the last index, and the preview's search finds the new words. Real server, real Pagefind."""

from __future__ import annotations

import gzip
import json
import time

from helpers import TIMEOUT, entry_text


def test_a_saved_entry_re_indexes_its_shard_only_and_search_follows(site, serve):
    root = site({f"content/2025/07/e{day}.md": entry_text(title=f"Entry {day}", date=f"2025-07-0{day}",
                                                         body=f"Body {day}.") for day in (1, 2, 3)},
                "search_shard_entries = 1\n")
    server = serve(root)
    before = json.loads(server.get("/pagefind/shards.json")[2])
    folder = max(server.temp.glob("search-*"), key=lambda path: int(path.name.partition("-")[2])) / "pagefind"
    files = {shard["name"]: {path.stat().st_ino for path in (folder / shard["name"]).rglob("*") if path.is_file()}
             for shard in before["shards"]}
    (root / "content/2025/07/e2.md").write_text(entry_text(title="Entry 2", date="2025-07-02", body="Zanzibar."),
                                                encoding="utf-8")
    deadline = time.monotonic() + TIMEOUT
    while (after := json.loads(server.get("/pagefind/shards.json")[2])) == before:
        assert time.monotonic() < deadline, "no new index after the save"
        time.sleep(0.05)
    names = [shard["name"] for shard in after["shards"]]
    old = [shard["name"] for shard in before["shards"]]
    assert names[0] == old[0] and names[2] == old[2] and names[1] != old[1]  # newest first: e3, e2, e1
    newest = max(server.temp.glob("search-*"), key=lambda path: int(path.name.partition("-")[2])) / "pagefind"
    for name in (names[0], names[2]):  # linked from the last index, not indexed again
        assert {path.stat().st_ino for path in (newest / name).rglob("*") if path.is_file()} == files[name]
    fragments = (newest / names[1] / "fragment").iterdir()
    assert any(b"Zanzibar" in gzip.decompress(path.read_bytes()) for path in fragments)
    for path in (newest / names[1]).rglob("*"):  # and the preview serves the new shard
        if path.is_file():
            status, _, data = server.get(f"/pagefind/{path.relative_to(newest).as_posix()}")
            assert (status, data) == (200, path.read_bytes())
