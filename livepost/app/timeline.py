"""The outbox as a timeline: the JSON shape of a post, and what the comms officer should know.

Shared by ``livepost plan``, ``queue list`` and ``status``; no printing here.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from livepost.model import Talk
from livepost.model.posts import PostState
from livepost.publish.budget import budget_warnings

if TYPE_CHECKING:
    from livepost.store.models import OutboxRow
    from livepost.store.quick import QuickPost


def post_json(row: OutboxRow | QuickPost, zone: ZoneInfo) -> dict[str, Any]:
    """The stable JSON shape of an outbox row (``plan --json``, ``queue list --json``)."""
    embed = row.embed or {}
    return {
        "id": row.id,
        "key": row.key,
        "kind": row.kind,
        "talk": row.talk_id,
        "at": row.due_at.astimezone(zone).isoformat(),
        "text": row.text,
        "parent": row.parent_id,
        "root": row.root_id,
        "state": row.state,
        "origin": row.origin,
        "edited": row.edited,
        "card": bool(embed.get("card")),
        "images": len(embed.get("images") or []),
        "uri": row.uri,
        "sent_at": row.sent_at.astimezone(zone).isoformat() if row.sent_at else None,
        "error": row.last_error,
        "author": row.author,
        "author_id": row.author_id,
        "edited_by": row.edited_by,
        "edited_by_id": row.edited_by_id,
        "cancelled_by": row.cancelled_by,
        "cancelled_by_id": row.cancelled_by_id,
    }


SHOWN_IDS = 5  # talk ids named in one warning; the rest are in ``plan --json``


def plan_warnings(
    rows: Sequence[OutboxRow],
    talks: Sequence[Talk],
    now: datetime,
    *,
    zone: ZoneInfo,
    grace_minutes: int,
    held: Sequence[str] = (),
) -> list[str]:
    """Write budget, talks that run at the same time, posts already due, snippets held back."""

    warnings: list[str] = []
    unsent = [r for r in rows if r.state == PostState.QUEUED]
    sent = [r.sent_at for r in rows if r.state == PostState.POSTED and r.sent_at is not None]
    warnings += budget_warnings([r.due_at for r in unsent], sent=sent)

    with_posts = {r.talk_id for r in rows if r.state != PostState.CANCELLED and r.talk_id}
    for group in overlapping(t for t in talks if t.id in with_posts):
        start = min(t.start for t in group).astimezone(zone)
        ids = ", ".join(t.id for t in group[:SHOWN_IDS])
        if len(group) > SHOWN_IDS:  # a big festival overlaps all day: name a few, not 63
            ids = f"first {SHOWN_IDS}: {ids} …, see `plan --json`"
        warnings.append(
            f"{start:%a %H:%M}: {len(group)} talks with posts run at the same time ({ids}); "
            "their threads interleave on the account's timeline."
        )

    past = sorted(r.due_at for r in unsent if r.due_at < now)
    if past:
        late = [d for d in past if now - d > timedelta(minutes=grace_minutes)]
        warnings.append(
            f"{len(past)} queued post(s) are planned in the past (earliest "
            f"{past[0].astimezone(zone):%Y-%m-%d %H:%M}): livepost run would send "
            f"{len(past) - len(late)} (less than {grace_minutes} min late) and mark {len(late)} "
            "missed."
        )
    for key in held:
        warnings.append(
            f"{key} is still being written (no blank line after it): it waits for the end of "
            "its talk unless the writer moves on."
        )
    return warnings


def overlapping(talks: Any) -> list[list[Talk]]:
    """Groups of (non-withdrawn) talks whose times overlap, in start order."""
    ordered = sorted((t for t in talks if not t.withdrawn), key=lambda t: (t.start, t.id))
    groups: list[list[Talk]] = []
    current: list[Talk] = []
    end: datetime | None = None
    for talk in ordered:
        if current and end is not None and talk.start < end:
            current.append(talk)
            end = max(end, talk.end)
            continue
        if len(current) > 1:
            groups.append(current)
        current, end = [talk], talk.end
    if len(current) > 1:
        groups.append(current)
    return groups
