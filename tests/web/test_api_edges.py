"""The JSON API's edges, attacked as a hostile client would: bodies nested 10,000 deep, a
5,000-digit number, lone surrogates, bytes that are not UTF-8, the wrong content type, 13 MB
bodies with and without a Content-Length (against a real uvicorn server too: that is where a
dropped connection shows), and an idempotency key reused for another post. Each answers 400, 409
or 413 with the API's one error shape and an exact message, and the outbox is exactly as it was.
Real SQLite, the demo event."""

from __future__ import annotations

import io
import socket
import threading
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image
from sqlalchemy import select

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from livepost.app.team import Team
from livepost.config import Settings
from livepost.model.actors import Actor
from livepost.store.engine import open_database, session_scope
from livepost.store.models import OutboxRow
from livepost.web.app import create_app
from livepost.web.errors import BadRequest
from tests.web_helpers import NOW, TOKEN, imported_demo

INTILE = "intile-new-technologies-law-enforcement"  # Lecture Theatre 1, 10:50-11:35
BODY_WORN = "body-worn-video-domestic-abuse"  # Seminar Room 2, at the same time
MB = 1024 * 1024
JSON = {"Content-Type": "application/json"}
NOT_JSON = 'the body is not JSON. Send e.g. {"text": "..."}.'


@pytest.fixture
def settings(demo_event: Path) -> Settings:
    return imported_demo(demo_event)


@pytest.fixture
def team(settings: Settings) -> dict[str, dict[str, str]]:
    """Bearer headers of a reporter (Lecture Theatre 1) and an officer."""
    engine = open_database(settings.database_url)
    people = Team(settings, engine, Actor.owner())
    tokens = {
        "ann": people.add("Ann", "reporter", ["Lecture Theatre 1"])[1],
        "ola": people.add("Ola", "officer")[1],
    }
    engine.dispose()
    return {name: {"Authorization": f"Bearer {token}"} for name, token in tokens.items()}


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    app = create_app(settings, token=TOKEN, clock=lambda: NOW, online_checks=False)
    with TestClient(app, base_url="http://127.0.0.1:8765") as client:
        yield client


@pytest.fixture
def server(settings: Settings) -> Iterator[str]:
    """The console served by uvicorn on a free 127.0.0.1 port, in a thread (as ``serve`` does)."""
    import uvicorn

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
        app = create_app(settings, token=TOKEN, port=port, clock=lambda: NOW, online_checks=False)
        config = uvicorn.Config(
            app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"
        )
        served = uvicorn.Server(config)
        thread = threading.Thread(target=served.run, kwargs={"sockets": [sock]}, daemon=True)
        thread.start()
        for _ in range(200):  # waiting for it to listen, not asserting anything
            if served.started:
                break
            time.sleep(0.05)
        assert served.started, "the console did not start"
        try:
            yield f"http://127.0.0.1:{port}"
        finally:
            served.should_exit = True
            thread.join(timeout=15)
            assert not thread.is_alive()


Outbox = list[tuple[Any, ...]]


def _outbox(settings: Settings) -> Outbox:
    """Every row of the outbox, as much of it as a refused request could have changed."""
    engine = open_database(settings.database_url)
    try:
        with session_scope(engine) as session:
            rows = session.scalars(select(OutboxRow).order_by(OutboxRow.id))
            return [(r.id, r.key, r.state, r.text, r.client_key, r.version) for r in rows]
    finally:
        engine.dispose()


def _manual(settings: Settings) -> list[tuple[int, str, str | None]]:
    return [(r[0], r[3], r[4]) for r in _outbox(settings) if r[1].startswith("manual/")]


def _error(answer: httpx.Response, status: int, code: str, message: str) -> None:
    """The answer is the API's one error shape, with this status, code and message."""
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == "application/json"
    assert answer.json() == {"error": {"code": code, "message": message}}


def _png(colour: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (80, 60), colour).save(out, "PNG")
    return out.getvalue()


