"""Every message names the line where the fix goes and a fix that is right applied literally.

Each test breaks an entry the way an editor does, takes the fix out of the message word for
word, applies it to the named line, and checks that the site then builds as intended.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from helpers import build_out, entry_text, read, run_digest

ENTRY = "content/2025/07/talks.md"


def only_message(result, path: str = ENTRY) -> tuple[int, str]:
    """The one problem line of a failed command: (its line number, its message)."""
    lines = [line for line in result.stderr.splitlines() if not line.startswith("digest:")]
    assert len(lines) == 1, result.stderr
    found = re.match(rf"{re.escape(path)}:(\d+): (.*)", lines[0])
    assert found, lines[0]
    return int(found[1]), found[2]


def replace_line(path: Path, number: int, text: str) -> None:
    """Line `number` (from 1) becomes text, keeping its indentation."""
    lines = path.read_text(encoding="utf-8").split("\n")
    old = lines[number - 1]
    lines[number - 1] = old[: len(old) - len(old.lstrip())] + text
    path.write_text("\n".join(lines), encoding="utf-8")


def insert_line(path: Path, number: int, text: str) -> None:
    """text becomes line `number`; the line there moves down."""
    lines = path.read_text(encoding="utf-8").split("\n")
    lines.insert(number - 1, text)
    path.write_text("\n".join(lines), encoding="utf-8")


def line_after(message: str, words: str) -> str:
    """The literal fix of a message: what follows `words` (`write the line as `)."""
    assert words in message, message
    return message.split(words, 1)[1]


def page_title(out: Path, url: str = "2025/07/talks/") -> str:
    return html.unescape(re.search(r"<h1[^>]*>(.*?)</h1>", read(out, url + "index.html"), re.S)[1].strip())


@pytest.mark.parametrize("written, meant", [
    ("title: Breaking: talks resume  # headline of the entry", "Breaking: talks resume"),
    ('title: Kyiv: "talks" resume  # headline', 'Kyiv: "talks" resume'),
    ("title: Ceasefire talks #2 in Istanbul  # headline of the entry", "Ceasefire talks #2 in Istanbul"),
    ("title: Talks: round #3: Geneva", "Talks: round #3: Geneva"),
])
def test_a_title_fix_applied_as_written_publishes_the_headline_without_the_comment(site, written, meant):
    """`title: Breaking: talks resume  # headline` was told to write the comment into the
    quoted value, which then built with the comment in the headline."""
    root = site({ENTRY: entry_text(title="X")})
    path = root / ENTRY
    replace_line(path, 2, written)
    result = run_digest(root, "check")
    assert result.returncode == 1
    number, message = only_message(result)
    assert number == 2
    fixed = line_after(message, "write the line as ")
    replace_line(path, number, fixed)
    assert page_title(build_out(root)) == meant


@pytest.mark.parametrize("written, field, meant", [
    ("story: #KyivTalks  # groups entries into one story timeline", "story", "#KyivTalks"),
    ("people:\n  - #Zelensky  # the president", "people", "#Zelensky"),
    ("source:\n  name: Wire: Kyiv  # the publisher", "source", "Wire: Kyiv"),
])
def test_a_value_fix_applied_as_written_builds_the_value(site, written, field, meant):
    root = site({ENTRY: entry_text(body="Body.").replace("---\nBody.", written + "\n---\nBody.")})
    path = root / ENTRY
    result = run_digest(root, "check")
    assert result.returncode == 1
    number, message = only_message(result)
    assert number == 5 + written.count("\n") + 1  # the line holding the value
    replace_line(path, number, line_after(message, "write the line as "))
    page = read(build_out(root), "2025/07/talks/index.html")
    assert html.escape(meant, quote=False) in page


def test_an_item_of_a_flow_list_holding_a_hash_is_named_and_quoted(site):
    root = site({ENTRY: entry_text(places="[Kyiv #1 city, Odesa]  # places")})
    path = root / ENTRY
    result = run_digest(root, "check")
    assert result.returncode == 1
    number, message = only_message(result)
    assert number == 6
    item, quoted = re.search(r"; '([^']*)' must be in quotes, as a '#' starts a YAML comment: (\".*\")$", message).groups()
    assert item == "Kyiv #1 city"
    text = path.read_text(encoding="utf-8").split("\n")
    text[number - 1] = text[number - 1].replace(item, quoted, 1)
    path.write_text("\n".join(text), encoding="utf-8")
    assert "Kyiv #1 city" in read(build_out(root), "2025/07/talks/index.html")


@pytest.mark.parametrize("field", ["title", "date", "summary", "tags"])
def test_a_missing_required_field_is_named_at_the_closing_line_where_it_goes(site, field):
    root = site({ENTRY: entry_text(**{field: None})})
    path = root / ENTRY
    result = run_digest(root, "check")
    assert result.returncode == 1
    number, message = only_message(result)
    assert path.read_text(encoding="utf-8").split("\n")[number - 1] == "---" and number > 1
    insert_line(path, number, re.search(r"add a line such as (.*) above this closing '---'", message)[1])
    build_out(root)


def test_a_misspelt_required_field_gets_one_message_at_its_own_line(site):
    """`sumary:` was two messages: an unknown field at its line, a missing summary at line 1."""
    root = site({ENTRY: entry_text(summary=None, body="Body.").replace("---\nBody.", "sumary: The gist.\n---\nBody.")})
    path = root / ENTRY
    result = run_digest(root, "check")
    assert result.returncode == 1
    number, message = only_message(result)
    assert number == 5
    assert message == ("sumary: unknown field, and the required field 'summary' is missing: did you mean "
                       "'summary'? write 'summary:' in place of 'sumary:'")
    new, old = re.search(r"write '(.*?)' in place of '(.*?)'", message).groups()
    text = path.read_text(encoding="utf-8").split("\n")
    text[number - 1] = text[number - 1].replace(old, new, 1)
    path.write_text("\n".join(text), encoding="utf-8")
    assert "The gist." in read(build_out(root), "index.html")


def test_a_misspelt_optional_field_stays_a_warning_with_its_suggestion(site):
    root = site({ENTRY: entry_text(palces="[Kyiv]")})
    result = run_digest(root, "build", "--no-search", "--output", "out")
    assert result.returncode == 0
    assert f"{ENTRY}:6: warning: palces: unknown field (did you mean 'places'?)" in result.stderr.splitlines()
    assert run_digest(root, "build", "--no-search", "--output", "out", "--strict").returncode == 1


# --- two entries, one URL ------------------------------------------------------------------

OLD = "content/2025/07/peskov-state-tv-interview.md"
NEW = "content/2025/07/aaa-interview.md"


def test_a_duplicate_url_is_blamed_on_the_file_the_last_build_did_not_have(site):
    """The new file sorts first and is dated earlier: only the last build tells it is new."""
    root = site({OLD: entry_text(title="Peskov on state TV", date="2025-07-23")})
    build_out(root)
    path = root / NEW
    path.write_text(entry_text(title="Another interview", date="2025-07-02", slug="peskov-state-tv-interview"),
                    encoding="utf-8")
    result = run_digest(root, "build", "--no-search", "--output", "out")
    assert result.returncode == 1
    number, message = only_message(result, NEW)
    assert number == 6  # its own slug: line
    assert message == (f"slug: same URL /2025/07/peskov-state-tv-interview/ as {OLD}; give this entry a URL of "
                       "its own: write the line as slug: peskov-state-tv-interview-2")
    replace_line(path, number, line_after(message, "write the line as "))
    out = build_out(root)
    assert "Another interview" in read(out, "2025/07/peskov-state-tv-interview-2/index.html")
    assert "Peskov on state TV" in read(out, "2025/07/peskov-state-tv-interview/index.html")


def test_without_a_last_build_the_later_entry_is_the_new_one(site):
    root = site({"content/2025/07/talks.md": entry_text(title="First", date="2025-07-20"),
                 "content/2025/07/more/talks.md": entry_text(title="Second", date="2025-07-21")})
    path = root / "content/2025/07/more/talks.md"
    result = run_digest(root, "build", "--no-search", "--no-cache", "--output", "out")
    assert result.returncode == 1
    number, message = only_message(result, "content/2025/07/more/talks.md")
    assert path.read_text(encoding="utf-8").split("\n")[number - 1] == "---"
    insert_line(path, number, re.search(r"add a line (.*) above this closing '---'", message)[1])
    out = build_out(root)
    assert "Second" in read(out, "2025/07/talks-2/index.html") and "First" in read(out, "2025/07/talks/index.html")


# --- links and images ------------------------------------------------------------------------

def linking_site(site, body: str):
    return site({ENTRY: entry_text(title="Talks", body=body),
                 "content/2025/07/turkey-talks-two-rounds.md": entry_text(title="Two rounds in Turkey",
                                                                           tags="[Russia, Turkey]")})


@pytest.mark.parametrize("written", [
    "/2025/07/turkey-talk-two-rounds/",     # a slug misspelt
    "/2025/08/turkey-talks-two-rounds/",    # the right slug under the wrong month
    "../turkey-talk-two-rounds/",           # relative to the page
    "turkey-talk-two-rounds.md",            # the entry's file
    "../07/turkey-talk-two-rounds.md",
    "/tags/turky/",                         # a term's page
])
def test_a_broken_link_suggests_the_page_it_meant_and_the_suggestion_works(site, written):
    root = linking_site(site, f"See [the talks]({written}).")
    result = run_digest(root, "build", "--no-search", "--output", "out")
    assert result.returncode == 0
    warning = next(line for line in result.stderr.splitlines() if "no such page" in line)
    assert warning.startswith(f"{ENTRY}:7: warning: link to '{written}': no such page in the site (did you mean '")
    meant = re.search(r"did you mean '(.*)'\?\)$", warning)[1]
    path = root / ENTRY
    path.write_text(path.read_text(encoding="utf-8").replace(f"({written})", f"({meant})"), encoding="utf-8")
    result = run_digest(root, "build", "--no-search", "--output", "out", "--strict")
    assert result.returncode == 0, result.stderr
    target = re.search(r'href="([^"]*)">the talks</a>', read(root / "out", "2025/07/talks/index.html"))[1]
    wanted = "/tags/turkey/" if "tags" in written else "/2025/07/turkey-talks-two-rounds/"
    assert target in (wanted, "../turkey-talks-two-rounds/"), target


def test_a_missing_image_says_image_and_where_to_save_it(site):
    root = site({ENTRY: entry_text(body="![Front line on 20 July](/images/map.png)")})
    result = run_digest(root, "build", "--no-search", "--output", "out")
    assert result.returncode == 0
    warning = f"{ENTRY}:7: warning: image '/images/map.png': no such file in the site; save the image as " \
              "static/images/map.png, or correct the link"
    assert warning in result.stderr.splitlines()
    assert "page" not in warning
    saved = root / re.search(r"save the image as (\S+),", warning)[1]
    saved.parent.mkdir(parents=True)
    saved.write_bytes(b"\x89PNG\r\n\x1a\n")
    assert run_digest(root, "build", "--no-search", "--output", "out", "--strict").returncode == 0
    assert (root / "out/images/map.png").is_file()


# --- placeholders ------------------------------------------------------------------------------

def test_placeholders_of_digest_new_are_errors_outside_a_draft_naming_each_field(site):
    root = site({})
    made = run_digest(root, "new", "Talks resume")
    assert made.returncode == 0, made.stderr
    path = root / made.stdout.strip()
    text = path.read_text(encoding="utf-8")
    assert "draft: true" in text
    assert run_digest(root, "build", "--no-search", "--output", "out", "--drafts").returncode == 0  # a draft may hold them
    path.write_text(text.replace("draft: true", "draft: false"), encoding="utf-8")
    result = run_digest(root, "check")
    assert result.returncode == 1
    problems = [line for line in result.stderr.splitlines() if not line.startswith("digest:")]
    fields = [re.match(r".*?:\d+: (\w+): '", line)[1] for line in problems]
    assert fields == ["summary", "tags", "body"], problems
    assert all("is a placeholder digest new wrote" in line for line in problems)
    lines = path.read_text(encoding="utf-8").split("\n")
    for line in problems:
        number = int(line.split(":")[1])
        placeholder = re.search(r": '(.*?)' is a placeholder", line)[1]
        lines[number - 1] = lines[number - 1].replace(placeholder, {"summary": "Delegations met.", "tags": "Ukraine"}.get(
            re.match(r".*?:\d+: (\w+):", line)[1], "The delegations met for an hour."))
    path.write_text("\n".join(lines), encoding="utf-8")
    out = build_out(root)
    assert not (out / "tags/todo").exists()
    assert "Delegations met." in read(out, "index.html")


def test_a_placeholder_headline_is_an_error_naming_the_title(site):
    root = site({ENTRY: entry_text(title='"TODO: write a headline"')})
    result = run_digest(root, "build", "--no-search", "--strict")
    number, message = only_message(result)
    assert (number, message.split(":")[0]) == (2, "title")
    assert run_digest(root, "check", "--drafts").returncode == 1  # not a draft: --drafts changes nothing
    path = root / ENTRY
    path.write_text(path.read_text(encoding="utf-8").replace("---\nBody", "draft: true\n---\nBody"), encoding="utf-8")
    assert run_digest(root, "check", "--drafts").returncode == 0


# --- the cap on terms ------------------------------------------------------------------------

def test_too_many_terms_is_an_error_naming_the_field_and_count(site):
    tags = "[" + ", ".join(f"tag {n}" for n in range(150)) + "]"
    root = site({ENTRY: entry_text(tags=tags)})
    result = run_digest(root, "build", "--no-search", "--output", "out")
    number, message = only_message(result)
    assert (number, message) == (5, "tags: 150 items; an entry may list at most 100 (the max_terms setting), as "
                                     "each is a page and a feed of its own: keep the ones the entry is about")
    assert not (root / "out").exists()
    (root / "pyproject.toml").write_text("[tool.digest]\nmax_terms = 150\n", encoding="utf-8")
    out = build_out(root)
    assert (out / "tags/tag-149/index.html").is_file()


def test_output_stays_proportional_to_the_terms(site):
    """3,000 tags made 291 MB (each term's feed lists the entry with all its terms): refused
    now, and an entry at the cap makes a bounded amount per term."""
    def output_of(count: int, name: str) -> int:
        tags = "[" + ", ".join(f"t{n}" for n in range(count)) + "]"
        root = site({ENTRY: entry_text(tags=tags)}, name=name)
        result = run_digest(root, "build", "--no-search", "--output", "out")
        return sum(p.stat().st_size for p in (root / "out").rglob("*") if p.is_file()) if result.returncode == 0 else -1

    assert output_of(3000, "huge") == -1
    few, many = output_of(10, "few"), output_of(100, "many")
    assert (many - few) / 90 < 20_000, (few, many)   # bytes per term added, at the cap


# --- the build summary ---------------------------------------------------------------------------

def test_the_build_summary_counts_drafts_left_out_and_warnings(site):
    root = site({ENTRY: entry_text(body="[x](/nowhere/)"),
                 "content/2025/07/draft.md": entry_text(title="Unfinished", draft="true")})
    result = run_digest(root, "build", "--no-search", "--output", "out")
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert lines[0].startswith("Built ") and lines[1:] == [
        "1 draft not published (--drafts to include)", "1 warning (listed above; --strict makes them errors)"]
    result = run_digest(root, "build", "--no-search", "--output", "out", "--drafts")
    assert "draft" not in result.stdout
    assert run_digest(root, "build", "--no-search", "--output", "out", "--strict").returncode == 1


# --- settings, themes and templates ----------------------------------------------------------

def test_a_misspelt_setting_names_the_key_meant_and_renaming_it_builds(site):
    root = site({ENTRY: entry_text()}, 'titel = "Kyiv Digest"\n')
    result = run_digest(root, "check")
    number, message = only_message(result, "pyproject.toml")
    assert (number, message) == (2, "tool.digest.titel: unknown setting (did you mean 'title'?)")
    meant = re.search(r"did you mean '(.*)'\?", message)[1]
    settings = root / "pyproject.toml"
    settings.write_text(settings.read_text(encoding="utf-8").replace("titel", meant), encoding="utf-8")
    assert "Kyiv Digest" in read(build_out(root), "index.html")


def test_a_misspelt_theme_names_the_theme_folder_and_the_line_given_builds_with_it(site):
    root = site({ENTRY: entry_text(), "themes/newsroom/templates/404.html":
                 '{% extends "base.html" %}{% block content %}<h1>Lost in the newsroom</h1>{% endblock %}'},
                'theme = "newsrom"\n')
    result = run_digest(root, "check")
    number, message = only_message(result, "pyproject.toml")
    assert number == 2
    line = re.search(r"did you mean (theme = \".*\")\?", message)[1]
    replace_line(root / "pyproject.toml", number, line)
    assert "Lost in the newsroom" in read(build_out(root), "404.html")


def test_a_misspelt_template_name_is_suggested_and_the_suggestion_builds(site):
    template = '{% extends "base.html" %}{% from "_macro.html" import post_card %}{% block content %}Lost{% endblock %}\n'
    root = site({ENTRY: entry_text(), "themes/mine/templates/404.html": template}, 'theme = "mine"\n')
    result = run_digest(root, "check")
    number, message = only_message(result, "themes/mine/templates/404.html")
    assert number == 1 and "template not found: _macro.html" in message
    meant = re.search(r"did you mean '(.*)'\?", message)[1]
    assert meant == "_macros.html"
    path = root / "themes/mine/templates/404.html"
    path.write_text(template.replace("_macro.html", meant), encoding="utf-8")
    assert "Lost" in read(build_out(root), "404.html")
