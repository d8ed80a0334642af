"""Sessionize API exports (``https://sessionize.com/api/v2/<id>/view/<View>``) -> Schedule.

Four views are recognised:

* **All data** (``{"sessions", "speakers", "rooms", "categories"}``): sessions name their speakers
  by id, their room by ``roomId`` and their categories by ``categoryItems`` ids.
* **Sessions** (``[{"groupId", "groupName", "sessions"}]``): speakers and categories inline.
* **Schedule grid** (``[{"date", "rooms", "timeSlots"}]``): the same session appears under its
  room and under its time slot; it is imported once.
* **Speakers** (``[{"id", "fullName", "sessions"}]``): has no times, so it is refused with advice.

Times are naive local times in the event's zone. A service session (registration, lunch) without
speakers is a break. Sessions without a time (accepted but not scheduled) are skipped. A speaker's
Bluesky handle comes from a link of type Bluesky or a bsky.app profile URL; the track from a
category called "Track" (else the first session category), the language from one called "Language".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from livepost.errors import ScheduleError
from livepost.model import Person, Schedule, Talk
from livepost.schedule.common import ImportContext, clean
from livepost.schedule.fields import clean_block, guess_kind, optional_text
from livepost.schedule.frab_json import load_json
from livepost.schedule.handles import bluesky_handle, is_bluesky_link
from livepost.schedule.jsonread import JsonReader

_HINT = "Export the Sessionize API view again (All data, Sessions or Schedule grid)."


@dataclass
class _Lookups:
    """What the All data view keeps beside the sessions: speakers, rooms, category items."""

    speakers: dict[str, Person] = field(default_factory=dict)
    rooms: dict[str, str] = field(default_factory=dict)
    categories: dict[str, tuple[str, str]] = field(default_factory=dict)  # item id -> (cat, item)


def parse(text: str, ctx: ImportContext) -> Schedule:
    """Read any of the Sessionize views (see the module docstring)."""
    data = load_json(text, ctx.path)
    reader = JsonReader(ctx, _HINT)
    sessions: list[tuple[str, object]] = []  # (dotted path, session)
    lookups = _Lookups()
    if isinstance(data, dict):
        lookups = _lookups(data, reader)
        for i, session in enumerate(reader.items(data.get("sessions"), "sessions")):
            sessions.append((f"sessions.{i}", session))
    elif isinstance(data, list):
        sessions = _listed_sessions(data, reader)
    else:
        raise reader.error("(top level)", "is not a Sessionize export")
    talks: list[Talk] = []
    seen: set[str] = set()
    unscheduled = 0
    for path, raw in sessions:
        session = reader.mapping(raw, path)
        key = clean(session.get("id")) or path
        if key in seen:
            continue  # the grid lists a session under its room and under its time slot
        seen.add(key)
        talk = _talk(session, path, lookups, reader)
        if talk is None:
            unscheduled += 1
        else:
            talks.append(talk)
    notes = [f"skipped {unscheduled} session(s) without a time"] if unscheduled else []
    return Schedule(talks=talks, notes=notes)


def _listed_sessions(data: list[Any], reader: JsonReader) -> list[tuple[str, object]]:
    """The sessions of the Sessions view (groups) or the Schedule grid view (days)."""
    found: list[tuple[str, object]] = []
    for i, raw in enumerate(data):
        entry = reader.mapping(raw, str(i))
        if "fullName" in entry or "firstName" in entry:
            raise ScheduleError(
                reader.ctx.path,
                "this is Sessionize's Speakers view, which has no session times",
                field=str(i),
                hint="In Sessionize, open API / Embed and export the 'All data' or "
                "'Schedule grid' view as JSON.",
            )
        for j, session in enumerate(reader.items(entry.get("sessions"), f"{i}.sessions")):
            found.append((f"{i}.sessions.{j}", session))
        for j, room in enumerate(reader.items(entry.get("rooms"), f"{i}.rooms")):
            room_map = reader.mapping(room, f"{i}.rooms.{j}")
            for k, session in enumerate(
                reader.items(room_map.get("sessions"), f"{i}.rooms.{j}.sessions")
            ):
                found.append((f"{i}.rooms.{j}.sessions.{k}", session))
        for j, slot in enumerate(reader.items(entry.get("timeSlots"), f"{i}.timeSlots")):
            slot_map = reader.mapping(slot, f"{i}.timeSlots.{j}")
            for k, room in enumerate(
                reader.items(slot_map.get("rooms"), f"{i}.timeSlots.{j}.rooms")
            ):
                room_map = reader.mapping(room, f"{i}.timeSlots.{j}.rooms.{k}")
                if room_map.get("session") is not None:
                    found.append((f"{i}.timeSlots.{j}.rooms.{k}.session", room_map["session"]))
    return found


def _lookups(data: dict[str, Any], reader: JsonReader) -> _Lookups:
    lookups = _Lookups()
    for i, raw in enumerate(reader.items(data.get("speakers"), "speakers")):
        speaker = reader.mapping(raw, f"speakers.{i}")
        person = _person(speaker)
        if person is not None:
            lookups.speakers[clean(speaker.get("id"))] = person
    for i, raw in enumerate(reader.items(data.get("rooms"), "rooms")):
        room = reader.mapping(raw, f"rooms.{i}")
        name = optional_text(room.get("name"))
        if name:
            lookups.rooms[clean(room.get("id"))] = name
    for i, raw in enumerate(reader.items(data.get("categories"), "categories")):
        category = reader.mapping(raw, f"categories.{i}")
        title = clean(category.get("title"))
        for j, item in enumerate(reader.items(category.get("items"), f"categories.{i}.items")):
            entry = reader.mapping(item, f"categories.{i}.items.{j}")
            lookups.categories[clean(entry.get("id"))] = (title, clean(entry.get("name")))
    return lookups


def _person(speaker: dict[str, Any]) -> Person | None:
    """A speaker object (All data, Speakers view) or a session's inline ``{id, name}``."""
    name = optional_text(speaker.get("fullName")) or optional_text(speaker.get("name"))
    if not name:
        name = clean(f"{clean(speaker.get('firstName'))} {clean(speaker.get('lastName'))}")
    if not name:
        return None
    handle = None
    links = speaker.get("links")
    for link in links if isinstance(links, list) else []:
        if isinstance(link, dict) and is_bluesky_link(
            link.get("linkType") or link.get("title"), link.get("url")
        ):
            handle = bluesky_handle(link.get("url"))
            if handle:
                break
    return Person(name, optional_text(speaker.get("tagLine")), handle)


