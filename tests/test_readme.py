"""The README documents every command, flag, front-matter field and setting."""

from __future__ import annotations

import argparse

from conftest import ROOT
from digest.cli import make_parser
from digest.config import SETTINGS
from digest.entries import FIELDS

README = (ROOT / "README.md").read_text(encoding="utf-8")


def subcommands() -> dict[str, argparse.ArgumentParser]:
    action = next(a for a in make_parser()._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def test_quick_start_is_make_build_and_make_test():
    assert "make build" in README and "make test" in README


def test_every_command_and_flag_is_documented():
    for name, parser in subcommands().items():
        assert f"digest {name}" in README, name
        for action in parser._actions:
            for flag in action.option_strings:
                if flag.startswith("--") and flag != "--help":
                    assert flag in README, f"digest {name} {flag}"


def test_every_front_matter_field_is_documented():
    for field in FIELDS:
        assert f"`{field.name}`" in README, field.name


def test_every_setting_is_documented():
    for key in SETTINGS:
        assert f"{key} = " in README, key
