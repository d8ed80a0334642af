"""Per-invocation state the root callback stores on the typer context.

Settings and the database are opened on first use (through :mod:`livepost.app.open`), so commands
that need neither (``init``, ``compose`` outside an event) never pay for them. Every command that
touches the event goes through :meth:`CliState.app`, the application layer's door.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from livepost.app.event import EventApp
    from livepost.app.reader import EventReader
    from livepost.config import Settings


@dataclass
class CliState:
    event_flag: str | None = None
    database_url_flag: str | None = None
    _settings: Settings | None = field(default=None, init=False, repr=False)
    _app: EventApp | None = field(default=None, init=False, repr=False)

    @property
    def event_dir(self) -> Path:
        from livepost.config import resolve_event_dir

        return resolve_event_dir(self.event_flag, os.environ)[0]

    def in_event_folder(self) -> bool:
        """Whether the event folder has a livepost.toml (an explicit --event must have one)."""
        from livepost.config import CONFIG_FILE

        return bool(self.event_flag) or (self.event_dir / CONFIG_FILE).is_file()

    def settings(self) -> Settings:
        if self._settings is None:
            from livepost.app.open import load_event_settings

            self._settings = load_event_settings(self.event_dir, self.database_url_flag)
        return self._settings

    def reader(self) -> EventReader:
        """Quick reads for ``queue list`` and ``status`` (the door when they cannot be quick)."""
        from livepost.app.context import cli_actor
        from livepost.app.reader import EventReader

        return EventReader(self.settings(), cli_actor(), self.app)

    def app(self) -> EventApp:
        """The door: the event as the command line (the event's owner) asks of it."""
        if self._app is None:
            from livepost.app.context import cli_actor
            from livepost.app.event import EventApp
            from livepost.app.open import open_database

            settings = self.settings()
            self._app = EventApp(settings, open_database(settings), cli_actor())
        return self._app
