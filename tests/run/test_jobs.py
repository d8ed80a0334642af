"""The daemon's jobs: which ones a run has (decided once, when it is assembled), that they reach
the event only through the application layer, and that the daemon's door refuses anyone who may
not run the event, changing nothing."""

from __future__ import annotations

import ast
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from livepost.app.daemon import DaemonWork
from livepost.app.event import EventApp
from livepost.config import Settings, load_settings
from livepost.errors import NotAllowed
from livepost.model.actors import Actor, Role
from livepost.model.posts import PostKind, PostState
from livepost.publish.dryrun import DryRunPublisher
from livepost.run.assemble import RunRequest, build_daemon
from livepost.run.daemon import Daemon
from livepost.run.rehearsal import rehearsal_key
from livepost.store.engine import open_database, session_scope
from livepost.store.models import EventRow, OutboxRow, TalkRow
from tests.clirunner import run_livepost

RUN = Path(__file__).resolve().parents[2] / "livepost" / "run"
ALL_JOBS = ["plan", "send", "programme", "notes", "gates", "archive", "wall", "live_stream"]


def _settings(folder: Path, extra: str = "") -> Settings:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "livepost.toml").write_text(
        '[event]\nname = "Jobs"\nhashtags = ["jobs"]\ntimezone = "Europe/London"\n'
        'schedule = "https://programme.example.org/talks.json"\n'
        '[wall]\njetstream = "ws://127.0.0.1:9/subscribe"\n' + extra,
        encoding="utf-8",
    )
    return load_settings(folder, environ={})


class _Live(DryRunPublisher):
    """Sends like the dry run but counts as live; reads with ``client`` (None: cannot read)."""

    dry_run = False

    def __init__(self, client: object | None) -> None:
        super().__init__()
        self.client = client

    @property
    def read_client(self) -> object | None:
        return self.client


def test_a_real_run_wires_every_job_with_the_publisher_and_its_own_session(
    tmp_path: Path,
) -> None:
    settings = _settings(tmp_path / "event")
    client = object()
    publisher = _Live(client)
    daemon = Daemon(settings, open_database(settings.database_url), publisher, echo=print)
    jobs = daemon.jobs
    assert jobs.names() == ALL_JOBS
    assert jobs.send.publisher is publisher and jobs.gates is not None
    assert jobs.gates.publisher is publisher
    assert jobs.archive is not None and jobs.archive.client is client
    assert jobs.wall is not None and jobs.wall.client is client
    assert jobs.live_stream is not None and jobs.live_stream.url == "ws://127.0.0.1:9/subscribe"
    works = [
        job.work
        for job in (jobs.plan, jobs.send, jobs.programme, jobs.gates, jobs.archive, jobs.wall)
        if job is not None
    ]
    assert {(w.actor, w.key) for w in works} == {(Actor.daemon(), settings.event_key)}
    assert [type(job).__name__ for job in jobs.after_sending()] == [
        "ArchiveJob",
        "WallJob",
        "GatesJob",
    ]


def test_a_live_publisher_that_cannot_read_bluesky_gets_gates_but_no_archive_or_wall(
    tmp_path: Path,
) -> None:
    settings = _settings(tmp_path / "event")
    daemon = Daemon(settings, open_database(settings.database_url), _Live(None), once=True)
    assert daemon.jobs.names() == ["plan", "send", "programme", "gates"]


def test_a_dry_run_wires_no_archive_wall_or_gates_jobs(tmp_path: Path) -> None:
    settings = _settings(tmp_path / "event", extra="")
    engine = open_database(settings.database_url)
    lines: list[str] = []
    daemon = build_daemon(settings, engine, RunRequest(), lines.append)  # no account: a dry run
    assert lines == ["No Bluesky account configured: rehearsing (dry run), nothing is posted."]
    assert daemon.publisher.dry_run and daemon.publisher.read_client is None
    assert daemon.jobs.names() == ["plan", "send", "programme", "notes"]
    assert daemon.rehearse and daemon.work.key == rehearsal_key(settings.event_key)
    once = build_daemon(settings, engine, RunRequest(dry_run=True, once=True), lines.append)
    assert once.jobs.names() == ["plan", "send", "programme"]
    plain = _settings(tmp_path / "plain")
    (plain.event_dir / "livepost.toml").write_text(
        '[event]\nname = "Plain"\nhashtags = ["plain"]\ntimezone = "UTC"\n', encoding="utf-8"
    )
    plain = load_settings(plain.event_dir, environ={})
    bare = build_daemon(plain, open_database(plain.database_url), RunRequest(dry_run=True), print)
    assert bare.jobs.names() == ["plan", "send", "notes"]  # no programme URL to follow


# --- the door refuses ---------------------------------------------------------------------------


def _planned(folder: Path) -> Settings:
    assert run_livepost("schedule", "import", cwd=folder).code == 0
    assert run_livepost("plan", cwd=folder).code == 0
    return load_settings(folder, environ={})


def _snapshot(settings: Settings) -> dict[str, Any]:
    engine = open_database(settings.database_url)
    with session_scope(engine) as session:
        events = sorted(session.scalars(select(EventRow.key)))
        talks = session.execute(select(TalkRow.event_id, TalkRow.talk_id, TalkRow.updated_at))
        posts = session.execute(
            select(OutboxRow.id, OutboxRow.event_id, OutboxRow.state, OutboxRow.updated_at)
        )
        snapshot = {"events": events, "talks": sorted(talks), "posts": sorted(posts)}
    engine.dispose()
    return snapshot


