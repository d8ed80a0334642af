"""The plan: the demo day's exact timeline, the rules for snippets, syncing into the outbox."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from livepost.config import Settings, load_settings
from livepost.model import Person, Schedule, Talk
from livepost.model.ids import assign_ids
from livepost.notes import Snippet, load_notes
from livepost.outbox.queries import edit, list_posts, mark_posted
from livepost.plan.planner import build_plan, plan, snippet_hash
from livepost.plan.sync import replan
from livepost.schedule import load_schedule
from livepost.store.engine import open_database, session_scope
from livepost.store.talks import ensure_event, save_schedule
from tests.clirunner import run_livepost

LONDON = ZoneInfo("Europe/London")

#: (local time, key, parent key) of every post of the demo day, in time order
DEMO_TIMELINE = [
    ("08:30:00", "day-open/2026-06-18", None),
    ("09:25:00", "announce/welcome-opening-remarks", None),
    ("09:40:00", "announce/keynote-public-trust-after-casey", None),
    ("09:45:00", "wrapup/welcome-opening-remarks", "announce/welcome-opening-remarks"),
    (
        "10:30:00",
        "wrapup/keynote-public-trust-after-casey",
        "announce/keynote-public-trust-after-casey",
    ),
    ("10:45:00", "announce/body-worn-video-domestic-abuse", None),
    ("10:45:00", "announce/intile-new-technologies-law-enforcement", None),
    ("10:45:00", "announce/neighbourhood-policing-community-confidence", None),
    (
        "11:05:00",
        "snippet/intile-new-technologies-law-enforcement/1",
        "announce/intile-new-technologies-law-enforcement",
    ),
    (
        "11:20:00",
        "snippet/intile-new-technologies-law-enforcement/2",
        "snippet/intile-new-technologies-law-enforcement/1",
    ),
    ("11:35:00", "announce/digital-evidence-disclosure", None),
    ("11:35:00", "announce/harm-focused-policing", None),
    ("11:35:00", "announce/officer-wellbeing-shift-work", None),
    (
        "11:35:00",
        "wrapup/body-worn-video-domestic-abuse",
        "announce/body-worn-video-domestic-abuse",
    ),
    (
        "11:35:00",
        "wrapup/intile-new-technologies-law-enforcement",
        "snippet/intile-new-technologies-law-enforcement/2",
    ),
    (
        "11:35:00",
        "wrapup/neighbourhood-policing-community-confidence",
        "announce/neighbourhood-policing-community-confidence",
    ),
    ("12:25:00", "wrapup/digital-evidence-disclosure", "announce/digital-evidence-disclosure"),
    ("12:25:00", "wrapup/harm-focused-policing", "announce/harm-focused-policing"),
    ("12:25:00", "wrapup/officer-wellbeing-shift-work", "announce/officer-wellbeing-shift-work"),
    ("13:10:00", "announce/criminal-exploitation-modern-slavery", None),
    ("13:10:00", "announce/mental-health-triage-control-room", None),
    (
        "13:30:00",
        "snippet/criminal-exploitation-modern-slavery/1",
        "announce/criminal-exploitation-modern-slavery",
    ),
    (
        "13:45:00",
        "snippet/criminal-exploitation-modern-slavery/2",
        "snippet/criminal-exploitation-modern-slavery/1",
    ),
    ("13:55:00", "announce/ethnic-minority-officers-specialised-units", None),
    (
        "14:00:00",
        "snippet/ethnic-minority-officers-specialised-units/1",
        "announce/ethnic-minority-officers-specialised-units",
    ),
    (
        "14:00:00",
        "wrapup/criminal-exploitation-modern-slavery",
        "snippet/criminal-exploitation-modern-slavery/2",
    ),
    (
        "14:00:00",
        "wrapup/mental-health-triage-control-room",
        "announce/mental-health-triage-control-room",
    ),
    (
        "14:06:25",
        "snippet/ethnic-minority-officers-specialised-units/2",
        "snippet/ethnic-minority-officers-specialised-units/1",
    ),
    (
        "14:12:51",
        "snippet/ethnic-minority-officers-specialised-units/3",
        "snippet/ethnic-minority-officers-specialised-units/2",
    ),
    (
        "14:19:17",
        "snippet/ethnic-minority-officers-specialised-units/4",
        "snippet/ethnic-minority-officers-specialised-units/3",
    ),
    (
        "14:25:42",
        "snippet/ethnic-minority-officers-specialised-units/5",
        "snippet/ethnic-minority-officers-specialised-units/4",
    ),
    (
        "14:32:08",
        "snippet/ethnic-minority-officers-specialised-units/6",
        "snippet/ethnic-minority-officers-specialised-units/5",
    ),
    (
        "14:38:34",
        "snippet/ethnic-minority-officers-specialised-units/7",
        "snippet/ethnic-minority-officers-specialised-units/6",
    ),
    ("14:40:00", "announce/child-first-criminal-justice", None),
    (
        "14:45:00",
        "wrapup/ethnic-minority-officers-specialised-units",
        "snippet/ethnic-minority-officers-specialised-units/7",
    ),
    ("14:47:00", "snippet/child-first-criminal-justice/1", "announce/child-first-criminal-justice"),
    (
        "14:53:08",
        "snippet/child-first-criminal-justice/2",
        "snippet/child-first-criminal-justice/1",
    ),
    (
        "14:59:17",
        "snippet/child-first-criminal-justice/3",
        "snippet/child-first-criminal-justice/2",
    ),
    (
        "15:05:25",
        "snippet/child-first-criminal-justice/4",
        "snippet/child-first-criminal-justice/3",
    ),
    (
        "15:11:34",
        "snippet/child-first-criminal-justice/5",
        "snippet/child-first-criminal-justice/4",
    ),
    (
        "15:17:42",
        "snippet/child-first-criminal-justice/6",
        "snippet/child-first-criminal-justice/5",
    ),
    (
        "15:23:51",
        "snippet/child-first-criminal-justice/7",
        "snippet/child-first-criminal-justice/6",
    ),
    ("15:30:00", "wrapup/child-first-criminal-justice", "snippet/child-first-criminal-justice/7"),
    ("15:40:00", "announce/red-flags-police-misconduct", None),
    ("15:47:00", "snippet/red-flags-police-misconduct/1", "announce/red-flags-police-misconduct"),
    ("15:50:40", "snippet/red-flags-police-misconduct/2", "snippet/red-flags-police-misconduct/1"),
    ("15:54:20", "snippet/red-flags-police-misconduct/3", "snippet/red-flags-police-misconduct/2"),
    ("15:58:00", "snippet/red-flags-police-misconduct/4", "snippet/red-flags-police-misconduct/3"),
    ("16:01:40", "snippet/red-flags-police-misconduct/5", "snippet/red-flags-police-misconduct/4"),
    ("16:05:20", "snippet/red-flags-police-misconduct/6", "snippet/red-flags-police-misconduct/5"),
    ("16:09:00", "snippet/red-flags-police-misconduct/7", "snippet/red-flags-police-misconduct/6"),
    ("16:12:40", "snippet/red-flags-police-misconduct/8", "snippet/red-flags-police-misconduct/7"),
    ("16:16:20", "snippet/red-flags-police-misconduct/9", "snippet/red-flags-police-misconduct/8"),
    ("16:20:00", "snippet/red-flags-police-misconduct/10", "snippet/red-flags-police-misconduct/9"),
    ("16:25:00", "announce/closing-remarks", None),
    ("16:30:00", "wrapup/red-flags-police-misconduct", "snippet/red-flags-police-misconduct/10"),
    ("16:40:00", "snippet/closing-remarks/1", "announce/closing-remarks"),
    ("16:45:00", "wrapup/closing-remarks", "snippet/closing-remarks/1"),
    ("16:45:00", "day-close/2026-06-18", None),
]


def _demo(folder: Path) -> tuple[Settings, list[Talk]]:
    settings = load_settings(folder, environ={})
    assert settings.schedule_path is not None
    schedule = load_schedule(
        settings.schedule_path, timezone=settings.zone, day=settings.event.date
    )
    assign_ids(schedule.talks)
    return settings, schedule.talks


def test_the_demo_day_has_the_expected_timeline(demo_event: Path) -> None:
    settings, talks = _demo(demo_event)
    posts = plan(settings, talks, load_notes(settings.notes_dir))
    got = [(f"{p.at.astimezone(LONDON):%H:%M:%S}", p.key, p.parent_key) for p in posts]
    assert got == DEMO_TIMELINE
    assert all(p.at.tzinfo is UTC for p in posts)
    announce = next(p for p in posts if p.key == "announce/red-flags-police-misconduct")
    assert announce.text == (
        "Next - Dr Martin O'Neill and Dr Katarina Mozova on Red Flags for Police Misconduct\n"
        "#ccprconf26"
    )
    assert announce.embed == {
        "card": {
            "kind": "talk",
            "talk_id": "red-flags-police-misconduct",
            "alt": "Card: talk at 15:45 in Lecture Theatre 1, 'Red Flags for Police Misconduct' "
            "by Dr Martin O'Neill (Canterbury Centre for Policing Research) and Dr Katarina "
            "Mozova (Canterbury Centre for Policing Research)",
        }
    }
    first = next(p for p in posts if p.key == "snippet/intile-new-technologies-law-enforcement/1")
    assert first.facets[0] == {
        "byteStart": first.text.encode().index(b"#NewTechnology"),
        "byteEnd": first.text.encode().index(b"#NewTechnology") + len("#NewTechnology"),
        "type": "tag",
        "value": "NewTechnology",
    }
    # breaks get nothing by default
    assert not [p for p in posts if p.talk_id in ("coffee-break", "lunch", "tea-break")]


def _talk(talk_id: str, start: datetime, minutes: int = 45, kind: str = "talk") -> Talk:
    return Talk(
        title=talk_id.replace("-", " ").title(),
        start=start,
        end=start + timedelta(minutes=minutes),
        room="Room 1",
        speakers=[Person("Dr A")],
        kind=kind,  # type: ignore[arg-type]
        id=talk_id,
    )


def _snippet(
    talk_id: str, index: int, text: str, pin: time | None = None, done: bool = True
) -> Snippet:
    return Snippet(talk_id, index, text, line=index * 2 + 1, pinned_at=pin, complete=done)


def _settings(tmp_path: Path, extra: str = "") -> Settings:
    folder = tmp_path / "ev"
    folder.mkdir(exist_ok=True)
    (folder / "livepost.toml").write_text(
        '[event]\nname = "Test Event"\nhashtags = ["tev"]\ntimezone = "Europe/London"\n' + extra,
        encoding="utf-8",
    )
    return load_settings(folder, environ={})


START = datetime(2026, 6, 18, 10, 0, tzinfo=LONDON)


def test_pinned_and_paced_snippets_and_the_settings(tmp_path: Path) -> None:
    settings = _settings(
        tmp_path,
        "[plan]\nlead_minutes = 10\nwrapup = false\nday_posts = false\nannounce_breaks = true\n",
    )
    talks = [_talk("a", START, 60), _talk("coffee", START + timedelta(minutes=60), 20, "break")]
    snippets = {
        "a": [
            _snippet("a", 0, "one"),
            _snippet("a", 1, "two", time(10, 30)),
            _snippet("a", 2, "three"),
            _snippet("a", 3, "four"),
        ]
    }
    got = [
        (f"{p.at.astimezone(LONDON):%H:%M:%S}", p.key, p.parent_key)
        for p in plan(settings, talks, snippets)
    ]
    assert got == [
        ("09:50:00", "announce/a", None),
        ("10:15:00", "snippet/a/1", "announce/a"),  # half-way between the start and the pin
        ("10:30:00", "snippet/a/2", "snippet/a/1"),
        ("10:40:00", "snippet/a/3", "snippet/a/2"),  # thirds between the pin and the end
        ("10:50:00", "announce/coffee", None),  # breaks only when asked; no wrap-up for them
        ("10:50:00", "snippet/a/4", "snippet/a/3"),
    ]


def test_live_mode_half_written_snippets_and_long_snippets(tmp_path: Path) -> None:
    settings = _settings(tmp_path, "[plan]\nday_posts = false\n")
    talks = [_talk("a", START, 60)]
    now = START + timedelta(minutes=7, seconds=30)
    long_text = " ".join(["word"] * 70)  # 349 graphemes: a thread of two
    snippets = {
        "a": [
            _snippet("a", 0, "seen before"),
            _snippet("a", 1, long_text),
            _snippet("a", 2, "still typing", done=False),
        ]
    }
    known = {snippet_hash(snippets["a"][0]): START + timedelta(minutes=3)}
    posts = plan(settings, talks, snippets, now=now, known=known)
    got = [(f"{p.at.astimezone(LONDON):%H:%M:%S}", p.key, p.parent_key, p.held) for p in posts]
    assert got == [
        ("09:55:00", "announce/a", None, False),
        ("10:03:00", "snippet/a/1", "announce/a", False),  # keeps the time it was given
        ("10:07:30", "snippet/a/2", "snippet/a/1", False),  # new during the talk: now
        ("10:07:30", "snippet/a/2#2", "snippet/a/2", False),
        ("11:00:00", "snippet/a/3", "snippet/a/2#2", True),  # waits for the end of the talk
        ("11:00:00", "wrapup/a", "snippet/a/3", False),
    ]
    # the same notes planned before the talk: paced evenly
    before = plan(settings, talks, snippets, now=START - timedelta(hours=1), known=known)
    assert [f"{p.at.astimezone(LONDON):%H:%M}" for p in before if p.kind == "snippet"] == [
        "10:15",
        "10:30",
        "10:30",
        "11:00",
    ]


def test_problems_are_reported_not_raised(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    result = build_plan(settings, [_talk("a", START)], {"zzz": [_snippet("zzz", 0, "hello")]})
    assert result.problems == ["notes/zzz.md: not planned (no talk with posts has this id)"]


def test_images_outside_the_event_folder_are_not_attached(tmp_path: Path) -> None:
    settings = _settings(tmp_path, "[plan]\nday_posts = false\nwrapup = false\n")
    notes = settings.event_dir / "notes"
    (notes / "img").mkdir(parents=True)
    (tmp_path / "secret.jpg").write_bytes(b"not to be posted")
    (notes / "img" / "link.jpg").symlink_to(tmp_path / "secret.jpg")
    (notes / "img" / "slide.jpg").write_bytes(b"inside")
    (notes / "a.md").write_text(
        "Slides\n![Inside](img/slide.jpg)\n![Escape](../../secret.jpg)\n![Link](img/link.jpg)\n\n",
        encoding="utf-8",
    )
    result = build_plan(settings, [_talk("a", START)], load_notes(notes))
    root = settings.event_dir.resolve()
    assert result.problems == [
        f"notes/a.md, line 3: image '../../secret.jpg' is outside the event folder ({root}); "
        "not attached",
        f"notes/a.md, line 4: image 'img/link.jpg' is outside the event folder ({root}); "
        "not attached",
    ]
    (snippet,) = [p for p in result.posts if p.kind == "snippet"]
    assert snippet.embed == {
        "images": [{"path": str(notes / "img" / "slide.jpg"), "alt": "Inside"}]
    }
    assert snippet.source_hash != snippet_hash(load_notes(notes)["a"][0])


def test_a_programme_across_the_uk_clock_changes(tmp_path: Path) -> None:
    settings = _settings(tmp_path, "[plan]\nwrapup = false\nday_posts = false\n")
    talks = [
        _talk("sat-march", datetime(2026, 3, 28, 10, 0, tzinfo=LONDON)),  # GMT
        _talk("sun-march", datetime(2026, 3, 29, 10, 0, tzinfo=LONDON)),  # BST
        # 00:30 GMT to 03:00 BST: 90 real minutes across the change
        _talk("night-march", datetime(2026, 3, 29, 0, 30, tzinfo=LONDON), 90),
        _talk("sat-october", datetime(2026, 10, 24, 10, 0, tzinfo=LONDON)),  # BST
        _talk("sun-october", datetime(2026, 10, 25, 10, 0, tzinfo=LONDON)),  # GMT
    ]
    snippets = {
        "sun-march": [_snippet("sun-march", 0, "pinned", time(10, 15))],
        "night-march": [_snippet("night-march", 0, "paced")],
        "sun-october": [_snippet("sun-october", 0, "pinned", time(10, 15))],
    }
    got = [(p.at.isoformat(), p.key) for p in plan(settings, talks, snippets)]
    assert got == [
        ("2026-03-28T09:55:00+00:00", "announce/sat-march"),
        ("2026-03-29T00:25:00+00:00", "announce/night-march"),
        ("2026-03-29T01:15:00+00:00", "snippet/night-march/1"),  # half of 90 real minutes
        ("2026-03-29T08:55:00+00:00", "announce/sun-march"),
        ("2026-03-29T09:15:00+00:00", "snippet/sun-march/1"),
        ("2026-10-24T08:55:00+00:00", "announce/sat-october"),
        ("2026-10-25T09:55:00+00:00", "announce/sun-october"),
        ("2026-10-25T10:15:00+00:00", "snippet/sun-october/1"),
    ]


# --- the outbox ---------------------------------------------------------------------------------


def _event_folder(tmp_path: Path, database_url: str) -> Settings:
    settings = _settings(tmp_path, "[plan]\nday_posts = false\n")
    settings.database_url = database_url
    return settings


def _import(settings: Settings, talks: list[Talk]) -> None:
    engine = open_database(settings.database_url)
    with session_scope(engine) as session:
        ensure_event(session, settings.event_key, settings.event.name, settings.event.timezone)
        save_schedule(
            session, settings.event_key, Schedule(talks=[dataclasses.replace(t) for t in talks])
        )
    engine.dispose()


def _rows(settings: Settings) -> dict[str, tuple[str, str, str | None, str]]:
    """key -> (local time, state, parent key, text)"""
    engine = open_database(settings.database_url)
    with session_scope(engine) as session:
        event = ensure_event(session, settings.event_key, "x", "Europe/London")
        rows = list_posts(session, event)
        by_id = {r.id: r.key for r in rows}
        out = {
            r.key: (
                f"{r.due_at.astimezone(LONDON):%H:%M}",
                r.state,
                by_id.get(r.parent_id) if r.parent_id else None,
                r.text,
            )
            for r in rows
        }
    engine.dispose()
    return out


def test_sync_moves_updates_relinks_and_cancels(tmp_path: Path, database_url: str) -> None:
    settings = _event_folder(tmp_path, database_url)
    talks = [_talk("a", START), _talk("b", START + timedelta(hours=1))]
    _import(settings, talks)
    notes = settings.notes_dir
    notes.mkdir()
    (notes / "a.md").write_text("one\n\ntwo\n\nthree\n\n", encoding="utf-8")
    engine = open_database(settings.database_url)
    _result, report = replan(engine, settings, None)
    assert sorted(report.added) == [
        "announce/a",
        "announce/b",
        "snippet/a/1",
        "snippet/a/2",
        "snippet/a/3",
        "wrapup/a",
        "wrapup/b",
    ]
    assert _rows(settings)["snippet/a/3"] == ("10:33", "queued", "snippet/a/2", "three\n#tev")

    # planning again changes nothing
    _result, report = replan(engine, settings, None)
    assert not report.changed

    # the officer edits b's announcement; a moves 30 minutes; a's middle snippet is deleted
    with session_scope(engine) as session:
        event = ensure_event(session, settings.event_key, "Test Event", "Europe/London")
        row = next(r for r in list_posts(session, event) if r.key == "announce/b")
        edit(row, text="Hand-written announcement")
        first = next(r for r in list_posts(session, event) if r.key == "snippet/a/1")
        mark_posted(first, "at://did:plc:x/app.bsky.feed.post/" + first.rkey, "bafy")
    moved = [
        dataclasses.replace(
            talks[0], start=START + timedelta(minutes=30), end=START + timedelta(minutes=75)
        ),
        talks[1],
    ]
    _import(settings, moved)
    (notes / "a.md").write_text("one\n\nthree\n\n", encoding="utf-8")
    _result, report = replan(engine, settings, None)
    rows = _rows(settings)
    assert rows["snippet/a/1"] == ("10:11", "posted", "announce/a", "one\n#tev")  # untouched
    # "three" keeps its row (recognised by its source), re-linked under "one" and moved
    assert rows["snippet/a/3"] == ("11:00", "queued", "snippet/a/1", "three\n#tev")
    assert rows["snippet/a/2"][1:] == ("cancelled", "snippet/a/1", "two\n#tev")
    assert rows["announce/a"][0] == "10:25"
    assert rows["wrapup/a"] == ("11:15", "queued", "snippet/a/3", rows["wrapup/a"][3])
    assert rows["announce/b"][3] == "Hand-written announcement"  # edited: kept
    assert report.cancelled == [("snippet/a/2", "its snippet was deleted from the notes")]

    # a sent snippet edited afterwards is reported, not sent again
    (notes / "a.md").write_text("one, corrected\n\nthree\n\n", encoding="utf-8")
    _result, report = replan(engine, settings, None)
    assert report.stale == ["snippet/a/1"]
    assert _rows(settings)["snippet/a/1"][3] == "one\n#tev"

    # b withdrawn: its unsent posts are cancelled, with the reason
    _import(settings, [moved[0]])
    _result, report = replan(engine, settings, None)
    assert report.cancelled == [
        ("announce/b", "talk b was withdrawn from the programme"),
        ("wrapup/b", "talk b was withdrawn from the programme"),
    ]
    # and back in the programme: the planner's cancellations are undone
    _import(settings, moved)
    _result, report = replan(engine, settings, None)
    assert sorted(report.revived) == ["announce/b", "wrapup/b"]
    assert _rows(settings)["wrapup/b"][1:3] == ("queued", "announce/b")
    engine.dispose()


def test_plan_cli_json_and_preview_cards(demo_event: Path, tmp_path: Path) -> None:
    import json

    from tests.clirunner import run_livepost

    assert run_livepost("schedule", "import", cwd=demo_event).code == 0
    done = run_livepost("plan", "--json", "--day", "2026-06-18", cwd=demo_event)
    assert done.code == 0, done.err
    posts = json.loads(done.out)
    assert len(posts) == 59
    ids = {p["key"]: p["id"] for p in posts}
    thread = [p for p in posts if p["talk"] == "criminal-exploitation-modern-slavery"]
    assert [(p["key"], p["at"], p["parent"], p["state"]) for p in thread] == [
        (
            "announce/criminal-exploitation-modern-slavery",
            "2026-06-18T13:10:00+01:00",
            None,
            "queued",
        ),
        (
            "snippet/criminal-exploitation-modern-slavery/1",
            "2026-06-18T13:30:00+01:00",
            ids["announce/criminal-exploitation-modern-slavery"],
            "queued",
        ),
        (
            "snippet/criminal-exploitation-modern-slavery/2",
            "2026-06-18T13:45:00+01:00",
            ids["snippet/criminal-exploitation-modern-slavery/1"],
            "queued",
        ),
        (
            "wrapup/criminal-exploitation-modern-slavery",
            "2026-06-18T14:00:00+01:00",
            ids["snippet/criminal-exploitation-modern-slavery/2"],
            "queued",
        ),
    ]
    assert "planned in the past" in done.err  # June 2026 is over when these tests run
    text = run_livepost("plan", cwd=demo_event)
    assert "Queue: 0 added, 0 updated, 0 moved, 0 cancelled, 0 restored." in text.out
    assert "warning: Thu 10:50: 3 talks with posts run at the same time" in text.out

    out = tmp_path / "cards"
    shown = run_livepost(
        "preview", "--talk", "child-first-criminal-justice", "--out", out, cwd=demo_event
    )
    assert shown.code == 0, shown.err
    assert (
        "snippet/child-first-criminal-justice/1 · reply to announce/child-first-criminal-justice"
        in shown.out
    )
    assert "9 planned posts." in shown.out
    assert sorted(p.name for p in out.iterdir()) == ["child-first-criminal-justice.png"]
    assert (out / "child-first-criminal-justice.png").read_bytes()[:4] == b"\x89PNG"


def test_a_talk_can_have_its_own_lead_time(demo_event: Path) -> None:
    """`lead_minutes` on a talk in the programme beats the event's [plan] lead_minutes."""
    schedule = demo_event / "schedule.yaml"
    text = schedule.read_text(encoding="utf-8")
    pinned = "  - id: red-flags-police-misconduct\n"
    assert pinned in text
    schedule.write_text(text.replace(pinned, pinned + "    lead_minutes: 15\n"), encoding="utf-8")
    assert run_livepost("--event", demo_event, "schedule", "import").code == 0
    result = run_livepost("--event", demo_event, "plan", "--json")
    assert result.code == 0, result.err
    at = {p["key"]: p["at"] for p in json.loads(result.out)}
    assert at["announce/red-flags-police-misconduct"] == "2026-06-18T15:30:00+01:00"  # 15:45 - 15
    assert at["announce/child-first-criminal-justice"] == "2026-06-18T14:40:00+01:00"  # 14:45 - 5


