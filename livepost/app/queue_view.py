"""The queue as the console's Queue and Edit pages show it: the unsent posts grouped by state, one
post with its links written out for editing, and the edit form's save.

A reporter sees only their own posts here (:func:`sees_only_own_posts`), as in the API; whether a
post may be changed is :func:`ensure_may_change`'s answer, asked before anything is shown.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from livepost.app.context import EventScope
from livepost.app.permissions import Action, ensure, ensure_may_change, sees_only_own_posts
from livepost.app.post_view import PostView
from livepost.app.queue import Changed, EventQueue
from livepost.errors import NotAllowed
from livepost.model.posts import PENDING, UNSENT, PostState
from livepost.outbox.queries import OutboxError, get_post, list_posts
from livepost.schedule.current import current_talks


@dataclass
class QueueView:
    paused: bool
    upcoming: list[PostView] = field(default_factory=list)  # queued and sending, in due order
    failed: list[PostView] = field(default_factory=list)
    missed: list[PostView] = field(default_factory=list)
    titles: dict[str, str] = field(default_factory=dict)  # talk id -> title
    replies: dict[int, int] = field(default_factory=dict)  # post id -> unsent replies under it


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


class QueueBoard(EventScope):
    """The Queue and Edit pages of the console."""

    def view(self) -> QueueView:
        """The unsent posts; a reporter sees only their own."""
        ensure(self.actor, Action.READ)
        titles = {t.id: t.title for t in current_talks(self.settings, self.engine)}
        mine_only = sees_only_own_posts(self.actor)
        with self.session() as (session, event):
            rows = list_posts(session, event, PENDING)
            if mine_only:
                rows = [row for row in rows if row.author_id == self.actor.identity]
            view = QueueView(paused=bool(event.paused), titles=titles)
            for row in rows:
                post = PostView.of(row, self.zone)
                if post.state in (PostState.QUEUED, PostState.SENDING):
                    view.upcoming.append(post)
                elif post.state == PostState.FAILED:
                    view.failed.append(post)
                else:
                    view.missed.append(post)
                if row.parent_id is not None:
                    view.replies[row.parent_id] = view.replies.get(row.parent_id, 0) + 1
        return view

    def post(self, post_id: int) -> PostView:
        """One post (a reporter: their own, or the planner's, as the announcement a snippet
        replies to; not another person's)."""
        ensure(self.actor, Action.READ)
        with self.session() as (session, event):
            row = get_post(session, event, post_id)
            theirs = row.author_id is not None and row.author_id != self.actor.identity
            if sees_only_own_posts(self.actor) and theirs:
                raise NotAllowed(f"post {post_id} is not {self.actor.name}'s")
            return PostView.of(row, self.zone)

    def for_edit(self, post_id: int) -> tuple[PostView, str]:
        """The post and its text with links written out (for the edit form): only a post the
        person may change, and only while it is unsent."""
        ensure(self.actor, Action.CHANGE_OWN)  # before the post is even looked up
        with self.session() as (session, event):
            row = get_post(session, event, post_id)
            ensure_may_change(self.actor, row.id, row.author_id)
            post = PostView.of(row, self.zone)
        if post.state not in UNSENT:
            raise OutboxError(
                f"post {post_id} is {post.state}: only queued, failed or missed posts can be edited"
            )
        return post, expand_links(post.text, post.facets)

    def save_edit(
        self, post_id: int, *, text: str, due_at: datetime | None, alts: list[str] | None
    ) -> Changed:
        """The edit form's save: a time shown to the minute and left untouched is no change."""
        ensure(self.actor, Action.CHANGE_OWN)
        if due_at is not None:
            with self.session() as (session, event):
                row = get_post(session, event, post_id)
                ensure_may_change(self.actor, row.id, row.author_id)
                shown = row.due_at.astimezone(self.zone).replace(second=0, microsecond=0)
                if shown == due_at:
                    due_at = None
        queue = EventQueue(self.settings, self.engine, self.actor, self.clock)
        return queue.edit(post_id, text=text, due_at=due_at, alts=alts)
