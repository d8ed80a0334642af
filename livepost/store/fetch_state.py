"""Where following an event's programme URL stands: validators for the next conditional
request, when it last worked, and why the last try failed (for ``status`` and the console)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from livepost.store.models import EventRow, ScheduleFetchRow


@dataclass(frozen=True)
class FetchState:
    """A copy of the event's ``schedule_fetches`` row, usable after its session ends."""

    url: str
    etag: str | None
    last_modified: str | None
    tried_at: datetime | None
    ok_at: datetime | None
    error: str | None
    failed_at: datetime | None = None
    failures: int = 0  # tries in a row that failed (0: the last one worked)
    retry_at: datetime | None = None  # when the daemon tries next


def fetch_row(session: Session, event: EventRow, url: str) -> ScheduleFetchRow:
    """The event's fetch row, created for ``url``; a new URL forgets the old validators."""
    row = session.scalars(
        select(ScheduleFetchRow).where(ScheduleFetchRow.event_id == event.id)
    ).one_or_none()
    if row is None:
        row = ScheduleFetchRow(event_id=event.id, url=url)
        session.add(row)
    elif row.url != url:
        row.url, row.etag, row.last_modified, row.ok_at, row.error = url, None, None, None, None
        row.failed_at, row.failures, row.retry_at = None, 0, None
    return row


def read_fetch_state(session: Session, event: EventRow) -> FetchState | None:
    """What the last fetch of the event's programme URL found, if it was ever fetched."""
    row = session.scalars(
        select(ScheduleFetchRow).where(ScheduleFetchRow.event_id == event.id)
    ).one_or_none()
    if row is None:
        return None
    return FetchState(
        row.url,
        row.etag,
        row.last_modified,
        row.tried_at,
        row.ok_at,
        row.error,
        row.failed_at,
        row.failures or 0,
        row.retry_at,
    )
