"""``status`` shows who changed what and when (the audit log, in the event's time, by name and
identity); ``plan --dry-run`` shows the plan and writes nothing into the queue."""

from __future__ import annotations

import getpass
import json
import re
from pathlib import Path

from tests.clirunner import run_livepost


def test_status_shows_the_recent_changes_by_name_and_identity(demo_event: Path) -> None:
    me = getpass.getuser()
    assert run_livepost("--event", demo_event, "schedule", "import").code == 0
    queued = run_livepost("--event", demo_event, "queue", "Coffee in the foyer", "--at", "+2h")
    post_id = queued.out.split()[2]
    assert run_livepost("--event", demo_event, "queue", "cancel", post_id).code == 0
    added = run_livepost("--event", demo_event, "team", "add", "Bo", "--role", "viewer")
    assert added.code == 0, added.err

    shown = run_livepost("--event", demo_event, "status")
    assert shown.code == 0, shown.err
    lines = shown.out.splitlines()
    changes = lines[lines.index("Recent changes:") + 1 :]
    owner = re.escape(f"{me} (owner)")
    when = r"  (Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d\d:\d\d:\d\d  "
    assert re.fullmatch(when + owner + r": team add member:1 \(Bo as viewer\)", changes[0])
    assert any(re.fullmatch(when + owner + rf": cancel.* {post_id}\b.*", c) for c in changes), (
        changes
    )
    data = json.loads(run_livepost("--event", demo_event, "status", "--json").out)
    newest = data["changes"][0]
    assert (newest["actor_id"], newest["actor"], newest["target"]) == ("owner", me, "member:1")
    assert newest["at"].endswith(("+01:00", "+00:00"))  # the event's local time (Europe/London)
    listed = run_livepost("--event", demo_event, "queue", "list", "--all")
    assert f"[by {me} (owner); cancelled by {me} (owner)]" in listed.out


def test_plan_dry_run_writes_nothing(demo_event: Path) -> None:
    assert run_livepost("--event", demo_event, "schedule", "import").code == 0
    dry = run_livepost("--event", demo_event, "plan", "--dry-run")
    assert dry.code == 0, dry.err
    added = re.search(r"Queue \(dry run, nothing written\): (\d+) added", dry.out)
    assert added and int(added.group(1)) > 0
    assert (
        json.loads(run_livepost("--event", demo_event, "queue", "list", "--all", "--json").out)
        == []
    )
    dry_json = json.loads(run_livepost("--event", demo_event, "plan", "--dry-run", "--json").out)
    real = run_livepost("--event", demo_event, "plan")
    assert f"Queue: {added.group(1)} added" in real.out
    queued = json.loads(run_livepost("--event", demo_event, "queue", "list", "--all", "--json").out)
    assert [(p["key"], p["at"]) for p in dry_json] == [(p["key"], p["at"]) for p in queued]
