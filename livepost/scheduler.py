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
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from livepost.clock import Clock, RealClock, SimulatedClock
from livepost.errors import ConfigError, LivepostError, NotesError
from livepost.outbox import due_posts, mark_missed
from livepost.store.models import OutboxRow, TalkRow

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session

    from livepost.config import Settings
    from livepost.model import Talk
    from livepost.publish.base import Publisher
    from livepost.publish.records import Media

log = logging.getLogger(__name__)

POLL_SECONDS = 2.0  # the database and the notes folder are looked at this often, at least
REPLAN_EVERY = timedelta(minutes=5)  # a safety net on top of change detection
RETRY_AFTER = timedelta(seconds=30)  # after an outage stopped a delivery run
ARCHIVE_EVERY = timedelta(minutes=1)  # how often to ask the archive what is due ([archive] decides)

#: event key -> the daemon running it in this process (what a wake-up job reaches)
_RUNNING: dict[str, Daemon] = {}


def wake_daemon(event_key: str) -> None:
    """The target of every APScheduler job: wake the event's main loop (if it runs here)."""
    daemon = _RUNNING.get(event_key)
    if daemon is not None:
        daemon.wake()


def job_table(event_key: str) -> str:
    """The event's own APScheduler table: daemons of other events never run its jobs."""
    return "livepost_jobs_" + "".join(c if c.isalnum() else "_" for c in event_key)


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


def mark_late_missed(
    session: Session, event_id: int, now: datetime, grace: timedelta
) -> list[tuple[OutboxRow, str]]:
    """Mark due posts later than ``grace`` ``missed``, and the unsent replies under them."""
    from livepost.store.models import EventRow

    event = session.get(EventRow, event_id)
    assert event is not None
    missed: list[tuple[OutboxRow, str]] = []
    for row in due_posts(session, event, now):
        late = now - row.due_at
        if late <= grace:
            continue
        why = f"{_minutes(late)} late (grace {_minutes(grace)}): livepost was not running"
        mark_missed(row, why)
        missed.append((row, why))
        frontier = [row.id]
        while frontier:
            children = list(
                session.scalars(
                    select(OutboxRow).where(
                        OutboxRow.parent_id.in_(frontier), OutboxRow.state == "queued"
                    )
                )
            )
            for child in children:
                reason = f"the post it replies to ({row.key}) was missed"
                mark_missed(child, reason)
                missed.append((child, reason))
            frontier = [c.id for c in children]
    return missed


