"""The interface in the site's language: string tables, their checks, dates and numbers by
Babel, and the sample site built in Ukrainian with no English interface word left."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from helpers import ROOT, assert_equals_clean_build, build_out, build_site, entry_text, read, run_digest, snapshot
from interface_text import TABLES as TABLE_FOLDER, content_strings, english_left, english_words, table, texts
from digest.config import load_config
from digest.strings import placeholders, site_catalog

SHIPPED = ("en", "uk", "ru", "de", "fr", "es", "ar")


# --- the shipped tables ---------------------------------------------------------------

@pytest.mark.parametrize("language", SHIPPED)
def test_each_shipped_table_has_every_english_key_and_no_other(language):
    english, own = table("en"), table(language)
    assert sorted(english.keys() - own.keys()) == [], f"{language}.toml lacks these keys English has"
    assert sorted(own.keys() - english.keys()) == [], f"{language}.toml has keys English does not"


@pytest.mark.parametrize("language", SHIPPED)
def test_each_shipped_table_uses_only_the_english_placeholders(language):
    english = table("en")
    for key, value in table(language).items():
        allowed = set().union(*(placeholders(text) for text in texts(english[key])))
        for text in texts(value):
            assert placeholders(text) <= allowed, (language, key, text)


@pytest.mark.parametrize("language", SHIPPED)
def test_plural_forms_cover_the_categories_the_language_has(language):
    from babel import Locale
    needed = Locale.parse(language).plural_form.tags | {"other"}
    for key, value in table(language).items():
        if isinstance(value, dict):
            assert needed <= set(value), (language, key, sorted(needed - set(value)))


def test_the_shipped_tables_read_without_a_problem(tmp_path):
    config = load_config(tmp_path)
    catalog, problems = site_catalog(config, SHIPPED)
    assert problems == []
    assert catalog["uk"]("list.entries", count=1) == "1 матеріал"
    assert catalog["uk"]("list.entries", count=3) == "3 матеріали"
    assert catalog["uk"]("list.entries", count=12345) == "12\xa0345 матеріалів"
    assert catalog["en"]("list.entries", count=12345) == "12,345 entries"
    assert catalog["ar"]("list.entries", count=2) == "مادتان"
    assert catalog["ar"].direction == "rtl" and catalog["uk"].direction == "ltr"


# --- dates and numbers follow the locale (Babel) ------------------------------------------

def test_dates_follow_the_language(tmp_path):
    from datetime import date, datetime, timedelta, timezone
    from digest.entries import Moment
    catalog, _ = site_catalog(load_config(tmp_path), SHIPPED)
    day = Moment(datetime(2025, 7, 23, tzinfo=timezone.utc), False)
    shown = {language: catalog[language].date(day) for language in ("en", "uk", "ru", "de", "fr", "es")}
    assert shown == {"en": "July 23, 2025", "uk": "23 липня 2025\u202fр.", "ru": "23 июля 2025\u202fг.",
                     "de": "23. Juli 2025", "fr": "23 juillet 2025", "es": "23 de julio de 2025"}
    timed = Moment(datetime(2025, 7, 23, 9, 30, tzinfo=timezone(timedelta(hours=3))), True)
    assert catalog["en"].date(timed) == "July 23, 2025, 9:30\u202fAM +03:00"
    assert catalog["uk"].date(timed) == "23 липня 2025\u202fр., 09:30 +03:00"
    assert catalog["uk"].month(2025, 7) == "липень 2025\u202fр."
    assert catalog["de"].days(date(2025, 7, 21), date(2025, 7, 27)) == "21.–27. Juli 2025"


# --- fallbacks and errors ------------------------------------------------------------------

def test_a_missing_string_falls_back_to_english_with_a_warning(tmp_path):
    (tmp_path / "i18n").mkdir()
    (tmp_path / "i18n" / "pl.toml").write_text('[nav]\nlatest = "Najnowsze"\n', encoding="utf-8")
    catalog, problems = site_catalog(load_config(tmp_path), ["pl"])
    assert catalog["pl"]("nav.latest") == "Najnowsze" and catalog["pl"]("nav.archive") == "Archive"
    missing = [p for p in problems if p.field == "nav.archive"]
    assert len(missing) == 1 and not missing[0].is_error
    assert missing[0].path == "i18n/pl.toml" and "no 'pl' text for this string" in missing[0].message
    # dates are Polish all the same: Babel has the language, only the words were missing
    assert catalog["pl"].month(2025, 7) == "lipiec 2025"


def test_a_site_adds_a_language_by_a_table_and_a_missing_string_is_a_build_warning(site):
    """A Polish table, a copy of English without nav.archive: `digest build` warns naming the
    key and the language, the page shows the English word; --strict refuses it."""
    root = site({"content/a.md": entry_text()}, 'language = "pl"\n')
    english = (TABLE_FOLDER / "en.toml").read_text(encoding="utf-8")
    (root / "i18n").mkdir()
    (root / "i18n" / "pl.toml").write_text(english.replace('latest = "Latest"', 'latest = "Najnowsze"')
                                           .replace('archive = "Archive"\n', "", 1), encoding="utf-8")
    result = run_digest(root, "build", "--no-search", "--output", "out")
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == ["i18n/pl.toml: warning: nav.archive: no 'pl' text for this string; "
                                          'English is shown ("Archive"): add it']
    home = read(root / "out", "index.html")
    assert '<html lang="pl">' in home and ">Najnowsze</a>" in home and ">Archive</a>" in home
    strict = run_digest(root, "build", "--no-search", "--strict", "--output", "strict")
    assert strict.returncode == 1 and "nav.archive: no 'pl' text for this string" in strict.stderr


def test_a_language_with_no_table_is_one_warning(tmp_path):
    _, problems = site_catalog(load_config(tmp_path), ["pl"])
    assert [(p.path, p.is_error) for p in problems] == [("i18n/pl.toml", False)]
    assert "no interface strings for 'pl'" in problems[0].message


def test_a_stray_placeholder_is_an_error_naming_file_and_line(site):
    root = site({"content/a.md": entry_text()}, 'language = "uk"\n')
    (root / "i18n").mkdir()
    (root / "i18n" / "uk.toml").write_text('[nav]\nlatest = "Останнє"\n\n[list]\nentries = { one = "{count} матеріал", '
                                           'other = "{count} матеріалів з {total}" }\n', encoding="utf-8")
    result = run_digest(root, "build", "--no-search", "--output", "out")
    assert result.returncode == 1
    assert ("i18n/uk.toml:5: list.entries: placeholder {total} is not in the English string (its placeholders: "
            "{count}); remove it or use one of those") in result.stderr
    assert not (root / "out").exists()


def test_a_table_syntax_error_names_file_and_line(site):
    root = site({"content/a.md": entry_text()}, 'language = "uk"\n')
    (root / "i18n").mkdir()
    (root / "i18n" / "uk.toml").write_text('[nav]\nlatest = "Останнє"\narchive = "Архів\n', encoding="utf-8")
    result = run_digest(root, "build", "--no-search", "--output", "out")
    assert result.returncode == 1
    assert re.search(r"^i18n/uk\.toml:3: TOML syntax error: ", result.stderr, re.M), result.stderr


def test_a_brace_that_opens_nothing_is_an_error(site):
    root = site({"content/a.md": entry_text()}, 'language = "de"\n')
    (root / "i18n").mkdir()
    (root / "i18n" / "de.toml").write_text('[nav]\nlatest = "Neu {"\n', encoding="utf-8")
    result = run_digest(root, "build", "--no-search", "--output", "out")
    assert result.returncode == 1 and "i18n/de.toml:2: nav.latest: " in result.stderr, result.stderr


def test_a_site_table_overrides_single_strings_and_a_theme_table_too(site):
    root = site({"content/a.md": entry_text()}, 'language = "uk"\ntheme = "mine"\n')
    (root / "themes" / "mine" / "i18n").mkdir(parents=True)
    (root / "themes" / "mine" / "i18n" / "uk.toml").write_text('[nav]\nlatest = "Свіже"\narchive = "Сховище"\n',
                                                               encoding="utf-8")
    (root / "i18n").mkdir()
    (root / "i18n" / "uk.toml").write_text('[nav]\narchive = "Літопис"\n', encoding="utf-8")
    out = build_out(root)
    home = read(out, "index.html")
    assert ">Свіже</a>" in home and ">Літопис</a>" in home and ">Теги</a>" in home


def test_an_unknown_language_code_gets_a_did_you_mean(site):
    root = site({"content/a.md": entry_text(language="ua")}, 'language = "ua"\n')
    result = run_digest(root, "build", "--no-search", "--output", "out")
    assert result.returncode == 1
    assert ("pyproject.toml:2: tool.digest.language: unknown language code 'ua' (did you mean 'uk'?); "
            "write a BCP 47 tag such as 'en', 'uk', 'ru' or 'pt-BR'") in result.stderr
    (root / "pyproject.toml").write_text("[tool.digest]\n", encoding="utf-8")
    result = run_digest(root, "build", "--no-search", "--output", "out")
    assert ("content/a.md:6: language: unknown language code 'ua' (did you mean 'uk'?); "
            "write a BCP 47 tag such as 'en', 'uk', 'ru' or 'pt-BR'") in result.stderr


def test_footnotes_speak_the_entrys_language_on_its_page_and_in_the_feeds(site):
    """The words digest writes into a body (the footnotes' heading and labels) come from the
    entry's language's table, wherever the body shows; English stays as it was."""
    body = "Talks resumed.[^1] Again.[^1]\n\n[^1]: As reported."
    root = site({"content/2025/07/a.md": entry_text(title="Переговори", language="uk", body=body),
                 "content/2025/07/b.md": entry_text(title="Talks", date="2025-07-22", body=body)})
    out = build_out(root)
    ukrainian, english = read(out, "2025/07/a/index.html"), read(out, "2025/07/b/index.html")
    assert '<h2 class="footnotes-title" id="fnlabel:2025-07-a">Примітки</h2>' in ukrainian
    assert 'role="doc-noteref" aria-label="Примітка 1">[1]</a>' in ukrainian
    assert 'aria-label="Назад до посилання 1">' in ukrainian and 'aria-label="Назад до посилання 1, згадка 2">' in ukrainian
    assert '<h2 class="footnotes-title" id="fnlabel:2025-07-b">Notes</h2>' in english
    assert 'aria-label="Note 1">[1]</a>' in english and 'aria-label="Back to reference 1, use 2">' in english
    assert "Примітки" in read(out, "feed.json") and "Примітка 1" in read(out, "feed.xml")


# --- the sample site in Ukrainian ----------------------------------------------------------

SAMPLE_PAGES = ("index.html", "2025/07/kremlin-putin-open-to-talks/index.html", "tags/ukraine/index.html",
                "archive/index.html", "digest/2025/w30/index.html", "search/index.html")


@pytest.fixture(scope="module")
def sample_in(tmp_path_factory):
    """The sample site (content/) built in a language: language -> (site root, output)."""
    built = {}

    def build(language: str) -> tuple[Path, Path]:
        if language not in built:
            root = tmp_path_factory.mktemp(f"sample-{language}")
            shutil.copytree(ROOT / "content", root / "content")
            settings = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
            settings = settings[settings.index("[tool.digest]"):].replace('language = "en"', f'language = "{language}"')
            (root / "pyproject.toml").write_text(settings, encoding="utf-8")
            built[language] = root, build_out(root)
        return built[language]
    return build


def test_the_sample_site_in_ukrainian_shows_no_english_interface_word(sample_in):
    """Every page: the home, entries, term pages, the archive, months, the weekly digest, the
    search page (its messages for search.js too), 404... Once the content's own text is taken
    out, no Latin word is left but names and the language tag; and none of the English table."""
    root, out = sample_in("uk")
    content = content_strings(root)
    pages = sorted(path.relative_to(out).as_posix() for path in out.rglob("*.html"))
    assert set(SAMPLE_PAGES) <= set(pages) and "404.html" in pages
    left = {path: sorted(english_left(read(out, path), content, ("uk",))) for path in pages}
    assert left == {path: [] for path in pages}
    assert '<html lang="uk">' in read(out, "index.html")


def test_the_check_finds_english_where_it_is(sample_in):
    """The check above can fail: on the English build it finds the interface's words."""
    root, out = sample_in("en")
    content = content_strings(root)
    for path in SAMPLE_PAGES:
        assert {"search", "skip", "content"} <= english_left(read(out, path), content) & english_words(), path


def test_the_check_finds_one_string_left_in_english(sample_in, tmp_path):
    """A Ukrainian table with one string of the navigation, one of the search script's
    messages and one of the charts' prose put back in English: the check names each."""
    root, _ = sample_in("uk")
    broken = tmp_path / "broken"
    shutil.copytree(root / "content", broken / "content")
    shutil.copy(root / "pyproject.toml", broken / "pyproject.toml")
    (broken / "i18n").mkdir()
    (broken / "i18n" / "uk.toml").write_text('[nav]\narchive = "Archive"\n\n[search]\nsearching = "Searching…"\n\n'
                                             '[chart]\nthe_week = "the week of {date}"\n', encoding="utf-8")
    out = build_out(broken)
    content = content_strings(broken)
    left = {path: english_left(read(out, path), content, ("uk",)) for path in SAMPLE_PAGES}
    assert left["index.html"] == {"archive"}
    assert left["search/index.html"] == {"archive", "searching"}
    assert left["archive/index.html"] == {"archive", "the", "week", "of"}


def test_ukrainian_pages_write_dates_numbers_and_weeks_in_ukrainian(sample_in):
    _, out = sample_in("uk")
    archive = read(out, "archive/index.html")
    assert "липень 2025\u202fр.</a>" in archive and "Матеріали за тижнями" in archive
    issue = read(out, "digest/2025/w30/index.html")
    assert "Щотижневий дайджест: Тиждень 30, 2025" in issue
    assert re.search(r"\d+ матеріал\w*, опубліков\w+ 21–27 лип\. 2025\u202fр\.", issue), issue
    entry = read(out, "2025/07/kremlin-putin-open-to-talks/index.html")
    assert 'Опубліковано <time datetime="2025-07-23">23 липня 2025\u202fр.</time>' in entry


def test_feeds_keep_iso_dates_in_any_language(sample_in):
    _, out = sample_in("uk")
    feed = read(out, "feed.xml")
    assert re.search(r"<published>2025-07-23T00:00:00\+00:00</published>", feed)
    assert 'xml:lang="uk"' in feed
    assert '"date_published": "2025-07-23T00:00:00+00:00"' in read(out, "feed.json")


# --- translations ----------------------------------------------------------------------------

TALKS_EN = entry_text(title="Talks resume", summary="Talks resume in Istanbul.", tags="[talks]",
                      translation_key="talks-resume")
TALKS_UK = entry_text(title="Переговори відновлюються", summary="Переговори відновлюються в Стамбулі.",
                      tags="[переговори]", language="uk", translation_key="talks-resume", body="Текст.")


def test_translations_link_each_other_with_hreflang_and_in_the_sitemap(site):
    root = site({"content/talks.md": TALKS_EN, "content/talks-uk.md": TALKS_UK},
                'base_url = "https://news.example.org/"\n')
    out = build_out(root)
    english, ukrainian = read(out, "2025/07/talks/index.html"), read(out, "2025/07/talks-uk/index.html")
    assert '<html lang="en">' in english and '<html lang="uk">' in ukrainian
    alternates = ('<link rel="alternate" hreflang="en" href="https://news.example.org/2025/07/talks/">\n'
                  '<link rel="alternate" hreflang="uk" href="https://news.example.org/2025/07/talks-uk/">\n'
                  '<link rel="alternate" hreflang="x-default" href="https://news.example.org/2025/07/talks/">')
    assert alternates in english and alternates in ukrainian
    assert '<a href="/2025/07/talks-uk/" hreflang="uk" lang="uk">Українська</a>' in english
    assert '<a href="/2025/07/talks/" hreflang="en" lang="en">English</a>' in ukrainian
    assert "This entry in other languages:" in english and "Цей матеріал іншими мовами:" in ukrainian
    assert "<span>Опубліковано " in ukrainian and "<span>Published " not in ukrainian
    sitemap = read(out, "sitemap.xml")
    assert 'xmlns:xhtml="http://www.w3.org/1999/xhtml"' in sitemap
    both = ('    <xhtml:link rel="alternate" hreflang="en" href="https://news.example.org/2025/07/talks/"/>\n'
            '    <xhtml:link rel="alternate" hreflang="uk" href="https://news.example.org/2025/07/talks-uk/"/>\n')
    assert sitemap.count(both) == 2
    assert "<loc>https://news.example.org/2025/07/talks-uk/</loc>\n    <lastmod>2025-07-23</lastmod>\n" + both in sitemap


def test_an_entry_without_translations_has_no_alternates(site):
    out = build_out(site({"content/a.md": entry_text(translation_key="alone")}))
    page = read(out, "2025/07/a/index.html")
    assert "hreflang" not in page and 'class="translations"' not in page
    assert "xmlns:xhtml" not in read(out, "sitemap.xml")


def test_two_entries_claiming_one_translation_in_one_language_is_an_error_naming_both(site):
    root = site({"content/talks.md": TALKS_EN, "content/talks-uk.md": TALKS_UK,
                 "content/again-uk.md": TALKS_UK.replace("Переговори відновлюються", "Знову переговори")})
    result = run_digest(root, "build", "--no-search", "--output", "out")
    assert result.returncode == 1
    assert ("content/talks-uk.md:7: translation_key: 'talks-resume' in language 'uk' is already "
            "content/again-uk.md; two entries cannot be one translation: give this one another "
            "`translation_key:` or another `language:`") in result.stderr


# --- a site in several languages ----------------------------------------------------------

def bilingual_site(site, settings: str = 'languages = ["uk"]\n'):
    return site({"content/talks.md": TALKS_EN, "content/talks-uk.md": TALKS_UK,
                 "content/other.md": entry_text(title="Other news", tags="[other]")}, settings)


def test_other_languages_get_their_own_section_under_their_code(site):
    out = build_out(bilingual_site(site))
    assert (out / "uk/2025/07/talks-uk/index.html").is_file() and not (out / "2025/07/talks-uk").exists()
    home, uk_home = read(out, "index.html"), read(out, "uk/index.html")
    assert "Talks resume" in home and "Переговори" not in home
    assert "Переговори відновлюються" in uk_home and "Talks resume" not in uk_home and "Other news" not in uk_home
    assert '<a href="/uk/tags/">Теги</a>' in uk_home and '<a href="/uk/" aria-current="page">Останнє</a>' in uk_home
    assert '<form class="search-form" role="search" action="/uk/search/"' in uk_home
    assert '<link rel="alternate" type="application/atom+xml" title="Digest (стрічка Atom)" href="/uk/feed.xml">' in uk_home
    for page in ("uk/tags/index.html", "uk/archive/index.html", "uk/stories/index.html", "uk/digest/index.html",
                 "uk/search/index.html", "uk/archive/2025/07/index.html", "uk/tags/peregovori/index.html"):
        assert '<html lang="uk">' in read(out, page), page
    assert '"language": "uk"' in read(out, "uk/feed.json") and '"language": "en"' in read(out, "feed.json")
    assert not (out / "uk/404.html").exists() and not (out / "uk/sitemap.xml").exists()
    assert "<loc>http://localhost:8000/uk/tags/peregovori/</loc>" in read(out, "sitemap.xml")
    entry = read(out, "uk/2025/07/talks-uk/index.html")
    assert '<a href="/2025/07/talks/" hreflang="en" lang="en">English</a>' in entry
    assert 'data-languages="[&#34;en&#34;, &#34;uk&#34;]"' in read(out, "uk/search/index.html") or \
        'data-languages="[&quot;en&quot;, &quot;uk&quot;]"' in read(out, "uk/search/index.html")


def test_the_homes_of_the_sections_are_alternates_of_each_other_in_the_head_and_the_sitemap(site):
    out = build_out(bilingual_site(site, 'languages = ["uk"]\nbase_url = "https://news.example.org/repo/"\n'))
    alternates = ('<link rel="alternate" hreflang="en" href="https://news.example.org/repo/">\n'
                  '<link rel="alternate" hreflang="uk" href="https://news.example.org/repo/uk/">\n'
                  '<link rel="alternate" hreflang="x-default" href="https://news.example.org/repo/">')
    assert alternates in read(out, "index.html") and alternates in read(out, "uk/index.html")
    assert 'rel="alternate" hreflang' not in read(out, "uk/tags/index.html")
    homes = ('    <xhtml:link rel="alternate" hreflang="en" href="https://news.example.org/repo/"/>\n'
             '    <xhtml:link rel="alternate" hreflang="uk" href="https://news.example.org/repo/uk/"/>\n')
    sitemap = read(out, "sitemap.xml")
    assert "<loc>https://news.example.org/repo/uk/</loc>\n    <lastmod>2025-07-23</lastmod>\n" + homes in sitemap
    assert sitemap.count(homes) == 2


def test_without_the_languages_setting_every_entry_is_in_one_section(site):
    out = build_out(bilingual_site(site, ""))
    assert (out / "2025/07/talks-uk/index.html").is_file() and not (out / "uk").exists()
    assert "Переговори відновлюються" in read(out, "index.html")
    assert '<html lang="uk">' in read(out, "2025/07/talks-uk/index.html")


def test_a_misspelt_language_in_the_languages_setting_gets_a_did_you_mean(site):
    root = bilingual_site(site, 'languages = ["ua"]\n')
    result = run_digest(root, "build", "--no-search", "--output", "out")
    assert result.returncode == 1
    assert "pyproject.toml:2: tool.digest.languages: unknown language code 'ua' (did you mean 'uk'?)" in result.stderr


def test_ukrainian_pages_stay_within_the_page_weight_budget(sample_in):
    """As the site-weight budget for English pages (test_images): a page with what it loads,
    at most 60 KB; the string table adds only the search page's messages."""
    _, out = sample_in("uk")
    for page in ("index.html", "2025/07/kremlin-putin-open-to-talks/index.html", "search/index.html"):
        html = read(out, page)
        loaded = re.findall(r'<(?:link[^>]+href|script[^>]+src)="/([^"]+)"', html)
        total = len(html.encode()) + sum((out / path).stat().st_size for path in loaded if (out / path).is_file())
        assert total <= 60 * 1024, (page, total)


def test_a_one_edit_rebuild_in_ukrainian_reuses_pages_as_in_english(sample_in):
    from digest.build import build
    reused = {}
    for language in ("en", "uk"):
        root, _ = sample_in(language)
        config = load_config(root, output_dir="reuse-out", search=False)
        first = build(config, jobs=1)
        path = root / "content/2025/07/kremlin-putin-open-to-talks.md"
        path.write_text(path.read_text(encoding="utf-8").replace("Kremlin spokesman", "Kremlin spokesman Dmitry"),
                        encoding="utf-8")
        again = build(config, jobs=1)
        reused[language] = (first.pages, again.reused)
    assert reused["uk"] == reused["en"] and reused["uk"][1] > 0


UKRAINIAN_ENTRIES = {
    "content/2025/07/zelensky-uk.md": entry_text(
        title="Зеленський закликав до зустрічі лідерів", date="2025-07-23", language="uk", tags="[переговори]",
        summary="Президент запропонував Росії нову зустріч.", body="Зустріч лідерів у Стамбулі."),
    "content/2025/07/sanctions-uk.md": entry_text(
        title="Євросоюз схвалив нові санкції", date="2025-07-18", language="uk", tags="[санкції]",
        summary="Новий пакет санкцій.", body="Санкції проти енергетичного сектору."),
}


def sample_copy(folder: Path, settings: str = "", entries: dict | None = None) -> Path:
    shutil.copytree(ROOT / "content", folder / "content")
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    (folder / "pyproject.toml").write_text(text[text.index("[tool.digest]"):] + settings, encoding="utf-8")
    for name, entry in (entries or {}).items():
        (folder / name).write_text(entry, encoding="utf-8")
    return folder


def test_a_site_in_two_languages_rebuilds_one_edit_as_the_site_in_one_and_keeps_the_weight(tmp_path):
    """The sample site alone, and with a Ukrainian section (`languages`): an edit of an English
    entry's body renders as many pages in both, so no page of the Ukrainian section; the result
    equals a clean build; and the Ukrainian section's pages stay within the weight budget."""
    rendered = {}
    for name, settings, entries in (("one", "", None), ("two", 'languages = ["uk"]\n', UKRAINIAN_ENTRIES)):
        root = sample_copy(tmp_path / name, settings, entries)
        build_site(root)
        path = root / "content/2025/07/kremlin-putin-open-to-talks.md"
        path.write_text(path.read_text(encoding="utf-8").replace("Kremlin spokesman", "Kremlin spokesman Dmitry"),
                        encoding="utf-8")
        again = build_site(root)
        rendered[name] = (again.pages - again.reused, again.in_place)
        assert_equals_clean_build(root)
    assert rendered["two"] == rendered["one"] and rendered["one"][0] > 0
    out = root / "output"
    assert (out / "uk/index.html").is_file()
    for page in ("uk/index.html", "uk/2025/07/zelensky-uk/index.html", "uk/search/index.html"):
        html = read(out, page)
        loaded = re.findall(r'<(?:link[^>]+href|script[^>]+src)="/([^"]+)"', html)
        total = len(html.encode()) + sum((out / path).stat().st_size for path in loaded if (out / path).is_file())
        assert total <= 60 * 1024, (page, total)


def test_a_search_index_of_several_languages_is_the_same_bytes_on_every_clean_build(site):
    """Pagefind writes filter values and languages in hash-map order; digest puts them in order."""
    tags = "[ports, grain, talks, energy, sanctions, ceasefire, shipping, trade]"
    root = site({"content/talks.md": TALKS_EN, "content/talks-uk.md": TALKS_UK,
                 "content/other.md": entry_text(title="Other news", tags=tags),
                 "content/more-uk.md": entry_text(title="Ще новини", tags=tags, language="uk")},
                'languages = ["uk"]\n')
    outputs = []
    for name in ("first", "second", "third"):
        shutil.rmtree(root / ".digest-cache", ignore_errors=True)
        result = run_digest(root, "build", "--output", name)
        assert result.returncode == 0, result.stderr
        outputs.append(snapshot(root / name))
    assert any(path.startswith("pagefind/") and "/filter/uk_" in path for path in outputs[0])
    assert outputs[0] == outputs[1] == outputs[2]
