"""[Page] -> output folder: staged, swapped atomically, confined, refusing bad folders."""

from __future__ import annotations

import os

import pytest

from digest.config import Config
from digest.errors import DigestError, format_problem
from digest.render import Page
from digest.write import one_page_per_path, safe_target, stage, swap


def config_for(root, **settings):
    (root / "content").mkdir(parents=True, exist_ok=True)
    return Config(root=root, **settings)


def test_stage_then_swap_replaces_the_whole_site(tmp_path):
    config = config_for(tmp_path)
    output = tmp_path / "output"
    mark = Page(".nojekyll", b"")  # every build writes it; digest replaces only folders that have it
    swap(stage([mark, Page("index.html", b"old"), Page("gone/index.html", b"stale")], config).folder, output)
    swap(stage([mark, Page("index.html", b"new"), Page("a/b/c.txt", b"c")], config).folder, output)
    files = sorted(p.relative_to(output).as_posix() for p in output.rglob("*") if p.is_file())
    assert files == [".nojekyll", "a/b/c.txt", "index.html"]
    assert (output / "index.html").read_bytes() == b"new"
    assert sorted(os.listdir(tmp_path)) == ["content", "output"]  # no staging or old folder left


@pytest.mark.parametrize("path", ["../evil.html", "/etc/passwd", "a/../../evil", "a\\..\\evil", ""])
def test_paths_that_could_leave_the_output_are_refused(tmp_path, path):
    with pytest.raises(DigestError):
        safe_target(tmp_path, path)


def test_a_path_written_twice_is_refused(tmp_path):
    with pytest.raises(DigestError) as caught:
        stage([Page("a.html", b"1"), Page("a.html", b"2")], config_for(tmp_path))
    assert "two pages want the same file: a.html" in str(caught.value)
    assert not (tmp_path / ".output.staging").exists()
    # The same refusal for routes that render workers write themselves, before any is written.
    one_page_per_path(["a/index.html", "b/index.html"])
    with pytest.raises(DigestError) as caught:
        one_page_per_path(["a/index.html", "b/index.html", "a/index.html"])
    assert str(caught.value).endswith("two pages want the same file: a/index.html")


@pytest.mark.parametrize("output_dir, reason", [
    (".", "is the site root"),
    ("content", "is or contains the content folder"),
    ("/", "is the file system root"),
    ("..", "is or contains the content folder"),
])
def test_output_folders_that_would_destroy_something_are_refused(tmp_path, output_dir, reason):
    root = tmp_path / "site"
    config = config_for(root, output_dir=output_dir)
    with pytest.raises(DigestError) as caught:
        stage([Page("index.html", b"x")], config)
    assert format_problem(caught.value.problems[0]) == \
        f"command line: --output: {output_dir!r} {reason}; choose a folder of its own, such as 'output'"


def test_an_output_folder_holding_git_is_refused(tmp_path):
    config = config_for(tmp_path, output_dir="public")
    (tmp_path / "public" / ".git").mkdir(parents=True)
    with pytest.raises(DigestError) as caught:
        stage([Page("index.html", b"x")], config)
    assert "holds a .git folder" in str(caught.value)
    assert (tmp_path / "public" / ".git").is_dir()
