"""The wall's store: the community's posts under the event's hashtags as the venue screen shows
them, and the officers' moderation (hide, pin, block) with its log.

Moderation is applied in the query itself, every time, so a post hidden or an author blocked is
never shown, not even for a moment after a restart: there is no cache to go stale.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, not_, or_, select

from livepost.errors import InputError
from livepost.model.posts import PostState
from livepost.store.models import (
    ArchivedPostRow,
    EventRow,
    OutboxRow,
    WallLogRow,
    WallModerationRow,
)

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

ACTIONS = {
    "hide": ("hide", True),
    "unhide": ("hide", False),
    "pin": ("pin", True),
    "unpin": ("pin", False),
    "block": ("block", True),
    "unblock": ("block", False),
}
#: posts kept per wall query at most (``[wall] max_posts`` is capped by it)
MAX_POSTS = 200


@dataclass(frozen=True)
class WallPost:
    """One post as the wall shows it."""

    uri: str
    text: str
    author_handle: str
    author_name: str | None
    created_at: datetime
    images: list[dict[str, str]] = field(default_factory=list)
    pinned: bool = False
    ours: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "uri": self.uri,
            "text": self.text,
            "author": {"handle": self.author_handle, "display_name": self.author_name},
            "created_at": self.created_at.isoformat().replace("+00:00", "Z"),
            "images": [{"alt": i.get("alt", ""), "thumb": i.get("thumb", "")} for i in self.images],
            "pinned": self.pinned,
            "ours": self.ours,
        }


def _targets(session: Session, event: EventRow, action: str) -> Any:
    return select(WallModerationRow.target).where(
        WallModerationRow.event_id == event.id, WallModerationRow.action == action
    )


def _blocked_dids(session: Session, event: EventRow) -> Any:
    return select(WallModerationRow.target_did).where(
        WallModerationRow.event_id == event.id,
        WallModerationRow.action == "block",
        WallModerationRow.target_did.is_not(None),
    )


def _images(row_images: Any, alts: Any) -> list[dict[str, str]]:
    images = [dict(i) for i in row_images or [] if isinstance(i, dict)]
    return images or [{"alt": str(a), "thumb": "", "fullsize": ""} for a in alts or []]


def _row_images(row: ArchivedPostRow) -> list[dict[str, str]]:
    return _images(row.images, row.image_alts)


def wall_posts(
    session: Session,
    event: EventRow,
    *,
    limit: int = 30,
    include_ours: bool = False,
    our_handle: str | None = None,
    our_name: str | None = None,
    moderated: bool = True,
) -> list[WallPost]:
    """What the wall shows now: pinned posts first, then the newest. ``moderated=False`` lists
    hidden posts and blocked authors too (the officers' view)."""
    limit = max(1, min(limit, MAX_POSTS))
    pinned = set(session.scalars(_targets(session, event, "pin")))
    query = select(ArchivedPostRow).where(
        ArchivedPostRow.event_id == event.id,
        or_(ArchivedPostRow.source == "hashtag", ArchivedPostRow.matched_tag.is_not(None)),
    )
    if moderated:
        query = query.where(
            ArchivedPostRow.uri.not_in(_targets(session, event, "hide")),
            not_(
                or_(
                    func.lower(ArchivedPostRow.author_handle).in_(
                        _targets(session, event, "block")
                    ),
                    ArchivedPostRow.author_did.in_(_blocked_dids(session, event)),
                )
            ),
        )
    newest = session.scalars(
        query.order_by(ArchivedPostRow.created_at.desc(), ArchivedPostRow.id.desc()).limit(limit)
    ).all()
    pinned_rows = (
        session.scalars(query.where(ArchivedPostRow.uri.in_(pinned))).all() if pinned else []
    )
    posts: dict[str, WallPost] = {}
    for row in [*pinned_rows, *newest]:
        if row.uri in posts:
            continue
        posts[row.uri] = WallPost(
            uri=row.uri,
            text=row.text,
            author_handle=row.author_handle,
            author_name=row.author_name,
            created_at=row.created_at,
            images=_row_images(row),
            pinned=row.uri in pinned,
        )
    if include_ours:
        ours_query = select(OutboxRow).where(
            OutboxRow.event_id == event.id,
            OutboxRow.state == PostState.POSTED,
            OutboxRow.uri.is_not(None),
        )
        if moderated:
            ours_query = ours_query.where(OutboxRow.uri.not_in(_targets(session, event, "hide")))
        for out in session.scalars(ours_query.order_by(OutboxRow.sent_at.desc()).limit(limit)):
            assert out.uri is not None
            embed = out.embed or {}
            posts[out.uri] = WallPost(
                uri=out.uri,
                text=out.text,
                author_handle=our_handle or out.uri.split("/")[2],
                author_name=our_name,
                created_at=out.sent_at or out.due_at,
                images=[
                    {"alt": str(i.get("alt") or ""), "thumb": "", "fullsize": ""}
                    for i in embed.get("images") or []
                ],
                pinned=out.uri in pinned,
                ours=True,
            )
    ordered = sorted(posts.values(), key=lambda p: (not p.pinned, -p.created_at.timestamp()))
    return ordered[: limit + len(pinned_rows)]


@dataclass(frozen=True)
class Decision:
    action: str  # hide | pin | block
    target: str
    target_did: str | None
    actor: str
    created_at: datetime


@dataclass(frozen=True)
class LogEntry:
    at: datetime
    actor: str
    action: str
    target: str


def normalise_handle(handle: str) -> str:
    return handle.strip().lstrip("@").lower()


def moderate(
    session: Session,
    event: EventRow,
    verb: str,
    target: str,
    actor: str,
    actor_id: str | None = None,
) -> bool:
    """Apply ``verb`` (hide, unhide, pin, unpin, block, unblock) to a post URI or a handle, and
    log it; False when it changed nothing (already so)."""
    if verb not in ACTIONS:
        raise InputError("action", f"unknown wall action {verb!r}")
    action, on = ACTIONS[verb]
    target = target.strip()
    did: str | None = None
    if action == "block":
        if target.startswith("did:"):
            did = target
            handle = session.scalar(
                select(ArchivedPostRow.author_handle)
                .where(ArchivedPostRow.event_id == event.id, ArchivedPostRow.author_did == did)
                .limit(1)
            )
            target = normalise_handle(handle) if handle else did
        else:
            target = normalise_handle(target)
            if not target:
                raise InputError("HANDLE", "give the author's handle, e.g. someone.bsky.social")
            did = session.scalar(
                select(ArchivedPostRow.author_did)
                .where(
                    ArchivedPostRow.event_id == event.id,
                    func.lower(ArchivedPostRow.author_handle) == target,
                )
                .limit(1)
            )
    elif not target.startswith("at://"):
        raise InputError(
            "URI", f"{target!r} is not a post's at:// URI", hint="`livepost wall list` shows them."
        )
    existing = session.scalars(
        select(WallModerationRow).where(
            WallModerationRow.event_id == event.id,
            WallModerationRow.action == action,
            WallModerationRow.target == target,
        )
    ).one_or_none()
    if on and existing is None:
        session.add(
            WallModerationRow(
                event_id=event.id, action=action, target=target, target_did=did, actor=actor
            )
        )
    elif not on and existing is not None:
        session.delete(existing)
    else:
        return False
    session.add(
        WallLogRow(event_id=event.id, actor=actor, actor_id=actor_id, action=verb, target=target)
    )
    return True


def decisions(session: Session, event: EventRow) -> list[Decision]:
    """Every standing decision, newest first."""
    rows = session.scalars(
        select(WallModerationRow)
        .where(WallModerationRow.event_id == event.id)
        .order_by(WallModerationRow.created_at.desc(), WallModerationRow.id.desc())
    )
    return [Decision(r.action, r.target, r.target_did, r.actor, r.created_at) for r in rows]


def moderation_log(session: Session, event: EventRow, limit: int = 200) -> list[LogEntry]:
    """Who did what, newest first."""
    rows = session.scalars(
        select(WallLogRow)
        .where(WallLogRow.event_id == event.id)
        .order_by(WallLogRow.at.desc(), WallLogRow.id.desc())
        .limit(limit)
    )
    return [LogEntry(r.at, r.actor, r.action, r.target) for r in rows]


def replies_in_our_threads(session: Session, event: EventRow, limit: int = 50) -> list[WallPost]:
    """The newest replies by others in our threads (the console's thread view: hide a reply)."""
    ours = select(OutboxRow.uri).where(OutboxRow.event_id == event.id, OutboxRow.uri.is_not(None))
    rows = session.scalars(
        select(ArchivedPostRow)
        .where(ArchivedPostRow.event_id == event.id, ArchivedPostRow.reply_root.in_(ours))
        .order_by(ArchivedPostRow.created_at.desc())
        .limit(limit)
    )
    return [
        WallPost(
            r.uri,
            r.text,
            r.author_handle,
            r.author_name,
            r.created_at,
            _images(r.images, r.image_alts),
        )
        for r in rows
    ]