def test_tags_in_record_keeps_a_full_snippet_in_one_post(tmp_path: Path) -> None:
    (tmp_path / "t").mkdir()
    talks = [_talk("a", START, 60)]
    text = " ".join(["word"] * 59) + " end."  # 299 graphemes: no room for "\n#tev"
    snippets = {"a": [_snippet("a", 0, text)]}
    split = plan(
        _settings(tmp_path, "[plan]\nday_posts = false\nwrapup = false\n"),
        talks,
        snippets,
    )
    assert [p.key for p in split] == ["announce/a", "snippet/a/1", "snippet/a/1#2"]
    inside = plan(
        _settings(
            tmp_path / "t", "[plan]\nday_posts = false\nwrapup = false\ntags_in_record = true\n"
        ),
        talks,
        snippets,
    )
    snippet = [p for p in inside if p.key.startswith("snippet/")]
    assert [(p.key, p.text, p.tags) for p in snippet] == [("snippet/a/1", text, ["tev"])]


def test_a_festival_overlapping_all_day_is_one_short_warning() -> None:
    """63 parallel talks name the first five, not all 63 (the 39C3 plan printed every id)."""
    from livepost.app.timeline import plan_warnings
    from livepost.store.models import OutboxRow

    start = datetime(2026, 12, 27, 10, 0, tzinfo=UTC)
    talks = [
        Talk(f"Talk {n}", start, start + timedelta(minutes=40), id=f"talk-{n:02}")
        for n in range(63)
    ]
    rows = [
        OutboxRow(key=f"announce/{t.id}", talk_id=t.id, state="queued", due_at=start) for t in talks
    ]
    warnings = plan_warnings(rows, talks, start - timedelta(days=1), zone=UTC, grace_minutes=10)
    assert warnings == [
        "Sun 10:00: 63 talks with posts run at the same time (first 5: talk-00, talk-01, talk-02, "
        "talk-03, talk-04 …, see `plan --json`); their threads interleave on the account's "
        "timeline."
    ]
    few = plan_warnings(rows[:3], talks, start - timedelta(days=1), zone=UTC, grace_minutes=10)
    assert few == [
        "Sun 10:00: 3 talks with posts run at the same time (talk-00, talk-01, talk-02); their "
        "threads interleave on the account's timeline."
    ]
