"""The archive's engagement as the console reads it: newest counts per post, the last sync, the
community's posts under the event's hashtag."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from livepost.model.engagement import Counts
from livepost.store.models import ArchivedPostRow, ArchiveSyncRow, EventRow
from livepost.store.models import EngagementSnapshotRow as Snap

HASHTAG = "hashtag"  # ArchivedPostRow.source of the community's posts


def latest_counts(session: Session, event: EventRow) -> dict[str, Counts]:
    """uri -> the counts of its newest snapshot."""
    newest = (
        select(Snap.uri, func.max(Snap.taken_at).label("taken_at"))
        .where(Snap.event_id == event.id)
        .group_by(Snap.uri)
        .subquery()
    )
    rows = session.execute(
        select(Snap.uri, Snap.likes, Snap.reposts, Snap.replies, Snap.quotes).join(
            newest, (Snap.uri == newest.c.uri) & (Snap.taken_at == newest.c.taken_at)
        )
    )
    return {
        uri: Counts(likes=likes, reposts=reposts, replies=replies, quotes=quotes)
        for uri, likes, reposts, replies, quotes in rows
    }


def last_sync(session: Session, event: EventRow) -> datetime | None:
    """When an archive sync of the event last finished (None: never)."""
    return session.scalar(
        select(func.max(ArchiveSyncRow.finished_at)).where(ArchiveSyncRow.event_id == event.id)
    )


def community_posts(session: Session, event: EventRow, limit: int) -> list[ArchivedPostRow]:
    """The newest posts under the event's hashtag, newest first."""
    return list(
        session.scalars(
            select(ArchivedPostRow)
            .where(ArchivedPostRow.event_id == event.id, ArchivedPostRow.source == HASHTAG)
            .order_by(ArchivedPostRow.created_at.desc())
            .limit(limit)
        )
    )


def community_count(session: Session, event: EventRow) -> int:
    """How many posts under the event's hashtag the archive holds."""
    return (
        session.scalar(
            select(func.count())
            .select_from(ArchivedPostRow)
            .where(ArchivedPostRow.event_id == event.id, ArchivedPostRow.source == HASHTAG)
        )
        or 0
    )
