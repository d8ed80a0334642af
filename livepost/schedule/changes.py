"""How a re-import describes a changed talk: what it was and what it is now.

An organiser reading ``changed: start, end`` cannot tell whether livepost understood the change;
``moved: Thu 10:00 → Thu 11:30, Room 2 → Room 3`` and ``renamed: old → new`` they can check at a
glance against the programme they edited.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from livepost.model import Person, Talk

_LONG = 40  # longer values (an abstract) are cut to this many characters


def describe_change(old: Talk, new: Talk, fields: list[str], zone: ZoneInfo) -> list[str]:
    """One phrase per kind of change: ``renamed: …``, ``moved: …``, ``changed: field a → b``."""
    phrases: list[str] = []
    if "withdrawn" in fields:
        phrases.append("back in the programme")
    if "title" in fields:
        phrases.append(f"renamed: {old.title} → {new.title}")
    moves: list[str] = []
    if "start" in fields:
        moves.append(f"{_when(old.start, zone)} → {_when(new.start, zone)}")
    if "room" in fields:
        moves.append(f"{old.room or 'no room'} → {new.room or 'no room'}")
    if moves:
        phrases.append(f"moved: {', '.join(moves)}")
    others = [
        f"{name} {_value(getattr(old, name), zone)} → {_value(getattr(new, name), zone)}"
        for name in fields
        if name not in ("title", "start", "room", "withdrawn")
    ]
    if others:
        phrases.append(f"changed: {'; '.join(others)}")
    return phrases


def _when(moment: datetime, zone: ZoneInfo) -> str:
    return f"{moment.astimezone(zone):%a %H:%M}"


def _value(value: object, zone: ZoneInfo) -> str:
    if isinstance(value, datetime):
        return _when(value, zone)
    if isinstance(value, list):
        shown = ", ".join(p.name if isinstance(p, Person) else str(p) for p in value)
        return shown or "none"
    if value is None or value == "":
        return "none"
    text = " ".join(str(value).split())
    return text if len(text) <= _LONG else text[: _LONG - 1] + "…"
