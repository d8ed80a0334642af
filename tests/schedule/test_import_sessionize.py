"""Sessionize views, pretalx's REST API and GDG Hoverboard's data file, on our own fixtures."""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from livepost.errors import ScheduleError
from livepost.model import Person, Schedule
from livepost.model.ids import assign_ids
from livepost.schedule import parse_schedule
from livepost.schedule.detect import detect_format
from tests.schedule_files import FIXTURES, fixture

BERLIN = ZoneInfo("Europe/Berlin")
JO = Person("Dr Jo Mockeridge", "University of Kent", "jomockeridge.bsky.social")


def parse(name: str, text: str | None = None) -> Schedule:
    raw = text if text is not None else (FIXTURES / name).read_bytes().decode("utf-8")
    return parse_schedule(raw, path=name, timezone=BERLIN)


def error_of(name: str, text: str) -> ScheduleError:
    with pytest.raises(ScheduleError) as caught:
        parse(name, text)
    return caught.value


def test_all_data_view_with_bom_speakers_by_id_rooms_categories_and_service_sessions() -> None:
    raw = (FIXTURES / "sessionize_all.json").read_bytes().decode("utf-8")
    assert raw.startswith("\ufeff")
    schedule = parse("sessionize_all.json", raw)
    assert schedule.format == "sessionize"
    assert schedule.notes == ["skipped 1 session(s) without a time"]
    rows = [(t.source_id, t.kind, t.room, t.track) for t in schedule.talks]
    assert rows == [
        ("sv-1", "break", "Main Hall", None),  # "Registration and coffee", a service session
        ("101", "talk", "Main Hall", "Plenary"),
        ("102", "talk", "Room 2", "Data & AI"),
        ("103", "talk", "قاعة ٣", "Data & AI"),
        ("sv-2", "break", None, None),  # plenum lunch without a room
        ("104", "talk", "Room 2", "Plenary"),
    ]
    keynote = schedule.talks[1]
    assert keynote.start == datetime(2027, 4, 15, 9, 0, tzinfo=BERLIN)  # naive: the event's zone
    assert keynote.speakers == [JO]  # handle from the Bluesky link
    assert keynote.abstract == "Why conferences publish\n\ntheir programmes the way they do."
    assert schedule.talks[2].speakers == [Person("张伟", "清华大学"), JO]
    # a bsky.app profile URL under another link type still gives the handle
    assert schedule.talks[3].speakers == [Person("محمد العلي", None, "malali.example.org")]
    assert len(schedule.talks[5].title) > 150


def test_ids_are_ascii_whatever_the_script() -> None:
    schedule = parse("sessionize_all.json")
    assign_ids(schedule.talks)
    ids = [t.id for t in schedule.talks]
    assert ids[2:4] == ["shu-ju-ke-xue-wei-lai", "mstqbl-ldhk-lstn-y"]
    assert all(i.isascii() for i in ids)


def test_grid_view_lists_a_session_under_room_and_slot_but_imports_it_once() -> None:
    text = fixture("sessionize_grid.json")
    assert text.count('"title": "数据科学的未来"') == 2
    schedule = parse("sessionize_grid.json")
    assert [t.source_id for t in schedule.talks] == ["sv-1", "101", "102", "103", "sv-2"]
    assert schedule.talks[2].speakers == [Person("张伟"), Person("Dr Jo Mockeridge")]


def test_sessions_view_has_speakers_and_categories_inline() -> None:
    schedule = parse("sessionize_sessions.json")
    assert detect_format(fixture("sessionize_sessions.json")) == "sessionize"
    assert [t.source_id for t in schedule.talks] == ["sv-1", "101", "102", "103", "sv-2", "104"]
    assert schedule.talks[3].track == "Data & AI"
    assert schedule.talks[0].kind == "break"


