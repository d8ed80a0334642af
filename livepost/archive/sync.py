"""The engagement archive: counts of our posts over time, replies to our threads, and the
community's posts under the event's hashtags.

``fetch_*`` functions touch the network (through :mod:`livepost.bluesky.reads`), ``save_*``
functions write the database; :func:`sync` and :func:`sync_due` orchestrate them. Every batch is
committed on its own, so an interrupted sync keeps what it did and the next one carries on:
the engagement pass skips posts already read since the unfinished pass began, and a hashtag pass
continues from its saved search cursor.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session

from livepost.config import ArchiveSection
from livepost.model.engagement import Counts, RemotePost
from livepost.outbox import queries
from livepost.store.engine import session_scope
from livepost.store.models import (
    ArchivedPostRow,
    ArchiveSyncRow,
    ArchiveTombstoneRow,
    EngagementSnapshotRow,
    EventRow,
    TalkRow,
    utc_now,
)
from livepost.store.talks import load_event

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from livepost.config import ArchiveSection

#: URIs per app.bsky.feed.getPosts call (the lexicon's maximum)
BATCH = 25
#: how far back a new hashtag pass re-reads past the newest post it saw last time: the AppView
#: orders by min(createdAt, indexedAt), and posts are indexed with some delay
SEARCH_OVERLAP = timedelta(minutes=15)
#: a safety stop for one hashtag pass (100 posts a page)
MAX_SEARCH_PAGES = 1000
#: getPostThread calls for all our threads in one sync (a thread is read in pieces of ten levels,
#: at most ``livepost.bluesky.reads.MAX_THREAD_CALLS`` calls each); what is left waits a sync
MAX_THREAD_CALLS = 500

Progress = Callable[[int, int], None]


class Reader(Protocol):
    """What the archive needs from Bluesky (``livepost.bluesky.reads`` bound to a client)."""

    def posts(self, uris: Sequence[str]) -> list[RemotePost]: ...

    def thread_replies(self, uri: str) -> list[RemotePost]: ...

    def search(
        self, q: str, since: datetime | None, until: datetime | None, cursor: str | None
    ) -> tuple[list[RemotePost], str | None]: ...


class ClientReader:
    """:class:`Reader` over an authenticated ``atproto.Client``; counts the calls it makes."""

    def __init__(
        self, client: Any, page_size: int = 100, thread_calls: int = MAX_THREAD_CALLS
    ) -> None:
        from livepost.bluesky import reads

        self._client = client
        self._reads = reads
        self.page_size = page_size  # posts per search page (1..100)
        self.thread_calls = thread_calls  # getPostThread calls left for this sync, all threads
        self.calls: dict[str, int] = {"getPosts": 0, "getPostThread": 0, "searchPosts": 0}

    def posts(self, uris: Sequence[str]) -> list[RemotePost]:
        self.calls["getPosts"] += 1
        return self._reads.fetch_posts(self._client, uris)

    def thread_replies(self, uri: str) -> list[RemotePost]:
        """Replies under ``uri``, read in bounded pieces within this sync's call budget."""
        made = [0]
        allowed = min(self._reads.MAX_THREAD_CALLS, self.thread_calls)
        try:
            return self._reads.fetch_thread_replies(
                self._client, uri, max_calls=allowed, calls=made
            )
        finally:
            self.calls["getPostThread"] += made[0]
            self.thread_calls -= made[0]

    def search(
        self, q: str, since: datetime | None, until: datetime | None, cursor: str | None
    ) -> tuple[list[RemotePost], str | None]:
        self.calls["searchPosts"] += 1
        return self._reads.search_posts(
            self._client, q, since=since, until=until, cursor=cursor, limit=self.page_size
        )


