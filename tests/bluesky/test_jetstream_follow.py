"""The SDK's Jetstream client, pointed at a local websocket server replaying recorded-shape
frames: the live capture stores the matching post, resumes from the saved cursor, and stops when
asked. (Jetstream itself is on the internet; this is the same wire on 127.0.0.1.)"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from websockets.sync.server import ServerConnection, serve

from livepost.archive.live import LiveCapture, load_cursor
from livepost.bluesky.jetstream import follow_jetstream
from livepost.store.engine import session_scope
from livepost.store.models import ArchivedPostRow
from tests.archive.test_live_capture import frame, post
from tests.archive_helpers import EVENT_KEY, demo_engine


@pytest.fixture
def jetstream() -> Iterator[tuple[str, list[str]]]:
    """A websocket server speaking xrpc.v1.json: every connection gets three frames."""
    paths: list[str] = []

    def handler(connection: ServerConnection) -> None:
        assert connection.request is not None
        paths.append(connection.request.path)
        connection.send(frame(201, "3ljsother0000", "create", post("Lunch")))
        connection.send(frame(202, "3ljstagged000", "create", post("On #ccprconf26", "ccprconf26")))
        connection.send(frame(203, "3ljsnotag0000", "create", post("#other")))
        try:
            connection.recv()  # until the client closes
        except Exception:
            return

    with serve(handler, "127.0.0.1", 0, subprotocols=["xrpc.v1.json"]) as server:  # type: ignore[list-item]
        port = server.socket.getsockname()[1]
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        yield f"ws://127.0.0.1:{port}/xrpc", paths
        server.shutdown()


def wait_for(check: Any, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_the_stream_is_followed_from_the_saved_cursor(
    tmp_path: Path, jetstream: tuple[str, list[str]]
) -> None:
    url, paths = jetstream
    engine = demo_engine(tmp_path)
    capture = LiveCapture(engine, EVENT_KEY, ["ccprconf26"])
    capture.cursor = 150  # as a previous run left it
    stop = threading.Event()
    thread = follow_jetstream(url, capture.cursor, capture.handle, stop, capture.save_cursor)
    wait_for(lambda: capture.cursor == 203)
    assert load_cursor(engine, EVENT_KEY) == 202  # saved with the stored post
    stop.set()
    thread.join(timeout=20)
    assert not thread.is_alive()
    assert "cursor=150" in paths[0] and "collections=app.bsky.feed.post" in paths[0]
    assert paths[0].startswith("/xrpc/network.bsky.jetstream.subscribeEvents?")
    with session_scope(engine) as session:
        uris = session.scalars(select(ArchivedPostRow.uri)).all()
    assert uris == ["at://did:plc:bobbobbobbobbobbobbobbob/app.bsky.feed.post/3ljstagged000"]
    assert capture.stats.stored == 1 and capture.stats.events == 3
    assert load_cursor(engine, EVENT_KEY) == 203
