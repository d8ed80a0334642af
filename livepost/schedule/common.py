"""Helpers every importer shares: reading a file as text, durations, clock times, clean strings.

The parsing helpers raise ``ValueError`` with a short reason; each importer wraps that into a
:class:`~livepost.errors.ScheduleError` that names the file and the line or field.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from livepost.errors import ScheduleError


@dataclass(frozen=True)
class ImportContext:
    """What an importer needs besides the text.

    ``timezone`` is the event's zone, used for sources whose times carry no offset; ``date`` is the
    day for sources that give only clock times (a pasted programme); ``columns`` maps a field to
    the spreadsheet header the user named for it (``--column title="Paper title"``).
    """

    path: str
    timezone: ZoneInfo
    date: date | None = None
    columns: Mapping[str, str] = field(default_factory=dict)


def read_text(path: Path) -> str:
    """Read a schedule file as text; binary junk and undecodable bytes get a clear error."""
    return decode_text(read_bytes(path), path)


def read_bytes(path: Path) -> bytes:
    """Read a schedule file's bytes; a missing file or a folder gets a clear error."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise ScheduleError(
            path, "file not found", hint="Check the path; it is relative to the current folder."
        ) from None
    except IsADirectoryError:
        raise ScheduleError(path, "is a folder, not a schedule file") from None
    except OSError as exc:
        raise ScheduleError(path, f"cannot be read ({exc.strerror})") from None


def looks_like_utf16(data: bytes) -> bool:
    """Text saved as UTF-16 without a byte-order mark: NUL in every other byte of its start."""
    sample = data[:4000]
    if len(sample) < 8 or b"\x00" not in sample:
        return False
    even, odd = sample[0::2], sample[1::2]
    nul_even, nul_odd = even.count(0) / len(even), odd.count(0) / len(odd)
    # Latin text: the high byte of every character is NUL, the low byte almost never
    return max(nul_even, nul_odd) >= 0.7 and min(nul_even, nul_odd) <= 0.1


def decode_text(data: bytes, path: str | Path) -> str:
    """Decode UTF-8 (with or without BOM) or BOM-marked UTF-16; anything else is an error."""
    if not data.strip():
        raise ScheduleError(path, "the file is empty", hint="Export the programme again.")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise ScheduleError(path, "is not valid UTF-16 text") from None
    if looks_like_utf16(data):
        raise ScheduleError(
            path,
            "is UTF-16 text without a byte-order mark, which livepost cannot tell apart safely",
            hint="Save it as UTF-8 (in a spreadsheet: 'CSV UTF-8'; in an editor: encoding UTF-8) "
            "and import it again.",
        )
    if b"\x00" in data:
        raise ScheduleError(
            path,
            "does not look like a text file (it contains NUL bytes)",
            hint="Point livepost at the exported schedule (.json, .xml, .ics, .csv, .yaml, .txt).",
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ScheduleError(
            path,
            f"is not UTF-8 text (byte 0x{data[exc.start]:02x} cannot be decoded)",
            line=line,
            hint="Save the file as UTF-8 (in a spreadsheet: 'CSV UTF-8') and import it again.",
        ) from None


_DURATION = re.compile(r"^(?:(?:(\d+):)?(\d{1,2}):)?(\d{1,4})$")


def parse_duration(value: str | int | float) -> timedelta:
    """Parse a duration in any form seen in real exports.

    ``"01:30"``/``"1:30"`` (H:MM), ``"1:02:30"`` (D:HH:MM, frab), ``"90"`` or ``90`` (minutes),
    ``"PT1H30M"`` (ISO 8601).
    """
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a duration")
    if isinstance(value, int | float):
        if value < 0:
            raise ValueError(f"{value} is a negative duration")
        return timedelta(minutes=value)
    text = value.strip()
    iso = re.fullmatch(r"P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?", text, re.IGNORECASE)
    if iso and text.upper() not in ("P", "PT"):
        d, h, m, s = (int(g) if g else 0 for g in iso.groups())
        return timedelta(days=d, hours=h, minutes=m, seconds=s)
    match = _DURATION.match(text)
    if not match:
        raise ValueError(f"{value!r} is not a duration (use minutes like 45, or H:MM like 1:30)")
    days, hours, minutes = match.groups()
    if hours is None:  # a bare number: minutes
        return timedelta(minutes=int(minutes))
    if int(minutes) >= 60:
        raise ValueError(f"{value!r} is not a duration (minutes must be under 60)")
    return timedelta(days=int(days or 0), hours=int(hours), minutes=int(minutes))


_CLOCK = re.compile(
    r"^(?P<h>\d{1,2})(?:[:.h](?P<m>\d{2}))?(?::(?P<s>\d{2}))?\s*(?P<ampm>[ap]\.?m\.?)?$",
    re.IGNORECASE,
)


def parse_clock(value: str) -> time:
    """Parse a clock time: ``11.30``, ``11:30``, ``11:30:00``, ``9am``, ``2.15pm``, ``14h30``."""
    match = _CLOCK.match(value.strip())
    if not match:
        raise ValueError(f"{value!r} is not a time (use HH:MM, e.g. 14:05)")
    hour = int(match["h"])
    minute = int(match["m"] or 0)
    second = int(match["s"] or 0)
    ampm = (match["ampm"] or "").lower().replace(".", "")
    if ampm:
        if not 1 <= hour <= 12:
            raise ValueError(f"{value!r} is not a time ({hour} is not an hour on a 12-hour clock)")
        hour = hour % 12 + (12 if ampm == "pm" else 0)
    elif match["m"] is None:
        raise ValueError(f"{value!r} is not a time (use HH:MM, e.g. 14:05, or 9am)")
    if hour > 23 or minute > 59 or second > 59:
        raise ValueError(f"{value!r} is not a time of day")
    return time(hour, minute, second)


def localize(day: date, clock: time, zone: ZoneInfo) -> datetime:
    """Combine a local date and clock time into an aware datetime in ``zone``."""
    return datetime.combine(day, clock, tzinfo=zone)


def clean(value: object) -> str:
    """A stripped string with runs of whitespace folded; ``None`` becomes ``""``."""
    if value is None:
        return ""
    return " ".join(str(value).split())


def split_names(value: str) -> list[str]:
    """Split a speaker list: ``"A, B and C"``, ``"A; B"``, ``"A & B"`` -> names."""
    parts = re.split(r"\s*(?:;|,|&|\band\b|\bund\b)\s*", value)
    return [p for p in (clean(x) for x in parts) if p]
