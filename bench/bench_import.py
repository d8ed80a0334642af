"""Schedule import into a fresh SQLite file: parse time and save time, printed separately.

Cases: the 39C3 frab XML from ``../shared/real-schedules`` (skipped when absent or when the frab
XML importer is missing) and a generated 10,000-talk frab JSON in pretalx's ``schedule.json``
shape; each imported once into an empty database and then again unchanged (the re-import path:
load, match ids, compare). Target: under 2 s in total for the 10,000 talks.

    .venv/bin/python bench/bench_import.py [--talks 10000] [--seed 1]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import random
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from livepost.config import default_database_url  # noqa: E402
from livepost.model import Schedule  # noqa: E402
from livepost.schedule import parse_schedule  # noqa: E402
from livepost.schedule.common import read_text  # noqa: E402
from livepost.store.engine import open_database, session_scope  # noqa: E402
from livepost.store.talks import ImportReport, ensure_event, save_schedule  # noqa: E402

XML_39C3 = ROOT / ".." / "shared" / "real-schedules" / "eventfahrplan_schedule-39c3-20251206.xml"
ZONE = "Europe/Berlin"
_WORDS = (
    "open data policing justice child first rust python kernel privacy networks community "
    "archives radio satellites hardware security ethics climate energy cities maps music "
    "education health courts youth research design typography accessibility protocols"
)
_FIRST = "Ada Ben Chloe Dev Emeka Fatima Grace Hiro Ines Jo Kemal Lena Mo Nadia Omar Priya"
_LAST = "Allnock Mozova Mockeridge Mohamed Nguyen Okafor Petrov Quinn Rossi Silva Tanaka"
WORDS, FIRST, LAST = _WORDS.split(" "), _FIRST.split(" "), _LAST.split(" ")


def generate_frab_json(talks: int, seed: int) -> str:
    """A pretalx-style ``schedule.json`` with ``talks`` events over 20 rooms, 25 slots a day."""
    rng = random.Random(seed)
    zone = ZoneInfo(ZONE)
    rooms = [f"Room {chr(65 + i % 26)}{i // 26 or ''}" for i in range(20)]
    per_day = len(rooms) * 25
    days: list[dict[str, Any]] = []
    first_day = date(2026, 12, 27)
    number = 0
    for day_index in range((talks + per_day - 1) // per_day):
        day = first_day + timedelta(days=day_index)
        by_room: dict[str, list[dict[str, Any]]] = {}
        for room in rooms:
            events = []
            for slot in range(25):
                if number >= talks:
                    break
                number += 1
                start = datetime(day.year, day.month, day.day, 8, tzinfo=zone) + timedelta(
                    minutes=30 * slot
                )
                title = " ".join(rng.choice(WORDS).capitalize() for _ in range(4)) + f" {number}"
                speakers = [
                    {"public_name": f"{rng.choice(FIRST)} {rng.choice(LAST)} {rng.randrange(400)}"}
                    for _ in range(rng.randint(1, 3))
                ]
                events.append(
                    {
                        "guid": f"00000000-0000-4000-8000-{number:012d}",
                        "id": number,
                        "date": start.isoformat(),
                        "start": start.strftime("%H:%M"),
                        "duration": "00:30",
                        "room": room,
                        "slug": f"bench-{number}",
                        "title": title,
                        "subtitle": "",
                        "track": rng.choice(["Science", "Ethics", "Hardware", "Community"]),
                        "type": "Talk",
                        "language": rng.choice(["en", "de"]),
                        "abstract": f"About {title.lower()}.",
                        "persons": speakers,
                        "links": [],
                        "url": f"https://example.org/bench/talk/{number}/",
                    }
                )
            by_room[room] = events
        days.append({"index": day_index + 1, "date": day.isoformat(), "rooms": by_room})
    conference = {"title": "Bench Congress", "time_zone_name": ZONE, "days": days}
    return json.dumps({"schedule": {"version": "bench", "conference": conference}})


def timed(action: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


def run_case(name: str, text: str, path: str, format_name: str, folder: Path) -> list[str]:
    """Import ``text`` twice into a fresh SQLite file in ``folder``; one table row per import."""
    engine = open_database(default_database_url(folder))
    with session_scope(engine) as session:
        ensure_event(session, "bench", name, ZONE)

    def parse() -> Schedule:
        return parse_schedule(text, path=path, timezone=ZoneInfo(ZONE), format_name=format_name)

    def save(schedule: Schedule) -> ImportReport:
        with session_scope(engine) as session:
            return save_schedule(session, "bench", schedule)

    rows = []
    for label in ("first import", "re-import"):
        parse_s, schedule = timed(parse)
        save_s, report = timed(partial(save, schedule))
        summary = f"+{len(report.added)} ~{len(report.changed)} ={report.unchanged}"
        rows.append(
            f"{name:<24}{label:<14}{len(schedule.talks):>7}{parse_s:>9.3f}{save_s:>9.3f}"
            f"{parse_s + save_s:>9.3f}  {summary}"
        )
    engine.dispose()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--talks", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    rows: list[str] = []
    notes: list[str] = []
    with tempfile.TemporaryDirectory(prefix="livepost-bench-") as tmp:
        if importlib.util.find_spec("livepost.schedule.frab_xml") is None:
            notes.append("39C3 XML: skipped (livepost.schedule.frab_xml does not exist yet)")
        elif not XML_39C3.is_file():
            notes.append(f"39C3 XML: skipped ({XML_39C3} is absent)")
        else:
            folder = Path(tmp, "xml")
            folder.mkdir()
            rows += run_case(
                "39C3 frab XML", read_text(XML_39C3), str(XML_39C3), "frab-xml", folder
            )

        generated = generate_frab_json(args.talks, args.seed)
        if importlib.util.find_spec("livepost.schedule.frab_json") is None:
            notes.append("generated JSON: skipped (livepost.schedule.frab_json does not exist yet)")
        else:
            folder = Path(tmp, "json")
            folder.mkdir()
            name = f"generated {args.talks} JSON"
            rows += run_case(name, generated, "generated.json", "frab-json", folder)

    header = f"{'case':<24}{'import':<14}{'talks':>7}{'parse s':>9}{'save s':>9}{'total s':>9}"
    print(f"{header}  +added ~changed =unchanged")
    print("\n".join(rows))
    for note in notes:
        print(note)
    print("target: generated 10000 JSON, first import, total under 2 s")


if __name__ == "__main__":
    main()
