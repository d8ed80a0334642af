"""The archive tells the truth: our own replies are not engagement, deleted posts leave."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, func, select

from livepost.archive.sync import save_archived_posts, save_snapshots, sync
from livepost.export import export
from livepost.export.report import load_report
from livepost.model.engagement import Counts, RemotePost
from livepost.outbox.queries import Draft, add_post, mark_posted
from livepost.store.engine import session_scope
from livepost.store.models import (
    ArchivedPostRow,
    ArchiveTombstoneRow,
    EngagementSnapshotRow,
    OutboxRow,
)
from livepost.store.talks import load_event
from tests.archive_helpers import EVENT_KEY, demo_engine

TALK = "keynote-public-trust-after-casey"
START = datetime(2026, 6, 18, 8, 45, tzinfo=UTC)  # the keynote, in UTC
ALICE = "did:plc:alice"


def our_thread(engine: Engine, snippets: int) -> list[str]:
    """An announcement and ``snippets`` chained under it, all posted; their URIs."""
    uris: list[str] = []
    with session_scope(engine) as session:
        event = load_event(session, EVENT_KEY)
        parent: OutboxRow | None = None
        for n in range(snippets + 1):
            key = "announce/keynote" if n == 0 else f"snippet/keynote/{n}"
            row = add_post(
                session,
                event,
                Draft(
                    key=key,
                    kind="snippet" if n else "announcement",
                    due_at=START,
                    text=key,
                    talk_id=TALK,
                ),
                parent=parent,
            )
            uri = f"at://{ALICE}/app.bsky.feed.post/3our{n:09d}"
            mark_posted(row, uri, f"bafy{n}", START + timedelta(minutes=n))
            session.flush()
            uris.append(uri)
            parent = row
    return uris


def remote(uri: str, text: str, *, replies: int = 0, likes: int = 0, images: int = 0) -> RemotePost:
    created = START + timedelta(minutes=20)
    return RemotePost(
        uri=uri,
        cid="bafyx",
        author_did="did:plc:bob",
        author_handle="bob.test",
        author_name="Bob",
        text=text,
        created_at=created,
        indexed_at=created,
        counts=Counts(replies=replies, likes=likes),
        image_alts=[f"alt {n}" for n in range(images)],
        images=[
            {"alt": f"alt {n}", "thumb": f"https://cdn/t{n}", "fullsize": f"https://cdn/f{n}"}
            for n in range(images)
        ],
        tags=["ccprconf26"],
    )


def test_a_talk_with_ten_snippets_and_one_audience_reply_reports_one_reply(
    tmp_path: Path,
) -> None:
    engine = demo_engine(tmp_path)
    uris = our_thread(engine, 10)
    taken = START + timedelta(hours=1)
    bob = remote("at://did:plc:bob/app.bsky.feed.post/3bobreply0000", "Agreed", likes=1)
    bob.reply_parent = bob.reply_root = uris[0]
    with session_scope(engine) as session:
        event = load_event(session, EVENT_KEY)
        # the AppView counts our chained snippets: the announcement 2 (snippet 1 and bob), each
        # snippet 1 (the next one), the last none
        counts = [(uris[0], Counts(replies=2, likes=3))]
        counts += [(uri, Counts(replies=1)) for uri in uris[1:-1]]
        counts += [(uris[-1], Counts(likes=1))]
        save_snapshots(session, event, counts, taken)
        save_archived_posts(session, event, [bob], "reply", None, taken)
        save_snapshots(session, event, [(bob.uri, bob.counts)], taken)
    report = load_report(engine, EVENT_KEY)
    section = next(s for s in report.talks if s.talk.id == TALK)
    assert section.totals.replies == 1
    assert section.totals.likes == 5
    assert [p.uri for p in section.top] == [uris[0], uris[-1], bob.uri]  # no snippet by replies
    assert report.totals.replies == 1
    assert report.history[-1][1] == 6  # 1 reply + 5 likes: our snippets are not engagement
    out = tmp_path / "report.json"
    export(engine, EVENT_KEY, "json", out)
    data = json.loads(out.read_text(encoding="utf-8"))
    ours = {p["uri"]: p["counts"]["replies"] for p in data["posts"]}
    assert ours[uris[0]] == 1 and ours[uris[1]] == 0


class GoneReader:
    """A reader whose getPosts no longer returns ``gone`` (its author deleted it)."""

    def __init__(self, posts: Sequence[RemotePost], gone: set[str]) -> None:
        self.by_uri = {p.uri: p for p in posts}
        self.gone = gone

    def posts(self, uris: Sequence[str]) -> list[RemotePost]:
        return [self.by_uri[u] for u in uris if u in self.by_uri and u not in self.gone]

    def thread_replies(self, uri: str) -> list[RemotePost]:
        return []

    def search(
        self, q: str, since: datetime | None, until: datetime | None, cursor: str | None
    ) -> tuple[list[RemotePost], str | None]:
        return [p for p in self.by_uri.values() if p.uri not in self.gone], None


def test_a_deleted_community_post_leaves_the_archive_and_stays_out(tmp_path: Path) -> None:
    engine = demo_engine(tmp_path)
    our_thread(engine, 1)
    kept = remote("at://did:plc:bob/app.bsky.feed.post/3keep00000000", "Keep #ccprconf26")
    gone = remote("at://did:plc:bob/app.bsky.feed.post/3gone00000000", "Oops #ccprconf26")
    reader = GoneReader([kept, gone], set())
    now = START + timedelta(hours=2)
    sync(engine, EVENT_KEY, reader, hashtags=["ccprconf26"], now=now)
    with session_scope(engine) as session:
        assert session.scalar(select(func.count()).select_from(ArchivedPostRow)) == 2
    reader.gone = {gone.uri}
    report = sync(engine, EVENT_KEY, reader, hashtags=["ccprconf26"], now=now + timedelta(hours=1))
    assert report.deleted == 1
    with session_scope(engine) as session:
        assert list(session.scalars(select(ArchivedPostRow.uri))) == [kept.uri]
        assert session.scalars(select(ArchiveTombstoneRow.uri)).all() == [gone.uri]
        assert not session.scalars(
            select(EngagementSnapshotRow).where(EngagementSnapshotRow.uri == gone.uri)
        ).all()
        # a search index that still shows it cannot bring it back
        event = load_event(session, EVENT_KEY)
        assert save_archived_posts(session, event, [gone], "hashtag", "ccprconf26", now) == 0
    out = tmp_path / "report.json"
    export(engine, EVENT_KEY, "json", out)
    assert gone.uri not in out.read_text(encoding="utf-8")


def test_the_report_shows_each_image_with_its_alt_text(tmp_path: Path) -> None:
    engine = demo_engine(tmp_path)
    post = remote("at://did:plc:bob/app.bsky.feed.post/3imgs00000000", "Slides", images=4)
    with session_scope(engine) as session:
        save_archived_posts(session, load_event(session, EVENT_KEY), [post], "hashtag", "x", START)
    out = tmp_path / "report.html"
    export(engine, EVENT_KEY, "html", out)
    html = out.read_text(encoding="utf-8")
    for n in range(4):
        assert f"Image {n + 1} of 4: <bdi>alt {n}</bdi></figcaption>" in html
        assert f'<a href="https://cdn/f{n}">open the image</a>' in html
    data = tmp_path / "report.json"
    export(engine, EVENT_KEY, "json", data)
    community = json.loads(data.read_text(encoding="utf-8"))["community"]
    assert community[0]["images"][3] == {
        "alt": "alt 3",
        "thumb": "https://cdn/t3",
        "fullsize": "https://cdn/f3",
    }


def test_a_speaker_kit_for_one_talk(tmp_path: Path) -> None:
    engine = demo_engine(tmp_path)
    uris = our_thread(engine, 2)
    fans = [
        remote(f"at://did:plc:bob/app.bsky.feed.post/3fan{n:09d}", f"Keynote point {n}", likes=n)
        for n in range(7)
    ]
    for fan in fans:
        fan.reply_parent = fan.reply_root = uris[0]
    taken = START + timedelta(hours=1)
    with session_scope(engine) as session:
        event = load_event(session, EVENT_KEY)
        save_archived_posts(session, event, fans, "reply", None, taken)
        save_snapshots(session, event, [(f.uri, f.counts) for f in fans], taken)
        save_snapshots(session, event, [(uris[0], Counts(replies=8, likes=9))], taken)
    out = tmp_path / "kit.md"
    export(engine, EVENT_KEY, "md", out, talk_id=TALK, hashtags=["ccprconf26"])
    kit = out.read_text(encoding="utf-8")
    assert kit.startswith("# Keynote: Rebuilding public trust in policing after the Casey Review\n")
    assert "| Posts in our live thread | 3 |\n| Posts by the community | 7 |\n" in kit
    assert "| Replies | 7 |" in kit  # 8 less our own first snippet
    best = kit.split("## The community's best posts\n\n")[1].split("\n## ")[0]
    assert [line.split("> ")[1] for line in best.splitlines() if "> " in line] == [
        f"Keynote point {n}" for n in (6, 5, 4, 3, 2)
    ]
    assert "## Our live thread" in kit and "## Everything the community posted (7)" in kit
    html = tmp_path / "kit.html"
    export(engine, EVENT_KEY, "html", html, talk_id=TALK)
    page = html.read_text(encoding="utf-8")
    assert (
        "<h1><bdi>Keynote: Rebuilding public trust in policing after the Casey Review</bdi></h1>"
        in page
    )
    assert "<h4>The community's best posts</h4>" in page


def test_the_wall_query_and_deletions_on_sqlite_and_postgresql(
    tmp_path: Path, database_url: str
) -> None:
    from livepost.archive.sync import forget_deleted
    from livepost.store.wall import moderate, wall_posts

    engine = demo_engine(tmp_path, database_url)
    posts = [remote(f"at://did:plc:bob/app.bsky.feed.post/3pg{n:010d}", f"#{n}") for n in range(4)]
    posts[3].author_did, posts[3].author_handle = "did:plc:eve", "Eve.test"
    with session_scope(engine) as session:
        event = load_event(session, EVENT_KEY)
        save_archived_posts(session, event, posts, "hashtag", "ccprconf26", START)
        assert moderate(session, event, "hide", posts[0].uri, "me")
        assert moderate(session, event, "block", "@EVE.test", "me")
        assert moderate(session, event, "pin", posts[1].uri, "me")
        assert forget_deleted(session, event, [posts[2].uri], START) == 1
    with session_scope(engine) as session:
        shown = wall_posts(session, load_event(session, EVENT_KEY))
        assert [(p.uri, p.pinned) for p in shown] == [(posts[1].uri, True)]
        everything = wall_posts(session, load_event(session, EVENT_KEY), moderated=False)
        assert {p.uri for p in everything} == {posts[0].uri, posts[1].uri, posts[3].uri}
    engine.dispose()
