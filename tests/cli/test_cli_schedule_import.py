"""`livepost schedule import` on spreadsheets: columns reported, --column, renamed/moved talks,
and an import that would withdraw most talks stopping (exit 4) until --allow-withdraw."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tests.clirunner import run_livepost

SHEET = """\
Day,Start,End,Room,Session,Paper title,Presenter(s),Affiliation,Notes
15/04/2027,09:00,09:30,Foyer,,Registration and coffee,,,
15/04/2027,09:30,10:15,Hall,Plenary,Programmes from everywhere,Dr Jo Mockeridge,Kent,
15/04/2027,10:30,11:00,Room 2,Panel A,Red flags,张伟,清华大学,
15/04/2027,11:00,11:30,Room 2,Panel A,مستقبل الذكاء الاصطناعي,محمد العلي,,
"""


def active_titles(event: Path) -> list[str]:
    rows = sqlite3.connect(event / "livepost.db").execute(
        "select title from talks where withdrawn = 0 order by start_utc, title"
    )
    return [title for (title,) in rows]


def test_spreadsheet_import_reports_columns_renames_moves_and_refuses_a_wipe(
    demo_event: Path,
) -> None:
    sheet = demo_event / "programme.csv"
    sheet.write_text(SHEET, encoding="utf-8")
    first = run_livepost("--event", demo_event, "schedule", "import", sheet)
    assert first.code == 0, first.err
    assert (
        "  columns used: 'Start' as start, 'Day' as date, 'Paper title' as title, 'Presenter(s)' "
        "as speakers, 'Affiliation' as affiliation, 'Room' as room, 'End' as end, 'Session' as "
        "track\n  columns ignored: 'Notes'\n"
    ) in first.out
    assert "  + mstqbl-ldhk-lstn-y  Thu 15 Apr 11:00  مستقبل الذكاء الاصطناعي\n" in first.out

    edited = SHEET.replace("Red flags", "Red flags in policing").replace(
        "15/04/2027,11:00,11:30,Room 2", "15/04/2027,11:30,12:00,Room 3"
    )
    sheet.write_text(edited, encoding="utf-8")
    again = run_livepost("--event", demo_event, "schedule", "import", sheet)
    assert again.code == 0, again.err
    assert "  ~ red-flags  renamed: Red flags → Red flags in policing\n" in again.out
    assert (
        "  ~ mstqbl-ldhk-lstn-y  moved: Thu 11:00 → Thu 11:30, Room 2 → Room 3; "
        "changed: end Thu 11:30 → Thu 12:00\n"
    ) in again.out

    before = active_titles(demo_event)
    sheet.write_text(SHEET.splitlines()[0] + "\n" + SHEET.splitlines()[1] + "\n", encoding="utf-8")
    wipe = run_livepost("--event", demo_event, "schedule", "import", sheet)
    assert wipe.code == 4
    assert "would withdraw 3 of the event's 4 talks: programmes-everywhere" in wipe.err
    assert "--allow-withdraw" in wipe.err
    assert active_titles(demo_event) == before
    allowed = run_livepost("--event", demo_event, "schedule", "import", sheet, "--allow-withdraw")
    assert allowed.code == 0, allowed.err
    assert active_titles(demo_event) == ["Registration and coffee"]


def test_column_option_overrides_the_guess(demo_event: Path) -> None:
    sheet = demo_event / "programme.csv"
    sheet.write_text(SHEET.replace(",Foyer,,", ",Foyer,Arrival,"), encoding="utf-8")
    result = run_livepost(
        "--event", demo_event, "schedule", "import", sheet, "--column", "title=Session"
    )
    assert result.code == 0, result.err
    assert "'Session' as title" in result.out
    assert "Panel A" in active_titles(demo_event)
    bad = run_livepost("--event", demo_event, "schedule", "import", sheet, "--column", "title")
    assert bad.code == 2
    assert "is not FIELD=HEADER" in bad.err
