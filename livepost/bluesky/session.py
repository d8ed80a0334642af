"""Sessions: log in once, keep the session in the event folder, reuse it on every run.

Bluesky allows 30 logins per 5 minutes and 300 a day, and its refresh tokens rotate: a bot that
logs in on every run gets locked out, and one that forgets a refreshed token is logged out. So
the session lives in ``.livepost-session`` (mode 0600) and is written again after every change
(``on_session_change``: create, refresh, import). A run imports it without a network call and
never logs in while it is valid. Secrets are never logged or printed.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from atproto import Client, Request, SessionEvent

from livepost.bluesky.errors import CALL_ERRORS, login_error
from livepost.bluesky.session_file import (
    SESSION_FILE,
    SessionStatus,
    SessionStore,
    StoredSession,
    matches_account,
    normalize_service,
    session_status,
)
from livepost.errors import ConfigError

if TYPE_CHECKING:
    from atproto import Session

    from livepost.config import Settings

__all__ = [  # the session file's names stay importable from here
    "SESSION_FILE",
    "SessionStatus",
    "SessionStore",
    "StoredSession",
    "login",
    "logout",
    "make_client",
    "normalize_service",
    "open_client",
    "session_status",
]

log = logging.getLogger(__name__)

#: seconds per request; the SDK's 5 s default times out on a slow PDS, and a timed-out write
#: is an unknown outcome that costs a getRecord
REQUEST_TIMEOUT = 30.0


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
    code: str | None = None,
) -> StoredSession:
    """createSession once and store the result (what ``livepost login`` does).

    ``code`` is the sign-in code e-mailed to an account with two-factor sign-in; without it such
    an account raises :class:`~livepost.bluesky.errors.AuthCodeRequired` (and gets the e-mail).
    """
    store = SessionStore(folder)
    client = make_client(service, store, timeout=timeout)
    try:
        client.login(handle, app_password, auth_factor_token=code, fetch_bsky_profile=False)
    except CALL_ERRORS as exc:  # the SDK's errors and httpx's, classified once
        raise login_error(
            exc, account=handle, service=normalize_service(service), code=code
        ) from None
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
    if stored is not None and matches_account(stored, service, settings.handle):
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
