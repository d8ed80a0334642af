"""The report every export format writes: the archive read back and organised by talk.

Built once from the database with plain Core queries (an export of 100,000 archived posts must
take seconds), then handed to a writer per format. A community post is placed with a talk when
it replies in that talk's thread, else when it names the talk (title, a speaker, the talk's
hashtag), else when it was posted while exactly one talk was running; anything else is the
event's, outside any talk.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import Text, select, type_coerce

from livepost.model.engagement import Counts
from livepost.model.posts import PostState
from livepost.store.engine import session_scope
from livepost.store.models import (
    ArchivedPostRow,
    ArchiveSyncRow,
    EngagementSnapshotRow,
    OutboxRow,
)
from livepost.store.talks import load_event, load_talks

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from livepost.model import Talk

#: a post this long after a talk ends is still "during" it (questions, reactions)
AFTER_TALK = timedelta(minutes=15)
TOP_EVENT = 10
TOP_TALK = 3
TOP_COMMUNITY = 5
#: timeline bucket sizes to choose from, in minutes: at most MAX_BUCKETS buckets
BUCKET_MINUTES = (5, 10, 15, 30, 60, 120, 180, 360, 720, 1440, 10080)
MAX_BUCKETS = 48
_HONORIFICS = {"dr", "prof", "professor", "mr", "mrs", "ms", "miss", "sir", "dame"}
_WORD = re.compile(r"[\w'’]+")


@dataclass(slots=True)
class Post:
    """One post in the report, ours or the community's (``author_*`` then name the poster)."""

    uri: str
    ours: bool
    text: str
    created_at: datetime
    counts: Counts
    author_did: str
    author_handle: str
    author_name: str | None = None
    talk: str | None = None
    talk_reason: str | None = None  # ours: "planned"; community: reply | mention | time
    kind: str | None = None  # ours: the outbox kind (announcement, snippet...)
    key: str | None = None
    cid: str | None = None
    source: str = "ours"  # ours | hashtag | reply
    matched_tag: str | None = None
    links: list[str] = field(default_factory=list)
    image_alts: list[str] = field(default_factory=list)
    #: ``{"alt", "thumb", "fullsize"}`` per image (addresses empty when unknown)
    images: list[dict[str, str]] = field(default_factory=list)
    reply_parent: str | None = None
    reply_root: str | None = None
    #: ours: the name of who queued it by hand (None: planned)
    queued_by: str | None = None
    #: ours: their identity (``owner``, ``member:3``; None: planned)
    queued_by_id: str | None = None

    @property
    def queued_by_label(self) -> str:
        """``Ann (member 3)``, ``jane (owner)``: the name and the identity it stands for."""
        if not self.queued_by_id:
            return self.queued_by or ""
        kind, _, number = self.queued_by_id.partition(":")
        name = self.queued_by or kind
        return f"{name} ({kind} {number})" if number else f"{name} ({kind})"

    @property
    def url(self) -> str:
        """The post in the Bluesky web app."""
        rkey = self.uri.rsplit("/", 1)[-1]
        return f"https://bsky.app/profile/{self.author_did}/post/{rkey}"

    @property
    def total(self) -> int:
        return self.counts.total


@dataclass
class TalkSection:
    """A talk and everything posted about it."""

    talk: Talk
    posts: list[Post]
    community: list[Post]
    top: list[Post]
    totals: Counts
    #: the community's most engaged posts about the talk (the speaker's share kit)
    best: list[Post] = field(default_factory=list)


@dataclass
class Bucket:
    start: datetime
    ours: int = 0
    community: int = 0
    engagement: int = 0


