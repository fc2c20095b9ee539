"""The search page in a real browser: the sample site (plus one hostile entry) built with Pagefind,
served by a real HTTP server under /repo/ and at a domain root, driven by Chromium."""

from __future__ import annotations

import json
import re
from urllib.parse import quote
from urllib.request import urlopen

import pytest

from helpers import HOSTILE_TITLE
from search_sites import serve_built_site

TIMEOUT_MS = 10_000
PESKOV_TITLE = "Peskov on state TV: Russia ready to talk but sticking to its goals"


@pytest.fixture(scope="module")
def repo_site(tmp_path_factory):
    yield from serve_built_site(tmp_path_factory.mktemp("repo"), "/repo/")


@pytest.fixture(scope="module")
def root_site(tmp_path_factory):
    yield from serve_built_site(tmp_path_factory.mktemp("root"), "/")


@pytest.fixture
def page(browser):
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    yield page
    context.close()
    assert errors == []


def results(page):
    return page.locator("#search-results > li")


def result_count(page) -> int:
    status = page.locator("#search-status")
    status.filter(has_text=re.compile(r"^\d+ results?")).wait_for()
    return int(status.inner_text().split()[0])


def test_typing_a_name_finds_the_entry_with_a_link_under_the_base_path(page, repo_site):
    page.goto(repo_site + "search/")
    page.get_by_label("Search entries by word, person, place or tag").fill("Peskov")
    link = page.locator("#search-results a", has_text=PESKOV_TITLE)
    link.wait_for()
    assert link.get_attribute("href") == "/repo/2025/07/peskov-state-tv-interview/"
    first = results(page).first
    assert first.locator("time").get_attribute("datetime") == "2025-07-23"
    assert first.locator(".source").inner_text() == "White House News"
    assert first.locator(".search-excerpt mark").first.inner_text() == "Peskov"
    assert page.url.endswith("/repo/search/?q=Peskov")
    link.click()
    page.wait_for_url(repo_site + "2025/07/peskov-state-tv-interview/")
    assert page.locator("h1").inner_text() == PESKOV_TITLE


def test_a_query_in_the_url_runs_on_load_and_a_tag_filter_narrows_it(page, repo_site):
    page.goto(repo_site + "search/?q=Russia")
    assert page.locator("#search-query").input_value() == "Russia"
    before = result_count(page)
    assert before == results(page).count() > 1
    page.locator("#search-filters summary", has_text="Tags").click()  # groups start closed
    kremlin = page.locator("#search-filters details").first.get_by_role("checkbox", name=re.compile("^Kremlin"))
    kremlin.check()
    page.locator("#search-status").filter(has_text=re.compile(rf"^(?!{before} )\d+ results?")).wait_for()
    after = result_count(page)
    assert 0 < after < before
    assert results(page).count() == after
    assert "tag=Kremlin" in page.url


def test_newest_first_orders_results_by_date(page, repo_site):
    page.goto(repo_site + "search/?q=talks&sort=newest")
    result_count(page)
    assert page.locator("#search-sort").input_value() == "newest"
    dates = results(page).locator("time").evaluate_all("nodes => nodes.map(n => n.getAttribute('datetime'))")
    assert len(dates) > 2 and dates == sorted(dates, reverse=True)


def test_hostile_text_appears_as_text(page, repo_site):
    page.goto(repo_site + "search/?q=hostile")
    link = page.locator("#search-results a").first
    link.wait_for()
    assert link.inner_text() == HOSTILE_TITLE
    assert page.locator("#search-results script, #search-results b").count() == 0
    assert page.evaluate("window.hacked") is None
    page.eval_on_selector_all("details.search-filter", "groups => groups.forEach(group => group.open = true)")
    page.locator("#search-filters .search-filter-all", has_text="Show all 18").click()  # past the ten most used tags
    page.locator("#search-filters .search-filter-name", has_text="<b>bold</b>").wait_for()
    names = page.locator("#search-filters .search-filter-name").all_text_contents()
    for value in ("<b>bold</b>", "Tag, with comma", "key: value", 'O\'Brien "Jr"', 'Source: <The "Wire">', "Story: a, b"):
        assert value in names


