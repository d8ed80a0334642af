"""Property: the pasted-text importer turns *any* text into a Schedule or a LivepostError."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from livepost.errors import LivepostError
from livepost.model import Schedule
from livepost.schedule.common import ImportContext
from livepost.schedule.text import parse

CTX = ImportContext("programme.txt", ZoneInfo("Europe/London"), date(2026, 3, 29))  # DST day

_TIMES = st.sampled_from(
    ["11.30", "11:30", "9am", "9.15am", "12.30", "1.30", "23:45", "00:15", "25:00", "9", "7 pm"]
)
_SEPARATORS = st.sampled_from([" ", "-", " – ", " to ", "\t", ":"])
_WORDS = st.sampled_from(
    [
        "Welcome",
        "and",
        "introduction,",
        "Dr",
        "Debra",
        "Allnock",
        "by",
        "will examine",
        "Lunch",
        "Coffee",
        "Close",
        "Speaker:",
        "- ",
        "O'Neill",
        "(Kent Police)",
        "\t",
        "|",
        "on",
        ".",
    ]
)
_LINE = st.one_of(
    st.tuples(_TIMES, _SEPARATORS, _TIMES, st.lists(_WORDS, max_size=8)).map(
        lambda t: f"{t[0]}{t[1]}{t[2]} {' '.join(t[3])}"
    ),
    st.tuples(_TIMES, st.lists(_WORDS, max_size=8)).map(lambda t: f"{t[0]} {' '.join(t[1])}"),
    st.lists(_WORDS, max_size=8).map(" ".join),
    st.text(max_size=40),
    st.just(""),
)


def _check(text: str, ctx: ImportContext = CTX) -> None:
    try:
        result = parse(text, ctx)
    except LivepostError:
        return
    assert isinstance(result, Schedule)
    assert result.talks
    for talk in result.talks:
        assert talk.title
        assert talk.start.tzinfo is not None
        assert talk.end >= talk.start


@settings(max_examples=300, deadline=None)
@given(st.lists(_LINE, max_size=12).map("\n".join))
def test_programme_like_text_gives_schedule_or_livepost_error(text: str) -> None:
    _check(text)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_any_text_gives_schedule_or_livepost_error(text: str) -> None:
    _check(text)


@settings(max_examples=50, deadline=None)
@given(st.lists(_LINE, max_size=6).map("\n".join))
def test_without_a_date_any_text_gives_schedule_or_livepost_error(text: str) -> None:
    _check(text, ImportContext("programme.txt", ZoneInfo("UTC"), None))
