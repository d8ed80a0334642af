"""Opening an event for a front end: its settings and its database, in one call.

The command line and the console open the event here rather than reaching for the store: the
database is migrated on first use, and a database already at the newest schema costs one plain
SELECT (see ``store.engine``), so read-only commands stay quick.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from livepost.config import Settings


@dataclass(frozen=True)
class OpenEvent:
    """An event's settings and its (migrated) database."""

    settings: Settings
    engine: Engine


def load_event_settings(event_dir: Path, database_url: str | None = None) -> Settings:
    """The event folder's settings (``livepost.toml``, ``.env``, the environment, the flags)."""
    from livepost.config import load_settings

    return load_settings(event_dir, flags={"database_url": database_url})


def open_database(settings: Settings) -> Engine:
    """The event's database, migrated to the newest schema when it is not."""
    from livepost.store.engine import open_database as open_store

    return open_store(settings.database_url)


def open_event(event_dir: Path, database_url: str | None = None) -> OpenEvent:
    """Settings and database of the event folder ``event_dir``."""
    settings = load_event_settings(event_dir, database_url)
    return OpenEvent(settings, open_database(settings))
