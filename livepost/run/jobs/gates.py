"""The gates job: write the threadgates and postgates of what was just posted (reply control),
and retry failed ones a minute later. Only in a real run: a dry run writes nothing."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING

from livepost.run.jobs.base import Every

if TYPE_CHECKING:
    from livepost.app.daemon import DaemonWork, Publisher
    from livepost.run.jobs.base import Voice

log = logging.getLogger(__name__)

GATE_CHECK_SECONDS = 2.0  # gates of new posts are looked for this often


class GatesJob:
    def __init__(
        self,
        work: DaemonWork,
        publisher: Publisher,
        voice: Voice,
        every_seconds: float = GATE_CHECK_SECONDS,
    ) -> None:
        self.work = work
        self.publisher = publisher
        self.voice = voice
        self._every = Every(every_seconds)

    def run(self, now: datetime) -> None:
        if not self._every.due(now):
            return
        try:
            lines = self.work.write_gates(self.publisher, now)
        except Exception as exc:  # sending goes on; the next check tries again
            log.info("gate writes failed: %s", exc)
            return
        for line in lines:
            self.voice.echo(line)
