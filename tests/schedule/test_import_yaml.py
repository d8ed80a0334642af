"""livepost's YAML format: reading, dotted-path errors, and dump_yaml round trips."""

from __future__ import annotations

from datetime import UTC, date, timedelta
from zoneinfo import ZoneInfo

import pytest
import yaml

from livepost.errors import ScheduleError
from livepost.model import Person, Schedule, Talk
from livepost.schedule import parse_schedule
from livepost.schedule.detect import detect_format
from livepost.schedule.yaml_format import dump_yaml
from tests.schedule_files import fixture, real

UTC_ZONE = ZoneInfo("UTC")  # the event's zone; the fixture states its own


def parse(
    text: str,
    path: str = "schedule.yaml",
    zone: ZoneInfo = UTC_ZONE,
    day: date | None = None,
    format_name: str = "yaml",
) -> Schedule:
    return parse_schedule(text, path=path, timezone=zone, format_name=format_name, day=day)


def error_of(text: str, day: date | None = None) -> ScheduleError:
    with pytest.raises(ScheduleError) as info:
        parse(text, day=day)
    return info.value


def by_title(schedule: Schedule, title: str) -> Talk:
    (talk,) = [t for t in schedule.talks if t.title == title]
    return talk


MINIMAL = 'talks:\n  - title: Talk\n    start: "10:00"\n    end: "10:30"\n'


# --- reading -------------------------------------------------------------------------------------


def test_fixture_reads_every_field() -> None:
    schedule = parse(fixture("yaml_ccpr.yaml"), format_name="auto")
    assert schedule.format == "yaml"
    assert schedule.title == "CCPR Conference 2026"
    assert schedule.timezone == "Europe/London"
    arrival, red_flags, child_first, officers = schedule.talks
    assert arrival.kind == "break"
    assert arrival.start.isoformat() == "2026-06-18T09:00:00+01:00"  # unquoted 09:00 works
    assert red_flags.id == "red-flags-police-misconduct"
    assert red_flags.start.astimezone(UTC).isoformat() == "2026-06-18T09:15:00+00:00"
    assert red_flags.end.isoformat() == "2026-06-18T10:45:00+01:00"
    assert red_flags.room == "Lecture Theatre 1"
    assert red_flags.track == "Misconduct"
    assert red_flags.speakers == [
        Person("Dr Martin O'Neill", "Canterbury Christ Church University"),
        Person("Dr Katarina Mozova"),
    ]
    assert red_flags.hashtags == ["policemisconduct", "ccpr"]
    assert red_flags.abstract == (
        "How early warning signs of misconduct are missed,\nand what supervisors can do about them."
    )
    assert child_first.id == ""  # assigned later by identify.assign_ids
    assert child_first.end - child_first.start == timedelta(minutes=30)
    assert child_first.speakers == [Person("Dr Jo Mockeridge")]
    assert officers.start.isoformat() == "2026-06-19T11:00:00+01:00"
    assert officers.end - officers.start == timedelta(hours=1, minutes=15)
    assert officers.language == "en-GB"
    assert officers.url == "https://example.org/ccpr/ethnic-minority-officers"
    assert officers.source_id == "ccpr-7"


def test_zone_and_date_fall_back_to_the_event() -> None:
    schedule = parse(MINIMAL, zone=ZoneInfo("Europe/Berlin"), day=date(2026, 6, 18))
    (talk,) = schedule.talks
    assert talk.start.isoformat() == "2026-06-18T10:00:00+02:00"
    assert schedule.timezone is None


def test_end_clock_before_start_is_the_next_day() -> None:
    text = 'date: 2026-06-18\ntalks:\n  - {title: Night, start: "23:30", end: "00:30"}\n'
    (talk,) = parse(text).talks
    assert talk.end.isoformat() == "2026-06-19T00:30:00+00:00"


def test_detection_by_content_without_yaml_suffix() -> None:
    assert detect_format(fixture("yaml_ccpr.yaml"), "programme") == "yaml"


