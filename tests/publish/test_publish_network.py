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
from livepost.outbox.queries import add_post, add_thread, list_posts
from livepost.publish.delivery import deliver_due
from livepost.publish.records import Media
from livepost.run.assemble import make_publisher
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


def test_refresh_is_saved_and_a_revoked_session_says_log_in_again(
    bluesky_network: LocalNetwork, tmp_path: Path
) -> None:
    from datetime import UTC, datetime, timedelta

    from livepost.bluesky.session import SessionStore
    from livepost.publish.base import AuthFailure

    settings = make_event(tmp_path / "event", bluesky_network, "carol")
    later = datetime.now(UTC) + timedelta(hours=3)  # the 2-hour access token has expired
    store = SessionStore(settings.event_dir)
    open_client(settings)  # logs in once, stores the session
    first = store.load()
    assert first is not None
    client = open_client(settings, clock=lambda: later)
    client.com.atproto.server.get_session()  # refreshes first, then asks
    refreshed = store.load()
    assert refreshed is not None and refreshed.session != first.session  # rotated and saved

    # the session is revoked on the server (as "log out everywhere" would do)
    client.com.atproto.server.delete_session(
        headers=client._get_refresh_auth_headers(), ignore_session_check=True
    )
    engine = _queue(settings, [composed_draft("r/1", "after the revocation")])
    publisher = BlueskyPublisher(open_client(settings, clock=lambda: later + timedelta(hours=3)))
    with pytest.raises(AuthFailure) as caught:
        deliver_due(engine, settings.event_key, publisher, now=NOW)
    assert str(caught.value) == (
        f"The Bluesky session of carol.test on {bluesky_network.pds_url} is no longer valid "
        "(ExpiredToken: Token has been revoked).\n"
        "It was revoked or has expired. Log in again with: livepost login"
    )
    with session_scope(engine) as session:
        (row,) = list_posts(session, ensure_event(session, settings.event_key, "Conf", "UTC"))
        assert (row.state, row.last_error) == (
            "queued",
            "not sent: the Bluesky session is not valid",
        )


def test_an_image_the_pds_refuses_fails_the_post_with_the_reason(
    bluesky_network: LocalNetwork, tmp_path: Path
) -> None:
    from dataclasses import dataclass

    @dataclass(frozen=True)
    class Huge:
        data: bytes = b"\xff\xd8\xff\xe0" + bytes(6_000_000)  # over the PDS's blob limit
        mime: str = "image/jpeg"
        width: int = 4000
        height: int = 3000

    settings = make_event(tmp_path / "event", bluesky_network)
    engine = _queue(
        settings,
        [
            composed_draft("big/1", "A card too big", embed={"card": {"kind": "talk"}}),
            composed_draft("big/2", "A reply that waits", 1),
        ],
    )
    with session_scope(engine) as session:
        event = ensure_event(session, settings.event_key, "Conf", "UTC")
        add_post(session, event, composed_draft("ok", "Independent post", 2))
    publisher = make_publisher(settings)
    try:
        report = deliver_due(
            engine,
            settings.event_key,
            publisher,
            now=NOW,
            media=Media(card_renderer=lambda spec: (Huge(), "alt")),
        )
    finally:
        publisher.close()
    reason = (
        "uploadBlob: the PDS refused it as too large (PayloadTooLarge: request entity too large)"
    )
    assert [(o.key, o.detail) for o in report.failed] == [("big/1", reason)]
    assert [o.key for o in report.posted] == ["ok"]
    assert [o.key for o in report.waiting] == ["big/2"]
    assert report.waiting[0].detail.endswith(f"(big/1), which is failed: {reason}")


def test_second_writer_for_the_account_is_refused(
    bluesky_network: LocalNetwork, tmp_path: Path
) -> None:
    from livepost.publish.lock import WriterBusy

    settings = make_event(tmp_path / "event", bluesky_network)
    first = make_publisher(settings)
    try:
        with pytest.raises(WriterBusy) as caught:
            make_publisher(settings)
        assert caught.value.message == (
            f"Another livepost process (pid {os.getpid()}) is already publishing as alice.test "
            f"from {settings.event_dir}."
        )
    finally:
        first.close()
    make_publisher(settings).close()  # free again


def test_link_card_from_open_graph(bluesky_network: LocalNetwork, tmp_path: Path) -> None:
    import http.server
    import io
    import threading

    buffer = io.BytesIO()
    Image.new("RGB", (1200, 630), "green").save(buffer, "PNG")
    thumb = buffer.getvalue()
    page = (
        b"<html><head><title>Fallback</title>"
        b'<meta property="og:title" content="The Talk Page">'
        b'<meta property="og:description" content="All about it">'
        b'<meta property="og:image" content="/thumb.png"></head><body>x</body></html>'
    )

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body, kind = (thumb, "image/png") if self.path == "/thumb.png" else (page, "text/html")
            if self.path == "/missing":
                self.send_response(404)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        settings = make_event(tmp_path / "event", bluesky_network)
        engine = _queue(
            settings,
            [
                composed_draft("l/1", "Read more", embed={"external": {"uri": f"{base}/talk"}}),
                composed_draft("l/2", "Gone", 1, embed={"external": {"uri": f"{base}/missing"}}),
            ],
        )
        publisher = make_publisher(settings)
        try:
            report = deliver_due(engine, settings.event_key, publisher, now=NOW)
        finally:
            publisher.close()
    finally:
        server.shutdown()
        server.server_close()
    assert [o.key for o in report.posted] == ["l/1", "l/2"]
    assert [(o.key, o.detail) for o in report.warnings] == [
        ("l/2", f"no link card for {base}/missing: the page answered HTTP 404")
    ]
    reader = _reader(bluesky_network)
    alice = bluesky_network.account("alice")
    with session_scope(engine) as session:
        rows = list_posts(session, ensure_event(session, settings.event_key, "Conf", "UTC"))
    carded = reader.com.atproto.repo.get_record(
        {"repo": alice.did, "collection": "app.bsky.feed.post", "rkey": rows[0].rkey}
    ).value
    external = carded.embed.external
    assert (external.uri, external.title, external.description) == (
        f"{base}/talk",
        "The Talk Page",
        "All about it",
    )
    assert external.thumb.mime_type in ("image/png", "image/jpeg")
    assert external.thumb.size <= 1_000_000
    plain = reader.com.atproto.repo.get_record(
        {"repo": alice.did, "collection": "app.bsky.feed.post", "rkey": rows[1].rkey}
    ).value
    assert plain.embed is None
