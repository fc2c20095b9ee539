"""File watching for `digest serve`: content/, themes/, static/ and the site's string tables
recursively, and pyproject.toml, each in a thread of its own; every change that is not
editor noise goes to one callback, which the server turns into a rebuild."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Callable

import watchfiles

from .config import SETTINGS_FILE, Config
from .errors import Problem
from .render import LITTER
from .strings import STRINGS_DIR


def is_editor_noise(name: str, hidden: bool = True) -> bool:
    """Editors save through temporary, swap and backup files (render.LITTER), most of them
    hidden: a hidden name is noise too, but in static/, where `.well-known/` is published."""
    return (hidden and name.startswith(".")) or bool(LITTER.search(name))


class Either:
    """An event that is set when either of two events is: how watchfiles is told to stop."""

    def __init__(self, first: threading.Event, second: threading.Event):
        self.first, self.second = first, second

    def is_set(self) -> bool:
        return self.first.is_set() or self.second.is_set()


class Watcher:
    """Watches the site at root until `stop` is set. settings() gives the settings in use (the
    content and static folders move with them), or None before the first read; note(changes)
    gets each batch of (change, path); failed(problem) hears of a watcher that failed (it
    starts again a second later)."""

    def __init__(self, root: Path, settings: Callable[[], Config | None], note: Callable[[list], None],
                 failed: Callable[[Problem], None], stop: threading.Event):
        self.root, self.settings, self.note, self.failed, self.stop = root, settings, note, failed, stop
        self.tree_armed, self.settings_armed = threading.Event(), threading.Event()

    def threads(self) -> list[threading.Thread]:
        """The two watchers, started."""
        started = []
        for target in (self._watch_tree, self._watch_settings):
            thread = threading.Thread(target=target, name=f"digest-{target.__name__.strip('_')}", daemon=True)
            thread.start()
            started.append(thread)
        return started

    def wait_armed(self, timeout: float = 30) -> None:
        """Until both watchers are in place: an edit made after this is seen."""
        for armed in (self.tree_armed, self.settings_armed):
            armed.wait(timeout=timeout)

    def folders(self) -> list[Path]:
        config = self.settings()
        if config is None:
            return []
        return [folder for folder in (config.content_path, self.root / "themes", config.static_path,
                                      self.root / STRINGS_DIR) if folder.is_dir()]

    def _keep_watching(self, watch: Callable[[], None]) -> None:
        """Run a watcher until stopped; if it fails (a watched folder vanished), say so and retry."""
        while not self.stop.is_set():
            try:
                watch()
            except Exception as error:
                self.failed(Problem("digest", None, None,
                                    f"file watching failed ({type(error).__name__}: {error}); retrying"))
                self.stop.wait(1.0)

    def _watch_tree(self) -> None:
        self._keep_watching(self._watch_tree_once)

    def _watch_settings(self) -> None:
        self._keep_watching(self._watch_settings_once)

    def _watch_tree_once(self) -> None:
        """content/, themes/ and static/, recursively; restarted when content_dir moves or one
        of them appears."""
        watched = self.folders()
        while not self.stop.is_set():
            folders = self.folders()
            if set(folders) - set(watched):  # made since the last look, and maybe filled already
                self.note([(None, str(folder)) for folder in set(folders) - set(watched)])
            watched = folders
            if not folders:
                self.tree_armed.set()
                self.stop.wait(0.5)
                continue
            moved = threading.Event()
            stop_either = Either(self.stop, moved)
            # yield_on_timeout: the first (empty) yield tells that the watcher is in place.
            for changes in watchfiles.watch(*folders, watch_filter=self._wanted, step=20, rust_timeout=200,
                                            yield_on_timeout=True, stop_event=stop_either, raise_interrupt=False):
                self.tree_armed.set()
                if changes:
                    self.note(changes)
                if self.folders() != folders:
                    moved.set()

    def _watch_settings_once(self) -> None:
        """pyproject.toml: editors replace it by renaming, so watch its folder, not the file."""
        settings = self.root / SETTINGS_FILE
        for changes in watchfiles.watch(self.root, watch_filter=lambda change, path: Path(path) == settings,
                                        recursive=False, step=20, rust_timeout=200, yield_on_timeout=True,
                                        stop_event=self.stop, raise_interrupt=False):
            self.settings_armed.set()
            if changes:
                self.note(changes)

    def _wanted(self, change, path: str) -> bool:
        relative, hidden = Path(path), True
        config = self.settings()
        if config is not None and relative.is_relative_to(config.content_path):
            relative = relative.relative_to(config.content_path)
            if any(part.startswith("_") for part in relative.parts):  # not entries
                return False
        elif config is not None and relative.is_relative_to(config.static_path):
            relative, hidden = relative.relative_to(config.static_path), False  # .well-known/ is published
        elif relative.is_relative_to(self.root):
            relative = relative.relative_to(self.root)
        return not any(is_editor_noise(part, hidden) for part in relative.parts)
