"""digest installed from its wheel, with nothing of this repository beside it: `digest init`
outside the repository builds and checks with no themes/ folder, each GitHub Pages workflow
runs its steps and publishes a site whose links resolve under a project sub-path, and
`python -m build` makes an sdist and a wheel that carry the theme."""

from __future__ import annotations

import http.server
import os
import re
import shlex
import shutil
import subprocess
import sys
import tarfile
import threading
import venv
import zipfile
from functools import partial
from pathlib import Path
from urllib.parse import urljoin, urlsplit
from urllib.request import urlopen

import pytest

from helpers import PAGES_BASE_URL, ROOT, WORKFLOW, install_command, workflow
from digest import __version__
from digest.search import indexed_pages
from linkcheck import LinkReader, check_whole_site

pytestmark = pytest.mark.slow


def run(command: list[str], cwd: Path, env: dict | None = None, timeout: float = 600) -> subprocess.CompletedProcess:
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, f"{shlex.join(command)}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result


def clean_environment(bin_folder: Path | None = None) -> dict:
    """The environment of a process that knows nothing of this repository: no PYTHONPATH,
    and the virtual environment's bin/ first on PATH, as `actions/setup-python` puts Python."""
    environment = {key: value for key, value in os.environ.items()
                   if key not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    if bin_folder:
        environment["PATH"] = f"{bin_folder}{os.pathsep}{environment.get('PATH', '')}"
    return environment


def fresh_venv(folder: Path) -> Path:
    """A new virtual environment (pip and nothing else); its bin/ folder."""
    venv.EnvBuilder(with_pip=True, clear=True).create(folder)
    return folder / "bin"


# What a checkout of the repository does not hold: made by tools, builds and tests.
NOT_IN_A_CHECKOUT = shutil.ignore_patterns(".git", ".venv", ".bench", "output", ".output.*", ".digest-cache", "build",
                                           "dist", "*.egg-info", "__pycache__", ".pytest_cache", ".hypothesis")


@pytest.fixture(scope="module")
def source(tmp_path_factory) -> Path:
    """A copy of the repository as a checkout holds it: builds write their scratch folders
    (build/, *.egg-info) there, not into the working tree."""
    folder = tmp_path_factory.mktemp("source") / "digest"
    shutil.copytree(ROOT, folder, ignore=NOT_IN_A_CHECKOUT, symlinks=True)
    return folder


@pytest.fixture(scope="module")
def wheel(tmp_path_factory, source) -> Path:
    """`pip wheel .` of this repository: digest alone; its dependencies come from PyPI.
    setuptools must not warn that it leaves a folder out (a folder of files it was not told
    to ship as a package)."""
    folder = tmp_path_factory.mktemp("wheel")
    made = run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-v", "-w", str(folder), "."], cwd=source)
    assert "Package would be ignored" not in made.stdout + made.stderr
    [built] = folder.glob("event_digest-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(tmp_path_factory, wheel) -> Path:
    """A fresh virtual environment with the wheel and its dependencies; its bin/ folder."""
    bin_folder = fresh_venv(tmp_path_factory.mktemp("venv") / "venv")
    run([str(bin_folder / "pip"), "install", "-q", str(wheel)], cwd=wheel.parent, env=clean_environment())
    return bin_folder


def test_digest_init_outside_the_repository_builds_and_checks_from_the_wheel(installed, tmp_path_factory):
    outside = tmp_path_factory.mktemp("newsroom")
    assert ROOT not in outside.parents
    env = clean_environment(installed)
    where = run(["python", "-c", "import digest; print(digest.__file__)"], cwd=outside, env=env).stdout.strip()
    assert Path(where).is_relative_to(installed.parent), where   # the installed copy, not this repository's
    assert run(["digest", "--version"], cwd=outside, env=env).stdout.strip() == f"digest {__version__}"
    run(["digest", "init", "news", "--title", "Harbour News"], cwd=outside, env=env)
    site = outside / "news"
    assert not (site / "themes").exists()
    checked = run(["digest", "check", "--strict"], cwd=site, env=env)
    assert checked.stdout.startswith("digest: no errors (0 warnings)")
    built = run(["digest", "build", "--strict"], cwd=site, env=env)
    assert re.match(r"Built \d+ pages from 1 entry into output/", built.stdout), built.stdout
    home = (site / "output" / "index.html").read_text(encoding="utf-8")
    assert "Harbour News" in home and "How an entry is written" in home
    assert (site / "output" / "static" / "style.css").is_file()   # the theme, from inside the wheel
    assert indexed_pages(site / "output") == 1   # Pagefind, from the dependencies pip installed


# --- the Pages workflows, run step by step -------------------------------------------------

class PagesServer:
    """An HTTP server that serves a published folder under a project path, as GitHub Pages
    serves a project site at https://owner.github.io/repo/."""

    def __init__(self, root: Path, project: str):
        self.root = root
        self.root.mkdir()
        handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
        handler.log_message = lambda *args: None
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}/{project}/"
        self.project = project
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def publish(self, folder: Path) -> None:
        (self.root / self.project).symlink_to(folder, target_is_directory=True)
        self.thread.start()

    def close(self) -> None:
        if self.thread.is_alive():
            self.server.shutdown()
        self.server.server_close()


def checkout(kind: str, folder: Path, installed: Path) -> Path:
    """What actions/checkout gives the workflow: a site that `digest init` wrote, or this
    repository's site (its settings, content, static files and theme; not digest's code)."""
    if kind == "digest init":
        run(["digest", "init", "site"], cwd=folder, env=clean_environment(installed))
        return folder / "site"
    site = folder / "site"
    site.mkdir()
    shutil.copy2(ROOT / "pyproject.toml", site)
    shutil.copytree(ROOT / ".github", site / ".github")
    for name in ("content", "static", "themes"):
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, site / name)
    return site


