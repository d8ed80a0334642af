"""The stored programme's speakers: their names and handles (``livepost people``)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from livepost.store.models import EventRow, PersonRow, TalkRow, utc_now


def speakers(session: Session, event: EventRow) -> list[tuple[int, str, str | None]]:
    """(id, name, handle) of every stored speaker of the event."""
    rows = session.execute(
        select(PersonRow.id, PersonRow.name, PersonRow.handle).where(PersonRow.event_id == event.id)
    )
    return [(int(pk), name, handle) for pk, name, handle in rows]


def set_handle(session: Session, event: EventRow, ids: Sequence[int], handle: str) -> None:
    """Give the speakers ``ids`` the ``handle``, and mark the programme changed so that a running
    daemon re-plans with it."""
    if not ids:
        return
    session.execute(
        update(PersonRow)
        .where(PersonRow.event_id == event.id, PersonRow.id.in_(list(ids)))
        .values(handle=handle)
    )
    first = session.scalars(
        select(TalkRow).where(TalkRow.event_id == event.id).order_by(TalkRow.id).limit(1)
    ).first()
    if first is not None:
        first.updated_at = utc_now()
