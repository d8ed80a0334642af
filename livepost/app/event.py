"""The door: one object per request for the event, through which every front end acts.

``EventApp(settings, engine, actor, clock)`` is what the CLI, the console's pages, the JSON API,
the phone page, the venue wall and the daemon's jobs hold. Each of its services (the queue, the
team, the wall, the replies...) is built for the same person and clock, and every one of their
methods asks :mod:`livepost.app.permissions` whether that person may act before it reads or
writes anything. Front ends never import the store, the outbox or SQLAlchemy (the import contract
in ``.importlinter`` keeps it so).
"""

from __future__ import annotations

from functools import cached_property
from typing import TypeVar

from livepost.app.checks import Checks
from livepost.app.context import EventScope
from livepost.app.daemon import DaemonWork
from livepost.app.engagement import Engagement
from livepost.app.permissions import Action, ensure
from livepost.app.queue import EventQueue
from livepost.app.queue_view import QueueBoard
from livepost.app.talks_now import TalksNow, talks_now
from livepost.app.team import Team
from livepost.app.today import Today
from livepost.app.wall import Replies, Wall

Service = TypeVar("Service", bound=EventScope)


class EventApp(EventScope):
    """The event as one person asks of it. Cheap to build: one per request or command."""

    def _scoped(self, service: type[Service]) -> Service:
        return service(self.settings, self.engine, self.actor, self.clock)

    @cached_property
    def queue(self) -> EventQueue:
        return self._scoped(EventQueue)

    @cached_property
    def team(self) -> Team:
        return self._scoped(Team)

    @cached_property
    def wall(self) -> Wall:
        return self._scoped(Wall)

    @cached_property
    def replies(self) -> Replies:
        return self._scoped(Replies)

    @cached_property
    def daemon(self) -> DaemonWork:
        """What ``livepost run`` does (built with ``Actor.daemon()``; refused to anyone whose
        role may not run the event)."""
        return self._scoped(DaemonWork)

    @cached_property
    def today(self) -> Today:
        return self._scoped(Today)

    @cached_property
    def queue_view(self) -> QueueBoard:
        return self._scoped(QueueBoard)

    @cached_property
    def engagement(self) -> Engagement:
        return self._scoped(Engagement)

    @cached_property
    def checks(self) -> Checks:
        return self._scoped(Checks)

    def talks_now(self) -> TalksNow:
        """The talks running now and each room's next (a reporter: those of their rooms)."""
        ensure(self.actor, Action.READ)
        return talks_now(self.settings, self.engine, self.actor, self.clock())