def run_workflow(site: Path, wheel: Path, pages_base_url: str, python: Path) -> Path:
    """Each step of the build job in order: actions emulated as they behave on GitHub (here,
    a first deploy: no cache to restore), shell steps run with bash -e as the runner runs
    them, the install step's package replaced by the wheel. The uploaded folder.

    setup-python puts `python` (a bin/ folder) first on PATH: the virtual environment the
    `installed` fixture made fresh and installed the wheel into with the very command the
    install step becomes here, so that step finds it installed; one environment serves every
    test, as making one and installing digest's dependencies is most of this file's time."""
    path = site / ".github" / "workflows" / "pages.yml"
    install = install_command(path)
    environment = clean_environment()
    uploaded = None
    for step in workflow(path)["jobs"]["build"]["steps"]:
        action = step.get("uses", "").split("@")[0]
        if action == "actions/setup-python":
            environment = clean_environment(python)
        elif action == "actions/upload-pages-artifact":
            uploaded = site / step["with"]["path"]
        elif action and action not in ("actions/checkout", "actions/configure-pages", "actions/cache"):
            pytest.fail(f"{path}: no emulation of the step {step['uses']}")
        elif "run" in step:
            script = step["run"].strip()
            if script == install:
                script = f"{install.split(' ', 2)[0]} install -q {shlex.quote(str(wheel))}"
            script = script.replace(PAGES_BASE_URL, pages_base_url)
            assert "${{" not in script, f"an expression the test does not fill in: {script}"
            run(["bash", "-e", "-c", script], cwd=site, env=environment)
    assert uploaded is not None and (uploaded / "index.html").is_file()
    return uploaded


