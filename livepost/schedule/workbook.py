"""Reading an ``.xlsx`` workbook without trusting it: hard limits, checked before and while reading.

A workbook is a zip of XML files, and everything in it can lie: a 5 KB sheet may declare the
dimension ``A1:XFD1048576`` (17 billion cells), a 1 MB member may inflate to gigabytes. So:

* before anything is parsed, the zip's central directory is checked: every member's declared
  size, their total, and each large member's compression ratio (:func:`check_archive`);
  Python's zip reader never inflates a member past its declared size (the CRC check fails);
* the declared dimension is ignored; each sheet's XML is streamed element by element and the
  rows, columns, cells and XML elements are counted as they come, refused at the first one over
  (:func:`read_sheet`), with the bytes read counted too.

Memory therefore stays bounded (well under 200 MB) whatever the file. A refusal is a
:class:`~livepost.errors.InputTooLarge` naming the file, the limit and what was found.
"""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any
from xml.etree.ElementTree import Element, ParseError, iterparse

from livepost.errors import InputTooLarge, ScheduleError

if TYPE_CHECKING:
    from openpyxl.workbook.workbook import Workbook

#: a programme sheet with more rows than this is not a programme (10,000 talks fit)
MAX_ROWS = 20_000
#: columns (the last one used in any row)
MAX_COLUMNS = 200
#: cells in the grid a sheet spans (rows x columns), what reading it holds in memory
MAX_CELLS = 200_000
#: XML elements in one cell (its value and rich-text runs)
MAX_CELL_ELEMENTS = 10_000
#: XML elements in one sheet (cells, rows and the rest: merged cells, formats...)
MAX_ELEMENTS = 3_000_000
#: the whole workbook uncompressed, and one sheet's XML
MAX_UNCOMPRESSED_BYTES = 64 * 1024 * 1024
MAX_SHEET_BYTES = 48 * 1024 * 1024
#: any other member (shared strings, styles): read whole by openpyxl
MAX_MEMBER_BYTES = 8 * 1024 * 1024
#: uncompressed / compressed, for members over :data:`RATIO_FROM_BYTES` (real sheets: 5-30)
MAX_RATIO = 100
RATIO_FROM_BYTES = 1024 * 1024

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_ROW, _CELL = f"{_MAIN}row", f"{_MAIN}c"
_HINT = "Is this the programme? Save only the programme's sheet(s) as a new .xlsx and import that."


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):,.0f} MB"


def check_archive(archive: zipfile.ZipFile, path: str) -> None:
    """Refuse, from the central directory alone, a workbook that would inflate too far."""
    total = 0
    for info in archive.infolist():
        total += info.file_size
        is_sheet = info.filename.startswith("xl/worksheets/")
        cap = MAX_SHEET_BYTES if is_sheet else MAX_MEMBER_BYTES
        if info.file_size > cap:
            raise InputTooLarge(
                path,
                f"{info.filename} inflates to {_mb(info.file_size)}; livepost reads at most "
                f"{_mb(cap)} of one {'sheet' if is_sheet else 'workbook part'}",
                hint=_HINT,
            )
        if info.file_size > RATIO_FROM_BYTES:
            ratio = info.file_size / max(info.compress_size, 1)
            if ratio > MAX_RATIO:
                raise InputTooLarge(
                    path,
                    f"{info.filename} is compressed {ratio:,.0f} to 1 (a zip bomb?); livepost "
                    f"reads workbooks compressed at most {MAX_RATIO} to 1",
                    hint=_HINT,
                )
    if total > MAX_UNCOMPRESSED_BYTES:
        raise InputTooLarge(
            path,
            f"inflates to {_mb(total)}; livepost reads workbooks of at most "
            f"{_mb(MAX_UNCOMPRESSED_BYTES)} uncompressed",
            hint=_HINT,
        )


class _Counted:
    """A member's stream that refuses to give more than ``limit`` bytes in all."""

    def __init__(self, stream: IO[bytes], limit: int, path: str, member: str) -> None:
        self.stream, self.limit, self.path, self.member, self.size = stream, limit, path, member, 0

    def read(self, size: int = -1) -> bytes:
        data = self.stream.read(size)
        self.size += len(data)
        if self.size > self.limit:
            raise InputTooLarge(
                self.path,
                f"{self.member} holds more than {_mb(self.limit)} of XML; livepost reads at most "
                f"{_mb(self.limit)} of one sheet",
                hint=_HINT,
            )
        return data


@dataclass
class Budget:
    """The cells the sheets read before this one have used (one workbook, one budget)."""

    cells: int = 0


@dataclass
class _Count:
    """What one sheet has shown so far."""

    budget: Budget
    elements: int = 0
    max_row: int = 0
    max_column: int = 0


