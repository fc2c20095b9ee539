"""Site + theme -> pages: the URL helper, autoescape, StrictUndefined, theme fallback."""

from __future__ import annotations

import pytest
from jinja2.runtime import markup_join
from markupsafe import Markup, escape

from helpers import entry_text, run_digest
from digest.config import load_config
from digest.errors import DigestError, format_problem
from digest.render import absolute_url, make_environment, render_pages, site_url
from digest.build import make_site, all_pages


def test_url_helper_applies_the_base_path():
    assert site_url("tags/x/", "/repo/") == "/repo/tags/x/"
    assert site_url("/tags/x/", "/") == "/tags/x/"
    assert site_url("", "/repo/") == "/repo/"
    assert absolute_url("a/", "https://o.github.io/repo/") == "https://o.github.io/repo/a/"


def pages_of(root):
    site, _ = make_site(load_config(root))
    return {page.path: page.data.decode() for page in all_pages(site)}


def test_titles_tags_and_summaries_are_escaped(site):
    root = site({"content/a.md": entry_text(title='"<b>bold</b> & co"', summary='"a <i>b</i>"', tags="['<x>&']")})
    pages = pages_of(root)
    entry = pages["2025/07/a/index.html"]
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; co" in entry and "<b>bold</b>" not in entry
    assert "&lt;i&gt;b&lt;/i&gt;" in entry and "<i>b</i>" not in entry
    assert "&lt;x&gt;&amp;" in pages["tags/index.html"]
    assert 'content="&lt;i&gt;' not in entry and "<i>" not in entry.split("<body>")[0]


def test_every_kind_of_output_is_escaped_as_markupsafe_escapes_it(tmp_path):
    """Outputs are escaped to plain text (render.escape_text), not Markup: the same bytes as
    markupsafe.escape for text, markup, numbers and objects with __html__, in a page, a
    macro, a {% set %} block and an {% autoescape false %} block."""
    class Safe:
        def __html__(self):
            return "<em>kept</em>"

    values = ["<a href='x'>&\"", Markup("<b>b</b>"), 5, 1.5, Safe(), "plain", ""]
    env = make_environment(load_config(tmp_path), watching=False)
    source = ("{% macro m(v) %}[{{ v }}]{% endmacro %}{% for v in values %}{{ v }}|{{ m(v) }}|"
              "{% set s %}{{ v }}{% endset %}{{ s }}|{{ v ~ '<' }}{% autoescape false %}|{{ m(v) }}{% endautoescape %};{% endfor %}")
    joined = [escape(markup_join((v, "<"))) for v in values]  # `~` joins as Jinja does
    expected = "".join(f"{escape(v)}|[{escape(v)}]|{escape(v)}|{j}|[{escape(v)}];" for v, j in zip(values, joined))
    assert env.from_string(source).render(values=values) == expected


def test_a_site_theme_overrides_one_template_and_falls_back_for_the_rest(site):
    root = site({"content/a.md": entry_text(),
                 "themes/paper/templates/404.html": "{% extends 'base.html' %}{% block content %}<p>Lost at sea</p>{% endblock %}",
                 "themes/paper/static/extra.css": "body{}"},
                'theme = "paper"\n')
    pages = pages_of(root)
    assert "Lost at sea" in pages["404.html"]
    assert "site-header" in pages["404.html"]  # base.html came from the default theme
    assert "static/extra.css" in pages and "static/style.css" in pages


def test_a_missing_theme_is_an_error(site):
    root = site({"content/a.md": entry_text()}, 'theme = "nope"\n')
    with pytest.raises(DigestError) as caught:
        pages_of(root)
    assert format_problem(caught.value.problems[0]) == \
        'pyproject.toml:2: tool.digest.theme: no folder themes/nope/; create it or set theme = "default"'


def test_an_undefined_name_in_a_template_names_the_file_and_line(site):
    root = site({"content/a.md": entry_text(),
                 "themes/default/templates/404.html": "{% extends 'base.html' %}\n{% block content %}\n{{ no_such_name }}\n{% endblock %}\n"})
    result = run_digest(root, "build", "--no-search")
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == (
        "themes/default/templates/404.html:3: template error: no 'no_such_name' in the context of 404.html, "
        "which holds: config, page_url, site, t, title (docs/reference/templates.md)")


def test_a_template_syntax_error_names_the_file_and_line(site):
    root = site({"content/a.md": entry_text(),
                 "themes/default/templates/404.html": "{% extends 'base.html' %}\n{% block content %}\n{% if %}\n{% endblock %}\n"})
    result = run_digest(root, "build", "--no-search")
    assert result.returncode == 1
    assert result.stderr.splitlines()[0].startswith("themes/default/templates/404.html:3: template syntax error:")
    assert "Traceback" not in result.stderr


def test_front_matter_is_data_never_a_template(site):
    root = site({"content/a.md": entry_text(title="'{{ config.title }} {% if 1 %}x{% endif %}'")})
    assert "{{ config.title }} {% if 1 %}x{% endif %}" in pages_of(root)["2025/07/a/index.html"]


def test_cached_renders_a_macro_once_per_set_of_arguments(site):
    """The `cached` template global (Hugo's partialCached): one call per macro and arguments,
    the very objects, not equal ones; keyword arguments are part of the key."""
    env = make_environment(load_config(site({"content/a.md": entry_text()})), watching=False)
    calls = []

    def card(post, heading="h2"):
        calls.append((post, heading))
        return Markup(f"<{heading}>{escape(post['title'])}</{heading}>")

    one, same_title = {"title": "A & B"}, {"title": "A & B"}
    template = env.from_string("{{ cached(card, one) }}|{{ cached(card, one) }}|{{ cached(card, same_title) }}|"
                               "{{ cached(card, one, heading='h3') }}|{{ cached(card, one, heading='h3') }}")
    assert template.render(card=card, one=one, same_title=same_title) == \
        "<h2>A &amp; B</h2>|<h2>A &amp; B</h2>|<h2>A &amp; B</h2>|<h3>A &amp; B</h3>|<h3>A &amp; B</h3>"
    assert calls == [(one, "h2"), (same_title, "h2"), (one, "h3")]


