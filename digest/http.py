"""The preview's HTTP server: a build in memory (or its search index on disk) answered by
path, with the reload script and the overlay in every HTML page (overlay.py). Paths are
decoded once and refused if they could leave the site; only the preview's own address is
answered (no DNS rebinding)."""

from __future__ import annotations

import ipaddress
import json
import os
import re
import socket
import sys
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from socketserver import TCPServer
from typing import Any
from urllib.parse import parse_qs, quote, unquote

from .overlay import EVENTS_PATH, RELOAD_SCRIPT, SCRIPT_PATH, Status, error_page, inject, warnings_head

POLL_SECONDS = 20            # how long one long-poll request waits for a rebuild
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
WILDCARD = {"0.0.0.0", "::", ""}

CONTENT_TYPES = {".html": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8",
                 ".js": "text/javascript; charset=utf-8", ".mjs": "text/javascript; charset=utf-8",
                 ".json": "application/json", ".xml": "application/xml", ".txt": "text/plain; charset=utf-8",
                 ".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
                 ".gif": "image/gif", ".webp": "image/webp", ".ico": "image/x-icon", ".wasm": "application/wasm",
                 ".woff2": "font/woff2", ".woff": "font/woff", ".avif": "image/avif", ".pdf": "application/pdf",
                 ".mp3": "audio/mpeg", ".mp4": "video/mp4", ".webm": "video/webm"}


class PortInUse(OSError):
    pass


def url_host(host: str) -> str:
    if host in WILDCARD:
        return "127.0.0.1"
    return f"[{host}]" if ":" in host else host


ADDRESS_AT = re.compile(r"(?:\[(?P<v6>[0-9a-f:.]+)\]|(?P<v4>[0-9.]+))(?::(?P<port>[0-9]{1,5}))?", re.IGNORECASE)


def is_address_at(host_header: str, port: int) -> bool:
    """True for `192.168.1.20:8000` or `[fe80::1]:8000` at this port: listening on all
    addresses, a phone on the network asks for the machine by its address. A DNS-rebinding
    page always sends a name (its own), never an address, so addresses are safe to answer."""
    match = ADDRESS_AT.fullmatch(host_header)
    if match is None or int(match["port"] or 80) != port:
        return False
    try:
        ipaddress.ip_address(match["v6"] or match["v4"])
    except ValueError:
        return False
    return True


def host_allowed(host: str, port: int, host_header: str | None) -> bool:
    """Whether a request's Host header names this preview (host, port): loopback names, the
    machine's name and its addresses when listening on all of them."""
    if not host_header:
        return False
    names = {host, "localhost", "127.0.0.1", "[::1]", url_host(host)}
    if host in WILDCARD:
        names.add(socket.gethostname())
        if is_address_at(host_header.strip(), port):
            return True
    allowed = {f"{name}:{port}" for name in names}
    if port == 80:
        allowed |= names
    return host_header.strip().lower() in {name.lower() for name in allowed}


# --- paths: one decoding, then refusal of anything that could leave the root -------------

def request_path(raw: str) -> tuple[str, str] | None:
    """The request target -> (decoded path, query), or None when it must be refused.

    Decodes percent-escapes exactly once (`%252e` stays the name `%2e`), and refuses `..`
    and `.` segments, backslashes, empty segments (`//host`), NUL and control characters.
    """
    path, _, query = raw.partition("?")
    path = path.partition("#")[0]
    if not path.startswith("/") or "\\" in path:
        return None
    try:
        decoded = unquote(path, errors="strict")
    except UnicodeDecodeError:
        return None
    if "\\" in decoded or "//" in decoded or any(ord(c) < 32 or c == "\x7f" for c in decoded):
        return None
    if any(part in (".", "..") for part in decoded.split("/")):
        return None
    return decoded, query


def find_file(root: Path, relative: str) -> Path | str | None:
    """The file under root for a site-relative path: a Path, "slash" when a folder was asked
    for without its trailing slash, or None. No symlink is followed, even inside root."""
    current = root
    for part in [p for p in relative.split("/") if p]:
        current = current / part
        if current.is_symlink():
            return None
    if current.is_dir():
        if relative and not relative.endswith("/"):
            return "slash"
        current = current / "index.html"
        if current.is_symlink():
            return None
    if not current.is_file() or not current.resolve().is_relative_to(root.resolve()):
        return None
    return current


def find_page(pages: dict[str, bytes], relative: str) -> tuple[str, bytes] | str | None:
    """The page of a build in memory for a site-relative path, as find_file does on disk:
    (its path, its bytes), "slash" when a folder was asked for without its trailing slash, or None."""
    if not relative or relative.endswith("/"):
        relative += "index.html"
    elif relative not in pages:
        folder = relative + "/"
        return "slash" if any(path.startswith(folder) for path in pages) else None
    data = pages.get(relative)
    return (relative, data) if data is not None else None


