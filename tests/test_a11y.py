"""Accessibility: axe-core (bundled by axe-playwright-python) in Chromium over every kind of
page (entries of each kind, term pages and their second pages, indexes, archive, month,
stories, digests, search with results and filters open, 404), light and dark, served over
HTTP; no serious or critical violations. Then what axe cannot see: wide tables, code and long
words on a phone and on paper."""

from __future__ import annotations

import shutil

import pytest

from helpers import ROOT, entry_text, opened, run_digest, serve_folder, violations_light_and_dark, violations_on, write_site

# A source name longer than the search page's filter column is wide.
SOURCE = "Organization for Security and Co-operation in Europe"


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    # The sample site, with three entries a page so that every listing has a second page, and
    # an entry of each kind that is not in the sample.
    root = tmp_path_factory.mktemp("a11y") / "site"
    shutil.copytree(ROOT / "content", root / "content")
    # Each in a week of its own, so that the middle weekly issues link to a newer and an older one.
    for kind, date in (("analysis", "2025-07-16"), ("opinion", "2025-07-09"), ("official", "2025-07-02")):
        (root / "content" / f"{kind}.md").write_text(entry_text(
            title=f"An {kind} entry", date=date, tags="[Russia, Ukraine]", kind=kind, source=SOURCE,
            people="[Vladimir Putin]", places="[Kyiv]", body="## Context\n\nText.\n\n### Detail\n\nMore."))
    (root / "pyproject.toml").write_text('[tool.digest]\ntitle = "Sample"\nbase_url = "http://127.0.0.1/"\n'
                                         "per_page = 3\n")
    result = run_digest(root, "build", "--quiet")  # with search: the search page is checked working
    assert result.returncode == 0, result.stderr
    yield from serve_folder(root / "output")


# What editors paste into a body: a table of figures and a line of code, both wider than a phone.
HEADINGS = ["Region", "Population", "Displaced", "Casualties", "Shelters", "Hospitals", "Schools",
            "Bridges", "Power", "Water", "Heating", "Railways"]
FIGURES = ("| " + " | ".join(HEADINGS) + " |\n|" + "---|" * 12 + "\n"
           + "| " + " | ".join(f"{n * 1000:,}" for n in range(12)) + " |\n")
CODE = "    curl -s https://example.org/api/v1/ceasefire/statements?from=2025-07-01&to=2025-07-31&format=json\n"


@pytest.fixture(scope="module")
def served_boxes(tmp_path_factory):
    root = write_site(tmp_path_factory.mktemp("a11y-boxes") / "site", {
        "content/figures.md": entry_text(title="Figures", body=f"{FIGURES}\n{CODE}\n```\n{CODE.strip()}\n```"),
    })
    result = run_digest(root, "build", "--quiet", "--no-search")
    assert result.returncode == 0, result.stderr
    yield from serve_folder(root / "output")


def serious_violations(browser, url: str, prepare=None, **context) -> list[str]:
    with opened(browser, **context) as page:
        return violations_on(page, url, prepare)


def first(output, pattern: str) -> str:
    """The URL path of the first page (in path order) whose index.html matches pattern."""
    return "/" + sorted(output.glob(pattern))[0].parent.relative_to(output).as_posix() + "/"


def results_with_filters_open(page):
    page.wait_for_selector(".search-result")
    # Each shard's answer draws the filters' options again: wait until every answer is in.
    page.wait_for_load_state("networkidle")
    page.eval_on_selector_all("details.search-filter", "groups => groups.forEach(group => group.open = true)")


def test_every_kind_of_page_has_no_serious_violations_light_or_dark(browser, served):
    base, output = served
    paths = ["/", "/page/2/", "/2025/07/analysis/", "/2025/07/opinion/", "/2025/07/official/",
             first(output, "2025/07/kremlin*/index.html"), "/archive/", first(output, "archive/*/*/index.html"),
             "/stories/", first(output, "stories/*/index.html"), "/digest/", "/digest/2025/w28/",
             "/search/", "/404.html"]
    for taxonomy in ("tags", "people", "places", "sources"):
        paths += [f"/{taxonomy}/", first(output, f"{taxonomy}/*/page/2/index.html").removesuffix("page/2/"),
                  first(output, f"{taxonomy}/*/page/2/index.html")]
    with opened(browser) as page:
        found = {path: violations_light_and_dark(page, base + path) for path in paths}
        found["/search/?q=talks"] = violations_light_and_dark(page, base + "/search/?q=talks", results_with_filters_open)
    assert found == {path: {"light": [], "dark": []} for path in found}


def test_axe_can_fail(browser, served, tmp_path):
    base, output = served
    (output / "bad.html").write_text('<!DOCTYPE html><html><head><title>x</title></head><body>'
                                     '<img src="static/favicon.svg"><button></button></body></html>')
    try:
        assert serious_violations(browser, base + "/bad.html")
    finally:
        (output / "bad.html").unlink()


