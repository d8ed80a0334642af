"""``livepost run`` keeps the wall live and gates its announcements, on the real local network:
bob's post reaches the wall within 30 s while the daemon runs, and the announcement it sent
carries the threadgate the settings ask for."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from atproto import Client

from livepost.app.wall import Wall
from livepost.config import load_settings
from livepost.devtools.bluesky_network import LocalNetwork
from livepost.model import Schedule, Talk
from livepost.model.actors import Actor
from livepost.outbox.queries import list_posts
from livepost.run.assemble import make_publisher
from livepost.run.daemon import Daemon
from livepost.store.engine import open_database, session_scope
from livepost.store.talks import ensure_event, save_schedule

pytestmark = pytest.mark.network


def test_the_daemon_feeds_the_wall_and_gates_the_announcement(
    bluesky_network: LocalNetwork, tmp_path: Path
) -> None:
    folder = tmp_path / "event"
    (folder / "notes").mkdir(parents=True)
    (folder / "livepost.toml").write_text(
        '[event]\nname = "Wall Run"\nhashtags = ["wallrun14"]\ntimezone = "Europe/London"\n'
        "[plan]\nlead_minutes = 0\nday_posts = false\nwrapup = false\n"
        '[publish]\nreply_control = "nobody"\n',
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
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=3)
    talk = Talk("Walls", start, start + timedelta(minutes=30), id="walls")
    engine = open_database(settings.database_url)
    with session_scope(engine) as session:
        ensure_event(session, settings.event_key, settings.event.name, settings.event.timezone)
        save_schedule(session, settings.event_key, Schedule([talk]))
    wall = Wall(settings, engine, Actor.owner())
    bob = Client(base_url=bluesky_network.pds_url)
    bob.login(bluesky_network.account("bob").handle, bluesky_network.account("bob").password)
    seen: dict[str, float] = {}

    def audience() -> None:
        time.sleep(4)  # after the daemon's first wall poll: the next one must find it
        posted = bob.send_post("Great start #wallrun14")
        began = time.monotonic()
        while time.monotonic() - began < 40:
            if posted.uri in [p.uri for p in wall.posts()]:
                seen[posted.uri] = time.monotonic() - began
                return
            time.sleep(0.5)

    watcher = threading.Thread(target=audience)
    watcher.start()
    publisher = make_publisher(settings)
    lines: list[str] = []
    try:
        Daemon(
            settings,
            engine,
            publisher,
            until=start + timedelta(seconds=30),
            echo=lines.append,
        ).run()
    finally:
        publisher.close()  # type: ignore[attr-defined]
    watcher.join()
    assert len(seen) == 1, lines
    (delay,) = seen.values()
    print(f"bob's post reached the wall {delay:.1f} s after it was posted")
    assert delay < 30
    with session_scope(engine) as session:
        event = ensure_event(session, settings.event_key, settings.event.name, "Europe/London")
        (announce,) = [r for r in list_posts(session, event) if r.kind == "announcement"]
        assert announce.uri is not None
    did, _, rkey = announce.uri.removeprefix("at://").split("/")
    gate = bob.com.atproto.repo.get_record(
        {"repo": did, "collection": "app.bsky.feed.threadgate", "rkey": rkey}
    ).value
    assert gate.allow == [] and gate.post == announce.uri
    assert f"threadgate of {announce.uri} written" in lines
