"""Chaos: a short event on the real local network while a seeded fault injector attacks it.

Faults, at random moments (fixed seed): SIGKILL the daemon and start it again, freeze the whole
network (PDS, AppView) with SIGSTOP, hold the database's write lock (sometimes past the busy
timeout), fill the small disk that holds the event folder and free it again (where a tmpfs can be
mounted), and a hostile account posting deep reply chains of hostile text under our posts.

Afterwards, on the PDS: every planned post exactly once, every thread whole and in order, nothing
else; in the database: every row true. ``bench/bench_chaos.py`` runs the same for longer.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from atproto import Client, models

from livepost.devtools.bluesky_network import LocalNetwork, local_network
from livepost.outbox.queries import PostState
from livepost.store.engine import open_database, session_scope
from livepost.store.models import OutboxRow

pytestmark = pytest.mark.chaos

SEED = 20261128
HOSTILE = "\u202e gnirts desrever \u200f\u2067 ⁦مرحبا⁩ \u0000?" + "ﷺ" * 3


@dataclass
class Chaos:
    """The injector's state: the daemon process, the network, what was done."""

    network: LocalNetwork
    folder: Path
    environ: dict[str, str]
    disk: Path | None
    rng: random.Random
    daemon: subprocess.Popen[bytes] | None = None
    log_file: Path = Path("daemon.log")
    faults: Counter[str] = field(default_factory=Counter)
    log: list[str] = field(default_factory=list)

    def start_daemon(self) -> None:
        self.daemon = subprocess.Popen(
            [sys.executable, "-m", "livepost", "--event", str(self.folder), "run"],
            env=self.environ,
            stdout=self.log_file.open("ab"),
            stderr=subprocess.STDOUT,
        )

    def daemon_alive(self) -> bool:
        return self.daemon is not None and self.daemon.poll() is None

    def kill_daemon(self) -> None:
        if self.daemon_alive():
            assert self.daemon is not None
            self.daemon.send_signal(signal.SIGKILL)
            self.daemon.wait(10)
        self.faults["SIGKILL daemon"] += 1
        time.sleep(self.rng.uniform(0.2, 2.0))
        self.start_daemon()

    def freeze_network(self, seconds: float) -> None:
        os.kill(self.network.pid, signal.SIGSTOP)
        try:
            time.sleep(seconds)
        finally:
            os.kill(self.network.pid, signal.SIGCONT)
        self.faults["network frozen"] += 1

    def lock_database(self, seconds: float) -> None:
        holder = sqlite3.connect(self.folder / "livepost.db", timeout=30, isolation_level=None)
        try:
            holder.execute("BEGIN EXCLUSIVE")
            time.sleep(seconds)
            holder.execute("ROLLBACK")
        finally:
            holder.close()
        self.faults["database locked"] += 1

    def fill_disk(self, seconds: float) -> None:
        assert self.disk is not None
        filler = self.disk / "filler"
        with filler.open("wb", buffering=0) as out:
            try:
                while True:
                    out.write(b"\0" * 65536)
                    out.flush()
            except OSError:
                pass
        try:
            time.sleep(seconds)
        finally:
            filler.unlink()
        self.faults["disk full"] += 1

    def hostile_chain(self, client: Client) -> None:
        """The hostile account replies to one of our posts, then to itself, 20-40 levels deep."""
        with session_scope(open_database(_url(self.folder))) as session:
            posted = [
                (r.uri, r.cid, r.root_id)
                for r in session.query(OutboxRow).filter(OutboxRow.state == PostState.POSTED)
            ]
        if not posted:
            return
        uri, cid, _root = self.rng.choice(posted)
        target = models.create_strong_ref(models.ComAtprotoRepoStrongRef.Main(uri=uri, cid=cid))
        root = parent = target
        for level in range(self.rng.randint(20, 40)):
            reply = client.send_post(
                f"{level} {HOSTILE}",
                reply_to=models.AppBskyFeedPost.ReplyRef(root=root, parent=parent),
            )
            parent = models.create_strong_ref(reply)
        self.faults["hostile reply chain"] += 1


