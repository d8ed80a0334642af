"""CSV programmes, as organisers keep them in a spreadsheet.

The header row names the columns; names are matched case-insensitively against the synonyms in
:data:`COLUMNS` (documented in docs/formats.md). Errors name the physical line in the file, not the
row index, because quoted fields may span several lines (GPN11's descriptions do).
"""

from __future__ import annotations

import bisect
import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from livepost.errors import ScheduleError
from livepost.model import Person, Schedule, Talk
from livepost.schedule.common import ImportContext, clean, parse_clock, parse_duration, split_names
from livepost.schedule.fields import guess_kind

#: field -> accepted header names (lower case; "_" and "-" count as spaces), best first
COLUMNS: dict[str, tuple[str, ...]] = {
    "start": ("start", "start time", "begin", "begins", "starts", "time", "from"),
    "date": ("date", "day date", "session date", "start date"),
    "title": ("title", "session", "talk", "session title", "talk title"),
    "speakers": (
        "speakers", "speaker", "speaker(s)", "presenters", "presenter", "presenter(s)", "persons",
    ),
    "room": ("room", "location", "venue", "hall", "stage"),
    "track": ("track",),
    "end": ("end", "end time", "ends", "finish", "finish time"),
    "duration": ("duration", "length", "minutes"),
    "source_id": ("id", "uid", "guid"),
    "abstract": ("abstract", "description", "summary"),
    "language": ("language", "lang"),
    "kind": ("kind", "type"),
    "url": ("url", "link", "website"),
    "hashtags": ("hashtags", "hashtag", "tags"),
}  # fmt: skip
REQUIRED = ("start", "title")
DATE_FORMATS = ("2011-06-23", "23.06.2011", "23/06/2011")
_NUMERIC_ID = re.compile(r"^\d+\s*:\s*(?=\S)")  # GPN11's "5:andi (Entropia)"
_HINT_ROW = "Fix the value in the spreadsheet and export the CSV again."


@dataclass
class _Row:
    """One record: its cells by field, the line each cell starts on, and the header names."""

    cells: dict[str, str]
    lines: dict[str, int]
    names: dict[str, str]


def parse(text: str, ctx: ImportContext) -> Schedule:
    """Read a CSV programme: one talk per row after the header."""
    records = _records(text, ctx)
    header_line, header = next(records, (0, []))
    if not any(clean(h) for h in header):
        raise ScheduleError(
            ctx.path, "has no header row", hint="The first line must name the columns."
        )
    columns = _match_columns(header, header_line, ctx)
    names = {field: clean(header[i]) for field, i in columns.items()}
    rows: list[_Row] = []
    for line, record in records:
        if not any(cell.strip() for cell in record):
            continue
        cells: dict[str, str] = {}
        lines: dict[str, int] = {}
        for field, i in columns.items():
            cells[field] = record[i] if i < len(record) else ""
            lines[field] = line + sum(_breaks(cell) for cell in record[:i])
        rows.append(_Row(cells, lines, names))
    if not rows:
        raise ScheduleError(
            ctx.path,
            "has a header row but no talks",
            line=header_line,
            hint="Add one row per talk under the header.",
        )
    talks = [_talk(row, ctx) for row in rows]
    _fill_open_ends(talks, rows)
    return Schedule(talks=talks)


def _records(text: str, ctx: ImportContext) -> Iterator[tuple[int, list[str]]]:
    """Each record with the file line it starts on; quoting errors name that line."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text), strict=True)
    done = 0
    while True:
        start = done + 1
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            reason = str(exc)
            if "end of data" in reason:
                message = "a quoted field starts here and is never closed"
            else:
                message = f"the quoting is broken ({reason})"
            raise ScheduleError(
                ctx.path,
                message,
                line=start,
                hint="Quote a field that contains a comma or line break; double a quote inside it.",
            ) from None
        done = reader.line_num
        yield start, record


def _delimiter(text: str) -> str:
    """``,``, ``;`` or tab: whichever the header line uses most (spreadsheets in many locales)."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    counts = {sep: first.count(sep) for sep in (",", ";", "\t")}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] else ","


