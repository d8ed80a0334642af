"""frab-compatible ``schedule.xml`` (frab, pretalx, c3voc hub) -> :class:`Schedule`.

Parsed with ``defusedxml`` because the file comes from elsewhere. Only *direct* children of
``<event>`` are read: the hub nests ``<attachments><attachment><title/>`` inside events, and a
descendant search picks an attachment's title. Each event's ``<date>`` carries the real offset
and so decides the calendar day, even for talks after midnight listed under the previous
``<day>``.
"""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from typing import Any
from xml.etree.ElementTree import Element, TreeBuilder
from zoneinfo import ZoneInfo

import defusedxml
from defusedxml.ElementTree import DefusedXMLParser, ParseError

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

_FIX_TIME = "Fix the time in the file (ISO 8601 with offset, e.g. 2025-12-27T16:00:00+01:00)."


class _LineBuilder:
    """A tree builder that remembers the line each element starts on, for error messages."""

    def __init__(self) -> None:
        self.builder = TreeBuilder()
        self.lines: dict[int, int] = {}
        self.parser: Any = None

    def start(self, tag: str, attrs: dict[str, str]) -> Element:
        element = self.builder.start(tag, attrs)
        self.lines[id(element)] = self.parser.parser.CurrentLineNumber if self.parser else 0
        return element

    def end(self, tag: str) -> Element:
        return self.builder.end(tag)

    def data(self, data: str) -> None:
        self.builder.data(data)

    def close(self) -> Element:
        return self.builder.close()


class _Reader:
    """One file being read: the path and element lines for errors, the zone for bare times."""

    def __init__(self, ctx: ImportContext, lines: dict[int, int], zone: ZoneInfo) -> None:
        self.ctx = ctx
        self.lines = lines
        self.zone = zone

    def error(
        self, element: Element, field: str, message: str, hint: str | None = None
    ) -> ScheduleError:
        line = self.lines.get(id(element))
        return ScheduleError(self.ctx.path, message, line=line, field=field, hint=hint)


def parse(text: str, ctx: ImportContext) -> Schedule:
    """Read every ``<event>`` of every ``<room>`` of every ``<day>``."""
    root, lines = _parse_xml(text, ctx.path)
    if root.tag != "schedule":
        raise ScheduleError(
            ctx.path,
            f"is XML, but its root element is <{root.tag}>, not <schedule>",
            line=lines.get(id(root)),
            hint="Export the programme as frab/pretalx schedule.xml, or pass --format.",
        )
    conference = root.find("conference")
    zone = zone_or_none(conference.findtext("time_zone_name") if conference is not None else None)
    reader = _Reader(ctx, lines, zone or ctx.timezone)
    talks = [
        _talk(event, day, room, reader)
        for day in root.findall("day")
        for room in day.findall("room")
        for event in room.findall("event")
    ]
    title = conference.findtext("title") if conference is not None else None
    return Schedule(talks=talks, title=optional_text(title), timezone=zone.key if zone else None)


def _parse_xml(text: str, path: str) -> tuple[Element, dict[int, int]]:
    builder = _LineBuilder()
    parser = DefusedXMLParser(target=builder)
    builder.parser = parser
    try:
        parser.feed(text)
        root: Element = parser.close()
    except ParseError as exc:
        line, column = exc.position
        reason = re.sub(r": line \d+, column \d+$", "", str(exc))
        raise ScheduleError(
            path,
            f"is not well-formed XML ({reason} at column {column + 1})",
            line=line,
            hint="The file may be truncated: export it again.",
        ) from None
    except defusedxml.DefusedXmlException:
        raise ScheduleError(
            path,
            "declares XML entities or a DTD, which livepost refuses to expand for safety",
            hint="Export the schedule again from frab, pretalx or the hub.",
        ) from None
    return root, builder.lines


def _child(event: Element, tag: str) -> Element | None:
    """A direct child only: never an attachment's or link's element of the same name."""
    return event.find(tag)


def _either(element: Element | None, fallback: Element) -> Element:
    """``element`` unless it is missing (an Element with no children is falsy, so no ``or``)."""
    return element if element is not None else fallback


def _text(event: Element, tag: str) -> str | None:
    child = _child(event, tag)
    return child.text if child is not None else None


def _talk(event: Element, day: Element, room: Element, reader: _Reader) -> Talk:
    title = clean(_text(event, "title"))
    if not title:
        raise reader.error(
            event, "title", "every talk needs a title", hint="Add the title or remove the event."
        )
    start = _start(event, day, reader)
    return Talk(
        title=title,
        start=start,
        end=_end(event, start, reader),
        room=optional_text(_text(event, "room")) or optional_text(room.get("name")),
        speakers=_persons(event),
        kind=guess_kind(_text(event, "type"), title),
        track=optional_text(_text(event, "track")),
        abstract=clean_block(_text(event, "abstract")) or clean_block(_text(event, "description")),
        language=optional_text(_text(event, "language")),
        url=optional_text(_text(event, "url")),
        source_id=optional_text(event.get("guid")) or optional_text(event.get("id")),
    )


def _start(event: Element, day: Element, reader: _Reader) -> datetime:
    date_element = _child(event, "date")
    raw = clean(date_element.text if date_element is not None else None)
    if len(raw) > 10:
        try:
            return parse_datetime(raw, reader.zone)
        except ValueError as exc:
            raise reader.error(
                _either(date_element, event), "date", str(exc), hint=_FIX_TIME
            ) from None
    # Old frab and pentabarf: the day's date plus the event's clock time.
    try:
        day_date = parse_date(raw or day.get("date"))
    except ValueError as exc:
        where = (date_element, "date") if raw and date_element is not None else (day, "day date")
        raise reader.error(where[0], where[1], str(exc), hint=_FIX_TIME) from None
    start_element = _child(event, "start")
    try:
        return day_and_clock(
            day_date,
            clean(start_element.text if start_element is not None else None),
            reader.zone,
            _day_start(day, reader.zone),
        )
    except ValueError as exc:
        raise reader.error(
            _either(start_element, event), "start", str(exc), hint=_FIX_TIME
        ) from None


def _day_start(day: Element, zone: ZoneInfo) -> time | None:
    try:
        return parse_datetime(day.get("start"), zone).time()
    except ValueError:
        return None


def _end(event: Element, start: datetime, reader: _Reader) -> datetime:
    end_element = _child(event, "end")
    if end_element is not None and clean(end_element.text):
        try:
            return parse_datetime(clean(end_element.text), reader.zone)
        except ValueError as exc:
            raise reader.error(end_element, "end", str(exc), hint=_FIX_TIME) from None
    duration_element = _child(event, "duration")
    raw = clean(duration_element.text if duration_element is not None else None)
    if not raw:
        raise reader.error(
            _either(duration_element, event),
            "duration",
            "missing: every talk needs a duration or an end",
            hint="Give a duration as H:MM (e.g. 0:45).",
        )
    try:
        length: timedelta = parse_duration(raw)
    except ValueError as exc:
        raise reader.error(_either(duration_element, event), "duration", str(exc)) from None
    return start + length


def _persons(event: Element) -> list[Person]:
    persons = _child(event, "persons")
    if persons is None:
        return []
    names = (optional_text(person.text) for person in persons.findall("person"))
    return [Person(name) for name in names if name]
