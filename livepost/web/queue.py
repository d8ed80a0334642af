"""The Queue view and its actions: edit, cancel, reorder, retry, pause the whole event.

Each action is one transaction through :mod:`livepost.outbox.queries`, which refuses changes to
posts that have gone out (a post the daemon sent a second ago cannot be cancelled any more).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from livepost.errors import InputError
from livepost.model.actors import Role
from livepost.model.posts import PENDING, UNSENT
from livepost.outbox.queries import OutboxError, PostState, get_post, list_posts
from livepost.web.composer import ComposeError, event_queue
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
    """The unsent posts; a reporter sees only their own (as in the API's ``posts?mine=1``)."""
    titles = {t.id: t.title for t in console.talks()}
    mine_only = console.actor.role == Role.REPORTER
    with console.session() as (session, event):
        rows = list_posts(session, event, PENDING)
        if mine_only:
            rows = [row for row in rows if row.author_id == console.actor.identity]
        view = QueueView(paused=bool(event.paused), titles=titles)
        for row in rows:
            post = PostView.of(row, console.zone)
            if row.state in (PostState.QUEUED, PostState.SENDING):
                view.upcoming.append(post)
            elif row.state == PostState.FAILED:
                view.failed.append(post)
            else:
                view.missed.append(post)
            if row.parent_id is not None:
                view.replies[row.parent_id] = view.replies.get(row.parent_id, 0) + 1
    return view


def set_paused(console: Console, paused: bool) -> None:
    """Pause or resume the whole event: the daemon sends nothing while it is paused."""
    event_queue(console).set_paused(paused)


def cancel_post(console: Console, post_id: int) -> list[int]:
    """Cancel a post and the unsent replies under it; returns the ids cancelled."""
    return [c.id for c in event_queue(console).cancel(post_id)]


def retry_post(console: Console, post_id: int) -> None:
    """Send a failed or missed post again, at the next opportunity."""
    event_queue(console).retry(post_id)


def move_post(console: Console, post_id: int, direction: str) -> None:
    """Swap a queued post's due time with its neighbour's (``up`` or ``down``)."""
    event_queue(console).move(post_id, direction)


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
    due_at: datetime | None = None
    if due.strip():
        try:
            local = datetime.fromisoformat(due)
        except ValueError:
            raise ComposeError(
                "due", f"{due!r} is not a date and time (YYYY-MM-DD HH:MM)."
            ) from None
        due_at = local.replace(tzinfo=console.zone) if local.tzinfo is None else local
        with console.session() as (session, event):
            row = get_post(session, event, post_id)
            if console.local(row.due_at).replace(second=0, microsecond=0) == due_at:
                due_at = None  # the form shows minutes: an untouched time is no change
    try:
        event_queue(console).edit(post_id, text=text, due_at=due_at, alts=alts)
    except (InputError, OutboxError) as exc:
        if isinstance(exc, OutboxError) and not exc.message.startswith("That is"):
            raise
        raise ComposeError.of(exc) from exc


def post_for_edit(console: Console, post_id: int) -> tuple[PostView, str]:
    """The post and its text with links written out (for the edit form)."""
    with console.session() as (session, event):
        row = get_post(session, event, post_id)
        if row.state not in UNSENT:
            raise OutboxError(
                f"post {post_id} is {row.state}: only queued, failed or missed posts can be edited"
            )
        post = PostView.of(row, console.zone)
    return post, expand_links(post.text, post.facets)
