"""The send job: deliver what is due, one post (or atomic thread) at a time, exactly once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from livepost.app.daemon import DaemonWork, Media, Publisher, SentPost
    from livepost.run.jobs.base import RunSummary, Voice

RETRY_AFTER = timedelta(seconds=30)  # after an outage stopped a delivery run


class SendJob:
    """Sends until nothing more is due (or the run stops, or sending is paused or cut off)."""

    def __init__(
        self,
        work: DaemonWork,
        publisher: Publisher,
        media: Media,
        voice: Voice,
        summary: RunSummary,
        *,
        clock: Callable[[], datetime],
        stopping: Callable[[], bool],
    ) -> None:
        self.work = work
        self.publisher = publisher
        self.media = media
        self.voice = voice
        self.summary = summary
        self.clock = clock
        self.stopping = stopping
        self._retry_at: datetime | None = None
        self._paused_said = False

    def run(self, now: datetime) -> None:
        if self._retry_at is not None and now < self._retry_at:
            return
        self._retry_at = None
        while not self.stopping():
            now = self.clock()
            delivery = self.work.deliver(self.publisher, self.media, now)
            if delivery.paused:
                if not self._paused_said:
                    self.voice.echo("paused: nothing is sent until `livepost queue resume`")
                    self._paused_said = True
                return
            self._paused_said = False
            for sent in delivery.sent:
                self._say_sent(sent)
            for key, why in delivery.failed:
                self.voice.echo(f"{self.voice.stamp(now)} FAILED {key}: {why}")
                self.summary.failed.append((key, why))
            for key, what in delivery.warnings:
                self.voice.echo(f"  warning {key}: {what}")
            if delivery.stopped:
                self.voice.echo(f"sending stopped: {delivery.stopped}")
                self._retry_at = delivery.resume_at or now + RETRY_AFTER
                return
            if not delivery.progressed:
                return

    def _say_sent(self, sent: SentPost) -> None:
        self.summary.sent[str(sent.kind)] += 1
        first = " ".join(sent.text.split())
        if len(first) > 64:
            first = first[:63] + "…"
        extras = (" [card]" if sent.card else "") + (
            f" [{sent.images} image(s)]" if sent.images else ""
        )
        arrow = "↳ " if sent.reply else ""
        self.voice.echo(f"{self.voice.stamp(self.clock())} {arrow}{sent.key}: {first}{extras}")
