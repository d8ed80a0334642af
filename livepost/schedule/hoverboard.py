"""GDG Hoverboard's data file (``default-firebase-data.json`` or a Firestore export) -> Schedule.

``schedule`` holds the days (an object keyed by date, or a list), each with ``tracks`` (the
rooms, in column order) and ``timeslots`` (``startTime``, ``endTime``, and one cell per track with
the ``items`` it shows; a cell's ``extend`` spans several tracks). ``sessions`` and ``speakers``
are objects keyed by id. Clock times are local to the event. Several items in one cell share the
slot equally, one after the other, as the Hoverboard site shows them. A session without speakers
whose title is a break (Registration, Lunch, Coffee break) is a break. A speaker's Bluesky handle
comes from a social link named or iconed "bluesky", or a bsky.app URL.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from livepost.model import Person, Schedule, Talk
from livepost.schedule.common import ImportContext, clean, localize, parse_clock
from livepost.schedule.fields import clean_block, guess_kind, optional_text, parse_date
from livepost.schedule.frab_json import load_json
from livepost.schedule.handles import bluesky_handle, is_bluesky_link
from livepost.schedule.jsonread import JsonReader

_HINT = "Fix the value in the Hoverboard data file (or export it from Firestore again)."


def parse(text: str, ctx: ImportContext) -> Schedule:
    """Read the schedule grid and look up the sessions and speakers it references."""
    data = load_json(text, ctx.path)
    reader = JsonReader(ctx, _HINT)
    root = reader.mapping(data, "(top level)")
    sessions = reader.mapping(root.get("sessions"), "sessions")
    speakers = _speakers(root.get("speakers"), reader)
    schedule = root.get("schedule")
    if isinstance(schedule, dict):
        days = [(f"schedule.{key}", day) for key, day in schedule.items()]
    else:
        days = [(f"schedule.{i}", day) for i, day in enumerate(reader.items(schedule, "schedule"))]
    talks: list[Talk] = []
    seen: set[tuple[str, datetime]] = set()
    for path, raw in days:
        day = reader.mapping(raw, path)
        for talk in _day(day, path, sessions, speakers, reader):
            key = (talk.source_id or talk.title, talk.start)
            if key not in seen:
                seen.add(key)
                talks.append(talk)
    return Schedule(talks=talks)


def _speakers(value: object, reader: JsonReader) -> dict[str, Person]:
    if value is None:
        return {}
    people: dict[str, Person] = {}
    for key, raw in reader.mapping(value, "speakers").items():
        speaker = reader.mapping(raw, f"speakers.{key}")
        name = optional_text(speaker.get("name"))
        if not name:
            continue
        handle = None
        socials = speaker.get("socials")
        for social in socials if isinstance(socials, list) else []:
            if isinstance(social, dict) and is_bluesky_link(
                social.get("icon") or social.get("name"), social.get("link")
            ):
                handle = bluesky_handle(social.get("link"))
                if handle:
                    break
        people[key] = Person(name, optional_text(speaker.get("company")), handle)
    return people


def _day(
    day: dict[str, Any],
    path: str,
    sessions: dict[str, Any],
    speakers: dict[str, Person],
    reader: JsonReader,
) -> list[Talk]:
    try:
        when = parse_date(day.get("date") or path.rsplit(".", 1)[-1])
    except ValueError as exc:
        raise reader.error(f"{path}.date", str(exc)) from None
    tracks = [
        optional_text(t.get("title")) if isinstance(t, dict) else optional_text(t)
        for t in reader.items(day.get("tracks"), f"{path}.tracks")
    ]
    talks: list[Talk] = []
    for i, raw in enumerate(reader.items(day.get("timeslots"), f"{path}.timeslots")):
        spath = f"{path}.timeslots.{i}"
        slot = reader.mapping(raw, spath)
        start = _clock(when, slot.get("startTime"), f"{spath}.startTime", reader)
        end = _clock(when, slot.get("endTime"), f"{spath}.endTime", reader)
        if end < start:
            end += timedelta(days=1)
        column = 0
        for j, cell_raw in enumerate(reader.items(slot.get("sessions"), f"{spath}.sessions")):
            cpath = f"{spath}.sessions.{j}"
            cell = reader.mapping(cell_raw, cpath)
            room = tracks[column] if column < len(tracks) else None
            extend = cell.get("extend")
            column += extend if isinstance(extend, int) and extend > 0 else 1
            items = reader.items(cell.get("items"), f"{cpath}.items")
            share = (end - start) / max(len(items), 1)
            for k, item in enumerate(items):
                ipath = f"{cpath}.items.{k}"
                key = clean(item)
                if key not in sessions:
                    raise reader.error(ipath, f"names session {key!r}, which is not in sessions")
                begin = start + share * k
                talks.append(
                    _talk(key, sessions[key], begin, begin + share, room, speakers, reader)
                )
    return talks


def _clock(day: date, value: object, path: str, reader: JsonReader) -> datetime:
    try:
        return localize(day, parse_clock(clean(value)), reader.ctx.timezone)
    except ValueError as exc:
        raise reader.error(path, str(exc)) from None


def _talk(
    key: str,
    raw: object,
    start: datetime,
    end: datetime,
    room: str | None,
    speakers: dict[str, Person],
    reader: JsonReader,
) -> Talk:
    path = f"sessions.{key}"
    session = reader.mapping(raw, path)
    title = optional_text(session.get("title"))
    if not title:
        raise reader.error(f"{path}.title", "is missing (every session needs a title)")
    people: list[Person] = []
    for i, speaker in enumerate(reader.items(session.get("speakers"), f"{path}.speakers")):
        person = speakers.get(clean(speaker))
        if person is None:
            raise reader.error(
                f"{path}.speakers.{i}", f"names speaker {clean(speaker)!r}, who is not in speakers"
            )
        people.append(person)
    tags = session.get("tags")
    track = optional_text(tags[0]) if isinstance(tags, list) and tags else None
    kind = guess_kind(None, title)
    return Talk(
        title=title,
        start=start,
        end=end,
        room=room,
        speakers=people,
        kind="break" if kind == "break" and not people else "talk",
        track=track,
        abstract=clean_block(session.get("description")),
        language=optional_text(session.get("language")),
        source_id=key,
    )
