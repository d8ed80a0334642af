"""One writer per account: a lock file in the event folder, held while a process publishes.

Bluesky's refresh tokens rotate, so two processes sharing one session log each other out; and
two senders could both send a row before either marks it. ``flock`` is released by the kernel
when the process dies (even by SIGKILL), so a crash never leaves a stale lock.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
from pathlib import Path

from livepost.errors import ConfigError


class WriterBusy(ConfigError):
    """Another process is already publishing for this account."""


class WriterLock:
    """An exclusive lock on ``.livepost-writer-<account>.lock``; :meth:`release` or process exit."""

    def __init__(self, folder: Path, account: str) -> None:
        safe = re.sub(r"[^A-Za-z0-9._-]+", "_", account) or "account"
        self.path = folder / f".livepost-writer-{safe}.lock"
        self.account = account
        self._fd: int | None = None

    def acquire(self) -> WriterLock:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 32).decode(errors="replace").strip() or "unknown"
            os.close(fd)
            raise WriterBusy(
                f"Another livepost process (pid {holder}) is already publishing as "
                f"{self.account} from {self.path.parent}.",
                hint="Only one process may post for an account at a time; stop the other one "
                "first (its session tokens would log this one out).",
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        self._fd = fd
        return self

    def release(self) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(self._fd, fcntl.LOCK_UN)
                os.close(self._fd)
            self._fd = None

    @property
    def held(self) -> bool:
        return self._fd is not None
