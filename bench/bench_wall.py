"""A wall left open for 12 hours keeps its memory flat.

Run: ``.venv/bin/python bench/bench_wall.py [--posts 20000] [--polls 3000]``.
A venue screen refreshing every 15 s for 12 hours asks for the wall 2,880 times. This fills an
event's archive with ``--posts`` community posts (long texts, four images each, some hidden or
blocked), then asks the console for ``/wall/posts`` (the screen's poll) and ``/api/v1/wall``
in-process ``--polls`` times each, with a new post archived every 10 polls as in a live event.
It prints the process's RSS after a warm-up and after the polls; target: growth under 10 MB.
"""

from __future__ import annotations

import argparse
import gc
import tempfile
import time
import warnings
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert

from livepost.config import load_settings
from livepost.store.engine import open_database, session_scope
from livepost.store.models import ArchivedPostRow
from livepost.store.talks import ensure_event
from livepost.store.wall import moderate
from livepost.web.app import create_app

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

TOKEN = "bench-token-0123456789"
START = datetime(2026, 6, 18, 9, tzinfo=UTC)


def rss_mb() -> float:
    """Resident set size of this process, from /proc (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def row(event_id: int, n: int) -> dict[str, object]:
    at = START + timedelta(seconds=n)
    return {
        "event_id": event_id,
        "uri": f"at://did:plc:a{n % 500}/app.bsky.feed.post/3bench{n:08d}",
        "cid": "bafybench",
        "author_did": f"did:plc:a{n % 500}",
        "author_handle": f"author{n % 500}.test",
        "author_name": f"Author \u202e{n % 500}",
        "text": f"Post {n} #benchconf " + "é" * 1400,
        "facets": [],
        "links": [],
        "image_alts": [f"alt {i}" for i in range(4)],
        "images": [
            {"alt": f"alt {i}", "thumb": f"https://cdn.example/{n}/{i}.jpg", "fullsize": ""}
            for i in range(4)
        ],
        "created_at": at,
        "indexed_at": at,
        "source": "hashtag",
        "matched_tag": "benchconf",
        "first_seen_at": at,
        "updated_at": at,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--posts", type=int, default=20_000)
    parser.add_argument("--polls", type=int, default=3_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "livepost.toml").write_text(
            '[event]\nname = "Bench Conf"\nhashtags = ["benchconf"]\ntimezone = "Europe/London"\n',
            encoding="utf-8",
        )
        settings = load_settings(folder, environ={})
        engine = open_database(settings.database_url)
        with session_scope(engine) as session:
            event = ensure_event(session, settings.event_key, "Bench Conf", "Europe/London")
            event_id = event.id
            for first in range(0, args.posts, 5_000):
                last = min(first + 5_000, args.posts)
                session.execute(
                    insert(ArchivedPostRow), [row(event_id, n) for n in range(first, last)]
                )
            for n in range(0, 200, 2):
                moderate(session, event, "hide", str(row(event_id, args.posts - n)["uri"]), "bench")
            for n in range(20):
                moderate(session, event, "block", f"author{n}.test", "bench")
        app = create_app(settings, token=TOKEN, engine=engine, online_checks=False)
        with TestClient(app, base_url="http://127.0.0.1:8765") as client:
            assert client.get(f"/wall?token={TOKEN}").status_code == 200
            for _ in range(100):  # warm-up: caches, templates, SQLAlchemy's statement cache
                client.get("/wall/posts")
                client.get("/api/v1/wall")
            gc.collect()
            before = rss_mb()
            began = time.perf_counter()
            added = args.posts
            for poll in range(args.polls):
                if poll % 10 == 0:
                    with session_scope(engine) as session:
                        session.execute(insert(ArchivedPostRow), [row(event_id, added)])
                    added += 1
                assert client.get("/wall/posts").status_code == 200
                posts = client.get("/api/v1/wall").json()["posts"]
                assert len(posts) == 30
            elapsed = time.perf_counter() - began
            gc.collect()
            after = rss_mb()
    print(f"archive: {args.posts:,} community posts (4 images, ~2.8 KB text each)")
    print(f"polls: {args.polls:,} x (/wall/posts + /api/v1/wall), {added - args.posts} posts added")
    print(f"time per poll pair: {elapsed / args.polls * 1000:.1f} ms")
    print(f"RSS before: {before:.1f} MB, after: {after:.1f} MB, growth: {after - before:+.1f} MB")
    print("target: growth under 10 MB:", "OK" if after - before < 10 else "MISSED")


if __name__ == "__main__":
    main()