@dataclass
class SyncReport:
    """What one sync did, for the command's summary and the daemon's log."""

    snapshots: int = 0  # count snapshots written (ours and archived posts)
    posts_read: int = 0  # our posts whose counts were read
    missing: list[str] = field(default_factory=list)  # our URIs the AppView no longer shows
    new_replies: int = 0
    new_community: int = 0
    deleted: int = 0  # community posts gone from Bluesky, removed from the archive
    threads_read: int = 0
    searches: int = 0
    get_posts_calls: int = 0
    final: bool = False

    def merge(self, other: SyncReport) -> None:
        self.snapshots += other.snapshots
        self.posts_read += other.posts_read
        self.missing += other.missing
        self.new_replies += other.new_replies
        self.new_community += other.new_community
        self.deleted += other.deleted
        self.threads_read += other.threads_read
        self.searches += other.searches
        self.get_posts_calls += other.get_posts_calls
        self.final = self.final or other.final


# --- what to sync --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tracked:
    """A post whose counts the archive follows: ``born`` is when it went out."""

    uri: str
    born: datetime
    ours: bool
    root: bool  # one of our thread roots (its replies are read with getPostThread)


def tracked_posts(session: Session, event: EventRow) -> list[Tracked]:
    """Our posted rows, then the archived posts of others, each in posting order."""
    ours = queries.posted_in_order(session, event)
    tracked = [
        Tracked(uri, sent or due, True, parent is None) for uri, sent, due, parent in ours if uri
    ]
    others = session.execute(
        select(ArchivedPostRow.uri, ArchivedPostRow.created_at)
        .where(ArchivedPostRow.event_id == event.id)
        .order_by(ArchivedPostRow.created_at, ArchivedPostRow.id)
    )
    tracked += [Tracked(uri, created, False, False) for uri, created in others]
    return tracked


def last_snapshots(session: Session, event: EventRow) -> dict[str, datetime]:
    """When each post's counts were last read."""
    rows = session.execute(
        select(EngagementSnapshotRow.uri, func.max(EngagementSnapshotRow.taken_at))
        .where(EngagementSnapshotRow.event_id == event.id)
        .group_by(EngagementSnapshotRow.uri)
    )
    return {uri: _aware(taken) for uri, taken in rows}


def _aware(moment: datetime) -> datetime:
    """``max()`` over a column bypasses the column type on SQLite: make it aware UTC again."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def event_span(session: Session, event: EventRow) -> tuple[datetime, datetime] | None:
    """(first start, last end) of the event's programme, or None before any import."""
    first, last = session.execute(
        select(func.min(TalkRow.start_utc), func.max(TalkRow.end_utc)).where(
            TalkRow.event_id == event.id, TalkRow.withdrawn.is_(False)
        )
    ).one()
    if first is None or last is None:
        return None
    return _aware(first), _aware(last)


def capture_window(
    span: tuple[datetime, datetime] | None, config: ArchiveSection
) -> tuple[datetime | None, datetime | None]:
    """Since/until of the hashtag search: days around the programme, open without one."""
    if span is None:
        return None, None
    return (
        span[0] - timedelta(days=config.capture_days_before),
        span[1] + timedelta(days=config.capture_days_after),
    )


def is_due(
    post: Tracked,
    last: datetime | None,
    now: datetime,
    config: ArchiveSection,
    final_at: datetime | None,
) -> bool:
    """Whether a post's counts should be read now: often while fresh, hourly later, once more
    after the event's final-sync moment, then never again."""
    if last is None:
        return True
    if final_at is not None and now >= final_at:
        return last < final_at
    age = now - post.born
    if age < timedelta(minutes=config.fresh_minutes):
        interval = timedelta(minutes=config.fresh_interval_minutes)
    else:
        interval = timedelta(minutes=config.later_interval_minutes)
    return now - last >= interval


# --- saving --------------------------------------------------------------------------------------


def save_snapshots(
    session: Session, event: EventRow, counts: Iterable[tuple[str, Counts]], taken_at: datetime
) -> int:
    """One time-stamped row per post (a history: earlier rows are never changed)."""
    rows = [
        {
            "event_id": event.id,
            "uri": uri,
            "taken_at": taken_at,
            "replies": c.replies,
            "reposts": c.reposts,
            "likes": c.likes,
            "quotes": c.quotes,
            "bookmarks": c.bookmarks,
        }
        for uri, c in counts
    ]
    if rows:
        session.execute(insert(EngagementSnapshotRow), rows)
    return len(rows)


