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

Atomic threads (opt-in, ``atomic_threads``): a due post with replies under it that are due too
goes out as a whole in one ``applyWrites`` call. Every row of the thread is ``sending`` before
the call; the records are built (blobs uploaded) and their CIDs computed locally
(:mod:`livepost.publish.cid`), so each reply's strong refs point at posts of the same call; the
CIDs the PDS returns must be the same. The call is all or nothing: an unknown outcome is settled
by ``get_record`` of every rkey, and a refusal (an invalid record) puts the rows back in the queue
to go post by post, so the bad post fails alone.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from livepost.errors import ConcurrentChange
from livepost.model.posts import PostState
from livepost.outbox import queries
from livepost.outbox.queries import (
    due_posts,
    in_flight,
    mark_failed,
    mark_posted,
    mark_retry,
    mark_sending,
    record_posted,
    reply_refs,
)
from livepost.publish.base import (
    MAX_WRITES,
    POST_COLLECTION,
    AuthFailure,
    BatchPublisher,
    Publisher,
    RateLimited,
    Rejected,
    StrongRef,
    UnknownOutcome,
)
from livepost.publish.budget import DAY, WriteBudget
from livepost.publish.cid import record_cid
from livepost.publish.records import Built, Media, Resolver, build_record
from livepost.store.engine import session_scope
from livepost.store.models import EventRow, OutboxRow, utc_now
from livepost.store.talks import load_event

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

#: the moments of a delivery a test may hook (``checkpoint``) to simulate a power cut there
CHECKPOINTS = ("after_mark_sending", "before_create", "after_create", "after_posted")
DEFAULT_RETRY_DELAYS = (1.0, 2.0, 4.0)
DEFAULT_RATE_WAIT = 60.0  # when a 429 carries no usable RateLimit-Reset
MAX_RATE_WAIT = 900.0  # longer waits end the run; the daemon comes back at resume_at
#: how ``last_error`` reads for a thread refused as a whole (the flag is ``thread_fallback``)
FALLBACK_PREFIX = "sent post by post: "


