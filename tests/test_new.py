"""`digest new "Title"` and `digest new --from FILE|-`."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import yaml

from helpers import FIXTURES, run_digest, snapshot
from digest.entries import FIELDS

REFERENCE = FIXTURES / "article_reservoir_talks.txt"
OWN_ARTICLE = FIXTURES / "article_port_strike.txt"
FAR_ZONE = 'timezone = "Pacific/Kiritimati"\n'   # UTC+14: "today" differs from UTC for 14 hours a day


@pytest.fixture
def reference_text():
    """An article in the import format, written for these tests: the repository holds all it needs."""
    return REFERENCE.read_text(encoding="utf-8")


def front_matter(text: str) -> dict:
    block = text.split("---\n")[1]
    return yaml.load(block, Loader=yaml.BaseLoader)


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower().replace("’", "'"))


# --- digest new "Title" -------------------------------------------------------------------

def test_new_title_writes_every_field_with_today_in_site_timezone(site):
    root = site({}, FAR_ZONE)
    before = datetime.now(ZoneInfo("Pacific/Kiritimati")).date()
    result = run_digest(root, "new", "Talks resume in İstanbul")
    after = datetime.now(ZoneInfo("Pacific/Kiritimati")).date()
    assert result.returncode == 0, result.stderr
    shown = result.stdout.strip()
    assert shown in {f"content/{d:%Y}/{d:%m}/talks-resume-in-istanbul.md" for d in (before, after)}
    text = (root / shown).read_text(encoding="utf-8")
    fields = front_matter(text)
    assert fields["title"] == "Talks resume in İstanbul"
    assert fields["date"] in {before.isoformat(), after.isoformat()}
    assert fields["draft"] == "true"
    for field in FIELDS:   # every field of the schema is present, with a comment
        assert re.search(rf"^{field.name}:.*# \S", text, re.MULTILINE), field.name


def test_new_title_builds_with_drafts_and_refuses_to_overwrite(site):
    root = site({})
    shown = run_digest(root, "new", "Harbour strike ends").stdout.strip()
    path = root / shown
    original = path.read_bytes()
    built = run_digest(root, "build", "--drafts", "--no-search", "--output", "out")
    assert built.returncode == 0, built.stderr
    day = front_matter(original.decode())["date"]
    assert (root / "out" / day[:4] / day[5:7] / "harbour-strike-ends" / "index.html").is_file()
    again = run_digest(root, "new", "Harbour strike ends")
    assert again.returncode == 1
    assert again.stderr.splitlines() == [
        f"{shown}: already exists; digest new never overwrites a file: choose another title",
        "digest: nothing was written"]
    assert path.read_bytes() == original


def test_new_without_title_or_article_is_a_usage_error(site):
    root = site({})
    result = run_digest(root, "new")
    assert result.returncode == 2
    assert "give a title" in result.stderr
    assert snapshot(root / "content") == {}


# --- digest new --from --------------------------------------------------------------------

def test_from_reference_article_fills_the_draft(site, reference_text):
    root = site({})
    (root / "article.txt").write_text(reference_text, encoding="utf-8")
    result = run_digest(root, "new", "--from", "article.txt")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "content/2025/09/marta-okafor-2025-09-14.md\n"
    text = (root / "content/2025/09/marta-okafor-2025-09-14.md").read_text(encoding="utf-8")
    fields = front_matter(text)
    assert fields["draft"] == "true"
    assert fields["date"] == "2025-09-14"
    assert fields["author"] == "Marta Okafor"
    assert fields["source"] == ""   # a copyright footer names the site, not the source (test_import.py)
    assert fields["tags"] == ["water", "drought", "farming", "Kessel reservoir", "Lindau talks", "Helena Brandt",
                              "treaties", "rivers", "wetlands", "irrigation"]
    lead = reference_text.splitlines()[1]
    assert fields["summary"] == lead   # the lead is one sentence: the summary is that sentence
    assert set(fields["people"]) >= {"Helena Brandt", "Tomas Reiner", "Irina Solberg"}
    assert set(fields["places"]) >= {"Lindau", "Varna"}
    assert not {"Brandt", "Reiner", "Solberg", "Nobody", "Upstream", "Downstream"} & set(fields["places"])
    body = text.split("---\n", 2)[2]
    bullets = [line for line in body.splitlines() if line.startswith("- ")]
    assert len(bullets) >= 5
    assert all(len(words(b)) <= 16 for b in bullets)   # prompts, not sentences


def test_from_reference_copies_no_sentence_beyond_the_lead(site, reference_text):
    root = site({})
    (root / "article.txt").write_text(reference_text, encoding="utf-8")
    shown = run_digest(root, "new", "--from", "article.txt").stdout.strip()
    draft = " ".join(words((root / shown).read_text(encoding="utf-8")))
    lines = reference_text.splitlines()
    after_lead = lines[2:lines.index("Tagged Under:")]
    assert after_lead
    for line in after_lead:   # no run of six words from any later line appears in the draft
        line_words = words(line)
        for start in range(len(line_words) - 5):
            shingle = " ".join(line_words[start:start + 6])
            assert f" {shingle} " not in f" {draft} ", (shingle, line)


def test_from_reference_on_stdin_builds_with_drafts(site, reference_text):
    root = site({})
    result = subprocess.run([sys.executable, "-m", "digest", "new", "--from", "-", "Reservoir deal reached"],
                            cwd=root, input=reference_text, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "content/2025/09/reservoir-deal-reached.md\n"
    built = run_digest(root, "build", "--drafts", "--no-search", "--output", "out")
    assert built.returncode == 0, built.stderr
    page = (root / "out/2025/09/reservoir-deal-reached/index.html").read_text(encoding="utf-8")
    assert "Reservoir deal reached" in page
    plain = run_digest(root, "build", "--no-search", "--output", "out")
    assert plain.returncode == 0, plain.stderr
    assert not (root / "out/2025/09/reservoir-deal-reached").exists()   # a draft stays out by default


def test_from_own_fixture_article(site):
    root = site({}, FAR_ZONE)
    crlf = OWN_ARTICLE.read_text(encoding="utf-8").replace("\n", "\r\n")
    (root / "strike.txt").write_bytes(("\ufeff" + crlf).encode("utf-8"))
    result = run_digest(root, "new", "--from", "strike.txt", "Rotterdam dockers strike")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "content/2025/03/rotterdam-dockers-strike.md\n"
    fields = front_matter((root / "content/2025/03/rotterdam-dockers-strike.md").read_text(encoding="utf-8"))
    assert fields["date"] == "2025-03-02"   # MM/DD/YYYY
    assert fields["author"] == "Ana Lima"
    assert fields["tags"] == ["strikes", "shipping", "Rotterdam", "labour"]
    assert fields["source"] == ""   # a copyright footer names the site, not the source (test_import.py)
    # The first sentence is short, so the summary takes the second one too.
    assert fields["summary"] == ("Dock workers in Rotterdam walked off the job on Saturday, halting container "
                                 "traffic at Europe's largest port. Union leader Pieter Jansen said the strike "
                                 "would last until wages rise.")
    assert fields["people"] == ["Pieter Jansen"]
    assert fields["places"] == ["Rotterdam", "Antwerp"]
    built = run_digest(root, "build", "--drafts", "--no-search", "--output", "out")
    assert built.returncode == 0, built.stderr


@pytest.mark.parametrize("name, text, message", [
    ("no_byline", "Dock workers walked out.\nTagged Under:\nstrikes\n", "standard input:1: the first line is not a date and byline; "),
    ("bad_date", "13/45/2025 / By Ana Lima\nDock workers walked out.\nTagged Under:\nstrikes\n",
     "standard input:1: '13/45/2025' is not a real date (MM/DD/YYYY); "),
    ("no_tags_line", "03/02/2025 / By Ana Lima\nDock workers walked out.\n", "standard input: no 'Tagged Under:' line; "),
    ("empty", "\n\n", "standard input: the article is empty; "),
])
def test_unrecognised_shape_writes_nothing(site, name, text, message):
    root = site({"content/keep.md": "---\ntitle: t\n---\n"})
    before = snapshot(root)
    result = subprocess.run([sys.executable, "-m", "digest", "new", "--from", "-"], cwd=root, input=text,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    expected = ("expected a plain-text article: a first line like '07/23/2025 / By Belle Carter' (or the headline, "
                "then that line), then the article's paragraphs, then a 'Tagged Under:' line followed by a line of "
                "comma-separated tags")
    assert result.stderr.splitlines() == [message + expected, "digest: nothing was written"]
    assert result.stdout == ""
    assert snapshot(root) == before


def test_missing_article_file_is_reported(site):
    root = site({})
    result = run_digest(root, "new", "--from", "nowhere.txt")
    assert result.returncode == 1
    assert result.stderr.splitlines()[0].startswith("nowhere.txt: cannot read the article: ")


@pytest.mark.parametrize("character, line", [("\x85", 2), ("\x00", 2), ("\x0c", 2), ("\x1b", 1)])
def test_an_article_holding_a_character_no_entry_may_hold_writes_nothing(site, character, line):
    """U+0085 (a cp1252 ellipsis decoded as Latin-1), NUL, a form feed or ESC in the article,
    copied into the draft (as the byte itself or a YAML escape), would make an entry every
    build refuses: digest new must not write what digest cannot build. The article is refused
    at its line."""
    root = site({})
    text = OWN_ARTICLE.read_text(encoding="utf-8")
    if line == 1:
        text = text.replace("Ana Lima", "Ana" + character + "Lima", 1)
    else:
        text = text.replace("Dock workers in", "Dock workers" + character + " in", 1)
    (root / "strike.txt").write_text(text, encoding="utf-8")
    before = snapshot(root)
    result = run_digest(root, "new", "--from", "strike.txt")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"strike.txt:{line}: control character U+{ord(character):04X} cannot go into a web page or feed; delete it, or write "
        "the character you meant itself", "digest: nothing was written"]
    assert snapshot(root) == before
