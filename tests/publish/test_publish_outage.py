"""Outage: the PDS stops answering for 30 s while posts are due; afterwards all go out, once.

The whole Node process of the local network is frozen with SIGSTOP and thawed with SIGCONT:
connections are still accepted by the kernel but nothing answers, the way a hung or overloaded
PDS behaves (the worst case for "exactly once": a request may be carried out after the client
gave up on it). A daemon-like loop calls ``deliver_due`` every second meanwhile.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from atproto import Client

from livepost.bluesky.publisher import BlueskyPublisher
from livepost.bluesky.session import open_client
from livepost.devtools.bluesky_network import LocalNetwork
from livepost.outbox.queries import add_post, add_thread, list_posts
from livepost.publish.delivery import deliver_due
from livepost.store.engine import open_database, session_scope
from livepost.store.talks import ensure_event
from tests.publish_helpers import composed_draft, make_event

OUTAGE_SECONDS = 30.0


def test_posts_due_during_an_outage_go_out_in_order_once(
    bluesky_network: LocalNetwork, tmp_path: Path
) -> None:
    settings = make_event(tmp_path / "event", bluesky_network, "carol")
    engine = open_database(settings.database_url)
    start = datetime.now(UTC) - timedelta(minutes=10)
    with session_scope(engine) as session:
        event = ensure_event(session, settings.event_key, "Conf", "Europe/London")
        drafts = [composed_draft(f"o/{n}", f"outage post {n}", n) for n in range(6)]
        for draft in drafts:
            draft.due_at = start + timedelta(minutes=int(draft.key[-1]))
        root = add_post(session, event, drafts[0])
        add_thread(session, event, drafts[1:3], parent=root)
        for draft in drafts[3:]:
            add_post(session, event, draft)
    client = open_client(settings, timeout=2.0)  # logged in before the outage
    publisher = BlueskyPublisher(client)

    os.kill(bluesky_network.pid, signal.SIGSTOP)
    thaw = threading.Timer(OUTAGE_SECONDS, os.kill, (bluesky_network.pid, signal.SIGCONT))
    thaw.start()
    stops: list[str] = []
    posted: list[str] = []
    began = time.monotonic()
    try:
        while time.monotonic() - began < OUTAGE_SECONDS + 60:
            report = deliver_due(engine, settings.event_key, publisher, now=datetime.now(UTC))
            posted += [o.key for o in report.posted] + [o.key for o in report.recovered]
            if report.stopped:
                stops.append(report.stopped)
            with session_scope(engine) as session:
                event = ensure_event(session, settings.event_key, "Conf", "Europe/London")
                if all(r.state == "posted" for r in list_posts(session, event)):
                    break
            time.sleep(1.0)
    finally:
        thaw.cancel()
        os.kill(bluesky_network.pid, signal.SIGCONT)
    elapsed = time.monotonic() - began
    assert elapsed >= OUTAGE_SECONDS  # nothing could be confirmed while the PDS was frozen
    assert stops and stops[0] == (
        "Bluesky did not answer for post o/0: "
        f"createRecord: {bluesky_network.pds_url} did not answer in time"
    )
    assert sorted(posted) == [f"o/{n}" for n in range(6)]

    reader = Client(bluesky_network.pds_url)
    carol = bluesky_network.account("carol")
    reader.login(carol.handle, carol.password, fetch_bsky_profile=False)
    records = reader.com.atproto.repo.list_records(
        {"repo": carol.did, "collection": "app.bsky.feed.post", "limit": 100}
    ).records
    with session_scope(engine) as session:
        event = ensure_event(session, settings.event_key, "Conf", "Europe/London")
        rows = list_posts(session, event)
    mine = [r for r in records if r.value.text.startswith("outage post")]
    assert sorted(r.uri for r in mine) == sorted(str(row.uri) for row in rows)  # once each
    by_uri = {r.uri: r.value for r in mine}
    created = [by_uri[row.uri].created_at for row in rows]  # rows in due order
    assert created == sorted(created)  # sent in order
    for row in rows[1:3]:
        assert by_uri[row.uri].reply.root.uri == rows[0].uri
