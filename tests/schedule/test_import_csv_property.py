"""Any text fed to the CSV importer gives a Schedule or a LivepostError, never another exception."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from livepost.errors import LivepostError
from livepost.model import Schedule
from livepost.schedule import parse_schedule

HEADERS = ["start", "Date", "title", "Speakers", "room", "duration", "end", "id", "type", "tags"]
CELLS = st.one_of(
    st.sampled_from(
        [
            "",
            "10:00",
            "25:00",
            "9am",
            "23.06.2011",
            "2011-06-23",
            "31/02/2011",
            "0001-01-01T00:00+05:00",
            "9999-12-31T23:59",
            "2011-06-23T10:00:00Z",
            "1:30",
            "99999",
            "P9999999D",
            "5:andi|6:bob",
            "break",
            '"quoted, cell"',
            '"unclosed',
            "a\nb",
            "\x00",
        ]
    ),
    st.text(max_size=12),
)


def _check(text: str) -> None:
    try:
        result = parse_schedule(
            text,
            path="prop.csv",
            timezone=ZoneInfo("Europe/Berlin"),
            format_name="csv",
            day=date(2026, 6, 18),
        )
    except LivepostError:
        return
    assert isinstance(result, Schedule)
    assert result.talks


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=300))
@example("")
@example("start,title\n")
@example('start,title\n"')
def test_any_text(text: str) -> None:
    _check(text)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.sampled_from(HEADERS), min_size=1, max_size=6, unique=True),
    st.lists(st.lists(CELLS, min_size=0, max_size=7), min_size=0, max_size=5),
    st.sampled_from([",", ";", "\t"]),
)
def test_programme_shaped_text(header: list[str], rows: list[list[str]], sep: str) -> None:
    lines = [sep.join(header), *(sep.join(row) for row in rows)]
    _check("\n".join(lines))
