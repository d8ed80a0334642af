"""An outbox row as the console shows it: plain values, times in the event's zone, the state as
a :class:`PostState` (templates compare against the enum, never a string)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from livepost.model.actors import identity_label
from livepost.model.posts import UNSENT, PostState

if TYPE_CHECKING:
    from livepost.store.models import OutboxRow


@dataclass(frozen=True)
class PostView:
    """One post, detached from the database session."""

    id: int
    key: str
    kind: str
    origin: str
    state: PostState
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
    author: str = ""  # who queued it, as people read it ("Ann (member 3)"); "" for the planner

    @property
    def is_reply(self) -> bool:
        return self.parent_id is not None

    @property
    def unsent(self) -> bool:
        return self.state in UNSENT

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
            state=PostState(row.state),
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
            author=identity_label(row.author_id, row.author),
        )
