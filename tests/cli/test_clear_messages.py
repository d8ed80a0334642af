"""Messages name the real cause and the fix: an impossible time, UTF-16 without a byte-order mark,
a notes file or a text far too long, a locked database, a full disk."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from livepost.errors import StoreError
from livepost.store import engine as store_engine
from livepost.store.engine import open_database, session_scope
from livepost.store.talks import ensure_event
from tests.clirunner import run_livepost


@pytest.fixture
def imported(demo_event: Path) -> Path:
    assert run_livepost("--event", demo_event, "schedule", "import").code == 0
    return demo_event


def _refused(event: Path, *args: str, stdin: str | None = None) -> str:
    done = run_livepost("--event", event, *args, cwd=event, input=stdin)
    assert done.code == 4, (done.code, done.out, done.err)
    assert "Traceback" not in done.err
    return done.err


def test_an_impossible_time_is_named(imported: Path) -> None:
    (imported / "day.txt").write_text("25.00 Welcome\n", encoding="utf-8")
    err = _refused(imported, "schedule", "import", "day.txt", "--date", "2026-06-18")
    assert err.startswith("Error: day.txt, line 1: '25.00' is not a time of day\n")


def test_utf16_without_a_byte_order_mark_is_named(imported: Path) -> None:
    (imported / "day.txt").write_bytes("10.00 Welcome\n11.00 Talk\n".encode("utf-16-le"))
    err = _refused(imported, "schedule", "import", "day.txt", "--date", "2026-06-18")
    assert "day.txt: is UTF-16 text without a byte-order mark" in err
    assert "Save it as UTF-8" in err
    notes = imported / "notes" / "red-flags-police-misconduct.md"
    notes.write_bytes("A note.\n\n".encode("utf-16-le"))
    err = _refused(imported, "notes", "check")
    assert "red-flags-police-misconduct.md: is UTF-16 text without a byte-order mark" in err


def test_a_huge_notes_file_is_refused_before_it_is_read(imported: Path) -> None:
    notes = imported / "notes" / "red-flags-police-misconduct.md"
    notes.write_text("A point from the talk.\n\n" * 450_000, encoding="utf-8")  # 10.8 MB
    done = run_livepost("--event", imported, "notes", "check", cwd=imported)
    assert done.code == 4 and "Traceback" not in done.err  # a problem named, not a crash
    assert "red-flags-police-misconduct.md: is 10.8 MB; a notes file holds at most 1 MB" in done.out
    assert done.err.endswith("1 problem(s) in " + str(imported / "notes") + ".\n")


def test_a_text_far_too_long_is_refused_at_once(imported: Path) -> None:
    err = _refused(imported, "compose", "-", stdin="word " * 400_000)
    assert (
        "Error: text: the text is 2,000,000 characters long; livepost takes at most 3,000 for "
        "one post or snippet" in err
    )
    err = _refused(imported, "queue", "-", stdin="word " * 1000)
    assert "the text is 5,000 characters long" in err
    shown = run_livepost("--event", imported, "queue", "list", "--json")
    assert shown.out.strip() == "[]"  # nothing queued


def test_a_locked_database_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store_engine, "SQLITE_BUSY_TIMEOUT_MS", 100)
    url = f"sqlite:///{tmp_path / 'livepost.db'}"
    engine = open_database(url)
    holder = sqlite3.connect(tmp_path / "livepost.db", isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    with pytest.raises(StoreError) as caught, session_scope(engine) as session:
        ensure_event(session, "locked", "Locked", "UTC")
    holder.close()
    assert caught.value.message.endswith(
        "refused a change: the database is locked by another program"
    )
    assert caught.value.hint == (
        "Nothing was saved. Another program is writing to it (a second livepost, a database "
        "browser?). Close it or wait a moment, then try again."
    )
    engine.dispose()
