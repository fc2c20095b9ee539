"""`digest init [FOLDER]`: a site that builds, previews and deploys as written, and the
inputs it refuses without writing anything."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from helpers import entry_text, run_digest, snapshot
from digest import __version__
from digest.cache import CACHE_DIR
from digest.config import load_config
from digest.scaffold import IGNORED
from digest.write import old_path, staging_path, trash_path

SITE_FILES = {"pyproject.toml", ".gitignore", "README.md", ".github/workflows/pages.yml"}


def init(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return run_digest(cwd, "init", *args)


def written(folder: Path) -> set[str]:
    return set(snapshot(folder))


def test_init_writes_a_site_that_builds_and_checks(tmp_path):
    result = init(tmp_path, "news", "--title", "Harbour News")
    assert result.returncode == 0, result.stderr
    site = tmp_path / "news"
    [entry] = [name for name in written(site) if name.startswith("content/")]
    assert written(site) == SITE_FILES | {entry}
    assert entry.endswith("/how-an-entry-is-written.md")
    lines = result.stdout.splitlines()
    assert lines[0] == f"Started the site 'Harbour News' in news/: {', '.join(sorted(SITE_FILES, key=order))}, {entry}"
    assert lines[1] == "Next:"
    commands = lines[2::2]
    assert commands == ["  cd news && digest serve", "  digest build",
                        '  git init -b main && git add -A && git commit -m "Start the site" && git push <URL> main']
    assert "Source: GitHub Actions" in lines[-1]
    config = load_config(site)
    assert (config.title, config.base_url, config.language, config.timezone) == \
           ("Harbour News", "http://localhost:8000/", "en", "UTC")
    assert config.description.startswith("Harbour News: ")
    checked = run_digest(site, "check", "--strict")
    assert checked.returncode == 0, checked.stderr
    built = run_digest(site, "build", "--strict")
    assert built.returncode == 0, built.stderr
    year, month = entry.split("/")[1:3]
    page = (site / "output" / year / month / "how-an-entry-is-written" / "index.html").read_text(encoding="utf-8")
    assert "How an entry is written" in page and "Harbour News" in page
    assert (site / "output" / "tags" / "how-to" / "index.html").is_file()
    assert (site / "output" / "pagefind").is_dir()


def order(name: str) -> int:
    return ["pyproject.toml", ".gitignore", "README.md", ".github/workflows/pages.yml"].index(name)


def test_init_defaults_to_this_folder_and_its_name(tmp_path):
    folder = tmp_path / "la-gazette"
    folder.mkdir()
    result = init(folder)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0].startswith("Started the site 'la-gazette' in ./: ")
    assert result.stdout.splitlines()[2] == "  digest serve"   # already there: no cd
    assert load_config(folder).title == "la-gazette"


def test_an_empty_site_keeps_its_content_folder_in_git_and_builds(tmp_path):
    result = init(tmp_path, "site", "--empty")
    assert result.returncode == 0, result.stderr
    site = tmp_path / "site"
    assert written(site) == SITE_FILES | {"content/.gitkeep"}
    built = run_digest(site, "build", "--no-search")
    assert built.returncode == 0, built.stderr
    assert "from 0 entries" in built.stdout


@pytest.mark.parametrize("title", [
    'The "Daily" Digest', "Newsroom #1", "Kyiv: the talks", "Новини Києва", "東京ニュース", "خبرها",
    "C:\\news\\", "Don't 'quote' me", "Tab\tand  spaces",
])
def test_a_title_reads_back_as_given(tmp_path, title):
    result = init(tmp_path, "site", "--title", title)
    assert result.returncode == 0, result.stderr
    site = tmp_path / "site"
    expected = " ".join(title.split())
    assert tomllib.loads((site / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["digest"]["title"] == expected
    assert load_config(site).title == expected
    built = run_digest(site, "build", "--no-search")
    assert built.returncode == 0, built.stderr


@pytest.mark.parametrize("title, message", [
    ("", "command line: --title: expected non-empty text"),
    ("a\x1bb", "command line: --title: control character U+001B cannot go into a web page or feed; delete it, "
               "or write the character you meant itself"),
])
def test_a_title_no_setting_may_hold_is_a_usage_error(tmp_path, title, message):
    result = init(tmp_path, "site", "--title", title)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [message]
    assert not (tmp_path / "site").exists()


def test_the_generated_settings_file_makes_no_python_project(tmp_path):
    """The site holds content only: `pip install .` must not look like the way in."""
    init(tmp_path, "site")
    settings = tomllib.loads((tmp_path / "site" / "pyproject.toml").read_text(encoding="utf-8"))
    assert set(settings) == {"tool"} and set(settings["tool"]) == {"digest"}
    assert set(settings["tool"]["digest"]) == {"title", "description", "base_url", "language", "timezone"}
    text = (tmp_path / "site" / ".github/workflows/pages.yml").read_text(encoding="utf-8")
    assert f'pip install "event-digest=={__version__}"' in text
    assert "pip install ." not in text


def test_the_gitignore_names_every_folder_digest_writes():
    output = Path("output")
    written_by_digest = {output, staging_path(output), old_path(output), trash_path(output), Path(CACHE_DIR)}
    assert {f"/{path.name}/" for path in written_by_digest} == set(IGNORED)


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_builds_leave_git_nothing_to_commit(tmp_path):
    site = tmp_path / "site"
    assert init(tmp_path, "site").returncode == 0
    git = ["git", "-c", "user.name=Editor", "-c", "user.email=editor@example.org"]
    for command in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "Start the site"]):
        subprocess.run(git + command, cwd=site, check=True)
    for _ in range(2):   # the second build swaps the first into .output.old/
        built = run_digest(site, "build")
        assert built.returncode == 0, built.stderr
    assert (site / ".output.old").is_dir() and (site / CACHE_DIR).is_dir()
    status = subprocess.run(git + ["status", "--porcelain", "--untracked-files=all"], cwd=site,
                            capture_output=True, text=True, check=True)
    assert status.stdout == ""


# --- what it refuses, writing nothing ------------------------------------------------------

def refused(cwd: Path, *args: str) -> str:
    before = snapshot(cwd)
    result = init(cwd, *args)
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stdout == ""
    assert snapshot(cwd) == before
    [line] = result.stderr.splitlines()
    assert line.endswith("; nothing was written")
    return line


def test_a_file_is_refused(tmp_path):
    (tmp_path / "notes.txt").write_text("mine\n", encoding="utf-8")
    assert refused(tmp_path, "notes.txt") == ("notes.txt: is a file, not a folder; give digest init a new or empty "
                                              "folder, such as: digest init news; nothing was written")


def test_a_folder_that_is_not_empty_is_refused(tmp_path):
    folder = tmp_path / "repo"
    folder.mkdir()
    for name in ("LICENSE", "README.md", "notes.txt", "photo.jpg"):
        (folder / name).write_text("mine\n", encoding="utf-8")
    assert refused(tmp_path, "repo") == (
        "repo/: is not empty (it holds LICENSE, README.md, notes.txt and 1 more); choose a new or empty folder, or "
        "add --force to add the site's files beside them (none is overwritten); nothing was written")


def test_a_freshly_cloned_empty_repository_counts_as_empty(tmp_path):
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    result = init(tmp_path, "repo")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "repo" / "pyproject.toml").is_file()


@pytest.mark.parametrize("files, marks", [
    ({"content/a.md": entry_text()}, "content/"),
    ({"pyproject.toml": "[tool.digest]\ntitle = 'Ours'\n"}, "[tool.digest] in pyproject.toml"),
    ({"content/a.md": entry_text(), "pyproject.toml": "[tool.digest]\n"}, "content/, [tool.digest] in pyproject.toml"),
])
def test_a_site_is_refused(tmp_path, files, marks):
    for name, text in files.items():
        (tmp_path / "site" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "site" / name).write_text(text, encoding="utf-8")
    assert refused(tmp_path, "site") == (
        f"site/: holds a digest site already ({marks}); digest init starts new sites: run digest build there, "
        "or add --force to add only the files it lacks; nothing was written")


def test_a_folder_inside_a_sites_content_is_refused(tmp_path):
    (tmp_path / "content").mkdir()
    line = refused(tmp_path, "content/inner")
    assert line.startswith("content/inner/: is inside the content, output, static or themes folder of the site ")


def without_root_powers() -> list[str]:
    """A command prefix under which root obeys file permissions as anyone else does: setpriv
    drops the capabilities that let root write into any folder. Others need none."""
    if os.geteuid() != 0:
        return []
    assert shutil.which("setpriv"), "setpriv (util-linux) is needed to test permissions as root"
    caps = "-dac_override,-dac_read_search"
    return ["setpriv", f"--inh-caps={caps}", f"--bounding-set={caps}"]


@pytest.mark.parametrize("target", ["locked", "locked/news"])
def test_an_unwritable_folder_is_refused(tmp_path, target):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        result = subprocess.run([*without_root_powers(), sys.executable, "-m", "digest", "init", target],
                                cwd=tmp_path, capture_output=True, text=True, timeout=60)
        assert result.returncode == 1, result.stdout + result.stderr
        shown = "locked/" if target == "locked" else str(locked)
        assert result.stderr.splitlines() == [
            f"{shown}: is not writable (permission denied); choose a folder you can write to, or ask for write "
            "access; nothing was written"]
        assert list(locked.iterdir()) == []
    finally:
        locked.chmod(0o755)


# --- --force -------------------------------------------------------------------------------

def test_force_adds_the_missing_files_and_keeps_the_others(tmp_path):
    folder = tmp_path / "repo"
    folder.mkdir()
    (folder / "README.md").write_text("# Our newsroom\n", encoding="utf-8")
    (folder / ".gitignore").write_text("output/\n*.tmp\n", encoding="utf-8")
    (folder / "LICENSE").write_text("CC BY 4.0\n", encoding="utf-8")
    result = init(tmp_path, "repo", "--force", "--title", "Our newsroom")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("Added to repo/: pyproject.toml, .github/workflows/pages.yml, content/")
    assert lines[1:4] == [
        "Kept .gitignore: it exists (digest init never overwrites a file)",
        "Kept README.md: it exists (digest init never overwrites a file)",
        "Note: .gitignore exists and was kept; add these lines to it: /.output.staging/ /.output.old/ "
        "/.output.trash/ /.digest-cache/"]
    assert (folder / "README.md").read_text(encoding="utf-8") == "# Our newsroom\n"
    assert (folder / ".gitignore").read_text(encoding="utf-8") == "output/\n*.tmp\n"
    assert load_config(folder).title == "Our newsroom"


def test_force_in_a_site_never_touches_its_content(tmp_path):
    site = tmp_path / "site"
    (site / "content" / "2025").mkdir(parents=True)
    (site / "content" / "2025" / "a.md").write_text(entry_text(title="Ours"), encoding="utf-8")
    (site / "pyproject.toml").write_text("[project]\nname = 'x'\n", encoding="utf-8")
    content = snapshot(site / "content")
    result = init(tmp_path, "site", "--force")
    assert result.returncode == 0, result.stderr
    assert snapshot(site / "content") == content
    assert written(site) == SITE_FILES | {"content/2025/a.md"}
    assert (site / "pyproject.toml").read_text(encoding="utf-8") == "[project]\nname = 'x'\n"
    assert ("Note: pyproject.toml exists and was kept; it has no [tool.digest] table, so the site builds with the "
            "default settings: add one with title, description, base_url, language and timezone") in result.stdout
    again = init(tmp_path, "site", "--force")
    assert again.returncode == 0, again.stderr
    assert again.stdout.splitlines()[0] == "Nothing to add: site/ holds every file digest init writes"
    assert written(site) == SITE_FILES | {"content/2025/a.md"}
