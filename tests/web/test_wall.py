"""The venue wall over HTTP and the CLI: what it shows, hostile posts kept in their box, and
moderation that holds from the first request after a restart."""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from livepost.archive.sync import save_archived_posts
from livepost.config import Settings
from livepost.model.engagement import Counts, RemotePost
from livepost.store.engine import open_database, session_scope
from livepost.store.models import WallLogRow
from livepost.store.talks import ensure_event
from livepost.web.app import create_app
from tests.clirunner import run_livepost
from tests.web_helpers import NOW, TOKEN, csrf_of, imported_demo

RLO = "\u202e"


def uri(n: int, did: str = "did:plc:bob") -> str:
    return f"at://{did}/app.bsky.feed.post/3wall{n:08d}"


def community() -> list[RemotePost]:
    def post(n: int, text: str, **kw: object) -> RemotePost:
        at = NOW - timedelta(minutes=60 - n)
        fields: dict[str, object] = {
            "author_did": "did:plc:bob",
            "author_handle": "bob.test",
            "author_name": "Bob",
        }
        fields.update(kw)
        return RemotePost(
            uri(n, str(fields["author_did"])),
            "bafy",
            str(fields["author_did"]),
            str(fields["author_handle"]),
            fields["author_name"],  # type: ignore[arg-type]
            text,
            at,
            at,
            Counts(),
            images=list(fields.get("images", [])),  # type: ignore[call-overload]
            image_alts=[i["alt"] for i in fields.get("images", [])],  # type: ignore[attr-defined]
        )

    return [
        post(1, "First! #ccprconf26"),
        post(
            2,
            f"{RLO}evil right-to-left never closed #ccprconf26",
            author_did="did:plc:mallory",
            author_handle="mallory.test",
            author_name=f'<script>alert(1)</script>{RLO}"Mallory',
        ),
        post(3, "é" * 1500 + " #ccprconf26"),  # 3,000+ bytes
        post(
            4,
            "Four slides #ccprconf26",
            images=[
                {
                    "alt": f"Slide {n} <b>x</b>",
                    "thumb": f"https://cdn.example/{n}.jpg",
                    "fullsize": "",
                }
                for n in range(4)
            ],
        ),
        post(
            5,
            "Another by carol #ccprconf26",
            author_did="did:plc:carol",
            author_handle="carol.test",
            author_name="Carol",
        ),
    ]


def seed(settings: Settings) -> None:
    engine = open_database(settings.database_url)
    with session_scope(engine) as session:
        event = ensure_event(session, settings.event_key, settings.event.name, "Europe/London")
        save_archived_posts(session, event, community(), "hashtag", "ccprconf26", NOW)
    engine.dispose()


@pytest.fixture
def settings(demo_event: Path) -> Settings:
    found = imported_demo(demo_event)
    seed(found)
    return found


def client_for(settings: Settings) -> TestClient:
    app = create_app(settings, token=TOKEN, clock=lambda: NOW, online_checks=False)
    client = TestClient(app, base_url="http://127.0.0.1:8765")
    assert client.get(f"/wall?token={TOKEN}").status_code == 200
    return client


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with client_for(settings) as c:
        yield c


def test_the_wall_json_lists_the_community_newest_first(client: TestClient) -> None:
    data = client.get("/api/v1/wall").json()
    assert data["refresh_seconds"] == 15
    assert [p["uri"] for p in data["posts"]] == [
        uri(5, "did:plc:carol"),
        uri(4),
        uri(3),
        uri(2, "did:plc:mallory"),
        uri(1),
    ]
    four = data["posts"][1]
    assert four["author"] == {"handle": "bob.test", "display_name": "Bob"}
    assert four["created_at"] == "2026-06-18T09:24:00Z"
    assert [i["alt"] for i in four["images"]] == [f"Slide {n} <b>x</b>" for n in range(4)]


def test_the_wall_page_escapes_and_isolates_hostile_posts(client: TestClient) -> None:
    response = client.get("/wall")
    html = response.text
    assert "img-src 'self' data: https:" in response.headers["content-security-policy"]
    assert "<script>alert(1)" not in html
    assert f"<bdi>&lt;script&gt;alert(1)&lt;/script&gt;{RLO}&#34;Mallory</bdi>" in html
    assert f'<p class="text" dir="auto">{RLO}evil right-to-left' in html
    assert html.count('<li class="wall-post') == 5
    assert 'hx-trigger="every 15s"' in html
    assert '<img src="https://cdn.example/3.jpg" alt=""' in html  # the caption is its alt text
    assert "<bdi>Slide 3 &lt;b&gt;x&lt;/b&gt;</bdi></figcaption>" in html
    assert "<form" not in html and "<button" not in html  # a projector: no controls
    stamp = html.split("since=")[1].split('"')[0]
    assert client.get(f"/wall/posts?since={stamp}").status_code == 204


