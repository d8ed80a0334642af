"""Talk ids: readable slugs that survive re-imports."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from livepost.model import Talk
from livepost.model.ids import assign_ids, slugify


def _talk(title: str, hour: int = 10, source_id: str | None = None) -> Talk:
    start = datetime(2026, 6, 18, hour, tzinfo=UTC)
    return Talk(title=title, start=start, end=start + timedelta(minutes=30), source_id=source_id)


def test_slugs_are_readable() -> None:
    assert slugify("Red Flags for Police Misconduct") == "red-flags-police-misconduct"
    assert slugify("Young people’s experience") == "young-peoples-experience"
    assert slugify("Καλημέρα κόσμε") == "kalemera-kosme"  # ASCII whatever the script
    assert slugify("Żółć i gęś") == "zolc-i-ges"
    assert slugify("!!!") == "talk"
    assert len(slugify("word " * 40)) <= 60


def test_reimport_keeps_ids_by_source_id_then_title() -> None:
    first = [_talk("Opening", 9, "a"), _talk("Lunch", 12), _talk("Lunch", 13)]
    assign_ids(first)
    assert [t.id for t in first] == ["opening", "lunch", "lunch-2"]
    moved = [_talk("Opening, renamed", 10, "a"), _talk("Lunch", 13), _talk("New talk", 15)]
    assign_ids(moved, first)
    assert [t.id for t in moved] == ["opening", "lunch-2", "new-talk"]


def test_pinned_ids_are_kept_and_never_reused() -> None:
    existing = [_talk("Keynote")]
    assign_ids(existing)
    pinned = _talk("Something")
    pinned.id = "keynote-2"
    new = [pinned, _talk("Keynote 2")]
    assign_ids(new, [])
    assert [t.id for t in new] == ["keynote-2", "keynote-2-2"]
