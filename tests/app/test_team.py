"""The comms team: personal tokens stored hashed, roles and rooms, revocation, through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select

from livepost.app.team import authenticate, token_hash
from livepost.config import load_settings
from livepost.model.actors import Role
from livepost.store.engine import open_database, session_scope
from livepost.store.models import TeamMemberRow
from tests.clirunner import run_livepost


def _imported(event: Path) -> None:
    assert run_livepost("--event", event, "schedule", "import").code == 0


def test_team_add_prints_the_link_a_qr_code_and_stores_only_the_hash(demo_event: Path) -> None:
    _imported(demo_event)
    done = run_livepost(
        "--event", demo_event, "team", "add", "Ann Lee", "--role", "reporter",
        "--room", "Lecture Theatre 1", "--json",
    )  # fmt: skip
    assert done.code == 0, done.err
    data = json.loads(done.out)
    assert (data["name"], data["role"], data["rooms"]) == (
        "Ann Lee",
        "reporter",
        ["Lecture Theatre 1"],
    )
    token = data["token"]
    assert len(token) >= 43 and data["link"] == f"http://127.0.0.1:8765/?token={token}"

    shown = run_livepost(
        "--event", demo_event, "team", "add", "Bo", "--role", "viewer",
        "--base-url", "https://live.example.org",
    )  # fmt: skip
    assert shown.code == 0, shown.err
    assert "https://live.example.org/?token=" in shown.out
    assert "█" in shown.out  # the QR code, drawn in the terminal

    settings = load_settings(demo_event, environ={})
    engine = open_database(settings.database_url)
    with session_scope(engine) as session:
        rows = {r.name: r for r in session.scalars(select(TeamMemberRow))}
    assert rows["Ann Lee"].token_hash == token_hash(token)
    assert token not in repr(vars(rows["Ann Lee"]))
    actor = authenticate(settings, engine, token)
    assert actor is not None and actor.role == Role.REPORTER
    assert actor.rooms == ("Lecture Theatre 1",)
    assert authenticate(settings, engine, token[:-1] + ("A" if token[-1] != "A" else "B")) is None

    listed = run_livepost("--event", demo_event, "team", "list", "--json")
    assert [(m["name"], m["role"], m["revoked"]) for m in json.loads(listed.out)] == [
        ("Ann Lee", "reporter", False),
        ("Bo", "viewer", False),
    ]
    revoked = run_livepost("--event", demo_event, "team", "revoke", "Ann Lee")
    assert revoked.code == 0 and revoked.out == "Revoked Ann Lee's link: it no longer works.\n"
    assert authenticate(settings, engine, token) is None
    engine.dispose()


def test_team_mistakes_are_plain_messages(demo_event: Path) -> None:
    _imported(demo_event)
    no_room = run_livepost("--event", demo_event, "team", "add", "Cy", "--role", "reporter")
    assert no_room.code == 4 and "a reporter needs at least one room" in no_room.err
    bad_room = run_livepost(
        "--event", demo_event, "team", "add", "Cy", "--role", "reporter", "--room", "Attic"
    )
    assert bad_room.code == 4
    assert "no room 'Attic' in the programme" in bad_room.err
    assert "Lecture Theatre 1" in bad_room.err
    bad_role = run_livepost("--event", demo_event, "team", "add", "Cy", "--role", "boss")
    assert bad_role.code == 4 and "unknown role 'boss'" in bad_role.err
    gone = run_livepost("--event", demo_event, "team", "revoke", "Nobody")
    assert gone.code == 2 and "no one called 'Nobody' has access" in gone.err


def test_the_cli_acts_as_the_owner_and_queue_list_says_who(demo_event: Path) -> None:
    import getpass

    _imported(demo_event)
    me = getpass.getuser()
    queued = run_livepost("--event", demo_event, "queue", "Coffee in the foyer", "--at", "+2h")
    assert queued.code == 0, queued.err
    post_id = queued.out.split()[2]
    assert run_livepost("--event", demo_event, "queue", "cancel", post_id).code == 0
    listed = run_livepost("--event", demo_event, "queue", "list", "--all")
    (line,) = [ln for ln in listed.out.splitlines() if ln.startswith(f"#{post_id} ")]
    assert line.endswith(f"[by {me} (owner); cancelled by {me} (owner)]")
    rows = json.loads(run_livepost("--event", demo_event, "queue", "list", "--all", "--json").out)
    (row,) = [r for r in rows if str(r["id"]) == post_id]
    assert (row["author"], row["edited_by"], row["cancelled_by"]) == (me, None, me)
    assert (row["author_id"], row["edited_by_id"], row["cancelled_by_id"]) == (
        "owner",
        None,
        "owner",
    )