def save_archived_posts(
    session: Session,
    event: EventRow,
    posts: Sequence[RemotePost],
    source: str,
    matched_tag: str | None,
    now: datetime,
) -> int:
    """Insert posts not seen before (deduplicated by URI) and refresh the ones already kept;
    returns how many were new. The first source and tag a post was found by stay."""
    unique = {post.uri: post for post in posts}
    if unique:
        for uri in session.scalars(
            select(ArchiveTombstoneRow.uri).where(
                ArchiveTombstoneRow.event_id == event.id,
                ArchiveTombstoneRow.uri.in_(list(unique)),
            )
        ):
            del unique[uri]  # deleted by its author: a lagging index must not bring it back
    if not unique:
        return 0
    known = set(
        session.scalars(
            select(ArchivedPostRow.uri).where(
                ArchivedPostRow.event_id == event.id, ArchivedPostRow.uri.in_(list(unique))
            )
        )
    )
    new = [
        {
            "event_id": event.id,
            **_post_values(post),
            "source": source,
            "matched_tag": matched_tag,
            "first_seen_at": now,
            "updated_at": now,
        }
        for uri, post in unique.items()
        if uri not in known
    ]
    if new:
        session.execute(insert(ArchivedPostRow), new)
    for uri in known:
        session.execute(
            update(ArchivedPostRow)
            .where(ArchivedPostRow.event_id == event.id, ArchivedPostRow.uri == uri)
            .values(**_post_values(unique[uri]), updated_at=now)
        )
    return len(new)


def forget_deleted(session: Session, event: EventRow, uris: Sequence[str], now: datetime) -> int:
    """Remove community posts that are gone from Bluesky (getPosts no longer returns them, or
    Jetstream announced their deletion) with their count history, and remember them so that no
    later capture stores them again. Returns how many archived posts were removed."""
    if not uris:
        return 0
    wanted = list(dict.fromkeys(uris))
    removed = len(
        session.scalars(
            delete(ArchivedPostRow)
            .where(ArchivedPostRow.event_id == event.id, ArchivedPostRow.uri.in_(wanted))
            .returning(ArchivedPostRow.id)
        ).all()
    )
    session.execute(
        delete(EngagementSnapshotRow).where(
            EngagementSnapshotRow.event_id == event.id, EngagementSnapshotRow.uri.in_(wanted)
        )
    )
    known = set(
        session.scalars(
            select(ArchiveTombstoneRow.uri).where(
                ArchiveTombstoneRow.event_id == event.id, ArchiveTombstoneRow.uri.in_(wanted)
            )
        )
    )
    fresh = [{"event_id": event.id, "uri": u, "deleted_at": now} for u in wanted if u not in known]
    if fresh:
        session.execute(insert(ArchiveTombstoneRow), fresh)
    return removed


def _post_values(post: RemotePost) -> dict[str, Any]:
    return {
        "uri": post.uri,
        "cid": post.cid,
        "author_did": post.author_did,
        "author_handle": post.author_handle,
        "author_name": post.author_name,
        "text": post.text,
        "facets": post.facets,
        "links": post.links,
        "image_alts": post.image_alts,
        "images": post.images,
        "created_at": post.created_at,
        "indexed_at": post.indexed_at,
        "reply_parent": post.reply_parent,
        "reply_root": post.reply_root,
    }


def _state(session: Session, event: EventRow, kind: str) -> ArchiveSyncRow:
    row = session.scalars(
        select(ArchiveSyncRow).where(
            ArchiveSyncRow.event_id == event.id, ArchiveSyncRow.kind == kind
        )
    ).one_or_none()
    if row is None:
        row = ArchiveSyncRow(event_id=event.id, kind=kind)
        session.add(row)
        session.flush()
    return row


def _unfinished(state: ArchiveSyncRow) -> bool:
    return state.started_at is not None and (
        state.finished_at is None or state.finished_at < state.started_at
    )


def _our_uris(session: Session, event: EventRow) -> set[str]:
    return queries.uris_of_ours(session, event)


