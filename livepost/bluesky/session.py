"""Sessions: log in once, keep the session in the event folder, reuse it on every run.

Bluesky allows 30 logins per 5 minutes and 300 a day, and its refresh tokens rotate: a bot that
logs in on every run gets locked out, and one that forgets a refreshed token is logged out. So
the session lives in ``.livepost-session`` (mode 0600) and is written again after every change
(``on_session_change``: create, refresh, import). A run imports it without a network call and
never logs in while it is valid. Secrets are never logged or printed.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from atproto import Client, Request, SessionEvent

from livepost.bluesky.errors import CALL_ERRORS, login_error
from livepost.errors import ConfigError, StoreError

if TYPE_CHECKING:
    from atproto import Session

    from livepost.config import Settings

log = logging.getLogger(__name__)

SESSION_FILE = ".livepost-session"
#: seconds per request; the SDK's 5 s default times out on a slow PDS, and a timed-out write
#: is an unknown outcome that costs a getRecord
REQUEST_TIMEOUT = 30.0


def normalize_service(url: str) -> str:
    return url.strip().rstrip("/").removesuffix("/xrpc")


@dataclass(frozen=True)
class StoredSession:
    """What ``.livepost-session`` holds (``session`` is the SDK's session string: a secret)."""

    service: str
    handle: str
    did: str
    session: str
    saved_at: str


class SessionStore:
    """The session file of one event folder, written atomically with mode 0600."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / SESSION_FILE

    def load(self) -> StoredSession | None:
        try:
            data = json.loads(self.path.read_text())
            return StoredSession(
                service=data["service"],
                handle=data["handle"],
                did=data["did"],
                session=data["session"],
                saved_at=data.get("saved_at", ""),
            )
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError):
            log.warning("ignoring an unreadable session file %s", self.path)
            return None

    def save(self, service: str, handle: str, did: str, session: str) -> None:
        data = {
            "service": service,
            "handle": handle,
            "did": did,
            "session": session,
            "saved_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        temporary = self.path.with_name(f"{self.path.name}.{os.getpid()}.tmp")
        try:
            fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as handle_file:
                json.dump(data, handle_file)
                handle_file.flush()
                os.fsync(handle_file.fileno())
            os.chmod(temporary, 0o600)  # even when the file existed with looser rights
            os.replace(temporary, self.path)
        except OSError as exc:
            with contextlib.suppress(OSError):
                temporary.unlink()
            raise StoreError(
                f"cannot save the Bluesky session in {self.path}: {exc.strerror or exc}",
                hint="Check that the event folder is writable.",
            ) from exc

    def delete(self) -> bool:
        try:
            self.path.unlink()
        except FileNotFoundError:
            return False
        return True


class LivepostClient(Client):  # type: ignore[misc]
    """The SDK client with a settable clock (tests move time past the access token's expiry)."""

    def __init__(
        self, base_url: str, *, timeout: float = REQUEST_TIMEOUT, clock: Callable[[], datetime]
    ) -> None:
        super().__init__(base_url, request=Request(timeout=timeout))
        self._clock = clock

    def get_current_time(self) -> datetime:
        return self._clock()


def _utc_now() -> datetime:
    return datetime.now(UTC)


def make_client(
    service: str,
    store: SessionStore | None = None,
    *,
    timeout: float = REQUEST_TIMEOUT,
    clock: Callable[[], datetime] = _utc_now,
) -> LivepostClient:
    """A client for ``service`` (any PDS URL) that saves every new session into ``store``."""
    client = LivepostClient(normalize_service(service), timeout=timeout, clock=clock)
    if store is not None:

        def persist(event: SessionEvent, session: Session) -> None:
            if event == SessionEvent.IMPORT:
                return  # it came from the file
            store.save(
                normalize_service(service),
                session.handle,
                session.did,
                client.export_session_string(),
            )
            log.info("Bluesky session %s saved", event.value)

        client.on_session_change(persist)
    return client


def login(
    service: str,
    handle: str,
    app_password: str,
    folder: Path,
    *,
    timeout: float = REQUEST_TIMEOUT,
) -> StoredSession:
    """createSession once and store the result (what ``livepost login`` does)."""
    store = SessionStore(folder)
    client = make_client(service, store, timeout=timeout)
    try:
        client.login(handle, app_password, fetch_bsky_profile=False)
    except CALL_ERRORS as exc:  # the SDK's errors and httpx's, classified once
        raise login_error(exc, account=handle, service=normalize_service(service)) from None
    stored = store.load()
    assert stored is not None
    return stored


def open_client(
    settings: Settings,
    *,
    timeout: float = REQUEST_TIMEOUT,
    clock: Callable[[], datetime] = _utc_now,
) -> LivepostClient:
    """A logged-in client: the stored session when it is for this service and handle, else a
    login with the configured app password (once), else a clear "not logged in"."""
    service = normalize_service(settings.service)
    store = SessionStore(settings.event_dir)
    stored = store.load()
    client = make_client(service, store, timeout=timeout, clock=clock)
    if stored is not None and _matches(stored, service, settings.handle):
        client.login(session_string=stored.session, fetch_bsky_profile=False)
        return client
    if settings.handle and settings.app_password:
        try:
            client.login(settings.handle, settings.app_password, fetch_bsky_profile=False)
        except CALL_ERRORS as exc:
            raise login_error(exc, account=settings.handle, service=service) from None
        return client
    if stored is not None:
        raise ConfigError(
            f"The stored Bluesky session is for {stored.handle} on {stored.service}, but this "
            f"event posts as {settings.handle or '(no handle)'} on {service}.",
            hint="Log in with the right account: livepost login",
        )
    raise ConfigError(
        f"Not logged in to Bluesky ({service}).",
        hint="Run: livepost login (or set LIVEPOST_HANDLE and LIVEPOST_APP_PASSWORD in .env).",
    )


def _matches(stored: StoredSession, service: str, handle: str | None) -> bool:
    if normalize_service(stored.service) != service:
        return False
    return handle is None or handle.lower().lstrip("@") in (stored.handle.lower(), stored.did)


@dataclass(frozen=True)
class SessionStatus:
    """Who is logged in, to which service (what ``livepost status`` prints). No secrets."""

    logged_in: bool
    service: str
    handle: str | None
    did: str | None
    saved_at: str | None
    path: Path
    note: str | None = None

    def describe(self) -> str:
        if not self.logged_in:
            return f"Not logged in to Bluesky ({self.service}). {self.note or ''}".strip()
        text = f"Logged in as {self.handle} ({self.did}) on {self.service}"
        return text + (f". {self.note}" if self.note else "")

    def to_json(self) -> dict[str, Any]:
        return {
            "logged_in": self.logged_in,
            "service": self.service,
            "handle": self.handle,
            "did": self.did,
            "saved_at": self.saved_at,
            "session_file": str(self.path),
            "note": self.note,
        }


def session_status(settings: Settings) -> SessionStatus:
    """From the session file alone (no network call, so it never costs a login)."""
    service = normalize_service(settings.service)
    store = SessionStore(settings.event_dir)
    stored = store.load()
    if stored is None:
        note = (
            "livepost will log in with LIVEPOST_HANDLE and LIVEPOST_APP_PASSWORD on the first run."
            if settings.handle and settings.app_password
            else "Run: livepost login (without it, livepost runs as a dry run)."
        )
        return SessionStatus(False, service, None, None, None, store.path, note)
    if not _matches(stored, service, settings.handle):
        return SessionStatus(
            False,
            service,
            stored.handle,
            stored.did,
            stored.saved_at,
            store.path,
            f"The stored session is for {stored.handle} on {stored.service}; "
            "run livepost login to change account.",
        )
    return SessionStatus(True, service, stored.handle, stored.did, stored.saved_at, store.path)


def logout(settings: Settings, *, timeout: float = 10.0) -> SessionStatus:
    """Revoke the stored session on the server (best effort) and delete the file."""
    status = session_status(settings)
    store = SessionStore(settings.event_dir)
    stored = store.load()
    if stored is not None:
        client = make_client(stored.service, None, timeout=timeout)
        with contextlib.suppress(Exception):  # the file goes either way; the server may be away
            client.login(session_string=stored.session, fetch_bsky_profile=False)
            client.com.atproto.server.delete_session(
                headers=client._get_refresh_auth_headers(), ignore_session_check=True
            )
    store.delete()
    return status
