"""The daemon behind ``livepost run``: a loop that wakes at the right moment and steps its jobs.

The outbox is the truth; everything else is derived from it and may be thrown away:

* APScheduler (3.x) holds one *wake-up* job per queued post due in the future, in a job store in
  the event's own database (``livepost_jobs_<event>``), rebuilt from the outbox whenever the
  outbox changes. A job carries nothing but the event key: when it fires, the main loop wakes and
  asks the outbox what is due. Losing every job loses nothing.
* The main loop (one thread: sending, the only writer of post states here) runs a *step* when a
  wake-up fires, when a notes file changes, when another process changes the queue (a glance at
  the outbox every 0.2 s), and at least every two seconds. A step runs the jobs wired by
  :func:`livepost.run.jobs.jobs_for`: the programme job, the plan job (re-plan, mark what is too
  late ``missed``), the send job, then the archive, wall and gates jobs of a real run; then it
  re-arms the wake-ups.
* Lateness is decided by the plan job, against the outbox, not by APScheduler: a post less than
  ``[plan] grace_minutes`` late is sent; a later one (livepost was not running, the laptop slept)
  is marked ``missed``, with the replies under it, and reported. Never a burst of stale posts.
* The jobs reach the database only through :class:`~livepost.app.daemon.DaemonWork`, as the
  daemon's actor. When the database cannot be used (locked, disk full, connection lost) the loop
  says so once, here and to ``livepost status``, and tries again: it never stops for good.

Times are UTC everywhere inside; they are shown in the event's zone.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from livepost.app.daemon import DiskFull
from livepost.app.event import EventApp
from livepost.errors import LivepostError, StoreError
from livepost.model.actors import Actor
from livepost.run.clock import Clock, RealClock, SimulatedClock
from livepost.run.jobs import Jobs, Programme, RunSummary, Voice, jobs_for
from livepost.run.jobs.archive import ARCHIVE_EVERY
from livepost.run.wakeups import WakeUps

if TYPE_CHECKING:
    from livepost.app.daemon import DaemonWork, Engine, Media, Publisher
    from livepost.config import Settings
    from livepost.model import Talk

__all__ = ["Daemon", "RunSummary"]

log = logging.getLogger(__name__)

POLL_SECONDS = 2.0  # the database and the notes folder are looked at this often, at least
#: how often the outbox is glanced at (one small query) for posts queued by another process
#: (the console, the phone API, ``livepost queue``): a snippet from a phone goes out at once
QUEUE_GLANCE_SECONDS = 0.2
#: real seconds between tries while the database cannot be used (locked, disk full, connection lost)
DATABASE_RETRY_SECONDS = 5.0
#: a full disk is said again at most this often (event time), with the space left
DISK_FULL_EVERY = timedelta(minutes=1)


class Daemon:
    """One event's sending loop. Build it, then :meth:`run` (it returns when stopped).

    ``rehearse`` copies the event into ``event_key`` (its rehearsal twin) once the run's lock is
    held: the dry run never touches the real queue.
    """

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
        rehearse: bool = False,
        archive_every: timedelta = ARCHIVE_EVERY,
        database_retry_seconds: float = DATABASE_RETRY_SECONDS,
    ) -> None:
        self.settings = settings
        self.engine = engine
        self.publisher = publisher
        self.event_key = event_key or settings.event_key
        self.clock: Clock = clock or RealClock()
        self.work: DaemonWork = EventApp(
            settings, engine, Actor.daemon(), self.clock.now
        ).daemon.on(self.event_key)
        self.once = once
        self.until = until
        self.end_when_done = end_when_done
        self.echo = echo
        self.poll_seconds = poll_seconds
        self.use_scheduler = use_scheduler
        self.rehearse = rehearse
        self.database_retry_seconds = database_retry_seconds
        self.summary = RunSummary()
        self.steps = 0  # loop steps done: tests wait on it instead of sleeping
        self.database_trouble: str | None = None  # what keeps the database from us, while it does
        self._disk_full_said: datetime | None = None  # when a full disk was last said
        self.programme = Programme()
        self._voice = Voice(echo, settings.zone)
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._wakeups = WakeUps(self.work.job_store, self.event_key, self.clock, self.wake)
        self._note: Callable[[str | None], None] | None = None  # the run lock's status line
        self._queue_seen: object = None  # the outbox's fingerprint when the last step began
        self.jobs: Jobs = jobs_for(
            settings,
            self.work,
            publisher,
            media=media
            or self.work.media(lambda: self.programme.talks, link_cards=not publisher.dry_run),
            programme=self.programme,
            voice=self._voice,
            summary=self.summary,
            clock=self.clock.now,
            wake=self.wake,
            stopping=lambda: self.stopping,
            once=once,
            watch=use_scheduler and not once,
            archive_every=archive_every,
        )

    @property
    def talks(self) -> list[Talk]:
        """The programme as last planned (what the cards are drawn from)."""
        return self.programme.talks

    @talks.setter
    def talks(self, talks: list[Talk]) -> None:
        self.programme.talks = talks

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
        with self.work.run_lock() as lock, self._signals():
            self._note = lock.note
            if self.rehearse:
                self.work.rehearse()
            self.work.check_event()
            threads: list[threading.Thread] = []
            try:
                if self.use_scheduler and not self.once:
                    self._wakeups.start()
                    for watcher in self.jobs.watchers():
                        thread = watcher.start(self._stop)
                        if thread is not None:
                            threads.append(thread)
                    self._start_queue_glance()
                else:
                    self._wakeups.register()
                self._loop()
            finally:
                self._wakeups.stop()
                for thread in threads:
                    thread.join(timeout=2)
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
            except StoreError as exc:  # locked, disk full, connection lost
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
            if self.end_when_done and next_due is None and not self.work.due_now(self.clock.now()):
                break
            timeout = self.poll_seconds
            if next_due is not None and isinstance(self.clock, SimulatedClock):
                timeout = min(timeout, max(0.0, self.clock.real_delay(next_due)))
            if self.until is not None:
                timeout = min(timeout, max(0.0, self.clock.real_delay(self.until)))
            self.clock.wait(self._wake, timeout)

    def _step(self, now: datetime, first: bool) -> datetime | None:
        """Step every job once; the next due time.

        Every database write in a step is its own short transaction, so a step cut short by the
        database (locked, disk full) loses nothing: the next step starts again from the outbox,
        and a post cut off between its network call and ``posted`` is checked on the PDS by its
        record key.
        """
        jobs = self.jobs
        if jobs.programme is not None:
            jobs.programme.run(now)
        self._queue_seen = self.work.queue_fingerprint()  # before reading: later changes wake us
        if jobs.plan.run(now) or first:
            jobs.send.run(self.clock.now())  # the first time also recovers posts left "sending"
        for job in jobs.after_sending():
            job.run(self.clock.now())
        return None if self.once else self._rearm()

    def _rearm(self) -> datetime | None:
        """Wake-ups for every queued post due later; the next due time."""
        due = self.work.wakeups(self.clock.now())
        self._wakeups.arm(due)
        return min((due_at for _id, due_at in due), default=None)

    def _database_unavailable(self, exc: StoreError) -> None:
        """Say what keeps the database from us, here and to ``livepost status`` (once; a full
        disk at most once a minute, with the space left); keep trying (nothing is lost: the
        outbox is where it was)."""
        now = self.clock.now()
        since = self._voice.stamp(now)
        if isinstance(exc, DiskFull):
            said = self._disk_full_said
            self.database_trouble = exc.message
            if said is not None and now - said < DISK_FULL_EVERY:
                return
            first = said is None
            self._disk_full_said = now
            self.echo(f"{since} {exc.message}")
            if first and self._note is not None:
                self._note(f"waiting for disk space since {since}: {exc.message}")
            return
        reason = exc.message
        if reason == self.database_trouble:
            return
        self.database_trouble, self._disk_full_said = reason, None
        self.echo(f"{since} waiting for the database (nothing is lost, retrying): {reason}")
        if self._note is not None:
            self._note(f"waiting for the database since {since}: {reason}")

    def _database_available(self) -> None:
        if self.database_trouble is None:
            return
        self.database_trouble = None
        stamp = self._voice.stamp(self.clock.now())
        if self._disk_full_said is not None:
            self._disk_full_said = None
            self.echo(f"{stamp} there is room on the disk again: sending again")
        else:
            self.echo(f"{stamp} the database is back: sending again")
        if self._note is not None:
            self._note(None)

    def _start_queue_glance(self) -> threading.Thread:
        """Wake the loop as soon as another process adds or changes a post; polling stays the
        truth (a failed glance is only a missed shortcut: the loop says what is wrong)."""

        def run() -> None:
            while not self._stop.wait(QUEUE_GLANCE_SECONDS):
                try:
                    now = self.work.queue_fingerprint()
                except LivepostError as exc:
                    log.debug("queue glance failed: %s", exc)
                    continue
                if now != self._queue_seen:  # changed since the last step began
                    self.wake()

        thread = threading.Thread(target=run, name="livepost-queue-glance", daemon=True)
        thread.start()
        return thread

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
