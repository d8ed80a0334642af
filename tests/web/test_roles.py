"""Every console route and every API route x every role: who is refused (403) and who succeeds,
and that a refusal changes nothing in the database. Real SQLite: one event folder is prepared
once (the demo programme, a morning of posts, the team, a post of the reporter's and one of the
command line's, a reply in our thread), and each case runs on its own copy of it."""

from __future__ import annotations

import shutil
import sqlite3
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from livepost.app.event import EventApp
from livepost.app.queue import PostRequest
from livepost.app.team import Team
from livepost.config import Settings, load_settings
from livepost.model.actors import Actor, Role
from livepost.store.engine import open_database, session_scope
from livepost.store.models import ArchivedPostRow, OutboxRow
from livepost.store.talks import ensure_event
from livepost.web.app import create_app
from tests.web.test_wall import seed as seed_wall
from tests.web.test_wall import uri as wall_uri
from tests.web_helpers import NOW, TOKEN, csrf_of, imported_demo, seed_day

DEMO = Path(__file__).resolve().parents[2] / "schedules" / "ccprconf26"
INTILE = "intile-new-technologies-law-enforcement"  # Lecture Theatre 1, 10:50-11:35
REPLY = "at://did:plc:someone/app.bsky.feed.post/3kreply0001"

#: the four people of the table, by their role (the owner, the console's own token, is not one)
VIEWER, OTHER_ROOM, THE_ROOM, OFFICER = "viewer", "reporter of another room", "reporter", "officer"
ROLES = (VIEWER, OTHER_ROOM, THE_ROOM, OFFICER)
PEOPLE = {
    VIEWER: ("Vic", "viewer", ()),
    OTHER_ROOM: ("Rita", "reporter", ("Seminar Room 2",)),
    THE_ROOM: ("Ann", "reporter", ("Lecture Theatre 1",)),
    OFFICER: ("Ola", "officer", ()),
}

#: what a refusal must leave untouched
TABLES = ("outbox", "wall_moderation", "wall_log", "gate_writes", "audit_log", "team_members")


@dataclass
class Prepared:
    """The event folder every case copies, and what is in it."""

    folder: Path
    tokens: dict[str, str]
    ids: dict[str, int] = field(default_factory=dict)


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> Prepared:
    folder = tmp_path_factory.mktemp("roles") / "ccprconf26"
    shutil.copytree(DEMO, folder)
    settings = imported_demo(folder)
    day = seed_day(settings)
    seed_wall(settings)
    engine = open_database(settings.database_url)
    owner = Actor.owner("root")
    tokens: dict[str, str] = {}
    actors: dict[str, Actor] = {}
    for role, (name, kind, rooms) in PEOPLE.items():
        member, tokens[role] = Team(settings, engine, owner).add(name, kind, rooms)
        actors[role] = Actor.member(member.id, name, Role(kind), tuple(rooms))

    def queue(actor: Actor, text: str, minutes: int) -> int:
        app = EventApp(settings, engine, actor, lambda: NOW)
        request = PostRequest(text, talk_id=INTILE, due_at=NOW + timedelta(minutes=minutes))
        return app.queue.queue(request).ids[0]

    ids = {
        "ann": queue(actors[THE_ROOM], "Ann's note from the front row.", 5),
        "owner": queue(owner, "The command line's note.", 6),
        "snippet": day.snippet_id,
    }
    with session_scope(engine) as session:
        event = ensure_event(session, settings.event_key, settings.event.name, "Europe/London")
        rows = session.query(OutboxRow).filter(OutboxRow.event_id == event.id).all()
        ids["failed"] = next(r.id for r in rows if r.state == "failed")
        root = next(r.uri for r in rows if r.key == f"announce/{INTILE}")
        session.add(
            ArchivedPostRow(
                event_id=event.id,
                uri=REPLY,
                cid="bafyreply",
                author_did="did:plc:someone",
                author_handle="jo.research.example",
                author_name="Jo",
                text="Great talk!",
                created_at=NOW,
                indexed_at=NOW,
                reply_parent=root,
                reply_root=root,
                source="reply",
            )
        )
    wall = EventApp(settings, engine, owner, lambda: NOW).wall  # so that every "un-" undoes
    for verb, target in (("hide", wall_uri(1)), ("pin", wall_uri(1)), ("block", "bob.test")):
        assert wall.act(verb, target)
    engine.dispose()
    return Prepared(folder, tokens, ids)


