"""Breaks are recognised by title in every format, and only when nobody speaks."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from livepost.schedule import parse_schedule
from livepost.schedule.fields import is_break_title

LONDON = ZoneInfo("Europe/London")


@pytest.mark.parametrize(
    ("title", "pause"),
    [
        ("Registration and coffee", True),
        ("Breakfast", True),
        ("Welcome coffee & networking", True),
        ("Check-in", True),
        ("Lunch break", True),
        ("Coffee with the CEO", False),
        ("Breaking the glass ceiling", False),
        ("Networking", False),
    ],
)
def test_break_titles(title: str, pause: bool) -> None:
    assert is_break_title(title) is pause


def test_yaml_without_kind_guesses_from_the_title_and_keeps_an_explicit_kind() -> None:
    text = """\
date: 2027-04-15
talks:
  - {title: Registration and coffee, start: "09:00", duration: 30}
  - {title: Lunch, start: "12:00", duration: 60, kind: talk}
  - {title: Coffee, start: "15:00", duration: 30, speakers: [Dr Jo Mockeridge]}
"""
    schedule = parse_schedule(text, path="s.yaml", timezone=LONDON)
    assert [t.kind for t in schedule.talks] == ["break", "talk", "talk"]


def test_csv_breaks_need_no_speakers() -> None:
    csv = "Start,Title,Speaker\n2027-04-15 08:30,Breakfast,\n2027-04-15 09:00,Breakfast,Jo Bloggs\n"
    kinds = [t.kind for t in parse_schedule(csv, path="p.csv", timezone=LONDON).talks]
    assert kinds == ["break", "talk"]
