"""Sending the due posts of an event exactly once.

The order of every step is what makes "exactly once" hold across crashes:

1. rows left in ``sending`` (a crash or an unknown outcome) are looked up on the PDS by their
   minted rkey: there -> ``posted``, absent -> ``queued`` again;
2. for each due row: ``sending`` is committed *before* the network call; the record is built
   (mentions resolved, images uploaded, link card fetched) and created at the row's rkey;
3. the answer decides: created -> ``posted``; unknown outcome (timeout, 5xx, connection) -> ask
   ``get_record`` before trying again (a 500 whose rkey already holds our record is a success);
   429 -> wait until the reset, then go on; any other 4xx -> ``failed`` with the reason, and the
   rest of the queue goes on; auth failure -> stop, the user must log in.

A reply is only sent once its parent is posted (``outbox.due_posts``); replies under a failed
post wait and are reported. A crash between the network call and the database update leaves the
row in ``sending``, and step 1 of the next run finds the record instead of sending it again.
"""

from __future__ import annotations

import logging
import os
import signal
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from livepost.outbox import (
    due_posts,
    in_flight,
    mark_failed,
    mark_posted,
    mark_retry,
    mark_sending,
)
from livepost.publish.base import (
    AuthFailure,
    Publisher,
    RateLimited,
    Rejected,
    StrongRef,
    UnknownOutcome,
)
from livepost.publish.budget import DAY, WriteBudget
from livepost.publish.records import Built, Media, Resolver, build_record
from livepost.store.engine import session_scope
from livepost.store.models import EventRow, OutboxRow, utc_now
from livepost.store.talks import load_event

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

#: ``point`` or ``point:N`` (the N-th time, from 1): kill this process with SIGKILL there.
CRASH_ENV = "LIVEPOST_CRASH_AT"
CRASH_POINTS = ("after_mark_sending", "before_create", "after_create", "after_posted")
DEFAULT_RETRY_DELAYS = (1.0, 2.0, 4.0)
DEFAULT_RATE_WAIT = 60.0  # when a 429 carries no usable RateLimit-Reset
MAX_RATE_WAIT = 900.0  # longer waits end the run; the daemon comes back at resume_at

_crash_counts: dict[str, int] = {}


def crash_point(name: str) -> None:
    """Test hook: die here, as a power cut would, when ``LIVEPOST_CRASH_AT`` names this point."""
    wanted = os.environ.get(CRASH_ENV)
    if not wanted:
        return
    point, _, nth = wanted.partition(":")
    if point != name:
        return
    _crash_counts[name] = _crash_counts.get(name, 0) + 1
    if _crash_counts[name] == int(nth or 1):
        os.kill(os.getpid(), signal.SIGKILL)


@dataclass(frozen=True)
class Outcome:
    """What happened to one row (``detail``: the reason, the warning, the uri)."""

    post_id: int
    key: str
    detail: str


@dataclass
class DeliveryReport:
    """Everything one delivery run did and could not do, for the daemon to print and log."""

    posted: list[Outcome] = field(default_factory=list)  # detail: the uri
    recovered: list[Outcome] = field(default_factory=list)  # found on the PDS after a crash
    requeued: list[Outcome] = field(default_factory=list)  # verified absent, queued again
    failed: list[Outcome] = field(default_factory=list)  # refused by the server
    waiting: list[Outcome] = field(default_factory=list)  # replies whose parent is not posted
    warnings: list[Outcome] = field(default_factory=list)  # sent without a mention/card
    rate_limit_waits: list[float] = field(default_factory=list)  # seconds slept on 429s
    paused: bool = False
    stopped: str | None = None  # why the run ended before the queue was empty
    resume_at: datetime | None = None  # when it makes sense to try again (rate limit, budget)

    @property
    def sent(self) -> int:
        return len(self.posted)


class _Stop(Exception):
    """End the run early (outage, long rate limit, budget) after recording why."""


