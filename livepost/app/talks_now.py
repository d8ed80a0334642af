"""The talks running now and the next one in each room, as a member of the team sees them (a
reporter: only their rooms). The phone page and ``GET /api/v1/talks/current`` show this."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from livepost.app.permissions import sees_talk
from livepost.schedule.current import current_talks

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from sqlalchemy import Engine

    from livepost.config import Settings
    from livepost.model import Talk
    from livepost.model.actors import Actor


@dataclass
class TalksNow:
    now: datetime
    current: list[Talk] = field(default_factory=list)
    next: list[Talk] = field(default_factory=list)  # the next talk of each room, by start


def talks_now(settings: Settings, engine: Engine, actor: Actor, now: datetime) -> TalksNow:
    """Talks (not breaks, not withdrawn) running at ``now``, and each room's next one."""
    talks = sorted(
        (
            t
            for t in current_talks(settings, engine)
            if t.kind == "talk" and not t.withdrawn and sees_talk(actor, t.room)
        ),
        key=lambda t: (t.start, t.room or "", t.id),
    )
    result = TalksNow(now)
    rooms_seen: set[str | None] = set()
    for talk in talks:
        if talk.start <= now < talk.end:
            result.current.append(talk)
        elif talk.start > now and talk.room not in rooms_seen:
            rooms_seen.add(talk.room)
            result.next.append(talk)
    return result


def talk_json(talk: Talk, zone: ZoneInfo) -> dict[str, Any]:
    """A talk in the API: ``id``, ``title``, ``room``, ``start``, ``end`` (ISO 8601 with the
    event's offset), ``speakers`` (names)."""
    return {
        "id": talk.id,
        "title": talk.title,
        "room": talk.room,
        "start": talk.start.astimezone(zone).isoformat(),
        "end": talk.end.astimezone(zone).isoformat(),
        "speakers": [p.name for p in talk.speakers],
    }
