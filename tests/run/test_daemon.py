"""The daemon: a simulated demo day, restarts, missed posts, clock changes, the lock, live notes,
queue commands, signals, and two events side by side on PostgreSQL."""

from __future__ import annotations

import dataclasses
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

from livepost.config import Settings, load_settings
from livepost.model import Person, Schedule, Talk
from livepost.model.actors import Actor
from livepost.outbox.queries import list_posts
from livepost.publish.dryrun import DryRunPublisher
from livepost.run.clock import RealClock, SimulatedClock
from livepost.run.daemon import Daemon, RunSummary
from livepost.run.wakeups import running_here
from livepost.store.engine import open_database, session_scope
from livepost.store.jobstore import job_table
from livepost.store.lock import AlreadyRunning
from livepost.store.models import OutboxRow
from livepost.store.talks import ensure_event, save_schedule
from tests.clirunner import run_livepost
from tests.plan.test_planner import DEMO_TIMELINE

LONDON = ZoneInfo("Europe/London")
DEMO_DAY = datetime(2026, 6, 18, tzinfo=LONDON)


def _at(hhmm: str, day: datetime = DEMO_DAY) -> datetime:
    hour, minute = map(int, hhmm.split(":"))
    return day.replace(hour=hour, minute=minute)


def _import_demo(folder: Path) -> Settings:
    assert run_livepost("schedule", "import", cwd=folder).code == 0
    return load_settings(folder, environ={})


def _daemon(
    settings: Settings,
    *,
    start: datetime | None = None,
    speed: float = 100_000,
    until: datetime | None = None,
    lines: list[str] | None = None,
    publisher: DryRunPublisher | None = None,
    **options: object,
) -> Daemon:
    engine = open_database(settings.database_url)
    return Daemon(
        settings,
        engine,
        publisher or DryRunPublisher(),
        clock=SimulatedClock(start, speed) if start else RealClock(),
        until=until,
        end_when_done=until is None and start is not None,
        echo=(lines if lines is not None else []).append,
        **options,  # type: ignore[arg-type]
    )


def _posted(settings: Settings) -> dict[str, OutboxRow]:
    engine = open_database(settings.database_url)
    with session_scope(engine) as session:
        event = ensure_event(session, settings.event_key, settings.event.name, "Europe/London")
        rows = {r.key: r for r in list_posts(session, event)}
    engine.dispose()
    return rows


def _sent_keys(lines: list[str]) -> list[str]:
    return [
        line.split(" ", 1)[1].removeprefix("↳ ").split(":", 1)[0]
        for line in lines
        if ": " in line and " MISSED " not in line
    ]


def test_a_simulated_demo_day_sends_every_post_on_time_and_threads_are_whole(
    demo_event: Path,
) -> None:
    settings = _import_demo(demo_event)
    lines: list[str] = []
    publisher = DryRunPublisher()
    summary = _daemon(settings, start=_at("08:25"), lines=lines, publisher=publisher).run()
    assert summary.sent == Counter(
        {"announcement": 14, "snippet": 29, "wrapup": 14, "day_opening": 1, "day_closing": 1}
    )
    assert (summary.missed, summary.failed) == ([], [])
    # in due order, each at its planned second of simulated time
    assert _sent_keys(lines) == [key for _, key, _ in DEMO_TIMELINE]
    assert [line[:8] for line in lines] == [at for at, _, _ in DEMO_TIMELINE]
    # exactly once, and every reply points at its parent and root as posted
    assert len(publisher.records) == 59
    assert len({r.rkey for r in publisher.records}) == 59
    rows = _posted(settings)
    by_id = {r.id: r for r in rows.values()}
    records = {r.rkey: r.record for r in publisher.records}
    for row in rows.values():
        assert row.state == "posted"
        assert row.uri == f"at://did:plc:dryrun/app.bsky.feed.post/{row.rkey}"
        record = records[row.rkey]
        if row.parent_id is None:
            assert "reply" not in record
            continue
        parent, root = by_id[row.parent_id], by_id[row.root_id or row.parent_id]
        assert record["reply"] == {
            "parent": {"uri": parent.uri, "cid": parent.cid},
            "root": {"uri": root.uri, "cid": root.cid},
        }
    card_post = records[rows["announce/red-flags-police-misconduct"].rkey]
    assert card_post["embed"]["$type"] == "app.bsky.embed.images"
    assert card_post["embed"]["images"][0]["alt"].startswith("Card: talk at 15:45 in Lecture")


