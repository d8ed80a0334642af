"""Reading values out of a JSON programme (Sessionize, pretalx API, Hoverboard).

Every error names the file and the dotted path of the value (``sessions.3.startsAt``).
"""

from __future__ import annotations

from datetime import datetime

from livepost.errors import ScheduleError
from livepost.schedule.common import ImportContext
from livepost.schedule.fields import optional_text, parse_datetime


class JsonReader:
    """One JSON file being read: where errors point and which zone naive times are in."""

    def __init__(self, ctx: ImportContext, hint: str) -> None:
        self.ctx = ctx
        self.hint = hint

    def error(self, path: str, message: str) -> ScheduleError:
        return ScheduleError(self.ctx.path, message, field=path, hint=self.hint)

    def moment(self, value: object, path: str) -> datetime:
        """An ISO 8601 date-time; one without an offset is local to the event."""
        try:
            return parse_datetime(value, self.ctx.timezone)
        except ValueError as exc:
            raise self.error(path, str(exc)) from None

    def mapping(self, value: object, path: str) -> dict[str, object]:
        if not isinstance(value, dict):
            raise self.error(path, f"is {_kind(value)}, not an object")
        return value

    def items(self, value: object, path: str) -> list[object]:
        """A list (``None`` counts as empty)."""
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.error(path, f"is {_kind(value)}, not a list")
        return value


def localized(value: object) -> str | None:
    """A plain string, or the first non-empty text of a translated one (``{"en": "Room 1"}``)."""
    if isinstance(value, dict):
        for key in ("en", *value):
            text = optional_text(value.get(key))
            if text:
                return text
        return None
    return optional_text(value)


def _kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return repr(value)
