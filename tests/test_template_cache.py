"""A process that builds many sites (digest serve, a script, the tests) compiles each template
once per source and base URL, not once per site; a site with another base URL, or a template
file of its own, gets its own compiled templates, and other settings reach every page."""

from __future__ import annotations

import jinja2
import pytest

from helpers import built, entry_text

ENTRY = {"content/2025/07/a.md": entry_text(title="Talks resume", tags="[Ukraine]")}
# A base URL no other test's site has: the first build of such a site in this process compiles.
SETTINGS = 'base_url = "https://template-cache.example.org/"\n'


@pytest.fixture
def compiled_by(monkeypatch):
    """compiled_by(root): the templates a build of root compiled (Jinja's compile, counted on
    its way), and the build's files."""
    def build(root) -> tuple[list[str], dict[str, bytes]]:
        names = []
        compile = jinja2.Environment.compile

        def counted(environment, source, name=None, filename=None, *args, **kwargs):
            names.append(name)
            return compile(environment, source, name, filename, *args, **kwargs)

        with monkeypatch.context() as patch:
            patch.setattr(jinja2.Environment, "compile", counted)
            files = built(root, cache=False)
        return names, files
    return build


def test_a_second_site_with_the_same_base_url_compiles_no_template_and_shows_its_own_settings(site, compiled_by):
    first, files = compiled_by(site(ENTRY, SETTINGS, name="one"))
    assert len(first) > 20
    again, same = compiled_by(site(ENTRY, SETTINGS, name="two"))
    assert again == [] and same == files
    # Other settings are read as each page renders, never kept in a compiled template.
    other = SETTINGS + 'title = "Harbour News"\nper_page = 3\nlanguage = "uk"\n'
    compiled, files = compiled_by(site(ENTRY, other, name="three"))
    assert compiled == []
    assert b"Harbour News" in files["index.html"] and b'lang="uk"' in files["index.html"]
    assert b'"title": "Harbour News"' in files["feed.json"] and b"<title type=\"text\">Harbour News</title>" in files["feed.xml"]


def test_a_site_with_another_base_url_compiles_its_own(site, compiled_by):
    """Jinja folds `'sitemap.xml'|absolute_url` into the compiled template (robots.txt): a
    site with another base URL must not take it from another site's."""
    for base_url in ("https://owner.github.io/template-cache/", "https://template-cache-two.example.org/"):
        root = site(ENTRY, f'base_url = "{base_url}"\n', name=f"site-{len(base_url)}")
        compiled, files = compiled_by(root)
        assert len(compiled) > 20
        assert f"Sitemap: {base_url}sitemap.xml".encode() in files["robots.txt"]


def test_a_template_of_the_sites_own_theme_is_compiled_from_its_own_file(site, compiled_by):
    plain = built(site(ENTRY, SETTINGS, name="plain"), cache=False)
    template = "{% extends 'base.html' %}{% block content %}<p>Own page</p>{% endblock %}"
    own = site({**ENTRY, "themes/default/templates/list.html": template}, SETTINGS, name="own")
    compiled, files = compiled_by(own)
    assert len(compiled) == 1 and b"Own page" in files["index.html"] and b"Own page" not in plain["index.html"]
    # Edited, it is compiled again: its source is in the key.
    (own / "themes/default/templates/list.html").write_text(template.replace("Own", "Edited"), encoding="utf-8")
    compiled, files = compiled_by(own)
    assert len(compiled) == 1 and b"Edited page" in files["index.html"]