def _normal(name: str) -> str:
    return " ".join(re.sub(r"[_\-]", " ", name).casefold().split())


def _match_columns(header: list[str], line: int, ctx: ImportContext) -> dict[str, int]:
    """Field -> column index, by the first synonym present; missing required fields are an error."""
    positions: dict[str, int] = {}
    for i, name in enumerate(header):
        positions.setdefault(_normal(name), i)
    columns: dict[str, int] = {}
    used: set[int] = set()
    for field, synonyms in COLUMNS.items():
        for synonym in synonyms:
            index = positions.get(synonym)
            if index is not None and index not in used:
                columns[field] = index
                used.add(index)
                break
    missing = [field for field in REQUIRED if field not in columns]
    if missing:
        wanted = "; ".join(f"{field} ({', '.join(COLUMNS[field])})" for field in missing)
        found = ", ".join(repr(clean(h)) for h in header if clean(h)) or "none"
        raise ScheduleError(
            ctx.path,
            f"missing column(s) for {wanted}; found columns: {found}",
            line=line,
            hint="Rename the header cells to one of the accepted names (any upper/lower case).",
        )
    return columns


def _breaks(cell: str) -> int:
    return cell.count("\n") + cell.count("\r") - cell.count("\r\n")


def _error(row: _Row, field: str, message: str, ctx: ImportContext) -> ScheduleError:
    return ScheduleError(
        ctx.path,
        message,
        line=row.lines[field],
        field=f"column {row.names[field]!r}",
        hint=_HINT_ROW,
    )


def _talk(row: _Row, ctx: ImportContext) -> Talk:
    """One row as a talk; every bad value becomes an error naming its line and column."""
    cells = row.cells
    title = clean(cells["title"])
    if not title:
        raise _error(row, "title", "is empty (every row needs a title)", ctx)
    start = _start(row, ctx)
    end = _end(row, start, ctx)
    kind_cell = cells.get("kind", "")
    abstract = cells.get("abstract", "").strip()
    return Talk(
        title=title,
        start=start,
        end=end if end is not None else start,
        room=clean(cells.get("room")) or None,
        speakers=[Person(name) for name in _speakers(cells.get("speakers", ""))],
        kind=guess_kind(kind_cell, title if not clean(kind_cell) else ""),
        track=clean(cells.get("track")) or None,
        abstract=abstract or None,
        language=clean(cells.get("language")) or None,
        url=clean(cells.get("url")) or None,
        source_id=clean(cells.get("source_id")) or None,
        hashtags=[t for t in re.split(r"[\s,;#]+", cells.get("hashtags", "")) if t],
    )


def _start(row: _Row, ctx: ImportContext) -> datetime:
    raw = clean(row.cells["start"])
    if not raw:
        raise _error(row, "start", "is empty (every row needs a start time)", ctx)
    try:
        moment = _datetime(raw)
        if moment is None:
            clock = parse_clock(raw)
            moment = datetime.combine(_day(row, ctx), clock)
        return _aware(moment, ctx)
    except ScheduleError:
        raise
    except (ValueError, OverflowError) as exc:
        raise _error(row, "start", str(exc), ctx) from None


def _day(row: _Row, ctx: ImportContext) -> date:
    """The row's date: its Date column, else ``--date`` (ctx.date)."""
    raw = clean(row.cells.get("date"))
    if raw:
        try:
            return _date(raw)
        except ValueError as exc:
            raise _error(row, "date", str(exc), ctx) from None
    if ctx.date is not None:
        return ctx.date
    field = "date" if "date" in row.cells else "start"
    raise _error(
        row,
        field,
        "has no date for this row: add a Date column or full dates like 2011-06-23T19:00, "
        "or pass --date",
        ctx,
    )