# --- the three kinds of work ---------------------------------------------------------------------


def sync_engagement(
    engine: Engine,
    event_key: str,
    reader: Reader,
    uris: Sequence[str],
    *,
    clock: Callable[[], datetime] = utc_now,
    progress: Progress | None = None,
    ours: set[str] | None = None,
) -> SyncReport:
    """Read the counts of ``uris``, 25 per call, one committed snapshot batch per call.

    The next batch is fetched while the current one is written, so the sync takes about as long
    as the getPosts calls alone.
    """
    from concurrent.futures import Future, ThreadPoolExecutor

    report = SyncReport()
    total = len(uris)
    if progress:
        progress(0, total)
    with session_scope(engine) as session:
        event = load_event(session, event_key)  # only its id is used: safe outside the session
    batches = [uris[start : start + BATCH] for start in range(0, total, BATCH)]
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="getPosts") as pool:
        pending: Future[list[RemotePost]] | None = (
            pool.submit(reader.posts, batches[0]) if batches else None
        )
        done = 0
        for index, batch in enumerate(batches):
            assert pending is not None
            posts = pending.result()  # a failure (or Ctrl-C) here keeps the batches saved so far
            pending = (
                pool.submit(reader.posts, batches[index + 1]) if index + 1 < len(batches) else None
            )
            report.get_posts_calls += 1
            found = {post.uri: post for post in posts}
            gone = [] if ours is None else [u for u in batch if u not in found and u not in ours]
            with session_scope(engine) as session:
                report.snapshots += save_snapshots(
                    session,
                    event,
                    ((uri, found[uri].counts) for uri in batch if uri in found),
                    clock(),
                )
                report.deleted += forget_deleted(session, event, gone, clock())
            for uri in batch:
                if ours is None or uri in ours:
                    if uri in found:
                        report.posts_read += 1
                    else:
                        report.missing.append(uri)
            done += len(batch)
            if progress:
                progress(done, total)
        if pending is not None:
            pending.cancel()
    return report


def sync_replies(
    engine: Engine,
    event_key: str,
    reader: Reader,
    roots: Sequence[str],
    *,
    clock: Callable[[], datetime] = utc_now,
) -> SyncReport:
    """Archive every reply under our thread roots (with authors and counts), one commit a thread."""
    report = SyncReport()
    for root in roots:
        replies = reader.thread_replies(root)
        report.threads_read += 1
        with session_scope(engine) as session:
            event = load_event(session, event_key)
            added, snapshots = _save_others(session, event, replies, "reply", None, clock())
            report.new_replies += added
            report.snapshots += snapshots
    return report


def _save_others(
    session: Session,
    event: EventRow,
    posts: Sequence[RemotePost],
    source: str,
    tag: str | None,
    now: datetime,
) -> tuple[int, int]:
    """Archive posts by others (our own are skipped) with their counts: (new posts, snapshots)."""
    ours = _our_uris(session, event)
    theirs = [post for post in posts if post.uri not in ours]
    added = save_archived_posts(session, event, theirs, source, tag, now)
    snapshots = save_snapshots(session, event, ((p.uri, p.counts) for p in theirs), now)
    return added, snapshots


def has_tag(post: RemotePost, tag: str) -> bool:
    """Whether the post carries ``#tag`` (a tag facet, an extra tag, or the plain text)."""
    wanted = tag.casefold()
    if any(t.casefold() == wanted for t in post.tags):
        return True
    return re.search(rf"(?<!\w)[#＃]{re.escape(wanted)}(?!\w)", post.text.casefold()) is not None


def capture_hashtag(
    engine: Engine,
    event_key: str,
    reader: Reader,
    tag: str,
    *,
    since: datetime | None,
    until: datetime | None,
    clock: Callable[[], datetime] = utc_now,
) -> SyncReport:
    """Archive the posts under ``#tag`` between ``since`` and ``until``, newest first.

    A pass pages back until the results are older than what the last finished pass saw (minus
    :data:`SEARCH_OVERLAP`), or to the end. An interrupted pass continues from its saved cursor,
    and then a fresh pass picks up what was posted meanwhile.
    """
    report = SyncReport()
    kind = f"hashtag:{tag}"
    with session_scope(engine) as session:
        state = _state(session, load_event(session, event_key), kind)
        resumed = state.cursor is not None and _unfinished(state)
    if resumed:
        report.merge(_hashtag_pass(engine, event_key, reader, tag, since, until, clock, True))
    report.merge(_hashtag_pass(engine, event_key, reader, tag, since, until, clock, False))
    return report