@dataclass
class Console:
    """One copy of the prepared event, served, with the person signed in by their link."""

    settings: Settings
    client: TestClient
    token: str
    csrf: str

    def dump(self) -> dict[str, Any]:
        """The rows a refusal must not change, and whether sending is paused."""
        path = self.settings.database_url.removeprefix("sqlite:///")
        with sqlite3.connect(path) as db:
            dump: dict[str, Any] = {
                table: db.execute(f"SELECT * FROM {table} ORDER BY rowid").fetchall()
                for table in TABLES
            }
            dump["events.paused"] = db.execute("SELECT id, paused FROM events").fetchall()
        uploads = self.settings.event_dir / "uploads"
        dump["uploads"] = sorted(p.name for p in uploads.iterdir()) if uploads.exists() else []
        return dump


@pytest.fixture
def serve(prepared: Prepared, tmp_path: Path) -> Iterator[Any]:
    clients: list[TestClient] = []

    def start(role: str) -> Console:
        folder = tmp_path / f"copy{len(clients)}" / "ccprconf26"
        shutil.copytree(prepared.folder, folder)
        settings = load_settings(folder, environ={})
        app = create_app(settings, token=TOKEN, clock=lambda: NOW, online_checks=False)
        client = TestClient(app, base_url="http://127.0.0.1:8765")
        clients.append(client)
        token = prepared.tokens[role]
        page = client.get(f"/compose?token={token}")
        assert page.status_code == 200, page.text
        return Console(settings, client, token, csrf_of(page.text))

    yield start
    for client in clients:
        client.close()


@dataclass(frozen=True)
class Case:
    """One route: how to call it, and the roles that may (everyone else gets 403)."""

    method: str
    path: str  # {ann}, {owner}, {snippet}, {failed}: ids from the prepared event
    allowed: tuple[str, ...]
    form: dict[str, str] | None = None  # a console form (the CSRF token is added)
    json: dict[str, Any] | None = None  # an API body (sent with the person's bearer token)
    reads: bool = False  # a POST that changes nothing (a preview)

    @property
    def api(self) -> bool:
        return self.path.startswith("/api/")

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


EVERYONE = ROLES
POSTERS = (THE_ROOM, OFFICER)  # queue into the talk in Lecture Theatre 1
AUTHOR = (THE_ROOM, OFFICER)  # change Ann's post: Ann herself, and any officer
OFFICERS = (OFFICER,)
SNIPPET = {"text": "A point from the talk.", "talk": INTILE, "when": "now", "in_thread": "on"}