# --- errors --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            'date: 2026-06-18\ntalks:\n  - {title: A, start: "10:00", end: "10:30"}\n'
            "  - {title: B, start: '11:00', duration: 5}\n"
            "  - {title: C, start: '12:00', duration: 5}\n"
            "  - {title: D, end: '12:30'}\n",
            "schedule.yaml: talks.3.start: Field required",
        ),
        (
            'talks:\n  - {title: A, start: "25:00", end: "10:30"}\n',
            "schedule.yaml: talks.0.start: '25:00' is not a time of day",
        ),
        (
            'talks:\n  - {title: A, start: "10:00", end: "10:30", speaker: Bob}\n',
            "schedule.yaml: talks.0.speaker: Extra inputs are not permitted",
        ),
        (
            'talks:\n  - {title: A, start: "10:00", end: "10:30", duration: 30}\n',
            "schedule.yaml: talks.0: give either end or duration, not both",
        ),
        (
            'talks:\n  - {title: A, start: "10:00"}\n',
            "schedule.yaml: talks.0: needs an end time or a duration",
        ),
        (
            'talks:\n  - {title: A, start: "10:00", end: "10:30", id: Red_Flags}\n',
            "schedule.yaml: talks.0.id: 'Red_Flags' is not a slug "
            "(use a-z, 0-9 and '-', e.g. red-flags-police-misconduct)",
        ),
        (
            'talks:\n  - {title: A, start: "10:00", end: "10:30", kind: keynote}\n',
            "schedule.yaml: talks.0.kind: Input should be 'talk' or 'break'",
        ),
        (
            'talks:\n  - {title: A, start: "10:00", end: "10:30", hashtags: ["two words"]}\n',
            "schedule.yaml: talks.0.hashtags.0: 'two words' is not a hashtag "
            "(letters, digits and _ only)",
        ),
        (
            'talks:\n  - title: A\n    start: "10:00"\n    end: "10:30"\n'
            "    speakers:\n      - {name: Ann, role: chair}\n",
            "schedule.yaml: talks.0.speakers.0.role: Extra inputs are not permitted",
        ),
        (
            "timezone: Mars/Olympus\n" + MINIMAL,
            "schedule.yaml: timezone: 'Mars/Olympus' is not an IANA time zone (e.g. Europe/London)",
        ),
        (
            "talks: []\n",
            "schedule.yaml: talks: List should have at least 1 item after validation, not 0",
        ),
        (
            "- title: A\n",
            "schedule.yaml: the top level must be a mapping with a 'talks:' list",
        ),
        ("# nothing\n", "schedule.yaml: the file is empty"),
        (
            MINIMAL,
            "schedule.yaml: talks.0.date: no date for this talk: "
            "add 'date: YYYY-MM-DD' to it or at the top, or pass --date",
        ),
        (
            'talks:\n  - {title: A, start: 2026-06-18, end: "10:30"}\n',
            'schedule.yaml: talks.0.start: use a time like "10:15" or an ISO 8601 datetime '
            "like 2026-06-18T10:15+01:00",
        ),
    ],
)
def test_errors_are_dotted_paths(text: str, message: str) -> None:
    assert error_of(text).message == message


def test_more_problems_are_listed_in_the_hint() -> None:
    error = error_of("title: X\nvenue: Hall\ntalks:\n  - {title: A}\n")
    assert error.message == "schedule.yaml: talks.0.start: Field required"
    assert error.hint == "Also venue: Extra inputs are not permitted"


def test_syntax_error_names_the_line() -> None:
    text = 'talks:\n  - title: A\n    start: "10:00"\n   end: "10:30"\n'
    error = error_of(text)
    assert error.line == 4
    assert error.message == (
        "schedule.yaml, line 4: is not valid YAML "
        "(expected <block end>, but found '<block mapping start>')"
    )


def test_unsafe_tags_are_refused() -> None:
    error = error_of("talks: !!python/object/apply:os.system ['true']\n")
    assert error.line == 1
    assert error.message == (
        "schedule.yaml, line 1: is not valid YAML (could not determine a constructor "
        "for the tag 'tag:yaml.org,2002:python/object/apply:os.system')"
    )


# --- dump_yaml round trips -----------------------------------------------------------------------


def _round_trip(schedule: Schedule, zone: ZoneInfo | None = None) -> Schedule:
    text = dump_yaml(schedule, zone)
    again = parse(text, path="dumped.yaml")
    assert again.talks == schedule.talks
    return again


def test_dump_round_trips_the_fixture_with_local_clock_times() -> None:
    schedule = parse(fixture("yaml_ccpr.yaml"))
    text = dump_yaml(schedule)
    data = yaml.safe_load(text)
    assert data["timezone"] == "Europe/London"
    assert "date" not in data  # two days: each talk carries its date
    assert data["talks"][1] == {
        "id": "red-flags-police-misconduct",
        "title": "Red Flags for Police Misconduct",
        "date": date(2026, 6, 18),
        "start": "10:15",
        "end": "10:45",
        "room": "Lecture Theatre 1",
        "track": "Misconduct",
        "speakers": [
            {
                "name": "Dr Martin O'Neill",
                "affiliation": "Canterbury Christ Church University",
            },
            "Dr Katarina Mozova",
        ],
        "hashtags": ["policemisconduct", "ccpr"],
        "abstract": "How early warning signs of misconduct are missed,\n"
        "and what supervisors can do about them.",
        "lead_minutes": 10,
    }
    assert "abstract: |-\n" in text  # multi-line text as a block
    again = _round_trip(schedule)
    assert again.title == "CCPR Conference 2026"
    assert again.timezone == "Europe/London"


def test_dump_without_a_zone_writes_offsets() -> None:
    schedule = parse(MINIMAL, zone=ZoneInfo("Europe/Berlin"), day=date(2026, 6, 18))
    data = yaml.safe_load(dump_yaml(schedule))
    assert data == {
        "talks": [{"title": "Talk", "start": "2026-06-18T10:00:00+02:00", "duration": 30}]
    }
    _round_trip(schedule)


def test_dump_round_trips_gpn11_csv() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    schedule = parse_schedule(
        real("voctosched_gpn11.csv"), path="gpn11.csv", timezone=berlin, format_name="csv"
    )
    text = dump_yaml(schedule, berlin)
    assert "timezone: Europe/Berlin\n" in text
    again = _round_trip(schedule, berlin)
    assert len(again.talks) == 29


def test_dump_round_trips_pycon_au_ics() -> None:
    schedule = parse_schedule(
        real("pcau_schedule.ics"), path="pcau.ics", timezone=UTC_ZONE, format_name="ics"
    )
    again = _round_trip(schedule)
    assert again.timezone == "Australia/Adelaide"
    assert len(again.talks) == 94


def test_dump_round_trips_moca_ics() -> None:
    schedule = parse_schedule(
        real("moca24_schedule.ics"), path="moca.ics", timezone=UTC_ZONE, format_name="ics"
    )
    assert len(_round_trip(schedule, ZoneInfo("Europe/Rome")).talks) == 88
