"""Where importer tests find their inputs: the project's own fixtures and ../shared's real exports.

Real exports keep their licences, so they are read from ../shared, never copied; a test that
needs one skips when ../shared is absent (a user's clone does not have it).
"""

from __future__ import annotations

from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "schedules"
REAL = Path(__file__).resolve().parents[1].parent / "shared" / "real-schedules"


def fixture(name: str) -> str:
    """The text of one of the project's own fixture files."""
    return (FIXTURES / name).read_text(encoding="utf-8")


def real(name: str) -> str:
    """The text of a real export in ../shared/real-schedules (skips the test when absent)."""
    path = REAL / name
    if not path.exists():
        pytest.skip(f"{path} is absent (../shared is not checked out)")
    return path.read_text(encoding="utf-8")
