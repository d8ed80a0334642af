"""Atomic threads in the delivery loop, against the dry-run publisher.

The real network has its own tests (``test_publish_atomic.py``); here a dry-run publisher is told
to answer the next ``applyWrites`` calls with an outcome (timeout after or before the write, 429,
400, auth) to check what the loop does with it. Outbox, database and record building are real.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from livepost.config import default_database_url
from livepost.outbox.queries import Draft, add_post, add_thread, list_posts
from livepost.publish.base import (
    MAX_WRITES,
    AuthFailure,
    BatchPublisher,
    RateLimited,
    Rejected,
    StrongRef,
    UnknownOutcome,
)
from livepost.publish.cid import record_cid
from livepost.publish.delivery import deliver_due
from livepost.publish.dryrun import DryRunPublisher
from livepost.store.engine import open_database, session_scope
from livepost.store.models import EventRow, OutboxRow
from livepost.store.talks import ensure_event

T0 = datetime(2026, 6, 18, 9, 0, tzinfo=UTC)
NOW = T0 + timedelta(hours=1)


class Scripted(DryRunPublisher):
    """Answers the next ``apply_writes`` calls with the given errors, then behaves normally;
    ``commit_first`` makes a failing call write anyway (a timeout after the write)."""

    def __init__(self) -> None:
        super().__init__()
        self.errors: list[Exception] = []
        self.commit_first = False
        self.calls: list[str] = []

    def apply_writes(self, creates: list[tuple[str, dict[str, Any]]]) -> list[StrongRef]:
        self.calls.append(f"applyWrites x{len(creates)}")
        if self.errors:
            error = self.errors.pop(0)
            if self.commit_first:
                super().apply_writes(creates)
            raise error
        return super().apply_writes(creates)

    def create_record(self, rkey: str, record: dict[str, Any]) -> StrongRef:
        self.calls.append("createRecord")
        return super().create_record(rkey, record)

    def get_record(self, rkey: str) -> StrongRef | None:
        self.calls.append("getRecord")
        return super().get_record(rkey)


@pytest.fixture
def engine(tmp_path: Path) -> Any:
    engine = open_database(default_database_url(tmp_path))
    with session_scope(engine) as session:
        ensure_event(session, "conf", "Conf", "Europe/London")
    return engine


def _event(session: Any) -> EventRow:
    return ensure_event(session, "conf", "Conf", "Europe/London")


def _draft(key: str, minutes: int = 0, **extra: Any) -> Draft:
    return Draft(key=key, kind="snippet", due_at=T0 + timedelta(minutes=minutes), text=key, **extra)


def _thread(engine: Any, keys: list[str], **extra: Any) -> None:
    with session_scope(engine) as session:
        add_thread(session, _event(session), [_draft(k, **extra) for k in keys])


def _rows(engine: Any) -> list[OutboxRow]:
    with session_scope(engine) as session:
        rows = list_posts(session, _event(session))
        session.expunge_all()
    return rows


def _deliver(engine: Any, publisher: Any, **kwargs: Any) -> Any:
    kwargs.setdefault("sleep", lambda seconds: None)
    return deliver_due(engine, "conf", publisher, now=NOW, atomic_threads=True, **kwargs)


def test_dry_run_thread_gets_the_real_cids_and_reply_refs(engine: Any) -> None:
    _thread(engine, ["a/1", "a/2", "a/3", "a/4"])
    publisher = Scripted()
    assert isinstance(publisher, BatchPublisher)
    report = _deliver(engine, publisher)
    assert report.threads == [["a/1", "a/2", "a/3", "a/4"]] and report.warnings == []
    assert publisher.calls == ["applyWrites x4"]
    rows = _rows(engine)
    sent = publisher.records
    assert [s.rkey for s in sent] == [r.rkey for r in rows]
    assert [r.cid for r in rows] == [record_cid(s.record) for s in sent]
    assert all(r.cid and r.cid.startswith("bafyrei") for r in rows)
    for n in range(1, 4):
        assert sent[n].record["reply"] == {
            "root": {"uri": rows[0].uri, "cid": rows[0].cid},
            "parent": {"uri": rows[n - 1].uri, "cid": rows[n - 1].cid},
        }


def test_without_the_setting_posts_go_one_by_one(engine: Any) -> None:
    _thread(engine, ["a/1", "a/2", "a/3"])
    publisher = Scripted()
    report = deliver_due(engine, "conf", publisher, now=NOW)
    assert report.threads == [] and [o.key for o in report.posted] == ["a/1", "a/2", "a/3"]
    assert publisher.calls == ["createRecord"] * 3


def test_only_the_due_replies_join_and_parents_come_first(engine: Any) -> None:
    with session_scope(engine) as session:
        event = _event(session)
        root = add_post(session, event, _draft("r", 0))
        late_branch = add_post(session, event, _draft("r/b", 1), parent=root)
        early_branch = add_post(session, event, _draft("r/a", 2), parent=root)
        add_post(session, event, _draft("r/a/1", 0), parent=early_branch)  # due before its parent
        add_post(session, event, _draft("r/b/1", 3), parent=late_branch)
        add_post(session, event, _draft("r/later", 90), parent=root)  # not due yet
        add_post(session, event, _draft("solo", 1))
    publisher = Scripted()
    report = _deliver(engine, publisher)
    assert report.threads == [["r", "r/b", "r/a", "r/a/1", "r/b/1"]]
    assert [o.key for o in report.posted] == ["r", "r/b", "r/a", "r/a/1", "r/b/1", "solo"]
    assert publisher.calls == ["applyWrites x5", "createRecord"]
    states = {r.key: r.state for r in _rows(engine)}
    assert states["r/later"] == "queued"


def test_a_timeout_after_the_write_is_settled_by_get_record(engine: Any) -> None:
    _thread(engine, ["a/1", "a/2", "a/3"])
    publisher = Scripted()
    publisher.errors = [UnknownOutcome("applyWrites: the PDS did not answer in time")]
    publisher.commit_first = True
    report = _deliver(engine, publisher)
    assert publisher.calls == ["applyWrites x3"] + ["getRecord"] * 3
    assert report.threads == [["a/1", "a/2", "a/3"]]
    rows = _rows(engine)
    assert [(r.state, r.attempts) for r in rows] == [("posted", 1)] * 3
    assert len(publisher.records) == 3  # once each


def test_a_timeout_before_the_write_sends_the_thread_again(engine: Any) -> None:
    _thread(engine, ["a/1", "a/2"])
    publisher = Scripted()
    publisher.errors = [UnknownOutcome("applyWrites: cannot reach the PDS")]
    slept: list[float] = []
    report = _deliver(engine, publisher, sleep=slept.append)
    assert publisher.calls == ["applyWrites x2", "getRecord", "getRecord", "applyWrites x2"]
    assert slept == [1.0]
    assert [o.key for o in report.posted] == ["a/1", "a/2"]
    assert [r.state for r in _rows(engine)] == ["posted", "posted"]


def test_no_answer_at_all_stops_the_run_with_the_thread_queued_again(engine: Any) -> None:
    _thread(engine, ["a/1", "a/2"])
    publisher = Scripted()
    publisher.errors = [UnknownOutcome("applyWrites: cannot reach the PDS")] * 4
    report = _deliver(engine, publisher, retry_delays=(0.1,))
    assert report.stopped == (
        "Bluesky did not answer for the thread a/1: applyWrites: cannot reach the PDS"
    )
    assert [(r.state, r.last_error) for r in _rows(engine)] == [
        ("queued", "applyWrites: cannot reach the PDS")
    ] * 2
    assert publisher.records == []


def test_rate_limit_waits_then_sends_the_same_thread(engine: Any) -> None:
    _thread(engine, ["a/1", "a/2"])
    publisher = Scripted()
    moment = datetime(2026, 6, 18, 10, 0, tzinfo=UTC)
    publisher.errors = [RateLimited("429", reset_at=moment + timedelta(seconds=30))]
    slept: list[float] = []
    report = _deliver(engine, publisher, sleep=slept.append, clock=lambda: moment)
    assert slept == [30.0] and report.rate_limit_waits == [30.0]
    assert publisher.calls == ["applyWrites x2", "applyWrites x2"]
    assert report.threads == [["a/1", "a/2"]]


def test_a_refused_thread_goes_post_by_post_once_even_one_post_per_run(engine: Any) -> None:
    _thread(engine, ["a/1", "a/2", "a/3"])
    publisher = Scripted()
    publisher.errors = [Rejected("applyWrites: InvalidRequest: bad record", status=400)]
    reports = [_deliver(engine, publisher, limit=1) for _ in range(4)]  # as the daemon calls it
    assert publisher.calls == ["applyWrites x3", "createRecord", "createRecord", "createRecord"]
    assert [(o.key, o.detail) for o in reports[0].fallbacks] == [
        ("a/1", "applyWrites: InvalidRequest: bad record")
    ]
    assert [[o.key for o in r.posted] for r in reports] == [["a/1"], ["a/2"], ["a/3"], []]
    assert [(r.state, r.last_error) for r in _rows(engine)] == [("posted", None)] * 3


def test_a_post_that_cannot_be_built_fails_alone(engine: Any) -> None:
    with session_scope(engine) as session:
        event = _event(session)
        first = add_post(session, event, _draft("c/1"))
        add_thread(
            session,
            event,
            [_draft("c/2", embed={"card": {"kind": "talk"}}), _draft("c/3")],
            parent=first,
        )
    publisher = Scripted()
    report = _deliver(engine, publisher)  # no card renderer: the card cannot be drawn
    reason = "this post has an image card but no card renderer was configured"
    assert [(o.key, o.detail) for o in report.fallbacks] == [("c/1", reason)]
    assert publisher.calls == ["createRecord"]
    assert [(o.key, o.detail) for o in report.failed] == [("c/2", reason)]
    assert [o.key for o in report.posted] == ["c/1"] and [o.key for o in report.waiting] == ["c/3"]


def test_an_invalid_session_queues_the_thread_again(engine: Any) -> None:
    _thread(engine, ["a/1", "a/2"])
    publisher = Scripted()
    publisher.errors = [AuthFailure("The Bluesky session is no longer valid.")]
    with pytest.raises(AuthFailure):
        _deliver(engine, publisher)
    assert [(r.state, r.last_error) for r in _rows(engine)] == [
        ("queued", "not sent: the Bluesky session is not valid")
    ] * 2


def test_a_long_thread_is_cut_at_200_writes_per_call(engine: Any) -> None:
    keys = [f"l/{n}" for n in range(MAX_WRITES + 5)]
    _thread(engine, keys)
    publisher = Scripted()
    report = _deliver(engine, publisher)
    assert publisher.calls == [f"applyWrites x{MAX_WRITES}", "applyWrites x5"]
    assert [len(t) for t in report.threads] == [MAX_WRITES, 5]
    rows = _rows(engine)
    assert all(r.state == "posted" for r in rows)
    assert publisher.records[MAX_WRITES].record["reply"]["parent"] == {
        "uri": rows[MAX_WRITES - 1].uri,
        "cid": rows[MAX_WRITES - 1].cid,
    }


def test_a_thread_over_the_budget_goes_post_by_post_as_far_as_it_allows(engine: Any) -> None:
    from livepost.publish.budget import WriteBudget

    _thread(engine, ["a/1", "a/2", "a/3", "a/4"])
    publisher = Scripted()
    report = _deliver(engine, publisher, budget=WriteBudget(hourly_points=9))  # 3 posts an hour
    assert publisher.calls == ["createRecord"] * 3  # never room for the rest as a whole
    assert [o.key for o in report.posted] == ["a/1", "a/2", "a/3"]
    assert report.stopped is not None and report.stopped.startswith("livepost's write budget")
