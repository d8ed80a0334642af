"""Our own replies are not engagement: the AppView's ``replyCount`` of an announcement counts the
snippets we threaded under it. Views that show current counts subtract them with this."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from livepost.model.engagement import Counts
from livepost.model.posts import PostState
from livepost.store.models import EventRow, OutboxRow


def own_reply_counts(session: Session, event: EventRow) -> dict[str, int]:
    """URI of each of our posts -> how many of our own posted replies sit directly under it."""
    child = aliased(OutboxRow)
    rows = session.execute(
        select(OutboxRow.uri, func.count(child.id))
        .join(child, child.parent_id == OutboxRow.id)
        .where(
            OutboxRow.event_id == event.id,
            OutboxRow.uri.is_not(None),
            child.state == PostState.POSTED,
        )
        .group_by(OutboxRow.uri)
    )
    return {uri: int(n) for uri, n in rows if uri}


def without_own(counts: Counts, own: int) -> Counts:
    """``counts`` less ``own`` replies (never below zero)."""
    return replace(counts, replies=max(0, counts.replies - own)) if own else counts
