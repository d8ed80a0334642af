"""Dry runs rehearse on a copy: the event's talks and outbox under a second event key.

``livepost run --dry-run`` (and a run without credentials) must never mark the real queue as
posted, or the day itself would send nothing. So the daemon works on ``<event>--dry-run`` in the
same database: a fresh copy of the programme and of the outbox (new row ids, new record keys),
made again at every dry run by :meth:`livepost.app.daemon.DaemonWork.rehearse` once the run's
lock is held. The real event's rows are only read.
"""

from __future__ import annotations

SUFFIX = "--dry-run"


def rehearsal_key(event_key: str) -> str:
    """The event key of ``event_key``'s rehearsal copy (within the 100 characters a key has)."""
    return f"{event_key[: 100 - len(SUFFIX)]}{SUFFIX}"
