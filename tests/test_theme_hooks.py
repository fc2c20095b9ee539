"""Theme hooks: colours and fonts as CSS custom properties for light and dark, the logo and
stylesheets settings, and empty partials a theme overrides to add to <head>, the header and
the footer; a theme whose light colours break dark mode is caught by the contrast check."""

from __future__ import annotations

import pytest

from helpers import THEME, build_out, entry_text, opened, read, run_digest, serve_folder, violations_light_and_dark, write_site

ENTRY = {"content/2025/07/a.md": entry_text('"Talks resume"', tags="[Ports]")}


def test_the_bundled_stylesheet_sets_every_documented_property_for_both_schemes():
    css = (THEME / "static/style.css").read_text(encoding="utf-8")
    light, dark = css.split("@media (prefers-color-scheme: dark)", 1)
    for name in ("--bg", "--fg", "--muted", "--line", "--accent", "--accent-fg", "--link", "--card", "--focus"):
        assert f"{name}:" in light and f"{name}:" in dark.split("}")[0] + dark.split("}")[1], name
    for name in ("--font-body", "--font-ui", "--font-mono", "--measure"):
        assert f"{name}:" in light and f"var({name})" in css, name


def test_a_logo_and_stylesheets_of_the_site_are_on_every_page(site):
    root = site({**ENTRY, "static/images/logo.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>",
                 "static/css/newsroom.css": ":root { --accent: #004d40; }\n"},
                'base_url = "https://example.org/news/"\nlogo = "images/logo.svg"\n'
                'stylesheets = ["css/newsroom.css", "/css/print.css"]\n')
    out = build_out(root)
    for page in ("index.html", "2025/07/a/index.html", "tags/index.html", "404.html"):
        html = read(out, page)
        assert '<img class="site-logo" src="/news/images/logo.svg" alt="">' in html
        style = html.index('href="/news/static/style.css"')
        assert style < html.index('href="/news/css/newsroom.css"') < html.index('href="/news/css/print.css"')


@pytest.mark.parametrize("setting, message", [
    ('logo = "https://cdn.example.org/logo.svg"', "pyproject.toml:2: tool.digest.logo: expected the path of a file "
     "in the site, such as 'images/logo.svg' (a file of static/ is at its path from static/), in ASCII letters, "
     "digits and -._~, got 'https://cdn.example.org/logo.svg'"),
    ('stylesheets = "css/a.css"', "pyproject.toml:2: tool.digest.stylesheets: expected a list of paths of files in "
     "the site, such as ['css/newsroom.css'], got text"),
    ('stylesheets = ["../secret.css"]', "pyproject.toml:2: tool.digest.stylesheets: expected the path of a file in "
     "the site, such as 'images/logo.svg' (a file of static/ is at its path from static/), in ASCII letters, "
     "digits and -._~, got '../secret.css'"),
])
def test_a_logo_or_stylesheet_outside_the_site_is_an_error_at_its_line(site, setting, message):
    root = site(ENTRY, setting + "\n")
    result = run_digest(root, "build", "--no-search")
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == message


def test_a_theme_adds_to_the_head_header_and_footer_by_overriding_empty_partials(site):
    root = site(ENTRY, 'theme = "newsroom"\n')
    folder = root / "themes/newsroom/templates"
    folder.mkdir(parents=True)
    (folder / "_head_extra.html").write_text('<meta name="newsroom" content="{{ config.title }}">\n', encoding="utf-8")
    (folder / "_header_extra.html").write_text('<p class="banner">Election night</p>\n', encoding="utf-8")
    (folder / "_footer_extra.html").write_text('<p class="licence">CC BY 4.0</p>\n', encoding="utf-8")
    out = build_out(root)
    html = read(out, "2025/07/a/index.html")
    assert html.index('<meta name="newsroom" content="Digest">') < html.index("</head>")
    assert html.index('<p class="banner">') < html.index("</header>") < html.index('<p class="licence">') \
        < html.index("</footer>")
    bundled = build_out(write_site(root.parent / "bundled", ENTRY))
    assert "banner" not in read(bundled, "2025/07/a/index.html")


# A newsroom's stylesheet that sets its brand colours for light mode only: its dark text stays
# on the dark theme's background, which the contrast check must catch.
LIGHT_ONLY = ":root { --fg: #1a1a1a; --link: #0b3d91; }\n"
BOTH_SCHEMES = LIGHT_ONLY + "@media (prefers-color-scheme: dark) { :root { --fg: #f0f0f0; --link: #9cc2ff; } }\n"


@pytest.mark.parametrize("stylesheet, dark_violations", [(LIGHT_ONLY, True), (BOTH_SCHEMES, False)],
                         ids=["light-only", "both-schemes"])
def test_colours_set_for_light_mode_only_fail_the_contrast_check_in_dark_mode(browser, site, stylesheet,
                                                                              dark_violations):
    root = site({**ENTRY, "static/css/brand.css": stylesheet}, 'stylesheets = ["css/brand.css"]\n')
    out = build_out(root)
    for base, _ in serve_folder(out):
        with opened(browser) as page:
            found = violations_light_and_dark(page, base + "/2025/07/a/")
    assert found["light"] == []
    assert bool(found["dark"]) == dark_violations, found
    assert all(violation.startswith("color-contrast") for violation in found["dark"])
