"""Planning, for every front end: write the plan into the queue and say what to look at
(``livepost plan``), or show what would be planned without queueing anything (``preview``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Engine

from livepost.app.timeline import plan_warnings, post_json
from livepost.config import Settings
from livepost.model import Talk
from livepost.notes import load_notes
from livepost.outbox.queries import list_posts
from livepost.plan.planner import PlannedPost, build_plan
from livepost.plan.sync import SyncReport, replan
from livepost.schedule.current import current_talks, find_talk
from livepost.store.engine import session_scope
from livepost.store.talks import load_event, load_talks


@dataclass
class Planned:
    """The queue after planning: its posts (``plan --json`` shape), what changed, warnings."""

    posts: list[dict[str, Any]]
    report: SyncReport
    warnings: list[str] = field(default_factory=list)


def plan_event(
    settings: Settings, engine: Engine, now: datetime, day: date | None = None
) -> Planned:
    """Plan the event into the queue (safe to repeat) and read the queue back; ``day`` keeps the
    posts due that day (event time)."""
    zone = settings.zone
    handle_problems = verify_speaker_handles(settings, engine)
    result, report = replan(engine, settings, now)
    with session_scope(engine) as session:
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