@dataclass
class Report:
    """Everything an export writes. ``last_sync`` is when counts were last read (None: never)."""

    event_key: str
    event_name: str
    timezone: str
    hashtags: list[str]
    talks: list[TalkSection]
    outside_posts: list[Post]
    outside_community: list[Post]
    posts: list[Post]  # ours, in posting order
    community: list[Post]  # theirs, in posting order
    top: list[Post]
    totals: Counts
    bucket_minutes: int
    buckets: list[Bucket]
    history: list[tuple[datetime, int]]  # (sync time, interactions of every post at that time)
    last_sync: datetime | None
    generated_at: datetime
    talk_filter: str | None = None

    @property
    def start(self) -> datetime | None:
        return min((s.talk.start for s in self.talks), default=None)

    @property
    def end(self) -> datetime | None:
        return max((s.talk.end for s in self.talks), default=None)


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


_parsed: dict[str, datetime] = {}


def _moment(value: datetime | str) -> datetime:
    """A stored time as aware UTC, read raw (SQLite hands back text; PostgreSQL datetimes):
    100,000 rows through the column type's processor cost a second."""
    if isinstance(value, datetime):
        return _aware(value)
    found = _parsed.get(value)
    if found is None:
        if len(_parsed) > 10_000:
            _parsed.clear()
        found = _parsed[value] = _aware(datetime.fromisoformat(value))
    return found


def _json_list(value: Any) -> list[Any]:
    if value is None or value == "[]":
        return []
    if isinstance(value, str):
        loaded = json.loads(value)
        return loaded if isinstance(loaded, list) else []
    return list(value)


def _bare_images(alts: list[Any]) -> list[dict[str, str]]:
    """Images archived before their addresses were kept: the alt texts alone."""
    return [{"alt": str(alt), "thumb": "", "fullsize": ""} for alt in alts]


def _raw(column: Any) -> Any:
    """The column without SQLAlchemy's result processing (see :func:`_moment`)."""
    return type_coerce(column, Text).label(column.name)


def _sum(posts: Sequence[Post]) -> Counts:
    return Counts(
        replies=sum(p.counts.replies for p in posts),
        reposts=sum(p.counts.reposts for p in posts),
        likes=sum(p.counts.likes for p in posts),
        quotes=sum(p.counts.quotes for p in posts),
        bookmarks=None,
    )


def top_posts(posts: Sequence[Post], n: int) -> list[Post]:
    """The ``n`` posts with most interactions (ties: the earlier first); none without any."""
    ranked = sorted((p for p in posts if p.total > 0), key=lambda p: (-p.total, p.created_at))
    return ranked[:n]


# --- loading -------------------------------------------------------------------------------------


Snapshot = tuple[datetime, str, int]  # (taken at, uri, interactions)


def own_reply_times(pairs: Iterable[tuple[str | None, datetime]]) -> dict[str, list[datetime]]:
    """For each of our posts, when our own direct replies to it went out (in time order)."""
    times: dict[str, list[datetime]] = defaultdict(list)
    for parent, sent in pairs:
        if parent:
            times[parent].append(sent)
    for moments in times.values():
        moments.sort()
    return dict(times)


def by_others(counts: Counts, own: Sequence[datetime] | None, taken: datetime) -> Counts:
    """``counts`` without our own replies sent by ``taken``: a snippet threaded under our
    announcement is not engagement (the AppView's replyCount counts it)."""
    if not own:
        return counts
    ours = bisect_right(own, taken)
    return replace(counts, replies=max(0, counts.replies - ours))


def _latest_counts(
    engine: Engine, event_id: int, own_replies: dict[str, list[datetime]] | None = None
) -> tuple[dict[str, Counts], list[Snapshot]]:
    """Each post's counts at its latest snapshot, and every snapshot's total in time order,
    both counting only what others did (see :func:`by_others`)."""
    own_replies = own_replies or {}
    snap = EngagementSnapshotRow.__table__
    query = (
        select(
            snap.c.uri,
            _raw(snap.c.taken_at),
            snap.c.replies,
            snap.c.reposts,
            snap.c.likes,
            snap.c.quotes,
            snap.c.bookmarks,
        )
        .where(snap.c.event_id == event_id)
        .order_by(snap.c.taken_at, snap.c.id)
    )
    latest: dict[str, Counts] = {}
    snapshots: list[Snapshot] = []
    with engine.connect() as connection:
        rows = connection.execute(query).all()  # one fetchall: row by row costs a second
        for uri, taken, replies, reposts, likes, quotes, bookmarks in rows:
            moment = _moment(taken)
            counts = by_others(
                Counts(replies, reposts, likes, quotes, bookmarks), own_replies.get(uri), moment
            )
            latest[uri] = counts
            snapshots.append((moment, uri, counts.total))
    return latest, snapshots


