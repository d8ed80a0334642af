"""Archive speed: a counts sync against the real local network, and exports of a big archive.

Run: ``.venv/bin/python bench/bench_archive.py [--posts 10000] [--archived 100000]``.
Targets: a sync of N posted rows makes exactly ceil(N/25) getPosts calls and takes at most 1.2x
a plain loop of the same calls in the same run; an export of 100,000 archived posts takes under
3 s as CSV and under 10 s as HTML.

The posts are written with applyWrites (200 a call) so that 10,000 real posts take seconds.
"""

from __future__ import annotations

import argparse
import math
import os
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert

from livepost.archive.sync import ClientReader, sync
from livepost.config import default_database_url
from livepost.devtools.bluesky_network import local_network
from livepost.export import export
from livepost.model import Person, Schedule, Talk
from livepost.store.engine import open_database, session_scope
from livepost.store.models import ArchivedPostRow, EngagementSnapshotRow, OutboxRow
from livepost.store.talks import ensure_event, load_event, save_schedule

KEY = "bench"


def _engine(folder: Path) -> Any:
    engine = open_database(default_database_url(folder))
    start = datetime(2026, 6, 18, 9, tzinfo=UTC)
    talks = [
        Talk(
            f"Talk number {i} about policing research",
            start + timedelta(minutes=45 * i),
            start + timedelta(minutes=45 * i + 40),
            speakers=[Person(f"Dr Speaker{i} Surname{i}")],
            id=f"talk-{i}",
        )
        for i in range(12)
    ]
    with session_scope(engine) as session:
        ensure_event(session, KEY, "Bench Conference", "Europe/London")
        save_schedule(session, KEY, Schedule(talks, timezone="Europe/London", source="bench"))
    return engine


def bench_sync(posts: int) -> None:
    from atproto import Client, models

    with local_network(("alice",)) as network, tempfile.TemporaryDirectory() as tmp:
        client = Client(base_url=network.pds_url)
        account = network.account("alice")
        client.login(account.handle, account.password)
        started = time.perf_counter()
        uris: list[tuple[str, str]] = []
        now = datetime.now(UTC)
        for first in range(0, posts, 200):
            writes = [
                models.ComAtprotoRepoApplyWrites.Create(
                    collection="app.bsky.feed.post",
                    value={
                        "$type": "app.bsky.feed.post",
                        "text": f"Live note {n} #bench",
                        "createdAt": (now + timedelta(milliseconds=n)).isoformat(),
                    },
                )
                for n in range(first, min(first + 200, posts))
            ]
            done = client.com.atproto.repo.apply_writes({"repo": account.did, "writes": writes})
            uris += [(r.uri, r.cid) for r in done.results]
        network.process_all(timeout=600)
        print(f"posted and indexed {len(uris):,} posts in {time.perf_counter() - started:.1f} s")

        engine = _engine(Path(tmp))
        with session_scope(engine) as session:
            event_id = load_event(session, KEY).id
            session.execute(
                insert(OutboxRow),
                [
                    {
                        "event_id": event_id,
                        "key": f"manual/{n}",
                        "kind": "snippet",
                        "origin": "manual",
                        "due_at": now,
                        "state": "posted",
                        "text": f"Live note {n} #bench",
                        "facets": [],
                        "langs": [],
                        "tags": [],
                        "rkey": uri.rsplit("/", 1)[1],
                        "uri": uri,
                        "cid": cid,
                        "edited": False,
                        "attempts": 1,
                        "created_at": now,
                        "updated_at": now,
                        "sent_at": now,
                    }
                    for n, (uri, cid) in enumerate(uris)
                ],
            )
        plain_times, sync_times = [], []
        only = [u for u, _ in uris]
        for rnd in range(3):
            t = time.perf_counter()
            for first in range(0, len(only), 25):
                client.app.bsky.feed.get_posts({"uris": only[first : first + 25]})
            plain_times.append(time.perf_counter() - t)
            reader = ClientReader(client)
            t = time.perf_counter()
            report = sync(
                engine,
                KEY,
                reader,
                parts=("engagement",),
                now=now + timedelta(minutes=rnd + 1),
            )
            sync_times.append(time.perf_counter() - t)
            expected = math.ceil(posts / 25)
            assert reader.calls["getPosts"] == expected, reader.calls
            assert report.snapshots == posts, report.snapshots
        plain, synced = min(plain_times), min(sync_times)
        print(
            f"sync of {posts:,} posted rows: {reader.calls['getPosts']} getPosts calls "
            f"(ceil({posts}/25) = {math.ceil(posts / 25)}); plain loop {plain:.2f} s, "
            f"sync {synced:.2f} s, ratio {synced / plain:.3f} (target <= 1.2)"
        )
        print(
            f"  all rounds: plain {[round(x, 2) for x in plain_times]}, "
            f"sync {[round(x, 2) for x in sync_times]}"
        )
        engine.dispose()