def read_sheet(
    book: Workbook, sheet: Any, path: str, budget: Budget | None = None
) -> list[list[Any]]:
    """The values of one read-only sheet, row by row (row ``n`` of the sheet is ``rows[n-1]``,
    every row as wide as the widest), its declared dimension ignored; refused at the first row,
    column, cell or element over the limits. ``budget`` counts cells across a workbook's
    sheets: together they hold at most :data:`MAX_CELLS`."""
    from openpyxl.worksheet._reader import WorkSheetParser

    parser = WorkSheetParser(
        None,
        sheet._shared_strings,
        data_only=True,
        epoch=book.epoch,
        date_formats=book._date_formats,
        timedelta_formats=book._timedelta_formats,
    )
    member = sheet._worksheet_path
    rows: dict[int, list[tuple[int, Any]]] = {}
    count = _Count(budget or Budget())
    with book._archive.open(member) as raw:
        source = _Counted(raw, MAX_SHEET_BYTES, path, member)
        try:
            for row_number, cells in _rows(source, parser, count, path, sheet.title):
                rows[row_number] = cells
        except ParseError as exc:
            raise ScheduleError(path, f"sheet {sheet.title!r} is not valid XML ({exc})") from None
        except (zipfile.BadZipFile, zlib.error, EOFError) as exc:  # a directory that lies
            raise ScheduleError(
                path,
                f"is not a readable .xlsx workbook ({exc})",
                hint="Save it again from the spreadsheet as Excel Workbook (.xlsx).",
            ) from None
    count.budget.cells += count.max_row * count.max_column
    width = count.max_column
    grid: list[list[Any]] = [[None] * width for _ in range(count.max_row)]
    for number, cells in rows.items():
        for column, value in cells:
            grid[number - 1][column - 1] = value
    return grid


def _rows(
    source: _Counted, parser: Any, count: _Count, path: str, title: str
) -> Iterator[tuple[int, list[tuple[int, Any]]]]:
    """(row number, [(column, value)]) of every row with a value, counted as it streams."""
    stack: list[Element] = []
    cells: list[tuple[int, Any]] = []
    row_number = 0
    in_cell = 0  # elements open inside the current cell (its value, rich-text runs)
    for event, element in iterparse(source, events=("start", "end")):
        if event == "start":
            count.elements += 1
            if count.elements > MAX_ELEMENTS:
                raise _too_many(path, title, f"more than {MAX_ELEMENTS:,} XML elements")
            if element.tag == _ROW:
                given = element.get("r")
                row_number = int(given) if given and given.isdigit() else row_number + 1
                parser.row_counter, parser.col_counter, cells = row_number, 0, []
            if in_cell or element.tag == _CELL:
                in_cell += 1
                if in_cell > MAX_CELL_ELEMENTS:
                    raise _too_many(path, title, f"a cell of more than {MAX_CELL_ELEMENTS:,} parts")
            stack.append(element)
            continue
        stack.pop()
        if in_cell:
            in_cell -= 1
            if in_cell:
                continue  # a part of the cell: parse_cell reads it when the cell ends
        if element.tag == _CELL:
            cell = _cell(parser, element, path, title)
            if cell["value"] is not None:
                _check_place(count, cell["row"], cell["column"], path, title)
                cells.append((cell["column"], cell["value"]))
        elif element.tag == _ROW and cells:
            yield row_number, cells
        if stack:  # nothing kept behind: memory holds the current cell, no more
            stack[-1].remove(element)
        element.clear()


def _cell(parser: Any, element: Element, path: str, title: str) -> dict[str, Any]:
    try:
        cell: dict[str, Any] = parser.parse_cell(element)
    except (IndexError, ValueError, TypeError) as exc:
        ref = element.get("r") or "a cell"
        raise ScheduleError(path, f"{title}!{ref} cannot be read ({exc})") from None
    return cell


def _check_place(count: _Count, row: int, column: int, path: str, title: str) -> None:
    from openpyxl.utils import get_column_letter

    if row > MAX_ROWS:
        raise _too_many(
            path, title, f"a value in row {row:,}; livepost reads at most {MAX_ROWS:,} rows"
        )
    if column > MAX_COLUMNS:
        letter = get_column_letter(column) if column <= 18278 else f"column {column:,}"
        raise _too_many(
            path, title, f"a value in column {letter}; livepost reads at most {MAX_COLUMNS} columns"
        )
    count.max_row, count.max_column = max(count.max_row, row), max(count.max_column, column)
    cells = count.max_row * count.max_column
    if cells > MAX_CELLS:
        raise _too_many(
            path,
            title,
            f"{count.max_row:,} rows x {count.max_column} columns; livepost reads at most "
            f"{MAX_CELLS:,} cells",
        )
    if cells + count.budget.cells > MAX_CELLS:
        raise InputTooLarge(
            path,
            f"its sheets hold more than {MAX_CELLS:,} cells together (at sheet {title!r}); "
            f"livepost reads at most {MAX_CELLS:,} cells of a workbook",
            hint=_HINT,
        )


def _too_many(path: str, title: str, what: str) -> InputTooLarge:
    return InputTooLarge(path, f"sheet {title!r} has {what}", hint=_HINT)
