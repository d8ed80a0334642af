"""The bundled example events: every programme imports and every notes file passes the check."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from livepost.config import read_config_file
from livepost.model import Person, Schedule
from livepost.model.ids import assign_ids
from livepost.notes import check_notes, load_notes
from livepost.schedule import load_schedule

SCHEDULES = Path(__file__).resolve().parents[1] / "schedules"
EVENTS = sorted(p.parent for p in SCHEDULES.glob("*/livepost.toml"))


def _load(event_dir: Path) -> Schedule:
    event = read_config_file(event_dir).event
    assert event.schedule is not None
    schedule = load_schedule(
        event_dir / event.schedule, timezone=ZoneInfo(event.timezone), day=event.date
    )
    assign_ids(schedule.talks)
    return schedule


def test_both_examples_are_bundled() -> None:
    assert [p.name for p in EVENTS] == ["ccprconf26", "police-research-forum"]


@pytest.mark.parametrize("event_dir", EVENTS, ids=[p.name for p in EVENTS])
def test_example_programme_imports_and_notes_pass_the_check(event_dir: Path) -> None:
    schedule = _load(event_dir)
    ids = {t.id for t in schedule.talks}
    assert len(ids) == len(schedule.talks)
    assert (event_dir / "notes").is_dir()
    notes = load_notes(event_dir / "notes")
    assert notes, "every example ships notes for at least one talk"
    assert set(notes) <= ids
    assert check_notes(event_dir / "notes", ids) == []
    assert all(s.complete for snippets in notes.values() for s in snippets)


def test_demo_event_ccprconf26() -> None:
    schedule = _load(SCHEDULES / "ccprconf26")
    assert schedule.format == "yaml"
    assert schedule.title == "CCPR Conference 2026"
    assert (len(schedule.talks), sum(t.kind == "talk" for t in schedule.talks)) == (18, 14)
    assert {t.room for t in schedule.talks} == {
        "Foyer",
        "Lecture Theatre 1",
        "Seminar Room 2",
        "Seminar Room 3",
    }
    by_id = {t.id: t for t in schedule.talks}
    red = by_id["red-flags-police-misconduct"]
    assert red.title == "Red Flags for Police Misconduct"
    assert [p.name for p in red.speakers] == ["Dr Martin O'Neill", "Dr Katarina Mozova"]
    assert red.start == datetime(2026, 6, 18, 15, 45, tzinfo=ZoneInfo("Europe/London"))
    assert red.start.isoformat() == "2026-06-18T15:45:00+01:00"
    assert by_id["child-first-criminal-justice"].speakers == [Person("Dr Jo Mockeridge")]
    assert by_id["ethnic-minority-officers-specialised-units"].speakers == [
        Person("Mohamed Omar Mohamed")
    ]
    assert [t.id for t in schedule.talks if t.kind == "break"] == [
        "registration-coffee",
        "coffee-break",
        "lunch",
        "tea-break",
    ]
    notes = load_notes(SCHEDULES / "ccprconf26" / "notes")
    red_notes = notes["red-flags-police-misconduct"]
    assert len(red_notes) == 10
    assert red_notes[0].pinned_at is not None and f"{red_notes[0].pinned_at:%H:%M}" == "15:47"
    assert red_notes[7].text.splitlines()[2] == "13.5% of officers accounted for 50% of allegations"


def test_police_research_forum_pasted_programme() -> None:
    schedule = _load(SCHEDULES / "police-research-forum")
    assert schedule.format == "text"
    assert [(f"{t.start:%H:%M}", t.id, t.kind) for t in schedule.talks] == [
        ("11:00", "arrival-coffee", "break"),
        ("11:30", "welcome-introduction", "talk"),
        ("11:45", "key-note", "talk"),
        ("12:30", "young-peoples-experience-satisfaction", "talk"),
        ("13:00", "lunch", "break"),
        ("13:45", "risk-context", "talk"),
        ("14:15", "under-18-perpetrators-potential-points", "talk"),
        ("14:45", "use-civil-orders-notices-support", "talk"),
        ("15:15", "coffee-break", "break"),
        ("15:30", "plenary", "break"),
        ("15:45", "close", "break"),
    ]
    assert schedule.talks[0].start.isoformat() == "2026-03-11T11:00:00+00:00"
    assert schedule.talks[-1].end.isoformat() == "2026-03-11T16:00:00+00:00"
