"""Moments typed by people: ``now``, ``+10m``, ``14:05`` (event time), ``YYYY-MM-DD HH:MM``.

One parser for every front end (``queue --at``, ``run --until/--start``, the console's forms), so
the same words mean the same moment everywhere. Results are aware UTC datetimes.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from livepost.errors import ConfigError, InputError
from livepost.schedule.common import parse_clock

_RELATIVE = re.compile(r"^\+\s*(?P<n>\d{1,6})\s*(?P<unit>s|sec|m|min|h|hr)?$", re.I)


def parse_moment(value: str, reference: datetime, zone: ZoneInfo, *, later: bool) -> datetime:
    """``HH:MM`` (event time, on ``reference``'s day; with ``later`` the next such moment after
    ``reference``) or ``YYYY-MM-DD HH:MM``, as aware UTC."""
    text = value.strip()
    try:
        if len(text) > 8:
            moment = datetime.fromisoformat(text.replace(" ", "T"))
            return (moment if moment.tzinfo else moment.replace(tzinfo=zone)).astimezone(UTC)
        clock = parse_clock(text)
    except ValueError:
        raise ConfigError(
            f"{value!r} is not a time",
            hint="Use HH:MM (event time) or 'YYYY-MM-DD HH:MM'.",
        ) from None
    local = reference.astimezone(zone)
    moment = datetime.combine(local.date(), clock, tzinfo=zone)
    if later and moment <= local:
        moment = datetime.combine(local.date() + timedelta(days=1), clock, tzinfo=zone)
    return moment.astimezone(UTC)


def parse_at(value: str | None, now: datetime, zone: ZoneInfo, *, field: str = "--at") -> datetime:
    """When to send: ``now`` (or nothing), ``+10m`` / ``+90s`` / ``+1h``, ``14:05`` (today, event
    time) or ``YYYY-MM-DD HH:MM``. ``field`` names the input in the error message."""
    if value is None or value.strip().lower() in ("", "now"):
        return now
    match = _RELATIVE.match(value.strip())
    if match:
        unit = (match["unit"] or "m").lower()[0]
        seconds = int(match["n"]) * {"s": 1, "m": 60, "h": 3600}[unit]
        return now + timedelta(seconds=seconds)
    try:
        return parse_moment(value, now, zone, later=False)
    except ConfigError:
        raise InputError(
            field,
            f"{value!r} is not a time",
            hint="Use now, +10m, 14:05 (event time) or 'YYYY-MM-DD HH:MM'.",
        ) from None
