"""The day as the console's Today page shows it: the programme as a timeline, a "now" line,
each talk with its posts (read from the outbox, the one timeline there is)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from livepost.app.context import EventScope
from livepost.app.permissions import Action, ensure
from livepost.app.post_view import PostView
from livepost.model import Talk
from livepost.model.posts import PostState
from livepost.outbox.queries import list_posts
from livepost.schedule.current import current_talks

#: the states the day's counters show, in order
COUNTED = (PostState.QUEUED, PostState.POSTED, PostState.FAILED, PostState.MISSED)


class ItemKind(StrEnum):
    TALK = "talk"
    POST = "post"  # a post outside any talk
    NOW = "now"  # the "now" line


class TalkStatus(StrEnum):
    DONE = "done"
    LIVE = "live"
    UPCOMING = "upcoming"


@dataclass
class TimelineItem:
    """A talk (with its posts) or a post outside any talk, or the "now" line."""

    kind: ItemKind
    time: datetime
    talk: Talk | None = None
    start: datetime | None = None
    end: datetime | None = None
    status: TalkStatus | None = None  # talks only
    posts: list[PostView] = field(default_factory=list)


@dataclass
class TodayView:
    day: date
    days: list[date]
    is_today: bool
    now: datetime
    items: list[TimelineItem]
    counts: dict[PostState, int]


def pick_day(days: list[date], today: date, wanted: date | None) -> date:
    """The asked-for day; else today; else the next day of the programme; else its last day."""
    if wanted is not None:
        return wanted
    if not days or today in days:
        return today
    later = [d for d in days if d > today]
    return later[0] if later else days[-1]


def _status(talk: Talk, now: datetime) -> TalkStatus:
    if now >= talk.end:
        return TalkStatus.DONE
    return TalkStatus.LIVE if now >= talk.start else TalkStatus.UPCOMING


class Today(EventScope):
    """The Today page's timeline, for anyone who may read the event."""

    def view(self, wanted: date | None = None) -> TodayView:
        """The timeline of one day (the programme's day nearest today by default)."""
        ensure(self.actor, Action.READ)
        now = self.now()
        zone = self.zone
        talks = [t for t in current_talks(self.settings, self.engine) if not t.withdrawn]
        days = sorted({t.start.astimezone(zone).date() for t in talks})
        day = pick_day(days, now.date(), wanted)
        with self.session() as (session, event):
            posts = [PostView.of(r, zone) for r in list_posts(session, event)]
        by_talk: dict[str, list[PostView]] = defaultdict(list)
        loose: list[PostView] = []
        known = {t.id for t in talks}
        for post in posts:
            if post.state == PostState.CANCELLED:
                continue
            if post.talk_id in known:
                by_talk[post.talk_id or ""].append(post)
            elif post.when.date() == day:
                loose.append(post)
        items: list[TimelineItem] = []
        for talk in talks:
            start = talk.start.astimezone(zone)
            if start.date() != day:
                continue
            items.append(
                TimelineItem(
                    ItemKind.TALK,
                    start,
                    talk=talk,
                    start=start,
                    end=talk.end.astimezone(zone),
                    status=_status(talk, now),
                    posts=sorted(by_talk.get(talk.id, []), key=lambda p: (p.when, p.id)),
                )
            )
        items.extend(TimelineItem(ItemKind.POST, p.when, posts=[p]) for p in loose)
        items.sort(key=lambda i: i.time)
        is_today = day == now.date()
        if is_today and items:
            at = next((n for n, i in enumerate(items) if i.time > now), len(items))
            items.insert(at, TimelineItem(ItemKind.NOW, now))
        day_posts = [p for ps in by_talk.values() for p in ps if p.when.date() == day] + loose
        counts = {state: sum(1 for p in day_posts if p.state == state) for state in COUNTED}
        return TodayView(day, days, is_today, now, items, counts)
