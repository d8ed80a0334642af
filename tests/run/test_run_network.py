"""``livepost run`` end to end against the real local Bluesky network: a three-talk event whose
talks last a few seconds is announced, threaded and wrapped up, and every thread is whole."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from atproto import Client
from sqlalchemy import text as sql

from livepost.config import load_settings
from livepost.devtools.bluesky_network import LocalNetwork
from livepost.model import Person, Schedule, Talk
from livepost.outbox.queries import list_posts
from livepost.run.assemble import make_publisher
from livepost.run.daemon import Daemon
from livepost.store.engine import open_database, session_scope
from livepost.store.talks import ensure_event, save_schedule

pytestmark = pytest.mark.network


def test_three_short_talks_run_end_to_end_with_whole_threads(
    bluesky_network: LocalNetwork, tmp_path: Path
) -> None:
    folder = tmp_path / "event"
    (folder / "notes").mkdir(parents=True)
    (folder / "livepost.toml").write_text(
        '[event]\nname = "Short Talks"\nhashtags = ["shorttalks"]\ntimezone = "Europe/London"\n'
        "[plan]\nlead_minutes = 0\nopening_minutes = 0\nclosing_minutes = 0\n",
        encoding="utf-8",
    )
    account = bluesky_network.account("carol")
    settings = load_settings(
        folder,
        environ={
            "LIVEPOST_SERVICE": bluesky_network.pds_url,
            "LIVEPOST_HANDLE": account.handle,
            "LIVEPOST_APP_PASSWORD": account.app_password,
        },
    )
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=6)
    talks = [
        Talk(
            title=f"Short talk {n}",
            start=start + timedelta(seconds=8 * n),
            end=start + timedelta(seconds=8 * n + 6),
            room="Room 1",
            speakers=[Person(f"Speaker {n}")],
            id=f"talk-{n}",
        )
        for n in range(3)
    ]
    for n in range(3):
        (folder / "notes" / f"talk-{n}.md").write_text(
            f"First note of talk {n}.\n\nSecond note of talk {n}, with a link example.com\n\n",
            encoding="utf-8",
        )
    engine = open_database(settings.database_url)
    with session_scope(engine) as session:
        ensure_event(session, settings.event_key, settings.event.name, settings.event.timezone)
        save_schedule(
            session, settings.event_key, Schedule([dataclasses.replace(t) for t in talks])
        )

    publisher = make_publisher(settings)
    lines: list[str] = []
    try:
        summary = Daemon(
            settings,
            engine,
            publisher,
            until=start + timedelta(seconds=60),
            end_when_done=True,
            echo=lines.append,
            archive_every=timedelta(seconds=3),
        ).run()
    finally:
        publisher.close()  # type: ignore[attr-defined]
    assert (summary.missed, summary.failed) == ([], []), lines
    assert dict(summary.sent) == {
        "day_opening": 1,
        "announcement": 3,
        "snippet": 6,
        "wrapup": 3,
        "day_closing": 1,
    }

    with session_scope(engine) as session:
        event = ensure_event(session, settings.event_key, settings.event.name, "Europe/London")
        rows = list_posts(session, event)
        by_id = {r.id: r for r in rows}
        assert {r.state for r in rows} == {"posted"}
        lateness = [(r.sent_at - r.due_at).total_seconds() for r in rows if r.sent_at]
        expected = {
            r.rkey: (
                by_id[r.parent_id].uri if r.parent_id else None,
                by_id[r.root_id or r.parent_id].uri if r.parent_id else None,
                r.text,
            )
            for r in rows
        }
    assert max(lateness) < 5, lateness
    with engine.connect() as connection:  # the daemon kept the engagement archive by itself
        snapshotted = set(
            connection.execute(sql("select distinct uri from engagement_snapshots")).scalars()
        )
    assert snapshotted, "the running daemon took no engagement snapshot"
    assert snapshotted <= {r.uri for r in rows}

    reader = Client(bluesky_network.pds_url)
    reader.login(account.handle, account.password, fetch_bsky_profile=False)
    listed = reader.com.atproto.repo.list_records(
        {"repo": account.did, "collection": "app.bsky.feed.post", "limit": 100}
    )
    ours = {
        r.uri.rsplit("/", 1)[-1]: r for r in listed.records if r.uri.rsplit("/", 1)[-1] in expected
    }
    assert len(ours) == 14
    for rkey, (parent_uri, root_uri, text) in expected.items():
        got = reader.com.atproto.repo.get_record(
            {"repo": account.did, "collection": "app.bsky.feed.post", "rkey": rkey}
        )
        value = got.value
        assert value.text == text
        if parent_uri is None:
            assert value.reply is None
        else:
            assert (value.reply.parent.uri, value.reply.root.uri) == (parent_uri, root_uri)
    # each talk's thread: announcement <- first note <- second note <- wrap-up
    announcement = next(r for r in rows if r.key == "announce/talk-1")
    chain = [r.key for r in rows if (r.root_id == announcement.id)]
    assert chain == ["snippet/talk-1/1", "snippet/talk-1/2", "wrapup/talk-1"]
