"""A programme followed at an http(s) address: conditional re-fetches, bad answers refused with
nothing changed, and the daemon re-importing it while the event runs (a local HTTP server)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from livepost.app.doctor import run_checks
from livepost.app.status import event_status
from livepost.config import load_settings
from livepost.publish.dryrun import DryRunPublisher
from livepost.run.daemon import Daemon
from livepost.store.engine import open_database, session_scope
from livepost.store.talks import load_talks
from tests.clirunner import run_livepost

PROGRAMME = """\
title: Followed
timezone: Europe/London
date: 2030-06-18
talks:
  - id: opening-talk
    title: Opening talk
    start: "{start}"
    end: "10:30"
    room: {room}
    speakers: [Dr Jo Mockeridge]
  - id: second-talk
    title: Second talk
    start: "11:00"
    end: "11:30"
    room: Room 1
"""


@dataclass
class Programme:
    """What the test server answers; ``requests`` records (path, If-None-Match) per request."""

    mode: str = "ok"  # ok | 404 | html | huge
    start: str = "10:00"
    room: str = "Room 1"
    version: int = 1
    requests: list[tuple[str, str | None]] = field(default_factory=list)

    def body(self) -> bytes:
        return PROGRAMME.format(start=self.start, room=self.room).encode()

    def change(self, **values: str) -> None:
        for name, value in values.items():
            setattr(self, name, value)
        self.version += 1


@pytest.fixture
def served() -> Iterator[tuple[Programme, str]]:
    """A local HTTP server on a free port serving one programme; yields it and its URL."""
    programme = Programme()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            programme.requests.append((self.path, self.headers.get("If-None-Match")))
            etag = f'"v{programme.version}"'
            if programme.mode == "404":
                self.send_error(404, "Not Found")
            elif programme.mode == "html":
                self._send(b"<!DOCTYPE html><html><body>Programme</body></html>", "text/html")
            elif programme.mode == "huge":
                self.send_response(200)
                self.send_header("Content-Type", "application/octet-stream")
                self.end_headers()  # no Content-Length: only counting the bytes catches it
                block = b"#" * (1024 * 1024)
                try:
                    for _ in range(60):
                        self.wfile.write(block)
                except (BrokenPipeError, ConnectionResetError):
                    pass
                self.close_connection = True
            elif self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.send_header("ETag", etag)
                self.end_headers()
            else:
                self._send(programme.body(), "application/yaml", etag)

        def _send(self, body: bytes, content_type: str, etag: str | None = None) -> None:
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            if etag:
                self.send_header("ETag", etag)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield programme, f"http://127.0.0.1:{server.server_address[1]}/schedule.yaml"
    finally:
        server.shutdown()
        server.server_close()


def _event(tmp_path: Path, url: str, refresh: float = 5) -> Path:
    folder = tmp_path / "event"
    (folder / "notes").mkdir(parents=True)
    (folder / "livepost.toml").write_text(
        f'[event]\nname = "Followed"\nhashtags = ["followed"]\ntimezone = "Europe/London"\n'
        f'schedule = "{url}"\nschedule_refresh_minutes = {refresh}\n',
        encoding="utf-8",
    )
    return folder


def _talks(folder: Path, database_url: str | None = None) -> dict[str, tuple[str, str | None]]:
    environ = {"LIVEPOST_DATABASE_URL": database_url} if database_url else {}
    settings = load_settings(folder, environ=environ)
    engine = open_database(settings.database_url)
    with session_scope(engine) as session:
        talks = load_talks(session, settings.event_key)
    engine.dispose()
    zone = settings.zone
    return {t.id: (f"{t.start.astimezone(zone):%H:%M}", t.room) for t in talks}


def test_schedule_import_fetches_the_url_and_refetches_only_what_changed(
    served: tuple[Programme, str], tmp_path: Path, database_url: str
) -> None:
    programme, url = served
    folder = _event(tmp_path, url)
    env = {"LIVEPOST_DATABASE_URL": database_url}

    first = run_livepost("schedule", "import", cwd=folder, env=env)
    assert first.code == 0, first.err
    assert f"Imported 2 items from {url} (yaml): 2 added" in first.out
    assert programme.requests == [("/schedule.yaml", None)]

    again = run_livepost("schedule", "import", cwd=folder, env=env)
    assert again.code == 0, again.err
    assert again.out.strip() == f"{url} has not changed since the last import: nothing to do."
    assert programme.requests[-1] == ("/schedule.yaml", '"v1"')  # the ETag went back: 304

    programme.change(start="10:15", room="Room 2")
    moved = run_livepost("schedule", "import", cwd=folder, env=env)
    assert moved.code == 0, moved.err
    assert "1 changed, 0 withdrawn, 1 unchanged" in moved.out
    assert "~ opening-talk  moved: Tue 10:00 → Tue 10:15, Room 1 → Room 2" in moved.out
    assert _talks(folder, database_url)["opening-talk"] == ("10:15", "Room 2")


@pytest.mark.parametrize(
    ("mode", "code", "message"),
    [
        ("404", 6, "answered 404 Not Found"),
        ("html", 4, "is a web page (HTML), not a programme export"),
        ("huge", 4, "is larger than 50 MB: not read"),
    ],
)
def test_a_bad_answer_is_a_clear_error_and_changes_nothing(
    served: tuple[Programme, str], tmp_path: Path, mode: str, code: int, message: str
) -> None:
    programme, url = served
    folder = _event(tmp_path, url)
    assert run_livepost("schedule", "import", cwd=folder).code == 0
    before = _talks(folder)
    programme.change(mode=mode, start="12:00")

    done = run_livepost("schedule", "import", cwd=folder)
    assert done.code == code
    assert f"Error: {url}" in done.err and message in done.err
    assert "Traceback" not in done.err
    assert _talks(folder) == before


def test_unreachable_url_is_a_network_error(tmp_path: Path) -> None:
    folder = _event(tmp_path, "http://127.0.0.1:9/schedule.yaml")  # the discard port: refused
    done = run_livepost("schedule", "import", cwd=folder)
    assert done.code == 6
    assert "http://127.0.0.1:9/schedule.yaml cannot be fetched" in done.err


def _wait(condition: Callable[[], bool], what: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def test_the_daemon_follows_the_programme_and_keeps_the_last_good_one(
    served: tuple[Programme, str], tmp_path: Path
) -> None:
    programme, url = served
    folder = _event(tmp_path, url, refresh=0.002)  # every 0.12 s
    assert run_livepost("schedule", "import", cwd=folder).code == 0
    settings = load_settings(folder, environ={})
    engine = open_database(settings.database_url)
    lines: list[str] = []
    daemon = Daemon(settings, engine, DryRunPublisher(), echo=lines.append, poll_seconds=0.05)
    runner = threading.Thread(target=daemon.run, daemon=True)
    runner.start()
    try:
        programme.change(start="10:45", room="Seminar Room 3")
        _wait(lambda: _talks(folder)["opening-talk"] == ("10:45", "Seminar Room 3"), "the move")
        _wait(
            lambda: any("programme updated: 0 added, 1 changed, 0 withdrawn" in ln for ln in lines),
            "the move said",
        )
        good = _talks(folder)

        programme.change(mode="404", start="12:00")
        _wait(lambda: any("programme refresh failed" in ln for ln in lines), "the failure")
        status = event_status(settings, engine)
        assert status.programme_ok is False
        assert status.programme is not None
        assert "404 Not Found" in status.programme
        assert "keeping the last good programme" in status.programme
        assert _talks(folder) == good
        checks = {c.name: c for c in run_checks(folder, online=False)}  # the console's Checks
        assert checks["programme"].status == "warn"
        assert "keeping the last good programme" in checks["programme"].detail

        programme.change(mode="ok")
        _wait(lambda: any("programme refresh works again" in ln for ln in lines), "the recovery")
        _wait(lambda: event_status(settings, engine).programme_ok, "status to recover")
        assert _talks(folder)["opening-talk"] == ("12:00", "Seminar Room 3")
    finally:
        daemon.stop()
        runner.join(timeout=10)
        engine.dispose()
    said = [ln for ln in lines if "programme refresh failed" in ln]
    assert said and all(f"{url} answered 404 Not Found" in ln for ln in said)  # one a failure
    assert sum("programme refresh works again" in ln for ln in lines) == 1
    cli = run_livepost("status", cwd=folder)
    assert cli.code == 0
    assert f"Programme: {url}: fetched" in cli.out
