"""Terminal output at the width of a real terminal: ids intact, titles wrapped, not cut."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from tests.clirunner import run_livepost


@pytest.mark.parametrize("columns", [80, 60])
def test_schedule_show_reads_well_in_a_narrow_terminal(demo_event: Path, columns: int) -> None:
    imported = run_livepost("--event", demo_event, "schedule", "import")
    assert imported.code == 0, imported.err
    shown = run_livepost("--event", demo_event, "schedule", "show", env={"COLUMNS": str(columns)})
    assert shown.code == 0, shown.err
    lines = shown.out.splitlines()
    assert max(len(line.rstrip()) for line in lines) <= columns
    assert "…" not in shown.out  # nothing ellipsized
    # the text of each cell, row by row: "│ 09:45-10:30 │ keynote-… │ Lecture │" -> cells
    cells = [[c.strip() for c in line.split("│")[1:-1]] for line in lines if "│" in line]
    talk_column = "\n".join(row[1] for row in cells if len(row) > 1)
    words = " ".join(talk_column.split())
    programme = yaml.safe_load((demo_event / "schedule.yaml").read_text(encoding="utf-8"))
    for talk in programme["talks"]:
        assert re.search(rf"^{re.escape(talk['id'])}$", talk_column, re.M), talk["id"]
        assert " ".join(talk["title"].split()) in words  # wrapped over lines, but all there
    if columns == 80:
        assert lines[1].count("┳") == 2  # time, talk, room
        assert "Seminar Room 2" in shown.out


def test_schedule_show_has_a_column_each_when_wide(demo_event: Path) -> None:
    run_livepost("--event", demo_event, "schedule", "import")
    shown = run_livepost("--event", demo_event, "schedule", "show", env={"COLUMNS": "160"})
    header = next(line for line in shown.out.splitlines() if line.startswith("┃"))
    assert [h.strip() for h in header.strip("┃").split("┃")] == [
        "time",
        "room",
        "id",
        "title",
        "speakers",
    ]
    assert "neighbourhood-policing-community-confidence" in shown.out