@dataclass
class _Run:
    engine: Engine
    event_key: str
    publisher: Publisher
    media: Media
    budget: WriteBudget
    sleep: Callable[[float], None]
    clock: Callable[[], datetime]
    retry_delays: Sequence[float]
    max_rate_wait: float
    report: DeliveryReport = field(default_factory=DeliveryReport)

    def __post_init__(self) -> None:
        self.resolve = Resolver(self.publisher)
        self.sent_times: list[datetime] = []

    # --- step 1 -----------------------------------------------------------------------------

    def recover(self) -> None:
        with session_scope(self.engine) as session:
            event = load_event(session, self.event_key)
            rows = [(r.id, r.key, r.rkey) for r in in_flight(session, event)]
        for post_id, key, rkey in rows:
            try:
                ref = self.publisher.get_record(rkey)
            except UnknownOutcome as exc:
                self.stop(f"cannot check post {key} on the PDS: {exc.message}")
            with session_scope(self.engine) as session:
                row = session.get(OutboxRow, post_id)
                if row is None or row.state != "sending":
                    continue
                if ref is not None:
                    mark_posted(row, ref.uri, ref.cid, at=self.clock())
                    self.report.recovered.append(Outcome(post_id, key, ref.uri))
                else:
                    reason = "interrupted before it reached the PDS; queued again"
                    mark_retry(row, reason)
                    self.report.requeued.append(Outcome(post_id, key, reason))

    # --- step 2 -----------------------------------------------------------------------------

    def is_paused(self) -> bool:
        with session_scope(self.engine) as session:
            self.report.paused = bool(load_event(session, self.event_key).paused)
        return self.report.paused

    def due_batch(self, now: datetime) -> tuple[list[int], set[int]]:
        """The ids due now in order, and the ids among all queued rows that have queued replies
        (after posting one of those, the batch is read again so its replies keep their place)."""
        with session_scope(self.engine) as session:
            event = load_event(session, self.event_key)
            due = [row.id for row in due_posts(session, event, now)]
            parents = set(
                session.scalars(
                    select(OutboxRow.parent_id).where(
                        OutboxRow.event_id == event.id,
                        OutboxRow.state == "queued",
                        OutboxRow.parent_id.is_not(None),
                    )
                )
            )
        return due, {p for p in parents if p is not None}

    def load_sent(self) -> None:
        """Posts made in the last day, for the budget (kept up to date in memory)."""
        moment = self.clock()
        with session_scope(self.engine) as session:
            self.sent_times = sorted(
                t
                for t in session.scalars(
                    select(OutboxRow.sent_at).where(
                        OutboxRow.state == "posted", OutboxRow.sent_at > moment - DAY
                    )
                )
                if t is not None
            )

    def check_budget(self) -> None:
        moment = self.clock()
        resume = self.budget.next_allowed(self.sent_times, moment)
        if resume is not None:
            self.report.resume_at = resume
            self.stop(
                f"livepost's write budget ({self.budget.per_hour:,} posts an hour, "
                f"{self.budget.per_day:,} a day) is used up until {resume:%H:%M} UTC"
            )

    def send(self, post_id: int) -> None:
        with session_scope(self.engine) as session:
            row = session.get(OutboxRow, post_id)
            if row is None or row.state != "queued":
                return
            event = session.get(EventRow, row.event_id)
            if event is not None and event.paused:  # paused by the officer meanwhile
                self.report.paused = True
                raise _Stop("paused")
            reply = _reply(session, row)
            mark_sending(row)
            key, rkey = row.key, row.rkey
            content: dict[str, Any] = {
                "text": row.text,
                "facets": list(row.facets or []),
                "langs": list(row.langs or []),
                "tags": list(row.tags or []),
                "embed": row.embed,
            }
        crash_point("after_mark_sending")
        built: Built | None = None
        tries = 0
        while True:
            try:
                if built is None:
                    built = build_record(
                        **content,
                        reply=reply,
                        publisher=self.publisher,
                        media=self.media,
                        resolve=self.resolve,
                    )
                crash_point("before_create")
                ref = self.publisher.create_record(rkey, built.record)
                crash_point("after_create")
                self.posted(post_id, key, ref, built.warnings)
                return
            except RateLimited as exc:
                self.wait_for_limit(post_id, exc)
            except UnknownOutcome as exc:
                if built is not None and self.verify(post_id, key, rkey, built.warnings):
                    return
                if tries >= len(self.retry_delays):
                    self.give_up(post_id, key, rkey, exc)
                self.sleep(self.retry_delays[tries])
                tries += 1
            except Rejected as exc:
                with session_scope(self.engine) as session:
                    row = session.get(OutboxRow, post_id)
                    if row is not None:
                        mark_failed(row, exc.reason)
                self.report.failed.append(Outcome(post_id, key, exc.reason))
                log.warning("post %s failed: %s", key, exc.reason)
                return
            except AuthFailure:
                self.requeue(post_id, "not sent: the Bluesky session is not valid")
                raise

    def posted(self, post_id: int, key: str, ref: StrongRef, warnings: list[str]) -> None:
        with session_scope(self.engine) as session:
            row = session.get(OutboxRow, post_id)
            if row is not None:
                mark_posted(row, ref.uri, ref.cid, at=self.clock())
        self.sent_times.append(self.clock())
        crash_point("after_posted")
        self.report.posted.append(Outcome(post_id, key, ref.uri))
        for warning in warnings:
            self.report.warnings.append(Outcome(post_id, key, warning))

    def verify(self, post_id: int, key: str, rkey: str, warnings: list[str]) -> bool:
        """After an unknown outcome: is the record there? (False also when we cannot tell.)"""
        try:
            ref = self.publisher.get_record(rkey)
        except (UnknownOutcome, RateLimited):
            return False
        if ref is None:
            return False
        self.posted(post_id, key, ref, warnings)
        return True

    def give_up(self, post_id: int, key: str, rkey: str, exc: UnknownOutcome) -> None:
        """Stop the run; the row stays ``sending`` unless the PDS says the record is absent."""
        try:
            absent = self.publisher.get_record(rkey) is None
        except (UnknownOutcome, RateLimited):
            absent = False
        if absent:
            self.requeue(post_id, exc.message)
        else:
            with session_scope(self.engine) as session:
                row = session.get(OutboxRow, post_id)
                if row is not None:
                    row.last_error = exc.message
        self.stop(f"Bluesky did not answer for post {key}: {exc.message}")

    def requeue(self, post_id: int, reason: str) -> None:
        with session_scope(self.engine) as session:
            row = session.get(OutboxRow, post_id)
            if row is not None and row.state == "sending":
                mark_retry(row, reason)

    def wait_for_limit(self, post_id: int, exc: RateLimited) -> None:
        moment = self.clock()
        if exc.reset_at is not None:
            wait = max(1.0, (exc.reset_at - moment).total_seconds())
        else:
            wait = DEFAULT_RATE_WAIT
        if wait > self.max_rate_wait:
            self.requeue(post_id, f"rate limited: {exc.message}")
            self.report.resume_at = moment + timedelta(seconds=wait)
            self.stop(f"Bluesky's rate limit is reached until {self.report.resume_at:%H:%M} UTC")
        log.info("rate limited; waiting %.0f s", wait)
        self.report.rate_limit_waits.append(wait)
        self.sleep(wait)

    def stop(self, reason: str) -> None:
        self.report.stopped = reason
        log.warning("delivery stopped: %s", reason)
        raise _Stop(reason)

    # --- the end ----------------------------------------------------------------------------

    def report_waiting(self, now: datetime) -> None:
        with session_scope(self.engine) as session:
            event = load_event(session, self.event_key)
            rows = session.scalars(
                select(OutboxRow).where(
                    OutboxRow.event_id == event.id,
                    OutboxRow.state == "queued",
                    OutboxRow.due_at <= now,
                    OutboxRow.parent_id.is_not(None),
                )
            )
            for row in rows:
                parent = session.get(OutboxRow, row.parent_id)
                if parent is None or parent.state == "posted":
                    continue
                why = f"waits for post {parent.id} ({parent.key}), which is {parent.state}"
                if parent.last_error:
                    why += f": {parent.last_error}"
                self.report.waiting.append(Outcome(row.id, row.key, why))


