"""The team's JSON API: roles and rooms, idempotent snippets, refusals with a reason, size caps,
and the console's routes as a reporter and a viewer see them. Real SQLite, the demo event."""

from __future__ import annotations

import io
import re
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from livepost.app.team import Team
from livepost.config import Settings
from livepost.model.actors import Actor
from livepost.model.posts import PostState
from livepost.store.engine import open_database, session_scope
from livepost.store.models import OutboxRow
from livepost.web.app import create_app
from tests.web_helpers import NOW, TOKEN, csrf_of, imported_demo

INTILE = "intile-new-technologies-law-enforcement"  # Lecture Theatre 1, 10:50-11:35
BODY_WORN = "body-worn-video-domestic-abuse"  # Seminar Room 2, at the same time


@pytest.fixture
def settings(demo_event: Path) -> Settings:
    return imported_demo(demo_event)


@pytest.fixture
def team(settings: Settings) -> dict[str, str]:
    engine = open_database(settings.database_url)
    people = Team(settings, engine, Actor.owner())
    tokens = {
        "ann": people.add("Ann", "reporter", ["Lecture Theatre 1"])[1],
        "vic": people.add("Vic", "viewer")[1],
        "ola": people.add("Ola", "officer")[1],
    }
    engine.dispose()
    return tokens


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    app = create_app(settings, token=TOKEN, clock=lambda: NOW, online_checks=False)
    with TestClient(app, base_url="http://127.0.0.1:8765") as client:
        yield client


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _rows(settings: Settings) -> list[OutboxRow]:
    engine = open_database(settings.database_url)
    try:
        with session_scope(engine) as session:
            return list(
                session.scalars(
                    select(OutboxRow).where(OutboxRow.origin == "manual").order_by(OutboxRow.id)
                )
            )
    finally:
        engine.dispose()


def _assert_the_png(stored: Path) -> None:
    """The stored photo is :func:`_png`'s picture (re-encoded, metadata stripped: not its bytes)."""
    with Image.open(stored) as image:
        assert image.size == (80, 60)
        assert image.convert("RGB").getpixel((40, 30)) == (0, 0, 128)


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (80, 60), "navy").save(out, "PNG")
    return out.getvalue()


def test_current_talks_for_a_reporter_are_those_of_their_rooms(
    client: TestClient, team: dict[str, str]
) -> None:
    mine = client.get("/api/v1/talks/current", headers=_bearer(team["ann"]))
    assert mine.status_code == 200
    data = mine.json()
    assert [t["id"] for t in data["talks"]] == [INTILE]
    assert data["talks"][0] == {
        "id": INTILE,
        "title": "Introducing New Technologies into Law Enforcement: the INTiLE framework",
        "room": "Lecture Theatre 1",
        "start": "2026-06-18T10:50:00+01:00",
        "end": "2026-06-18T11:35:00+01:00",
        "speakers": data["talks"][0]["speakers"],
    }
    assert [t["id"] for t in data["next"]] == ["harm-focused-policing"]
    everyone = client.get("/api/v1/talks/current", headers=_bearer(team["vic"])).json()
    assert {t["id"] for t in everyone["talks"]} == {
        INTILE,
        BODY_WORN,
        "neighbourhood-policing-community-confidence",
    }


def test_a_snippet_is_queued_once_per_key(
    client: TestClient, team: dict[str, str], settings: Settings
) -> None:
    body = {"talk": INTILE, "text": "Ethics review before any pilot.", "key": "k-1"}
    first = client.post("/api/v1/snippets", json=body, headers=_bearer(team["ann"]))
    assert first.status_code == 201, first.text
    made = first.json()
    assert (made["state"], made["key"], made["talk"]) == ("queued", "k-1", INTILE)
    again = client.post("/api/v1/snippets", json=body, headers=_bearer(team["ann"]))
    assert again.status_code == 200 and again.json()["id"] == made["id"]
    rows = _rows(settings)
    assert len(rows) == 1
    assert (rows[0].id, rows[0].author, rows[0].talk_id) == (made["id"], "Ann", INTILE)
    assert rows[0].text.startswith("Ethics review before any pilot.")
    # another person's same key is their own post
    other = client.post("/api/v1/snippets", json=body, headers=_bearer(team["ola"]))
    assert other.status_code == 201 and other.json()["id"] != made["id"]
    mine = client.get("/api/v1/posts?mine=1", headers=_bearer(team["ann"])).json()["posts"]
    assert [(p["id"], p["author"], p["state"]) for p in mine] == [(made["id"], "Ann", "queued")]


