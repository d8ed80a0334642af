"""The daemon's programme refresh against a hostile server (a real one on 127.0.0.1): a server
dripping one byte at a time, an HTTP error, a web page instead of a programme. Every failure is
said (one line each), recorded for ``livepost status`` with the URL, the message and the next
try, the next try backs off (30 s, 1 min, 2 min...), and once the server answers again the
programme's change is imported. The job is driven with a simulated clock: no sleeps."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from livepost import fetch as fetch_module
from livepost.app.status import event_status
from livepost.config import Settings, load_settings
from livepost.publish.dryrun import DryRunPublisher
from livepost.run.clock import SimulatedClock
from livepost.run.daemon import Daemon
from livepost.run.jobs.programme import ProgrammeJob
from livepost.schedule.importer import import_programme
from livepost.store.engine import open_database, session_scope
from livepost.store.talks import load_talks
from tests.clirunner import run_livepost

PROGRAMME = """\
title: Followed
timezone: UTC
date: 2030-06-18
talks:
  - id: opening-talk
    title: Opening talk
    start: "{start}"
    end: "10:30"
    room: Room 1
"""
DEADLINE = 1.0  # the fetch deadline, lowered from livepost.fetch's for the drip


@dataclass
class Server:
    """What the server answers: ``ok`` (the programme), ``drip`` (one byte every 0.2 s),
    ``500``, ``html``; ``requests`` counts what it was asked."""

    mode: str = "ok"
    start: str = "10:00"
    requests: int = 0
    stop: threading.Event = field(default_factory=threading.Event)


@pytest.fixture
def server() -> Iterator[tuple[Server, str]]:
    state = Server()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            state.requests += 1
            if state.mode == "drip":
                answer = b"HTTP/1.1 200 OK\r\nContent-Type: application/yaml\r\n\r\n" + b"#" * 50
                try:
                    for byte in answer:
                        if state.stop.wait(0.2):
                            break
                        self.wfile.write(bytes([byte]))
                        self.wfile.flush()
                except OSError:
                    pass
                self.close_connection = True
            elif state.mode == "500":
                self.send_error(500, "Internal Server Error")
            elif state.mode == "html":
                self._send(b"<!DOCTYPE html><html><body>Programme</body></html>", "text/html")
            else:
                self._send(PROGRAMME.format(start=state.start).encode(), "application/yaml")

        def _send(self, body: bytes, content_type: str) -> None:
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    http.daemon_threads = True
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    try:
        yield state, f"http://127.0.0.1:{http.server_address[1]}/schedule.yaml"
    finally:
        state.stop.set()
        http.shutdown()
        http.server_close()


def _settings(tmp_path: Path, url: str) -> Settings:
    folder = tmp_path / "event"
    (folder / "notes").mkdir(parents=True)
    (folder / "livepost.toml").write_text(
        f'[event]\nname = "Followed"\nhashtags = ["followed"]\ntimezone = "UTC"\n'
        f'schedule = "{url}"\nschedule_refresh_minutes = 5\n',
        encoding="utf-8",
    )
    return load_settings(folder, environ={})


def _start(settings: Settings) -> str:
    engine = open_database(settings.database_url)
    with session_scope(engine) as session:
        talks = load_talks(session, settings.event_key)
    engine.dispose()
    return f"{talks[0].start:%H:%M}"


class Driven:
    """The daemon's programme job on a simulated clock: ``at(seconds)`` moves the clock there
    and steps the job once, waiting for its fetch to end."""

    def __init__(self, settings: Settings) -> None:
        self.began = datetime(2030, 6, 18, 8, 0, tzinfo=UTC)
        self.clock = SimulatedClock(self.began, 1.0)
        self.lines: list[str] = []
        self.daemon = Daemon(
            settings,
            open_database(settings.database_url),
            DryRunPublisher(),
            clock=self.clock,
            echo=self.lines.append,
            use_scheduler=False,
        )
        job = self.daemon.jobs.programme
        assert job is not None and job.in_background  # the daemon's own job, in its thread
        job.timer = lambda: (self.clock.now() - self.began).total_seconds()
        self.job: ProgrammeJob = job

    def at(self, seconds: float) -> None:
        self.clock.advance_to(self.began + timedelta(seconds=seconds))
        self.job.run(self.clock.now())
        self.job.join(30)
        assert self.job._fetcher is None or not self.job._fetcher.is_alive()

    def close(self) -> None:
        self.daemon.engine.dispose()


def test_a_failing_refresh_is_said_recorded_and_retried_with_backoff(
    server: tuple[Server, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fetch_module, "DEADLINE_SECONDS", DEADLINE)
    state, url = server
    settings = _settings(tmp_path, url)
    engine = open_database(settings.database_url)
    import_programme(settings, engine)  # the programme as it was at first
    assert _start(settings) == "10:00"
    driven = Driven(settings)
    try:
        state.mode = "drip"
        driven.at(0)
        drip = f"{url}: no complete answer within 1 s (the server at {url} is too slow or stalled)"
        assert driven.lines == [
            f"08:00:00 programme refresh failed: {drip} (keeping the last good programme; "
            "next try in 30 s)"
        ]
        status = event_status(settings, engine)
        assert status.programme_ok is False and status.programme is not None
        assert status.programme.startswith(f"{url}: refresh failed last at ")
        assert f"({drip}); keeping the last good programme (fetched " in status.programme
        shown = status.to_json()["programme"]
        assert shown["url"] == url and shown["failures"] == 1
        assert shown["last_failure"]["error"] == drip
        failed_at = datetime.fromisoformat(shown["last_failure"]["at"])
        assert datetime.fromisoformat(shown["next_try"]) - failed_at == timedelta(seconds=30)
        assert shown["last_success"] is not None
        assert status.programme.endswith(
            f"; next try {datetime.fromisoformat(shown['next_try']):%a %d %b %H:%M:%S}"
        )

        asked = state.requests
        driven.at(29)  # not yet: the backoff holds
        assert state.requests == asked and len(driven.lines) == 1

        state.mode = "500"
        driven.at(30)
        assert driven.lines[-1] == (
            f"08:00:30 programme refresh failed: {url} answered 500 Internal Server Error "
            "(keeping the last good programme; next try in 60 s)"
        )
        driven.at(89)
        assert len(driven.lines) == 2
        state.mode = "html"
        driven.at(90)
        assert driven.lines[-1] == (
            f"08:01:30 programme refresh failed: {url}: is a web page (HTML), not a programme "
            "export (keeping the last good programme; next try in 2 min)"
        )
        shown = event_status(settings, engine).to_json()["programme"]
        assert shown["failures"] == 3
        failed_at = datetime.fromisoformat(shown["last_failure"]["at"])
        assert datetime.fromisoformat(shown["next_try"]) - failed_at == timedelta(minutes=2)
        assert "refresh failed 3 times in a row" in event_status(settings, engine).lines()[4]
        cli = run_livepost("--event", settings.event_dir, "status")
        assert cli.code == 0, cli.err
        shown_line = next(ln for ln in cli.out.splitlines() if ln.startswith("Programme: "))
        assert shown_line.startswith(
            f"Programme: PROBLEM {url}: refresh failed 3 times in a row, last at "
        )
        assert f"({url}: is a web page (HTML), not a programme export); keeping the last " in (
            shown_line
        )
        assert "; next try " in shown_line

        for second, delay in ((210, "4 min"), (450, "8 min"), (930, "10 min"), (1530, "10 min")):
            state.mode = "drip"
            driven.at(second)
            assert driven.lines[-1].endswith(f"next try in {delay})"), driven.lines[-1]
        assert len(driven.lines) == 7  # one line per failure
        assert _start(settings) == "10:00"  # the last good programme, kept

        state.mode, state.start = "ok", "10:45"  # the server is back, with a change
        driven.at(2129)
        assert len(driven.lines) == 7  # still waiting out the 10 min
        driven.at(2130)
        assert driven.lines[7:] == [
            f"08:35:30 programme refresh works again ({url})",
            "08:35:30 programme updated: 0 added, 1 changed, 0 withdrawn",
        ]
        assert _start(settings) == "10:45"
        status = event_status(settings, engine)
        assert status.programme_ok is True and status.programme is not None
        shown = status.to_json()["programme"]
        assert shown["last_failure"] is None and shown["failures"] == 0
        ok_at = datetime.fromisoformat(shown["last_success"])
        assert datetime.fromisoformat(shown["next_try"]) - ok_at == timedelta(minutes=5)
        assert status.programme.startswith(f"{url}: fetched ")
        assert "; next refresh " in status.programme

        driven.at(2130 + 299)  # the regular refresh again, every 5 minutes
        asked = state.requests
        driven.at(2130 + 300)
        assert state.requests == asked + 1 and len(driven.lines) == 9
    finally:
        driven.close()
        engine.dispose()
    cli = run_livepost("--event", settings.event_dir, "status", "--json")
    assert cli.code == 0, cli.err
    assert json.loads(cli.out)["programme"]["url"] == url
    cli = run_livepost("--event", settings.event_dir, "status")
    assert cli.code == 0, cli.err
    assert f"Programme: {url}: fetched " in cli.out and "; next refresh " in cli.out


def test_nothing_raised_in_a_refresh_stops_the_following(
    server: tuple[Server, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bug (or the database) raising in the fetching thread: said, retried after the backoff,
    and the refresh after it works."""
    _state, url = server
    settings = _settings(tmp_path, url)
    driven = Driven(settings)
    work = driven.job.work
    real = work.refresh_programme
    calls: list[float | None] = []

    def broken(every_seconds: float | None = None) -> object:
        calls.append(every_seconds)
        if len(calls) == 1:
            raise RuntimeError("a bug of ours\nwith a second line")
        return real(every_seconds)

    monkeypatch.setattr(work, "refresh_programme", broken)
    try:
        driven.at(0)
        assert driven.lines == [
            f"08:00:00 programme refresh of {url} failed: RuntimeError: a bug of ours "
            "(keeping the last good programme; next try in 30 s)"
        ]
        driven.at(30)
        assert driven.lines[1:] == [
            f"08:00:30 programme refresh works again ({url})",
            "08:00:30 programme updated: 1 added, 0 changed, 0 withdrawn",
        ]
        assert calls == [300.0, 300.0] and _start(settings) == "10:00"
    finally:
        driven.close()


def test_a_fetch_that_never_returns_is_said_once(
    server: tuple[Server, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Something outside the fetch's deadline holding the thread: said once, not silent."""
    _state, url = server
    settings = _settings(tmp_path, url)
    driven = Driven(settings)
    release = threading.Event()

    def hanging(every_seconds: float | None = None) -> object:
        release.wait(30)
        raise RuntimeError("released")

    monkeypatch.setattr(driven.job.work, "refresh_programme", hanging)
    try:
        driven.clock.advance_to(driven.began)
        driven.job.run(driven.clock.now())
        for second in (60, 119, 120, 300):
            driven.clock.advance_to(driven.began + timedelta(seconds=second))
            driven.job.run(driven.clock.now())
        assert driven.lines == [
            f"08:02:00 programme refresh of {url} has not finished after 120 s (keeping the "
            "last good programme; still waiting)"
        ]
    finally:
        release.set()
        driven.job.join(10)
        driven.close()
