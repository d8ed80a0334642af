"""Per-invocation state the root callback stores on the typer context.

Settings and the database are opened on first use, so commands that need neither (``init``,
``compose`` outside an event) never pay for them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from livepost.app.event import EventApp
    from livepost.config import Settings


@dataclass
class CliState:
    event_flag: str | None = None
    database_url_flag: str | None = None
    _settings: Settings | None = field(default=None, init=False, repr=False)
    _engine: Engine | None = field(default=None, init=False, repr=False)

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
            from livepost.config import load_settings

            self._settings = load_settings(
                self.event_dir, flags={"database_url": self.database_url_flag}
            )
        return self._settings

    def app(self) -> EventApp:
        """The door: the event as the command line (the event's owner) asks of it."""
        from livepost.app.context import cli_actor
        from livepost.app.event import EventApp

        return EventApp(self.settings(), self.engine(), cli_actor())

    def engine(self) -> Engine:
        if self._engine is None:
            from livepost.store.engine import open_database

            self._engine = open_database(self.settings().database_url)
        return self._engine
