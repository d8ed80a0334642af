"""The team's queries (see :class:`TeamMemberRow`): members by id, by name key, by token hash."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from livepost.store.models import EventRow, TeamMemberRow


def by_name_key(session: Session, event: EventRow, name_key: str) -> TeamMemberRow | None:
    return session.scalars(
        select(TeamMemberRow).where(
            TeamMemberRow.event_id == event.id, TeamMemberRow.name_key == name_key
        )
    ).one_or_none()


def by_token_hash(session: Session, event: EventRow, token_hash: str) -> TeamMemberRow | None:
    """The member holding this token, unless revoked."""
    return session.scalars(
        select(TeamMemberRow).where(
            TeamMemberRow.event_id == event.id,
            TeamMemberRow.token_hash == token_hash,
            TeamMemberRow.revoked_at.is_(None),
        )
    ).one_or_none()


def members(session: Session, event: EventRow) -> list[TeamMemberRow]:
    return list(
        session.scalars(
            select(TeamMemberRow)
            .where(TeamMemberRow.event_id == event.id)
            .order_by(TeamMemberRow.name_key, TeamMemberRow.id)
        )
    )
