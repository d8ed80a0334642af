"""The live capture: recorded-shape Jetstream v2 frames go through the SDK's own decoder and the
handler; matching posts are stored once (also when the search finds them), deletions leave, and
the cursor survives a restart."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from atproto_jetstream.models import parse_frame, parse_subscribe_events_message
from sqlalchemy import func, select

from livepost.archive.live import LiveCapture, load_cursor
from livepost.archive.sync import save_archived_posts
from livepost.bluesky.jetstream import message_payload
from livepost.model.engagement import Counts, RemotePost
from livepost.store.engine import session_scope
from livepost.store.models import ArchivedPostRow, ArchiveTombstoneRow
from livepost.store.talks import load_event
from tests.archive_helpers import EVENT_KEY, demo_engine

BOB = "did:plc:bobbobbobbobbobbobbobbob"
NOW = datetime(2026, 6, 18, 10, 0, tzinfo=UTC)


def frame(seq: int, rkey: str, operation: str, record: dict[str, Any] | None) -> str:
    """A text frame of the xrpc.v1.json subprotocol, as Jetstream v2 sends it."""
    payload: dict[str, Any] = {
        "$type": "network.bsky.jetstream.subscribeEvents#commit",
        "did": BOB,
        "operation": operation,
        "collection": "app.bsky.feed.post",
        "rkey": rkey,
        "rev": "3lbrevrevrev2",
        "seq": seq,
        "time": "2026-06-18T10:00:00.000000Z",
    }
    if record is not None:
        payload["record"] = record
        payload["cid"] = "bafyreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy"
    return json.dumps({"$type": "message", "payload": payload})


def post(text: str, tag: str | None = None, images: int = 0) -> dict[str, Any]:
    record: dict[str, Any] = {
        "$type": "app.bsky.feed.post",
        "text": text,
        "createdAt": "2026-06-18T09:59:58.000Z",
        "langs": ["en"],
    }
    if tag:
        start = text.encode().index(f"#{tag}".encode())
        record["facets"] = [
            {
                "index": {"byteStart": start, "byteEnd": start + len(tag) + 1},
                "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": tag}],
            }
        ]
    if images:
        record["embed"] = {
            "$type": "app.bsky.embed.images",
            "images": [{"alt": f"slide {n}", "image": {}} for n in range(images)],
        }
    return record


def decoded(raw: str) -> dict[str, Any]:
    """What livepost.bluesky.jetstream hands the capture for one frame (the SDK's models)."""
    return message_payload(parse_subscribe_events_message(parse_frame(raw)))  # type: ignore[arg-type]


def test_jetstream_posts_under_the_tag_are_stored_once_and_deletions_leave(
    tmp_path: Path,
) -> None:
    engine = demo_engine(tmp_path)
    capture = LiveCapture(engine, EVENT_KEY, ["ccprconf26"], clock=lambda: NOW)
    assert capture.cursor is None
    tagged = decoded(
        frame(101, "3ltagged00000", "create", post("Live #ccprconf26", "ccprconf26", 2))
    )
    assert capture.handle(tagged) == "stored"
    assert capture.handle(decoded(frame(102, "3lother000000", "create", post("lunch!")))) is None
    in_text = post("Text tag only #CCPRconf26")  # no facet: the text still names the tag
    assert capture.handle(decoded(frame(103, "3ltextonly000", "create", in_text))) == "stored"
    uri = f"at://{BOB}/app.bsky.feed.post/3ltagged00000"
    with session_scope(engine) as session:
        row = session.scalars(select(ArchivedPostRow).where(ArchivedPostRow.uri == uri)).one()
        assert row.image_alts == ["slide 0", "slide 1"] and row.author_handle == BOB
    # the search finds the same post: still one row, now with the author's handle
    found = RemotePost(uri, "bafy", BOB, "bob.test", "Bob", "Live #ccprconf26", NOW, NOW, Counts())
    with session_scope(engine) as session:
        event = load_event(session, EVENT_KEY)
        assert save_archived_posts(session, event, [found], "hashtag", "ccprconf26", NOW) == 0
        row = session.scalars(select(ArchivedPostRow).where(ArchivedPostRow.uri == uri)).one()
        assert row.author_handle == "bob.test"
        assert session.scalar(select(func.count()).select_from(ArchivedPostRow)) == 2
    assert capture.handle(decoded(frame(104, "3ltagged00000", "delete", None))) == "deleted"
    with session_scope(engine) as session:
        uris = session.scalars(select(ArchivedPostRow.uri)).all()
        assert uris == [f"at://{BOB}/app.bsky.feed.post/3ltextonly000"]
        assert session.scalar(select(func.count()).select_from(ArchiveTombstoneRow)) == 1
    # a replay of the create after the delete cannot bring it back
    assert capture.handle(tagged) is None
    capture.save_cursor()
    assert load_cursor(engine, EVENT_KEY) == 104
    assert LiveCapture(engine, EVENT_KEY, ["ccprconf26"]).cursor == 104


def test_hydration_fills_in_the_author_and_a_malformed_event_is_skipped(tmp_path: Path) -> None:
    engine = demo_engine(tmp_path)

    def hydrate(uris: Any) -> list[RemotePost]:
        return [
            RemotePost(u, "bafy", BOB, "bob.test", "Bob B.", "Hi #ccprconf26", NOW, NOW, Counts())
            for u in uris
        ]

    capture = LiveCapture(engine, EVENT_KEY, ["ccprconf26"], hydrate=hydrate, clock=lambda: NOW)
    broken = {"$type": "network.bsky.jetstream.subscribeEvents#commit", "seq": 7}
    assert capture.handle(broken) is None
    assert capture.cursor == 7
    event = decoded(frame(8, "3lhydrate0000", "create", post("Hi #ccprconf26", "ccprconf26")))
    assert capture.handle(event) == "stored"
    with session_scope(engine) as session:
        row = session.scalars(select(ArchivedPostRow)).one()
        assert (row.author_handle, row.author_name) == ("bob.test", "Bob B.")


class RecordingReader:
    """Answers searches from a list, newest first, and records each call's ``since``."""

    def __init__(self, posts: list[RemotePost]) -> None:
        self.found = posts
        self.since: list[datetime | None] = []

    def posts(self, uris: Any) -> list[RemotePost]:
        return []

    def thread_replies(self, uri: str) -> list[RemotePost]:
        return []

    def search(
        self, q: str, since: datetime | None, until: datetime | None, cursor: str | None
    ) -> tuple[list[RemotePost], str | None]:
        self.since.append(since)
        return sorted(self.found, key=lambda p: p.created_at, reverse=True), None


def test_the_wall_poll_searches_since_the_newest_post_seen(tmp_path: Path) -> None:
    from livepost.archive.sync import SEARCH_OVERLAP, poll_hashtags

    engine = demo_engine(tmp_path)

    def post(minute: int) -> RemotePost:
        at = NOW + timedelta(minutes=minute)
        return RemotePost(
            f"at://{BOB}/app.bsky.feed.post/3lpoll{minute:07d}",
            "bafy",
            BOB,
            "bob.test",
            None,
            "#ccprconf26",
            at,
            at,
            Counts(),
            tags=["ccprconf26"],
        )

    reader = RecordingReader([post(1), post(2)])
    first = poll_hashtags(engine, EVENT_KEY, reader, NOW, hashtags=["ccprconf26"])
    assert first.new_community == 2
    reader.found.append(post(3))
    second = poll_hashtags(engine, EVENT_KEY, reader, NOW, hashtags=["ccprconf26"])
    assert second.new_community == 1
    window_start = datetime(2026, 6, 11, 7, 45, tzinfo=UTC)  # 7 days before the first item
    assert reader.since == [window_start, NOW + timedelta(minutes=2) - SEARCH_OVERLAP]
    # outside the capture window the poll does nothing
    assert (
        poll_hashtags(engine, EVENT_KEY, reader, NOW + timedelta(days=30), hashtags=["x"]).searches
        == 0
    )