def no_checkpoint(name: str) -> None:
    """The production checkpoint: nothing happens between the steps of a delivery."""


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
    threads: list[list[str]] = field(default_factory=list)  # keys of each applyWrites call
    fallbacks: list[Outcome] = field(default_factory=list)  # threads sent post by post instead
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
    atomic_threads: bool = False
    checkpoint: Callable[[str], None] = no_checkpoint
    report: DeliveryReport = field(default_factory=DeliveryReport)

    def __post_init__(self) -> None:
        self.resolve = Resolver(self.publisher)
        self.sent_times: list[datetime] = []
        self.batcher = self.publisher if isinstance(self.publisher, BatchPublisher) else None
        if not self.atomic_threads:
            self.batcher = None

    # --- step 1 -----------------------------------------------------------------------------

    def recover(self) -> None:
        with session_scope(self.engine, durable=False) as session:
            event = load_event(session, self.event_key)
            rows = [(r.id, r.key, r.rkey) for r in in_flight(session, event)]
        for post_id, key, rkey in rows:
            try:
                ref = self.publisher.get_record(rkey)
            except UnknownOutcome as exc:
                self.stop(f"cannot check post {key} on the PDS: {exc.message}")
            with session_scope(self.engine, durable=False) as session:
                row = session.get(OutboxRow, post_id)
                if row is None or row.state != PostState.SENDING:
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
        with session_scope(self.engine, durable=False) as session:
            self.report.paused = bool(load_event(session, self.event_key).paused)
        return self.report.paused

    def due_batch(self, now: datetime) -> tuple[list[int], set[int]]:
        """The ids due now in order, and the ids among all queued rows that have queued replies
        (after posting one of those, the batch is read again so its replies keep their place)."""
        with session_scope(self.engine, durable=False) as session:
            event = load_event(session, self.event_key)
            due = [row.id for row in due_posts(session, event, now)]
            parents = queries.queued_parent_ids(session, event)
        return due, parents

    def load_sent(self) -> None:
        """Posts made in the last day, for the budget (kept up to date in memory)."""
        moment = self.clock()
        with session_scope(self.engine, durable=False) as session:
            self.sent_times = queries.sent_since(session, moment - DAY)

    def fits(self, count: int) -> bool:
        """Whether ``count`` more posts fit in the budget now (a thread sent as a whole)."""
        moment = self.clock()
        return self.budget.next_allowed([*self.sent_times, *[moment] * (count - 1)], moment) is None

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
        try:
            with session_scope(self.engine, durable=False) as session:
                row = session.get(OutboxRow, post_id)
                if row is None or row.state != PostState.QUEUED:
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
        except ConcurrentChange:
            return  # edited while we read it: nothing was marked; the next round reads it again
        self.checkpoint("after_mark_sending")
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
                self.checkpoint("before_create")
                ref = self.publisher.create_record(rkey, built.record)
                self.checkpoint("after_create")
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
                with session_scope(self.engine, durable=False) as session:
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
        with session_scope(self.engine, durable=False) as session:
            record_posted(session, post_id, ref.uri, ref.cid, at=self.clock())
        self.sent_times.append(self.clock())
        self.checkpoint("after_posted")
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
            with session_scope(self.engine, durable=False) as session:
                row = session.get(OutboxRow, post_id)
                if row is not None:
                    row.last_error = exc.message
        self.stop(f"Bluesky did not answer for post {key}: {exc.message}")

    def requeue(self, post_id: int, reason: str) -> None:
        with session_scope(self.engine, durable=False) as session:
            row = session.get(OutboxRow, post_id)
            if row is not None and row.state == PostState.SENDING:
                mark_retry(row, reason)

    def wait_for_limit(self, post_id: int | Sequence[int], exc: RateLimited) -> None:
        moment = self.clock()
        if exc.reset_at is not None:
            wait = max(1.0, (exc.reset_at - moment).total_seconds())
        else:
            wait = DEFAULT_RATE_WAIT
        if wait > self.max_rate_wait:
            for one in [post_id] if isinstance(post_id, int) else post_id:
                self.requeue(one, f"rate limited: {exc.message}")
            self.report.resume_at = moment + timedelta(seconds=wait)
            self.stop(f"Bluesky's rate limit is reached until {self.report.resume_at:%H:%M} UTC")
        log.info("rate limited; waiting %.0f s", wait)
        self.report.rate_limit_waits.append(wait)
        self.sleep(wait)

    def stop(self, reason: str) -> None:
        self.report.stopped = reason
        log.warning("delivery stopped: %s", reason)
        raise _Stop(reason)

    # --- atomic threads -----------------------------------------------------------------------

    def ready_thread(self, head_id: int, now: datetime) -> list[int]:
        """``head_id`` and the queued replies under it that are due at ``now``, parents first
        (at most :data:`MAX_WRITES`); empty when there is no such thread or it went post by post.
        """
        if self.batcher is None:
            return []
        with session_scope(self.engine, durable=False) as session:
            head = session.get(OutboxRow, head_id)
            if head is None or head.state != PostState.QUEUED or _fell_back(head):
                return []
            found: list[OutboxRow] = []
            frontier = [head.id]
            while frontier:
                children = queries.queued_children_due(session, frontier, now)
                children = [c for c in children if not _fell_back(c)]
                found.extend(children)
                frontier = [c.id for c in children]
            if not found:
                return []
            ordered, placed = [head.id], {head.id}
            pending = sorted(found, key=lambda r: (r.due_at, r.id))
            while pending and len(ordered) < MAX_WRITES:
                nxt = next(r for r in pending if r.parent_id in placed)
                pending.remove(nxt)
                ordered.append(nxt.id)
                placed.add(nxt.id)
        return ordered

    def _mark_thread_sending(
        self, ids: list[int]
    ) -> tuple[list[_Part], tuple[StrongRef, StrongRef] | None] | None:
        """Mark the thread's rows ``sending`` in one commit (with the reply its head makes);
        None if they are not all queued."""
        with session_scope(self.engine, durable=False) as session:
            rows = [session.get(OutboxRow, post_id) for post_id in ids]
            if any(row is None or row.state != PostState.QUEUED for row in rows):
                return None
            head = rows[0]
            assert head is not None
            event = session.get(EventRow, head.event_id)
            if event is not None and event.paused:
                self.report.paused = True
                raise _Stop("paused")
            head_reply = _reply(session, head)
            parts: list[_Part] = []
            for row in rows:
                assert row is not None
                mark_sending(row)
                parts.append(
                    _Part(
                        row.id,
                        row.key,
                        row.rkey,
                        row.parent_id,
                        {
                            "text": row.text,
                            "facets": list(row.facets or []),
                            "langs": list(row.langs or []),
                            "tags": list(row.tags or []),
                            "embed": row.embed,
                        },
                    )
                )
        return parts, head_reply

    def send_thread(self, ids: list[int]) -> bool:
        """Send the rows ``ids`` (a thread, parents first) in one call; False when they were put
        back in the queue to go post by post (or were not all queued any more)."""
        assert self.batcher is not None
        try:
            marked = self._mark_thread_sending(ids)
        except ConcurrentChange:
            return False  # a part was edited while we read it: read the queue again
        if marked is None:
            return False
        parts, head_reply = marked
        self.checkpoint("after_mark_sending")
        try:
            self.build_thread(parts, head_reply)
        except AuthFailure:
            self.requeue_all(ids, "not sent: the Bluesky session is not valid")
            raise
        except (Rejected, RateLimited, UnknownOutcome) as exc:
            self.fall_back(parts, exc.message)
            return False
        except ValueError as exc:  # a record the CID cannot be computed for
            self.fall_back(parts, str(exc))
            return False
        creates = [(part.rkey, part.record) for part in parts]
        tries = 0
        while True:
            try:
                self.checkpoint("before_create")
                refs = self.batcher.apply_writes(creates)
                self.checkpoint("after_create")
                self.thread_posted(parts, refs)
                return True
            except RateLimited as exc:
                self.wait_for_limit(ids, exc)
            except UnknownOutcome as exc:
                if self.verify_thread(parts):
                    return True
                if tries >= len(self.retry_delays):
                    self.give_up_thread(parts, exc)
                self.sleep(self.retry_delays[tries])
                tries += 1
            except Rejected as exc:
                self.fall_back(parts, exc.reason)
                return False
            except AuthFailure:
                self.requeue_all(ids, "not sent: the Bluesky session is not valid")
                raise

    def build_thread(
        self, parts: list[_Part], head_reply: tuple[StrongRef, StrongRef] | None
    ) -> None:
        """Build every record (uploading its images) and predict its strong ref."""
        refs: dict[int, StrongRef] = {}
        head = parts[0]
        for part in parts:
            if part is head:
                reply = head_reply
            else:
                assert part.parent_id is not None
                root = head_reply[0] if head_reply else refs[head.post_id]
                reply = (root, refs[part.parent_id])
            part.built = build_record(
                **part.content,
                reply=reply,
                publisher=self.publisher,
                media=self.media,
                resolve=self.resolve,
            )
            uri = f"at://{self.publisher.did}/{POST_COLLECTION}/{part.rkey}"
            part.ref = StrongRef(uri, record_cid(part.record))
            refs[part.post_id] = part.ref

    def thread_posted(self, parts: list[_Part], refs: Sequence[StrongRef]) -> None:
        """Record the whole thread as posted in one transaction, with the PDS's refs."""
        moment = self.clock()
        with session_scope(self.engine, durable=False) as session:
            for part, ref in zip(parts, refs, strict=True):
                row = session.get(OutboxRow, part.post_id)
                if row is not None:
                    mark_posted(row, ref.uri, ref.cid, at=moment)
        self.sent_times.extend([moment] * len(parts))
        self.checkpoint("after_posted")
        self.report.threads.append([part.key for part in parts])
        for part, ref in zip(parts, refs, strict=True):
            self.report.posted.append(Outcome(part.post_id, part.key, ref.uri))
            for warning in part.built.warnings if part.built else []:
                self.report.warnings.append(Outcome(part.post_id, part.key, warning))
            if part.ref is not None and part.ref != ref:
                # the replies point at the predicted CID: the thread is broken on Bluesky
                message = (
                    f"livepost bug: the PDS gave {ref.uri} the CID {ref.cid}, livepost computed "
                    f"{part.ref.cid} (replies under it may not show); please report it"
                )
                log.error(message)
                self.report.warnings.append(Outcome(part.post_id, part.key, message))

    def verify_thread(self, parts: list[_Part]) -> bool:
        """After an unknown outcome: are the records there? All of them (posted), none (False,
        also when we cannot tell), or -- against all-or-nothing -- some: those are posted and
        the others go post by post."""
        found: list[StrongRef | None] = []
        for part in parts:
            try:
                found.append(self.publisher.get_record(part.rkey))
            except (UnknownOutcome, RateLimited):
                return False
        if all(ref is not None for ref in found):
            self.thread_posted(parts, [ref for ref in found if ref is not None])
            return True
        if all(ref is None for ref in found):
            return False
        for part, ref in zip(parts, found, strict=True):
            if ref is not None:
                self.posted(part.post_id, part.key, ref, [])
        missing = [part for part, ref in zip(parts, found, strict=True) if ref is None]
        self.fall_back(missing, "only part of the thread reached the PDS")
        return True

    def give_up_thread(self, parts: list[_Part], exc: UnknownOutcome) -> None:
        """Stop the run; the rows stay ``sending`` unless the PDS says none of them is there."""
        try:
            absent = all(self.publisher.get_record(part.rkey) is None for part in parts)
        except (UnknownOutcome, RateLimited):
            absent = False
        if absent:
            self.requeue_all([part.post_id for part in parts], exc.message)
        else:
            with session_scope(self.engine, durable=False) as session:
                for part in parts:
                    row = session.get(OutboxRow, part.post_id)
                    if row is not None:
                        row.last_error = exc.message
        self.stop(f"Bluesky did not answer for the thread {parts[0].key}: {exc.message}")

    def fall_back(self, parts: list[_Part], reason: str) -> None:
        """Nothing of the thread was created: queue its rows again, to go post by post."""
        with session_scope(self.engine, durable=False) as session:
            for part in parts:
                row = session.get(OutboxRow, part.post_id)
                if row is not None and row.state == PostState.SENDING:
                    mark_retry(row, FALLBACK_PREFIX + reason)
                    row.thread_fallback = True
        log.info("thread %s goes post by post: %s", parts[0].key, reason)
        self.report.fallbacks.append(Outcome(parts[0].post_id, parts[0].key, reason))

    def requeue_all(self, ids: Sequence[int], reason: str) -> None:
        for post_id in ids:
            self.requeue(post_id, reason)

    # --- the end ----------------------------------------------------------------------------

    def report_waiting(self, now: datetime) -> None:
        with session_scope(self.engine, durable=False) as session:
            event = load_event(session, self.event_key)
            rows = queries.queued_replies_due(session, event, now)
            for row in rows:
                parent = session.get(OutboxRow, row.parent_id)
                if parent is None or parent.state == PostState.POSTED:
                    continue
                why = f"waits for post {parent.id} ({parent.key}), which is {parent.state}"
                if parent.last_error:
                    why += f": {parent.last_error}"
                self.report.waiting.append(Outcome(row.id, row.key, why))


