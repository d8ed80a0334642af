"""Import of the new programme formats at 10,000 sessions, beside the frab JSON import.

Generates a Sessionize "All data" export and an .xlsx workbook (a title row, then a header, date
and time cells) with ``--talks`` sessions each, plus the frab JSON of ``bench_import.py`` as the
reference; each is imported into a fresh SQLite file (parse + save) and then again unchanged.
Target: Sessionize and xlsx first imports under 2 s each.

    .venv/bin/python bench/bench_schedule_formats.py [--talks 10000] [--seed 1]
"""

from __future__ import annotations

import argparse
import io
import json
import random
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_import import FIRST, LAST, WORDS, ZONE, generate_frab_json  # noqa: E402

from livepost.config import default_database_url  # noqa: E402
from livepost.schedule import parse_schedule_bytes  # noqa: E402
from livepost.store.engine import open_database, session_scope  # noqa: E402
from livepost.store.talks import ensure_event, save_schedule  # noqa: E402

ROOMS = [f"Room {i + 1}" for i in range(20)]
SLOTS = 25  # per room and day, 30 minutes each from 08:00


def _slots(talks: int) -> list[tuple[int, datetime, str]]:
    """(number, naive local start, room) for every generated session."""
    out = []
    first = datetime(2027, 4, 15, 8, 0)
    for number in range(talks):
        day, rest = divmod(number, len(ROOMS) * SLOTS)
        room, slot = divmod(rest, SLOTS)
        out.append((number + 1, first + timedelta(days=day, minutes=30 * slot), ROOMS[room]))
    return out


def _title(rng: random.Random, number: int) -> str:
    return " ".join(rng.choice(WORDS).capitalize() for _ in range(4)) + f" {number}"


def generate_sessionize(talks: int, seed: int) -> bytes:
    """A Sessionize All-data export: speakers by id, rooms by id, a track category."""
    rng = random.Random(seed)
    speakers = [
        {
            "id": f"spk-{i}",
            "fullName": f"{rng.choice(FIRST)} {rng.choice(LAST)} {i}",
            "tagLine": "Example University",
            "links": [{"linkType": "Bluesky", "url": f"https://bsky.app/profile/s{i}.bsky.social"}],
        }
        for i in range(2000)
    ]
    sessions = [
        {
            "id": str(number),
            "title": _title(rng, number),
            "description": "About it.",
            "startsAt": start.isoformat(),
            "endsAt": (start + timedelta(minutes=30)).isoformat(),
            "isServiceSession": False,
            "isPlenumSession": False,
            "speakers": [f"spk-{rng.randrange(2000)}" for _ in range(rng.randint(1, 3))],
            "categoryItems": [rng.randrange(4)],
            "roomId": ROOMS.index(room),
        }
        for number, start, room in _slots(talks)
    ]
    data: dict[str, Any] = {
        "sessions": sessions,
        "speakers": speakers,
        "rooms": [{"id": i, "name": name} for i, name in enumerate(ROOMS)],
        "categories": [
            {"id": 9, "title": "Track", "items": [{"id": i, "name": f"T{i}"} for i in range(4)]}
        ],
    }
    return b"\xef\xbb\xbf" + json.dumps(data, ensure_ascii=False).encode("utf-8")


def generate_xlsx(talks: int, seed: int) -> bytes:
    """A workbook: a title row, a blank row, the header, then one row per session."""
    from openpyxl import Workbook

    rng = random.Random(seed)
    book = Workbook()  # not write_only: like Excel, it records the sheet's dimension
    sheet = book.active
    assert sheet is not None
    sheet.title = "Programme"
    sheet.append(["Bench Congress 2027 – programme"])
    sheet.append([])
    sheet.append(["Day", "Start", "End", "Room", "Session", "Paper title", "Presenter(s)"])
    for number, start, room in _slots(talks):
        names = "; ".join(f"{rng.choice(FIRST)} {rng.choice(LAST)}" for _ in range(2))
        end = (start + timedelta(minutes=30)).time()
        sheet.append([start.date(), start.time(), end, room, "Panel", _title(rng, number), names])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def run_case(name: str, data: bytes, path: str, folder: Path) -> list[str]:
    engine = open_database(default_database_url(folder))
    with session_scope(engine) as session:
        ensure_event(session, "bench", name, ZONE)
    rows = []
    for label in ("first import", "re-import"):
        started = time.perf_counter()
        schedule = parse_schedule_bytes(data, path=path, timezone=ZoneInfo(ZONE))
        parsed = time.perf_counter()
        with session_scope(engine) as session:
            report = save_schedule(session, "bench", schedule, zone=ZoneInfo(ZONE))
        saved = time.perf_counter()
        rows.append(
            f"{name:<22}{label:<14}{len(schedule.talks):>7}{parsed - started:>9.3f}"
            f"{saved - parsed:>9.3f}{saved - started:>9.3f}  +{len(report.added)} "
            f"={report.unchanged}"
        )
    engine.dispose()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--talks", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    cases = {
        "frab JSON (reference)": (
            generate_frab_json(args.talks, args.seed).encode("utf-8"),
            "bench.json",
        ),
        "Sessionize All data": (generate_sessionize(args.talks, args.seed), "sessionize.json"),
        "xlsx workbook": (generate_xlsx(args.talks, args.seed), "programme.xlsx"),
    }
    rows: list[str] = []
    with tempfile.TemporaryDirectory(prefix="livepost-bench-") as tmp:
        for i, (name, (data, path)) in enumerate(cases.items()):
            folder = Path(tmp, str(i))
            folder.mkdir()
            rows += run_case(name, data, path, folder)
    header = f"{'case':<22}{'import':<14}{'talks':>7}{'parse s':>9}{'save s':>9}{'total s':>9}"
    print(f"{header}  +added =unchanged")
    print("\n".join(rows))
    print(f"target: Sessionize and xlsx first import under 2 s ({date.today().isoformat()})")


if __name__ == "__main__":
    main()
