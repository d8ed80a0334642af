"""Indico HTTP API export importer, on our fixtures and the real XDC 2021 export."""

from __future__ import annotations

from datetime import UTC, timedelta
from zoneinfo import ZoneInfo

import pytest

from livepost.errors import ScheduleError
from livepost.model import Person, Schedule, Talk
from livepost.schedule import parse_schedule
from livepost.schedule.detect import detect_format
from tests.schedule_files import FIXTURES, REAL

LONDON = ZoneInfo("Europe/London")


def parse(text: str, path: str, format_name: str = "auto") -> Schedule:
    return parse_schedule(text, path=path, timezone=LONDON, format_name=format_name)


def utc(talk: Talk) -> str:
    return talk.start.astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ")


def by_title(schedule: Schedule, title: str) -> Talk:
    (talk,) = [t for t in schedule.talks if t.title == title]
    return talk


def error_of(text: str, path: str) -> ScheduleError:
    with pytest.raises(ScheduleError) as info:
        parse(text, path)
    return info.value


def test_fixture_contributions_and_sessions() -> None:
    text = (FIXTURES / "indico_small.json").read_text(encoding="utf-8")
    assert detect_format(text, "indico_small.json") == "indico"
    schedule = parse(text, "indico_small.json")
    assert (schedule.format, schedule.title, schedule.timezone) == (
        "indico",
        "Small Indico Workshop",
        "Europe/Zurich",
    )
    # the unscheduled poster (startDate null) is not in the programme
    assert [(t.title, utc(t), t.end - t.start, t.room) for t in schedule.talks] == [
        ("Welcome", "2024-06-10T07:00Z", timedelta(minutes=15), None),
        ("UTC-stamped talk", "2024-06-10T08:30Z", timedelta(minutes=30), "Main Auditorium"),
        ("In a session", "2024-06-10T12:00Z", timedelta(minutes=20), "Room B"),
        ("Uses endDate", "2024-06-10T12:20Z", timedelta(minutes=45), "Room C"),
    ]
    welcome = by_title(schedule, "Welcome")
    assert welcome.start.utcoffset() == timedelta(hours=2)  # its own tz, Europe/Zurich
    assert welcome.speakers == [Person("Anna Smith", "CERN")]  # speakers win over authors
    assert welcome.abstract == "Hello and welcome & thanks.\n\nSecond\nline"  # HTML stripped
    assert (welcome.source_id, welcome.kind, welcome.track) == ("1", "talk", None)
    assert welcome.url == "https://indico.example.org/event/42/contributions/1/"
    stamped = by_title(schedule, "UTC-stamped talk")
    assert stamped.start.utcoffset() == timedelta(0)
    # no speakers: the primary authors, not the co-authors; "Last," cleaned
    assert stamped.speakers == [Person("Ravindra Babu Ganapathi"), Person("Lee, Ethan")]
    assert stamped.track == "Physics"
    assert by_title(schedule, "In a session").speakers == [Person("Plain Name")]


def test_fixture_timetable_export_with_a_break() -> None:
    text = (FIXTURES / "indico_timetable.json").read_text(encoding="utf-8")
    assert detect_format(text, "indico_timetable.json") == "indico"
    schedule = parse(text, "indico_timetable.json")
    assert [(t.title, utc(t), t.kind, t.room, t.source_id) for t in schedule.talks] == [
        ("Timetable talk", "2024-06-10T07:00Z", "talk", "Room A", "7"),
        ("Refreshments", "2024-06-10T09:00Z", "break", "Foyer", "b1"),
    ]
    assert schedule.talks[0].speakers == [Person("Mia Keller", "ETH")]


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            '"date": "2024-06-10", "tz": "UTC", "time": "08:30:00"',
            '"date": "2024-06-31", "tz": "UTC", "time": "08:30:00"',
            "results.0.contributions.2.startDate.date: '2024-06-31' is not a date",
        ),
        (
            '"tz": "UTC", "time": "08:30:00"',
            '"tz": "UTC", "time": "25:00:00"',
            "results.0.contributions.2.startDate.time: '25:00:00' is not a time of day",
        ),
        (
            '"tz": "UTC", "time": "08:30:00"',
            '"tz": "Mars/Olympus", "time": "08:30:00"',
            "results.0.contributions.2.startDate.tz: 'Mars/Olympus' is not a time zone",
        ),
        (
            '"title": "In a session",',
            '"title": null,',
            "results.0.sessions.0.contributions.0.title: every talk needs a title",
        ),
        (
            '"duration": 30,',
            '"duration": -30,',
            "results.0.contributions.2.duration: -30 is a negative duration",
        ),
        (
            '"results": [',
            '"results": 3, "x": [',
            "results: missing: this is not an Indico event export",
        ),
    ],
)
def test_bad_values_name_the_field(old: str, new: str, message: str) -> None:
    text = (FIXTURES / "indico_small.json").read_text(encoding="utf-8")
    assert old in text
    error = error_of(text.replace(old, new, 1), "indico_small.json")
    assert error.message == f"indico_small.json: {message}"


def test_truncated_export_names_the_line() -> None:
    text = (FIXTURES / "indico_small.json").read_text(encoding="utf-8")
    cut = text[: text.index('"Small Indico') + 6]  # inside a string starting line 11, column 16
    error = error_of(cut, "indico_small.json")
    assert error.message == (
        "indico_small.json, line 11: is not valid JSON (Unterminated string starting at column 16)"
    )
    assert error.hint == "The file may be truncated: export it again."


def test_real_xdc2021_export() -> None:
    path = REAL / "voctosched_indico.json"
    if not path.exists():
        pytest.skip(f"{path} is absent (../shared is not checked out)")
    text = path.read_text(encoding="utf-8")
    assert detect_format(text, "indico.json") == "indico"
    schedule = parse(text, "indico.json")
    assert len(schedule.talks) == 37
    assert (schedule.title, schedule.timezone) == (
        "X.Org Developer Conference 2021",
        "Europe/Warsaw",
    )
    # every date says tz UTC, whatever the event zone
    assert {t.start.utcoffset() for t in schedule.talks} == {timedelta(0)}
    first = schedule.talks[0]
    assert (first.title, utc(first), first.speakers) == ("Opening Session", "2021-09-15T11:00Z", [])
    pi = by_title(schedule, "Raspberry Pi Vulkan driver update")
    assert (utc(pi), pi.end - pi.start) == ("2021-09-15T11:15Z", timedelta(minutes=45))
    assert pi.speakers == [Person("Iago Toral", "Igalia, S.L.")]
    assert (pi.track, pi.source_id) == ("Talk (full slot) (CLOSED)", "4")
    level_zero = by_title(
        schedule, "Redefining the Future of Accelerator Computing with Level Zero"
    )
    assert len(level_zero.speakers) == 6
    assert level_zero.speakers[1].name == "Ravindra Babu Ganapathi"
    assert {t.room for t in schedule.talks} == {None}  # "" everywhere: an online event
    assert {t.end - t.start for t in schedule.talks} >= {
        timedelta(minutes=5),
        timedelta(minutes=120),
    }
    assert sum(not t.speakers for t in schedule.talks) == 5
    assert not any("<p>" in (t.abstract or "") for t in schedule.talks)