def _hashtag_pass(
    engine: Engine,
    event_key: str,
    reader: Reader,
    tag: str,
    since: datetime | None,
    until: datetime | None,
    clock: Callable[[], datetime],
    resume: bool,
) -> SyncReport:
    report = SyncReport()
    kind = f"hashtag:{tag}"
    with session_scope(engine) as session:
        state = _state(session, load_event(session, event_key), kind)
        stop = state.mark - SEARCH_OVERLAP if state.mark else None
        cursor = state.cursor if resume else None
        if not resume:
            state.started_at, state.cursor, state.pass_mark = clock(), None, None
    search_since = max(since, stop) if since and stop else (since or stop)
    for _ in range(MAX_SEARCH_PAGES):
        posts, following = reader.search(f"#{tag}", search_since, until, cursor)
        report.searches += 1
        keep = [
            p
            for p in posts
            if has_tag(p, tag)
            and (since is None or p.created_at >= since)
            and (until is None or p.created_at <= until)
        ]
        done = not posts or not following or following == cursor
        if stop is not None and posts and min(p.sort_at for p in posts) < stop:
            done = True
        with session_scope(engine) as session:
            event = load_event(session, event_key)
            now = clock()
            added, snapshots = _save_others(session, event, keep, "hashtag", tag, now)
            report.new_community += added
            report.snapshots += snapshots
            state = _state(session, event, kind)
            newest = max((p.sort_at for p in posts), default=None)
            if newest is not None:
                state.pass_mark = max(state.pass_mark, newest) if state.pass_mark else newest
            state.cursor = None if done else following
            if done:
                if state.pass_mark is not None:
                    state.mark = max(state.mark, state.pass_mark) if state.mark else state.pass_mark
                state.finished_at = now
        if done:
            break
        cursor = following
    return report


# --- orchestration -------------------------------------------------------------------------------

PARTS = ("hashtags", "replies", "engagement")


def as_reader(source: Any) -> Reader:
    """A :class:`Reader` as given, or an ``atproto.Client`` wrapped in a :class:`ClientReader`."""
    if hasattr(source, "thread_replies") and hasattr(source, "search"):
        return source  # type: ignore[no-any-return]
    return ClientReader(source)


def sync(
    engine: Engine,
    event_key: str,
    source: Any,
    *,
    hashtags: Sequence[str] = (),
    config: ArchiveSection | None = None,
    parts: Sequence[str] = PARTS,
    now: datetime | None = None,
    progress: Progress | None = None,
) -> SyncReport:
    """A full sync (``livepost archive sync``): new posts under the hashtags, replies to every
    thread of ours, then fresh counts of every post not read during this sync.

    Interrupted, it keeps every finished batch; run again, it skips the posts already read since
    the unfinished pass began.
    """

    reader = as_reader(source)
    config = config or ArchiveSection()
    clock: Callable[[], datetime] = (lambda: now) if now is not None else utc_now
    report = SyncReport()
    with session_scope(engine) as session:
        event = load_event(session, event_key)
        state = _state(session, event, "engagement")
        began = state.started_at if _unfinished(state) and state.started_at else clock()
        state.started_at = began
        since, until = capture_window(event_span(session, event), config)
        roots = [t.uri for t in tracked_posts(session, event) if t.root]
    if "hashtags" in parts:
        for tag in hashtags:
            report.merge(
                capture_hashtag(
                    engine, event_key, reader, tag, since=since, until=until, clock=clock
                )
            )
    if "replies" in parts:
        report.merge(sync_replies(engine, event_key, reader, roots, clock=clock))
    if "engagement" in parts:
        with session_scope(engine) as session:
            event = load_event(session, event_key)
            tracked = tracked_posts(session, event)
            last = last_snapshots(session, event)
            ours = {t.uri for t in tracked if t.ours}
        todo = [t.uri for t in tracked if last.get(t.uri) is None or last[t.uri] < began]
        report.merge(
            sync_engagement(
                engine, event_key, reader, todo, clock=clock, progress=progress, ours=ours
            )
        )
    with session_scope(engine) as session:
        state = _state(session, load_event(session, event_key), "engagement")
        state.finished_at = clock()
    return report


