"""The layout keeps its promises (issue 21): the outbox's SQL lives in the outbox and the store,
and post states are compared as the type, never as raw strings (code and templates).

The import contract itself (front ends only through ``livepost.app``, layers only downwards) is
``lint-imports``, run by ``scripts/test.sh`` beside ruff and mypy.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "livepost"
STATES = "queued|sending|posted|failed|cancelled|missed"
#: a state compared with a raw string: ``state == "queued"``, ``.state in ("failed", ...)``
RAW_STATE = re.compile(
    rf"""state(?:["']\])?\s*(==|!=|\bin\b|\bnot in\b)\s*[\(\[]?\s*["']({STATES})["']"""
    rf"""|["']state["']\s*,\s*["']equalto["']\s*,\s*["']({STATES})["']"""
)


def _sources(*suffixes: str, under: Path = PACKAGE) -> list[Path]:
    return sorted(p for p in under.rglob("*") if p.suffix in suffixes and p.is_file())


def test_only_the_outbox_and_the_store_select_outbox_rows() -> None:
    allowed = (PACKAGE / "outbox", PACKAGE / "store")
    offenders = [
        f"{path.relative_to(ROOT)}:{n}"
        for path in _sources(".py")
        if not path.is_relative_to(allowed[0]) and not path.is_relative_to(allowed[1])
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if "select(OutboxRow" in line
    ]
    assert offenders == [], "move these queries into livepost/outbox/queries.py"


def test_post_states_are_compared_as_the_type() -> None:
    places = [*_sources(".py"), *_sources(".html", ".j2", under=ROOT / "templates")]
    offenders = [
        f"{path.relative_to(ROOT)}:{n}: {line.strip()}"
        for path in places
        if path.name != "posts.py" and "migrations" not in path.parts
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if RAW_STATE.search(line)
    ]
    assert offenders == [], "compare with PostState members (or pass a display name)"
