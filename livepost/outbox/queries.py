"""The outbox: every post to send, its state and its place in a thread.

It is the single source of truth for what has gone out. The planner and ``livepost queue`` put
rows in (``queued``); the publisher moves them through ``sending`` to ``posted`` (or ``failed``);
the officer may ``cancel`` them; the daemon marks the ones it was too late for ``missed``. A row's
record key is minted when the row is created, before any network call, so a post whose outcome is
unknown can be looked up on the PDS instead of being sent twice.

Every function takes the caller's session: one transaction per step, decided by the caller.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session, aliased

from livepost.errors import Conflict, NotFound
from livepost.model.posts import FINAL, UNSENT, PostKind, PostState
from livepost.outbox.tid import mint_tid
from livepost.store.models import EventRow, OutboxRow, utc_now

__all__ = ["FINAL", "UNSENT", "PostState"]  # re-exported: the states belong with the queries


class OutboxError(Conflict):
    """A queue operation that cannot be done now (a post already sent): a usage error."""


@dataclass
class Draft:
    """A composed post that is not in the outbox yet.

    ``facets`` use the ``compose --json`` shape; ``embed`` is livepost's own description of what
    to attach (``{"images": [{"path": ..., "alt": ...}], "card": {...}, "external": {"uri": ...},
    "quote": {"uri": ..., "cid": ...}}``), turned into blobs and records only at send time.
    """

    key: str
    kind: PostKind
    due_at: datetime
    text: str
    facets: list[dict[str, Any]] = field(default_factory=list)
    langs: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    embed: dict[str, Any] | None = None
    talk_id: str | None = None
    origin: str = "plan"
    source_hash: str | None = None
    author: str | None = None  # who queued it by hand (None: the planner)
    author_id: str | None = None  # their identity (owner, member:<id>): who may change it
    client_key: str | None = None  # ``<author>/<key>``: the API's idempotency key
    client_digest: str | None = None  # what the request with that key asked for (a SHA-256)


def manual_key() -> str:
    """A key for a post queued by hand (never collides with the planner's keys)."""
    return f"manual/{uuid.uuid4().hex[:12]}"


def add_post(
    session: Session, event: EventRow, draft: Draft, *, parent: OutboxRow | None = None
) -> OutboxRow:
    """Queue one post, as a reply to ``parent`` when given (its root follows the parent's)."""
    if draft.due_at.tzinfo is None:
        raise ValueError("due_at must be timezone-aware")
    row = OutboxRow(
        event_id=event.id,
        key=draft.key,
        kind=draft.kind,
        origin=draft.origin,
        talk_id=draft.talk_id,
        due_at=draft.due_at,
        state=PostState.QUEUED,
        text=draft.text,
        facets=draft.facets,
        langs=draft.langs,
        tags=draft.tags,
        embed=draft.embed,
        rkey=mint_tid(),
        source_hash=draft.source_hash,
        author=draft.author,
        author_id=draft.author_id,
        client_key=draft.client_key,
        client_digest=draft.client_digest,
        edited=False,
        attempts=0,
    )
    if parent is not None:
        row.parent_id = parent.id
        row.root_id = parent.root_id or parent.id
    session.add(row)
    session.flush()  # the id is needed by the replies that follow
    return row


def add_thread(
    session: Session, event: EventRow, drafts: Sequence[Draft], *, parent: OutboxRow | None = None
) -> list[OutboxRow]:
    """Queue the parts of a thread in order, each replying to the one before."""
    rows: list[OutboxRow] = []
    for draft in drafts:
        row = add_post(session, event, draft, parent=rows[-1] if rows else parent)
        rows.append(row)
    return rows


def get_post(session: Session, event: EventRow, post_id: int) -> OutboxRow:
    row = session.get(OutboxRow, post_id)
    if row is None or row.event_id != event.id:
        raise NotFound(
            f"no queued post with id {post_id}",
            hint="See the ids with: livepost queue list",
        )
    return row


def find_by_client_key(session: Session, event: EventRow, client_key: str) -> OutboxRow | None:
    return session.scalars(
        select(OutboxRow).where(OutboxRow.event_id == event.id, OutboxRow.client_key == client_key)
    ).one_or_none()


def find_by_key(session: Session, event: EventRow, key: str) -> OutboxRow | None:
    return session.scalars(
        select(OutboxRow).where(OutboxRow.event_id == event.id, OutboxRow.key == key)
    ).one_or_none()


def list_posts(
    session: Session, event: EventRow, states: Iterable[PostState] | None = None
) -> list[OutboxRow]:
    """The event's posts in the order they are due."""
    query = select(OutboxRow).where(OutboxRow.event_id == event.id)
    if states is not None:
        query = query.where(OutboxRow.state.in_(sorted(states)))
    return list(session.scalars(query.order_by(OutboxRow.due_at, OutboxRow.id)))


def count_by_state(session: Session, event: EventRow) -> dict[PostState, int]:
    """How many of the event's posts are in each state (states with none left out)."""
    rows = session.execute(
        select(OutboxRow.state, func.count(OutboxRow.id))
        .where(OutboxRow.event_id == event.id)
        .group_by(OutboxRow.state)
    )
    return {PostState(state): count for state, count in rows}


def due_posts(session: Session, event: EventRow, now: datetime) -> list[OutboxRow]:
    """Queued posts whose time has come and whose parent (if any) has been posted, oldest first.

    A reply whose parent is not posted yet waits: it is never sent as an orphan or a new root.
    """
    parent = aliased(OutboxRow)
    query = (
        select(OutboxRow)
        .outerjoin(parent, OutboxRow.parent_id == parent.id)
        .where(
            OutboxRow.event_id == event.id,
            OutboxRow.state == PostState.QUEUED,
            OutboxRow.due_at <= now,
            (OutboxRow.parent_id.is_(None)) | (parent.state == PostState.POSTED),
        )
        .order_by(OutboxRow.due_at, OutboxRow.id)
    )
    return list(session.scalars(query))


def in_flight(session: Session, event: EventRow) -> list[OutboxRow]:
    """Posts left in ``sending``: a crash happened mid-send, their outcome must be verified."""
    return list_posts(session, event, [PostState.SENDING])


def mark_sending(row: OutboxRow) -> None:
    """Record the attempt *before* the network call (the caller commits first)."""
    _require(row, {PostState.QUEUED, PostState.SENDING}, "send")
    row.state = PostState.SENDING
    row.attempts += 1


def mark_posted(row: OutboxRow, uri: str, cid: str, at: datetime | None = None) -> None:
    row.state, row.uri, row.cid = PostState.POSTED, uri, cid
    row.sent_at = at or utc_now()
    row.last_error = None


def record_posted(
    session: Session, post_id: int, uri: str, cid: str, at: datetime | None = None
) -> None:
    """:func:`mark_posted` by id in one UPDATE, without loading the row (the delivery loop's hot
    path: once per post)."""
    session.execute(
        update(OutboxRow)
        .where(OutboxRow.id == post_id)
        .values(state=PostState.POSTED, uri=uri, cid=cid, sent_at=at or utc_now(), last_error=None)
    )


def mark_failed(row: OutboxRow, reason: str) -> None:
    row.state, row.last_error = PostState.FAILED, reason


def mark_retry(row: OutboxRow, reason: str) -> None:
    """Back to the queue after a transient fault (the next try verifies by rkey first)."""
    row.state, row.last_error = PostState.QUEUED, reason


def mark_missed(row: OutboxRow, reason: str) -> None:
    _require(row, {PostState.QUEUED}, "mark missed")
    row.state, row.last_error = PostState.MISSED, reason


def cancel(session: Session, row: OutboxRow) -> list[OutboxRow]:
    """Cancel an unsent post and the unsent replies under it (they could never be posted).

    Returns every row cancelled, the given one first.
    """
    _require(row, UNSENT, "cancel")
    row.state = PostState.CANCELLED
    row.planner_cancelled = False
    replies = descendants(session, row, UNSENT)
    for reply in replies:
        reply.state = PostState.CANCELLED
        reply.planner_cancelled = False
    return [row, *replies]


def descendants(session: Session, row: OutboxRow, states: Iterable[PostState]) -> list[OutboxRow]:
    """The replies under ``row`` (at any depth) that are in one of ``states``, nearest first.

    A reply in another state stops the walk down its branch: what hangs below a posted reply is
    not this row's to change.
    """
    wanted = sorted(states)
    found: list[OutboxRow] = []
    frontier = [row.id]
    while frontier:
        children = list(
            session.scalars(
                select(OutboxRow)
                .where(OutboxRow.parent_id.in_(frontier), OutboxRow.state.in_(wanted))
                .order_by(OutboxRow.due_at, OutboxRow.id)
            )
        )
        found.extend(children)
        frontier = [c.id for c in children]
    return found


def mark_late_missed(
    session: Session, event: EventRow, now: datetime, grace: timedelta
) -> list[tuple[OutboxRow, str]]:
    """Mark due posts later than ``grace`` ``missed``, and the queued replies under them.

    Never a burst of stale posts: a post this late (livepost was not running, the laptop slept)
    is reported instead of sent.
    """
    missed: list[tuple[OutboxRow, str]] = []
    for row in due_posts(session, event, now):
        late = now - row.due_at
        if late <= grace:
            continue
        why = f"{_minutes(late)} late (grace {_minutes(grace)}): livepost was not running"
        mark_missed(row, why)
        missed.append((row, why))
        for reply in descendants(session, row, {PostState.QUEUED}):
            reason = f"the post it replies to ({row.key}) was missed"
            mark_missed(reply, reason)
            missed.append((reply, reason))
    return missed


def _minutes(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    return f"{minutes} min" if minutes < 120 else f"{minutes // 60} h {minutes % 60} min"


def retry(row: OutboxRow, now: datetime | None = None) -> None:
    """Queue a failed or missed post again (sent at the next opportunity)."""
    _require(row, {PostState.FAILED, PostState.MISSED}, "retry")
    row.state, row.last_error = PostState.QUEUED, None
    if now is not None:
        row.due_at = now


def edit(row: OutboxRow, **changes: Any) -> None:
    """Change an unsent post by hand (text, facets, due_at, embed...); re-planning keeps it."""
    _require(row, UNSENT, "edit")
    for name, value in changes.items():
        setattr(row, name, value)
    row.edited = True


def reply_refs(session: Session, row: OutboxRow) -> tuple[OutboxRow, OutboxRow] | None:
    """(root, parent) rows of a reply, both posted; None for a top-level post."""
    if row.parent_id is None:
        return None
    parent = session.get(OutboxRow, row.parent_id)
    root = session.get(OutboxRow, row.root_id or row.parent_id)
    if parent is None or root is None or parent.uri is None or root.uri is None:
        raise OutboxError(f"post {row.id} replies to a post that has not been posted")
    return root, parent


def _require(row: OutboxRow, states: Iterable[PostState], action: str) -> None:
    if row.state not in states:
        raise OutboxError(
            f"cannot {action} post {row.id}: it is {row.state}",
            hint="Only queued, failed or missed posts can be changed."
            if action in ("edit", "cancel")
            else None,
        )


def announcement_of(session: Session, event: EventRow, talk_id: str) -> OutboxRow | None:
    """The talk's announcement (the root of its thread), if one is in the outbox and not dead."""
    return session.scalars(
        select(OutboxRow)
        .where(
            OutboxRow.event_id == event.id,
            OutboxRow.talk_id == talk_id,
            OutboxRow.kind == PostKind.ANNOUNCEMENT,
            OutboxRow.parent_id.is_(None),
            OutboxRow.state.not_in((PostState.CANCELLED, PostState.FAILED)),
        )
        .order_by(OutboxRow.due_at, OutboxRow.id)
        .limit(1)
    ).one_or_none()


def thread_parts(session: Session, first: OutboxRow) -> list[OutboxRow]:
    """A post queued as a thread: its first row and the further parts (``key#2``, ``key#3``),
    each replying to the one before."""
    rows = [first]
    while True:
        nxt = session.scalars(
            select(OutboxRow).where(
                OutboxRow.parent_id == rows[-1].id,
                OutboxRow.key.startswith(f"{first.key}#"),
            )
        ).first()
        if nxt is None:
            return rows
        rows.append(nxt)


def parent_of(session: Session, row: OutboxRow) -> OutboxRow | None:
    return session.get(OutboxRow, row.parent_id) if row.parent_id else None


def known_times(session: Session, event: EventRow) -> dict[str, datetime]:
    """``source_hash`` -> due time of the snippet rows already planned (live mode keeps them)."""
    rows = session.execute(
        select(OutboxRow.source_hash, OutboxRow.due_at).where(
            OutboxRow.event_id == event.id,
            OutboxRow.origin == "plan",
            OutboxRow.source_hash.is_not(None),
            OutboxRow.state != PostState.CANCELLED,
        )
    )
    known: dict[str, datetime] = {}
    for source_hash, due_at in rows:
        if source_hash is None:
            continue
        if source_hash not in known or due_at < known[source_hash]:
            known[source_hash] = due_at
    return known


def told_states(session: Session, event: EventRow) -> dict[str, str]:
    """Talk id -> :func:`livepost.plan.planner.talk_state` of the last announcement or
    correction of the talk that went out: what the public was last told about it."""
    rows = session.execute(
        select(OutboxRow.talk_id, OutboxRow.key, OutboxRow.source_hash, OutboxRow.sent_at)
        .where(
            OutboxRow.event_id == event.id,
            OutboxRow.origin == "plan",
            OutboxRow.kind.in_((PostKind.ANNOUNCEMENT, PostKind.CORRECTION)),
            OutboxRow.state == PostState.POSTED,
            OutboxRow.talk_id.is_not(None),
            OutboxRow.source_hash.is_not(None),
        )
        .order_by(OutboxRow.sent_at, OutboxRow.id)
    )
    told: dict[str, str] = {}
    for talk_id, key, source_hash, _sent_at in rows:
        if "#" not in key and talk_id is not None and source_hash is not None:
            told[talk_id] = source_hash
    return told


def planned_rows(session: Session, event: EventRow) -> list[OutboxRow]:
    """Every row the planner made for the event (whatever their state)."""
    return list(
        session.scalars(
            select(OutboxRow).where(OutboxRow.event_id == event.id, OutboxRow.origin == "plan")
        )
    )


def queued_parent_ids(session: Session, event: EventRow) -> set[int]:
    """Ids of the posts that queued replies wait for."""
    ids = session.scalars(
        select(OutboxRow.parent_id).where(
            OutboxRow.event_id == event.id,
            OutboxRow.state == PostState.QUEUED,
            OutboxRow.parent_id.is_not(None),
        )
    )
    return {i for i in ids if i is not None}


def sent_since(session: Session, since: datetime) -> list[datetime]:
    """When each post of the account went out after ``since`` (every event: one rate budget)."""
    times = session.scalars(
        select(OutboxRow.sent_at).where(
            OutboxRow.state == PostState.POSTED, OutboxRow.sent_at > since
        )
    )
    return sorted(t for t in times if t is not None)


def queued_children_due(session: Session, parent_ids: list[int], now: datetime) -> list[OutboxRow]:
    """The queued replies due by ``now`` directly under these posts."""
    return list(
        session.scalars(
            select(OutboxRow).where(
                OutboxRow.parent_id.in_(parent_ids),
                OutboxRow.state == PostState.QUEUED,
                OutboxRow.due_at <= now,
            )
        )
    )


def queued_replies_due(session: Session, event: EventRow, now: datetime) -> list[OutboxRow]:
    """Every queued reply due by ``now`` (to say what each waits for)."""
    return list(
        session.scalars(
            select(OutboxRow).where(
                OutboxRow.event_id == event.id,
                OutboxRow.state == PostState.QUEUED,
                OutboxRow.due_at <= now,
                OutboxRow.parent_id.is_not(None),
            )
        )
    )


def posted_under(session: Session, event: EventRow, uri_prefix: str) -> list[OutboxRow]:
    """Posted rows whose URI starts with ``uri_prefix`` (a dry run's placeholder repo)."""
    return list(
        session.scalars(
            select(OutboxRow).where(
                OutboxRow.event_id == event.id,
                OutboxRow.state == PostState.POSTED,
                OutboxRow.uri.startswith(uri_prefix),
            )
        )
    )


def posted_root_uris(session: Session, event: EventRow, kinds: Iterable[PostKind]) -> list[str]:
    """URIs of our posted thread roots of these kinds."""
    uris = session.scalars(
        select(OutboxRow.uri).where(
            OutboxRow.event_id == event.id,
            OutboxRow.state == PostState.POSTED,
            OutboxRow.parent_id.is_(None),
            OutboxRow.kind.in_(tuple(kinds)),
            OutboxRow.uri.is_not(None),
        )
    )
    return [u for u in uris if u is not None]


def posted_uris(session: Session, event: EventRow) -> set[str]:
    """URIs of every post of ours that went out."""
    uris = session.scalars(
        select(OutboxRow.uri).where(
            OutboxRow.event_id == event.id, OutboxRow.state == PostState.POSTED
        )
    )
    return {u for u in uris if u is not None}


def posted_in_order(
    session: Session, event: EventRow
) -> list[tuple[str, datetime | None, datetime, int | None]]:
    """(uri, sent_at, due_at, parent_id) of our posted rows, in posting order."""
    rows = session.execute(
        select(OutboxRow.uri, OutboxRow.sent_at, OutboxRow.due_at, OutboxRow.parent_id)
        .where(
            OutboxRow.event_id == event.id,
            OutboxRow.state == PostState.POSTED,
            OutboxRow.uri.is_not(None),
        )
        .order_by(OutboxRow.sent_at, OutboxRow.id)
    )
    return [(uri, sent, due, parent) for uri, sent, due, parent in rows if uri is not None]


def uris_of_ours(session: Session, event: EventRow) -> set[str]:
    """Every URI one of our rows has (posted, or known after an unknown outcome)."""
    uris = session.scalars(
        select(OutboxRow.uri).where(OutboxRow.event_id == event.id, OutboxRow.uri.is_not(None))
    )
    return {u for u in uris if u is not None}


# --- what the daemon asks of the outbox ------------------------------------------------------


def fingerprint(session: Session, event: EventRow) -> tuple[object, ...]:
    """Changes whenever a row of the event is added or changed (the daemon's queue glance)."""
    return tuple(
        session.execute(
            select(
                func.count(OutboxRow.id), func.max(OutboxRow.id), func.max(OutboxRow.updated_at)
            ).where(OutboxRow.event_id == event.id)
        ).one()
    )


def any_sending(session: Session, event: EventRow) -> bool:
    """Whether a row is in ``sending`` (its outcome still to be checked)."""
    busy = session.scalar(
        select(func.count(OutboxRow.id)).where(
            OutboxRow.event_id == event.id, OutboxRow.state == PostState.SENDING
        )
    )
    return bool(busy)


def queued_later(session: Session, event: EventRow, now: datetime) -> list[tuple[int, datetime]]:
    """``(id, due_at)`` of every queued row due after ``now``: what the wake-ups are for."""
    rows = session.execute(
        select(OutboxRow.id, OutboxRow.due_at).where(
            OutboxRow.event_id == event.id,
            OutboxRow.state == PostState.QUEUED,
            OutboxRow.due_at > now,
        )
    )
    return [(post_id, due_at) for post_id, due_at in rows]


def drop_posts(session: Session, event_ids: Sequence[int]) -> None:
    """Delete every row of these events (the rehearsal copy, before it is made again)."""
    session.execute(delete(OutboxRow).where(OutboxRow.event_id.in_(tuple(event_ids))))


def copy_posts(session: Session, source: EventRow, target: EventRow) -> int:
    """Copy every row of ``source`` into ``target`` (new ids, new record keys, the same threads);
    how many rows."""
    rows = list(
        session.scalars(
            select(OutboxRow).where(OutboxRow.event_id == source.id).order_by(OutboxRow.id)
        )
    )
    copies: dict[int, OutboxRow] = {}
    for row in rows:
        copy = OutboxRow(
            event_id=target.id,
            key=row.key,
            kind=row.kind,
            origin=row.origin,
            talk_id=row.talk_id,
            due_at=row.due_at,
            state=row.state,
            text=row.text,
            facets=row.facets,
            langs=row.langs,
            tags=row.tags,
            embed=row.embed,
            rkey=mint_tid(),
            uri=row.uri,
            cid=row.cid,
            source_hash=row.source_hash,
            author=row.author,
            author_id=row.author_id,
            edited=row.edited,
            attempts=row.attempts,
            last_error=row.last_error,
            sent_at=row.sent_at,
        )
        session.add(copy)
        copies[row.id] = copy
    session.flush()
    for row in rows:
        copy = copies[row.id]
        copy.parent_id = copies[row.parent_id].id if row.parent_id in copies else None
        copy.root_id = copies[row.root_id].id if row.root_id in copies else None
    return len(rows)
