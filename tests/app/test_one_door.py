"""The door itself: every action of the application layer asks who is asking first.

Each action is tried by every kind of person (a viewer, a reporter of another room, a reporter of
the talk's room, an officer, the command line's owner) through :class:`EventApp`; a refusal is
:class:`NotAllowed` and leaves every table as it was. Identities decide, never names: reserved or
look-alike names are refused, and a reporter cannot change a post that is not theirs by id.
"""

from __future__ import annotations

import getpass
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from livepost.app.event import EventApp
from livepost.app.permissions import ROLE_ACTIONS, Action, allowed
from livepost.app.queue import PostRequest
from livepost.app.team import authenticate
from livepost.config import Settings, load_settings
from livepost.errors import Conflict, InputError, NotAllowed, NotFound
from livepost.model.actors import Actor, Role
from livepost.store.engine import open_database
from tests.conftest import REPO
from tests.web_helpers import NOW, imported_demo

INTILE = "intile-new-technologies-law-enforcement"  # Lecture Theatre 1, 10:50-11:35
NOWHERE = "at://did:plc:nobody/app.bsky.feed.post/3zzzzzzzzzzzz"
TABLES = (
    "outbox",
    "wall_moderation",
    "wall_log",
    "gate_writes",
    "audit_log",
    "team_members",
    "events",
)