LATE = datetime(2030, 1, 1, tzinfo=UTC)  # every post of the demo day is long missed by then

#: every action of the daemon's door, as a job would ask it
ACTIONS: dict[str, Callable[[DaemonWork], object]] = {
    "run_lock": lambda w: w.run_lock(),
    "check_event": lambda w: w.check_event(),
    "rehearse": lambda w: w.on(rehearsal_key(w.settings.event_key)).rehearse(),
    "job_store": lambda w: w.job_store(),
    "media": lambda w: w.media(list, link_cards=False),
    "talks": lambda w: w.talks(),
    "programme_fingerprint": lambda w: w.programme_fingerprint(),
    "notes_fingerprint": lambda w: w.notes_fingerprint(),
    "replan": lambda w: w.replan(LATE - timedelta(days=3650)),
    "refresh_programme": lambda w: w.refresh_programme(),
    "mark_missed": lambda w: w.mark_missed(LATE),
    "due_now": lambda w: w.due_now(LATE),
    "wakeups": lambda w: w.wakeups(LATE),
    "queue_fingerprint": lambda w: w.queue_fingerprint(),
    "deliver": lambda w: w.deliver(DryRunPublisher(), None, LATE),  # type: ignore[arg-type]
    "write_gates": lambda w: w.write_gates(_Live(None), LATE),
    "sync_archive": lambda w: w.sync_archive(object(), LATE),
    "poll_wall": lambda w: w.poll_wall(object(), LATE),
    "follow_live_stream": lambda w: w.follow_live_stream(object(), "ws://x", threading.Event()),
}

REFUSED = [
    Actor.member(3, "Vera", Role.VIEWER),
    Actor.member(4, "Rita", Role.REPORTER, ("Lecture Theatre 1",)),
]


@pytest.mark.parametrize("actor", REFUSED, ids=lambda a: str(a.role))
def test_the_daemons_door_refuses_anyone_who_may_not_run_and_changes_nothing(
    demo_event: Path, actor: Actor
) -> None:
    settings = _planned(demo_event)
    before = _snapshot(settings)
    engine = open_database(settings.database_url)
    work = EventApp(settings, engine, actor).daemon
    refused: dict[str, str] = {}
    for name, action in ACTIONS.items():
        with pytest.raises(NotAllowed) as caught:
            action(work)
        refused[name] = caught.value.message
    engine.dispose()
    assert set(refused) == set(ACTIONS)
    assert set(refused.values()) == {
        f"{actor.name} is a {actor.role}: a {actor.role} may not "
        "plan, send and archive (livepost run)"
    }
    assert _snapshot(settings) == before
    # the same action asked by the daemon does change the queue: the refusal was the difference
    daemon = EventApp(settings, open_database(settings.database_url), Actor.daemon()).daemon
    missed = daemon.mark_missed(LATE)
    assert missed.missed and not missed.pending
    after = _snapshot(settings)
    assert after != before


def test_the_daemon_marks_kinds_and_states_as_types(demo_event: Path) -> None:
    """What the door answers is typed: a sent post's kind is a PostKind."""
    settings = _planned(demo_event)
    engine = open_database(settings.database_url)
    work = EventApp(settings, engine, Actor.daemon()).daemon
    first = min(due for _id, due in work.wakeups(datetime(2000, 1, 1, tzinfo=UTC)))
    media = work.media(work.talks, link_cards=False)
    delivery = work.deliver(DryRunPublisher(), media, first)
    assert [(s.key, s.kind) for s in delivery.sent] == [
        ("day-open/2026-06-18", PostKind.DAY_OPENING)
    ]
    assert isinstance(delivery.sent[0].kind, PostKind)
    with session_scope(engine) as session:
        state = session.scalar(
            select(OutboxRow.state).where(OutboxRow.key == "day-open/2026-06-18")
        )
    assert state is PostState.POSTED
    engine.dispose()


# --- the import rule ------------------------------------------------------------------------------

#: what livepost/run may not import: it reaches these through the application layer
FORBIDDEN = (
    "sqlalchemy",
    "livepost.store",
    "livepost.outbox",
    "livepost.plan",
    "livepost.archive",
    "livepost.schedule",
    "livepost.notes",
    "livepost.publish",
    "livepost.bluesky",
)
#: assemble.py builds the publisher (the dry run's, or the account's with its writer lock)
ASSEMBLY = {
    "livepost.bluesky.publisher",
    "livepost.bluesky.session",
    "livepost.publish.dryrun",
    "livepost.publish.lock",
}


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


def test_the_run_package_reaches_the_event_only_through_the_application_layer() -> None:
    found = {
        str(path.relative_to(RUN)): sorted(
            name
            for name in _imports(path)
            if any(name == f or name.startswith(f + ".") for f in FORBIDDEN)
        )
        for path in sorted(RUN.rglob("*.py"))
    }
    assert {path: names for path, names in found.items() if names} == {
        "assemble.py": sorted(ASSEMBLY)
    }
    assert "jobs/plan.py" in found and "jobs/wall.py" in found  # the walk saw the jobs
