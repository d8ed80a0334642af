"""Atomic threads: a 4-post thread through ``deliver_due`` as one applyWrites vs 4 createRecords.

Run: ``.venv/bin/python bench/bench_atomic.py [--rounds 10] [--parts 4]``. Starts a local network
(about 10 s), then alternates the two ways of sending the same thread to the same PDS, best and
median of ``--rounds``. Timed: the whole ``deliver_due`` call (database steps included), and the
network calls alone (``applyWrites`` vs the sum of the ``createRecord`` calls).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from livepost.bluesky.publisher import BlueskyPublisher
from livepost.config import load_settings
from livepost.devtools.bluesky_network import local_network
from livepost.outbox.queries import Draft, add_thread
from livepost.publish.delivery import deliver_due
from livepost.run.assemble import make_publisher
from livepost.store.engine import open_database, session_scope
from livepost.store.talks import ensure_event


def one_thread(settings: Any, engine: Any, parts: int, atomic: bool, n: int) -> tuple[float, float]:
    """(seconds of deliver_due, seconds spent in the write calls) for one thread."""
    due = datetime.now(UTC) - timedelta(seconds=1)
    with session_scope(engine) as session:
        event = ensure_event(session, settings.event_key, "Bench", "UTC")
        add_thread(
            session,
            event,
            [
                Draft(key=f"{n}/{atomic}/{p}", kind="snippet", due_at=due, text=f"part {p} #bench")
                for p in range(1, parts + 1)
            ],
        )
    publisher = make_publisher(settings)
    assert isinstance(publisher, BlueskyPublisher)
    in_calls: dict[str, float] = {}
    original = publisher.client.invoke_procedure

    def timed(nsid: str, *args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return original(nsid, *args, **kwargs)
        finally:
            in_calls[nsid] = in_calls.get(nsid, 0.0) + time.perf_counter() - started

    publisher.client.invoke_procedure = timed  # type: ignore[method-assign]
    try:
        started = time.perf_counter()
        report = deliver_due(
            engine, settings.event_key, publisher, now=datetime.now(UTC), atomic_threads=atomic
        )
        total = time.perf_counter() - started
    finally:
        publisher.close()
    assert len(report.posted) == parts and len(report.threads) == (1 if atomic else 0)
    return total, sum(in_calls.values())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--parts", type=int, default=4)
    args = parser.parse_args()
    with local_network(("alice",)) as network, tempfile.TemporaryDirectory() as tmp:
        account = network.account("alice")
        folder = Path(tmp) / "event"
        folder.mkdir()
        (folder / "livepost.toml").write_text(
            '[event]\nname = "Bench"\nhashtags = ["bench"]\nlangs = ["en-GB"]\n'
        )
        settings = load_settings(
            folder,
            environ={
                "LIVEPOST_SERVICE": network.pds_url,
                "LIVEPOST_HANDLE": account.handle,
                "LIVEPOST_APP_PASSWORD": account.app_password,
            },
        )
        engine = open_database(settings.database_url)
        one_thread(settings, engine, args.parts, True, -1)  # warm-up (login, first commit)
        results: dict[bool, list[tuple[float, float]]] = {True: [], False: []}
        for n in range(args.rounds):
            for atomic in (False, True):
                results[atomic].append(one_thread(settings, engine, args.parts, atomic, n))
    print(f"{args.parts}-post thread, {args.rounds} rounds each (best / median, ms)")
    for atomic, name in ((False, f"{args.parts} x createRecord"), (True, "1 x applyWrites")):
        totals = [t * 1000 for t, _ in results[atomic]]
        calls = [c * 1000 for _, c in results[atomic]]
        print(
            f"{name:<18} deliver_due {min(totals):6.1f} / {statistics.median(totals):6.1f}"
            f"   write calls {min(calls):6.1f} / {statistics.median(calls):6.1f}"
        )


if __name__ == "__main__":
    main()
