"""Guess a programme's format from its content (the file name is only a tie-breaker)."""

from __future__ import annotations

import re

from livepost.errors import ScheduleError

_TIME_AT_LINE_START = re.compile(r"^\s*\d{1,2}(?:[.:h]\d{2})?\s*(?:[ap]\.?m\.?)?\b", re.I | re.M)
_CSV_HEADER_WORDS = re.compile(
    r"\b(start|begin|time|title|session|speakers?|presenters?|room|location|track|duration|end)\b",
    re.I,
)


def detect_format(text: str, path: str = "") -> str:
    """Return a key of :data:`livepost.schedule.FORMATS` for ``text``."""
    head = text.lstrip("\ufeff \t\r\n")
    if head.upper().startswith("BEGIN:VCALENDAR"):
        return "ics"
    if head.startswith("<"):
        return "frab-xml"
    if head.startswith(("{", "[")):
        return _detect_json(text, path)
    first_line = head.splitlines()[0] if head else ""
    if _looks_like_yaml(head, path):
        return "yaml"
    if any(sep in first_line for sep in (",", ";", "\t")) and (
        len(_CSV_HEADER_WORDS.findall(first_line)) >= 2 or _known_headers(first_line) >= 2
    ):
        return "csv"
    if path.lower().endswith(".csv"):
        return "csv"
    if _TIME_AT_LINE_START.search(head):
        return "text"
    raise ScheduleError(
        path,
        "cannot tell which schedule format this is",
        hint="Pass --format (yaml, csv, xlsx, ics, frab-json, frab-xml, indico, sessionize, "
        "pretalx-api, hoverboard or text).",
    )


def _known_headers(line: str) -> int:
    """How many cells of a header line name a spreadsheet column (``starttime``, ``fullname``)."""
    from livepost.schedule.table import known_header

    return sum(1 for cell in re.split(r"[,;\t]", line) if known_header(cell))


def _looks_like_yaml(head: str, path: str) -> bool:
    if path.lower().endswith((".yaml", ".yml")):
        return True
    # The first line must already be YAML: a CSV cell that spans lines may hold "schedule: ...".
    first = next((ln for ln in head.splitlines() if ln.strip() and not ln.startswith("#")), "")
    if not re.match(r"(---|%YAML|[\w-]+\s*:(\s|$))", first):
        return False
    return bool(re.search(r"^(talks|event|schedule)\s*:", head, re.M))


def _detect_json(text: str, path: str) -> str:
    from livepost.schedule.frab_json import load_json  # one JSON error message for every path

    data = load_json(text, path)
    if isinstance(data, dict):
        if _is_hoverboard(data):
            return "hoverboard"
        if "schedule" in data or "conference" in data:
            return "frab-json"
        if "results" in data:
            return "pretalx-api" if _is_pretalx(data["results"]) else "indico"
        if isinstance(data.get("sessions"), list):
            return "sessionize"  # the "All data" view: sessions, speakers, rooms, categories
    if isinstance(data, list) and data and isinstance(data[0], dict):
        first = data[0]
        if _is_pretalx(data):
            return "pretalx-api"
        if "timeSlots" in first or "groupName" in first or "groupId" in first:
            return "sessionize"  # "Schedule grid" or "Sessions" view
        if "fullName" in first or "firstName" in first:
            return "sessionize"  # the "Speakers" view: the importer explains what is missing
    raise ScheduleError(
        path,
        "is JSON, but not a schedule livepost knows (frab/pretalx schedule.json, pretalx API, "
        "Sessionize, GDG Hoverboard or Indico)",
        hint="Export the schedule as 'frab compatible' JSON or pass --format.",
    )


def _is_hoverboard(data: dict[str, object]) -> bool:
    """Hoverboard's data file: a schedule of days with timeslots, sessions and speakers by key."""
    schedule = data.get("schedule")
    days = list(schedule.values()) if isinstance(schedule, dict) else schedule
    return (
        isinstance(data.get("sessions"), dict)
        and isinstance(days, list)
        and any(isinstance(day, dict) and "timeslots" in day for day in days)
    )


def _is_pretalx(results: object) -> bool:
    """pretalx's REST API: submissions keyed by ``code`` with their ``slot``/``slots``."""
    return (
        isinstance(results, list)
        and bool(results)
        and isinstance(results[0], dict)
        and "code" in results[0]
        and ("slot" in results[0] or "slots" in results[0] or "submission_type" in results[0])
    )
