"""Reading the queue (``queue list``, the console's and the API's lists): the light half of
:mod:`livepost.app.queue`, which needs neither the composer nor the cards, so the day's most
frequent command starts quickly."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from livepost.app.context import EventScope
from livepost.app.permissions import Action, ensure, sees_only_own_posts
from livepost.app.timeline import post_json
from livepost.model.posts import PostState
from livepost.outbox.queries import list_posts


class Posts(EventScope):
    """The event's queue as one person may read it."""

    def list(
        self, states: Iterable[PostState] | None = None, *, mine: bool = False
    ) -> list[dict[str, Any]]:
        """The event's posts in ``states`` (all when None), due order, as ``plan --json`` shows;
        ``mine`` (always, for a reporter): only those the actor queued, by identity."""
        ensure(self.actor, Action.READ)
        mine = mine or sees_only_own_posts(self.actor)
        with self.session() as (session, event):
            rows = list_posts(session, event, states)
            if mine:
                rows = [r for r in rows if r.author_id == self.actor.identity]
            return [post_json(row, self.zone) for row in rows]

    def paused(self) -> bool:
        """Whether sending is paused for the whole event."""
        ensure(self.actor, Action.READ)
        with self.session() as (_session, event):
            return bool(event.paused)
