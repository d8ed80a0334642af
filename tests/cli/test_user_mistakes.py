"""Every user mistake exits 2 (usage), 3 (settings) or 4 (input) with a message that says what to
do: never 1 (a bug) and never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from tests.bad_images import REASONS, write_bad_images
from tests.clirunner import run_livepost


@pytest.fixture
def imported(demo_event: Path) -> Path:
    assert run_livepost("--event", demo_event, "schedule", "import").code == 0
    return demo_event


def _refused(event: Path, *args: str, code: int) -> str:
    done = run_livepost("--event", event, *args, cwd=event)
    assert done.code == code, (done.code, done.out, done.err)
    assert "Traceback" not in done.err
    return done.err


def test_usage_mistakes_exit_2(imported: Path) -> None:
    err = _refused(imported, "compose", "hi", "--kind", "nosuch", code=2)
    assert "Invalid value for --kind: 'nosuch' is not one of: free, snippet," in err
    err = _refused(imported, "queue", "edit", "999999", "--text", "x", code=2)
    assert "Error: no queued post with id 999999\nSee the ids with: livepost queue list" in err
    err = _refused(imported, "card", "--kind", "talk", "--out", str(imported / "c.png"), code=2)
    assert "Error: a talk card needs a talk" in err
    assert not (imported / "c.png").exists()
    err = _refused(imported, "card", "--kind", "bogus", code=2)
    assert "'bogus' is not one of: talk, quote, next, wrapup" in err
    err = _refused(imported, "serve", "--port", "99999", code=2)
    assert "Invalid value for '--port'" in err


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "deep.json",
            "[" * 100_000 + "]" * 100_000,
            "deep.json: is nested too deeply to be a programme",
        ),
        (
            "big.json",
            '{"schedule": {"version": ' + "9" * 5000 + "}}",
            "big.json: holds a number too long to read",
        ),
        (
            "deep.yaml",
            "a: " + "[" * 10_000 + "]" * 10_000,
            "deep.yaml: is nested too deeply to be a programme",
        ),
        (
            "bad-date.yaml",
            "date: 2026-02-30\ntalks:\n  - title: A\n    start: '10:00'\n    duration: 30\n",
            "bad-date.yaml: date: Input should be a valid date or datetime, day value is "
            "outside expected range",
        ),
    ],
)
def test_hostile_programme_files_exit_4(
    imported: Path, name: str, content: str, message: str
) -> None:
    (imported / name).write_text(content, encoding="utf-8")
    err = _refused(imported, "schedule", "import", name, code=4)
    assert f"Error: {message}" in err
    shown = run_livepost("--event", imported, "schedule", "show", "--json")
    assert shown.code == 0 and '"red-flags-police-misconduct"' in shown.out  # nothing changed


def test_notes_images_outside_the_event_folder_exit_4(imported: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    photo = outside / "photo.jpg"
    Image.new("RGB", (8, 8), "red").save(photo)
    (imported / "notes" / "img").mkdir()
    (imported / "notes" / "img" / "link.jpg").symlink_to(photo)
    notes = imported / "notes" / "closing-remarks.md"
    notes.write_text(
        "![Escape](../../outside/photo.jpg)\n\n"
        f"![Absolute]({photo})\n\n"
        "![Symlink](img/link.jpg)\n\n",
        encoding="utf-8",
    )
    done = run_livepost("--event", imported, "notes", "check")
    assert done.code == 4
    root = imported.resolve()
    assert done.out.splitlines() == [
        f"{notes}, line 1: image '../../outside/photo.jpg' is outside the event folder ({root})",
        f"{notes}, line 3: image '{photo}' is outside the event folder ({root})",
        f"{notes}, line 5: image 'img/link.jpg' is outside the event folder ({root})",
    ]
    assert done.err == f"3 problem(s) in {imported / 'notes'}.\n"


def test_queue_refuses_images_that_are_not_images_or_not_there(imported: Path) -> None:
    """A photo the person names is theirs wherever it is (issue 21): it is refused only for what
    it is, never for where it is."""
    bad = write_bad_images(imported / "slides")
    for name, path in bad.items():
        err = _refused(imported, "queue", "Look", "--image", str(path), "--alt", "A", code=4)
        assert err.startswith(f"Error: image: {name}: {REASONS[name]}\n"), err
    (imported / "slides" / "passwords.png").symlink_to("/etc/passwd")
    for path, name in (("/etc/passwd", "passwd"), ("slides/passwords.png", "passwords.png")):
        err = _refused(imported, "queue", "Look", "--image", path, "--alt", "A", code=4)
        assert err.startswith(f"Error: image: {name}: cannot read this image"), err
    err = _refused(imported, "queue", "Look", "--image", "../x.png", "--alt", "A", code=4)
    assert err == "Error: image: ../x.png is not a file\nCheck the path to the photo.\n", err
    listed = run_livepost("--event", imported, "queue", "list", "--json")
    assert (listed.code, listed.out.strip()) == (0, "[]")
