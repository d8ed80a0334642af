"""The programme job: follow a programme URL (``[event] schedule = "https://..."``).

It fetches again every ``[event] schedule_refresh_minutes`` of real time (whatever ``--speed``)
and applies what changed as ``schedule import`` does, in a thread of its own so that a slow
server never delays a post; the plan job re-plans from the new programme at the next step.

A refresh that fails (the network, :mod:`livepost.fetch`'s deadline, an HTTP error, a programme
that cannot be read, the database) keeps the last good programme, says so in one line per
failure and is recorded for ``livepost status``; the next try comes after a backoff (30 s
doubling to 10 min). Whatever happens in a refresh, the next one always comes: nothing raised in
the fetching thread ends the job.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from livepost.app.daemon import DiskFull, programme_retry_delay
from livepost.errors import one_line

if TYPE_CHECKING:
    from livepost.app.daemon import DaemonWork, ProgrammeRefresh
    from livepost.run.jobs.base import Voice

log = logging.getLogger(__name__)

#: a fetch still running after this many real seconds is said (once) to be stuck: livepost.fetch
#: ends every fetch within its deadline, so only something outside it (DNS...) could hold it
STUCK_SECONDS = 120.0


def _wait_words(seconds: float) -> str:
    """``30 s``, ``2 min``: how long until the next try."""
    if seconds < 90:
        return f"{seconds:.0f} s"
    return f"{seconds / 60:.0f} min"


class ProgrammeJob:
    """Fetches the programme URL when it is time; every failure keeps the last good programme,
    is said and recorded, and brings the next try after a growing wait; a recovery is said once.

    ``timer`` gives real seconds (``time.monotonic``; a test drives its own)."""

    def __init__(
        self,
        work: DaemonWork,
        voice: Voice,
        *,
        every_seconds: float,
        clock: Callable[[], datetime],
        wake: Callable[[], None],
        in_background: bool = True,
        timer: Callable[[], float] = time.monotonic,
    ) -> None:
        self.work = work
        self.voice = voice
        self.every = every_seconds
        self.clock = clock
        self.wake = wake
        self.in_background = in_background  # False with --once: fetch, then plan
        self.timer = timer
        self.url = work.settings.schedule_url or ""
        self.next_try: float | None = None  # timer() of the next fetch (None: at once)
        self.failures = 0  # failed tries in a row
        self._told = False  # a failure was said: the recovery is said too
        self._started: float | None = None  # timer() when the running fetch began
        self._stuck_said = False
        self._fetcher: threading.Thread | None = None

    def run(self, now: datetime) -> None:
        if self._fetcher is not None and self._fetcher.is_alive():
            self._maybe_stuck()
            return
        moment = self.timer()
        if self.next_try is not None and moment < self.next_try:
            return
        # until the fetch says otherwise: a regular refresh (a fetch that never returns is stuck)
        self.next_try = moment + self.every
        self._started, self._stuck_said = moment, False
        if not self.in_background:
            self.fetch()
            return
        self._fetcher = threading.Thread(target=self.fetch, name="livepost-programme", daemon=True)
        self._fetcher.start()

    def join(self, timeout: float | None = None) -> None:
        """Wait for the fetch under way, if any (``--once`` and the tests)."""
        if self._fetcher is not None:
            self._fetcher.join(timeout)

    def fetch(self) -> None:
        """One refresh, start to end; nothing it raises leaves it (the next one must come)."""
        try:
            self._fetch()
        except Exception:  # a bug of ours in saying it: the next try still comes
            log.exception("programme refresh: unexpected failure")
            if self.next_try is None or self.next_try <= self.timer():
                self.failures += 1
                self.next_try = self.timer() + programme_retry_delay(self.failures, self.every)
        finally:
            self._started = None

    def _fetch(self) -> None:
        try:
            refresh = self.work.refresh_programme(self.every)
        except DiskFull:  # the daemon's loop says a full disk, once a minute at most
            log.debug("programme refresh: the disk is full", exc_info=True)
            self._failed(None, None)
            return
        except Exception as exc:  # the database itself, or a bug: try again after a backoff
            log.debug("programme refresh failed", exc_info=True)
            self._failed(one_line(exc), None)
            return
        if refresh.problem is not None:
            self._failed(refresh.problem, refresh)
            return
        self.next_try = self.timer() + (refresh.retry_in or self.every)
        stamp = self.voice.stamp(self.clock())
        if self._told:
            self.voice.echo(f"{stamp} programme refresh works again ({self.url})")
        self.failures, self._told = 0, False
        if not refresh.changed_anything:
            return
        self.voice.echo(
            f"{stamp} programme updated: {refresh.added} added, {refresh.changed} "
            f"changed, {refresh.withdrawn} withdrawn"
        )
        self.wake()

    def _failed(self, problem: str | None, refresh: ProgrammeRefresh | None) -> None:
        """One failure: the next try after the backoff, and one line saying it (``problem``
        None: said elsewhere)."""
        if refresh is not None and refresh.retry_in is not None and refresh.failures:
            self.failures, delay = refresh.failures, refresh.retry_in
        else:
            self.failures += 1
            delay = programme_retry_delay(self.failures, self.every)
        self.next_try = self.timer() + delay
        if problem is None:
            return
        self._told = True
        where = "" if self.url in problem else f" of {self.url}"
        self.voice.echo(
            f"{self.voice.stamp(self.clock())} programme refresh{where} failed: {problem} "
            f"(keeping the last good programme; next try in {_wait_words(delay)})"
        )

    def _maybe_stuck(self) -> None:
        if self._stuck_said or self._started is None:
            return
        waited = self.timer() - self._started
        if waited < STUCK_SECONDS:
            return
        self._stuck_said = True
        self.voice.echo(
            f"{self.voice.stamp(self.clock())} programme refresh of {self.url} has not "
            f"finished after {waited:.0f} s (keeping the last good programme; still waiting)"
        )
