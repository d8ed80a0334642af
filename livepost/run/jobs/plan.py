"""The plan job: re-plan when the programme or the notes change (and every few minutes as a
safety net), then mark what is too late ``missed``: never a burst of stale posts."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from livepost.errors import NotesError

if TYPE_CHECKING:
    from livepost.app.daemon import DaemonWork
    from livepost.run.jobs.base import Programme, RunSummary, Voice

log = logging.getLogger(__name__)

REPLAN_EVERY = timedelta(minutes=5)  # a safety net on top of change detection


class PlanJob:
    """Keeps the outbox in step with the programme and the notes; says what it cancelled and
    what it was too late for."""

    def __init__(
        self,
        work: DaemonWork,
        programme: Programme,
        voice: Voice,
        summary: RunSummary,
        replan_every: timedelta = REPLAN_EVERY,
    ) -> None:
        self.work = work
        self.programme = programme
        self.voice = voice
        self.summary = summary
        self.replan_every = replan_every
        self._notes_seen: object = None
        self._talks_seen: object = None
        self._planned_at: datetime | None = None
        self._notes_problem: str | None = None

    def run(self, now: datetime) -> bool:
        """Plan if needed, mark what is too late; whether anything is to be sent now."""
        self._maybe_replan(now)
        missed = self.work.mark_missed(now)
        for key, due_at, why in missed.missed:
            self.voice.echo(f"{self.voice.stamp(due_at)} MISSED {key}: {why}")
            self.summary.missed.append((key, why))
        return missed.pending

    def _maybe_replan(self, now: datetime) -> None:
        notes = self.work.notes_fingerprint()
        talks = self.work.programme_fingerprint()
        due = self._planned_at is None or now - self._planned_at >= self.replan_every
        if not due and notes == self._notes_seen and talks == self._talks_seen:
            return
        try:
            plan = self.work.replan(now)
        except NotesError as exc:
            if exc.message != self._notes_problem:
                self.voice.echo(f"notes not read (fix and save again): {exc.message}")
                self._notes_problem = exc.message
            self._talks_seen = talks
            return
        self._notes_problem = None
        self._notes_seen, self._talks_seen, self._planned_at = notes, talks, now
        self.programme.talks = plan.talks
        for problem in plan.problems:
            log.warning("plan: %s", problem)
        for key, why in plan.cancelled:
            self.voice.echo(f"{self.voice.stamp(now)} cancelled {key}: {why}")
            self.summary.cancelled.append((key, why))
        if plan.changed:
            log.info("plan: %d posts added or changed", plan.changed)