CONSOLE = [
    Case("GET", "/", EVERYONE),
    Case("GET", "/today/timeline", EVERYONE),
    Case("GET", "/compose", EVERYONE),
    Case("POST", "/compose/preview", EVERYONE, form=SNIPPET, reads=True),
    Case("POST", "/compose", POSTERS, form=SNIPPET),
    Case("GET", f"/card.png?kind=talk&talk={INTILE}", EVERYONE),
    Case("GET", "/queue", EVERYONE),
    Case("GET", "/queue/list", EVERYONE),
    Case("POST", "/queue/pause", OFFICERS, form={}),
    Case("POST", "/queue/resume", OFFICERS, form={}),
    Case("GET", "/posts/{ann}/edit", AUTHOR),
    Case("POST", "/posts/{ann}/edit", AUTHOR, form={"text": "Ann's note, edited.", "due": ""}),
    Case("POST", "/posts/{ann}/cancel", AUTHOR, form={}),
    Case("POST", "/posts/{failed}/retry", OFFICERS, form={}),
    Case("POST", "/posts/{snippet}/up", OFFICERS, form={}),
    Case("POST", "/posts/{snippet}/down", OFFICERS, form={}),
    Case("GET", "/engagement", EVERYONE),
    Case("GET", "/engagement/panel", EVERYONE),
    Case("GET", "/wall", EVERYONE),
    Case("GET", "/wall/posts", EVERYONE),
    Case("GET", "/wall/manage", OFFICERS),
    Case("POST", "/wall/hide", OFFICERS, form={"target": wall_uri(2, "did:plc:mallory")}),
    Case("POST", "/wall/unhide", OFFICERS, form={"target": wall_uri(1)}),
    Case("POST", "/wall/pin", OFFICERS, form={"target": wall_uri(3)}),
    Case("POST", "/wall/unpin", OFFICERS, form={"target": wall_uri(1)}),
    Case("POST", "/wall/block", OFFICERS, form={"target": "carol.test"}),
    Case("POST", "/wall/unblock", OFFICERS, form={"target": "bob.test"}),
    Case("POST", "/replies/hide", OFFICERS, form={"target": REPLY}),
    Case("GET", "/checks", EVERYONE),
    Case("GET", "/checks/results", EVERYONE),
    Case("GET", "/r", EVERYONE),
]

API = [
    Case("GET", "/api/v1/me", EVERYONE),
    Case("GET", "/api/v1/talks/current", EVERYONE),
    Case(
        "POST", "/api/v1/preview", EVERYONE, json={"text": "A point.", "talk": INTILE}, reads=True
    ),
    Case("POST", "/api/v1/snippets", POSTERS, json={"talk": INTILE, "text": "A point."}),
    Case("GET", "/api/v1/posts", EVERYONE),
    Case("PATCH", "/api/v1/posts/{ann}", AUTHOR, json={"text": "Ann's note, edited."}),
    Case("POST", "/api/v1/posts/{ann}/cancel", AUTHOR, json={}),
    Case("GET", "/api/v1/wall", EVERYONE),
    Case("POST", "/api/v1/wall/hide", OFFICERS, json={"uri": wall_uri(2, "did:plc:mallory")}),
    Case("POST", "/api/v1/wall/unhide", OFFICERS, json={"uri": wall_uri(1)}),
    Case("POST", "/api/v1/wall/pin", OFFICERS, json={"uri": wall_uri(3)}),
    Case("POST", "/api/v1/wall/unpin", OFFICERS, json={"uri": wall_uri(1)}),
    Case("POST", "/api/v1/wall/block", OFFICERS, json={"did": "did:plc:carol"}),
    Case("POST", "/api/v1/wall/unblock", OFFICERS, json={"did": "did:plc:bob"}),
    Case("POST", "/api/v1/replies/hide", OFFICERS, json={"uri": REPLY}),
    Case("POST", "/api/v1/queue/pause", OFFICERS, json={}),
    Case("POST", "/api/v1/queue/resume", OFFICERS, json={}),
]


def call(console: Console, case: Case, ids: dict[str, int]) -> Any:
    path = case.path.format(**ids)
    client = console.client
    if case.api:
        headers = {"Authorization": f"Bearer {console.token}"}
        if case.method == "GET":
            return client.get(path, headers=headers)
        return client.request(case.method, path, json=case.json, headers=headers)
    if case.method == "GET":
        return client.get(path, follow_redirects=False)
    form = {"csrf_token": console.csrf, **(case.form or {})}
    return client.post(path, data=form, follow_redirects=False)


def test_the_table_covers_every_route() -> None:
    """A route added to the console or the API without a row here fails this test."""
    import tempfile

    from starlette.routing import Route

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "ccprconf26"
        shutil.copytree(DEMO, folder)
        app = create_app(load_settings(folder, environ={}), token=TOKEN, online_checks=False)
        served = {
            (method, route.path)
            for route in app.routes
            if isinstance(route, Route)
            for method in (route.methods or ()) - {"HEAD"}
        }
    numbered = {"{ann}": "{post_id:int}", "{failed}": "{post_id:int}", "{snippet}": "{post_id:int}"}
    covered = set()
    for case in CONSOLE + API:
        path = case.path.split("?")[0]
        for name, pattern in numbered.items():
            path = path.replace(name, pattern)
        if path.startswith("/wall/") and path not in ("/wall/posts", "/wall/manage"):
            path = "/wall/{verb:str}"
        covered.add((case.method, path))
    assert served == covered