@dataclass
class _Part:
    """One row of an atomic thread: what to build, then what was built and its predicted ref."""

    post_id: int
    key: str
    rkey: str
    parent_id: int | None
    content: dict[str, Any]
    built: Built | None = None
    ref: StrongRef | None = None

    @property
    def record(self) -> dict[str, Any]:
        assert self.built is not None
        return self.built.record


def _fell_back(row: OutboxRow) -> bool:
    return row.thread_fallback


def _reply(session: Session, row: OutboxRow) -> tuple[StrongRef, StrongRef] | None:
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
    atomic_threads: bool = False,
    checkpoint: Callable[[str], None] = no_checkpoint,
) -> DeliveryReport:
    """Send every post of ``event_key`` due at ``now`` (at most ``limit``), in order, once.

    ``clock`` gives the real time (``createdAt``, ``sent_at``, the budget); ``now`` only decides
    what is due. Raises :class:`AuthFailure` when the session is not valid (nothing is lost: the
    row is queued again); everything else ends up in the report.

    With ``atomic_threads`` (and a :class:`BatchPublisher`), a due post whose replies are due
    too goes out with them in one ``applyWrites`` call; ``limit`` counts such a thread once.
    ``checkpoint`` is called with each name of :data:`CHECKPOINTS` as delivery passes it (the
    crash tests inject one that kills the process there).
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
        atomic_threads,
        checkpoint,
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
                thread = run.ready_thread(post_id, now)
                if thread and run.fits(len(thread)):  # else post by post, as the budget allows
                    if run.send_thread(thread):
                        sent += 1
                    break  # posted, or queued again to go post by post: read the queue again
                run.check_budget()
                run.send(post_id)
                sent += 1
                if post_id in parents:
                    break  # its replies are due now: read the queue again to keep the order
    except _Stop:
        pass
    run.report_waiting(now)
    return run.report
