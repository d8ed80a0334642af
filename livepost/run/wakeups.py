"""Wake-ups: APScheduler (3.x) jobs that wake the daemon when a queued post falls due.

A job carries nothing but the event key: when it fires, the daemon's loop wakes and asks the
outbox what is due. The jobs live in the event's own table in the event's database
(``livepost_jobs_<event>``) and are rebuilt from the outbox whenever it changes, so losing every
job loses nothing. Whether a late post is sent or missed is decided against the outbox, never here.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from contextlib import suppress
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.jobstores.base import BaseJobStore, JobLookupError
from apscheduler.schedulers.background import BackgroundScheduler

from livepost.run.clock import Clock, RealClock

log = logging.getLogger(__name__)

#: event key -> what wakes that event's daemon in this process (what a job reaches)
_WAKERS: dict[str, Callable[[], None]] = {}


def wake_daemon(event_key: str) -> None:
    """The target of every APScheduler job: wake the event's main loop (if it runs here)."""
    wake = _WAKERS.get(event_key)
    if wake is not None:
        wake()


def running_here(event_key: str) -> bool:
    """Whether a daemon of this event runs in this process (and its wake-ups can reach it)."""
    return event_key in _WAKERS


#: APScheduler's loggers whose lines a stalled loop could repeat many times a second
_SCHEDULER_LOGGERS = ("apscheduler.scheduler", "apscheduler.executors.default")
#: the same APScheduler line is let through at most this often (real seconds)
HUSH_SECONDS = 60.0


class _Hush(logging.Filter):
    """Lets each kind of APScheduler line through at most once per :data:`HUSH_SECONDS`; the
    next one says how many like it were not shown. The wake-ups are only a shortcut (the daemon
    looks at the outbox anyway): a flood of "skipped" or "missed" lines tells nobody anything."""

    def __init__(self, every: float = HUSH_SECONDS, clock: Callable[[], float] = time.monotonic):
        super().__init__()
        self.every = every
        self.clock = clock
        self._said: dict[tuple[str, str], tuple[float, int]] = {}  # kind -> said at, hushed

    def filter(self, record: logging.LogRecord) -> bool:
        kind = (record.name, str(record.msg))
        now = self.clock()
        said = self._said.get(kind)
        if said is not None and now - said[0] < self.every:
            self._said[kind] = (said[0], said[1] + 1)
            return False
        hushed = said[1] if said is not None else 0
        self._said[kind] = (now, 0)
        if hushed:
            record.msg = f"{record.msg} (and {hushed} more like it not shown)"
        return True


class _SturdyScheduler(BackgroundScheduler):  # type: ignore[misc]
    """APScheduler's background scheduler whose thread survives a job removed while it fired.

    The daemon re-arms and stops the scheduler from its own thread; when that removes a job the
    scheduler thread is firing (or the scheduler is stopping meanwhile), APScheduler raises
    ``JobLookupError`` in its thread and the thread ends. Nothing is lost by looking again soon.
    """

    def _process_jobs(self) -> float | None:
        try:
            wait: float | None = super()._process_jobs()
        except JobLookupError:
            return 1.0
        return wait


class WakeUps:
    """One job per queued post due later, kept in step with the outbox by :meth:`arm`."""

    def __init__(
        self,
        store: Callable[[], BaseJobStore],
        event_key: str,
        clock: Clock,
        wake: Callable[[], None],
    ) -> None:
        self.store = store  # the event's job table (made when the scheduler starts)
        self.event_key = event_key
        self.clock = clock
        self.wake = wake
        self._scheduler: Any = None
        self._armed: object = None
        self._hush = _Hush()

    def start(self) -> None:
        self._scheduler = _SturdyScheduler(
            jobstores={"default": self.store()},
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
        _WAKERS[self.event_key] = self.wake
        for name in _SCHEDULER_LOGGERS:
            logging.getLogger(name).addFilter(self._hush)
        self._scheduler.start()

    def register(self) -> None:
        """Let jobs reach this daemon without starting APScheduler (``--once``, tests)."""
        _WAKERS[self.event_key] = self.wake

    def stop(self) -> None:
        _WAKERS.pop(self.event_key, None)
        if self._scheduler is not None:
            self._scheduler.shutdown(wait=False)
            self._scheduler = None
        for name in _SCHEDULER_LOGGERS:
            logging.getLogger(name).removeFilter(self._hush)

    def arm(self, due: Sequence[tuple[int, datetime]]) -> None:
        """Make the job store hold exactly one wake-up per ``(post id, due time)``."""
        rows = sorted(due)
        if self._scheduler is None or rows == self._armed:
            return
        wanted = {f"post-{post_id}": due_at for post_id, due_at in rows}
        existing = {job.id: job for job in self._scheduler.get_jobs()}
        real_now = datetime.now(UTC)
        for job_id in existing.keys() - wanted.keys():
            fires = existing[job_id].next_run_time
            if fires is not None and fires <= real_now + timedelta(seconds=1):
                continue  # firing now: APScheduler removes it itself (removing it too races it)
            with suppress(JobLookupError):  # it fired and went meanwhile
                self._scheduler.remove_job(job_id)
        for job_id, due_at in wanted.items():
            run_at = (
                due_at
                if isinstance(self.clock, RealClock)
                else real_now + timedelta(seconds=max(0.0, self.clock.real_delay(due_at)))
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
        self._armed = rows  # only once every wake-up is in place