class _BrokenClient:
    """A logged-in client whose every read fails the way a deep thread made the SDK fail."""

    def __getattr__(self, name: str) -> object:
        raise ValueError("recursion limit exceeded")


class _LivePublisher(DryRunPublisher):
    """Sends like the dry run but counts as live: the daemon keeps the archive with ``client``."""

    dry_run = False

    def __init__(self, client: object) -> None:
        super().__init__()
        self.client = client

    @property
    def read_client(self) -> object | None:
        return self.client


def test_a_failing_archive_never_stops_the_sending_and_is_said_once(demo_event: Path) -> None:
    from livepost.publish.media import event_media

    settings = _import_demo(demo_event)
    lines: list[str] = []
    publisher = _LivePublisher(_BrokenClient())
    daemon = _daemon(
        settings,
        start=_at("08:25"),
        lines=lines,
        publisher=publisher,
        media=event_media(settings, lambda: daemon.talks, link_cards=False),
    )
    summary = daemon.run()
    assert sum(summary.sent.values()) == 59
    assert (summary.missed, summary.failed) == ([], [])
    skipped = [line for line in lines if line.startswith("archive sync skipped")]
    assert skipped == [
        "archive sync skipped (tried again in a minute): ValueError: recursion limit exceeded"
    ]
    # a database failure is survived the same way, and said because it is a new problem
    archive = daemon.jobs.archive
    assert archive is not None
    archive.client = object()
    archive.work = dataclasses.replace(archive.work, engine=None)  # type: ignore[arg-type]
    archive.run(daemon.clock.now() + timedelta(minutes=1))
    assert lines[-1].startswith("archive sync skipped (tried again in a minute): "), lines[-1]
    assert "UnboundExecutionError" in lines[-1]  # SQLAlchemy's, said as the database's


def test_restart_in_the_middle_of_the_day_resumes_and_late_posts_are_missed(
    demo_event: Path,
) -> None:
    settings = _import_demo(demo_event)
    first: list[str] = []
    _daemon(settings, start=_at("08:25"), until=_at("12:30"), lines=first).run()
    assert _sent_keys(first) == [key for at, key, _ in DEMO_TIMELINE if at < "12:30"]
    # livepost was down from 12:30 to 13:41: what is more than 10 minutes late is missed
    second: list[str] = []
    summary = _daemon(settings, start=_at("13:41"), lines=second).run()
    late = "31 min late (grace 10 min): livepost was not running"
    under = "the post it replies to (announce/criminal-exploitation-modern-slavery) was missed"
    assert summary.missed == [
        ("announce/criminal-exploitation-modern-slavery", late),
        ("snippet/criminal-exploitation-modern-slavery/1", under),
        ("snippet/criminal-exploitation-modern-slavery/2", under),
        ("wrapup/criminal-exploitation-modern-slavery", under),
        ("announce/mental-health-triage-control-room", late),
        (
            "wrapup/mental-health-triage-control-room",
            "the post it replies to (announce/mental-health-triage-control-room) was missed",
        ),
    ]
    missed = {key for key, _ in summary.missed}
    assert _sent_keys(second) == [
        key for at, key, _ in DEMO_TIMELINE if at >= "12:30" and key not in missed
    ]
    states = Counter(r.state for r in _posted(settings).values())
    assert states == Counter({"posted": 53, "missed": 6})


def _event(tmp_path: Path, name: str = "Test Event", database_url: str | None = None) -> Settings:
    folder = tmp_path / name.lower().replace(" ", "-")
    folder.mkdir()
    (folder / "livepost.toml").write_text(
        f'[event]\nname = "{name}"\nhashtags = ["tev"]\ntimezone = "Europe/London"\n'
        "[plan]\nday_posts = false\n",
        encoding="utf-8",
    )
    settings = load_settings(folder, environ={})
    if database_url:
        settings.database_url = database_url
    return settings


