"""The Engagement view: how today's posts are doing, the top posts, the community's posts.

Counts come from the archive's snapshots (``livepost archive sync``, or the daemon's own syncs):
the newest snapshot of each post. Before any sync the view says so instead of showing zeros.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from livepost.model.engagement import Counts
from livepost.model.posts import PostState
from livepost.outbox.own import own_reply_counts, without_own
from livepost.outbox.queries import list_posts
from livepost.store.models import ArchivedPostRow, ArchiveSyncRow
from livepost.store.models import EngagementSnapshotRow as Snap
from livepost.web.console import Console, PostView

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from livepost.store.models import EventRow

COUNTS = ("likes", "reposts", "replies", "quotes")
TOP = 5
COMMUNITY = 20


@dataclass(frozen=True)
class CommunityPost:
    author_handle: str
    author_name: str | None
    text: str
    facets: list[dict[str, object]]
    created: datetime
    counts: Counts
    image_alts: list[str]


@dataclass
class EngagementView:
    posted_today: int = 0
    queued_today: int = 0
    failed_today: int = 0
    totals: Counts = field(default_factory=Counts)
    synced_posts: int = 0
    top: list[tuple[PostView, Counts]] = field(default_factory=list)
    community: list[CommunityPost] = field(default_factory=list)
    community_total: int = 0
    last_sync: datetime | None = None


def latest_counts(session: Session, event: EventRow) -> dict[str, Counts]:
    """uri -> the counts of its newest snapshot."""
    from sqlalchemy import func, select

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


def engagement_view(console: Console) -> EngagementView:
    from sqlalchemy import func, select

    today = console.now().date()
    view = EngagementView()
    with console.session() as (session, event):
        posts = [PostView.of(r, console.zone) for r in list_posts(session, event)]
        own = own_reply_counts(session, event)
        counts = {
            uri: without_own(c, own.get(uri, 0)) for uri, c in latest_counts(session, event).items()
        }
        view.last_sync = session.scalar(
            select(func.max(ArchiveSyncRow.finished_at)).where(ArchiveSyncRow.event_id == event.id)
        )
        community_rows = session.scalars(
            select(ArchivedPostRow)
            .where(ArchivedPostRow.event_id == event.id, ArchivedPostRow.source == "hashtag")
            .order_by(ArchivedPostRow.created_at.desc())
            .limit(COMMUNITY)
        ).all()
        view.community_total = (
            session.scalar(
                select(func.count())
                .select_from(ArchivedPostRow)
                .where(ArchivedPostRow.event_id == event.id, ArchivedPostRow.source == "hashtag")
            )
            or 0
        )
        view.community = [
            CommunityPost(
                author_handle=r.author_handle,
                author_name=r.author_name,
                text=r.text,
                facets=list(r.facets or []),
                created=console.local(r.created_at),
                counts=counts.get(r.uri, Counts()),
                image_alts=list(r.image_alts or []),
            )
            for r in community_rows
        ]
    if view.last_sync is not None:
        view.last_sync = console.local(view.last_sync)
    for post in posts:
        if post.when.date() != today:
            continue
        if post.state == PostState.POSTED:
            view.posted_today += 1
        elif post.state in (PostState.QUEUED, PostState.SENDING):
            view.queued_today += 1
        elif post.state == PostState.FAILED:
            view.failed_today += 1
    ours = [(p, counts[p.uri]) for p in posts if p.uri and p.uri in counts]
    view.synced_posts = len(ours)
    for _post, post_counts in ours:
        view.totals = view.totals + post_counts
    view.top = sorted(ours, key=lambda pc: (-pc[1].total, -pc[0].id))[:TOP]
    return view
