"""Excel workbooks (``.xlsx``, also what Google Sheets downloads) -> Schedule, with openpyxl.

Every sheet that has a header row is read (a programme kept as one sheet per day works): the
header is the first row, among the first ten, whose cells name a start and a title column (a
title row above it, "CCPR Conference 2027 programme", becomes the schedule's title); sheets
without one (speakers, notes) are skipped and named in the import's report. Columns are matched
as in CSV (:mod:`livepost.schedule.table`). Date, time and date-time cells are used as they are;
text cells are read like CSV text. Errors name the cell (``Sheet1!C7``).
"""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime, time, timedelta
from typing import Any

from livepost.errors import ScheduleError
from livepost.model import Schedule
from livepost.schedule.common import ImportContext, clean
from livepost.schedule.table import REQUIRED, Cell, Table, match_columns, table_schedule

_HINT = "Fix the cell in the workbook and import it again."
_HEADER_SEARCH = 10  # rows looked at for the header


def parse(text: str, ctx: ImportContext) -> Schedule:
    """Workbooks are binary: :func:`parse_workbook` reads them (this only refuses text)."""
    raise ScheduleError(ctx.path, "is text, not an .xlsx workbook", hint="Pass --format auto.")


def parse_workbook(data: bytes, ctx: ImportContext) -> Schedule:
    """Read the first sheet with a programme in it."""
    from openpyxl import load_workbook

    from livepost.schedule.workbook import Budget, check_archive, read_sheet

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            check_archive(archive, ctx.path)
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise ScheduleError(
            ctx.path,
            f"is not a readable .xlsx workbook ({exc})",
            hint="Save it again from the spreadsheet as Excel Workbook (.xlsx).",
        ) from None
    try:
        combined: Schedule | None = None
        skipped: list[str] = []
        budget = Budget()
        for sheet in book.worksheets:  # read-only sheets: streamed, never all in memory
            rows = read_sheet(book, sheet, ctx.path, budget)
            found = _header(rows, sheet.title, ctx)
            if found is None:
                skipped.append(sheet.title)
                continue
            index, title = found
            schedule = _sheet(rows, index, title, sheet.title, ctx)
            if combined is None:
                combined = schedule
            else:
                combined.talks.extend(schedule.talks)
                combined.notes.extend(schedule.notes)
        if combined is not None:
            if skipped:
                names = ", ".join(repr(name) for name in skipped)
                combined.notes.append(f"sheets without a programme header, skipped: {names}")
            return combined
        raise ScheduleError(
            ctx.path,
            "no sheet has a header row naming a start and a title column "
            f"(looked at the first {_HEADER_SEARCH} rows of each sheet)",
            hint='Name the columns in one row, e.g. "Start", "Title", or pass --column.',
        )
    finally:
        book.close()


def _header(rows: list[list[Any]], name: str, ctx: ImportContext) -> tuple[int, str | None] | None:
    """The header row's index and the text of a title row above it, if any."""
    title: str | None = None
    for index, row in enumerate(rows[:_HEADER_SEARCH]):
        header = [_text(v) for v in row]
        table = Table(ctx.path, header, [], header_ref=f"{name}!{index + 1}:{index + 1}")
        try:
            columns, _ = match_columns(table, ctx.columns)
        except ScheduleError:
            filled = [h for h in header if h]
            if len(filled) == 1 and title is None:
                title = filled[0]
            continue
        if all(field in columns for field in REQUIRED):
            return index, title
    return None


def _sheet(
    rows: list[list[Any]], index: int, title: str | None, name: str, ctx: ImportContext
) -> Schedule:
    header = [_text(v) for v in rows[index]]
    cells = [
        [
            Cell(value.strip() if type(value) is str else _text(value), None, name, col, number)
            for col, value in enumerate(row, start=1)
        ]
        for number, row in enumerate(rows[index + 1 :], start=index + 2)
    ]
    table = Table(ctx.path, header, cells, header_ref=f"{name}!{index + 1}:{index + 1}", hint=_HINT)
    schedule = table_schedule(table, ctx.timezone, ctx.date, ctx.columns)
    schedule.title = title
    schedule.notes.insert(0, f"sheet {name!r}, header in row {index + 1}")
    return schedule


def _text(value: object) -> str:
    """A cell's value as the text a CSV export would hold (dates and times in ISO 8601)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        if value.time() == time(0):
            return value.date().isoformat()
        return value.isoformat(timespec="minutes")
    if isinstance(value, date | time):
        return value.isoformat()[:5] if isinstance(value, time) else value.isoformat()
    if isinstance(value, timedelta):  # a duration cell ([h]:mm)
        minutes = int(value.total_seconds() // 60)
        return f"{minutes // 60}:{minutes % 60:02d}"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return clean(value) if not isinstance(value, str) else value.strip()