def _reply(session: Session, row: OutboxRow) -> tuple[StrongRef, StrongRef] | None:
    from livepost.outbox import reply_refs

    rows = reply_refs(session, row)
    if rows is None:
        return None
    root, parent = rows
    assert root.uri and root.cid and parent.uri and parent.cid
    return StrongRef(root.uri, root.cid), StrongRef(parent.uri, parent.cid)


def deliver_due(
    engine: Engine,
    event_key: str,
    publisher: Publisher,
    *,
    now: datetime,
    limit: int | None = None,
    media: Media | None = None,
    budget: WriteBudget | None = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], datetime] = utc_now,
    retry_delays: Sequence[float] = DEFAULT_RETRY_DELAYS,
    max_rate_wait: float = MAX_RATE_WAIT,
) -> DeliveryReport:
    """Send every post of ``event_key`` due at ``now`` (at most ``limit``), in order, once.

    ``clock`` gives the real time (``createdAt``, ``sent_at``, the budget); ``now`` only decides
    what is due. Raises :class:`AuthFailure` when the session is not valid (nothing is lost: the
    row is queued again); everything else ends up in the report.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    run = _Run(
        engine,
        event_key,
        publisher,
        media or Media(),
        budget or WriteBudget(),
        sleep,
        clock,
        retry_delays,
        max_rate_wait,
    )
    try:
        if run.is_paused():
            return run.report
        run.recover()
        run.load_sent()
        sent = 0
        while limit is None or sent < limit:
            batch, parents = run.due_batch(now)
            if not batch:
                break
            for post_id in batch:
                if limit is not None and sent >= limit:
                    break
                run.check_budget()
                run.send(post_id)
                sent += 1
                if post_id in parents:
                    break  # its replies are due now: read the queue again to keep the order
    except _Stop:
        pass
    run.report_waiting(now)
    return run.report
