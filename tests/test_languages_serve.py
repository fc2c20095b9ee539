"""`digest serve` speaks the site's language to its editors: the warnings panel's heading and
label, the overlay's words (the warnings and errors themselves are digest's, in English)."""

from __future__ import annotations

import json

from helpers import entry_text, opened

BROKEN_LINK = entry_text(title="Переговори", body="Див. [решту](/2025/07/talks-99/).")
WARNING = "content/2025/07/talks.md:7: warning: link to '/2025/07/talks-99/': no such page in the site"


def test_the_warnings_panel_speaks_the_site_language_and_keeps_the_warnings_in_english(site, serve):
    root = site({"content/2025/07/talks.md": BROKEN_LINK}, 'language = "uk"\n')
    server = serve(root)
    page = server.wait_for("/2025/07/talks/", 'id="digest-warnings"').decode("utf-8")
    assert ('<aside id="digest-warnings" role="status" aria-label="Попередження digest" lang="uk" dir="ltr">'
            '<p>digest: 1 попередження (сайт зібрано; digest build --strict їх не приймає)</p><pre lang="en" dir="ltr">'
            + WARNING.replace("'", "&#x27;")) in page
    assert 'data-hide="Сховати" data-warnings-label="Попередження digest" data-language="uk" data-direction="ltr"' in page
    _, _, events = server.get("/__digest__/events?version=-1")
    status = json.loads(events)
    assert status["warnings"][0].startswith(WARNING)
    assert status["warnings_head"] == "digest: 1 попередження (сайт зібрано; digest build --strict їх не приймає)"


def test_a_warning_that_comes_while_the_page_is_open_shows_in_arabic_right_to_left(site, serve, browser):
    """The panel the reload script makes, after a rebuild, in a language written right to left."""
    root = site({"content/2025/07/talks.md": entry_text(title="مفاوضات")}, 'language = "ar"\n')
    server = serve(root)
    with opened(browser) as page:
        page.goto(server.url + "2025/07/talks/")
        page.wait_for_load_state("load")
        (root / "content/2025/07/talks.md").write_text(entry_text(title="مفاوضات", body="[المزيد](/2025/07/talks-99/)"),
                                                       encoding="utf-8")
        panel = page.locator("#digest-warnings")
        panel.wait_for()
        assert panel.get_attribute("lang") == "ar" and panel.get_attribute("dir") == "rtl"
        assert panel.get_attribute("aria-label") == "تحذيرات digest"
        assert panel.locator("p").inner_text() == "digest: تحذير واحد (بُني الموقع؛ يرفضه digest build --strict)"
        assert panel.locator("pre").get_attribute("lang") == "en"
        assert "warning: link to '/2025/07/talks-99/'" in panel.locator("pre").inner_text()
        assert panel.locator("button").inner_text() == "إخفاء"
