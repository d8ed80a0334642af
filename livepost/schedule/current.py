"""The event's talks as commands need them: from the database, else from the programme file.

Reading the configured programme directly lets ``notes check`` and ``doctor`` work before the
first ``schedule import``; ids are the same either way (:mod:`livepost.model.ids`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from livepost.errors import InputError
from livepost.model import Talk
from livepost.model.ids import assign_ids, closest_ids
from livepost.schedule import load_schedule
from livepost.store.engine import session_scope
from livepost.store.talks import ensure_event, load_talks

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from livepost.config import Settings


def stored_talks(settings: Settings, engine: Engine, include_withdrawn: bool = False) -> list[Talk]:
    """The event's talks in the database (none before the first import)."""

    with session_scope(engine) as session:
        ensure_event(session, settings.event_key, settings.event.name, settings.event.timezone)
        return load_talks(session, settings.event_key, include_withdrawn=include_withdrawn)


def current_talks(settings: Settings, engine: Engine) -> list[Talk]:
    """Stored talks of the event, or the configured programme parsed on the fly."""
    talks = stored_talks(settings, engine)
    if talks or settings.schedule_path is None or not settings.schedule_path.exists():
        return talks

    schedule = load_schedule(
        settings.schedule_path, timezone=settings.zone, day=settings.event.date
    )
    assign_ids(schedule.talks)
    return schedule.talks


def find_talk(settings: Settings, engine: Engine, talk_id: str) -> Talk:
    """One talk by id, or an error that suggests the closest ids."""

    talks = current_talks(settings, engine)
    for talk in talks:
        if talk.id == talk_id:
            return talk
    close = closest_ids(talk_id, [t.id for t in talks])
    suggestion = f"Did you mean: {', '.join(close[:3])}? " if close else ""
    raise InputError(
        "--talk",
        f"no talk with id {talk_id!r}",
        hint=f"{suggestion}See the ids with: livepost schedule show",
    )
