"""The daemon behind ``livepost run``: plan, wake at the right moment, send, watch the notes.

The outbox is the truth; everything else is derived from it and may be thrown away:

* APScheduler (3.x) holds one *wake-up* job per queued post due in the future, in a job store in
  the event's own database (``livepost_jobs_<event>``), rebuilt from the outbox whenever the
  outbox changes. A job carries nothing but the event key: when it fires, the main loop wakes and
  asks the outbox what is due. Losing every job loses nothing.
* The main loop (one thread: sending, the only writer of post states here) runs a *step* when a
  job fires, when a notes file changes, and at least every two seconds (``queue`` commands from
  other terminals, ``queue pause``): re-plan if the programme or the notes changed, mark what is too
  late ``missed``, send what is due one post at a time, re-arm the wake-ups.
* Lateness is decided here, against the outbox, not by APScheduler: a post less than
  ``[plan] grace_minutes`` late is sent; a later one (livepost was not running, the laptop slept)
  is marked ``missed``, with the replies under it, and reported. Never a burst of stale posts.

Times are UTC everywhere inside; they are shown in the event's zone.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from livepost.archive.sync import poll_hashtags, sync_due
from livepost.errors import LivepostError, NotesError, StoreError
from livepost.notes import notes_files
from livepost.outbox.queries import PostState, due_posts, mark_late_missed
from livepost.plan.sync import replan
from livepost.publish.delivery import deliver_due
from livepost.publish.gates import write_pending_gates
from livepost.publish.media import event_media
from livepost.run.clock import Clock, RealClock, SimulatedClock
from livepost.run.wakeups import WakeUps
from livepost.schedule.importer import Refresh, refresh_programme
from livepost.store.engine import session_scope
from livepost.store.lock import RunLock
from livepost.store.models import EventRow, OutboxRow, TalkRow
from livepost.store.talks import load_event, load_talks

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from livepost.config import Settings
    from livepost.model import Talk
    from livepost.publish.base import Publisher
    from livepost.publish.records import Media

log = logging.getLogger(__name__)

POLL_SECONDS = 2.0  # the database and the notes folder are looked at this often, at least
#: how often the outbox is glanced at (one small query) for posts queued by another process
#: (the console, the phone API, ``livepost queue``): a snippet from a phone goes out at once
QUEUE_GLANCE_SECONDS = 0.2
REPLAN_EVERY = timedelta(minutes=5)  # a safety net on top of change detection
RETRY_AFTER = timedelta(seconds=30)  # after an outage stopped a delivery run
#: real seconds between tries while the database cannot be used (locked, disk full, connection lost)
DATABASE_RETRY_SECONDS = 5.0
GATE_CHECK = timedelta(seconds=2)  # gates of new posts are looked for this often
ARCHIVE_EVERY = timedelta(minutes=1)  # how often to ask the archive what is due ([archive] decides)


@dataclass
class RunSummary:
    """What one ``livepost run`` did."""

    sent: Counter[str] = field(default_factory=Counter)  # by kind
    missed: list[tuple[str, str]] = field(default_factory=list)  # key, why
    failed: list[tuple[str, str]] = field(default_factory=list)
    cancelled: list[tuple[str, str]] = field(default_factory=list)
    stopped: str | None = None

    def lines(self) -> list[str]:
        total = sum(self.sent.values())
        kinds = ", ".join(f"{kind} {n}" for kind, n in sorted(self.sent.items()))
        out = [
            f"Summary: {total} posts sent" + (f" ({kinds})" if kinds else "") + f", "
            f"{len(self.missed)} missed, {len(self.failed)} failed, "
            f"{len(self.cancelled)} cancelled by the plan."
        ]
        out += [f"  missed {key}: {why}" for key, why in self.missed]
        out += [f"  failed {key}: {why}" for key, why in self.failed]
        out += [f"  cancelled {key}: {why}" for key, why in self.cancelled]
        if self.stopped:
            out.append(f"Stopped: {self.stopped}")
        return out


class Daemon:
    """One event's sending loop. Build it, then :meth:`run` (it returns when stopped)."""

    def __init__(
        self,
        settings: Settings,
        engine: Engine,
        publisher: Publisher,
        *,
        event_key: str | None = None,
        clock: Clock | None = None,
        media: Media | None = None,
        once: bool = False,
        until: datetime | None = None,
        end_when_done: bool = False,
        echo: Callable[[str], None] = print,
        poll_seconds: float = POLL_SECONDS,
        use_scheduler: bool = True,
        prepare: Callable[[], None] | None = None,
        archive_every: timedelta = ARCHIVE_EVERY,
        database_retry_seconds: float = DATABASE_RETRY_SECONDS,
    ) -> None:
        self.settings = settings
        self.engine = engine
        self.publisher = publisher
        self.event_key = event_key or settings.event_key
        self.clock: Clock = clock or RealClock()
        dry = getattr(publisher, "dry_run", True) is not False
        self.media = media or event_media(settings, lambda: self.talks, link_cards=not dry)
        self.once = once
        self.until = until
        self.end_when_done = end_when_done
        self.echo = echo
        self.poll_seconds = poll_seconds
        self.use_scheduler = use_scheduler
        self.prepare = prepare  # run once the lock is held (the dry run's rehearsal copy)
        self.grace = timedelta(minutes=settings.plan.grace_minutes)
        self.summary = RunSummary()
        self.steps = 0  # loop steps done: tests wait on it instead of sleeping
        self.talks: list[Talk] = []
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._wakeups = WakeUps(engine, self.event_key, self.clock, self.wake)
        self._event_id = 0
        self._notes_seen: object = None
        self._talks_seen: object = None
        self._planned_at: datetime | None = None
        self._notes_problem: str | None = None
        self._retry_at: datetime | None = None
        self._paused_said = False
        self._archived_at: datetime | None = None
        self._archive_problem: str | None = None  # the last archive failure said, until it works
        self._wall_polled_at: datetime | None = None
        self._gates_at: datetime | None = None
        self.archive_every = archive_every
        self.database_retry_seconds = database_retry_seconds
        self.database_trouble: str | None = None  # what keeps the database from us, while it does
        self._lock: RunLock | None = None
        self._fetched_at: float | None = None  # time.monotonic() of the last programme fetch
        self._programme_problem: str | None = None  # the last fetch failure said, until it works
        self._fetcher: threading.Thread | None = None  # the programme fetch under way, if any
        self._queue_seen: object = None  # the outbox's fingerprint when the last step began

    # --- control (any thread) ---------------------------------------------------------------

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        """Stop after the post being sent (if any); safe from a signal handler."""
        self._stop.set()
        self._wake.set()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    # --- the loop ---------------------------------------------------------------------------

    def run(self) -> RunSummary:
        with RunLock(self.engine, self.event_key) as lock, self._signals():
            self._lock = lock
            if self.prepare is not None:
                self.prepare()
            with session_scope(self.engine) as session:
                self._event_id = load_event(session, self.event_key).id
            watcher = None
            try:
                if self.use_scheduler and not self.once:
                    self._wakeups.start()
                    watcher = self._start_watcher()
                    self._start_jetstream()
                    self._start_queue_glance()
                else:
                    self._wakeups.register()
                self._loop()
            finally:
                self._wakeups.stop()
                if watcher is not None:
                    watcher.join(timeout=2)
        return self.summary

    def _loop(self) -> None:
        first = True
        while not self.stopping:
            self._wake.clear()
            now = self.clock.now()
            if self.until is not None and now >= self.until:
                break
            try:
                next_due = self._step(now, first)
            except (StoreError, SQLAlchemyError) as exc:  # locked, disk full, connection lost
                if self.once:
                    raise
                self._database_unavailable(exc)
                self.clock.wait(self._wake, self.database_retry_seconds)
                continue
            self._database_available()
            first = False
            self.steps += 1
            if self.once or self.stopping:
                break
            if self.end_when_done and next_due is None and not self._due_now():
                break
            timeout = self.poll_seconds
            if next_due is not None and isinstance(self.clock, SimulatedClock):
                timeout = min(timeout, max(0.0, self.clock.real_delay(next_due)))
            if self.until is not None:
                timeout = min(timeout, max(0.0, self.clock.real_delay(self.until)))
            self.clock.wait(self._wake, timeout)

    def _step(self, now: datetime, first: bool) -> datetime | None:
        """Plan, mark what is too late, send what is due, archive; the next due time.

        Every database write in a step is its own short transaction, so a step cut short by the
        database (locked, disk full) loses nothing: the next step starts again from the outbox,
        and a post cut off between its network call and ``posted`` is checked on the PDS by its
        record key.
        """
        self._maybe_refresh_programme()
        self._queue_seen = self._queue_fingerprint()  # before reading: later changes wake us
        self._maybe_replan(now)
        if self._mark_missed(now) or first:
            self._deliver()  # the first time also recovers posts left in "sending"
        self._maybe_archive(self.clock.now())
        self._maybe_poll_wall(self.clock.now())
        self._maybe_write_gates(self.clock.now())
        return None if self.once else self._rearm()

    def _database_unavailable(self, exc: Exception) -> None:
        """Say once what keeps the database from us, here and to ``livepost status``; keep
        trying (nothing is lost: the outbox is where it was)."""
        reason = exc.message if isinstance(exc, StoreError) else _first_line(exc)
        if reason == self.database_trouble:
            return
        self.database_trouble = reason
        since = self._clock_text(self.clock.now())
        self.echo(f"{since} waiting for the database (nothing is lost, retrying): {reason}")
        if self._lock is not None:
            self._lock.note(f"waiting for the database since {since}: {reason}")

    def _database_available(self) -> None:
        if self.database_trouble is None:
            return
        self.database_trouble = None
        self.echo(f"{self._clock_text(self.clock.now())} the database is back: sending again")
        if self._lock is not None:
            self._lock.note(None)

    @contextmanager
    def _signals(self) -> Iterator[None]:
        """SIGTERM and Ctrl-C stop the loop between two posts (main thread only)."""
        if threading.current_thread() is not threading.main_thread():
            yield
            return

        def handler(signum: int, frame: object) -> None:
            self.stop()

        previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            yield
        finally:
            for sig, old in previous.items():
                signal.signal(sig, old)

    # --- planning ---------------------------------------------------------------------------

    def _maybe_refresh_programme(self) -> None:
        """Fetch a programme URL again every ``[event] schedule_refresh_minutes`` (real time,
        whatever ``--speed``) and apply it as ``schedule import`` does, in a thread of its own so
        that a slow server never delays a post; the next step re-plans from the new programme."""
        if self.settings.schedule_url is None:
            return
        if self._fetcher is not None and self._fetcher.is_alive():
            return
        every = self.settings.event.schedule_refresh_minutes * 60
        if self._fetched_at is not None and time.monotonic() - self._fetched_at < every:
            return
        self._fetched_at = time.monotonic()
        if self.once:
            self._refresh_programme()
            return
        self._fetcher = threading.Thread(
            target=self._refresh_programme, name="livepost-programme", daemon=True
        )
        self._fetcher.start()

    def _refresh_programme(self) -> None:
        """One fetch and import; a failure keeps the last good programme and is said once (and
        recorded for ``status`` and the console)."""
        try:
            refresh = refresh_programme(self.settings, self.engine, event_key=self.event_key)
        except Exception as exc:  # the database itself failed: try again at the next interval
            log.debug("programme refresh failed", exc_info=True)
            problem = exc.message if isinstance(exc, LivepostError) else _first_line(exc)
            refresh = Refresh(problem=problem)
        stamp = self._clock_text(self.clock.now())
        if refresh.problem is not None:
            if refresh.problem != self._programme_problem:
                self.echo(
                    f"{stamp} programme not updated (keeping the last good one): {refresh.problem}"
                )
                self._programme_problem = refresh.problem
            return
        if self._programme_problem is not None:
            self.echo(f"{stamp} programme fetched again")
            self._programme_problem = None
        result = refresh.result
        if result is None or result.report.nothing_changed:
            return
        report = result.report
        self.echo(
            f"{stamp} programme updated: {len(report.added)} added, {len(report.changed)} "
            f"changed, {len(report.withdrawn)} withdrawn"
        )
        self.wake()

    def _fingerprints(self) -> tuple[object, object]:
        notes: list[tuple[str, int, int]] = []
        for path in notes_files(self.settings.notes_dir):
            try:
                stat = path.stat()
            except OSError:
                continue
            notes.append((path.name, stat.st_mtime_ns, stat.st_size))
        with session_scope(self.engine) as session:
            talks = session.execute(
                select(func.count(TalkRow.id), func.max(TalkRow.updated_at)).where(
                    TalkRow.event_id == self._event_id
                )
            ).one()
        return tuple(notes), tuple(talks)

    def _maybe_replan(self, now: datetime) -> None:
        notes, talks = self._fingerprints()
        due = self._planned_at is None or now - self._planned_at >= REPLAN_EVERY
        if not due and notes == self._notes_seen and talks == self._talks_seen:
            return
        try:
            result, report = replan(self.engine, self.settings, now, event_key=self.event_key)
        except NotesError as exc:
            if exc.message != self._notes_problem:
                self.echo(f"notes not read (fix and save again): {exc.message}")
                self._notes_problem = exc.message
            self._talks_seen = talks
            return
        self._notes_problem = None
        self._notes_seen, self._talks_seen, self._planned_at = notes, talks, now
        with session_scope(self.engine) as session:
            self.talks = load_talks(session, self.event_key)
        for problem in result.problems:
            log.warning("plan: %s", problem)
        for key, why in report.cancelled:
            self.echo(f"{self._clock_text(now)} cancelled {key}: {why}")
            self.summary.cancelled.append((key, why))
        if self._planned_at is not None and (report.added or report.updated or report.moved):
            changed = len(set(report.added) | set(report.updated) | set(report.moved))
            log.info("plan: %d posts added or changed", changed)

    # --- sending ----------------------------------------------------------------------------

    def _mark_missed(self, now: datetime) -> bool:
        """Mark what is too late; whether anything is left to send now (or being sent)."""
        with session_scope(self.engine) as session:
            event = session.get(EventRow, self._event_id)
            assert event is not None
            missed = [
                (row.key, row.due_at, why)
                for row, why in mark_late_missed(session, event, now, self.grace)
            ]
            busy = session.scalar(
                select(func.count(OutboxRow.id)).where(
                    OutboxRow.event_id == self._event_id, OutboxRow.state == PostState.SENDING
                )
            )
            pending = bool(busy) or bool(due_posts(session, event, now))
        for key, due_at, why in missed:
            self.echo(f"{self._clock_text(due_at)} MISSED {key}: {why}")
            self.summary.missed.append((key, why))
        return pending

    def _deliver(self) -> None:
        if self._retry_at is not None and self.clock.now() < self._retry_at:
            return
        self._retry_at = None
        while not self.stopping:
            now = self.clock.now()
            report = deliver_due(
                self.engine,
                self.event_key,
                self.publisher,
                now=now,
                limit=1,
                media=self.media,
                atomic_threads=self.settings.plan.atomic_threads,
            )
            if report.paused:
                if not self._paused_said:
                    self.echo("paused: nothing is sent until `livepost queue resume`")
                    self._paused_said = True
                return
            self._paused_said = False
            for outcome in report.posted + report.recovered:
                self._echo_sent(outcome.post_id)
            for outcome in report.failed:
                self.echo(f"{self._clock_text(now)} FAILED {outcome.key}: {outcome.detail}")
                self.summary.failed.append((outcome.key, outcome.detail))
            for outcome in report.warnings:
                self.echo(f"  warning {outcome.key}: {outcome.detail}")
            if report.stopped:
                self.echo(f"sending stopped: {report.stopped}")
                self._retry_at = report.resume_at or now + RETRY_AFTER
                return
            if not (report.posted or report.failed or report.recovered or report.requeued):
                return

    def _maybe_archive(self, now: datetime) -> None:
        """Keep the engagement archive fresh while running for real (never in a dry run).

        It reuses the publisher's logged-in client: one process, one session per account, so the
        rotating refresh token is never used twice.
        """
        client = getattr(self.publisher, "client", None)
        if client is None or getattr(self.publisher, "dry_run", True) is not False:
            return
        if self._archived_at is not None and now - self._archived_at < self.archive_every:
            return
        self._archived_at = now
        try:
            report = sync_due(
                self.engine,
                self.event_key,
                client,
                now,
                hashtags=self.settings.event.hashtags,
                config=self.settings.archive,
            )
        except Exception as exc:
            # whatever failed (the network, an answer the SDK could not parse, the database, a bug
            # of ours), sending goes on and the archive tries again in a minute; said once
            log.debug("archive sync failed", exc_info=True)
            first = (str(exc).strip().splitlines() or [""])[0]  # SQLAlchemy's add the SQL after
            said = (
                exc.message if isinstance(exc, LivepostError) else f"{type(exc).__name__}: {first}"
            )
            if said != self._archive_problem:
                self.echo(f"archive sync skipped (tried again in a minute): {said}")
                self._archive_problem = said
            return
        if self._archive_problem is not None:
            self.echo("archive sync works again")
            self._archive_problem = None
        if report.snapshots or report.new_community or report.new_replies:
            log.info(
                "archive: %d counts, %d replies, %d community posts",
                report.snapshots,
                report.new_replies,
                report.new_community,
            )

    def _live_client(self) -> Any:
        """The publisher's logged-in client when running for real, else None."""
        client = getattr(self.publisher, "client", None)
        if client is None or getattr(self.publisher, "dry_run", True) is not False:
            return None
        return client

    def _maybe_poll_wall(self, now: datetime) -> None:
        """The hashtag search every ``[wall] poll_seconds`` while the capture window is open, so
        a post reaches the wall within seconds (the search continues from the newest post seen)."""
        client = self._live_client()
        every = timedelta(seconds=self.settings.wall.poll_seconds)
        if client is None or (self._wall_polled_at and now - self._wall_polled_at < every):
            return
        self._wall_polled_at = now
        try:
            poll_hashtags(
                self.engine,
                self.event_key,
                client,
                now,
                hashtags=self.settings.event.hashtags,
                config=self.settings.archive,
            )
        except Exception as exc:  # the next poll tries again; sending goes on
            log.info("wall poll failed: %s", exc)

    def _maybe_write_gates(self, now: datetime) -> None:
        """Write the gates of what was just posted (and retry failed ones a minute later)."""
        if getattr(self.publisher, "dry_run", True) is not False:
            return
        if self._gates_at is not None and now - self._gates_at < GATE_CHECK:
            return
        self._gates_at = now
        try:
            report = write_pending_gates(
                self.engine, self.event_key, self.publisher, self.settings.publish, now=now
            )
        except Exception as exc:
            log.info("gate writes failed: %s", exc)
            return
        for line in report.lines():
            self.echo(line)

    def _start_jetstream(self) -> None:
        """Follow the live stream of posts when ``[wall] jetstream`` names one."""
        client = self._live_client()
        url = self.settings.wall.jetstream
        if client is None or not url:
            return
        from livepost.archive.live import LiveCapture
        from livepost.bluesky.jetstream import follow_jetstream
        from livepost.bluesky.reads import fetch_posts

        capture = LiveCapture(
            self.engine,
            self.event_key,
            self.settings.event.hashtags,
            hydrate=lambda uris: fetch_posts(client, uris),
        )
        follow_jetstream(url, capture.cursor, capture.handle, self._stop, capture.save_cursor)
        self.echo(f"following the live stream at {url}")

    def _echo_sent(self, post_id: int) -> None:
        with session_scope(self.engine) as session:
            row = session.get(OutboxRow, post_id)
            if row is None or row.state != PostState.POSTED:
                return
            kind, key, text = row.kind, row.key, row.text
            card = bool(row.embed and row.embed.get("card"))
            images = len((row.embed or {}).get("images") or [])
            reply = row.parent_id is not None
        self.summary.sent[kind] += 1
        first = " ".join(text.split())
        if len(first) > 64:
            first = first[:63] + "…"
        extras = (" [card]" if card else "") + (f" [{images} image(s)]" if images else "")
        arrow = "↳ " if reply else ""
        self.echo(f"{self._clock_text(self.clock.now())} {arrow}{key}: {first}{extras}")

    def _due_now(self) -> bool:
        with session_scope(self.engine) as session:
            event = session.get(EventRow, self._event_id)
            assert event is not None
            return bool(due_posts(session, event, self.clock.now()))

    def _rearm(self) -> datetime | None:
        """Wake-ups for every queued post due later; the next due time."""
        now = self.clock.now()
        with session_scope(self.engine) as session:
            due = [
                (post_id, due_at)
                for post_id, due_at in session.execute(
                    select(OutboxRow.id, OutboxRow.due_at).where(
                        OutboxRow.event_id == self._event_id,
                        OutboxRow.state == PostState.QUEUED,
                        OutboxRow.due_at > now,
                    )
                )
            ]
        self._wakeups.arm(due)
        return min((due_at for _id, due_at in due), default=None)

    def _start_watcher(self) -> threading.Thread | None:
        """Wake the loop as soon as a notes file is saved (watchfiles); polling stays the truth."""
        try:
            from watchfiles import watch
        except ImportError:  # polling every second still sees every change
            return None
        folder = self.settings.notes_dir
        if not folder.is_dir():
            return None

        def run() -> None:
            try:
                for _changes in watch(folder, stop_event=self._stop, debounce=100, step=50):
                    self.wake()
            except Exception as exc:  # the watcher is only an accelerator
                log.info("notes watcher stopped (%s); polling instead", exc)

        thread = threading.Thread(target=run, name="livepost-notes-watcher", daemon=True)
        thread.start()
        return thread

    def _queue_fingerprint(self) -> tuple[object, ...]:
        with session_scope(self.engine) as session:
            return tuple(
                session.execute(
                    select(
                        func.count(OutboxRow.id),
                        func.max(OutboxRow.id),
                        func.max(OutboxRow.updated_at),
                    ).where(OutboxRow.event_id == self._event_id)
                ).one()
            )

    def _start_queue_glance(self) -> threading.Thread:
        """Wake the loop as soon as another process adds or changes a post; polling stays the
        truth (a failed glance is only a missed shortcut: the loop says what is wrong)."""

        def run() -> None:
            while not self._stop.wait(QUEUE_GLANCE_SECONDS):
                try:
                    now = self._queue_fingerprint()
                except (SQLAlchemyError, LivepostError) as exc:
                    log.debug("queue glance failed: %s", exc)
                    continue
                if now != self._queue_seen:  # changed since the last step began
                    self.wake()

        thread = threading.Thread(target=run, name="livepost-queue-glance", daemon=True)
        thread.start()
        return thread

    def _clock_text(self, moment: datetime) -> str:
        return f"{moment.astimezone(self.settings.zone):%H:%M:%S}"


def _first_line(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None)
    text = str(orig if orig is not None else exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