def test_refusals_say_why_and_queue_nothing(
    client: TestClient, team: dict[str, str], settings: Settings
) -> None:
    ann = _bearer(team["ann"])
    outside = client.post(
        "/api/v1/snippets", json={"talk": BODY_WORN, "text": "x", "key": "a"}, headers=ann
    )
    assert outside.status_code == 403
    assert outside.json() == {
        "error": {
            "code": "forbidden",
            "message": f"{BODY_WORN} is in Seminar Room 2, not in Ann's rooms (Lecture Theatre 1)",
        }
    }
    viewer = client.post(
        "/api/v1/snippets",
        json={"talk": INTILE, "text": "x", "key": "b"},
        headers=_bearer(team["vic"]),
    )
    assert viewer.status_code == 403
    assert viewer.json()["error"] == {
        "code": "forbidden",
        "message": "Vic is a viewer: a viewer may not queue a post. Ask an officer of the event.",
    }
    no_alt = client.post(
        "/api/v1/snippets",
        data={"talk": INTILE, "text": "The slide", "key": "c"},
        files={"image": ("slide.png", _png(), "image/png")},
        headers=ann,
    )
    assert no_alt.status_code == 422
    assert no_alt.json()["error"]["code"] == "invalid"
    assert no_alt.json()["error"]["field"] == "alt"
    assert no_alt.json()["error"]["message"].startswith("slide.png has no alt text")
    unreadable = client.post(
        "/api/v1/snippets",
        data={"talk": INTILE, "text": "The slide", "key": "d", "alt": "A chart"},
        files={"image": ("slide.png", b"not an image at all", "image/png")},
        headers=ann,
    )
    assert unreadable.status_code == 422
    assert "slide.png" in unreadable.json()["error"]["message"]
    long = client.post(
        "/api/v1/snippets", json={"talk": INTILE, "text": "é" * 3001, "key": "e"}, headers=ann
    )
    assert long.status_code == 422 and "3,001 characters" in long.json()["error"]["message"]
    huge = client.post(
        "/api/v1/snippets",
        content=b"x",
        headers={**ann, "Content-Type": "application/json", "Content-Length": "1500000000"},
    )
    assert huge.status_code == 413
    assert huge.json() == {
        "error": {"code": "too_large", "message": "the body is larger than 64 KB"}
    }
    assert _rows(settings) == []
    assert not (settings.event_dir / "uploads").exists() or not any(
        (settings.event_dir / "uploads").iterdir()
    )


def test_a_photo_with_alt_text_is_queued(
    client: TestClient, team: dict[str, str], settings: Settings
) -> None:
    done = client.post(
        "/api/v1/snippets",
        data={"talk": INTILE, "text": "The framework", "key": "p1", "alt": "Diagram: law, ethics"},
        files={"image": ("slide.png", _png(), "image/png")},
        headers=_bearer(team["ann"]),
    )
    assert done.status_code == 201, done.text
    (row,) = _rows(settings)
    assert row.embed is not None
    (image,) = row.embed["images"]
    assert image["alt"] == "Diagram: law, ethics"
    _assert_the_png(Path(image["path"]))


def test_an_upload_over_the_cap_is_refused_while_it_streams(
    client: TestClient, team: dict[str, str], settings: Settings
) -> None:
    def body() -> Iterator[bytes]:  # no Content-Length: only counting can stop it
        yield b'--b\r\nContent-Disposition: form-data; name="image"; filename="a.png"\r\n\r\n'
        chunk = b"\0" * (1 << 20)
        for _ in range(40):
            yield chunk

    refused = client.post(
        "/api/v1/snippets",
        content=body(),
        headers={**_bearer(team["ann"]), "Content-Type": "multipart/form-data; boundary=b"},
    )
    assert refused.status_code == 413
    assert _rows(settings) == []


def test_wrong_and_revoked_tokens_get_401_and_nothing_else(
    client: TestClient, team: dict[str, str], settings: Settings
) -> None:
    for n in range(1000):
        answer = client.get("/api/v1/talks/current", headers=_bearer(f"guess-{n}"))
        assert answer.status_code == 401
        assert "set-cookie" not in answer.headers
    assert client.get("/api/v1/posts").status_code == 401
    assert client.get("/api/v1/posts").json() == {
        "error": {"code": "unauthorized", "message": "an access token is needed"}
    }
    engine = open_database(settings.database_url)
    Team(settings, engine, Actor.owner()).revoke("Ann")
    engine.dispose()
    revoked = client.post(
        "/api/v1/snippets",
        json={"talk": INTILE, "text": "x", "key": "z"},
        headers=_bearer(team["ann"]),
    )
    assert revoked.status_code == 401
    assert revoked.json() == {
        "error": {"code": "unauthorized", "message": "wrong or revoked token"}
    }
    assert _rows(settings) == []


