"""How the event's posts are doing, for the console's Engagement page: today's counts, the top
posts, the community's posts under the hashtag.

Counts come from the archive's snapshots (``livepost archive sync``, or the daemon's own syncs):
the newest snapshot of each post, our own replies taken out. Before any sync the page says so
instead of showing zeros.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from livepost.app.context import EventScope
from livepost.app.permissions import Action, ensure
from livepost.app.post_view import PostView
from livepost.model.engagement import Counts
from livepost.model.posts import PostState
from livepost.outbox.own import own_reply_counts, without_own
from livepost.outbox.queries import list_posts
from livepost.store import engagement as store

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


class Engagement(EventScope):
    """The Engagement page, for anyone who may read the event."""

    def view(self) -> EngagementView:
        ensure(self.actor, Action.READ)
        zone = self.zone
        today = self.now().date()
        view = EngagementView()
        with self.session() as (session, event):
            posts = [PostView.of(r, zone) for r in list_posts(session, event)]
            own = own_reply_counts(session, event)
            counts = {
                uri: without_own(c, own.get(uri, 0))
                for uri, c in store.latest_counts(session, event).items()
            }
            synced = store.last_sync(session, event)
            view.last_sync = synced.astimezone(zone) if synced else None
            view.community_total = store.community_count(session, event)
            view.community = [
                CommunityPost(
                    author_handle=r.author_handle,
                    author_name=r.author_name,
                    text=r.text,
                    facets=list(r.facets or []),
                    created=r.created_at.astimezone(zone),
                    counts=counts.get(r.uri, Counts()),
                    image_alts=list(r.image_alts or []),
                )
                for r in store.community_posts(session, event, COMMUNITY)
            ]
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