@pytest.mark.parametrize("case", CONSOLE + API, ids=str)
def test_who_may_use_each_route(case: Case, serve: Any, prepared: Prepared) -> None:
    for role in ROLES:
        console = serve(role)
        before = console.dump()
        answer = call(console, case, prepared.ids)
        if role in case.allowed:
            assert answer.status_code in (200, 201, 204, 303), (role, answer.text[-1500:])
            if case.method != "GET" and not case.reads:
                assert console.dump() != before, f"{role}: {case} did nothing"
            continue
        assert answer.status_code == 403, (role, answer.status_code, answer.text[:500])
        if case.api:
            assert answer.json()["error"]["code"] == "forbidden"
        else:
            assert answer.headers["content-type"].startswith("text/html")
        assert console.dump() == before, f"{role}: a refused {case} changed the database"


# --- authorisation before lookup, and the person in the logs -------------------------------------


def test_a_viewer_is_refused_before_anything_is_looked_up(serve: Any) -> None:
    console = serve(VIEWER)
    before = console.dump()
    bearer = {"Authorization": f"Bearer {console.token}"}
    client = console.client
    for path, body in (
        ("/api/v1/wall/hide", {"uri": "at://did:plc:nobody/app.bsky.feed.post/none"}),
        ("/api/v1/wall/block", {"did": "did:plc:nobody"}),
        ("/api/v1/wall/pin", {}),
        ("/api/v1/replies/hide", {"uri": "at://did:plc:nobody/app.bsky.feed.post/none"}),
        ("/api/v1/posts/99999/cancel", {}),
    ):
        answer = client.post(path, json=body, headers=bearer)
        assert answer.status_code == 403, (path, answer.text)
        assert answer.json()["error"]["code"] == "forbidden"
    assert (
        client.patch("/api/v1/posts/99999", json={"text": "x"}, headers=bearer).status_code == 403
    )
    assert console.dump() == before


def test_an_officer_gets_404_for_an_unknown_reply_and_422_for_a_bad_uri(serve: Any) -> None:
    console = serve(OFFICER)
    before = console.dump()
    bearer = {"Authorization": f"Bearer {console.token}"}
    unknown = "at://did:plc:nobody/app.bsky.feed.post/none"
    answer = console.client.post("/api/v1/replies/hide", json={"uri": unknown}, headers=bearer)
    assert answer.status_code == 404
    assert answer.json() == {
        "error": {
            "code": "not_found",
            "message": f"{unknown} is not a reply in one of our threads that the archive knows. "
            "Run `livepost archive sync` first, then give the reply's at:// URI.",
        }
    }
    bad = console.client.post("/api/v1/wall/hide", json={"uri": "https://x"}, headers=bearer)
    assert bad.status_code == 422
    assert bad.json()["error"]["code"] == "invalid"
    assert bad.json()["error"]["field"] == "URI"
    assert console.dump() == before


