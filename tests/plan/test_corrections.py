"""Corrections: a talk announced before it moved or was withdrawn gets one short reply in its
thread per change; unsent posts just move or are cancelled (dry-run publisher, simulated day)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from livepost.config import Settings, load_settings
from livepost.outbox.queries import PostState, list_posts
from livepost.publish.dryrun import DryRunPublisher
from livepost.run.clock import SimulatedClock
from livepost.run.daemon import Daemon
from livepost.store.engine import open_database, session_scope
from livepost.store.models import OutboxRow
from livepost.store.talks import load_event
from tests.clirunner import run_livepost

LONDON = ZoneInfo("Europe/London")
DAY = datetime(2030, 6, 18, tzinfo=LONDON)
TALK = """\
  - id: red-flags
    title: Red flags for police misconduct
    start: "{start}"
    end: "{end}"
    room: {room}
    speakers: [Dr Jo Mockeridge]
"""
OTHER = """\
  - id: other-talk
    title: Another talk
    start: "12:00"
    end: "12:30"
    room: Room 1
"""


def _write(folder: Path, *talks: str) -> None:
    (folder / "schedule.yaml").write_text(
        "date: 2030-06-18\ntimezone: Europe/London\ntalks:\n" + "".join(talks), encoding="utf-8"
    )
    done = run_livepost("schedule", "import", cwd=folder)
    assert done.code == 0, done.err


def _event(tmp_path: Path) -> Settings:
    folder = tmp_path / "event"
    (folder / "notes").mkdir(parents=True)
    (folder / "livepost.toml").write_text(
        '[event]\nname = "Moves"\nhashtags = ["moves"]\ntimezone = "Europe/London"\n'
        'schedule = "schedule.yaml"\n[plan]\nday_posts = false\n',
        encoding="utf-8",
    )
    _write(folder, TALK.format(start="10:00", end="10:30", room="Room 1"), OTHER)
    return load_settings(folder, environ={})


def _run(settings: Settings, publisher: DryRunPublisher, start: str, until: str) -> list[str]:
    lines: list[str] = []
    engine = open_database(settings.database_url)
    at = DAY.replace(hour=int(start[:2]), minute=int(start[3:]))
    end = DAY.replace(hour=int(until[:2]), minute=int(until[3:]))
    Daemon(
        settings,
        engine,
        publisher,
        clock=SimulatedClock(at, 100_000),
        until=end,
        echo=lines.append,
        use_scheduler=False,
    ).run()
    engine.dispose()
    return lines


def _rows(settings: Settings) -> dict[str, OutboxRow]:
    engine = open_database(settings.database_url)
    with session_scope(engine) as session:
        rows = {r.key: r for r in list_posts(session, load_event(session, settings.event_key))}
    engine.dispose()
    return rows


def test_a_moved_then_withdrawn_talk_gets_one_correction_per_change(tmp_path: Path) -> None:
    settings = _event(tmp_path)
    publisher = DryRunPublisher()
    _run(settings, publisher, "09:50", "09:57")  # the announcement goes out at 09:55
    announce = _rows(settings)["announce/red-flags"]
    assert announce.state == PostState.POSTED

    # the talk moves: one correction, replying to the announcement, with the new time and room
    _write(
        tmp_path / "event", TALK.format(start="15:30", end="16:00", room="Seminar Room 3"), OTHER
    )
    lines = _run(settings, publisher, "09:58", "09:59")
    rows = _rows(settings)
    corrections = [r for k, r in rows.items() if k.startswith("correction/red-flags/")]
    assert len(corrections) == 1
    moved = corrections[0]
    assert moved.state == PostState.POSTED
    assert moved.text == "Update: now at 15:30 in Seminar Room 3\n#moves"
    assert (moved.parent_id, moved.root_id) == (announce.id, announce.id)
    record = next(r.record for r in publisher.records if r.rkey == moved.rkey)
    assert record["reply"]["parent"]["uri"] == announce.uri
    assert record["reply"]["root"]["uri"] == announce.uri
    assert any(moved.key in line for line in lines)
    # the unsent wrap-up moved with the talk; the posted announcement stays as it was
    assert rows["wrapup/red-flags"].due_at == DAY.replace(hour=16)
    assert rows["wrapup/red-flags"].state == PostState.QUEUED

    # planning again (nothing changed) sends nothing more
    count = len(publisher.records)
    _run(settings, publisher, "10:05", "10:06")
    assert len(publisher.records) == count
    assert len([k for k in _rows(settings) if k.startswith("correction/")]) == 1

    # withdrawn: a second correction; the wrap-up is cancelled, never sent
    _write(tmp_path / "event", OTHER)
    _run(settings, publisher, "10:10", "10:11")
    rows = _rows(settings)
    gone = rows["correction/red-flags/withdrawn"]
    assert gone.state == PostState.POSTED
    assert gone.text == "Update: this talk has been cancelled\n#moves"
    assert gone.parent_id == announce.id
    assert rows["wrapup/red-flags"].state == PostState.CANCELLED


def test_a_talk_moved_before_its_announcement_just_moves(tmp_path: Path) -> None:
    settings = _event(tmp_path)
    publisher = DryRunPublisher()
    _write(tmp_path / "event", TALK.format(start="11:00", end="11:30", room="Room 2"), OTHER)
    _run(settings, publisher, "09:50", "10:56")
    rows = _rows(settings)
    assert not [k for k in rows if k.startswith("correction/")]
    assert rows["announce/red-flags"].due_at == DAY.replace(hour=10, minute=55)
    assert rows["announce/red-flags"].state == PostState.POSTED


def test_a_correction_moved_back_before_it_went_out_is_cancelled(tmp_path: Path) -> None:
    settings = _event(tmp_path)
    publisher = DryRunPublisher()
    _run(settings, publisher, "09:50", "09:57")
    _write(tmp_path / "event", TALK.format(start="15:30", end="16:00", room="Room 1"), OTHER)
    engine = open_database(settings.database_url)
    from livepost.plan.sync import replan

    replan(engine, settings, DAY.replace(hour=9, minute=58))
    queued = [r for k, r in _rows(settings).items() if k.startswith("correction/")]
    assert [r.state for r in queued] == [PostState.QUEUED]
    _write(tmp_path / "event", TALK.format(start="10:00", end="10:30", room="Room 1"), OTHER)
    _, report = replan(engine, settings, DAY.replace(hour=9, minute=58))
    engine.dispose()
    assert [key for key, _why in report.cancelled] == [queued[0].key]
    assert _rows(settings)[queued[0].key].state == PostState.CANCELLED
