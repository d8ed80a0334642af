"""The wall's jobs: the hashtag search every ``[wall] poll_seconds`` while the capture window is
open (each search continues from the newest post seen), and, when ``[wall] jetstream`` names
one, the live stream of posts followed in a thread of its own."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from livepost.run.jobs.base import Every

if TYPE_CHECKING:
    from livepost.app.daemon import DaemonWork

log = logging.getLogger(__name__)


class WallJob:
    """The hashtag poll: a post reaches the venue wall within seconds."""

    def __init__(self, work: DaemonWork, client: object, every_seconds: float) -> None:
        self.work = work
        self.client = client
        self._every = Every(every_seconds)

    def run(self, now: datetime) -> None:
        if not self._every.due(now):
            return
        try:
            self.work.poll_wall(self.client, now)
        except Exception as exc:  # the next poll tries again; sending goes on
            log.info("wall poll failed: %s", exc)


class LiveStreamJob:
    """Follows the Jetstream at ``url`` until the run stops."""

    def __init__(
        self, work: DaemonWork, client: object, url: str, echo: Callable[[str], None]
    ) -> None:
        self.work = work
        self.client = client
        self.url = url
        self.echo = echo

    def start(self, stop: threading.Event) -> threading.Thread | None:
        self.work.follow_live_stream(self.client, self.url, stop)
        self.echo(f"following the live stream at {self.url}")
        return None
