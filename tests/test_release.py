"""Releasable: one version number, kept in digest/__init__.py, and a release workflow that
builds the sdist and the wheel on a version tag and publishes them to PyPI by trusted
publishing (tests/test_standalone.py builds both and checks what they carry)."""

from __future__ import annotations

import re
import tomllib

import yaml

from helpers import ROOT, run_digest
from digest import __version__

RELEASE = ROOT / ".github" / "workflows" / "release.yml"
# The first majors of the artifact actions that run on Node 24.
ACTIONS = {"actions/checkout": "v6", "actions/setup-python": "v6", "actions/upload-artifact": "v6",
           "actions/download-artifact": "v7", "pypa/gh-action-pypi-publish": "release/v1"}


def release() -> dict:
    return yaml.load(RELEASE.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)


def test_the_version_is_kept_in_one_place():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" not in project["project"] and project["project"]["dynamic"] == ["version"]
    assert project["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "digest.__version__"}
    assert re.fullmatch(r"\d+\.\d+\.\d+((a|b|rc)\d+)?(\.post\d+)?(\.dev\d+)?", __version__)
    places = [path.relative_to(ROOT).as_posix() for path in [ROOT / "pyproject.toml", *sorted((ROOT / "digest").rglob("*.py"))]
              if re.search(rf"['\"]{re.escape(__version__)}['\"]", path.read_text(encoding="utf-8"))]
    assert places == ["digest/__init__.py"]


def test_digest_version_prints_it(tmp_path):
    result = run_digest(tmp_path, "--version")
    assert result.returncode == 0
    assert result.stdout == f"digest {__version__}\n"


def test_the_release_workflow_runs_on_version_tags_only():
    flow = release()
    assert flow["on"] == {"push": {"tags": ["v*"]}}
    assert flow["permissions"] == {"contents": "read"}   # the default for every job: read only


def test_it_builds_both_and_checks_the_tag_names_the_version():
    build = release()["jobs"]["build"]
    runs = [step["run"] for step in build["steps"] if "run" in step]
    assert any("python -m build" in script and "pip install build" in script for script in runs)
    assert "--sdist" not in " ".join(runs) and "--wheel" not in " ".join(runs)   # both, the wheel from the sdist
    check = next(script for script in runs if "GITHUB_REF_NAME" in script)
    assert 'dist/event_digest-${GITHUB_REF_NAME#v}.tar.gz' in check
    assert 'dist/event_digest-${GITHUB_REF_NAME#v}-py3-none-any.whl' in check
    upload = next(step for step in build["steps"] if step.get("uses", "").startswith("actions/upload-artifact@"))
    assert upload["with"]["path"] == "dist/"
    assert "permissions" not in build   # no OIDC token while building


def test_it_publishes_by_trusted_publishing_with_no_token():
    jobs = release()["jobs"]
    publish = jobs["publish"]
    assert publish["needs"] == "build"
    assert publish["environment"]["name"] == "pypi"
    assert publish["permissions"] == {"id-token": "write"}
    download = next(step for step in publish["steps"] if step.get("uses", "").startswith("actions/download-artifact@"))
    assert download["with"] == {"name": "dist", "path": "dist/"}
    [publisher] = [step for step in publish["steps"] if step.get("uses", "").startswith("pypa/gh-action-pypi-publish@")]
    assert "with" not in publisher   # no password, no token: PyPI trusts the OIDC token
    text = RELEASE.read_text(encoding="utf-8")
    assert "secrets." not in text and "password" not in text


def test_it_uses_the_official_actions_at_pinned_majors():
    used = sorted(step["uses"] for job in release()["jobs"].values() for step in job["steps"] if "uses" in step)
    assert used == sorted(f"{name}@{version}" for name, version in ACTIONS.items())
