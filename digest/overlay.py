"""Live reload and the error overlay of `digest serve`: the script every served HTML page
gets, the overlay that shows the errors of a failed rebuild over the last good site, and the
panel of the served build's warnings, in the site's language."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from .render import CONTENT_SECURITY_POLICY
from .strings import Strings, english_strings

SCRIPT_PATH = "/__digest__/reload.js"
EVENTS_PATH = "/__digest__/events"


@dataclass(frozen=True)
class Status:
    """What open pages need to know: bumped on every rebuild, good or bad."""

    version: int = 0
    epoch: int = 0                   # the build being served; 0 while there is none
    errors: tuple[str, ...] = ()     # formatted problems of the last rebuild, if it failed
    strings: Strings | None = None   # the site language's interface, for the overlay's words
    warnings: tuple[str, ...] = ()   # formatted warnings of the served build (a panel that blocks nothing)


RELOAD_SCRIPT = r"""// digest serve: reload when a rebuild finishes; show the errors of a failed one.
(function () {
  "use strict";
  var me = document.currentScript;
  var epoch = Number(me.dataset.epoch), version = Number(me.dataset.version), delay = 500;

  // The overlay and the panel style themselves inline, so that no theme's CSS reaches them.
  // The theme styles <pre> too (the default gives it a white box in light mode): the boxes'
  // own colours win, or the errors are white on white.
  function dress(box, look, preMargin, closeAt) {
    Object.assign(box.style, look);
    var pre = box.querySelector("pre");
    if (pre) Object.assign(pre.style, {whiteSpace: "pre-wrap", margin: preMargin, font: "inherit",
      color: "inherit", background: "transparent", border: "0", padding: "0", overflow: "visible"});
    if (!box.querySelector("button")) {
      var close = document.createElement("button");
      close.type = "button";
      close.textContent = me.dataset.hide;
      Object.assign(close.style, Object.assign({position: "absolute"}, closeAt));
      close.addEventListener("click", function () { box.hidden = true; });
      box.appendChild(close);
    }
  }

  function style(box) {
    // The Hide button sits in the box's right padding, so that it covers no error on a phone.
    dress(box, {position: "fixed", top: "0", left: "0", right: "0", zIndex: "2147483647",
      maxHeight: "60vh", overflow: "auto", margin: "0", padding: "1rem 5rem 1rem 1.25rem", background: "#4a0d0d",
      color: "#fff", font: "14px/1.5 ui-monospace, SFMono-Regular, Menlo, monospace",
      boxShadow: "0 2px 12px rgba(0,0,0,.5)", textAlign: "left"}, ".5rem 0 0", {top: ".5rem", right: ".75rem"});
  }

  function overlay(errors) {
    var box = document.getElementById("digest-overlay");
    if (!errors.length) { if (box) box.remove(); return; }
    if (!box) {
      box = document.createElement("div");
      box.id = "digest-overlay";
      box.setAttribute("role", "alert");
      document.body.insertBefore(box, document.body.firstChild);
    }
    box.hidden = false;
    box.textContent = "";
    var head = document.createElement("p");
    head.style.margin = "0";
    head.textContent = me.dataset.failed;
    var pre = document.createElement("pre");
    pre.textContent = errors.join("\n");
    box.appendChild(head);
    box.appendChild(pre);
    style(box);
  }

  // The warnings of the served build: a panel at the foot of the window that covers little
  // and blocks nothing (the page scrolls and clicks under it as ever), with a Hide button.
  function stylePanel(box) {
    dress(box, {position: "fixed", bottom: "0", right: "0", zIndex: "2147483646",
      maxWidth: "min(46rem, 100vw)", maxHeight: "30vh", overflow: "auto", margin: "0",
      padding: ".5rem 4.5rem .5rem .75rem", background: "#3d3300", color: "#fff",
      font: "13px/1.45 ui-monospace, SFMono-Regular, Menlo, monospace",
      boxShadow: "0 -2px 10px rgba(0,0,0,.4)", textAlign: "left"}, ".25rem 0 0", {top: ".35rem", right: ".5rem"});
  }

  // heading: the panel's first line in the site's language, from the events (Status.warnings_head).
  function panel(warnings, heading) {
    var box = document.getElementById("digest-warnings");
    var text = warnings.join("\n");
    if (!warnings.length) { if (box) box.remove(); return; }
    if (box && box.dataset.text === text) return;  // unchanged: a hidden panel stays hidden
    if (!box) {
      box = document.createElement("aside");
      box.id = "digest-warnings";
      box.setAttribute("role", "status");
      box.setAttribute("aria-label", me.dataset.warningsLabel);
      box.lang = me.dataset.language;  // its heading is in the site's language
      box.dir = me.dataset.direction;
      document.body.appendChild(box);
    }
    box.hidden = false;
    box.textContent = "";
    box.dataset.text = text;
    var head = document.createElement("p");
    head.style.margin = "0";
    head.textContent = heading || "";
    var pre = document.createElement("pre");
    pre.lang = "en";  // digest's own words, as build prints them, whatever the site's language
    pre.dir = "ltr";
    pre.textContent = text;
    box.appendChild(head);
    box.appendChild(pre);
    stylePanel(box);
  }

  function poll() {
    fetch("/__digest__/events?version=" + version, {cache: "no-store"})
      .then(function (response) {
        if (!response.ok) throw new Error("status " + response.status);
        return response.json();
      })
      .then(function (status) {
        delay = 500;
        version = status.version;
        if (status.epoch !== epoch) { location.reload(); return; }
        overlay(status.errors);
        panel(status.warnings || [], status.warnings_head);
        poll();
      })
      .catch(function () {  // the server restarts or is gone: try again, more slowly
        setTimeout(poll, delay);
        delay = Math.min(delay * 2, 5000);
      });
  }

  var existing = document.getElementById("digest-overlay");
  if (existing) style(existing);
  var warned = document.getElementById("digest-warnings");
  if (warned) { warned.dataset.text = warned.querySelector("pre").textContent; stylePanel(warned); }
  poll();
})();
"""

BODY_TAG = re.compile(rb"<body\b[^>]*>", re.IGNORECASE)


def overlay_html(errors: tuple[str, ...], strings: Strings | None = None) -> str:
    if not errors:
        return ""
    lines = html.escape("\n".join(errors))
    strings = strings or english_strings()
    return (f'<div id="digest-overlay" role="alert" lang="{html.escape(strings.language)}" dir="{strings.direction}">'
            f'<p>{strings("serve.failed")}</p><pre lang="en" dir="ltr">{lines}</pre></div>')


def warnings_head(warnings: tuple[str, ...], strings: Strings | None = None) -> str:
    """The warnings panel's first line, in the site's language: `digest: 2 warnings (...)`."""
    return (strings or english_strings()).text("serve.warnings", count=len(warnings))


def warnings_html(warnings: tuple[str, ...], strings: Strings | None = None) -> str:
    """The warnings panel as the reload script makes it (its `panel`): its words in the site's
    language, the warnings in digest's."""
    if not warnings:
        return ""
    strings = strings or english_strings()
    lines = html.escape("\n".join(warnings))
    return (f'<aside id="digest-warnings" role="status" aria-label="{strings("serve.warnings_label")}" '
            f'lang="{html.escape(strings.language)}" dir="{strings.direction}"><p>{html.escape(warnings_head(warnings, strings))}'
            f'</p><pre lang="en" dir="ltr">{lines}</pre></aside>')


