"""Slugs: long titles, file names, terms and slugs make URLs that the file system can hold,
and a term is one term however its accents were typed."""

from __future__ import annotations

import unicodedata

from helpers import entry_text, run_digest
from digest.entries import SLUG_MAX, slugify

LONG_TITLE = "Переговори щодо припинення вогню " * 12


def test_a_long_text_gives_a_slug_cut_at_a_word():
    slug = slugify(LONG_TITLE)
    assert len(slug) <= SLUG_MAX
    assert slug.startswith("peregovori-shchodo-pripinennya-vognyu-")
    assert not slug.endswith("-") and slugify(LONG_TITLE) in slugify(LONG_TITLE, limit=None)
    assert slugify(LONG_TITLE, limit=None).split("-")[: len(slug.split("-"))] == slug.split("-")


def test_digest_new_with_a_very_long_title_writes_a_file(site):
    root = site({})
    result = run_digest(root, "new", LONG_TITLE)
    assert result.returncode == 0, result.stderr
    path = root / result.stdout.strip()
    assert path.is_file() and len(path.stem) <= SLUG_MAX


def test_long_terms_and_file_names_build(site):
    long_tag = "Supercalifragilistic " * 20
    root = site({("content/" + "очень-длинное-имя-файла-" * 5 + ".md"): entry_text(tags=f"[{long_tag}]", story=long_tag)})
    result = run_digest(root, "build", "--no-search")
    assert result.returncode == 0, result.stderr
    assert all(len(path.name) <= SLUG_MAX for path in (root / "output").rglob("*"))


def test_an_explicit_slug_too_long_for_a_folder_is_an_error_at_its_line(site):
    root = site({"content/e.md": entry_text(slug="a" * 300)})
    result = run_digest(root, "build", "--no-search")
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == (
        "content/e.md:6: slug: 'aaaaaaaaaaaaaaaaaaaa...' is 300 characters long; a slug may have at most 100")
    assert "cannot write" not in result.stderr


def test_a_term_typed_with_a_combining_accent_is_the_same_term(site):
    """"Café" and "Київ" with their accents as combining marks (NFD, as text pasted from macOS or
    a PDF often is) look the same as the composed forms, so they are the same term: not a
    second tag page, a second place, and a warning that two identical-looking names collide."""
    composed = ("Café", "Київ")
    decomposed = tuple(unicodedata.normalize("NFD", text) for text in composed)
    assert decomposed != composed
    root = site({
        "content/a.md": entry_text(tags=f"[{composed[0]}]", places=f"[{composed[1]}]"),
        "content/b.md": entry_text(tags=f"[{decomposed[0]}]", places=f"[{decomposed[1]}]"),
        "content/c.md": entry_text(tags=f"[{composed[0]}, {decomposed[0]}]"),
    })
    result = run_digest(root, "build", "--no-search")
    assert result.returncode == 0, result.stderr
    assert "warning" not in result.stderr
    output = root / "output"
    assert sorted(p.name for p in (output / "tags").iterdir() if p.is_dir()) == ["cafe"]
    assert sorted(p.name for p in (output / "places").iterdir() if p.is_dir()) == ["kiiv"]
    assert (output / "2025/07/c/index.html").read_text(encoding="utf-8").count('href="/tags/cafe/"') == 1
