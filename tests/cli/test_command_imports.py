"""The day's commands stay quick: no atproto to read the session file, no Alembic when the
schema is current (issue 11), and no SQLAlchemy at all for ``status``, ``queue list`` and
``compose`` (issue 21; ``bench/bench_day_commands.py`` times them)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def imported(*args: str) -> set[str]:
    """Top-level packages ``python -X importtime -m livepost ARGS`` imported."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIVEPOST_")}
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "livepost", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return set(re.findall(r"^import time:.*\|\s+([\w]+)(?:\.[\w.]+)?$", done.stderr, re.M))


@pytest.fixture(scope="module")
def event(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("speed") / "ccprconf26"
    shutil.copytree(ROOT / "schedules" / "ccprconf26", folder)
    imported("--event", str(folder), "schedule", "import")
    (folder / ".livepost-session").write_text(
        json.dumps(
            {
                "service": "https://bsky.social",
                "handle": "ccpr.example",
                "did": "did:plc:ccpr",
                "session": "not-a-real-session",
                "saved_at": "2026-11-28T09:00:00+00:00",
            }
        )
    )
    return folder


@pytest.mark.parametrize(
    "command",
    [["status"], ["queue", "list"], ["queue", "add", "Coffee", "--at", "+10m"]],
    ids=" ".join,
)
def test_commands_import_neither_atproto_nor_alembic(event: Path, command: list[str]) -> None:
    modules = imported("--event", str(event), *command)
    assert "atproto" not in modules
    assert "alembic" not in modules


@pytest.mark.parametrize(
    ("command", "with_sqlalchemy"),
    [
        (["status"], False),  # read with sqlite3 (livepost.store.quick)
        (["queue", "list"], False),
        (["compose", "Coffee in the foyer"], False),  # no database at all without --talk
        (["queue", "add", "Coffee", "--at", "+10m"], True),  # writes go through the store
    ],
    ids=lambda v: " ".join(v) if isinstance(v, list) else str(v),
)
def test_read_only_day_commands_do_not_import_sqlalchemy(
    event: Path, command: list[str], with_sqlalchemy: bool
) -> None:
    assert ("sqlalchemy" in imported("--event", str(event), *command)) is with_sqlalchemy


def test_status_reads_the_session_file_without_atproto(event: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIVEPOST_")}
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "livepost", "--event", str(event), "status"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert "Logged in as ccpr.example (did:plc:ccpr) on https://bsky.social" in done.stdout
    assert not re.search(r"\|\s+atproto", done.stderr)
