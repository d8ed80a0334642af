"""The session file ``.livepost-session`` of an event folder, read and written with plain json.

Kept apart from :mod:`livepost.bluesky.session` so that reading who is logged in (``livepost
status``) does not import the atproto SDK. Secrets are never logged or printed.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from livepost.errors import StoreError

if TYPE_CHECKING:
    from livepost.config import Settings

log = logging.getLogger("livepost.bluesky.session")

SESSION_FILE = ".livepost-session"


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


def matches_account(stored: StoredSession, service: str, handle: str | None) -> bool:
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
    if not matches_account(stored, service, settings.handle):
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
