"""A full disk while writing a report, a card or the preview's cards: a clear error, exit 5, and
no partial file (no 0-byte PNG, no truncated report)."""

from __future__ import annotations

from pathlib import Path

from tests.clirunner import run_livepost
from tests.conftest import fill_disk

TALK = "red-flags-police-misconduct"


def test_nothing_half_written_on_a_full_disk(demo_event: Path, small_disk: Path) -> None:
    assert run_livepost("--event", demo_event, "schedule", "import").code == 0
    filler = fill_disk(small_disk)
    before = sorted(p.name for p in small_disk.iterdir())
    for args, target in [
        (["card", TALK, "--out", str(small_disk / "card.png")], small_disk / "card.png"),
        (
            ["export", "--format", "html", "--out", str(small_disk / "report.html")],
            small_disk / "report.html",
        ),
        (["preview", "--out", str(small_disk)], small_disk / "welcome-opening-remarks.png"),
    ]:
        done = run_livepost("--event", demo_event, *args)
        assert done.code == 5, (args, done.out, done.err)
        assert "Traceback" not in done.err
        assert f"Error: cannot write {target}: the disk is full\n" in done.err, done.err
        assert "Nothing was written. Free some space" in done.err
        assert sorted(p.name for p in small_disk.iterdir()) == before  # no partial file
    filler.unlink()
    done = run_livepost("--event", demo_event, "card", TALK, "--out", str(small_disk / "card.png"))
    assert done.code == 0 and (small_disk / "card.png").stat().st_size > 10_000