def test_moderation_from_the_phone_is_logged_under_the_person(serve: Any) -> None:
    console = serve(OFFICER)
    bearer = {"Authorization": f"Bearer {console.token}"}
    me = console.client.get("/api/v1/me", headers=bearer).json()
    assert me == {"name": "Ola", "role": "officer", "rooms": []}
    hidden = console.client.post("/api/v1/wall/hide", json={"uri": wall_uri(3)}, headers=bearer)
    assert hidden.json() == {"action": "hide", "uri": wall_uri(3), "changed": True}
    again = console.client.post("/api/v1/wall/hide", json={"uri": wall_uri(3)}, headers=bearer)
    assert again.json()["changed"] is False
    replied = console.client.post("/api/v1/replies/hide", json={"uri": REPLY}, headers=bearer)
    assert replied.status_code == 200 and replied.json()["hidden"] is True
    paused = console.client.post("/api/v1/queue/pause", headers=bearer)
    assert paused.json() == {"paused": True}
    path = console.settings.database_url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as db:
        (member_id,) = db.execute("SELECT id FROM team_members WHERE name = 'Ola'").fetchone()
        wall_log = db.execute(
            "SELECT actor, actor_id, action, target FROM wall_log WHERE actor_id != 'owner'"
        ).fetchall()
        audit = db.execute(
            "SELECT actor_id, actor_name, action, target FROM audit_log ORDER BY id DESC LIMIT 3"
        ).fetchall()
        (paused_flag,) = db.execute("SELECT paused FROM events").fetchone()
    who = f"member:{member_id}"
    ola = f"Ola (member {member_id})"
    assert wall_log == [(ola, who, "hide", wall_uri(3)), (ola, who, "hide-reply", REPLY)]
    assert audit == [
        (who, "Ola", "pause", "sending"),
        (who, "Ola", "reply hide", REPLY),
        (who, "Ola", "wall hide", wall_uri(3)),
    ]
    assert paused_flag == 1
    page = console.client.get("/wall/manage").text
    assert f"<bdi>Ola (member {member_id})</bdi>" in page  # the page's log names the person


# --- names are not identities --------------------------------------------------------------------


@pytest.mark.parametrize("name", ["Officer", "ROOT", "owner", "Ｏｆｆｉｃｅｒ", "admin"])
def test_a_reserved_name_cannot_join_the_team(
    prepared: Prepared, name: str, tmp_path: Path
) -> None:
    from livepost.errors import Conflict

    folder = tmp_path / "ccprconf26"
    shutil.copytree(prepared.folder, folder)
    settings = load_settings(folder, environ={})
    engine = open_database(settings.database_url)
    try:
        with pytest.raises(Conflict, match="is reserved"):  # exit 2 on the CLI, 409 on the web
            Team(settings, engine, Actor.owner()).add(name, "reporter", ["Lecture Theatre 1"])
    finally:
        engine.dispose()


@pytest.mark.parametrize("name", ["Officer2", "root (owner)", "Ann (member 3)"])
def test_a_look_alike_name_changes_no_one_elses_post(
    prepared: Prepared, tmp_path: Path, name: str
) -> None:
    """A reporter of the same room, named like the officer, the command line or another
    reporter, cannot edit or cancel their posts by id: over the API or the console."""
    folder = tmp_path / "ccprconf26"
    shutil.copytree(prepared.folder, folder)
    settings = load_settings(folder, environ={})
    engine = open_database(settings.database_url)
    _, token = Team(settings, engine, Actor.owner()).add(name, "reporter", ["Lecture Theatre 1"])
    engine.dispose()
    app = create_app(settings, token=TOKEN, clock=lambda: NOW, online_checks=False)
    with TestClient(app, base_url="http://127.0.0.1:8765") as client:
        csrf = csrf_of(client.get(f"/compose?token={token}").text)
        console = Console(settings, client, token, csrf)
        before = console.dump()
        bearer = {"Authorization": f"Bearer {token}"}
        for post_id in (prepared.ids["owner"], prepared.ids["ann"]):
            answers = [
                client.patch(f"/api/v1/posts/{post_id}", json={"text": "Mine now"}, headers=bearer),
                client.post(f"/api/v1/posts/{post_id}/cancel", headers=bearer),
                client.get(f"/posts/{post_id}/edit"),
                client.post(
                    f"/posts/{post_id}/edit", data={"csrf_token": csrf, "text": "Mine", "due": ""}
                ),
                client.post(f"/posts/{post_id}/cancel", data={"csrf_token": csrf}),
            ]
            assert [a.status_code for a in answers] == [403] * 5
            assert (
                answers[0].json()["error"]["message"] == f"post {post_id} is not {name}'s to change"
            )
        listing = client.get("/queue/list").text  # and their queue shows neither
        assert f'id="post-{prepared.ids["owner"]}"' not in listing
        assert f'id="post-{prepared.ids["ann"]}"' not in listing
        assert console.dump() == before


