"""`digest serve`, run for real in a subprocess on a free port, talked to over real sockets."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import sys
import threading
import time
from functools import partial

import pytest

from helpers import TIMEOUT, Server, entry_text, run_digest, snapshot, two_entries, write_site
from digest.serve import find_file, find_page, is_editor_noise, request_path


def test_a_second_ctrl_c_while_stopping_still_removes_the_temporary_folder(site):
    """Ctrl-C pressed twice, or GNU timeout's TERM sent to the process and its group: the
    second signal comes while the preview closes, and must not cut the cleanup short."""
    root = site({"content/a.md": entry_text()})
    for signals in ([signal.SIGINT, signal.SIGINT], [signal.SIGTERM, signal.SIGTERM], [signal.SIGINT, signal.SIGTERM]):
        server = Server(root)
        for number in signals:
            server.process.send_signal(number)
            time.sleep(0.005)
        code = server.stop()
        assert code in (0, 130), (code, server.errors)
        assert not any("Traceback" in line for line in server.errors), server.errors
        assert not server.temp.exists(), f"{server.temp} was left behind ({signals})"

def test_an_edited_title_reaches_the_home_page_and_the_entry_page(site, serve):
    root = two_entries(site)
    server = serve(root)
    status, headers, home = server.get("/")
    assert status == 200 and b"Talks in Istanbul" in home
    assert headers["Cache-Control"] == "no-store"
    assert b'src="/__digest__/reload.js"' in home
    assert not (root / "output").exists(), "serve must never build into output/"
    assert server.temp.is_dir() and not server.temp.is_relative_to(root)

    (root / "content/2025/07/talks.md").write_text(entry_text(title="Talks moved to Geneva"), encoding="utf-8")
    server.wait_for("/", "Talks moved to Geneva")
    page = server.wait_for("/2025/07/talks/", "Talks moved to Geneva")
    assert b"Talks in Istanbul" not in page
    line = server.wait_line(lambda text: "content/2025/07/talks.md changed: rebuilt" in text)
    assert "1 re-read" in line, line  # only the edited file was read again
    pages, rendered = map(int, re.search(r"rebuilt (\d+) pages .* (\d+) rendered", line).groups())
    assert 0 < rendered < pages, line  # pages the edit cannot reach (404, search, tags index...) keep their bytes


def test_a_broken_entry_shows_an_overlay_over_the_last_good_site_then_recovers(site, serve):
    root = two_entries(site)
    server = serve(root)
    entry = root / "content/2025/07/talks.md"
    entry.write_text("---\ntitle: Talks\ndate: 2025-07-23\nsummary: [unclosed\ntags: [Russia]\n---\nBody\n", encoding="utf-8")
    server.wait_line(lambda text: "content/2025/07/talks.md changed: rebuild failed with 1 error" in text)
    page = server.wait_for("/2025/07/talks/", 'id="digest-overlay"')
    assert b"Talks in Istanbul" in page, "the last good page is still served"
    assert re.search(rb"content/2025/07/talks\.md:\d+: YAML syntax error", page), page
    home = server.get("/")[2]
    assert b'id="digest-overlay"' in home and b"Talks in Istanbul" in home
    deadline = time.monotonic() + TIMEOUT
    while not any("talks.md" in line and "YAML syntax error" in line for line in server.errors):
        assert time.monotonic() < deadline, server.errors
        time.sleep(0.05)

    entry.write_text(entry_text(title="Talks, fixed"), encoding="utf-8")
    page = server.wait_for("/2025/07/talks/", "Talks, fixed")
    assert b'id="digest-overlay"' not in page
    assert b'id="digest-overlay"' not in server.get("/")[2]


def test_a_template_that_raises_or_loops_is_named_in_the_overlay_then_recovers(site, serve):
    root = two_entries(site, 'theme = "mine"\n')
    templates = root / "themes/mine/templates"
    templates.mkdir(parents=True)
    server = serve(root)
    template = templates / "entry.html"
    for body, error in [("{{ 1 / 0 }}", "themes/mine/templates/entry.html:3: template error (ZeroDivisionError)"),
                        ('{% include "entry.html" %}', "themes/mine/templates/entry.html:3: template error: endless recursion"),
                        ('{% include "_byline.html" %}', "themes/mine/templates/entry.html:3: template not found: _byline.html")]:
        template.write_text('{% extends "base.html" %}\n{% block content %}\n' + body + "\n{% endblock %}\n", encoding="utf-8")
        page = server.wait_for("/2025/07/talks/", error)
        assert b'id="digest-overlay"' in page and b"internal error" not in page
    template.write_text('{% extends "base.html" %}\n{% block content %}<p>Mended</p>{% endblock %}\n', encoding="utf-8")
    page = server.wait_for("/2025/07/talks/", "Mended")
    assert b'id="digest-overlay"' not in page


def test_the_served_site_is_byte_for_byte_what_build_writes_even_after_edits(site, serve):
    """The incremental path (entries kept in memory, templates kept compiled, unchanged pages
    linked) must give the same site as a full `digest build` with the same base URL."""
    root = two_entries(site)
    (root / "themes/default/templates").mkdir(parents=True)
    server = serve(root)
    (root / "content/2025/07/talks.md").write_text(entry_text(title="Talks moved", tags="[Russia, Turkey]"), encoding="utf-8")
    (root / "content/2025/08").mkdir()
    (root / "content/2025/08/new.md").write_text(entry_text(title="A new entry", date="2025-08-01", tags="[Turkey]"),
                                                 encoding="utf-8")
    server.wait_for("/", "A new entry")
    server.wait_for("/", "Talks moved")
    (root / "themes/default/templates/404.html").write_text(
        '{% extends "base.html" %}{% block content %}<h1>Lost</h1>{% endblock %}', encoding="utf-8")
    server.wait_for("/gone", "Lost", status=404)
    result = run_digest(root, "build", "--no-search", "--base-url", server.url)
    assert result.returncode == 0, result.stderr
    expected = snapshot(root / "output")
    # Pages are served from memory; the folder of each build is written just after, in the background.
    deadline = time.monotonic() + TIMEOUT
    while True:
        newest = max(int(folder.name.partition("-")[2]) for folder in server.temp.glob("site-*")
                     if folder.name.partition("-")[2].isdigit())
        served = snapshot(server.temp / f"site-{newest}")
        if served == expected or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert served == expected
    for path, data in expected.items():  # and over HTTP (HTML carries the reload script)
        if not path.endswith(".html") and "/" not in path and path != ".nojekyll":
            assert server.get("/" + path)[2] == data, path


def test_deleted_and_moved_entries_leave_the_site(site, serve):
    root = two_entries(site)
    server = serve(root)
    (root / "content/2025/07/call.md").unlink()
    server.wait_for("/2025/07/call/", "Page not found", status=404)
    assert b"A phone call" not in server.get("/")[2]
    (root / "content/2025/07").rename(root / "content/moved")  # a whole folder at once
    (root / "content/moved/talks.md").write_text(entry_text(title="Talks, moved folder"), encoding="utf-8")
    server.wait_for("/", "Talks, moved folder")
    (root / "content/moved").rename(root / "content/_parked")  # `_` folders hold no entries
    server.wait_for("/2025/07/talks/", "Page not found", status=404)


def test_the_overlay_escapes_the_authors_text(site, serve):
    root = two_entries(site)
    server = serve(root)
    (root / "content/2025/07/talks.md").write_text(entry_text(date="<script>alert(1)</script>"), encoding="utf-8")
    page = server.wait_for("/", 'id="digest-overlay"')
    assert b"got &#x27;&lt;script&gt;alert(1)&lt;/script&gt;&#x27;" in page
    assert b"<script>alert(1)" not in page
    status = server.get("/__digest__/events?version=-1")[2]
    assert b"<script>alert(1)</script>" in status  # JSON text: the page puts it in with textContent


def test_the_reload_endpoint_answers_when_a_rebuild_finishes(site, serve):
    root = two_entries(site)
    server = serve(root)
    version = int(re.search(rb'data-version="(\d+)"', server.get("/")[2]).group(1))
    answer: list = []
    poller = threading.Thread(target=lambda: answer.append(server.get(f"/__digest__/events?version={version}")))
    poller.start()
    time.sleep(0.3)
    (root / "content/2025/07/call.md").write_text(entry_text(title="A second call", date="2025-07-03"), encoding="utf-8")
    poller.join(timeout=TIMEOUT)
    status, headers, body = answer[0]
    assert status == 200 and headers["Content-Type"] == "application/json"
    assert re.search(rb'"version": (\d+)', body).group(1) != str(version).encode()
    assert b'"errors": []' in body


@pytest.fixture(scope="module")
def traversal_server(tmp_path_factory):
    """One server for every path below: a request changes nothing it serves."""
    folder = tmp_path_factory.mktemp("traversal")
    (folder / "secret.txt").write_text("TOP SECRET", encoding="utf-8")
    root = two_entries(partial(write_site, folder / "site"), 'base_url = "https://example.org/repo/"\n')
    server = Server(root)
    build = next(server.temp.glob("site-*"))
    # Plant links in the served folder: the server must not follow them out (or at all).
    (build / "leak.txt").symlink_to(folder / "secret.txt")
    (build / "leakdir").symlink_to(folder)
    yield server
    server.stop_cleanly()


TRAVERSALS = [
    "/repo/../secret.txt", "/repo/../../secret.txt", "/repo/%2e%2e/secret.txt", "/repo/%2E%2E/%2e%2e/secret.txt",
    "/repo/%252e%252e/secret.txt", "/repo/..%2fsecret.txt", "/repo/..%2F..%2Fsecret.txt", "/repo/..\\secret.txt",
    "/repo/%5c..%5csecret.txt", "/repo/....//secret.txt", "//secret.txt", "//evil.example/repo/",
    "/repo//evil.example/", "/repo/leak.txt", "/repo/leakdir/secret.txt", "/repo/leakdir/",
    "/repo/%00", "/repo/index.html%00.txt", "/../../../../etc/passwd", "/repo/%2e%2e%2f%2e%2e%2fetc/passwd",
    "http://evil.example/repo/", "/repo/./index.html", "/repo/%c0%ae%c0%ae/secret.txt",
]


@pytest.mark.parametrize("path", TRAVERSALS)
def test_paths_leading_out_of_the_root_are_refused(traversal_server, path):
    status, headers, body = traversal_server.get(path)
    assert status in (400, 403, 404), (path, status, headers)
    assert b"TOP SECRET" not in body and b"root:x:0:0" not in body
    assert "Location" not in headers


def test_host_headers_other_than_the_served_address_are_refused(site, serve):
    server = serve(two_entries(site))
    port = server.port
    assert server.get("/", host=f"127.0.0.1:{port}")[0] == 200
    assert server.get("/", host=f"localhost:{port}")[0] == 200
    for host in (f"evil.example:{port}", "evil.example", f"127.0.0.1.evil.example:{port}", f"localhost:{port + 1}",
                 f"127.0.0.1:{port}@evil.example"):
        status, _, body = server.get("/", host=host)
        assert status == 403, host
        assert b"Talks in Istanbul" not in body
    assert server.get("/", host="")[0] == 400
    assert server.get("/__digest__/events?version=-1", host="evil.example")[0] == 403


def test_the_site_is_served_under_its_base_path(site, serve):
    server = serve(two_entries(site, 'base_url = "https://example.org/repo/"\n'))
    assert server.url.endswith("/repo/")
    status, headers, _ = server.get("/")
    assert status == 302 and headers["Location"] == "/repo/"
    status, headers, _ = server.get("/repo")
    assert status == 302 and headers["Location"] == "/repo/"
    status, headers, _ = server.get("/repo/2025/07/talks?x=1")
    assert status == 302 and headers["Location"] == "/repo/2025/07/talks/?x=1"
    status, _, home = server.get("/repo/")
    assert status == 200 and b'href="/repo/2025/07/talks/"' in home
    assert f'http://127.0.0.1:{server.port}/repo/'.encode() in server.get("/repo/2025/07/talks/")[2]  # canonical
    status, headers, page = server.get("/repo/no/such/page/")
    assert status == 404 and b"Page not found" in page and headers["Content-Type"].startswith("text/html")
    status, _, page = server.get("/elsewhere/")
    assert status == 404 and b"Page not found" in page
    assert server.get("/repo/static/style.css")[1]["Content-Type"].startswith("text/css")


def test_static_files_are_served_and_an_edit_of_one_rebuilds(site, serve):
    root = two_entries(site, 'base_url = "https://example.org/repo/"\n')
    server = serve(root)  # no static/ yet: it appears while serving, already holding a file
    (root / "static/.well-known").mkdir(parents=True)
    policy = root / "static/.well-known/security.txt"
    policy.write_text("Contact: one", encoding="utf-8")
    server.wait_for("/repo/.well-known/security.txt", "Contact: one")
    policy.write_text("Contact: two", encoding="utf-8")  # a hidden folder, yet watched
    server.wait_for("/repo/.well-known/security.txt", "Contact: two")
    server.wait_line(lambda line: "static/.well-known/security.txt changed" in line and ": rebuilt " in line)
    (root / "static/images").mkdir()
    (root / "static/images/map.png").write_bytes(b"\x89PNG map")
    server.wait_for("/repo/images/map.png", "PNG map")
    assert server.get("/repo/images/map.png")[1]["Content-Type"] == "image/png"
    (root / "static/images/.map.png.swp").write_text("vim", encoding="utf-8")  # editor litter: no rebuild, not served
    policy.unlink()
    server.wait_for("/repo/.well-known/security.txt", "Page not found", status=404)
    assert server.get("/repo/images/.map.png.swp")[0] == 404
    assert not any("swp" in line for line in server.rebuild_lines()), server.rebuild_lines()


def test_search_is_indexed_for_the_preview_and_again_after_a_rebuild(site, serve):
    root = two_entries(site)
    server = serve(root)
    runtime = json.loads(server.get("/pagefind/shards.json")[2])["runtime"]
    status, headers, _ = server.get(f"/pagefind/{runtime}/pagefind.js")
    assert status == 200 and headers["Content-Type"].startswith("text/javascript")
    assert server.get(f"/pagefind/{runtime}/pagefind-entry.json")[0] == 200
    first = set(server.temp.glob("search-*"))
    (root / "content/2025/07/call.md").write_text(entry_text(title="Zanzibar summit", date="2025-07-03"), encoding="utf-8")
    server.wait_for("/", "Zanzibar summit")
    deadline = time.monotonic() + TIMEOUT
    while set(server.temp.glob("search-*")) <= first:
        assert time.monotonic() < deadline, "no new index after the rebuild"
        time.sleep(0.05)
    assert server.get("/pagefind/shards.json")[0] == 200


def test_a_search_page_begun_with_the_last_index_still_gets_its_files(site, serve):
    """Pagefind names its index and fragment files by their content, and a search page fetches
    them as it goes: one that fetched pagefind-entry.json before a new index was swapped in
    must still get the files that entry names, from the index before (kept for it)."""
    root = two_entries(site)
    server = serve(root)
    entry = server.get("/pagefind/shards.json")[2]
    indexes = sorted(server.temp.glob("search-*"))
    assert len(indexes) == 1
    folder = indexes[0] / "pagefind"
    first = {path.relative_to(folder).as_posix(): path.read_bytes() for path in folder.rglob("*") if path.is_file()}
    (root / "content/2025/07/call.md").write_text(entry_text(title="Zanzibar summit", date="2025-07-03"), encoding="utf-8")
    deadline = time.monotonic() + TIMEOUT
    while server.get("/pagefind/shards.json")[2] == entry:
        assert time.monotonic() < deadline, "no new index after the rebuild"
        time.sleep(0.05)
    newest = max(server.temp.glob("search-*"), key=lambda path: int(path.name.partition("-")[2])) / "pagefind"
    gone = [name for name in first if not (newest / name).exists()]
    assert any("/fragment/" in name for name in gone) and any("/index/" in name for name in gone)
    for name in gone:
        status, _, data = server.get(f"/pagefind/{name}")
        assert (status, data) == (200, first[name]), name
    assert server.get("/pagefind/shards.json")[2] != entry  # the newest index answers first


def test_a_save_storm_makes_one_rebuild(site, serve):
    root = two_entries(site)
    server = serve(root)
    entry = root / "content/2025/07/talks.md"
    before = len(server.rebuild_lines())
    for number in range(20):  # 20 writes in about 200 ms
        entry.write_text(entry_text(title=f"Storm {number}"), encoding="utf-8")
        time.sleep(0.01)
    server.wait_for("/", "Storm 19")
    time.sleep(1.5)  # room for a second rebuild to show up, were there one
    assert len(server.rebuild_lines()) - before == 1, "\n".join(server.rebuild_lines())


def test_editor_temp_files_are_ignored(site, serve):
    root = two_entries(site)
    server = serve(root)
    folder = root / "content/2025/07"
    for name in (".talks.md.swp", ".talks.md.swx", "talks.md~", "4913", ".#talks.md", "#talks.md#",
                 "talks.md.tmp", "talks.md___jb_tmp___"):
        (folder / name).write_text("---\nnot: [an entry\n", encoding="utf-8")
    time.sleep(0.3)
    (folder / "talks.md").write_text(entry_text(title="After the noise"), encoding="utf-8")
    server.wait_for("/", "After the noise")
    lines = server.rebuild_lines()
    assert all("talks.md changed" in line for line in lines[1:]), lines
    assert not any(word in " ".join(lines) for word in ("swp", "4913", "~", "#", ".tmp", "jb_tmp")), lines


def test_a_changed_template_or_setting_rebuilds_everything(site, serve):
    root = two_entries(site)
    (root / "themes/default/templates").mkdir(parents=True)
    server = serve(root)
    template = root / "themes/default/templates/404.html"
    template.write_text('{% extends "base.html" %}{% block content %}<h1>Lost at sea</h1>{% endblock %}', encoding="utf-8")
    server.wait_for("/nowhere/", "Lost at sea", status=404)
    settings = root / "pyproject.toml"
    replacement = root / "pyproject.toml.new"  # saved the way editors do: write aside, rename over
    replacement.write_text('[tool.digest]\ntitle = "Renamed digest"\n', encoding="utf-8")
    os.replace(replacement, settings)
    server.wait_for("/2025/07/talks/", "Renamed digest")
    replacement.write_text('[tool.digest]\ntitle = "Renamed again"\n', encoding="utf-8")
    os.replace(replacement, settings)
    server.wait_for("/", "Renamed again")
    replacement.write_text('[tool.digest]\ntitle = "Moved"\nbase_url = "https://example.org/moved/"\n', encoding="utf-8")
    os.replace(replacement, settings)
    page = server.wait_for("/moved/", "Moved")
    assert b'href="/moved/2025/07/talks/"' in page
    assert server.get("/")[1]["Location"] == "/moved/"
    # The terminal says where the preview is now: the old address is a 404.
    server.wait_line(lambda text: text.endswith(f"the base path changed: now serving http://127.0.0.1:{server.port}/moved/"))
    assert not any("the base path changed" in line for line in server.lines[:-1])


def test_drafts_are_served_only_with_the_drafts_flag(site, serve):
    root = two_entries(site)
    (root / "content/draft.md").write_text(entry_text(title="Unfinished piece", draft="true"), encoding="utf-8")
    assert b"Unfinished piece" not in serve(root).get("/")[2]
    assert b"Unfinished piece" in serve(root, "--drafts").get("/")[2]


def test_a_port_in_use_is_a_clear_error(site):
    root = two_entries(site)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        result = run_digest(root, "serve", "--port", str(taken.getsockname()[1]), timeout=60)
    assert result.returncode == 1
    assert "cannot listen on 127.0.0.1:" in result.stderr and "--port" in result.stderr
    assert "Traceback" not in result.stderr


def test_open_hands_the_url_to_the_web_browser(site, serve, tmp_path):
    opened = tmp_path / "opened.txt"
    browser = tmp_path / "browser.py"  # $BROWSER is how the webbrowser module is told what to run
    browser.write_text(f"import sys\nopen({str(opened)!r}, 'w').write(sys.argv[1])\n", encoding="utf-8")
    server = serve(two_entries(site), "--open", env={"BROWSER": f"{sys.executable} {browser} %s"})
    deadline = time.monotonic() + TIMEOUT
    while not (opened.exists() and opened.read_text()):
        assert time.monotonic() < deadline, "no browser was opened"
        time.sleep(0.05)
    assert opened.read_text() == server.url


def test_other_hosts_get_a_warning(site, serve):
    server = serve(two_entries(site), "--host", "0.0.0.0")
    assert server.url.startswith("http://127.0.0.1:")
    assert any("warning: serving on 0.0.0.0" in line for line in server.errors)


def test_on_all_addresses_a_device_on_the_network_may_ask_by_the_machines_address(site, serve):
    """A phone opens http://192.168.1.20:8000/: its Host is that address. Names other than
    the machine's are still refused (DNS rebinding sends a name, never an address)."""
    server = serve(two_entries(site), "--host", "0.0.0.0")
    port = server.port
    for host in (f"192.168.1.20:{port}", f"10.0.0.7:{port}", f"[fe80::1]:{port}"):
        status, _, body = server.get("/", host=host)
        assert status == 200 and b"Talks in Istanbul" in body, host
    for host in (f"192.168.1.20:{port + 1}", f"evil.example:{port}", f"192.168.1.20.evil.example:{port}",
                 f"999.1.1.1:{port}", "192.168.1.20"):
        assert server.get("/", host=host)[0] == 403, host
    # Listening on one address, only that address and localhost are answered.
    local = serve(two_entries(site))
    assert local.get("/", host=f"192.168.1.20:{local.port}")[0] == 403