def test_the_console_as_a_reporter_and_a_viewer(
    client: TestClient, team: dict[str, str], settings: Settings
) -> None:
    # the reporter's link opens their phone page; they edit and cancel their own posts only
    opened = client.get(f"/?token={team['ann']}", follow_redirects=False)
    assert opened.status_code == 303 and opened.headers["location"] == "/r"
    page = client.get("/r")
    assert page.status_code == 200 and "Now in my room" in page.text
    found = re.search(r'<meta name="csrf-token" content="([0-9a-f]{64})">', page.text)
    assert found is not None
    csrf = found.group(1)
    headers = {"X-CSRF-Token": csrf}
    made = client.post(
        "/api/v1/snippets", json={"talk": INTILE, "text": "By cookie", "key": "c1"}, headers=headers
    )
    assert made.status_code == 201
    no_csrf = client.post(
        "/api/v1/snippets", json={"talk": INTILE, "text": "By cookie", "key": "c2"}
    )
    assert no_csrf.status_code == 403
    officer_post = client.post(
        "/api/v1/snippets",
        json={"talk": INTILE, "text": "The officer's", "key": "o1"},
        headers=_bearer(TOKEN),
    ).json()["id"]
    theirs = client.post(f"/posts/{officer_post}/cancel", data={"csrf_token": csrf})
    assert theirs.status_code == 403
    listing = client.get("/queue/list").text  # the console's queue: their own posts only
    assert f'id="post-{made.json()["id"]}"' in listing
    assert f'id="post-{officer_post}"' not in listing
    assert client.post("/queue/pause", data={"csrf_token": csrf}).status_code == 403
    edited = client.patch(
        f"/api/v1/posts/{made.json()['id']}", json={"text": "By cookie, edited"}, headers=headers
    )
    assert edited.status_code == 200 and edited.json()["edited_by"] == "Ann"
    own = client.post(
        f"/posts/{made.json()['id']}/cancel", data={"csrf_token": csrf}, follow_redirects=False
    )
    assert own.status_code == 303
    rows = {r.id: r for r in _rows(settings)}
    mine = rows[made.json()["id"]]
    assert (mine.state, mine.author, mine.edited_by, mine.cancelled_by) == (
        "cancelled",
        "Ann",
        "Ann",
        "Ann",
    )
    assert rows[officer_post].state == PostState.QUEUED
    assert (rows[officer_post].author, rows[officer_post].author_id) == ("owner", "owner")

    client.cookies.clear()
    assert client.get(f"/queue?token={team['vic']}").status_code == 200  # a viewer reads
    csrf = csrf_of(client.get("/compose").text)
    refused = client.post(
        "/compose", data={"csrf_token": csrf, "text": "Hello", "talk": "", "when": "now"}
    )
    assert refused.status_code == 403 and "Vic is a viewer: a viewer may not queue" in refused.text


def test_behind_an_https_proxy_links_use_the_base_url_and_cookies_are_secure(
    settings: Settings,
) -> None:
    import socket
    import threading
    import time

    import httpx
    import uvicorn

    from livepost.web.server import HTTP_BASE_WARNING, startup_lines

    lines = startup_lines("0.0.0.0", 8765, "abc", "Conf", "https://live.example.org")
    assert lines[0] == "livepost console for Conf"  # HTTPS in front: no warning
    assert "    https://live.example.org/?token=abc" in lines
    plain = startup_lines("0.0.0.0", 8765, "abc", "Conf", "http://live.example.org")
    assert plain[0].startswith("Warning: the console listens on 0.0.0.0")
    assert plain[1] == HTTP_BASE_WARNING.format(base_url="http://live.example.org")

    app = create_app(settings, token=TOKEN, clock=lambda: NOW, online_checks=False)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
        server = uvicorn.Server(
            uvicorn.Config(
                app,
                host="127.0.0.1",
                port=port,
                log_level="warning",
                lifespan="off",
                proxy_headers=True,
                forwarded_allow_ips="127.0.0.1",
            )
        )
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
        thread.start()
        try:
            for _ in range(200):
                if server.started:
                    break
                time.sleep(0.05)
            via_proxy = httpx.get(
                f"http://127.0.0.1:{port}/queue?token={TOKEN}",
                headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"},
            )
            direct = httpx.get(f"http://127.0.0.1:{port}/queue?token={TOKEN}")
        finally:
            server.should_exit = True
            thread.join(15)
    assert via_proxy.status_code == 200
    assert all(c.endswith("; Secure") for c in via_proxy.headers.get_list("set-cookie"))
    assert not any("Secure" in c for c in direct.headers.get_list("set-cookie"))


def test_the_console_queue_says_who_queued_each_post_by_identity(
    client: TestClient, team: dict[str, str], settings: Settings
) -> None:
    sent = client.post(
        "/api/v1/snippets",
        headers=_bearer(team["ann"]),
        json={"talk": INTILE, "text": "Ann's note from the room", "key": "who-1"},
    )
    assert sent.status_code == 201, sent.text
    (row,) = _rows(settings)
    assert row.author_id is not None and row.author_id.startswith("member:")
    member = row.author_id.removeprefix("member:")
    page = client.get("/queue/list", headers=_bearer(team["ola"]))
    assert page.status_code == 200
    assert f"by <bdi>Ann (member {member})</bdi>" in page.text
