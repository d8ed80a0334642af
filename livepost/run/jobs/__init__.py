"""The daemon's jobs, one job each, and :func:`jobs_for`, the one place that wires them.

Which jobs a run has is decided here, once, from what the run was given: a dry run (a publisher
that sends nothing) plans and sends into its rehearsal copy and has no gates, archive or wall
jobs; a real run has them all, reading Bluesky with the publisher's own session. The daemon's
loop (:mod:`livepost.run.daemon`) only wakes, steps and stops them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from livepost.run.jobs.archive import ARCHIVE_EVERY, ArchiveJob
from livepost.run.jobs.base import Job, Programme, RunSummary, Voice, Watcher
from livepost.run.jobs.gates import GatesJob
from livepost.run.jobs.notes import NotesJob
from livepost.run.jobs.plan import PlanJob
from livepost.run.jobs.programme import ProgrammeJob
from livepost.run.jobs.send import SendJob
from livepost.run.jobs.wall import LiveStreamJob, WallJob

if TYPE_CHECKING:
    from livepost.app.daemon import DaemonWork, Media, Publisher
    from livepost.config import Settings

__all__ = ["Jobs", "Programme", "RunSummary", "Voice", "jobs_for"]


@dataclass
class Jobs:
    """A run's jobs. ``plan`` and ``send`` always; the others when the run has them."""

    plan: PlanJob
    send: SendJob
    programme: ProgrammeJob | None = None  # following a programme URL
    notes: NotesJob | None = None  # a loop that waits (not --once)
    gates: GatesJob | None = None  # a real run
    archive: ArchiveJob | None = None  # a real run that can read Bluesky
    wall: WallJob | None = None  # ditto
    live_stream: LiveStreamJob | None = None  # ditto, with [wall] jetstream

    def after_sending(self) -> list[Job]:
        """What runs after the send job at each step, in order."""
        jobs: list[Job | None] = [self.archive, self.wall, self.gates]
        return [job for job in jobs if job is not None]

    def watchers(self) -> list[Watcher]:
        """What runs beside the loop."""
        return [job for job in (self.notes, self.live_stream) if job is not None]

    def names(self) -> list[str]:
        """The jobs present, by name (what ``livepost run`` and the tests look at)."""
        named = {
            "plan": self.plan,
            "send": self.send,
            "programme": self.programme,
            "notes": self.notes,
            "gates": self.gates,
            "archive": self.archive,
            "wall": self.wall,
            "live_stream": self.live_stream,
        }
        return [name for name, job in named.items() if job is not None]


def jobs_for(
    settings: Settings,
    work: DaemonWork,
    publisher: Publisher,
    *,
    media: Media,
    programme: Programme,
    voice: Voice,
    summary: RunSummary,
    clock: Callable[[], datetime],
    wake: Callable[[], None],
    stopping: Callable[[], bool],
    once: bool = False,
    watch: bool = True,
    archive_every: timedelta = ARCHIVE_EVERY,
) -> Jobs:
    """The jobs of one run. With ``once`` the programme is fetched before planning, not beside
    it; without ``watch`` (``--once``, tests without a scheduler) nothing runs beside the loop."""
    jobs = Jobs(
        plan=PlanJob(work, programme, voice, summary),
        send=SendJob(work, publisher, media, voice, summary, clock=clock, stopping=stopping),
    )
    if settings.schedule_url is not None:
        jobs.programme = ProgrammeJob(
            work,
            voice,
            every_seconds=settings.event.schedule_refresh_minutes * 60,
            clock=clock,
            wake=wake,
            in_background=not once,
        )
    if watch:
        jobs.notes = NotesJob(settings.notes_dir, wake)
    if publisher.dry_run:
        return jobs
    jobs.gates = GatesJob(work, publisher, voice)
    client = publisher.read_client
    if client is None:
        return jobs
    jobs.archive = ArchiveJob(work, client, voice, archive_every)
    jobs.wall = WallJob(work, client, settings.wall.poll_seconds)
    if watch and settings.wall.jetstream:
        jobs.live_stream = LiveStreamJob(work, client, settings.wall.jetstream, voice.echo)
    return jobs
