"""The door: one object per request for the event, through which every front end acts.

``EventApp(settings, engine, actor, clock)`` is what the CLI, the console's pages, the JSON API,
the phone page, the venue wall and the daemon's jobs hold. Each of its services (the queue, the
team, the wall, the replies...) is built for the same person and clock, and every one of their
methods asks :mod:`livepost.app.permissions` whether that person may act before it reads or
writes anything. Front ends never import the store, the outbox or SQLAlchemy (the import contract
in ``pyproject.toml``, run by ``lint-imports``, keeps it so).

Each service's module is imported when the service is first asked for, so a command that only
reads the queue does not pay for the planner, the cards or the wall.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, TypeVar

from livepost.app.context import EventScope
from livepost.app.permissions import Action, ensure

if TYPE_CHECKING:
    from livepost.app.archive import Archive
    from livepost.app.cards import Cards
    from livepost.app.checks import Checks
    from livepost.app.daemon import DaemonWork
    from livepost.app.engagement import Engagement
    from livepost.app.people import People
    from livepost.app.plan import Planner
    from livepost.app.posts import Posts
    from livepost.app.programme import Programme
    from livepost.app.queue import EventQueue
    from livepost.app.queue_view import QueueBoard
    from livepost.app.status import Status
    from livepost.app.talks_now import TalksNow
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
        from livepost.app.queue import EventQueue

        return self._scoped(EventQueue)

    @cached_property
    def posts(self) -> Posts:
        """Reading the queue only (lighter than :attr:`queue`)."""
        from livepost.app.posts import Posts

        return self._scoped(Posts)

    @cached_property
    def team(self) -> Team:
        from livepost.app.team import Team

        return self._scoped(Team)

    @cached_property
    def wall(self) -> Wall:
        from livepost.app.wall import Wall

        return self._scoped(Wall)

    @cached_property
    def replies(self) -> Replies:
        from livepost.app.wall import Replies

        return self._scoped(Replies)

    @cached_property
    def programme(self) -> Programme:
        from livepost.app.programme import Programme

        return self._scoped(Programme)

    @cached_property
    def planner(self) -> Planner:
        from livepost.app.plan import Planner

        return self._scoped(Planner)

    @cached_property
    def status(self) -> Status:
        from livepost.app.status import Status

        return self._scoped(Status)

    @cached_property
    def archive(self) -> Archive:
        from livepost.app.archive import Archive

        return self._scoped(Archive)

    @cached_property
    def cards(self) -> Cards:
        from livepost.app.cards import Cards

        return self._scoped(Cards)

    @cached_property
    def people(self) -> People:
        from livepost.app.people import People

        return self._scoped(People)

    @cached_property
    def daemon(self) -> DaemonWork:
        """What ``livepost run`` does (built with ``Actor.daemon()``; refused to anyone whose
        role may not run the event)."""
        from livepost.app.daemon import DaemonWork

        return self._scoped(DaemonWork)

    @cached_property
    def today(self) -> Today:
        from livepost.app.today import Today

        return self._scoped(Today)

    @cached_property
    def queue_view(self) -> QueueBoard:
        from livepost.app.queue_view import QueueBoard

        return self._scoped(QueueBoard)

    @cached_property
    def engagement(self) -> Engagement:
        from livepost.app.engagement import Engagement

        return self._scoped(Engagement)

    @cached_property
    def checks(self) -> Checks:
        from livepost.app.checks import Checks

        return self._scoped(Checks)

    def talks_now(self) -> TalksNow:
        """The talks running now and each room's next (a reporter: those of their rooms)."""
        ensure(self.actor, Action.READ)
        from livepost.app.talks_now import talks_now

        return talks_now(self.settings, self.engine, self.actor, self.clock())