def test_settings_errors_at_start_are_reported_without_a_traceback(site):
    root = two_entries(site, "per_pag = 3\n")
    result = run_digest(root, "serve", "--port", "0", timeout=60)
    assert result.returncode == 1
    assert "pyproject.toml:2: tool.digest.per_pag: unknown setting (did you mean 'per_page'?)" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_site_broken_from_the_start_is_served_as_an_error_page_until_fixed(site, serve):
    root = site({"content/a.md": entry_text(title="Alpha", tags=None)})
    server = serve(root)
    status, _, page = server.get("/")
    assert status == 500 and b'id="digest-overlay"' in page and b"content/a.md:5: tags: required field" in page
    # No good site yet: the terminal does not claim to serve one (it said "still serving the last good site").
    first = [line for line in server.lines if "initial build" in line]
    assert len(first) == 1 and re.fullmatch(r"[\d:]{8} initial build: rebuild failed with 1 error in [\d.]+ s; "
                                            r"serving the errors until it builds", first[0]), first
    (root / "content/a.md").write_text(entry_text(title="Alpha"), encoding="utf-8")
    server.wait_for("/", "Alpha")


def test_files_written_by_build_carry_no_reload_script(site):
    root = two_entries(site)
    result = run_digest(root, "build", "--no-search")
    assert result.returncode == 0, result.stderr
    for page in (root / "output").rglob("*"):
        if page.is_file():
            assert b"__digest__" not in page.read_bytes() and b"digest-overlay" not in page.read_bytes(), page


