"""A publisher process for the crash and outage tests: ``python -m tests.publish_worker DIR``.

Loads the event folder's settings (credentials from the environment), delivers everything due,
prints a one-line JSON summary. ``LIVEPOST_CRASH_AT`` kills it at a chosen point.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path

from livepost.config import load_settings
from livepost.publish.delivery import deliver_due
from livepost.run.assemble import make_publisher
from livepost.store.engine import open_database


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
        )
    finally:
        publisher.close()
    print(json.dumps({"posted": [o.key for o in report.posted], "stopped": report.stopped}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1]))
