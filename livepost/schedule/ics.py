"""iCalendar (.ics) programmes: pretalx's "iCal (full event)" export and hand-rolled generators.

Parsing is icalendar's job; this module decides what the properties mean for a programme. Two
rules come from real files: a TZID that names an IANA zone is resolved through zoneinfo even when
the embedded VTIMEZONE disagrees (PyCon AU 2023's says +09:00 for Adelaide, which is +09:30), and
UIDs are only used as source ids when they are unique (MOCA 2024 gives 67 events one UID).
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import icalendar

from livepost.errors import ScheduleError
from livepost.model import Person, Schedule, Talk
from livepost.schedule.common import ImportContext, clean
from livepost.schedule.fields import guess_kind

_HINT = "Export the calendar again, or check the file in a text editor at that line."


def parse(text: str, ctx: ImportContext) -> Schedule:
    """Read every VEVENT of an iCalendar file as a talk."""
    lines = text.splitlines()
    calendar = _read_calendar(text, lines, ctx)
    events = list(calendar.walk("VEVENT"))
    starts = _event_lines(lines)
    pretalx = "pretalx" in str(calendar.get("PRODID", "")).lower() or any(
        str(e.get("UID", "")).startswith("pretalx-") for e in events
    )
    uids = Counter(str(e.get("UID", "")).strip() for e in events)
    house_organizer = _house_organizer(events)
    zones: list[str | None] = []
    talks: list[Talk] = []
    for index, event in enumerate(events):
        where = starts[index] if index < len(starts) else None
        talk = _talk(event, ctx, lines, where, pretalx, uids, house_organizer, zones)
        if talk is not None:
            talks.append(talk)
    if not talks:
        raise ScheduleError(
            ctx.path,
            "contains no timed events (VEVENT with a DTSTART date and time)",
            hint="Export the full programme, not an empty or all-day calendar.",
        )
    return Schedule(
        talks=talks,
        title=clean(calendar.get("X-WR-CALNAME") or calendar.get("NAME")) or None,
        timezone=_calendar_zone(calendar, zones),
    )


def _read_calendar(text: str, lines: list[str], ctx: ImportContext) -> Any:
    """icalendar's parse, with its ValueErrors turned into errors that name the file and line."""
    try:
        calendar = icalendar.Calendar.from_ical(text)
    except ValueError as exc:
        message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        quoted = re.search(r"'(.+?)'", message)
        line = _find_line(lines, quoted.group(1)) if quoted else None
        raise ScheduleError(
            ctx.path, f"is not a valid iCalendar file ({message})", line=line, hint=_HINT
        ) from None
    if calendar.name != "VCALENDAR":
        raise ScheduleError(
            ctx.path,
            "is not an iCalendar file (it must start with BEGIN:VCALENDAR)",
            line=1,
            hint=_HINT,
        )
    return calendar


def _talk(
    event: Any,
    ctx: ImportContext,
    lines: list[str],
    line: int | None,
    pretalx: bool,
    uids: Counter[str],
    house_organizer: str | None,
    zones: list[str | None],
) -> Talk | None:
    """One VEVENT as a talk; ``None`` for all-day and cancelled events, which are not talks."""
    if clean(event.get("STATUS")).upper() == "CANCELLED":
        return None
    for prop, reason in event.errors:
        if prop in ("DTSTART", "DTEND", "DURATION", "SUMMARY"):
            raise ScheduleError(
                ctx.path,
                f"{prop}: {reason}",
                line=_property_line(lines, line, prop),
                hint=_HINT,
            )
    if event.get("DTSTART") is None:
        raise ScheduleError(ctx.path, "event has no DTSTART", line=line, hint=_HINT)
    start = _when(event, "DTSTART", ctx, lines, line)
    if start is None:
        return None
    end = _end(event, start, ctx, lines, line)
    zones.append(start.tzinfo.key if isinstance(start.tzinfo, ZoneInfo) and _tzid(event) else None)
    summary = clean(event.get("SUMMARY"))
    if not summary:
        raise ScheduleError(ctx.path, "event has no SUMMARY (title)", line=line, hint=_HINT)
    title, speakers = _split_pretalx(summary) if pretalx else (summary, [])
    if not pretalx:
        speakers = _people(event, house_organizer)
    return Talk(
        title=title,
        start=start,
        end=end,
        room=clean(event.get("LOCATION")) or None,
        speakers=speakers,
        kind=guess_kind(None, title),
        track=_track(event),
        abstract=str(event.get("DESCRIPTION", "")).strip() or None,
        url=clean(event.get("URL")) or None,
        source_id=_source_id(event, uids),
    )


def _when(
    event: Any,
    prop: str,
    ctx: ImportContext,
    lines: list[str],
    line: int | None,
) -> datetime | None:
    """An aware datetime; IANA TZID first, the embedded VTIMEZONE second, ``ctx.timezone`` for
    floating times. ``None`` for a date without time (an all-day event)."""
    value = event.get(prop)
    if isinstance(value, list):  # a repeated property: the first one counts
        value = value[0]
    moment = value.dt
    if not isinstance(moment, datetime):
        if isinstance(moment, date):
            return None
        raise ScheduleError(
            ctx.path,
            f"{prop}: {value.to_ical().decode(errors='replace')!r} is not a date and time",
            line=_property_line(lines, line, prop),
            hint=_HINT,
        )
    tzid = value.params.get("TZID")
    if tzid:
        zone = _zoneinfo(str(tzid))
        if zone is not None:
            return moment.replace(tzinfo=zone)
        if moment.tzinfo is None:
            raise ScheduleError(
                ctx.path,
                f"{prop}: unknown time zone {str(tzid)!r}",
                line=_property_line(lines, line, prop),
                hint="Use an IANA zone name such as Europe/Berlin in TZID, or add its VTIMEZONE.",
            )
        return moment  # a non-IANA TZID that the embedded VTIMEZONE defines
    if moment.tzinfo is None:
        return moment.replace(tzinfo=ctx.timezone)
    return moment