@pytest.fixture(scope="module")
def imported_once(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo event imported once per module (the import is the slow part)."""
    target = tmp_path_factory.mktemp("door") / "ccprconf26"
    shutil.copytree(REPO / "schedules" / "ccprconf26", target)
    imported_demo(target)
    return target


@pytest.fixture
def settings(imported_once: Path, tmp_path: Path) -> Settings:
    event_dir = tmp_path / "ccprconf26"
    shutil.copytree(imported_once, event_dir)
    return load_settings(event_dir, environ={})


@pytest.fixture
def engine(settings: Settings) -> Any:
    engine = open_database(settings.database_url)
    yield engine
    engine.dispose()


def door(settings: Settings, engine: Any, actor: Actor) -> EventApp:
    return EventApp(settings, engine, actor, lambda: NOW)


@pytest.fixture
def people(settings: Settings, engine: Any) -> dict[str, Actor]:
    """The owner and one member of each kind, as their tokens authenticate them."""
    owner = Actor.owner("jane")
    team = door(settings, engine, owner).team
    tokens = {
        "viewer": team.add("Vic", "viewer")[1],
        "reporter elsewhere": team.add("Rhea", "reporter", ["Seminar Room 2"])[1],
        "reporter here": team.add("Ann", "reporter", ["Lecture Theatre 1"])[1],
        "officer": team.add("Olu", "officer")[1],
    }
    found: dict[str, Actor] = {"owner": owner}
    for who, token in tokens.items():
        actor = authenticate(settings, engine, token)
        assert actor is not None
        found[who] = actor
    return found


def snapshot(engine: Any) -> dict[str, list[tuple[Any, ...]]]:
    with engine.connect() as connection:
        return {
            table: sorted(
                (
                    tuple(map(str, row))
                    for row in connection.execute(text(f"SELECT * FROM {table}"))
                ),
            )
            for table in TABLES
        }


#: action name -> (what it does, who may)
ACTIONS: dict[str, tuple[Callable[[EventApp, int], Any], set[str]]] = {
    "queue into the talk": (
        lambda app, _: app.queue.queue(PostRequest("From the room", talk_id=INTILE)),
        {"reporter here", "officer", "owner"},
    ),
    "queue outside any talk": (
        lambda app, _: app.queue.queue(PostRequest("Coffee in the foyer")),
        {"officer", "owner"},
    ),
    "edit the owner's post": (
        lambda app, post: app.queue.edit(post, text="Changed"),
        {"officer", "owner"},
    ),
    "cancel the owner's post": (lambda app, post: app.queue.cancel(post), {"officer", "owner"}),
    "move the owner's post": (lambda app, post: app.queue.move(post, "up"), {"officer", "owner"}),
    "pause": (lambda app, _: app.queue.set_paused(True), {"officer", "owner"}),
    "hide on the wall": (lambda app, _: app.wall.act("hide", NOWHERE), {"officer", "owner"}),
    "block on the wall": (
        lambda app, _: app.wall.act("block", "troll.example.com"),
        {"officer", "owner"},
    ),
    "unblock on the wall": (
        lambda app, _: app.wall.act("unblock", "did:plc:troll"),
        {"officer", "owner"},
    ),
    "see the moderation log": (lambda app, _: app.wall.log(), {"officer", "owner"}),
    "hide a reply": (lambda app, _: app.replies.hide(NOWHERE), {"officer", "owner"}),
    "add a member": (lambda app, _: app.team.add("Newcomer", "viewer"), {"officer", "owner"}),
    "list the team": (lambda app, _: app.team.list(), {"officer", "owner"}),
    "revoke a member": (lambda app, _: app.team.revoke("Vic"), {"officer", "owner"}),
    "read the queue": (
        lambda app, _: app.queue.posts(),
        {"viewer", "reporter elsewhere", "reporter here", "officer", "owner"},
    ),
    "read the wall": (
        lambda app, _: app.wall.posts(),
        {"viewer", "reporter elsewhere", "reporter here", "officer", "owner"},
    ),
}
WHO = ("viewer", "reporter elsewhere", "reporter here", "officer", "owner")


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_every_action_asks_who_is_asking(
    settings: Settings, engine: Any, people: dict[str, Actor], action: str, who: str
) -> None:
    owner_post = door(settings, engine, people["owner"]).queue.queue(
        PostRequest("The owner's own post", due_at=None)
    )
    door(settings, engine, people["owner"]).queue.queue(PostRequest("Another post"))
    do, may = ACTIONS[action]
    before = snapshot(engine)
    app = door(settings, engine, people[who])
    if who in may:
        try:
            do(app, owner_post.ids[0])
        except NotFound:  # allowed, and then told the thing is not there: not a refusal
            assert action == "hide a reply"
    else:
        with pytest.raises(NotAllowed) as refused:
            do(app, owner_post.ids[0])
        assert people[who].name in refused.value.message
        assert snapshot(engine) == before, f"{who} was refused {action} but something changed"


def test_a_refusal_comes_before_the_lookup(
    settings: Settings, engine: Any, people: dict[str, Actor]
) -> None:
    """A viewer learns nothing about what exists: the same refusal for a post or URI that is
    not there, where an officer is told it is not there."""
    viewer = door(settings, engine, people["viewer"])
    officer = door(settings, engine, people["officer"])
    for attempt in (
        lambda app: app.queue.edit(99999, text="x"),
        lambda app: app.queue.cancel(99999),
        lambda app: app.queue.retry(99999),
        lambda app: app.replies.hide(NOWHERE),
        lambda app: app.wall.act("nonsense-verb", "x"),
    ):
        with pytest.raises(NotAllowed):
            attempt(viewer)
    with pytest.raises(NotFound, match="no queued post with id 99999"):
        officer.queue.cancel(99999)
    with pytest.raises(NotFound, match="is not a reply in one of our threads"):
        officer.replies.hide(NOWHERE)
    with pytest.raises(InputError, match="unknown wall action 'nonsense-verb'"):
        officer.wall.act("nonsense-verb", "x")


def test_a_reporter_changes_their_own_posts_only_by_identity(
    settings: Settings, engine: Any, people: dict[str, Actor]
) -> None:
    ann = door(settings, engine, people["reporter here"])
    mine = ann.queue.queue(PostRequest("Ann's note", talk_id=INTILE)).ids[0]
    team = door(settings, engine, people["owner"]).team
    other_token = team.add("Ann Other", "reporter", ["Lecture Theatre 1"])[1]
    other = authenticate(settings, engine, other_token)
    assert other is not None
    with pytest.raises(NotAllowed, match=f"post {mine} is not Ann Other's to change"):
        door(settings, engine, other).queue.edit(mine, text="Hijacked")
    ann.queue.edit(mine, text="Ann's note, corrected")
    (row,) = [p for p in ann.queue.posts() if p["id"] == mine]
    assert row["text"].startswith("Ann's note, corrected")
    # a reporter's queue shows their own posts only, by identity
    assert [p["id"] for p in door(settings, engine, other).queue.posts()] == []


@pytest.mark.parametrize(
    "name",
    ["Officer", "OWNER", "admin", "ｏｆｆｉｃｅｒ", " Owner ", "ROOT", "cli", "Daemon"],
)
def test_reserved_names_are_refused(
    settings: Settings, engine: Any, people: dict[str, Actor], name: str
) -> None:
    team = door(settings, engine, people["owner"]).team
    before = snapshot(engine)
    with pytest.raises(Conflict, match="is reserved: it names the event's owner"):
        team.add(name, "reporter", ["Lecture Theatre 1"])
    assert snapshot(engine) == before


def test_the_computer_users_name_is_reserved(
    settings: Settings, engine: Any, people: dict[str, Actor]
) -> None:
    user = getpass.getuser()
    with pytest.raises(Conflict, match="is reserved"):
        door(settings, engine, people["owner"]).team.add(user.upper(), "viewer")


def test_two_people_cannot_share_a_name_told_apart_by_case(
    settings: Settings, engine: Any, people: dict[str, Actor]
) -> None:
    team = door(settings, engine, people["owner"]).team
    with pytest.raises(Conflict, match=r"Ann is already in the team \(member \d+;"):
        team.add("ANN", "viewer")
    with pytest.raises(Conflict, match="Vic is already in the team"):
        team.add("ｖｉｃ", "viewer")  # fullwidth: NFKC makes it "vic"


def test_changes_are_logged_with_the_members_id_and_name(
    settings: Settings, engine: Any, people: dict[str, Actor]
) -> None:
    ann = people["reporter here"]
    post = door(settings, engine, ann).queue.queue(PostRequest("Logged", talk_id=INTILE)).ids[0]
    door(settings, engine, ann).queue.cancel(post)
    door(settings, engine, people["officer"]).wall.act("block", "troll.example.com")
    with engine.connect() as connection:
        log = connection.execute(
            text("SELECT actor_id, actor_name, action, target FROM audit_log ORDER BY id")
        ).all()
        row = connection.execute(
            text("SELECT author, author_id, cancelled_by, cancelled_by_id FROM outbox WHERE id=:i"),
            {"i": post},
        ).one()
    assert (f"member:{ann.member_id}", "Ann", "queue", f"post {post}") in log
    assert (f"member:{ann.member_id}", "Ann", "cancel", f"post {post}") in log
    olu = people["officer"]
    assert (f"member:{olu.member_id}", "Olu", "wall block", "troll.example.com") in log
    assert tuple(row) == ("Ann", f"member:{ann.member_id}", "Ann", f"member:{ann.member_id}")


def test_the_table_gives_officers_everything_and_viewers_reading_only() -> None:
    assert ROLE_ACTIONS[Role.OFFICER] == frozenset(Action)
    assert ROLE_ACTIONS[Role.VIEWER] == frozenset({Action.READ})
    reporter = Actor.member(1, "Ann", Role.REPORTER, ("Lecture Theatre 1",))
    assert [a for a in Action if allowed(reporter, a)] == [
        Action.READ,
        Action.POST,
        Action.CHANGE_OWN,
    ]
    assert allowed(Actor.owner(), Action.MANAGE_TEAM) and allowed(Actor.daemon(), Action.RUN)
