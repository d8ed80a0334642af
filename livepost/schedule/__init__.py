"""Schedule import: any supported programme format -> one normalized :class:`Schedule`.

Each format is one module exposing ``parse(text: str, ctx: ImportContext) -> Schedule``; this
package picks the module (from ``--format`` or by looking at the content) and assigns talk ids.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Protocol
from zoneinfo import ZoneInfo

from livepost.errors import ScheduleError
from livepost.model import Schedule
from livepost.schedule.common import ImportContext, decode_text, read_bytes
from livepost.schedule.detect import detect_format

#: format name -> module implementing ``parse``
FORMATS: dict[str, str] = {
    "yaml": "livepost.schedule.yaml_format",
    "csv": "livepost.schedule.csv_format",
    "ics": "livepost.schedule.ics",
    "frab-json": "livepost.schedule.frab_json",
    "frab-xml": "livepost.schedule.frab_xml",
    "indico": "livepost.schedule.indico",
    "text": "livepost.schedule.text",
    "sessionize": "livepost.schedule.sessionize",
    "pretalx-api": "livepost.schedule.pretalx_api",
    "hoverboard": "livepost.schedule.hoverboard",
    "xlsx": "livepost.schedule.xlsx_format",  # binary: read by parse_schedule_bytes
}
_ZIP = b"PK\x03\x04"  # an .xlsx workbook is a zip archive


class _Parser(Protocol):
    def __call__(self, text: str, ctx: ImportContext) -> Schedule: ...


def parser_for(format_name: str) -> _Parser:
    """The ``parse`` function of a format module."""
    module = importlib.import_module(FORMATS[format_name])
    parse: _Parser = module.parse
    return parse


def parse_schedule(
    text: str,
    *,
    path: str,
    timezone: ZoneInfo,
    format_name: str = "auto",
    day: date | None = None,
    columns: Mapping[str, str] | None = None,
) -> Schedule:
    """Parse programme text (already decoded) into a :class:`Schedule` without ids."""
    if format_name == "auto":
        format_name = detect_format(text, path)
    _check_format(format_name, path)
    if format_name == "xlsx":
        raise ScheduleError(path, "is text, not an .xlsx workbook", hint="Pass --format auto.")
    ctx = ImportContext(path=path, timezone=timezone, date=day, columns=columns or {})
    return _finish(parser_for(format_name)(text, ctx), format_name, path)


def parse_schedule_bytes(
    data: bytes,
    *,
    path: str,
    timezone: ZoneInfo,
    format_name: str = "auto",
    day: date | None = None,
    columns: Mapping[str, str] | None = None,
) -> Schedule:
    """Parse a programme file's bytes: an .xlsx workbook, else text in any other format."""
    _check_format(format_name, path)
    if format_name == "xlsx" or (format_name == "auto" and data.startswith(_ZIP)):
        from livepost.schedule.xlsx_format import parse_workbook

        ctx = ImportContext(path=path, timezone=timezone, date=day, columns=columns or {})
        return _finish(parse_workbook(data, ctx), "xlsx", path)
    text = decode_text(data, path)
    return parse_schedule(
        text, path=path, timezone=timezone, format_name=format_name, day=day, columns=columns
    )


def _check_format(format_name: str, path: str) -> None:
    if format_name != "auto" and format_name not in FORMATS:
        raise ScheduleError(
            path,
            f"unknown format {format_name!r}",
            hint=f"Use one of: auto, {', '.join(FORMATS)}.",
        )


def _finish(schedule: Schedule, format_name: str, path: str) -> Schedule:
    """Name the format and source, refuse items that end before they start, sort by time."""
    schedule.format = format_name
    schedule.source = path
    for talk in schedule.talks:
        if talk.end < talk.start:
            raise ScheduleError(
                path,
                f"{talk.title!r} ends ({talk.end.isoformat()}) before it starts "
                f"({talk.start.isoformat()})",
                hint="Fix the item's end time or duration.",
            )
    schedule.talks.sort(key=lambda t: (t.start, t.room or "", t.title))
    return schedule


def load_schedule(
    path: Path,
    *,
    timezone: ZoneInfo,
    format_name: str = "auto",
    day: date | None = None,
    columns: Mapping[str, str] | None = None,
) -> Schedule:
    """Read and parse a programme file."""
    return parse_schedule_bytes(
        read_bytes(path),
        path=str(path),
        timezone=timezone,
        format_name=format_name,
        day=day,
        columns=columns,
    )
