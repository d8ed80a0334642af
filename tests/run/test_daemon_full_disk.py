"""A full disk while the daemon runs with its real scheduler: one clear line a minute at most
(naming the database and the space to free), no flood of APScheduler lines, and once space
returns every queued post goes out, exactly once."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path

import pytest

from livepost.app.daemon import DISK_NEEDED_BYTES
from livepost.app.queue import EventQueue, PostRequest
from livepost.config import Settings, load_settings
from livepost.model.actors import Actor
from livepost.model.posts import PostState
from livepost.publish.dryrun import DryRunPublisher
from livepost.run.clock import SimulatedClock
from livepost.run.daemon import Daemon
from livepost.store.engine import open_database
from tests.conftest import fill_disk
from tests.run.test_daemon import _in_thread, _until

SPEED = 60.0  # one simulated minute a real second
POSTS = 6


class _Lines(logging.Handler):
    """Every WARNING (and worse) line any logger prints, as it would reach the terminal."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(f"{record.name}: {record.getMessage()}")


@pytest.fixture
def logged() -> Iterator[_Lines]:
    handler = _Lines()
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield handler
    finally:
        root.removeHandler(handler)


def _settings(folder: Path) -> Settings:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "livepost.toml").write_text(
        '[event]\nname = "Full"\nhashtags = ["full"]\ntimezone = "UTC"\n'
        "[plan]\nday_posts = false\ngrace_minutes = 120\n",
        encoding="utf-8",
    )
    return load_settings(folder, environ={})


def test_a_full_disk_says_so_once_a_minute_and_loses_nothing(
    small_disk: Path, logged: _Lines
) -> None:
    settings = _settings(small_disk / "event")
    database = small_disk / "event" / "livepost.db"
    queue = EventQueue(settings, open_database(settings.database_url), Actor.owner())
    start = datetime.now(UTC).replace(microsecond=0)
    texts = [f"Post {n}" for n in range(POSTS)]
    for n, text in enumerate(texts):  # due one a minute from the second simulated minute
        queue.queue(PostRequest(text, due_at=start + timedelta(minutes=2 + n)))
    clock = SimulatedClock(start, SPEED)
    publisher, lines = DryRunPublisher(), []
    daemon = Daemon(
        settings,
        open_database(settings.database_url),
        publisher,
        clock=clock,
        echo=lines.append,
        poll_seconds=0.1,
        database_retry_seconds=0.05,  # many tries a simulated minute: the line must not follow
    )
    thread, result = _in_thread(daemon)
    filler: Path | None = None
    try:
        _until(lambda: daemon.steps >= 2 or bool(result), 10, "the daemon runs")
        assert not result, (result, lines)
        filler = fill_disk(small_disk)
        _until(lambda: daemon.database_trouble is not None, 20, "the daemon notices")
        full_from = clock.now()
        _until(lambda: clock.now() >= full_from + timedelta(minutes=8), 30, "8 minutes full")
        full_until = clock.now()
        said = [line for line in lines if "The disk holding" in line]
        minutes = (full_until - full_from).total_seconds() / 60
        assert 1 <= len(said) <= minutes + 1, (minutes, said)
        line = re.compile(
            r"\d\d:\d\d:\d\d The disk holding (?P<path>\S+) is full \((?P<free>\d+) KB free\): "
            r"livepost waits and sends nothing until about (?P<need>\d+) MB are free; "
            r"nothing queued is lost\."
        )
        for text in said:
            match = line.fullmatch(text)
            assert match is not None, text
            assert match["path"] == str(database)
            assert int(match["free"]) < 1024
            assert int(match["need"]) * 1024 * 1024 == DISK_NEEDED_BYTES
        stamps = [datetime.strptime(text[:8], "%H:%M:%S") for text in said]
        assert all(b - a >= timedelta(minutes=1) for a, b in pairwise(stamps))
        assert thread.is_alive()
        assert len(publisher.records) < POSTS  # sending waits
        flood = [text for text in logged.lines if text.startswith("apscheduler")]
        assert len(flood) <= 1, flood[:5]
        filler.unlink()
        filler = None
        _until(lambda: len(publisher.records) == POSTS, 30, "every post goes out")
        _until(lambda: daemon.database_trouble is None, 10, "the daemon says it is back")
    finally:
        daemon.stop()
        thread.join(10)
        if filler is not None:
            filler.unlink()
    assert not thread.is_alive() and not isinstance(result[0], BaseException)
    sent = [r.record["text"] for r in publisher.records]
    assert sorted(sent) == sorted(f"{text}\n#full" for text in texts)  # each exactly once
    rows = queue.posts()
    assert {r["state"] for r in rows} == {PostState.POSTED} and len(rows) == POSTS
    assert sum("there is room on the disk again: sending again" in x for x in lines) == 1
    assert len([text for text in logged.lines if text.startswith("apscheduler")]) <= 1
