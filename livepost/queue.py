"""Queueing by hand while the daemon runs: ``livepost queue`` and ``livepost status``, the core.

Everything goes through the database, so a running ``livepost run`` sees it within a second.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from livepost.errors import ConfigError, InputError
from livepost.outbox import Draft, OutboxError, add_thread, find_by_key, manual_key

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session

    from livepost.config import Settings
    from livepost.store.models import EventRow, OutboxRow

_RELATIVE = re.compile(r"^\+\s*(?P<n>\d+)\s*(?P<unit>s|sec|m|min|h|hr)?$", re.I)


def parse_at(value: str | None, now: datetime, settings: Settings) -> datetime:
    """``--at``: ``now``, ``+10m`` / ``+90s`` / ``+1h``, ``14:05`` (today, event time) or
    ``YYYY-MM-DD HH:MM``."""
    from livepost.scheduler import parse_moment

    if value is None or value.strip().lower() == "now":
        return now
    match = _RELATIVE.match(value.strip())
    if match:
        unit = (match["unit"] or "m").lower()[0]
        seconds = int(match["n"]) * {"s": 1, "m": 60, "h": 3600}[unit]
        return now + timedelta(seconds=seconds)
    try:
        return parse_moment(value, now, settings, later=False)
    except ConfigError:
        raise InputError(
            "--at",
            f"{value!r} is not a time",
            hint="Use now, +10m, 14:05 (event time) or 'YYYY-MM-DD HH:MM'.",
        ) from None


@dataclass
class QueuedImage:
    path: Path
    alt: str


@dataclass
class Queued:
    """What :func:`queue_post` added: the rows (one per part) and the post they reply to."""

    ids: list[int]
    keys: list[str]
    due_at: datetime
    parent_key: str | None = None
    texts: list[str] = field(default_factory=list)


def queue_post(
    engine: Engine,
    settings: Settings,
    text: str,
    *,
    talk_id: str | None,
    at: datetime,
    images: list[QueuedImage],
) -> Queued:
    """Compose ``text`` (with the talk's context) and queue it; with a talk, as a reply to the
    talk's announcement (planned first if needed)."""
    from livepost.compose.compose import compose
    from livepost.compose.context import build_context
    from livepost.store.engine import session_scope
    from livepost.store.talks import ensure_event
    from livepost.talks import find_talk

    talk = find_talk(settings, engine, talk_id) if talk_id else None
    for image in images:
        if not image.path.is_file():
            raise InputError("--image", f"{image.path} is not a file")
        if not image.alt.strip():
            raise InputError(
                "--alt", f"image {image.path.name} has no alt text", hint="Describe it: --alt TEXT"
            )
    event = settings.event
    posts = compose(
        text,
        kind="free",
        context=build_context(
            event_name=event.name,
            event_hashtags=event.hashtags,
            timezone=event.timezone,
            talk=talk,
        ),
        event_hashtags=event.hashtags,
        extra_hashtags=talk.hashtags if talk else [],
        langs=event.langs,
        template_dirs=settings.template_dirs,
        numbering=settings.plan.numbering,
        tags_in_record=settings.plan.tags_in_record,
    )
    parent_key = f"announce/{talk.id}" if talk else None
    if parent_key is not None:
        _ensure_planned(engine, settings, parent_key)
    key = manual_key()
    embed: dict[str, Any] | None = None
    if images:
        embed = {"images": [{"path": str(i.path.resolve()), "alt": i.alt} for i in images]}
    drafts = [
        Draft(
            key=key if n == 0 else f"{key}#{n + 1}",
            kind="free",
            due_at=at,
            text=post.text,
            facets=[f.to_json() for f in post.facets],
            langs=list(post.langs),
            tags=list(post.tags),
            embed=embed if n == 0 else None,
            talk_id=talk.id if talk else None,
            origin="manual",
        )
        for n, post in enumerate(posts)
    ]
    with session_scope(engine) as session:
        row_event = ensure_event(session, settings.event_key, event.name, event.timezone)
        parent = find_by_key(session, row_event, parent_key) if parent_key else None
        if parent is not None and parent.state == "cancelled":
            parent = None
        rows = add_thread(session, row_event, drafts, parent=parent)
        return Queued(
            [r.id for r in rows],
            [r.key for r in rows],
            at,
            parent.key if parent else None,
            [r.text for r in rows],
        )


def _ensure_planned(engine: Engine, settings: Settings, key: str) -> None:
    from livepost.plan_sync import replan
    from livepost.store.engine import session_scope
    from livepost.store.models import utc_now
    from livepost.store.talks import ensure_event

    with session_scope(engine) as session:
        event = ensure_event(
            session, settings.event_key, settings.event.name, settings.event.timezone
        )
        if find_by_key(session, event, key) is not None:
            return
    replan(engine, settings, utc_now())


def event_row(session: Session, settings: Settings) -> EventRow:
    from livepost.store.talks import ensure_event

    return ensure_event(session, settings.event_key, settings.event.name, settings.event.timezone)


def recompose_one(settings: Settings, text: str, row: OutboxRow) -> dict[str, Any]:
    """New text for one queued post: composed like the original (hashtags, facets); it must stay
    one post (a thread cannot be edited into being)."""
    from livepost.compose.compose import compose

    posts = compose(
        text,
        kind="free",
        event_hashtags=settings.event.hashtags,
        langs=row.langs or settings.event.langs,
        template_dirs=settings.template_dirs,
    )
    if len(posts) > 1:
        raise OutboxError(
            f"the new text of post {row.id} does not fit in one post ({posts[0].graphemes}+ "
            "characters with the hashtags)",
            hint="Shorten it, or cancel the post and queue the text again as a thread.",
        )
    post = posts[0]
    return {
        "text": post.text,
        "facets": [f.to_json() for f in post.facets],
        "tags": list(post.tags),
    }
