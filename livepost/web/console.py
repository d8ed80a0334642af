"""What every view needs: the event's settings, the shared database, the clock, and posts as shown.

The database is the only state shared with the daemon (``livepost run``): every view reads it
afresh, and every action is one short transaction, so each side sees the other's changes on its
next read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from livepost.model.actors import Actor
from livepost.model.posts import PostState
from livepost.schedule.current import current_talks
from livepost.store.engine import session_scope
from livepost.store.talks import ensure_event

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session

    from livepost.config import Settings
    from livepost.model import Talk
    from livepost.store.models import EventRow, OutboxRow


def utc_clock() -> datetime:
    return datetime.now(UTC)


@dataclass
class Console:
    """One event as the console serves it."""

    settings: Settings
    engine: Engine
    clock: Callable[[], datetime] = utc_clock
    #: who is asking (one Console per request carries it; the shared one is the officer)
    actor: Actor = field(default_factory=Actor.owner)

    @property
    def zone(self) -> ZoneInfo:
        return self.settings.zone

    def now(self) -> datetime:
        """The current moment, aware, in the event's zone."""
        return self.clock().astimezone(self.zone)

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.zone)

    @contextmanager
    def session(self) -> Iterator[tuple[Session, EventRow]]:
        """One transaction and the event's row (created on first use, as the CLI does)."""

        event = self.settings.event
        with session_scope(self.engine) as session:
            row = ensure_event(session, self.settings.event_key, event.name, event.timezone)
            yield session, row

    def talks(self) -> list[Talk]:
        """The programme: stored talks, else the configured schedule file read on the fly."""

        return current_talks(self.settings, self.engine)


@dataclass(frozen=True)
class PostView:
    """An outbox row as the console shows it (times in the event's zone)."""

    id: int
    key: str
    kind: str
    origin: str
    state: str
    talk_id: str | None
    due: datetime
    sent: datetime | None
    text: str
    facets: list[dict[str, Any]]
    parent_id: int | None
    root_id: int | None
    last_error: str | None
    attempts: int
    edited: bool
    uri: str | None
    images: list[dict[str, Any]] = field(default_factory=list)

    @property
    def is_reply(self) -> bool:
        return self.parent_id is not None

    @property
    def unsent(self) -> bool:
        return self.state in (PostState.QUEUED, PostState.FAILED, PostState.MISSED)

    @property
    def when(self) -> datetime:
        """When it went out, else when it is due."""
        return self.sent or self.due

    @classmethod
    def of(cls, row: OutboxRow, zone: ZoneInfo) -> PostView:
        embed = row.embed or {}
        images = [i for i in embed.get("images", []) if isinstance(i, dict)]
        return cls(
            id=row.id,
            key=row.key,
            kind=row.kind,
            origin=row.origin,
            state=row.state,
            talk_id=row.talk_id,
            due=row.due_at.astimezone(zone),
            sent=row.sent_at.astimezone(zone) if row.sent_at else None,
            text=row.text,
            facets=list(row.facets or []),
            parent_id=row.parent_id,
            root_id=row.root_id,
            last_error=row.last_error,
            attempts=row.attempts,
            edited=row.edited,
            uri=row.uri,
            images=images,
        )
