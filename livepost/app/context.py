"""What every action of the application layer carries: the event, its database, who asks, when.

:class:`EventScope` is the base of every service in ``app/`` (the queue, the team, the wall, the
replies): one per request, cheap to build, holding the person asking so that each method can ask
:mod:`livepost.app.permissions` before it does anything, and log what it did under their identity.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from livepost.model.actors import Actor

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session

    from livepost.config import Settings
    from livepost.store.models import EventRow


def utc_now() -> datetime:
    """The current moment, aware, in UTC (the default clock; the store's ``utc_now`` too)."""
    return datetime.now(UTC)


def cli_actor() -> Actor:
    """The command line: the event's owner (shown under the computer user's name)."""
    import getpass

    try:
        name = getpass.getuser() or "owner"
    except (KeyError, OSError):
        name = "owner"
    return Actor.owner(name)


@dataclass
class EventScope:
    """The event, its database, the person asking and the clock: what every action needs."""

    settings: Settings
    engine: Engine
    actor: Actor
    clock: Callable[[], datetime] = utc_now

    @property
    def zone(self) -> ZoneInfo:
        return self.settings.zone

    def now(self) -> datetime:
        """The current moment, aware, in the event's zone."""
        return self.clock().astimezone(self.zone)

    def event(self, session: Session) -> EventRow:
        """The event's row (created on first use)."""
        from livepost.store.talks import ensure_event

        event = self.settings.event
        return ensure_event(session, self.settings.event_key, event.name, event.timezone)

    @contextmanager
    def session(self) -> Iterator[tuple[Session, EventRow]]:
        """One transaction and the event's row."""
        from livepost.store.engine import session_scope

        with session_scope(self.engine) as session:
            yield session, self.event(session)

    def audit(
        self,
        session: Session,
        event: EventRow,
        action: str,
        target: str,
        detail: str | None = None,
    ) -> None:
        """Log a change under the actor's identity and name, in the same transaction."""
        from livepost.store import audit

        audit.record(
            session,
            event,
            actor_id=self.actor.identity,
            actor_name=self.actor.name,
            action=action,
            target=target,
            detail=detail,
            at=self.clock(),
        )
