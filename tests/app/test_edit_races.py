"""An edit racing the daemon either lands before the post is sent or is refused: the row never
claims a text that was not the one posted."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from livepost.app.queue import EventQueue, PostRequest
from livepost.config import Settings, load_settings
from livepost.errors import ConcurrentChange
from livepost.model.actors import Actor
from livepost.outbox.queries import OutboxError, PostState, mark_sending
from livepost.publish.delivery import deliver_due
from livepost.publish.dryrun import DryRunPublisher
from livepost.store.engine import open_database, session_scope
from livepost.store.models import OutboxRow


def _settings(tmp_path: Path, database_url: str) -> Settings:
    (tmp_path / "livepost.toml").write_text(
        '[event]\nname = "Race"\nhashtags = ["race"]\ntimezone = "UTC"\n', encoding="utf-8"
    )
    return load_settings(tmp_path, environ={"LIVEPOST_DATABASE_URL": database_url})


def test_an_edit_saved_while_the_daemon_reads_the_post_wins(
    tmp_path: Path, database_url: str
) -> None:
    settings = _settings(tmp_path, database_url)
    engine = open_database(settings.database_url)
    queue = EventQueue(settings, engine, Actor.owner())
    (post_id,) = queue.queue(PostRequest("Original text")).ids
    with pytest.raises(ConcurrentChange), session_scope(engine) as daemon:
        row = daemon.get(OutboxRow, post_id)
        assert row is not None
        queue.edit(post_id, text="Edited text")  # lands between the daemon's read and write
        mark_sending(row)
    publisher = DryRunPublisher()
    report = deliver_due(engine, settings.event_key, publisher, now=datetime.now(UTC))
    assert [o.post_id for o in report.posted] == [post_id]
    assert publisher.records[0].record["text"] == "Edited text\n#race"
    with session_scope(engine) as session:
        row = session.get(OutboxRow, post_id)
        assert (
            row is not None and row.state == PostState.POSTED and row.text == "Edited text\n#race"
        )
    engine.dispose()


def test_an_edit_of_a_post_the_daemon_marked_meanwhile_is_refused(
    tmp_path: Path, database_url: str
) -> None:
    settings = _settings(tmp_path, database_url)
    engine = open_database(settings.database_url)
    queue = EventQueue(settings, engine, Actor.owner())
    (post_id,) = queue.queue(PostRequest("Original text")).ids
    with pytest.raises(ConcurrentChange), session_scope(engine) as editor:
        row = editor.get(OutboxRow, post_id)
        assert row is not None
        with session_scope(engine) as daemon:  # the daemon marks it sending first
            theirs = daemon.get(OutboxRow, post_id)
            assert theirs is not None
            mark_sending(theirs)
        row.text = "Edited too late"
    with session_scope(engine) as session:
        row = session.get(OutboxRow, post_id)
        assert row is not None and (row.state, row.text) == (
            PostState.SENDING,
            "Original text\n#race",
        )
    engine.dispose()


def test_two_hundred_edits_racing_the_daemon_never_leave_a_row_that_lies(
    tmp_path: Path, database_url: str
) -> None:
    settings = _settings(tmp_path, database_url)
    engine = open_database(settings.database_url)
    queue = EventQueue(settings, engine, Actor.owner())
    soon = datetime.now(UTC) + timedelta(seconds=1)
    ids = [queue.queue(PostRequest(f"Post {n}", due_at=soon)).ids[0] for n in range(200)]
    publisher = DryRunPublisher()
    done = threading.Event()

    def daemon() -> None:
        while not done.is_set():
            deliver_due(engine, settings.event_key, publisher, now=datetime.now(UTC), limit=5)

    thread = threading.Thread(target=daemon)
    thread.start()
    landed, refused = 0, 0
    try:
        for post_id in ids:
            try:
                queue.edit(post_id, text=f"Edited {post_id}")
                landed += 1
            except OutboxError:
                refused += 1
    finally:
        while queue.posts([PostState.QUEUED]):
            deliver_due(engine, settings.event_key, DryRunPublisher(), now=datetime.now(UTC))
        done.set()
        thread.join(30)
    sent = {r.rkey: r.record["text"] for r in publisher.records}
    with session_scope(engine) as session:
        rows = {r.id: r for r in session.query(OutboxRow).filter(OutboxRow.id.in_(ids))}
    assert landed + refused == 200 and landed > 0
    for row in rows.values():
        if row.rkey in sent:  # every row the racing daemon posted holds the text it posted
            assert row.text == sent[row.rkey], row.id
            assert row.state == PostState.POSTED
    engine.dispose()