def test_a_table_or_code_wider_than_a_phone_scrolls_in_a_box_the_keyboard_reaches(browser, served_boxes):
    # The theme scrolls a wide table or code block inside its own box; a box that scrolls
    # must take the focus, or a keyboard user cannot scroll it (scrollable-region-focusable).
    base, _ = served_boxes
    phone = {"viewport": {"width": 320, "height": 640}}
    assert serious_violations(browser, base + "/2025/07/figures/", **phone) == []
    with opened(browser, **phone) as page:
        page.goto(base + "/2025/07/figures/")
        assert page.evaluate("document.documentElement.scrollWidth") <= 320
        boxes = page.evaluate("""[...document.querySelectorAll('main table, main pre')].map(
            box => [box.tagName, box.scrollWidth > box.clientWidth, box.tabIndex])""")
        assert boxes == [["TABLE", True, 0], ["PRE", True, 0], ["PRE", True, 0]]


def test_a_page_prints_in_the_light_colours_whatever_the_screen_uses(browser, served_boxes):
    # Browsers print no backgrounds: the dark theme's light text would come out grey on white.
    base, _ = served_boxes
    colours = {}
    with opened(browser) as page:
        page.goto(base + "/2025/07/figures/")
        for scheme in ("light", "dark"):
            page.emulate_media(media="print", color_scheme=scheme)
            colours[scheme] = page.evaluate("""['body', 'main a', '.meta', 'th'].map(
                selector => getComputedStyle(document.querySelector(selector)).color)""")
    assert colours["dark"] == colours["light"]
    assert colours["light"][0] == "rgb(27, 27, 27)"


def test_a_long_code_line_wraps_on_paper_instead_of_being_cut_off(browser, served_boxes):
    base, _ = served_boxes
    with opened(browser, viewport={"width": 700, "height": 900}) as page:
        page.goto(base + "/2025/07/figures/")
        page.emulate_media(media="print")
        cut = page.evaluate("[...document.querySelectorAll('pre')].map(pre => pre.scrollWidth > pre.clientWidth)")
        assert cut == [False, False]


def test_a_wide_table_is_not_cut_off_on_paper(browser, served_boxes):
    # On screen a wide table scrolls in its box; paper does not scroll, so it must fit.
    base, _ = served_boxes
    with opened(browser, viewport={"width": 700, "height": 900}) as page:
        page.goto(base + "/2025/07/figures/")
        page.emulate_media(media="print")
        assert page.evaluate("[...document.querySelectorAll('table')].map(table => table.scrollWidth > table.clientWidth)") == [False]


def test_a_table_keeps_its_words_whole_on_a_phone(browser, served_boxes):
    # The body breaks a long word anywhere rather than widen the page; in a table that let
    # every cell shrink to a few letters ("Hos-pit-als"). A table scrolls in its own box.
    base, _ = served_boxes
    with opened(browser, viewport={"width": 320, "height": 640}) as page:
        page.goto(base + "/2025/07/figures/")
        lines = page.evaluate("""[...document.querySelectorAll('main th')].map(cell => {
            const range = document.createRange();
            range.selectNodeContents(cell);
            return [cell.textContent, range.getClientRects().length];
        })""")
        assert lines == [[word, 1] for word in HEADINGS]
        assert page.evaluate("document.documentElement.scrollWidth") <= 320


# Words of an element's text that the browser broke across lines (each word's own range
# has more than one line box).
BROKEN_WORDS = """selector => [...document.querySelectorAll(selector)].flatMap(box => {
    const walker = document.createTreeWalker(box, NodeFilter.SHOW_TEXT), broken = [];
    for (let text = walker.nextNode(); text; text = walker.nextNode()) {
        for (const match of text.data.matchAll(/\\S+/g)) {
            const word = document.createRange();
            word.setStart(text, match.index);
            word.setEnd(text, match.index + match[0].length);
            if (word.getClientRects().length > 1) broken.push(match[0]);
        }
    }
    return broken;
})"""


def test_pagination_keeps_its_words_whole_on_a_phone(browser, served):
    # A flex row that does not wrap shrinks its items to their narrowest, which the body's
    # overflow-wrap: anywhere made a letter or two: "All issu-es" between the issue links.
    base, _ = served
    with opened(browser, viewport={"width": 320, "height": 640}) as page:
        broken = {}
        for path in ("/digest/2025/w28/", "/page/2/", "/tags/russia/page/2/"):
            page.goto(base + path)
            assert page.locator("nav.pagination a").count() >= 2, path
            broken[path] = page.evaluate(BROKEN_WORDS, "nav.pagination")
        assert broken == {path: [] for path in broken}


