"""Shared set-up of the web console tests: the demo event imported by the real CLI, a day of posts
in its outbox (as the planner and the daemon would leave them), and a client that logs in."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from livepost.compose.compose import compose
from livepost.config import Settings, load_settings
from livepost.outbox.queries import Draft, add_post, mark_failed, mark_missed, mark_posted
from livepost.store.engine import open_database, session_scope
from livepost.store.models import ArchivedPostRow, EngagementSnapshotRow, OutboxRow
from livepost.store.talks import ensure_event
from tests.clirunner import run_livepost

#: 11:20 in London on the demo event's day: the keynote is over, the 10:50 talks are on
NOW = datetime(2026, 6, 18, 10, 20, tzinfo=UTC)
TOKEN = "test-token-0123456789"


def imported_demo(event_dir: Path, environ: dict[str, str] | None = None) -> Settings:
    """Import the demo programme with the real CLI and load the event's settings."""
    done = run_livepost("--event", event_dir, "schedule", "import")
    assert done.code == 0, done.err
    return load_settings(event_dir, environ=environ or {})


def _draft(key: str, text: str, kind: str, talk: str | None, at: datetime) -> Draft:
    (post,) = compose(text, event_hashtags=["ccprconf26"], langs=["en-GB"])
    return Draft(
        key=key,
        kind=kind,
        due_at=at,
        text=post.text,
        facets=[f.to_json() for f in post.facets],
        langs=["en-GB"],
        talk_id=talk,
    )


@dataclass
class SeededDay:
    posted: int
    queued: int
    failed: int
    missed: int
    snippet_id: int  # a queued reply under the INTiLE announcement


def seed_day(settings: Settings) -> SeededDay:
    """A morning of coverage: announcements posted, one failed, one missed, the rest queued;
    engagement snapshots and community posts as the archive would store them."""
    engine = open_database(settings.database_url)
    t = NOW
    with session_scope(engine) as session:
        event = ensure_event(session, settings.event_key, settings.event.name, "Europe/London")

        def add(
            key: str, text: str, kind: str, talk: str | None, at: datetime, **kw: Any
        ) -> OutboxRow:
            return add_post(session, event, _draft(key, text, kind, talk, at), **kw)

        opening = add(
            "day/opening",
            "Good morning from CCPR Conference 2026!",
            "day_opening",
            None,
            t - timedelta(minutes=115),
        )
        keynote = add(
            "announce/keynote-public-trust-after-casey",
            "Next - Dr Sarah Whitfield on Keynote: Rebuilding public trust in policing "
            "after the Casey Review",
            "announcement",
            "keynote-public-trust-after-casey",
            t - timedelta(minutes=100),
        )
        point = add(
            "snippet/keynote-public-trust-after-casey/0",
            "Trust is earned in every contact, not in press releases. "
            "Report: https://www.gov.uk/government/publications/baroness-casey-review",
            "snippet",
            "keynote-public-trust-after-casey",
            t - timedelta(minutes=80),
            parent=keynote,
        )
        intile = add(
            "announce/intile-new-technologies-law-enforcement",
            "Next - INTiLE: New Technologies in Law Enforcement",
            "announcement",
            "intile-new-technologies-law-enforcement",
            t - timedelta(minutes=35),
        )
        bwv = add(
            "announce/body-worn-video-domestic-abuse",
            "Next - Dr Priya Nair and DS Tom Hartley on Body-worn video in domestic abuse "
            "investigations",
            "announcement",
            "body-worn-video-domestic-abuse",
            t - timedelta(minutes=35),
        )
        for n, row in enumerate((opening, keynote, point, intile)):
            mark_posted(
                row,
                f"at://did:plc:demo/app.bsky.feed.post/{row.rkey}",
                f"bafy{n}",
                at=row.due_at + timedelta(seconds=2),
            )
        mark_failed(bwv, "Bluesky refused the post: the image is larger than 1,000,000 bytes")
        missed = add(
            "snippet/keynote-public-trust-after-casey/1",
            "Q&A: how do forces measure confidence locally?",
            "snippet",
            "keynote-public-trust-after-casey",
            t - timedelta(minutes=52),
            parent=point,
        )
        mark_missed(missed, "more than 10 minutes late when livepost started again")
        snippet = add(
            "snippet/intile-new-technologies-law-enforcement/0",
            "Facial recognition needs a legal basis people can read. #INTiLE",
            "snippet",
            "intile-new-technologies-law-enforcement",
            t + timedelta(minutes=4),
            parent=intile,
        )
        add(
            "announce/child-first-criminal-justice",
            "Next - Child First in the criminal justice system",
            "announcement",
            "child-first-criminal-justice",
            t + timedelta(minutes=50),
        )
        add(
            "wrapup/intile-new-technologies-law-enforcement",
            "Thank you for INTiLE: New Technologies in Law Enforcement",
            "wrapup",
            "intile-new-technologies-law-enforcement",
            t + timedelta(minutes=16),
            parent=intile,
        )
        session.flush()
        for row, (likes, reposts, replies, quotes) in (
            (keynote, (24, 9, 3, 1)),
            (point, (41, 17, 5, 2)),
            (intile, (6, 2, 0, 0)),
            (opening, (12, 3, 1, 0)),
        ):
            session.add(
                EngagementSnapshotRow(
                    event_id=event.id,
                    uri=row.uri,
                    taken_at=t,
                    replies=replies,
                    reposts=reposts,
                    likes=likes,
                    quotes=quotes,
                    bookmarks=None,
                )
            )
        session.add(
            ArchivedPostRow(
                event_id=event.id,
                uri="at://did:plc:someone/app.bsky.feed.post/3kcommunity1",
                cid="bafyc1",
                author_did="did:plc:someone",
                author_handle="jo.research.example",
                author_name="Jo Mockeridge",
                text="Packed room for the keynote at #ccprconf26",
                facets=[
                    {
                        "index": {"byteStart": 31, "byteEnd": 42},
                        "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": "ccprconf26"}],
                    }
                ],
                links=[],
                image_alts=["A full lecture theatre"],
                created_at=t - timedelta(minutes=70),
                indexed_at=t - timedelta(minutes=70),
                source="hashtag",
                matched_tag="ccprconf26",
            )
        )
        snippet_id = snippet.id
    engine.dispose()
    return SeededDay(posted=4, queued=3, failed=1, missed=1, snippet_id=snippet_id)


def csrf_of(html: str) -> str:
    """The CSRF token a page put into its forms."""
    match = re.search(r'name="csrf_token" value="([0-9a-f]{64})"', html)
    assert match, "the page has no CSRF field"
    return match.group(1)
