"""The quick read path (``store.quick``, for ``queue list`` and ``status``) answers exactly what
the door's services answer through SQLAlchemy, and steps aside whenever it cannot."""

from __future__ import annotations

import dataclasses
import sqlite3
from pathlib import Path

import pytest

from livepost.app.context import cli_actor
from livepost.app.event import EventApp
from livepost.app.reader import EventReader
from livepost.config import load_settings
from livepost.model.actors import Actor, Role
from livepost.model.posts import PENDING
from livepost.store.engine import open_database
from livepost.store.quick import open_quick, sqlite_path
from tests.clirunner import run_livepost


@pytest.fixture
def planned(demo_event: Path) -> Path:
    for args in (["schedule", "import"], ["plan"], ["queue", "Coffee", "--at", "+1h"]):
        done = run_livepost("--event", demo_event, *args)
        assert done.code == 0, done.err
    assert run_livepost("--event", demo_event, "queue", "cancel", "1").code == 0
    return demo_event


def test_quick_reads_equal_the_doors(planned: Path) -> None:
    settings = load_settings(planned)
    engine = open_database(settings.database_url)
    door = EventApp(settings, engine, cli_actor())
    opened: list[bool] = []

    def the_door() -> EventApp:
        opened.append(True)
        return door

    reader = EventReader(settings, cli_actor(), the_door)
    for states in (None, PENDING):
        quick, paused = reader.posts(states)
        assert quick == door.posts.list(states)
        assert paused is door.posts.paused() is False
    assert quick and any(p["author_id"] == "owner" for p in quick)
    fast, slow = reader.status(), door.status.read()
    assert dataclasses.asdict(fast) == dataclasses.asdict(slow)
    assert fast.changes and fast.counts
    assert opened == []  # answered without the door
    engine.dispose()


def test_a_reporter_reads_only_their_own_posts_either_way(planned: Path) -> None:
    settings = load_settings(planned)
    engine = open_database(settings.database_url)
    reporter = Actor.member(9, "Ann", Role.REPORTER, ("Lecture Theatre 1",))
    reader = EventReader(settings, reporter, lambda: EventApp(settings, engine, reporter))
    assert reader.posts(None)[0] == [] == EventApp(settings, engine, reporter).posts.list(None)
    engine.dispose()


def test_the_quick_path_steps_aside_when_it_cannot_answer(planned: Path) -> None:
    settings = load_settings(planned)
    path = sqlite_path(settings.database_url)
    assert path is not None and open_quick(settings.database_url) is not None
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '0009'")
    assert open_quick(settings.database_url) is None
    assert open_quick("postgresql://u@h/db") is None
    assert open_quick("sqlite://") is None
    for suffix in ("", "-wal", "-shm"):  # a fresh event: no database file yet
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    assert open_quick(settings.database_url) is None
    listed = run_livepost("--event", planned, "queue", "list")  # the door: creates, then lists
    assert (listed.code, listed.out) == (0, "Nothing queued.\n"), listed.err
    assert open_quick(settings.database_url) is not None


def test_status_names_a_notes_file_the_plan_skips_for_its_size(planned: Path) -> None:
    """Issue 23: an oversized notes file is named in ``status`` as in ``notes check`` and the
    plan, by either read path (nothing of it is read: a stat is enough)."""
    huge = planned / "notes" / "red-flags-police-misconduct.md"
    huge.write_text("A point from the talk.\n\n" * 60_000, encoding="utf-8")  # 1.4 MB
    (planned / "notes" / ".#scratch.md").write_bytes(b"x" * 2_000_000)  # an editor's: ignored
    settings = load_settings(planned)
    engine = open_database(settings.database_url)
    reader = EventReader(settings, cli_actor(), lambda: EventApp(settings, engine, cli_actor()))
    fast = reader.status()
    slow = EventApp(settings, engine, cli_actor()).status.read()
    engine.dispose()
    assert fast.notes_skipped == slow.notes_skipped == [(str(huge), 1_440_000)]
    shown = run_livepost("--event", planned, "status")
    assert shown.code == 0, shown.err
    assert (
        f"Notes: SKIPPED {huge} (1.4 MB; a notes file holds at most 1 MB): its snippets are not "
        "planned until it is smaller\n"
    ) in shown.out
