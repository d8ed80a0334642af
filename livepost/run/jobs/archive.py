"""The archive job: keep the engagement archive fresh while running for real.

It reads with the publisher's logged-in client (one process, one session per account, so the
rotating refresh token is never used twice); ``[archive]`` decides what is due each time.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from livepost.errors import LivepostError
from livepost.run.jobs.base import Every

if TYPE_CHECKING:
    from livepost.app.daemon import DaemonWork
    from livepost.run.jobs.base import Voice

log = logging.getLogger(__name__)

ARCHIVE_EVERY = timedelta(minutes=1)  # how often to ask the archive what is due


class ArchiveJob:
    def __init__(
        self,
        work: DaemonWork,
        client: object,
        voice: Voice,
        every: timedelta = ARCHIVE_EVERY,
    ) -> None:
        self.work = work
        self.client = client
        self.voice = voice
        self._every = Every(every.total_seconds())
        self._problem: str | None = None  # the last failure said, until it works again

    def run(self, now: datetime) -> None:
        if not self._every.due(now):
            return
        try:
            read = self.work.sync_archive(self.client, now)
        except Exception as exc:
            # whatever failed (the network, an answer the SDK could not parse, the database, a
            # bug of ours), sending goes on and the archive tries again in a minute; said once
            log.debug("archive sync failed", exc_info=True)
            first = (str(exc).strip().splitlines() or [""])[0]
            said = (
                exc.message if isinstance(exc, LivepostError) else f"{type(exc).__name__}: {first}"
            )
            if said != self._problem:
                self.voice.echo(f"archive sync skipped (tried again in a minute): {said}")
                self._problem = said
            return
        if self._problem is not None:
            self.voice.echo("archive sync works again")
            self._problem = None
        if read.snapshots or read.new_community or read.new_replies:
            log.info(
                "archive: %d counts, %d replies, %d community posts",
                read.snapshots,
                read.new_replies,
                read.new_community,
            )