def test_a_search_filter_count_stays_on_one_line_beside_a_long_name(browser, served):
    # A filter value longer than the column squeezed its count to one character a line.
    base, _ = served
    with opened(browser, viewport={"width": 1280, "height": 800}) as page:
        page.goto(base + "/search/?q=talks")
        results_with_filters_open(page)
        option = page.locator(".search-filter-option", has_text=SOURCE)
        option.locator(".search-filter-name").wait_for(state="visible")
        lines = option.locator(".search-filter-name").evaluate(
            "name => { const text = document.createRange(); text.selectNodeContents(name); return text.getClientRects().length; }")
        assert lines > 1  # the name wraps
        assert page.evaluate(BROKEN_WORDS, ".search-filter-option .count") == []


@pytest.mark.parametrize("font_size", [24, 32])  # Chrome's "Very large"; Android's text scaling at 200 %
def test_a_larger_default_font_does_not_widen_pages_on_a_phone(browser, served, font_size):
    # Readers with low vision raise the browser's default font size, which the theme's rem
    # sizes follow: the header's search form and the pagination row then overflowed 320 px.
    base, _ = served
    context = browser.new_context(viewport={"width": 320, "height": 640})
    try:
        page = context.new_page()
        session = context.new_cdp_session(page)
        session.send("Page.setFontSizes", {"fontSizes": {"standard": font_size, "fixed": 13}})
        widths = {}
        for path in ("/", "/page/2/", "/tags/russia/page/2/", "/2025/07/analysis/", "/digest/2025/w28/", "/search/?q=talks"):
            page.goto(base + path)
            widths[path] = page.evaluate("document.documentElement.scrollWidth")
        assert widths == {path: 320 for path in widths}
        assert page.evaluate("getComputedStyle(document.documentElement).fontSize") == f"{font_size}px"
    finally:
        context.close()



@pytest.fixture(scope="module")
def served_arabic(tmp_path_factory):
    root = write_site(tmp_path_factory.mktemp("a11y-rtl") / "site", {
        "content/talks.md": entry_text(title='"محادثات السلام في إسطنبول"', summary='"جولة جديدة من المحادثات."',
                                       tags="[روسيا, أوكرانيا]", story='"محادثات السلام"',
                                       body="## السياق\n\n> اقتباس قصير.\n\n- نقطة أولى\n- نقطة ثانية\n"),
    }, 'language = "ar"\n')
    result = run_digest(root, "build", "--quiet", "--no-search")
    assert result.returncode == 0, result.stderr
    yield from serve_folder(root / "output")


def test_an_arabic_site_is_laid_out_right_to_left_without_serious_violations(browser, served_arabic):
    base, _ = served_arabic
    with opened(browser, viewport={"width": 320, "height": 640}) as page:
        for path in ("/", "/2025/07/talks/", "/stories/"):
            page.goto(base + path)
            assert page.evaluate("getComputedStyle(document.documentElement).direction") == "rtl", path
            assert page.evaluate("document.documentElement.scrollWidth") <= 320, path
        page.goto(base + "/2025/07/talks/")
        # The quote's rule is on the side the text starts: the right.
        quote = page.evaluate("(q => [getComputedStyle(q).borderRightWidth, getComputedStyle(q).borderLeftWidth])"
                              "(document.querySelector('blockquote'))")
        assert quote == ["4px", "0px"]
    assert serious_violations(browser, base + "/2025/07/talks/") == []


# Long unbroken words (names, URLs) in every place they show must not widen a page on a phone.
LONG_WORD = "Supercalifragilisticexpialidociousantidisestablishmentarianism"
LONG_URL = "https://example.org/" + "averylongpathwithoutanybreaks" * 3


@pytest.fixture(scope="module")
def long_site(tmp_path_factory):
    root = write_site(tmp_path_factory.mktemp("long") / "site", {
        "content/long.md": entry_text(title=f'"A long title {LONG_WORD}"', summary=f"See {LONG_URL}",
                                      tags=f"[{LONG_WORD}term]", story=f"{LONG_WORD} story",
                                      body=f"Read {LONG_URL} now."),
    })
    result = run_digest(root, "build", "--no-search")
    assert result.returncode == 0, result.stderr
    return root / "output"


@pytest.mark.parametrize("page", ["index.html", "2025/07/long/index.html", "tags/index.html",
                                  f"tags/{LONG_WORD.lower()}term/index.html", "stories/index.html"])
def test_long_words_do_not_widen_the_page_on_a_phone(browser, long_site, page):
    # The stylesheet goes in inline, which the pages' Content-Security-Policy refuses: bypassed here.
    with opened(browser, viewport={"width": 360, "height": 800}, bypass_csp=True) as tab:
        tab.goto((long_site / page).as_uri())
        # file:// pages cannot load /static/style.css (root-absolute), so load the stylesheet by hand
        tab.add_style_tag(path=str(long_site / "static" / "style.css"))
        assert tab.evaluate("document.documentElement.scrollWidth") <= 360
