"""Re-imports that keep ids (renamed, moved) and never wipe by accident."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine

from livepost.config import default_database_url
from livepost.errors import ScheduleError
from livepost.model import Schedule, Talk
from livepost.schedule.changes import describe_change
from livepost.store.engine import open_database, session_scope
from livepost.store.talks import ImportReport, ensure_event, load_talks, save_schedule

ZONE = ZoneInfo("Europe/London")


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    engine = open_database(default_database_url(tmp_path))
    with session_scope(engine) as session:
        ensure_event(session, "ev", "Event", "Europe/London")
    yield engine
    engine.dispose()


def talk(title: str, day: int, hour: int, room: str = "Room 2", source: str | None = None) -> Talk:
    start = datetime(2027, 4, day, hour, tzinfo=ZONE)
    return Talk(title, start, start + timedelta(minutes=45), room=room, source_id=source)


def two_days() -> list[Talk]:
    return [
        talk("Opening", 15, 9),
        talk("Red flags", 15, 10),
        talk("Data futures", 15, 11),
        talk("Second day opening", 16, 9),
        talk("Closing", 16, 10),
    ]


def save(engine: Engine, talks: list[Talk], allow: bool = False) -> ImportReport:
    copies = [dataclasses.replace(t, speakers=list(t.speakers)) for t in talks]
    with session_scope(engine) as session:
        return save_schedule(
            session, "ev", Schedule(copies, source="p.csv"), zone=ZONE, allow_withdraw=allow
        )


def stored(engine: Engine) -> list[tuple[str, str]]:
    with session_scope(engine) as session:
        return [(t.id, t.title) for t in load_talks(session, "ev")]


def test_renamed_talk_keeps_its_id_by_slot_and_room_or_close_title(engine: Engine) -> None:
    save(engine, two_days())
    renamed = two_days()
    renamed[1] = talk("Police misconduct: the red flags", 15, 10)  # same slot and room
    renamed[2] = talk("Data futures!", 15, 14, room="Room 3")  # close title, moved too
    report = save(engine, renamed)
    assert [(t.id, f) for t, f in report.changed] == [
        ("red-flags", ["title"]),
        ("data-futures", ["title", "start", "end", "room"]),
    ]
    assert report.added == [] and report.withdrawn == []
    old = report.previous["data-futures"]
    assert describe_change(old, renamed[2], ["title", "start", "end", "room"], ZONE) == [
        "renamed: Data futures → Data futures!",
        "moved: Thu 11:00 → Thu 14:00, Room 2 → Room 3",
        "changed: end Thu 11:45 → Thu 14:45",
    ]


def test_a_file_of_one_day_withdraws_nothing_on_the_other_days(engine: Engine) -> None:
    save(engine, two_days())
    day_two_only = two_days()[3:]
    report = save(engine, day_two_only)
    assert report.withdrawn == []
    assert len(stored(engine)) == 5
    one_cancelled = [two_days()[3]]  # day two without "Closing": that day is covered
    assert [t.id for t in save(engine, one_cancelled).withdrawn] == ["closing"]


def test_withdrawing_more_than_half_stops_and_changes_nothing(engine: Engine) -> None:
    save(engine, two_days())
    truncated = two_days()[:1] + two_days()[3:4]  # each day keeps only its first talk
    with pytest.raises(ScheduleError) as caught:
        save(engine, truncated)
    assert caught.value.message == (
        "p.csv: would withdraw 3 of the event's 5 talks: red-flags (Thu 15 Apr 10:00) Red flags; "
        "data-futures (Thu 15 Apr 11:00) Data futures; closing (Fri 16 Apr 10:00) Closing. "
        "Nothing was changed"
    )
    assert caught.value.hint is not None and "--allow-withdraw" in caught.value.hint
    assert len(stored(engine)) == 5
    assert len(save(engine, truncated, allow=True).withdrawn) == 3
    assert len(stored(engine)) == 2


def test_an_empty_programme_would_withdraw_everything(engine: Engine) -> None:
    save(engine, two_days())
    with pytest.raises(ScheduleError) as caught:
        save(engine, [])  # an Indico export with no results
    assert caught.value.message.startswith("p.csv: would withdraw 5 of the event's 5 talks")
    assert len(stored(engine)) == 5
