"""What a card shows, as plain strings: the fields layouts name as ``{title}``, ``{when}``...

Rendering and alt text both read these, so the picture and its description never disagree.
Times are shown in the event's time zone, whatever zone the schedule was written in.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import regex

from livepost.errors import ConfigError
from livepost.model import Person, Talk

SEP = " · "
MAX_LISTED_SPEAKERS = 3  # with more, the card lists names only, on one line


@dataclass(frozen=True)
class CardEvent:
    """The event a card belongs to. ``hashtag`` without ``#``; ``timezone`` an IANA name."""

    name: str
    hashtag: str | None = None
    timezone: str = "UTC"
    logo: Path | None = None

    def zone(self) -> ZoneInfo:
        """The event's time zone; an unknown name is a settings error."""
        try:
            return ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ConfigError(
                f"unknown time zone {self.timezone!r}",
                hint="Use an IANA name such as Europe/London in [event] timezone.",
            ) from exc


def clock(moment: datetime, zone: ZoneInfo) -> str:
    """``14:15`` in the event's zone."""
    return moment.astimezone(zone).strftime("%H:%M")


def long_date(moment: datetime, zone: ZoneInfo) -> str:
    """``Tuesday 2 June 2026`` in the event's zone (English names, whatever the locale)."""
    local = moment.astimezone(zone)
    days = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
    months = (
        *("January", "February", "March", "April", "May", "June"),
        *("July", "August", "September", "October", "November", "December"),
    )
    return f"{days[local.weekday()]} {local.day} {months[local.month - 1]} {local.year}"


def join_names(names: Sequence[str]) -> str:
    """``A``, ``A and B``, ``A, B and C``."""
    names = [n for n in names if n]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def one_line(text: str | None) -> str:
    """Programme text with its line breaks and runs of spaces collapsed: the card wraps it."""
    return " ".join((text or "").split())


def speaker_lines(speakers: Sequence[Person]) -> str:
    """One ``Name, Affiliation`` line per speaker; names only when there are many."""
    if len(speakers) > MAX_LISTED_SPEAKERS:
        return ", ".join(one_line(p.name) for p in speakers)
    return "\n".join(
        f"{one_line(p.name)}, {one_line(p.affiliation)}" if p.affiliation else one_line(p.name)
        for p in speakers
    )


def tidy(text: str) -> str:
    """Remove separators left dangling by empty fields (``"14:15 · "`` -> ``"14:15"``)."""
    text = regex.sub(r"(?:\s*·\s*){2,}", SEP, text)
    text = regex.sub(r"^\s*·\s*|\s*·\s*$", "", text, flags=regex.MULTILINE)
    return text.strip()


def talk_fields(talk: Talk, zone: ZoneInfo) -> dict[str, str]:
    """The per-talk fields: title, speakers, time, room..."""
    start, end = clock(talk.start, zone), clock(talk.end, zone)
    time = f"{start}–{end}"
    return {
        "title": one_line(talk.title),
        "speakers": speaker_lines(talk.speakers),
        "speaker_names": join_names([one_line(p.name) for p in talk.speakers]),
        "time": time,
        "start": start,
        "end": end,
        "room": one_line(talk.room),
        "when": tidy(SEP.join([time, one_line(talk.room)])),
        "track": one_line(talk.track),
    }


def default_heading(kind: str, event: CardEvent, talks: Sequence[Talk]) -> str:
    """ "Up next in Room 2" / "Up next" / "In numbers" / ""."""
    if kind == "next":
        rooms = {t.room for t in talks}
        if len(rooms) == 1 and None not in rooms:
            return f"Up next in {rooms.pop()}"
        return "Up next"
    if kind == "wrapup":
        return f"{event.name} in numbers"
    return ""


def card_fields(
    kind: str,
    event: CardEvent,
    talk: Talk | None,
    talks: Sequence[Talk],
    text: str | None,
    heading: str | None,
) -> dict[str, str]:
    """Every field a layout may name, for one card; missing values are empty strings."""
    zone = event.zone()
    first = talk or (talks[0] if talks else None)
    fields = dict.fromkeys(
        ("title", "speakers", "speaker_names", "time", "start", "end", "room", "when", "track"),
        "",
    )
    if talk is not None:
        fields.update(talk_fields(talk, zone))
    fields.update(
        event=event.name,
        hashtag=f"#{event.hashtag.lstrip('#')}" if event.hashtag else "",
        date=long_date(first.start, zone) if first else "",
        heading=heading if heading is not None else default_heading(kind, event, talks),
        quote=strip_quotes(text or ""),
    )
    return fields


def strip_quotes(text: str) -> str:
    """A snippet without the quotation marks around it (the card draws its own)."""
    text = " ".join(text.split())
    pairs = ('""', "“”", "„“", "«»", "''", "‘’", "‚‘", "»«")
    while len(text) >= 2 and text[0] + text[-1] in pairs:
        text = text[1:-1].strip()
    return text


def default_stats(talks: Sequence[Talk]) -> dict[str, int]:
    """Talks, speakers and rooms counted from the programme (breaks and withdrawn talks skipped)."""
    real = [t for t in talks if t.kind == "talk" and not t.withdrawn]
    speakers = {p.name.casefold() for t in real for p in t.speakers}
    rooms = {t.room for t in real if t.room}
    days = {t.start.date() for t in real}
    stats = {"talks": len(real), "speakers": len(speakers), "rooms": len(rooms)}
    if len(days) > 1:
        stats = {"days": len(days), **stats}
    return stats


def stat_items(stats: Mapping[str, int | str]) -> list[tuple[str, str]]:
    """(number, label) pairs, numbers with thousands separators, "1 talks" -> "1 talk"."""
    items = []
    for label, value in stats.items():
        number = f"{value:,}" if isinstance(value, int) else str(value)
        if value == 1 and label.endswith("s") and not label.endswith("ss"):
            label = label[:-1]
        items.append((number, label))
    return items
