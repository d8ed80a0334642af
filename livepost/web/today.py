"""The Today view: the day's programme as a timeline, a "now" line, each talk with its posts."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from livepost.model import Talk
from livepost.model.posts import PostState
from livepost.outbox.queries import list_posts
from livepost.web.console import Console, PostView


@dataclass
class TimelineItem:
    """A talk (with its posts) or a post outside any talk, or the "now" line."""

    kind: str  # "talk" | "post" | "now"
    time: datetime
    talk: Talk | None = None
    start: datetime | None = None
    end: datetime | None = None
    status: str = ""  # talks: "done" | "live" | "upcoming"
    posts: list[PostView] = field(default_factory=list)


@dataclass
class TodayView:
    day: date
    days: list[date]
    is_today: bool
    now: datetime
    items: list[TimelineItem]
    counts: dict[str, int]


def programme_days(talks: list[Talk], console: Console) -> list[date]:
    return sorted({console.local(t.start).date() for t in talks})


def pick_day(days: list[date], today: date, wanted: date | None) -> date:
    """The asked-for day; else today; else the next day of the programme; else its last day."""
    if wanted is not None:
        return wanted
    if not days or today in days:
        return today
    later = [d for d in days if d > today]
    return later[0] if later else days[-1]


def _status(talk: Talk, now: datetime) -> str:
    if now >= talk.end:
        return "done"
    return "live" if now >= talk.start else "upcoming"


def today_view(console: Console, wanted: date | None = None) -> TodayView:
    """Build the timeline of one day (the programme's day nearest today by default)."""

    now = console.now()
    talks = [t for t in console.talks() if not t.withdrawn]
    days = programme_days(talks, console)
    day = pick_day(days, now.date(), wanted)
    with console.session() as (session, event):
        posts = [PostView.of(r, console.zone) for r in list_posts(session, event)]
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
        start = console.local(talk.start)
        if start.date() != day:
            continue
        items.append(
            TimelineItem(
                "talk",
                start,
                talk=talk,
                start=start,
                end=console.local(talk.end),
                status=_status(talk, now),
                posts=sorted(by_talk.get(talk.id, []), key=lambda p: (p.when, p.id)),
            )
        )
    items.extend(TimelineItem("post", p.when, posts=[p]) for p in loose)
    items.sort(key=lambda i: i.time)
    is_today = day == now.date()
    if is_today and items:
        at = next((n for n, i in enumerate(items) if i.time > now), len(items))
        items.insert(at, TimelineItem("now", now))
    day_posts = [p for ps in by_talk.values() for p in ps if p.when.date() == day] + loose
    counts = {
        str(state): sum(1 for p in day_posts if p.state == state)
        for state in (PostState.QUEUED, PostState.POSTED, PostState.FAILED, PostState.MISSED)
    }
    return TodayView(day, days, is_today, now, items, counts)