def _save(settings: Settings, talks: list[Talk]) -> None:
    engine = open_database(settings.database_url)
    with session_scope(engine) as session:
        ensure_event(session, settings.event_key, settings.event.name, settings.event.timezone)
        save_schedule(
            session, settings.event_key, Schedule([dataclasses.replace(t) for t in talks])
        )
    engine.dispose()


def _talk(talk_id: str, start: datetime, minutes: float = 45) -> Talk:
    return Talk(
        title=talk_id.replace("-", " ").title(),
        start=start,
        end=start + timedelta(minutes=minutes),
        room="Room 1",
        speakers=[Person("Dr A")],
        id=talk_id,
    )


def test_posts_go_out_at_the_right_instant_across_the_uk_clock_changes(tmp_path: Path) -> None:
    settings = _event(tmp_path)
    _save(
        settings,
        [
            _talk("sat-march", datetime(2026, 3, 28, 10, 0, tzinfo=LONDON)),
            _talk("sun-march", datetime(2026, 3, 29, 10, 0, tzinfo=LONDON)),
            _talk("sat-october", datetime(2026, 10, 24, 10, 0, tzinfo=LONDON)),
            _talk("sun-october", datetime(2026, 10, 25, 10, 0, tzinfo=LONDON)),
        ],
    )
    settings.notes_dir.mkdir()
    (settings.notes_dir / "sun-october.md").write_text("[10:15] pinned\n\n", encoding="utf-8")
    lines: list[str] = []
    start = datetime(2026, 3, 28, 9, 0, tzinfo=LONDON)
    summary = _daemon(settings, start=start, speed=10**9, lines=lines).run()
    assert sum(summary.sent.values()) == 9
    # shown in local time: 09:55 GMT, then 09:55 BST, then 09:55 BST, 09:55 GMT
    assert lines == [
        "09:55:00 announce/sat-march: Next - Dr A on Sat March #tev [card]",
        "10:45:00 ↳ wrapup/sat-march: Thank you Dr A for Sat March #tev",
        "09:55:00 announce/sun-march: Next - Dr A on Sun March #tev [card]",
        "10:45:00 ↳ wrapup/sun-march: Thank you Dr A for Sun March #tev",
        "09:55:00 announce/sat-october: Next - Dr A on Sat October #tev [card]",
        "10:45:00 ↳ wrapup/sat-october: Thank you Dr A for Sat October #tev",
        "09:55:00 announce/sun-october: Next - Dr A on Sun October #tev [card]",
        "10:15:00 ↳ snippet/sun-october/1: pinned #tev",
        "10:45:00 ↳ wrapup/sun-october: Thank you Dr A for Sun October #tev",
    ]
    due = {k: r.due_at.isoformat() for k, r in _posted(settings).items()}
    assert due["announce/sat-march"] == "2026-03-28T09:55:00+00:00"
    assert due["announce/sun-march"] == "2026-03-29T08:55:00+00:00"
    assert due["announce/sat-october"] == "2026-10-24T08:55:00+00:00"
    assert due["announce/sun-october"] == "2026-10-25T09:55:00+00:00"
    assert due["snippet/sun-october/1"] == "2026-10-25T10:15:00+00:00"


def _in_thread(daemon: Daemon) -> tuple[threading.Thread, list[RunSummary | BaseException]]:
    result: list[RunSummary | BaseException] = []

    def target() -> None:
        try:
            result.append(daemon.run())
        except BaseException as exc:
            result.append(exc)

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    return thread, result


def _until(check: Callable[[], bool], seconds: float, what: str) -> float:
    began = time.monotonic()
    while time.monotonic() - began < seconds:
        if check():
            return time.monotonic() - began
        time.sleep(0.05)
    raise AssertionError(f"not within {seconds} s: {what}")


def _steps(daemon: Daemon, count: int = 2) -> None:
    """Wait until the running daemon has gone round its loop ``count`` more times (woken each time).

    With ``count=2`` at least one whole step began after the call: what it did not send by then,
    it holds back. A positive wait on the daemon's progress, not a sleep.
    """
    target = daemon.steps + count

    def stepped() -> bool:
        daemon.wake()
        return daemon.steps >= target

    _until(stepped, 10, f"{count} more daemon steps")