def engagement_history(
    snapshots: Sequence[Snapshot], scope: set[str] | None = None
) -> list[tuple[datetime, int]]:
    """Interactions of all posts (or those in ``scope``) as known after each sync moment."""
    totals: dict[str, int] = {}
    running = 0
    history: list[tuple[datetime, int]] = []
    for taken, uri, total in snapshots:
        if scope is not None and uri not in scope:
            continue
        running += total - totals.get(uri, 0)
        totals[uri] = total
        moment = taken
        if history and history[-1][0] == moment:
            history[-1] = (moment, running)
        else:
            history.append((moment, running))
    return history


def load_report(
    engine: Engine,
    event_key: str,
    *,
    hashtags: Sequence[str] = (),
    talk_id: str | None = None,
    our_handle: str | None = None,
    now: datetime | None = None,
) -> Report:
    """The whole archive of ``event_key`` as a :class:`Report` (one talk's part with
    ``talk_id``)."""
    with session_scope(engine) as session:
        event = load_event(session, event_key)
        event_id, name, zone = event.id, event.name, event.timezone
        talks = load_talks(session, event_key)
        last_sync = session.scalars(
            select(ArchiveSyncRow.finished_at).where(
                ArchiveSyncRow.event_id == event_id, ArchiveSyncRow.kind == "engagement"
            )
        ).one_or_none()
    out = OutboxRow.__table__
    arch = ArchivedPostRow.__table__
    ours: list[Post] = []
    with engine.connect() as connection:
        parent_uri: dict[int, str] = {}
        rows = connection.execute(
            select(
                out.c.id,
                out.c.uri,
                out.c.cid,
                out.c.text,
                out.c.sent_at,
                out.c.due_at,
                out.c.talk_id,
                out.c.kind,
                out.c.key,
                out.c.parent_id,
                out.c.root_id,
                out.c.author,
                out.c.author_id,
            )
            .where(
                out.c.event_id == event_id, out.c.state == PostState.POSTED, out.c.uri.is_not(None)
            )
            .order_by(out.c.sent_at, out.c.id)
        ).all()
        for row in rows:
            parent_uri[row.id] = row.uri
        own_replies = own_reply_times(
            (parent_uri.get(row.parent_id), _aware(row.sent_at or row.due_at))
            for row in rows
            if row.parent_id
        )
        latest, snapshots = _latest_counts(engine, event_id, own_replies)
        zero = Counts()
        talk_of_row = {row.id: row.talk_id for row in rows}
        for row in rows:
            did = row.uri.split("/")[2]
            talk = row.talk_id or talk_of_row.get(row.root_id or row.parent_id or -1)
            ours.append(
                Post(
                    uri=row.uri,
                    ours=True,
                    text=row.text,
                    created_at=_aware(row.sent_at or row.due_at),
                    counts=latest.get(row.uri, zero),
                    author_did=did,
                    author_handle=our_handle or did,
                    talk=talk,
                    talk_reason="planned" if talk else None,
                    kind=row.kind,
                    key=row.key,
                    cid=row.cid,
                    queued_by=row.author,
                    queued_by_id=row.author_id,
                    reply_parent=parent_uri.get(row.parent_id) if row.parent_id else None,
                    reply_root=parent_uri.get(row.root_id or row.parent_id)
                    if row.parent_id
                    else None,
                )
            )
        query = (
            select(
                arch.c.uri,
                arch.c.cid,
                arch.c.text,
                _raw(arch.c.created_at),
                arch.c.author_did,
                arch.c.author_handle,
                arch.c.author_name,
                arch.c.source,
                arch.c.matched_tag,
                _raw(arch.c.links),
                _raw(arch.c.image_alts),
                _raw(arch.c.images),
                arch.c.reply_parent,
                arch.c.reply_root,
            )
            .where(arch.c.event_id == event_id)
            .order_by(arch.c.created_at, arch.c.id)
        )
        # plain tuples: a Row's attribute access by name costs a second on 100,000 rows
        community = [
            Post(
                uri,
                False,
                text,
                _moment(created),
                latest.get(uri, zero),
                did,
                handle,
                name,
                cid=cid,
                source=source,
                matched_tag=tag,
                links=_json_list(links),
                image_alts=_json_list(alts),
                images=_json_list(images)
                or [{"alt": a, "thumb": "", "fullsize": ""} for a in _json_list(alts)],
                reply_parent=parent,
                reply_root=root,
            )
            for (
                uri,
                cid,
                text,
                created,
                did,
                handle,
                name,
                source,
                tag,
                links,
                alts,
                images,
                parent,
                root,
            ) in connection.execute(query).all()
        ]
    assign_talks(community, ours, talks)
    return build_report(
        event_key=event_key,
        event_name=name,
        timezone=zone,
        hashtags=list(hashtags),
        talks=talks,
        ours=ours,
        community=community,
        snapshots=snapshots,
        last_sync=_aware(last_sync)
        if last_sync
        else (_aware(snapshots[-1][0]) if snapshots else None),
        talk_filter=talk_id,
        now=now,
    )


