"""The outbox on SQLite and PostgreSQL: minted keys, threads, due order, state changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from livepost.outbox.queries import (
    Draft,
    OutboxError,
    add_post,
    add_thread,
    cancel,
    due_posts,
    edit,
    list_posts,
    mark_posted,
    mark_sending,
    reply_refs,
)
from livepost.outbox.tid import is_tid
from livepost.store.engine import open_database, session_scope
from livepost.store.talks import ensure_event

T0 = datetime(2026, 6, 18, 9, 0, tzinfo=UTC)


def _draft(key: str, minutes: int = 0) -> Draft:
    return Draft(key=key, kind="snippet", due_at=T0 + timedelta(minutes=minutes), text=key)


def test_thread_waits_for_its_parent_and_cancel_cascades(database_url: str) -> None:
    engine = open_database(database_url)
    with session_scope(engine) as session:
        event = ensure_event(session, "ccprconf26", "CCPR", "Europe/London")
        root = add_post(session, event, _draft("announce/a", 0))
        part1, part2 = add_thread(session, event, [_draft("s/1", 1), _draft("s/2", 2)], parent=root)
        other = add_post(session, event, _draft("announce/b", 1))
        assert (part1.parent_id, part1.root_id) == (root.id, root.id)
        assert (part2.parent_id, part2.root_id) == (part1.id, root.id)
        assert all(is_tid(r.rkey) for r in (root, part1, part2, other))
        assert len({r.rkey for r in (root, part1, part2, other)}) == 4

        now = T0 + timedelta(minutes=5)
        assert [r.key for r in due_posts(session, event, now)] == ["announce/a", "announce/b"]
        mark_sending(root)
        assert root.attempts == 1
        mark_posted(root, "at://did:plc:x/app.bsky.feed.post/" + root.rkey, "bafyroot")
        assert [r.key for r in due_posts(session, event, now)] == ["s/1", "announce/b"]
        assert reply_refs(session, part1) == (root, root)

        with pytest.raises(OutboxError, match=f"cannot edit post {root.id}: it is posted"):
            edit(root, text="changed")
        cancelled = cancel(session, part1)
        assert [r.key for r in cancelled] == ["s/1", "s/2"]
        states = {r.key: r.state for r in list_posts(session, event)}
        assert states == {
            "announce/a": "posted",
            "s/1": "cancelled",
            "s/2": "cancelled",
            "announce/b": "queued",
        }
    engine.dispose()
