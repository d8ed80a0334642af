"""The daemon's wake-ups as stored by APScheduler: one table per event in the event's database.

The jobs are derived from the outbox and rebuilt at every step of the daemon, so a write that
fails here loses nothing; this module only keeps such a failure from ending APScheduler's thread.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from apscheduler.jobstores.base import JobLookupError
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from livepost.errors import StoreError

if TYPE_CHECKING:
    from sqlalchemy import Engine

log = logging.getLogger(__name__)


def job_table(event_key: str) -> str:
    """The event's own APScheduler table: daemons of other events never run its jobs."""
    return "livepost_jobs_" + "".join(c if c.isalnum() else "_" for c in event_key)


class SturdyJobStore(SQLAlchemyJobStore):  # type: ignore[misc]
    """The event's job table, whose writes may fail without harm.

    Wake-ups are derived from the outbox and rebuilt at every step, and the daemon looks at the
    outbox every few seconds anyway. So a write that fails (the database locked past its busy
    timeout, a full disk) or a job that is already gone must never raise in APScheduler's own
    thread, where it would end that thread for good.
    """

    #: A fired wake-up whose removal failed (a full disk) would still be due in the table, and
    #: APScheduler would fire it again at once, in a tight loop of "skipped: maximum number of
    #: running instances" warnings. Such a job is remembered here as gone (this process only),
    #: hidden from what is due, and removed for real as soon as a write works again.

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._gone: set[str] = set()

    def add_job(self, job: Any) -> None:
        try:
            super().add_job(job)
        except SQLAlchemyError as exc:
            log.info("wake-up %s not stored (%s); the daemon polls meanwhile", job.id, exc)
        else:
            self._gone.discard(job.id)

    def update_job(self, job: Any) -> None:
        try:
            super().update_job(job)
        except (JobLookupError, SQLAlchemyError) as exc:
            log.info("wake-up %s not updated (%s)", job.id, exc)
        else:
            self._gone.discard(job.id)

    def get_due_jobs(self, now: Any) -> list[Any]:
        """What is due, without the jobs already fired whose removal failed (tried again)."""
        for job_id in sorted(self._gone):
            self.remove_job(job_id)
        jobs: list[Any] = super().get_due_jobs(now)
        return [job for job in jobs if job.id not in self._gone]

    def get_next_run_time(self) -> Any:
        """When the next wake-up not already fired is due (None: none)."""
        if not self._gone:
            return super().get_next_run_time()
        try:
            jobs = super().get_all_jobs()
        except SQLAlchemyError as exc:
            log.info("wake-ups not read (%s)", exc)
            return None
        times = [j.next_run_time for j in jobs if j.id not in self._gone and j.next_run_time]
        return min(times, default=None)

    def get_all_jobs(self) -> list[Any]:
        """The stored wake-ups; a database that cannot be read is a :class:`StoreError` (the
        daemon waits it out, as any other step that finds the database unavailable)."""
        try:
            jobs: list[Any] = super().get_all_jobs()
        except SQLAlchemyError as exc:
            orig = exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc
            text = str(orig).strip()
            raise StoreError(text.splitlines()[0] if text else type(orig).__name__) from exc
        return jobs

    def remove_job(self, job_id: str) -> None:
        try:
            super().remove_job(job_id)
        except JobLookupError:
            self._gone.discard(job_id)
        except SQLAlchemyError as exc:
            if job_id not in self._gone:
                log.info("wake-up %s not removed (%s)", job_id, exc)
            self._gone.add(job_id)
        else:
            self._gone.discard(job_id)


def event_job_store(engine: Engine, event_key: str) -> SturdyJobStore:
    """The job store of ``event_key``'s wake-ups."""
    return SturdyJobStore(engine=engine, tablename=job_table(event_key))