def _minutes(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    return f"{minutes} min" if minutes < 120 else f"{minutes // 60} h {minutes % 60} min"


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
    ) -> None:
        self.settings = settings
        self.engine = engine
        self.publisher = publisher
        self.event_key = event_key or settings.event_key
        self.clock: Clock = clock or RealClock()
        self.media = media or event_media(
            settings, lambda: self.talks, dry=getattr(publisher, "dry_run", True) is not False
        )
        self.once = once
        self.until = until
        self.end_when_done = end_when_done
        self.echo = echo
        self.poll_seconds = poll_seconds
        self.use_scheduler = use_scheduler
        self.prepare = prepare  # run once the lock is held (the dry run's rehearsal copy)
        self.grace = timedelta(minutes=settings.plan.grace_minutes)
        self.summary = RunSummary()
        self.talks: list[Talk] = []
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._scheduler: Any = None
        self._event_id = 0
        self._notes_seen: object = None
        self._talks_seen: object = None
        self._jobs_seen: object = None
        self._planned_at: datetime | None = None
        self._notes_problem: str | None = None
        self._retry_at: datetime | None = None
        self._paused_said = False
        self._archived_at: datetime | None = None
        self.archive_every = archive_every

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
        from livepost.runlock import RunLock
        from livepost.store.engine import session_scope
        from livepost.store.talks import load_event

        with RunLock(self.engine, self.event_key), self._signals():
            if self.prepare is not None:
                self.prepare()
            with session_scope(self.engine) as session:
                self._event_id = load_event(session, self.event_key).id
            _RUNNING[self.event_key] = self
            watcher = None
            try:
                if self.use_scheduler and not self.once:
                    self._start_scheduler()
                    watcher = self._start_watcher()
                self._loop()
            finally:
                _RUNNING.pop(self.event_key, None)
                if self._scheduler is not None:
                    self._scheduler.shutdown(wait=False)
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
            self._maybe_replan(now)
            if self._mark_missed(now) or first:
                self._deliver()  # the first time also recovers posts left in "sending"
            first = False
            self._maybe_archive(self.clock.now())
            if self.once or self.stopping:
                break
            next_due = self._rearm()
            if self.end_when_done and next_due is None and not self._due_now():
                break
            timeout = self.poll_seconds
            if next_due is not None and isinstance(self.clock, SimulatedClock):
                timeout = min(timeout, max(0.0, self.clock.real_delay(next_due)))
            if self.until is not None:
                timeout = min(timeout, max(0.0, self.clock.real_delay(self.until)))
            self.clock.wait(self._wake, timeout)

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

    def _fingerprints(self) -> tuple[object, object]:
        from livepost.notes import notes_files
        from livepost.store.engine import session_scope

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
        from livepost.plan_sync import replan
        from livepost.store.engine import session_scope
        from livepost.store.talks import load_talks

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
        from livepost.store.engine import session_scope
        from livepost.store.models import EventRow

        with session_scope(self.engine) as session:
            missed = [
                (row.key, row.due_at, why)
                for row, why in mark_late_missed(session, self._event_id, now, self.grace)
            ]
            event = session.get(EventRow, self._event_id)
            assert event is not None
            busy = session.scalar(
                select(func.count(OutboxRow.id)).where(
                    OutboxRow.event_id == self._event_id, OutboxRow.state == "sending"
                )
            )
            pending = bool(busy) or bool(due_posts(session, event, now))
        for key, due_at, why in missed:
            self.echo(f"{self._clock_text(due_at)} MISSED {key}: {why}")
            self.summary.missed.append((key, why))
        return pending

    def _deliver(self) -> None:
        from livepost.publish.delivery import deliver_due

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
        from livepost.archive import sync_due

        try:
            report = sync_due(
                self.engine,
                self.event_key,
                client,
                now,
                hashtags=self.settings.event.hashtags,
                config=self.settings.archive,
            )
        except LivepostError as exc:
            self.echo(f"archive sync skipped (tried again in a minute): {exc.message}")
            return
        if report.snapshots or report.new_community or report.new_replies:
            log.info(
                "archive: %d counts, %d replies, %d community posts",
                report.snapshots,
                report.new_replies,
                report.new_community,
            )

    def _echo_sent(self, post_id: int) -> None:
        from livepost.store.engine import session_scope

        with session_scope(self.engine) as session:
            row = session.get(OutboxRow, post_id)
            if row is None or row.state != "posted":
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
        from livepost.store.engine import session_scope
        from livepost.store.models import EventRow

        with session_scope(self.engine) as session:
            event = session.get(EventRow, self._event_id)
            assert event is not None
            return bool(due_posts(session, event, self.clock.now()))

    # --- wake-ups ---------------------------------------------------------------------------

    def _start_scheduler(self) -> None:
        from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
        from apscheduler.schedulers.background import BackgroundScheduler

        store = SQLAlchemyJobStore(engine=self.engine, tablename=job_table(self.event_key))
        self._scheduler = BackgroundScheduler(
            jobstores={"default": store},
            timezone=UTC,
            job_defaults={
                # A wake-up that fires late (livepost was stopped, the laptop slept) must still
                # fire: whether the post is sent or marked missed is decided against the outbox
                # with [plan] grace_minutes, so APScheduler must never silently drop it.
                "misfire_grace_time": None,
                # Several overdue wake-ups are one: each run sends everything due, so running
                # them one after the other would only repeat the same step (no burst either way).
                "coalesce": True,
                "max_instances": 1,
            },
        )
        self._scheduler.start()

    def _rearm(self) -> datetime | None:
        """Make the job store hold one wake-up per queued post due later; the next due time."""
        from livepost.store.engine import session_scope

        now = self.clock.now()
        with session_scope(self.engine) as session:
            rows = sorted(
                (post_id, due_at)
                for post_id, due_at in session.execute(
                    select(OutboxRow.id, OutboxRow.due_at).where(
                        OutboxRow.event_id == self._event_id,
                        OutboxRow.state == "queued",
                        OutboxRow.due_at > now,
                    )
                )
            )
        next_due = min((due for _id, due in rows), default=None)
        if self._scheduler is None or rows == self._jobs_seen:
            return next_due
        self._jobs_seen = rows
        wanted = {f"post-{post_id}": due for post_id, due in rows}
        existing = {job.id: job for job in self._scheduler.get_jobs()}
        for job_id in existing.keys() - wanted.keys():
            self._scheduler.remove_job(job_id)
        real_now = datetime.now(UTC)
        for job_id, due in wanted.items():
            run_at = (
                due
                if isinstance(self.clock, RealClock)
                else real_now + timedelta(seconds=max(0.0, self.clock.real_delay(due)))
            )
            job = existing.get(job_id)
            if job is not None and job.next_run_time == run_at:
                continue
            self._scheduler.add_job(
                wake_daemon,
                "date",
                run_date=run_at,
                args=[self.event_key],
                id=job_id,
                replace_existing=True,
            )
        return next_due

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

    def _clock_text(self, moment: datetime) -> str:
        return f"{moment.astimezone(self.settings.zone):%H:%M:%S}"


# --- building a daemon from settings ---------------------------------------------------------


