"""The demo plays today: its copy of the demo event is dated so that nothing is in the past."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from livepost.devtools.demo import demo_day, prepare_demo
from tests.clirunner import run_livepost

REPO = Path(__file__).resolve().parents[2]
LONDON = ZoneInfo("Europe/London")
FIRST = datetime(2026, 6, 18, 8, 45, tzinfo=LONDON)  # registration; the day opens at 08:30
OPENING = timedelta(minutes=15)


def test_the_demo_is_today_until_its_first_post_is_nearly_due() -> None:
    early = datetime(2026, 11, 28, 8, 14, tzinfo=LONDON).astimezone(UTC)
    assert demo_day(FIRST, OPENING, early) == date(2026, 11, 28)
    late = datetime(2026, 11, 28, 8, 16, tzinfo=LONDON).astimezone(UTC)
    assert demo_day(FIRST, OPENING, late) == date(2026, 11, 29)
    # the event's own date, not UTC's: 23:30 in Los Angeles is already tomorrow in London
    night = datetime(2026, 11, 28, 23, 30, tzinfo=ZoneInfo("America/Los_Angeles"))
    assert demo_day(FIRST, OPENING, night) == date(2026, 11, 29)


def test_the_demo_copy_plans_nothing_in_the_past(tmp_path: Path) -> None:
    source = REPO / "schedules" / "ccprconf26"
    demo = prepare_demo(source, tmp_path)
    assert demo.folder == tmp_path / "ccprconf26"
    assert f"date: {demo.day.isoformat()}\n" in (demo.folder / "schedule.yaml").read_text()
    assert "date: 2026-06-18\n" in (source / "schedule.yaml").read_text()  # the original stays
    assert sorted(p.name for p in (demo.folder / "notes").iterdir()) == sorted(
        p.name for p in (source / "notes").iterdir()
    )
    assert run_livepost("--event", demo.folder, "schedule", "import").code == 0
    planned = run_livepost("--event", demo.folder, "plan", "--day", demo.day.isoformat())
    assert planned.code == 0, planned.err
    assert f"day-open/{demo.day.isoformat()}" in planned.out
    assert "Queue: 59 added" in planned.out
    assert "in the past" not in planned.out + planned.err
    assert "missed" not in planned.out + planned.err
