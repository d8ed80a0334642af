"""The Queue view and its actions: edit, cancel, reorder, retry, pause the whole event.

Each action is one transaction through :mod:`livepost.outbox`, which refuses changes to posts that
have gone out (a post the daemon sent a second ago cannot be cancelled any more).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from livepost.web.composer import ComposeError
from livepost.web.console import Console, PostView


@dataclass
class QueueView:
    paused: bool
    upcoming: list[PostView] = field(default_factory=list)  # queued and sending, in due order
    failed: list[PostView] = field(default_factory=list)
    missed: list[PostView] = field(default_factory=list)
    titles: dict[str, str] = field(default_factory=dict)  # talk id -> title
    replies: dict[int, int] = field(default_factory=dict)  # post id -> unsent replies under it


def queue_view(console: Console) -> QueueView:
    from livepost.outbox import list_posts

    titles = {t.id: t.title for t in console.talks()}
    with console.session() as (session, event):
        rows = list_posts(session, event, ["queued", "sending", "failed", "missed"])
        view = QueueView(paused=bool(event.paused), titles=titles)
        for row in rows:
            post = PostView.of(row, console.zone)
            if row.state in ("queued", "sending"):
                view.upcoming.append(post)
            elif row.state == "failed":
                view.failed.append(post)
            else:
                view.missed.append(post)
            if row.parent_id is not None:
                view.replies[row.parent_id] = view.replies.get(row.parent_id, 0) + 1
    return view


def set_paused(console: Console, paused: bool) -> None:
    """Pause or resume the whole event: the daemon sends nothing while it is paused."""
    with console.session() as (_session, event):
        event.paused = paused


def cancel_post(console: Console, post_id: int) -> list[int]:
    """Cancel a post and the unsent replies under it; returns the ids cancelled."""
    from livepost.outbox import cancel, get_post

    with console.session() as (session, event):
        return [r.id for r in cancel(session, get_post(session, event, post_id))]


def retry_post(console: Console, post_id: int) -> None:
    """Send a failed or missed post again, at the next opportunity."""
    from livepost.outbox import get_post, retry

    with console.session() as (session, event):
        retry(get_post(session, event, post_id), console.now())


def move_post(console: Console, post_id: int, direction: str) -> None:
    """Swap a queued post's due time with the queued post before (``up``) or after it (``down``).

    Equal times are split by a second so that the order really changes.
    """
    from livepost.outbox import OutboxError, edit, get_post, list_posts

    with console.session() as (session, event):
        row = get_post(session, event, post_id)
        queued = list_posts(session, event, ["queued"])
        if row not in queued:
            raise OutboxError(f"cannot move post {post_id}: it is {row.state}")
        index = queued.index(row)
        other_index = index - 1 if direction == "up" else index + 1
        if not 0 <= other_index < len(queued):
            return
        other = queued[other_index]
        mine, theirs = row.due_at, other.due_at
        if mine == theirs:
            step = timedelta(seconds=1)
            edit(row, due_at=theirs - step if direction == "up" else theirs + step)
        else:
            edit(row, due_at=theirs)
            edit(other, due_at=mine)


def expand_links(text: str, facets: list[dict[str, Any]]) -> str:
    """The text with each shortened link written out in full again, for editing.

    Stored text shows links as the app does (``example.com/very/lo...``); editing that and
    detecting links again would point them at the shortened address.
    """
    data = text.encode("utf-8")
    out = bytearray()
    position = 0
    links = sorted(
        (f for f in facets if f.get("type") == "link"), key=lambda f: int(f["byteStart"])
    )
    for facet in links:
        start, end = int(facet["byteStart"]), int(facet["byteEnd"])
        if start < position or end > len(data):
            continue
        out += data[position:start] + str(facet["value"]).encode("utf-8")
        position = end
    out += data[position:]
    return out.decode("utf-8")


def edit_post(
    console: Console,
    post_id: int,
    *,
    text: str,
    due: str,
    alts: list[str] | None = None,
) -> None:
    """Save the edit form: new text (facets found again), due time, image descriptions."""
    from livepost.compose.compose import finish
    from livepost.compose.text import MAX_BYTES, MAX_GRAPHEMES, normalize
    from livepost.outbox import edit, get_post

    body = normalize(text)
    if not body:
        raise ComposeError("text", "A post needs text; to drop it, cancel it instead.")
    composed = finish(body, [])
    if composed.graphemes > MAX_GRAPHEMES or composed.bytes > MAX_BYTES:
        raise ComposeError(
            "text",
            f"That is {composed.graphemes} characters; a post holds {MAX_GRAPHEMES}. Shorten it, "
            "or cancel it and write a thread in Compose.",
        )
    try:
        local = datetime.fromisoformat(due)
    except ValueError:
        raise ComposeError("due", f"{due!r} is not a date and time (YYYY-MM-DD HH:MM).") from None
    due_at = local.replace(tzinfo=console.zone) if local.tzinfo is None else local
    with console.session() as (session, event):
        row = get_post(session, event, post_id)
        changes: dict[str, Any] = {
            "text": composed.text,
            "facets": [f.to_json() for f in composed.facets],
        }
        if console.local(row.due_at).replace(second=0, microsecond=0) != due_at:
            changes["due_at"] = due_at
        if alts is not None and row.embed and row.embed.get("images"):
            images = [dict(i) for i in row.embed["images"]]
            for image, alt in zip(images, alts, strict=False):
                if not alt.strip():
                    raise ComposeError("alt", "Every image needs its description (alt text).")
                image["alt"] = alt.strip()
            changes["embed"] = {**row.embed, "images": images}
        edit(row, **changes)


def post_for_edit(console: Console, post_id: int) -> tuple[PostView, str]:
    """The post and its text with links written out (for the edit form)."""
    from livepost.outbox import OutboxError, get_post

    with console.session() as (session, event):
        row = get_post(session, event, post_id)
        if row.state not in ("queued", "failed", "missed"):
            raise OutboxError(
                f"post {post_id} is {row.state}: only queued, failed or missed posts can be edited"
            )
        post = PostView.of(row, console.zone)
    return post, expand_links(post.text, post.facets)
