"""Where a site's themes are: its chosen theme, its own `default`, the bundled one."""

from __future__ import annotations

from pathlib import Path

from .config import Config

BUNDLED_THEME = Path(__file__).resolve().parent.parent / "themes" / "default"


def default_theme_dir() -> Path:
    if BUNDLED_THEME.is_dir():
        return BUNDLED_THEME
    import digest.default_theme as packaged  # installed wheel: the theme ships as package data

    return Path(packaged.__path__[0])


def theme_dirs(config: Config) -> list[Path]:
    """Most specific first: the site's chosen theme, the site's `default`, the bundled one."""
    root = Path(config.root)
    dirs = [root / "themes" / config.theme, root / "themes" / "default", default_theme_dir()]
    unique = []
    for folder in dirs:
        if folder.is_dir() and folder.resolve() not in [d.resolve() for d in unique]:
            unique.append(folder)
    return unique