def _url(folder: Path) -> str:
    return f"sqlite:///{folder / 'livepost.db'}"


@contextmanager
def _small_disk(where: Path) -> Iterator[Path | None]:
    where.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(where)], capture_output=True
    )
    try:
        yield where if done.returncode == 0 else None
    finally:
        if done.returncode == 0:
            subprocess.run(["umount", "-l", str(where)], check=False)


def _programme(folder: Path, start: datetime, slots: int = 2) -> None:
    """One-minute talks in two rooms, ``slots`` slots; three snippets each, written before."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "livepost.toml").write_text(
        '[event]\nname = "Chaos Conf"\nhashtags = ["chaosconf"]\ntimezone = "UTC"\n'
        'langs = ["en-GB"]\nschedule = "schedule.yaml"\n'
        "[plan]\nlead_minutes = 0\ngrace_minutes = 60\nday_posts = false\n",
        encoding="utf-8",
    )
    talks = []
    for slot in range(slots):
        for room in ("Room A", "Room B"):
            begin = start + timedelta(minutes=slot * 1.5)
            talks.append(
                f'  - id: t{len(talks) + 1}\n    title: "Talk {len(talks) + 1} in {room}"\n'
                f"    start: {begin.isoformat()}\n    duration: 1\n    room: {room}\n"
                f"    speakers: [Dr Speaker {len(talks) + 1}]\n"
            )
    (folder / "schedule.yaml").write_text(
        f"date: {start.date().isoformat()}\ntalks:\n" + "".join(talks), encoding="utf-8"
    )
    notes = folder / "notes"
    notes.mkdir()
    for n in range(1, len(talks) + 1):
        (notes / f"t{n}.md").write_text(
            "".join(f"Talk {n}, point {p}: something worth sharing.\n\n" for p in range(1, 4)),
            encoding="utf-8",
        )


@dataclass
class Played:
    """What a chaotic event left behind: the outbox rows, the records on the PDS, the faults."""

    rows: list[dict[str, Any]]
    records: dict[str, dict[str, Any]]
    faults: Counter[str]
    log: list[str]
    daemon_log: str


def play(tmp_path: Path, *, slots: int = 2, seed: int = SEED) -> Played:
    """Play ``slots`` slots of two one-minute talks while faults are injected; then let the
    daemon finish and collect what is in the database and on the PDS."""
    rng = random.Random(seed)
    with local_network(("chaos", "mallory")) as network, _small_disk(tmp_path / "disk") as disk:
        folder = (disk or tmp_path) / "event"
        start = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=40)
        _programme(folder, start, slots)
        account = network.account("chaos")
        environ = {k: v for k, v in os.environ.items() if not k.startswith("LIVEPOST_")}
        environ |= {
            "LIVEPOST_SERVICE": network.pds_url,
            "LIVEPOST_HANDLE": account.handle,
            "LIVEPOST_APP_PASSWORD": account.app_password,
        }
        imported = subprocess.run(
            [sys.executable, "-m", "livepost", "--event", str(folder), "schedule", "import"],
            env=environ,
            capture_output=True,
            text=True,
        )
        assert imported.returncode == 0, imported.stderr
        chaos = Chaos(network, folder, environ, disk, rng, log_file=tmp_path / "daemon.log")
        mallory = Client(network.pds_url)
        hostile = network.account("mallory")
        mallory.login(hostile.handle, hostile.password)  # send_post needs the profile
        chaos.start_daemon()
        faults = ["kill", "freeze", "lock", "hostile"] + (["disk"] if disk else [])
        window_end = start + timedelta(minutes=1.5 * slots - 0.5, seconds=20)
        try:
            while datetime.now(UTC) < window_end:
                time.sleep(rng.uniform(3, 8))
                fault = rng.choice(faults)
                if fault == "kill":
                    chaos.kill_daemon()
                elif fault == "freeze":
                    chaos.freeze_network(rng.uniform(2, 10))
                elif fault == "lock":
                    chaos.lock_database(rng.uniform(2, 13))  # past the 10 s busy timeout too
                elif fault == "disk":
                    chaos.fill_disk(rng.uniform(2, 6))
                else:
                    chaos.hostile_chain(mallory)
                if not chaos.daemon_alive():  # it must never stop by itself
                    code = chaos.daemon.poll() if chaos.daemon else None
                    chaos.log.append(f"the daemon exited by itself ({code})")
                    chaos.start_daemon()
            rows = _wait_all_posted(folder, seconds=120)
        finally:
            if chaos.daemon_alive():
                assert chaos.daemon is not None
                chaos.daemon.send_signal(signal.SIGTERM)
                chaos.daemon.wait(30)
        records = _our_records(network, account.did)
    daemon_log = chaos.log_file.read_text(errors="replace")
    return Played(rows, records, chaos.faults, chaos.log, daemon_log)


def check(played: Played, planned: int) -> None:
    """Every planned post exactly once on the PDS, threads whole and in order, rows true."""
    rows, records = played.rows, played.records
    assert played.log == [], (played.log, played.daemon_log[-3000:])
    first = played.daemon_log.find("Traceback")
    assert first == -1, played.daemon_log[max(0, first - 1500) : first + 3000]
    assert len(rows) == planned
    assert all(r["state"] == PostState.POSTED and r["uri"] for r in rows), rows
    by_uri = {r["uri"]: r for r in rows}
    assert set(records) == set(by_uri), "every planned post exactly once, nothing else"
    for uri, record in records.items():
        row = by_uri[uri]
        assert record["text"] == row["text"]
        assert row["cid"] == record["cid"]
        if row["parent"] is None:
            assert record["reply"] is None
            continue
        parent = next(r for r in rows if r["id"] == row["parent"])
        assert record["reply"]["parent"] == parent["uri"]  # every thread whole and in order
        assert record["created_at"] >= records[parent["uri"]]["created_at"]


def test_an_event_under_attack_posts_every_post_exactly_once(tmp_path: Path) -> None:
    played = play(tmp_path, slots=2)
    print(
        f"\nchaos: {sum(played.faults.values())} faults injected ({dict(played.faults)}); "
        f"{len(played.rows)} planned posts checked against {len(played.records)} records on the PDS"
    )
    check(played, planned=20)  # 4 talks x (announcement, 3 snippets, wrap-up)
    assert sum(played.faults.values()) >= 10


def _wait_all_posted(folder: Path, seconds: float) -> list[dict[str, Any]]:
    engine = open_database(_url(folder))
    deadline = time.monotonic() + seconds
    try:
        while True:
            with session_scope(engine) as session:
                rows = [
                    {
                        "id": r.id,
                        "key": r.key,
                        "state": r.state,
                        "uri": r.uri,
                        "cid": r.cid,
                        "text": r.text,
                        "parent": r.parent_id,
                    }
                    for r in session.query(OutboxRow).order_by(OutboxRow.id)
                ]
            done = rows and all(r["state"] in (PostState.POSTED, PostState.FAILED) for r in rows)
            if done or time.monotonic() > deadline:
                return rows
            time.sleep(1)
    finally:
        engine.dispose()


def _our_records(network: LocalNetwork, did: str) -> dict[str, dict[str, Any]]:
    reader = Client(network.pds_url)
    records: dict[str, dict[str, Any]] = {}
    cursor = None
    while True:
        page = reader.com.atproto.repo.list_records(
            {"repo": did, "collection": "app.bsky.feed.post", "limit": 100, "cursor": cursor}
        )
        for item in page.records:
            value = item.value
            reply = getattr(value, "reply", None)
            records[item.uri] = {
                "cid": item.cid,
                "text": value.text,
                "created_at": value.created_at,
                "reply": None if reply is None else {"parent": reply.parent.uri},
            }
        cursor = page.cursor
        if not cursor or not page.records:
            return records