def test_speakers_view_is_refused_with_advice() -> None:
    error = error_of("sessionize_speakers.json", fixture("sessionize_speakers.json"))
    assert error.message == (
        "sessionize_speakers.json: 0: this is Sessionize's Speakers view, which has no "
        "session times"
    )
    assert error.hint is not None and "All data" in error.hint


def test_sessionize_bad_values_name_the_dotted_path() -> None:
    bad_time = '{"sessions": [{"id": "1", "title": "T", "startsAt": "soon"}], "speakers": []}'
    assert (
        error_of("s.json", bad_time).message == "s.json: sessions.0.startsAt: 'soon' is not a date"
    )
    unknown = '{"sessions": [{"id": "1", "title": "T", "startsAt": "2027-04-15T09:00:00", "speakers": ["x"]}], "speakers": []}'  # noqa: E501
    assert error_of("s.json", unknown).message == (
        "s.json: sessions.0.speakers.0: names speaker 'x', who is not in the speakers list"
    )
    no_title = '[{"groupId": 1, "groupName": "All", "sessions": [{"id": "9"}]}]'
    assert error_of("s.json", no_title).message == (
        "s.json: 0.sessions.0.title: is missing (every session needs a title)"
    )


def test_pretalx_api_submissions_with_slots_keyed_by_code() -> None:
    schedule = parse("pretalx_submissions.json")
    assert schedule.format == "pretalx-api"
    assert [(t.source_id, t.room, t.track) for t in schedule.talks] == [
        ("QXRS8Y", "Saal 1", "Data"),
        ("ΑΒΓ123", "Saal 2", None),
        ("WKSHOP", "Saal 2", "Hands-on"),
        ("WKSHOP-2", "Saal 2", "Hands-on"),  # a second slot of the same workshop
    ]
    first = schedule.talks[0]
    assert first.start == datetime(2027, 4, 15, 10, 0, tzinfo=BERLIN)
    assert first.language == "en"
    assert schedule.talks[1].speakers == [Person("Γιώργος Παπαδόπουλος"), Person("张伟")]
    assert schedule.notes == ["skipped 1 submission(s) without a scheduled slot"]  # "REJECT" too


def test_pretalx_api_errors_name_the_path() -> None:
    text = '{"count": 1, "results": [{"code": "AB", "title": "T", "slot": {"start": "x"}}]}'
    assert error_of("p.json", text).message == "p.json: results.0.slot.start: 'x' is not a date"


def test_empty_indico_export_is_still_indico() -> None:
    assert detect_format('{"count": 0, "results": []}') == "indico"


def test_hoverboard_grid_references_sessions_and_speakers() -> None:
    schedule = parse("hoverboard.json")
    assert schedule.format == "hoverboard"
    rows = [(t.start.strftime("%H:%M"), t.end.strftime("%H:%M"), t.room, t.kind, t.title)
            for t in schedule.talks]  # fmt: skip
    assert rows == [
        ("08:30", "09:30", "Hall A", "break", "Registration"),
        ("09:30", "10:30", "Hall A", "talk", "Keynote: Android everywhere"),
        ("10:30", "11:00", "Hall A", "talk", "Lightning: Kotlin"),  # two items share the slot
        ("10:30", "11:30", "Hall B", "talk", "Το μέλλον του ιστού"),
        ("11:00", "11:30", "Hall A", "talk", "Lightning: Flutter"),
        ("11:30", "12:30", "Hall A", "break", "Lunch"),
    ]
    assert schedule.talks[1].speakers == [JO]
    assert schedule.talks[1].track == "Android"


def test_hoverboard_unknown_session_names_the_cell() -> None:
    data = json.loads(fixture("hoverboard.json"))
    data["schedule"]["2027-04-15"]["timeslots"][2]["sessions"][1]["items"] = ["999"]
    error = error_of("h.json", json.dumps(data))
    assert error.message == (
        "h.json: schedule.2027-04-15.timeslots.2.sessions.1.items.0: "
        "names session '999', which is not in sessions"
    )
