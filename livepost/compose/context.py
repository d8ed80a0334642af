"""The variables every post template gets, built from the domain model.

Documented in ``docs/templates.md``; keep the two in step. Times are converted to the event's
time zone here, so templates never do time-zone arithmetic.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from livepost.model import Person, Talk


def join_names(people: Sequence[Person], *, mentions: bool = False) -> str:
    """``A``, ``A and B``, ``A, B and C``: how the house style names speakers; with
    ``mentions``, a speaker with a Bluesky handle is ``Name (@handle)`` (a mention facet)."""
    names = [
        f"{p.name} (@{p.handle})" if mentions and p.handle else p.name for p in people if p.name
    ]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def talk_context(talk: Talk, timezone: str) -> dict[str, Any]:
    """``talk`` as templates see it: plain values, start and end in the event's zone."""
    zone = ZoneInfo(timezone)
    return {
        "id": talk.id,
        "title": talk.title,
        "speakers": [
            {"name": p.name, "affiliation": p.affiliation, "handle": p.handle}
            for p in talk.speakers
        ],
        "room": talk.room,
        "track": talk.track,
        "start": talk.start.astimezone(zone),
        "end": talk.end.astimezone(zone),
        "url": talk.url,
        "hashtags": list(talk.hashtags),
        "withdrawn": talk.withdrawn,
    }


def build_context(
    *,
    event_name: str,
    event_hashtags: Sequence[str],
    timezone: str,
    talk: Talk | None = None,
    snippet: str | None = None,
    counts: Mapping[str, int] | None = None,
) -> dict[str, Any]:
    """Everything a post template may use (see ``docs/templates.md``)."""
    context: dict[str, Any] = {
        "event": {"name": event_name, "hashtags": list(event_hashtags), "timezone": timezone},
        "counts": dict(counts or {}),
    }
    if talk is not None:
        context["talk"] = talk_context(talk, timezone)
        context["speakers"] = join_names(talk.speakers)
        context["speakers_mentioned"] = join_names(talk.speakers, mentions=True)
    if snippet is not None:
        context["snippet"] = snippet
    return context
