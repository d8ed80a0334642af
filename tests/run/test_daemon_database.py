"""The daemon outlives its database: locked for longer than the busy timeout, or on a full disk,
it says so (here and to ``livepost status``), waits, and carries on losing and doubling nothing."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from livepost.app.queue import EventQueue, PostRequest
from livepost.app.status import daemon_state
from livepost.config import Settings, load_settings
from livepost.model.actors import Actor
from livepost.outbox.queries import PostState
from livepost.publish.dryrun import DryRunPublisher
from livepost.run.daemon import Daemon
from livepost.store import engine as store_engine
from livepost.store.engine import open_database
from tests.run.test_daemon import _in_thread, _until


def _settings(folder: Path) -> Settings:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "livepost.toml").write_text(
        '[event]\nname = "Sturdy"\nhashtags = ["sturdy"]\ntimezone = "UTC"\n'
        "[plan]\nday_posts = false\n",
        encoding="utf-8",
    )
    return load_settings(folder, environ={})


def _daemon(settings: Settings, publisher: DryRunPublisher, lines: list[str]) -> Daemon:
    return Daemon(
        settings,
        open_database(settings.database_url),
        publisher,
        echo=lines.append,
        poll_seconds=0.1,
        use_scheduler=False,
        database_retry_seconds=0.1,
    )


def _texts(publisher: DryRunPublisher) -> list[str]:
    return [r.record["text"] for r in publisher.records]


def test_a_database_locked_for_longer_than_the_busy_timeout_only_delays(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store_engine, "SQLITE_BUSY_TIMEOUT_MS", 200)
    settings = _settings(tmp_path / "event")
    queue = EventQueue(settings, open_database(settings.database_url), Actor.owner())
    queue.queue(PostRequest("Before the lock"))
    publisher, lines = DryRunPublisher(), []
    daemon = _daemon(settings, publisher, lines)
    thread, result = _in_thread(daemon)
    try:
        _until(lambda: _texts(publisher) == ["Before the lock\n#sturdy"], 10, "first post sent")
        queue.queue(PostRequest("After the lock", due_at=datetime.now(UTC) + timedelta(seconds=1)))
        holder = sqlite3.connect(settings.event_dir / "livepost.db", isolation_level=None)
        holder.execute("BEGIN EXCLUSIVE")  # another program holds the write lock
        with sqlite3.connect(settings.event_dir / "livepost.db") as check:
            assert check.execute("SELECT count(*) FROM outbox").fetchone() == (2,)  # reads work
        _until(lambda: daemon.database_trouble is not None, 10, "the daemon notices")
        assert "database is locked" in (daemon.database_trouble or "")
        assert thread.is_alive() and len(_texts(publisher)) == 1
        state = daemon_state(daemon.engine, settings.event_key)
        assert state.startswith("running (pid ")
        assert "waiting for the database since" in state and "database is locked" in state
        holder.execute("ROLLBACK")
        holder.close()
        _until(lambda: len(_texts(publisher)) == 2, 10, "the queue goes on")
        _until(lambda: daemon.database_trouble is None, 10, "the daemon says it is back")
        assert "waiting for the database" not in daemon_state(daemon.engine, settings.event_key)
    finally:
        daemon.stop()
        thread.join(10)
    assert not thread.is_alive() and not isinstance(result[0], BaseException)
    assert _texts(publisher) == ["Before the lock\n#sturdy", "After the lock\n#sturdy"]
    waiting = [line for line in lines if "waiting for the database" in line]
    assert len(waiting) == 1 and "nothing is lost, retrying" in waiting[0]
    assert any(line.endswith("the database is back: sending again") for line in lines)


def test_a_full_disk_only_delays(small_disk: Path) -> None:
    settings = _settings(small_disk / "event")
    queue = EventQueue(settings, open_database(settings.database_url), Actor.owner())
    assert queue.posts() == []  # the event exists, nothing queued yet
    publisher, lines = DryRunPublisher(), []
    daemon = _daemon(settings, publisher, lines)
    thread, result = _in_thread(daemon)
    filler = small_disk / "filler"
    try:
        _until(lambda: daemon.steps >= 2 or bool(result), 10, "the daemon runs")
        assert not result, (result, lines)
        queue.queue(
            PostRequest("On a nearly full disk", due_at=datetime.now(UTC) + timedelta(seconds=2))
        )
        with filler.open("wb", buffering=0) as out:  # to the last byte, nothing left buffered
            block = b"\0" * 65536
            try:
                while True:
                    out.write(block)
                    out.flush()
            except OSError:
                pass
        _until(lambda: daemon.database_trouble is not None, 20, "the daemon notices")
        assert thread.is_alive() and _texts(publisher) in ([], ["On a nearly full disk\n#sturdy"])
        filler.unlink()
        _until(lambda: daemon.database_trouble is None, 20, "the daemon says it is back")
        _until(lambda: len(_texts(publisher)) == 1, 20, "the post goes out once")
        rows = queue.posts()
        assert [(r["state"], r["text"]) for r in rows] == [
            (PostState.POSTED, "On a nearly full disk\n#sturdy")
        ]
    finally:
        daemon.stop()
        thread.join(10)
        if filler.exists():
            filler.unlink()
    assert not thread.is_alive() and not isinstance(result[0], BaseException)
    assert _texts(publisher) == ["On a nearly full disk\n#sturdy"]
    assert shutil.disk_usage(small_disk).free > 0


def test_wake_up_writes_that_fail_never_end_the_scheduler_thread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """APScheduler removes a fired job from its own thread; a locked database (or a job removed
    meanwhile) must not raise there, or no wake-up would ever fire again."""
    from livepost.store.jobstore import SturdyJobStore, job_table

    monkeypatch.setattr(store_engine, "SQLITE_BUSY_TIMEOUT_MS", 100)
    settings = _settings(tmp_path / "event")
    engine = open_database(settings.database_url)
    store = SturdyJobStore(engine=engine, tablename=job_table("sturdy"))
    store.start(None, "default")
    store.remove_job("post-1")  # already gone: no JobLookupError
    holder = sqlite3.connect(settings.event_dir / "livepost.db", isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        store.remove_job("post-2")  # the database is locked: no OperationalError
    finally:
        holder.close()
    engine.dispose()


def test_a_job_removed_while_it_fires_does_not_end_the_scheduler_thread(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The daemon re-arming (or stopping) while APScheduler fires a wake-up: APScheduler raises
    JobLookupError in its own thread; the scheduler looks again a second later instead of dying."""
    from apscheduler.jobstores.base import JobLookupError
    from apscheduler.schedulers.background import BackgroundScheduler

    from livepost.run.wakeups import _SturdyScheduler

    def raced(self: BackgroundScheduler) -> float | None:
        raise JobLookupError("post-21")

    monkeypatch.setattr(BackgroundScheduler, "_process_jobs", raced)
    assert _SturdyScheduler()._process_jobs() == 1.0