def test_one_daemon_per_event(tmp_path: Path, database_url: str) -> None:
    settings = _event(tmp_path, database_url=database_url)
    _save(settings, [_talk("a", datetime.now(UTC) + timedelta(hours=2))])
    first = _daemon(settings, poll_seconds=0.2)
    thread, result = _in_thread(first)
    _until(lambda: running_here("test-event"), 20, "the first daemon started")
    # the job store (in the event's database) holds one wake-up per queued post, at its time
    _until(lambda: len(_posted(settings)) == 2, 10, "the announcement and wrap-up planned")
    rows = _posted(settings)
    wanted = {f"post-{r.id}": r.due_at.timestamp() for r in rows.values() if r.state == "queued"}
    assert sorted(rows) == ["announce/a", "wrapup/a"]

    def jobs() -> dict[str, float]:
        engine = open_database(settings.database_url)
        with engine.connect() as connection:
            found = {
                job_id: float(run_at)
                for job_id, run_at in connection.execute(
                    text(f"SELECT id, next_run_time FROM {job_table('test-event')}")
                )
            }
        engine.dispose()
        return found

    _until(lambda: jobs() == wanted, 10, "wake-ups in the job store")
    with pytest.raises(AlreadyRunning) as caught:
        _daemon(settings, once=True).run()
    assert caught.value.message.startswith("livepost is already running for event 'test-event' (")
    assert caught.value.hint == (
        "Only one daemon per event may send posts. Stop the other one (Ctrl-C) first, or watch "
        "it with: livepost status"
    )
    first.stop()
    thread.join(10)
    assert not thread.is_alive() and isinstance(result[0], RunSummary)
    assert isinstance(_daemon(settings, once=True).run(), RunSummary)  # the lock is free again


def test_live_notes_and_queue_changes_reach_the_running_daemon(tmp_path: Path) -> None:
    from livepost.app.queue import EventQueue, PostRequest

    settings = _event(tmp_path)
    now = datetime.now(UTC).replace(microsecond=0)
    _save(
        settings,
        [_talk("live", now - timedelta(minutes=2), 20), _talk("later", now + timedelta(hours=1))],
    )
    notes = settings.notes_dir
    notes.mkdir()
    daemon = _daemon(settings)
    thread, _result = _in_thread(daemon)
    try:
        # the announcement is 7 minutes late: within the grace period, so it is sent
        _until(
            lambda: (
                _posted(settings).get("announce/live", None) is not None
                and _posted(settings)["announce/live"].state == "posted"
            ),
            20,
            "announcement sent",
        )

        # a snippet saved during the talk goes out within 10 seconds
        (notes / "live.md").write_text("First point from the talk.\n\n", encoding="utf-8")
        took = _until(lambda: _state(settings, "snippet/live/1") == "posted", 10, "snippet sent")
        assert took < 10
        # a half-written one waits ...
        (notes / "live.md").write_text(
            "First point from the talk.\n\nSecond point, still typ", encoding="utf-8"
        )
        _until(lambda: _state(settings, "snippet/live/2") == "queued", 10, "held snippet queued")
        _steps(daemon)
        assert _state(settings, "snippet/live/2") == "queued"
        # ... until the writer moves on
        (notes / "live.md").write_text(
            "First point from the talk.\n\nSecond point, finished.\n\n", encoding="utf-8"
        )
        _until(lambda: _state(settings, "snippet/live/2") == "posted", 10, "finished snippet sent")
        assert _posted(settings)["snippet/live/2"].text == "Second point, finished.\n#tev"

        # a talk that has not started: its snippet waits; edits update it, deletion cancels it
        (notes / "later.md").write_text("Prepared note.\n\n", encoding="utf-8")
        _until(lambda: _state(settings, "snippet/later/1") == "queued", 10, "future snippet queued")
        row_id = _posted(settings)["snippet/later/1"].id
        (notes / "later.md").write_text("Prepared note, edited.\n\n", encoding="utf-8")
        _until(lambda: "edited" in _posted(settings)["snippet/later/1"].text, 10, "edit seen")
        assert _posted(settings)["snippet/later/1"].id == row_id
        (notes / "later.md").write_text("", encoding="utf-8")
        _until(lambda: _state(settings, "snippet/later/1") == "cancelled", 10, "deletion seen")

        # the queue from another "terminal": pause holds everything, resume sends
        engine = open_database(settings.database_url)
        _set_paused(engine, settings, True)
        queued = EventQueue(settings, engine, Actor.owner()).queue(
            PostRequest("From the desk", talk_id="live")
        )
        _steps(daemon)
        assert _state(settings, queued.keys[0]) == "queued"
        _set_paused(engine, settings, False)
        _until(lambda: _state(settings, queued.keys[0]) == "posted", 5, "queued post sent")
        assert _posted(settings)[queued.keys[0]].parent_id == _posted(settings)["announce/live"].id
        engine.dispose()
    finally:
        daemon.stop()
        thread.join(10)
    assert not thread.is_alive()


