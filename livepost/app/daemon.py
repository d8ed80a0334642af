"""What ``livepost run`` does to the event, as the daemon: the one door of its jobs.

The jobs of :mod:`livepost.run.jobs` (plan, send, notes, programme, gates, archive, wall) reach
the database, the outbox, the planner and the network code only through :class:`DaemonWork`.
Every method asks :func:`~livepost.app.permissions.ensure` first (the daemon's actor may
``run``; nobody else's service does anything), then acts, and answers with the plain values
below. A failure of the database itself (locked, disk full, connection lost) comes out as
:class:`DatabaseUnavailable`, which the daemon waits out: nothing is lost, the outbox is where
it was.
"""

from __future__ import annotations

import dataclasses
import errno
import functools
import shutil
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from livepost.app.context import EventScope
from livepost.app.permissions import Action, ensure
from livepost.errors import LivepostError, StoreError
from livepost.model import Schedule, Talk
from livepost.model.posts import PostKind, PostState
from livepost.outbox import queries
from livepost.store import talks as store_talks

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session

    from livepost.publish.base import Publisher
    from livepost.publish.records import Media
    from livepost.store.jobstore import SturdyJobStore
    from livepost.store.lock import RunLock
    from livepost.store.models import EventRow

__all__ = [
    "ArchiveRead",
    "DaemonWork",
    "DatabaseUnavailable",
    "Delivery",
    "DiskFull",
    "Engine",
    "Media",
    "Missed",
    "ProgrammeRefresh",
    "Publisher",
    "Replanned",
    "SentPost",
    "programme_retry_delay",
]

P = ParamSpec("P")
R = TypeVar("R")


class DatabaseUnavailable(StoreError):
    """The database could not be used (locked, disk full, connection lost): try again later."""


def _first_line(exc: SQLAlchemyError) -> str:
    """The driver's own first line (``database is locked``), else SQLAlchemy's with its name."""
    if isinstance(exc, DBAPIError) and exc.orig is not None:
        orig = exc.orig
        text = str(orig).strip()
        return text.splitlines()[0] if text else type(orig).__name__
    text = str(exc).strip()
    first = text.splitlines()[0] if text else ""
    return f"{type(exc).__name__}: {first}" if first else type(exc).__name__


#: the free space a full disk's message asks for, at least (the database's journal and a
#: programme's import need room beside the database; below this the next write may fail again)
DISK_NEEDED_BYTES = 10 * 1024 * 1024
_SQLITE_FULL = 13


class DiskFull(DatabaseUnavailable):
    """The disk holding ``path`` is full (ENOSPC, SQLite's "database or disk is full"): the
    daemon waits, sending nothing, and carries on when it can write again."""

    def __init__(self, path: Path, free: int, needed: int) -> None:
        self.path, self.free, self.needed = path, free, needed
        super().__init__(
            f"The disk holding {path} is full ({_size(free)} free): livepost waits and sends "
            f"nothing until about {_size(needed)} are free; nothing queued is lost."
        )


def _size(count: int) -> str:
    """``12 KB``, ``10 MB``: what a person reads at a glance."""
    if count < 1024 * 1024:
        return f"{count // 1024} KB"
    return f"{round(count / (1024 * 1024))} MB"


def _is_disk_full(exc: BaseException) -> bool:
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
        return True
    if isinstance(exc, StoreError):  # said by a lower layer: look at what it was said about
        cause = exc.__cause__
        return "database or disk is full" in exc.message or (
            cause is not None and _is_disk_full(cause)
        )
    orig = exc.orig if isinstance(exc, DBAPIError) else None
    if isinstance(orig, sqlite3.Error):
        code = getattr(orig, "sqlite_errorcode", None)
        return code == _SQLITE_FULL or "database or disk is full" in str(orig)
    return False


def disk_full(engine: Engine, exc: BaseException) -> DiskFull:
    """What a write that failed for want of space says: the file it wrote (else the database),
    the space left there and about how much to free (twice the database, at least
    :data:`DISK_NEEDED_BYTES`)."""
    database = engine.url.database if engine.url.get_backend_name() == "sqlite" else None
    named = getattr(exc, "filename", None) if isinstance(exc, OSError) else None
    path = Path(str(named or database or "."))
    if not path.is_absolute():
        path = path.resolve()
    size = 0
    if database:
        try:
            size = Path(database).stat().st_size
        except OSError:
            size = 0
    folder = path if path.is_dir() else path.parent
    try:
        free = shutil.disk_usage(folder).free
    except OSError:
        free = 0
    return DiskFull(path, free, max(DISK_NEEDED_BYTES, 2 * size))


