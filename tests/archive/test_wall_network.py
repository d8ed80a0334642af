"""The wall, reply control and the truthful archive against the real local Bluesky network:
alice is livepost's account, bob and carol are the audience."""

from __future__ import annotations

import json
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from atproto import Client, client_utils, models
from sqlalchemy import Engine

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from livepost.archive.sync import poll_hashtags, sync
from livepost.bluesky.publisher import BlueskyPublisher
from livepost.config import Settings, load_settings
from livepost.devtools.bluesky_network import LocalNetwork
from livepost.export import export
from livepost.model import Schedule, Talk
from livepost.outbox.queries import Draft, add_post, find_by_key, mark_posted
from livepost.publish.gates import hide_reply, pending_gates, write_pending_gates
from livepost.store.engine import open_database, session_scope
from livepost.store.talks import ensure_event, load_event, save_schedule
from livepost.web.app import create_app
from tests.web_helpers import TOKEN

pytestmark = pytest.mark.network
TAG = "wallnet14"


def login(network: LocalNetwork, name: str) -> Client:
    client = Client(base_url=network.pds_url)
    client.login(network.account(name).handle, network.account(name).password)
    return client


@dataclass
class Scene:
    settings: Settings
    engine: Engine
    alice: Client
    bob: Client
    publisher: BlueskyPublisher
    uris: dict[str, str]


def record_ours(
    engine: Engine, settings: Settings, key: str, sent: Any, parent: str | None
) -> None:
    with session_scope(engine) as session:
        event = load_event(session, settings.event_key)
        parent_row = find_by_key(session, event, parent) if parent else None
        row = add_post(
            session,
            event,
            Draft(
                key=key,
                kind="snippet" if parent else "announcement",
                due_at=datetime.now(UTC),
                text=key,
                talk_id="wall-talk",
            ),
            parent=parent_row,
        )
        mark_posted(row, sent.uri, sent.cid)


@pytest.fixture(scope="module")
def scene(
    bluesky_network: LocalNetwork, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Scene]:
    folder = tmp_path_factory.mktemp("wallnet")
    (folder / "livepost.toml").write_text(
        f'[event]\nname = "Wall Net"\nhashtags = ["{TAG}"]\ntimezone = "Europe/London"\n'
        "[wall]\nrefresh_seconds = 15\n"
        '[publish]\nreply_control = "mentioned"\nquotes = false\n',
        encoding="utf-8",
    )
    settings = load_settings(folder, environ={})
    engine = open_database(settings.database_url)
    now = datetime.now(UTC)
    with session_scope(engine) as session:
        ensure_event(session, settings.event_key, "Wall Net", "Europe/London")
        talk = Talk(
            "Walls and gates",
            now - timedelta(minutes=20),
            now + timedelta(minutes=40),
            id="wall-talk",
        )
        save_schedule(
            session, settings.event_key, Schedule([talk], timezone="Europe/London", source="t")
        )
    alice, bob = login(bluesky_network, "alice"), login(bluesky_network, "bob")
    uris: dict[str, str] = {}
    # bob is mentioned: the "mentioned" reply rule lets him reply (and his reply count)
    text = client_utils.TextBuilder().text("Now: Walls and gates with ")
    text.mention("@bob.test", bob.me.did if bob.me else "").text(f" #{TAG}")
    announce = alice.send_post(text)
    record_ours(engine, settings, "announce/wall-talk", announce, None)
    uris["announce"] = announce.uri
    parent = announce
    for n in range(3):  # our own snippets, chained under the announcement
        snippet = alice.send_post(
            f"Snippet {n}",
            reply_to=models.AppBskyFeedPost.ReplyRef(
                parent=models.create_strong_ref(parent), root=models.create_strong_ref(announce)
            ),
        )
        prev = "announce/wall-talk" if n == 0 else f"snippet/wall-talk/{n - 1}"
        record_ours(engine, settings, f"snippet/wall-talk/{n}", snippet, prev)
        parent = snippet
    publisher = BlueskyPublisher(alice)
    yield Scene(settings, engine, alice, bob, publisher, uris)
    engine.dispose()


def get_record(client: Client, uri: str, collection: str) -> Any:
    did, _, rkey = uri.removeprefix("at://").split("/")
    return client.com.atproto.repo.get_record({"repo": did, "collection": collection, "rkey": rkey})


def test_the_announcement_gets_its_threadgate_and_postgate(scene: Scene) -> None:
    report = write_pending_gates(
        scene.engine, scene.settings.event_key, scene.publisher, scene.settings.publish
    )
    assert sorted(report.written) == sorted(
        [f"threadgate of {scene.uris['announce']}", f"postgate of {scene.uris['announce']}"]
    )
    gate = get_record(scene.alice, scene.uris["announce"], "app.bsky.feed.threadgate").value
    assert gate.post == scene.uris["announce"]
    assert [rule.py_type for rule in gate.allow] == ["app.bsky.feed.threadgate#mentionRule"]
    postgate = get_record(scene.alice, scene.uris["announce"], "app.bsky.feed.postgate").value
    assert [r.py_type for r in postgate.embedding_rules] == ["app.bsky.feed.postgate#disableRule"]
    assert pending_gates(scene.engine, scene.settings.event_key) == []


