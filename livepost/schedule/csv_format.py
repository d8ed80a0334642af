"""CSV programmes, as organisers keep them in a spreadsheet.

The header row names the columns; names are matched as :mod:`livepost.schedule.table` explains
(documented in docs/formats.md). Errors name the physical line in the file, not the
row index, because quoted fields may span several lines (GPN11's descriptions do).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from livepost.errors import ScheduleError
from livepost.model import Schedule
from livepost.schedule.common import ImportContext, clean
from livepost.schedule.table import Cell, Table, table_schedule

_HINT_ROW = "Fix the value in the spreadsheet and export the CSV again."


def parse(text: str, ctx: ImportContext) -> Schedule:
    """Read a CSV programme: one talk per row after the header (see :mod:`.table`)."""
    records = _records(text, ctx)
    header_line, header = next(records, (0, []))
    if not any(clean(h) for h in header):
        raise ScheduleError(
            ctx.path, "has no header row", hint="The first line must name the columns."
        )
    rows: list[list[Cell]] = []
    for line, record in records:
        cells: list[Cell] = []
        offset = 0
        for value in record:
            cells.append(Cell(value, line + offset))
            offset += _breaks(value)
        rows.append(cells)
    table = Table(ctx.path, header, rows, header_line=header_line, hint=_HINT_ROW)
    return table_schedule(table, ctx.timezone, ctx.date, ctx.columns)


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


def _breaks(cell: str) -> int:
    return cell.count("\n") + cell.count("\r") - cell.count("\r\n")