def test_render_pages_drops_cached_outputs_unless_told_they_are_of_the_same_site(site):
    """serve edits posts in place between renders: an output cached before must not show."""
    config = load_config(site({"content/a.md": entry_text()}))
    built, _ = make_site(config)
    env = make_environment(config, watching=False)
    home = [route for route in built.routes if route.output_path == "index.html"]
    render_pages(built, home, env)
    assert env.globals["cached"].outputs, "the home page's card went through `cached`"
    env.globals["cached"].outputs["stale"] = "from another state of the site"
    render_pages(built, home, env, keep_cached=True)
    assert "stale" in env.globals["cached"].outputs
    render_pages(built, home, env)
    assert "stale" not in env.globals["cached"].outputs


def test_a_heading_never_takes_an_id_the_theme_writes():
    """A body's `## Related title` would give the page two elements with the id of the
    related-entries box (invalid HTML, and the box's accessible name from the wrong one)."""
    import re
    from pathlib import Path

    from digest.markdown import RESERVED_IDS, render_markdown
    templates = Path(__file__).resolve().parent.parent / "themes" / "default" / "templates"
    written = {found for path in templates.iterdir() for found in re.findall(r'\bid="([^"{]+)"', path.read_text())}
    assert written <= RESERVED_IDS
    serve = (templates.parent.parent.parent / "digest" / "serve.py").read_text()
    assert set(re.findall(r'\bid="([^"{]+)"', serve)) | set(re.findall(r'getElementById\("([^"]+)"\)', serve)) <= RESERVED_IDS
    for reserved in sorted(RESERVED_IDS):
        html = render_markdown(f"## {reserved.replace('-', ' ')}\n")
        assert f'id="{reserved}"' not in html and f'id="{reserved}-1"' in html, html



def test_repeated_headings_are_numbered_from_1_as_on_github_and_in_hugo():
    import re

    from digest.markdown import render_markdown

    html = render_markdown("## Intro\n\n## Intro 1\n\n## Intro\n\n## Intro\n\n## ???\n\n## !!!\n")
    assert re.findall(r'id="([^"]+)"', html) == ["intro", "intro-1", "intro-2", "intro-3", "section", "section-1"]


def test_a_template_symlink_leading_out_of_its_theme_is_refused_one_inside_is_followed(site, tmp_path):
    """As in content/ and static/: `templates/robots.txt -> /etc/...` published that file."""
    import os

    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET TEXT\n", encoding="utf-8")
    root = site({"content/a.md": entry_text(), "themes/default/templates/mine.txt": "User-agent: mine\n"})
    templates = root / "themes/default/templates"
    os.symlink(secret, templates / "robots.txt")
    result = run_digest(root, "build", "--no-search")
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == (
        "themes/default/templates/robots.txt:1: template syntax error: this template is a symlink leading out "
        "of its theme folder; copy the file into the theme instead")
    assert not (root / "output").exists()
    (templates / "robots.txt").unlink()
    os.symlink("mine.txt", templates / "robots.txt")
    result = run_digest(root, "build", "--no-search")
    assert result.returncode == 0, result.stderr
    assert (root / "output/robots.txt").read_text(encoding="utf-8") == "User-agent: mine\n"


def test_heading_ids_keep_the_letters_of_every_script_as_github_and_hugo_do():
    """`## 背景` was `id="beijing"` (transliterated): a link written `[x](#背景)`, as on GitHub,
    led nowhere."""
    import re

    from digest.markdown import render_markdown

    html = render_markdown("## Key points\n## 背景\n## Café au lait\n## Київ: переговори\n## समाचार संक्षेप\n"
                           "## C++ & Go_lang\n## 🎉\n")
    assert re.findall(r'id="([^"]+)"', html) == ["key-points", "背景", "café-au-lait", "київ-переговори",
                                                  "समाचार-संक्षेप", "c-go-lang", "section"]


def test_an_arabic_site_is_written_right_to_left_an_english_one_has_no_dir(site):
    root = site({"content/a.md": entry_text()}, 'language = "ar"\n')
    pages = pages_of(root)
    assert all('<html lang="ar" dir="rtl">' in page for path, page in pages.items() if path.endswith(".html"))
    english = site({"content/a.md": entry_text()})
    assert '<html lang="en">' in pages_of(english)["index.html"]


@pytest.mark.slow  # 100,000 headings
def test_a_body_of_many_repeated_headings_builds(site):
    """Were each repeated heading to count its number up from 0 again, the work would be
    quadratic: the 100,000 here (400 KB, well under the 2 MB a file may have) would take hours,
    past the test's limit on the command. The count goes on from the last one."""
    root = site({"content/a.md": entry_text(body="# a\n" * 100_000 + "## a 1\n")})
    result = run_digest(root, "build", "--no-search", "--output", "out", timeout=120)
    assert result.returncode == 0, result.stderr
    html = (root / "out/2025/07/a/index.html").read_text(encoding="utf-8")
    assert '<h1 id="a">a</h1>' in html and '<h1 id="a-99999">a</h1>' in html
    assert '<h2 id="a-1-1">a 1</h2>' in html  # a-1 is the second "# a"'s