def _talk(session: dict[str, Any], path: str, lookups: _Lookups, reader: JsonReader) -> Talk | None:
    title = optional_text(session.get("title"))
    if not title:
        raise reader.error(f"{path}.title", "is missing (every session needs a title)")
    if session.get("startsAt") in (None, ""):
        return None
    start = reader.moment(session.get("startsAt"), f"{path}.startsAt")
    raw_end = session.get("endsAt")
    end = start if raw_end in (None, "") else reader.moment(raw_end, f"{path}.endsAt")
    speakers = _speakers(session.get("speakers"), f"{path}.speakers", lookups, reader)
    categories = _categories(session, lookups)
    service = session.get("isServiceSession") is True
    pause = service or guess_kind(None, title) == "break"
    room = optional_text(session.get("room")) or lookups.rooms.get(clean(session.get("roomId")))
    track = categories.get("track") or next(
        (v for k, v in categories.items() if k not in ("language", "level", "format")), None
    )
    return Talk(
        title=title,
        start=start,
        end=end,
        room=room,
        speakers=speakers,
        kind="break" if pause and not speakers else "talk",
        track=track,
        abstract=clean_block(session.get("description")),
        language=categories.get("language"),
        url=optional_text(session.get("liveUrl")),
        source_id=clean(session.get("id")) or None,
    )


def _speakers(value: object, path: str, lookups: _Lookups, reader: JsonReader) -> list[Person]:
    people: list[Person] = []
    for i, raw in enumerate(reader.items(value, path)):
        if isinstance(raw, dict):
            key = clean(raw.get("id"))
            person = lookups.speakers.get(key) or _person(raw)
        else:
            key = clean(raw)
            person = lookups.speakers.get(key)
            if person is None:
                raise reader.error(
                    f"{path}.{i}", f"names speaker {key!r}, who is not in the speakers list"
                )
        if person is not None and person not in people:
            people.append(person)
    return people


def _categories(session: dict[str, Any], lookups: _Lookups) -> dict[str, str]:
    """Lower-cased category title -> item name ("track" -> "Cloud")."""
    found: dict[str, str] = {}
    items = session.get("categoryItems")
    for item in items if isinstance(items, list) else []:
        title, name = lookups.categories.get(clean(item), ("", ""))
        if name:
            found.setdefault(_category_key(title), name)
    inline = session.get("categories")
    for category in inline if isinstance(inline, list) else []:
        if not isinstance(category, dict):
            continue
        values = category.get("categoryItems")
        names = [clean(v.get("name")) for v in values if isinstance(v, dict)] if values else []
        if names and names[0]:
            found.setdefault(_category_key(clean(category.get("name"))), names[0])
    return found


def _category_key(title: str) -> str:
    folded = title.casefold()
    for known in ("track", "language", "level", "format"):
        if known in folded:
            return known
    return folded
