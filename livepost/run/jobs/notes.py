"""The notes job: wake the loop as soon as a notes file is saved (watchfiles).

It only accelerates: the plan job compares the notes folder at every step anyway, so a watcher
that cannot start or stops loses nothing.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path

log = logging.getLogger(__name__)


class NotesJob:
    """Watches ``folder`` and calls ``wake`` on every change."""

    def __init__(self, folder: Path, wake: Callable[[], None]) -> None:
        self.folder = folder
        self.wake = wake

    def start(self, stop: threading.Event) -> threading.Thread | None:
        try:
            from watchfiles import watch
        except ImportError:  # polling every second still sees every change
            return None
        if not self.folder.is_dir():
            return None

        def run() -> None:
            try:
                for _changes in watch(self.folder, stop_event=stop, debounce=100, step=50):
                    self.wake()
            except Exception as exc:  # the watcher is only an accelerator
                log.info("notes watcher stopped (%s); polling instead", exc)

        thread = threading.Thread(target=run, name="livepost-notes-watcher", daemon=True)
        thread.start()
        return thread
