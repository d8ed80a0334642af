"""On the real local Bluesky network: an announcement mentions a speaker by handle (a mention
facet with bob's DID; a handle that does not resolve leaves the plain name), and a talk that
moves after it was announced gets a correction in its thread."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from atproto import Client

from livepost.app.plan import plan_event
from livepost.config import Settings, load_settings
from livepost.devtools.bluesky_network import LocalNetwork
from livepost.outbox.queries import PostState, list_posts
from livepost.run.assemble import make_publisher
from livepost.run.daemon import Daemon
from livepost.store.engine import open_database, session_scope
from livepost.store.models import OutboxRow
from livepost.store.talks import load_event
from tests.clirunner import run_livepost

pytestmark = pytest.mark.network

PROGRAMME = """\
timezone: Europe/London
talks:
  - id: mentioned-talk
    title: Talks that get reposted
    start: "{start}"
    end: "{end}"
    room: {room}
    speakers:
      - name: Bob Example
        handle: "@{bob}"
      - name: Gus Ghost
        handle: ghost-nobody.test
"""


def _import(folder: Path, start: datetime, room: str, bob: str) -> None:
    (folder / "schedule.yaml").write_text(
        PROGRAMME.format(
            start=start.isoformat(),
            end=(start + timedelta(hours=1)).isoformat(),
            room=room,
            bob=bob,
        ),
        encoding="utf-8",
    )
    done = run_livepost("schedule", "import", cwd=folder)
    assert done.code == 0, done.err


def _run(settings: Settings, until: datetime) -> list[str]:
    engine = open_database(settings.database_url)
    publisher = make_publisher(settings)
    lines: list[str] = []
    try:
        summary = Daemon(
            settings, engine, publisher, until=until, end_when_done=True, echo=lines.append
        ).run()
    finally:
        publisher.close()  # type: ignore[attr-defined]
        engine.dispose()
    assert (summary.missed, summary.failed) == ([], []), lines
    return lines


def _rows(settings: Settings) -> dict[str, OutboxRow]:
    engine = open_database(settings.database_url)
    with session_scope(engine) as session:
        rows = {r.key: r for r in list_posts(session, load_event(session, settings.event_key))}
    engine.dispose()
    return rows


def _record(network: LocalNetwork, did: str, rkey: str) -> Any:
    reader = Client(network.pds_url)
    return reader.com.atproto.repo.get_record(
        {"repo": did, "collection": "app.bsky.feed.post", "rkey": rkey}
    ).value


def test_an_announcement_mentions_bob_and_a_moved_talk_is_corrected_in_its_thread(
    bluesky_network: LocalNetwork, tmp_path: Path
) -> None:
    folder = tmp_path / "event"
    (folder / "notes").mkdir(parents=True)
    (folder / "livepost.toml").write_text(
        '[event]\nname = "Mentions"\nhashtags = ["mentions"]\ntimezone = "Europe/London"\n'
        'schedule = "schedule.yaml"\n'
        "[plan]\nlead_minutes = 0\nday_posts = false\nwrapup = false\n",
        encoding="utf-8",
    )
    poster, bob = bluesky_network.account("carol"), bluesky_network.account("bob")
    settings = load_settings(
        folder,
        environ={
            "LIVEPOST_SERVICE": bluesky_network.pds_url,
            "LIVEPOST_HANDLE": poster.handle,
            "LIVEPOST_APP_PASSWORD": poster.app_password,
        },
    )
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=4)
    _import(folder, start, "Room 1", bob.handle)

    # plan checks the handles: bob's resolves, the ghost's is a warning and a plain name
    engine = open_database(settings.database_url)
    planned = plan_event(settings, engine, datetime.now(UTC))
    engine.dispose()
    assert any(
        "speaker Gus Ghost: @ghost-nobody.test does not resolve" in w for w in planned.warnings
    ), planned.warnings
    _run(settings, start + timedelta(seconds=30))

    announce = _rows(settings)["announce/mentioned-talk"]
    assert announce.state == PostState.POSTED
    record = _record(bluesky_network, poster.did, announce.rkey)
    assert record.text.startswith(
        f"Next - Bob Example (@{bob.handle}) and Gus Ghost on Talks that get reposted"
    )
    mentions = [
        (facet.index.byte_start, facet.index.byte_end, feature.did)
        for facet in record.facets or []
        for feature in facet.features
        if feature.py_type == "app.bsky.richtext.facet#mention"
    ]
    at = record.text.encode().index(f"@{bob.handle}".encode())
    assert mentions == [(at, at + len(bob.handle) + 1, bob.did)]

    # at send time, a handle that does not resolve is plain text (None), not an error
    publisher = make_publisher(settings)
    try:
        assert publisher.resolve_handle("ghost-nobody.test") is None
        assert publisher.resolve_handle(bob.handle) == bob.did
    finally:
        publisher.close()  # type: ignore[attr-defined]

    # the talk moves after its announcement went out: a correction replies in its thread
    moved = start + timedelta(hours=2)
    _import(folder, moved, "Seminar Room 3", bob.handle)
    _run(settings, datetime.now(UTC) + timedelta(seconds=30))
    rows = _rows(settings)
    corrections = [r for key, r in rows.items() if key.startswith("correction/mentioned-talk/")]
    assert [r.state for r in corrections] == [PostState.POSTED]
    correction = _record(bluesky_network, poster.did, corrections[0].rkey)
    local = moved.astimezone(settings.zone)
    assert correction.text == f"Update: now at {local:%H:%M} in Seminar Room 3\n#mentions"
    assert correction.reply.root.uri == announce.uri
    assert correction.reply.parent.uri == announce.uri
    assert correction.reply.root.cid == announce.cid
