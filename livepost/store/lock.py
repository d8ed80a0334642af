"""One daemon per event: a lock held for the life of ``livepost run``.

SQLite: an exclusive ``flock`` on a file next to the database (``livepost.db.<event>.lock``), with
the holder's pid written in it for the message. PostgreSQL: a session advisory lock keyed by the
event, on a connection kept open while the daemon runs. Both vanish with the process, so a crash
never leaves a stale lock behind.
"""

from __future__ import annotations

import hashlib
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from livepost.errors import ConfigError

if TYPE_CHECKING:
    from sqlalchemy import Engine


class AlreadyRunning(ConfigError):
    """Another ``livepost run`` holds the event's lock; ``holder`` says who, where known."""

    def __init__(self, message: str, *, holder: str, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.holder = holder


def lock_key(event_key: str) -> int:
    """A signed 64-bit advisory lock key for the event."""
    digest = hashlib.sha256(f"livepost-run:{event_key}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def lock_file(database: str, event_key: str) -> Path:
    """The file a SQLite event's daemon holds locked while it runs."""
    return Path(f"{database}.{event_key}.lock")


def file_lock_holder(database: str, event_key: str) -> str | None:
    """Who holds a SQLite event's run lock (``""`` when unnamed), or None when no one does; the
    probe takes the lock for an instant and lets it go, as ``status`` always has."""
    import fcntl

    path = lock_file(database, event_key)
    try:
        handle = path.open("a+", encoding="utf-8")
    except OSError:
        return None
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.seek(0)
            return handle.read().strip()
        fcntl.flock(handle, fcntl.LOCK_UN)
    return None


class RunLock:
    """``with RunLock(engine, "ccprconf26"):`` -- raises :class:`AlreadyRunning` if taken."""

    def __init__(self, engine: Engine, event_key: str) -> None:
        self.engine = engine
        self.event_key = event_key
        self._file: Any = None
        self._connection: Any = None
        self._holder = ""

    def __enter__(self) -> RunLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()

    def _message(self, holder: str) -> AlreadyRunning:
        return AlreadyRunning(
            f"livepost is already running for event {self.event_key!r}"
            + (f" ({holder})" if holder else ""),
            holder=holder,
            hint="Only one daemon per event may send posts. Stop the other one (Ctrl-C) first, "
            "or watch it with: livepost status",
        )

    def acquire(self) -> None:
        if self.engine.dialect.name == "sqlite":
            self._acquire_file()
        else:
            self._acquire_advisory()

    def _acquire_file(self) -> None:
        import fcntl

        path = lock_file(self.engine.url.database or "", self.event_key)
        handle = path.open("a+", encoding="utf-8")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.seek(0)
            holder = handle.read().strip()
            handle.close()
            raise self._message(holder) from None
        self._file = handle
        self._holder = f"pid {os.getpid()}, since {datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
        self.note(None)

    def note(self, text: str | None) -> None:
        """Say, next to who holds the lock, what the daemon is waiting for (``livepost status``
        shows it); None clears it. Best effort: a full disk may refuse even this."""
        if self._file is None:
            return  # PostgreSQL: the advisory lock has no room for a note
        line = self._holder + (f"; {text}" if text else "")
        try:
            self._file.seek(0)
            self._file.truncate()
            self._file.write(line)
            self._file.flush()
        except OSError:
            pass

    def _acquire_advisory(self) -> None:
        from sqlalchemy import text

        connection = self.engine.connect()
        got = connection.execute(
            text("SELECT pg_try_advisory_lock(:key)"), {"key": lock_key(self.event_key)}
        ).scalar()
        connection.commit()
        if not got:
            connection.close()
            raise self._message(f"another process holds its lock on {self.engine.url.host}")
        self._connection = connection

    def release(self) -> None:
        if self._file is not None:
            import fcntl

            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
            self._file = None
        if self._connection is not None:
            from sqlalchemy import text

            try:
                self._connection.execute(
                    text("SELECT pg_advisory_unlock(:key)"), {"key": lock_key(self.event_key)}
                )
                self._connection.commit()
            finally:
                self._connection.close()
                self._connection = None
