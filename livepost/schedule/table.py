"""Programmes kept as a table (a CSV file, an .xlsx sheet): header matching and rows -> talks.

Header names are compared after folding case and dropping spaces, ``_``, ``-`` and punctuation
(``Start Time`` = ``start_time`` = ``starttime``; ``Presenter(s)`` = ``presenters``). When two
columns could be the title, the more specific one wins (``Paper title`` over ``Session``) and the
other becomes the track. ``track`` is the room when there is no room column. ``--column
FIELD=HEADER`` overrides a guess. The import reports every column used and every column ignored.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from livepost.errors import ScheduleError
from livepost.model import Person, Schedule, Talk
from livepost.schedule.common import clean, parse_clock, parse_duration, split_names
from livepost.schedule.dates import find_date
from livepost.schedule.fields import guess_kind
from livepost.schedule.handles import bluesky_handle

#: field -> accepted header names, most specific first (compared after :func:`header_key`)
COLUMNS: dict[str, tuple[str, ...]] = {
    "start": ("start", "start time", "begin", "begins", "starts", "time", "from"),
    "date": ("date", "day date", "session date", "start date", "day"),
    "title": ("paper title", "talk title", "session title", "presentation title", "title",
              "talk", "paper", "presentation", "session"),
    "speakers": ("speakers", "speaker", "speaker(s)", "presenters", "presenter", "presenter(s)",
                 "persons", "fullname", "full name", "speaker name", "speaker names", "authors",
                 "author"),
    "affiliation": ("affiliation", "affiliations", "organisation", "organization", "institution",
                    "company"),
    "room": ("room", "location", "venue", "hall", "stage"),
    "track": ("track", "stream", "theme"),
    "end": ("end", "end time", "ends", "finish", "finish time", "until", "to"),
    "duration": ("duration", "length", "minutes"),
    "source_id": ("id", "uid", "guid"),
    "abstract": ("abstract", "description", "summary"),
    "language": ("language", "lang"),
    "kind": ("kind", "type"),
    "url": ("url", "link", "website"),
    "hashtags": ("hashtags", "hashtag", "tags"),
    "handle": ("bluesky", "bluesky handle", "handle", "bsky"),
}  # fmt: skip
REQUIRED = ("start", "title")
DATE_FORMATS = ("2011-06-23", "23.06.2011", "23/06/2011")
_NUMERIC_ID = re.compile(r"^\d+\s*:\s*(?=\S)")  # GPN11's "5:andi (Entropia)"


def header_key(name: str) -> str:
    """``"Start_Time"``, ``"start time"``, ``"StartTime"`` -> ``"starttime"``."""
    return "".join(re.findall(r"\w+", name.casefold())).replace("_", "")


_SYNONYMS: dict[str, tuple[str, ...]] = {
    field: tuple(dict.fromkeys(header_key(s) for s in names)) for field, names in COLUMNS.items()
}


_KNOWN = frozenset(key for keys in _SYNONYMS.values() for key in keys)


def known_header(name: str) -> bool:
    """True when ``name`` is one of the accepted column names (after :func:`header_key`)."""
    return header_key(name.strip().strip("\"'")) in _KNOWN


@dataclass(slots=True)
class Cell:
    """One cell's text and where it is: a line of a CSV file, or a sheet's name with the cell's
    column and row (numbered from 1), shown as ``Sheet1!C7``."""

    text: str
    line: int | None = None
    sheet: str | None = None
    column: int = 0
    row: int = 0

    @property
    def ref(self) -> str | None:
        if self.sheet is None:
            return None
        from openpyxl.utils import get_column_letter

        return f"{self.sheet}!{get_column_letter(self.column)}{self.row}"


@dataclass
class Table:
    """A header and its rows, read from one file; ``where`` names the header row for errors."""

    path: str
    header: list[str]
    rows: list[list[Cell]]
    header_line: int | None = None
    header_ref: str | None = None
    hint: str = "Fix the value in the spreadsheet and export the CSV again."


@dataclass
class _Row:
    cells: dict[str, Cell]
    names: dict[str, str]


def match_columns(table: Table, overrides: Mapping[str, str]) -> tuple[dict[str, int], list[str]]:
    """Field -> column index, and the lines that report the choice.

    ``overrides`` (``--column title="Paper title"``) win; then, field by field, the most specific
    synonym present. A ``Session`` column beaten to the title becomes the track; ``track``
    becomes the room when there is no room column.
    """
    positions: dict[str, int] = {}
    for i, name in enumerate(table.header):
        if clean(name):
            positions.setdefault(header_key(name), i)
    columns: dict[str, int] = {}
    used: set[int] = set()
    for field, header in overrides.items():
        if field not in COLUMNS:
            raise ScheduleError(
                table.path,
                f"--column names an unknown field {field!r}",
                hint=f"Fields: {', '.join(COLUMNS)}.",
            )
        index = positions.get(header_key(header))
        if index is None:
            raise _missing_header(table, f"--column {field}={header!r}: no such column")
        columns[field] = index
        used.add(index)
    for field, synonyms in _SYNONYMS.items():
        if field in columns:
            continue
        for synonym in synonyms:
            index = positions.get(synonym)
            if index is not None and index not in used:
                columns[field] = index
                used.add(index)
                break
    if "track" not in columns:
        session = positions.get("session")
        if session is not None and session not in used:  # "Session" lost the title to "Paper title"
            columns["track"] = session
            used.add(session)
    if "room" not in columns and "track" in columns:
        columns["room"] = columns.pop("track")
    missing = [field for field in REQUIRED if field not in columns]
    if missing:
        wanted = "; ".join(f"{field} ({', '.join(COLUMNS[field])})" for field in missing)
        raise _missing_header(table, f"missing column(s) for {wanted}")
    report = [
        "columns used: "
        + ", ".join(f"{clean(table.header[i])!r} as {field}" for field, i in columns.items())
    ]
    ignored = [clean(h) for i, h in enumerate(table.header) if clean(h) and i not in used]
    if ignored:
        report.append("columns ignored: " + ", ".join(repr(h) for h in ignored))
    return columns, report


def _missing_header(table: Table, message: str) -> ScheduleError:
    found = ", ".join(repr(clean(h)) for h in table.header if clean(h)) or "none"
    return ScheduleError(
        table.path,
        f"{message}; found columns: {found}",
        line=table.header_line,
        field=table.header_ref,
        hint="Rename the header cells to one of the accepted names (case, spaces and "
        'punctuation do not matter), or name the column: --column title="Paper title".',
    )


def table_schedule(
    table: Table, timezone: ZoneInfo, day: date | None, overrides: Mapping[str, str]
) -> Schedule:
    """Every non-empty row as a talk; errors name the row's line or cell and the column."""
    columns, report = match_columns(table, overrides)
    names = {field: clean(table.header[i]) for field, i in columns.items()}
    rows: list[_Row] = []
    for record in table.rows:
        if not any(cell.text.strip() for cell in record):
            continue
        last = record[-1] if record else Cell("")
        cells = {
            field: record[i]
            if i < len(record)
            else Cell("", last.line, last.sheet, i + 1, last.row)
            for field, i in columns.items()
        }
        rows.append(_Row(cells, names))
    if not rows:
        raise ScheduleError(
            table.path,
            "has a header row but no talks",
            line=table.header_line,
            field=table.header_ref,
            hint="Add one row per talk under the header.",
        )
    reader = _RowReader(table, timezone, day)
    talks = [reader.talk(row) for row in rows]
    _fill_open_ends(talks, rows)
    return Schedule(talks=talks, notes=report)


