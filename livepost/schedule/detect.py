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
    if (
        any(sep in first_line for sep in (",", ";", "\t"))
        and len(_CSV_HEADER_WORDS.findall(first_line)) >= 2
    ):
        return "csv"
    if path.lower().endswith(".csv"):
        return "csv"
    if _TIME_AT_LINE_START.search(head):
        return "text"
    raise ScheduleError(
        path,
        "cannot tell which schedule format this is",
        hint="Pass --format (yaml, csv, ics, frab-json, frab-xml, indico or text).",
    )


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
        if "schedule" in data or "conference" in data:
            return "frab-json"
        if "results" in data:
            return "indico"
    raise ScheduleError(
        path,
        "is JSON, but neither a frab/pretalx schedule.json nor an Indico export",
        hint="Export the schedule as 'frab compatible' JSON or pass --format.",
    )
