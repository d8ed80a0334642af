"""Importing a programme into the event, for every front end: ``livepost schedule import`` and
the daemon following a programme URL call the same :func:`import_programme`.

A file or a URL is read, parsed, given the people file's handles and merged into the database in
one transaction: a programme that cannot be fetched or parsed changes nothing. For a URL the
validators (ETag, Last-Modified) are kept per event so that an unchanged programme costs one
short request and changes nothing (``not_modified``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from livepost.errors import ConfigError, LivepostError
from livepost.model import Schedule
from livepost.people import apply_people, read_people
from livepost.store.engine import session_scope
from livepost.store.fetch_state import FetchState, fetch_row, read_fetch_state
from livepost.store.models import utc_now
from livepost.store.talks import ImportReport, ensure_event, load_event, save_schedule

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from livepost.config import Settings


@dataclass
class ProgrammeImport:
    """What one import did: where from, what was read (None when a URL answered "not
    modified") and what changed in the database."""

    source: str
    schedule: Schedule | None
    report: ImportReport
    not_modified: bool = False


def import_programme(
    settings: Settings,
    engine: Engine,
    source: Path | str | None = None,
    *,
    format_name: str = "auto",
    day: date | None = None,
    event_key: str | None = None,
    columns: Mapping[str, str] | None = None,
    allow_withdraw: bool = False,
) -> ProgrammeImport:
    """Read ``source`` (a file, an http(s) URL; default: the ``schedule`` setting) into the
    event. Raises :class:`~livepost.errors.LivepostError` with nothing changed when the
    programme cannot be fetched or read, or when it would withdraw more than half of the talks
    without ``allow_withdraw``."""
    from livepost.config import is_url

    key = event_key or settings.event_key
    origin = source if source is not None else (settings.event.schedule or None)
    if origin is None:
        raise ConfigError(
            "no programme file given and livepost.toml has no `schedule` setting",
            hint='Run: livepost schedule import FILE  (or set [event] schedule = "FILE").',
        )
    day = day or settings.event.date
    if isinstance(origin, str) and is_url(origin):
        return _import_url(settings, engine, origin, format_name, day, key, columns, allow_withdraw)
    path = Path(origin) if source is not None else settings.event_dir / str(origin)
    from livepost.schedule import load_schedule

    schedule = load_schedule(
        path, timezone=settings.zone, format_name=format_name, day=day, columns=columns
    )
    report = _save(settings, engine, key, schedule, allow_withdraw)
    return ProgrammeImport(str(path), schedule, report)


def _save(
    settings: Settings, engine: Engine, key: str, schedule: Schedule, allow_withdraw: bool
) -> ImportReport:
    apply_people(schedule, read_people(settings.people_path))
    with session_scope(engine) as session:
        ensure_event(session, key, settings.event.name, settings.event.timezone)
        return save_schedule(
            session, key, schedule, zone=settings.zone, allow_withdraw=allow_withdraw
        )


def _import_url(
    settings: Settings,
    engine: Engine,
    url: str,
    format_name: str,
    day: date | None,
    key: str,
    columns: Mapping[str, str] | None,
    allow_withdraw: bool,
) -> ProgrammeImport:
    from livepost.schedule import parse_schedule_bytes
    from livepost.schedule.remote import fetch_programme

    with session_scope(engine) as session:
        event = ensure_event(session, key, settings.event.name, settings.event.timezone)
        state = read_fetch_state(session, event)
    same = state is not None and state.url == url
    etag = state.etag if same and state is not None else None
    modified = state.last_modified if same and state is not None else None
    fetched = fetch_programme(url, etag=etag, last_modified=modified)
    if fetched.body is None:
        _record(engine, settings, key, url, ok=True, etag=etag, last_modified=modified)
        return ProgrammeImport(url, None, ImportReport(), not_modified=True)
    schedule = parse_schedule_bytes(
        fetched.body,
        path=url,
        timezone=settings.zone,
        format_name=format_name,
        day=day,
        columns=columns,
    )
    apply_people(schedule, read_people(settings.people_path))
    with session_scope(engine) as session:
        ensure_event(session, key, settings.event.name, settings.event.timezone)
        report = save_schedule(
            session, key, schedule, zone=settings.zone, allow_withdraw=allow_withdraw
        )
        row = fetch_row(session, load_event(session, key), url)
        row.etag, row.last_modified = fetched.etag, fetched.last_modified
        row.tried_at = row.ok_at = utc_now()
        row.error = None
    return ProgrammeImport(url, schedule, report)


def _record(
    engine: Engine,
    settings: Settings,
    key: str,
    url: str,
    *,
    ok: bool,
    error: str | None = None,
    etag: str | None = None,
    last_modified: str | None = None,
) -> None:
    with session_scope(engine) as session:
        event = ensure_event(session, key, settings.event.name, settings.event.timezone)
        row = fetch_row(session, event, url)
        row.tried_at = utc_now()
        if ok:
            row.ok_at, row.error = row.tried_at, None
            row.etag, row.last_modified = etag, last_modified
        else:
            row.error = error


@dataclass
class Refresh:
    """One re-fetch by the daemon: the import when it worked, else why the last good
    programme was kept."""

    result: ProgrammeImport | None = None
    problem: str | None = None


def refresh_programme(settings: Settings, engine: Engine, event_key: str | None = None) -> Refresh:
    """Fetch the programme URL again and apply it as a re-import does; a failure keeps the last
    good programme and is recorded for ``status`` and the console."""
    url = settings.schedule_url
    if url is None:
        return Refresh()
    key = event_key or settings.event_key
    try:
        return Refresh(result=import_programme(settings, engine, url, event_key=key))
    except LivepostError as exc:
        problem = exc.message
        _record(engine, settings, key, url, ok=False, error=problem)
        return Refresh(problem=problem)


def followed_programme(settings: Settings, engine: Engine) -> FetchState | None:
    """How following the programme URL stands (None: no URL, or never fetched)."""
    if settings.schedule_url is None:
        return None
    with session_scope(engine) as session:
        event = ensure_event(
            session, settings.event_key, settings.event.name, settings.event.timezone
        )
        return read_fetch_state(session, event)


def describe_followed(state: FetchState, zone_name: str) -> tuple[bool, str]:
    """(healthy, one line) about a followed programme URL, in the event's time zone."""
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(zone_name)

    def at(moment: datetime | None) -> str:
        return f"{moment.astimezone(zone):%a %d %b %H:%M}" if moment else "never"

    if state.error:
        return False, (
            f"{state.url}: last fetch failed at {at(state.tried_at)} ({state.error}); keeping the "
            f"last good programme (fetched {at(state.ok_at)})"
        )
    return True, f"{state.url}: fetched {at(state.ok_at)}"
