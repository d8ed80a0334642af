"""Health checks for an event folder: what ``livepost doctor`` (and the web console) show.

Each check says what it found and, when something is wrong, how to fix it. A failed check makes
``doctor`` exit non-zero; a warning does not (livepost can still dry-run).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from livepost.config import load_settings
from livepost.errors import LivepostError
from livepost.notes import check_notes
from livepost.schedule.current import current_talks, stored_talks
from livepost.store.engine import open_database

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from livepost.config import Settings

Status = Literal["ok", "warn", "fail"]


@dataclass(frozen=True)
class Check:
    name: str
    status: Status
    detail: str
    fix: str = ""


def run_checks(
    event_dir: Path, *, database_url: str | None = None, online: bool = True
) -> list[Check]:
    """Run every check for ``event_dir``; later checks are skipped when settings cannot load."""

    try:
        settings = load_settings(event_dir, flags={"database_url": database_url})
    except LivepostError as exc:
        return [Check("settings", "fail", exc.message, exc.hint or "")]
    checks = [
        Check(
            "settings",
            "ok",
            f"{settings.event.name}: #{' #'.join(settings.event.hashtags) or '(no hashtags)'}, "
            f"{settings.event.timezone}, langs {', '.join(settings.event.langs)}",
        )
    ]
    if not settings.event.hashtags:
        checks.append(
            Check("hashtags", "warn", "the event has no hashtag", 'Set [event] hashtags = ["tag"].')
        )
    engine = None
    try:
        engine = open_database(settings.database_url)
        checks.append(Check("database", "ok", _masked(settings.database_url)))
    except LivepostError as exc:
        checks.append(Check("database", "fail", exc.message, exc.hint or ""))
    if engine is not None:
        checks.append(_check_programme(settings, engine))
        checks.append(_check_notes(settings, engine))
        checks.append(_check_card_fonts(settings, engine))
    checks.extend(_check_credentials(settings))
    if online:
        checks.append(_check_service(settings.service))
        if engine is not None:
            checks.append(_check_handles(settings, engine))
    return checks


def _masked(url: str) -> str:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        return "(unparseable URL)"


def _guard(name: str, body: Callable[[], Check]) -> Check:
    try:
        return body()
    except LivepostError as exc:
        return Check(name, "fail", exc.message, exc.hint or "")


def _check_programme(settings: Settings, engine: Engine) -> Check:
    def body() -> Check:
        talks = stored_talks(settings, engine)
        followed = _followed(settings, engine)
        if followed is not None and not followed[0]:
            return Check(
                "programme",
                "warn",
                followed[1],
                "Check the address in [event] schedule; livepost run keeps trying.",
            )
        if talks:
            n = sum(1 for t in talks if t.kind == "talk")
            detail = f"{n} talks and {len(talks) - n} breaks imported"
            if followed is not None:
                detail += f"; followed from {followed[1]}"
            return Check("programme", "ok", detail)
        path = settings.schedule_path or settings.schedule_url
        return Check(
            "programme",
            "warn",
            "no programme imported yet",
            f"Run: livepost schedule import {path or 'FILE'}",
        )

    return _guard("programme", body)


def _followed(settings: Settings, engine: Engine) -> tuple[bool, str] | None:
    """(healthy, detail) of a followed programme URL that was fetched at least once."""
    from livepost.schedule.importer import describe_followed, followed_programme

    state = followed_programme(settings, engine)
    return None if state is None else describe_followed(state, settings.event.timezone)


def _check_notes(settings: Settings, engine: Engine) -> Check:
    def body() -> Check:
        if not settings.notes_dir.is_dir():
            return Check("notes", "warn", f"{settings.notes_dir} does not exist", "Create it.")
        talks = current_talks(settings, engine)
        problems = check_notes(settings.notes_dir, {t.id for t in talks})
        if problems:
            first = problems[0]
            return Check(
                "notes",
                "warn",
                f"{len(problems)} problem(s), first: {first.path}:{first.line}: {first.message}",
                "Run: livepost notes check",
            )
        return Check("notes", "ok", f"{settings.notes_dir} is fine")

    return _guard("notes", body)


def _check_handles(settings: Settings, engine: Engine) -> Check:
    def body() -> Check:
        from livepost.app.people import check_handles, handle_warnings, speaker_handles

        names = speaker_handles(current_talks(settings, engine))
        if not names:
            return Check("handles", "ok", "no speaker has a Bluesky handle")
        found = check_handles(settings, engine, names)
        problems = handle_warnings(found, names)
        if problems:
            return Check(
                "handles",
                "warn",
                f"{len(found.resolved)} of {len(names)} handles resolve; {problems[0]}",
                "Run: livepost people check",
            )
        return Check("handles", "ok", f"all {len(names)} speaker handles resolve")

    return _guard("handles", body)


def _check_card_fonts(settings: Settings, engine: Engine) -> Check:
    def body() -> Check:
        from livepost.cards.fonts import HAVE_RAQM
        from livepost.cards.for_event import card_font_problems

        if not HAVE_RAQM:
            return Check(
                "card fonts",
                "warn",
                "Pillow cannot shape text (no Raqm): Arabic and Hebrew would be drawn unjoined, "
                "right-to-left text in the wrong order",
                "Install FriBiDi (Debian: apt-get install libfribidi0).",
            )
        problems = card_font_problems(settings, current_talks(settings, engine))
        if problems:
            return Check(
                "card fonts",
                "warn",
                f"{len(problems)} text(s) left out of cards, first: {problems[0]}",
                "Install the font package named (scripts/setup.sh installs them all), "
                "then run: livepost notes check",
            )
        return Check("card fonts", "ok", "every talk card can draw all its text")

    return _guard("card fonts", body)


def _check_credentials(settings: Settings) -> list[Check]:
    checks: list[Check] = []
    if settings.handle and settings.app_password:
        checks.append(
            Check(
                "credentials",
                "ok",
                f"{settings.handle} on {settings.service} (password from "
                f"{settings.sources.get('app_password')})",
            )
        )
    else:
        missing = [
            n
            for n, v in (
                ("LIVEPOST_HANDLE", settings.handle),
                ("LIVEPOST_APP_PASSWORD", settings.app_password),
            )
            if not v
        ]
        checks.append(
            Check(
                "credentials",
                "warn",
                f"{' and '.join(missing)} not set: livepost can only dry-run",
                f"Put them in {settings.event_dir / '.env'} (an app password from "
                "Bluesky's Settings > Privacy and security > App passwords).",
            )
        )
    env_file = settings.event_dir / ".env"
    if env_file.is_file() and os.name == "posix":
        mode = stat.S_IMODE(env_file.stat().st_mode)
        if mode & 0o077:
            checks.append(
                Check(
                    ".env",
                    "warn",
                    f"{env_file} is readable by others (mode {mode:o})",
                    f"Run: chmod 600 {env_file}",
                )
            )
    return checks


def _check_service(service: str) -> Check:
    import httpx

    url = f"{service}/xrpc/_health"
    try:
        response = httpx.get(url, timeout=5.0)
    except httpx.HTTPError as exc:
        return Check(
            "service",
            "warn",
            f"cannot reach {service} ({type(exc).__name__})",
            "Check the network connection and LIVEPOST_SERVICE (the PDS base URL).",
        )
    if response.status_code != 200:
        return Check(
            "service",
            "warn",
            f"{service} answered HTTP {response.status_code} to {url}",
            "Check LIVEPOST_SERVICE: it must be the base URL of a PDS, e.g. https://bsky.social.",
        )
    return Check("service", "ok", f"{service} is reachable")
