# ruff: noqa: E501  (the fixture programme keeps the organisers' long lines as pasted)
"""The pasted-text programme importer (format ``text``), against the seed programme and our own."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from livepost.errors import ScheduleError
from livepost.model import Person, Schedule
from livepost.schedule import parse_schedule
from livepost.schedule.common import ImportContext
from livepost.schedule.text import parse

LONDON = ZoneInfo("Europe/London")
SHARED = Path(__file__).resolve().parents[2] / ".." / "shared"
DAY = date(2026, 3, 11)

# Seed 001's PROGRAMME block as organisers pasted it, with its prose before and after.
FORUM = """\
Police-led research: Supporting and Extending Evidence-Based Policing
The five research projects are currently underway.
PROGRAMME
11.00 Arrival and Coffee
11.30 Welcome and introduction, Dr Debra Allnock, Project Manager - University of Bedfordshire
11.45 Key note by Superintendent Dave Hill, Programme Director for the East Midlands Police Academic Collaboration
12:30 John Leigh, DC, CAIU, West Midlands Police will examine young people’s experience and satisfaction of the police professionals they come into contact with
13:00 Lunch
13:45 Danielle Williams, Special Constable, West Yorkshire Police and Intelligence Officer and CSE SPOC in the Bradford CSE Hub will be looking at risk in context. Her research is based on case file analysis of risk and protective factors among child sexual exploitation in Bradford
14:15 Stephen Smith, Analytical Researcher in the ERASE Team, Durham Constabulary, will focus on under 18 perpetrators and potential points of earlier intervention
14:45 Simon Abery, CSE Contact point for Havering, London Met will be looking at the use of Civil Orders and Notices to support victimless prosecutions
15:15 Coffee break
15:30 Plenary
15:45 Close
Places are limited and reserved for police officers only, so book your place early.
Location:
University of Central Lancashire
"""

# (local start, local end, kind, title, speakers) for the forum, in programme order.
EXPECTED = [
    ("11:00", "11:30", "break", "Arrival and Coffee", []),
    (
        "11:30",
        "11:45",
        "talk",
        "Welcome and introduction",
        [Person("Dr Debra Allnock", "Project Manager - University of Bedfordshire")],
    ),
    (
        "11:45",
        "12:30",
        "talk",
        "Key note",
        [
            Person(
                "Superintendent Dave Hill",
                "Programme Director for the East Midlands Police Academic Collaboration",
            )
        ],
    ),
    (
        "12:30",
        "13:00",
        "talk",
        "Young people’s experience and satisfaction of the police professionals they come "
        "into contact with",
        [Person("John Leigh", "DC, CAIU, West Midlands Police")],
    ),
    ("13:00", "13:45", "break", "Lunch", []),
    (
        "13:45",
        "14:15",
        "talk",
        "Risk in context",
        [
            Person(
                "Danielle Williams",
                "Special Constable, West Yorkshire Police and Intelligence Officer and CSE SPOC "
                "in the Bradford CSE Hub",
            )
        ],
    ),
    (
        "14:15",
        "14:45",
        "talk",
        "Under 18 perpetrators and potential points of earlier intervention",
        [Person("Stephen Smith", "Analytical Researcher in the ERASE Team, Durham Constabulary")],
    ),
    (
        "14:45",
        "15:15",
        "talk",
        "The use of Civil Orders and Notices to support victimless prosecutions",
        [Person("Simon Abery", "CSE Contact point for Havering, London Met")],
    ),
    ("15:15", "15:30", "break", "Coffee break", []),
    ("15:30", "15:45", "break", "Plenary", []),
    ("15:45", "16:00", "break", "Close", []),
]


def _parse(text: str, day: date | None = DAY, zone: ZoneInfo = LONDON) -> Schedule:
    return parse(text, ImportContext("programme.txt", zone, day))


def _rows(schedule: Schedule) -> list[tuple[str, str, str, str, list[Person]]]:
    return [
        (f"{t.start:%H:%M}", f"{t.end:%H:%M}", t.kind, t.title, t.speakers) for t in schedule.talks
    ]


def _assert_forum(schedule: Schedule) -> None:
    assert _rows(schedule) == EXPECTED
    first = schedule.talks[0]
    assert first.start == datetime(2026, 3, 11, 11, 0, tzinfo=LONDON)
    assert first.start.utcoffset() is not None
    assert first.start.utcoffset().total_seconds() == 0  # GMT in March before the change
    assert schedule.timezone == "Europe/London"
    assert schedule.format == "text"


def test_forum_programme_from_our_fixture() -> None:
    schedule = _parse(FORUM)
    _assert_forum(schedule)
    assert schedule.title == "Police-led research: Supporting and Extending Evidence-Based Policing"


def test_sentence_items_keep_the_whole_line_as_abstract() -> None:
    talks = _parse(FORUM).talks
    risk = next(t for t in talks if t.title == "Risk in context")
    assert risk.abstract == FORUM.splitlines()[8][6:]
    assert risk.abstract is not None and risk.abstract.endswith(
        "child sexual exploitation in Bradford"
    )
    assert talks[1].abstract is None  # "Title, Speaker, Affiliation" loses nothing


def test_prose_after_the_last_item_is_ignored() -> None:
    close = _parse(FORUM).talks[-1]
    assert close.abstract is None


def test_seed_001_programme() -> None:
    seeds = sorted(SHARED.glob("seeds/001_*.txt"))
    if not seeds:
        pytest.skip("../shared/seeds is not available")
    schedule = _parse(seeds[0].read_text(encoding="utf-8"))
    _assert_forum(schedule)
    assert schedule.title == (
        "Working together to enhance police responses to child sexual exploitation and related "
        "vulnerabilities"
    )


def test_detected_as_text_through_parse_schedule() -> None:
    schedule = parse_schedule(FORUM, path="programme.txt", timezone=LONDON, day=DAY)
    assert schedule.format == "text"
    assert len(schedule.talks) == 11


def test_ranges_in_every_spelling_give_the_end() -> None:
    schedule = _parse(
        "9-10am Registration\n"
        "10:00-10:45 Keynote by Prof Jane Roe, University of Kent\n"
        "10:45 – 11:00 Coffee\n"
        "11:00 to 11:40 Panel: Dr Amy Bee, Dr Carl Dee and Prof Eve Eff, Kent Police\n"
        "11:45 Close\n"
    )
    assert _rows(schedule) == [
        ("09:00", "10:00", "break", "Registration", []),
        ("10:00", "10:45", "talk", "Keynote", [Person("Prof Jane Roe", "University of Kent")]),
        ("10:45", "11:00", "break", "Coffee", []),
        (
            "11:00",
            "11:40",
            "talk",
            "Panel",
            [
                Person("Dr Amy Bee", "Kent Police"),
                Person("Dr Carl Dee", "Kent Police"),
                Person("Prof Eve Eff", "Kent Police"),
            ],
        ),
        ("11:45", "12:00", "break", "Close", []),
    ]


def test_last_item_defaults_to_thirty_minutes_for_a_talk() -> None:
    talk = _parse("16:00 Closing remarks, Prof Jane Roe").talks[-1]
    assert (talk.kind, f"{talk.end:%H:%M}") == ("talk", "16:30")


def test_am_pm_and_twelve_hour_programmes() -> None:
    schedule = _parse(
        "9.15am Registration\n"
        "9.45am Welcome\n"
        "12.30 Lunch\n"
        "1.30 Panel discussion\n"
        "2.15pm Tea and coffee\n"
        "4.45 Close\n"
    )
    assert [f"{t.start:%H:%M}" for t in schedule.talks] == [
        "09:15",
        "09:45",
        "12:30",
        "13:30",
        "14:15",
        "16:45",
    ]
    assert [t.kind for t in schedule.talks] == ["break", "talk", "break", "talk", "break", "break"]


def test_past_midnight_moves_to_the_next_day() -> None:
    schedule = _parse("22:00 Drinks reception\n23:30-00:30 Late session\n01:00 Close")
    assert [t.start.isoformat() for t in schedule.talks] == [
        "2026-03-11T22:00:00+00:00",
        "2026-03-11T23:30:00+00:00",
        "2026-03-12T01:00:00+00:00",
    ]
    assert schedule.talks[1].end.isoformat() == "2026-03-12T00:30:00+00:00"


def test_parallel_items_end_at_the_next_later_start() -> None:
    schedule = _parse("10:00 Talk A in room one\n10:00 Talk B in room two\n10:40 Lunch")
    assert [f"{t.end:%H:%M}" for t in schedule.talks] == ["10:40", "10:40", "10:55"]


def test_continuation_lines() -> None:
    schedule = _parse(
        "PROGRAMME\n"
        "11:00\n"
        "Welcome and introduction\n"
        "Dr Debra Allnock, University of Bedfordshire\n"
        "\n"
        "11:30 Keynote by\n"
        "Dr Jane Roe\n"
        "12:00 Session on policing\n"
        "and data\n"
        "This session explores data sharing.\n"
        "\n"
        "Second paragraph.\n"
        "12:30 Panel on vetting\n"
        "Speaker: Prof Eve Eff (Kent Police)\n"
        "13:00 Close\n"
        "Book your place now.\n"
    )
    assert _rows(schedule) == [
        (
            "11:00",
            "11:30",
            "talk",
            "Welcome and introduction",
            [Person("Dr Debra Allnock", "University of Bedfordshire")],
        ),
        ("11:30", "12:00", "talk", "Keynote", [Person("Dr Jane Roe")]),
        ("12:00", "12:30", "talk", "Session on policing and data", []),
        ("12:30", "13:00", "talk", "Panel on vetting", [Person("Prof Eve Eff", "Kent Police")]),
        ("13:00", "13:15", "break", "Close", []),
    ]
    assert schedule.talks[2].abstract == "This session explores data sharing.\nSecond paragraph."
    assert schedule.talks[-1].abstract is None
    assert schedule.title is None  # "PROGRAMME" is no title


def test_table_columns_and_bullets() -> None:
    schedule = _parse(
        "- **11:00**\tWelcome\tDr Jane Roe, Kent Police\n* 11:30 | Red flags | Prof Eve Eff\n"
    )
    assert _rows(schedule) == [
        ("11:00", "11:30", "talk", "Welcome", [Person("Dr Jane Roe", "Kent Police")]),
        ("11:30", "12:00", "talk", "Red flags", [Person("Prof Eve Eff")]),
    ]


def test_speaker_first_with_on() -> None:
    talk = _parse(
        "14:00 Dr Martin O'Neill and Dr Katarina Mozova from the CCPR on Red Flags for Police "
        "Misconduct"
    ).talks[0]
    assert talk.title == "Red Flags for Police Misconduct"
    assert talk.speakers == [
        Person("Dr Martin O'Neill", "CCPR"),
        Person("Dr Katarina Mozova", "CCPR"),
    ]


def test_titles_that_only_look_like_names_stay_titles() -> None:
    schedule = _parse(
        "10:00 Policing, Mental Health and Vulnerability\n"
        "10:30 Closing the gap\n"
        "11:00 Stand by Me: a talk about loyalty\n"
    )
    assert _rows(schedule) == [
        ("10:00", "10:30", "talk", "Policing, Mental Health and Vulnerability", []),
        ("10:30", "11:00", "talk", "Closing the gap", []),
        ("11:00", "11:30", "talk", "Stand by Me: a talk about loyalty", []),
    ]


def test_numbers_that_are_not_times_do_not_start_items() -> None:
    schedule = _parse("10 Downing Street\n2026 programme\n99.99% attendance\n10:00 Welcome")
    assert [t.title for t in schedule.talks] == ["Welcome"]
    assert schedule.title == "10 Downing Street"


def test_no_date_is_an_error_saying_what_to_do() -> None:
    with pytest.raises(ScheduleError) as caught:
        _parse(FORUM, day=None)
    assert str(caught.value) == (
        "programme.txt, line 4: a pasted programme gives times but no date: pass --date "
        "YYYY-MM-DD, set `date` in livepost.toml, or put a day heading above each day's items"
        "\nDay headings: 'Thursday 15 April 2027', 'Day 2 – 16 April', '15/04/2027'."
    )


def test_no_time_lines_is_an_error() -> None:
    with pytest.raises(ScheduleError) as caught:
        _parse("PROGRAMME\nWelcome and introduction\nLunch\n")
    assert str(caught.value) == (
        "programme.txt: found no programme items: no line starts with a time\n"
        "Start each item with its time, e.g. '11:30 Welcome and introduction' (11.30, 9am and "
        "ranges like 11:30-12:15 work too)."
    )


def test_time_going_backwards_names_the_line() -> None:
    with pytest.raises(ScheduleError) as caught:
        _parse("Heading\n14:00 Welcome\n15:00 Keynote by Dr Jane Roe\n14:00 Lunch\n")
    assert caught.value.line == 4
    assert caught.value.message == "programme.txt, line 4: 14:00 is earlier than 15:00 on line 3"
    assert caught.value.hint == (
        "Put the items in time order. For a programme of several days, put a day heading above "
        "each day's items (e.g. 'Thursday 15 April 2027')."
    )


def test_morning_time_after_evening_one_is_not_mistaken_for_pm_in_24_hour_programme() -> None:
    with pytest.raises(ScheduleError, match=r"line 3: 09:00 is earlier than 17:00 on line 2"):
        _parse("13:00 Lunch\n17:00 Close\n9:00 Registration\n")


def test_impossible_time_inside_the_programme() -> None:
    with pytest.raises(ScheduleError) as caught:
        _parse("11:00 Welcome\n25:00 Late talk\n")
    assert caught.value.message == "programme.txt, line 2: '25:00' is not a time of day"


def test_range_ending_before_it_starts() -> None:
    with pytest.raises(ScheduleError) as caught:
        _parse("14:00-13:00 Welcome\n")
    assert caught.value.message == (
        "programme.txt, line 1: the item ends at 13:00, before it starts at 14:00"
    )


def test_times_are_in_the_event_zone_across_a_dst_change() -> None:
    schedule = _parse("00:30 Night talk\n03:00 Morning talk", day=date(2026, 3, 29))
    assert [t.start.utcoffset() for t in schedule.talks] == [
        datetime(2026, 3, 29, 0, 30, tzinfo=LONDON).utcoffset(),
        datetime(2026, 3, 29, 3, 0, tzinfo=LONDON).utcoffset(),
    ]
    assert str(schedule.talks[1].start.utcoffset()) == "1:00:00"


def test_impossible_time_before_the_programme_is_prose() -> None:
    schedule = _parse("99.99 per ticket\n11:00 Welcome\n")
    assert [(f"{t.start:%H:%M}", t.title) for t in schedule.talks] == [("11:00", "Welcome")]


def test_item_without_a_title() -> None:
    with pytest.raises(ScheduleError) as caught:
        _parse("11:00 Welcome\n\n11:30\n\n12:00 Lunch\n")
    assert caught.value.message == "programme.txt, line 3: the item at 11:30 has no title"