def test_hide_pin_and_block_from_the_console_hold_after_a_restart(
    client: TestClient, settings: Settings
) -> None:
    manage = client.get("/wall/manage").text
    csrf = csrf_of(manage)
    for verb, target in (
        ("hide", uri(1)),
        ("pin", uri(3)),
        ("block", "@Mallory.test"),
    ):
        done = client.post(f"/wall/{verb}", data={"csrf_token": csrf, "target": target})
        assert done.status_code in (200, 303), done.text
    refused = client.post("/wall/hide", data={"csrf_token": csrf, "target": "not-a-uri"})
    assert refused.status_code == 422 and "is not a post&#39;s at:// URI" in refused.text
    with client_for(settings) as fresh:  # a restarted console: nothing cached
        posts = fresh.get("/api/v1/wall").json()["posts"]
        assert [p["uri"] for p in posts] == [uri(3), uri(5, "did:plc:carol"), uri(4)]
        assert posts[0]["pinned"] is True
        assert "First!" not in fresh.get("/wall").text
        page = fresh.get("/wall/manage").text
        assert "Show again" in page and "Unblock author" in page
        assert page.count("<bdi>owner (owner)</bdi>") == 3  # the log names who did it
    engine = open_database(settings.database_url)
    with session_scope(engine) as session:
        log = [
            (r.action, r.target, r.actor_id, r.actor)
            for r in session.query(WallLogRow).order_by(WallLogRow.id)
        ]
    assert log == [
        ("hide", uri(1), "owner", "owner (owner)"),
        ("pin", uri(3), "owner", "owner (owner)"),
        ("block", "mallory.test", "owner", "owner (owner)"),
    ]


def test_the_cli_moderates_the_same_wall(settings: Settings, demo_event: Path) -> None:
    def cli(*args: str) -> str:
        done = run_livepost("--event", demo_event, *args)
        assert done.code == 0, done.err
        return done.out

    assert cli("wall", "hide", uri(4)) == f"hidden from the wall: {uri(4)}\n"
    assert cli("wall", "hide", uri(4)) == f"already hidden: {uri(4)}\n"
    assert cli("wall", "block", "carol.test") == "blocked on the wall: @carol.test\n"
    assert cli("wall", "pin", uri(1)) == f"pinned: {uri(1)}\n"
    data = json.loads(cli("wall", "list", "--json"))
    assert [p["uri"] for p in data["posts"]] == [uri(1), uri(3), uri(2, "did:plc:mallory")]
    assert {(d["action"], d["target"], d["did"]) for d in data["decisions"]} == {
        ("hide", uri(4), None),
        ("block", "carol.test", "did:plc:carol"),
        ("pin", uri(1), None),
    }
    assert [e["action"] for e in data["log"]] == ["pin", "block", "hide"]
    assert data["log"][0]["by"].endswith("(owner)")  # the command line is the event's owner
    listing = cli("wall", "list", "--log")
    assert "[pinned] @bob.test: First! #ccprconf26" in listing and "Blocked authors:" in listing
    bad = run_livepost("--event", demo_event, "wall", "pin", "https://bsky.app/x")
    assert bad.code == 4 and "is not a post's at:// URI" in bad.err
    with client_for(settings) as c:
        assert [p["uri"] for p in c.get("/api/v1/wall").json()["posts"]] == [
            uri(1),
            uri(3),
            uri(2, "did:plc:mallory"),
        ]


def test_include_ours_shows_our_posted_posts_too(settings: Settings) -> None:
    from livepost.config import WallSection
    from livepost.outbox.queries import Draft, add_post, mark_posted

    engine = open_database(settings.database_url)
    with session_scope(engine) as session:
        event = ensure_event(session, settings.event_key, settings.event.name, "Europe/London")
        row = add_post(session, event, Draft("manual/x", "free", NOW, "Coffee in the foyer"))
        mark_posted(row, "at://did:plc:us/app.bsky.feed.post/3ours0000000", "bafy", NOW)
    engine.dispose()
    with client_for(settings) as c:
        assert "Coffee" not in c.get("/api/v1/wall").text
    settings.wall = WallSection(include_ours=True)
    settings.handle = "comms.example.org"
    with client_for(settings) as c:
        first = c.get("/api/v1/wall").json()["posts"][0]
    assert first["text"] == "Coffee in the foyer" and first["ours"] is True
    assert first["author"] == {"handle": "comms.example.org", "display_name": settings.event.name}
