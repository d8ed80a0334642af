"""Speakers' handles: read from the YAML programme, kept in the people file (which wins), listed,
set and checked by `livepost people`; plan warns about a handle that does not resolve and names
that speaker plainly (a stand-in resolveHandle server on a free port)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from tests.clirunner import run_livepost

KNOWN = {"jomockeridge.bsky.social": "did:plc:jomockeridge", "sam.example.org": "did:plc:sam"}

PROGRAMME = """\
date: 2030-06-18
timezone: Europe/London
talks:
  - id: red-flags
    title: Red flags
    start: "10:00"
    end: "10:30"
    room: Room 1
    speakers:
      - name: Dr Jo Mockeridge
        handle: old-jo.bsky.social
      - name: Sam Speaker
        handle: https://bsky.app/profile/Sam.Example.org
  - id: lonely
    title: Lonely talk
    start: "11:00"
    end: "11:30"
    speakers: [Pat Nohandle]
"""


@pytest.fixture
def resolver() -> Iterator[tuple[str, list[str]]]:
    """A stand-in PDS answering resolveHandle for :data:`KNOWN`; yields its URL and the handles
    it was asked about."""
    asked: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            query = parse_qs(urlparse(self.path).query)
            handle = query.get("handle", [""])[0]
            asked.append(handle)
            if handle in KNOWN:
                body, status = json.dumps({"did": KNOWN[handle]}).encode(), 200
            else:
                body = b'{"error":"InvalidRequest","message":"Unable to resolve handle"}'
                status = 400
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", asked
    finally:
        server.shutdown()
        server.server_close()


def _event(tmp_path: Path, env: dict[str, str] | None = None) -> Path:
    folder = tmp_path / "event"
    (folder / "notes").mkdir(parents=True)
    (folder / "livepost.toml").write_text(
        '[event]\nname = "People"\nhashtags = ["people"]\ntimezone = "Europe/London"\n'
        'schedule = "schedule.yaml"\n[plan]\nday_posts = false\n',
        encoding="utf-8",
    )
    (folder / "schedule.yaml").write_text(PROGRAMME, encoding="utf-8")
    assert run_livepost("schedule", "import", cwd=folder, env=env).code == 0
    return folder


def _people(folder: Path, env: dict[str, str] | None = None) -> list[dict[str, str | None]]:
    done = run_livepost("people", "list", "--json", cwd=folder, env=env)
    assert done.code == 0, done.err
    people: list[dict[str, str | None]] = json.loads(done.out)
    return people


def test_handles_come_from_the_programme_and_the_people_file_wins(
    tmp_path: Path, database_url: str
) -> None:
    env = {"LIVEPOST_DATABASE_URL": database_url}
    folder = _event(tmp_path, env)
    assert _people(folder, env) == [
        {"name": "Dr Jo Mockeridge", "handle": "old-jo.bsky.social", "source": "programme"},
        {"name": "Pat Nohandle", "handle": None, "source": None},
        {"name": "Sam Speaker", "handle": "sam.example.org", "source": "programme"},
    ]

    done = run_livepost(
        "people", "set", "Dr  Jo Mockeridge", "@JoMockeridge.bsky.social", cwd=folder, env=env
    )
    assert done.code == 0, done.err
    assert done.out.strip() == (
        "Dr  Jo Mockeridge = @jomockeridge.bsky.social in people.toml "
        "(1 speaker(s) in the programme)."
    )
    assert (folder / "people.toml").read_text(encoding="utf-8").splitlines()[-1] == (
        '"Dr Jo Mockeridge" = "jomockeridge.bsky.social"'
    )
    assert _people(folder, env)[0] == {
        "name": "Dr Jo Mockeridge",
        "handle": "jomockeridge.bsky.social",
        "source": "people file",
    }
    # a re-import of the programme (still with the old handle) keeps the people file's
    again = run_livepost("schedule", "import", cwd=folder, env=env)
    assert again.code == 0, again.err
    assert "0 changed" in again.out
    composed = run_livepost(
        "compose",
        "",
        "--talk",
        "red-flags",
        "--kind",
        "announcement",
        "--json",
        cwd=folder,
        env=env,
    )
    post = json.loads(composed.out)[0]
    assert post["text"].startswith(
        "Next - Dr Jo Mockeridge (@jomockeridge.bsky.social) and Sam Speaker (@sam.example.org) on"
    )
    assert [f["value"] for f in post["facets"] if f["type"] == "mention"] == [
        "jomockeridge.bsky.social",
        "sam.example.org",
    ]


def test_a_bad_handle_is_refused(tmp_path: Path) -> None:
    folder = _event(tmp_path)
    done = run_livepost("people", "set", "Sam Speaker", "not a handle", cwd=folder)
    assert done.code == 4
    assert "'not a handle' is not a Bluesky handle" in done.err
    assert not (folder / "people.toml").exists()
    (folder / "schedule.yaml").write_text(
        PROGRAMME.replace("old-jo.bsky.social", "jo at bsky"), encoding="utf-8"
    )
    bad = run_livepost("schedule", "import", cwd=folder)
    assert bad.code == 4
    assert "talks.0.speakers.0.handle" in bad.err and "is not a Bluesky handle" in bad.err


def test_people_check_resolves_every_handle(
    tmp_path: Path, resolver: tuple[str, list[str]]
) -> None:
    url, asked = resolver
    folder = _event(tmp_path)
    env = {"LIVEPOST_SERVICE": url}
    done = run_livepost("people", "check", cwd=folder, env=env)
    assert done.code == 4
    lines = done.out.splitlines()
    assert lines[0].split() == [
        "Dr",
        "Jo",
        "Mockeridge",
        "@old-jo.bsky.social",
        "DOES",
        "NOT",
        "RESOLVE",
    ]
    assert lines[1].split() == ["Sam", "Speaker", "@sam.example.org", "did:plc:sam"]
    assert lines[2] == (
        f"1 of 2 handles resolve on {url}; 1 do not: fix them with livepost people set NAME HANDLE"
    )
    assert sorted(asked) == ["old-jo.bsky.social", "sam.example.org"]

    assert (
        run_livepost(
            "people", "set", "Dr Jo Mockeridge", "jomockeridge.bsky.social", cwd=folder
        ).code
        == 0
    )
    fixed = run_livepost("people", "check", cwd=folder, env=env)
    assert fixed.code == 0, fixed.out
    assert fixed.out.splitlines()[-1] == f"2 of 2 handles resolve on {url}."


def test_people_check_says_when_the_service_cannot_be_reached(tmp_path: Path) -> None:
    folder = _event(tmp_path)
    done = run_livepost(
        "people", "check", cwd=folder, env={"LIVEPOST_SERVICE": "http://127.0.0.1:9"}
    )
    assert done.code == 6
    assert "cannot reach http://127.0.0.1:9 to check handles" in done.err


def test_plan_warns_and_names_an_unresolved_speaker_plainly(
    tmp_path: Path, resolver: tuple[str, list[str]]
) -> None:
    url, asked = resolver
    folder = _event(tmp_path)
    env = {"LIVEPOST_SERVICE": url}
    done = run_livepost("plan", "--json", cwd=folder, env=env)
    assert done.code == 0, done.err
    assert "speaker Dr Jo Mockeridge: @old-jo.bsky.social does not resolve on Bluesky" in done.err
    posts = {p["key"]: p for p in json.loads(done.out)}
    assert posts["announce/red-flags"]["text"].startswith(
        "Next - Dr Jo Mockeridge and Sam Speaker (@sam.example.org) on Red flags"
    )
    assert posts["wrapup/red-flags"]["text"].startswith(
        "Thank you Dr Jo Mockeridge and Sam Speaker (@sam.example.org) for Red flags"
    )
    # the answers are cached: planning again asks nothing
    count = len(asked)
    assert run_livepost("plan", "--json", cwd=folder, env=env).code == 0
    assert len(asked) == count
    doctor = run_livepost("doctor", cwd=folder, env=env)
    assert "1 of 2 handles resolve" in doctor.out
