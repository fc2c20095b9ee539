"""The command line: what it prints (counts, warnings in order, problems of flags and
settings), its exit statuses, where it runs from, and that its messages say what to do and
show any text as text."""

from __future__ import annotations

import os

import pytest

from helpers import entry_text, run_digest, snapshot
from digest.cli import describe_changes

DATE = "content/e.md"


def test_strict_lists_every_warning_as_an_error_at_once(site):
    """An unknown field stops --strict, but the term-slug collision and the broken link of the
    same site are listed with it, not left for the next run."""
    text = entry_text(tags="[C++, C]", tag="[x]", body="[gone](/tags/nope/)")
    root = site({DATE: text})
    for command in ("build", "check"):
        result = run_digest(root, command, "--strict", "--no-search") if command == "build" \
            else run_digest(root, command, "--strict")
        assert result.returncode == 1
        lines = result.stderr.splitlines()
        assert f"{DATE}:6: tag: unknown field (did you mean 'tags'?)" in lines
        assert f"{DATE}:5: tags: 'C++' and 'C' make the same slug 'c'; 'C++' gets 'c-372946'" in lines
        assert f"{DATE}:8: link to '/tags/nope/': no such page in the site" in lines
        outcome = "output/ was not changed" if command == "build" else "nothing was written"
        assert lines[-1] == f"digest: 3 errors in 1 file; {outcome}"


def test_one_entry_is_counted_in_the_singular(site):
    root = site({DATE: entry_text()})
    result = run_digest(root, "build", "--no-search")
    assert result.returncode == 0
    assert " from 1 entry into output/ " in result.stdout


def test_warnings_are_printed_sorted_by_file_and_line(site):
    """The story's collision (line 6) is found before the source's (line 7) in a.md, and b.md's
    before a.md's: the command prints them by file, then line, in build and in check."""
    root = site({"content/b.md": entry_text(title="B", story='"C talks"', source='"C News"', body="[x](/nope/)"),
                 "content/a.md": entry_text(title="A", story='"C++ talks"', source='"C++ News"')})
    for args in (("build", "--no-search"), ("check",)):
        result = run_digest(root, *args)
        assert result.returncode == 0, result.stderr
        places = [line.split(": ", 1)[0] for line in result.stderr.splitlines() if ": warning: " in line]
        assert len(places) == 3, result.stderr
        assert places == sorted(places, key=lambda place: (place.split(":")[0], int(place.split(":")[1])))


def test_a_bad_value_on_the_command_line_is_a_usage_error_named_by_its_flag(site):
    """Exit status 2, as for a flag argparse refuses (`--jobs 0`); the summary says where."""
    root = site({DATE: entry_text()})
    for args, line in [(("--base-url", "ftp://x/"), "command line: --base-url: expected an absolute http(s) URL"),
                       (("--output", ""), "command line: --output: expected non-empty text"),
                       (("--jobs", "0"), "argument --jobs: expected a whole number of at least 1")]:
        result = run_digest(root, "build", "--no-search", *args)
        assert result.returncode == 2, (args, result.stderr)
        assert line in result.stderr, result.stderr
        assert " in 1 file" not in result.stderr
    assert "digest: 1 error on the command line; output/ was not changed" in \
        run_digest(root, "build", "--no-search", "--base-url", "ftp://x/").stderr.splitlines()
    assert not (root / "output").exists()


def test_counts_and_folders_read_as_written(site):
    root = site({DATE: entry_text(extra_field="x")})
    assert run_digest(root, "check").stdout == "digest: no errors (1 warning); nothing was written\n"
    built = run_digest(root, "build", "--no-search", "--output", "public/")
    assert built.returncode == 0 and " into public/ in " in built.stdout, built.stdout


def test_serve_on_an_address_that_is_not_this_machines_says_to_change_the_host(site):
    root = site({DATE: entry_text()})
    result = run_digest(root, "serve", "--host", "999.1.1.1", "--port", "0", timeout=60)
    assert result.returncode == 2  # a command-line mistake, as any other bad flag value
    line = result.stderr.splitlines()[-1]
    assert line.startswith("digest: cannot listen on 999.1.1.1:0: ") and line.endswith(
        "give --host an address of this machine, such as 127.0.0.1 (the default)"), line


@pytest.mark.parametrize("command", [("new", "From a subfolder"), ("build", "--no-search"), ("check",), ("serve", "--port", "0")])
def test_digest_run_inside_the_content_or_output_folder_points_to_the_site_folder(site, command):
    """Not a second site inside the first (content/2025/content/...): every command refuses,
    writes nothing and says where to run it."""
    root = site({"content/2025/07/a.md": entry_text(), "static/images/a.txt": "x", "themes/mine/templates/x.html": "x"})
    assert run_digest(root, "build", "--no-search").returncode == 0
    before = snapshot(root)
    for inside in (root / "content" / "2025", root / "output" / "tags", root / "static" / "images",
                   root / "themes" / "mine" / "templates"):
        result = run_digest(inside, *command)  # in this process, but serve (a process of its own)
        assert result.returncode == 2, result
        assert result.stderr == (f"digest: this folder is inside the content, output, static or themes folder of the site {root}; "
                                 f"run digest from the site folder: cd {os.path.relpath(root, inside)}\n")
    assert snapshot(root) == before


