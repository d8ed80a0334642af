"""CSV importer, on our fixtures and on the real GPN11 programme sheet."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from livepost.errors import ScheduleError
from livepost.model import Person, Schedule, Talk
from livepost.schedule import parse_schedule
from livepost.schedule.detect import detect_format
from tests.schedule_files import fixture, real

LONDON = ZoneInfo("Europe/London")
BERLIN = ZoneInfo("Europe/Berlin")


def parse(
    text: str,
    path: str = "talks.csv",
    zone: ZoneInfo = LONDON,
    day: date | None = None,
    format_name: str = "csv",
) -> Schedule:
    return parse_schedule(text, path=path, timezone=zone, format_name=format_name, day=day)


def error_of(text: str, path: str = "talks.csv", day: date | None = None) -> ScheduleError:
    with pytest.raises(ScheduleError) as info:
        parse(text, path, day=day)
    return info.value


def utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ")


def by_title(schedule: Schedule, title: str) -> Talk:
    (talk,) = [t for t in schedule.talks if t.title == title]
    return talk


# --- our fixtures --------------------------------------------------------------------------------


def test_semicolons_synonyms_german_dates_and_open_ends() -> None:
    schedule = parse(fixture("csv_semicolon.csv"), "programme.csv")
    arrival, red_flags, child_first = schedule.talks
    assert arrival.title == "Arrival and coffee"
    assert arrival.kind == "break"
    assert arrival.room == "Foyer"
    assert utc(arrival.start) == "2026-06-18T08:30Z"  # 09:30 London (BST)
    assert arrival.end == arrival.start  # nothing follows in the Foyer
    assert red_flags.speakers == [Person("Dr Martin O'Neill"), Person("Dr Katarina Mozova")]
    assert red_flags.track == "Misconduct"
    assert red_flags.abstract == 'Two lines\nof abstract with "quotes"'
    assert red_flags.hashtags == ["policemisconduct", "ccpr"]
    assert red_flags.end == child_first.start  # no end column: the next talk in the room
    assert child_first.speakers == [Person("Dr Jo Mockeridge")]
    assert child_first.kind == "talk"


def test_tabs_iso_datetimes_and_end_after_midnight() -> None:
    schedule = parse(fixture("csv_iso_tab.csv"), "programme.csv")
    opening, late = schedule.talks
    assert opening.start.isoformat() == "2026-06-18T10:00:00+01:00"
    assert opening.end - opening.start == timedelta(minutes=30)
    assert opening.source_id == "t1"
    assert opening.language == "en"
    assert opening.url == "https://example.org/1"
    assert opening.speakers == [Person("Ada Lovelace"), Person("Grace Hopper")]
    assert late.start.isoformat() == "2026-06-18T23:30:00+01:00"  # no offset: the event's zone
    assert late.end.isoformat() == "2026-06-19T00:15:00+01:00"  # an earlier clock: next day


def test_error_names_the_file_line_not_the_row() -> None:
    error = error_of(fixture("csv_bad_time.csv"))
    assert error.message == "talks.csv, line 4: column 'start': '25:00' is not a time of day"
    assert error.line == 4


def test_error_line_counts_line_breaks_of_earlier_cells_in_the_same_row() -> None:
    text = 'title,abstract,start\nTalk,"one\ntwo\nthree",9:7\n'
    error = error_of(text, day=date(2026, 6, 18))
    assert error.message == (
        "talks.csv, line 4: column 'start': '9:7' is not a time (use HH:MM, e.g. 14:05)"
    )


def test_clock_times_combine_with_date_column_or_ctx_date() -> None:
    text = "Date,Time,Title,Length\n23/06/2011,19:00,A,45\n,20:00,B,1:15\n"
    schedule = parse(text, zone=BERLIN, day=date(2011, 6, 24))
    a, b = schedule.talks
    assert a.start.isoformat() == "2011-06-23T19:00:00+02:00"
    assert a.end - a.start == timedelta(minutes=45)
    assert b.start.isoformat() == "2011-06-24T20:00:00+02:00"  # empty Date cell: --date
    assert b.end - b.start == timedelta(hours=1, minutes=15)


def test_missing_date_is_an_error_that_says_what_to_do() -> None:
    error = error_of("start,title\n10:00,Talk\n")
    assert error.message == (
        "talks.csv, line 2: column 'start': has no date for this row: add a Date column "
        "or full dates like 2011-06-23T19:00, or pass --date"
    )


def test_us_dates_are_refused() -> None:
    error = error_of("date,start,title\n06/23/2011,10:00,Talk\n")
    assert error.message == (
        "talks.csv, line 2: column 'date': '06/23/2011' is not a date "
        "(use 2011-06-23, 23.06.2011, 23/06/2011)"
    )


def test_bad_duration_and_empty_title() -> None:
    error = error_of("start,title,duration\n2026-06-18T10:00,Talk,forever\n")
    assert error.message == (
        "talks.csv, line 2: column 'duration': 'forever' is not a duration "
        "(use minutes like 45, or H:MM like 1:30)"
    )
    error = error_of("start,title\n2026-06-18T10:00,  \n")
    assert error.message == "talks.csv, line 2: column 'title': is empty (every row needs a title)"


def test_missing_columns_list_what_was_found_and_what_is_accepted() -> None:
    error = error_of("When,Name,Where\n10:00,Talk,Hall\n")
    assert error.message == (
        "talks.csv, line 1: missing column(s) for "
        "start (start, start time, begin, begins, starts, time, from); "
        "title (paper title, talk title, session title, presentation title, title, talk, paper, "
        "presentation, session); found columns: 'When', 'Name', 'Where'"
    )


def test_unclosed_quote_names_the_line_where_it_opens() -> None:
    error = error_of('start,title\n2026-06-18T10:00,"Talk\n2026-06-18T11:00,Other\n')
    assert error.message == "talks.csv, line 2: a quoted field starts here and is never closed"


def test_header_only_is_an_error() -> None:
    error = error_of("start,title\n\n")
    assert error.message == "talks.csv, line 1: has a header row but no talks"


def test_end_before_start_is_refused_by_the_package() -> None:
    error = error_of("start,end,title\n2026-06-18T10:00,2026-06-18T09:00,Talk\n")
    assert error.message.startswith("talks.csv: 'Talk' ends (2026-06-18T09:00:00+01:00) before")


def test_detection_picks_csv() -> None:
    assert detect_format(fixture("csv_semicolon.csv"), "programme.txt") == "csv"
    assert detect_format(fixture("csv_iso_tab.csv"), "programme.txt") == "csv"
    assert parse(fixture("csv_iso_tab.csv"), "p.csv", format_name="auto").format == "csv"


# --- the real GPN11 sheet ------------------------------------------------------------------------


def test_gpn11() -> None:
    text = real("voctosched_gpn11.csv")
    assert detect_format(text, "voctosched_gpn11.csv") == "csv"
    schedule = parse(text, "voctosched_gpn11.csv", zone=BERLIN, format_name="auto")
    assert len(schedule.talks) == 29
    first = schedule.talks[0]
    assert first.title == "What to hack"
    assert utc(first.start) == "2011-06-23T17:00Z"  # 19:00 Berlin summer time
    assert first.end - first.start == timedelta(hours=1, minutes=30)
    assert first.source_id == "1"
    assert first.room == "GroßesStudio"
    assert first.language == "de"
    gulasch = by_title(schedule, "Gulaschbytes")
    assert gulasch.end - gulasch.start == timedelta(hours=2)
    assert by_title(schedule, "1001 Programmiernächte").end.strftime("%H:%M") == "22:00"
    assert by_title(schedule, "Hackstation").end - by_title(
        schedule, "Hackstation"
    ).start == timedelta(minutes=30)
    # "id:name" speakers, several joined with "|"
    assert by_title(schedule, "ENTE").speakers == [Person("andi (Entropia)")]
    assert by_title(schedule, "GSM").speakers == [Person("Konrad Meier"), Person("Dennis Wehrle")]
    assert by_title(schedule, "CouchDB").speakers == [Person("Jonathan Giroux")]
    gamejam = by_title(schedule, "Ergebnisse Gamejam")
    assert utc(gamejam.start) == "2011-06-25T22:00Z"  # 00:00 on the 26th, Berlin
    assert by_title(schedule, "Game On").abstract == (
        "Wie man es schafft, innerhalb von 48 Stunden ein Spiel zu programmieren."
    )
    assert {t.room for t in schedule.talks} == {"GroßesStudio", "GroßerSeminarraum"}


def test_gpn11_error_lines_follow_the_file_across_multi_line_fields() -> None:
    text = real("voctosched_gpn11.csv")
    row = "GroßesStudio,2011-06-26,4,12:00,1:00,CouchDB,"
    assert row in text
    broken = text.replace(row, row.replace("12:00", "12:75"))
    line = text[: text.index(row)].count("\n") + 1
    assert line > 30  # 29 rows, but multi-line fields push it much further down
    with pytest.raises(ScheduleError) as info:
        parse(broken, "gpn11.csv", zone=BERLIN)
    assert info.value.message == (
        f"gpn11.csv, line {line}: column 'Start': '12:75' is not a time of day"
    )


def test_detection_is_not_fooled_by_yaml_like_lines_inside_a_quoted_cell() -> None:
    text = 'Start,Title,Abstract\n2026-06-18T10:00,Talk,"Plan:\nschedule: first\ntalks: later"\n'
    assert detect_format(text, "programme") == "csv"
    (talk,) = parse(text, "programme", format_name="auto").talks
    assert talk.abstract == "Plan:\nschedule: first\ntalks: later"