def _end(
    event: Any,
    start: datetime,
    ctx: ImportContext,
    lines: list[str],
    line: int | None,
) -> datetime:
    """DTEND, else DTSTART + DURATION, else the start itself."""
    if event.get("DTEND") is not None:
        end = _when(event, "DTEND", ctx, lines, line)
        if end is not None:
            return end
    duration = event.get("DURATION")
    if duration is not None and isinstance(duration.dt, timedelta):
        return start + duration.dt
    return start


def _zoneinfo(tzid: str) -> ZoneInfo | None:
    """The IANA zone a TZID names, also for prefixed ids like ``/mozilla.org/.../Europe/Berlin``."""
    parts = tzid.strip().strip("/").split("/")
    for i in range(len(parts)):
        name = "/".join(parts[i:])
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            continue
    return None


_PRETALX_SUMMARY = re.compile(r"(?P<title>.*\S)\s+-(?:\s+(?P<names>.*))?")


def _split_pretalx(summary: str) -> tuple[str, list[Person]]:
    """pretalx writes ``"Title - Speaker1, Speaker2"`` (``"Title - "`` without speakers); the
    title may itself contain " - ", so the last one separates."""
    match = _PRETALX_SUMMARY.fullmatch(summary)
    if not match:
        return summary, []
    names = (clean(name) for name in (match["names"] or "").split(","))
    return match["title"], [Person(name) for name in names if name]


def _cn_names(prop: Any) -> list[str]:
    """The names in a CN parameter; an unquoted comma makes icalendar return a list."""
    value = prop.params.get("CN")
    items = value if isinstance(value, list) else [value]
    return [n for n in (clean(x) for x in items if x) if n]


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _house_organizer(events: list[Any]) -> str | None:
    """The ORGANIZER CN shared by every event (the conference itself, not a speaker)."""
    names = {tuple(_cn_names(o)) for e in events for o in _as_list(e.get("ORGANIZER"))[:1]}
    organised = sum(1 for e in events if e.get("ORGANIZER") is not None)
    if len(events) > 1 and organised == len(events) and len(names) == 1:
        return ", ".join(next(iter(names)))
    return None


def _people(event: Any, house_organizer: str | None) -> list[Person]:
    """Speakers from ORGANIZER CN (unless it is the house organizer) and participating ATTENDEEs."""
    names: list[str] = []
    for organizer in _as_list(event.get("ORGANIZER")):
        cns = _cn_names(organizer)
        if ", ".join(cns) != house_organizer:
            names.extend(cns)
    for attendee in _as_list(event.get("ATTENDEE")):
        role = clean(attendee.params.get("ROLE")).upper()
        cutype = clean(attendee.params.get("CUTYPE")).upper()
        if role in ("", "CHAIR", "REQ-PARTICIPANT") and cutype in ("", "INDIVIDUAL"):
            names.extend(_cn_names(attendee))
    return [Person(n) for n in dict.fromkeys(names)]


def _track(event: Any) -> str | None:
    for prop in _as_list(event.get("CATEGORIES")):
        for category in getattr(prop, "cats", []):
            if clean(category):
                return clean(category)
    return None


def _source_id(event: Any, uids: Counter[str]) -> str | None:
    """The UID when it identifies this event; shared UIDs are useless for matching re-imports."""
    uid = clean(event.get("UID"))
    if not uid:
        return None
    if uids[uid] == 1:
        return uid
    recurrence = event.get("RECURRENCE-ID")
    if recurrence is not None and isinstance(recurrence.dt, date):
        return f"{uid}/{recurrence.dt.isoformat()}"
    return None


def _tzid(event: Any) -> bool:
    value = event.get("DTSTART")
    value = value[0] if isinstance(value, list) else value
    return bool(value.params.get("TZID"))


def _calendar_zone(calendar: Any, zones: list[str | None]) -> str | None:
    """X-WR-TIMEZONE, else the IANA zone every event's TZID names."""
    stated = _zoneinfo(clean(calendar.get("X-WR-TIMEZONE")) or "-")
    if stated is not None:
        return stated.key
    distinct = set(zones)
    return distinct.pop() if len(distinct) == 1 else None


def _event_lines(lines: list[str]) -> list[int]:
    """1-based line numbers of every BEGIN:VEVENT, in document order (icalendar's walk order)."""
    return [n for n, text in enumerate(lines, 1) if text.strip().upper() == "BEGIN:VEVENT"]


def _property_line(lines: list[str], start: int | None, prop: str) -> int | None:
    """The line of ``prop`` inside the event that begins at ``start`` (else the event's line)."""
    if start is None:
        return None
    for n in range(start, len(lines)):
        text = lines[n].strip().upper()
        if text == "END:VEVENT":
            break
        if re.match(rf"{re.escape(prop)}[;:]", text):
            return n + 1
    return start


def _find_line(lines: list[str], fragment: str) -> int | None:
    for n, text in enumerate(lines, 1):
        if fragment in text:
            return n
    return None
