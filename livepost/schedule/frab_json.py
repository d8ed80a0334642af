"""frab-compatible ``schedule.json`` (frab, pretalx, c3voc hub) -> :class:`Schedule`.

Each event's ``date`` carries the real UTC offset, so it wins over ``time_zone_name`` (pretalx's
DemoCon says "UTC" and means +01:00). Only when ``date`` is missing do we fall back to the day's
date, the event's ``start`` clock and the conference zone. Real files miss fields, add fields and
fail the official schema, so nothing beyond title and time is required.
"""

from __future__ import annotations

import json
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from livepost.errors import ScheduleError
from livepost.model import Person, Schedule, Talk
from livepost.schedule.common import ImportContext, clean, parse_duration
from livepost.schedule.fields import (
    clean_block,
    day_and_clock,
    guess_kind,
    optional_text,
    parse_date,
    parse_datetime,
    zone_or_none,
)

_FIX_TIME = "Fix the time in the file (ISO 8601 with offset, e.g. 2019-08-21T11:00:00+02:00)."


def parse(text: str, ctx: ImportContext) -> Schedule:
    """Read every event of every room of every day."""
    data = load_json(text, ctx.path)
    root: Any = data
    prefix = ""
    if isinstance(data, dict) and isinstance(data.get("schedule"), dict):
        root, prefix = data["schedule"], "schedule."
    conference = root.get("conference") if isinstance(root, dict) else None
    conf_path = f"{prefix}conference"
    if not isinstance(conference, dict):
        raise _error(ctx, conf_path, "missing: this is not a frab/pretalx schedule.json")
    zone = zone_or_none(conference.get("time_zone_name"))
    days = conference.get("days")
    if not isinstance(days, list):
        raise _error(ctx, f"{conf_path}.days", "missing: the schedule has no days")
    talks: list[Talk] = []
    for i, day in enumerate(days):
        day_path = f"{conf_path}.days.{i}"
        if not isinstance(day, dict):
            raise _error(ctx, day_path, "is not a day (an object with date and rooms)")
        rooms = day.get("rooms") or {}
        if not isinstance(rooms, dict):
            raise _error(ctx, f"{day_path}.rooms", "is not an object mapping room names to events")
        for room_name, events in rooms.items():
            if not isinstance(events, list):
                if events is None:
                    continue
                raise _error(ctx, f"{day_path}.rooms.{room_name}", "is not a list of events")
            for j, event in enumerate(events):
                path = f"{day_path}.rooms.{room_name}.{j}"
                talks.append(_talk(event, path, day, str(room_name), zone or ctx.timezone, ctx))
    return Schedule(
        talks=talks,
        title=optional_text(conference.get("title")),
        timezone=zone.key if zone else None,
    )


def load_json(text: str, path: str) -> Any:
    """Decode JSON, naming the line of the first syntax error (a truncated export, usually)."""
    try:
        return json.loads(text.removeprefix("\ufeff"))
    except json.JSONDecodeError as exc:
        raise ScheduleError(
            path,
            f"is not valid JSON ({exc.msg.removesuffix(' at')} at column {exc.colno})",
            line=exc.lineno,
            hint="The file may be truncated: export it again.",
        ) from None
    except RecursionError:
        raise ScheduleError(
            path,
            "is nested too deeply to be a programme (thousands of levels of brackets)",
            hint="Check that this is the programme export, not another file.",
        ) from None
    except ValueError as exc:  # an integer of thousands of digits (int_max_str_digits)
        raise ScheduleError(
            path,
            f"holds a number too long to read ({str(exc).split(':')[0]})",
            hint="Check that this is the programme export, not another file.",
        ) from None


def _error(ctx: ImportContext, field: str, message: str, hint: str | None = None) -> ScheduleError:
    return ScheduleError(ctx.path, message, field=field, hint=hint)


