"""`digest new --from`: articles as editors paste them, with their headline and the page's boilerplate."""

from __future__ import annotations

import re

import yaml

from helpers import FIXTURES, run_digest, snapshot

HEADLINE_FIRST = FIXTURES / "import" / "headline_first.txt"
SAME_DAY = FIXTURES / "import" / "same_author_same_day.txt"
BOILERPLATE = ("Share", "share", "Facebook", "Twitter", "Telegram", "Email", "COPYRIGHT", "©", "NEWSWIRE",
               "Newswire", "rights reserved", "Tagged Under")


def draft_of(root, shown: str) -> tuple[dict, str]:
    """The draft's front matter (as YAML reads it) and its body."""
    _, front, body = (root / shown).read_text(encoding="utf-8").split("---\n", 2)
    return yaml.load(front, Loader=yaml.BaseLoader), body   # every value as the text written


def test_an_article_starting_with_its_headline_is_titled_and_named_after_it(site):
    root = site({})
    result = run_digest(root, "new", "--from", str(HEADLINE_FIRST))
    assert result.returncode == 0, result.stderr
    assert result.stdout == "content/2026/12/grain-corridor-reopens-as-odesa-ports-resume-loading.md\n"
    fields, _ = draft_of(root, result.stdout.strip())
    assert fields["title"] == "Grain corridor reopens as Odesa ports resume loading"
    assert fields["date"] == "2026-12-05" and fields["author"] == "Maria Kovalenko"
    assert fields["tags"] == ["grain", "shipping", "Odesa", "Black Sea"]
    assert fields["draft"] == "true"
    built = run_digest(root, "build", "--drafts", "--no-search", "--output", "out")
    assert built.returncode == 0, built.stderr
    assert (root / "out/2026/12/grain-corridor-reopens-as-odesa-ports-resume-loading/index.html").is_file()


def test_a_title_given_on_the_command_line_wins_over_the_headline(site):
    root = site({})
    result = run_digest(root, "new", "--from", str(HEADLINE_FIRST), "Odesa grain ships sail")
    assert result.stdout == "content/2026/12/odesa-grain-ships-sail.md\n"
    assert draft_of(root, result.stdout.strip())[0]["title"] == "Odesa grain ships sail"


def test_boilerplate_stays_out_of_source_summary_and_body(site):
    """A copyright footer gave source.name (it names the site that republished the article, not
    the source); share prompts and rows of network names are not the article."""
    root = site({})
    shown = run_digest(root, "new", "--from", str(HEADLINE_FIRST)).stdout.strip()
    fields, body = draft_of(root, shown)
    assert fields["source"] == ""   # left for the editor: `source:` with its commented keys
    assert fields["summary"] == ("Ships began loading grain at three Odesa ports on Friday after a two-week "
                                 "pause, port officials said. Insurers agreed to cover the first convoy.")
    for text in [fields["summary"], body, *fields["people"], *fields["places"]]:
        for word in BOILERPLATE:
            assert word not in text, (word, text)
    points = [line for line in body.splitlines() if line.startswith("- ")]
    assert len(points) == 3   # one per paragraph of the article after the lead; no prompt for a share line
    assert fields["people"] == ["Oleksandr Tkachenko"] and fields["places"] == ["Odesa", "Istanbul"]


def test_a_second_import_never_overwrites_and_says_which_name_it_took(site):
    root = site({})
    first = run_digest(root, "new", "--from", str(SAME_DAY))
    assert first.returncode == 0 and first.stderr == ""
    assert first.stdout == "content/2026/12/maria-kovalenko-2026-12-05.md\n"
    (root / first.stdout.strip()).write_text("edited by hand\n", encoding="utf-8")
    second = run_digest(root, "new", "--from", str(SAME_DAY))
    assert second.returncode == 0, second.stderr
    assert second.stdout == "content/2026/12/maria-kovalenko-2026-12-05-2.md\n"
    assert second.stderr == ("digest: content/2026/12/maria-kovalenko-2026-12-05.md exists already (digest new never "
                             "overwrites a file); wrote content/2026/12/maria-kovalenko-2026-12-05-2.md\n")
    assert (root / first.stdout.strip()).read_text(encoding="utf-8") == "edited by hand\n"
    third = run_digest(root, "new", "--from", str(SAME_DAY))
    assert third.stdout == "content/2026/12/maria-kovalenko-2026-12-05-3.md\n"
    # Each is its own entry: three drafts, three URLs, one build (the first one filled in by hand).
    (root / first.stdout.strip()).unlink()
    built = run_digest(root, "build", "--drafts", "--no-search", "--output", "out")
    assert built.returncode == 0, built.stderr
    assert {path.parent.name for path in (root / "out/2026/12").glob("*/index.html")} == {
        "maria-kovalenko-2026-12-05-2", "maria-kovalenko-2026-12-05-3"}


def test_the_draft_cannot_be_published_until_its_placeholders_are_replaced(site):
    root = site({})
    shown = run_digest(root, "new", "--from", str(HEADLINE_FIRST)).stdout.strip()
    path = root / shown
    path.write_text(path.read_text(encoding="utf-8").replace("draft: true", "draft: false"), encoding="utf-8")
    result = run_digest(root, "check")
    assert result.returncode == 1
    problems = [line for line in result.stderr.splitlines() if not line.startswith("digest:")]
    assert problems and all(re.match(rf"{re.escape(shown)}:\d+: body: '", line) for line in problems), problems
    assert any("Key points (editor:" in line for line in problems)


def test_an_article_whose_second_line_is_not_a_byline_is_refused_at_its_line(site):
    root = site({})
    (root / "a.txt").write_text("\n\nA headline\nNot a byline\nTagged Under:\nx\n", encoding="utf-8")
    before = snapshot(root)
    result = run_digest(root, "new", "--from", "a.txt")
    assert result.returncode == 1
    assert result.stderr.splitlines()[0].startswith("a.txt:3: the first line is not a date and byline; expected a "
                                                    "plain-text article: a first line like '07/23/2025 / By Belle "
                                                    "Carter' (or the headline, then that line)")
    assert snapshot(root) == before
