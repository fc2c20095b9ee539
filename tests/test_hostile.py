"""Hostile text in every field (tests/fixtures/hostile/): the whole output is scanned, file by
file, for live script, event-handler attributes and dangerous URLs, while the text is shown.

The scan is generic over every file of the output, so pages added later (feeds, JSON-LD,
sitemaps, story pages) are covered without changing this test.
"""

from __future__ import annotations

import json
import re
import shutil
import xml.etree.ElementTree as ElementTree
from html.parser import HTMLParser
from pathlib import Path

import pytest

from helpers import FIXTURES, run_digest

TITLE = "</script><script>alert('title')</script> \"><img src=x onerror=alert(1)> Tom & Jerry's \"quote\""
SUMMARY = "</script><script>alert('summary')</script> \"><img src=x onerror=alert(2)> A & B's \"summary\""
TERMS = ["</script><script>alert(3)</script>", "\"><img src=x onerror=alert(4)>", "R&D",
         "\"><svg onload=alert(5)>", "O'Brien & Sons", "<iframe src=javascript:alert(6)>"]
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "srcset", "poster", "data", "xlink:href", "background", "cite"}
# Browsers drop these before reading a scheme: `java\tscript:`.
IGNORED = re.compile(r"[\x00-\x20\x7f]")
DANGEROUS = re.compile(r"^(javascript|vbscript|data|file):", re.IGNORECASE)
SAFE_SCRIPT_TYPES = {"application/ld+json", "application/json"}
# Inline <svg> is the theme's (charts); anything live inside it is caught by the attribute checks.
DANGEROUS_ELEMENTS = {"iframe", "object", "embed", "base", "frame", "frameset", "applet", "foreignobject"}


class Scan(HTMLParser):
    """Collects what would be live in a browser: elements, attributes, script contents."""

    def __init__(self, where: str):
        super().__init__(convert_charrefs=True)
        self.where, self.problems, self.texts = where, [], []
        self.script: dict | None = None

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"{self.where}: event handler <{tag} {name}=...>")
            if name in URL_ATTRIBUTES and value is not None and DANGEROUS.match(IGNORED.sub("", value)):
                self.problems.append(f"{self.where}: dangerous URL <{tag} {name}={value!r}>")
            if name == "style" and value and re.search(r"url\(|expression\(", value, re.IGNORECASE):
                self.problems.append(f"{self.where}: style with url() on <{tag}>")
        if tag in DANGEROUS_ELEMENTS:
            self.problems.append(f"{self.where}: <{tag}> element")
        if tag == "meta" and dict(attrs).get("http-equiv", "").lower() == "refresh":
            self.problems.append(f"{self.where}: meta refresh")
        if tag == "script":
            self.script = {"attrs": dict(attrs), "text": ""}

    handle_startendtag = handle_starttag

    def handle_data(self, data):
        if self.script is not None:
            self.script["text"] += data
        else:
            self.texts.append(data)

    def handle_endtag(self, tag):
        if tag == "script" and self.script is not None:
            self.check_script(self.script)
            self.script = None

    def check_script(self, script):
        kind = (script["attrs"].get("type") or "").lower()
        if kind in SAFE_SCRIPT_TYPES:
            json.loads(script["text"])  # data, and well-formed: a broken-out string would not parse
            if "</" in script["text"]:
                self.problems.append(f"{self.where}: '</' inside a JSON script block")
            return
        if "alert(" in script["text"] or "alert(" in script["attrs"].get("src", ""):
            self.problems.append(f"{self.where}: hostile text inside a live <script>")
        src = script["attrs"].get("src")
        if src is not None and (src.startswith("//") or re.match(r"^[a-z][a-z0-9+.-]*:", src, re.IGNORECASE)):
            self.problems.append(f"{self.where}: script from elsewhere: {src}")


def scan_html(text: str, where: str) -> Scan:
    scan = Scan(where)
    scan.feed(text)
    scan.close()
    return scan


def json_html_strings(value, key=""):
    """Strings of a JSON document that readers treat as HTML (JSON Feed `content_html`)."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield from json_html_strings(v, k)
    elif isinstance(value, list):
        for item in value:
            yield from json_html_strings(item, key)
    elif isinstance(value, str) and "html" in key.lower():
        yield value


def xml_html_strings(root):
    """Element texts of a feed that readers treat as HTML (Atom type="html", RSS description)."""
    for element in root.iter():
        tag = element.tag.rsplit("}", 1)[-1]
        if element.get("type") in ("html", "xhtml") or tag in ("description", "encoded"):
            yield "".join(element.itertext())


@pytest.fixture(scope="module")
def hostile_output(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("hostile") / "site"
    shutil.copytree(FIXTURES / "hostile", root)
    result = run_digest(root, "build")
    assert result.returncode == 0, result.stderr
    return root / "output"


def test_every_output_file_is_free_of_live_script(hostile_output):
    problems, scanned = [], 0
    for path in sorted(p for p in hostile_output.rglob("*") if p.is_file()):
        where = path.relative_to(hostile_output).as_posix()
        data = path.read_bytes()
        assert not path.is_symlink(), where
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            continue  # binary: images, compressed search fragments
        scanned += 1
        if path.suffix in (".html", ".htm"):
            problems += scan_html(text, where).problems
        elif path.suffix == ".svg":
            problems += scan_html(text, where).problems
        elif path.suffix == ".json":
            for html in json_html_strings(json.loads(text)):
                problems += scan_html(html, where + " (HTML in JSON)").problems
        elif path.suffix == ".xml":
            for html in xml_html_strings(ElementTree.fromstring(data)):
                problems += scan_html(html, where + " (HTML in XML)").problems
        elif path.suffix == ".js":
            assert "alert(" not in text, where
    assert scanned >= 10
    assert problems == []


def test_the_hostile_text_is_shown_as_text(hostile_output):
    page = scan_html((hostile_output / "2025/07/hostile/index.html").read_text(encoding="utf-8"), "entry")
    text = "".join(page.texts)
    for shown in [TITLE, SUMMARY, *TERMS, "</title><script>alert(9)</script> & Co", "</script><script>alert('body')</script>",
                  "\"><img src=x onerror=alert(10)>", 'Quotes "double" and \'single\' & ampersands.']:
        assert shown in text
    home = "".join(scan_html((hostile_output / "index.html").read_text(encoding="utf-8"), "home").texts)
    assert TITLE in home and SUMMARY in home


def test_dangerous_markdown_links_are_not_links(hostile_output):
    html = (hostile_output / "2025/07/hostile/index.html").read_text(encoding="utf-8")
    body = html[html.index('<div class="body">'):html.index("</article>")]
    assert re.findall(r'<a href="([^"]*)"', body.split('<div class="entry-terms">')[0]) == ["https://example.org/?a=1&amp;b=2"]
    assert "<img" not in body


def test_scanner_catches_what_it_looks_for():
    """The scan must be able to fail: feed it each kind of live script."""
    for bad in ['<a href=" JaVa&#x09;Script:alert(1)">x</a>', '<img src=x onerror="alert(1)">',
                "<script>alert(1)</script>", '<a href="data:text/html,x">x</a>', "<iframe></iframe>",
                '<svg><a xlink:href="javascript:alert(1)">x</a></svg>', '<svg onload="alert(1)"></svg>',
                '<script type="application/ld+json">{"a": "</b>"}</script>',
                '<script src="https://evil.example/x.js"></script>']:
        assert scan_html(bad, "x").problems, bad
