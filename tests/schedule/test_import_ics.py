"""iCalendar importer, on our fixtures and on the real PyCon AU 2023 and MOCA 2024 exports."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, timedelta
from zoneinfo import ZoneInfo

import pytest

from livepost.errors import ScheduleError
from livepost.model import Person, Schedule, Talk
from livepost.schedule import parse_schedule
from livepost.schedule.detect import detect_format
from tests.schedule_files import fixture, real

LONDON = ZoneInfo("Europe/London")


def parse(text: str, path: str, format_name: str = "ics") -> Schedule:
    return parse_schedule(text, path=path, timezone=LONDON, format_name=format_name)


def utc(moment: object) -> str:
    from datetime import datetime

    assert isinstance(moment, datetime)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ")


def by_title(schedule: Schedule, title: str) -> Talk:
    (talk,) = [t for t in schedule.talks if t.title == title]
    return talk


def error_of(text: str, path: str) -> ScheduleError:
    with pytest.raises(ScheduleError) as info:
        parse(text, path)
    return info.value


# --- our fixtures --------------------------------------------------------------------------------


def test_floating_times_use_the_event_zone_and_z_times_are_utc() -> None:
    schedule = parse(fixture("ics_floating.ics"), "forum.ics")
    assert [t.title for t in schedule.talks] == [
        "Welcome and introduction",
        "Listening to children",
        "Lunch",
        "Remote panel",
    ]
    welcome = by_title(schedule, "Welcome and introduction")
    assert utc(welcome.start) == "2026-06-18T08:30Z"  # 09:30 floating, London is on BST
    assert utc(welcome.end) == "2026-06-18T09:00Z"
    lunch = by_title(schedule, "Lunch")
    assert lunch.start.utcoffset() == timedelta(0)
    assert utc(lunch.start) == "2026-06-18T12:00Z"
    assert utc(by_title(schedule, "Remote panel").start) == "2026-06-18T13:00Z"  # New York EDT


def test_end_from_dtend_else_duration_else_start() -> None:
    schedule = parse(fixture("ics_floating.ics"), "forum.ics")
    assert by_title(schedule, "Welcome and introduction").end.strftime("%H:%M") == "10:00"
    listening = by_title(schedule, "Listening to children")
    assert listening.end - listening.start == timedelta(minutes=45)
    lunch = by_title(schedule, "Lunch")
    assert lunch.end == lunch.start


def test_properties_map_to_talk_fields() -> None:
    schedule = parse(fixture("ics_floating.ics"), "forum.ics")
    assert schedule.title == "Safeguarding Forum 2026"
    assert schedule.timezone is None  # no X-WR-TIMEZONE and no common TZID
    welcome = by_title(schedule, "Welcome and introduction")
    assert welcome.room == "Main Hall"  # leading spaces stripped
    assert welcome.track == "Plenary"  # first of CATEGORIES
    assert welcome.source_id == "forum-1@example.org"
    # the organizer on every event is the house, not a speaker; the chair attendee is a speaker
    assert welcome.speakers == [Person("Allnock, Debra")]
    listening = by_title(schedule, "Listening to children")
    assert listening.speakers == [Person("Jo Mockeridge")]  # NON-PARTICIPANT left out
    assert listening.abstract == "What children told us, in their own words.\nSecond line."
    assert listening.url == "https://example.org/talks/2"
    assert by_title(schedule, "Lunch").kind == "break"
    assert welcome.kind == "talk"


def test_shared_uids_are_not_source_ids_and_cancelled_or_all_day_events_are_skipped() -> None:
    schedule = parse(fixture("ics_floating.ics"), "forum.ics")
    assert by_title(schedule, "Lunch").source_id is None
    assert by_title(schedule, "Remote panel").source_id is None
    titles = {t.title for t in schedule.talks}
    assert "Cancelled session" not in titles
    assert "Forum day" not in titles


def test_iana_tzid_wins_over_a_wrong_embedded_vtimezone() -> None:
    schedule = parse(fixture("ics_wrong_vtimezone.ics"), "democon.ics")
    first = schedule.talks[0]
    # the VTIMEZONE claims +05:00; Berlin in July is +02:00
    assert first.start.utcoffset() == timedelta(hours=2)
    assert utc(first.start) == "2025-07-01T12:00Z"
    assert schedule.timezone == "Europe/Berlin"


def test_pretalx_summary_is_split_at_the_last_dash() -> None:
    schedule = parse(fixture("ics_wrong_vtimezone.ics"), "democon.ics")
    first, second = schedule.talks
    assert first.title == "Choosing Wisely - How to Pick Packages"
    assert first.speakers == [Person("Evan Brumley"), Person("Ada Lovelace")]
    assert second.title == "Open space"  # "Open space - " has no speakers
    assert second.speakers == []


def test_broken_dtstart_names_file_line_and_property() -> None:
    error = error_of(fixture("ics_broken_dtstart.ics"), "broken.ics")
    assert error.message == "broken.ics, line 12: DTSTART: Expected time, got: 2026061"


def test_unparsable_file_names_file_and_line() -> None:
    text = "BEGIN:VCALENDAR\nVERSION:2.0\nBEGIN:VEVENT\nthis is not a property\n"
    error = error_of(text, "bad.ics")
    assert error.message == (
        "bad.ics: is not a valid iCalendar file "
        "(Found no components where exactly one is required: BEGIN:VCALENDAR)"
    )
    error = error_of("hello world\n", "junk.ics")
    assert error.message == (
        "junk.ics, line 1: is not a valid iCalendar file (Content line could not be parsed "
        "into parts: 'hello world': Invalid content line)"
    )


def test_unknown_tzid_without_vtimezone_is_an_error() -> None:
    text = (
        "BEGIN:VCALENDAR\nBEGIN:VEVENT\nSUMMARY:x\n"
        "DTSTART;TZID=Mars/Olympus:20260618T100000\nEND:VEVENT\nEND:VCALENDAR\n"
    )
    error = error_of(text, "mars.ics")
    assert error.message == "mars.ics, line 4: DTSTART: unknown time zone 'Mars/Olympus'"


def test_calendar_without_timed_events_is_an_error() -> None:
    error = error_of("BEGIN:VCALENDAR\nVERSION:2.0\nEND:VCALENDAR\n", "empty.ics")
    assert error.message == (
        "empty.ics: contains no timed events (VEVENT with a DTSTART date and time)"
    )


def test_not_a_calendar_is_an_error() -> None:
    error = error_of("BEGIN:VEVENT\nSUMMARY:x\nEND:VEVENT\n", "event.ics")
    assert error.message == (
        "event.ics, line 1: is not an iCalendar file (it must start with BEGIN:VCALENDAR)"
    )


def test_detection_picks_ics_for_fixtures() -> None:
    assert detect_format(fixture("ics_floating.ics"), "programme.txt") == "ics"
    schedule = parse(fixture("ics_floating.ics"), "forum.ics", format_name="auto")
    assert schedule.format == "ics"


# --- real exports --------------------------------------------------------------------------------


def test_pycon_au_2023() -> None:
    text = real("pcau_schedule.ics")
    assert detect_format(text, "pcau_schedule.ics") == "ics"
    schedule = parse(text, "pcau_schedule.ics", format_name="auto")
    assert len(schedule.talks) == 94
    assert schedule.timezone == "Australia/Adelaide"
    first = schedule.talks[0]
    assert first.title == "Specialist Tracks Combined Opening Address"
    assert first.start.utcoffset() == timedelta(hours=9, minutes=30)  # not the file's +09:00
    assert first.start.astimezone(UTC).isoformat() == "2023-08-17T23:30:00+00:00"
    assert [p.name for p in first.speakers] == [
        "Pedro Junqueira",
        "Jack Skinner",
        "Nicky Ringland",
        "Katie McLaughlin",
        "Lilly Ryan",
    ]
    assert first.room == "Hall C (Plenary)"
    assert first.source_id == "pretalx-pyconau-2023-EJWEMK@pretalx.com"
    assert first.url == "https://pretalx.com/pyconau-2023/talk/EJWEMK/"
    dashed = by_title(
        schedule, "Choosing Wisely - How to Pick the Right Third Party Packages for your Project"
    )
    assert dashed.speakers == [Person("Evan Brumley")]
    assert {t.room for t in schedule.talks} == {"Hall A", "Hall B", "Hall C (Plenary)", "Hall E"}
    assert len({t.source_id for t in schedule.talks}) == 94
    # every SUMMARY names speakers except "PyCon Fair - " (pretalx's form for none)
    assert [t.title for t in schedule.talks if not t.speakers] == ["PyCon Fair"]


def test_moca_2024_survives_its_malformations() -> None:
    text = real("moca24_schedule.ics")
    assert detect_format(text, "moca24_schedule.ics") == "ics"
    schedule = parse(text, "moca24_schedule.ics", format_name="auto")
    assert len(schedule.talks) == 88
    assert all(t.start.utcoffset() == timedelta(0) for t in schedule.talks)
    assert Counter(t.room for t in schedule.talks) == {
        "XOR": 34,
        "MOV": 33,
        "FreeKevin": 12,
        "MOKids": 9,
    }
    # 67 events share UID 46939 (and two more UIDs repeat): none of those become source ids
    source_ids = [t.source_id for t in schedule.talks if t.source_id]
    assert source_ids == ["46938"]
    closing = by_title(schedule, "Closing ceremony")
    assert utc(closing.start) == "2024-09-15T13:00Z"
    assert utc(closing.end) == "2024-09-15T14:00Z"
    assert closing.abstract is None  # "DESCRIPTION: " is only a space
    curious = by_title(schedule, "Curious Minds, Converging Interests")
    assert [p.name for p in curious.speakers] == [
        "Riccardo Degli Espositi 'partywave'",
        "Christopher Bianchi 'calfcrusher'",
    ]
    longest = max(schedule.talks, key=lambda t: len(t.abstract or ""))
    assert len(longest.abstract or "") > 3000  # the unfolded 3 KB line is read whole
