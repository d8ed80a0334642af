"""Identities, not names: ``team add`` refuses the reserved names (owner, officer, admin, the
computer's user, in any case or width) and two people with one name, with exit 2 and a clear
message; and a reporter who carries the computer user's name anyway (added before names were
reserved) still cannot change the command line's posts, because posts are compared by identity."""

from __future__ import annotations

import getpass
import json
from pathlib import Path

import pytest
from sqlalchemy import select, update

from livepost.app.event import EventApp
from livepost.app.queue import PostRequest
from livepost.app.team import authenticate
from livepost.config import load_settings
from livepost.errors import NotAllowed
from livepost.model.actors import ActorKind, Role
from livepost.model.posts import PostState
from livepost.store.engine import open_database, session_scope
from livepost.store.models import AuditRow, OutboxRow, TeamMemberRow
from tests.clirunner import run_livepost

ROOM = "Lecture Theatre 1"


@pytest.fixture
def event(demo_event: Path) -> Path:
    assert run_livepost("--event", demo_event, "schedule", "import").code == 0
    return demo_event


def _add(event: Path, name: str, role: str = "reporter") -> tuple[int, str, str]:
    done = run_livepost("--event", event, "team", "add", name, "--role", role, "--room", ROOM)
    return done.code, done.out, done.err


@pytest.mark.parametrize(
    "name",
    ["Officer", "OWNER", "admin", "ｏｆｆｉｃｅｒ", getpass.getuser(), getpass.getuser().upper()],
)
def test_reserved_names_are_refused_with_exit_2(event: Path, name: str) -> None:
    code, out, err = _add(event, name)
    assert (code, out) == (2, "")
    assert err.startswith(
        f"Error: the name {name!r} is reserved: it names the event's owner or the command line\n"
    )
    assert "Give the person their own name." in err
    listed = run_livepost("--event", event, "team", "list", "--json")
    assert json.loads(listed.out) == []  # nothing was added


def test_two_people_whose_names_differ_only_by_case_are_refused(event: Path) -> None:
    assert _add(event, "Ann Lee")[0] == 0
    for clash in ("ann lee", "ANN LEE", "Ａｎｎ Ｌｅｅ"):
        code, out, err = _add(event, clash)
        assert (code, out) == (2, "")
        assert (
            f"Error: the name {clash!r} is taken: Ann Lee is already in the team (member 1;" in err
        )
    listed = json.loads(run_livepost("--event", event, "team", "list", "--json").out)
    assert [m["name"] for m in listed] == ["Ann Lee"]


def test_a_reporter_named_like_the_os_user_cannot_change_the_clis_posts(event: Path) -> None:
    me = getpass.getuser()
    queued = run_livepost("--event", event, "queue", "Coffee in the foyer", "--at", "+2h")
    assert queued.code == 0, queued.err
    post_id = int(queued.out.split()[2])
    added = run_livepost(
        "--event", event, "team", "add", "Ann", "--role", "reporter", "--room", ROOM, "--json"
    )
    token = json.loads(added.out)["token"]
    settings = load_settings(event)
    engine = open_database(settings.database_url)
    with session_scope(engine) as session:  # as a database from before names were reserved
        session.execute(update(TeamMemberRow).values(name=me, name_key=me.casefold()))
    actor = authenticate(settings, engine, token)
    assert actor is not None
    assert (actor.kind, actor.role, actor.name) == (ActorKind.MEMBER, Role.REPORTER, me)
    reporter = EventApp(settings, engine, actor)
    with session_scope(engine) as session:
        before = session.scalars(select(OutboxRow).where(OutboxRow.id == post_id)).one()
        snapshot = (before.text, before.due_at, before.state, before.author, before.author_id)
        audit_lines = len(session.scalars(select(AuditRow)).all())
    assert snapshot[3:] == (me, "owner")  # the same name, another identity

    with pytest.raises(NotAllowed, match=f"post {post_id} is not {me}'s to change"):
        reporter.queue.edit(post_id, text="Coffee is cancelled")
    with pytest.raises(NotAllowed, match=f"post {post_id} is not {me}'s to change"):
        reporter.queue.cancel(post_id)

    with session_scope(engine) as session:
        after = session.scalars(select(OutboxRow).where(OutboxRow.id == post_id)).one()
        assert (after.text, after.due_at, after.state, after.author, after.author_id) == snapshot
        assert after.state == PostState.QUEUED
        assert len(session.scalars(select(AuditRow)).all()) == audit_lines  # nothing logged
    engine.dispose()


def test_a_reporter_named_officer_cannot_change_an_officers_posts(event: Path) -> None:
    tokens = {}
    for name, role in (("Sam", "officer"), ("Rob", "reporter")):
        done = run_livepost(
            "--event", event, "team", "add", name, "--role", role, "--room", ROOM, "--json"
        )
        assert done.code == 0, done.err
        tokens[role] = json.loads(done.out)["token"]
    settings = load_settings(event)
    engine = open_database(settings.database_url)
    officer = authenticate(settings, engine, tokens["officer"])
    assert officer is not None
    talk = EventApp(settings, engine, officer).programme.talks()[0].id
    queued = EventApp(settings, engine, officer).queue.queue(
        PostRequest("The officer's note", talk_id=talk)
    )
    with session_scope(engine) as session:  # the reporter renamed as from before reservations
        session.execute(
            update(TeamMemberRow)
            .where(TeamMemberRow.name == "Rob")
            .values(name="Officer", name_key="officer")
        )
    reporter = authenticate(settings, engine, tokens["reporter"])
    assert reporter is not None and reporter.name == "Officer"
    post_id = queued.ids[0]
    with pytest.raises(NotAllowed, match=f"post {post_id} is not Officer's to change"):
        EventApp(settings, engine, reporter).queue.edit(post_id, text="Hijacked")
    with pytest.raises(NotAllowed):
        EventApp(settings, engine, reporter).queue.cancel(post_id)
    with session_scope(engine) as session:
        row = session.scalars(select(OutboxRow).where(OutboxRow.id == post_id)).one()
        assert (row.state, row.author, row.author_id) == (PostState.QUEUED, "Sam", "member:1")
        assert row.text.startswith("The officer's note")
    engine.dispose()
