"""Planning, for every front end: write the plan into the queue and say what to look at
(``livepost plan``), plan without writing (``plan --dry-run``), or show every planned post as it
will look (``preview``). :class:`Planner` is the door's service (it asks who may first); the
functions below it are what the daemon's jobs share."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from livepost.app.context import EventScope
from livepost.app.permissions import Action, ensure
from livepost.app.timeline import plan_warnings, post_json
from livepost.config import Settings
from livepost.model import Talk
from livepost.notes import load_notes
from livepost.outbox.queries import list_posts
from livepost.plan.planner import PlannedPost as PlannedPost
from livepost.plan.planner import build_plan
from livepost.plan.sync import SyncReport, replan, replan_in
from livepost.schedule.current import current_talks, find_talk
from livepost.store.engine import session_scope
from livepost.store.talks import load_event, load_talks


@dataclass
class Planned:
    """The queue after planning: its posts (``plan --json`` shape), what changed, warnings."""

    posts: list[dict[str, Any]]
    report: SyncReport
    warnings: list[str] = field(default_factory=list)


class Planner(EventScope):
    """Planning as one person asks for it: an officer plans, anyone on the team previews."""

    def plan(self, day: date | None = None, *, dry_run: bool = False) -> Planned:
        """Plan the event into the queue (``dry_run``: compute the same, write nothing)."""
        ensure(self.actor, Action.RUN if not dry_run else Action.READ)
        return plan_event(self.settings, self.engine, self.clock(), day, dry_run=dry_run)

    def preview(self, talk_id: str | None = None) -> Preview:
        """Every post the plan would queue (only ``talk_id``'s when given); nothing is queued."""
        ensure(self.actor, Action.READ)
        return preview_plan(self.settings, self.engine, talk_id)

    def write_cards(self, preview: Preview, out: Path) -> list[Path]:
        """Draw every planned card of ``preview`` into the folder ``out``."""
        ensure(self.actor, Action.READ)
        from livepost.cards.for_event import render_event_card, write_card

        written: list[Path] = []
        for post in preview.posts:
            card = (post.embed or {}).get("card")
            if not card:
                continue
            made = render_event_card(
                self.settings, preview.talks, card.get("talk_id"), kind=card.get("kind", "talk")
            )
            written.append(write_card(made, out / f"{card.get('talk_id')}.png"))
        return written


def plan_event(
    settings: Settings,
    engine: Engine,
    now: datetime,
    day: date | None = None,
    *,
    dry_run: bool = False,
) -> Planned:
    """Plan the event into the queue (safe to repeat) and read the queue back; ``day`` keeps the
    posts due that day (event time). ``dry_run`` plans in a transaction that is rolled back: the
    same report and timeline, the queue untouched."""
    zone = settings.zone
    handle_problems = verify_speaker_handles(settings, engine)
    if not dry_run:
        result, report = replan(engine, settings, now)
    with session_scope(engine) as session:
        if dry_run:
            result, report = replan_in(session, settings, now)
            session.flush()
        event = load_event(session, settings.event_key)
        rows = list_posts(session, event)
        talks = load_talks(session, settings.event_key)
        warnings = [
            *handle_problems,
            *result.problems,
            *plan_warnings(
                rows,
                talks,
                now,
                zone=zone,
                grace_minutes=settings.plan.grace_minutes,
                held=[p.key for p in result.posts if p.held],
            ),
        ]
        if day is not None:
            rows = [r for r in rows if r.due_at.astimezone(zone).date() == day]
        posts = [post_json(r, zone) for r in rows]
        if dry_run:
            session.rollback()
    return Planned(posts, report, warnings)


def verify_speaker_handles(settings: Settings, engine: Engine) -> list[str]:
    """Check the speakers' handles (cached answers are reused, so planning stays fast); a handle
    that does not resolve is a warning, and its speaker is named without a mention."""
    from livepost.app.people import check_handles, handle_warnings, speaker_handles

    names = speaker_handles(current_talks(settings, engine))
    if not names:
        return []
    return handle_warnings(check_handles(settings, engine, names), names)


@dataclass
class Preview:
    """What would be planned (nothing is queued): the posts, the programme, the problems."""

    posts: list[PlannedPost]
    talks: list[Talk]
    problems: list[str]


def preview_plan(settings: Settings, engine: Engine, talk_id: str | None = None) -> Preview:
    """Every post the plan would queue (only ``talk_id``'s when given)."""
    talks = current_talks(settings, engine)
    if talk_id is not None:
        find_talk(settings, engine, talk_id)  # a clear error for an unknown id
    notes = load_notes(settings.notes_dir)
    result = build_plan(settings, talks, notes, skipped=notes.skipped)
    posts = [p for p in result.posts if talk_id is None or p.talk_id == talk_id]
    return Preview(posts, talks, list(result.problems))
