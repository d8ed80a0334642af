"""Shared by the archive and export tests: the demo event in a real SQLite file, and seed 000's
posts saved into its archive the way a hashtag capture saves them."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from livepost.archive.sync import save_archived_posts, save_snapshots
from livepost.config import default_database_url
from livepost.model.engagement import Counts, RemotePost
from livepost.model.ids import assign_ids
from livepost.schedule import load_schedule
from livepost.store.engine import open_database, session_scope
from livepost.store.talks import ensure_event, load_event, save_schedule

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "schedules" / "ccprconf26"
SEED_FIXTURE = ROOT / "tests" / "fixtures" / "archive" / "seed000.json"
EVENT_KEY = "ccpr-conference-2026"
SYNCED_AT = datetime(2026, 6, 19, 17, 0, tzinfo=UTC)


def demo_engine(folder: Path, url: str | None = None) -> Engine:
    """A fresh database (SQLite in ``folder`` unless ``url``) holding the demo programme."""
    from zoneinfo import ZoneInfo

    engine = open_database(url or default_database_url(folder))
    schedule = load_schedule(DEMO / "schedule.yaml", timezone=ZoneInfo("Europe/London"), day=None)
    assign_ids(schedule.talks)
    with session_scope(engine) as session:
        ensure_event(session, EVENT_KEY, "CCPR Conference 2026", "Europe/London")
        save_schedule(session, EVENT_KEY, schedule)
    return engine


def seed_fixture() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(SEED_FIXTURE.read_text(encoding="utf-8"))
    return data


def seed_posts() -> list[RemotePost]:
    """Seed 000's posts as the AppView would hand them to the archive."""
    data = seed_fixture()
    author = data["author"]
    posts = []
    for item in data["posts"]:
        created = datetime.fromisoformat(item["created_at"])
        embed = item["embed"] or {}
        posts.append(
            RemotePost(
                uri=f"at://{author['did']}/app.bsky.feed.post/{item['rkey']}",
                cid=f"bafyseed{item['rkey']}",
                author_did=author["did"],
                author_handle=author["handle"],
                author_name=author["display_name"],
                text=item["text"],
                created_at=created,
                indexed_at=created,
                counts=Counts(**item["counts"], bookmarks=None),
                links=item["links"],
                image_alts=[""] if embed.get("kind") == "image" else [],
                tags=["ccprconf26"],
            )
        )
    return posts


def save_remote(engine: Engine, posts: list[RemotePost], source: str = "hashtag") -> None:
    with session_scope(engine) as session:
        event = load_event(session, EVENT_KEY)
        save_archived_posts(session, event, posts, source, "ccprconf26", SYNCED_AT)
        save_snapshots(session, event, [(p.uri, p.counts) for p in posts], SYNCED_AT)
