"""Format ``text``: a programme as organisers paste it from a web page, a flyer or an email.

Rules (documented here and in the README's formats section):

* **Items.** A line that starts with a time starts an item: ``11.30``, ``11:30``, ``14h30``,
  ``9am``, ``9.15 pm``, or a range ``11:30-12:15``, ``11:30 – 12:15``, ``11:30 to 12:15``. A
  leading bullet (``-``, ``*``, ``•``) and Markdown bold are ignored.
* **Other lines.** Lines before the first item (the heading, "PROGRAMME", prose) and after the
  last item (booking details, the venue) are ignored; the first short heading line becomes the
  schedule's title. A line *directly* under an item (no blank line between) continues it only
  when it clearly does: the item line is only a time, or ends with a joining word or mark (``,``
  ``-`` ``:`` ``&`` and by with of for), or the next line starts in lower case or with
  ``by``/``with``/``and``/``(``, or names the speakers (``Speaker: ...``, ``Chair: ...``, or a
  line that starts with a person's name under an item that has none). Any other line between two
  items is kept as the earlier item's abstract.
* **Title and speakers** are split by :mod:`livepost.schedule.people` ("Title, Dr A B,
  Affiliation", "Title by A B", "A B, Affiliation will examine TOPIC"). Columns pasted from a
  table (tabs or `` | ``) are title first, then speakers.
* **Breaks.** An item without speakers whose title is made only of break words (arrival, coffee,
  lunch, tea, break, registration, plenary, close/closing, drinks, refreshments, networking, ...)
  and fillers (and, morning, conference, ...) has ``kind="break"``: "Arrival and Coffee",
  "Plenary", "Close". "Closing the gap" or "Closing remarks, Prof X" stay talks.
* **Times.** The date is the event's (``--date`` or ``date`` in livepost.toml), times are in the
  event's zone. Each item ends when the next *later* item begins (items at the same time run in
  parallel); a range's end wins; the last item lasts 15 minutes if it is a break, 30 otherwise.
  A time earlier than the one before is an error naming the line, except when it is clearly past
  midnight (before 06:00 after an item from 18:00 on), or the programme is written on a 12-hour
  clock without am/pm (no hour above 12 anywhere) and the time read as pm lands within 4 hours
  after the one before ("12.30 Lunch", "1.30 Panel" -> 13:30).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from livepost.errors import ScheduleError
from livepost.model import Person, Schedule, Talk, TalkKind
from livepost.schedule.common import ImportContext, clean, localize, parse_clock
from livepost.schedule.dates import find_date
from livepost.schedule.people import speakers_of, split_title_speakers, words

_TIME = r"[0-9]{1,2}(?:[:.h][0-9]{2})?(?:\s?[ap]\.?m\.?(?![a-z]))?"
_ITEM = re.compile(
    rf"^\s*(?:[-*•·]\s+)?(?P<start>{_TIME})"
    rf"(?:\s*(?:-|–|—|to|until|till)\s*(?P<end>{_TIME}))?"
    r"(?P<rest>(?:[\s\-–—:|,)].*)?)$",
    re.IGNORECASE,
)
_HAS_MINUTES_OR_AMPM = re.compile(r"[:.h][0-9]{2}|[ap]\.?m", re.IGNORECASE)
_AMPM = re.compile(r"[ap]\.?m", re.IGNORECASE)
_JOINING_END = re.compile(r"(?:[,:&/\-–—]|\b(?:and|by|with|of|for|the|on|from))$", re.IGNORECASE)
_JOINING_START = re.compile(r"^(?:[(&]|(?:by|with|and)\b)")
_SPEAKER_LABEL = re.compile(
    r"^(?:speakers?|presenters?|presented by|panellists?|panelists?)\s*:?\s+",
    re.IGNORECASE,
)
# "Chair: Prof X", "Moderator – Dr Y", "Chaired by Z": about the session, never a talk or a title
_CHAIR_LABEL = re.compile(
    r"^(?:session\s+)?(?:chairs?|chair(?:ed|person)?(?:\s+by)?|moderators?|moderated\s+by"
    r"|hosts?|hosted\s+by|facilitators?|facilitated\s+by)\s*[:\-–—]?\s+(?=\S)",
    re.IGNORECASE,
)
_MONTH_NAMES = (
    r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
_HEADING_WORDS = re.compile(
    r"\b(?:mon|tue|tues|wed|wednes|thu|thur|thurs|fri|sat|satur|sun)(?:day)?\b|\bday\s*\d+\b"
    rf"|\b\d+(?:st|nd|rd|th)?\b|\b(?:of|the)\b|\b(?:{_MONTH_NAMES})\b",
    re.IGNORECASE,
)
_BREAK_WORDS = frozenset(
    words(
        """arrival arrivals coffee lunch tea break breaks registration register plenary close
    closing drinks refreshments networking reception buffet breakfast dinner"""
    )
)
_BREAK_FILLERS = frozenset(
    words(
        """and & with of the a morning afternoon evening comfort short conference day forum event
    served provided light poster posters exhibition exhibitions"""
    )
)
_DEFAULT_LENGTH: dict[TalkKind, timedelta] = {
    "break": timedelta(minutes=15),
    "talk": timedelta(minutes=30),
}
_PAST_MIDNIGHT_FROM = 18  # an item at or after 18:00 may be followed by one before 06:00
_PAST_MIDNIGHT_UNTIL = 6
_PM_WINDOW = timedelta(hours=4)
_NOT_A_TITLE = frozenset({"programme", "program", "agenda", "schedule", "timetable", "tag:"})


@dataclass
class _Item:
    line: int
    start: str
    end: str | None
    text: str
    extra: list[str] = field(default_factory=list)  # lines kept as the abstract
    closed: bool = False  # a blank line or a non-continuing line ended the item line
    day: date | None = None  # from the day heading above it ("Thursday 15 April 2027")
    chair: list[str] = field(default_factory=list)  # "Chair: ..." lines under it


def parse(text: str, ctx: ImportContext) -> Schedule:
    """Parse a pasted programme (see the module docstring for the rules)."""
    items, heading, impossible = _read_items(text, ctx)
    if not items and impossible is not None:
        number, value = impossible
        raise ScheduleError(
            ctx.path,
            f"{value!r} is not a time of day",
            line=number,
            hint="Times run from 00:00 to 23:59 (11.30, 9am and 11:30-12:15 work too).",
        )
    if not items:
        raise ScheduleError(
            ctx.path,
            "found no programme items: no line starts with a time",
            hint="Start each item with its time, e.g. '11:30 Welcome and introduction' "
            "(11.30, 9am and ranges like 11:30-12:15 work too).",
        )
    if ctx.date is None and any(item.day is None for item in items):
        raise ScheduleError(
            ctx.path,
            "a pasted programme gives times but no date: pass --date YYYY-MM-DD, set "
            "`date` in livepost.toml, or put a day heading above each day's items",
            line=next(item.line for item in items if item.day is None),
            hint="Day headings: 'Thursday 15 April 2027', 'Day 2 – 16 April', '15/04/2027'.",
        )
    items[-1].extra.clear()  # after the last item: booking details, the venue
    talks: list[Talk] = []
    for day, group in _by_day(items, ctx.date):
        talks.extend(_talks(group, ctx, day))
    return Schedule(talks=talks, title=heading, timezone=ctx.timezone.key, format="text")


def _by_day(items: list[_Item], default: date | None) -> list[tuple[date, list[_Item]]]:
    """Consecutive items under the same day heading (or the event's date when there is none)."""
    groups: list[tuple[date, list[_Item]]] = []
    for item in items:
        day = item.day or default
        assert day is not None  # checked by parse
        if groups and groups[-1][0] == day:
            groups[-1][1].append(item)
        else:
            groups.append((day, [item]))
    return groups


def day_heading(line: str, year: int | None) -> date | None:
    """The date of a day heading ("Thursday 15 April 2027", "Day 2 – 16 April", "15/04/2027"):
    a short line that is a date and at most one other word ("Programme")."""
    if not line or len(line) > 60:
        return None
    found = find_date(line, year)
    if found is None:
        return None
    rest = re.sub(r"[\W_]+", " ", _HEADING_WORDS.sub(" ", line)).split()
    return found if len(rest) <= 1 else None


def _read_items(
    text: str, ctx: ImportContext
) -> tuple[list[_Item], str | None, tuple[int, str] | None]:
    """The items, the heading above them, and the first line that starts with an impossible
    time before any item (it explains a programme in which no item was found)."""
    items: list[_Item] = []
    heading: str | None = None
    impossible: tuple[int, str] | None = None
    day: date | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        cells = re.sub(r"\s*\t\s*", " | ", raw.strip())  # table columns pasted with tabs
        line = clean(cells.replace("**", "").replace("__", "")).strip("#*_ ")
        match = _ITEM.match(line)
        # An impossible time ("25:00 Talk") is an error inside the programme, prose before it.
        if match and _is_time(match["start"], match["end"]) and (items or _valid(match)):
            rest = match["rest"].lstrip(" -–—:|,)")
            if items and _CHAIR_LABEL.match(rest):  # "11:00 Chair: Prof X" belongs to the session
                items[-1].chair.append(rest)
                continue
            items.append(_Item(number, match["start"], match["end"], rest, day=day))
            continue
        year = day.year if day else (ctx.date.year if ctx.date else None)
        new_day = day_heading(line, year)
        if new_day is not None:
            day = new_day
            if items:
                items[-1].closed = True
            continue
        if match and not items and impossible is None and _is_time(match["start"], match["end"]):
            impossible = (number, match["start"])  # time-shaped but impossible: "25.00 Welcome"
        if not items:
            if heading is None and line and len(line) <= 120 and not line.endswith(":"):
                heading = None if line.casefold() in _NOT_A_TITLE else line
            continue
        _attach(items[-1], line, raw)
    return items, heading, impossible


def _is_time(start: str, end: str | None) -> bool:
    """A bare number ("10 Downing Street") is no time; "9am" and "11.30" are."""
    if end is not None and _AMPM.search(end) and not _HAS_MINUTES_OR_AMPM.search(start):
        return True  # "9-10am"
    return bool(_HAS_MINUTES_OR_AMPM.search(start))


def _valid(match: re.Match[str]) -> bool:
    start = match["start"]
    try:
        parse_clock(start if _HAS_MINUTES_OR_AMPM.search(start) else f"{start}am")  # "9-10am"
        if match["end"]:
            parse_clock(match["end"])
    except ValueError:
        return False
    return True


def _check_clock(value: str, ctx: ImportContext, line: int) -> time:
    try:
        return parse_clock(value)
    except ValueError as exc:
        raise ScheduleError(
            ctx.path, str(exc), line=line, hint="Fix the time (00:00 to 23:59)."
        ) from None


def _attach(item: _Item, line: str, raw: str) -> None:
    """Join ``line`` to ``item`` when it clearly continues it; else keep it as abstract text."""
    if not line:
        item.closed = True
        return
    if _CHAIR_LABEL.match(line):
        item.chair.append(line)
        return
    if not item.closed:
        label = _SPEAKER_LABEL.match(line)
        if label:
            item.text = f"{item.text.rstrip(' ,')}, {line[label.end() :]}"
            return
        if (
            not item.text
            or _JOINING_END.search(item.text)
            or line[:1].islower()
            or _JOINING_START.match(line)
        ):
            item.text = f"{item.text} {line}".strip()
            return
        if raw[:1] in (" ", "\t") and not item.extra:
            item.text = f"{item.text} {line}"
            return
        _, speakers, _ = split_title_speakers(item.text)
        if not speakers and not _is_break(item.text) and speakers_of(line):
            item.text = f"{item.text.rstrip(' ,')}, {line}"
            return
    item.closed = True
    item.extra.append(line)


def _is_break(title: str) -> bool:
    words = re.findall(r"[\w&]+", title.casefold())
    return (
        bool(words)
        and any(w in _BREAK_WORDS for w in words)
        and all(w in _BREAK_WORDS or w in _BREAK_FILLERS for w in words)
    )


def _describe(item: _Item) -> tuple[str, list[Person], TalkKind, str | None]:
    cells = [c for c in re.split(r"\t+|\s+\|\s+", item.text) if c.strip()]
    title, speakers, abstract = split_title_speakers(cells[0] if cells else "")
    notes: list[str] = []
    for cell in cells[1:]:
        found = speakers_of(cell)
        if found and not speakers:
            speakers = found
        else:
            notes.append(cell)
    parts = [p for p in (abstract, *notes, *item.extra, *item.chair) if p]
    kind: TalkKind = "break" if not speakers and _is_break(title) else "talk"
    title = title.strip().strip("\"'“”‘’").rstrip(".,;:").strip()
    return title, speakers, kind, "\n".join(parts) or None


def _talks(items: list[_Item], ctx: ImportContext, day: date) -> list[Talk]:
    twelve_hour = not any(
        _check_clock(v, ctx, i.line).hour > 12
        for i in items
        for v in (i.start, i.end)
        if v and not _AMPM.search(v) and _HAS_MINUTES_OR_AMPM.search(v)
    )
    starts: list[datetime] = []
    ends: list[datetime | None] = []
    offset = timedelta(0)
    for item in items:
        start = _start_of(item, ctx, day, offset, starts[-1] if starts else None, twelve_hour)
        if starts and start < starts[-1]:
            before = items[len(starts) - 1]
            raise ScheduleError(
                ctx.path,
                f"{start:%H:%M} is earlier than {starts[-1]:%H:%M} on line {before.line}",
                line=item.line,
                hint="Put the items in time order. For a programme of several days, put a day "
                "heading above each day's items (e.g. 'Thursday 15 April 2027').",
            )
        offset = start.date() - day
        starts.append(start)
        ends.append(_end_of(item, start, ctx, twelve_hour))
    talks: list[Talk] = []
    for index, item in enumerate(items):
        title, speakers, kind, abstract = _describe(item)
        if not title:
            raise ScheduleError(
                ctx.path,
                f"the item at {item.start} has no title",
                line=item.line,
                hint="Write the title after the time, e.g. '11:30 Welcome and introduction'.",
            )
        start = starts[index]
        later = bisect.bisect_right(starts, start)  # the next item that starts later
        end = ends[index] or (
            starts[later] if later < len(starts) else start + _DEFAULT_LENGTH[kind]
        )
        talks.append(
            Talk(
                title=title,
                start=start,
                end=end,
                speakers=speakers,
                kind=kind,
                abstract=abstract,
            )
        )
    return talks


def _start_of(
    item: _Item,
    ctx: ImportContext,
    day: date,
    offset: timedelta,
    previous: datetime | None,
    twelve_hour: bool,
) -> datetime:
    clock = _clock(item.start, item.end, ctx, item.line)
    start = localize(day + offset, clock, ctx.timezone)
    if previous is None or start >= previous:
        return start
    as_pm = start + timedelta(hours=12)
    if (
        twelve_hour
        and not _AMPM.search(item.start)
        and 1 <= clock.hour <= 11
        and not item.start.startswith("0")
        and timedelta(0) <= as_pm - previous <= _PM_WINDOW
    ):
        return as_pm
    if previous.hour >= _PAST_MIDNIGHT_FROM and clock.hour < _PAST_MIDNIGHT_UNTIL:
        return localize(previous.date() + timedelta(days=1), clock, ctx.timezone)
    return start


def _end_of(item: _Item, start: datetime, ctx: ImportContext, twelve_hour: bool) -> datetime | None:
    if item.end is None:
        return None
    clock = _check_clock(item.end, ctx, item.line)
    end = localize(start.date(), clock, ctx.timezone)
    if end > start:
        return end
    if (
        twelve_hour
        and not _AMPM.search(item.end)
        and clock.hour < 12
        and end + timedelta(hours=12) > start
    ):
        return end + timedelta(hours=12)
    if start.hour >= _PAST_MIDNIGHT_FROM and clock.hour < _PAST_MIDNIGHT_UNTIL:
        return localize(start.date() + timedelta(days=1), clock, ctx.timezone)
    raise ScheduleError(
        ctx.path,
        f"the item ends at {clock:%H:%M}, before it starts at {start:%H:%M}",
        line=item.line,
        hint="Fix the range (start-end, e.g. 11:30-12:15).",
    )


def _clock(start: str, end: str | None, ctx: ImportContext, line: int) -> time:
    """The start's clock time; a bare hour in "9-10am" borrows the end's am/pm."""
    if not _HAS_MINUTES_OR_AMPM.search(start) and end:
        suffix = _AMPM.search(end)
        assert suffix is not None
        borrowed = _check_clock(f"{start}{suffix.group(0)[0]}m", ctx, line)
        if borrowed <= _check_clock(end, ctx, line):
            return borrowed
        return _check_clock(f"{start}am", ctx, line)
    return _check_clock(start, ctx, line)
