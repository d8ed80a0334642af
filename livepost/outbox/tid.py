"""Record keys of type ``tid``: minted and stored before any network call.

A TID is 13 characters of base32-sortable text encoding a 64-bit integer: a zero top bit, 53 bits
of microseconds since the Unix epoch, and a 10-bit clock id. Because livepost chooses the key
itself, a post whose outcome is unknown (timeout, 5xx) can be looked up on the PDS by that key
instead of being sent twice. The atproto Python SDK has no TID generator, hence this module.
"""

from __future__ import annotations

import random
import re
import threading
import time
from datetime import UTC, datetime

ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"
TID_PATTERN = re.compile(r"^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$")


def encode(value: int) -> str:
    """Encode a 64-bit integer as 13 base32-sortable characters."""
    chars = []
    for _ in range(13):
        chars.append(ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def decode(tid: str) -> int:
    value = 0
    for char in tid:
        value = (value << 5) | ALPHABET.index(char)
    return value


class TidClock:
    """Mints strictly increasing TIDs in one process, even when the wall clock stands still or
    steps back; the clock id is random per process, so two processes rarely collide."""

    def __init__(self, clock_id: int | None = None) -> None:
        self.clock_id = random.randrange(1024) if clock_id is None else clock_id & 1023
        self._last = 0
        self._lock = threading.Lock()

    def mint(self) -> str:
        with self._lock:
            micros = max(time.time_ns() // 1000, self._last + 1)
            self._last = micros
        return encode((micros << 10) | self.clock_id)


_CLOCK = TidClock()


def mint_tid() -> str:
    """A fresh TID from this process's clock."""
    return _CLOCK.mint()


def is_tid(value: str) -> bool:
    return bool(TID_PATTERN.match(value))


def tid_time(tid: str) -> datetime:
    """The moment a TID was minted."""
    return datetime.fromtimestamp((decode(tid) >> 10) / 1_000_000, tz=UTC)
