"""Clocks for the daemon: the real one, and a simulated one that replays a day N times faster.

The simulated clock only moves while the daemon waits (``elapsed real seconds x speed``), never
while it works: rendering a card or writing to the database does not eat simulated minutes, so a
replay at 1000x behaves like the day itself, post for post (nothing turns "late" because the
machine was busy).
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """What the daemon asks of time."""

    speed: float

    def now(self) -> datetime:
        """The current moment (aware, UTC)."""
        ...

    def wait(self, wake: threading.Event, seconds: float) -> None:
        """Sleep up to ``seconds`` of *real* time, or until ``wake`` is set."""
        ...

    def real_delay(self, at: datetime) -> float:
        """Real seconds from now until the clock shows ``at`` (negative when it is past)."""
        ...


class RealClock:
    """Wall-clock time."""

    speed = 1.0

    def now(self) -> datetime:
        return datetime.now(UTC)

    def wait(self, wake: threading.Event, seconds: float) -> None:
        wake.wait(max(0.0, seconds))

    def real_delay(self, at: datetime) -> float:
        return (at - self.now()).total_seconds()


class SimulatedClock:
    """Starts at ``start`` and runs ``speed`` times faster than real time while waiting."""

    def __init__(self, start: datetime, speed: float) -> None:
        if start.tzinfo is None:
            raise ValueError("start must be timezone-aware")
        if speed <= 0:
            raise ValueError("speed must be positive")
        self.speed = float(speed)
        self._now = start.astimezone(UTC)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def wait(self, wake: threading.Event, seconds: float) -> None:
        """A full wait moves exactly ``seconds x speed`` (sleep jitter is not multiplied); a
        wait cut short by ``wake`` moves by the real time it lasted."""
        seconds = max(0.0, seconds)
        began = time.monotonic()
        woken = wake.wait(seconds)
        elapsed = min(time.monotonic() - began, seconds) if woken else seconds
        with self._lock:
            self._now += timedelta(seconds=elapsed * self.speed)

    def advance_to(self, moment: datetime) -> None:
        """Jump forward (never back) to ``moment``."""
        with self._lock:
            self._now = max(self._now, moment.astimezone(UTC))

    def real_delay(self, at: datetime) -> float:
        return (at - self.now()).total_seconds() / self.speed
