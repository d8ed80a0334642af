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
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from livepost.errors import ConfigError, one_line
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
        row.error, row.failures = None, 0
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
            row.ok_at, row.error, row.failures = row.tried_at, None, 0
            row.etag, row.last_modified = etag, last_modified
        else:
            row.error = error


#: the daemon's first retry after a failed refresh (sooner when it refreshes more often)...
RETRY_FIRST_SECONDS = 30.0
#: ...doubling at each failure in a row, up to this
RETRY_MAX_SECONDS = 600.0


def retry_delay(failures: int, every_seconds: float) -> float:
    """Seconds until the next try after ``failures`` failed tries in a row (exponential backoff:
    30 s, 1 min, 2 min... capped at 10 min; never later than a regular refresh would begin)."""
    first = min(RETRY_FIRST_SECONDS, every_seconds)
    exponent = min(max(failures, 1) - 1, 30)
    return float(min(first * 2**exponent, max(RETRY_MAX_SECONDS, first)))


@dataclass
class Refresh:
    """One re-fetch by the daemon: the import when it worked, else why the last good
    programme was kept; how many tries in a row failed and when the next one is due."""

    result: ProgrammeImport | None = None
    problem: str | None = None
    url: str | None = None
    failures: int = 0
    retry_in: float = 0.0  # seconds until the next try
    retry_at: datetime | None = None


def refresh_programme(
    settings: Settings,
    engine: Engine,
    event_key: str | None = None,
    *,
    every_seconds: float | None = None,
) -> Refresh:
    """Fetch the programme URL again and apply it as a re-import does. A failure of any kind
    (network, deadline, HTTP error, a bad or unreadable programme) keeps the last good programme
    and is recorded for ``status`` and the console with the next try (see :func:`retry_delay`;
    ``every_seconds`` is the regular refresh, default the settings'). Only the database failing
    too raises."""
    url = settings.schedule_url
    if url is None:
        return Refresh()
    key = event_key or settings.event_key
    every = (
        every_seconds
        if every_seconds is not None
        else settings.event.schedule_refresh_minutes * 60.0
    )
    try:
        result = import_programme(settings, engine, url, event_key=key)
    except Exception as exc:
        if _database_failed(exc):
            raise
        problem = one_line(exc)
        with session_scope(engine) as session:
            event = ensure_event(session, key, settings.event.name, settings.event.timezone)
            row = fetch_row(session, event, url)
            now = utc_now()
            failures = (row.failures or 0) + 1
            delay = retry_delay(failures, every)
            row.tried_at = row.failed_at = now
            row.error, row.failures = problem, failures
            row.retry_at = now + timedelta(seconds=delay)
            retry_at = row.retry_at
        return Refresh(
            problem=problem, url=url, failures=failures, retry_in=delay, retry_at=retry_at
        )
    with session_scope(engine) as session:
        row = fetch_row(session, load_event(session, key), url)
        row.failures = 0
        row.retry_at = (row.tried_at or utc_now()).astimezone(UTC) + timedelta(seconds=every)
        retry_at = row.retry_at
    return Refresh(result=result, url=url, retry_in=every, retry_at=retry_at)


def _database_failed(exc: Exception) -> bool:
    """Whether ``exc`` is the database's own failure (nothing could be recorded either)."""
    from sqlalchemy.exc import SQLAlchemyError

    from livepost.errors import StoreError

    return isinstance(exc, SQLAlchemyError | StoreError) or isinstance(
        exc.__cause__, SQLAlchemyError
    )


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
    """(healthy, one line) about a followed programme URL, in the event's time zone: the last
    success, the last failure and its message while it fails, and the next try."""
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(zone_name)

    def at(moment: datetime | None) -> str:
        return f"{moment.astimezone(zone):%a %d %b %H:%M}" if moment else "never"

    def next_try(label: str) -> str:
        if state.retry_at is None:
            return ""
        return f"; {label} {state.retry_at.astimezone(zone):%a %d %b %H:%M:%S}"

    if state.error:
        times = f"{state.failures} times in a row, " if state.failures > 1 else ""
        failed_at = state.failed_at or state.tried_at
        return False, (
            f"{state.url}: refresh failed {times}last at {at(failed_at)} ({state.error}); "
            f"keeping the last good programme (fetched {at(state.ok_at)})" + next_try("next try")
        )
    return True, f"{state.url}: fetched {at(state.ok_at)}" + next_try("next refresh")


def followed_json(state: FetchState) -> dict[str, object]:
    """The same as :func:`describe_followed` for ``status --json`` (UTC, ISO 8601)."""

    def iso(moment: datetime | None) -> str | None:
        return moment.astimezone(UTC).isoformat() if moment else None

    return {
        "url": state.url,
        "last_success": iso(state.ok_at),
        "last_failure": (
            {"at": iso(state.failed_at or state.tried_at), "error": state.error}
            if state.error
            else None
        ),
        "failures": state.failures if state.error else 0,
        "next_try": iso(state.retry_at),
    }