# --- placing community posts with talks ----------------------------------------------------------


@dataclass
class _Needles:
    talk_id: str
    phrases: list[str]  # casefolded title and full speaker names: substring matches
    words: set[str]  # casefolded surnames and talk hashtags: whole-word matches


def _needles(talk: Talk) -> _Needles:
    phrases = [talk.title.casefold()]
    words: set[str] = set()
    for person in talk.speakers:
        phrases.append(person.name.casefold())
        parts = [w for w in _WORD.findall(person.name.casefold()) if w not in _HONORIFICS]
        if parts and len(parts[-1]) >= 4:
            words.add(parts[-1])
    for tag in talk.hashtags:
        words.add(tag.casefold().lstrip("#"))
    return _Needles(talk.id, [p for p in phrases if len(p) >= 4], words)


def assign_talks(community: Sequence[Post], ours: Sequence[Post], talks: Sequence[Talk]) -> None:
    """Set ``talk`` and ``talk_reason`` of each community post (see the module docstring)."""
    talk_by_uri = {p.uri: p.talk for p in ours if p.talk}
    needles = [_needles(t) for t in talks if t.kind == "talk"]
    phrases = [(phrase, n.talk_id) for n in needles for phrase in n.phrases]
    words = [
        (word, re.compile(rf"(?<![\w'’]){re.escape(word)}(?![\w'’])"), n.talk_id)
        for n in needles
        for word in sorted(n.words)
    ]
    order = {n.talk_id: i for i, n in enumerate(needles)}
    windows = sorted(
        ((t.start, t.end + AFTER_TALK, t.id) for t in talks if t.kind == "talk"),
        key=lambda w: w[0],
    )
    for post in community:
        thread_talk = talk_by_uri.get(post.reply_root or "") or talk_by_uri.get(
            post.reply_parent or ""
        )
        if thread_talk:
            post.talk, post.talk_reason = thread_talk, "reply"
            continue
        running = [tid for start, end, tid in windows if start <= post.created_at < end]
        text = post.text.casefold()
        found = {tid for phrase, tid in phrases if phrase in text}
        for word, pattern, tid in words:  # a cheap substring test first, the regex to confirm
            if tid not in found and word in text and pattern.search(text):
                found.add(tid)
        named = sorted(found, key=order.__getitem__)
        if named:
            during = [tid for tid in named if tid in running]
            post.talk, post.talk_reason = (during or named)[0], "mention"
        elif len(running) == 1:
            post.talk, post.talk_reason = running[0], "time"