@pytest.mark.parametrize("kind", ["digest init", "repository"])
def test_the_pages_workflow_publishes_a_site_whose_links_resolve_under_a_project_path(kind, wheel, installed,
                                                                                          tmp_path_factory):
    folder = tmp_path_factory.mktemp("pages")
    site = checkout(kind, folder, installed)
    if kind == "repository":
        assert (site / ".github" / "workflows" / "pages.yml").read_bytes() == WORKFLOW.read_bytes()
    server = PagesServer(folder / "pages", "repo")
    try:
        # configure-pages' base_url: the project site's address, without a trailing slash.
        output = run_workflow(site, wheel, server.base_url.rstrip("/"), installed)
        linked = check_whole_site(output, server.base_url)
        assert linked.problems == []
        assert linked.checked > (500 if kind == "repository" else 50)
        server.publish(output)
        with urlopen(server.base_url, timeout=30) as answer:
            home = answer.read().decode("utf-8")
        reader = LinkReader()
        reader.feed(home)
        internal = sorted({urljoin(server.base_url, link).split("#")[0] for link in reader.links
                           if urljoin(server.base_url, link).startswith(server.base_url)})
        assert f"{urlsplit(server.base_url).path}static/style.css" in home
        assert len(internal) > 5
        for url in internal:   # each page and file the home page links, fetched over HTTP
            with urlopen(url, timeout=30) as answer:
                assert answer.status == 200, url
    finally:
        server.close()


# --- releasable: sdist and wheel -----------------------------------------------------------

def theme_files() -> set[str]:
    theme = ROOT / "themes" / "default"
    return {path.relative_to(theme).as_posix() for path in theme.rglob("*") if path.is_file()}


def test_the_wheel_ships_every_default_theme_file(wheel):
    """`pip install .` is not editable in the Pages workflow: the theme must travel inside the
    wheel, as digest/default_theme/ (render.default_theme_dir)."""
    with zipfile.ZipFile(wheel) as archive:
        shipped = {name.removeprefix("digest/default_theme/") for name in archive.namelist()
                   if name.startswith("digest/default_theme/")}
    assert any(name.startswith("templates/") for name in theme_files())
    assert theme_files() - shipped == set()


def test_python_m_build_makes_an_sdist_and_a_wheel_that_carry_the_theme(source, wheel, installed, tmp_path_factory):
    """`python -m build` builds the sdist, then the wheel from the sdist: the sdist must carry
    themes/, and that wheel must hold what `pip wheel .` holds, and work."""
    dist = tmp_path_factory.mktemp("dist")
    run([sys.executable, "-m", "build", "--outdir", str(dist), "."], cwd=source)
    [sdist] = dist.glob("event_digest-*.tar.gz")
    [from_sdist] = dist.glob("event_digest-*.whl")
    assert sdist.name == f"event_digest-{__version__}.tar.gz"
    with tarfile.open(sdist) as archive:
        prefix = f"event_digest-{__version__}/"
        names = {name.removeprefix(prefix) for name in archive.getnames()}
    assert {f"themes/default/{name}" for name in theme_files()} <= names
    assert {"pyproject.toml", "README.md", "digest/__init__.py", "digest/scaffold.py"} <= names

    def contents(path: Path) -> dict[str, bytes]:
        with zipfile.ZipFile(path) as archive:
            return {name: archive.read(name) for name in archive.namelist() if ".dist-info/" not in name}
    assert contents(from_sdist) == contents(wheel)
    shipped = {name.removeprefix("digest/default_theme/") for name in contents(from_sdist)
               if name.startswith("digest/default_theme/")}
    assert theme_files() <= shipped
    # And it installs and builds a site, as the wheel from `pip wheel .` does.
    env = clean_environment(installed)
    run(["pip", "install", "-q", "--force-reinstall", "--no-deps", str(from_sdist)], cwd=dist, env=env)
    run(["digest", "init", "site", "--title", "From the sdist"], cwd=dist, env=env)
    built = run(["digest", "build", "--no-search"], cwd=dist / "site", env=env)
    assert built.stdout.startswith("Built "), built.stdout
