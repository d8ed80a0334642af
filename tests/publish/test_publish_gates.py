"""Reply control without the network: which posts get gates, what the records say, and a failed
write that is reported, never blocks sending, and is retried a minute later."""

from __future__ import annotations

import itertools
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from livepost.config import PublishSection, load_settings
from livepost.errors import NotFound
from livepost.outbox.queries import Draft, add_post, mark_posted
from livepost.publish.base import StrongRef, UnknownOutcome
from livepost.publish.dryrun import DryRunPublisher
from livepost.publish.gates import hide_reply, pending_gates, write_pending_gates
from livepost.run.clock import SimulatedClock
from livepost.run.daemon import Daemon
from livepost.store.engine import open_database, session_scope
from livepost.store.talks import ensure_event
from tests.clirunner import run_livepost
from tests.publish_helpers import NOW, T0, make_event

ROOT = "at://did:plc:us/app.bsky.feed.post/3kroot0000000"


class GatePublisher(DryRunPublisher):
    """Sends like the dry run but counts as live; ``put_record`` fails the first ``failures``
    times (a timeout), then keeps what it was given."""

    dry_run = False

    def __init__(self, failures: int = 0) -> None:
        super().__init__()
        self.client = None  # no archive in these tests
        self.failures = failures
        self.puts: list[tuple[str, str, dict[str, Any]]] = []

    def put_record(self, collection: str, rkey: str, record: dict[str, Any]) -> StrongRef:
        if self.failures:
            self.failures -= 1
            raise UnknownOutcome("putRecord: Bluesky did not answer in time")
        self.puts.append((collection, rkey, record))
        return StrongRef(f"at://{self.did}/{collection}/{rkey}", "bafygate")


def test_gates_are_reported_and_retried_and_only_announcements_get_them(tmp_path: Path) -> None:
    settings = make_event(tmp_path / "event", None)
    engine = open_database(settings.database_url)
    with session_scope(engine) as session:
        event = ensure_event(session, settings.event_key, "Conf", "Europe/London")
        root = add_post(session, event, Draft("announce/t", "announcement", T0, "Now: t"))
        mark_posted(root, ROOT, "bafyroot", T0)
        reply = add_post(session, event, Draft("snippet/t/0", "snippet", T0, "s"), parent=root)
        mark_posted(reply, ROOT.replace("root", "rep1"), "bafyrep", T0)
    config = PublishSection(reply_control="nobody", quotes=False)
    publisher = GatePublisher(failures=2)
    first = write_pending_gates(engine, settings.event_key, publisher, config, now=NOW)
    assert first.written == []
    assert first.lines() == [
        f"threadgate of {ROOT} NOT written (tried again in a minute): "
        "putRecord: Bluesky did not answer in time",
        f"postgate of {ROOT} NOT written (tried again in a minute): "
        "putRecord: Bluesky did not answer in time",
    ]
    assert [(what, error) for what, _, error in pending_gates(engine, settings.event_key)] == [
        ("threadgate", "putRecord: Bluesky did not answer in time"),
        ("postgate", "putRecord: Bluesky did not answer in time"),
    ]
    soon = write_pending_gates(
        engine, settings.event_key, publisher, config, now=NOW + timedelta(seconds=30)
    )
    assert soon.lines() == [] and publisher.puts == []
    later = write_pending_gates(
        engine, settings.event_key, publisher, config, now=NOW + timedelta(minutes=1)
    )
    assert later.written == [f"threadgate of {ROOT}", f"postgate of {ROOT}"]
    (thread_c, thread_rkey, threadgate), (post_c, post_rkey, postgate) = publisher.puts
    assert (thread_c, thread_rkey) == ("app.bsky.feed.threadgate", "3kroot0000000")
    assert threadgate["post"] == ROOT and threadgate["allow"] == []  # nobody may reply
    assert "hiddenReplies" not in threadgate
    assert (post_c, post_rkey) == ("app.bsky.feed.postgate", "3kroot0000000")
    assert postgate["embeddingRules"] == [{"$type": "app.bsky.feed.postgate#disableRule"}]
    assert pending_gates(engine, settings.event_key) == []
    with pytest.raises(NotFound, match="is not a reply in one of our threads"):
        hide_reply(engine, settings.event_key, "at://did:plc:x/app.bsky.feed.post/3k", "me", config)
    open_config = PublishSection()
    assert write_pending_gates(engine, settings.event_key, publisher, open_config).lines() == []


def test_the_daemon_writes_each_announcements_threadgate_right_after_it(demo_event: Path) -> None:
    with (demo_event / "livepost.toml").open("a", encoding="utf-8") as toml:
        toml.write('\n[publish]\nreply_control = "following"\n')
    assert run_livepost("schedule", "import", cwd=demo_event).code == 0
    settings = load_settings(demo_event, environ={})
    publisher = GatePublisher(failures=1)
    lines: list[str] = []
    engine = open_database(settings.database_url)
    start = NOW.replace(hour=7, minute=25)  # 08:25 in London, before the first announcement
    daemon = Daemon(
        settings,
        engine,
        publisher,
        clock=SimulatedClock(start, 100_000),
        end_when_done=True,
        echo=lines.append,
    )
    daemon.run()
    announcements = [
        (i, line) for i, line in enumerate(lines) if " announce/" in line and "NOT" not in line
    ]
    gates = {rkey for _, rkey, _ in publisher.puts}
    assert len(announcements) > 5 and len(gates) == len(announcements)
    assert all(
        r["allow"] == [{"$type": "app.bsky.feed.threadgate#followingRule"}]
        for *_, r in publisher.puts
    )
    failed = [line for line in lines if "NOT written" in line]
    assert len(failed) == 1  # said, and the sending went on
    written = [
        i
        for i, line in enumerate(lines)
        if line.startswith("threadgate of") and line.endswith(" written")
    ]
    # every announcement's gate is written before the next announcements (a later minute) go out
    starts = [
        i for (_, prev), (i, line) in itertools.pairwise(announcements) if line[:8] != prev[:8]
    ]
    for start in starts[1:]:  # the first gate failed: retried at the next wake-up, a minute on
        sent_before = sum(1 for i, _ in announcements if i < start)
        assert sum(1 for w in written if w < start) == sent_before, "\n".join(lines)