@pytest.mark.parametrize("raw, expected", [
    ("/", ("/", "")), ("/a/b/?q=1", ("/a/b/", "q=1")), ("/caf%C3%A9/", ("/café/", "")),
    ("/%252e%252e/", ("/%2e%2e/", "")),   # decoded once: a harmless name, not `..`
    ("/../x", None), ("/%2e%2e/x", None), ("/a/..%2fx", None), ("/a\\x", None), ("/%5cx", None),
    ("//host/x", None), ("/a/%2f/x", None), ("/a/./b", None), ("/%00", None), ("/%ff", None), ("x", None),
    ("http://evil/", None),
])
def test_request_paths_are_decoded_once_and_checked(raw, expected):
    assert request_path(raw) == expected


def test_find_page_answers_like_find_file():
    pages = {"index.html": b"home", "tags/index.html": b"tags", "tags/a/index.html": b"a", "feed.xml": b"feed"}
    assert find_page(pages, "") == ("index.html", b"home")
    assert find_page(pages, "tags/") == ("tags/index.html", b"tags")
    assert find_page(pages, "tags/a/") == ("tags/a/index.html", b"a")
    assert find_page(pages, "feed.xml") == ("feed.xml", b"feed")
    assert find_page(pages, "tags") == "slash" and find_page(pages, "tags/a") == "slash"
    assert find_page(pages, "tag") is None and find_page(pages, "tags/b/") is None and find_page(pages, "feed.xml/") is None