# --- assembling ----------------------------------------------------------------------------------


def build_report(
    *,
    event_key: str,
    event_name: str,
    timezone: str,
    hashtags: list[str],
    talks: Sequence[Talk],
    ours: list[Post],
    community: list[Post],
    snapshots: Sequence[Snapshot],
    last_sync: datetime | None,
    talk_filter: str | None = None,
    now: datetime | None = None,
) -> Report:
    """Group posts by talk, rank them and bucket them in time (optionally one talk only)."""
    by_talk_ours: dict[str | None, list[Post]] = defaultdict(list)
    by_talk_theirs: dict[str | None, list[Post]] = defaultdict(list)
    known = {t.id for t in talks}
    for post in ours:
        by_talk_ours[post.talk if post.talk in known else None].append(post)
    for post in community:
        by_talk_theirs[post.talk if post.talk in known else None].append(post)
    sections = []
    for talk in talks:
        if talk_filter is not None and talk.id != talk_filter:
            continue
        mine, theirs = by_talk_ours.get(talk.id, []), by_talk_theirs.get(talk.id, [])
        if talk.kind != "talk" and not mine and not theirs:
            continue
        sections.append(
            TalkSection(
                talk,
                mine,
                theirs,
                top_posts([*mine, *theirs], TOP_TALK),
                _sum([*mine, *theirs]),
                top_posts(theirs, TOP_COMMUNITY),
            )
        )
    if talk_filter is not None:
        ours = by_talk_ours.get(talk_filter, [])
        community = by_talk_theirs.get(talk_filter, [])
        outside_ours: list[Post] = []
        outside_theirs: list[Post] = []
        history = engagement_history(snapshots, {p.uri for p in (*ours, *community)})
    else:
        outside_ours, outside_theirs = by_talk_ours.get(None, []), by_talk_theirs.get(None, [])
        history = engagement_history(snapshots)
    everything = [*ours, *community]
    minutes, buckets = timeline(ours, community)
    return Report(
        event_key=event_key,
        event_name=event_name,
        timezone=timezone,
        hashtags=hashtags,
        talks=sections,
        outside_posts=outside_ours,
        outside_community=outside_theirs,
        posts=ours,
        community=community,
        top=top_posts(everything, TOP_EVENT),
        totals=_sum(everything),
        bucket_minutes=minutes,
        buckets=buckets,
        history=history,
        last_sync=last_sync,
        generated_at=now or datetime.now(UTC),
        talk_filter=talk_filter,
    )


def timeline(ours: Sequence[Post], community: Sequence[Post]) -> tuple[int, list[Bucket]]:
    """Posts and interactions per time bucket (bucket size chosen to give at most 48)."""
    moments = [p.created_at for p in ours] + [p.created_at for p in community]
    if not moments:
        return 60, []
    first, last = min(moments), max(moments)
    span = (last - first).total_seconds() / 60
    minutes = next((m for m in BUCKET_MINUTES if span / m < MAX_BUCKETS), BUCKET_MINUTES[-1])
    size = timedelta(minutes=minutes)
    origin = first.replace(second=0, microsecond=0)
    into_day = origin.hour * 60 + origin.minute
    origin -= timedelta(minutes=into_day % minutes if minutes < 1440 else into_day)
    count = int((last - origin) / size) + 1
    buckets = [Bucket(origin + i * size) for i in range(count)]
    for post in ours:
        bucket = buckets[int((post.created_at - origin) / size)]
        bucket.ours += 1
        bucket.engagement += post.total
    for post in community:
        bucket = buckets[int((post.created_at - origin) / size)]
        bucket.community += 1
        bucket.engagement += post.total
    return minutes, buckets