def bench_export(archived: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        engine = _engine(folder)
        start = datetime(2026, 6, 18, 8, tzinfo=UTC)
        t = time.perf_counter()
        with session_scope(engine) as session:
            event_id = load_event(session, KEY).id
        rows, snaps = [], []
        for n in range(archived):
            created = start + timedelta(seconds=n * 36_000 / archived * 1.0)
            uri = f"at://did:plc:author{n % 997}/app.bsky.feed.post/3bench{n:09d}"
            rows.append(
                {
                    "event_id": event_id,
                    "uri": uri,
                    "cid": f"bafy{n}",
                    "author_did": f"did:plc:author{n % 997}",
                    "author_handle": f"author{n % 997}.bsky.social",
                    "author_name": f"Author <{n % 997}> & co",
                    "text": f"Post {n} about Talk number {n % 12} & Dr Speaker{n % 12} "
                    "<b>bold?</b> #bench\nsecond line",
                    "facets": [],
                    "links": ["https://example.org/x"] if n % 10 == 0 else [],
                    "image_alts": ["a photo"] if n % 7 == 0 else [],
                    "created_at": created,
                    "indexed_at": created,
                    "source": "hashtag",
                    "matched_tag": "bench",
                    "first_seen_at": created,
                    "updated_at": created,
                }
            )
            snaps.append(
                {
                    "event_id": event_id,
                    "uri": uri,
                    "taken_at": start + timedelta(hours=12),
                    "replies": n % 3,
                    "reposts": n % 5,
                    "likes": n % 11,
                    "quotes": n % 2,
                    "bookmarks": None,
                }
            )
        with engine.begin() as connection:
            connection.execute(insert(ArchivedPostRow), rows)
            connection.execute(insert(EngagementSnapshotRow), snaps)
        print(f"generated {archived:,} archived posts in {time.perf_counter() - t:.1f} s")
        targets = {"csv": 3.0, "html": 10.0, "json": None, "md": None}
        for fmt, target in targets.items():
            out = folder / f"report.{fmt}"
            t, cpu = time.perf_counter(), time.process_time()
            export(engine, KEY, fmt, out, hashtags=["bench"])
            took, cpu = time.perf_counter() - t, time.process_time() - cpu
            goal = f" (target < {target:.0f} s)" if target else ""
            print(
                f"export {fmt:>4} of {archived:,} archived posts: {took:.2f} s wall, "
                f"{cpu:.2f} s CPU, {out.stat().st_size / 1e6:.1f} MB{goal}"
            )
        engine.dispose()


def _load() -> str:
    """The machine's load: the figures are only comparable on a quiet machine."""
    return "load average " + ", ".join(f"{x:.1f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--archived", type=int, default=100_000)
    parser.add_argument("--skip-sync", action="store_true")
    args = parser.parse_args()
    print(_load(), f"on {os.cpu_count()} cores")
    bench_export(args.archived)
    if not args.skip_sync:
        bench_sync(args.posts)


if __name__ == "__main__":
    main()
