"""Live notes first: a snippet written while its talk runs goes out within seconds, even when
snippets written before the talk are paced to later in it; the thread stays in order of posting.
And a notes image without alt text never goes out with alt ''."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from livepost.model.actors import Actor
from livepost.plan.planner import build_plan, plan, snippet_hash
from livepost.plan.sync import replan
from livepost.store.engine import open_database
from tests.plan.test_planner import LONDON, START, _settings, _snippet, _talk
from tests.run.test_daemon import (
    _daemon,
    _event,
    _in_thread,
    _posted,
    _save,
    _state,
    _until,
)
from tests.run.test_daemon import _talk as _daemon_talk


def test_a_live_snippet_is_chained_before_snippets_paced_to_later(tmp_path: Path) -> None:
    settings = _settings(tmp_path, "[plan]\nday_posts = false\n")
    talks = [_talk("a", START, 60)]
    written_before = [_snippet("a", 0, "prepared one"), _snippet("a", 1, "prepared two")]
    before = plan(settings, talks, {"a": written_before}, now=START - timedelta(hours=1))
    known = {p.source_hash: p.at for p in before if p.source_hash}
    live = _snippet("a", 2, "said just now")
    now = START + timedelta(minutes=5)
    posts = plan(settings, talks, {"a": [*written_before, live]}, now=now, known=known)
    got = [(f"{p.at.astimezone(LONDON):%H:%M}", p.key, p.parent_key) for p in posts]
    assert got == [
        ("09:55", "announce/a", None),
        ("10:05", "snippet/a/3", "announce/a"),  # live: now, replying to what has gone out
        ("10:20", "snippet/a/1", "snippet/a/3"),  # written before: keeps its pacing
        ("10:40", "snippet/a/2", "snippet/a/1"),
        ("11:00", "wrapup/a", "snippet/a/2"),
    ]
    assert known[snippet_hash(written_before[0])] == posts[2].at


def test_a_notes_image_without_alt_text_waits_and_says_which(tmp_path: Path) -> None:
    from livepost.notes import load_notes

    settings = _settings(tmp_path, "[plan]\nday_posts = false\nwrapup = false\n")
    notes = settings.event_dir / "notes"
    notes.mkdir()
    (notes / "slide.png").write_bytes(b"x")
    (notes / "a.md").write_text(
        "A point.\n\nThe chart\n![](slide.png)\n\nAfter it.\n\n", encoding="utf-8"
    )
    result = build_plan(settings, [_talk("a", START, 60)], load_notes(notes))
    assert [p.key for p in result.posts if p.kind == "snippet"] == ["snippet/a/1", "snippet/a/3"]
    assert result.problems == [
        "notes/a.md, line 4: image 'slide.png' has no alt text; the snippet waits until it is "
        "described: ![what it shows](path)"
    ]
    assert all(not (p.embed or {}).get("images") for p in result.posts)


def test_the_daemon_sends_a_live_snippet_within_seconds(tmp_path: Path) -> None:
    settings = _event(tmp_path)
    now = datetime.now(UTC).replace(microsecond=0)
    talk = _daemon_talk("live", now - timedelta(minutes=2), 40)
    _save(settings, [talk])
    notes = settings.notes_dir
    notes.mkdir()
    prepared = "Prepared before the talk.\n\nAnother prepared point.\n\n"
    (notes / "live.md").write_text(prepared, encoding="utf-8")
    engine = open_database(settings.database_url)
    replan(engine, settings, talk.start - timedelta(hours=1))  # planned the evening before
    engine.dispose()
    paced = _posted(settings)["snippet/live/1"].due_at
    assert paced > now + timedelta(minutes=5)  # paced to later in the talk
    daemon = _daemon(settings)
    thread, _result = _in_thread(daemon)
    try:
        _until(lambda: _state(settings, "announce/live") == "posted", 20, "announced")
        (notes / "live.md").write_text(prepared + "Said just now.\n\n", encoding="utf-8")
        took = _until(
            lambda: (
                "snippet/live/3" in _posted(settings)
                and _posted(settings)["snippet/live/3"].state == "posted"
            ),
            10,
            "the live snippet sent",
        )
        assert took < 10
        rows = _posted(settings)
        assert rows["snippet/live/3"].parent_id == rows["announce/live"].id
        assert rows["snippet/live/1"].state == "queued"
        assert rows["snippet/live/1"].due_at == paced  # keeps its pacing ...
        assert rows["snippet/live/1"].parent_id == rows["snippet/live/3"].id  # ... after it
    finally:
        daemon.stop()
        thread.join(10)
    assert not thread.is_alive()


def test_a_post_queued_by_another_process_goes_out_without_waiting_for_the_poll(
    tmp_path: Path,
) -> None:
    from livepost.app.queue import EventQueue, PostRequest

    settings = _event(tmp_path)
    now = datetime.now(UTC).replace(microsecond=0)
    _save(settings, [_daemon_talk("live", now - timedelta(minutes=2), 40)])
    lines: list[str] = []
    daemon = _daemon(settings, poll_seconds=30, lines=lines)  # only the glance wakes it in time
    thread, _result = _in_thread(daemon)
    engine = open_database(settings.database_url)
    try:
        _until(lambda: _state(settings, "announce/live") == "posted", 20, "announced")
        queued = EventQueue(settings, engine, Actor.owner()).queue(
            PostRequest("From a phone", talk_id="live")
        )
        took = _until(
            lambda: _posted(settings)[queued.keys[0]].state == "posted", 5, f"sent {lines}"
        )
        assert took < 2
    finally:
        engine.dispose()
        daemon.stop()
        thread.join(10)
    assert not thread.is_alive()