def _database(method: Callable[P, R]) -> Callable[P, R]:
    """SQLAlchemy's errors leave this layer as :class:`DatabaseUnavailable` (one line), a full
    disk (the database's or a file's) as :class:`DiskFull`."""

    @functools.wraps(method)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return method(*args, **kwargs)
        except DatabaseUnavailable:
            raise
        except (SQLAlchemyError, OSError, StoreError) as exc:
            if _is_disk_full(exc):
                work = args[0]
                assert isinstance(work, DaemonWork)
                raise disk_full(work.engine, exc) from exc
            if not isinstance(exc, SQLAlchemyError):
                raise
            raise DatabaseUnavailable(_first_line(exc)) from exc

    return wrapper


@dataclass(frozen=True)
class Replanned:
    """What one re-plan changed, for the daemon to say."""

    problems: list[str]
    cancelled: list[tuple[str, str]]  # key, why
    changed: int  # posts added, updated or moved
    talks: list[Talk]  # the programme as it is now (for the cards)


@dataclass(frozen=True)
class Missed:
    """Posts just marked missed (key, due time, why), and whether anything is left to send now."""

    missed: list[tuple[str, datetime, str]]
    pending: bool


@dataclass(frozen=True)
class SentPost:
    """One post that went out, as the daemon prints it."""

    key: str
    kind: PostKind | str  # a str only for a kind this version does not know
    text: str
    card: bool
    images: int
    reply: bool


@dataclass
class Delivery:
    """What one delivery of (at most) one due post did."""

    paused: bool = False
    sent: list[SentPost] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # key, why
    warnings: list[tuple[str, str]] = field(default_factory=list)  # key, what
    stopped: str | None = None  # why sending stopped (an outage, a long rate limit)
    resume_at: datetime | None = None  # when to try again, if known
    progressed: bool = False  # a row changed: there may be more to send now


@dataclass(frozen=True)
class ProgrammeRefresh:
    """One fetch of the programme URL: why it was not applied, or what changed; how many tries
    in a row failed and when the next try is due (``retry_in`` seconds from now)."""

    problem: str | None = None
    added: int = 0
    changed: int = 0
    withdrawn: int = 0
    url: str | None = None
    failures: int = 0
    retry_in: float | None = None
    retry_at: datetime | None = None

    @property
    def changed_anything(self) -> bool:
        return bool(self.added or self.changed or self.withdrawn)


def programme_retry_delay(failures: int, every_seconds: float) -> float:
    """Seconds until the programme refresh tries again after ``failures`` in a row (the
    importer's backoff, for a failure it could not record: the database itself)."""
    from livepost.schedule.importer import retry_delay

    return retry_delay(failures, every_seconds)


@dataclass(frozen=True)
class ArchiveRead:
    """What one archive sync read."""

    snapshots: int = 0
    new_replies: int = 0
    new_community: int = 0


