"""The comms officer's first steps on the demo event, through the real command line."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

from tests.clirunner import run_livepost


def test_import_show_and_reimport(demo_event: Path) -> None:
    first = run_livepost("--event", demo_event, "schedule", "import")
    assert first.code == 0, first.err
    assert first.out.startswith(
        f"Imported 18 items from {demo_event / 'schedule.yaml'} (yaml): 18 added, 0 changed, "
        "0 withdrawn, 0 unchanged.\n"
    )
    assert (
        "  + red-flags-police-misconduct  Thu 18 Jun 15:45  Red Flags for Police Misconduct\n"
        in (first.out)
    )
    shown = run_livepost("--event", demo_event, "schedule", "show", "--json")
    talks = json.loads(shown.out)
    red_flags = next(t for t in talks if t["id"] == "red-flags-police-misconduct")
    assert red_flags["speakers"] == ["Dr Martin O'Neill", "Dr Katarina Mozova"]
    assert red_flags["start"] == "2026-06-18T15:45:00+01:00"
    assert red_flags["kind"] == "talk"
    assert [t["kind"] for t in talks].count("break") == 4

    schedule = demo_event / "schedule.yaml"
    text = schedule.read_text(encoding="utf-8")
    moved = text.replace('start: "15:45"', 'start: "16:00"', 1)
    assert moved != text
    schedule.write_text(moved, encoding="utf-8")
    again = run_livepost("--event", demo_event, "schedule", "import")
    assert again.code == 0, again.err
    assert "0 added, 1 changed, 0 withdrawn, 17 unchanged." in again.out
    assert "  ~ red-flags-police-misconduct  moved: Thu 15:45 → Thu 16:00" in again.out

    rows = (
        sqlite3.connect(demo_event / "livepost.db")
        .execute("select start_utc from talks where talk_id = 'red-flags-police-misconduct'")
        .fetchall()
    )
    assert [r[0][:19] for r in rows] == ["2026-06-18 15:00:00"]


def test_broken_programme_changes_nothing(demo_event: Path) -> None:
    assert run_livepost("--event", demo_event, "schedule", "import").code == 0
    bad = demo_event / "broken.csv"
    bad.write_text("title,start,room\nKeynote,25:00,Main\n", encoding="utf-8")
    result = run_livepost("--event", demo_event, "schedule", "import", bad, "--date", "2026-06-18")
    assert result.code == 4
    assert result.err.startswith(f"Error: {bad}, line 2: column 'start': '25:00'")
    assert "Traceback" not in result.err
    count = (
        sqlite3.connect(demo_event / "livepost.db")
        .execute("select count(*) from talks where withdrawn = 0")
        .fetchone()
    )
    assert count == (18,)


def test_notes_check_reports_file_and_line(demo_event: Path) -> None:
    ok = run_livepost("--event", demo_event, "notes", "check")
    assert ok.code == 0, ok.out + ok.err
    assert ok.out.startswith("Notes OK: ")
    stray = demo_event / "notes" / "red-flags.md"
    stray.write_text("A snippet for a talk id that does not exist.\n", encoding="utf-8")
    bad = run_livepost("--event", demo_event, "notes", "check")
    assert bad.code == 4
    assert f"{stray}" in bad.out and "red-flags-police-misconduct" in bad.out


def test_compose_json_contract(demo_event: Path) -> None:
    result = run_livepost(
        "--event",
        demo_event,
        "compose",
        "--json",
        "Peaks at 2.5 and 18 years service. More: https://ordo.open.ac.uk/articles/dataset/x",
    )
    assert result.code == 0, result.err
    posts = json.loads(result.out)
    assert len(posts) == 1
    post = posts[0]
    assert post["text"] == (
        "Peaks at 2.5 and 18 years service. More: ordo.open.ac.uk/articles/dat...\n#ccprconf26"
    )  # shortened for display as the official app does; the facet keeps the full URI
    assert post["langs"] == ["en-GB"]
    assert (post["graphemes"], post["bytes"]) == (84, 84)
    assert post["facets"] == [
        {
            "byteStart": 41,
            "byteEnd": 72,
            "type": "link",
            "value": "https://ordo.open.ac.uk/articles/dataset/x",
        },
        {"byteStart": 73, "byteEnd": 84, "type": "tag", "value": "ccprconf26"},
    ]


def test_compose_outside_an_event_reads_stdin_and_adds_no_hashtags(tmp_path: Path) -> None:
    piped = subprocess.run(
        [sys.executable, "-m", "livepost", "compose", "--json", "-"],
        input="Hello from stdin #tag",
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert piped.returncode == 0, piped.stderr
    assert [p["text"] for p in json.loads(piped.stdout)] == ["Hello from stdin #tag"]


def test_compose_announcement_in_house_style(demo_event: Path) -> None:
    result = run_livepost(
        "--event",
        demo_event,
        "compose",
        "--json",
        "--kind",
        "announcement",
        "--talk",
        "ethnic-minority-officers-specialised-units",
        "",
    )
    assert result.code == 0, result.err
    assert json.loads(result.out)[0]["text"] == (
        "Next - Mohamed Omar Mohamed on Ethnic Minority Officers within the specialised units in "
        "the UK Police Services\n#ccprconf26 #EthnicMinority #UKPolicing"
    )  # the event's tag first, then the talk's own tags from the programme


def test_card_writes_an_image_and_prints_alt_text(demo_event: Path, tmp_path: Path) -> None:
    from PIL import Image

    out = tmp_path / "cards" / "red-flags.png"
    result = run_livepost(
        "--event", demo_event, "card", "red-flags-police-misconduct", "--out", out
    )
    assert result.code == 0, result.err
    with Image.open(out) as image:
        assert image.size == (1200, 675)
        assert image.format == "PNG"
    assert out.stat().st_size <= 976 * 1024
    assert result.out.splitlines()[-1] == (
        "alt: Card: talk at 15:45 in Lecture Theatre 1, 'Red Flags for Police Misconduct' "
        "by Dr Martin O'Neill (Canterbury Centre for Policing Research) and Dr Katarina Mozova "
        "(Canterbury Centre for Policing Research)"
    )


def test_card_for_an_unknown_talk_suggests_ids(demo_event: Path, tmp_path: Path) -> None:
    result = run_livepost("--event", demo_event, "card", "red-flag", "--out", tmp_path / "x.png")
    assert result.code == 3
    assert result.err == (
        "Error: no talk with id 'red-flag'\n"
        "Did you mean: red-flags-police-misconduct? See the ids with: livepost schedule show\n"
    )
    assert not (tmp_path / "x.png").exists()