class _RowReader:
    def __init__(self, table: Table, timezone: ZoneInfo, day: date | None) -> None:
        self.table = table
        self.zone = timezone
        self.day = day

    def error(self, row: _Row, field: str, message: str) -> ScheduleError:
        cell = row.cells[field]
        label = f"column {row.names[field]!r}"
        return ScheduleError(
            self.table.path,
            message,
            line=cell.line,
            field=f"{cell.ref} ({label})" if cell.ref else label,
            hint=self.table.hint,
        )

    def text(self, row: _Row, field: str) -> str:
        cell = row.cells.get(field)
        return cell.text if cell else ""

    def talk(self, row: _Row) -> Talk:
        title = clean(self.text(row, "title"))
        if not title:
            raise self.error(row, "title", "is empty (every row needs a title)")
        start = self.start(row)
        end = self.end(row, start)
        kind_cell = clean(self.text(row, "kind"))
        speakers = self.speakers(row)
        kind = guess_kind(kind_cell, title if not kind_cell else "")
        abstract = self.text(row, "abstract").strip()
        return Talk(
            title=title,
            start=start,
            end=end if end is not None else start,
            room=clean(self.text(row, "room")) or None,
            speakers=speakers,
            kind="break" if kind == "break" and not speakers else "talk",
            track=clean(self.text(row, "track")) or None,
            abstract=abstract or None,
            language=clean(self.text(row, "language")) or None,
            url=clean(self.text(row, "url")) or None,
            source_id=clean(self.text(row, "source_id")) or None,
            hashtags=[t for t in re.split(r"[\s,;#]+", self.text(row, "hashtags")) if t],
        )

    def speakers(self, row: _Row) -> list[Person]:
        names = _speaker_names(self.text(row, "speakers"))
        affiliations = _parts(self.text(row, "affiliation"), len(names))
        handles = _parts(self.text(row, "handle"), len(names))
        return [
            Person(name, affiliation or None, bluesky_handle(handle))
            for name, affiliation, handle in zip(names, affiliations, handles, strict=True)
        ]

    def start(self, row: _Row) -> datetime:
        raw = clean(self.text(row, "start"))
        if not raw:
            raise self.error(row, "start", "is empty (every row needs a start time)")
        try:
            moment = _datetime(raw)
            if moment is None:
                moment = datetime.combine(self.row_day(row), parse_clock(raw))
            return self.aware(moment)
        except ScheduleError:
            raise
        except (ValueError, OverflowError) as exc:
            raise self.error(row, "start", str(exc)) from None

    def row_day(self, row: _Row) -> date:
        """The row's date: its Date column, else ``--date``."""
        raw = clean(self.text(row, "date"))
        if raw:
            try:
                return _date(raw)
            except ValueError as exc:
                # a sheet's date cell may carry 00:00; people write "Thursday 15 April 2027"
                written = find_date(raw, self.day.year if self.day else None)
                if written is not None:
                    return _plausible(written, raw)
                raise self.error(row, "date", str(exc)) from None
        if self.day is not None:
            return self.day
        field = "date" if "date" in row.cells else "start"
        raise self.error(
            row,
            field,
            "has no date for this row: add a Date column or full dates like 2011-06-23T19:00, "
            "or pass --date",
        )

    def end(self, row: _Row, start: datetime) -> datetime | None:
        """End column (clock or datetime; an earlier clock means the next day), else duration."""
        raw = clean(self.text(row, "end"))
        if raw:
            try:
                moment = _datetime(raw)
                if moment is not None:
                    return self.aware(moment)
                end = datetime.combine(start.date(), parse_clock(raw), tzinfo=start.tzinfo)
                return end if end >= start else end + timedelta(days=1)
            except (ValueError, OverflowError) as exc:
                raise self.error(row, "end", str(exc)) from None
        raw = clean(self.text(row, "duration"))
        if raw:
            try:
                return start + parse_duration(raw)
            except (ValueError, OverflowError) as exc:
                raise self.error(row, "duration", str(exc)) from None
        return None

    def aware(self, moment: datetime) -> datetime:
        """Times without an offset are local to the event."""
        _plausible(moment.date(), moment.isoformat())
        if moment.tzinfo is None:
            return moment.replace(tzinfo=self.zone)
        return moment