def _chunks(head: bytes, size: int, tail: bytes = b"") -> Iterator[bytes]:
    """A body of ``size`` bytes and more, with no Content-Length: sent chunked."""
    yield head
    for _ in range(size // MB):
        yield b"a" * MB
    yield tail


# --- JSON that hurts the parser -------------------------------------------------------------------


def test_a_body_nested_10000_deep_is_refused_before_it_is_parsed(
    client: TestClient, team: dict[str, dict[str, str]], settings: Settings
) -> None:
    before = _outbox(settings)
    deep = b"[" * 10000 + b"]" * 10000
    for path in ("/api/v1/snippets", "/api/v1/preview"):
        answer = client.post(path, content=deep, headers={**team["ann"], **JSON})
        _error(
            answer, 400, "bad_request", "the body nests arrays and objects deeper than 20 levels"
        )
    inside = b'{"talk": "%s", "text": "x", "more": %s}' % (INTILE.encode(), b"{" * 5000)
    answer = client.post("/api/v1/snippets", content=inside, headers={**team["ann"], **JSON})
    _error(answer, 400, "bad_request", "the body nests arrays and objects deeper than 20 levels")
    assert _outbox(settings) == before


def test_twenty_levels_pass_and_brackets_inside_strings_do_not_count(
    client: TestClient, team: dict[str, dict[str, str]]
) -> None:
    brackets = b'[[[[[[[[[[[[[[[[[[[[[[[[[ \\" {{{{{{{{{{{{{{{{{{{{{{{{{'  # inside the text
    body = b'{"talk": "%s", "text": "' + brackets + b'", "x": %s}'
    twenty = body % (INTILE.encode(), b"[" * 19 + b"]" * 19)  # the object is the first level
    answer = client.post("/api/v1/preview", content=twenty, headers={**team["ann"], **JSON})
    assert answer.status_code == 200, answer.text
    assert answer.json()["posts"][0]["text"].startswith('[[[[[[[[[[[[[[[[[[[[[[[[[ " {{{{')
    too_deep = body % (INTILE.encode(), b"[" * 20 + b"]" * 20)
    answer = client.post("/api/v1/preview", content=too_deep, headers={**team["ann"], **JSON})
    _error(answer, 400, "bad_request", "the body nests arrays and objects deeper than 20 levels")


def test_escapes_inside_strings_cannot_hide_brackets_from_the_count() -> None:
    """After an escaped backslash the quote ends the string; an escaped quote ends none: brackets
    are counted exactly where the parser sees them."""
    from livepost.web.bodies import MAX_DEPTH, nesting, parse_json

    deep = "[" * MAX_DEPTH + "]" * MAX_DEPTH  # 20 levels, 21 inside the object
    for text in ('{"a": "\\\\", "b": %s}', '{"a": "\\"]]]]", "b": %s}'):
        assert nesting(text % deep, MAX_DEPTH) == MAX_DEPTH + 1
        with pytest.raises(BadRequest) as refused:
            parse_json((text % deep).encode())
        assert refused.value.message == "the body nests arrays and objects deeper than 20 levels"
    assert nesting('{"a": "[[[[\\"[[[["}', MAX_DEPTH) == 1
    assert parse_json(b'{"a": "\\\\", "b": [[1]]}') == {"a": "\\", "b": [[1]]}


def test_a_5000_digit_number_is_refused(
    client: TestClient, team: dict[str, dict[str, str]], settings: Settings
) -> None:
    before = _outbox(settings)
    huge = b'{"talk": "%s", "text": "x", "key": "n1", "n": %s}' % (INTILE.encode(), b"9" * 5000)
    answer = client.post("/api/v1/snippets", content=huge, headers={**team["ann"], **JSON})
    _error(answer, 400, "bad_request", "a number in the body is longer than 32 characters")
    long_float = b'{"text": "x", "n": 0.%s}' % (b"1" * 5000)
    answer = client.post("/api/v1/preview", content=long_float, headers={**team["ann"], **JSON})
    _error(answer, 400, "bad_request", "a number in the body is longer than 32 characters")
    infinite = b'{"text": "x", "n": 1e999}'
    answer = client.post("/api/v1/preview", content=infinite, headers={**team["ann"], **JSON})
    _error(answer, 400, "bad_request", "the number 1e999 in the body is too large")
    nan = b'{"text": "x", "n": NaN}'
    answer = client.post("/api/v1/preview", content=nan, headers={**team["ann"], **JSON})
    _error(answer, 400, "bad_request", 'NaN is not a JSON number. Send e.g. {"text": "..."}.')
    assert _outbox(settings) == before


def test_a_lone_surrogate_or_nul_is_refused_and_a_pair_is_text(
    client: TestClient, team: dict[str, dict[str, str]], settings: Settings
) -> None:
    before = _outbox(settings)
    message = "the body holds a lone surrogate (\\ud800): it is not text"
    lone = b'{"talk": "%s", "text": "\\ud800", "key": "s1"}' % INTILE.encode()
    answer = client.post("/api/v1/snippets", content=lone, headers={**team["ann"], **JSON})
    _error(answer, 400, "bad_request", message)
    in_a_key = b'{"talk": "%s", "text": "x", "\\udfff": 1}' % INTILE.encode()
    answer = client.post("/api/v1/snippets", content=in_a_key, headers={**team["ann"], **JSON})
    _error(answer, 400, "bad_request", "the body holds a lone surrogate (\\udfff): it is not text")
    nested = b'{"text": "x", "more": [{"a": ["ok", "\\udc80"]}]}'
    answer = client.post("/api/v1/preview", content=nested, headers={**team["ann"], **JSON})
    _error(answer, 400, "bad_request", "the body holds a lone surrogate (\\udc80): it is not text")
    nul = b'{"talk": "%s", "text": "a\\u0000b", "key": "s3"}' % INTILE.encode()
    answer = client.post("/api/v1/snippets", content=nul, headers={**team["ann"], **JSON})
    _error(answer, 400, "bad_request", "the body holds a NUL character (\\u0000): it is not text")
    in_a_form = client.post(  # PostgreSQL refuses NUL in text: it would be a 503 later
        "/api/v1/snippets",
        data={"talk": INTILE, "text": "a\x00b", "key": "s4"},
        files={"image": ("slide.png", _png("navy"), "image/png")},
        headers=team["ann"],
    )
    _error(
        in_a_form, 400, "bad_request", "the body holds a NUL character (\\u0000): it is not text"
    )
    assert _outbox(settings) == before
    # an escaped pair is one character (an emoji), as JSON means it
    pair = b'{"talk": "%s", "text": "Applause \\ud83d\\udc4f", "key": "s2"}' % INTILE.encode()
    answer = client.post("/api/v1/snippets", content=pair, headers={**team["ann"], **JSON})
    assert answer.status_code == 201, answer.text
    ((_id, text, _key),) = _manual(settings)
    assert text.startswith("Applause \U0001f44f")


def test_bytes_that_are_not_utf8_are_refused(
    client: TestClient, team: dict[str, dict[str, str]], settings: Settings
) -> None:
    before = _outbox(settings)
    answer = client.post(
        "/api/v1/snippets", content=b'{"text": "\xff"}', headers={**team["ann"], **JSON}
    )
    _error(answer, 400, "bad_request", "the body is not UTF-8 (byte 0xff at offset 10)")
    utf16 = '{"talk": "x", "text": "y"}'.encode("utf-16")
    answer = client.post("/api/v1/snippets", content=utf16, headers={**team["ann"], **JSON})
    _error(answer, 400, "bad_request", "the body is not UTF-8 (byte 0xff at offset 0)")
    latin = {**team["ann"], "Content-Type": "application/json; charset=latin-1"}
    answer = client.post("/api/v1/snippets", content=b'{"text": "x"}', headers=latin)
    _error(answer, 400, "bad_request", "JSON is read as UTF-8, not latin-1")
    assert _outbox(settings) == before


def test_the_wrong_content_type_is_refused(
    client: TestClient, team: dict[str, dict[str, str]], settings: Settings
) -> None:
    before = _outbox(settings)
    body = b'{"talk": "%s", "text": "x", "key": "t1"}' % INTILE.encode()
    plain = {**team["ann"], "Content-Type": "text/plain"}
    answer = client.post("/api/v1/snippets", content=body, headers=plain)
    _error(
        answer, 400, "bad_request", "send application/json or multipart/form-data, not text/plain"
    )
    answer = client.post("/api/v1/preview", content=body, headers=plain)
    _error(answer, 400, "bad_request", "the body must be sent as application/json, not text/plain")
    form = {**team["ann"], "Content-Type": "application/x-www-form-urlencoded"}
    answer = client.post("/api/v1/snippets", content=b"talk=x&text=y", headers=form)
    _error(
        answer,
        400,
        "bad_request",
        "send application/json or multipart/form-data, not application/x-www-form-urlencoded",
    )
    answer = client.post("/api/v1/snippets", content=body, headers=team["ann"])
    _error(
        answer,
        400,
        "bad_request",
        "send application/json or multipart/form-data, not a body without a Content-Type",
    )
    answer = client.post("/api/v1/preview", content=body, headers=team["ann"])
    _error(
        answer,
        400,
        "bad_request",
        "the body must be sent as application/json (no Content-Type was given)",
    )
    answer = client.post("/api/v1/preview", json=[{"talk": INTILE}], headers=team["ann"])
    _error(answer, 400, "bad_request", "the body must be a JSON object")
    answer = client.post("/api/v1/preview", content=b'{"text": ', headers={**team["ann"], **JSON})
    _error(answer, 400, "bad_request", NOT_JSON)
    assert _outbox(settings) == before


def test_a_broken_multipart_body_is_a_json_400(
    client: TestClient, team: dict[str, dict[str, str]], settings: Settings
) -> None:
    before = _outbox(settings)
    two = client.post(
        "/api/v1/snippets",
        data={"talk": INTILE, "text": "Two photos", "key": "m1", "alt": "A slide"},
        files=[
            ("image", ("a.png", _png("navy"), "image/png")),
            ("image", ("b.png", _png("teal"), "image/png")),
        ],
        headers=team["ann"],
    )
    _error(two, 400, "bad_request", "Too many files. Maximum number of files is 1.")
    many = client.post(
        "/api/v1/snippets",
        data={f"field{n}": "x" for n in range(11)},
        files={"image": ("a.png", _png("navy"), "image/png")},
        headers=team["ann"],
    )
    _error(many, 400, "bad_request", "Too many fields. Maximum number of fields is 10.")
    no_boundary = {**team["ann"], "Content-Type": "multipart/form-data"}
    answer = client.post("/api/v1/snippets", content=b"--x\r\n", headers=no_boundary)
    _error(answer, 400, "bad_request", "Missing boundary in multipart.")
    assert _outbox(settings) == before


# --- bodies too large -----------------------------------------------------------------------------


def test_a_13_mb_body_is_refused_by_its_length_or_while_it_streams(
    client: TestClient, team: dict[str, dict[str, str]], settings: Settings
) -> None:
    before = _outbox(settings)
    with_length = client.post(
        "/api/v1/snippets",
        content=b'{"talk": "x", "text": "' + b"a" * (13 * MB) + b'"}',
        headers={**team["ann"], **JSON},
    )
    _error(with_length, 413, "too_large", "the body is larger than 64 KB")
    chunked = client.post(
        "/api/v1/preview",
        content=_chunks(b'{"text": "', 13 * MB, b'"}'),
        headers={**team["ann"], **JSON},
    )
    _error(chunked, 413, "too_large", "the body is larger than 64 KB")
    assert _outbox(settings) == before


def test_a_real_server_answers_13_mb_chunked_with_a_413_and_keeps_the_connection(
    server: str, team: dict[str, dict[str, str]], settings: Settings
) -> None:
    before = _outbox(settings)
    streams: list[object] = []  # the TCP connection each answer came on (httpcore's stream)
    with httpx.Client(base_url=server, timeout=60) as http:
        for path in ("/api/v1/snippets", "/api/v1/preview"):
            answer = http.post(
                path,
                content=_chunks(b'{"talk": "x", "text": "', 13 * MB, b'"}'),
                headers={**team["ann"], **JSON},
            )
            assert "content-length" not in answer.request.headers
            assert answer.request.headers["transfer-encoding"] == "chunked"
            _error(answer, 413, "too_large", "the body is larger than 64 KB")
        # a photo over the cap of 25 MB, chunked: the multipart parser is stopped while it counts
        photo = http.post(
            "/api/v1/snippets",
            content=_chunks(
                b'--b\r\nContent-Disposition: form-data; name="image"; filename="a.png"\r\n\r\n',
                26 * MB,
                b"\r\n--b--\r\n",
            ),
            headers={**team["ann"], "Content-Type": "multipart/form-data; boundary=b"},
        )
        _error(photo, 413, "too_large", "the body is larger than 25 MB")
        with_length = http.post(
            "/api/v1/snippets",
            content=b"a" * (13 * MB),
            headers={**team["ann"], **JSON},
        )
        _error(with_length, 413, "too_large", "the body is larger than 64 KB")
        # the same client goes on: the connection was answered, not dropped
        after = http.post(
            "/api/v1/snippets",
            json={"talk": INTILE, "text": "Still here.", "key": "after"},
            headers=team["ann"],
        )
        assert after.status_code == 201, after.text
        streams += [r.extensions["network_stream"] for r in (answer, photo, with_length, after)]
    # one connection all along: each 413 was answered and the rest of its body read, not dropped
    assert all(stream is streams[0] for stream in streams)
    assert _outbox(settings)[: len(before)] == before
    assert [text[:11] for _id, text, _key in _manual(settings)] == ["Still here."]


def test_a_real_server_answers_every_attack_with_json(
    server: str, team: dict[str, dict[str, str]], settings: Settings
) -> None:
    """The parser's attacks again, through uvicorn: 400s with the error shape, never a 500."""
    before = _outbox(settings)
    attacks = {
        b"[" * 10000 + b"]" * 10000: "the body nests arrays and objects deeper than 20 levels",
        b'{"text": %s}' % (b"1" * 5000): "a number in the body is longer than 32 characters",
        b'{"text": "\\ud800"}': "the body holds a lone surrogate (\\ud800): it is not text",
        b'{"text": "\xff"}': "the body is not UTF-8 (byte 0xff at offset 10)",
    }
    with httpx.Client(base_url=server, timeout=60) as http:
        for body, message in attacks.items():
            answer = http.post("/api/v1/snippets", content=body, headers={**team["ann"], **JSON})
            _error(answer, 400, "bad_request", message)
    assert _outbox(settings) == before


# --- the idempotency key --------------------------------------------------------------------------


def test_a_key_reused_for_another_post_is_a_409_and_queues_nothing(
    client: TestClient, team: dict[str, dict[str, str]], settings: Settings
) -> None:
    ola = team["ola"]
    first = client.post(
        "/api/v1/snippets",
        json={"talk": INTILE, "text": "Ethics review before any pilot.", "key": "k-1"},
        headers=ola,
    )
    assert first.status_code == 201, first.text
    made = first.json()["id"]
    queued = _outbox(settings)
    used = (
        f"the key 'k-1' was already used for another post (post {made}): nothing was queued. "
        "Send a new post with a new key."
    )
    for other in (
        {"talk": INTILE, "text": "Something else entirely.", "key": "k-1"},
        {"talk": BODY_WORN, "text": "Ethics review before any pilot.", "key": "k-1"},
    ):
        answer = client.post("/api/v1/snippets", json=other, headers=ola)
        _error(answer, 409, "conflict", used)
    assert _outbox(settings) == queued
    # the same request again (trailing spaces and a CRLF are the same text) is the same post
    for same in ("Ethics review before any pilot.", "Ethics review before any pilot.  \r\n"):
        again = client.post(
            "/api/v1/snippets", json={"talk": INTILE, "text": same, "key": "k-1"}, headers=ola
        )
        assert again.status_code == 200, again.text
        assert again.json()["id"] == made
    assert _outbox(settings) == queued


def test_a_key_reused_with_another_photo_or_description_is_a_409(
    client: TestClient, team: dict[str, dict[str, str]], settings: Settings
) -> None:
    ann = team["ann"]

    def send(colour: str, alt: str) -> httpx.Response:
        return client.post(
            "/api/v1/snippets",
            data={"talk": INTILE, "text": "The framework", "key": "p1", "alt": alt},
            files={"image": ("slide.png", _png(colour), "image/png")},
            headers=ann,
        )

    first = send("navy", "Diagram: law, ethics")
    assert first.status_code == 201, first.text
    made = first.json()["id"]
    queued = _outbox(settings)
    used = (
        f"the key 'p1' was already used for another post (post {made}): nothing was queued. "
        "Send a new post with a new key."
    )
    _error(send("teal", "Diagram: law, ethics"), 409, "conflict", used)
    _error(send("navy", "A photo of a slide"), 409, "conflict", used)
    no_photo = client.post(
        "/api/v1/snippets", json={"talk": INTILE, "text": "The framework", "key": "p1"}, headers=ann
    )
    _error(no_photo, 409, "conflict", used)
    assert _outbox(settings) == queued
    again = send("navy", "Diagram: law, ethics")
    assert again.status_code == 200, again.text
    assert again.json()["id"] == made
    assert _outbox(settings) == queued
    assert len(list((settings.event_dir / "uploads").iterdir())) == 1  # the first photo only
