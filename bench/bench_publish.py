"""Publishing speed: livepost's delivery loop against a plain ``atproto`` ``send_post`` loop.

Run: ``.venv/bin/python bench/bench_publish.py [--posts 200]``. Both publish N posts to the same
real local PDS in the same run (alternately, best of ``--rounds``). Target: livepost's
throughput at least 0.9x the plain loop, with exactly one createSession for all its runs
(livepost also commits ``sending`` before and ``posted`` after every call, mints its rkeys, and
checks its write budget; the plain loop does none of that).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from atproto import Client

from livepost.config import load_settings
from livepost.devtools.bluesky_network import LocalNetwork, local_network
from livepost.outbox.queries import Draft, add_post
from livepost.publish.delivery import deliver_due
from livepost.run.assemble import make_publisher
from livepost.store.engine import open_database, session_scope
from livepost.store.talks import ensure_event

LOGINS: list[str] = []


def _count_logins() -> None:
    original = Client._get_and_set_session

    def counting(self: Client, *args: Any, **kwargs: Any) -> Any:
        LOGINS.append(str(args[0]))
        return original(self, *args, **kwargs)

    Client._get_and_set_session = counting  # type: ignore[method-assign]


def plain_loop(network: LocalNetwork, posts: int) -> float:
    """Posts per second of ``send_post`` in a loop (logged in beforehand, not timed)."""
    account = network.account("bob")
    client = Client(network.pds_url)
    client.login(account.handle, account.app_password)  # send_post needs the profile
    started = time.perf_counter()
    for n in range(posts):
        client.send_post(f"plain post {n} #bench", langs=["en-GB"])
    return posts / (time.perf_counter() - started)


def livepost_run(network: LocalNetwork, folder: Path, posts: int, round_no: int) -> float:
    """Posts per second of ``deliver_due`` over ``posts`` queued rows (setup not timed)."""
    account = network.account("alice")
    environ = {
        "LIVEPOST_SERVICE": network.pds_url,
        "LIVEPOST_HANDLE": account.handle,
        "LIVEPOST_APP_PASSWORD": account.app_password,
    }
    settings = load_settings(folder, environ=environ)
    engine = open_database(settings.database_url)
    due = datetime.now(UTC) - timedelta(minutes=1)
    with session_scope(engine) as session:
        event = ensure_event(session, settings.event_key, "Bench", "UTC")
        for n in range(posts):
            text = f"livepost post {n} #bench"
            facets = [
                {"byteStart": len(text) - 6, "byteEnd": len(text), "type": "tag", "value": "bench"}
            ]
            draft = Draft(f"r{round_no}/{n}", "snippet", due, text, facets, ["en-GB"])
            add_post(session, event, draft)
    publisher = make_publisher(settings)
    try:
        started = time.perf_counter()
        report = deliver_due(engine, settings.event_key, publisher, now=datetime.now(UTC))
        elapsed = time.perf_counter() - started
    finally:
        publisher.close()
        engine.dispose()
    assert report.sent == posts, report
    return posts / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--posts", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=4)
    args = parser.parse_args()
    _count_logins()
    with tempfile.TemporaryDirectory() as tmp, local_network(("alice", "bob")) as network:
        folder = Path(tmp) / "event"
        folder.mkdir()
        (folder / "livepost.toml").write_text(
            '[event]\nname = "Bench"\nhashtags = ["bench"]\nlangs = ["en-GB"]\n'
        )
        plain: list[float] = []
        ours: list[float] = []
        for round_no in range(args.rounds):
            plain.append(plain_loop(network, args.posts))
            ours.append(livepost_run(network, folder, args.posts, round_no))
        livepost_logins = LOGINS.count("alice.test")
        best_plain, best_ours = max(plain), max(ours)
        print(f"posts per run:         {args.posts} ({args.rounds} rounds, best shown)")
        for name, best, runs in (
            ("plain send_post loop", best_plain, plain),
            ("livepost deliver_due", best_ours, ours),
        ):
            every = ", ".join(f"{p:.1f}" for p in runs)
            print(f"{name + ':':<22} {best:7.1f} posts/s  (all: {every})")
        median = statistics.median(ours) / statistics.median(plain)
        print(
            f"ratio livepost/plain:  {best_ours / best_plain:.2f}x best, {median:.2f}x median "
            "(target >= 0.9x)"
        )
        print(f"livepost createSession calls over {args.rounds} runs: {livepost_logins}")


if __name__ == "__main__":
    main()
