"""`digest theme`: the bundled theme's templates, and copies of them in a site's own theme.

A site that installed digest from PyPI has no `themes/default/` of its own to copy a template
from: the bundled one sits inside the installed package. This module lists that theme's
templates and copies the ones asked for to where the site's theme setting looks first, so an
editor changes a template without hunting for site-packages.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from .config import Config
from .errors import COMMAND_LINE, DigestError, Problem, closest
from .themes import default_theme_dir

TEMPLATES = "templates"


@dataclass(frozen=True)
class Template:
    """One template of the bundled theme, as the site sees it."""

    name: str                   # its name in `{% include %}` and `{% extends %}`: `base.html`
    overridden: bool            # the site's theme has a template of that name


@dataclass(frozen=True)
class Copy:
    """One template to copy into the site's theme."""

    name: str
    source: Path                # the bundled theme's file
    target: Path                # where the site's theme looks for it, under the site's folder
    kept: bool                  # the target exists: it is left as it is


def bundled_templates() -> list[str]:
    """Every template of the bundled theme, by name, sorted."""
    folder = default_theme_dir() / TEMPLATES
    return sorted(path.relative_to(folder).as_posix() for path in folder.rglob("*") if path.is_file())


def site_templates(config: Config) -> Path:
    """The folder a site's own templates go in: `themes/<theme>/templates/`, `themes/default/`
    under the default setting (a site's own `default` comes before the bundled theme)."""
    return Path(config.root) / "themes" / config.theme / TEMPLATES


def listing(config: Config) -> list[Template]:
    own = site_templates(config)
    bundled = default_theme_dir() / TEMPLATES
    return [Template(name, _is_own(own / name, bundled / name)) for name in bundled_templates()]


def plan_copies(config: Config, names: list[str]) -> list[Copy]:
    """The copies `digest theme NAME...` makes; a name the bundled theme lacks is an error
    (all are checked before anything is written)."""
    known = bundled_templates()
    problems = []
    for name in dict.fromkeys(names):
        if name not in known:
            meant = (next((each for each in known if each.rsplit(".", 1)[0] == name), None)  # `sitemap`
                     or closest(name, known, cutoff=0.8) or closest(name.rsplit("/", 1)[-1], known, cutoff=0.8))
            hint = f"did you mean '{meant}'? " if meant else ""
            problems.append(Problem(COMMAND_LINE, None, None,
                                    f"no template {name!r} in the bundled theme; {hint}`digest theme` lists them all"))
    if problems:
        raise DigestError(problems)
    own, bundled = site_templates(config), default_theme_dir() / TEMPLATES
    return [Copy(name, bundled / name, own / name, (own / name).exists() or (own / name).is_symlink())
            for name in dict.fromkeys(names)]


def write_copies(copies: list[Copy]) -> None:
    for copy in copies:
        if not copy.kept:
            copy.target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(copy.source, copy.target)


def _is_own(path: Path, bundled: Path) -> bool:
    """A template of the site's, not the bundled file itself (as it is in digest's own repository)."""
    return path.is_file() and path.resolve() != bundled.resolve()