def _talk(
    event: object, path: str, day: dict[str, Any], room_key: str, zone: ZoneInfo, ctx: ImportContext
) -> Talk:
    if not isinstance(event, dict):
        raise _error(ctx, path, "is not an event (an object with title, date and duration)")
    title = clean(event.get("title"))
    if not title:
        raise _error(
            ctx, f"{path}.title", "every talk needs a title", hint="Add the title or remove it."
        )
    start = _start(event, path, day, zone, ctx)
    return Talk(
        title=title,
        start=start,
        end=_end(event, path, start, zone, ctx),
        room=optional_text(event.get("room")) or clean(room_key) or None,
        speakers=_persons(event.get("persons")),
        kind=guess_kind(event.get("type"), title),
        track=_name(event.get("track")),
        abstract=clean_block(event.get("abstract")) or clean_block(event.get("description")),
        language=optional_text(event.get("language")),
        url=optional_text(event.get("url")),
        source_id=optional_text(event.get("guid")) or optional_text(event.get("id")),
    )


def _start(
    event: dict[str, Any], path: str, day: dict[str, Any], zone: ZoneInfo, ctx: ImportContext
) -> datetime:
    raw = event.get("date")
    if isinstance(raw, str) and len(raw.strip()) > 10:
        try:
            return parse_datetime(raw, zone)
        except ValueError as exc:
            raise _error(ctx, f"{path}.date", str(exc), hint=_FIX_TIME) from None
    # Old frab: the day's date plus the event's clock time.
    date_field, date_value = (f"{path}.date", raw) if raw else (_day_path(path) + ".date", None)
    try:
        day_date = parse_date(date_value if date_value else day.get("date"))
    except ValueError as exc:
        raise _error(ctx, date_field, str(exc), hint=_FIX_TIME) from None
    try:
        return day_and_clock(day_date, event.get("start"), zone, _day_start(day, zone))
    except ValueError as exc:
        raise _error(ctx, f"{path}.start", str(exc), hint=_FIX_TIME) from None


def _day_path(path: str) -> str:
    return path.split(".rooms.", 1)[0]


def _day_start(day: dict[str, Any], zone: ZoneInfo) -> time | None:
    """The clock at which this day's programme begins (days often run past midnight)."""
    try:
        return parse_datetime(day.get("day_start"), zone).time()
    except ValueError:
        return None


def _end(
    event: dict[str, Any], path: str, start: datetime, zone: ZoneInfo, ctx: ImportContext
) -> datetime:
    if event.get("end"):
        try:
            return parse_datetime(event["end"], zone)
        except ValueError as exc:
            raise _error(ctx, f"{path}.end", str(exc), hint=_FIX_TIME) from None
    duration = event.get("duration")
    if duration is None or duration == "":
        raise _error(
            ctx,
            f"{path}.duration",
            "missing: every talk needs a duration or an end",
            hint="Give a duration as H:MM (e.g. 0:45) or an end time.",
        )
    if isinstance(duration, bool) or not isinstance(duration, str | int | float):
        raise _error(ctx, f"{path}.duration", f"{duration!r} is not a duration")
    try:
        length: timedelta = parse_duration(duration)
    except ValueError as exc:
        raise _error(ctx, f"{path}.duration", str(exc)) from None
    return start + length


def _persons(value: object) -> list[Person]:
    """frab ``{id, public_name}``, pretalx ``{name, code, ...}`` or plain strings."""
    if not isinstance(value, list):
        return []
    people: list[Person] = []
    for item in value:
        if isinstance(item, dict):
            name = (
                optional_text(item.get("public_name"))
                or optional_text(item.get("name"))
                or optional_text(item.get("full_public_name"))
            )
        else:
            name = optional_text(item)
        if name:
            people.append(Person(name))
    return people


def _name(value: object) -> str | None:
    """A track given as a string or as ``{"name": ...}`` (hub)."""
    if isinstance(value, dict):
        return optional_text(value.get("name"))
    return optional_text(value)