def test_find_file_never_follows_a_symlink(tmp_path):
    root = tmp_path / "root"
    (root / "sub").mkdir(parents=True)
    (root / "sub/index.html").write_text("hi")
    (tmp_path / "outside.txt").write_text("secret")
    (root / "out.txt").symlink_to(tmp_path / "outside.txt")
    (root / "inner.html").symlink_to(root / "sub/index.html")
    assert find_file(root, "sub/") == root / "sub/index.html"
    assert find_file(root, "sub") == "slash"
    assert find_file(root, "out.txt") is None
    assert find_file(root, "inner.html") is None
    assert find_file(root, "missing/") is None


@pytest.mark.parametrize("name, noise", [
    (".talks.md.swp", True), ("talks.md~", True), ("4913", True), (".#talks.md", True), ("#talks.md#", True),
    ("talks.md.tmp", True), ("x.md___jb_old___", True), ("sedTMpFWU", True), ("sediment.md", False), ("talks.md", False), ("_macros.html", False),
    ("style.css", False), ("pyproject.toml", False),
])
def test_editor_noise(name, noise):
    assert is_editor_noise(name) is noise


@pytest.mark.parametrize("name, noise", [(".well-known", False), (".htaccess", False), (".map.png.swp", True),
                                         (".#map.png", True), (".git", True), (".DS_Store", True), ("map.png", False)])
def test_in_static_a_hidden_name_is_no_noise_but_editor_files_are(name, noise):
    assert is_editor_noise(name, hidden=False) is noise
