"""Quick reads for the day's most frequent commands (``queue list``, ``status``).

:class:`EventReader` answers as the door's services do (:attr:`EventApp.posts
<livepost.app.event.EventApp.posts>`, :attr:`EventApp.status`), with the same check of who asks
first; on a SQLite event at the newest schema it reads with the standard library
(:mod:`livepost.store.quick`) instead of importing SQLAlchemy, and otherwise it opens the door.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from livepost.app.permissions import Action, ensure, sees_only_own_posts
from livepost.model.actors import Actor
from livepost.model.posts import PostState

if TYPE_CHECKING:
    from livepost.app.event import EventApp
    from livepost.app.status import EventStatus
    from livepost.config import Settings
    from livepost.store.quick import QuickReader


class EventReader:
    """Reads of the event as ``actor`` asks for them; ``door()`` opens the full application
    (migrations, SQLAlchemy) when the quick path cannot answer."""

    def __init__(self, settings: Settings, actor: Actor, door: Callable[[], EventApp]) -> None:
        self.settings = settings
        self.actor = actor
        self.door = door

    def _quick(self) -> tuple[QuickReader, int, bool] | None:
        from livepost.store.quick import open_quick

        reader = open_quick(self.settings.database_url)
        if reader is None:
            return None
        event = reader.event(self.settings.event_key)
        if event is None:  # a first run: the door creates the event's row
            reader.close()
            return None
        return reader, *event

    def posts(self, states: Iterable[PostState] | None = None) -> tuple[list[dict[str, Any]], bool]:
        """The posts in ``states`` (all when None) as ``queue list --json`` shows them, and
        whether sending is paused."""
        ensure(self.actor, Action.READ)
        quick = self._quick()
        if quick is None:
            posts = self.door().posts
            return posts.list(states), posts.paused()
        from livepost.app.timeline import post_json

        reader, event_id, paused = quick
        try:
            rows = reader.posts(event_id, states)
        finally:
            reader.close()
        if sees_only_own_posts(self.actor):
            rows = [r for r in rows if r.author_id == self.actor.identity]
        return [post_json(r, self.settings.zone) for r in rows], paused

    def status(self) -> EventStatus:
        """What ``livepost status`` shows."""
        ensure(self.actor, Action.READ)
        quick = None if self.settings.schedule_url is not None else self._quick()
        if quick is None:
            return self.door().status.read()
        from livepost.app.status import quick_status

        reader, event_id, paused = quick
        try:
            return quick_status(self.settings, reader, event_id, paused)
        finally:
            reader.close()
