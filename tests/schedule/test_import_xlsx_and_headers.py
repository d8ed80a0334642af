"""Spreadsheets: header names normalised, synonyms, the more specific title, --column, and
.xlsx workbooks (date and time cells, a title row above the header, errors naming the cell)."""

from __future__ import annotations

import io
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from openpyxl import Workbook

from livepost.errors import ScheduleError
from livepost.model import Person, Schedule
from livepost.schedule import parse_schedule, parse_schedule_bytes

LONDON = ZoneInfo("Europe/London")


def csv(text: str, columns: dict[str, str] | None = None) -> Schedule:
    return parse_schedule(text, path="p.csv", timezone=LONDON, columns=columns)


def workbook(rows: list[list[object]], title: str = "Sheet1") -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def xlsx(data: bytes, columns: dict[str, str] | None = None) -> Schedule:
    return parse_schedule_bytes(data, path="p.xlsx", timezone=LONDON, columns=columns)


def test_headers_match_after_folding_case_spaces_underscores_and_punctuation() -> None:
    text = (
        "starttime,endtime,fullname,track,Title\n"
        "2027-04-15 09:00,2027-04-15 09:30,Dr Jo Mockeridge,Main Hall,Opening\n"
    )
    schedule = csv(text)
    (talk,) = schedule.talks
    assert (talk.room, talk.speakers) == ("Main Hall", [Person("Dr Jo Mockeridge")])
    assert talk.end.time() == time(9, 30)
    assert schedule.notes == [
        "columns used: 'starttime' as start, 'Title' as title, 'fullname' as speakers, "
        "'endtime' as end, 'track' as room"  # no room column: the track is the room
    ]
    same = csv(text.replace("starttime", "Start Time").replace("endtime", "END_TIME"))
    assert same.talks[0].end == talk.end


def test_paper_title_beats_session_which_becomes_the_track_and_day_is_the_date() -> None:
    text = (
        "Day,Start,End,Room,Session,Paper title,Presenter(s),Affiliation,Notes\n"
        "Thursday 15 April 2027,10:00,10:20,Room 2,Panel A: Policing,Red flags,"
        "Dr Jo Mockeridge; 张伟,University of Kent; 清华大学,bring slides\n"
        "15/04/2027,10:30,11:00,Foyer,,Registration and coffee,,,\n"
    )
    schedule = csv(text)
    red, coffee = schedule.talks
    assert red.title == "Red flags"
    assert red.track == "Panel A: Policing"
    assert red.start == datetime(2027, 4, 15, 10, 0, tzinfo=LONDON)
    assert red.speakers == [
        Person("Dr Jo Mockeridge", "University of Kent"),
        Person("张伟", "清华大学"),
    ]
    assert coffee.kind == "break"
    assert schedule.notes == [
        "columns used: 'Start' as start, 'Day' as date, 'Paper title' as title, 'Presenter(s)' as "
        "speakers, 'Affiliation' as affiliation, 'Room' as room, 'End' as end, 'Session' as track",
        "columns ignored: 'Notes'",
    ]


def test_column_option_overrides_a_guess() -> None:
    text = "Start,Title,Talk name\n2027-04-15 10:00,Panel A,The real title\n"
    assert csv(text).talks[0].title == "Panel A"
    assert csv(text, {"title": "Talk name"}).talks[0].title == "The real title"
    with pytest.raises(ScheduleError) as caught:
        csv(text, {"title": "Paper"})
    assert caught.value.message.startswith("p.csv, line 1: --column title='Paper': no such column")
    with pytest.raises(ScheduleError) as caught:
        csv(text, {"colour": "Title"})
    assert caught.value.message == "p.csv: --column names an unknown field 'colour'"


def test_bluesky_column_gives_handles() -> None:
    text = "Start,Title,Speaker,Bluesky\n2027-04-15 10:00,Talk,Jo Bloggs,@jo.bsky.social\n"
    assert csv(text).talks[0].speakers == [Person("Jo Bloggs", None, "jo.bsky.social")]


def test_xlsx_with_title_row_date_and_time_cells() -> None:
    data = workbook(
        [
            ["CCPR Conference 2027 – programme"],
            [],
            ["Date", "Start", "End", "Room", "Title", "Speaker", "Handle"],
            [date(2027, 4, 15), time(9, 0), time(9, 30), "Foyer", "Registration and coffee"],
            [datetime(2027, 4, 15), time(9, 30), time(10, 15), "Hall", "Δημοκρατία", "محمد العلي",
             "https://bsky.app/profile/mali.example.org"],
            [None, None, None, None, None],
            ["16/04/2027", "10:00", "10:45", "Hall", "Text cells work too", "Dr Jo Mockeridge"],
        ]
    )  # fmt: skip
    schedule = xlsx(data)
    assert schedule.format == "xlsx"
    assert schedule.title == "CCPR Conference 2027 – programme"
    coffee, talk, text_cells = schedule.talks
    assert coffee.kind == "break"
    assert talk.start == datetime(2027, 4, 15, 9, 30, tzinfo=LONDON)
    assert talk.end == datetime(2027, 4, 15, 10, 15, tzinfo=LONDON)
    assert talk.speakers == [Person("محمد العلي", None, "mali.example.org")]
    assert text_cells.start == datetime(2027, 4, 16, 10, 0, tzinfo=LONDON)
    assert schedule.notes[0] == "sheet 'Sheet1', header in row 3"


def test_xlsx_errors_name_the_cell() -> None:
    data = workbook(
        [["Start", "Title"], ["2027-04-15 10:00", "Fine"], ["2027-04-15 25:00", "Bad"]], "Day 1"
    )
    with pytest.raises(ScheduleError) as caught:
        xlsx(data)
    assert caught.value.message == (
        "p.xlsx: Day 1!A3 (column 'Start'): '25:00' is not a time of day"
    )
    assert caught.value.exit_code == 4


def test_xlsx_without_a_header_and_a_broken_workbook() -> None:
    with pytest.raises(ScheduleError) as caught:
        xlsx(workbook([["a", "b"], [1, 2]]))
    assert "no sheet has a header row naming a start and a title column" in caught.value.message
    with pytest.raises(ScheduleError) as caught:
        xlsx(b"PK\x03\x04 this is not really a zip")
    assert caught.value.message.startswith("p.xlsx: is not a readable .xlsx workbook")


def test_xlsx_one_sheet_per_day_and_other_sheets_skipped() -> None:
    book = Workbook()
    day1 = book.active
    assert day1 is not None
    day1.title = "Thursday"
    day1.append(["Start", "Title"])
    day1.append([datetime(2027, 4, 15, 9, 0), "Opening"])
    day2 = book.create_sheet("Friday")
    day2.append(["Start", "Title"])
    day2.append([datetime(2027, 4, 16, 9, 0), "Day two"])
    people = book.create_sheet("Speakers")
    people.append(["Name", "Affiliation"])
    out = io.BytesIO()
    book.save(out)
    schedule = xlsx(out.getvalue())
    assert [t.title for t in schedule.talks] == ["Opening", "Day two"]
    assert schedule.notes[-1] == "sheets without a programme header, skipped: 'Speakers'"
