"""Indico HTTP API export (``/export/event/ID.json?detail=contributions|sessions``) -> Schedule.

Dates come as ``{date, time, tz}`` objects and their own ``tz`` wins (XDC 2021's event says
Europe/Warsaw while every date is UTC). Speakers are often empty with the people in
``primaryauthors``; descriptions are HTML. Sessions (``detail=sessions``) nest contributions, and
the timetable export (``/export/timetable/ID.json``) nests entries, including breaks, by day.
Contributions without a start are unscheduled: they are not in the programme, so they are skipped.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from livepost.errors import ScheduleError
from livepost.model import Person, Schedule, Talk
from livepost.schedule.common import ImportContext, clean, localize, parse_clock
from livepost.schedule.fields import (
    guess_kind,
    optional_text,
    parse_date,
    parse_datetime,
    strip_html,
    zone_or_none,
)
from livepost.schedule.frab_json import load_json

_FIX_TIME = 'Fix the date in the export (e.g. {"date": "2021-09-15", "time": "11:00:00"}).'


class _Reader:
    """One file being read: where errors point, which zone bare times are in, what was seen."""

    def __init__(self, ctx: ImportContext) -> None:
        self.ctx = ctx
        self.talks: list[Talk] = []
        self.seen: set[str] = set()

    def error(self, field: str, message: str, hint: str | None = None) -> ScheduleError:
        return ScheduleError(self.ctx.path, message, field=field, hint=hint)


def parse(text: str, ctx: ImportContext) -> Schedule:
    """Read the contributions (and sessions, timetable entries) of every exported event."""
    data = load_json(text, ctx.path)
    results = data.get("results") if isinstance(data, dict) else None
    reader = _Reader(ctx)
    if isinstance(results, dict):  # the timetable export: {event id: {YYYYMMDD: {id: entry}}}
        for event_id, days in results.items():
            _timetable(days, f"results.{event_id}", reader)
        return Schedule(talks=reader.talks)
    if not isinstance(results, list):
        raise reader.error("results", "missing: this is not an Indico event export")
    title: str | None = None
    timezone: str | None = None
    for i, event in enumerate(results):
        path = f"results.{i}"
        if not isinstance(event, dict):
            raise reader.error(path, "is not an event")
        zone = zone_or_none(event.get("timezone"))
        title = title or optional_text(event.get("title"))
        timezone = timezone or (zone.key if zone else None)
        _contributions(event.get("contributions"), f"{path}.contributions", zone, None, reader)
        sessions = event.get("sessions")
        for k, session in enumerate(sessions if isinstance(sessions, list) else []):
            if isinstance(session, dict):
                room = optional_text(session.get("room"))
                spath = f"{path}.sessions.{k}.contributions"
                _contributions(session.get("contributions"), spath, zone, room, reader)
    return Schedule(talks=reader.talks, title=title, timezone=timezone)


def _contributions(
    items: object, path: str, zone: ZoneInfo | None, room: str | None, reader: _Reader
) -> None:
    if items is None:
        return
    if not isinstance(items, list):
        raise reader.error(path, "is not a list of contributions")
    for j, item in enumerate(items):
        _add(item, f"{path}.{j}", zone, room, reader)


def _timetable(days: object, path: str, reader: _Reader) -> None:
    if not isinstance(days, dict):
        raise reader.error(path, "is not a timetable (days mapping to entries)")
    for day, entries in days.items():
        _entries(entries, f"{path}.{day}", None, reader)


def _entries(entries: object, path: str, room: str | None, reader: _Reader) -> None:
    if not isinstance(entries, dict):
        return
    for key, entry in entries.items():
        epath = f"{path}.{key}"
        if not isinstance(entry, dict):
            raise reader.error(epath, "is not a timetable entry")
        children = entry.get("entries")
        if entry.get("entryType") == "Session" and isinstance(children, dict) and children:
            _entries(children, f"{epath}.entries", optional_text(entry.get("room")) or room, reader)
        else:
            _add(entry, epath, None, room, reader)


def _add(item: object, path: str, zone: ZoneInfo | None, room: str | None, reader: _Reader) -> None:
    if not isinstance(item, dict):
        raise reader.error(path, "is not a contribution")
    if item.get("startDate") is None:
        return  # unscheduled
    source_id = optional_text(item.get("contributionId")) or optional_text(item.get("id"))
    if source_id:
        if source_id in reader.seen:
            return
        reader.seen.add(source_id)
    title = clean(item.get("title"))
    if not title:
        raise reader.error(
            f"{path}.title",
            "every talk needs a title",
            hint="Add the title in Indico or remove it.",
        )
    start = _moment(item["startDate"], f"{path}.startDate", zone, reader)
    is_break = item.get("_type") == "Break" or item.get("entryType") == "Break"
    reader.talks.append(
        Talk(
            title=title,
            start=start,
            end=_end(item, path, start, zone, reader),
            room=optional_text(item.get("room")) or optional_text(item.get("roomFullname")) or room,
            speakers=_people(item),
            kind="break" if is_break else guess_kind(_name(item.get("type")), title),
            track=_name(item.get("track")),
            abstract=strip_html(item.get("description")),
            url=optional_text(item.get("url")),
            source_id=source_id,
        )
    )


def _moment(value: object, path: str, zone: ZoneInfo | None, reader: _Reader) -> datetime:
    """``{date, time, tz}`` in its own zone, or an ISO string."""
    fallback = zone or reader.ctx.timezone
    if isinstance(value, str):
        try:
            return parse_datetime(value, fallback)
        except ValueError as exc:
            raise reader.error(path, str(exc), hint=_FIX_TIME) from None
    if not isinstance(value, dict):
        raise reader.error(path, f"{value!r} is not a date", hint=_FIX_TIME)
    try:
        day = parse_date(value.get("date"))
    except ValueError as exc:
        raise reader.error(f"{path}.date", str(exc), hint=_FIX_TIME) from None
    raw_time = value.get("time")
    try:
        if not isinstance(raw_time, str):
            raise ValueError(f"{raw_time!r} is not a time (use HH:MM:SS, e.g. 14:05:00)")
        clock = parse_clock(raw_time.split(".", 1)[0])
    except ValueError as exc:
        raise reader.error(f"{path}.time", str(exc), hint=_FIX_TIME) from None
    tz = value.get("tz")
    own_zone = zone_or_none(tz)
    if tz and own_zone is None:
        raise reader.error(
            f"{path}.tz", f"{tz!r} is not a time zone", hint="Use an IANA name like Europe/Warsaw."
        )
    return localize(day, clock, own_zone or fallback)


def _end(
    item: dict[str, Any], path: str, start: datetime, zone: ZoneInfo | None, reader: _Reader
) -> datetime:
    duration = item.get("duration")
    if isinstance(duration, int | float) and not isinstance(duration, bool):
        if duration < 0:
            raise reader.error(f"{path}.duration", f"{duration} is a negative duration")
        return start + timedelta(minutes=duration)
    if item.get("endDate") is not None:
        return _moment(item["endDate"], f"{path}.endDate", zone, reader)
    raise reader.error(
        f"{path}.duration",
        "missing: every talk needs a duration (minutes) or an endDate",
        hint="Export the event again with its timetable filled in.",
    )


def _people(item: dict[str, Any]) -> list[Person]:
    """The speakers; else the primary authors (co-authors rarely present)."""
    for key in ("speakers", "presenters", "primaryauthors"):
        people = [p for p in (_person(x) for x in item.get(key) or []) if p]
        if people:
            return people
    return []


def _person(value: object) -> Person | None:
    if isinstance(value, str):
        return Person(clean(value)) if clean(value) else None
    if not isinstance(value, dict):
        return None
    first = clean(value.get("first_name") or value.get("firstName")).strip(", ")
    last = clean(value.get("last_name") or value.get("familyName")).strip(", ")
    name = f"{first} {last}".strip() or clean(value.get("fullName") or value.get("name"))
    if not name:
        return None
    return Person(name, affiliation=optional_text(value.get("affiliation")))


def _name(value: object) -> str | None:
    """A type or track given as a string or as ``{"name": ...}``."""
    if isinstance(value, dict):
        return optional_text(value.get("name") or value.get("title"))
    return optional_text(value)
