"""A hostile account answers one of our posts with a chain of 120 replies, each under the one
before: a thread far deeper than the SDK can parse in one answer. The archive reads it in pieces
and keeps every reply with its parent, parents first."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from atproto import Client, models
from sqlalchemy import select

from livepost.archive.sync import ClientReader, sync
from livepost.bluesky import reads
from livepost.config import default_database_url
from livepost.devtools.bluesky_network import LocalNetwork
from livepost.model import Schedule, Talk
from livepost.outbox.queries import Draft, add_post, mark_posted
from livepost.store.engine import open_database, session_scope
from livepost.store.models import ArchivedPostRow
from livepost.store.talks import ensure_event, load_event, save_schedule

pytestmark = pytest.mark.network
KEY = "deepthread26"
CHAIN = 120


def login(network: LocalNetwork, name: str) -> Client:
    client = Client(base_url=network.pds_url)
    client.login(network.account(name).handle, network.account(name).password)
    return client


def test_a_chain_of_120_replies_is_archived_whole_in_bounded_reads(
    bluesky_network: LocalNetwork, tmp_path: Path
) -> None:
    began = time.monotonic()
    engine = open_database(default_database_url(tmp_path))
    now = datetime.now(UTC)
    with session_scope(engine) as session:
        ensure_event(session, KEY, "Deep Thread Day", "Europe/London")
        save_schedule(
            session,
            KEY,
            Schedule([Talk("Opening", now, now + timedelta(hours=1), id="opening")]),
        )
    alice, bob, carol = (login(bluesky_network, n) for n in ("alice", "bob", "carol"))
    ours = alice.send_post("Welcome to Deep Thread Day")
    with session_scope(engine) as session:
        event = load_event(session, KEY)
        row = add_post(
            session,
            event,
            Draft(key="announce/opening", kind="announcement", due_at=now, text="Welcome"),
        )
        mark_posted(row, ours.uri, ours.cid)

    root = models.create_strong_ref(ours)
    parents: dict[str, str] = {}  # reply URI -> the URI it answers
    parent = root
    chain: list[models.ComAtprotoRepoStrongRef.Main] = []
    for n in range(CHAIN):
        sent = bob.send_post(
            f"reply {n}", reply_to=models.AppBskyFeedPost.ReplyRef(parent=parent, root=root)
        )
        parents[sent.uri] = parent.uri
        parent = models.create_strong_ref(sent)
        chain.append(parent)
    # a side branch deep down, at a piece's boundary, is found too
    fork = carol.send_post(
        "a fork",
        reply_to=models.AppBskyFeedPost.ReplyRef(parent=chain[9], root=root),
    )
    parents[fork.uri] = chain[9].uri
    bluesky_network.process_all()
    posted = time.monotonic()

    # the cause: one answer for the whole thread is more than the SDK parses
    with pytest.raises(ValueError):
        alice.app.bsky.feed.get_post_thread({"uri": ours.uri, "depth": 1000, "parent_height": 0})

    reader = ClientReader(alice)
    report = sync(engine, KEY, reader, parts=("replies",), now=now)
    assert report.new_replies == CHAIN + 1
    depth = reads.THREAD_DEPTH
    assert reader.calls["getPostThread"] <= CHAIN // depth + 2
    with session_scope(engine) as session:
        rows = session.scalars(select(ArchivedPostRow).order_by(ArchivedPostRow.id)).all()
        got = {r.uri: r.reply_parent for r in rows}
        order = [r.uri for r in rows]
        assert {r.reply_root for r in rows} == {ours.uri}
        assert {r.source for r in rows} == {"reply"}
    assert got == parents
    for uri, answered in got.items():  # parents before children
        if answered != ours.uri:
            assert order.index(answered) < order.index(uri)

    # a second sync finds nothing new, and a tight budget stops early instead of failing
    again = sync(engine, KEY, ClientReader(alice), parts=("replies",), now=now)
    assert again.new_replies == 0
    tight = ClientReader(alice, thread_calls=3)
    assert len(tight.thread_replies(ours.uri)) == 3 * depth + 1  # three pieces, and the fork
    assert tight.calls["getPostThread"] == 3
    assert ClientReader(alice, thread_calls=0).thread_replies(ours.uri) == []
    print(f"posting {posted - began:.1f}s, archive {time.monotonic() - posted:.1f}s")
    engine.dispose()
