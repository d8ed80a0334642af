"""Pasted text: several days under day headings, chair lines, names in any script."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from livepost.model import Person, Schedule
from livepost.model.ids import assign_ids
from livepost.schedule import parse_schedule
from livepost.schedule.text import day_heading

LONDON = ZoneInfo("Europe/London")

TWO_DAYS = """\
CCPR Conference 2027

Thursday 15 April 2027
09:00 Registration and coffee
10:00 Session 1: Policing futures
Chair: Prof Ann Smith
10:15 مستقبل الذكاء الاصطناعي by محمد العلي
11:00 数据科学的未来, 张伟

Day 2 – 16 April
09:30 Welcome back
Moderator: Dr Jo Mockeridge
10:00 Red flags, Dr Martin O'Neill
"""


def parse(text: str, day: date | None = None) -> Schedule:
    return parse_schedule(text, path="p.txt", timezone=LONDON, format_name="text", day=day)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Thursday 15 April 2027", date(2027, 4, 15)),
        ("Day 2 – 16 April", date(2027, 4, 16)),
        ("15/04/2027", date(2027, 4, 15)),
        ("Friday, April 16th", date(2027, 4, 16)),
        ("2027-04-17", date(2027, 4, 17)),
        ("**Thursday 15th April**", date(2027, 4, 15)),
        ("15 April: the day we talk about data", None),
    ],
)
def test_day_headings_in_common_forms(line: str, expected: date | None) -> None:
    assert day_heading(line, 2027) == expected


def test_two_days_in_one_file_with_chairs_and_names_in_any_script() -> None:
    schedule = parse(TWO_DAYS)
    rows = [(t.start, t.kind, t.title, [p.name for p in t.speakers]) for t in schedule.talks]
    assert rows == [
        (datetime(2027, 4, 15, 9, 0, tzinfo=LONDON), "break", "Registration and coffee", []),
        (datetime(2027, 4, 15, 10, 0, tzinfo=LONDON), "talk", "Session 1: Policing futures", []),
        (datetime(2027, 4, 15, 10, 15, tzinfo=LONDON), "talk", "مستقبل الذكاء الاصطناعي",
         ["محمد العلي"]),
        (datetime(2027, 4, 15, 11, 0, tzinfo=LONDON), "talk", "数据科学的未来", ["张伟"]),
        (datetime(2027, 4, 16, 9, 30, tzinfo=LONDON), "talk", "Welcome back", []),
        (datetime(2027, 4, 16, 10, 0, tzinfo=LONDON), "talk", "Red flags",
         [Person("Dr Martin O'Neill").name]),
    ]  # fmt: skip
    assert schedule.talks[1].abstract == "Chair: Prof Ann Smith"  # attached, not a title
    assert schedule.talks[4].abstract == "Moderator: Dr Jo Mockeridge"
    assert schedule.title == "CCPR Conference 2027"
    assign_ids(schedule.talks)
    assert schedule.talks[2].id == "mstqbl-ldhk-lstn-y"
    assert all(t.id.isascii() for t in schedule.talks)


def test_chair_line_with_a_time_attaches_to_the_session() -> None:
    schedule = parse(
        "10:00 Panel on data\n10:00 Chair: Prof Ann Smith\n10:45 Lunch\n", date(2027, 4, 15)
    )
    assert [t.title for t in schedule.talks] == ["Panel on data", "Lunch"]
    assert schedule.talks[0].abstract == "Chair: Prof Ann Smith"
