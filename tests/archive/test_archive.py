"""The archive against the real local Bluesky network: alice is livepost's account, bob and carol
post under the tag, like, repost, quote and reply; sync, then check the database and exports."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from atproto import Client, models
from sqlalchemy import Engine, func, select

from livepost.archive.sync import ClientReader, Tracked, has_tag, is_due, sync, sync_due
from livepost.config import ArchiveSection, default_database_url
from livepost.devtools.bluesky_network import LocalNetwork
from livepost.export import export
from livepost.model import Person, Schedule, Talk
from livepost.model.engagement import Counts, RemotePost
from livepost.outbox.queries import Draft, add_post, mark_posted
from livepost.store.engine import open_database, session_scope
from livepost.store.models import ArchivedPostRow, ArchiveSyncRow, EngagementSnapshotRow
from livepost.store.talks import ensure_event, load_event, save_schedule
from tests.clirunner import run_livepost

pytestmark = pytest.mark.network
KEY = "ccprconf26"
TAG = "ccprconf26"


def login(network: LocalNetwork, name: str) -> Client:
    client = Client(base_url=network.pds_url)
    client.login(network.account(name).handle, network.account(name).password)
    return client


def ref(post: Any) -> models.ComAtprotoRepoStrongRef.Main:
    return models.create_strong_ref(post)


@dataclass
class World:
    """What the scenario posted: URIs by name, and the database."""

    engine: Engine
    alice: Client
    uris: dict[str, str]
    started: datetime
    folder: Path


def record_posted(
    engine: Engine, key: str, text: str, sent: Any, talk: str | None, parent: str | None
) -> None:
    from livepost.outbox.queries import find_by_key

    with session_scope(engine) as session:
        event = load_event(session, KEY)
        parent_row = find_by_key(session, event, parent) if parent else None
        row = add_post(
            session,
            event,
            Draft(
                key=key,
                kind="snippet" if parent else "announcement",
                due_at=datetime.now(UTC),
                text=text,
                talk_id=talk,
            ),
            parent=parent_row,
        )
        mark_posted(row, sent.uri, sent.cid)


@pytest.fixture(scope="module")
def world(
    bluesky_network: LocalNetwork, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    folder = tmp_path_factory.mktemp("archive")
    engine = open_database(default_database_url(folder))
    now = datetime.now(UTC)
    talks = [
        Talk(
            "Red Flags for Police Misconduct",
            now - timedelta(minutes=30),
            now + timedelta(minutes=15),
            room="Main Hall",
            speakers=[Person("Dr Martin O'Neill"), Person("Dr Katarina Mozova")],
            id="red-flags",
        ),
        Talk(
            "Closing remarks",
            now + timedelta(minutes=15),
            now + timedelta(minutes=30),
            id="closing",
        ),
    ]
    with session_scope(engine) as session:
        ensure_event(session, KEY, "CCPR Conference 2026", "Europe/London")
        save_schedule(session, KEY, Schedule(talks, timezone="Europe/London", source="test"))

    alice, bob, carol = (login(bluesky_network, n) for n in ("alice", "bob", "carol"))
    uris: dict[str, str] = {}

    def ours(key: str, text: str, talk: str | None, parent: Any = None, root: Any = None) -> Any:
        reply = (
            models.AppBskyFeedPost.ReplyRef(parent=ref(parent), root=ref(root or parent))
            if parent
            else None
        )
        sent = alice.send_post(text, reply_to=reply)
        parent_key = next((k for k, u in uris.items() if parent and u == parent.uri), None)
        record_posted(engine, key, text, sent, talk, parent_key)
        uris[key] = sent.uri
        return sent

    announce = ours(
        "announce/red-flags", "Now: Red Flags for Police Misconduct #ccprconf26", "red-flags"
    )
    snippet = ours(
        "snippet/red-flags/0",
        "Patterns of misconduct... #ccprconf26",
        "red-flags",
        announce,
        announce,
    )
    closing = ours("announce/closing", "Closing remarks next #ccprconf26", "closing")
    for n in range(27):  # enough posted rows for two getPosts batches
        ours(f"manual/filler-{n}", f"Filler {n}", None)

    bob_post = bob.send_post("Great talk by Dr Martin O'Neill #ccprconf26")
    uris["bob_tag"] = bob_post.uri
    bob_reply = bob.send_post(
        "Agreed, vetting aftercare matters",
        reply_to=models.AppBskyFeedPost.ReplyRef(parent=ref(snippet), root=ref(announce)),
    )
    uris["bob_reply"] = bob_reply.uri
    bob.like(announce.uri, announce.cid)
    bob.repost(announce.uri, announce.cid)
    carol.like(announce.uri, announce.cid)
    carol.like(bob_post.uri, bob_post.cid)
    carol.like(snippet.uri, snippet.cid)
    quote = carol.send_post(
        "Must read #ccprconf26",
        embed=models.AppBskyEmbedRecord.Main(record=ref(announce)),
    )
    uris["carol_quote"] = quote.uri
    carol_reply = carol.send_post(
        "<script>alert(1)</script> see you there",
        reply_to=models.AppBskyFeedPost.ReplyRef(parent=ref(closing), root=ref(closing)),
    )
    uris["carol_reply"] = carol_reply.uri
    evil = carol.send_post('"><img src=x onerror=alert(1)> #ccprconf26')
    uris["carol_evil"] = evil.uri
    other = carol.send_post("Not this one #ccprconf26extra")
    uris["carol_other_tag"] = other.uri
    bluesky_network.process_all()
    yield World(engine, alice, uris, now, folder)
    engine.dispose()


def counts_of(engine: Engine, uri: str) -> list[tuple[int, int, int, int]]:
    snap = EngagementSnapshotRow
    with session_scope(engine) as session:
        rows = session.execute(
            select(snap.replies, snap.reposts, snap.likes, snap.quotes)
            .where(snap.uri == uri)
            .order_by(snap.taken_at, snap.id)
        ).all()
    return [tuple(r) for r in rows]  # type: ignore[misc]


class Interrupting:
    """A real reader that stops (like Ctrl-C) before its ``limit``-th getPosts call."""

    def __init__(self, inner: ClientReader, limit: int) -> None:
        self.inner, self.limit, self.posts_calls = inner, limit, 0

    def posts(self, uris: Sequence[str]) -> list[RemotePost]:
        self.posts_calls += 1
        if self.posts_calls >= self.limit:
            raise KeyboardInterrupt
        return self.inner.posts(uris)

    def thread_replies(self, uri: str) -> list[RemotePost]:
        return self.inner.thread_replies(uri)

    def search(self, *args: Any) -> tuple[list[RemotePost], str | None]:
        return self.inner.search(*args)


def test_sync_archives_counts_replies_and_the_hashtag(world: World) -> None:
    engine, uris = world.engine, world.uris
    reader = ClientReader(world.alice, page_size=2)  # small pages: the cursor is followed
    first = datetime.now(UTC)
    report = sync(engine, KEY, reader, hashtags=[TAG], now=first)

    # ours: 30 posted rows; theirs: bob's tag post and reply, carol's quote, reply and evil post
    with session_scope(engine) as session:
        archived = {
            r.uri: r for r in session.scalars(select(ArchivedPostRow).order_by(ArchivedPostRow.id))
        }
    assert set(archived) == {
        uris["bob_tag"],
        uris["bob_reply"],
        uris["carol_quote"],
        uris["carol_reply"],
        uris["carol_evil"],
    }
    assert archived[uris["bob_reply"]].source == "reply"
    assert archived[uris["bob_reply"]].reply_root == uris["announce/red-flags"]
    assert archived[uris["bob_reply"]].author_handle == "bob.test"
    assert archived[uris["carol_reply"]].source == "reply"
    assert archived[uris["bob_tag"]].source == "hashtag"
    assert archived[uris["bob_tag"]].matched_tag == TAG
    assert archived[uris["carol_evil"]].text == '"><img src=x onerror=alert(1)> #ccprconf26'
    assert report.new_community == 3 and report.new_replies == 2
    assert report.searches >= 3  # 6 matches (+ ours) at 2 a page
    assert report.threads_read == 2 + 27  # every root of ours: two announcements, 27 fillers
    assert report.posts_read == 30 and report.missing == []
    # community posts got their counts with the search or thread: no second read
    assert report.get_posts_calls == math.ceil(30 / 25)

    assert counts_of(engine, uris["announce/red-flags"]) == [(1, 1, 2, 1)]
    assert counts_of(engine, uris["snippet/red-flags/0"]) == [(1, 0, 1, 0)]
    assert counts_of(engine, uris["bob_tag"]) == [(0, 0, 1, 0)]
    assert counts_of(engine, uris["manual/filler-3"]) == [(0, 0, 0, 0)]

    # a second sync adds a snapshot per post (a history) and finds nothing new
    again = sync(
        engine, KEY, ClientReader(world.alice), hashtags=[TAG], now=first + timedelta(minutes=7)
    )
    assert again.new_community == 0 and again.new_replies == 0
    assert counts_of(engine, uris["announce/red-flags"]) == [(1, 1, 2, 1), (1, 1, 2, 1)]
    with session_scope(engine) as session:
        assert session.scalar(select(func.count()).select_from(ArchivedPostRow)) == 5
        state = session.scalars(
            select(ArchiveSyncRow).where(ArchiveSyncRow.kind == f"hashtag:{TAG}")
        ).one()
        assert state.cursor is None and state.mark is not None


def test_an_interrupted_sync_resumes_where_it_stopped(world: World) -> None:
    engine = world.engine
    moment = datetime.now(UTC) + timedelta(hours=1)
    stopper = Interrupting(ClientReader(world.alice), limit=2)
    with pytest.raises(KeyboardInterrupt):
        sync(engine, KEY, stopper, parts=("engagement",), now=moment)
    with session_scope(engine) as session:
        done = session.scalar(
            select(func.count())
            .select_from(EngagementSnapshotRow)
            .where(EngagementSnapshotRow.taken_at == moment)
        )
    assert done == 25  # the first batch was committed
    resumed = ClientReader(world.alice)
    report = sync(engine, KEY, resumed, parts=("engagement",), now=moment + timedelta(minutes=1))
    assert resumed.calls["getPosts"] == 1  # only the 10 posts not read yet
    assert report.snapshots == 35 - 25
    fresh = ClientReader(world.alice)
    sync(engine, KEY, fresh, parts=("engagement",), now=moment + timedelta(minutes=2))
    assert fresh.calls["getPosts"] == 2  # a finished pass: a new one reads everything


def test_sync_due_reads_fresh_posts_often_and_stops_after_the_final_sync(world: World) -> None:
    engine, config = world.engine, ArchiveSection()
    later = datetime.now(UTC) + timedelta(hours=3)  # an hour after the last test's reads
    reader = ClientReader(world.alice)
    sync_due(engine, KEY, reader, later, hashtags=[TAG], config=config)
    assert reader.calls["getPosts"] == 2
    quiet = ClientReader(world.alice)
    sync_due(engine, KEY, quiet, later + timedelta(minutes=5), hashtags=[TAG], config=config)
    assert quiet.calls == {"getPosts": 0, "getPostThread": 0, "searchPosts": 0}
    final_at = world.started + timedelta(minutes=30) + timedelta(hours=config.final_sync_hours)
    final = ClientReader(world.alice)
    report = sync_due(engine, KEY, final, final_at + timedelta(minutes=1), hashtags=[TAG])
    assert report.final and final.calls["getPosts"] == 2
    after = ClientReader(world.alice)
    sync_due(engine, KEY, after, final_at + timedelta(days=2), hashtags=[TAG])
    assert after.calls == {"getPosts": 0, "getPostThread": 0, "searchPosts": 0}


def test_exports_hold_the_synced_counts(world: World, tmp_path: Path) -> None:
    sync(world.engine, KEY, ClientReader(world.alice), hashtags=[TAG])
    out = tmp_path / "report.json"
    export(world.engine, KEY, "json", out, hashtags=[TAG], our_handle="alice.test")
    data = json.loads(out.read_text(encoding="utf-8"))
    posts = {p["uri"]: p for p in data["posts"]}
    announce = posts[world.uris["announce/red-flags"]]
    assert announce["talk"] == "red-flags"
    assert announce["counts"] == {
        "replies": 0,  # its one reply is our own snippet: not engagement (bob replied to that)
        "reposts": 1,
        "likes": 2,
        "quotes": 1,
        "bookmarks": 0,
    }
    assert posts[world.uris["snippet/red-flags/0"]]["reply_parent"] == announce["uri"]
    assert posts[world.uris["snippet/red-flags/0"]]["counts"]["replies"] == 1  # bob's
    community = {c["uri"]: c for c in data["community"]}
    assert community[world.uris["bob_tag"]]["talk"] == "red-flags"
    assert community[world.uris["bob_tag"]]["talk_reason"] == "mention"
    assert community[world.uris["bob_reply"]]["talk_reason"] == "reply"
    assert community[world.uris["carol_reply"]]["talk"] == "closing"
    assert community[world.uris["bob_tag"]]["counts"]["likes"] == 1
    assert data["top_posts"][0] == announce["uri"]
    red = next(t for t in data["talks"] if t["id"] == "red-flags")
    assert red["posts"] == [world.uris["announce/red-flags"], world.uris["snippet/red-flags/0"]]
    for fmt in ("csv", "md", "html"):
        path = tmp_path / f"report.{fmt}"
        export(world.engine, KEY, fmt, path, hashtags=[TAG], our_handle="alice.test")
        text = path.read_text(encoding="utf-8-sig")
        assert "Great talk by Dr Martin O" in text
        assert "Now: Red Flags for Police Misconduct" in text
    csv_text = (tmp_path / "report.csv").read_text(encoding="utf-8-sig")
    assert "ours,red-flags,Red Flags for Police Misconduct," in csv_text
    assert "\nhashtag,red-flags," in csv_text


def test_the_commands(world: World, bluesky_network: LocalNetwork, tmp_path: Path) -> None:
    folder = tmp_path / "event"
    folder.mkdir()
    (folder / "livepost.toml").write_text(
        '[event]\nname = "CCPR Conference 2026"\nhashtags = ["ccprconf26"]\n'
        'timezone = "Europe/London"\n',
        encoding="utf-8",
    )
    account = bluesky_network.account("carol")
    env = {
        "LIVEPOST_SERVICE": bluesky_network.pds_url,
        "LIVEPOST_HANDLE": account.handle,
        "LIVEPOST_APP_PASSWORD": account.app_password,
    }
    done = run_livepost("--event", folder, "archive", "sync", env=env)
    assert done.code == 0, done.err
    # an organiser archiving the hashtag without having posted anything
    assert "0 posts of ours read" in done.out
    # not this event's own posts here: alice's three tagged posts count as the community's
    assert "6 new posts under the hashtags" in done.out
    out = tmp_path / "r.md"
    done = run_livepost("--event", folder, "export", "--format", "md", "--out", out, env=env)
    assert done.code == 0, done.err
    assert "Great talk by Dr Martin O" in out.read_text(encoding="utf-8")


# --- pure rules ----------------------------------------------------------------------------------


def remote(text: str, tags: Sequence[str] = ()) -> RemotePost:
    moment = datetime(2026, 6, 18, 12, tzinfo=UTC)
    return RemotePost(
        "at://x/app.bsky.feed.post/1",
        "c",
        "did:x",
        "x.test",
        None,
        text,
        moment,
        moment,
        Counts(),
        tags=list(tags),
    )


@pytest.mark.parametrize(
    ("text", "tags", "expected"),
    [
        ("hello #ccprconf26", (), True),
        ("hello #CCPRconf26!", (), True),
        ("hello ＃ccprconf26", (), True),
        ("no tag here ccprconf26", (), False),
        ("#ccprconf26extra", (), False),
        ("text only", ("CCPRCONF26",), True),
    ],
)
def test_has_tag(text: str, tags: Sequence[str], expected: bool) -> None:
    assert has_tag(remote(text, tags), "ccprconf26") is expected


def test_is_due_follows_the_settings() -> None:
    config = ArchiveSection(fresh_minutes=60, fresh_interval_minutes=5, later_interval_minutes=60)
    born = datetime(2026, 6, 18, 10, tzinfo=UTC)
    post = Tracked("at://x", born, True, True)
    final = born + timedelta(days=1)
    assert is_due(post, None, born, config, final)
    assert not is_due(post, born + timedelta(minutes=1), born + timedelta(minutes=5), config, final)
    assert is_due(post, born, born + timedelta(minutes=5), config, final)
    later = born + timedelta(hours=3)
    assert not is_due(post, later - timedelta(minutes=30), later, config, final)
    assert is_due(post, later - timedelta(minutes=60), later, config, final)
    assert is_due(post, final - timedelta(minutes=1), final, config, final)
    assert not is_due(post, final, final + timedelta(hours=5), config, final)
