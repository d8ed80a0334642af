"""A publisher process for the crash and outage tests: ``python -m tests.publish_worker DIR``.

Loads the event folder's settings (credentials from the environment), delivers everything due,
prints a one-line JSON summary. ``LIVEPOST_CRASH_AT`` (``point`` or ``point:N``, the N-th time
from 1) kills it with SIGKILL at a delivery checkpoint, as a power cut would.
"""

from __future__ import annotations

import json
import os
import signal
import sys
from datetime import UTC, datetime
from pathlib import Path

from livepost.config import load_settings
from livepost.publish.delivery import deliver_due
from livepost.run.assemble import make_publisher
from livepost.store.engine import open_database

CRASH_ENV = "LIVEPOST_CRASH_AT"
_passed: dict[str, int] = {}


def crash_at_env(name: str) -> None:
    """The crash tests' checkpoint: die at the point ``LIVEPOST_CRASH_AT`` names."""
    point, _, nth = os.environ.get(CRASH_ENV, "").partition(":")
    if point != name:
        return
    _passed[name] = _passed.get(name, 0) + 1
    if _passed[name] == int(nth or 1):
        os.kill(os.getpid(), signal.SIGKILL)


def main(folder: str) -> int:
    settings = load_settings(Path(folder))
    engine = open_database(settings.database_url)
    publisher = make_publisher(settings)
    try:
        report = deliver_due(
            engine,
            settings.event_key,
            publisher,
            now=datetime.now(UTC),
            retry_delays=(0.5,),
            atomic_threads=settings.plan.atomic_threads,
            checkpoint=crash_at_env,
        )
    finally:
        publisher.close()
    print(json.dumps({"posted": [o.key for o in report.posted], "stopped": report.stopped}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1]))