def _end(row: _Row, start: datetime, ctx: ImportContext) -> datetime | None:
    """End column (clock or datetime; an earlier clock means the next day), else duration."""
    raw = clean(row.cells.get("end"))
    if raw:
        try:
            moment = _datetime(raw)
            if moment is not None:
                return _aware(moment, ctx)
            end = datetime.combine(start.date(), parse_clock(raw), tzinfo=start.tzinfo)
            return end if end >= start else end + timedelta(days=1)
        except (ValueError, OverflowError) as exc:
            raise _error(row, "end", str(exc), ctx) from None
    raw = clean(row.cells.get("duration"))
    if raw:
        try:
            return start + parse_duration(raw)
        except (ValueError, OverflowError) as exc:
            raise _error(row, "duration", str(exc), ctx) from None
    return None


def _datetime(raw: str) -> datetime | None:
    """A full date and time (ISO 8601, or one of :data:`DATE_FORMATS` then a clock time);
    ``None`` when ``raw`` has no date part."""
    if not re.match(r"^\d{1,4}[-./]\d{1,2}[-./]\d{1,4}", raw):
        return None
    try:
        return datetime.fromisoformat(raw)
    except ValueError:
        pass
    parts = re.split(r"[T\s]+", raw, maxsplit=1)
    if len(parts) != 2:
        raise ValueError(f"{raw!r} has a date but no time (use e.g. 2011-06-23 19:00)")
    return datetime.combine(_date(parts[0]), parse_clock(parts[1]))


def _date(raw: str) -> date:
    """2011-06-23, 23.06.2011 or 23/06/2011 (day first: never the US month-first order)."""
    for pattern, order in (
        (r"(\d{4})-(\d{1,2})-(\d{1,2})", "ymd"),
        (r"(\d{1,2})\.(\d{1,2})\.(\d{4})", "dmy"),
        (r"(\d{1,2})/(\d{1,2})/(\d{4})", "dmy"),
    ):
        match = re.fullmatch(pattern, raw.strip())
        if match:
            parts = dict(zip(order, (int(g) for g in match.groups()), strict=True))
            try:
                return _plausible(date(parts["y"], parts["m"], parts["d"]), raw)
            except ValueError:
                break
    raise ValueError(f"{raw!r} is not a date (use {', '.join(DATE_FORMATS)})")


def _plausible(day: date, raw: str) -> date:
    if not 1970 <= day.year <= 2200:
        raise ValueError(f"{raw!r} is not a plausible date (year {day.year})")
    return day


def _aware(moment: datetime, ctx: ImportContext) -> datetime:
    """Times without an offset are local to the event (ctx.timezone)."""
    _plausible(moment.date(), moment.isoformat())
    if moment.tzinfo is None:
        return moment.replace(tzinfo=ctx.timezone)
    return moment


def _speakers(raw: str) -> list[str]:
    """``"A, B and C"``, or GPN11's ``"10:Konrad Meier|11:Dennis Wehrle"`` (ids dropped)."""
    parts = raw.split("|") if "|" in raw else split_names(raw)
    names = (clean(_NUMERIC_ID.sub("", clean(part))) for part in parts)
    return list(dict.fromkeys(name for name in names if name))


def _fill_open_ends(talks: list[Talk], rows: list[_Row]) -> None:
    """A row without end or duration ends when the next item in its room begins."""
    starts: dict[str | None, list[datetime]] = {}
    for talk in talks:
        starts.setdefault(talk.room, []).append(talk.start)
    for room_starts in starts.values():
        room_starts.sort()
    for talk, row in zip(talks, rows, strict=True):
        if clean(row.cells.get("end")) or clean(row.cells.get("duration")):
            continue
        room_starts = starts[talk.room]
        later = room_starts[bisect.bisect_right(room_starts, talk.start) :]
        talk.end = later[0] if later else talk.start
