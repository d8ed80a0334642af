"""The audit log's queries: who changed what, by identity and name (see :class:`AuditRow`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from livepost.store.models import AuditRow, EventRow, utc_now


def record(
    session: Session,
    event: EventRow,
    *,
    actor_id: str,
    actor_name: str,
    action: str,
    target: str,
    detail: str | None = None,
    at: datetime | None = None,
) -> None:
    """Add one line to the log, in the caller's transaction (it stands or falls with the change)."""
    session.add(
        AuditRow(
            event_id=event.id,
            at=at or utc_now(),
            actor_id=actor_id[:40],
            actor_name=actor_name[:100],
            action=action[:30],
            target=target[:300],
            detail=detail,
        )
    )


def recent(session: Session, event: EventRow, limit: int = 20) -> list[AuditRow]:
    """The newest lines first."""
    return list(
        session.scalars(
            select(AuditRow)
            .where(AuditRow.event_id == event.id)
            .order_by(AuditRow.at.desc(), AuditRow.id.desc())
            .limit(limit)
        )
    )
