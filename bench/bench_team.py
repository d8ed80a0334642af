"""The team on the day: API snippet to PDS, live notes to PDS, and the phone page's load time.

Run: ``.venv/bin/python bench/bench_team.py [--snippets 100] [--live 5]``. Starts a real local
Bluesky network, an event with one talk running now, ``livepost run`` (the daemon) and
``livepost serve`` as separate processes, exactly as on the day. Then:

* posts ``--snippets`` snippets through ``POST /api/v1/snippets`` as a reporter, one after the
  other, each timed from the request until ``getRecord`` finds it on the PDS
  (target: p99 under 2 s);
* appends ``--live`` snippets to the talk's notes file, each timed from the save until it is on
  the PDS (target: under 10 s);
* loads the phone page (``/r``, its script and style sheet) 20 times (target: under 1 s).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from atproto import Client

from livepost.bluesky.errors import CALL_ERRORS
from livepost.config import load_settings
from livepost.devtools.bluesky_network import LocalNetwork, local_network
from livepost.store.engine import open_database, session_scope
from livepost.store.models import OutboxRow

LIVEPOST = str(Path(sys.executable).parent / "livepost")
TALK = "bench-talk"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _event(folder: Path, network: LocalNetwork) -> dict[str, str]:
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    start, end = now - timedelta(minutes=1), now + timedelta(hours=3)
    folder.mkdir()
    (folder / "livepost.toml").write_text(
        '[event]\nname = "Bench"\nhashtags = ["bench"]\ntimezone = "UTC"\nlangs = ["en-GB"]\n'
        'schedule = "schedule.yaml"\n[plan]\nday_posts = false\nwrapup = false\n',
        encoding="utf-8",
    )
    (folder / "schedule.yaml").write_text(
        f"title: Bench\ntimezone: UTC\ndate: {start:%Y-%m-%d}\ntalks:\n"
        f"  - id: {TALK}\n    title: Measuring things\n    room: Hall\n"
        f'    start: "{start:%H:%M}"\n    end: "{end:%H:%M}"\n'
        "    speakers:\n      - name: Dr Bench\n",
        encoding="utf-8",
    )
    (folder / "notes").mkdir()
    account = network.account("alice")
    return {
        **os.environ,
        "LIVEPOST_EVENT": str(folder),
        "LIVEPOST_SERVICE": network.pds_url,
        "LIVEPOST_HANDLE": account.handle,
        "LIVEPOST_APP_PASSWORD": account.app_password,
    }


def _wait(check: Callable[[], object], seconds: float, what: str, step: float = 0.02) -> object:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(step)
    raise SystemExit(f"not within {seconds} s: {what}")


class Pds:
    """Looks our records up on the PDS by record key."""

    def __init__(self, network: LocalNetwork) -> None:
        account = network.account("alice")
        self.client = Client(network.pds_url)
        self.client.login(account.handle, account.password)
        self.did = account.did

    def has(self, rkey: str) -> bool:
        try:
            self.client.com.atproto.repo.get_record(
                {"repo": self.did, "collection": "app.bsky.feed.post", "rkey": rkey}
            )
        except CALL_ERRORS:  # not there yet: the PDS answers 400 RecordNotFound
            return False
        return True


def _row(folder: Path, **where: object) -> OutboxRow | None:
    settings = load_settings(folder, environ={})
    engine = open_database(settings.database_url)
    try:
        with session_scope(engine) as session:
            query = session.query(OutboxRow).filter_by(**where)
            row = query.one_or_none()
            if row is not None:
                session.expunge(row)
            return row
    finally:
        engine.dispose()


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--snippets", type=int, default=100)
    parser.add_argument("--live", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, local_network(("alice",)) as network:
        folder = Path(tmp) / "event"
        env = _event(folder, network)
        subprocess.run([LIVEPOST, "schedule", "import"], env=env, check=True, capture_output=True)
        added = subprocess.run(
            [LIVEPOST, "team", "add", "Rae", "--role", "reporter", "--room", "Hall", "--json"],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        token = json.loads(added.stdout)["token"]
        port = _free_port()
        serve = subprocess.Popen(
            [LIVEPOST, "serve", "--port", str(port)], env=env, stdout=subprocess.DEVNULL
        )
        run = subprocess.Popen([LIVEPOST, "run"], env=env, stdout=subprocess.DEVNULL)
        pds = Pds(network)
        base = f"http://127.0.0.1:{port}"
        try:
            _wait(lambda: _reachable(base), 30, "serve listening", 0.1)
            announced = _wait(
                lambda: (r := _row(folder, key=f"announce/{TALK}")) and r.uri, 60, "announced", 0.2
            )
            print(f"announcement on the PDS: {announced}")
            api = _api_snippets(base, token, folder, pds, args.snippets)
            live = _live_snippets(folder, pds, args.live)
            page = _page_loads(base, token)
        finally:
            for process in (run, serve):
                process.send_signal(signal.SIGTERM)
            for process in (run, serve):
                process.wait(30)
        print(f"API snippet -> PDS over {len(api)} snippets (target p99 < 2 s):")
        print(
            f"  median {statistics.median(api):.3f} s, p90 {_percentile(api, 0.9):.3f} s, "
            f"p99 {_percentile(api, 0.99):.3f} s, max {max(api):.3f} s"
        )
        print(f"live notes snippet -> PDS over {len(live)} saves (target < 10 s):")
        print(f"  median {statistics.median(live):.3f} s, max {max(live):.3f} s")
        print(f"phone page /r with its script and style sheet, {len(page)} loads (target < 1 s):")
        print(f"  median {statistics.median(page) * 1000:.1f} ms, max {max(page) * 1000:.1f} ms")


def _reachable(base: str) -> bool:
    try:
        httpx.get(f"{base}/static/phone.css", timeout=1)
    except httpx.HTTPError:
        return False
    return True


def _api_snippets(base: str, token: str, folder: Path, pds: Pds, count: int) -> list[float]:
    took: list[float] = []
    with httpx.Client(headers={"Authorization": f"Bearer {token}"}, timeout=10) as client:
        for n in range(count):
            started = time.perf_counter()
            answer = client.post(
                f"{base}/api/v1/snippets",
                json={"talk": TALK, "text": f"Snippet {n} from the phone", "key": f"bench-{n}"},
            )
            assert answer.status_code == 201, answer.text
            row = _row(folder, id=answer.json()["id"])
            assert row is not None
            _wait(lambda rkey=row.rkey: pds.has(rkey), 30, f"snippet {n} on the PDS")
            took.append(time.perf_counter() - started)
    return took


def _live_snippets(folder: Path, pds: Pds, count: int) -> list[float]:
    notes = folder / "notes" / f"{TALK}.md"
    text = ""
    took: list[float] = []
    for n in range(count):
        text += f"Live point {n}, written during the talk.\n\n"
        started = time.perf_counter()
        notes.write_text(text, encoding="utf-8")
        row = _wait(lambda n=n: _row(folder, key=f"snippet/{TALK}/{n + 1}"), 30, "planned", 0.05)
        assert isinstance(row, OutboxRow)
        _wait(lambda rkey=row.rkey: pds.has(rkey), 30, f"live snippet {n} on the PDS")
        took.append(time.perf_counter() - started)
    return took


def _page_loads(base: str, token: str) -> list[float]:
    took: list[float] = []
    with httpx.Client(timeout=10) as client:
        client.get(f"{base}/?token={token}")  # the cookie, as the printed link gives it
        for _ in range(20):
            started = time.perf_counter()
            page = client.get(f"{base}/r")
            assert page.status_code == 200 and "Now in my room" in page.text
            for asset in ("/static/phone.js", "/static/phone.css", "/api/v1/talks/current"):
                assert client.get(f"{base}{asset}").status_code == 200
            took.append(time.perf_counter() - started)
    return took


if __name__ == "__main__":
    main()
