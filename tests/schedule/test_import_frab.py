"""frab/pretalx/hub schedule.json and schedule.xml importers, on our fixtures and real exports."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from livepost.errors import ScheduleError
from livepost.model import Schedule, Talk
from livepost.schedule import parse_schedule
from livepost.schedule.detect import detect_format
from tests.schedule_files import fixture, real

LONDON = ZoneInfo("Europe/London")  # the event's zone: must never override a stated offset


def parse(text: str, path: str, format_name: str = "auto") -> Schedule:
    return parse_schedule(text, path=path, timezone=LONDON, format_name=format_name)


def utc(talk: Talk) -> str:
    return talk.start.astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ")


def by_title(schedule: Schedule, title: str) -> Talk:
    (talk,) = [t for t in schedule.talks if t.title == title]
    return talk


def error_of(text: str, path: str, format_name: str = "auto") -> ScheduleError:
    with pytest.raises(ScheduleError) as info:
        parse(text, path, format_name)
    return info.value


# --- frab JSON, own fixture -----------------------------------------------------------------


def test_json_fixture_reads_every_event_with_its_own_offset() -> None:
    schedule = parse(fixture("frab_small.json"), "frab_small.json", "frab-json")
    assert schedule.format == "frab-json"
    assert schedule.title == "Mini Conference 2024"
    assert schedule.timezone == "Europe/Berlin"
    assert [(t.title, utc(t), t.end - t.start, t.room) for t in schedule.talks] == [
        ("Opening: what we built", "2024-03-01T09:00Z", timedelta(minutes=45), "Saal 1"),
        ("Lunch", "2024-03-01T11:00Z", timedelta(hours=1), "Saal 1"),
        ("No date, only a clock", "2024-03-01T13:00Z", timedelta(minutes=30), "Saal 2"),
        ("Ends by end, not duration", "2024-03-01T15:00Z", timedelta(minutes=40), "Saal 2"),
        ("Midnight Hack Session", "2024-03-01T23:30Z", timedelta(hours=1, minutes=30), "Saal 1"),
        ("Clock after midnight", "2024-03-02T00:15Z", timedelta(minutes=30), "Saal 2"),
    ]


def test_json_fixture_fields() -> None:
    schedule = parse(fixture("frab_small.json"), "frab_small.json", "frab-json")
    opening = by_title(schedule, "Opening: what we built")
    # public_name, pretalx name, a bare string; the empty public_name is dropped
    assert [p.name for p in opening.speakers] == [
        "Ada Lovelace",
        "Grace Hopper",
        "Katika Kühnreich",
    ]
    assert opening.source_id == "0b6f6c1e-1111-4c1a-9d0e-000000000101"
    assert opening.abstract == "First line.\n\nSecond paragraph."
    assert (opening.track, opening.language, opening.kind) == (None, "en", "talk")
    assert opening.url == "https://example.org/mini/talk/101/"
    lunch = by_title(schedule, "Lunch")
    assert (lunch.kind, lunch.source_id, lunch.speakers) == ("break", "102", [])
    night = by_title(schedule, "Midnight Hack Session")
    assert night.day == date(2024, 3, 2)  # listed under 2024-03-01, held after midnight
    assert (night.track, night.abstract, night.language) == ("Hacking", "Bring a laptop.", "de")
    # no `date`: the day's date plus `start` in time_zone_name; before day_start -> next day
    assert by_title(schedule, "Clock after midnight").start == datetime(
        2024, 3, 2, 1, 15, tzinfo=ZoneInfo("Europe/Berlin")
    )
    assert [p.name for p in by_title(schedule, "Ends by end, not duration").speakers] == [
        "Solo Speaker"
    ]


def test_json_without_time_zone_name_uses_the_event_zone_for_bare_clocks() -> None:
    text = fixture("frab_small.json").replace('"time_zone_name": "Europe/Berlin",', "")
    schedule = parse(text, "frab_small.json")
    assert schedule.timezone is None
    assert utc(by_title(schedule, "No date, only a clock")) == "2024-03-01T14:00Z"  # London
    assert utc(by_title(schedule, "Midnight Hack Session")) == "2024-03-01T23:30Z"  # offset wins


def test_json_truncated_names_the_line() -> None:
    text = fixture("frab_small.json")
    cut = text[: text.index('"Midnight Hack')]
    for format_name in ("frab-json", "auto"):
        error = error_of(cut, "frab_small.json", format_name)
        assert error.message == (
            "frab_small.json, line 63: is not valid JSON (Expecting value at column 26)"
        )
        assert error.hint == "The file may be truncated: export it again."
    cut = text[: text.index('"Katika') + 5]  # inside a string that starts on line 40, column 19
    error = error_of(cut, "frab_small.json", "frab-json")
    assert error.message == (
        "frab_small.json, line 40: is not valid JSON (Unterminated string starting at column 19)"
    )


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            '"date": "2024-03-02T00:30:00+01:00"',
            '"date": "2024-13-02T00:30:00+01:00"',
            "schedule.conference.days.0.rooms.Saal 1.2.date: "
            "'2024-13-02T00:30:00+01:00' is not a date",
        ),
        (
            '"title": "Clock after midnight",',
            '"title": "   ",',
            "schedule.conference.days.0.rooms.Saal 2.1.title: every talk needs a title",
        ),
        (
            '"duration": "1:00",',
            '"duration": "1:75",',
            "schedule.conference.days.0.rooms.Saal 1.1.duration: "
            "'1:75' is not a duration (minutes must be under 60)",
        ),
        (
            '"duration": "1:00",',
            '"duration": null,',
            "schedule.conference.days.0.rooms.Saal 1.1.duration: "
            "missing: every talk needs a duration or an end",
        ),
        (
            '"start": "01:15",',
            '"start": "25:15",',
            "schedule.conference.days.0.rooms.Saal 2.1.start: '25:15' is not a time of day",
        ),
        (
            '"start": "01:15",',
            "",
            "schedule.conference.days.0.rooms.Saal 2.1.start: "
            "missing: every talk needs a date (or a day and a start time)",
        ),
        (
            '"end": "2024-03-01T15:40:00Z",',
            '"end": "soon",',
            "schedule.conference.days.0.rooms.Saal 2.2.end: 'soon' is not a date",
        ),
        (
            '"days": [',
            '"days": {}, "x": [',
            "schedule.conference.days: missing: the schedule has no days",
        ),
    ],
)
def test_json_bad_values_name_the_field(old: str, new: str, message: str) -> None:
    text = fixture("frab_small.json")
    assert old in text
    error = error_of(text.replace(old, new, 1), "frab_small.json")
    assert error.message == f"frab_small.json: {message}"


def test_json_that_is_not_a_schedule() -> None:
    error = error_of('{"schedule": {"version": "1"}}', "x.json")
    assert error.message == (
        "x.json: schedule.conference: missing: this is not a frab/pretalx schedule.json"
    )


# --- frab XML, own fixture ------------------------------------------------------------------


def test_xml_fixture_reads_direct_children_only() -> None:
    schedule = parse(fixture("frab_small.xml"), "frab_small.xml")
    assert schedule.format == "frab-xml"
    assert (schedule.title, schedule.timezone) == ("Mini Conference 2024", "Europe/Berlin")
    assert [(t.title, utc(t), t.day.isoformat(), t.kind) for t in schedule.talks] == [
        ("Keynote: Soldering for Everyone", "2024-03-01T09:00Z", "2024-03-01", "talk"),
        ("Coffee break", "2024-03-01T11:00Z", "2024-03-01", "break"),
        ("No date element", "2024-03-01T22:30Z", "2024-03-01", "talk"),
        ("After Midnight", "2024-03-01T23:20Z", "2024-03-02", "talk"),
        ("No date element, after midnight", "2024-03-02T01:00Z", "2024-03-02", "talk"),
    ]
    keynote = schedule.talks[0]
    # the attachment's <title>Lunch</title>/<type>Break</type> and the link's title are ignored
    assert keynote.kind == "talk"
    assert keynote.url == "https://example.org/mini/1"
    assert [p.name for p in keynote.speakers] == ["maya / 551724", "Katika Kühnreich"]
    assert keynote.abstract == "First paragraph\ncontinues here.\n\nSecond paragraph."
    assert (keynote.track, keynote.language, keynote.room) == ("Hardware", "en", "One")
    assert keynote.source_id == "a2dd3dc7-0000-50b3-82d9-000000000001"
    after = by_title(schedule, "After Midnight")
    assert after.end - after.start == timedelta(hours=2)  # D:HH:MM "0:02:00"
    assert [p.name for p in after.speakers] == ["Benny", "Ben"]
    undated = by_title(schedule, "No date element")
    assert (undated.room, undated.source_id) == ("Ground", "4")  # room from <room name>, id attr


def test_xml_truncated_names_the_line() -> None:
    text = fixture("frab_small.xml")
    error = error_of(text[: text.index("<title>After")], "frab_small.xml")
    assert error.message == (
        "frab_small.xml, line 67: is not well-formed XML (no element found at column 17)"
    )
    assert error.hint == "The file may be truncated: export it again."
    # line 40 is "                </persons>"; expat points at the tag name after "</"
    error = error_of(text.replace("</persons>\n", "</person>\n", 1), "frab_small.xml")
    assert error.message == (
        "frab_small.xml, line 40: is not well-formed XML (mismatched tag at column 19)"
    )


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "2024-03-02T00:20:00+01:00",
            "2024-03-02T25:20:00+01:00",
            "line 63: date: '2024-03-02T25:20:00+01:00' is not a date",
        ),
        (
            "<title>Coffee break</title>",
            "<title> </title>",
            "line 53: title: every talk needs a title",
        ),
        (
            "<duration>0:45</duration>",
            "<duration>0:75</duration>",
            "line 75: duration: '0:75' is not a duration (minutes must be under 60)",
        ),
        (
            "<start>02:00</start>",
            "",
            "line 78: start: missing: every talk needs a date (or a day and a start time)",
        ),
    ],
)
def test_xml_bad_values_name_the_line(old: str, new: str, message: str) -> None:
    text = fixture("frab_small.xml")
    assert old in text
    error = error_of(text.replace(old, new, 1), "frab_small.xml")
    assert error.message == f"frab_small.xml, {message}"


def test_xml_entities_are_refused() -> None:
    text = fixture("frab_small.xml").replace(
        "<schedule>", '<!DOCTYPE schedule [<!ENTITY lol "lol">]>\n<schedule>', 1
    )
    error = error_of(text, "frab_small.xml")
    assert error.message == (
        "frab_small.xml: declares XML entities or a DTD, "
        "which livepost refuses to expand for safety"
    )


def test_xml_with_another_root() -> None:
    error = error_of('<?xml version="1.0"?>\n<rss><channel/></rss>', "feed.xml")
    assert error.message == (
        "feed.xml, line 2: is XML, but its root element is <rss>, not <schedule>"
    )


# --- real exports -----------------------------------------------------------------------------


def test_real_democon_offsets_win_over_time_zone_name() -> None:
    text = real("voc_pretalx-democon.json")
    assert detect_format(text, "voc_pretalx-democon.json") == "frab-json"
    schedule = parse(text, "voc_pretalx-democon.json")
    assert len(schedule.talks) == 36
    assert schedule.timezone == "UTC"  # what the file says, although its times are +01:00
    assert {t.start.utcoffset() for t in schedule.talks} == {timedelta(hours=1)}
    first = schedule.talks[0]
    assert (first.title, utc(first), first.room) == (
        "Focused 5thgeneration hardware",
        "2020-12-14T08:00Z",
        "Gray Room",
    )
    assert [p.name for p in first.speakers] == ["Brian Robinson"]
    assert first.source_id == "8079583e-8321-506c-95af-fd2903a5f075"
    assert sum(len(t.speakers) > 1 for t in schedule.talks) == 6
    assert {t.room for t in schedule.talks} == {"Gray Room", "Tan Room"}
    assert {t.end - t.start for t in schedule.talks} == {
        timedelta(minutes=30),
        timedelta(minutes=90),
    }
    assert {t.kind for t in schedule.talks} == {"talk"}


def test_real_camp2019() -> None:
    text = real("voc_frab-camp2019.json")
    assert detect_format(text, "voc_frab-camp2019.json") == "frab-json"
    schedule = parse(text, "voc_frab-camp2019.json")
    assert len(schedule.talks) == 79
    assert (schedule.title, schedule.timezone) == ("Chaos Communication Camp 2019", "Europe/Berlin")
    opening = schedule.talks[0]
    assert (opening.title, utc(opening), opening.room) == (
        "Opening Ceremony",
        "2019-08-21T09:00Z",
        "Curie",
    )
    assert [p.name for p in opening.speakers] == ["jinxx", "smtw"]
    assert opening.source_id == "a0a0fcfe-b7fb-46e3-84b6-97a5406016b4"
    five_g = by_title(schedule, "Die 5G-Überwachungsstandards")  # "  " trailing in the file
    assert five_g.start.utcoffset() == timedelta(hours=2)
    assert sum(not t.speakers for t in schedule.talks) == 1
    assert sum(len(t.speakers) > 1 for t in schedule.talks) == 16
    assert all(t.title == " ".join(t.title.split()) for t in schedule.talks)


def test_real_camp2019_bad_date_names_the_field() -> None:
    text = real("voc_frab-camp2019.json")
    first_curie_date = '"date": "2019-08-21T11:00:00+02:00"'
    assert first_curie_date in text
    error = error_of(text.replace(first_curie_date, '"date": "2019-13-01"', 1), "camp.json")
    assert error.message == (
        "camp.json: schedule.conference.days.0.rooms.Curie.0.date: '2019-13-01' is not a date"
    )


def test_real_39c3_after_midnight_and_attachments() -> None:
    text = real("eventfahrplan_schedule-39c3-20251206.xml")
    assert detect_format(text, "schedule.xml") == "frab-xml"
    schedule = parse(text, "schedule.xml")
    assert len(schedule.talks) == 215
    assert (schedule.title, schedule.timezone) == (
        "39th Chaos Communications Congress",
        "Europe/Berlin",
    )
    (kitchen,) = [t for t in schedule.talks if t.start.isoformat() == "2025-12-28T00:20:00+01:00"]
    assert kitchen.title == (
        "Unnecessarily Complicated Kitchen – Die Wissenschaft des guten Geschmacks"
    )
    assert kitchen.day == date(2025, 12, 28)  # listed under <day date="2025-12-27">
    assert utc(kitchen) == "2025-12-27T23:20Z"
    assert (kitchen.kind, kitchen.room, [p.name for p in kitchen.speakers]) == (
        "talk",
        "One",
        ["LukasQ"],
    )
    assert sum(t.start.hour < 6 for t in schedule.talks) == 5
    # the only event with an attachment: its <title>/<type> must not leak in
    (hegemony,) = [
        t for t in schedule.talks if t.source_id == "c31906d3-4cd5-5b05-aebe-5ce1538c70b8"
    ]
    assert hegemony.title == "Hegemony Eroding: Excavating Diversity in Latent Space"
    assert (hegemony.kind, hegemony.room, utc(hegemony)) == ("talk", "Fuse", "2025-12-29T20:05Z")
    first = by_title(schedule, "All my Deutschlandtickets gone: Fraud at an industrial scale")
    assert [p.name for p in first.speakers] == ["Q Misell", "maya / 551724"]
    assert utc(first) == "2025-12-27T15:00Z"
    assert sum(not t.speakers for t in schedule.talks) == 5
    assert sum(len(t.speakers) > 1 for t in schedule.talks) == 71
    assert (
        "Auf die Dauer hilft nur Power: Herausforderungen für dezentrale Netzwerke aus Sicht "
        "der Soziologie"
    ) in {t.title for t in schedule.talks}


@pytest.mark.parametrize(
    ("type_name", "title", "kind"),
    [
        ("Pause", "Kurze Unterbrechung", "break"),
        ("lecture", "Coffee Break", "break"),
        ("other", "Lunch & networking", "break"),
        ("Talk", "Breaking the Code", "talk"),
        ("Talk", "Lunch with the Board: a panel", "talk"),
        (None, "Opening Session", "talk"),
    ],
)
def test_break_kinds(type_name: str | None, title: str, kind: str) -> None:
    from livepost.schedule.fields import guess_kind

    assert guess_kind(type_name, title) == kind
