"""Dependency floors, each closing known advisories. pip-audit cannot reach
its vulnerability database from these machines (every package "could not be audited", exit 0),
so the floors are the check: installed versions, read with importlib.metadata, must meet them."""

from __future__ import annotations

import re
import tomllib
from importlib.metadata import version

import pytest

from helpers import ROOT

FLOORS = {
    "markdown-it-py": (4, 1),   # CVE-2023-26302, CVE-2023-26303 (2.2.0); a quadratic case fixed in 4.1
    "jinja2": (3, 1, 6),        # CVE-2024-22195, -34064, -56201, -56326, CVE-2025-27516
    "pyyaml": (6,),
    "pillow": (11, 3),          # CVE-2025-48379 (11.3.0); it reads every image a site holds
}


def release(text: str) -> tuple[int, ...]:
    """`3.1.6` -> (3, 1, 6); `4.1.0rc1` -> (4, 1, 0): the release numbers, pre-release tags dropped."""
    match = re.match(r"(\d+(?:\.\d+)*)", text)
    assert match, text
    return tuple(int(part) for part in match.group(1).split("."))


def at_least(installed: tuple[int, ...], floor: tuple[int, ...]) -> bool:
    width = max(len(installed), len(floor))
    return installed + (0,) * (width - len(installed)) >= floor + (0,) * (width - len(floor))


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_installed_version_meets_the_floor(name):
    installed = version(name)
    assert at_least(release(installed), FLOORS[name]), f"{name} {installed} is below {FLOORS[name]}"


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_pyproject_declares_the_floor(name):
    dependencies = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    declared = {re.split(r"[<>=!~ ;\[]", d, maxsplit=1)[0].lower(): d for d in dependencies}
    spec = declared[name]
    floor = re.search(r">=\s*([\d.]+)", spec)
    assert floor, spec
    assert at_least(release(floor.group(1)), FLOORS[name]), spec


def test_the_comparison_can_fail():
    assert not at_least(release("3.1.5"), (3, 1, 6))
    assert not at_least(release("4.0.9"), (4, 1))
    assert at_least(release("4.1"), (4, 1, 0)) and at_least(release("10.0"), (4, 1))