def has_credentials(settings: Settings) -> bool:
    """A stored session (``livepost login``) or a handle with an app password."""
    from livepost.publish.factory import has_credentials as stored_or_configured

    return stored_or_configured(settings)


def real_publisher(settings: Settings) -> Publisher:
    """The Bluesky publisher for the event's account (it holds the account's writer lock)."""
    from livepost.publish.factory import make_publisher

    return make_publisher(settings)


def event_media(settings: Settings, daemon_talks: Callable[[], list[Talk]], *, dry: bool) -> Media:
    """Images relative to the event folder, talk cards rendered at send time, link cards only
    when posting for real (a dry run stays off the network)."""
    from livepost.publish.records import Media

    def render(spec: dict[str, Any]) -> tuple[Any, str]:
        from livepost.event_cards import render_event_card

        card = render_event_card(
            settings,
            daemon_talks(),
            spec.get("talk_id"),
            kind=str(spec.get("kind", "talk")),
            alt=spec.get("alt"),
        )
        return card, card.alt

    return Media(base_dir=settings.event_dir, card_renderer=render, link_cards=not dry)


def simulation_start(talks: list[Talk], settings: Settings) -> datetime:
    """A little before the first post of the event's first day."""
    items = [t for t in talks if not t.withdrawn]
    if not items:
        raise ConfigError(
            "the event has no talks to replay",
            hint="Import the programme first: livepost schedule import",
        )
    first = min(t.start for t in items)
    before = max(settings.plan.opening_minutes, settings.plan.lead_minutes) + 5
    return (first - timedelta(minutes=before)).astimezone(UTC)


def parse_moment(value: str, reference: datetime, settings: Settings, *, later: bool) -> datetime:
    """``HH:MM`` (event time, on ``reference``'s day; with ``later`` the next such moment after
    ``reference``) or ``YYYY-MM-DD HH:MM``, as aware UTC."""
    from livepost.schedule.common import parse_clock

    zone = settings.zone
    text = value.strip()
    try:
        if len(text) > 8:
            moment = datetime.fromisoformat(text.replace(" ", "T"))
            return (moment if moment.tzinfo else moment.replace(tzinfo=zone)).astimezone(UTC)
        clock = parse_clock(text)
    except ValueError:
        raise ConfigError(
            f"{value!r} is not a time",
            hint="Use HH:MM (event time) or 'YYYY-MM-DD HH:MM'.",
        ) from None
    local = reference.astimezone(zone)
    moment = datetime.combine(local.date(), clock, tzinfo=zone)
    if later and moment <= local:
        moment = datetime.combine(local.date() + timedelta(days=1), clock, tzinfo=zone)
    return moment.astimezone(UTC)


@dataclass
class RunRequest:
    """What ``livepost run`` was asked to do."""

    dry_run: bool = False
    once: bool = False
    until: str | None = None
    speed: float | None = None
    start: str | None = None


def build_daemon(
    settings: Settings, engine: Engine, request: RunRequest, echo: Callable[[str], None]
) -> Daemon:
    """The daemon for ``livepost run``: real or rehearsal, real or simulated clock."""
    dry = request.dry_run or not has_credentials(settings)
    if request.speed is not None and not dry:
        raise ConfigError(
            "--speed replays the day faster and only works with --dry-run",
            hint="Rehearse with: livepost run --dry-run --speed 60",
        )
    if request.speed is not None and request.speed <= 0:
        raise ConfigError("--speed must be a positive number", hint="For example --speed 60.")
    event_key = settings.event_key
    if dry:
        from livepost.publish.dryrun import DryRunPublisher
        from livepost.rehearsal import prepare_rehearsal, rehearsal_key

        if not request.dry_run:
            echo("No Bluesky account configured: rehearsing (dry run), nothing is posted.")
        event_key = rehearsal_key(settings.event_key)
        publisher: Publisher = DryRunPublisher()

        def prepare() -> None:
            prepare_rehearsal(settings, engine)
    else:
        publisher = real_publisher(settings)
        prepare = None  # type: ignore[assignment]
    from livepost.talks import current_talks

    talks = current_talks(settings, engine)
    clock: Clock
    if request.speed is not None:
        first = simulation_start(talks, settings)
        start = (
            parse_moment(request.start, first, settings, later=False) if request.start else first
        )
        clock = SimulatedClock(start, request.speed)
    else:
        clock = RealClock()
    until = (
        parse_moment(request.until, clock.now(), settings, later=True) if request.until else None
    )
    holder: list[Daemon] = []
    daemon = Daemon(
        settings,
        engine,
        publisher,
        event_key=event_key,
        clock=clock,
        media=event_media(settings, lambda: holder[0].talks, dry=dry),
        once=request.once,
        until=until,
        end_when_done=request.speed is not None,
        echo=echo,
        prepare=prepare,
    )
    daemon.talks = talks
    holder.append(daemon)
    return daemon