@dataclass
class DaemonWork(EventScope):
    """The daemon's work on one event; ``event_key`` names another event row to work on (the
    dry run's rehearsal copy), else the settings' event."""

    event_key: str | None = None

    @property
    def key(self) -> str:
        return self.event_key or self.settings.event_key

    def on(self, event_key: str) -> DaemonWork:
        """The same work on another event row (the rehearsal copy)."""
        return dataclasses.replace(self, event_key=event_key)

    def event(self, session: Session) -> EventRow:
        """The row of the event worked on (created on first use)."""
        event = self.settings.event
        return store_talks.ensure_event(session, self.key, event.name, event.timezone)

    def _allowed(self) -> None:
        ensure(self.actor, Action.RUN)

    # --- the run as a whole ---------------------------------------------------------------

    def run_lock(self) -> RunLock:
        """The one-daemon-per-event lock (enter it to hold it)."""
        self._allowed()
        from livepost.store.lock import RunLock

        return RunLock(self.engine, self.key)

    @_database
    def check_event(self) -> None:
        """Raise :class:`StoreError` when the database has no such event (nothing imported)."""
        self._allowed()
        with _plain_session(self) as session:
            store_talks.load_event(session, self.key)

    @_database
    def rehearse(self) -> str:
        """Copy the settings' event into the rehearsal row ``self.key``: a fresh copy of the
        programme and of the outbox (new ids, new record keys), replacing any earlier one. The
        real event's rows are only read."""
        self._allowed()
        from livepost.schedule.current import current_talks

        real_key = self.settings.event_key
        if self.key == real_key:
            raise ValueError("a rehearsal needs an event key of its own")
        talks = current_talks(self.settings, self.engine)  # stored, else the programme file
        event = self.settings.event
        with _plain_session(self) as session:
            real = store_talks.ensure_event(session, real_key, event.name, event.timezone)
            queries.drop_posts(session, store_talks.event_ids(session, self.key))
            store_talks.drop_event(session, self.key)
            session.flush()
            twin = store_talks.ensure_event(session, self.key, event.name, event.timezone)
            twin.paused = real.paused
            copies = [dataclasses.replace(t) for t in talks]
            store_talks.save_schedule(session, self.key, Schedule(talks=copies))
            queries.copy_posts(session, real, twin)
        return self.key

    def job_store(self) -> SturdyJobStore:
        """Where APScheduler keeps the event's wake-ups (in the event's own table)."""
        self._allowed()
        from livepost.store.jobstore import event_job_store

        return event_job_store(self.engine, self.key)

    def media(self, talks: Callable[[], list[Talk]], *, link_cards: bool) -> Media:
        """Images, cards (drawn from ``talks``) and, when posting for real, link cards."""
        self._allowed()
        from livepost.publish.media import event_media

        return event_media(self.settings, talks, link_cards=link_cards)

    # --- planning -------------------------------------------------------------------------

    @_database
    def talks(self) -> list[Talk]:
        """The programme as stored, else as the programme file has it."""
        self._allowed()
        from livepost.schedule.current import current_talks

        return current_talks(self.settings, self.engine)

    @_database
    def programme_fingerprint(self) -> object:
        """Changes whenever a talk is added or changed."""
        self._allowed()
        with self.session() as (session, event):
            return store_talks.talks_fingerprint(session, event)

    def notes_fingerprint(self) -> object:
        """Changes whenever a notes file is added, saved or removed."""
        self._allowed()
        from livepost.notes import notes_files

        seen: list[tuple[str, int, int]] = []
        for path in notes_files(self.settings.notes_dir):
            try:
                stat = path.stat()
            except OSError:
                continue
            seen.append((path.name, stat.st_mtime_ns, stat.st_size))
        return tuple(seen)

    @_database
    def replan(self, now: datetime) -> Replanned:
        """Plan from the programme and the notes (live from ``now``) and sync the outbox. A notes
        file that cannot be read raises :class:`~livepost.errors.NotesError`, changing nothing."""
        self._allowed()
        from livepost.plan.sync import replan

        result, report = replan(self.engine, self.settings, now, event_key=self.key)
        with _plain_session(self) as session:
            talks = store_talks.load_talks(session, self.key)
        changed = len(set(report.added) | set(report.updated) | set(report.moved))
        return Replanned(list(result.problems), list(report.cancelled), changed, talks)

    @_database
    def refresh_programme(self, every_seconds: float | None = None) -> ProgrammeRefresh:
        """Fetch the programme URL again and apply it as ``schedule import`` does; a failure
        keeps the last good programme and is recorded, with the next try (backoff), for
        ``status`` and the console. ``every_seconds``: the regular refresh (default the
        settings')."""
        self._allowed()
        from livepost.schedule.importer import refresh_programme

        refresh = refresh_programme(
            self.settings, self.engine, event_key=self.key, every_seconds=every_seconds
        )
        said = ProgrammeRefresh(
            problem=refresh.problem,
            url=refresh.url,
            failures=refresh.failures,
            retry_in=refresh.retry_in,
            retry_at=refresh.retry_at,
        )
        if refresh.result is None or refresh.result.report.nothing_changed:
            return said
        report = refresh.result.report
        return dataclasses.replace(
            said,
            added=len(report.added),
            changed=len(report.changed),
            withdrawn=len(report.withdrawn),
        )

    # --- sending --------------------------------------------------------------------------

    @_database
    def mark_missed(self, now: datetime) -> Missed:
        """Mark what is later than ``[plan] grace_minutes`` missed (with the replies under it)."""
        self._allowed()
        grace = timedelta(minutes=self.settings.plan.grace_minutes)
        with self.session() as (session, event):
            missed = [
                (row.key, row.due_at, why)
                for row, why in queries.mark_late_missed(session, event, now, grace)
            ]
            pending = queries.any_sending(session, event) or bool(
                queries.due_posts(session, event, now)
            )
        return Missed(missed, pending)

    @_database
    def due_now(self, now: datetime) -> bool:
        """Whether a queued post is due at ``now``."""
        self._allowed()
        with self.session() as (session, event):
            return bool(queries.due_posts(session, event, now))

    @_database
    def wakeups(self, now: datetime) -> list[tuple[int, datetime]]:
        """``(post id, due time)`` of every queued post due after ``now``."""
        self._allowed()
        with self.session() as (session, event):
            return queries.queued_later(session, event, now)

    @_database
    def queue_fingerprint(self) -> object:
        """Changes whenever a post is added or changed (by the console, the API, the CLI)."""
        self._allowed()
        with self.session() as (session, event):
            return queries.fingerprint(session, event)

    @_database
    def deliver(self, publisher: Publisher, media: Media, now: datetime) -> Delivery:
        """Send the next due post (or thread), exactly once; what happened."""
        self._allowed()
        from livepost.publish.delivery import deliver_due

        report = deliver_due(
            self.engine,
            self.key,
            publisher,
            now=now,
            limit=1,
            media=media,
            atomic_threads=self.settings.plan.atomic_threads,
        )
        delivery = Delivery(
            paused=report.paused,
            failed=[(o.key, o.detail) for o in report.failed],
            warnings=[(o.key, o.detail) for o in report.warnings],
            stopped=report.stopped,
            resume_at=report.resume_at,
            progressed=bool(report.posted or report.failed or report.recovered or report.requeued),
        )
        with self.session() as (session, event):
            for outcome in report.posted + report.recovered:
                sent = _sent(session, event, outcome.post_id)
                if sent is not None:
                    delivery.sent.append(sent)
        return delivery

    # --- after sending ----------------------------------------------------------------------

    @_database
    def write_gates(self, publisher: Publisher, now: datetime) -> list[str]:
        """Write the threadgates and postgates still pending; one line per gate tried."""
        self._allowed()
        from livepost.publish.gates import write_pending_gates

        report = write_pending_gates(
            self.engine, self.key, publisher, self.settings.publish, now=now
        )
        return report.lines()

    @_database
    def sync_archive(self, client: object, now: datetime) -> ArchiveRead:
        """Read what ``[archive]`` says is due: engagement, replies, the hashtags."""
        self._allowed()
        from livepost.archive.sync import sync_due

        report = sync_due(
            self.engine,
            self.key,
            client,
            now,
            hashtags=self.settings.event.hashtags,
            config=self.settings.archive,
        )
        return ArchiveRead(report.snapshots, report.new_replies, report.new_community)

    @_database
    def poll_wall(self, client: object, now: datetime) -> None:
        """The hashtag search for the wall, while the capture window is open."""
        self._allowed()
        from livepost.archive.sync import poll_hashtags

        poll_hashtags(
            self.engine,
            self.key,
            client,
            now,
            hashtags=self.settings.event.hashtags,
            config=self.settings.archive,
        )

    def follow_live_stream(self, client: Any, url: str, stop: threading.Event) -> None:
        """Follow the Jetstream at ``url`` in a thread of its own until ``stop`` is set, saving
        the event's posts under its hashtags as they come."""
        self._allowed()
        from livepost.archive.live import LiveCapture
        from livepost.bluesky.jetstream import follow_jetstream
        from livepost.bluesky.reads import fetch_posts

        capture = LiveCapture(
            self.engine,
            self.key,
            self.settings.event.hashtags,
            hydrate=lambda uris: fetch_posts(client, uris),
        )
        follow_jetstream(url, capture.cursor, capture.handle, stop, capture.save_cursor)


@contextmanager
def _plain_session(work: DaemonWork) -> Iterator[Session]:
    """A transaction without creating the event row (the event must exist, or StoreError)."""
    from livepost.store.engine import session_scope

    with session_scope(work.engine) as session:
        yield session


def _sent(session: Session, event: EventRow, post_id: int) -> SentPost | None:
    try:
        row = queries.get_post(session, event, post_id)
    except LivepostError:
        return None
    if row.state != PostState.POSTED:
        return None
    embed = row.embed or {}
    return SentPost(
        key=row.key,
        kind=_kind(row.kind),
        text=row.text,
        card=bool(embed.get("card")),
        images=len(embed.get("images") or []),
        reply=row.parent_id is not None,
    )


def _kind(value: str) -> PostKind | str:
    try:
        return PostKind(value)
    except ValueError:
        return value