def test_a_filter_value_holding_a_quote_finds_its_entry(page, repo_site):
    """Pagefind looks a chosen filter value up by its JSON text without unescaping it: the person
    `O'Brien "Jr"`, sent as `"O'Brien \\"Jr\\""`, found nothing, from the URL or the checkbox."""
    page.goto(repo_site + "search/?person=" + quote('O\'Brien "Jr"'))
    assert result_count(page) == 1
    assert results(page).first.locator("a").first.inner_text() == HOSTILE_TITLE
    page.goto(repo_site + "search/")
    page.locator("#search-filters summary", has_text="Sources").click()
    source = page.locator("#search-filters").get_by_role("checkbox", name=re.compile('^Source: <The "Wire">'))
    source.check()
    assert result_count(page) == 1
    assert "source=Source%3A+%3CThe+%22Wire%22%3E" in page.url
    assert source.locator("xpath=..").locator(".count").inner_text() == "(1)"  # the label's count


def test_a_person_or_place_named_only_in_the_front_matter_finds_the_entry(page, repo_site):
    """The tag, people and place links below an entry are not in a <footer>, which Pagefind
    leaves out of its index: a name listed in `people:` but not in the body is found."""
    for query in ("O'Brien", "bold"):  # a person and a tag of the hostile entry only
        page.goto(repo_site + "search/?q=" + query)
        assert result_count(page) == 1
        assert results(page).first.locator("a").first.inner_text() == HOSTILE_TITLE


def test_the_header_form_leads_to_the_search_page_at_a_domain_root(page, root_site):
    page.goto(root_site)
    page.get_by_label("Search the digest").fill("Peskov")
    page.get_by_label("Search the digest").press("Enter")
    page.wait_for_url(root_site + "search/?q=Peskov")
    link = page.locator("#search-results a", has_text=PESKOV_TITLE)
    link.wait_for()
    assert link.get_attribute("href") == "/2025/07/peskov-state-tv-interview/"


def test_results_show_dates_as_the_pages_do(page, repo_site):
    page.goto(repo_site + "search/?q=Peskov")
    results(page).first.wait_for()
    assert results(page).first.locator("time").inner_text() == "July 23, 2025"


def test_the_search_page_fits_a_360_px_screen(browser, repo_site):
    """The order menu beside the search box pushed the page to 472 px on a phone."""
    context = browser.new_context(viewport={"width": 360, "height": 800})
    try:
        phone = context.new_page()
        phone.goto(repo_site + "search/?q=Peskov")
        results(phone).first.wait_for(timeout=TIMEOUT_MS)
        assert phone.evaluate("document.documentElement.scrollWidth") <= 360
        box = phone.locator("#search-sort").bounding_box()
        assert box["x"] + box["width"] <= 360
    finally:
        context.close()


def shards_of(url: str) -> list[str]:
    """The shard names of the site served at url, newest first (pagefind/shards.json)."""
    with urlopen(url + "pagefind/shards.json") as answer:
        return [shard["name"] for shard in json.load(answer)["shards"]]


def test_one_search_finds_a_word_of_the_oldest_shard_and_one_of_the_newest(page, repo_site):
    assert len(shards_of(repo_site)) == 4
    fetched = []
    page.on("request", lambda request: fetched.append(request.url))
    for word, title in (("aardvarkian", "The oldest entry"), ("zyzzyvan", "The newest entry")):
        page.goto(repo_site + "search/?q=" + word)
        assert result_count(page) == 1
        assert results(page).first.locator("a").first.inner_text() == title
    shards = {url.split("/pagefind/")[1].split("/")[0] for url in fetched if "/pagefind/" in url and url.endswith(".pf_meta")}
    assert shards == set(shards_of(repo_site))  # every shard's index was read
    assert not [url for url in fetched if url.endswith(".pf_filter")]  # no filter loaded before it was needed


def test_a_filter_spanning_shards_counts_and_orders_entries_from_all_of_them(page, repo_site):
    page.goto(repo_site + "search/?tag=Archive&sort=newest")
    assert result_count(page) == 2
    titles = results(page).locator("h2 a").all_text_contents()
    assert titles == ["The newest entry", "The oldest entry"]
    page.goto(repo_site + "search/?tag=Russia&sort=newest")
    count = result_count(page)
    dates = results(page).locator("time").evaluate_all("nodes => nodes.map(n => n.getAttribute('datetime'))")
    assert count == len(dates) == 8 and dates == sorted(dates, reverse=True)
    tag = page.locator("#search-filters").get_by_role("checkbox", name=re.compile("^Russia"))
    assert tag.is_checked() and tag.locator("xpath=..").locator(".count").inner_text() == "(8)"
    page.locator("#search-query").fill("Umerov")  # a word of some of them: the counts follow
    page.locator("#search-status").filter(has_text=re.compile(r"^\d+ results? for")).wait_for()
    narrowed = result_count(page)
    assert 0 < narrowed < 8 and tag.locator("xpath=..").locator(".count").inner_text() == f"({narrowed})"
