"""What the daemon's jobs share: the run's summary, how they speak, and the two shapes of job.

A :class:`Job` is stepped by the daemon's loop (``run(now)``, on the loop's thread, the only one
that sends); a :class:`Watcher` runs in a thread of its own and only wakes the loop or feeds the
archive, never sending.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from livepost.model import Talk


@dataclass
class RunSummary:
    """What one ``livepost run`` did."""

    sent: Counter[str] = field(default_factory=Counter)  # by kind
    missed: list[tuple[str, str]] = field(default_factory=list)  # key, why
    failed: list[tuple[str, str]] = field(default_factory=list)
    cancelled: list[tuple[str, str]] = field(default_factory=list)
    stopped: str | None = None

    def lines(self) -> list[str]:
        total = sum(self.sent.values())
        kinds = ", ".join(f"{kind} {n}" for kind, n in sorted(self.sent.items()))
        out = [
            f"Summary: {total} posts sent" + (f" ({kinds})" if kinds else "") + f", "
            f"{len(self.missed)} missed, {len(self.failed)} failed, "
            f"{len(self.cancelled)} cancelled by the plan."
        ]
        out += [f"  missed {key}: {why}" for key, why in self.missed]
        out += [f"  failed {key}: {why}" for key, why in self.failed]
        out += [f"  cancelled {key}: {why}" for key, why in self.cancelled]
        if self.stopped:
            out.append(f"Stopped: {self.stopped}")
        return out


@dataclass
class Voice:
    """How the run speaks: lines to print, times shown in the event's zone."""

    echo: Callable[[str], None]
    zone: ZoneInfo

    def stamp(self, moment: datetime) -> str:
        return f"{moment.astimezone(self.zone):%H:%M:%S}"


@dataclass
class Programme:
    """The programme as last planned, shared by the plan job and the cards drawn at send time."""

    talks: list[Talk] = field(default_factory=list)


class Job(Protocol):
    """One thing the daemon's loop does at a step."""

    def run(self, now: datetime) -> object: ...


class Watcher(Protocol):
    """One thing that runs beside the loop until ``stop`` is set."""

    def start(self, stop: threading.Event) -> threading.Thread | None: ...


class Every:
    """Whether ``every`` has passed since the last time it said yes (simulated time)."""

    def __init__(self, every_seconds: float) -> None:
        self.every = every_seconds
        self._last: datetime | None = None

    def due(self, now: datetime) -> bool:
        if self._last is not None and (now - self._last).total_seconds() < self.every:
            return False
        self._last = now
        return True

    def reset(self) -> None:
        self._last = None