def inject(page: bytes, status: Status) -> bytes:
    """The overlay (if any), the warnings panel (if any) and the reload script, right after
    `<body>`. The overlay's words are in the site's language; the errors themselves are
    digest's, in English."""
    strings = status.strings or english_strings()
    snippet = (overlay_html(status.errors, strings) + warnings_html(status.warnings, strings)
               + f'<script src="{SCRIPT_PATH}" data-epoch="{status.epoch}" '
               f'data-version="{status.version}" data-failed="{strings("serve.failed")}" '
               f'data-hide="{strings("serve.hide")}" data-warnings-label="{strings("serve.warnings_label")}" '
               f'data-language="{html.escape(strings.language)}" data-direction="{strings.direction}"></script>').encode("utf-8")
    match = BODY_TAG.search(page)
    at = match.end() if match else 0
    return page[:at] + snippet + page[at:]


def error_page(status: Status) -> bytes:
    """What every page is while no build has ever succeeded."""
    strings = status.strings or english_strings()
    page = (f'<!DOCTYPE html><html lang="{html.escape(strings.language)}" dir="{strings.direction}"><head>'
            f'<meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<title>{strings("serve.no_build_title")}</title></head><body><h1>{strings("serve.no_build_heading")}'
            f'</h1><p>{strings("serve.no_build_text")}</p></body></html>')
    return inject(page.encode("utf-8"), status)