# --- errors in one place -------------------------------------------------------------------------


def test_every_api_error_is_json_with_a_code(serve: Any, prepared: Prepared) -> None:
    console = serve(OFFICER)
    client = console.client
    bearer = {"Authorization": f"Bearer {console.token}"}

    def error(answer: Any) -> tuple[int, str]:
        assert answer.headers["content-type"] == "application/json", answer.text
        body = answer.json()
        assert set(body) == {"error"} and isinstance(body["error"]["message"], str)
        return answer.status_code, body["error"]["code"]

    not_json = client.post(
        "/api/v1/snippets",
        content=b"{not json",
        headers={**bearer, "Content-Type": "application/json"},
    )
    assert error(not_json) == (400, "bad_request")
    assert not_json.json()["error"]["message"] == 'the body is not JSON. Send e.g. {"text": "..."}.'
    a_list = client.post("/api/v1/preview", json=[1, 2], headers=bearer)
    assert error(a_list) == (400, "bad_request")
    wrong = client.get("/api/v1/posts", headers={"Authorization": "Bearer nope"})
    assert error(wrong) == (401, "unauthorized")
    nowhere = client.get("/api/v1/nowhere", headers=bearer)
    assert error(nowhere) == (404, "not_found")
    assert nowhere.json()["error"]["message"] == "There is no page at /api/v1/nowhere."
    assert error(client.post("/api/v1/posts/99999/cancel", headers=bearer)) == (404, "not_found")
    wrong_method = client.get("/api/v1/snippets", headers=bearer)
    assert error(wrong_method) == (405, "method_not_allowed")
    assert wrong_method.headers["allow"] == "POST"
    posted = client.post(f"/api/v1/posts/{prepared.ids['failed'] - 1}/cancel", headers=bearer)
    assert error(posted) == (409, "conflict")
    huge = client.post(
        "/api/v1/preview",
        content=b"x",
        headers={**bearer, "Content-Type": "application/json", "Content-Length": "999999"},
    )
    assert error(huge) == (413, "too_large")
    invalid = client.post("/api/v1/preview", json={"text": 5}, headers=bearer)
    assert error(invalid) == (422, "invalid")
    assert invalid.json()["error"] == {
        "code": "invalid",
        "message": "text must be a string",
        "field": "text",
    }
    # the HTML pages keep their HTML error pages
    page = client.get("/nowhere")
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert "There is no page at /nowhere." in page.text


def test_an_unexpected_error_is_a_json_500_and_a_broken_database_a_503(serve: Any) -> None:
    console = serve(OFFICER)
    path = console.settings.database_url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as db:  # a value no version of livepost writes: a bug's trace
        db.execute("UPDATE outbox SET embed = '{not json' WHERE id = 1")
    bearer = {"Authorization": f"Bearer {console.token}"}
    app = console.client.app
    with TestClient(app, base_url="http://127.0.0.1:8765", raise_server_exceptions=False) as client:
        answer = client.get("/api/v1/posts", headers=bearer)
        assert answer.status_code == 500
        assert answer.json() == {
            "error": {
                "code": "internal_error",
                "message": "an unexpected error; it has been logged",
            }
        }
        page = client.get(f"/?token={console.token}")  # Today reads every post
        assert page.status_code == 500 and page.headers["content-type"].startswith("text/html")
        with sqlite3.connect(path) as db:  # a database livepost cannot use: 503, said why
            db.execute("ALTER TABLE outbox RENAME COLUMN text TO body")
        broken = client.get("/api/v1/posts", headers=bearer)
        assert broken.status_code == 503
        assert broken.json()["error"]["code"] == "unavailable"
        assert "no such column: outbox.text" in broken.json()["error"]["message"]
