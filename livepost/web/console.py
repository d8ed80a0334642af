"""What the console holds for its lifetime: the event's settings, the shared database, the clock.

Every request builds its own :class:`~livepost.app.event.EventApp` from these and the person
asking (:meth:`Console.app`), and calls only its services: the database is the only state shared
with the daemon (``livepost run``), read afresh by every view.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from livepost.app.event import EventApp
from livepost.model.actors import Actor

if TYPE_CHECKING:
    from livepost.app.database import Engine
    from livepost.config import Settings


def utc_clock() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Console:
    """One event as the console serves it."""

    settings: Settings
    engine: Engine
    clock: Callable[[], datetime] = utc_clock

    def app(self, actor: Actor) -> EventApp:
        """The door for one request: the event as ``actor`` asks of it."""
        return EventApp(self.settings, self.engine, actor, self.clock)

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.settings.zone)