def _state(settings: Settings, key: str) -> str | None:
    row = _posted(settings).get(key)
    return row.state if row else None


def _set_paused(engine: object, settings: Settings, paused: bool) -> None:
    from sqlalchemy import Engine

    assert isinstance(engine, Engine)
    with session_scope(engine) as session:
        ensure_event(session, settings.event_key, "x", "Europe/London").paused = paused


# --- the command line ---------------------------------------------------------------------------


def test_dry_run_replays_the_demo_day_and_prints_a_summary(demo_event: Path) -> None:
    assert run_livepost("schedule", "import", cwd=demo_event).code == 0
    began = time.monotonic()
    done = run_livepost("run", "--dry-run", "--speed", "2000", cwd=demo_event)
    assert done.code == 0, done.err
    assert time.monotonic() - began < 60
    lines = done.out.splitlines()
    assert lines[0] == (
        "livepost run: CCPR Conference 2026 (dry run, 2000x) from 2026-06-18 08:25 Europe/London"
    )
    assert lines[-1] == (
        "Summary: 59 posts sent (announcement 14, day_closing 1, day_opening 1, snippet 29, "
        "wrapup 14), 0 missed, 0 failed, 0 cancelled by the plan."
    )
    assert "14:47:00 ↳ snippet/child-first-criminal-justice/1: Dr Jo Mockeridge on" in done.out
    # the real queue is untouched by a rehearsal
    listed = run_livepost("queue", "list", "--all", cwd=demo_event)
    assert listed.out == "Nothing queued.\n"


def test_once_marks_stale_posts_missed_instead_of_sending_a_burst(demo_event: Path) -> None:
    assert run_livepost("schedule", "import", cwd=demo_event).code == 0
    queued = run_livepost("queue", "Live from the foyer", cwd=demo_event)
    assert queued.code == 0, queued.err
    assert queued.out.startswith("Queued post ")
    done = run_livepost("run", "--once", cwd=demo_event)
    assert done.code == 0, done.err
    assert "No Bluesky account configured: rehearsing (dry run), nothing is posted." in done.out
    assert "manual/" in done.out and "Live from the foyer" in done.out
    assert (
        "Summary: 1 posts sent (free 1), 59 missed, 0 failed, 0 cancelled by the plan." in done.out
    )


