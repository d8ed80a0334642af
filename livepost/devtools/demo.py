"""The demo event, dated so that it plays today: ``python -m livepost.devtools.demo SOURCE DEST``.

The bundled demo (``schedules/ccprconf26``) is a one-day programme with a fixed date. Rehearsed
as it is, once that date has passed, ``plan`` warns that every post is planned in the past: a
warning about the demo's own dates, not about the user's data. So ``scripts/demo.sh`` works on a
copy whose programme is moved to today, or to tomorrow when today's first post would already be
due (the times of day, rooms and notes stay as they are).
"""

from __future__ import annotations

import re
import shutil
import sys
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from livepost.config import load_settings
from livepost.schedule import load_schedule

#: the programme's ``date:`` line (livepost's YAML format, a one-day event)
_DATE_LINE = re.compile(r"^date:\s*(\d{4}-\d{2}-\d{2})\s*$", re.M)
#: time for the demo's first steps before ``plan`` (import, show, notes check, doctor)
MARGIN = timedelta(minutes=15)


def demo_day(first_start: datetime, opening: timedelta, now: datetime) -> date:
    """Today in the event's time zone, or tomorrow if today's first post is (almost) due.

    ``first_start`` is the first item's start on any day (aware, in the event's zone): only its
    time of day counts.
    """
    zone = first_start.tzinfo
    today = now.astimezone(zone).date()
    first_post = datetime.combine(today, first_start.timetz()) - opening
    return today if now + MARGIN <= first_post else today + timedelta(days=1)


@dataclass(frozen=True)
class DemoEvent:
    folder: Path
    day: date
    today: bool  # else tomorrow: today's programme has begun


def prepare_demo(source: Path, dest: Path, now: datetime | None = None) -> DemoEvent:
    """Copy the demo event ``source`` into ``dest`` (replacing an earlier copy), dated to
    :func:`demo_day`."""

    now = now or datetime.now(UTC)
    target = dest / source.name
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(source, target)
    settings = load_settings(target, environ={})
    path = settings.schedule_path
    if path is None:
        raise ValueError(f"{source}: livepost.toml names no schedule")
    text = path.read_text(encoding="utf-8")
    if len(_DATE_LINE.findall(text)) != 1:
        raise ValueError(f"{path}: the demo programme needs exactly one top-level 'date:' line")
    talks = load_schedule(path, timezone=settings.zone).talks
    first = min(t.start for t in talks).astimezone(settings.zone)
    opening = timedelta(minutes=settings.plan.opening_minutes if settings.plan.day_posts else 0)
    day = demo_day(first, opening, now)
    path.write_text(_DATE_LINE.sub(f"date: {day.isoformat()}", text), encoding="utf-8")
    moved = load_schedule(path, timezone=settings.zone).talks
    if any(t.start.astimezone(settings.zone).date() != day for t in moved):
        raise ValueError(f"{path}: the demo programme must be one day long")
    return DemoEvent(target, day, today=day == now.astimezone(settings.zone).date())


def main(argv: list[str]) -> int:
    """Print the day of the copy (YYYY-MM-DD) on stdout, and what was done on stderr."""
    if len(argv) != 2:
        print("usage: python -m livepost.devtools.demo SOURCE_EVENT DEST_FOLDER", file=sys.stderr)
        return 2
    demo = prepare_demo(Path(argv[0]), Path(argv[1]))
    when = "today" if demo.today else "tomorrow, as today's programme would have begun already"
    print(
        f"The demo event in {demo.folder} is dated {when} ({demo.day:%A %d %B %Y}), so that it "
        "plays as the day will look.",
        file=sys.stderr,
    )
    print(demo.day.isoformat())
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