def sync_due(
    engine: Engine,
    event_key: str,
    source: Any,
    now: datetime,
    *,
    hashtags: Sequence[str] = (),
    config: ArchiveSection | None = None,
) -> SyncReport:
    """What the daemon calls every minute or so: reads only what is due by ``[archive]``.

    Fresh posts every ``fresh_interval_minutes``, older ones every ``later_interval_minutes``,
    the hashtags every ``hashtag_interval_minutes`` while the capture window is open, and one
    final full sync ``final_sync_hours`` after the event's last item; after that, nothing.
    """

    reader = as_reader(source)
    config = config or ArchiveSection()
    report = SyncReport()
    with session_scope(engine) as session:
        event = load_event(session, event_key)
        span = event_span(session, event)
        tracked = tracked_posts(session, event)
        last = last_snapshots(session, event)
        final_at = span[1] + timedelta(hours=config.final_sync_hours) if span else None
        final_state = _state(session, event, "final")
        final_done = final_state.finished_at is not None
        tag_states = {tag: _state(session, event, f"hashtag:{tag}") for tag in hashtags}
        since, until = capture_window(span, config)
    if final_at is not None and now >= final_at:
        if final_done:
            return report
        report = sync(engine, event_key, reader, hashtags=hashtags, config=config, now=now)
        with session_scope(engine) as session:
            _state(session, load_event(session, event_key), "final").finished_at = now
        report.final = True
        return report
    every = timedelta(minutes=config.hashtag_interval_minutes)
    for tag, state in tag_states.items():
        window_open = (since is None or now >= since) and (until is None or now <= until)
        fresh = state.finished_at is None or now - state.finished_at >= every or _unfinished(state)
        if window_open and fresh:
            report.merge(
                capture_hashtag(
                    engine, event_key, reader, tag, since=since, until=until, clock=lambda: now
                )
            )
    due = [t for t in tracked if is_due(t, last.get(t.uri), now, config, final_at)]
    roots = [t.uri for t in due if t.root]
    report.merge(sync_replies(engine, event_key, reader, roots, clock=lambda: now))
    with session_scope(engine) as session:
        event = load_event(session, event_key)
        last = last_snapshots(session, event)  # posts read just now need no second read
        ours = {t.uri for t in tracked if t.ours}
    todo = [t.uri for t in due if t.uri not in last or last[t.uri] < now]
    report.merge(sync_engagement(engine, event_key, reader, todo, clock=lambda: now, ours=ours))
    return report


def expected_calls(posts: int) -> int:
    """getPosts calls for ``posts`` URIs: ceil(posts / 25)."""
    return math.ceil(posts / BATCH)


def poll_hashtags(
    engine: Engine,
    event_key: str,
    source: Any,
    now: datetime,
    *,
    hashtags: Sequence[str] = (),
    config: ArchiveSection | None = None,
) -> SyncReport:
    """The wall's quick poll: a hashtag pass for each tag while the capture window is open.

    Each pass searches with ``since`` = the newest post the last pass saw (less
    :data:`SEARCH_OVERLAP`), so a poll every few seconds reads one short page.
    """
    reader = as_reader(source)
    config = config or ArchiveSection()
    report = SyncReport()
    with session_scope(engine) as session:
        since, until = capture_window(event_span(session, load_event(session, event_key)), config)
    if (since is not None and now < since) or (until is not None and now > until):
        return report
    for tag in hashtags:
        report.merge(
            capture_hashtag(engine, event_key, reader, tag, since=since, until=until, clock=utc_now)
        )
    return report