def test_queue_commands(demo_event: Path, tmp_path: Path) -> None:
    import json

    assert run_livepost("schedule", "import", cwd=demo_event).code == 0
    added = run_livepost("queue", "add", "Coffee in the foyer", "--at", "+10m", cwd=demo_event)
    assert added.code == 0, added.err
    post_id = int(added.out.split()[2])
    posts = json.loads(run_livepost("queue", "list", "--json", cwd=demo_event).out)
    mine = next(p for p in posts if p["id"] == post_id)
    assert (mine["text"], mine["state"], mine["kind"], mine["origin"]) == (
        "Coffee in the foyer\n#ccprconf26",
        "queued",
        "free",
        "manual",
    )
    edited = run_livepost(
        "queue",
        "edit",
        str(post_id),
        "--text",
        "Tea in the foyer",
        "--at",
        "2030-01-01 10:00",
        cwd=demo_event,
    )
    assert edited.code == 0, edited.err
    assert edited.out == f"Post {post_id} (queued) goes out at 2030-01-01 10:00:00.\n"
    posts = json.loads(run_livepost("queue", "list", "--json", cwd=demo_event).out)
    mine = next(p for p in posts if p["id"] == post_id)
    assert (mine["text"], mine["at"], mine["edited"]) == (
        "Tea in the foyer\n#ccprconf26",
        "2030-01-01T10:00:00+00:00",
        True,
    )
    assert run_livepost("queue", "pause", cwd=demo_event).out.startswith("Paused")
    status = run_livepost("status", cwd=demo_event)
    assert "Daemon: not running (start it with: livepost run); PAUSED" in status.out
    assert "Bluesky: Not logged in to Bluesky (https://bsky.social)." in status.out
    assert run_livepost("queue", "resume", cwd=demo_event).out == "Resumed.\n"
    cancelled = run_livepost("queue", "cancel", str(post_id), cwd=demo_event)
    assert cancelled.out == f"Cancelled post {post_id} ({mine['key']}).\n"
    again = run_livepost("queue", "cancel", str(post_id), cwd=demo_event)
    assert again.code != 0
    assert f"Error: cannot cancel post {post_id}: it is cancelled" in again.err
    image = tmp_path / "photo.png"
    image.write_bytes(b"\x89PNG\r\n\x1a\n")
    no_alt = run_livepost("queue", "Look", "--image", image, cwd=demo_event)
    assert no_alt.code == 4
    assert "Error: --alt: photo.png has no alt text" in no_alt.err
    assert "screen readers get nothing" in no_alt.err
    bad_time = run_livepost("queue", "Look", "--at", "soonish", cwd=demo_event)
    assert bad_time.code == 4
    assert "Error: --at: 'soonish' is not a time" in bad_time.err
    thread = run_livepost("queue", "Question time", "--talk", "closing-remarks", cwd=demo_event)
    assert thread.out.endswith(", replying to announce/closing-remarks.\n")


def test_sigterm_stops_between_posts_with_a_summary(demo_event: Path) -> None:
    assert run_livepost("schedule", "import", cwd=demo_event).code == 0
    environ = {k: v for k, v in os.environ.items() if not k.startswith("LIVEPOST_")}
    process = subprocess.Popen(
        [sys.executable, "-m", "livepost", "run", "--dry-run", "--speed", "60"],
        cwd=demo_event,
        env=environ,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        assert first.startswith("livepost run: CCPR Conference 2026 (dry run, 60x)")
        assert "day-open/2026-06-18" in process.stdout.readline()  # 08:30, 5 s after the start
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, err
    assert out.splitlines()[-1].startswith("Summary: 1 posts sent (day_opening 1), 0 missed")


@pytest.mark.postgres
def test_two_daemons_for_two_events_side_by_side_on_postgresql(
    tmp_path: Path, postgres_url: str
) -> None:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("LIVEPOST_")}
    environ["LIVEPOST_DATABASE_URL"] = postgres_url
    folders = []
    for name in ("Event One", "Event Two"):
        folder = tmp_path / name.replace(" ", "")
        (folder / "notes").mkdir(parents=True)
        (folder / "livepost.toml").write_text(
            f'[event]\nname = "{name}"\nhashtags = ["ev"]\ntimezone = "Europe/London"\n'
            'schedule = "schedule.yaml"\n',
            encoding="utf-8",
        )
        (folder / "schedule.yaml").write_text(
            "timezone: Europe/London\ndate: 2026-06-18\ntalks:\n"
            + "".join(
                f'  - {{id: t{i}, title: "{name} talk {i}", '
                f'start: "{10 + i}:00", end: "{10 + i}:45"}}\n'
                for i in range(3)
            ),
            encoding="utf-8",
        )
        (folder / "notes" / "t1.md").write_text("A note.\n\nAnother.\n\n", encoding="utf-8")
        assert run_livepost("schedule", "import", cwd=folder, env=environ).code == 0
        folders.append(folder)
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "livepost", "run", "--dry-run", "--speed", "3000"],
            cwd=folder,
            env=environ,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for folder in folders
    ]
    outputs = [p.communicate(timeout=120) for p in processes]
    for process, (out, err) in zip(processes, outputs, strict=True):
        assert process.returncode == 0, err
        assert out.splitlines()[-1] == (
            "Summary: 10 posts sent (announcement 3, day_closing 1, day_opening 1, snippet 2, "
            "wrapup 3), 0 missed, 0 failed, 0 cancelled by the plan."
        )
    assert "Event One talk 0" in outputs[0][0] and "Event Two" not in outputs[0][0]
    assert "Event Two talk 0" in outputs[1][0] and "Event One" not in outputs[1][0]
