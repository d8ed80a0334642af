"""Crash safety: a publisher killed with SIGKILL anywhere, restarted, posts everything once.

Each round queues two 3-post threads and two single posts, starts a real publisher process
that dies either at a crash point (``LIVEPOST_CRASH_AT``: after ``sending`` is committed, before
the create, between the create and the database update, after it) or at a random moment, then
restarts it until the queue is empty. The PDS must then hold every planned post exactly once
(``listRecords`` against the outbox) and every thread whole.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from atproto import Client

from livepost.devtools.bluesky_network import LocalNetwork
from livepost.outbox.queries import add_post, add_thread, list_posts
from livepost.publish.delivery import CHECKPOINTS as CRASH_POINTS
from livepost.store.engine import open_database, session_scope
from livepost.store.talks import ensure_event
from tests.publish_helpers import composed_draft, make_event
from tests.publish_worker import CRASH_ENV

ROUNDS = int(os.environ.get("LIVEPOST_CRASH_ROUNDS", "20"))
REPO = Path(__file__).resolve().parents[2]


def _worker(folder: Path, env: dict[str, str], crash: str | None, kill_after: float | None) -> int:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("LIVEPOST_")}
    environ.update(env)
    if crash:
        environ[CRASH_ENV] = crash
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.publish_worker", str(folder)],
        cwd=REPO,
        env=environ,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    if kill_after is not None:
        try:
            process.wait(kill_after)
        except subprocess.TimeoutExpired:
            process.send_signal(signal.SIGKILL)
    _, err = process.communicate(timeout=120)
    if process.returncode not in (0, -signal.SIGKILL):
        raise AssertionError(f"worker failed ({process.returncode}): {err.decode()[-2000:]}")
    return process.returncode


def _all_records(client: Client, did: str) -> list[tuple[str, str, Any]]:
    records: list[tuple[str, str, Any]] = []
    cursor = None
    while True:
        params = {"repo": did, "collection": "app.bsky.feed.post", "limit": 100}
        if cursor:
            params["cursor"] = cursor
        page = client.com.atproto.repo.list_records(params)
        records += [(r.uri, r.cid, r.value) for r in page.records]
        cursor = page.cursor
        if not cursor or not page.records:
            return records


def test_killed_publisher_posts_everything_exactly_once(
    bluesky_network: LocalNetwork, tmp_path: Path
) -> None:
    rng = random.Random(20260618)
    folder = tmp_path / "event"
    settings = make_event(folder, bluesky_network, "bob")
    env = {
        "LIVEPOST_SERVICE": bluesky_network.pds_url,
        "LIVEPOST_HANDLE": "bob.test",
        "LIVEPOST_APP_PASSWORD": bluesky_network.account("bob").app_password,
    }
    engine = open_database(settings.database_url)
    due = datetime.now(UTC) - timedelta(minutes=1)
    started = time.monotonic()
    kills = 0
    for round_no in range(ROUNDS):
        with session_scope(engine) as session:
            event = ensure_event(session, settings.event_key, "Conf", "Europe/London")
            for thread in ("a", "b"):
                root = add_post(
                    session,
                    event,
                    composed_draft(f"{round_no}/{thread}/1", f"r{round_no} {thread} 1"),
                )
                add_thread(
                    session,
                    event,
                    [
                        composed_draft(f"{round_no}/{thread}/{n}", f"r{round_no} {thread} {n}")
                        for n in (2, 3)
                    ],
                    parent=root,
                )
            for single in ("x", "y"):
                add_post(
                    session, event, composed_draft(f"{round_no}/{single}", f"r{round_no} {single}")
                )
            for row in list_posts(session, event, ["queued"]):
                row.due_at = due
        if round_no % 4 == 3:
            crash, kill_after = None, rng.uniform(0.8, 3.0)  # a kill at a random moment
        else:
            crash, kill_after = f"{rng.choice(CRASH_POINTS)}:{rng.randint(1, 8)}", None
        if _worker(folder, env, crash, kill_after) == -signal.SIGKILL:
            kills += 1
        # restarted (and, once in a while, killed again) until the queue is empty
        for _ in range(5):
            with session_scope(engine) as session:
                event = ensure_event(session, settings.event_key, "Conf", "Europe/London")
                left = list_posts(session, event, ["queued", "sending"])
            if not left:
                break
            _worker(folder, env, None, None)
        assert time.monotonic() - started < 600, "the crash test is taking too long"
    assert kills >= ROUNDS // 2

    reader = Client(bluesky_network.pds_url)
    bob = bluesky_network.account("bob")
    reader.login(bob.handle, bob.password, fetch_bsky_profile=False)
    on_pds = _all_records(reader, bob.did)
    with session_scope(engine) as session:
        event = ensure_event(session, settings.event_key, "Conf", "Europe/London")
        rows = list_posts(session, event)
        by_id = {r.id: r for r in rows}
    assert len(rows) == ROUNDS * 8
    assert all(r.state == "posted" for r in rows), [
        (r.key, r.state) for r in rows if r.state != "posted"
    ]
    ours = {r.rkey for r in rows}
    texts = {r.text for r in rows}
    mine = [(uri, cid, value) for uri, cid, value in on_pds if value.text in texts]
    # exactly once: one record per row, at the row's rkey, with the row's cid
    assert sorted(uri.rsplit("/", 1)[1] for uri, _, _ in mine) == sorted(ours)
    assert {uri: cid for uri, cid, _ in mine} == {r.uri: r.cid for r in rows}
    # threads whole: every reply points at its outbox parent and root
    values = {uri: value for uri, _, value in mine}
    for row in rows:
        reply = values[str(row.uri)].reply
        if row.parent_id is None:
            assert reply is None
            continue
        parent, root = by_id[row.parent_id], by_id[row.root_id or row.parent_id]
        assert (reply.parent.uri, reply.parent.cid) == (parent.uri, parent.cid)
        assert (reply.root.uri, reply.root.cid) == (root.uri, root.cid)
