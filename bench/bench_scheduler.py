"""Benchmark: how late the daemon sends, and what it costs while it waits.

    .venv/bin/python bench/bench_scheduler.py [--posts 200] [--spacing 0.4] [--idle 30]

1. Lateness: ``--posts`` posts (threads of ten: a top-level post and nine replies) are queued
   ``--spacing`` seconds apart on the real local Bluesky network (started here, on 127.0.0.1),
   and ``livepost``'s daemon sends them with the real clock. Lateness is ``sent_at - due_at``
   per post; prints p50, p99 and the maximum. Target: p99 under 1 s.
2. Idle: ``livepost run --dry-run`` on a copy of the demo event (a past day: everything is
   marked missed at start, then nothing is due) runs as a subprocess; after a 10 s warm-up its
   CPU time (/proc/<pid>/stat) and resident memory (VmRSS) are read over ``--idle`` seconds.
   Targets: under 1 % CPU and under 150 MB.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def lateness(posts: int, spacing: float) -> list[float]:
    from livepost.config import load_settings
    from livepost.devtools.bluesky_network import local_network
    from livepost.outbox.queries import Draft, add_post, list_posts
    from livepost.run.assemble import make_publisher
    from livepost.run.daemon import Daemon
    from livepost.store.engine import open_database, session_scope
    from livepost.store.talks import ensure_event

    with tempfile.TemporaryDirectory() as tmp, local_network(("alice",)) as network:
        folder = Path(tmp) / "event"
        folder.mkdir()
        (folder / "livepost.toml").write_text(
            '[event]\nname = "Bench"\nhashtags = ["bench"]\ntimezone = "Europe/London"\n',
            encoding="utf-8",
        )
        account = network.account("alice")
        settings = load_settings(
            folder,
            environ={
                "LIVEPOST_SERVICE": network.pds_url,
                "LIVEPOST_HANDLE": account.handle,
                "LIVEPOST_APP_PASSWORD": account.app_password,
            },
        )
        engine = open_database(settings.database_url)
        start = datetime.now(UTC) + timedelta(seconds=10)
        with session_scope(engine) as session:
            event = ensure_event(session, settings.event_key, "Bench", "Europe/London")
            parent = None
            for n in range(posts):
                draft = Draft(
                    key=f"bench/{n}",
                    kind="free",
                    due_at=start + timedelta(seconds=spacing * n),
                    text=f"Bench post {n} #bench",
                    origin="manual",
                )
                row = add_post(session, event, draft, parent=parent if n % 10 else None)
                parent = row
        publisher = make_publisher(settings)
        last = start + timedelta(seconds=spacing * posts + 30)
        daemon = Daemon(
            settings, engine, publisher, until=last, end_when_done=True, echo=lambda _line: None
        )
        try:
            daemon.run()
        finally:
            publisher.close()  # type: ignore[attr-defined]
        with session_scope(engine) as session:
            event = ensure_event(session, settings.event_key, "Bench", "Europe/London")
            rows = list_posts(session, event)
            states = {r.state for r in rows}
            late = [(r.sent_at - r.due_at).total_seconds() for r in rows if r.sent_at]
        if states != {"posted"} or len(late) != posts:
            raise SystemExit(f"not every post was sent: states {states}, {len(late)} sent")
        return late


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks  # utime + stime


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def idle(seconds: float) -> tuple[float, float]:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "ccprconf26"
        shutil.copytree(REPO / "schedules" / "ccprconf26", folder)
        environ = {k: v for k, v in os.environ.items() if not k.startswith("LIVEPOST_")}
        command = [sys.executable, "-m", "livepost"]
        subprocess.run(
            [*command, "schedule", "import"],
            cwd=folder,
            env=environ,
            check=True,
            capture_output=True,
        )
        process = subprocess.Popen(
            [*command, "run", "--dry-run"],
            cwd=folder,
            env=environ,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            time.sleep(10)
            if process.poll() is not None:
                raise SystemExit(
                    f"the daemon stopped: {process.stderr.read() if process.stderr else ''}"
                )
            cpu0, wall0 = _cpu_seconds(process.pid), time.monotonic()
            peak = 0.0
            while time.monotonic() - wall0 < seconds:
                time.sleep(1)
                peak = max(peak, _rss_mb(process.pid))
            cpu = (_cpu_seconds(process.pid) - cpu0) / (time.monotonic() - wall0) * 100
        finally:
            process.terminate()
            process.wait(20)
    return cpu, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=200)
    parser.add_argument("--spacing", type=float, default=0.4, help="seconds between due times")
    parser.add_argument("--idle", type=float, default=30, help="seconds of idle measurement")
    parser.add_argument("--skip-network", action="store_true", help="only the idle measurement")
    args = parser.parse_args()
    threading.current_thread().name = "bench"
    if not args.skip_network:
        late = sorted(lateness(args.posts, args.spacing))
        p99 = late[min(len(late) - 1, round(0.99 * (len(late) - 1)))]
        print(
            f"lateness of {len(late)} posts ({args.spacing:g} s apart, local network): "
            f"p50 {statistics.median(late) * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms, "
            f"max {late[-1] * 1000:.0f} ms (target p99 < 1000 ms)"
        )
    cpu, rss = idle(args.idle)
    print(
        f"idle daemon over {args.idle:g} s: CPU {cpu:.2f} % (target < 1 %), "
        f"RSS {rss:.0f} MB (target < 150 MB)"
    )


if __name__ == "__main__":
    main()
