"""Publishing against the real local Bluesky network: records, threads, sessions, failures."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import pytest
from atproto import Client
from PIL import Image

from livepost.bluesky.publisher import BlueskyPublisher
from livepost.bluesky.session import SESSION_FILE, open_client, session_status
from livepost.devtools.bluesky_network import LocalNetwork
from livepost.outbox import add_thread, list_posts
from livepost.publish.delivery import deliver_due
from livepost.publish.factory import make_publisher
from livepost.publish.records import Media
from livepost.store.engine import open_database, session_scope
from livepost.store.talks import ensure_event
from tests.publish_helpers import NOW, composed_draft, make_event


def _reader(network: LocalNetwork, name: str = "alice") -> Client:
    client = Client(network.pds_url)
    account = network.account(name)
    client.login(account.handle, account.password, fetch_bsky_profile=False)
    return client


def _queue(settings: Any, drafts_and_parent: list[Any]) -> Any:
    engine = open_database(settings.database_url)
    with session_scope(engine) as session:
        event = ensure_event(session, settings.event_key, "Conf", "Europe/London")
        add_thread(session, event, drafts_and_parent)
    return engine


def test_five_post_thread_lands_with_facets_replies_and_images(
    bluesky_network: LocalNetwork, tmp_path: Path
) -> None:
    settings = make_event(tmp_path / "event", bluesky_network)
    Image.new("RGB", (800, 600), "red").save(settings.event_dir / "one.jpg")
    Image.new("RGB", (300, 600), "blue").save(settings.event_dir / "two.png")
    drafts = [
        composed_draft(
            "t/1",
            "Opening talk with @bob.test: slides at https://example.com/slides #keynote",
            tags=["livepost"],
            embed={"images": [{"path": "one.jpg", "alt": "A red test card"}]},
        ),
        composed_draft(
            "t/2",
            "Second point, café ☕ naïve #ünïcode",
            1,
            embed={"images": [{"path": "two.png", "alt": "A blue tall card"}]},
        ),
        composed_draft("t/3", "Third: see example.org/path for more", 2),
        composed_draft("t/4", "Fourth 🎉 #party", 3),
        composed_draft("t/5", "Fifth and last", 4),
    ]
    engine = _queue(settings, drafts)
    publisher = make_publisher(settings)
    assert isinstance(publisher, BlueskyPublisher)
    try:
        report = deliver_due(
            engine,
            settings.event_key,
            publisher,
            now=NOW,
            media=Media(base_dir=settings.event_dir, link_cards=False),
        )
    finally:
        publisher.close()
    assert [o.key for o in report.posted] == ["t/1", "t/2", "t/3", "t/4", "t/5"]
    assert report.failed == [] and report.warnings == []

    alice, bob = bluesky_network.account("alice"), bluesky_network.account("bob")
    reader = _reader(bluesky_network)
    with session_scope(engine) as session:
        rows = list_posts(session, ensure_event(session, settings.event_key, "Conf", "UTC"))
    listed = reader.com.atproto.repo.list_records(
        {"repo": alice.did, "collection": "app.bsky.feed.post", "limit": 100}
    )
    on_pds = {r.uri: r for r in listed.records}
    for row in rows:
        assert (
            row.state == "posted" and row.uri == f"at://{alice.did}/app.bsky.feed.post/{row.rkey}"
        )
        assert on_pds[row.uri].cid == row.cid
    records = [
        reader.com.atproto.repo.get_record(
            {"repo": alice.did, "collection": "app.bsky.feed.post", "rkey": row.rkey}
        ).value
        for row in rows
    ]
    first = records[0]
    encoded = first.text.encode()
    spans = {
        (f.features[0].py_type, encoded[f.index.byte_start : f.index.byte_end].decode())
        for f in first.facets
    }
    assert spans == {
        ("app.bsky.richtext.facet#mention", "@bob.test"),
        ("app.bsky.richtext.facet#link", "example.com/slides"),
        ("app.bsky.richtext.facet#tag", "#keynote"),
        ("app.bsky.richtext.facet#tag", "#ccpr"),
    }
    features = {f.features[0].py_type: f.features[0] for f in first.facets}
    assert features["app.bsky.richtext.facet#mention"].did == bob.did
    assert features["app.bsky.richtext.facet#link"].uri == "https://example.com/slides"
    assert first.tags == ["livepost"] and first.langs == ["en-GB"]
    assert first.reply is None
    image = first.embed.images[0]
    assert (image.alt, image.aspect_ratio.width, image.aspect_ratio.height) == (
        "A red test card",
        800,
        600,
    )
    second_image = records[1].embed.images[0]
    assert (second_image.alt, second_image.aspect_ratio.width) == ("A blue tall card", 300)
    assert second_image.aspect_ratio.height == 600
    second = records[1]
    tag = next(f for f in second.facets if f.features[0].py_type.endswith("#tag"))
    start, end = tag.index.byte_start, tag.index.byte_end
    assert second.text.encode()[start:end].decode() == "#ünïcode"
    for index in range(1, 5):
        reply = records[index].reply
        assert (reply.root.uri, reply.root.cid) == (rows[0].uri, rows[0].cid)
        assert (reply.parent.uri, reply.parent.cid) == (rows[index - 1].uri, rows[index - 1].cid)

    bluesky_network.process_all()
    thread = reader.app.bsky.feed.get_post_thread({"uri": rows[0].uri, "depth": 10}).thread
    chain = []
    node = thread
    while node is not None:
        chain.append(node.post.uri)
        node = node.replies[0] if node.replies else None
    assert chain == [row.uri for row in rows]


def test_session_is_stored_private_and_reused(
    bluesky_network: LocalNetwork, tmp_path: Path
) -> None:
    settings = make_event(tmp_path / "event", bluesky_network, "carol")
    logins: list[str] = []
    original = Client._get_and_set_session

    def counting(self: Client, *args: Any, **kwargs: Any) -> Any:
        logins.append(args[0])
        return original(self, *args, **kwargs)

    Client._get_and_set_session = counting  # type: ignore[method-assign]
    try:
        for n in range(4):
            engine = _queue(settings, [composed_draft(f"s/{n}", f"run {n}")])
            publisher = make_publisher(settings)
            deliver_due(engine, settings.event_key, publisher, now=NOW)
            publisher.close()
    finally:
        Client._get_and_set_session = original  # type: ignore[method-assign]
    assert logins == ["carol.test"]
    path = settings.event_dir / SESSION_FILE
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert settings.app_password is not None
    assert settings.app_password not in path.read_text()
    status = session_status(settings)
    carol = bluesky_network.account("carol")
    assert (
        status.describe() == f"Logged in as carol.test ({carol.did}) on {bluesky_network.pds_url}"
    )


def test_wrong_password_is_a_clear_message(bluesky_network: LocalNetwork, tmp_path: Path) -> None:
    from livepost.publish.base import AuthFailure

    settings = make_event(tmp_path / "event", bluesky_network, password="wrong-wrong-wrong")
    with pytest.raises(AuthFailure) as caught:
        open_client(settings)
    assert str(caught.value) == (
        f"Bluesky refused the login of alice.test on {bluesky_network.pds_url}: wrong handle or "
        "app password.\nCheck LIVEPOST_HANDLE and LIVEPOST_APP_PASSWORD (an app password is made "
        "in the Bluesky app: Settings > Privacy and security > App passwords)."
    )
    assert not (settings.event_dir / SESSION_FILE).exists()
