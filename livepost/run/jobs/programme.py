"""The programme job: follow a programme URL (``[event] schedule = "https://..."``).

It fetches again every ``[event] schedule_refresh_minutes`` of real time (whatever ``--speed``)
and applies what changed as ``schedule import`` does, in a thread of its own so that a slow
server never delays a post; the plan job re-plans from the new programme at the next step.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from livepost.errors import LivepostError

if TYPE_CHECKING:
    from livepost.app.daemon import DaemonWork, ProgrammeRefresh
    from livepost.run.jobs.base import Voice

log = logging.getLogger(__name__)


class ProgrammeJob:
    """Fetches the programme URL when it is time; a failure keeps the last good programme and
    is said once, until a fetch works again."""

    def __init__(
        self,
        work: DaemonWork,
        voice: Voice,
        *,
        every_seconds: float,
        clock: Callable[[], datetime],
        wake: Callable[[], None],
        in_background: bool = True,
    ) -> None:
        self.work = work
        self.voice = voice
        self.every = every_seconds
        self.clock = clock
        self.wake = wake
        self.in_background = in_background  # False with --once: fetch, then plan
        self._fetched_at: float | None = None  # time.monotonic() of the last fetch
        self._problem: str | None = None
        self._fetcher: threading.Thread | None = None

    def run(self, now: datetime) -> None:
        if self._fetcher is not None and self._fetcher.is_alive():
            return
        if self._fetched_at is not None and time.monotonic() - self._fetched_at < self.every:
            return
        self._fetched_at = time.monotonic()
        if not self.in_background:
            self._fetch()
            return
        self._fetcher = threading.Thread(target=self._fetch, name="livepost-programme", daemon=True)
        self._fetcher.start()

    def _fetch(self) -> None:
        refresh: ProgrammeRefresh | None = None
        try:
            refresh = self.work.refresh_programme()
            problem = refresh.problem
        except Exception as exc:  # the database itself, or a bug: try again at the next interval
            log.debug("programme refresh failed", exc_info=True)
            if isinstance(exc, LivepostError):
                problem = exc.message
            else:
                text = str(exc).strip()
                problem = text.splitlines()[0] if text else type(exc).__name__
        stamp = self.voice.stamp(self.clock())
        if problem is not None:
            if problem != self._problem:
                self.voice.echo(
                    f"{stamp} programme not updated (keeping the last good one): {problem}"
                )
                self._problem = problem
            return
        if self._problem is not None:
            self.voice.echo(f"{stamp} programme fetched again")
            self._problem = None
        if refresh is None or not refresh.changed_anything:
            return
        self.voice.echo(
            f"{stamp} programme updated: {refresh.added} added, {refresh.changed} "
            f"changed, {refresh.withdrawn} withdrawn"
        )
        self.wake()