def test_bobs_posts_reach_the_wall_within_the_refresh_interval_and_hiding_removes_them(
    scene: Scene, bluesky_network: LocalNetwork
) -> None:
    app = create_app(scene.settings, token=TOKEN, engine=scene.engine, online_checks=False)
    with TestClient(app, base_url="http://127.0.0.1:8765") as client:
        assert client.get(f"/wall?token={TOKEN}").status_code == 200
        posted = bob_post = scene.bob.send_post(f"Loving the wall #{TAG}")
        start = time.monotonic()
        seen: list[str] = []
        while time.monotonic() - start < scene.settings.wall.refresh_seconds:
            # what the daemon does every [wall] poll_seconds, here as fast as it can
            poll_hashtags(
                scene.engine,
                scene.settings.event_key,
                scene.alice,
                datetime.now(UTC),
                hashtags=[TAG],
                config=scene.settings.archive,
            )
            seen = [p["uri"] for p in client.get("/api/v1/wall").json()["posts"]]
            if bob_post.uri in seen:
                break
            time.sleep(0.5)
        elapsed = time.monotonic() - start
        assert bob_post.uri in seen, f"not on the wall after {elapsed:.1f}s"
        print(f"bob's post reached the wall JSON after {elapsed:.2f} s")
        wall = client.get("/api/v1/wall").json()["posts"]
        mine = next(p for p in wall if p["uri"] == posted.uri)
        assert mine["author"] == {
            "handle": "bob.test",
            "display_name": mine["author"]["display_name"],
        }
        assert mine["text"] == f"Loving the wall #{TAG}"
        assert "Loving the wall" in client.get("/wall").text
        manage = client.get("/wall/manage").text
        from tests.web_helpers import csrf_of

        done = client.post(
            "/wall/hide", data={"csrf_token": csrf_of(manage), "target": bob_post.uri}
        )
        assert done.status_code in (200, 303)
        assert bob_post.uri not in [p["uri"] for p in client.get("/api/v1/wall").json()["posts"]]
        assert "Loving the wall" not in client.get("/wall").text


def test_totals_exclude_our_replies_a_hidden_reply_is_gated_and_deletions_leave(
    scene: Scene, bluesky_network: LocalNetwork, tmp_path: Path
) -> None:
    announce = scene.uris["announce"]
    view = scene.bob.app.bsky.feed.get_posts({"uris": [announce]}).posts[0]
    reply = scene.bob.send_post(
        "Rude reply",
        reply_to=models.AppBskyFeedPost.ReplyRef(
            parent=models.create_strong_ref(view), root=models.create_strong_ref(view)
        ),
    )
    doomed = scene.bob.send_post(f"I will delete this #{TAG}")
    bluesky_network.process_all()
    key = scene.settings.event_key
    sync(scene.engine, key, scene.alice, hashtags=[TAG], config=scene.settings.archive)
    out = tmp_path / "before.json"
    export(scene.engine, key, "json", out)
    data = json.loads(out.read_text(encoding="utf-8"))
    assert doomed.uri in [p["uri"] for p in data["community"]]
    ours = {p["uri"]: p["counts"]["replies"] for p in data["posts"]}
    assert ours[announce] == 1  # bob's reply; our own first snippet is not engagement
    assert sum(ours.values()) == 1
    (talk,) = data["talks"]
    assert talk["totals"]["replies"] == 1

    root = hide_reply(scene.engine, key, reply.uri, "officer", scene.settings.publish)
    assert root == announce
    report = write_pending_gates(scene.engine, key, scene.publisher, scene.settings.publish)
    assert report.written == [f"threadgate of {announce}"]
    gate = get_record(scene.alice, announce, "app.bsky.feed.threadgate").value
    assert gate.hidden_replies == [reply.uri]
    assert [rule.py_type for rule in gate.allow] == ["app.bsky.feed.threadgate#mentionRule"]

    scene.bob.delete_post(doomed.uri)
    bluesky_network.process_all()
    later = sync(scene.engine, key, scene.alice, hashtags=[TAG], config=scene.settings.archive)
    assert later.deleted == 1
    after = tmp_path / "after.json"
    export(scene.engine, key, "json", after)
    assert doomed.uri not in after.read_text(encoding="utf-8")
    md = tmp_path / "after.md"
    export(scene.engine, key, "md", md)
    assert "I will delete this" not in md.read_text(encoding="utf-8")


def test_replies_hide_from_the_command_line_adds_to_the_threadgate(
    scene: Scene, bluesky_network: LocalNetwork
) -> None:
    from tests.clirunner import run_livepost

    announce = scene.uris["announce"]
    view = scene.bob.app.bsky.feed.get_posts({"uris": [announce]}).posts[0]
    second = scene.bob.send_post(
        "Another rude reply",
        reply_to=models.AppBskyFeedPost.ReplyRef(
            parent=models.create_strong_ref(view), root=models.create_strong_ref(view)
        ),
    )
    bluesky_network.process_all()
    key = scene.settings.event_key
    sync(scene.engine, key, scene.alice, hashtags=[TAG], config=scene.settings.archive)
    account = bluesky_network.account("alice")
    env = {
        "LIVEPOST_SERVICE": bluesky_network.pds_url,
        "LIVEPOST_HANDLE": account.handle,
        "LIVEPOST_APP_PASSWORD": account.app_password,
    }
    done = run_livepost("--event", scene.settings.event_dir, "replies", "hide", second.uri, env=env)
    assert done.code == 0, done.err
    assert done.out == f"threadgate of {announce} written\n"
    gate = get_record(scene.alice, announce, "app.bsky.feed.threadgate").value
    assert gate.hidden_replies[-1] == second.uri and len(gate.hidden_replies) == 2
    pending = run_livepost("--event", scene.settings.event_dir, "replies", "pending", env=env)
    assert pending.out == "Every threadgate and postgate is written.\n"
    unknown = run_livepost(
        "--event", scene.settings.event_dir, "replies", "hide", announce + "x", env=env
    )
    assert unknown.code == 2 and "is not a reply in one of our threads" in unknown.err
