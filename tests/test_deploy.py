"""The GitHub Pages workflows (this repository's and the one `digest init` writes), the deploy
guide, and a link check of whole builds under a project-site sub-path and at a domain root.
tests/test_standalone.py runs the workflows' steps and checks that the wheel carries the theme."""

from __future__ import annotations

import re
import shlex
import shutil
import tomllib
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from helpers import PAGES_BASE_URL, ROOT, WORKFLOW, entry_text, install_command, run_digest, steps, workflow, write_site
from digest import __version__, scaffold
from linkcheck import LinkChecker, check_whole_site

DEPLOY_GUIDE = ROOT / "docs" / "guides" / "deploy.md"
# The majors that run on Node 24: the runners dropped Node 20 in September 2026.
ACTIONS = {"actions/checkout": "v6", "actions/setup-python": "v6", "actions/configure-pages": "v6",
           "actions/upload-pages-artifact": "v5", "actions/deploy-pages": "v5", "actions/cache": "v5"}


def build_command(path: Path = WORKFLOW) -> str:
    runs = [step["run"].strip() for step in steps(path) if "digest build" in step.get("run", "")]
    assert len(runs) == 1, runs
    return runs[0]


def generated_site(folder: Path) -> Path:
    """A site as `digest init` writes it, into folder."""
    scaffold.write_site(scaffold.plan_site(folder, version=__version__, today=date(2025, 7, 23)))
    return folder


@pytest.fixture(scope="module", params=["repository", "digest init"])
def pages(request, tmp_path_factory) -> Path:
    """Each Pages workflow: this repository's, and the one `digest init` writes."""
    if request.param == "repository":
        return WORKFLOW
    return generated_site(tmp_path_factory.mktemp("init") / "site") / ".github" / "workflows" / "pages.yml"


def test_workflow_triggers_permissions_and_concurrency(pages):
    flow = workflow(pages)
    assert flow["on"]["push"]["branches"] == ["main"]
    assert "workflow_dispatch" in flow["on"]
    assert flow["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    assert flow["concurrency"]["group"] == "pages"
    deploy = flow["jobs"]["deploy"]
    assert deploy["needs"] == "build"
    assert deploy["environment"]["name"] == "github-pages"


def test_workflow_uses_the_official_actions_at_pinned_major_versions(pages):
    used = [step["uses"] for step in steps(pages) if "uses" in step]
    assert sorted(used) == sorted(f"{name}@{version}" for name, version in ACTIONS.items())
    setup_python = next(step for step in steps(pages) if step.get("uses", "").startswith("actions/setup-python@"))
    assert setup_python["with"]["cache"] == "pip"
    assert (pages.parents[2] / setup_python["with"]["cache-dependency-path"]).is_file()


def test_workflow_installs_then_builds_with_the_pages_base_url(pages):
    build_steps = workflow(pages)["jobs"]["build"]["steps"]
    names = [step.get("uses", step.get("run", "")).strip() for step in build_steps]
    configure = next(i for i, step in enumerate(build_steps) if step.get("uses", "").startswith("actions/configure-pages@"))
    install = names.index(install_command(pages))
    build = next(i for i, name in enumerate(names) if name.startswith("digest build"))
    upload = next(i for i, name in enumerate(names) if name.startswith("actions/upload-pages-artifact@"))
    assert configure < build and install < build < upload
    assert build_steps[configure]["id"] == "pages"
    # configure-pages' base_url has no trailing slash; the command adds one.
    assert build_command(pages) == f'digest build --base-url "{PAGES_BASE_URL}/"'


def test_workflow_restores_the_build_cache_before_the_build(pages):
    """The newest cache of any earlier run (restore-keys, a prefix of every key) is restored
    into the site folder before `digest build` reads it; output/ is not cached."""
    build_steps = workflow(pages)["jobs"]["build"]["steps"]
    cache = next(i for i, step in enumerate(build_steps) if step.get("uses", "").startswith("actions/cache@"))
    build = next(i for i, step in enumerate(build_steps) if step.get("run", "").startswith("digest build"))
    assert cache < build
    settings = build_steps[cache]["with"]
    assert settings["path"] == ".digest-cache"
    assert "${{ github.sha }}" in settings["key"]
    assert settings["key"].startswith(settings["restore-keys"]) and settings["restore-keys"] != settings["key"]


def test_workflow_uploads_the_configured_output_folder_dotfiles_included(pages):
    upload = next(step for step in steps(pages) if step.get("uses", "").startswith("actions/upload-pages-artifact@"))
    settings = tomllib.loads((pages.parents[2] / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["digest"]
    assert upload["with"]["path"] == settings.get("output_dir", "output")
    assert upload["with"]["include-hidden-files"] == "true"  # static/.well-known/ is published


def test_the_deploy_guide_documents_the_workflow_build_command():
    section = DEPLOY_GUIDE.read_text(encoding="utf-8")
    code_lines = [line.strip() for block in re.findall(r"```[a-z]*\n(.*?)```", section, re.S) for line in block.splitlines()]
    assert build_command() in code_lines
    assert "Source: GitHub" in section and "Actions" in section
    assert "Custom domain" in section


@pytest.fixture(scope="module")
def sample_site(tmp_path_factory) -> Path:
    """The repository's sample content, plus an entry with a sub-folder and odd characters."""
    root = tmp_path_factory.mktemp("deploy") / "site"
    shutil.copytree(ROOT / "content", root / "content")
    extra = {"content/2025/08/_skipped.md": "not an entry",
             "content/2025/08/odd.md": entry_text(title="Café & \"quotes\"", date="2025-08-01T09:00:00+02:00",
                                                   tags="[São Paulo, C++]", people="[Дмитрий Песков]",
                                                   body="See [the talks](../../07/turkey-talks-two-rounds/) and [top](#top).\n\n# Top")}
    return write_site(root, extra, 'title = "Sample"\n')


def workflow_build_args(base_url_output: str) -> list[str]:
    """The workflow's own build command, with configure-pages' base_url filled in."""
    command = build_command().replace(PAGES_BASE_URL, base_url_output)
    args = shlex.split(command)
    assert args[:2] == ["digest", "build"]
    return args[1:]


@pytest.mark.parametrize("pages_base_url, served_at", [
    ("https://owner.github.io/repo", "https://owner.github.io/repo/"),      # project site
    ("https://news.example.org", "https://news.example.org/"),              # custom domain, at the root
])
def test_whole_output_links_resolve_where_the_site_is_served(sample_site, pages_base_url, served_at):
    output = sample_site / "output"
    result = run_digest(sample_site, *workflow_build_args(pages_base_url))
    assert result.returncode == 0, result.stderr
    site = check_whole_site(output, served_at)
    assert site.problems == []
    assert site.checked > 500
    assert (output / "feed.xml").is_file() and (output / "tags" / "sao-paulo" / "feed.xml").is_file()
    if urlsplit(served_at).path != "/":
        html = (output / "index.html").read_text(encoding="utf-8")
        assert 'href="/repo/static/style.css"' in html


def test_link_check_catches_a_link_outside_the_base_path(tmp_path):
    """The checker itself can fail: a root-relative link in a sub-path build is reported."""
    (tmp_path / "index.html").write_text('<a href="/tags/">t</a><a href="missing/">m</a><a href="#nowhere">x</a>'
                                         '<a href="https://elsewhere.example/">ok</a>', encoding="utf-8")
    site = LinkChecker(tmp_path, "https://owner.github.io/repo/")
    for link in site.page(tmp_path / "index.html").links:
        site.check(link, tmp_path / "index.html")
    assert len(site.problems) == 3, site.problems
