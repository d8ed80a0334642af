"""Field helpers shared by the structured importers (frab JSON, frab XML, Indico).

They turn one raw value into a clean model value and raise ``ValueError`` with a short reason;
the importer wraps that into a :class:`~livepost.errors.ScheduleError` naming the field or line.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from html.parser import HTMLParser
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from livepost.model import TalkKind
from livepost.schedule.common import clean, localize, parse_clock


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Words that make a title a pause in the programme, not something to cover; a break title is
# made only of these and fillers ("Lunch", "Registration and coffee", "Coffee & networking").
_BREAK_WORDS = _words(
    """break breaks pause coffee tea lunch luncheon dinner breakfast brunch registration arrival
    arrivals checkin refreshments snacks kaffeepause mittagspause mittagessen"""
)
_BREAK_FILLERS = _words(
    """and & with of the a an morning afternoon evening comfort short long networking welcome
    light served provided buffet"""
)
_BREAK_TYPES = {"break", "pause", "lunch", "coffee", "coffee break", "lunch break", "meal"}


def is_break_title(title: str) -> bool:
    """True for a title made only of break words and fillers, with at least one break word."""
    folded = re.sub(r"check[\s-]?in", "checkin", title.casefold())
    found = re.findall(r"[\w&]+", folded)
    return (
        bool(found)
        and any(w in _BREAK_WORDS for w in found)
        and all(w in _BREAK_WORDS or w in _BREAK_FILLERS for w in found)
    )


def guess_kind(type_name: object, title: str) -> TalkKind:
    """``"break"`` for a break type ("Break", "Pause") or a title that is only a break."""
    if clean(type_name).lower() in _BREAK_TYPES:
        return "break"
    return "break" if is_break_title(title) else "talk"


def optional_text(value: object) -> str | None:
    """A one-line string with whitespace folded, or ``None`` when empty or not a string/number."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return None
    return clean(value) or None


def clean_block(value: object) -> str | None:
    """Multi-line text (an abstract): lines stripped, paragraphs kept, at most one blank line."""
    if not isinstance(value, str):
        return None
    lines = [" ".join(line.split()) for line in value.replace("\r\n", "\n").split("\n")]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    return text or None


class _TextOnly(HTMLParser):
    """Collects the text of an HTML fragment, turning block ends into line breaks."""

    _BLOCKS = frozenset({"p", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "tr", "table"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.parts.append("\n")
        elif tag == "li":
            self.parts.append("\n- ")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._BLOCKS:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def strip_html(value: object) -> str | None:
    """The plain text of an HTML description (Indico), entities decoded, paragraphs kept."""
    if not isinstance(value, str):
        return None
    parser = _TextOnly()
    parser.feed(value.replace("\r\n", "\n"))
    parser.close()
    return clean_block("".join(parser.parts).replace("\xa0", " "))


def zone_or_none(name: object) -> ZoneInfo | None:
    """The IANA zone called ``name``, or ``None`` when it is missing or not a zone name."""
    if not isinstance(name, str) or not name.strip():
        return None
    try:
        return ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError):
        return None


def parse_datetime(value: object, zone: ZoneInfo) -> datetime:
    """An ISO 8601 date-time; its own offset wins, ``zone`` applies only when it has none."""
    if not isinstance(value, str):
        raise ValueError(f"{value!r} is not a date")
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(f"{value!r} is not a date") from None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=zone)
    return moment


def parse_date(value: object) -> date:
    """A calendar date ``YYYY-MM-DD``."""
    if not isinstance(value, str):
        raise ValueError(f"{value!r} is not a date")
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(f"{value!r} is not a date") from None


def day_and_clock(day: date, start: object, zone: ZoneInfo, day_start: time | None) -> datetime:
    """A talk given only as its day's date and a clock time (old frab).

    A clock earlier than the day's start belongs to the next calendar day (after midnight).
    """
    if start is None or (isinstance(start, str) and not start.strip()):
        raise ValueError("missing: every talk needs a date (or a day and a start time)")
    if not isinstance(start, str):
        raise ValueError(f"{start!r} is not a time (use HH:MM, e.g. 14:05)")
    clock = parse_clock(start)
    if day_start is not None and clock < day_start:
        day += timedelta(days=1)
    return localize(day, clock, zone)