def _parts(raw: str, count: int) -> list[str]:
    """One value per speaker: ``"UCL; Kent"`` for two speakers, or one value for all of them."""
    values = [clean(p) for p in re.split(r"\s*[;|\n]\s*", raw)] if raw.strip() else []
    if len(values) == count:
        return values
    single = clean(raw)
    return [single] * count


def _speaker_names(raw: str) -> list[str]:
    """``"A, B and C"``, or GPN11's ``"10:Konrad Meier|11:Dennis Wehrle"`` (ids dropped)."""
    parts = raw.split("|") if "|" in raw else split_names(raw)
    names = (clean(_NUMERIC_ID.sub("", clean(part))) for part in parts)
    return list(dict.fromkeys(name for name in names if name))


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
    raw = re.sub(r"[T ]00:00(?::00)?$", "", raw.strip())  # a date cell of a workbook
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


def _fill_open_ends(talks: list[Talk], rows: list[_Row]) -> None:
    """A row without end or duration ends when the next item in its room begins."""
    starts: dict[str | None, list[datetime]] = {}
    for talk in talks:
        starts.setdefault(talk.room, []).append(talk.start)
    for room_starts in starts.values():
        room_starts.sort()
    for talk, row in zip(talks, rows, strict=True):
        if any(clean(c.text) for f, c in row.cells.items() if f in ("end", "duration")):
            continue
        room_starts = starts[talk.room]
        later = room_starts[bisect.bisect_right(room_starts, talk.start) :]
        talk.end = later[0] if later else talk.start
