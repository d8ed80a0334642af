"""Dry runs rehearse on a copy: the event's talks and outbox under a second event key.

``livepost run --dry-run`` (and a run without credentials) must never mark the real queue as
posted, or the day itself would send nothing. So the daemon works on ``<event>--dry-run`` in the
same database: a fresh copy of the programme and of the outbox (new row ids, new record keys),
made again at every dry run. The real event's rows are only read.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from sqlalchemy import delete, select

from livepost.model import Schedule
from livepost.outbox.tid import mint_tid
from livepost.schedule.current import current_talks
from livepost.store.engine import session_scope
from livepost.store.models import EventRow, OutboxRow
from livepost.store.talks import ensure_event, load_talks, save_schedule

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from livepost.config import Settings

SUFFIX = "--dry-run"


def rehearsal_key(event_key: str) -> str:
    return f"{event_key[: 100 - len(SUFFIX)]}{SUFFIX}"


def prepare_rehearsal(settings: Settings, engine: Engine) -> str:
    """Copy the event into its rehearsal twin (replacing any previous one); returns its key."""

    key = rehearsal_key(settings.event_key)
    talks = current_talks(settings, engine)  # stored, else the programme file
    with session_scope(engine) as session:
        real = ensure_event(
            session, settings.event_key, settings.event.name, settings.event.timezone
        )
        session.execute(delete(OutboxRow).where(OutboxRow.event_id.in_(_ids(session, key))))
        session.execute(delete(EventRow).where(EventRow.key == key))
        session.flush()
        twin = ensure_event(session, key, settings.event.name, settings.event.timezone)
        twin.paused = real.paused
        save_schedule(session, key, Schedule(talks=[dataclasses.replace(t) for t in talks]))
        load_talks(session, key)
        rows = list(
            session.scalars(
                select(OutboxRow).where(OutboxRow.event_id == real.id).order_by(OutboxRow.id)
            )
        )
        copies: dict[int, OutboxRow] = {}
        for row in rows:
            copy = OutboxRow(
                event_id=twin.id,
                key=row.key,
                kind=row.kind,
                origin=row.origin,
                talk_id=row.talk_id,
                due_at=row.due_at,
                state=row.state,
                text=row.text,
                facets=row.facets,
                langs=row.langs,
                tags=row.tags,
                embed=row.embed,
                rkey=mint_tid(),
                uri=row.uri,
                cid=row.cid,
                source_hash=row.source_hash,
                author=row.author,
                edited=row.edited,
                attempts=row.attempts,
                last_error=row.last_error,
                sent_at=row.sent_at,
            )
            session.add(copy)
            copies[row.id] = copy
        session.flush()
        for row in rows:
            copy = copies[row.id]
            copy.parent_id = copies[row.parent_id].id if row.parent_id in copies else None
            copy.root_id = copies[row.root_id].id if row.root_id in copies else None
    return key


def _ids(session: object, key: str) -> list[int]:
    from sqlalchemy.orm import Session

    assert isinstance(session, Session)
    return list(session.scalars(select(EventRow.id).where(EventRow.key == key)))