def read_no_follow(path: Path) -> bytes | None:
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    with os.fdopen(descriptor, "rb") as file:
        return file.read()


def content_type(path: str) -> str:
    return CONTENT_TYPES.get(os.path.splitext(path)[1].lower(), "application/octet-stream")


# --- the HTTP server ---------------------------------------------------------------------

class PreviewServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], preview: Any):
        """preview: what is served (serve.Preview): current, status, search_roots,
        first_base_path, host_allowed(header), wait_for_change(version, timeout), and stop (an Event set
        when the preview closes)."""
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self.preview = preview
        try:
            super().__init__(address, PreviewHandler)
        except OSError as error:
            raise PortInUse(error.errno, error.strerror) from None

    def server_bind(self) -> None:
        # HTTPServer.server_bind looks the host name up in DNS; a preview needs no name.
        TCPServer.server_bind(self)
        self.server_name, self.server_port = str(self.server_address[0]), self.server_address[1]

    def handle_error(self, request, client_address) -> None:
        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            return  # the browser went away mid-answer: nothing to do
        if self.preview.stop.is_set():
            return  # the preview is closing and removing its folder: an answer cut short is expected
        super().handle_error(request, client_address)


class PreviewHandler(BaseHTTPRequestHandler):
    def version_string(self) -> str:
        return "digest-serve"

    def log_message(self, format, *args) -> None:  # the library never prints
        pass

    def do_GET(self) -> None:
        self.answer(send_body=True)

    def do_HEAD(self) -> None:
        self.answer(send_body=False)

    def answer(self, send_body: bool) -> None:
        preview = self.server.preview
        if not self.headers.get("Host"):
            return self.send(400, b"Bad request: no Host header\n", "text/plain; charset=utf-8", send_body)
        if not preview.host_allowed(self.headers.get("Host")):
            return self.send(403, b"Forbidden: this preview answers only to its own address\n",
                             "text/plain; charset=utf-8", send_body)
        parsed = request_path(self.path)
        if parsed is None:
            return self.send(400, b"Bad request: path refused\n", "text/plain; charset=utf-8", send_body)
        path, query = parsed
        if path == EVENTS_PATH:
            return self.answer_events(preview, query, send_body)
        if path == SCRIPT_PATH:
            return self.send(200, RELOAD_SCRIPT.encode("utf-8"), "text/javascript; charset=utf-8", send_body)
        with preview.changed:
            built, status, search_roots = preview.current, preview.status, preview.search_roots
        base = built.base_path if built is not None else preview.first_base_path
        if base != "/" and path in ("/", base.rstrip("/")):
            return self.redirect(base, query, send_body)
        if built is None:
            return self.send(500, error_page(status), "text/html; charset=utf-8", send_body)
        if not path.startswith(base):
            return self.not_found(built, status, send_body)
        relative = path[len(base):]
        if relative == "pagefind" or relative.startswith("pagefind/"):
            # The newest index first; the one before for a page that began with it.
            found = next((hit for hit in (find_file(root, relative[len("pagefind"):]) for root in search_roots)
                          if hit is not None), None)
            name, data = (found.name, read_no_follow(found)) if isinstance(found, Path) else ("", None)
        else:
            found = find_page(built.pages, relative)
            name, data = (found[0], found[1]) if isinstance(found, tuple) else ("", None)
        if found == "slash":
            return self.redirect(path + "/", query, send_body)
        if data is None:
            return self.not_found(built, status, send_body)
        kind = content_type(name)
        if kind.startswith("text/html"):
            data = inject(data, status)
        self.send(200, data, kind, send_body)

    def answer_events(self, preview, query: str, send_body: bool) -> None:
        """Long-poll: answer when the status version differs from the page's, or after a while."""
        try:
            version = int(parse_qs(query).get("version", ["-1"])[0])
        except ValueError:
            version = -1
        status = preview.wait_for_change(version, POLL_SECONDS) if send_body else preview.status
        body = json.dumps({"version": status.version, "epoch": status.epoch, "errors": list(status.errors),
                           "warnings": list(status.warnings),
                           "warnings_head": warnings_head(status.warnings, status.strings)})
        self.send(200, body.encode("utf-8"), "application/json", send_body)

    def not_found(self, built, status: Status, send_body: bool) -> None:
        page = built.pages.get("404.html")
        if page is None:
            return self.send(404, b"Not found\n", "text/plain; charset=utf-8", send_body)
        self.send(404, inject(page, status), "text/html; charset=utf-8", send_body)

    def redirect(self, location: str, query: str, send_body: bool) -> None:
        target = quote(location, safe="/:@!$&'()*+,;=-._~") + (f"?{query}" if query else "")
        self.send(302, b"", "text/plain; charset=utf-8", send_body, {"Location": target})

    def send(self, code: int, data: bytes, kind: str, send_body: bool, extra: dict | None = None) -> None:
        self.send_response(code, HTTPStatus(code).phrase)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if send_body:
            self.wfile.write(data)
