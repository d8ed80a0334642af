"""Reply control: a threadgate (who may reply, which replies are hidden) and a postgate (no
quoting) on each announcement, written right after it is posted.

What each gate should be is kept in ``gate_writes``, so a write that fails (the network, a
refused session) never blocks a post: the row stays pending, is reported, and is retried by the
daemon's next step a minute later (or at once by ``livepost replies hide``). A threadgate's rkey
is the root post's rkey; a postgate's the post's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from livepost.errors import InputError, NotFound
from livepost.model.posts import PostKind
from livepost.outbox import queries
from livepost.publish.base import GatePublisher, PublishError
from livepost.store.engine import session_scope
from livepost.store.models import (
    ArchivedPostRow,
    EventRow,
    GateWriteRow,
    WallLogRow,
    utc_now,
)
from livepost.store.talks import load_event

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session

    from livepost.config import PublishSection
    from livepost.publish.base import Publisher

THREADGATE = "app.bsky.feed.threadgate"
POSTGATE = "app.bsky.feed.postgate"
#: the lexicon's limit of hidden replies in one threadgate
MAX_HIDDEN = 300
#: a failed gate write is tried again after this long
RETRY_AFTER = timedelta(minutes=1)
#: the thread roots that get gates
GATED_KINDS = (PostKind.ANNOUNCEMENT,)
RULES = {
    "following": [{"$type": f"{THREADGATE}#followingRule"}],
    "mentioned": [{"$type": f"{THREADGATE}#mentionRule"}],
    "nobody": [],
}


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def threadgate_record(
    post_uri: str, reply_control: str, hidden: list[str], now: datetime
) -> dict[str, Any]:
    """The threadgate lexicon record; no ``allow`` means everyone may reply."""
    record: dict[str, Any] = {"$type": THREADGATE, "post": post_uri, "createdAt": _iso(now)}
    if reply_control in RULES:
        record["allow"] = list(RULES[reply_control])
    if hidden:
        record["hiddenReplies"] = hidden[:MAX_HIDDEN]
    return record


def postgate_record(post_uri: str, now: datetime) -> dict[str, Any]:
    """A postgate that disables quoting the post."""
    return {
        "$type": POSTGATE,
        "post": post_uri,
        "createdAt": _iso(now),
        "embeddingRules": [{"$type": f"{POSTGATE}#disableRule"}],
    }


def _rkey(uri: str) -> str:
    return uri.rsplit("/", 1)[-1]


def ensure_gates(session: Session, event: EventRow, config: PublishSection) -> int:
    """Add the gate rows every posted announcement needs (none when replies and quotes are
    open); returns how many were added. Cheap: run after each delivery."""
    wanted: list[tuple[str, str]] = []
    if config.reply_control != "everyone":
        wanted.append((THREADGATE, "thread"))
    if not config.quotes:
        wanted.append((POSTGATE, "post"))
    if not wanted:
        return 0
    roots = queries.posted_root_uris(session, event, GATED_KINDS)
    have = {
        (c, r)
        for c, r in session.execute(
            select(GateWriteRow.collection, GateWriteRow.rkey).where(
                GateWriteRow.event_id == event.id
            )
        )
    }
    now = utc_now()
    added = 0
    for uri in roots:
        if uri is None:
            continue
        for collection, _ in wanted:
            if (collection, _rkey(uri)) in have:
                continue
            record = (
                threadgate_record(uri, config.reply_control, [], now)
                if collection == THREADGATE
                else postgate_record(uri, now)
            )
            session.add(
                GateWriteRow(
                    event_id=event.id,
                    collection=collection,
                    rkey=_rkey(uri),
                    post_uri=uri,
                    record=record,
                    pending=True,
                    attempts=0,
                )
            )
            added += 1
    return added


@dataclass
class GateReport:
    written: list[str] = field(default_factory=list)  # "threadgate of <uri>"
    failed: list[tuple[str, str]] = field(default_factory=list)  # (what, why)

    def lines(self) -> list[str]:
        out = [f"{what} written" for what in self.written]
        out += [f"{what} NOT written (tried again in a minute): {why}" for what, why in self.failed]
        return out


def write_pending_gates(
    engine: Engine,
    event_key: str,
    publisher: Publisher,
    config: PublishSection,
    *,
    now: datetime | None = None,
) -> GateReport:
    """Write every gate that is pending and due (new, or failed over a minute ago)."""
    report = GateReport()
    if not isinstance(publisher, GatePublisher) or publisher.dry_run:
        return report
    moment = now or utc_now()
    with session_scope(engine) as session:
        event = load_event(session, event_key)
        ensure_gates(session, event, config)
        session.flush()
        todo = [
            (row.id, row.collection, row.rkey, row.post_uri, dict(row.record))
            for row in session.scalars(
                select(GateWriteRow)
                .where(GateWriteRow.event_id == event.id, GateWriteRow.pending.is_(True))
                .order_by(GateWriteRow.id)
            )
            if row.attempts == 0 or moment - row.updated_at >= RETRY_AFTER
        ]
    for row_id, collection, rkey, uri, record in todo:
        what = f"{collection.rsplit('.', 1)[-1]} of {uri}"
        try:
            publisher.put_record(collection, rkey, record)
            error = None
        except PublishError as exc:
            error = exc.message
        with session_scope(engine) as session:
            row = session.get(GateWriteRow, row_id)
            if row is None:
                continue
            row.attempts += 1
            row.updated_at = moment
            if error is None and row.record == record:  # changed meanwhile: stays pending
                row.pending, row.last_error = False, None
            elif error is not None:
                row.last_error = error
        if error is None:
            report.written.append(what)
        else:
            report.failed.append((what, error))
    return report


def hide_reply(
    engine: Engine,
    event_key: str,
    reply_uri: str,
    actor: str,
    config: PublishSection,
    actor_id: str | None = None,
) -> str:
    """Add ``reply_uri`` to the hidden replies of its thread's threadgate (pending until
    written); returns the root's URI. The reply must be one the archive found in our threads."""
    with session_scope(engine) as session:
        event = load_event(session, event_key)
        row = session.scalars(
            select(ArchivedPostRow).where(
                ArchivedPostRow.event_id == event.id, ArchivedPostRow.uri == reply_uri
            )
        ).one_or_none()
        ours = queries.posted_uris(session, event)
        root = row.reply_root if row is not None else None
        if root is None or root not in ours:
            raise NotFound(
                f"{reply_uri} is not a reply in one of our threads that the archive knows",
                hint="Run `livepost archive sync` first, then give the reply's at:// URI.",
            )
        gate = session.scalars(
            select(GateWriteRow).where(
                GateWriteRow.event_id == event.id,
                GateWriteRow.collection == THREADGATE,
                GateWriteRow.rkey == _rkey(root),
            )
        ).one_or_none()
        now = utc_now()
        if gate is None:
            gate = GateWriteRow(
                event_id=event.id,
                collection=THREADGATE,
                rkey=_rkey(root),
                post_uri=root,
                record=threadgate_record(root, config.reply_control, [], now),
                attempts=0,
            )
            session.add(gate)
        record = dict(gate.record)
        hidden = list(record.get("hiddenReplies") or [])
        if reply_uri not in hidden:
            if len(hidden) >= MAX_HIDDEN:
                raise InputError(
                    "URI", f"the thread already hides {MAX_HIDDEN} replies (Bluesky's limit)"
                )
            hidden.append(reply_uri)
        record["hiddenReplies"] = hidden
        gate.record = record
        gate.pending, gate.attempts, gate.last_error = True, 0, None
        session.add(
            WallLogRow(
                event_id=event.id,
                actor=actor,
                actor_id=actor_id,
                action="hide-reply",
                target=reply_uri,
            )
        )
        return root


def pending_gates(engine: Engine, event_key: str) -> list[tuple[str, str, str | None]]:
    """(what, post URI, last error) of every gate not written yet."""
    with session_scope(engine) as session:
        event = load_event(session, event_key)
        return [
            (row.collection.rsplit(".", 1)[-1], row.post_uri, row.last_error)
            for row in session.scalars(
                select(GateWriteRow)
                .where(GateWriteRow.event_id == event.id, GateWriteRow.pending.is_(True))
                .order_by(GateWriteRow.id)
            )
        ]
