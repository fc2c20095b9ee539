"""Languages in a real browser: the sample site (English) with Ukrainian entries under /uk/,
built with Pagefind (shards of a few entries, so that the languages mix in shards), served
over HTTP and searched in Chromium on each language's search page; and the sample site in
Ukrainian, whose search page shows no English interface word once its script has run."""

from __future__ import annotations

import re
import shutil

import pytest

from helpers import ROOT, entry_text, opened, run_digest, serve_folder
from interface_text import content_strings, english_words, latin_left

TIMEOUT_MS = 20_000
UKRAINIAN = {
    "zelensky-uk.md": entry_text(
        title="Зеленський закликав до зустрічі лідерів", date="2025-07-23", language="uk",
        summary="Президент запропонував Росії нову зустріч на рівні лідерів.", tags="[переговори]",
        translation_key="zelensky-leaders-meeting",
        body="Володимир Зеленський запропонував провести зустріч лідерів у Стамбулі."),
    "sanctions-uk.md": entry_text(
        title="Євросоюз схвалив нові санкції", date="2025-07-18", language="uk",
        summary="Новий пакет санкцій спрямовано на енергетику Росії.", tags="[санкції]",
        body="Брюссель посилив економічний тиск: санкції проти енергетичного сектору."),
}


@pytest.fixture(scope="module")
def bilingual(tmp_path_factory):
    root = tmp_path_factory.mktemp("bilingual")
    shutil.copytree(ROOT / "content", root / "content")
    english = root / "content" / "2025" / "07" / "zelensky-calls-for-leaders-meeting.md"
    english.write_text(english.read_text(encoding="utf-8").replace(
        "\n---\n", "\ntranslation_key: zelensky-leaders-meeting\n---\n", 1), encoding="utf-8")
    for name, text in UKRAINIAN.items():
        (root / "content" / "2025" / "07" / name).write_text(text, encoding="utf-8")
    (root / "pyproject.toml").write_text('[tool.digest]\ntitle = "Digest"\nlanguages = ["uk"]\n'
                                         'search_shard_entries = 3\n', encoding="utf-8")
    result = run_digest(root, "build", "--output", "out")
    assert result.returncode == 0, result.stderr
    yield from serve_folder(root / "out")


# The address once the page starts again with every language. Waited for, not read at once:
# under load the address was read without it just after the new page's DOMContentLoaded.
ALL_LANGUAGES = re.compile(r"[?&]languages=all(&|$)")


def status_count(page) -> int:
    status = page.locator("#search-status")
    status.filter(has_text=re.compile(r"^\d")).wait_for(timeout=TIMEOUT_MS)
    return int(status.inner_text().split()[0])


def titles(page) -> list[str]:
    return page.locator("#search-results > li h2").all_inner_texts()


def test_the_ukrainian_side_finds_a_ukrainian_word_in_ukrainian(browser, bilingual):
    url, _ = bilingual
    with opened(browser) as page:
        page.goto(url + "/uk/search/?q=" + "санкції")
        assert status_count(page) == 1
        assert titles(page) == ["Євросоюз схвалив нові санкції"]
        status = page.locator("#search-status").inner_text()
        assert status == "1 результат за запитом «санкції»"
        assert page.locator("#search-results time").first.inner_text() == "18 липня 2025\u202fр."
        assert page.locator("#search-results a").first.get_attribute("href") == "/uk/2025/07/sanctions-uk/"


def test_the_english_side_finds_an_english_word_and_only_english_entries(browser, bilingual):
    url, _ = bilingual
    with opened(browser) as page:
        page.goto(url + "/search/?q=sanctions")
        count = status_count(page)
        assert count >= 1 and "EU approves new sanctions on Russia's energy sector" in titles(page)
        assert all(re.fullmatch(r"[\x00-\x7f’‘“”–—]*", title) for title in titles(page)), titles(page)
        assert re.fullmatch(r"\d+ results? for “sanctions”", page.locator("#search-status").inner_text())
        page.goto(url + "/search/?q=" + "санкції")
        assert status_count(page) == 0


def test_search_all_languages_finds_both(browser, bilingual):
    url, _ = bilingual
    with opened(browser) as page:
        page.goto(url + "/uk/search/?q=" + "Зеленський")
        assert status_count(page) == 1
        # The page starts again with the choice. Its DOMContentLoaded, not any navigation: the
        # address the search writes as results arrive (history.replaceState) is one as well.
        with page.expect_event("domcontentloaded"):
            page.locator("#search-all-languages").check()
        page.wait_for_url(ALL_LANGUAGES, wait_until="domcontentloaded", timeout=TIMEOUT_MS)
        assert page.locator("#search-all-languages").is_checked()
        page.locator("#search-results > li").first.wait_for(timeout=TIMEOUT_MS)
        page.goto(url + "/uk/search/?q=Zelensky&languages=all")
        found = status_count(page)
        assert found >= 1 and any("Zelensky" in title for title in titles(page)), titles(page)
        page.goto(url + "/search/?q=" + "санкції" + "&languages=all")
        assert status_count(page) == 1 and titles(page) == ["Євросоюз схвалив нові санкції"]