def test_a_site_with_its_own_content_dir_is_found_too(site):
    root = site({"posts/a.md": entry_text()}, 'content_dir = "posts"\n')
    result = run_digest(root / "posts", "new", "Here")
    assert result.returncode == 2 and "cd .." in result.stderr
    assert not (root / "posts" / "content").exists() and not (root / "posts" / "posts").exists()


def test_a_folder_without_content_says_to_run_from_the_site_folder(tmp_path):
    result = run_digest(tmp_path, "build", "--no-search")
    assert result.returncode == 1
    assert "content: content folder not found; run digest from the site folder" in result.stderr


def test_a_settings_error_names_the_output_folder_the_settings_chose(site):
    """With output_dir = "public", a failed build left public/ unchanged: the summary said output/."""
    root = site({DATE: entry_text()}, 'output_dir = "public"\nper_page = 0\n')
    assert run_digest(root, "build", "--no-search", "--base-url", "ftp://x/").stderr.splitlines()[-1] == (
        "digest: 2 errors in 1 file and on the command line; public/ was not changed")
    # check and serve write no output folder: they say so, not that it was kept.
    assert run_digest(root, "check").stderr.splitlines()[-1] == "digest: 1 error in 1 file; nothing was written"
    assert run_digest(root, "serve", "--port", "0").stderr.splitlines()[-1] == (
        "digest: 1 error in 1 file; nothing was written")
    assert run_digest(root, "build", "--output", "elsewhere").stderr.splitlines()[-1] == (
        "digest: 1 error in 1 file; elsewhere/ was not changed")


def test_an_output_folder_inside_themes_is_refused(site):
    """In a theme's static/ every build published the last output inside the next one (96,
    then 192 pages, ...); in templates/ its pages became templates."""
    root = site({DATE: entry_text()}, 'theme = "mine"\n')
    (root / "themes/mine/static").mkdir(parents=True)
    result = run_digest(root, "build", "--no-search", "--output", "themes/mine/static/out")
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "command line: --output: 'themes/mine/static/out' is or is inside the themes folder, whose templates and "
        "static files make the site; choose a folder of its own, such as 'output'",
        "digest: 1 error on the command line; nothing was written"]
    assert [path.name for path in (root / "themes/mine/static").iterdir()] == []
    (root / "pyproject.toml").write_text('[tool.digest]\ntheme = "mine"\noutput_dir = "themes"\n', encoding="utf-8")
    result = run_digest(root, "build", "--no-search")
    assert result.returncode == 1 and result.stderr.splitlines()[0].startswith(
        "pyproject.toml:3: tool.digest.output_dir: 'themes' is or is inside the themes folder")


def test_terminal_escapes_in_a_file_name_or_a_key_are_printed_as_text(site):
    """A front-matter key written as a YAML escape ("\\e]0;...\\a") and a file name holding ESC
    would, printed raw, retitle the terminal's window, clear the screen or recolour what
    follows: each control character is shown escaped in every message naming them."""
    name = "content/b\x1b[2Jx\x07.md"
    root = site({"content/a.md": entry_text(**{'"\\e]0;owned\\a\\e[31mkey"': "1"}),
                 name: entry_text(title="B", summary="S\ntitle: again")})  # a duplicate key: an error
    for args in (("build", "--no-search"), ("check",)):
        result = run_digest(root, *args)
        assert result.returncode == 1
        assert "\x1b" not in result.stderr and "\x07" not in result.stderr
        assert "content/a.md:6: warning: \\x1b]0;owned\\x07\\x1b[31mkey: unknown field" in result.stderr
        assert "content/b\\x1b[2Jx\\x07.md:" in result.stderr
    assert describe_changes([name]) == "content/b\\x1b[2Jx\\x07.md changed"  # digest serve's line per rebuild


def test_serve_run_in_process_gives_the_callers_signal_handlers_back(site):
    """digest serve takes Ctrl-C and TERM for itself while it runs; a program that called
    cli.main finds its own handlers again once the preview has stopped."""
    import signal

    from helpers import run_digest_here

    def mine(number, frame):  # a handler of the caller's, not one digest would set
        pass

    root = site({DATE: entry_text()})
    before = signal.signal(signal.SIGTERM, mine)
    try:
        interrupt = signal.getsignal(signal.SIGINT)
        result = run_digest_here(root, "serve", "--host", "192.0.2.1", "--port", "0")  # no address of this machine
        assert result.returncode == 2 and "cannot listen on 192.0.2.1:0" in result.stderr
        assert signal.getsignal(signal.SIGTERM) is mine and signal.getsignal(signal.SIGINT) is interrupt
    finally:
        signal.signal(signal.SIGTERM, before)