def test_each_language_has_its_own_listings_and_nav(bilingual):
    _, out = bilingual
    home = (out / "uk" / "index.html").read_text(encoding="utf-8")
    assert '<html lang="uk">' in home and "Зеленський закликав" in home and "Zelensky calls" not in home
    assert '<a href="/uk/tags/">Теги</a>' in home and '<a href="/uk/archive/">Архів</a>' in home
    assert '<a href="/" hreflang="en" lang="en">English</a>' in home
    english = (out / "index.html").read_text(encoding="utf-8")
    assert "Зеленський" not in english and '<a href="/tags/">Tags</a>' in english
    assert '<a href="/uk/" hreflang="uk" lang="uk">Українська</a>' in english
    assert (out / "uk" / "tags" / "sanktsii" / "index.html").is_file()
    assert (out / "uk" / "feed.xml").is_file() and 'xml:lang="uk"' in (out / "uk" / "feed.xml").read_text(encoding="utf-8")
    entry = (out / "2025" / "07" / "zelensky-calls-for-leaders-meeting" / "index.html").read_text(encoding="utf-8")
    assert 'hreflang="uk" href="http://localhost:8000/uk/2025/07/zelensky-uk/"' in entry


@pytest.fixture(scope="module")
def sample_in_ukrainian(tmp_path_factory):
    """The sample site with `language = "uk"`, built with its search index, served."""
    root = tmp_path_factory.mktemp("sample-uk")
    shutil.copytree(ROOT / "content", root / "content")
    settings = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    settings = settings[settings.index("[tool.digest]"):].replace('language = "en"', 'language = "uk"')
    (root / "pyproject.toml").write_text(settings, encoding="utf-8")
    result = run_digest(root, "build", "--output", "out")
    assert result.returncode == 0, result.stderr
    for served in serve_folder(root / "out"):
        yield root, served[0]


def test_the_ukrainian_search_page_shows_no_english_interface_word_once_it_has_searched(browser, sample_in_ukrainian):
    """What search.js writes (the status, the results' dates, the filter groups, their values and
    counts, "show all") comes from the Ukrainian table: once the results' titles, excerpts and
    sources (the content) are taken out, no Latin word is left but the language tag."""
    root, url = sample_in_ukrainian
    query = "Kremlin"
    with opened(browser) as page:
        page.goto(url + "/search/?q=" + query)
        found = status_count(page)
        assert found >= 1
        assert page.locator("#search-status").inner_text().endswith(f"за запитом «{query}»")
        for summary in page.locator("#search-filters summary").all():
            summary.click()  # each group opens and shows its values with their counts
        page.locator("#search-filters details[open] label").first.wait_for(timeout=TIMEOUT_MS)
        page.wait_for_load_state("networkidle")
        page.evaluate("""() => document.querySelectorAll(
            '.search-result-title, .search-result > p:not(.meta), .search-result .source').forEach(node => node.remove())""")
        shown = page.locator("body").inner_text()
    left = latin_left(shown, [query, *content_strings(root)], ("uk",))
    assert left == set(), (left & english_words(), left)
    assert "Фільтри" in shown and "Тип" in shown  # the filter groups were there to check


def test_without_sections_each_language_has_its_index_and_the_page_searches_its_own_or_all(browser, site):
    """A site without `languages` whose entries are in two: one search page, in the site's
    language, which searches the English index; the Ukrainian entry is in the Ukrainian index,
    found with "search all languages"."""
    root = site({"content/2025/07/sanctions.md": entry_text(title="EU sanctions", tags="[sanctions]",
                                                             body="The EU approved new sanctions."),
                 "content/2025/07/talks.md": entry_text(title="Talks resume", date="2025-07-22", body="Talks resume."),
                 "content/2025/07/sanctions-uk.md": UKRAINIAN["sanctions-uk.md"]})
    result = run_digest(root, "build", "--output", "out")
    assert result.returncode == 0, result.stderr
    search = (root / "out" / "search" / "index.html").read_text(encoding="utf-8")
    assert 'id="search-all-languages"' in search
    for url, _ in serve_folder(root / "out"):
        with opened(browser) as page:
            page.goto(url + "/search/?q=sanctions")
            assert status_count(page) == 1 and titles(page) == ["EU sanctions"]
            page.goto(url + "/search/?q=" + "санкції")
            assert status_count(page) == 0
            with page.expect_event("domcontentloaded"):  # the page starts again with the choice (see above)
                page.locator("#search-all-languages").check()
            page.wait_for_url(ALL_LANGUAGES, wait_until="domcontentloaded", timeout=TIMEOUT_MS)
            page.locator("#search-results > li").first.wait_for(timeout=TIMEOUT_MS)
            assert status_count(page) == 1 and titles(page) == ["Євросоюз схвалив нові санкції"]
            assert page.locator("#search-results a").first.get_attribute("href") == "/2025/07/sanctions-uk/"
